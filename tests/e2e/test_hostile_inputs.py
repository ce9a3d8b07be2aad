"""Hostile repositories: the scanner runs on untrusted pull requests, so whatever a
repository holds must end in a result with a clear per-file error, in bounded time and
memory, without reading anything outside the scanned tree.

Inputs that might hang or exhaust memory are scanned in a child process with a time and
memory limit (``scan_bounded``); big inputs are generated in ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import time
import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from scanner.options import ScanOptions
from scanner.scan import load_configurations
from tests.support.crash_check import caught_bugs, messages, scan_bounded, scan_tree
from tests.support.paths import REPO

HOSTILE = REPO / "fixtures" / "hostile"
PASSWD_LINE = "root:x:0:0"
TEMPLATE_HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'


def assert_bounded_and_clear(root: Path, expected: str, seconds: float = 60, memory_mb: int = 1024) -> None:
    """Finishes in time, within memory, no caught bug, and an error or notice says ``expected``."""
    run = scan_bounded(root, seconds=seconds, memory_mb=memory_mb)
    assert run.finished, f"still running after {seconds} s"
    assert run.crash == ""
    assert run.caught == ()
    said = "\n".join(run.errors + run.notices)
    assert expected.lower() in said.lower(), said


# --- YAML alias bombs and deep nesting ----------------------------------------------------------


def test_yaml_alias_bomb_is_refused_in_bounded_time_and_memory() -> None:
    assert_bounded_and_clear(HOSTILE / "yaml-alias-bomb", "alias", seconds=60, memory_mb=1024)


def test_yaml_aliases_below_the_bomb_limit_still_load(tmp_path: Path) -> None:
    """Ordinary anchors are fine: the same properties shared by two instances load as written."""
    (tmp_path / "t.yaml").write_text(
        TEMPLATE_HEAD + "  A:\n    Type: AWS::EC2::Instance\n    Properties: &p\n"
        "      ImageId: ami-1\n  B:\n    Type: AWS::EC2::Instance\n    Properties: *p\n"
    )
    result = scan_tree(tmp_path)
    assert caught_bugs(result) == []
    assert {r.address for c in result.configurations for r in c.resources} >= {"A", "B"}


@pytest.mark.parametrize(
    "name, text",
    [
        (
            "deep.yaml",
            TEMPLATE_HEAD
            + "  X:\n    Type: AWS::EC2::Instance\n    Properties:\n      Tags: "
            + "[" * 100_000
            + "]" * 100_000
            + "\n",
        ),
        (
            "deep.json",
            '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"X": {"Type": "AWS::EC2::Instance", '
            '"Properties": {"Tags": ' + "[" * 100_000 + "]" * 100_000 + "}}}}",
        ),
        (
            "deep-map.yaml",
            TEMPLATE_HEAD
            + "  X:\n    Type: AWS::EC2::Instance\n    Properties:\n      Tags: "
            + "{a: " * 50_000
            + "1"
            + "}" * 50_000
            + "\n",
        ),
    ],
)
def test_deeply_nested_templates_give_a_clear_error(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text)
    assert_bounded_and_clear(tmp_path, "nesting")


@pytest.mark.parametrize(
    "name, text",
    [
        (
            "main.tf.json",
            '{"resource": {"aws_instance": {"x": {"ami": "a", "tags": ' + "[" * 100_000 + "]" * 100_000 + "}}}}",
        ),
        (
            "main.tf",
            'resource "aws_instance" "x" {\n  ami = "a"\n  tags = {t = ' + "[" * 50_000 + "]" * 50_000 + "}\n}\n",
        ),
        (
            "main.tf",
            'resource "aws_instance" "x" {\n  ami = "a"\n  tags = {t = ' + "(" * 50_000 + "1" + ")" * 50_000 + "}\n}\n",
        ),
        ("main.tf", 'resource "aws_instance" "x" {\n' + "a {\n" * 20_000 + "}\n" * 20_000 + "}\n"),
        ("main.tf", 'resource "aws_instance" "x" {\n  user_data = "' + '${"' * 20_000 + '"}' * 20_000 + '"\n}\n'),
    ],
    ids=["tf-json-list", "hcl-list", "hcl-parentheses", "hcl-blocks", "hcl-template"],
)
def test_deeply_nested_terraform_finishes_quickly(tmp_path: Path, name: str, text: str) -> None:
    """Deep HCL either loads or is reported; either way in bounded time and memory."""
    (tmp_path / name).write_text(text)
    run = scan_bounded(tmp_path, seconds=45, memory_mb=1024)
    assert run.finished and run.crash == "" and run.caught == ()


def test_deeply_nested_tfvars_finishes_quickly(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('variable "v" {}\nresource "aws_instance" "x" {\n  tags = var.v\n}\n')
    (tmp_path / "terraform.tfvars").write_text("\nv = " + "[" * 100_000 + "]" * 100_000 + "\n")
    run = scan_bounded(tmp_path, seconds=12, memory_mb=1024)
    assert run.finished and run.crash == "" and run.caught == ()
    assert any(e.startswith("terraform.tfvars:2:") and "nested" in e for e in run.errors), run.errors
    assert run.resources == 1


# --- size limit ----------------------------------------------------------------------------------


def _write_big_template(path: Path, megabytes: int) -> None:
    block = "".join(
        f'  SG{i}:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: "{"x" * 200}"\n'
        for i in range(1000)
    )
    with path.open("w") as handle:
        handle.write(TEMPLATE_HEAD)
        for copy in range(megabytes * 1024 * 1024 // len(block) + 1):
            handle.write(block.replace("  SG", f"  C{copy}SG"))


def test_fifty_megabyte_template_is_refused_with_the_limit_named(tmp_path: Path) -> None:
    _write_big_template(tmp_path / "big.yaml", 50)
    with (tmp_path / "main.tf").open("w") as handle:
        for i in range(200_000):
            handle.write(f'resource "aws_security_group" "s{i}" {{\n  description = "{"x" * 200}"\n}}\n')
    tracemalloc.start()
    try:
        result = scan_tree(tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, f"peak {peak / 2**20:.0f} MB while refusing two 50 MB files"
    assert caught_bugs(result) == []
    by_file = {e.file: e.message for e in result.all_errors}
    assert "bytes" in by_file["big.yaml"] and str(ScanOptions(root=tmp_path).max_file_bytes) in by_file["big.yaml"]
    assert str(ScanOptions(root=tmp_path).max_file_bytes) in by_file["main.tf"]


def test_every_loader_honours_the_size_limit(tmp_path: Path) -> None:
    """Terraform (.tf, .tf.json, .tfvars), plans, CloudFormation, nested stacks and cdk.out."""
    padding = "#" * 5000
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf/main.tf").write_text(f'resource "aws_instance" "x" {{\n  ami = "a"\n}}\n{padding}\n')
    (tmp_path / "tf/other.tf.json").write_text(json.dumps({"resource": {"aws_vpc": {"v": {"cidr_block": padding}}}}))
    (tmp_path / "tf/terraform.tfvars").write_text(f"{padding}\n")
    (tmp_path / "plan").mkdir()
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.11.0",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_instance.x",
                        "mode": "managed",
                        "type": "aws_instance",
                        "name": "x",
                        "values": {"ami": padding},
                    }
                ]
            }
        },
    }
    (tmp_path / "plan/plan.json").write_text(json.dumps(plan))
    (tmp_path / "cfn").mkdir()
    (tmp_path / "cfn/parent.yaml").write_text(
        TEMPLATE_HEAD + "  Child:\n    Type: AWS::CloudFormation::Stack\n"
        "    Properties:\n      TemplateURL: ./nested/child.yaml\n"
    )
    (tmp_path / "cfn/nested").mkdir()
    (tmp_path / "cfn/nested/child.yaml").write_text(TEMPLATE_HEAD + f"  V:\n    Type: AWS::EC2::VPC\n#{padding}\n")
    (tmp_path / "cfn/big.yaml").write_text(TEMPLATE_HEAD + f"  V:\n    Type: AWS::EC2::VPC\n#{padding}\n")
    (tmp_path / "app/cdk.out").mkdir(parents=True)
    (tmp_path / "app/cdk.out/manifest.json").write_text(
        json.dumps(
            {
                "version": "36.0.0",
                "artifacts": {
                    "S": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "S.template.json"}}
                },
            }
        )
    )
    (tmp_path / "app/cdk.out/S.template.json").write_text(
        json.dumps({"Resources": {"V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": padding}}}})
    )
    result = scan_tree(tmp_path, max_file_bytes=1000)
    assert caught_bugs(result) == []
    refused = {e.file for e in result.all_errors if "1000" in e.message}
    assert refused >= {
        "tf/main.tf",
        "tf/other.tf.json",
        "tf/terraform.tfvars",
        "plan/plan.json",
        "cfn/nested/child.yaml",
        "cfn/big.yaml",
        "app/cdk.out/S.template.json",
    }, refused


def test_cli_max_file_size_option_reports_the_refused_file(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(TEMPLATE_HEAD + "  V:\n    Type: AWS::EC2::VPC\n" + "#" * 3000 + "\n")
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        done = runner.invoke(app, ["scan", ".", "--format", "json", "--max-file-size", "1000"])
    finally:
        os.chdir(cwd)
    report = json.loads(done.stdout)
    assert any("t.yaml" in json.dumps(e) and "1000" in json.dumps(e) for e in report["errors"]), report["errors"]


# --- binary files, wrong encodings ------------------------------------------------------------


def test_binary_and_wrongly_encoded_files_are_named_and_the_rest_loads() -> None:
    result = scan_tree(HOSTILE / "binary-and-wrong-encodings")
    assert caught_bugs(result) == []
    by_file = {e.file: e.message for e in result.all_errors}
    assert "binary" in by_file["binary.tf"]
    assert "UTF-8" in by_file["latin1.tf"]
    assert "UTF-16" in by_file["utf16-template.yaml"]
    assert "UTF-8" in by_file["binary-template.yaml"]
    assert "aws_instance.readable" in {r.address for c in result.configurations for r in c.resources}


def test_garbage_bytes_under_template_names_do_not_crash(tmp_path: Path) -> None:
    for index, name in enumerate(("a.tf", "b.tf.json", "c.yaml", "d.json", "e.template", "terraform.tfvars")):
        (tmp_path / name).write_bytes(os.urandom(4096) + bytes([index]))
    (tmp_path / "f.yaml").write_bytes(b"AWSTemplateFormatVersion: x\n" + os.urandom(2048))
    result = scan_tree(tmp_path)
    assert caught_bugs(result) == []


# --- cycles --------------------------------------------------------------------------------------


def test_circular_module_calls_are_loaded_once_and_reported() -> None:
    result = scan_tree(HOSTILE / "circular-module-calls")
    assert caught_bugs(result) == []
    assert [c.name for c in result.configurations] == ["."], "the cycle still has a root"
    addresses = {r.address for r in result.configurations[0].resources}
    assert {"aws_instance.root", "module.a.aws_instance.child"} <= addresses
    assert "circular" in messages(result) or "cycle" in messages(result)


def test_circular_locals_and_self_references_are_reported_not_looped() -> None:
    run = scan_bounded(HOSTILE / "circular-locals-and-self-references", seconds=30, memory_mb=1024)
    assert run.finished and run.crash == "" and run.caught == ()
    cycles = [e for e in run.errors if "cycle" in e]
    assert any("a -> b" in e or "b -> a" in e for e in cycles) and any("me" in e for e in cycles), run.errors
    assert run.resources == 1


def test_circular_conditions_and_nested_stacks_end() -> None:
    for name in ("circular-conditions", "circular-nested-stacks"):
        result = scan_tree(HOSTILE / name)
        assert caught_bugs(result) == []
        assert any(r.address.startswith("Web") for c in result.configurations for r in c.resources)
    nested = scan_tree(HOSTILE / "circular-nested-stacks")
    assert "nests itself" in messages(nested)
    conditions = scan_tree(HOSTILE / "circular-conditions")
    web = next(r for c in conditions.configurations for r in c.resources if r.address == "Web")
    assert any("itself" in a for a in web.assumptions), "the unknowable condition is stated, not guessed"


# --- count / for_each of a million ----------------------------------------------------------------


def test_count_and_for_each_of_a_million_are_bounded_and_said() -> None:
    root = HOSTILE / "count-and-for-each-of-a-million"
    started = time.monotonic()
    configurations, _, _ = load_configurations([root], ScanOptions(root=root))
    assert time.monotonic() - started < 60
    (configuration,) = configurations
    assert any("count of 1000000 is more than --max-instances" in n for n in configuration.notices)
    assert len(configuration.resources) <= 25_000
    (counted,) = [r for r in configuration.resources if r.address.startswith("aws_instance.counted")]
    assert counted.address == "aws_instance.counted[*]"
    assert counted.assumptions, "what was not expanded is said on the resource"


def test_full_scan_of_a_million_count_is_bounded() -> None:
    run = scan_bounded(HOSTILE / "count-and-for-each-of-a-million", seconds=20, memory_mb=1536)
    assert run.finished and run.crash == "" and run.caught == ()


@pytest.mark.parametrize("fixture, line", [("hcl-locals-bomb", 8), ("hcl-string-bomb", 8), ("huge-format-width", 3)])
def test_terraform_value_bombs_are_bounded(fixture: str, line: int) -> None:
    """The first value past the limit is named (file and line); what is built from it is Unknown."""
    run = scan_bounded(HOSTILE / fixture, seconds=15, memory_mb=768)
    assert run.finished and run.crash == "" and run.caught == ()
    assert run.peak_mb < 600
    assert [e for e in run.errors if "limit" in e] == [e for e in run.errors if e.startswith(f"main.tf:{line}:")]
    assert any(e.startswith(f"main.tf:{line}:") for e in run.errors), run.errors
    assert run.resources == 1


# --- symlinks ------------------------------------------------------------------------------------


def test_symlink_loops_are_cut_and_named(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_instance" "x" {\n  ami = "a"\n}\n')
    os.symlink(".", tmp_path / "self")
    os.symlink("loop-b", tmp_path / "loop-a")
    os.symlink("loop-a", tmp_path / "loop-b")
    os.symlink("again.tf", tmp_path / "again.tf")
    os.symlink("gone.yaml", tmp_path / "dangling.yaml")
    (tmp_path / "sub").mkdir()
    os.symlink("..", tmp_path / "sub" / "parent")
    result = scan_tree(tmp_path)
    assert caught_bugs(result) == []
    said = messages(result)
    assert "loop-a" in said and "again.tf" in said
    assert [r.address for c in result.configurations for r in c.resources] == ["aws_instance.x"]


def test_symlinks_out_of_the_tree_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.tf").write_text('resource "aws_instance" "leaked" {\n  ami = "a"\n}\n')
    (outside / "secret.yaml").write_text(TEMPLATE_HEAD + "  Leaked:\n    Type: AWS::EC2::Instance\n")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "main.tf").write_text('resource "aws_instance" "x" {\n  ami = "a"\n}\n')
    os.symlink(outside, root / "linked-folder")
    os.symlink(outside / "secret.tf", root / "linked.tf")
    os.symlink(outside / "secret.yaml", root / "linked.yaml")
    os.symlink("/etc/passwd", root / "passwd.tf")
    result = scan_tree(root)
    assert caught_bugs(result) == []
    addresses = {r.address for c in result.configurations for r in c.resources}
    assert addresses == {"aws_instance.x"}
    said = messages(result)
    assert "linked-folder" in said and "linked.yaml" in said
    assert "linked.tf: links outside" in said and "passwd.tf: links outside" in said
    assert PASSWD_LINE not in repr(result)
    assert str(outside) not in said and "/etc/passwd" not in said, "reports name the link, never its target"


def test_symlink_loop_given_on_the_command_line(tmp_path: Path) -> None:
    os.symlink("b", tmp_path / "a")
    os.symlink("a", tmp_path / "b")
    configurations, errors, _ = load_configurations([tmp_path / "a"], ScanOptions(root=tmp_path))
    assert configurations == [] and errors and "a" in str(errors[0])


# --- escapes from the scanned tree ---------------------------------------------------------------


def test_module_sources_outside_the_tree_are_refused_and_reported() -> None:
    result = scan_tree(HOSTILE / "module-source-escapes-root")
    assert caught_bugs(result) == []
    said = messages(result)
    for module in ("module.up", "module.absolute", "module.sneaky"):
        assert module in said
    assert "outside the scanned folder" in said
    # nothing of those modules is read: each call only stands for what it may create, not analysed
    read = [r for c in result.configurations for r in c.resources if r.address.startswith("module.")]
    assert sorted((r.address, r.kind) for r in read) == [
        ("module.absolute", "module"),
        ("module.sneaky", "module"),
        ("module.up", "module"),
    ]


def test_file_functions_outside_the_tree_are_refused_and_reported() -> None:
    result = scan_tree(HOSTILE / "file-function-escapes-root")
    assert caught_bugs(result) == []
    refused = [e for e in result.all_errors if "refused" in e.message or "outside" in e.message]
    assert {e.line for e in refused} >= {3, 5}, refused
    assert PASSWD_LINE not in repr(result.configurations)
    assert Path("/etc/hostname").read_text().strip() not in repr(result.configurations)


def test_nested_stack_locations_outside_the_tree_are_refused() -> None:
    result = scan_tree(HOSTILE / "nested-stack-outside-root")
    assert caught_bugs(result) == []
    assert {e.line for e in result.all_errors if "outside the scanned root" in e.message} == {3, 7}
    assert {r.address for c in result.configurations for r in c.resources} == {"Web"}


def test_var_file_outside_the_tree_is_not_read(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "main.tf").write_text('variable "v" {}\nresource "aws_instance" "x" {\n  ami = var.v\n}\n')
    os.symlink("/etc/passwd", root / "terraform.tfvars")
    result = scan_tree(root)
    assert caught_bugs(result) == []
    assert PASSWD_LINE not in repr(result.configurations)


# --- CloudFormation intrinsics ---------------------------------------------------------------------


def test_thousands_of_nested_fn_if_end_with_a_clear_error(tmp_path: Path) -> None:
    value = '{"Fn::If": ["C", ' * 3000 + '"ami-1"' + ', "ami-2"]}' * 3000  # too deep for json.dumps itself
    (tmp_path / "t.json").write_text(
        '{"AWSTemplateFormatVersion": "2010-09-09", "Conditions": {"C": {"Fn::Equals": '
        '["a", "a"]}}, "Resources": {"X": {"Type": "AWS::EC2::Instance", "Properties": '
        '{"ImageId": ' + value + "}}}}"
    )
    (tmp_path / "t.yaml").write_text(
        TEMPLATE_HEAD + "  X:\n    Type: AWS::EC2::Instance\n    Properties:\n"
        "      ImageId: " + "!If [C, " * 3000 + "ami-1" + ", ami-2]" * 3000 + "\n"
    )
    assert_bounded_and_clear(tmp_path, "nesting", seconds=60)


def test_nested_fn_if_within_the_depth_limit_evaluates(tmp_path: Path) -> None:
    value: object = "ami-deep"
    for _ in range(60):
        value = {"Fn::If": ["C", value, "ami-wrong"]}
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Conditions": {"C": {"Fn::Equals": ["a", "a"]}},
        "Resources": {"X": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": value}}},
    }
    (tmp_path / "t.json").write_text(json.dumps(template))
    result = scan_tree(tmp_path)
    assert caught_bugs(result) == []
    instance = result.configurations[0].resources[0]
    assert getattr(instance, "image", None) == "ami-deep"


def test_a_long_chain_of_conditions_ends(tmp_path: Path) -> None:
    conditions: dict[str, object] = {"C0": {"Fn::Equals": ["a", "a"]}}
    for index in range(1, 3000):
        conditions[f"C{index}"] = {"Fn::Not": [{"Condition": f"C{index - 1}"}]}
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Conditions": conditions,
        "Resources": {"X": {"Type": "AWS::EC2::Instance", "Condition": "C2999", "Properties": {"ImageId": "ami-1"}}},
    }
    (tmp_path / "t.json").write_text(json.dumps(template))
    run = scan_bounded(tmp_path, seconds=45, memory_mb=1024)
    assert run.finished and run.crash == "" and run.caught == ()


def test_thousands_of_parallel_fn_if_load_in_bounded_time(tmp_path: Path) -> None:
    resources: dict[str, object] = {
        f"I{i}": {
            "Type": "AWS::EC2::Instance",
            "Properties": {"ImageId": {"Fn::If": ["C", "ami-1", {"Fn::If": ["C", "ami-2", "ami-3"]}]}},
        }
        for i in range(1500)
    }
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Conditions": {"C": {"Fn::Equals": ["a", "a"]}},
        "Resources": resources,
    }
    (tmp_path / "t.json").write_text(json.dumps(template))
    run = scan_bounded(tmp_path, seconds=90, memory_mb=1024)
    assert run.finished and run.crash == "" and run.caught == ()
    assert run.resources == 1500
