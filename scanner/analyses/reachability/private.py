"""Paths from private networks: a route to a VPC peering connection or a virtual private
gateway, a group admitting a port from a CIDR overlapping the routed one, and the subnet's
NACL letting that port in from the routed CIDR."""

from __future__ import annotations

from scanner.analyses.network import PortSet, cidr_overlaps, parse_cidr, sg_rule_ports
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
from scanner.analyses.unknowns import existence_open, origins_of
from scanner.findings import Evidence
from scanner.values import Unknown
from scanner.workload import Placement, WorkloadContext

# --- private network paths -------------------------------------------------------------------------


def private_paths(ctx: WorkloadContext, placement: Placement, version: int, memo: NetworkMemo) -> list[PathReport]:
    out: list[PathReport] = []
    rules = ingress_rules(ctx.security_groups)
    for resolved in placement.routes:
        if resolved.target_kind not in ("vpc_peering", "vpn_gateway"):
            continue
        destination = route_destination(resolved, version)
        if destination is None:
            continue
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
        steps = [
            step(
                source_kind,
                resolved.target_address,
                f"{destination} via {resolved.target_address}",
                resolved.target.span if resolved.target is not None else None,
            ),
            table_step(placement),
            step("route", resolved.route.address, f"route {describe_route(resolved, version)}", resolved.route.span),
        ]
        if not ports or rule is None:
            out.append(
                PathReport(
                    via,
                    version,
                    tuple(steps),
                    "",
                    cut=f"no security group rule admits traffic from {destination}",
                    cut_at=ctx.security_groups[0].group.address if ctx.security_groups else ctx.address,
                )
            )
            continue
        crossing = acl_crossing(placement, version, [destination], ports, memo)
        if not crossing.ports:
            out.append(
                PathReport(
                    via,
                    version,
                    tuple(steps),
                    "",
                    cut=f"network ACL {crossing.acl} does not let {ports} in from {destination} "
                    f"(or the replies back out)",
                    cut_at=crossing.acl,
                )
            )
            continue
        assumptions.extend(crossing.assumptions)
        # The route (its peering or gateway) and the admitting rule may not exist: possible.
        built_on = existence_open(resolved.route, resolved.target, rule)
        assumptions.extend(built_on.assumptions)
        unknowns = (*origins_of(*deciding), *crossing.unknowns, *built_on.unknowns)
        ports = crossing.ports
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
        related = (Evidence(resolved.route.span, resolved.route.address, route_text),)
        out.append(
            PathReport(
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
        )
    return out
