"""Plans agree with HCL: every plan fixture (``terraform show -json`` output made by terraform
from the ``.tf`` files beside it, see fixtures/terraform_plan/README.md) is scanned as a plan
read with ``--source`` and as HCL, and both must give the same traits, severities and lines.

The expected severities of the fixtures that show the plan loader's old mistakes are written
out from AWS's behaviour (what each configuration really deploys), not from either format's
output. And ``--source`` is refused (exit 2) when it is not a folder of the plan's ``.tf``
files."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from scanner.findings import ScanResult
from scanner.graph import build_graph
from scanner.loaders.terraform import load_terraform_configuration
from scanner.loaders.terraform.plan import load_plan
from scanner.options import ScanOptions
from scanner.rules.imdsv1 import ID as IMDSV1
from scanner.rules.internet_reachable import ID as INTERNET_REACHABLE
from scanner.rules.public_ip import ID as PUBLIC_IP
from scanner.scan import scan
from tests.support.paths import FIXTURES, REPO

PLANS = FIXTURES / "terraform_plan"
SAME = FIXTURES / "inputs" / "same-infrastructure-three-formats"

# plan file -> the folder of the .tf files it was made from
PLAN_SOURCES = {
    **{folder / "plan.json": folder for folder in sorted(PLANS.iterdir()) if (folder / "plan.json").is_file()},
    SAME / "plan" / "plan.json": SAME / "terraform",
}

Traits = dict[str, tuple[str, frozenset[tuple[str, str, int]]]]  # workload -> (severity, {(rule, file, line)})


def summary(result: ScanResult) -> Traits:
    assert result.all_errors == [], result.all_errors
    return {
        exposure.workload: (
            exposure.severity.name,
            frozenset((t.rule_id, t.location.span.file, t.location.span.line) for t in exposure.traits),
        )
        for exposure in result.exposures
    }


@cache
def as_hcl(folder: Path) -> Traits:
    return summary(scan([folder], ScanOptions(root=REPO), ("*.json",)))  # the .tf files only


@cache
def as_plan(plan: Path, with_source: bool) -> Traits:
    return summary(scan([plan], ScanOptions(root=REPO, plan_source=PLAN_SOURCES[plan] if with_source else None)))


def severities(traits: Traits) -> dict[str, str]:
    return {workload: severity for workload, (severity, _) in traits.items()}


def rules(traits: Traits, workload: str) -> set[str]:
    return {rule for rule, _, _ in traits[workload][1]}


def test_every_plan_fixture_is_checked_against_its_hcl() -> None:
    found = {path for path in FIXTURES.rglob("plan.json")}
    assert found == set(PLAN_SOURCES)


@pytest.mark.parametrize("plan", sorted(PLAN_SOURCES), ids=lambda plan: plan.parent.name)
def test_plan_fixture_is_terraform_output_of_its_folder(plan: Path) -> None:
    document = json.loads(plan.read_text(encoding="utf-8"))
    assert document["terraform_version"] == "1.11.4"

    def addresses(module: dict[str, Any]) -> set[str]:
        found = {str(r["address"]) for r in module.get("resources", []) if r["mode"] == "managed"}
        for child in module.get("child_modules", []):
            found |= addresses(child)
        return found

    hcl = {r.address for r in load_terraform_configuration(PLAN_SOURCES[plan], ScanOptions(root=REPO)).resources}
    assert addresses(document["planned_values"]["root_module"]) == hcl


@pytest.mark.parametrize("plan", sorted(PLAN_SOURCES), ids=lambda plan: plan.parent.name)
def test_plan_with_source_gives_the_same_traits_severities_and_lines_as_the_hcl(plan: Path) -> None:
    hcl = as_hcl(PLAN_SOURCES[plan])
    assert hcl, "a fixture without exposures checks nothing"
    assert as_plan(plan, with_source=True) == hcl


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        # the SSH rule is attached through a local: reachable, remote access, IMDSv1 -> high
        ("locals-link-security-group-rule", {"aws_instance.web": "HIGH"}),
        # each.value.group: SSH opens the web group only; the db group admits the VPC alone
        ("each-value-link", {"aws_instance.web": "HIGH", "aws_instance.db": "LOW"}),
        # SSH from the VPC's own range: not reachable from the internet
        ("known-value-beats-reference", {"aws_instance.web": "LOW"}),
        # public = false: private subnet, internal group; the HTTPS rule goes to the internal group
        ("conditional-link", {"aws_instance.web": "LOW", "aws_instance.db": "LOW"}),
        # a null associate_public_ip_address: the subnet decides, and it maps no public address
        ("null-variable-is-null", {"aws_instance.web": "LOW"}),
    ],
)
def test_fixtures_of_the_old_mistakes_give_what_aws_deploys(folder: str, expected: dict[str, str]) -> None:
    plan = PLANS / folder / "plan.json"
    assert severities(as_hcl(PLANS / folder)) == expected
    assert severities(as_plan(plan, with_source=True)) == expected


def test_without_source_a_known_value_and_a_null_variable_already_agree() -> None:
    for folder in ("known-value-beats-reference", "null-variable-is-null"):
        plan = PLANS / folder / "plan.json"
        assert severities(as_plan(plan, with_source=False)) == severities(as_hcl(PLANS / folder)), folder
    known = as_plan(PLANS / "known-value-beats-reference" / "plan.json", with_source=False)
    assert INTERNET_REACHABLE not in rules(known, "aws_instance.web")  # not "unknown, assumed the internet"
    null = as_plan(PLANS / "null-variable-is-null" / "plan.json", with_source=False)
    assert PUBLIC_IP not in rules(null, "aws_instance.web")  # not "unknown, assumed true"


def test_without_source_a_local_link_is_reported_not_lost() -> None:
    """The plan cannot follow local.web_group: the rule's group is Unknown, which the graph
    reports on the rule (and no trait is guessed from it)."""
    plan = PLANS / "locals-link-security-group-rule" / "plan.json"
    assert rules(as_plan(plan, with_source=False), "aws_instance.web") == {IMDSV1, PUBLIC_IP}
    graph = build_graph(load_plan(plan, ScanOptions(root=REPO)))
    [sentence] = graph.nodes["aws_vpc_security_group_ingress_rule.ssh"]["unresolved"]
    assert "local.web_group" in sentence and "--source" in sentence


# --- --source must be the plan's -------------------------------------------------------------


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["scan", *args, "--format", "json", "--no-cache"])
    return result.exit_code, " ".join(result.output.split())


def test_cli_source_that_does_not_exist_is_a_usage_error() -> None:
    missing = PLANS / "no-such-folder"
    code, output = cli(str(PLANS / "conditional-link" / "plan.json"), "--source", str(missing))
    assert code == 2
    assert f"--source {missing}: no such folder" in output


def test_cli_source_that_is_a_file_is_a_usage_error() -> None:
    code, output = cli(
        str(PLANS / "conditional-link" / "plan.json"), "--source", str(PLANS / "conditional-link" / "main.tf")
    )
    assert code == 2 and "not a folder" in output


def test_cli_source_of_another_plan_is_a_usage_error_naming_a_missing_resource() -> None:
    other = PLANS / "each-value-link"
    code, output = cli(str(PLANS / "locals-link-security-group-rule" / "plan.json"), "--source", str(other))
    assert code == 2
    assert f"--source {other}: not the source of" in output
    assert "aws_vpc_security_group_ingress_rule.ssh is not declared in the folder's .tf files" in output


def test_cli_source_without_a_plan_is_a_usage_error() -> None:
    folder = PLANS / "locals-link-security-group-rule"
    code, output = cli(str(folder / "main.tf"), "--source", str(folder))
    assert code == 2 and "no plan" in output


def test_cli_source_of_the_plan_scans_it_from_the_tf_files() -> None:
    folder = PLANS / "locals-link-security-group-rule"
    code, _ = cli(str(folder / "plan.json"), "--source", str(folder))
    assert code == 1  # findings: the SSH rule attached through the local is found
