"""Inspection appliances on private paths, end to end on fixtures in both formats: a Network
Firewall between the workload's subnet and a peering connection or a transit gateway (what it
drops is cut at its hop, what it passes goes on with the hop saying so), a Gateway Load
Balancer endpoint before a virtual private gateway (passes, assumed, named), each with its
ports per hop and the lines the user edits."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.reachability import PathReport, explain_paths
from scanner.analyses.reachability.verdicts import path_verdict
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


def _reports(path: Path, workload: str, root: Path = REPO) -> tuple[PathReport, ...]:
    configurations, errors, _ = load_configurations([path], ScanOptions(root=root))
    assert not errors
    for configuration in configurations:
        for ctx in workload_contexts(build_graph(configuration), configuration):
            if ctx.address == workload:
                return tuple(explain_paths(ctx, NetworkMemo()))
    raise AssertionError(f"no workload {workload} in {path}")


@cache
def _path(behaviour: str, file: str, workload: str, via: str) -> PathReport:
    (found,) = [r for r in _reports(FIXTURES / behaviour / file, workload) if r.via == via]
    return found


def _trait(behaviour: str, file: str, workload: str) -> Trait | None:
    result = scan([FIXTURES / behaviour / file], OPTIONS)
    assert not result.all_errors, result.all_errors
    for exposure in result.exposures:
        if exposure.workload == workload:
            return next((t for t in exposure.traits if t.rule_id == INTERNET_REACHABLE), None)
    return None


def _line(span_file: str, number: int) -> str:
    return (REPO / span_file).read_text(encoding="utf-8").splitlines()[number - 1]


def _assert_hops(path: PathReport, expected: list[tuple[str, str, str]], ports: str) -> None:
    """The path's first hops are ``expected`` (kind, address, text on the hop's line), each
    carrying ``ports``."""
    hops = path.steps[: len(expected)]
    assert [(s.kind, s.address) for s in hops] == [(kind, address) for kind, address, _ in expected]
    for hop, (_, _, text) in zip(hops, expected, strict=True):
        assert hop.ports == ports
        assert hop.span is not None
        assert text in _line(hop.span.file, hop.span.line)


# --- a Network Firewall between the subnet and a peering connection ------------------------------

PEERING = "network-firewall-on-peering-path"
PEERING_NAMES = {
    TF: {
        "db": "aws_instance.db",
        "admin": "aws_instance.admin",
        "peering": "aws_vpc_peering_connection.shared",
        "firewall": "aws_networkfirewall_firewall.main",
        "policy": "aws_networkfirewall_firewall_policy.main",
        "edge": "aws_networkfirewall_rule_group.edge",
        "onward": "aws_route.firewall_to_peer",
        "table": "aws_route_table.protected",
        "route": "aws_route.protected_to_peer",
        "rule": "aws_security_group.db.ingress[0]",
        "lines": (
            'resource "aws_vpc_peering_connection" "shared"',
            'resource "aws_networkfirewall_firewall" "main"',
            'resource "aws_route" "firewall_to_peer"',
            'resource "aws_route_table" "protected"',
            'resource "aws_route" "protected_to_peer"',
            'cidr_blocks = ["172.16.0.0/12"]',
        ),
    },
    CFN: {
        "db": "Db",
        "admin": "Admin",
        "peering": "Peering",
        "firewall": "Firewall",
        "policy": "Policy",
        "edge": "EdgeRules",
        "onward": "FirewallToPeer",
        "table": "ProtectedRouteTable",
        "route": "ProtectedToPeer",
        "rule": "DbGroup.SecurityGroupIngress[0]",
        "lines": (
            "Peering:",
            "Firewall:",
            "FirewallToPeer:",
            "ProtectedRouteTable:",
            "ProtectedToPeer:",
            "CidrIp: 172.16.0.0/12",
        ),
    },
}


@pytest.mark.parametrize("file", [TF, CFN])
def test_peering_path_through_a_firewall_keeps_what_it_passes_and_the_hop_says_so(file: str) -> None:
    names = PEERING_NAMES[file]
    path = _path(PEERING, file, names["db"], "vpc_peering")
    assert path.open and not path.possible
    assert path.ports == "tcp 5432"  # the group admits 5432 and 3306: the stateful group drops 3306
    kinds = ("vpc_peering", "network_firewall", "route", "route_table", "route", "security_group_rule")
    addresses = ("peering", "firewall", "onward", "table", "route", "rule")
    _assert_hops(
        path,
        [(k, str(names[a]), line) for k, a, line in zip(kinds, addresses, names["lines"], strict=True)],
        "tcp 5432",
    )
    assert path.steps[1].description == (
        f"through {names['firewall']}, inspected by Network Firewall policy {names['policy']}"
    )
    assert path.steps[2].description == (
        f"route 172.16.0.0/16 -> {names['peering']} (vpc_peering) (from the subnets of {names['firewall']})"
    )
    found = _trait(PEERING, file, str(names["db"]))
    assert found is not None and not found.possible
    assert found.properties["via"] == "vpc_peering" and found.properties["ports"] == "tcp 5432"
    assert ("network_firewall", names["firewall"]) in [(s.kind, s.address) for s in found.path]


@pytest.mark.parametrize("file", [TF, CFN])
def test_peering_path_cut_by_a_firewall_drop_names_the_firewall_and_rule_group(file: str) -> None:
    names = PEERING_NAMES[file]
    path = _path(PEERING, file, names["admin"], "vpc_peering")
    assert path.cut == f"Network Firewall policy {names['policy']} rule group {names['edge']} drops tcp 22"
    assert path_verdict(path, str(names["admin"])).hop == names["firewall"]
    assert ("network_firewall", names["firewall"]) in [(s.kind, s.address) for s in path.steps]
    assert _trait(PEERING, file, str(names["admin"])) is None


@pytest.mark.parametrize("file", [TF, CFN])
def test_explain_shows_the_firewall_hop_of_a_peering_path_and_where_it_cuts(
    file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = PEERING_NAMES[file]
    monkeypatch.chdir(REPO)
    shown = {}
    for workload in ("db", "admin"):
        result = CliRunner().invoke(
            app,
            ["explain", f"fixtures/reachability/{PEERING}/{file}", str(names[workload])],
            env={"COLUMNS": "400", "NO_COLOR": "1"},
        )
        assert result.exit_code in (0, 1), result.output  # 1: the workload has findings
        shown[workload] = " ".join(result.output.split())
    hop = f"-> {names['firewall']} (fixtures/reachability/{PEERING}/{file}:"
    described = f"through {names['firewall']}, inspected by Network Firewall policy {names['policy']}"
    assert "OPEN via vpc_peering (IPv4) on tcp 5432" in shown["db"]
    assert hop in shown["db"] and f"{described} passes: tcp 5432" in shown["db"]
    assert (
        f"cut at {names['firewall']}: Network Firewall policy {names['policy']} rule group {names['edge']} drops tcp 22"
    ) in shown["admin"]


# --- a Network Firewall between the subnet and a transit gateway ---------------------------------

TRANSIT = "network-firewall-on-transit-gateway-path"
TRANSIT_NAMES = {
    TF: {
        "db": "aws_instance.db",
        "web": "aws_instance.web",
        "firewall": "aws_networkfirewall_firewall.main",
        "policy": "aws_networkfirewall_firewall_policy.main",
        "group": "aws_networkfirewall_rule_group.db",
        "hub": "aws_ec2_transit_gateway.hub",
        "table": "aws_route_table.protected",
        "route": "aws_route.protected_to_shared",
        "onward": "aws_route.firewall_to_hub",
        "lines": (
            'resource "aws_route_table" "protected"',
            'resource "aws_route" "protected_to_shared"',
            'resource "aws_networkfirewall_firewall" "main"',
            'resource "aws_route" "firewall_to_hub"',
        ),
    },
    CFN: {
        "db": "Db",
        "web": "Web",
        "firewall": "Firewall",
        "policy": "Policy",
        "group": "DbRules",
        "hub": "Hub",
        "table": "ProtectedRouteTable",
        "route": "ProtectedToShared",
        "onward": "FirewallToHub",
        "lines": ("ProtectedRouteTable:", "ProtectedToShared:", "Firewall:", "FirewallToHub:"),
    },
}


def _return_hops(path: PathReport, names: dict[str, object]) -> PathReport:
    """The path from the workload's route table on (the replies' way back to the gateway)."""
    start = [s.address for s in path.steps].index(str(names["table"]))
    return PathReport(path.via, path.version, path.steps[start:], path.ports)


@pytest.mark.parametrize("file", [TF, CFN])
def test_transit_gateway_path_cut_by_a_firewall_on_the_subnets_way_back(file: str) -> None:
    names = TRANSIT_NAMES[file]
    path = _path(TRANSIT, file, str(names["db"]), "transit_gateway")
    assert path.cut == f"Network Firewall policy {names['policy']} rule group {names['group']} drops tcp 5432"
    assert path.cut_at == names["firewall"]
    assert path_verdict(path, str(names["db"])).hop == names["firewall"]
    assert _trait(TRANSIT, file, str(names["db"])) is None


@pytest.mark.parametrize("file", [TF, CFN])
def test_transit_gateway_path_through_a_firewall_keeps_what_it_passes(file: str) -> None:
    names = TRANSIT_NAMES[file]
    path = _path(TRANSIT, file, str(names["web"]), "transit_gateway")
    assert path.open and not path.possible
    assert path.ports == "tcp 443"
    kinds = ("route_table", "route", "network_firewall", "route")
    addresses = ("table", "route", "firewall", "onward")
    _assert_hops(
        _return_hops(path, names),
        [(k, str(names[a]), line) for k, a, line in zip(kinds, addresses, names["lines"], strict=True)],
        "tcp 443",
    )
    hop = next(s for s in path.steps if s.kind == "network_firewall")
    assert hop.description == f"through {names['firewall']}, inspected by Network Firewall policy {names['policy']}"
    found = _trait(TRANSIT, file, str(names["web"]))
    assert found is not None and found.properties["via"] == "transit_gateway"
    assert found.properties["ports"] == "tcp 443"


SOURCE_FIREWALL_TF = """
resource "aws_subnet" "shared_firewall" {
  vpc_id     = aws_vpc.shared.id
  cidr_block = "10.1.0.0/28"
}

