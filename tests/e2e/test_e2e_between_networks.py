"""Doors between networks, end to end on fixtures in both formats: transit gateways (route
tables, associations, propagations, blackholes), Direct Connect: each open path with its
ports per hop and lines, each cut path with the hop and the reason."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.reachability import PathReport, explain_paths
from scanner.findings import Trait
from scanner.graph import build_graph, workload_contexts
from scanner.options import ScanOptions
from scanner.rules.internet_reachable import ID as INTERNET_REACHABLE
from scanner.scan import load_configurations, scan
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures" / "reachability"
OPTIONS = ScanOptions(root=REPO)
TF, CFN = "main.tf", "template.yaml"


@cache
def _paths(behaviour: str, file: str, workload: str) -> tuple[PathReport, ...]:
    configurations, errors, _ = load_configurations([FIXTURES / behaviour / file], OPTIONS)
    assert not errors
    for configuration in configurations:
        for ctx in workload_contexts(build_graph(configuration), configuration):
            if ctx.address == workload:
                return tuple(explain_paths(ctx, NetworkMemo()))
    raise AssertionError(f"no workload {workload} in {behaviour}/{file}")


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


# --- transit gateway: route tables decide who reaches whom -------------------------------------

TGW = "transit-gateway-route-tables"
TGW_NAMES = {
    TF: {
        "workload": "aws_instance.app",
        "shared": "aws_ec2_transit_gateway_vpc_attachment.shared",
        "shared_table": "aws_ec2_transit_gateway_route_table.shared",
        "propagation": "aws_ec2_transit_gateway_route_table_propagation.app_to_shared",
        "hub": "aws_ec2_transit_gateway.hub",
        "app": "aws_ec2_transit_gateway_vpc_attachment.app",
        "route_table": "aws_route_table.app",
        "route": "aws_route_table.app.route[0]",
        "source_route": 'aws_route_table.others["shared"].route[0]',
        "rule": "aws_security_group.app.ingress[0]",
        "isolated_table": "aws_ec2_transit_gateway_route_table.isolated",
        "quarantine_table": "aws_ec2_transit_gateway_route_table.quarantine",
        "blackhole": "aws_ec2_transit_gateway_route.quarantine_blackhole",
        "lines": {
            "shared": 'resource "aws_ec2_transit_gateway_vpc_attachment" "shared"',
            "shared_table": 'resource "aws_ec2_transit_gateway_route_table_association" "shared"',
            "propagation": 'resource "aws_ec2_transit_gateway_route_table_propagation" "app_to_shared"',
            "hub": 'resource "aws_ec2_transit_gateway" "hub"',
            "app": 'resource "aws_ec2_transit_gateway_vpc_attachment" "app"',
            "route_table": 'resource "aws_route_table" "app"',
            "route": "route {",
            "source_route": "route {",
            "rule": 'cidr_blocks = ["10.0.0.0/8"]',
        },
    },
    CFN: {
        "workload": "App",
        "shared": "SharedAttachment",
        "shared_table": "SharedTable",
        "propagation": "AppToShared",
        "hub": "Hub",
        "app": "AppAttachment",
        "route_table": "AppRouteTable",
        "route": "AppToHub",
        "source_route": "SharedToHub",
        "rule": "AppGroup.SecurityGroupIngress[0]",
        "isolated_table": "IsolatedTable",
        "quarantine_table": "QuarantineTable",
        "blackhole": "QuarantineBlackhole",
        "lines": {
            "shared": "SharedAttachment:",
            "shared_table": "SharedAssociation:",
            "propagation": "AppToShared:",
            "hub": "Hub:",
            "app": "AppAttachment:",
            "route_table": "AppRouteTable:",
            "route": "AppToHub:",
            "source_route": "SharedToHub:",
            "rule": "CidrIp: 10.0.0.0/8",
        },
    },
}


@pytest.mark.parametrize("file", [TF, CFN])
def test_transit_gateway_opens_only_through_the_table_that_associates_and_propagates(file: str) -> None:
    names = TGW_NAMES[file]
    reports = _via(_paths(TGW, file, str(names["workload"])), "transit_gateway")
    assert len(reports) == 3  # one per other attachment
    open_ = [r for r in reports if r.open]
    assert len(open_) == 1 and not open_[0].possible
    path = open_[0]
    assert path.ports == "tcp 22"
    expected = [
        ("transit_gateway_vpc_attachment", "shared"),
        ("route", "source_route"),  # the shared VPC's subnet sends the app's range to the hub
        ("transit_gateway_route_table", "shared_table"),
        ("transit_gateway_route", "propagation"),
        ("transit_gateway", "hub"),
        ("transit_gateway_vpc_attachment", "app"),
        ("route_table", "route_table"),
        ("route", "route"),
        ("security_group_rule", "rule"),
    ]
    got = [(s.kind, s.address) for s in path.steps]
    assert got == [(kind, names[key]) for kind, key in expected] + [("instance", names["workload"])]
    lines = names["lines"]
    assert isinstance(lines, dict)
    for hop, (_, key) in zip(path.steps, expected, strict=False):
        assert hop.ports == "tcp 22", hop
        assert hop.span is not None
        assert lines[key] in _line(hop.span.file, hop.span.line), (key, hop.span)
    assert path.steps[0].description == f"10.2.0.0/16 through {names['hub']}"
    assert path.steps[3].description == f"propagated route 10.1.0.0/16 -> {names['app']}"


def test_transit_gateway_is_cut_where_the_other_vpc_sends_nothing_to_it(tmp_path: Path) -> None:
    """Traffic enters a transit gateway only where the source VPC's subnet routes it there:
    without the other VPCs' routes to the hub, every path is cut at their attachment."""
    text = (FIXTURES / TGW / TF).read_text(encoding="utf-8")
    (tmp_path / TF).write_text(text.split("# The other VPCs send")[0], encoding="utf-8")
    configurations, errors, _ = load_configurations([tmp_path / TF], ScanOptions(root=tmp_path))
    assert not errors
    ctx = next(c for c in workload_contexts(build_graph(configurations[0]), configurations[0]))
    reports = _via(tuple(explain_paths(ctx, NetworkMemo())), "transit_gateway")
    assert {(r.cut_at, r.cut) for r in reports} == {
        (
            f"aws_ec2_transit_gateway_vpc_attachment.{name}",
            f"no route table of aws_vpc.{name} sends 10.1.1.0/24 to aws_ec2_transit_gateway.hub (the main route table)",
        )
        for name in ("shared", "isolated", "quarantine")
    }


