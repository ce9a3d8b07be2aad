"""Bounds of the Terraform loader: value size, iterations, nesting, and syntax errors the
fast parser reports itself (without building the grammar's tables, seconds per process)."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from scanner.loaders.terraform import hcl as syn
from scanner.loaders.terraform.eval.functions import MAX_VALUE_SIZE
from scanner.loaders.terraform.hcl import grammar as hcl_grammar
from tests.support.crash_check import caught_bugs, scan_bounded, scan_tree
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures"


def _user_data(tmp_path: Path, expression: str, before: str = "") -> tuple[object, list[str]]:
    (tmp_path / "main.tf").write_text(
        f'{before}resource "aws_instance" "web" {{\n  ami = "ami-1"\n  user_data = {expression}\n}}\n'
    )
    result = scan_tree(tmp_path)
    assert caught_bugs(result) == []
    (instance,) = [r for c in result.configurations for r in c.resources]
    return instance, [str(e) for e in result.all_errors]


@pytest.mark.parametrize(
    "expression",
    [
        'format("%01000000000d", 1)',
        'format("%.2000000f", 1)',
        'format("%999999d%999999d", 1, 2)',
        'indent(1000000, "a\\nb\\nc")',
        'join(format("%900000s", "x"), ["a", "b", "c"])',
        'replace(format("%900000s", "x"), " ", "ab")',
        'replace(format("%900000s", "x"), "/ /", "ab")',
        'formatlist("%900000s", ["a", "b"])',
    ],
)
def test_functions_that_multiply_their_input_are_bounded(tmp_path: Path, expression: str) -> None:
    started = time.monotonic()
    instance, errors = _user_data(tmp_path, expression)
    assert time.monotonic() - started < 20
    assert any(e.startswith("main.tf:3:") and "limit" in e for e in errors), errors
    assert "limit" in repr(getattr(instance, "user_data", None)) or getattr(instance, "user_data", None) is None


def test_values_below_the_limit_are_evaluated(tmp_path: Path) -> None:
    instance, errors = _user_data(
        tmp_path,
        'join("", [format("%05d", 7), indent(2, "a\\nb"), local.s])',
        before=f'locals {{\n  s = format("%{MAX_VALUE_SIZE - 1000}s", "x")\n}}\n',
    )
    assert errors == []
    user_data = getattr(instance, "user_data", None)
    assert isinstance(user_data, str) and user_data.startswith("00007a\n  b ") and user_data.endswith("x")


def test_iterations_past_the_limit_end_as_unknown(tmp_path: Path) -> None:
    expression = "length([for a in range(1024) : [for b in range(1024) : [for c in range(1024) : c if false]]])"
    run = scan_bounded(_written(tmp_path, expression), seconds=60, memory_mb=1024)
    assert run.finished and run.crash == "" and run.caught == ()
    assert any(e.startswith("main.tf:3:") and "iterations" in e for e in run.errors), run.errors


def test_set_functions_are_linear(tmp_path: Path) -> None:
    """distinct/setunion/setsubtract over 50,000 items: seconds, not hours."""
    items = '[for i in range(1000) : [for j in range(50) : "${i}-${j}"]]'
    expression = f'length(distinct(setunion(flatten({items}), setsubtract(flatten({items}), ["0-0"]))))'
    run = scan_bounded(_written(tmp_path, expression), seconds=60, memory_mb=1024)
    assert run.finished and run.crash == "" and run.caught == ()
    assert run.errors == ()


def _written(tmp_path: Path, expression: str) -> Path:
    (tmp_path / "main.tf").write_text(
        f'resource "aws_instance" "web" {{\n  ami = "ami-1"\n  user_data = {expression}\n}}\n'
    )
    return tmp_path


# --- syntax errors the fast parser is sure of ------------------------------------------------------


@pytest.mark.parametrize(
    "text, line, words",
    [
        ((FIXTURES / "fuzz-crashers/hcl-syntax-error-slow-fallback/main.tf").read_text(), 11, "'...'"),
        ((FIXTURES / "fuzz-crashers/tfvars-stray-quote-slow-fallback/terraform.tfvars").read_text(), 1, "string"),
        ('resource "x" "y" {\n  a = 1\n', 2, "line 1 is not closed"),
        ("a = 1\nb = 2 @ 3\n", 2, "'@'"),
        ("a = 1\n}\n", 2, "'}'"),
        ('resource "x" "y" = {\n}\n', 1, "'='"),
        ('a = "${x"\n', 1, "interpolation"),
        ("a = " + "[" * 100 + "]" * 100 + "\n", 1, "nested"),
        ("a = <<EOT\n" + '${"' * 100 + '"}' * 100 + "\nEOT\n", 2, "nested"),
    ],
)
def test_sure_syntax_errors_name_the_line_without_the_grammar(
    text: str, line: int, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_grammar(text: str) -> syn.Body:
        raise AssertionError("the grammar was used")

    monkeypatch.setattr(hcl_grammar, "parse_with_grammar", no_grammar)
    with pytest.raises(syn.HclSyntaxError) as caught:
        syn.parse_hcl(text)
    assert (caught.value.line, "syntax error" in caught.value.message) == (line, True), caught.value.message
    assert words in caught.value.message


def test_sure_syntax_errors_are_errors_for_the_grammar_too() -> None:
    """Mutations of the project's own fixtures: whenever the fast parser is sure, the grammar
    (python-hcl2's, the reference for what is HCL) rejects the text as well."""
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(FIXTURES.rglob("*.tf"))]
    assert len(texts) > 20
    pieces = [
        '"',
        "...",
        ")",
        "]",
        "}",
        "{",
        "\n",
        ",",
        "=",
        "\\",
        "~",
        "&",
        "${",
        "%{",
        "<<EOF\n",
        "#",
        "/*",
        ".",
        ":",
        "?",
        "[",
        "(",
        "x",
        "1",
        " ",
        '"\n',
        "-",
        "!",
        "=>",
        "::",
    ]
    chooser = random.Random(20261129)
    sure = 0
    for _ in range(400):
        text = chooser.choice(texts)
        for _ in range(chooser.randint(1, 3)):
            at = chooser.randrange(len(text) + 1)
            if chooser.random() < 0.6:
                text = text[:at] + chooser.choice(pieces) + text[at:]
            else:
                text = text[:at] + text[at + chooser.randint(1, 5) :]
        text = text if text.endswith("\n") else text + "\n"
        try:
            syn.fast_parse(text)
        except syn.SureSyntaxError as error:
            sure += 1
            with pytest.raises(syn.HclSyntaxError):
                syn.parse_with_grammar(text)
                pytest.fail(f"the grammar accepts what the fast parser refused at line {error.line}:\n{text}")
        except (syn.GrammarNeeded, syn.HclSyntaxError, RecursionError, IndexError, ValueError):
            pass
    assert sure > 50