resource "aws_networkfirewall_firewall" "shared" {
  name                = "shared"
  firewall_policy_arn = aws_networkfirewall_firewall_policy.main.arn
  vpc_id              = aws_vpc.shared.id

  subnet_mapping {
    subnet_id = aws_subnet.shared_firewall.id
  }
}

resource "aws_route_table" "shared_firewall" {
  vpc_id = aws_vpc.shared.id

  route {
    cidr_block         = "10.0.0.0/16"
    transit_gateway_id = aws_ec2_transit_gateway.hub.id
  }
}

resource "aws_route_table_association" "shared_firewall" {
  subnet_id      = aws_subnet.shared_firewall.id
  route_table_id = aws_route_table.shared_firewall.id
}
"""
SHARED_ENDPOINT = (
    "tolist(aws_networkfirewall_firewall.shared.firewall_status[0].sync_states)[0].attachment[0].endpoint_id"
)
APP_ENDPOINT = "tolist(aws_networkfirewall_firewall.main.firewall_status[0].sync_states)[0].attachment[0].endpoint_id"


def test_transit_gateway_path_through_a_firewall_on_the_source_vpcs_way_out(tmp_path: Path) -> None:
    """The firewall sits in the source VPC: its subnet's route toward the transit gateway goes
    to the firewall's endpoint; the workload's subnet routes straight back to the gateway."""
    text = (FIXTURES / TRANSIT / TF).read_text(encoding="utf-8")
    shared_route = (
        '  destination_cidr_block = "10.0.0.0/16"\n  transit_gateway_id     = aws_ec2_transit_gateway.hub.id\n'
    )
    assert shared_route in text and f"vpc_endpoint_id        = {APP_ENDPOINT}" in text
    text = text.replace(
        shared_route, f'  destination_cidr_block = "10.0.0.0/16"\n  vpc_endpoint_id = {SHARED_ENDPOINT}\n'
    )
    text = text.replace(
        f"vpc_endpoint_id        = {APP_ENDPOINT}", "transit_gateway_id = aws_ec2_transit_gateway.hub.id"
    )
    (tmp_path / TF).write_text(text + SOURCE_FIREWALL_TF, encoding="utf-8")
    (db,) = [r for r in _reports(tmp_path / TF, "aws_instance.db", tmp_path) if r.via == "transit_gateway"]
    assert db.cut == (
        "Network Firewall policy aws_networkfirewall_firewall_policy.main rule group "
        "aws_networkfirewall_rule_group.db drops tcp 5432"
    )
    assert db.cut_at == "aws_networkfirewall_firewall.shared"
    (web,) = [r for r in _reports(tmp_path / TF, "aws_instance.web", tmp_path) if r.via == "transit_gateway"]
    assert web.open and web.ports == "tcp 443"
    assert [(s.kind, s.address) for s in web.steps[1:4]] == [
        ("route", "aws_route.shared_to_app"),
        ("network_firewall", "aws_networkfirewall_firewall.shared"),
        ("route", "aws_route_table.shared_firewall.route[0]"),
    ]


# --- a Gateway Load Balancer endpoint between the subnet and a virtual private gateway -----------

GWLB = "gateway-load-balancer-endpoint-on-vpn-path"
GWLB_NAMES = {
    TF: {
        "app": "aws_instance.app",
        "gateway": "aws_vpn_gateway.office",
        "endpoint": "aws_vpc_endpoint.inspection",
        "onward": "aws_route_table.appliance.route[0]",
        "table": "aws_route_table.app",
        "route": "aws_route_table.app.route[0]",
        "lines": (
            'resource "aws_vpn_gateway" "office"',
            'resource "aws_vpc_endpoint" "inspection"',
            "route {",
            'resource "aws_route_table" "app"',
            "route {",
        ),
    },
    CFN: {
        "app": "App",
        "gateway": "OfficeGateway",
        "endpoint": "Inspection",
        "onward": "ApplianceToOffice",
        "table": "AppRouteTable",
        "route": "AppToOffice",
        "lines": ("OfficeGateway:", "Inspection:", "ApplianceToOffice:", "AppRouteTable:", "AppToOffice:"),
    },
}


@pytest.mark.parametrize("file", [TF, CFN])
def test_gateway_load_balancer_endpoint_on_a_vpn_path_passes_assumed_and_named(file: str) -> None:
    names = GWLB_NAMES[file]
    path = _path(GWLB, file, str(names["app"]), "vpn")
    assert path.open and path.possible  # the appliances behind the endpoint are not in the configuration
    assert path.ports == "tcp 22"
    kinds = ("vpn_gateway", "gateway_load_balancer_endpoint", "route", "route_table", "route")
    addresses = ("gateway", "endpoint", "onward", "table", "route")
    _assert_hops(
        path,
        [(k, str(names[a]), line) for k, a, line in zip(kinds, addresses, names["lines"], strict=True)],
        "tcp 22",
    )
    assert path.assumptions == (
        f"{names['endpoint']} sends traffic to Gateway Load Balancer appliances outside this configuration; "
        "assumed they pass it",
    )
    found = _trait(GWLB, file, str(names["app"]))
    assert found is not None and found.possible and found.properties["via"] == "vpn"


# --- a Network Firewall in an inspection VPC between two spokes of a transit gateway -------------

INSPECTION = "network-firewall-in-an-inspection-vpc"
INSPECTION_NAMES = {
    TF: {
        "db": "aws_instance.db",
        "web": "aws_instance.web",
        "shared": "aws_ec2_transit_gateway_vpc_attachment.shared",
        "firewall": "aws_networkfirewall_firewall.main",
        "policy": "aws_networkfirewall_firewall_policy.main",
        "group": "aws_networkfirewall_rule_group.db",
        "to_inspection": "aws_ec2_transit_gateway_route.spokes_to_inspection",
        "inspection": "aws_ec2_transit_gateway_vpc_attachment.inspection",
        "attachment_table": "aws_route_table.inspection_attachment",
        "to_firewall": "aws_route_table.inspection_attachment.route[0]",
        "to_hub": "aws_route_table.inspection_firewall.route[0]",
        "inspection_table": "aws_ec2_transit_gateway_route_table.inspection",
        "to_app": "aws_ec2_transit_gateway_route_table_propagation.app",
        "lines": (
            'resource "aws_ec2_transit_gateway_route" "spokes_to_inspection"',
            'resource "aws_ec2_transit_gateway_vpc_attachment" "inspection"',
            'resource "aws_route_table" "inspection_attachment"',
            "route {",
            'resource "aws_networkfirewall_firewall" "main"',
            "route {",
            'resource "aws_ec2_transit_gateway_route_table" "inspection"',
            'resource "aws_ec2_transit_gateway_route_table_propagation" "app"',
        ),
    },
    CFN: {
        "db": "Db",
        "web": "Web",
        "shared": "SharedAttachment",
        "firewall": "Firewall",
        "policy": "Policy",
        "group": "DbRules",
        "to_inspection": "SpokesToInspection",
        "inspection": "InspectionAttachment",
        "attachment_table": "InspectionAttachmentRouteTable",
        "to_firewall": "AttachmentToFirewall",
        "to_hub": "FirewallToHub",
        "inspection_table": "InspectionTable",
        "to_app": "AppPropagation",
        "lines": (
            "SpokesToInspection:",
            "InspectionAttachment:",
            "InspectionAttachmentRouteTable:",
            "AttachmentToFirewall:",
            "Firewall:",
            "FirewallToHub:",
            "InspectionTable:",
            "AppPropagation:",
        ),
    },
}


def _from_shared(file: str, workload: str) -> PathReport:
    names = INSPECTION_NAMES[file]
    reports = _reports(FIXTURES / INSPECTION / file, workload)
    (found,) = [r for r in reports if r.via == "transit_gateway" and r.steps[0].address == names["shared"]]
    return found


@pytest.mark.parametrize("file", [TF, CFN])
def test_inspection_vpc_firewall_passes_what_its_rules_pass_between_spokes(file: str) -> None:
    names = INSPECTION_NAMES[file]
    path = _from_shared(file, str(names["web"]))
    assert path.open and not path.possible
    assert path.ports == "tcp 443"
    start = [s.address for s in path.steps].index(str(names["to_inspection"]))
    kinds = (
        "transit_gateway_route",
        "transit_gateway_vpc_attachment",
        "route_table",
        "route",
        "network_firewall",
        "route",
        "transit_gateway_route_table",
        "transit_gateway_route",
    )
    addresses = (
        "to_inspection",
        "inspection",
        "attachment_table",
        "to_firewall",
        "firewall",
        "to_hub",
        "inspection_table",
        "to_app",
    )
    _assert_hops(
        PathReport(path.via, path.version, path.steps[start:], path.ports),
        [(k, str(names[a]), line) for k, a, line in zip(kinds, addresses, names["lines"], strict=True)],
        "tcp 443",
    )
    found = _trait(INSPECTION, file, str(names["web"]))
    assert found is not None and found.properties["via"] == "transit_gateway"
    assert found.properties["ports"] == "tcp 443"


@pytest.mark.parametrize("file", [TF, CFN])
def test_inspection_vpc_firewall_drop_cuts_the_path_at_the_firewall(file: str) -> None:
    names = INSPECTION_NAMES[file]
    path = _from_shared(file, str(names["db"]))
    assert path.cut == f"Network Firewall policy {names['policy']} rule group {names['group']} drops tcp 5432"
    assert path_verdict(path, str(names["db"])).hop == names["firewall"]
    assert _trait(INSPECTION, file, str(names["db"])) is None


def test_an_inspection_vpc_that_does_not_send_it_back_to_the_gateway_cuts_the_path(tmp_path: Path) -> None:
    """The firewall's subnet has no route back to the transit gateway for the spoke: what the
    spoke table sends to the inspection VPC does not reach the workload."""
    text = (FIXTURES / INSPECTION / TF).read_text(encoding="utf-8")
    route = '    cidr_block         = "10.0.0.0/8"\n    transit_gateway_id = aws_ec2_transit_gateway.hub.id\n'
    assert route in text
    (tmp_path / TF).write_text(
        text.replace(
            route, '    cidr_block         = "10.1.0.0/16"\n    transit_gateway_id = aws_ec2_transit_gateway.hub.id\n'
        ),
        encoding="utf-8",
    )
    reports = _reports(tmp_path / TF, "aws_instance.web", tmp_path)
    (path,) = [r for r in reports if r.via == "transit_gateway" and r.steps[0].address.endswith(".shared")]
    assert path.cut == (
        "transit gateway route table aws_ec2_transit_gateway_route_table.spokes sends 10.0.1.0/24 to "
        "aws_ec2_transit_gateway_vpc_attachment.inspection, not to aws_ec2_transit_gateway_vpc_attachment.app"
    )


# --- a Network Firewall between the subnet and a Direct Connect virtual private gateway ----------

DX_FIREWALL_TF = """
resource "aws_subnet" "app_firewall" {
  vpc_id     = aws_vpc.app.id
  cidr_block = "10.1.0.0/28"
}

