"""Paths from private networks: a route to a VPC peering connection or a virtual private
gateway, a group admitting a port from a CIDR overlapping the routed one, and the subnet's
NACL letting that port in from the routed CIDR. When the subnet's route for that network
goes to a Network Firewall or Gateway Load Balancer endpoint whose subnets route it on to the
peering connection or gateway, the path passes the appliance and what it drops is cut
there (inspected.py; IPv4)."""

from __future__ import annotations

from dataclasses import replace

from scanner.analyses.network import PortSet, cidr_contains, cidr_overlaps, parse_cidr, sg_rule_ports
from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.reachability.admission import acl_crossing
from scanner.analyses.reachability.hops import (
    PathReport,
    describe_route,
    ingress_rules,
    own_part,
    route_destination,
    rule_evidence,
    step,
    table_step,
    workload_step,
)
from scanner.analyses.reachability.inspected import (
    Through,
    appliance_hops,
    inspected_ports,
    onward_doors,
    workload_route_hop,
)
from scanner.analyses.unknowns import existence_open, origins_of
from scanner.findings import Evidence
from scanner.model import SecurityGroupRule
from scanner.values import Unknown
from scanner.workload import Placement, ResolvedRoute, WorkloadContext

# --- private network paths -------------------------------------------------------------------------


DOORS = ("vpc_peering", "vpn_gateway")


def private_paths(ctx: WorkloadContext, placement: Placement, version: int, memo: NetworkMemo) -> list[PathReport]:
    out: list[PathReport] = []
    rules = ingress_rules(ctx.security_groups)
    for resolved in placement.routes:
        if resolved.target_kind not in DOORS:
            continue
        destination = route_destination(resolved, version)
        if destination is None:
            continue
        out.append(_door_path(ctx, placement, version, memo, rules, resolved, destination))
    if version == 4:
        for through in onward_doors(ctx, placement, DOORS, memo):
            assert through.onward is not None
            destination = _inspected_range(through.onward, through.route)
            out.append(_door_path(ctx, placement, version, memo, rules, through.onward, destination, through))
    return out


def _inspected_range(onward: ResolvedRoute, route: ResolvedRoute) -> object:
    """The part of the door's range the subnet sends through the appliance: the narrower of
    the appliance subnets' route to the door and the subnet's route to the appliance."""
    narrower = route.route.destination
    if cidr_contains(onward.route.destination, narrower) is True:
        return narrower
    return onward.route.destination


def _door_path(
    ctx: WorkloadContext,
    placement: Placement,
    version: int,
    memo: NetworkMemo,
    rules: list[SecurityGroupRule],
    resolved: ResolvedRoute,
    destination: object,
    through: Through | None = None,
) -> PathReport:
    """The path from the network ``resolved`` (a route to a peering connection or a virtual
    private gateway) routes to, ``through`` an appliance when the subnet's route to it goes
    to one (the appliance's subnets then take ``resolved``)."""
    via = "vpc_peering" if resolved.target_kind == "vpc_peering" else "vpn"
    assumptions: list[str] = []
    deciding: list[object] = []
    net = parse_cidr(destination)
    if net is None:
        assumptions.append(f"{resolved.route.address}: destination {destination} is unknown; assumed any CIDR")
        deciding.append(destination)
        ports, rule = PortSet(), None
        for candidate in rules:
            cidrs = candidate.cidrs if version == 4 else candidate.ipv6_cidrs
            if cidrs:
                ports = ports | sg_rule_ports(candidate)
                rule = rule or candidate
    else:
        ports, rule = PortSet(), None
        for candidate in rules:
            for cidr in candidate.cidrs if version == 4 else candidate.ipv6_cidrs:
                overlap = cidr_overlaps(cidr, destination)
                if isinstance(overlap, Unknown):
                    assumptions.append(
                        f"{candidate.address}: source {cidr} is unknown; assumed it overlaps {destination}"
                    )
                    deciding.append(cidr)
                    overlap = True
                if overlap:
                    ports = ports | sg_rule_ports(candidate)
                    rule = rule or candidate
    source_kind = "vpc_peering" if via == "vpc_peering" else "vpn_gateway"
    door = step(
        source_kind,
        resolved.target_address,
        f"{destination} via {resolved.target_address}",
        resolved.target.span if resolved.target is not None else None,
    )
    if through is None:
        route_hop = step(
            "route", resolved.route.address, f"route {describe_route(resolved, version)}", resolved.route.span
        )
        steps = [door, table_step(placement), route_hop]
    else:
        steps = [door, *appliance_hops(through), table_step(placement), workload_route_hop(through)]
    if not ports or rule is None:
        return PathReport(
            via,
            version,
            tuple(steps),
            "",
            cut=f"no security group rule admits traffic from {destination}",
            cut_at=ctx.security_groups[0].group.address if ctx.security_groups else ctx.address,
        )
    crossing = acl_crossing(placement, version, [destination], ports, memo)
    if not crossing.ports:
        return PathReport(
            via,
            version,
            tuple(steps),
            "",
            cut=f"network ACL {crossing.acl} does not let {ports} in from {destination} (or the replies back out)",
            cut_at=crossing.acl,
        )
    assumptions.extend(crossing.assumptions)
    ports = crossing.ports
    if through is not None:
        subnet = placement.subnet.cidr if placement.subnet is not None else None
        passed, dropped, notes = inspected_ports(through, ports, [destination], subnet)
        if not passed & ports:
            return PathReport(
                via, version, tuple(steps), "", cut=dropped or "the firewall drops it", cut_at=through.address
            )
        ports = ports & passed
        assumptions.extend(notes)
        steps = [replace(s, ports=str(ports)) if not s.ports else s for s in steps]
    # The route (its peering or gateway) and the admitting rule may not exist: possible.
    built_on = existence_open(resolved.route, resolved.target, rule, *((through.route.route,) if through else ()))
    assumptions.extend(built_on.assumptions)
    unknowns = (*origins_of(*deciding), *crossing.unknowns, *built_on.unknowns)
    if crossing.acl:
        steps.append(step("network_acl", crossing.acl, "the subnet's network ACL", crossing.span, ports))
    steps.append(
        step(
            "security_group_rule",
            rule.address,
            f"admits {sg_rule_ports(rule)}",
            rule.span_of("cidrs", "ipv6_cidrs"),
            own_part(rule, ports),
        )
    )
    steps.append(workload_step(ctx, ports))
    location = rule_evidence(
        ctx.security_groups, rule, f"admits {ports} from {destination} ({resolved.target_address})"
    )
    route_text = f"route {describe_route(resolved, version)}"
    related: tuple[Evidence, ...] = (Evidence(resolved.route.span, resolved.route.address, route_text),)
    if through is not None:
        to_appliance = f"route {describe_route(through.route, version)}"
        related = (*related, Evidence(through.route.route.span, through.route.route.address, to_appliance))
    return PathReport(
        via,
        version,
        tuple(steps),
        str(ports),
        location=location,
        related=related,
        assumptions=tuple(dict.fromkeys(assumptions)),
        target_ports=ports,
        unknowns=tuple(dict.fromkeys(unknowns)),
    )
