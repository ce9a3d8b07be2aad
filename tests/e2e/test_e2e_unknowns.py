"""Every kind of unknown, end to end: the verdict (holds / possible / absent), the unknowns
named with their lines, the severity from what holds and the possible severity; then the
same fixture with the unknown filled in (--var, --parameter) gives the certain verdict."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from scanner.findings import Exposure, Severity
from scanner.options import ScanOptions
from scanner.rules.internet_reachable import ID as REACHABLE
from scanner.rules.public_ip import ID as PUBLIC_IP
from scanner.rules.remote_access import ID as REMOTE_ACCESS
from scanner.scan import scan
from tests.support.paths import FIXTURES, REPO

UNKNOWNS = FIXTURES / "unknowns"
L, H = Severity.LOW, Severity.HIGH


def exposure(
    folder: str, workload: str, variables: Mapping[str, str] | None = None, parameters: Mapping[str, str] | None = None
) -> Exposure | None:
    options = ScanOptions(root=REPO, variables=dict(variables or {}), parameters=dict(parameters or {}))
    result = scan([UNKNOWNS / folder], options)
    found = [e for e in result.exposures if e.workload == workload]
    return found[0] if found else None


def verdicts(found: Exposure | None) -> dict[str, str]:
    return {t.rule_id: ("possible" if t.possible else "holds") for t in found.traits} if found else {}


def named(found: Exposure, rule_id: str) -> set[tuple[str, str, str, int]]:
    trait = next(t for t in found.traits if t.rule_id == rule_id)
    return {(o.kind, o.name, o.span.file.rsplit("/", 1)[-1], o.span.line) for o in trait.unknowns if o.span}


@pytest.mark.parametrize(
    ("folder", "workload", "rule_id", "unknowns", "severity", "possible_severity"),
    [
        (
            "variable-without-value",
            "aws_instance.web",
            REMOTE_ACCESS,
            {("variable", "var.ssh_cidr", "main.tf", 4)},
            L,
            H,
        ),
        (
            "data-source-subnet",
            "aws_instance.web",
            REACHABLE,
            {("data_source", "data.aws_subnet.app", "main.tf", 4)},
            L,
            H,
        ),
        (
            "remote-state-output",
            "aws_instance.web",
            REACHABLE,
            {("remote_state", "data.terraform_remote_state.network", "main.tf", 4)},
            L,
            H,
        ),
        (
            "module-not-downloaded",
            "aws_instance.web",
            REACHABLE,
            {("module", "module.vpc (terraform-aws-modules/vpc/aws)", "main.tf", 4)},
            L,
            H,
        ),
        (
            "unknown-count-eip",
            "aws_instance.web",
            PUBLIC_IP,
            {("count", "count of aws_eip.web", "main.tf", 55), ("variable", "var.create_eip", "variables.tf", 3)},
            L,
            H,
        ),
        (
            "condition-unknown-ssh-rule/template.yaml",
            "Web",
            REMOTE_ACCESS,
            {("condition", "AllowSsh", "template.yaml", 10), ("parameter", "SshAccess", "template.yaml", 6)},
            L,
            H,
        ),
        (
            "condition-unknown-eip/template.yaml",
            "Web",
            PUBLIC_IP,
            {("condition", "CreateEip", "template.yaml", 10), ("parameter", "PublicAddress", "template.yaml", 6)},
            L,
            None,  # a public address alone does not raise a low exposure
        ),
        (
            "subnet-parameter-empty-default/template.yaml",
            "AppGroupOfInstances",
            PUBLIC_IP,
            {("parameter", "AppSubnets", "template.yaml", 7)},
            L,
            None,
        ),
    ],
)
def test_each_unknown_kind_makes_a_possible_trait_naming_it(
    folder: str,
    workload: str,
    rule_id: str,
    unknowns: set[tuple[str, str, str, int]],
    severity: Severity,
    possible_severity: Severity | None,
) -> None:
    found = exposure(folder, workload)
    assert found is not None
    assert verdicts(found)[rule_id] == "possible"
    assert named(found, rule_id) == unknowns
    assert (found.severity, found.possible_severity) == (severity, possible_severity)


@pytest.mark.parametrize(
    ("folder", "workload", "filled", "expected", "severity"),
    [
        ("variable-without-value", "aws_instance.web", {"variables": {"ssh_cidr": "0.0.0.0/0"}}, "holds", H),
        ("variable-without-value", "aws_instance.web", {"variables": {"ssh_cidr": "10.1.0.0/16"}}, "absent", L),
        ("unknown-count-eip", "aws_instance.web", {"variables": {"create_eip": "true"}}, "holds", H),
        ("unknown-count-eip", "aws_instance.web", {"variables": {"create_eip": "false"}}, "absent", L),
        ("condition-unknown-ssh-rule/template.yaml", "Web", {"parameters": {"SshAccess": "open"}}, "holds", H),
        ("condition-unknown-ssh-rule/template.yaml", "Web", {"parameters": {"SshAccess": "closed"}}, "absent", L),
        ("condition-unknown-eip/template.yaml", "Web", {"parameters": {"PublicAddress": "yes"}}, "holds", L),
        ("condition-unknown-eip/template.yaml", "Web", {"parameters": {"PublicAddress": "no"}}, "absent", L),
    ],
)
def test_filling_in_the_unknown_gives_the_certain_verdict(
    folder: str, workload: str, filled: dict[str, dict[str, str]], expected: str, severity: Severity
) -> None:
    found = exposure(folder, workload, filled.get("variables"), filled.get("parameters"))
    assert found is not None
    rule_id = {"variable-without-value": REMOTE_ACCESS, "unknown-count-eip": PUBLIC_IP}.get(
        folder, REMOTE_ACCESS if "ssh" in folder else PUBLIC_IP
    )
    assert verdicts(found).get(rule_id, "absent") == expected
    assert not any(t.possible for t in found.traits)  # nothing left open
    assert (found.severity, found.possible_severity) == (severity, None)
