"""Two more doors into the VPC, end to end in both formats: a load balancer IP target that is
a network interface's private address reaches the instance the interface belongs to, and a
Global Accelerator endpoint that is an Elastic IP reaches the instance it is associated
with (through the internet gateway: the accelerator's own addresses are the source). Each
door is open for one instance and cut for another, at the hop that cuts it; open paths
carry their ports hop by hop and point at the line the user edits."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from scanner.findings import Exposure, PathStep, ScanResult, Trait
from scanner.options import ScanOptions
from scanner.reports.json_report import render_json
from scanner.scan import scan
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures" / "reachability"
TF, CFN = "main.tf", "template.yaml"
IP_TARGETS = "alb-ip-target-network-interface-of-instance"
EIP_ENDPOINTS = "accelerator-elastic-ip-endpoint"


@cache
def _scan(behaviour: str, file: str) -> ScanResult:
    result = scan([FIXTURES / behaviour / file], ScanOptions(root=REPO))
    assert not result.all_errors, result.all_errors
    return result


def _exposure(behaviour: str, file: str, workload: str) -> Exposure | None:
    found = [e for e in _scan(behaviour, file).exposures if e.workload == workload]
    return found[0] if found else None


def _reachable(behaviour: str, file: str, workload: str) -> Trait:
    found = _exposure(behaviour, file, workload)
    assert found is not None
    return next(t for t in found.traits if t.rule_id == "ec2-internet-reachable")


def _paths(behaviour: str, file: str, workload: str, via: str) -> list[dict[str, Any]]:
    report = json.loads(render_json(_scan(behaviour, file)))
    (found,) = [w for w in report["workloads"] if w["workload"] == workload]
    return [p for p in found["paths"] if p["via"] == via]


def _line(behaviour: str, file: str, step: PathStep) -> str:
    assert step.span is not None
    return (FIXTURES / behaviour / file).read_text(encoding="utf-8").splitlines()[step.span.line - 1]


def _hops(path: tuple[PathStep, ...] | list[PathStep]) -> list[tuple[str, str, str]]:
    return [(s.kind, s.address, s.ports) for s in path]


@pytest.mark.parametrize(
    ("file", "names"),
    [
        (
            TF,
            {
                "workload": "aws_instance.app",
                "lb": "aws_lb.web",
                "listener": "aws_lb_listener.http",
                "tg": "aws_lb_target_group.by_ip",
                "lb_rule": "aws_security_group.alb.ingress[0]",
                "rule": "aws_security_group.app.ingress[0]",
                "table": "aws_route_table.public",
                "route": "aws_route_table.public.route[0]",
                "lb_group": "aws_security_group.alb.id",
                "attachment": "aws_network_interface.app.private_ip",
            },
        ),
        (
            CFN,
            {
                "workload": "App",
                "lb": "Web",
                "listener": "HttpListener",
                "tg": "ByIpTargets",
                "lb_rule": "AlbGroup.SecurityGroupIngress[0]",
                "rule": "AppGroup.SecurityGroupIngress[0]",
                "table": "PublicRouteTable",
                "route": "InternetRoute",
                "lb_group": "!Ref AlbGroup",
                "attachment": "!GetAtt AppEni.PrimaryPrivateIpAddress",
            },
        ),
    ],
)
def test_an_ip_target_naming_a_network_interface_reaches_its_instance(file: str, names: dict[str, str]) -> None:
    trait = _reachable(IP_TARGETS, file, names["workload"])
    assert trait.properties["via"] == "load_balancer" and trait.properties["ports"] == "tcp 8080"
    assert names["lb_group"] in _line(IP_TARGETS, file, trait.path[-2])  # the rule admitting the ALB's group
    assert trait.location.span.line == trait.path[-2].span.line  # type: ignore[union-attr]
    assert _hops(trait.path) == [
        ("internet", "internet", ""),
        ("load_balancer", names["lb"], "tcp 80"),
        ("listener", names["listener"], "tcp 80"),
        ("route_table", names["table"], "tcp 80"),
        ("route", names["route"], "tcp 80"),
        ("security_group_rule", names["lb_rule"], "tcp 80"),
        ("target_group", names["tg"], "tcp 8080"),
        ("security_group_rule", names["rule"], "tcp 8080"),
        ("instance", names["workload"], "tcp 8080"),
    ]
    # the related place "registers the workload as a target" is the IP target's line
    registered = next(r for r in trait.related if r.message == "registers the workload as a target")
    text = (FIXTURES / IP_TARGETS / file).read_text(encoding="utf-8").splitlines()[registered.span.line - 1]
    assert names["attachment"] in text


@pytest.mark.parametrize(
    ("file", "workload", "group"),
    [(TF, "aws_instance.refused", "aws_security_group.refused"), (CFN, "Refused", "RefusedGroup")],
)
def test_an_ip_target_whose_group_refuses_the_load_balancer_is_cut_there(file: str, workload: str, group: str) -> None:
    assert _exposure(IP_TARGETS, file, workload) is None
    (path,) = _paths(IP_TARGETS, file, workload, "load_balancer")
    assert path["verdict"] == "cut" and path["hop"] == group
    assert "does not admit tcp 8080 from" in path["why"] and "proxies" in path["why"]


@pytest.mark.parametrize(
    ("file", "names"),
    [
        (
            TF,
            {
                "workload": "aws_instance.web",
                "accelerator": "aws_globalaccelerator_accelerator.web",
                "listener": "aws_globalaccelerator_listener.https",
                "group": "aws_globalaccelerator_endpoint_group.elastic_ips",
                "eip": "aws_eip.web",
                "gateway": "aws_internet_gateway.gw",
                "table": "aws_route_table.public",
                "route": "aws_route_table.public.route[0]",
                "sg": "aws_security_group.web",
                "rule": "aws_security_group.web.ingress[0]",
                "endpoint_line": "aws_eip.web.id",
            },
        ),
        (
            CFN,
            {
                "workload": "Web",
                "accelerator": "Accelerator",
                "listener": "HttpsListener",
                "group": "ElasticIpEndpoints",
                "eip": "WebIp",
                "gateway": "Gateway",
                "table": "PublicRouteTable",
                "route": "InternetRoute",
                "sg": "WebGroup",
                "rule": "WebGroup.SecurityGroupIngress[0]",
                "endpoint_line": "!GetAtt WebIp.AllocationId",
            },
        ),
    ],
)
def test_an_elastic_ip_endpoint_reaches_its_instance_through_the_internet_gateway(
    file: str, names: dict[str, str]
) -> None:
    trait = _reachable(EIP_ENDPOINTS, file, names["workload"])
    assert [p["via"] for p in trait.properties["paths"]] == ["gateway", "accelerator"]
    (through,) = trait.other_paths
    # the listener's 8443 reaches the endpoint as 443 (the port override), every hop on
    assert _hops(through) == [
        ("internet", "internet", ""),
        ("accelerator", names["accelerator"], ""),
        ("accelerator_listener", names["listener"], "tcp 443"),
        ("endpoint_group", names["group"], "tcp 443"),
        ("elastic_ip", names["eip"], "tcp 443"),
        ("internet_gateway", names["gateway"], "tcp 443"),
        ("route_table", names["table"], "tcp 443"),
        ("route", names["route"], "tcp 443"),
        ("security_group", names["sg"], "tcp 443"),
        ("security_group_rule", names["rule"], "tcp 443"),
        ("instance", names["workload"], "tcp 443"),
    ]
    endpoint = through[3].span  # the endpoint configuration naming the Elastic IP
    assert endpoint is not None
    lines = (FIXTURES / EIP_ENDPOINTS / file).read_text(encoding="utf-8").splitlines()
    assert any(names["endpoint_line"] in text for text in lines[endpoint.line - 1 : endpoint.end_line])
    assert "0.0.0.0/0" in _line(EIP_ENDPOINTS, file, through[-2])
    (path,) = _paths(EIP_ENDPOINTS, file, names["workload"], "accelerator")
    assert path["verdict"] == "open" and path["ports"] == "tcp 443"


@pytest.mark.parametrize(
    ("file", "workload", "group"),
    [(TF, "aws_instance.blocked", "aws_security_group.ssh_from_vpc"), (CFN, "Blocked", "SshFromVpcGroup")],
)
def test_an_elastic_ip_endpoint_whose_group_refuses_the_port_is_cut_there(file: str, workload: str, group: str) -> None:
    found = _exposure(EIP_ENDPOINTS, file, workload)
    assert found is not None and {t.rule_id for t in found.traits} == {"ec2-public-ip"}  # its Elastic IP, no more
    (path,) = _paths(EIP_ENDPOINTS, file, workload, "accelerator")
    assert path["verdict"] == "cut" and path["hop"] == group
    assert "admits tcp 443 from the internet" in path["why"] and "not the clients'" in path["why"]


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        (
            TF,
            {
                "aws_instance.unrouted": ("aws_route_table.unrouted", "cannot leave by aws_eip.unrouted"),
                "aws_instance.guarded": ("aws_network_acl.guarded", "no entry allowing tcp 443 in"),
            },
        ),
        (
            CFN,
            {
                "Unrouted": ("UnroutedRouteTable", "cannot leave by UnroutedIp"),
                "Guarded": ("GuardedAcl", "no entry allowing tcp 443 in"),
            },
        ),
    ],
)
def test_an_elastic_ip_endpoint_needs_the_route_back_and_the_network_acl(
    file: str, expected: dict[str, tuple[str, str]]
) -> None:
    """Global Accelerator's connections reach an Elastic IP as the internet's do: a subnet
    without a route to the internet gateway, or a NACL letting only ssh in, shuts the door."""
    for workload, (hop, phrase) in expected.items():
        (path,) = _paths(EIP_ENDPOINTS, file, workload, "accelerator")
        assert path["verdict"] == "cut" and path["hop"] == hop
        assert phrase in path["why"]
        found = _exposure(EIP_ENDPOINTS, file, workload)
        assert found is not None and {t.rule_id for t in found.traits} == {"ec2-public-ip"}


def test_removing_the_elastic_ip_closes_the_accelerator_door_too() -> None:
    found = _exposure(EIP_ENDPOINTS, TF, "aws_instance.web")
    assert found is not None
    removal = next(f for f in found.fixes if "remove the Elastic IP" in f.remediation)
    assert removal.outcome == "resolves"


@pytest.mark.parametrize(
    ("folder", "workload", "door", "hop"),
    [
        (IP_TARGETS, "aws_instance.app", "OPEN via load_balancer (IPv4) on tcp 8080", "aws_lb_target_group.by_ip"),
        (EIP_ENDPOINTS, "aws_instance.web", "OPEN via accelerator (IPv4) on tcp 443", "aws_eip.web"),
        (
            "accelerator-dual-stack-instance-ipv6",
            "aws_instance.web",
            "OPEN via accelerator (IPv6) on tcp 443",
            "aws_globalaccelerator_endpoint_group.web",
        ),
    ],
)
def test_explain_names_the_door(
    folder: str, workload: str, door: str, hop: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(
        app, ["explain", f"fixtures/reachability/{folder}", workload], env={"COLUMNS": "300", "NO_COLOR": "1"}
    )
    assert door in result.output
    assert hop in result.output


DUAL_STACK = "accelerator-dual-stack-instance-ipv6"


@pytest.mark.parametrize(
    ("file", "workload", "rule", "ipv6_source"),
    [
        (TF, "aws_instance.web", "aws_security_group.web.ingress[0]", "ipv6_cidr_blocks"),
        (CFN, "Web", "WebGroup.SecurityGroupIngress[1]", "CidrIpv6: ::/0"),
    ],
)
def test_a_dual_stack_accelerator_reaches_an_instance_endpoint_over_ipv6_from_its_clients(
    file: str, workload: str, rule: str, ipv6_source: str
) -> None:
    trait = _reachable(DUAL_STACK, file, workload)
    assert [(p["via"], p["family"]) for p in trait.properties["paths"]] == [
        ("accelerator", "IPv4"),
        ("accelerator", "IPv6"),
    ]
    (ipv6,) = trait.other_paths
    assert ipv6[0].description == "any IPv6 address on the internet"
    assert [(s.kind, s.ports) for s in ipv6[1:4]] == [
        ("accelerator", ""),
        ("accelerator_listener", "tcp 443"),
        ("endpoint_group", "tcp 443"),
    ]
    admitting = ipv6[-2]
    assert (admitting.kind, admitting.address, admitting.ports) == ("security_group_rule", rule, "tcp 443")
    assert ipv6_source in _line(DUAL_STACK, file, admitting)  # the IPv6 source the user edits
    assert (ipv6[-1].address, ipv6[-1].ports) == (workload, "tcp 443")


@pytest.mark.parametrize(
    ("file", "workload", "group"),
    [(TF, "aws_instance.ipv4_only", "aws_security_group.ipv4_only"), (CFN, "Ipv4Only", "Ipv4OnlyGroup")],
)
def test_a_dual_stack_accelerator_is_cut_over_ipv6_by_a_group_admitting_only_ipv4(
    file: str, workload: str, group: str
) -> None:
    trait = _reachable(DUAL_STACK, file, workload)
    assert [(p["via"], p["family"]) for p in trait.properties["paths"]] == [("accelerator", "IPv4")]
    by_family = {p["family"]: p for p in _paths(DUAL_STACK, file, workload, "accelerator")}
    assert by_family["IPv4"]["verdict"] == "open"
    assert by_family["IPv6"]["verdict"] == "cut" and by_family["IPv6"]["hop"] == group
    assert "from the IPv6 internet" in by_family["IPv6"]["why"]


def test_an_ipv4_accelerator_has_no_ipv6_door() -> None:
    """The Elastic IP fixture's accelerator is IPV4: no IPv6 accelerator path at all."""
    assert {p["family"] for p in _paths(EIP_ENDPOINTS, TF, "aws_instance.web", "accelerator")} == {"IPv4"}


