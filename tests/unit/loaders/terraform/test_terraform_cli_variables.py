"""--var checked as Terraform checks -var (type conversion, offline validations), and the
notice for a .tfvars file beside a root module that Terraform does not load by itself."""

from __future__ import annotations

import pytest

from scanner.loaders.terraform import hcl as syn
from scanner.loaders.terraform.cli_variables import TypeMismatch, cli_value, conform
from scanner.loaders.terraform.load_run import TerraformLoad
from scanner.loaders.terraform.root_module import load_terraform_module
from scanner.options import ScanOptions
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures" / "terraform"
CHECKED = FIXTURES / "var-checked-against-its-type"
TFVARS = FIXTURES / "tfvars-beside-the-root-not-loaded"


def _type(text: str) -> syn.Expr:
    return syn.parse_expression(text, 1, None)


def _line(needle: str) -> int:
    return next(n for n, line in enumerate((CHECKED / "main.tf").read_text().splitlines(), 1) if needle in line)


def _load(**variables: str) -> TerraformLoad:
    return load_terraform_module(CHECKED, ScanOptions(root=CHECKED, variables=variables))


@pytest.mark.parametrize(
    ("type_text", "raw", "expected"),
    [
        ("bool", "true", True),
        ("bool", "1", True),  # cty converts "1"/"0" too, as terraform plan -var b=1 does
        ("bool", "0", False),
        ("number", "1e3", 1000),
        ("number", "-2.5", -2.5),
        ("string", "22", "22"),
        ("list(string)", '["a", 1, true]', ["a", "1", "true"]),
        ("set(string)", '["b", "a", "b"]', ["a", "b"]),
        ("map(number)", '{x = "2"}', {"x": 2}),
        ("object({a = string, b = optional(number, 3)})", "{a = 1, c = 5}", {"a": "1"}),
        ("any", "[1]", [1]),
    ],
)
def test_values_terraform_converts(type_text: str, raw: str, expected: object) -> None:
    type_expr = _type(type_text)
    assert conform(cli_value(raw, type_expr, None), type_expr) == expected


@pytest.mark.parametrize(
    ("type_text", "raw", "words"),
    [
        ("bool", "nope", "a bool is required"),
        ("bool", "True", 'use lowercase "true"'),
        ("number", "0x10", "a number is required"),
        ("number", " 5", "a number is required"),
        ("list(string)", "a", "only literal values"),
        ("list(string)", "[", "not a valid HCL expression"),
        ("map(number)", '{x = "a"}', "a number is required at ['x']"),
        ("object({a = string})", "{b = 1}", 'attribute "a" is required'),
        ("any", "foo", "only literal values"),
    ],
)
def test_values_terraform_refuses(type_text: str, raw: str, words: str) -> None:
    type_expr = _type(type_text)
    with pytest.raises(TypeMismatch, match=words.replace("[", r"\[").replace("(", r"\(")):
        conform(cli_value(raw, type_expr, None), type_expr)


def test_a_var_that_is_not_a_bool_is_a_usage_error_naming_the_declaration() -> None:
    result = _load(create_eip="nope")
    (error,) = result.errors
    assert error.usage and (error.file, error.line) == ("main.tf", _line('variable "create_eip"'))
    assert error.message == (
        f'--var create_eip=nope: a bool is required (variable "create_eip" declared at main.tf:{error.line})'
    )


def test_a_converted_var_is_the_value_scanned() -> None:
    result = _load(create_eip="1", allowed_cidrs='["0.0.0.0/0"]')
    assert result.errors == []
    addresses = {r.address: r for r in result.resources}
    assert "aws_eip.web[0]" in addresses
    assert addresses["aws_security_group.web"].body["ingress"][0]["cidr_blocks"] == ["0.0.0.0/0"]


def test_a_false_validation_is_a_usage_error_quoting_its_message() -> None:
    (error,) = _load(environment="qa").errors
    assert error.usage and error.line == _line("contains(")
    assert "--var environment=qa: The environment must be dev or prod." in error.message
    assert _load(environment="prod").errors == []


def test_a_validation_that_cannot_be_evaluated_offline_is_skipped_and_said() -> None:
    result = _load(name="averyveryverylongname")
    assert result.errors == []
    assert result.notices == [
        f"main.tf:{_line('length(var.name)')}: the validation of var.name cannot be evaluated offline "
        "for --var name; not checked"
    ]


def test_a_var_the_root_does_not_declare_is_not_an_error() -> None:
    assert _load(not_declared_here="x").errors == []


def test_tfvars_terraform_does_not_load_are_named_with_the_flag() -> None:
    result = load_terraform_module(TFVARS, ScanOptions(root=FIXTURES))
    body = result.resources[0].body
    # terraform.tfvars and *.auto.tfvars are read by themselves, prod.tfvars is not
    assert body["name"] == "web-default" and body["ingress"][0]["from_port"] == 2222
    assert body["ingress"][0]["cidr_blocks"] == ["10.0.0.0/8"]
    shown = "tfvars-beside-the-root-not-loaded/prod.tfvars"
    assert result.notices == [
        f"{shown}: not read (Terraform loads only terraform.tfvars and *.auto.tfvars by itself); "
        f"to scan with its values: --var-file {shown}"
    ]


def test_no_tfvars_notice_once_a_file_of_the_folder_is_named() -> None:
    result = load_terraform_module(TFVARS, ScanOptions(root=FIXTURES, var_files=(TFVARS / "prod.tfvars",)))
    assert result.notices == []
    assert result.resources[0].body["ingress"][0]["cidr_blocks"] == ["0.0.0.0/0"]
