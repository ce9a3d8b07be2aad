"""Real-world accuracy of paths, end to end on fixtures in both formats: what a path open only
to named addresses is (restricted, not reachable), the whole internet written in pieces, a /0
source behind a load balancer whose subnets are not known, a Network Load Balancer's client
addresses, a workload reachable two ways. Each case checks the rule ids, the lines and, for
paths, what each hop lets through."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from scanner.findings import Exposure, ScanResult
from scanner.options import ScanOptions
from scanner.reports.json_report import render_json
from scanner.reports.sarif import render_sarif
from scanner.scan import scan
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures" / "reachability"
TF, CFN = "main.tf", "template.yaml"


@cache
def _scan(behaviour: str) -> ScanResult:
    result = scan([FIXTURES / behaviour], ScanOptions(root=REPO))
    assert not result.all_errors, result.all_errors
    return result


def exposure(behaviour: str, file: str, workload: str) -> Exposure | None:
    folder = f"fixtures/reachability/{behaviour}"
    name = folder if file == TF else f"{folder}/{file}"
    found = [e for e in _scan(behaviour).exposures if e.configuration == name and e.workload == workload]
    return found[0] if found else None


def line_text(behaviour: str, file: str, line: int) -> str:
    return (FIXTURES / behaviour / file).read_text(encoding="utf-8").splitlines()[line - 1]


@pytest.mark.parametrize(("file", "workload"), [(TF, "aws_instance.admin"), (CFN, "Admin")])
def test_ssh_open_only_to_an_office_address_is_a_restricted_path_not_an_exposure(file: str, workload: str) -> None:
    found = exposure("gateway-ssh-open-only-to-an-office-address", file, workload)
    assert found is not None
    assert {t.rule_id for t in found.traits} == {"ec2-public-ip"}  # no reachability, no remote access
    assert found.severity.label == "low"
    (restricted,) = found.restricted_paths
    assert restricted.via == "gateway" and restricted.ports == "tcp 22"
    assert restricted.reason == "reachable on tcp 22 from 198.51.100.7/32 only"
    report = json.loads(render_json(_scan("gateway-ssh-open-only-to-an-office-address")))
    shown = next(e for e in report["exposures"] if e["workload"] == workload)
    assert shown["restricted_paths"] == [
        {"via": "gateway", "family": "IPv4", "ports": "tcp 22", "reason": restricted.reason}
    ]


@pytest.mark.parametrize(("file", "workload"), [(TF, "aws_instance.admin"), (CFN, "Admin")])
def test_the_whole_internet_in_two_halves_is_the_world_for_every_rule(file: str, workload: str) -> None:
    behaviour = "gateway-whole-internet-in-two-halves"
    found = exposure(behaviour, file, workload)
    assert found is not None and found.severity.label == "high"
    by_rule = {t.rule_id: t for t in found.traits}
    assert set(by_rule) == {"ec2-remote-access", "ec2-open-security-group", "ec2-public-ip", "ec2-internet-reachable"}
    for rule_id in ("ec2-remote-access", "ec2-open-security-group", "ec2-internet-reachable"):
        trait = by_rule[rule_id]
        assert "0.0.0.0/1" in line_text(behaviour, file, trait.location.span.line), rule_id
    assert by_rule["ec2-remote-access"].properties["sources"] == ["0.0.0.0/1", "128.0.0.0/1"]
    # the path shows both halves, each with the port it lets in
    rules = [s for s in by_rule["ec2-internet-reachable"].path if s.kind == "security_group_rule"]
    assert [s.ports for s in rules] == ["tcp 22", "tcp 22"]
    assert "128.0.0.0/1" in line_text(behaviour, file, rules[1].span.line)  # type: ignore[union-attr]


@pytest.mark.parametrize(("file", "workload"), [(TF, "aws_autoscaling_group.app"), (CFN, "App")])
def test_a_world_open_target_group_behind_a_load_balancer_with_unknown_subnets_is_reachable(
    file: str, workload: str
) -> None:
    behaviour = "alb-unknown-subnets-target-open-to-the-world"
    found = exposure(behaviour, file, workload)
    assert found is not None and found.severity.label == "high"  # IMDSv1 and reachable: never lower
    reachable = next(t for t in found.traits if t.rule_id == "ec2-internet-reachable")
    assert reachable.properties["via"] == "load_balancer" and reachable.properties["ports"] == "tcp 8080"
    assert "0.0.0.0/0" in line_text(behaviour, file, reachable.location.span.line)
    assert [(s.kind, s.ports) for s in reachable.path if s.kind in ("listener", "target_group")] == [
        ("listener", "tcp 80"),
        ("target_group", "tcp 8080"),
    ]


@pytest.mark.parametrize(
    ("file", "reached", "preserved"),
    [(TF, "aws_instance.behind_ip_target", "aws_instance.preserved"), (CFN, "BehindIpTarget", "Preserved")],
)
def test_nlb_ip_targets_see_the_nlb_address_unless_client_ip_is_preserved(
    file: str, reached: str, preserved: str
) -> None:
    behaviour = "nlb-ip-targets-see-the-nlb-address"
    found = exposure(behaviour, file, reached)
    assert found is not None
    (trait,) = found.traits
    assert trait.rule_id == "ec2-internet-reachable" and trait.properties["ports"] == "tcp 8443"
    assert "10.0.0.0/16" in line_text(behaviour, file, trait.location.span.line)  # a group admitting the VPC
    assert exposure(behaviour, file, preserved) is None  # the same group no longer admits the clients


@pytest.mark.parametrize(("file", "workload"), [(TF, "aws_instance.app"), (CFN, "App")])
def test_a_workload_reachable_two_ways_shows_both_paths(file: str, workload: str) -> None:
    behaviour = "gateway-and-load-balancer-both-open"
    found = exposure(behaviour, file, workload)
    assert found is not None
    reachable = next(t for t in found.traits if t.rule_id == "ec2-internet-reachable")
    assert reachable.properties["via"] == "gateway"
    assert [p["via"] for p in reachable.properties["paths"]] == ["gateway", "load_balancer"]
    (other,) = reachable.other_paths
    assert [s.kind for s in other][:3] == ["internet", "load_balancer", "listener"]
    sarif = json.loads(render_sarif(_scan(behaviour)))
    results = sarif["runs"][0]["results"]
    trait_result = next(
        r for r in results if r["ruleId"] == "ec2-internet-reachable" and r["properties"]["resource"] == workload
    )
    assert len(trait_result["codeFlows"]) == 2  # one code flow per path
    exposure_result = next(
        r for r in results if r["ruleId"].startswith("ec2-exposure-") and r["properties"]["resource"] == workload
    )
    assert len(exposure_result["codeFlows"]) == 2


def test_explain_prints_each_distinct_path_once_and_says_restricted(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from scanner.explain import explain_workload

    out = io.StringIO()
    folder = FIXTURES / "gateway-ssh-open-only-to-an-office-address"
    explain_workload([folder / TF], ScanOptions(root=REPO), "aws_instance.admin", Console(file=out, width=200))
    text = out.getvalue()
    assert "RESTRICTED via gateway (IPv4)" in text
    assert "restricted: reachable on tcp 22 from 198.51.100.7/32 only" in text
    paths = [line for line in text.splitlines() if " via " in line and line.startswith("  ")]
    assert len(paths) == len(set(paths))