def test_an_accelerator_whose_address_type_is_a_variable_is_possibly_dual_stack(tmp_path: Path) -> None:
    text = (FIXTURES / DUAL_STACK / TF).read_text(encoding="utf-8")
    assert 'ip_address_type = "DUAL_STACK"' in text
    text = text.replace('ip_address_type = "DUAL_STACK"', "ip_address_type = var.address_type")
    (tmp_path / TF).write_text(text + '\nvariable "address_type" {\n  type = string\n}\n', encoding="utf-8")
    result = scan([tmp_path], ScanOptions(root=tmp_path))
    report = json.loads(render_json(result))
    (found,) = [w for w in report["workloads"] if w["workload"] == "aws_instance.web"]
    by_family = {p["family"]: p for p in found["paths"] if p["via"] == "accelerator"}
    assert by_family["IPv4"]["verdict"] == "open"
    assert by_family["IPv6"]["verdict"] == "possible" and by_family["IPv6"]["ports"] == "tcp 443"
    explained = CliRunner().invoke(
        app, ["explain", str(tmp_path), "aws_instance.web"], env={"COLUMNS": "300", "NO_COLOR": "1"}
    )
    assert "ip_address_type is unknown (variable address_type has no value); assumed dual-stack" in explained.output
    assert "decided by: variable var.address_type" in explained.output


