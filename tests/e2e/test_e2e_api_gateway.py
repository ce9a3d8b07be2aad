"""API Gateway VPC links are a door from the internet into private subnets: a public REST
API's integration through a VPC link reaches the internal Network Load Balancer it names on
the uri's port, and the app behind it when the app admits the NLB's addresses; an HTTP
API's integration reaches a load balancer's listener from the link's network interfaces,
when the load balancer's group admits them. A PRIVATE REST API, and a load balancer group
refusing the link, keep the door shut, each said at its hop; a link not known offline makes
the path possible, named. Both formats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from tests.support.paths import REPO

REACHABILITY = REPO / "fixtures" / "reachability"
INTERNET = "ec2-internet-reachable"


def _report(target: Path, tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        app, ["scan", str(target), "--format", "json", "-o", str(out), "--no-cache", "--fail-on", "none"]
    )
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def _trait(report: dict[str, Any], workload: str) -> dict[str, Any] | None:
    for exposure in report["exposures"]:
        if exposure["workload"] == workload:
            for trait in exposure["traits"]:
                if trait["rule_id"] == INTERNET:
                    found: dict[str, Any] = trait
                    return found
    return None


def _paths(report: dict[str, Any], workload: str) -> list[dict[str, Any]]:
    (found,) = [w for w in report["workloads"] if w["workload"] == workload]
    return [p for p in found["paths"] if p["via"] == "api_gateway"]


@pytest.mark.parametrize(
    ("file", "line", "hops", "listener_port"),
    [
        (
            "main.tf",
            25,  # the app group's rule admitting the VPC's range (the NLB's addresses)
            [
                "internet",
                "aws_api_gateway_rest_api.app",
                "aws_api_gateway_integration.app",
                "aws_api_gateway_vpc_link.app",
                "aws_lb.internal",
                "aws_lb_listener.app",
                "aws_lb_target_group.app",
                "aws_security_group.app.ingress[0]",
                "aws_instance.app",
            ],
            "tcp 8080",  # the uri's port
        ),
        (
            "template.yaml",
            29,
            [
                "internet",
                "Api",
                "GetRoot",
                "Link",
                "InternalNlb",
                "HttpListener",
                "AppTargets",
                "AppGroup.SecurityGroupIngress[0]",
                "App",
            ],
            "tcp 80",  # the uri names no port: http's
        ),
    ],
)
def test_a_rest_api_vpc_link_reaches_the_app_behind_an_internal_nlb(
    file: str, line: int, hops: list[str], listener_port: str, tmp_path: Path
) -> None:
    report = _report(REACHABILITY / "rest-api-vpc-link-private-nlb-reachable" / file, tmp_path)
    workload = hops[-1]
    trait = _trait(report, workload)
    assert trait is not None and trait["verdict"] != "possible"
    assert trait["location"]["line"] == line
    assert "tcp 8080 through an API Gateway VPC link" in trait["message"]
    assert [s["address"] for s in trait["path"]] == hops
    listener = next(s for s in trait["path"] if s["address"] == hops[5])
    assert listener["ports"] == listener_port
    (path,) = _paths(report, workload)
    assert path["verdict"] == "open" and path["ports"] == "tcp 8080"
    # the VPC has no internet gateway and the NLB is internal: no other door
    others = [p for w in report["workloads"] for p in w["paths"] if p["via"] in ("gateway", "load_balancer")]
    assert others and all(p["verdict"] == "cut" for p in others)


@pytest.mark.parametrize(
    ("file", "workload", "api"),
    [("main.tf", "aws_instance.app", "aws_api_gateway_rest_api.app"), ("template.yaml", "App", "Api")],
)
def test_a_private_rest_api_is_no_door_from_the_internet(file: str, workload: str, api: str, tmp_path: Path) -> None:
    report = _report(REACHABILITY / "rest-api-private-endpoint-not-internet" / file, tmp_path)
    assert _trait(report, workload) is None
    (path,) = _paths(report, workload)
    assert path["verdict"] == "cut" and path["hop"] == api
    assert "has a PRIVATE endpoint: it is called only through interface VPC endpoints" in path["why"]


@pytest.mark.parametrize(
    ("file", "workload", "line", "origin"),
    [
        ("main.tf", "aws_instance.app", 27, "var.vpc_link_id"),
        ("template.yaml", "App", 29, "VpcLinkId"),
    ],
)
def test_a_vpc_link_not_known_offline_makes_the_path_possible(
    file: str, workload: str, line: int, origin: str, tmp_path: Path
) -> None:
    report = _report(REACHABILITY / "rest-api-vpc-link-id-unknown-possible" / file, tmp_path)
    trait = _trait(report, workload)
    assert trait is not None and trait["verdict"] == "possible"
    assert trait["location"]["line"] == line
    assert any("its VPC link (connection_id) is not known; assumed it is" in a for a in trait["assumptions"])
    (path,) = _paths(report, workload)
    assert path["verdict"] == "possible"
    (exposure,) = [e for e in report["exposures"] if e["workload"] == workload]
    assert exposure["severity"] is None and exposure["possible_severity"] == "medium"
    assert origin in json.dumps(exposure)


@pytest.mark.parametrize(
    ("file", "workload", "link", "alb_rule", "alb_line", "line"),
    [
        (
            "main.tf",
            "aws_instance.app",
            "aws_apigatewayv2_vpc_link.app",
            "aws_security_group.alb.ingress[0]",
            49,  # security_groups = [aws_security_group.link.id]
            68,
        ),
        ("template.yaml", "App", "Link", "AlbGroup.SecurityGroupIngress[0]", 44, 54),
    ],
)
def test_an_http_api_vpc_link_admitted_by_the_alb_group_reaches_the_app(
    file: str, workload: str, link: str, alb_rule: str, alb_line: int, line: int, tmp_path: Path
) -> None:
    report = _report(REACHABILITY / "http-api-vpc-link-alb-sg-admits-link" / file, tmp_path)
    trait = _trait(report, workload)
    assert trait is not None and trait["verdict"] != "possible"
    assert trait["location"]["line"] == line  # the app group's rule admitting the ALB's group
    assert "tcp 8080 through an API Gateway VPC link" in trait["message"]
    steps = {s["address"]: s for s in trait["path"]}
    assert link in steps and steps[alb_rule]["ports"] == "tcp 80"
    assert f"admits the listener port from VPC link {link}" in steps[alb_rule]["description"]
    assert steps[alb_rule]["location"]["line"] == alb_line
    (path,) = _paths(report, workload)
    assert path["verdict"] == "open" and path["ports"] == "tcp 8080"


@pytest.mark.parametrize(
    ("file", "workload", "group", "link"),
    [
        ("main.tf", "aws_instance.app", "aws_security_group.alb", "aws_apigatewayv2_vpc_link.app"),
        ("template.yaml", "App", "AlbGroup", "Link"),
    ],
)
def test_an_alb_group_refusing_the_vpc_link_cuts_the_path_there(
    file: str, workload: str, group: str, link: str, tmp_path: Path
) -> None:
    report = _report(REACHABILITY / "http-api-vpc-link-alb-sg-refuses-link-cut" / file, tmp_path)
    assert _trait(report, workload) is None
    (path,) = _paths(report, workload)
    assert path["verdict"] == "cut" and path["hop"] == group
    assert f"does not admit the listener port tcp 80 from VPC link {link}" in path["why"]


def test_explain_names_the_api_gateway_hops_and_the_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    env = {"COLUMNS": "300", "NO_COLOR": "1"}
    opened = CliRunner().invoke(
        app, ["explain", "fixtures/reachability/rest-api-vpc-link-private-nlb-reachable", "aws_instance.app"], env=env
    )
    assert "OPEN via api_gateway (IPv4) on tcp 8080" in opened.output
    assert "aws_api_gateway_vpc_link.app" in opened.output and "VPC link to aws_lb.internal" in opened.output
    shut = CliRunner().invoke(
        app, ["explain", "fixtures/reachability/rest-api-private-endpoint-not-internet", "aws_instance.app"], env=env
    )
    assert "cut via api_gateway (IPv4)" in shut.output
    assert "cut at aws_api_gateway_rest_api.app: aws_api_gateway_rest_api.app has a PRIVATE endpoint" in shut.output


@pytest.mark.parametrize(
    ("file", "opened", "guarded", "line", "group", "balancer"),
    [
        ("main.tf", "aws_instance.app", "aws_instance.guarded", 46, "aws_security_group.nlb", "aws_lb.on"),
        ("template.yaml", "App", "Guarded", 39, "NlbGroup", "OnNlb"),
    ],
)
def test_an_nlb_group_decides_only_when_it_applies_to_privatelink_traffic(
    file: str, opened: str, guarded: str, line: int, group: str, balancer: str, tmp_path: Path
) -> None:
    """Both NLBs' group admits the VPC's range only: the one not evaluating PrivateLink traffic
    lets API Gateway through, the one evaluating it (AWS's default) does not."""
    report = _report(REACHABILITY / "rest-api-vpc-link-nlb-privatelink-inbound-rules" / file, tmp_path)
    trait = _trait(report, opened)
    assert trait is not None and trait["verdict"] != "possible"
    assert trait["location"]["line"] == line  # the app group's rule admitting the NLB's group
    assert _trait(report, guarded) is None
    (path,) = _paths(report, guarded)
    assert path["verdict"] == "cut" and path["hop"] == group
    assert f"of {balancer} does not admit the listener port tcp 8080 from the addresses PrivateLink" in path["why"]


@pytest.mark.parametrize(
    ("file", "opened", "refused", "line", "group"),
    [
        ("main.tf", "aws_instance.app", "aws_instance.nlb_only", 44, "aws_security_group.nlb_only"),
        ("template.yaml", "App", "NlbOnly", 39, "NlbOnlyGroup"),
    ],
)
def test_an_nlb_keeping_client_addresses_hands_the_vpc_link_addresses_to_its_targets(
    file: str, opened: str, refused: str, line: int, group: str, tmp_path: Path
) -> None:
    """The targets see the link's interfaces: a rule naming the link's group admits them, one
    admitting only the NLB's subnet does not."""
    report = _report(REACHABILITY / "http-api-vpc-link-nlb-passes-link-addresses" / file, tmp_path)
    trait = _trait(report, opened)
    assert trait is not None and trait["verdict"] != "possible"
    assert trait["location"]["line"] == line  # the rule naming the link's group
    assert _trait(report, refused) is None
    (path,) = _paths(report, refused)
    assert path["verdict"] == "cut" and path["hop"] == group
    assert "from VPC link" in path["why"] and "client IP preservation is on" in path["why"]


def test_a_vpc_link_that_may_not_exist_makes_the_path_possible(tmp_path: Path) -> None:
    source = (REACHABILITY / "rest-api-vpc-link-private-nlb-reachable" / "main.tf").read_text(encoding="utf-8")
    text = source.replace(
        'resource "aws_api_gateway_vpc_link" "app" {\n',
        'variable "private_api" {\n  type = bool\n}\n\nresource "aws_api_gateway_vpc_link" "app" {\n'
        "  count       = var.private_api ? 1 : 0\n",
    ).replace("aws_api_gateway_vpc_link.app.id", "aws_api_gateway_vpc_link.app[0].id")
    assert text != source
    folder = tmp_path / "module"
    folder.mkdir()
    (folder / "main.tf").write_text(text, encoding="utf-8")
    report = _report(folder, tmp_path)
    trait = _trait(report, "aws_instance.app")
    assert trait is not None and trait["verdict"] == "possible"
    assert any("aws_api_gateway_vpc_link.app" in a for a in trait["assumptions"])
