"""ec2-internet-reachable and ec2-vpc-reachable end to end: hand-written Terraform and
CloudFormation under fixtures/reachability/<behaviour>/ go through the real pipeline
(discovery, loaders, model, graph, analyses, exposure), and each case checks the ports that
get through, the hops of the path in order and the file:line each hop points at.

A hop is given as (kind, address, text): the line the hop's span starts on must contain
``text`` (None: the hop has no place in the templates, like the internet itself)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.reachability import PathReport, explain_paths
from scanner.findings import Exposure, Trait
from scanner.graph import build_graph, workload_contexts
from scanner.options import ScanOptions
from scanner.rules.internet_reachable import ID as INTERNET_REACHABLE
from scanner.rules.public_ip import ID as PUBLIC_IP
from scanner.rules.vpc_reachable import ID as VPC_REACHABLE
from scanner.scan import load_configurations, scan
from scanner.workload import WorkloadContext
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures" / "reachability"
OPTIONS = ScanOptions(root=REPO)
TF, CFN = "main.tf", "template.yaml"

Hop = tuple[str, str, str | None] | tuple[str, str, str | None, str]  # (..., the ports that hop lets through)


@cache
def _scan(behaviour: str) -> tuple[Exposure, ...]:
    result = scan([FIXTURES / behaviour], OPTIONS)
    assert not result.all_errors, result.all_errors
    return tuple(result.exposures)


def _configuration(behaviour: str, file: str) -> str:
    folder = f"fixtures/reachability/{behaviour}"
    return folder if file == TF else f"{folder}/{file}"


def exposure(behaviour: str, file: str, workload: str) -> Exposure | None:
    name = _configuration(behaviour, file)
    found = [e for e in _scan(behaviour) if e.configuration == name and e.workload == workload]
    assert len(found) <= 1
    return found[0] if found else None


def trait(behaviour: str, file: str, workload: str, rule_id: str) -> Trait | None:
    found = exposure(behaviour, file, workload)
    return next((t for t in found.traits if t.rule_id == rule_id), None) if found else None


def context(behaviour: str, file: str, workload: str) -> WorkloadContext:
    configurations, errors, _ = load_configurations([FIXTURES / behaviour / file], OPTIONS)
    assert not errors
    for configuration in configurations:
        for ctx in workload_contexts(build_graph(configuration), configuration):
            if ctx.address == workload:
                return ctx
    raise AssertionError(f"no workload {workload} in {behaviour}/{file}")


def line(file: str, number: int) -> str:
    return (REPO / file).read_text(encoding="utf-8").splitlines()[number - 1]


def assert_hops(trait_found: Trait, hops: list[Hop], file: str) -> None:
    got = [(s.kind, s.address) for s in trait_found.path]
    assert got == [(hop[0], hop[1]) for hop in hops]
    for step, hop in zip(trait_found.path, hops, strict=True):
        kind, address, text = hop[0], hop[1], hop[2]
        if len(hop) == 4:
            assert step.ports == hop[3], (kind, address, step.ports)
        if text is None:
            continue
        assert step.span is not None, f"{kind} {address} has no span"
        assert step.span.file.endswith(file)
        assert text in line(step.span.file, step.span.line), (kind, address, step.span, text)


# --- open paths: the ports that get through and every hop ------------------------------------------


@dataclass(frozen=True)
class Open:
    behaviour: str
    file: str
    workload: str
    via: str
    family: str
    ports: str
    hops: tuple[Hop, ...]
    location_text: str  # on the trait's line: the line to change


OPEN_CASES = [
    Open(
        "gateway-public-subnet-open",
        TF,
        "aws_instance.web",
        "gateway",
        "IPv4",
        "tcp 22, tcp 443",
        (
            ("internet", "internet", None),
            ("internet_gateway", "aws_internet_gateway.gw", 'resource "aws_internet_gateway" "gw"'),
            ("route_table", "aws_route_table.public", 'resource "aws_route_table" "public"'),
            ("route", "aws_route.internet", 'resource "aws_route" "internet"'),
            ("network_acl", "aws_network_acl.public", 'resource "aws_network_acl" "public"'),
            ("network_acl_entry", "aws_network_acl.public.ingress[0]", "ingress {"),
            (
                "security_group",
                "aws_security_group.web",
                "vpc_security_group_ids = [aws_security_group.web.id]",
                "tcp 22, tcp 443",
            ),
            # each rule with its own port: the 22 rule does not let 443 in
            ("security_group_rule", "aws_security_group.web.ingress[0]", 'cidr_blocks = ["0.0.0.0/0"]', "tcp 22"),
            ("security_group_rule", "aws_security_group.web.ingress[1]", 'cidr_blocks = ["0.0.0.0/0"]', "tcp 443"),
            ("instance", "aws_instance.web", 'resource "aws_instance" "web"', "tcp 22, tcp 443"),
        ),
        'cidr_blocks = ["0.0.0.0/0"]',
    ),
    Open(
        "gateway-public-subnet-open",
        CFN,
        "Web",
        "gateway",
        "IPv4",
        "tcp 22, tcp 443",
        (
            ("internet", "internet", None),
            ("internet_gateway", "Gateway", "Gateway:"),
            ("route_table", "PublicRouteTable", "PublicRouteTable:"),
            ("route", "InternetRoute", "InternetRoute:"),
            ("network_acl", "PublicAcl", "PublicAcl:"),
            ("network_acl_entry", "AllowSshIn", "AllowSshIn:"),
            ("security_group", "WebGroup", "SecurityGroupIds: [!Ref WebGroup]", "tcp 22, tcp 443"),
            ("security_group_rule", "WebGroup.SecurityGroupIngress[0]", "CidrIp: 0.0.0.0/0", "tcp 22"),
            ("security_group_rule", "WebGroup.SecurityGroupIngress[1]", "CidrIp: 0.0.0.0/0", "tcp 443"),
            ("instance", "Web", "Web:", "tcp 22, tcp 443"),
        ),
        "CidrIp: 0.0.0.0/0",
    ),
    Open(
        "main-table-by-main-association",
        TF,
        "aws_instance.app",
        "gateway",
        "IPv4",
        "tcp 22",
        (
            ("internet", "internet", None),
            ("internet_gateway", "aws_internet_gateway.gw", 'resource "aws_internet_gateway" "gw"'),
            ("route_table", "aws_route_table.public", 'resource "aws_route_table" "public"'),
            ("route", "aws_route_table.public.route[0]", "route {"),
            ("network_acl", "default network ACL", None),
            ("security_group", "aws_security_group.app", "vpc_security_group_ids"),
            ("security_group_rule", "aws_security_group.app.ingress[0]", 'cidr_blocks = ["0.0.0.0/0"]'),
            ("instance", "aws_instance.app", 'resource "aws_instance" "app"'),
        ),
        'cidr_blocks = ["0.0.0.0/0"]',
    ),
    Open(
        "main-table-by-default-route-table",
        TF,
        "aws_instance.app",
        "gateway",
        "IPv4",
        "tcp 22",
        (
            ("internet", "internet", None),
            ("internet_gateway", "aws_internet_gateway.gw", 'resource "aws_internet_gateway" "gw"'),
            ("route_table", "aws_default_route_table.main", 'resource "aws_default_route_table" "main"'),
            ("route", "aws_default_route_table.main.route[0]", "route {"),
            ("network_acl", "default network ACL", None),
            ("security_group", "aws_security_group.app", "vpc_security_group_ids"),
            ("security_group_rule", "aws_security_group.app.ingress[0]", 'cidr_blocks = ["0.0.0.0/0"]'),
            ("instance", "aws_instance.app", 'resource "aws_instance" "app"'),
        ),
        'cidr_blocks = ["0.0.0.0/0"]',
    ),
    # rule 90 denies SSH before rule 100 allows all: only HTTPS survives, through rule 100
    Open(
        "nacl-deny-before-allow",
        TF,
        "aws_instance.web",
        "gateway",
        "IPv4",
        "tcp 443",
        (
            ("internet", "internet", None),
            ("internet_gateway", "aws_internet_gateway.gw", 'resource "aws_internet_gateway" "gw"'),
            ("route_table", "aws_route_table.public", 'resource "aws_route_table" "public"'),
            ("route", "aws_route_table.public.route[0]", "route {"),
            ("network_acl", "aws_network_acl.public", 'resource "aws_network_acl" "public"'),
            (
                "network_acl_entry",
                "aws_network_acl_rule.allow_all_in",
                'resource "aws_network_acl_rule" "allow_all_in"',
            ),
            ("security_group", "aws_security_group.web", "vpc_security_group_ids"),
            ("security_group_rule", "aws_security_group.web.ingress[1]", 'cidr_blocks = ["0.0.0.0/0"]'),
            ("instance", "aws_instance.web", 'resource "aws_instance" "web"'),
        ),
        'cidr_blocks = ["0.0.0.0/0"]',
    ),
    Open(
        "nacl-deny-before-allow",
        CFN,
        "Web",
        "gateway",
        "IPv4",
        "tcp 443",
        (
            ("internet", "internet", None),
            ("internet_gateway", "Gateway", "Gateway:"),
            ("route_table", "PublicRouteTable", "PublicRouteTable:"),
            ("route", "InternetRoute", "InternetRoute:"),
            ("network_acl", "PublicAcl", "PublicAcl:"),
            ("network_acl_entry", "AllowAllIn", "AllowAllIn:"),
            ("security_group", "WebGroup", "SecurityGroupIds: [!Ref WebGroup]"),
            ("security_group_rule", "WebGroup.SecurityGroupIngress[1]", "CidrIp: 0.0.0.0/0"),
            ("instance", "Web", "Web:"),
        ),
        "CidrIp: 0.0.0.0/0",
    ),
    Open(
        "alb-internet-facing-open",
        TF,
        "aws_instance.app",
        "load_balancer",
        "IPv4",
        "tcp 8080",
        (
            ("internet", "internet", None),
            ("load_balancer", "aws_lb.web", 'resource "aws_lb" "web"'),
            ("listener", "aws_lb_listener.http", 'resource "aws_lb_listener" "http"'),
            ("route_table", "aws_route_table.public", 'resource "aws_route_table" "public"'),
            ("route", "aws_route_table.public.route[0]", "route {"),
            ("security_group_rule", "aws_security_group.alb.ingress[0]", 'cidr_blocks = ["0.0.0.0/0"]'),
            ("target_group", "aws_lb_target_group.app", 'resource "aws_lb_target_group" "app"'),
            (
                "security_group_rule",
                "aws_security_group.app.ingress[0]",
                "security_groups = [aws_security_group.alb.id]",
            ),
            ("instance", "aws_instance.app", 'resource "aws_instance" "app"'),
        ),
        "security_groups = [aws_security_group.alb.id]",
    ),
    Open(
        "alb-internet-facing-open",
        CFN,
        "App",
        "load_balancer",
        "IPv4",
        "tcp 8080",
        (
            ("internet", "internet", None),
            ("load_balancer", "LoadBalancer", "LoadBalancer:"),
            ("listener", "HttpListener", "HttpListener:"),
            ("route_table", "PublicRouteTable", "PublicRouteTable:"),
            ("route", "InternetRoute", "InternetRoute:"),
            ("security_group_rule", "AlbGroup.SecurityGroupIngress[0]", "CidrIp: 0.0.0.0/0"),
            ("target_group", "AppTargets", "AppTargets:"),
            ("security_group_rule", "AppGroup.SecurityGroupIngress[0]", "SourceSecurityGroupId: !Ref AlbGroup"),
            ("instance", "App", "App:"),
        ),
        "SourceSecurityGroupId: !Ref AlbGroup",
    ),
    # NACLs on the way: the ALB subnets' (80 in from the internet, 8080 out to the VPC) and the app subnet's
    Open(
        "alb-behind-network-acls",
        TF,
        "aws_instance.app",
        "load_balancer",
        "IPv4",
        "tcp 8080",
        (
            ("internet", "internet", None),
            ("load_balancer", "aws_lb.web", 'resource "aws_lb" "web"'),
            ("listener", "aws_lb_listener.http", 'resource "aws_lb_listener" "http"'),
            ("route_table", "aws_route_table.public", 'resource "aws_route_table" "public"'),
            ("route", "aws_route_table.public.route[0]", "route {"),
            ("network_acl", "aws_network_acl.public", 'resource "aws_network_acl" "public"'),
            ("security_group_rule", "aws_security_group.alb.ingress[0]", 'cidr_blocks = ["0.0.0.0/0"]'),
            ("target_group", "aws_lb_target_group.app", 'resource "aws_lb_target_group" "app"'),
            ("network_acl", "aws_network_acl.app", 'resource "aws_network_acl" "app"'),
            (
                "security_group_rule",
                "aws_security_group.app.ingress[0]",
                "security_groups = [aws_security_group.alb.id]",
            ),
            ("instance", "aws_instance.app", 'resource "aws_instance" "app"'),
        ),
        "security_groups = [aws_security_group.alb.id]",
    ),
    Open(
        "alb-behind-network-acls",
        CFN,
        "App",
        "load_balancer",
        "IPv4",
        "tcp 8080",
        (
            ("internet", "internet", None),
            ("load_balancer", "LoadBalancer", "LoadBalancer:"),
            ("listener", "HttpListener", "HttpListener:"),
            ("route_table", "PublicRouteTable", "PublicRouteTable:"),
            ("route", "InternetRoute", "InternetRoute:"),
            ("network_acl", "PublicAcl", "PublicAcl:"),
            ("security_group_rule", "AlbGroup.SecurityGroupIngress[0]", "CidrIp: 0.0.0.0/0"),
            ("target_group", "AppTargets", "AppTargets:"),
            ("network_acl", "AppAcl", "AppAcl:"),
            ("security_group_rule", "AppGroup.SecurityGroupIngress[0]", "SourceSecurityGroupId: !Ref AlbGroup"),
            ("instance", "App", "App:"),
        ),
        "SourceSecurityGroupId: !Ref AlbGroup",
    ),
    # an NLB without groups passes client addresses: the instance's own group must admit the internet
    Open(
        "nlb-without-security-group",
        TF,
        "aws_instance.open",
        "load_balancer",
        "IPv4",
        "tcp 8443",
        (
            ("internet", "internet", None),
            ("load_balancer", "aws_lb.edge", 'resource "aws_lb" "edge"'),
            ("listener", "aws_lb_listener.tls", 'resource "aws_lb_listener" "tls"'),
            ("route_table", "aws_route_table.public", 'resource "aws_route_table" "public"'),
            ("route", "aws_route_table.public.route[0]", "route {"),
            ("target_group", "aws_lb_target_group.tls", 'resource "aws_lb_target_group" "tls"'),
            ("security_group_rule", "aws_security_group.open.ingress[0]", 'cidr_blocks = ["0.0.0.0/0"]'),
            ("instance", "aws_instance.open", 'resource "aws_instance" "open"'),
        ),
        'cidr_blocks = ["0.0.0.0/0"]',
    ),
    Open(
        "nlb-without-security-group",
        CFN,
        "Open",
        "load_balancer",
        "IPv4",
        "tcp 8443",
        (
            ("internet", "internet", None),
            ("load_balancer", "Edge", "Edge:"),
            ("listener", "TlsListener", "TlsListener:"),
            ("route_table", "PublicRouteTable", "PublicRouteTable:"),
            ("route", "InternetRoute", "InternetRoute:"),
            ("target_group", "TlsTargets", "TlsTargets:"),
            ("security_group_rule", "OpenGroup.SecurityGroupIngress[0]", "CidrIp: 0.0.0.0/0"),
            ("instance", "Open", "Open:"),
        ),
        "CidrIp: 0.0.0.0/0",
    ),
    Open(
        "asg-behind-alb-target-group-arns",
        TF,
        "aws_autoscaling_group.app",
        "load_balancer",
        "IPv4",
        "tcp 8080",
        (
            ("internet", "internet", None),
            ("load_balancer", "aws_lb.web", 'resource "aws_lb" "web"'),
            ("listener", "aws_lb_listener.http", 'resource "aws_lb_listener" "http"'),
            ("route_table", "aws_route_table.public", 'resource "aws_route_table" "public"'),
            ("route", "aws_route_table.public.route[0]", "route {"),
            ("security_group_rule", "aws_security_group.alb.ingress[0]", 'cidr_blocks = ["0.0.0.0/0"]'),
            ("target_group", "aws_lb_target_group.app", 'resource "aws_lb_target_group" "app"'),
            (
                "security_group_rule",
                "aws_security_group.app.ingress[0]",
                "security_groups = [aws_security_group.alb.id]",
            ),
            ("auto_scaling_group", "aws_autoscaling_group.app", 'resource "aws_autoscaling_group" "app"'),
        ),
        "security_groups = [aws_security_group.alb.id]",
    ),
    Open(
        "asg-behind-alb-target-group-arns",
        CFN,
        "AppGroupOfInstances",
        "load_balancer",
        "IPv4",
        "tcp 8080",
        (
            ("internet", "internet", None),
            ("load_balancer", "LoadBalancer", "LoadBalancer:"),
            ("listener", "HttpListener", "HttpListener:"),
            ("route_table", "PublicRouteTable", "PublicRouteTable:"),
            ("route", "InternetRoute", "InternetRoute:"),
            ("security_group_rule", "AlbGroup.SecurityGroupIngress[0]", "CidrIp: 0.0.0.0/0"),
            ("target_group", "AppTargets", "AppTargets:"),
            ("security_group_rule", "AppGroup.SecurityGroupIngress[0]", "SourceSecurityGroupId: !Ref AlbGroup"),
            ("auto_scaling_group", "AppGroupOfInstances", "AppGroupOfInstances:"),
        ),
        "SourceSecurityGroupId: !Ref AlbGroup",
    ),
    Open(
        "classic-elb",
        TF,
        "aws_instance.app",
        "load_balancer",
        "IPv4",
        "tcp 8080",
        (
            ("internet", "internet", None),
            ("load_balancer", "aws_elb.web", 'resource "aws_elb" "web"'),
            ("listener", "aws_elb.web.listener[0]", "listener {"),
            ("route_table", "aws_route_table.public", 'resource "aws_route_table" "public"'),
            ("route", "aws_route_table.public.route[0]", "route {"),
            ("security_group_rule", "aws_security_group.alb.ingress[0]", 'cidr_blocks = ["0.0.0.0/0"]'),
            (
                "security_group_rule",
                "aws_security_group.app.ingress[0]",
                "security_groups = [aws_security_group.alb.id]",
            ),
            ("instance", "aws_instance.app", 'resource "aws_instance" "app"'),
        ),
        "security_groups = [aws_security_group.alb.id]",
    ),
    Open(
        "classic-elb",
        CFN,
        "App",
        "load_balancer",
        "IPv4",
        "tcp 8080",
        (
            ("internet", "internet", None),
            ("load_balancer", "LoadBalancer", "LoadBalancer:"),
            ("listener", "LoadBalancer.Listeners[0]", 'LoadBalancerPort: "80"'),
            ("route_table", "PublicRouteTable", "PublicRouteTable:"),
            ("route", "InternetRoute", "InternetRoute:"),
            ("security_group_rule", "AlbGroup.SecurityGroupIngress[0]", "CidrIp: 0.0.0.0/0"),
            ("security_group_rule", "AppGroup.SecurityGroupIngress[0]", "SourceSecurityGroupId: !Ref AlbGroup"),
            ("instance", "App", "App:"),
        ),
        "SourceSecurityGroupId: !Ref AlbGroup",
    ),
    # the peer is 172.16.0.0/16; the rule from 172.16.0.0/12 overlaps it, the SSH rule from 192.168/16 does not
    Open(
        "vpc-peering-route",
        TF,
        "aws_instance.db",
        "vpc_peering",
        "IPv4",
        "tcp 5432",
        (
            ("vpc_peering", "aws_vpc_peering_connection.shared", 'resource "aws_vpc_peering_connection" "shared"'),
            ("route_table", "aws_route_table.db", 'resource "aws_route_table" "db"'),
            ("route", "aws_route.to_peer", 'resource "aws_route" "to_peer"'),
            ("security_group_rule", "aws_security_group.db.ingress[0]", 'cidr_blocks = ["172.16.0.0/12"]'),
            ("instance", "aws_instance.db", 'resource "aws_instance" "db"'),
        ),
        'cidr_blocks = ["172.16.0.0/12"]',
    ),
    Open(
        "vpc-peering-route",
        CFN,
        "Db",
        "vpc_peering",
        "IPv4",
        "tcp 5432",
        (
            ("vpc_peering", "Peering", "Peering:"),
            ("route_table", "DbRouteTable", "DbRouteTable:"),
            ("route", "PeerRoute", "PeerRoute:"),
            ("security_group_rule", "DbGroup.SecurityGroupIngress[0]", "CidrIp: 172.16.0.0/12"),
            ("instance", "Db", "Db:"),
        ),
        "CidrIp: 172.16.0.0/12",
    ),
    Open(
        "vpn-static-route",
        TF,
        "aws_instance.app",
        "vpn",
        "IPv4",
        "tcp 22",
        (
            ("vpn_gateway", "aws_vpn_gateway.office", 'resource "aws_vpn_gateway" "office"'),
            ("route_table", "aws_route_table.app", 'resource "aws_route_table" "app"'),
            ("route", "aws_route_table.app.route[0]", "route {"),
            ("security_group_rule", "aws_security_group.app.ingress[0]", 'cidr_blocks = ["192.168.0.0/16"]'),
            ("instance", "aws_instance.app", 'resource "aws_instance" "app"'),
        ),
        'cidr_blocks = ["192.168.0.0/16"]',
    ),
    Open(
        "vpn-static-route",
        CFN,
        "App",
        "vpn",
        "IPv4",
        "tcp 22",
        (
            ("vpn_gateway", "OfficeGateway", "OfficeGateway:"),
            ("route_table", "AppRouteTable", "AppRouteTable:"),
            ("route", "OfficeRoute", "OfficeRoute:"),
            ("security_group_rule", "AppGroup.SecurityGroupIngress[0]", "CidrIp: 192.168.0.0/16"),
            ("instance", "App", "App:"),
        ),
        "CidrIp: 192.168.0.0/16",
    ),
    # the VPN's static route 192.168.10.0/24 is propagated into the table; RDP from 172.31/16 is not routed
    Open(
        "vpn-propagated-route",
        TF,
        "aws_instance.app",
        "vpn",
        "IPv4",
        "tcp 22",
        (
            ("vpn_gateway", "aws_vpn_gateway.office", 'resource "aws_vpn_gateway" "office"'),
            ("route_table", "aws_route_table.app", 'resource "aws_route_table" "app"'),
            ("route", "aws_route_table.app#propagated[aws_vpn_gateway.office][0]", "propagating_vgws"),
            ("security_group_rule", "aws_security_group.app.ingress[0]", 'cidr_blocks = ["192.168.10.0/24"]'),
            ("instance", "aws_instance.app", 'resource "aws_instance" "app"'),
        ),
        'cidr_blocks = ["192.168.10.0/24"]',
    ),
    Open(
        "vpn-propagated-route",
        CFN,
        "App",
        "vpn",
        "IPv4",
        "tcp 22",
        (
            ("vpn_gateway", "OfficeGateway", "OfficeGateway:"),
            ("route_table", "AppRouteTable", "AppRouteTable:"),
            ("route", "AppRouteTable#propagated[OfficeGateway][0]", "OfficePropagation:"),
            ("security_group_rule", "AppGroup.SecurityGroupIngress[0]", "CidrIp: 192.168.10.0/24"),
            ("instance", "App", "App:"),
        ),
        "CidrIp: 192.168.10.0/24",
    ),
    # no subnet: the default VPC, its implicit gateway and main table (no line of their own)
    Open(
        "default-vpc-instance",
        TF,
        "aws_instance.legacy",
        "gateway",
        "IPv4",
        "tcp 22",
        (
            ("internet", "internet", None),
            ("internet_gateway", "default-vpc#internet-gateway", 'resource "aws_instance" "legacy"'),
            ("route_table", "default-vpc#main-route-table", None),
            ("route", "default-vpc#main-route-table.route[0]", 'resource "aws_instance" "legacy"'),
            ("network_acl", "default network ACL", None),
            ("security_group", "aws_security_group.ssh", "vpc_security_group_ids"),
            ("security_group_rule", "aws_security_group.ssh.ingress[0]", 'cidr_blocks = ["0.0.0.0/0"]'),
            ("instance", "aws_instance.legacy", 'resource "aws_instance" "legacy"'),
        ),
        'cidr_blocks = ["0.0.0.0/0"]',
    ),
    Open(
        "default-vpc-instance",
        CFN,
        "Legacy",
        "gateway",
        "IPv4",
        "tcp 22",
        (
            ("internet", "internet", None),
            ("internet_gateway", "default-vpc#internet-gateway", "Legacy:"),
            ("route_table", "default-vpc#main-route-table", None),
            ("route", "default-vpc#main-route-table.route[0]", "Legacy:"),
            ("network_acl", "default network ACL", None),
            ("security_group", "SshGroup", "SecurityGroupIds: [!GetAtt SshGroup.GroupId]"),
            ("security_group_rule", "SshGroup.SecurityGroupIngress[0]", "CidrIp: 0.0.0.0/0"),
            ("instance", "Legacy", "Legacy:"),
        ),
        "CidrIp: 0.0.0.0/0",
    ),
    # IPv6 only: the SSH rule from 0.0.0.0/0 does not count without a public IPv4 address
    Open(
        "ipv6-only-exposure",
        TF,
        "aws_instance.web",
        "gateway",
        "IPv6",
        "tcp 443",
        (
            ("internet", "internet", None),
            ("internet_gateway", "aws_internet_gateway.gw", 'resource "aws_internet_gateway" "gw"'),
            ("route_table", "aws_route_table.dual", 'resource "aws_route_table" "dual"'),
            ("route", "aws_route_table.dual.route[0]", "route {"),
            ("network_acl", "default network ACL", None),
            ("security_group", "aws_security_group.web", "vpc_security_group_ids"),
            ("security_group_rule", "aws_security_group.web.ingress[0]", 'ipv6_cidr_blocks = ["::/0"]'),
            ("instance", "aws_instance.web", 'resource "aws_instance" "web"'),
        ),
        'ipv6_cidr_blocks = ["::/0"]',
    ),
    Open(
        "ipv6-only-exposure",
        CFN,
        "Web",
        "gateway",
        "IPv6",
        "tcp 443",
        (
            ("internet", "internet", None),
            ("internet_gateway", "Gateway", "Gateway:"),
            ("route_table", "DualRouteTable", "DualRouteTable:"),
            ("route", "Ipv6InternetRoute", "Ipv6InternetRoute:"),
            ("network_acl", "default network ACL", None),
            ("security_group", "WebGroup", "SecurityGroupIds: [!Ref WebGroup]"),
            ("security_group_rule", "WebGroup.SecurityGroupIngress[0]", "CidrIpv6: ::/0"),
            ("instance", "Web", "Web:"),
        ),
        "CidrIpv6: ::/0",
    ),
    # the Admin subnet's route exists; its SSH ingress has a false Condition, HTTPS does not
    Open(
        "condition-false-not-on-path",
        CFN,
        "Admin",
        "gateway",
        "IPv4",
        "tcp 443",
        (
            ("internet", "internet", None),
            ("internet_gateway", "Gateway", "Gateway:"),
            ("route_table", "AdminRouteTable", "AdminRouteTable:"),
            ("route", "AdminInternetRoute", "AdminInternetRoute:"),
            ("network_acl", "default network ACL", None),
            ("security_group", "AdminGroup", "SecurityGroupIds: [!Ref AdminGroup]"),
            ("security_group_rule", "AdminHttpsFromAnywhere", "CidrIp: 0.0.0.0/0"),
            ("instance", "Admin", "Admin:"),
        ),
        "CidrIp: 0.0.0.0/0",
    ),
]


@pytest.mark.parametrize("case", OPEN_CASES, ids=lambda c: f"{c.behaviour}/{c.file}/{c.workload}")
def test_open_path_ports_hops_and_lines(case: Open) -> None:
    found = trait(case.behaviour, case.file, case.workload, INTERNET_REACHABLE)
    assert found is not None, f"{case.workload} should be reachable"
    assert found.properties["ports"] == case.ports
    assert found.properties["via"] == case.via
    assert [(p["via"], p["family"], p["ports"]) for p in found.properties["paths"]] == [
        (case.via, case.family, case.ports)
    ]
    assert case.location_text in line(found.location.span.file, found.location.span.line)
    assert found.assumptions == ()
    assert_hops(found, list(case.hops), case.file)
    # the hops from the workload's side carry exactly the ports that get through
    assert found.path[-1].ports == case.ports
    # the exposure's attack path is this path
    found_exposure = exposure(case.behaviour, case.file, case.workload)
    assert found_exposure is not None
    assert found_exposure.path[: len(found.path)] == found.path


# --- cut paths: no trait, and the explanation says where -----------------------------------------


@dataclass(frozen=True)
class Cut:
    behaviour: str
    file: str
    workload: str
    reason: str  # words of the cut of the path that gets furthest
    public_ip: bool  # the cut is not for lack of an address: ec2-public-ip still fires


CUT_CASES = [
    Cut(
        "private-subnet-nat-only", TF, "aws_instance.app", "sends 0.0.0.0/0 to aws_nat_gateway.nat (nat_gateway)", True
    ),
    Cut("private-subnet-nat-only", CFN, "App", "sends 0.0.0.0/0 to Nat (nat_gateway)", True),
    Cut(
        "explicit-table-without-igw-main-has-igw",
        TF,
        "aws_instance.app",
        "aws_route_table.isolated has no route for IPv4 internet addresses",
        True,
    ),
    Cut(
        "explicit-table-without-igw-main-has-igw",
        CFN,
        "App",
        "IsolatedRouteTable has no route for IPv4 internet addresses",
        True,
    ),
    Cut("main-table-implicit-only-local", CFN, "App", "implicit main route table has no route", True),
    Cut(
        "nacl-deny-before-allow", TF, "aws_instance.ssh_only", "entry aws_network_acl_rule.deny_ssh denies tcp 22", True
    ),
    Cut("nacl-deny-before-allow", CFN, "SshOnly", "entry DenySsh denies tcp 22", True),
    Cut(
        "nacl-without-outbound-ephemeral",
        TF,
        "aws_instance.web",
        "lets tcp 22 in but not the replies back out to the client's ephemeral ports 1024-65535",
        True,
    ),
    Cut(
        "nacl-without-outbound-ephemeral",
        CFN,
        "Web",
        "lets tcp 22 in but not the replies back out to the client's ephemeral ports 1024-65535",
        True,
    ),
    Cut(
        "public-ip-without-internet-rule",
        TF,
        "aws_instance.web",
        "no rule of aws_security_group.web admits traffic from IPv4 internet addresses",
        True,
    ),
    Cut("public-ip-without-internet-rule", CFN, "Web", "no rule of WebGroup admits traffic from IPv4 internet", True),
    Cut("alb-internal", TF, "aws_instance.app", "aws_lb.web is internal", False),
    Cut("alb-internal", CFN, "App", "LoadBalancer is internal", False),
    Cut(
        "alb-group-does-not-admit-listener-port",
        TF,
        "aws_instance.app",
        "aws_security_group.alb of aws_lb.web does not admit the listener port tcp 80",
        False,
    ),
    Cut(
        "alb-group-does-not-admit-listener-port",
        CFN,
        "App",
        "AlbGroup of LoadBalancer does not admit the listener port tcp 80",
        False,
    ),
    Cut(
        "alb-in-subnets-without-igw-route",
        TF,
        "aws_instance.app",
        "none of the subnets of aws_lb.web routes IPv4 internet addresses to an internet gateway",
        False,
    ),
    Cut(
        "alb-in-subnets-without-igw-route",
        CFN,
        "App",
        "none of the subnets of LoadBalancer routes IPv4 internet addresses to an internet gateway",
        False,
    ),
    Cut(
        "nlb-without-security-group",
        TF,
        "aws_instance.vpc_only",
        "does not admit tcp 8443 from the whole internet: client IP preservation is on",
        False,
    ),
    Cut(
        "nlb-without-security-group",
        CFN,
        "VpcOnly",
        "does not admit tcp 8443 from the whole internet: client IP preservation is on",
        False,
    ),
    Cut(
        "alb-behind-network-acls",
        TF,
        "aws_instance.locked",
        "network ACL aws_network_acl.locked of aws_instance.locked's subnet does not let tcp 8080 in from the "
        "subnets of aws_lb.web",
        False,
    ),
    Cut(
        "alb-behind-network-acls",
        CFN,
        "Locked",
        "network ACL LockedAcl of Locked's subnet does not let tcp 8080 in from the subnets of LoadBalancer",
        False,
    ),
    Cut(
        "vpc-peering-nacl-denies-peer",
        TF,
        "aws_instance.db",
        "network ACL aws_network_acl.db does not let tcp 5432 in from 172.16.0.0/16",
        False,
    ),
    Cut(
        "vpc-peering-nacl-denies-peer",
        CFN,
        "Db",
        "network ACL DbAcl does not let tcp 5432 in from 172.16.0.0/16",
        False,
    ),
    # the instance has an IPv6 address; the route for ::/0 goes to a gateway that carries nothing in
    Cut(
        "ipv6-egress-only-gateway",
        TF,
        "aws_instance.web",
        "sends ::/0 to aws_egress_only_internet_gateway.outbound (egress_only_gateway)",
        False,
    ),
    Cut("ipv6-egress-only-gateway", CFN, "Web", "sends ::/0 to OutboundOnly (egress_only_gateway)", False),
    Cut("condition-false-not-on-path", CFN, "Web", "WebRouteTable has no route for IPv4 internet addresses", True),
]


@pytest.mark.parametrize("case", CUT_CASES, ids=lambda c: f"{c.behaviour}/{c.file}/{c.workload}")
def test_cut_path_gives_no_reachability_and_says_where(case: Cut) -> None:
    assert trait(case.behaviour, case.file, case.workload, INTERNET_REACHABLE) is None
    assert (trait(case.behaviour, case.file, case.workload, PUBLIC_IP) is not None) == case.public_ip
    reports = explain_paths(context(case.behaviour, case.file, case.workload), NetworkMemo())
    assert reports and not any(r.open for r in reports)
    assert any(case.reason in (r.cut or "") for r in reports), [r.cut for r in reports]


def _path(reports: list[PathReport], via: str) -> PathReport:
    return next(r for r in reports if r.via == via)


def test_nat_only_cut_names_the_table_of_the_subnet() -> None:
    for file, table in ((TF, "aws_route_table.private"), (CFN, "PrivateRouteTable")):
        workload = "aws_instance.app" if file == TF else "App"
        report = _path(explain_paths(context("private-subnet-nat-only", file, workload), NetworkMemo()), "gateway")
        assert report.steps[-1].kind == "route_table" and report.steps[-1].address == table


def test_main_table_with_igw_is_not_used_once_the_subnet_is_explicitly_associated() -> None:
    # the same instance, with the main table's internet route in place, is reachable when
    # the subnet has no association (main-table-by-main-association); here it is not
    ctx = context("explicit-table-without-igw-main-has-igw", TF, "aws_instance.app")
    assert [p.route_table.address for p in ctx.placements if p.route_table] == ["aws_route_table.isolated"]
    assert not ctx.placements[0].route_table_is_main
    main = context("main-table-by-main-association", TF, "aws_instance.app")
    assert main.placements[0].route_table_is_main


def test_ipv4_rule_gives_nothing_over_ipv6_and_egress_only_gateway_carries_nothing_in() -> None:
    for file, workload in ((TF, "aws_instance.web"), (CFN, "Web")):
        open_ipv6 = trait("ipv6-only-exposure", file, workload, INTERNET_REACHABLE)
        assert open_ipv6 is not None and "22" not in str(open_ipv6.properties["ports"])
        public = trait("ipv6-only-exposure", file, workload, PUBLIC_IP)
        assert public is not None and public.properties == {"ipv4": False, "ipv6": True}
        # same instance and rules, ::/0 to an egress-only gateway: no public IPv6 address, no path
        assert trait("ipv6-egress-only-gateway", file, workload, PUBLIC_IP) is None
        assert trait("ipv6-egress-only-gateway", file, workload, INTERNET_REACHABLE) is None


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        # the ALB subnets' NACL lets 443 in, not the listener's 80
        (
            ("from_port  = 80\n    to_port    = 80", "from_port  = 443\n    to_port    = 443"),
            "network ACL aws_network_acl.public of the subnets of aws_lb.web does not let tcp 80 in "
            "from the IPv4 internet",
        ),
        # ... or lets 80 in but not the replies out to the clients' ephemeral ports
        (
            ('cidr_block = "0.0.0.0/0"\n    from_port  = 1024', 'cidr_block = "10.0.0.0/8"\n    from_port  = 1024'),
            "network ACL aws_network_acl.public of the subnets of aws_lb.web does not let tcp 80 in",
        ),
        # ... or lets the ALB's nodes connect to port 8080 of the app subnet but not the replies back in
        (
            ('cidr_block = "10.0.0.0/16"\n    from_port  = 1024', 'cidr_block = "10.9.0.0/16"\n    from_port  = 1024'),
            "network ACL aws_network_acl.public of the subnets of aws_lb.web does not let tcp 8080 out to "
            "aws_instance.app's subnet (or the replies back in)",
        ),
    ],
)
def test_nacls_of_the_load_balancer_subnets_cut_the_path(edit: tuple[str, str], reason: str, tmp_path: Path) -> None:
    text = (FIXTURES / "alb-behind-network-acls" / TF).read_text(encoding="utf-8")
    assert text.count(edit[0]) == 1
    (tmp_path / TF).write_text(text.replace(edit[0], edit[1]), encoding="utf-8")
    (configuration,), _, _ = load_configurations([tmp_path], ScanOptions(root=tmp_path))
    graph = build_graph(configuration)
    ctx = next(c for c in workload_contexts(graph, configuration) if c.address == "aws_instance.app")
    reports = explain_paths(ctx, NetworkMemo())
    assert not any(r.open for r in reports)
    assert any(reason in (r.cut or "") for r in reports), [r.cut for r in reports]


def test_condition_false_resources_are_not_on_the_path() -> None:
    admin = trait("condition-false-not-on-path", CFN, "Admin", INTERNET_REACHABLE)
    assert admin is not None and admin.properties["ports"] == "tcp 443"  # SSH's ingress is not created
    assert not any(s.address == "AdminSshFromAnywhere" for s in admin.path)
    ctx = context("condition-false-not-on-path", CFN, "Web")
    assert not any(r.route.address == "InternetRoute" for p in ctx.placements for r in p.routes)


# --- ec2-vpc-reachable -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "open_one", "others", "ports", "text"),
    [
        (
            TF,
            "aws_instance.open_to_vpc",
            ("aws_instance.one_subnet", "aws_instance.ssh_only"),
            "all traffic",
            'cidr_blocks = ["10.0.0.0/8"]',
        ),
        (CFN, "OpenToVpc", ("OneSubnet", "SshOnly"), "tcp 0-65535, udp 0-65535", "CidrIp: 10.0.0.0/8"),
    ],
)
def test_vpc_reachable_needs_all_traffic_from_a_cidr_containing_the_whole_vpc(
    file: str, open_one: str, others: tuple[str, ...], ports: str, text: str
) -> None:
    found = trait("vpc-reachable", file, open_one, VPC_REACHABLE)
    assert found is not None
    assert found.properties == {"ports": ports, "vpc_cidr": "10.0.0.0/16"}
    assert text in line(found.location.span.file, found.location.span.line)
    assert trait("vpc-reachable", file, open_one, INTERNET_REACHABLE) is None
    for other in others:
        assert trait("vpc-reachable", file, other, VPC_REACHABLE) is None


def test_every_fixture_loads_in_both_formats_where_the_behaviour_exists_in_both() -> None:
    terraform_only = {
        "main-table-by-main-association",
        "main-table-by-default-route-table",
        "default-vpc-through-data-sources",  # data sources: CloudFormation has no lookups
        "default-subnets-through-data-sources",
        "ga-custom-routing-subnet-possible",  # CloudFormation has no custom routing accelerators
        "ga-custom-routing-group-refuses-destination-ports-cut",
    }
    cloudformation_only = {
        "main-table-implicit-only-local",
        "condition-false-not-on-path",
        # the Terraform AWS provider the fixtures are validated with (5.100) has no transit_gateway_id
        # on aws_networkfirewall_firewall
        "network-firewall-attached-to-transit-gateway",
    }
    for folder in sorted(FIXTURES.iterdir()):
        files = {p.name for p in folder.iterdir()}
        expected = {TF} if folder.name in terraform_only else {CFN} if folder.name in cloudformation_only else {TF, CFN}
        assert files == expected, folder.name
        assert _scan(folder.name) is not None  # loads without an error


@pytest.mark.parametrize(
    ("file", "workload", "world"),
    [
        (TF, "aws_instance.web", 'cidr_blocks = ["0.0.0.0/0"]'),
        (CFN, "Web", "CidrIp: 0.0.0.0/0"),
    ],
)
def test_every_rule_that_opens_the_path_is_named(file: str, workload: str, world: str) -> None:
    """Fixing the one rule the finding points at must not leave the path open unnoticed:
    each other rule admitting part of the same traffic is a related location."""
    lines = (FIXTURES / "two-rules-open-the-path" / file).read_text(encoding="utf-8").splitlines()
    first_rule = next(i for i, line in enumerate(lines, 1) if line.rstrip().endswith(world))
    second_rule = next(i for i, line in enumerate(lines, 1) if "# second rule" in line)
    private_rule = next(i for i, line in enumerate(lines, 1) if "not from the internet" in line)
    found = trait("two-rules-open-the-path", file, workload, INTERNET_REACHABLE)
    assert found is not None
    assert found.properties["ports"] == "tcp 22, tcp 80"
    assert found.location.span.line == first_rule
    related_lines = {e.span.line for e in found.related}
    assert second_rule in related_lines
    assert private_rule not in related_lines


def test_unknown_load_balancer_subnets_are_assumed_to_pass_the_workload_nacl(tmp_path: Path) -> None:
    """The ALB's subnets come from a variable: its nodes' addresses are unknown, so the app
    subnet's NACL (which admits only the usual ALB subnets) is assumed to let them in, and
    the finding says so, rather than the path being cut or judged as from the internet."""
    text = (FIXTURES / "alb-behind-network-acls" / TF).read_text(encoding="utf-8")
    old = "subnets            = [aws_subnet.public_a.id, aws_subnet.public_b.id]"
    assert text.count(old) == 1
    (tmp_path / TF).write_text(
        'variable "lb_subnets" {\n  type = list(string)\n}\n\n'
        + text.replace(old, "subnets            = var.lb_subnets"),
        encoding="utf-8",
    )
    result = scan([tmp_path], ScanOptions(root=tmp_path))
    found = {e.workload: e for e in result.exposures}
    for workload in ("aws_instance.app", "aws_instance.locked"):
        reachable = next(t for t in found[workload].traits if t.rule_id == INTERNET_REACHABLE)
        assert reachable.properties["ports"] == "tcp 8080"
        assert any("not known; assumed the NACL lets it through" in a for a in reachable.assumptions), (
            reachable.assumptions
        )