ACCELERATED_ALB = """
resource "aws_globalaccelerator_accelerator" "web" {
  name = "web"
}

resource "aws_globalaccelerator_listener" "http" {
  accelerator_arn = aws_globalaccelerator_accelerator.web.id
  protocol        = "TCP"

  port_range {
    from_port = 80
    to_port   = 80
  }
}

resource "aws_globalaccelerator_endpoint_group" "alb" {
  listener_arn = aws_globalaccelerator_listener.http.id

  endpoint_configuration {
    endpoint_id = aws_lb.web.arn
  }
}
"""


def test_a_door_ending_at_an_internal_load_balancer_follows_its_ip_targets(tmp_path: Path) -> None:
    """The IP target fixture with its ALB made internal and put behind Global Accelerator:
    the load balancer's own door is shut, the accelerator's reaches the interface's instance."""
    text = (FIXTURES / IP_TARGETS / TF).read_text(encoding="utf-8")
    facing = '  load_balancer_type = "application"\n'
    assert facing in text
    text = text.replace(facing, facing + "  internal           = true\n")
    (tmp_path / TF).write_text(text + ACCELERATED_ALB, encoding="utf-8")
    report = json.loads(render_json(scan([tmp_path], ScanOptions(root=tmp_path))))
    paths = {
        (w["workload"], p["via"]): p
        for w in report["workloads"]
        for p in w["paths"]
        if p["family"] == "IPv4" and p["via"] in ("load_balancer", "accelerator")
    }
    assert paths[("aws_instance.app", "load_balancer")]["hop"] == "aws_lb.web"  # internal
    opened = paths[("aws_instance.app", "accelerator")]
    assert opened["verdict"] == "open" and opened["ports"] == "tcp 8080"
    refused = paths[("aws_instance.refused", "accelerator")]
    assert refused["verdict"] == "cut" and refused["hop"] == "aws_security_group.refused"


