"""Client VPN endpoints and Global Accelerator custom routing accelerators, end to end on
fixtures: each open path with its hops, ports and the lines they point at, each cut path
with the hop and the reason ``explain`` shows; Client VPN in both formats, custom routing
in Terraform only (CloudFormation has no custom routing resource types)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.reachability import PathReport, explain_paths
from scanner.analyses.reachability.accelerator import DENIED_UNTIL_ALLOWED
from scanner.cli import app
from scanner.findings import Trait
from scanner.graph import build_graph, workload_contexts
from scanner.options import ScanOptions
from scanner.rules.internet_reachable import ID as INTERNET_REACHABLE
from scanner.scan import load_configurations, scan
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures" / "reachability"
OPTIONS = ScanOptions(root=REPO)
TF, CFN = "main.tf", "template.yaml"
APP = {TF: "aws_instance.app", CFN: "App"}


def _paths_in(target: Path, workload: str) -> tuple[PathReport, ...]:
    root = REPO if target.is_relative_to(REPO) else target.parent
    configurations, errors, _ = load_configurations([target], ScanOptions(root=root))
    assert not errors
    for configuration in configurations:
        for ctx in workload_contexts(build_graph(configuration), configuration):
            if ctx.address == workload:
                return tuple(explain_paths(ctx, NetworkMemo()))
    raise AssertionError(f"no workload {workload} in {target}")


@cache
def _paths(behaviour: str, file: str, workload: str) -> tuple[PathReport, ...]:
    return _paths_in(FIXTURES / behaviour / file, workload)


def _trait(behaviour: str, file: str, workload: str) -> Trait | None:
    result = scan([FIXTURES / behaviour / file], OPTIONS)
    assert not result.all_errors, result.all_errors
    for exposure in result.exposures:
        if exposure.workload == workload:
            return next((t for t in exposure.traits if t.rule_id == INTERNET_REACHABLE), None)
    return None


def _line(span_file: str, number: int) -> str:
    return (REPO / span_file).read_text(encoding="utf-8").splitlines()[number - 1]


def _via(reports: tuple[PathReport, ...], via: str) -> list[PathReport]:
    return [r for r in reports if r.via == via]


def _explain(behaviour: str, file: str, workload: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(
        app,
        ["explain", f"fixtures/reachability/{behaviour}/{file}", workload],
        env={"COLUMNS": "400", "NO_COLOR": "1"},
    )
    assert result.exit_code in (0, 1), result.output  # 1: the workload has findings
    return " ".join(result.output.split())  # the reasons, whatever the wrapping


# --- Client VPN ----------------------------------------------------------------------------------

OPEN = "client-vpn-authorized-subnet-reachable"
OPEN_HOPS = {
    TF: [
        ("client_vpn_endpoint", "aws_ec2_client_vpn_endpoint.corp", 'resource "aws_ec2_client_vpn_endpoint" "corp"'),
        ("client_vpn_authorization", "aws_ec2_client_vpn_authorization_rule.app", "target_network_cidr"),
        (
            "client_vpn_association",
            "aws_ec2_client_vpn_network_association.corp",
            'resource "aws_ec2_client_vpn_network_association" "corp"',
        ),
        ("network_acl", "aws_network_acl.app", 'resource "aws_network_acl" "app"'),
        ("security_group_rule", "aws_security_group.app.ingress[0]", "security_groups = [aws_security_group.vpn.id]"),
        ("instance", "aws_instance.app", 'resource "aws_instance" "app"'),
    ],
    CFN: [
        ("client_vpn_endpoint", "Corp", "Corp:"),
        ("client_vpn_authorization", "AppAuthorization", "TargetNetworkCidr: !GetAtt AppSubnet.CidrBlock"),
        ("client_vpn_association", "CorpAssociation", "CorpAssociation:"),
        ("network_acl", "AppAcl", "AppAcl:"),
        ("security_group_rule", "AppGroup.SecurityGroupIngress[0]", "SourceSecurityGroupId: !Ref VpnGroup"),
        ("instance", "App", "App:"),
    ],
}


@pytest.mark.parametrize("file", [TF, CFN])
def test_client_vpn_clients_reach_an_authorized_subnet_admitting_the_endpoint_group(file: str) -> None:
    (path,) = _via(_paths(OPEN, file, APP[file]), "client_vpn")
    assert path.open and not path.possible
    assert path.ports == "tcp 22"
    assert [(s.kind, s.address) for s in path.steps] == [(kind, address) for kind, address, _ in OPEN_HOPS[file]]
    for hop, (_, _, text) in zip(path.steps, OPEN_HOPS[file], strict=True):
        assert hop.ports == "tcp 22", hop
        assert hop.span is not None and text in _line(hop.span.file, hop.span.line), (hop.kind, hop.span)
    assert "client CIDR 172.16.0.0/22" in path.steps[0].description
    assert path.steps[1].description == "authorizes 10.0.1.0/24 for all clients"
    found = _trait(OPEN, file, APP[file])
    assert found is not None and not found.assumptions
    assert found.properties["via"] == "client_vpn"
    assert "is reachable on tcp 22 from Client VPN clients (IPv4)" in found.message
    text = "security_groups = [aws_security_group.vpn.id]" if file == TF else "SourceSecurityGroupId: !Ref VpnGroup"
    assert text in _line(found.location.span.file, found.location.span.line)


CUT_AUTHORIZATION = "client-vpn-no-authorization-rule-cut"
ENDPOINT = {TF: "aws_ec2_client_vpn_endpoint.corp", CFN: "Corp"}


@pytest.mark.parametrize("file", [TF, CFN])
def test_client_vpn_without_an_authorization_rule_for_the_workload_is_cut_at_the_endpoint(file: str) -> None:
    (path,) = _via(_paths(CUT_AUTHORIZATION, file, APP[file]), "client_vpn")
    assert path.cut == (
        f"no authorization rule of Client VPN endpoint {ENDPOINT[file]} covers 10.0.1.0/24 "
        "(its rules authorize 10.0.5.0/24): clients are refused"
    )
    assert path.cut_at == ENDPOINT[file]
    assert [s.kind for s in path.steps] == ["client_vpn_endpoint"]
    assert _trait(CUT_AUTHORIZATION, file, APP[file]) is None


CUT_GROUP = "client-vpn-sg-refuses-endpoint-group-cut"
GROUPS = {TF: ("aws_security_group.app", "aws_security_group.vpn"), CFN: ("AppGroup", "VpnGroup")}


@pytest.mark.parametrize("file", [TF, CFN])
def test_client_vpn_clients_do_not_arrive_from_the_client_cidr(file: str) -> None:
    """The group admits the client CIDR: the endpoint translates the clients' addresses to
    its own, so nothing gets in (cut at the workload's group, naming both)."""
    app_group, vpn_group = GROUPS[file]
    (path,) = _via(_paths(CUT_GROUP, file, APP[file]), "client_vpn")
    assert path.cut == (
        f"no rule of {app_group} admits the Client VPN endpoint's security groups ({vpn_group}) or its subnets "
        "(10.0.0.0/24): clients arrive from the endpoint's addresses, not from the client CIDR 172.16.0.0/22"
    )
    assert path.cut_at == app_group
    assert [s.kind for s in path.steps] == [
        "client_vpn_endpoint",
        "client_vpn_authorization",
        "client_vpn_association",
    ]
    assert _trait(CUT_GROUP, file, APP[file]) is None


@pytest.mark.parametrize("file", [TF, CFN])
def test_explain_names_the_client_vpn_hops_and_cuts(file: str, monkeypatch: pytest.MonkeyPatch) -> None:
    shown = _explain(OPEN, file, APP[file], monkeypatch)
    assert "OPEN via client_vpn (IPv4) on tcp 22" in shown
    assert "(clients' addresses translated to theirs)" in shown
    shown = _explain(CUT_AUTHORIZATION, file, APP[file], monkeypatch)
    assert "cut via client_vpn (IPv4)" in shown
    assert f"cut at {ENDPOINT[file]}: no authorization rule of Client VPN endpoint" in shown
    shown = _explain(CUT_GROUP, file, APP[file], monkeypatch)
    assert f"cut at {GROUPS[file][0]}: no rule of {GROUPS[file][0]} admits the Client VPN endpoint's" in shown


def _edited(tmp_path: Path, behaviour: str, old: str, new: str, more: str = "") -> Path:
    text = (FIXTURES / behaviour / TF).read_text(encoding="utf-8")
    assert old in text
    folder = tmp_path / behaviour
    folder.mkdir()
    (folder / TF).write_text(text.replace(old, new) + more, encoding="utf-8")
    return folder / TF


def test_client_vpn_authorization_target_not_known_offline_is_possible_and_named(tmp_path: Path) -> None:
    target = _edited(
        tmp_path,
        OPEN,
        "target_network_cidr    = aws_subnet.app.cidr_block",
        "target_network_cidr    = var.authorized",
        '\nvariable "authorized" {\n  type = string\n}\n',
    )
    (path,) = _via(_paths_in(target, "aws_instance.app"), "client_vpn")
    assert path.open and path.possible
    assert any(
        a.startswith("aws_ec2_client_vpn_authorization_rule.app: whether") and "assumed it does" in a
        for a in path.assumptions
    ), path.assumptions
    assert any("authorized" in str(o) for o in path.unknowns), path.unknowns


def test_client_vpn_without_groups_applies_the_vpc_default_group(tmp_path: Path) -> None:
    """No security_group_ids: AWS applies the VPC's default group, which a rule naming the
    endpoint's written group no longer matches; a workload in the default group (inbound
    from itself) admits the endpoint."""
    target = _edited(
        tmp_path,
        OPEN,
        "  security_group_ids     = [aws_security_group.vpn.id]\n",
        "",
    )
    (path,) = _via(_paths_in(target, "aws_instance.app"), "client_vpn")
    assert path.cut is not None and "(aws_vpc.app#default-sg)" in path.cut
    text = target.read_text(encoding="utf-8").replace("  vpc_security_group_ids = [aws_security_group.app.id]\n", "")
    target.write_text(text, encoding="utf-8")
    (path,) = _via(_paths_in(target, "aws_instance.app"), "client_vpn")
    assert path.open and path.ports == "tcp 22"  # what the NACL lets in of all traffic
    assert path.steps[-2].address == "aws_vpc.app#default-sg.ingress[0]"


def test_client_vpn_does_not_reach_another_vpc_without_a_route(tmp_path: Path) -> None:
    target = _edited(tmp_path, OPEN, "  vpc_id                 = aws_vpc.app.id\n", "")
    assert _via(_paths_in(target, "aws_instance.app"), "client_vpn")  # its association's VPC
    text = target.read_text(encoding="utf-8")
    text = text.replace(
        'resource "aws_subnet" "endpoint" {\n  vpc_id     = aws_vpc.app.id',
        'resource "aws_vpc" "remote" {\n  cidr_block = "10.9.0.0/16"\n}\n\n'
        'resource "aws_subnet" "endpoint" {\n  vpc_id     = aws_vpc.remote.id',
    ).replace('cidr_block = "10.0.0.0/24"', 'cidr_block = "10.9.0.0/24"')
    target.write_text(text, encoding="utf-8")
    assert _via(_paths_in(target, "aws_instance.app"), "client_vpn") == []
    target.write_text(
        text
        + '\nresource "aws_ec2_client_vpn_route" "app" {\n'
        + "  client_vpn_endpoint_id = aws_ec2_client_vpn_endpoint.corp.id\n"
        + '  destination_cidr_block = "10.0.0.0/16"\n'
        + "  target_vpc_subnet_id   = aws_subnet.endpoint.id\n}\n",
        encoding="utf-8",
    )
    (path,) = _via(_paths_in(target, "aws_instance.app"), "client_vpn")
    assert "client_vpn_route" in [s.kind for s in path.steps]
    # the endpoint's subnet has only its VPC's local route: the Client VPN route leads nowhere
    assert not path.open and path.cut_at == "aws_ec2_client_vpn_network_association.corp"
    assert path.cut is not None and "send 10.0.1.0/24 to no peering connection" in path.cut
    peered = (
        '\nresource "aws_vpc_peering_connection" "remote_app" {\n'
        "  vpc_id      = aws_vpc.remote.id\n  peer_vpc_id = aws_vpc.app.id\n}\n\n"
        'resource "aws_route_table" "endpoint" {\n  vpc_id = aws_vpc.remote.id\n  route {\n'
        '    cidr_block                = "10.0.0.0/16"\n'
        "    vpc_peering_connection_id = aws_vpc_peering_connection.remote_app.id\n  }\n}\n\n"
        'resource "aws_route_table_association" "endpoint" {\n  subnet_id      = aws_subnet.endpoint.id\n'
        "  route_table_id = aws_route_table.endpoint.id\n}\n"
    )
    target.write_text(target.read_text(encoding="utf-8") + peered, encoding="utf-8")
    (path,) = _via(_paths_in(target, "aws_instance.app"), "client_vpn")
    assert path.open and path.possible  # the way on from the endpoint's VPC is not followed: named
    assert (
        "aws_ec2_client_vpn_route.app: the path from aws_vpc.remote on to aws_vpc.app through "
        "aws_vpc_peering_connection.remote_app (vpc_peering) is not followed; assumed it carries the traffic"
    ) in path.assumptions


def test_client_vpn_cut_by_the_endpoint_subnets_nacl_on_the_way_out(tmp_path: Path) -> None:
    """The endpoint's interfaces send to the workload out of their own subnet: its NACL must
    let the port out to the workload's subnet."""
    more = (
        '\nresource "aws_network_acl" "endpoint" {\n'
        "  vpc_id     = aws_vpc.app.id\n"
        "  subnet_ids = [aws_subnet.endpoint.id]\n\n"
        "  egress {\n"
        "    rule_no    = 100\n"
        '    protocol   = "tcp"\n'
        '    action     = "allow"\n'
        '    cidr_block = "10.0.9.0/24"\n'
        "    from_port  = 22\n"
        "    to_port    = 22\n"
        "  }\n}\n"
    )
    target = _edited(tmp_path, OPEN, "# A Client VPN", "# A Client VPN", more)
    (path,) = _via(_paths_in(target, "aws_instance.app"), "client_vpn")
    assert path.cut == (
        "network ACL aws_network_acl.endpoint of the Client VPN endpoint's subnets does not let tcp 22 out to "
        "aws_instance.app's subnet (or the replies back in)"
    )
    assert path.cut_at == "aws_network_acl.endpoint"


# --- Global Accelerator custom routing -----------------------------------------------------------

CUSTOM = "ga-custom-routing-subnet-possible"
CUSTOM_HOPS = [
    ("internet", "internet", None),
    (
        "accelerator",
        "aws_globalaccelerator_custom_routing_accelerator.game",
        'resource "aws_globalaccelerator_custom_routing_accelerator" "game"',
    ),
    (
        "accelerator_listener",
        "aws_globalaccelerator_custom_routing_listener.game",
        'resource "aws_globalaccelerator_custom_routing_listener" "game"',
    ),
    ("endpoint_group", "aws_globalaccelerator_custom_routing_endpoint_group.game", "endpoint_configuration {"),
    ("security_group", "aws_security_group.game", "vpc_security_group_ids"),
    ("security_group_rule", "aws_security_group.game.ingress[0]", 'cidr_blocks = ["0.0.0.0/0"]'),
    ("instance", "aws_instance.game", 'resource "aws_instance" "game"'),
]


def test_a_custom_routing_subnet_endpoint_is_possibly_reachable_on_its_destination_ports() -> None:
    reports = _paths(CUSTOM, TF, "aws_instance.game")
    (path,) = _via(reports, "accelerator")
    assert path.open and path.possible
    assert path.ports == "udp 7000-7010"
    assert path.assumptions == (f"aws_globalaccelerator_custom_routing_endpoint_group.game: {DENIED_UNTIL_ALLOWED}",)
    assert [(s.kind, s.address) for s in path.steps] == [(kind, address) for kind, address, _ in CUSTOM_HOPS]
    for hop, (_, _, text) in zip(path.steps, CUSTOM_HOPS, strict=True):
        if text is None:
            assert hop.span is None
        else:
            assert hop.span is not None and text in _line(hop.span.file, hop.span.line), (hop.kind, hop.span)
    assert all(r.cut for r in reports if r.via == "gateway")  # private: no other door
    found = _trait(CUSTOM, TF, "aws_instance.game")
    assert found is not None
    assert "reachable on udp 7000-7010 through Global Accelerator" in found.message
    assert found.assumptions == path.assumptions  # possible, and why
    assert 'cidr_blocks = ["0.0.0.0/0"]' in _line(found.location.span.file, found.location.span.line)


def test_a_custom_routing_destination_port_the_group_refuses_is_cut() -> None:
    behaviour = "ga-custom-routing-group-refuses-destination-ports-cut"
    (path,) = _via(_paths(behaviour, TF, "aws_instance.game"), "accelerator")
    assert path.cut == (
        "no rule of aws_security_group.game admits udp 7000-7010 from the internet (Global Accelerator keeps the "
        "clients' addresses)"
    )
    assert path.cut_at == "aws_security_group.game"
    assert _trait(behaviour, TF, "aws_instance.game") is None


def test_a_disabled_custom_routing_accelerator_is_cut(tmp_path: Path) -> None:
    target = _edited(tmp_path, CUSTOM, "enabled         = true", "enabled         = false")
    (path,) = _via(_paths_in(target, "aws_instance.game"), "accelerator")
    assert path.cut == "aws_globalaccelerator_custom_routing_accelerator.game is disabled (not enabled)"


def test_explain_says_why_custom_routing_is_only_possible(monkeypatch: pytest.MonkeyPatch) -> None:
    shown = _explain(CUSTOM, TF, "aws_instance.game", monkeypatch)
    assert "via accelerator (IPv4) on udp 7000-7010" in shown
    assert DENIED_UNTIL_ALLOWED in shown
