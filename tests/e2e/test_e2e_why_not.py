"""Why a path is not open: every workload of the JSON report, exposed or not, lists each
candidate path with its verdict, and a path that is not open names the hop that stops it and
the reason in one phrase; ``explain`` says the same hop. Both formats, from the reachability
fixtures (each is named after the one thing that cuts its path)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from tests.support.paths import REPO

REACHABILITY = REPO / "fixtures" / "reachability"


def _report(folder: str, tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        app, ["scan", str(REACHABILITY / folder), "--format", "json", "-o", str(out), "--no-cache", "--fail-on", "none"]
    )
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def _paths(report: dict[str, Any], workload: str) -> list[dict[str, str]]:
    (found,) = [w for w in report["workloads"] if w["workload"] == workload]
    paths: list[dict[str, str]] = found["paths"]
    return paths


def _cut(report: dict[str, Any], workload: str, via: str, family: str = "IPv4") -> tuple[str, str]:
    (path,) = [p for p in _paths(report, workload) if p["via"] == via and p["family"] == family]
    assert path["verdict"] == "cut" and path["ports"] == ""
    return path["hop"], path["why"]


# (fixture, Terraform workload, CloudFormation workload, via, hop in Terraform, in CloudFormation, phrase)
CUTS = [
    (
        "private-subnet-nat-only",
        "aws_instance.app",
        "App",
        "gateway",
        "aws_route_table.private",
        "PrivateRouteTable",
        "0.0.0.0/0 to {nat} (nat_gateway), not an internet gateway",
    ),
    (
        "nacl-without-outbound-ephemeral",
        "aws_instance.web",
        None,
        "gateway",
        "aws_network_acl.public",
        None,
        "lets tcp 22 in but not the replies back out",
    ),
    (
        "public-ip-without-internet-rule",
        "aws_instance.web",
        None,
        "gateway",
        "aws_security_group.web",
        None,
        "admits traffic from IPv4 internet addresses",
    ),
    (
        "alb-group-does-not-admit-listener-port",
        "aws_instance.app",
        None,
        "load_balancer",
        "aws_security_group.alb",
        None,
        "does not admit the listener port tcp 80 from the IPv4 internet",
    ),
    (
        "vpc-peering-nacl-denies-peer",
        "aws_instance.db",
        None,
        "vpc_peering",
        "aws_network_acl.db",
        None,
        "does not let tcp 5432 in from 172.16.0.0/16",
    ),
]


@pytest.mark.parametrize(("folder", "tf", "cfn", "via", "tf_hop", "cfn_hop", "phrase"), CUTS)
def test_a_cut_path_names_its_hop_and_why(
    folder: str, tf: str, cfn: str | None, via: str, tf_hop: str, cfn_hop: str | None, phrase: str, tmp_path: Path
) -> None:
    report = _report(folder, tmp_path)
    hop, why = _cut(report, tf, via)
    assert hop == tf_hop
    assert hop in why and phrase.format(nat="aws_nat_gateway.nat") in why
    if cfn is not None and cfn_hop is not None:
        hop, why = _cut(report, cfn, via)
        assert hop == cfn_hop
        assert hop in why and phrase.format(nat="Nat") in why


def test_a_workload_without_a_public_address_is_cut_at_itself(tmp_path: Path) -> None:
    report = _report("private-subnet-nat-only", tmp_path)
    assert _cut(report, "aws_instance.app", "gateway", "IPv6") == (
        "aws_instance.app",
        "aws_instance.app has no public IPv6 address in aws_subnet.private",
    )


def test_workloads_without_an_exposure_are_listed_with_their_paths(tmp_path: Path) -> None:
    report = _report("alb-behind-network-acls", tmp_path)
    exposed = {e["workload"] for e in report["exposures"]}
    listed = {w["workload"]: w for w in report["workloads"]}
    assert "aws_instance.locked" in listed and "aws_instance.locked" not in exposed
    assert listed["aws_instance.locked"]["exposed"] is False
    assert exposed <= set(listed)
    assert all(w["exposed"] == (w["workload"] in exposed) for w in listed.values())
    hop, why = _cut(report, "aws_instance.locked", "load_balancer")
    assert hop == "aws_network_acl.locked"
    assert why.startswith("network ACL aws_network_acl.locked of aws_instance.locked's subnet does not let tcp 8080 in")


def test_open_paths_carry_their_ports_and_no_hop(tmp_path: Path) -> None:
    report = _report("gateway-public-subnet-open", tmp_path)
    opened = [p for w in report["workloads"] for p in w["paths"] if p["verdict"] == "open"]
    assert opened and all(p["ports"] and p["hop"] == "" and p["why"] == "" for p in opened)


def test_a_path_restricted_to_named_sources_says_so(tmp_path: Path) -> None:
    report = _report("gateway-ssh-open-only-to-an-office-address", tmp_path)
    restricted = [p for w in report["workloads"] for p in w["paths"] if p["verdict"] == "restricted"]
    assert restricted and all("only" in p["why"] and p["ports"] for p in restricted)


def test_explain_says_the_hop_that_cuts_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(
        app,
        ["explain", "fixtures/reachability/private-subnet-nat-only", "aws_instance.app"],
        env={"COLUMNS": "300", "NO_COLOR": "1"},
    )
    assert "cut at aws_route_table.private: aws_route_table.private sends 0.0.0.0/0 to aws_nat_gateway.nat" in (
        result.output
    )


def test_explain_reads_the_same_variables_as_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a value, the SSH rule's source is unknown and the trait is possible; with
    --var, explain gives the certain verdict, as scan does."""
    monkeypatch.chdir(REPO)
    env = {"COLUMNS": "300", "NO_COLOR": "1"}
    args = ["explain", "fixtures/unknowns/variable-without-value", "aws_instance.web"]
    unknown = CliRunner().invoke(app, args, env=env).output
    assert "ec2-remote-access" in unknown and "var.ssh_cidr" in unknown
    office = CliRunner().invoke(app, [*args, "--var", "ssh_cidr=10.0.0.0/8"], env=env).output
    assert "ec2-remote-access" not in office
    world = CliRunner().invoke(app, [*args, "--var", "ssh_cidr=0.0.0.0/0"], env=env).output
    assert "ec2-remote-access" in world and "[possible]" not in world.split("ec2-remote-access")[1].split("\n")[0]