LITERAL = "nlb-ip-target-literal-private-address"


@pytest.mark.parametrize(
    ("file", "names"),
    [
        (
            TF,
            {
                "workload": "aws_instance.app",
                "lb": "aws_lb.edge",
                "listener": "aws_lb_listener.tls",
                "tg": "aws_lb_target_group.by_ip",
                "rule": "aws_security_group.vpc_only.ingress[0]",
                "target": 'target_id        = "10.0.10.15"',
            },
        ),
        (
            CFN,
            {
                "workload": "App",
                "lb": "Edge",
                "listener": "TcpListener",
                "tg": "ByIpTargets",
                "rule": "VpcOnlyGroup.SecurityGroupIngress[0]",
                "target": "- Id: 10.0.10.15",
            },
        ),
    ],
)
def test_a_literal_ip_target_names_the_instance_written_with_that_address(file: str, names: dict[str, str]) -> None:
    trait = _reachable(LITERAL, file, names["workload"])
    assert trait.properties["via"] == "load_balancer" and trait.properties["ports"] == "tcp 8443"
    assert [(s.kind, s.address, s.ports) for s in trait.path if s.kind not in ("route_table", "route")] == [
        ("internet", "internet", ""),
        ("load_balancer", names["lb"], "tcp 443"),
        ("listener", names["listener"], "tcp 443"),
        ("target_group", names["tg"], "tcp 8443"),
        ("security_group_rule", names["rule"], "tcp 8443"),
        ("instance", names["workload"], "tcp 8443"),
    ]
    assert "10.0.0.0/16" in _line(LITERAL, file, trait.path[-2])  # the NLB's addresses are the source
    registered = next(r for r in trait.related if r.message == "registers the workload as a target")
    lines = (FIXTURES / LITERAL / file).read_text(encoding="utf-8").splitlines()
    assert names["target"] in lines[registered.span.line - 1]


