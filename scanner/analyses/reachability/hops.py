"""The pieces every path is told with: the report of one candidate path, its hops, and the
lines a trait points at."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field

from scanner.analyses.network import PortSet, RouteChoice, sg_rule_ports
from scanner.analyses.network_memo import NetworkMemo
from scanner.findings import Evidence, PathStep
from scanner.frozen import frozen
from scanner.model import SecurityGroupRule
from scanner.values import Origin, Span
from scanner.workload import AttachedGroup, Placement, ResolvedRoute, WorkloadContext

FAMILY = {4: "IPv4", 6: "IPv6"}
ANY_SOURCE = {4: "0.0.0.0/0", 6: "::/0"}


@frozen
class PathReport:
    """One candidate path to the workload: open (``cut`` None, ``ports`` what survives) or
    cut at a hop, with the reason in words."""

    via: str  # gateway | load_balancer | vpc_peering | vpn
    version: int
    steps: tuple[PathStep, ...]
    ports: str
    cut: str | None = None
    location: Evidence | None = None
    related: tuple[Evidence, ...] = ()
    assumptions: tuple[str, ...] = ()
    target_ports: PortSet = field(default_factory=PortSet)
    # Open only from named addresses, not the whole internet: "tcp 22 from 198.51.100.7/32 only".
    restricted: str | None = None
    unknowns: tuple[Origin, ...] = ()  # the open inputs its verdict rests on (with ``assumptions``)
    # The hop that cuts it, when not the last of ``steps`` (a NACL or a group on the way in).
    cut_at: str = ""

    @property
    def open(self) -> bool:
        return self.cut is None and self.restricted is None

    @property
    def possible(self) -> bool:
        """Open (or restricted) only for some values of what is not known offline."""
        return bool(self.assumptions or self.unknowns)


@frozen
class Entry:
    """A service in front of a load balancer that takes the internet's connections itself (a
    Global Accelerator listener): the path starts with its ``steps`` instead of an internet
    gateway, the load balancer need not be internet-facing nor its subnets routed to one,
    and only ``ports`` reach the load balancer. ``preserved``: the clients' addresses are
    kept (the load balancer subnet's network ACL is not evaluated on the way in)."""

    via: str
    steps: tuple[PathStep, ...]
    ports: PortSet
    preserved: bool
    at: str  # the hop that decides which ports go on (for a cut's ``cut_at``)
    assumptions: tuple[str, ...] = ()
    unknowns: tuple[Origin, ...] = ()
    # The AWS managed prefix list its connections come from (CloudFront's origin-facing
    # addresses): a rule naming it admits them as one covering the internet does.
    managed_list: str = ""
    # Targets see the load balancer's own private addresses whatever its target group says
    # (an NLB reached through PrivateLink, as a REST API's VPC link reaches it): why, or "".
    lb_addresses: str = ""
    # Its connections come from network interfaces in the VPC (an HTTP API's VPC link), not
    # from the internet: the load balancer's groups and NACL are evaluated for those.
    source: VpcSource | None = None


@frozen
class VpcSource:
    """Network interfaces in a VPC a service connects from: ``words`` name them in a path,
    ``groups`` are their security groups, ``placements`` their subnets (none: not known)."""

    words: str
    groups: tuple[AttachedGroup, ...]
    placements: tuple[Placement, ...]


def managed_list_ports(rules: Sequence[SecurityGroupRule], name: str) -> PortSet:
    """What the ingress rules naming the AWS managed prefix list ``name`` admit."""
    out = PortSet()
    for rule in rules:
        if rule.ingress and name and name in rule.managed_prefix_lists:
            out = out | sg_rule_ports(rule)
    return out


def step(kind: str, address: str, description: str, span: Span | None, ports: PortSet | None = None) -> PathStep:
    return PathStep(
        kind=kind, address=address, description=description, span=span, ports=str(ports) if ports is not None else ""
    )


def own_part(rule: SecurityGroupRule, ports: PortSet) -> PortSet:
    """What of the path's ``ports`` one admitting rule lets in itself (the path's ports when
    its own are not known): a rule's hop never claims another rule's ports."""
    part = sg_rule_ports(rule) & ports
    return part if part else ports


def ingress_rules(groups: Sequence[AttachedGroup]) -> list[SecurityGroupRule]:
    return [r for g in groups for r in g.rules if r.ingress]


def group_of(groups: Sequence[AttachedGroup], rule: SecurityGroupRule) -> AttachedGroup | None:
    return next((g for g in groups if any(r is rule for r in g.rules)), None)


def route_destination(resolved: ResolvedRoute, version: int) -> object:
    return resolved.route.destination if version == 4 else resolved.route.ipv6_destination


def route_for(placement: Placement, version: int, address: int, memo: NetworkMemo) -> RouteChoice[ResolvedRoute] | None:
    """The route the placement's table takes for ``address`` (the longest prefix that holds it)."""
    routes = [(d, r) for r in placement.routes if (d := route_destination(r, version)) is not None]
    return memo.longest_prefix_match(routes, version, address)


def describe_route(resolved: ResolvedRoute, version: int) -> str:
    return f"{route_destination(resolved, version)} -> {resolved.target_address} ({resolved.target_kind})"


def placement_step(ctx: WorkloadContext, placement: Placement) -> str:
    if placement.default_vpc:
        return "the default VPC"
    return placement.subnet.address if placement.subnet is not None else "an unknown subnet"


def table_step(placement: Placement) -> PathStep:
    if placement.route_table is not None:
        how = "main route table" if placement.route_table_is_main else "route table"
        return step("route_table", placement.route_table.address, f"the subnet's {how}", placement.route_table.span)
    name = "default-vpc#main-route-table" if placement.default_vpc else "implicit main route table"
    return step("route_table", name, "the VPC's main route table (not defined: AWS's implicit one)", None)


def workload_step(ctx: WorkloadContext, ports: PortSet | None = None) -> PathStep:
    kind = ctx.workload.capacity  # instance, auto_scaling_group, spot_fleet, eks_node_group ...
    return step(kind, ctx.address, f"the workload {ctx.address}", ctx.workload.span, ports)


def rule_evidence(groups: Sequence[AttachedGroup], rule: SecurityGroupRule, message: str, version: int = 4) -> Evidence:
    """The rule's line for a path of ``version``: its source ranges of that family first (a
    rule naming both families is edited at the line of the one the path came by)."""
    return Evidence(span=rule.span_of(*cidr_fields(version), "source_groups"), address=rule.address, message=message)


def cidr_fields(version: int) -> tuple[str, str]:
    """A rule's source range fields, that family's first."""
    return ("cidrs", "ipv6_cidrs") if version == 4 else ("ipv6_cidrs", "cidrs")