@pytest.mark.parametrize("file", [TF, CFN])
def test_transit_gateway_cut_paths_name_the_table_and_the_reason(file: str) -> None:
    names = TGW_NAMES[file]
    cuts = sorted(r.cut for r in _via(_paths(TGW, file, str(names["workload"])), "transit_gateway") if r.cut)
    assert cuts == [
        f"transit gateway route table {names['isolated_table']} has no route to 10.1.1.0/24",
        f"transit gateway route table {names['quarantine_table']} drops 10.1.1.0/24 "
        f"(blackhole route {names['blackhole']})",
    ]


@pytest.mark.parametrize("file", [TF, CFN])
def test_transit_gateway_path_makes_the_workload_reachable_from_the_other_vpc(file: str) -> None:
    names = TGW_NAMES[file]
    found = _trait(TGW, file, str(names["workload"]))
    assert found is not None
    assert found.properties["via"] == "transit_gateway"
    assert found.message.endswith("is reachable on tcp 22 through a transit gateway (IPv4)")
    assert found.location.address == names["rule"]


def test_transit_gateway_cut_when_the_subnet_does_not_route_back(tmp_path: Path) -> None:
    text = (
        (FIXTURES / TGW / TF)
        .read_text(encoding="utf-8")
        .replace('cidr_block         = "10.0.0.0/8"', 'cidr_block         = "10.3.0.0/16"', 1)  # the app's table
    )
    (tmp_path / TF).write_text(text, encoding="utf-8")
    configurations, errors, _ = load_configurations([tmp_path / TF], ScanOptions(root=tmp_path))
    assert not errors
    ctx = next(c for c in workload_contexts(build_graph(configurations[0]), configurations[0]))
    reports = [r for r in explain_paths(ctx, NetworkMemo()) if r.via == "transit_gateway"]
    cuts = [r.cut for r in reports]
    assert "aws_route_table.app has no route back to 10.2.0.0/16" in cuts
    assert not any(r.open for r in reports)


# --- Direct Connect: on-premises networks through a virtual private gateway ---------------------

