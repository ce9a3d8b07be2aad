"""ec2-privilege-escalation over ``fixtures/iam/escalation-*`` (both formats).

Each firing case: the catalogue ids of the chain's hops (pathfinding.cloud's), the role each
hop goes from and to, the line of the statement that allows the chain's first action (the
trait's location), the lines of every hop's statement and of the administrator's grant (the
path's steps), and whether it is possible. Each near miss: no escalation trait.
"""

from __future__ import annotations

import json
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from tests.support.paths import REPO

IAM = REPO / "fixtures" / "iam"
RULE = "ec2-privilege-escalation"


@cache
def _report(target: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.json"
        result = CliRunner().invoke(
            app, ["scan", str(target), "--format", "json", "-o", str(out), "--no-cache", "--fail-on", "none"]
        )
        assert result.exit_code == 0, result.output
        report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def _traits(fixture: str, file: str, workload: str, rule: str = RULE) -> list[dict[str, Any]]:
    report = _report(IAM / fixture / file)
    return [
        trait
        for exposure in report["exposures"]
        if exposure["workload"] == workload
        for trait in exposure["traits"]
        if trait["rule_id"] == rule
    ]


Hop = tuple[str, str, str]

FIRING: list[tuple[str, str, str, tuple[Hop, ...], int, tuple[int, ...], bool]] = [
    (
        "escalation-modify-another-role",
        "main.tf",
        "aws_instance.attacher",
        (("iam-019", "aws_iam_role.attacher", "aws_iam_role.batch"),),
        72,
        (72,),
        False,
    ),
    (
        "escalation-modify-another-role",
        "main.tf",
        "aws_instance.putter",
        (("iam-017", "aws_iam_role.putter", "aws_iam_role.helper"),),
        30,
        (30,),
        False,
    ),
    (
        "escalation-modify-another-role",
        "template.yaml",
        "AttacherInstance",
        (("iam-019", "AttacherRole", "BatchRole"),),
        85,
        (85,),
        False,
    ),
    (
        "escalation-modify-another-role",
        "template.yaml",
        "PutterInstance",
        (("iam-017", "PutterRole", "HelperRole"),),
        40,
        (40,),
        False,
    ),
    (
        "escalation-assume-admin-role",
        "main.tf",
        "aws_instance.operator",
        (("sts-001", "aws_iam_role.operator", "aws_iam_role.break_glass"),),
        22,
        (22, 47),
        False,
    ),
    (
        "escalation-assume-admin-role",
        "main.tf",
        "aws_instance.rooted",
        (("sts-001", "aws_iam_role.rooted", "aws_iam_role.account_admin"),),
        65,
        (65, 90),
        True,
    ),
    (
        "escalation-assume-admin-role",
        "template.yaml",
        "OperatorInstance",
        (("sts-001", "OperatorRole", "BreakGlassRole"),),
        29,
        (29, 55),
        False,
    ),
    (
        "escalation-assume-admin-role",
        "template.yaml",
        "RootedInstance",
        (("sts-001", "RootedRole", "AccountAdminRole"),),
        76,
        (76, 102),
        True,
    ),
    (
        "escalation-multi-hop-chains",
        "main.tf",
        "aws_instance.start_three",
        (
            ("sts-001", "aws_iam_role.start_three", "aws_iam_role.first_three"),
            ("sts-001", "aws_iam_role.first_three", "aws_iam_role.second_three"),
            ("iam-012", "aws_iam_role.second_three", "aws_iam_role.admin_target"),
        ),
        85,
        (85, 118, 137, 13),
        False,
    ),
    (
        "escalation-multi-hop-chains",
        "main.tf",
        "aws_instance.start_two",
        (
            ("sts-001", "aws_iam_role.start_two", "aws_iam_role.middle_two"),
            ("ec2-001", "aws_iam_role.middle_two", "aws_iam_role.admin_target"),
        ),
        31,
        (31, 64, 13),
        False,
    ),
    (
        "escalation-multi-hop-chains",
        "template.yaml",
        "StartThreeInstance",
        (
            ("sts-001", "StartThreeRole", "FirstThreeRole"),
            ("sts-001", "FirstThreeRole", "SecondThreeRole"),
            ("iam-012", "SecondThreeRole", "AdminTargetRole"),
        ),
        101,
        (101, 134, 156, 21),
        False,
    ),
    (
        "escalation-multi-hop-chains",
        "template.yaml",
        "StartTwoInstance",
        (("sts-001", "StartTwoRole", "MiddleTwoRole"), ("ec2-001", "MiddleTwoRole", "AdminTargetRole")),
        42,
        (42, 75, 21),
        False,
    ),
    (
        "escalation-passrole-to-new-compute",
        "main.tf",
        "aws_instance.deployer",
        (("lambda-001", "aws_iam_role.deployer", "aws_iam_role.admin_lambda"),),
        93,
        (93, 23),
        False,
    ),
    (
        "escalation-passrole-to-new-compute",
        "main.tf",
        "aws_instance.launcher",
        (("ec2-001", "aws_iam_role.launcher", "aws_iam_role.admin_ec2"),),
        58,
        (58, 14),
        False,
    ),
    (
        "escalation-passrole-to-new-compute",
        "main.tf",
        "aws_instance.stacker",
        (("cloudformation-001", "aws_iam_role.stacker", "aws_iam_role.admin_cfn"),),
        128,
        (128, 32),
        False,
    ),
    (
        "escalation-passrole-to-new-compute",
        "template.yaml",
        "DeployerInstance",
        (("lambda-001", "DeployerRole", "AdminLambdaRole"),),
        117,
        (117, 35),
        False,
    ),
    (
        "escalation-passrole-to-new-compute",
        "template.yaml",
        "LauncherInstance",
        (("ec2-001", "LauncherRole", "AdminEc2Role"),),
        80,
        (80, 22),
        False,
    ),
    (
        "escalation-passrole-to-new-compute",
        "template.yaml",
        "StackerInstance",
        (("cloudformation-001", "StackerRole", "AdminCfnRole"),),
        154,
        (154, 48),
        False,
    ),
    (
        "escalation-self-policy-change",
        "main.tf",
        "aws_instance.attach_self",
        (("iam-009", "aws_iam_role.attach_self", "aws_iam_role.attach_self"),),
        76,
        (76,),
        False,
    ),
    (
        "escalation-self-policy-change",
        "main.tf",
        "aws_instance.put_self",
        (("iam-005", "aws_iam_role.put_self", "aws_iam_role.put_self"),),
        42,
        (42,),
        False,
    ),
    (
        "escalation-self-policy-change",
        "main.tf",
        "aws_instance.version_self",
        (("iam-001", "aws_iam_role.version_self", "aws_iam_role.version_self"),),
        115,
        (115,),
        False,
    ),
    (
        "escalation-self-policy-change",
        "template.yaml",
        "AttachSelfInstance",
        (("iam-009", "AttachSelfRole", "AttachSelfRole"),),
        73,
        (73,),
        False,
    ),
    (
        "escalation-self-policy-change",
        "template.yaml",
        "PutSelfInstance",
        (("iam-005", "PutSelfRole", "PutSelfRole"),),
        39,
        (39,),
        False,
    ),
    (
        "escalation-self-policy-change",
        "template.yaml",
        "VersionSelfInstance",
        (("iam-001", "VersionSelfRole", "VersionSelfRole"),),
        107,
        (107,),
        False,
    ),
    (
        "escalation-update-assume-role-policy",
        "main.tf",
        "aws_instance.rewriter",
        (("iam-012", "aws_iam_role.rewriter", "aws_iam_role.locked_admin"),),
        39,
        (39, 13),
        False,
    ),
    (
        "escalation-update-assume-role-policy",
        "template.yaml",
        "RewriterInstance",
        (("iam-012", "RewriterRole", "LockedAdminRole"),),
        53,
        (53, 21),
        False,
    ),
    (
        "escalation-update-existing-compute",
        "main.tf",
        "aws_instance.updater",
        (("lambda-003", "aws_iam_role.updater", "aws_iam_role.admin_fn"),),
        31,
        (31, 13),
        True,
    ),
    (
        "escalation-update-existing-compute",
        "template.yaml",
        "UpdaterInstance",
        (("lambda-003", "UpdaterRole", "AdminFnRole"),),
        42,
        (42, 21),
        True,
    ),
]


@pytest.mark.parametrize(("fixture", "file", "workload", "hops", "line", "statement_lines", "possible"), FIRING)
def test_escalation_names_each_hop_at_its_line(
    fixture: str,
    file: str,
    workload: str,
    hops: tuple[Hop, ...],
    line: int,
    statement_lines: tuple[int, ...],
    possible: bool,
) -> None:
    traits = _traits(fixture, file, workload)
    assert len(traits) == 1, [t["message"] for t in traits]
    trait = traits[0]
    found = tuple((h["path"], h["from"], h["to"]) for h in trait["properties"]["hops"])
    assert found == hops
    assert trait["properties"]["paths"] == [h[0] for h in hops]
    assert trait["location"]["line"] == line
    assert trait["location"]["file"].endswith(f"{fixture}/{file}")
    steps = tuple(s["location"]["line"] for s in trait["path"][3:] if s["kind"] == "policy_statement")
    assert steps == statement_lines
    assert bool(trait["assumptions"]) is possible
    for path_id, _, target in hops:
        assert path_id in trait["message"] and target in trait["message"]
    # the workload's role is not admin already: no ec2-admin-role beside the escalation
    assert _traits(fixture, file, workload, "ec2-admin-role") == []


QUIET = [
    ("escalation-passrole-to-new-compute", ("wrong_service", "lambda_only", "passes_worker", "named_function")),
    ("escalation-self-policy-change", ("put_other", "attach_denied", "put_bounded")),
    ("escalation-update-existing-compute", ("one_function",)),
    ("escalation-assume-admin-role", ("hopeful", "assume_denied")),
    ("escalation-update-assume-role-policy", ("rewrite_denied", "rewrite_plain")),
    ("escalation-multi-hop-chains", ("loop_a",)),
    ("escalation-modify-another-role", ("put_closed",)),
]


def _workload(name: str, file: str) -> str:
    if file == "main.tf":
        return f"aws_instance.{name}"
    return "".join(part.capitalize() for part in name.split("_")) + "Instance"


@pytest.mark.parametrize("file", ["main.tf", "template.yaml"])
@pytest.mark.parametrize(("fixture", "names"), QUIET)
def test_near_misses_have_no_escalation(fixture: str, names: tuple[str, ...], file: str) -> None:
    report = _report(IAM / fixture / file)
    workloads = {e["workload"] for e in report["exposures"]}
    for name in names:
        workload = _workload(name, file)
        assert workload in workloads, workload  # scanned (it has other traits), yet no escalation
        assert _traits(fixture, file, workload) == [], workload


def test_a_possible_escalation_names_why() -> None:
    (rooted,) = _traits("escalation-assume-admin-role", "main.tf", "aws_instance.rooted")
    assert any("admits the account 123456789012" in a for a in rooted["assumptions"])
    (updater,) = _traits("escalation-update-existing-compute", "template.yaml", "UpdaterInstance")
    assert any("which Lambda function runs with which role is not read" in a for a in updater["assumptions"])


def test_escalation_counts_as_an_admin_role_in_the_severity() -> None:
    from scanner.exposure import severity_of
    from scanner.findings import Severity

    assert severity_of([RULE, "ec2-imdsv1"]) == severity_of(["ec2-admin-role", "ec2-imdsv1"]) == Severity.MEDIUM
    assert severity_of([RULE, "ec2-internet-reachable", "ec2-remote-access"]) == Severity.CRITICAL


def test_sarif_code_flow_shows_each_hop_at_its_line() -> None:
    target = IAM / "escalation-multi-hop-chains" / "main.tf"
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.sarif"
        result = CliRunner().invoke(
            app, ["scan", str(target), "--format", "sarif", "-o", str(out), "--no-cache", "--fail-on", "none"]
        )
        assert result.exit_code == 0, result.output
        log = json.loads(out.read_text(encoding="utf-8"))
    results = [
        r
        for r in log["runs"][0]["results"]
        if r["ruleId"] == RULE and "start_two" in r["message"]["text"].split(" runs with")[0]
    ]
    assert len(results) == 1
    (flow,) = results[0]["codeFlows"]
    lines = [
        step["location"]["physicalLocation"]["region"]["startLine"] for step in flow["threadFlows"][0]["locations"]
    ]
    # instance, profile, role, its AssumeRole statement, the middle role, its PassRole
    # statement, the admin role, its AdministratorAccess line
    assert lines == [41, 36, 17, 31, 50, 64, 7, 13]


TRUST_ALONE = "escalation-assume-through-trust-alone"


@pytest.mark.parametrize(
    ("file", "workload", "actor", "target", "line", "near_miss"),
    [
        ("main.tf", "aws_instance.app", "aws_iam_role.app", "aws_iam_role.deploy", 33, "aws_instance.locked"),
        ("template.yaml", "App", "AppRole", "DeployRole", 37, "Locked"),
    ],
)
def test_a_trust_policy_naming_the_role_is_enough_to_assume_within_one_account(
    file: str, workload: str, actor: str, target: str, line: int, near_miss: str
) -> None:
    """The role's own policies grant no sts:AssumeRole; the administrator's trust policy names
    it, which within one account allows the request. The trait points at that trust statement
    (the line to change); a Deny in the role's own policy still refuses it."""
    [trait] = _traits(TRUST_ALONE, file, workload)
    assert trait["verdict"] == "holds"
    assert f"{actor} assumes {target} (sts-001: sts:AssumeRole)" in trait["message"]
    assert (trait["location"]["address"], trait["location"]["line"]) == (target, line)
    assert _traits(TRUST_ALONE, file, near_miss) == []