resource "aws_networkfirewall_rule_group" "onprem" {
  name     = "onprem"
  type     = "STATEFUL"
  capacity = 10

  rule_group {
    rules_source {
      stateful_rule {
        action = "DROP"
        header {
          protocol         = "TCP"
          source           = "172.16.0.0/12"
          source_port      = "ANY"
          direction        = "FORWARD"
          destination      = "10.1.0.0/16"
          destination_port = "443"
        }
        rule_option {
          keyword  = "sid"
          settings = ["1"]
        }
      }
    }
  }
}

resource "aws_networkfirewall_firewall_policy" "onprem" {
  name = "onprem"

  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]

    stateful_rule_group_reference {
      resource_arn = aws_networkfirewall_rule_group.onprem.arn
    }
  }
}

resource "aws_networkfirewall_firewall" "onprem" {
  name                = "onprem"
  firewall_policy_arn = aws_networkfirewall_firewall_policy.onprem.arn
  vpc_id              = aws_vpc.app.id

  subnet_mapping {
    subnet_id = aws_subnet.app_firewall.id
  }
}

resource "aws_route_table" "app_firewall" {
  vpc_id = aws_vpc.app.id

  route {
    cidr_block = "172.16.0.0/12"
    gateway_id = aws_vpn_gateway.app.id
  }
}