DX = "direct-connect-gateway"
DX_NAMES = {
    TF: ("aws_instance.app", "aws_instance.vault", "aws_dx_gateway_association.vault"),
    CFN: ("App", "Vault", "VaultAssociation"),
}
DX_HOPS = {
    TF: [
        ("direct_connect_gateway", 'resource "aws_dx_gateway_association" "app"'),
        ("vpn_gateway", 'resource "aws_vpn_gateway" "app"'),
        ("route_table", 'resource "aws_route_table" "app"'),
        ("route", "route {"),
        ("security_group_rule", 'cidr_blocks = ["172.16.0.0/12"]'),
        ("instance", 'resource "aws_instance" "app"'),
    ],
    CFN: [
        ("direct_connect_gateway", "AppAssociation:"),
        ("vpn_gateway", "AppGateway:"),
        ("route_table", "AppRouteTable:"),
        ("route", "AppOnPremisesRoute:"),
        ("security_group_rule", "CidrIp: 172.16.0.0/12"),
        ("instance", "App:"),
    ],
}


@pytest.mark.parametrize("file", [TF, CFN])
def test_direct_connect_opens_when_the_association_advertises_the_vpc(file: str) -> None:
    app, _, _ = DX_NAMES[file]
    (path,) = _via(_paths(DX, file, app), "direct_connect")
    assert path.open and not path.possible
    assert path.ports == "tcp 443"
    assert [s.kind for s in path.steps] == [kind for kind, _ in DX_HOPS[file]]
    for hop, (_, text) in zip(path.steps, DX_HOPS[file], strict=True):
        assert hop.ports == "tcp 443"
        assert hop.span is not None
        assert text in _line(hop.span.file, hop.span.line), (hop.kind, hop.span)


@pytest.mark.parametrize("file", [TF, CFN])
def test_direct_connect_cut_when_the_allowed_prefixes_leave_the_vpc_out(file: str) -> None:
    _, vault, association = DX_NAMES[file]
    (path,) = _via(_paths(DX, file, vault), "direct_connect")
    assert path.cut == (
        f"Direct Connect gateway association {association} does not advertise 10.2.0.0/16 "
        "(allowed prefixes 10.9.0.0/16)"
    )


# --- PrivateLink: consumers of an endpoint service in front of an NLB ---------------------------

PL = "privatelink-endpoint-service"
PL_NAMES = {
    TF: ("aws_instance.open", "aws_instance.partner", "aws_vpc_endpoint_service.open", "aws_lb.open"),
    CFN: ("Open", "Partner", "OpenService", "OpenLb"),
}


@pytest.mark.parametrize("file", [TF, CFN])
def test_privatelink_open_to_every_account_is_internet_reachable(file: str) -> None:
    open_one, _, service, lb = PL_NAMES[file]
    (path,) = _via(_paths(PL, file, open_one), "privatelink")
    assert path.open and not path.possible
    assert [(s.kind, s.address, s.ports) for s in path.steps] == [
        ("privatelink_consumers", "*", "tcp 8080"),
        ("vpc_endpoint_service", service, "tcp 8080"),
        ("load_balancer", lb, "tcp 8080"),
        (
            "security_group_rule",
            "aws_security_group.app.ingress[0]" if file == TF else "AppGroup.SecurityGroupIngress[0]",
            "tcp 8080",
        ),
        ("instance", open_one, "tcp 8080"),
    ]
    consumers = path.steps[0]
    assert consumers.span is not None
    assert ("allowed_principals" if file == TF else "AllowedPrincipals") in _line(
        consumers.span.file, consumers.span.line
    )
    rule = path.steps[3]
    assert rule.span is not None
    assert "10.0.1.0/24" in _line(rule.span.file, rule.span.line)
    found = _trait(PL, file, open_one)
    assert found is not None and found.properties["via"] == "privatelink"


@pytest.mark.parametrize("file", [TF, CFN])
def test_privatelink_named_account_is_restricted_not_an_exposure(file: str) -> None:
    _, partner, _, _ = PL_NAMES[file]
    (path,) = _via(_paths(PL, file, partner), "privatelink")
    assert not path.open
    assert path.restricted == (
        "reachable on tcp 8080 through PrivateLink from endpoints of arn:aws:iam::123456789012:root only"
    )
    assert _trait(PL, file, partner) is None


# --- Network Firewall in the route path ----------------------------------------------------------

