"""Paths from the internet through an internet gateway: a public address, a route for internet
addresses to the gateway (longest prefix wins), the subnet's NACL and an attached security
group admitting the port from internet addresses."""

from __future__ import annotations

import ipaddress

from scanner.analyses.network import (
    NetworkMemo,
    PortSet,
    sg_rule_ports,
)
from scanner.analyses.public_ip import internet_gateway_routes, public_addresses
from scanner.analyses.reachability.admission import internet_admission
from scanner.analyses.reachability.hops import (
    FAMILY,
    PathReport,
    describe_route,
    group_of,
    ingress_rules,
    placement_step,
    route_destination,
    rule_evidence,
    step,
    table_step,
    workload_step,
)
from scanner.findings import Evidence
from scanner.workload import Placement, WorkloadContext


def gateway_path(ctx: WorkloadContext, placement: Placement, version: int, memo: NetworkMemo) -> PathReport:
    family = FAMILY[version]
    public = public_addresses(ctx, memo).of(version)
    assumptions: list[str] = list(placement.unresolved) if placement.unresolved else []
    steps = [step("internet", "internet", f"any {family} address on the internet", None)]
    if public is None or placement not in public.placements:
        return PathReport(
            "gateway",
            version,
            tuple(steps),
            "",
            cut=f"{ctx.address} has no public {family} address in {placement_step(ctx, placement)}",
        )
    assumptions.extend(public.assumptions)
    rules = ingress_rules(ctx.security_groups)
    table = table_step(placement)
    if not internet_gateway_routes(placement, version, memo):
        sample = int(ipaddress.ip_address("8.8.8.8" if version == 4 else "2600::"))
        default_route = memo.longest_prefix_match(
            [(d, r) for r in placement.routes if (d := route_destination(r, version)) is not None], version, sample
        )
        if default_route is not None:
            why = (
                f"{table.address} sends {default_route.network} to {default_route.target.target_address}"
                f" ({default_route.target.target_kind}), not an internet gateway"
            )
        else:
            why = f"{table.address} has no route for {family} internet addresses to an internet gateway"
        return PathReport(
            "gateway", version, (*steps, table), "", cut=why, assumptions=tuple(dict.fromkeys(assumptions))
        )
    admission = internet_admission(placement, rules, version, True, memo)
    if not admission.sg_ports:
        groups = ", ".join(g.group.address for g in ctx.security_groups) or "no security group"
        return PathReport(
            "gateway",
            version,
            (*steps, table),
            "",
            cut=f"no rule of {groups} admits traffic from {family} internet addresses",
            assumptions=tuple(dict.fromkeys(assumptions + list(admission.assumptions))),
        )
    if not admission.ports:
        return PathReport(
            "gateway",
            version,
            (*steps, table),
            "",
            cut=admission.acl_cut or "the network ACL blocks it",
            assumptions=tuple(dict.fromkeys(assumptions + list(admission.assumptions))),
        )
    assumptions.extend(admission.assumptions)
    ports = admission.ports & admission.world_ports
    if not ports:
        return PathReport(
            "gateway",
            version,
            (*steps, table),
            str(admission.ports),
            restricted=f"reachable on {admission.ports} from {', '.join(admission.sources)} only",
            assumptions=tuple(dict.fromkeys(assumptions)),
        )
    route = admission.route
    assert route is not None
    # Each rule that lets part of the open ports in, with its own part: every one of them must
    # change, or the path stays open.
    admitting = [
        (rule, part)
        for rule in rules
        if (part := internet_admission(placement, [rule], version, True, memo).ports & ports)
    ]
    igw_span = route.target.span if route.target is not None else None
    steps.append(step("internet_gateway", route.target_address, "internet gateway of the VPC", igw_span, ports))
    steps.append(step(table.kind, table.address, table.description, table.span, ports))
    steps.append(step("route", route.route.address, f"route {describe_route(route, version)}", route.route.span, ports))
    related: list[Evidence] = []
    if placement.network_acl is not None:
        acl = placement.network_acl
        steps.append(step("network_acl", acl.address, "the subnet's network ACL", acl.span, ports))
        if admission.acl_entry is not None:
            entry = admission.acl_entry
            steps.append(
                step("network_acl_entry", entry.address, f"rule {entry.rule_number} allows it", entry.span, ports)
            )
            related.append(Evidence(entry.span, entry.address, "network ACL entry allowing the traffic in"))
    else:
        steps.append(
            step("network_acl", "default network ACL", "the VPC's default network ACL allows all", None, ports)
        )
    # Each attached group with what it lets in, then each of its rules with its own part.
    for attached in ctx.security_groups:
        own = [(rule, part) for rule, part in admitting if group_of(ctx.security_groups, rule) is attached]
        if not own:
            continue
        through = PortSet()
        for _, part in own:
            through = through | part
        steps.append(
            step("security_group", attached.group.address, "attached security group", attached.attached_at, through)
        )
        related.append(Evidence(attached.attached_at, attached.group.address, "the group attached to the workload"))
        for rule, part in own:
            steps.append(
                step(
                    "security_group_rule",
                    rule.address,
                    f"admits {sg_rule_ports(rule)} from the internet",
                    rule.span_of("cidrs", "ipv6_cidrs"),
                    part,
                )
            )
    steps.append(workload_step(ctx, ports))
    related.append(public.location)
    related.append(Evidence(route.route.span, route.route.address, f"route {describe_route(route, version)}"))
    anchor, _ = admitting[0]
    for other, part in admitting[1:]:
        related.append(rule_evidence(ctx.security_groups, other, f"also admits {part} from the {family} internet"))
    location = rule_evidence(ctx.security_groups, anchor, f"admits {sg_rule_ports(anchor)} from the {family} internet")
    return PathReport(
        "gateway",
        version,
        tuple(steps),
        str(ports),
        location=location,
        related=tuple(related),
        assumptions=tuple(dict.fromkeys(assumptions)),
        target_ports=ports,
    )