@pytest.mark.parametrize(
    ("file", "refused", "group", "unwritten"),
    [
        (TF, "aws_instance.refused", "aws_security_group.office_only", "aws_instance.unwritten"),
        (CFN, "Refused", "OfficeOnlyGroup", "Unwritten"),
    ],
)
def test_a_literal_ip_target_is_cut_by_its_group_or_tied_to_nothing(
    file: str, refused: str, group: str, unwritten: str
) -> None:
    (path,) = _paths(LITERAL, file, refused, "load_balancer")
    assert path["verdict"] == "cut" and path["hop"] == group
    assert "client IP preservation is off" in path["why"]
    # an instance whose address is chosen at launch is not the target 10.0.10.99 in its subnet
    assert _paths(LITERAL, file, unwritten, "load_balancer") == []
    assert _exposure(LITERAL, file, unwritten) is None


def test_a_literal_address_written_for_two_instances_names_neither(tmp_path: Path) -> None:
    text = (FIXTURES / LITERAL / TF).read_text(encoding="utf-8")
    assert text.count('private_ip             = "10.0.10.16"') == 1
    (tmp_path / TF).write_text(text.replace('"10.0.10.16"', '"10.0.10.15"'), encoding="utf-8")
    report = json.loads(render_json(scan([tmp_path], ScanOptions(root=tmp_path))))
    for workload in ("aws_instance.app", "aws_instance.refused"):
        (found,) = [w for w in report["workloads"] if w["workload"] == workload]
        assert [p for p in found["paths"] if p["via"] == "load_balancer"] == []
