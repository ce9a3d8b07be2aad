"""The admin traits over the role's effective permissions (``fixtures/iam/``, both formats).

AWS managed policies are judged from their bundled documents (a policy with no hand-written
entry; an ARN not in the bundle is a possible admin, named); a permissions boundary caps what
the role's policies grant (``AdministratorAccess`` under an S3-only boundary is service admin
of S3); an explicit Deny of ``iam:*`` takes admin away; statements in two policies that only
together hold every IAM action are IAM admin. Each case: the trait, its text, the line it
points at and the lines around it; and the near misses that give no trait (or a possible one).
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
ADMIN = "ec2-admin-role"
SERVICE_ADMIN = "ec2-service-admin-role"


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


def _admin_traits(fixture: str, file: str, workload: str) -> list[dict[str, Any]]:
    report = _report(IAM / fixture / file)
    return [
        trait
        for exposure in report["exposures"]
        if exposure["workload"] == workload
        for trait in exposure["traits"]
        if trait["rule_id"] in (ADMIN, SERVICE_ADMIN)
    ]


def _only(fixture: str, file: str, workload: str) -> dict[str, Any]:
    traits = _admin_traits(fixture, file, workload)
    assert len(traits) == 1, [t["message"] for t in traits]
    return traits[0]


def _related(trait: dict[str, Any]) -> dict[int, str]:
    return {r["line"]: r["message"] for r in trait["related"]}


# --- a permissions boundary caps what the role's policies grant ------------------------------

BOUNDARY = "admin-under-s3-only-boundary-is-service-admin-s3"


@pytest.mark.parametrize(
    ("file", "workload", "line", "boundary_line", "boundary", "services"),
    [
        ("main.tf", "aws_instance.bounded", 34, 29, "aws_iam_policy.s3_only", "s3"),
        ("main.tf", "aws_instance.managed_boundary", 53, 52, "AmazonS3FullAccess", "s3, s3-object-lambda"),
        ("template.yaml", "BoundedInstance", 33, 31, "S3OnlyBoundary", "s3"),
        ("template.yaml", "ManagedBoundaryInstance", 56, 54, "AmazonS3FullAccess", "s3, s3-object-lambda"),
    ],
)
def test_administrator_access_under_an_s3_only_boundary_is_service_admin_of_s3(
    file: str, workload: str, line: int, boundary_line: int, boundary: str, services: str
) -> None:
    trait = _only(BOUNDARY, file, workload)  # no ec2-admin-role
    assert trait["rule_id"] == SERVICE_ADMIN
    assert trait["location"]["line"] == line  # the AdministratorAccess attachment
    assert trait["message"].endswith(
        f"which has service-wide administrative access: the AWS managed policy AdministratorAccess allows "
        f"every action of {services} on every resource within the permissions boundary {boundary}"
    )
    assert _related(trait)[boundary_line] == f"permissions boundary {boundary}"
    assert trait["properties"]["services"] == services.split(", ")
    assert trait["verdict"] == "holds"


@pytest.mark.parametrize(
    ("file", "workload", "line"),
    [("main.tf", "aws_instance.wide_boundary", 84), ("template.yaml", "WideBoundaryInstance", 88)],
)
def test_a_boundary_that_allows_everything_leaves_admin(file: str, workload: str, line: int) -> None:
    trait = _only(BOUNDARY, file, workload)
    assert trait["rule_id"] == ADMIN
    assert trait["location"]["line"] == line
    assert "allows every action on every resource within the permissions boundary" in trait["message"]
    assert trait["verdict"] == "holds"


@pytest.mark.parametrize(
    ("file", "workload", "line", "boundary_line", "origin"),
    [
        ("main.tf", "aws_instance.unknown_boundary", 107, 102, "var.boundary_arn"),
        ("template.yaml", "UnknownBoundaryInstance", 111, 109, "BoundaryArn"),
    ],
)
def test_a_boundary_not_known_offline_leaves_admin_possible(
    file: str, workload: str, line: int, boundary_line: int, origin: str
) -> None:
    trait = _only(BOUNDARY, file, workload)
    assert trait["rule_id"] == ADMIN
    assert trait["location"]["line"] == line
    assert trait["verdict"] == "possible"
    (assumption,) = trait["assumptions"]
    assert assumption.startswith("the permissions boundary is not known offline (")
    assert assumption.endswith("has no value); assumed it allows this")
    assert [u["name"] for u in trait["unknowns"]] == [origin]
    assert _related(trait)[boundary_line] == "permissions boundary (not known offline)"


# --- AWS managed policies from their bundled documents ----------------------------------------

BUNDLE = "managed-policy-from-bundle-admin"


@pytest.mark.parametrize(
    ("file", "workload", "line"), [("main.tf", "aws_instance.mcp", 23), ("template.yaml", "McpInstance", 21)]
)
def test_a_managed_policy_allowing_everything_under_a_condition_is_possible_admin(
    file: str, workload: str, line: int
) -> None:
    trait = _only(BUNDLE, file, workload)
    assert trait["rule_id"] == ADMIN
    assert trait["location"]["line"] == line
    assert trait["message"].endswith(
        "which has administrative access: the AWS managed policy AWSMcpServiceActionsFullAccess allows every "
        "action on every resource (assuming: granted under a condition (Bool aws:IsMcpServiceAction) not "
        "decided offline)"
    )
    assert trait["verdict"] == "possible"


@pytest.mark.parametrize(
    ("file", "workload", "line"), [("main.tf", "aws_instance.emr", 45), ("template.yaml", "EmrInstance", 43)]
)
def test_the_emr_instance_policy_is_service_admin_from_its_document(file: str, workload: str, line: int) -> None:
    trait = _only(BUNDLE, file, workload)
    assert trait["rule_id"] == SERVICE_ADMIN
    assert trait["location"]["line"] == line
    assert trait["message"].endswith(
        "the AWS managed policy service-role/AmazonElasticMapReduceforEC2Role allows every action of "
        "cloudwatch, dynamodb, s3, sdb, sns, sqs on every resource"
    )
    assert trait["verdict"] == "holds"


@pytest.mark.parametrize(("file", "workload"), [("main.tf", "aws_instance.quiet"), ("template.yaml", "QuietInstance")])
def test_read_only_and_ssm_core_policies_give_no_admin_trait(file: str, workload: str) -> None:
    assert _admin_traits(BUNDLE, file, workload) == []


# --- an AWS managed ARN that is not in the bundle ---------------------------------------------

UNLISTED = "unknown-managed-policy-arn-named"
NOT_BUNDLED = (
    "the AWS managed policy AmazonExampleServiceAgentPolicy is not in the bundled AWS managed policy documents "
    "(as of 2026-08-26), so what it allows is not known offline"
)


@pytest.mark.parametrize(
    ("file", "workload", "line"), [("main.tf", "aws_instance.unlisted", 21), ("template.yaml", "UnlistedInstance", 19)]
)
def test_an_arn_not_in_the_bundle_is_a_possible_admin_naming_it(file: str, workload: str, line: int) -> None:
    trait = _only(UNLISTED, file, workload)
    assert trait["rule_id"] == ADMIN
    assert trait["location"]["line"] == line
    assert trait["message"].endswith(
        f"which may have administrative access: {NOT_BUNDLED}; it may allow every action on every resource"
    )
    assert trait["verdict"] == "possible"
    assert trait["assumptions"] == [f"{NOT_BUNDLED}; it may allow anything"]


@pytest.mark.parametrize(
    ("file", "workload", "line"),
    [("main.tf", "aws_instance.unlisted_bounded", 44), ("template.yaml", "UnlistedBoundedInstance", 42)],
)
def test_an_arn_not_in_the_bundle_under_an_s3_boundary_may_be_s3_admin_only(
    file: str, workload: str, line: int
) -> None:
    trait = _only(UNLISTED, file, workload)
    assert trait["rule_id"] == SERVICE_ADMIN
    assert trait["location"]["line"] == line
    assert trait["message"].endswith(
        f"which may have service-wide administrative access: {NOT_BUNDLED}; it may allow every action of s3, "
        "s3-object-lambda on every resource within the permissions boundary AmazonS3FullAccess"
    )
    assert trait["verdict"] == "possible"


# --- statements that only together hold every IAM action --------------------------------------

TOGETHER = "statements-together-cover-iam-is-iam-admin"


@pytest.mark.parametrize(
    ("file", "workload", "line", "other_line", "policies"),
    [
        ("main.tf", "aws_instance.split", 30, 42, "aws_iam_role_policy.split_reads and aws_iam_policy.split_writes"),
        ("template.yaml", "SplitInstance", 34, 23, "SplitWrites and SplitRole.Policies[0]"),
    ],
)
def test_statements_of_two_policies_together_holding_every_iam_action_are_iam_admin(
    file: str, workload: str, line: int, other_line: int, policies: str
) -> None:
    trait = _only(TOGETHER, file, workload)
    assert trait["rule_id"] == ADMIN
    assert trait["location"]["line"] == line
    assert trait["message"].endswith(
        f"which has administrative access: statements of {policies} together allow every IAM action on every resource"
    )
    assert _related(trait)[other_line] == "allows the rest of it on every resource"
    assert trait["properties"]["grant"] == "iam-admin"
    assert trait["verdict"] == "holds"


@pytest.mark.parametrize(
    ("file", "workload"), [("main.tf", "aws_instance.almost"), ("template.yaml", "AlmostInstance")]
)
def test_without_the_untag_actions_the_two_are_not_iam_admin(file: str, workload: str) -> None:
    assert _admin_traits(TOGETHER, file, workload) == []


# --- an explicit Deny of iam:* -----------------------------------------------------------------

DENY = "deny-iam-star-not-admin"


@pytest.mark.parametrize(
    ("file", "workload", "line", "deny_line"),
    [("main.tf", "aws_instance.denied", 21, 29), ("template.yaml", "DeniedInstance", 19, 25)],
)
def test_deny_iam_star_takes_admin_away(file: str, workload: str, line: int, deny_line: int) -> None:
    trait = _only(DENY, file, workload)
    assert trait["rule_id"] == SERVICE_ADMIN
    assert trait["location"]["line"] == line
    assert _related(trait)[deny_line] == "denies part of it (explicit Deny on every resource)"
    assert trait["message"].endswith(
        "the AWS managed policy AdministratorAccess allows every action of every service except iam on every resource"
    )
    assert trait["properties"]["except_services"] == ["iam"]
    assert trait["verdict"] == "holds"


@pytest.mark.parametrize(
    ("file", "workload", "line", "deny"),
    [
        ("main.tf", "aws_instance.conditional", 56, "aws_iam_role_policy.conditional_guard line 64"),
        ("template.yaml", "ConditionalInstance", 49, "ConditionalGuard line 58"),
    ],
)
def test_a_deny_under_a_condition_leaves_admin_possible(file: str, workload: str, line: int, deny: str) -> None:
    trait = _only(DENY, file, workload)
    assert trait["rule_id"] == ADMIN
    assert trait["location"]["line"] == line
    assert trait["assumptions"] == [
        f"a Deny under a condition (StringNotEquals aws:SourceVpc, {deny}) may take part of it away"
    ]
    assert trait["verdict"] == "possible"


@pytest.mark.parametrize(
    ("file", "workload", "line"), [("main.tf", "aws_instance.narrow", 92), ("template.yaml", "NarrowInstance", 85)]
)
def test_a_deny_on_one_named_role_leaves_admin(file: str, workload: str, line: int) -> None:
    trait = _only(DENY, file, workload)
    assert trait["rule_id"] == ADMIN
    assert trait["location"]["line"] == line
    assert trait["verdict"] == "holds"