resource "aws_route_table_association" "app_firewall" {
  subnet_id      = aws_subnet.app_firewall.id
  route_table_id = aws_route_table.app_firewall.id
}
"""


def test_direct_connect_path_through_a_firewall_is_cut_by_its_drop(tmp_path: Path) -> None:
    text = (FIXTURES / "direct-connect-gateway" / TF).read_text(encoding="utf-8")
    route = '    cidr_block = "172.16.0.0/12"\n    gateway_id = aws_vpn_gateway.app.id\n'
    assert text.count(route) == 1
    endpoint = "tolist(aws_networkfirewall_firewall.onprem.firewall_status[0].sync_states)[0].attachment[0].endpoint_id"
    text = text.replace(route, f'    cidr_block      = "172.16.0.0/12"\n    vpc_endpoint_id = {endpoint}\n')
    (tmp_path / TF).write_text(text + DX_FIREWALL_TF, encoding="utf-8")
    (path,) = [r for r in _reports(tmp_path / TF, "aws_instance.app", tmp_path) if r.via == "direct_connect"]
    assert path.cut == (
        "Network Firewall policy aws_networkfirewall_firewall_policy.onprem rule group "
        "aws_networkfirewall_rule_group.onprem drops tcp 443"
    )
    assert path.cut_at == "aws_networkfirewall_firewall.onprem"
    assert [(s.kind, s.address) for s in path.steps[2:4]] == [
        ("network_firewall", "aws_networkfirewall_firewall.onprem"),
        ("route", "aws_route_table.app_firewall.route[0]"),
    ]


# --- a Network Firewall attached to the transit gateway itself -----------------------------------

ATTACHED = "network-firewall-attached-to-transit-gateway"


def test_firewall_attached_to_the_gateway_evaluates_its_rules_and_names_its_way_on() -> None:
    web = _path(ATTACHED, CFN, "Web", "transit_gateway")
    assert web.open and web.possible
    assert web.ports == "tcp 443"
    assert web.assumptions == (
        "Firewall is attached to the transit gateway directly; the route table of its attachment is not read: "
        "assumed it sends the traffic on to AppAttachment",
    )
    _assert_hops(
        PathReport(web.via, web.version, web.steps[3:5], web.ports),
        [
            ("transit_gateway_route", "SpokesToFirewall", "SpokesToFirewall:"),
            ("network_firewall", "Firewall", "Firewall:"),
        ],
        "tcp 443",
    )
    assert web.steps[4].description == "attached to Hub, inspected by Network Firewall policy Policy"
    found = _trait(ATTACHED, CFN, "Web")
    assert found is not None and found.possible and found.properties["ports"] == "tcp 443"


def test_firewall_attached_to_the_gateway_drop_cuts_the_path() -> None:
    db = _path(ATTACHED, CFN, "Db", "transit_gateway")
    assert db.cut == "Network Firewall policy Policy rule group DbRules drops tcp 5432"
    assert path_verdict(db, "Db").hop == "Firewall"
    assert _trait(ATTACHED, CFN, "Db") is None