NFW = "network-firewall-in-the-path"
NFW_NAMES = {
    TF: {
        "app": "aws_instance.app",
        "admin": "aws_instance.admin",
        "firewall": "aws_networkfirewall_firewall.main",
        "policy": "aws_networkfirewall_firewall_policy.main",
        "edge": "aws_networkfirewall_rule_group.edge",
        "table": "aws_route_table.protected",
        "route": "aws_route_table.protected.route[0]",
        "lines": (
            'resource "aws_networkfirewall_firewall" "main"',
            'resource "aws_route_table" "protected"',
            "route {",
        ),
    },
    CFN: {
        "app": "App",
        "admin": "Admin",
        "firewall": "Firewall",
        "policy": "Policy",
        "edge": "EdgeRules",
        "table": "ProtectedRouteTable",
        "route": "ProtectedInternetRoute",
        "lines": ("Firewall:", "ProtectedRouteTable:", "ProtectedInternetRoute:"),
    },
}


@pytest.mark.parametrize("file", [TF, CFN])
def test_network_firewall_passes_only_what_its_rules_pass_and_says_so_at_its_hop(file: str) -> None:
    names = NFW_NAMES[file]
    (path,) = [r for r in _via(_paths(NFW, file, str(names["app"])), "gateway") if r.version == 4]
    assert path.open and not path.possible
    assert path.ports == "tcp 443"  # the groups admit 22, 80 and 443: 22 stateless-dropped, 80 stateful-dropped
    hops = path.steps[1:4]
    assert [(s.kind, s.address) for s in hops] == [
        ("network_firewall", names["firewall"]),
        ("route_table", names["table"]),
        ("route", names["route"]),
    ]
    assert hops[0].description == f"inspected by Network Firewall policy {names['policy']}"
    for hop, text in zip(hops, names["lines"], strict=True):
        assert hop.ports == "tcp 443"
        assert hop.span is not None
        assert str(text) in _line(hop.span.file, hop.span.line)
    found = _trait(NFW, file, str(names["app"]))
    assert found is not None and found.properties["ports"] == "tcp 443"


@pytest.mark.parametrize("file", [TF, CFN])
def test_network_firewall_drop_cuts_the_path_naming_the_rule_group(file: str) -> None:
    names = NFW_NAMES[file]
    (path,) = [r for r in _via(_paths(NFW, file, str(names["admin"])), "gateway") if r.version == 4]
    assert path.cut == f"Network Firewall policy {names['policy']} rule group {names['edge']} drops tcp 22"
    assert _trait(NFW, file, str(names["admin"])) is None


GWLB_TF = """
resource "aws_vpc_endpoint" "inspection" {
  vpc_id            = aws_vpc.main.id
  vpc_endpoint_type = "GatewayLoadBalancer"
  service_name      = "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"
  subnet_ids        = [aws_subnet.firewall.id]
}
"""
GWLB_CFN = """  Inspection:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      VpcEndpointType: GatewayLoadBalancer
      ServiceName: com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0
      SubnetIds: [!Ref FirewallSubnet]
"""


@pytest.mark.parametrize("file", [TF, CFN])
def test_gateway_load_balancer_endpoint_on_the_route_passes_with_a_named_assumption(file: str, tmp_path: Path) -> None:
    text = (FIXTURES / NFW / file).read_text(encoding="utf-8")
    if file == TF:
        firewall_endpoint = (
            "tolist(aws_networkfirewall_firewall.main.firewall_status[0].sync_states)[0].attachment[0].endpoint_id"
        )
        text = text.replace(
            f"vpc_endpoint_id = {firewall_endpoint}", "vpc_endpoint_id = aws_vpc_endpoint.inspection.id", 1
        )
        text += GWLB_TF
        endpoint = "aws_vpc_endpoint.inspection"
    else:
        text = text.replace(
            'VpcEndpointId: !Select [1, !Split [":", !Select [0, !GetAtt Firewall.EndpointIds]]]',
            "VpcEndpointId: !Ref Inspection",
            1,
        )
        text += GWLB_CFN
        endpoint = "Inspection"
    (tmp_path / file).write_text(text, encoding="utf-8")
    configurations, errors, _ = load_configurations([tmp_path / file], ScanOptions(root=tmp_path))
    assert not errors
    contexts = workload_contexts(build_graph(configurations[0]), configurations[0])
    admin = next(c for c in contexts if c.address in ("aws_instance.admin", "Admin"))
    (path,) = [r for r in explain_paths(admin, NetworkMemo()) if r.via == "gateway" and r.version == 4]
    assert path.open and path.possible  # the appliances are not in the configuration
    assert path.ports == "tcp 22"
    assert ("gateway_load_balancer_endpoint", endpoint) in [(s.kind, s.address) for s in path.steps]
    assert any("Gateway Load Balancer appliances outside this configuration" in a for a in path.assumptions)


