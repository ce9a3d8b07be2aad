"""Terraform built-in functions and the evaluator's operators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scanner.loaders.terraform import hcl as syn
from scanner.loaders.terraform.eval import Evaluator
from scanner.loaders.terraform.eval.functions import FunctionContext, FunctionError, call_function
from scanner.options import ScanOptions
from scanner.values import EncodedJson, ResourceRef, Span, SpannedDict, Unknown


def ctx(tmp_path: Path | None = None) -> FunctionContext:
    root = tmp_path or Path(".")
    return FunctionContext(options=ScanOptions(root=root), base_dirs=(root,), span=Span("main.tf", 1, 1))


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("cidrsubnet", ["10.0.0.0/16", 8, 2], "10.0.2.0/24"),
        ("cidrsubnet", ["10.0.0.0/8", 8, 255], "10.255.0.0/16"),
        ("cidrsubnet", ["fd00::/56", 8, 1], "fd00:0:0:1::/64"),
        ("cidrhost", ["10.0.1.0/24", 10], "10.0.1.10"),
        ("cidrhost", ["10.0.1.0/24", -2], "10.0.1.254"),
        ("cidrnetmask", ["172.16.0.0/12"], "255.240.0.0"),
        ("cidrsubnets", ["10.0.0.0/8", 8, 8, 16], ["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/24"]),
        ("merge", [{"a": 1, "b": 1}, {"b": 2}], {"a": 1, "b": 2}),
        ("concat", [[1], [2, 3]], [1, 2, 3]),
        ("flatten", [[[1, [2]], [], 3]], [1, 2, 3]),
        ("lookup", [{"a": 1}, "b", 0], 0),
        ("element", [["a", "b"], 3], "b"),
        ("length", ["héllo"], 5),
        ("format", ["%s:%d %q %5.2f %%", "a", 3, "q", 3.14159], 'a:3 "q"  3.14 %'),
        ("formatlist", ["%s-%s", ["a", "b"], "x"], ["a-x", "b-x"]),
        ("join", ["-", ["a", "b"], ["c"]], "a-b-c"),
        ("split", [",", "a,b"], ["a", "b"]),
        ("toset", [["b", "a", "b"]], ["a", "b"]),  # Terraform orders a set of strings lexically
        ("toset", [["a", "b", 3]], ["3", "a", "b"]),  # mixed: converted to strings
        ("tonumber", ["42"], 42),
        ("tobool", ["true"], True),
        ("tostring", [5], "5"),
        ("coalesce", [None, "", "x"], "x"),
        ("coalescelist", [[], ["a"]], ["a"]),
        ("compact", [["a", "", None, "b"]], ["a", "b"]),
        ("distinct", [[1, 1, 2]], [1, 2]),
        ("keys", [{"b": 1, "a": 2}], ["a", "b"]),
        ("values", [{"b": 1, "a": 2}], [2, 1]),
        ("contains", [["a", "b"], "b"], True),
        ("zipmap", [["a", "b"], [1, 2]], {"a": 1, "b": 2}),
        ("range", [3], [0, 1, 2]),
        ("range", [1, 7, 3], [1, 4]),
        ("min", [3, 1, 2], 1),
        ("max", [3, 1, 2], 3),
        ("replace", ["a.b.c", ".", "-"], "a-b-c"),
        ("replace", ["v1.2", "/v(\\d+)/", "version$1"], "version1.2"),
        ("substr", ["hello", 1, 3], "ell"),
        ("substr", ["hello", -3, -1], "llo"),
        ("trimspace", ["  x \n"], "x"),
        ("trimprefix", ["arn:aws", "arn:"], "aws"),
        ("trimsuffix", ["a.tf", ".tf"], "a"),
        ("startswith", ["abc", "ab"], True),
        ("endswith", ["abc", "bc"], True),
        ("regex", ["^(\\d+)\\.(\\d+)$", "1.25"], ["1", "25"]),
        ("regex", ["(?P<major>\\d+)", "v12"], {"major": "12"}),
        ("regexall", ["\\d", "a1b2"], ["1", "2"]),
        ("base64encode", ["hi"], "aGk="),
        ("base64decode", ["aGk="], "hi"),
        ("sort", [["b", "a"]], ["a", "b"]),
        ("reverse", [[1, 2]], [2, 1]),
        ("slice", [[1, 2, 3], 1, 3], [2, 3]),
        ("one", [["x"]], "x"),
        ("one", [[]], None),
        ("alltrue", [[True, True]], True),
        ("anytrue", [[False, True]], True),
        ("sum", [[1, 2.5]], 3.5),
        ("setunion", [["a"], ["b", "a"]], ["a", "b"]),
        ("setintersection", [["a", "b"], ["b"]], ["b"]),
        ("setproduct", [["a"], [1, 2]], [["a", 1], ["a", 2]]),
        ("index", [["a", "b"], "b"], 1),
        ("basename", ["a/b/c.txt"], "c.txt"),
        ("dirname", ["a/b/c.txt"], "a/b"),
        ("jsondecode", ['{"a": [1, true]}'], {"a": [1, True]}),
        ("yamldecode", ["a: [1, 2]\n"], {"a": [1, 2]}),
    ],
)
def test_functions(name: str, args: list[Any], expected: Any) -> None:
    assert call_function(name, args, ctx()) == expected


def test_unknown_in_unknown_out() -> None:
    ref = ResourceRef("aws_vpc.main", "cidr_block")
    result = call_function("cidrsubnet", [Unknown("x", (ref,)), 8, 1], ctx())
    assert isinstance(result, Unknown) and result.refs == (ref,)
    assert isinstance(call_function("upper", [ResourceRef("aws_iam_role.r", "name")], ctx()), Unknown)
    # functions that only move values keep references as they are
    assert call_function("concat", [[ref], ["x"]], ctx()) == [ref, "x"]
    assert call_function("tostring", [ref], ctx()) == ref
    unknown_fn = call_function("nosuch", [1], ctx())
    assert isinstance(unknown_fn, Unknown) and "nosuch" in unknown_fn.reason


def test_rejected_calls_raise() -> None:
    with pytest.raises(FunctionError):
        call_function("lookup", [{"a": 1}, "b"], ctx())
    with pytest.raises(FunctionError):
        call_function("cidrsubnet", ["10.0.0.0/30", 8, 1], ctx())


def test_jsonencode_keeps_the_spanned_value() -> None:
    value = SpannedDict({"Action": "*"}, span=Span("main.tf", 3, 5), key_spans={"Action": Span("main.tf", 4, 4)})
    encoded = call_function("jsonencode", [value], ctx())
    assert isinstance(encoded, EncodedJson) and encoded == '{"Action":"*"}'
    assert encoded.decoded.key_spans["Action"].line == 4
    assert call_function("jsondecode", [encoded], ctx()) is value


def test_file_functions_stay_inside_root(tmp_path: Path) -> None:
    (tmp_path / "data.txt").write_text("hello")
    context = ctx(tmp_path)
    assert call_function("file", ["data.txt"], context) == "hello"
    assert call_function("fileexists", ["data.txt"], context) is True
    assert call_function("fileexists", ["nope.txt"], context) is False
    with pytest.raises(FunctionError):
        call_function("file", ["../data.txt"], context)


def evaluate(text: str) -> Any:
    return Evaluator(None).evaluate(syn.parse_expression(text, 1), "main.tf")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("10 / 4", 2.5),
        ("7 % 3", 1),
        ("-(2 - 5)", 3),
        ("1 == 1 && !false", True),
        ('1 == "1"', False),
        ("2 >= 3 || 1 < 2", True),
        ('"a" != "b" ? "yes" : "no"', "yes"),
        ("[for x in [1, 2, 3] : x * 10 if x > 1]", [20, 30]),
        ("{for k, v in {b = 1, a = 2} : v => k}", {"1": "b", "2": "a"}),
        ("[{a = 1}, {a = 2}][*].a", [1, 2]),
        ("{a = [1, 2]}.a[1]", 2),
        ('"%{ for x in ["a", "b"] }${x}.%{ endfor }"', "a.b."),
        ('"%{ if true }yes%{ else }no%{ endif }"', "yes"),
    ],
)
def test_operators_and_expressions(text: str, expected: Any) -> None:
    assert evaluate(text) == expected


def test_tuple_and_object_values_carry_spans() -> None:
    expr = syn.parse_hcl("x = {\n  a = [\n    1,\n    2,\n  ]\n}\n").attributes["x"].expr
    value = Evaluator(None).evaluate(expr, "main.tf")
    assert value.span == Span("main.tf", 1, 6)
    assert value.key_spans["a"] == Span("main.tf", 2, 5)
    assert value["a"].item_spans == [Span("main.tf", 3, 3), Span("main.tf", 4, 4)]
