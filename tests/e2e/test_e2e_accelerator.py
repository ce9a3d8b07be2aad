"""Global Accelerator is a door from the internet into private subnets: an instance endpoint
(clients' addresses kept: its group must admit the internet) and an internal load balancer
endpoint (on through its listener and target group) are internet-reachable; a disabled
accelerator, a VPC without an internet gateway, a group that admits other ports, an
endpoint of weight 0 and a group dialled to 0 % keep the door shut, each said at its hop.
NAT and egress-only gateways carry nothing in. CloudFront VPC origins likewise. Both formats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from tests.support.paths import REPO

REACHABILITY = REPO / "fixtures" / "reachability"


def _report(target: Path, tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        app, ["scan", str(target), "--format", "json", "-o", str(out), "--no-cache", "--fail-on", "none"]
    )
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def _trait(report: dict[str, Any], workload: str, rule: str) -> dict[str, Any] | None:
    for exposure in report["exposures"]:
        if exposure["workload"] == workload:
            for trait in exposure["traits"]:
                if trait["rule_id"] == rule:
                    found: dict[str, Any] = trait
                    return found
    return None


def _accelerator_paths(report: dict[str, Any], workload: str) -> list[dict[str, str]]:
    (found,) = [w for w in report["workloads"] if w["workload"] == workload]
    return [p for p in found["paths"] if p["via"] == "accelerator"]


@pytest.mark.parametrize(
    ("file", "workload", "line", "ports"),
    [
        ("main.tf", "aws_instance.web", 28, "tcp 443"),
        ("template.yaml", "Web", 32, "tcp 443"),
    ],
)
def test_a_private_instance_endpoint_is_reachable_on_the_overridden_port(
    file: str, workload: str, line: int, ports: str, tmp_path: Path
) -> None:
    report = _report(REACHABILITY / "accelerator-private-instance-open" / file, tmp_path)
    trait = _trait(report, workload, "ec2-internet-reachable")
    assert trait is not None
    assert trait["location"]["line"] == line  # the rule admitting the internet
    assert "through Global Accelerator" in trait["message"] and ports in trait["message"]
    assert "tcp 8443" not in trait["message"]  # the listener port reaches the endpoint as 443
    (path,) = _accelerator_paths(report, workload)
    assert path["verdict"] == "open" and path["ports"] == ports
    gateway = [p for w in report["workloads"] for p in w["paths"] if p["via"] == "gateway" and p["family"] == "IPv4"]
    assert gateway and all(p["verdict"] == "cut" for p in gateway)  # private: no other door


@pytest.mark.parametrize(
    ("file", "workload", "balancer", "line"),
    [
        ("main.tf", "aws_instance.app", "aws_lb.internal", 53),
        ("template.yaml", "App", "InternalAlb", 49),
    ],
)
def test_an_internal_load_balancer_endpoint_opens_the_app_behind_it(
    file: str, workload: str, balancer: str, line: int, tmp_path: Path
) -> None:
    report = _report(REACHABILITY / "accelerator-internal-alb-open" / file, tmp_path)
    trait = _trait(report, workload, "ec2-internet-reachable")
    assert trait is not None
    assert trait["location"]["line"] == line  # the app group's rule admitting the balancer
    assert "tcp 8080" in trait["message"] and "through Global Accelerator" in trait["message"]
    steps = [s["address"] for s in trait["path"]]
    assert balancer in steps and steps[-1] == workload
    (lb_path,) = [
        p for w in report["workloads"] if w["workload"] == workload for p in w["paths"] if p["via"] == "load_balancer"
    ]
    assert lb_path["verdict"] == "cut" and lb_path["hop"] == balancer  # internal: no direct door


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        (
            "main.tf",
            {
                "aws_instance.disabled": ("aws_globalaccelerator_accelerator.off", "is disabled"),
                "aws_instance.isolated": ("aws_vpc.isolated", "has no internet gateway attached"),
                "aws_instance.narrow": ("aws_security_group.office_ssh", "admits tcp 443 from the internet"),
                "aws_instance.weightless": (
                    "aws_globalaccelerator_endpoint_group.on.endpoint_configuration[2]",
                    "weight 0",
                ),
                "aws_instance.dialled_down": (
                    "aws_globalaccelerator_endpoint_group.dialled_down",
                    "traffic dial is 0 %",
                ),
            },
        ),
        (
            "template.yaml",
            {
                "Disabled": ("OffAccelerator", "is disabled"),
                "Isolated": ("IsolatedVpc", "has no internet gateway attached"),
                "Narrow": ("OfficeSshGroup", "admits tcp 443 from the internet"),
                "Weightless": ("OnEndpoints.EndpointConfigurations[2]", "weight 0"),
                "DialledDown": ("DialledDownEndpoints", "traffic dial is 0 %"),
            },
        ),
    ],
)
def test_doors_that_stay_shut_say_where_and_why(
    file: str, expected: dict[str, tuple[str, str]], tmp_path: Path
) -> None:
    report = _report(REACHABILITY / "accelerator-doors-that-stay-shut" / file, tmp_path)
    assert not [e for e in report["exposures"] if _trait(report, e["workload"], "ec2-internet-reachable")]
    for workload, (hop, phrase) in expected.items():
        (path,) = _accelerator_paths(report, workload)
        assert path["verdict"] == "cut"
        assert path["hop"] == hop
        assert phrase in path["why"]


@pytest.mark.parametrize(
    ("file", "workload", "table", "nat", "egress"),
    [
        (
            "main.tf",
            "aws_instance.web",
            "aws_route_table.app",
            "aws_nat_gateway.nat",
            "aws_egress_only_internet_gateway.out",
        ),
        ("template.yaml", "Web", "AppRoutes", "Nat", "EgressOnly"),
    ],
)
def test_nat_and_egress_only_gateways_carry_nothing_in(
    file: str, workload: str, table: str, nat: str, egress: str, tmp_path: Path
) -> None:
    report = _report(REACHABILITY / "nat-and-egress-only-routes-carry-no-inbound" / file, tmp_path)
    assert _trait(report, workload, "ec2-internet-reachable") is None
    (found,) = [w for w in report["workloads"] if w["workload"] == workload]
    by_family = {p["family"]: p for p in found["paths"] if p["via"] == "gateway"}
    assert (
        by_family["IPv4"]["hop"] == table
        and f"to {nat} (nat_gateway), not an internet gateway" in (by_family["IPv4"]["why"])
    )
    assert (
        by_family["IPv6"]["hop"] == table
        and f"to {egress} (egress_only_gateway), not an internet gateway" in (by_family["IPv6"]["why"])
    )


def test_explain_shows_the_accelerator_hops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(
        app,
        ["explain", "fixtures/reachability/accelerator-private-instance-open", "aws_instance.web"],
        env={"COLUMNS": "300", "NO_COLOR": "1"},
    )
    assert "OPEN via accelerator (IPv4) on tcp 443" in result.output
    assert "aws_globalaccelerator_endpoint_group.web" in result.output


def test_a_private_instance_behind_a_cloudfront_vpc_origin_is_reachable(tmp_path: Path) -> None:
    """Terraform: the group names CloudFront's origin-facing list (read by name through a data
    source): reachable on the origin's http port, at the rule's line; the origin of a disabled
    distribution is cut there."""
    report = _report(REACHABILITY / "cloudfront-vpc-origin-private-instance" / "main.tf", tmp_path)
    trait = _trait(report, "aws_instance.web", "ec2-internet-reachable")
    assert trait is not None and trait["verdict"] != "possible"
    assert trait["location"]["line"] == 31  # prefix_list_ids
    assert "tcp 80 through a CloudFront VPC origin" in trait["message"]
    steps = [s["address"] for s in trait["path"]]
    assert steps[1:3] == ["aws_cloudfront_distribution.web", "aws_cloudfront_vpc_origin.web"]
    (cut,) = [
        p
        for w in report["workloads"]
        if w["workload"] == "aws_instance.internal"
        for p in w["paths"]
        if p["via"] == "cloudfront"
    ]
    assert cut["verdict"] == "cut" and cut["hop"] == "aws_cloudfront_distribution.internal"
    assert _trait(report, "aws_instance.internal", "ec2-internet-reachable") is None


def test_a_prefix_list_not_defined_here_makes_the_cloudfront_path_possible(tmp_path: Path) -> None:
    """CloudFormation: the group names a prefix list by id only: it may be CloudFront's, so the
    path is possible, the rule named as what it rests on (never silently open or cut)."""
    report = _report(REACHABILITY / "cloudfront-vpc-origin-private-instance" / "template.yaml", tmp_path)
    (path,) = [p for w in report["workloads"] if w["workload"] == "Web" for p in w["paths"] if p["via"] == "cloudfront"]
    assert path["verdict"] == "possible" and path["ports"] == "tcp 80"
    trait = _trait(report, "Web", "ec2-internet-reachable")
    assert trait is not None and trait["location"]["line"] == 33
    assert any("prefix list not defined in this configuration" in a for a in trait["assumptions"])
    (exposure,) = [e for e in report["exposures"] if e["workload"] == "Web"]
    assert exposure["severity"] is None and exposure["possible_severity"] == "medium"