VPN_TF = """
resource "aws_customer_gateway" "office" {
  bgp_asn    = 65000
  ip_address = "198.51.100.7"
  type       = "ipsec.1"
}

resource "aws_vpn_connection" "office" {
  customer_gateway_id = aws_customer_gateway.office.id
  transit_gateway_id  = aws_ec2_transit_gateway.hub.id
  type                = "ipsec.1"
}
"""


def test_transit_gateway_vpn_attachment_without_a_route_table_is_cut_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / TF).write_text((FIXTURES / TGW / TF).read_text(encoding="utf-8") + VPN_TF, encoding="utf-8")
    configurations, errors, _ = load_configurations([tmp_path / TF], ScanOptions(root=tmp_path))
    assert not errors
    ctx = next(iter(workload_contexts(build_graph(configurations[0]), configurations[0])))
    vpn = [r for r in explain_paths(ctx, NetworkMemo()) if r.steps and r.steps[0].kind == "vpn_connection"]
    assert [r.cut for r in vpn] == [
        "aws_vpn_connection.office is associated with no transit gateway route table "
        "(aws_ec2_transit_gateway.hub has default route table association disabled)"
    ]
    assert vpn[0].steps[0].description == (
        "(unknown: the on-premises networks of aws_vpn_connection.office, learned over BGP) "
        "through aws_ec2_transit_gateway.hub"
    )


@pytest.mark.parametrize("file", [TF, CFN])
def test_why_not_names_the_hop_of_each_cut_door(file: str) -> None:
    from scanner.analyses.reachability.verdicts import path_verdict

    tgw = TGW_NAMES[file]
    verdicts = {
        (v.hop, v.why)
        for r in _via(_paths(TGW, file, str(tgw["workload"])), "transit_gateway")
        if (v := path_verdict(r, str(tgw["workload"]))).verdict == "cut"
    }
    assert (
        str(tgw["isolated_table"]),
        f"transit gateway route table {tgw['isolated_table']} has no route to 10.1.1.0/24",
    ) in verdicts
    _, vault, association = DX_NAMES[file]
    (dx,) = _via(_paths(DX, file, vault), "direct_connect")
    assert path_verdict(dx, vault).hop == association
    nfw = NFW_NAMES[file]
    (fw,) = [r for r in _via(_paths(NFW, file, str(nfw["admin"])), "gateway") if r.version == 4]
    assert path_verdict(fw, str(nfw["admin"])).hop == nfw["firewall"]


def test_a_route_to_the_gateway_for_networks_no_attachment_here_holds_is_possible(tmp_path: Path) -> None:
    """A transit gateway defined here whose other attachments are elsewhere (another account,
    another configuration): the route's destination is the source, assumed, named."""
    text = (FIXTURES / TGW / TF).read_text(encoding="utf-8")
    text = text.replace(
        '  route {\n    cidr_block         = "10.0.0.0/8"\n',
        '  route {\n    cidr_block         = "172.16.0.0/12"\n    transit_gateway_id = aws_ec2_transit_gateway.hub.id\n'
        '  }\n\n  route {\n    cidr_block         = "10.0.0.0/8"\n',
        1,
    ).replace('cidr_blocks = ["10.0.0.0/8"]', 'cidr_blocks = ["10.0.0.0/8", "172.16.0.0/12"]', 1)
    (tmp_path / TF).write_text(text, encoding="utf-8")
    configurations, errors, _ = load_configurations([tmp_path / TF], ScanOptions(root=tmp_path))
    assert not errors
    ctx = next(c for c in workload_contexts(build_graph(configurations[0]), configurations[0]))
    reports = _via(tuple(explain_paths(ctx, NetworkMemo())), "transit_gateway")
    beyond = [r for r in reports if r.open and any("172.16.0.0/12" in a for a in r.assumptions)]
    assert len(beyond) == 1 and beyond[0].possible and beyond[0].ports == "tcp 22"
    assert beyond[0].assumptions[0] == (
        "no attachment of aws_ec2_transit_gateway.hub in this configuration holds 172.16.0.0/12; assumed one "
        "outside it (another account or configuration) sends it to this VPC"
    )
    assert len(reports) == 4  # the three attachments here, and the networks beyond them
