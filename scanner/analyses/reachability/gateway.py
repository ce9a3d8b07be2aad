"""Paths from the internet through an internet gateway: a public address, a route for internet
addresses to the gateway (longest prefix wins), the subnet's NACL and an attached security
group admitting the port from internet addresses.

What the configuration leaves open makes a path possible (open for some values, with the
assumption and the origins deciding it), never cut: a subnet not known offline (a variable,
a data source: ``unknown_subnet_path``), a route table not known offline, a route for
internet addresses to a gateway not known offline, an Elastic IP, route or rule that may not
exist. A path that is cut whatever those values are (no group admits the internet) stays cut."""

from __future__ import annotations

import ipaddress

from scanner.analyses.network import PortSet, RouteChoice, holds_internet_address, parse_cidr, sg_rule_ports
from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.public_ip import has_ipv6_address, internet_gateway_routes, public_addresses
from scanner.analyses.reachability.admission import internet_admission
from scanner.analyses.reachability.firewall import appliance_on_route, firewall_hop, inspect
from scanner.analyses.reachability.hops import (
    FAMILY,
    PathReport,
    cidr_fields,
    describe_route,
    group_of,
    ingress_rules,
    placement_step,
    route_for,
    rule_evidence,
    step,
    table_step,
    workload_step,
)
from scanner.analyses.unknowns import existence_open, origins_of, ref_text, unplaced_subnets
from scanner.findings import Evidence, PathStep
from scanner.model import SecurityGroupRule
from scanner.values import Origin
from scanner.workload import Placement, ResolvedRoute, WorkloadContext
from scanner.workload_between import FirewallView


def gateway_path(ctx: WorkloadContext, placement: Placement, version: int, memo: NetworkMemo) -> PathReport:
    family = FAMILY[version]
    public = public_addresses(ctx, memo).of(version)
    assumptions: list[str] = list(placement.unresolved) if placement.unresolved else []
    steps = [step("internet", "internet", f"any {family} address on the internet", None)]
    if public is None or placement not in public.placements:
        if version == 6 and has_ipv6_address(ctx, placement):
            return _not_routed_to_a_gateway(placement, version, steps, memo)
        return PathReport(
            "gateway",
            version,
            tuple(steps),
            "",
            cut=f"{ctx.address} has no public {family} address in {placement_step(ctx, placement)}",
        )
    assumptions.extend(public.assumptions)
    unknowns: list[Origin] = list(public.unknowns)
    rules = ingress_rules(ctx.security_groups)
    table = table_step(placement)
    via_gateway = True
    guessed: ResolvedRoute | None = None
    inspected: tuple[ResolvedRoute, FirewallView | None] | None = None
    if not internet_gateway_routes(placement, version, memo):
        default_route = internet_route(placement, version, memo)
        if default_route is not None and default_route.target.target_kind == "unknown":
            # gateway_id not known offline (a variable, a data source): it may be an internet gateway.
            guessed = default_route.target
            assumptions.append(
                f"{guessed.route.address}: the gateway of route {describe_route(guessed, version)} is not known "
                "offline; assumed an internet gateway"
            )
            unknowns.extend(origins_of(guessed.route.target))
        elif default_route is not None and (appliance := appliance_on_route(ctx, default_route.target, version, memo)):
            # Internet traffic goes through a Network Firewall or a GWLB endpoint (firewall.py).
            if appliance[1]:
                at = appliance[0].firewall.address if appliance[0] is not None else ""
                return PathReport("gateway", version, (*steps, table), "", cut=appliance[1], cut_at=at)
            inspected = (default_route.target, appliance[0])
            assumptions.extend(appliance[2])
        elif default_route is None and placement.routing_unknown:
            assumptions.append(
                f"the route table of {placement_step(ctx, placement)} is not known offline "
                f"({', '.join(ref_text(r) for r in placement.routing_unknown)}); "
                "assumed it routes internet addresses to an internet gateway"
            )
            unknowns.extend(origins_of(placement.routing_unknown))
        else:
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
        via_gateway = False
    admission = internet_admission(placement, rules, version, via_gateway, memo)
    if not admission.sg_ports:
        return _no_group_admits(ctx, version, (*steps, table))
    if not admission.ports:
        return PathReport(
            "gateway",
            version,
            (*steps, table),
            "",
            cut=admission.acl_cut or "the network ACL blocks it",
            cut_at=placement.network_acl.address if placement.network_acl is not None else "",
        )
    assumptions.extend(admission.assumptions)
    unknowns.extend(admission.unknowns)
    ports = admission.ports & admission.world_ports
    if not ports:
        return PathReport(
            "gateway",
            version,
            (*steps, table),
            str(admission.ports),
            restricted=f"reachable on {admission.ports} from {', '.join(admission.sources)} only",
            assumptions=tuple(dict.fromkeys(assumptions)),
            unknowns=tuple(dict.fromkeys(unknowns)),
        )
    route = admission.route if via_gateway else guessed
    related: list[Evidence] = []
    if inspected is not None:
        through, view = inspected
        if view is not None:
            subnet = placement.subnet.cidr if placement.subnet is not None else None
            passed, dropped, notes = inspect(view, ports, subnet)
            if not ports & passed:
                hop = firewall_hop(view, through.target_address, ports)
                return PathReport(
                    "gateway",
                    version,
                    (*steps, hop, table),
                    "",
                    cut=dropped or "the firewall drops it",
                    cut_at=hop.address,
                )
            ports = ports & passed
            assumptions.extend(notes)
        steps.append(firewall_hop(view, through.target_address, ports))
        steps.append(step(table.kind, table.address, table.description, table.span, ports))
        described = f"route {describe_route(through, version)}"
        steps.append(step("route", through.route.address, described, through.route.span, ports))
        related.append(Evidence(through.route.span, through.route.address, described))
    elif route is not None:
        # The route (and the gateway) the path takes may not exist: then the path is possible.
        built_on = existence_open(route.route, route.target)
        assumptions.extend(built_on.assumptions)
        unknowns.extend(built_on.unknowns)
        igw_span = route.target.span if route.target is not None else None
        steps.append(step("internet_gateway", route.target_address, "internet gateway of the VPC", igw_span, ports))
        steps.append(step(table.kind, table.address, table.description, table.span, ports))
        described = f"route {describe_route(route, version)}"
        steps.append(step("route", route.route.address, described, route.route.span, ports))
    else:
        steps.append(step(table.kind, table.address, "the subnet's route table, not known offline", None, ports))
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
    group_steps, groups, others, location = through_groups(ctx, placement, rules, version, via_gateway, ports, memo)
    steps.extend(group_steps)
    related.extend(groups)
    related.append(public.location)
    if route is not None:
        related.append(Evidence(route.route.span, route.route.address, f"route {describe_route(route, version)}"))
    related.extend(others)
    return PathReport(
        "gateway",
        version,
        tuple(steps),
        str(ports),
        location=location,
        related=tuple(related),
        assumptions=tuple(dict.fromkeys(assumptions)),
        target_ports=ports,
        unknowns=tuple(dict.fromkeys(unknowns)),
    )


def unknown_subnet_path(ctx: WorkloadContext, version: int, memo: NetworkMemo) -> PathReport | None:
    """The path through the subnets the workload names that are not known offline
    (``unplaced_subnets``; IPv4 only: an IPv6 address needs a subnet known to hold one).
    Whether such a subnet routes to an internet gateway, maps public addresses or has a
    NACL is not known: open (possible) when the workload may have a public address and its
    groups admit the internet, cut when no group admits it whatever the subnet is. None when
    every subnet is known."""
    unplaced = unplaced_subnets(ctx)
    if not unplaced or version != 4:
        return None
    family = FAMILY[version]
    where = ", ".join(ref_text(r) for r in unplaced)
    steps = [
        step("internet", "internet", f"any {family} address on the internet", None),
        step("subnet", where, "a subnet not known offline", ctx.workload.span_of("subnet", "subnets")),
    ]
    public = public_addresses(ctx, memo).of(version)
    if public is None or not public.unplaced:
        return PathReport(
            "gateway", version, tuple(steps), "", cut=f"{ctx.address} has no public {family} address in {where}"
        )
    rules = ingress_rules(ctx.security_groups)
    admission = internet_admission(None, rules, version, False, memo)
    if not admission.sg_ports:
        return _no_group_admits(ctx, version, tuple(steps))
    assumptions = [
        f"the subnet {ctx.address} runs in is not known offline ({where}); assumed it routes internet addresses "
        "to an internet gateway and its network ACL lets the traffic in",
        *public.assumptions,
        *admission.assumptions,
    ]
    unknowns = [*origins_of(unplaced), *public.unknowns, *admission.unknowns]
    ports = admission.ports & admission.world_ports
    if not ports:
        return PathReport(
            "gateway",
            version,
            tuple(steps),
            str(admission.ports),
            restricted=f"reachable on {admission.ports} from {', '.join(admission.sources)} only",
            assumptions=tuple(dict.fromkeys(assumptions)),
            unknowns=tuple(dict.fromkeys(unknowns)),
        )
    group_steps, groups, others, location = through_groups(ctx, None, rules, version, False, ports, memo)
    return PathReport(
        "gateway",
        version,
        (*steps, *group_steps),
        str(ports),
        location=location,
        related=(*groups, public.location, *others),
        assumptions=tuple(dict.fromkeys(assumptions)),
        target_ports=ports,
        unknowns=tuple(dict.fromkeys(unknowns)),
    )


def internet_route(placement: Placement, version: int, memo: NetworkMemo) -> RouteChoice[ResolvedRoute] | None:
    """The route the subnet's table takes for an internet address (a sample one: the
    internet's addresses share a route unless a table names some of them)."""
    sample = int(ipaddress.ip_address("8.8.8.8" if version == 4 else "2600::"))
    return route_for(placement, version, sample, memo)


def _not_routed_to_a_gateway(
    placement: Placement, version: int, steps: list[PathStep], memo: NetworkMemo
) -> PathReport:
    """The workload has an address of this family, but its subnet's route for internet
    addresses goes elsewhere (an egress-only gateway, a NAT gateway: out only) or nowhere."""
    table = table_step(placement)
    found = internet_route(placement, version, memo)
    if found is not None:
        why = (
            f"{table.address} sends {found.network} to {found.target.target_address} ({found.target.target_kind}), "
            "not an internet gateway: it carries no connection in"
        )
    else:
        why = f"{table.address} has no route for {FAMILY[version]} internet addresses to an internet gateway"
    return PathReport("gateway", version, (*steps, table), "", cut=why, cut_at=table.address)


def _no_group_admits(ctx: WorkloadContext, version: int, steps: tuple[PathStep, ...]) -> PathReport:
    groups = ", ".join(g.group.address for g in ctx.security_groups) or "no security group"
    return PathReport(
        "gateway",
        version,
        steps,
        "",
        cut=f"no rule of {groups} admits traffic from {FAMILY[version]} internet addresses",
        cut_at=ctx.security_groups[0].group.address if ctx.security_groups else ctx.address,
    )


def through_groups(
    ctx: WorkloadContext,
    placement: Placement | None,
    rules: list[SecurityGroupRule],
    version: int,
    via_gateway: bool,
    ports: PortSet,
    memo: NetworkMemo,
) -> tuple[list[PathStep], list[Evidence], list[Evidence], Evidence]:
    """The hops through the attached groups to the workload, the groups' lines and the other
    admitting rules' lines (related places), and the line of the first admitting rule."""
    family = FAMILY[version]
    # Each rule that lets part of the open ports in, with its own part: every one of them must
    # change, or the path stays open.
    admitting = [(rule, part) for rule in rules if (part := _rule_part(rule, version, ports))]
    steps: list[PathStep] = []
    related: list[Evidence] = []
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
                    rule.span_of(*cidr_fields(version)),
                    part,
                )
            )
    steps.append(workload_step(ctx, ports))
    anchor, _ = admitting[0]
    others: list[Evidence] = []
    for other, part in admitting[1:]:
        others.append(
            rule_evidence(ctx.security_groups, other, f"also admits {part} from the {family} internet", version)
        )
    location = rule_evidence(
        ctx.security_groups, anchor, f"admits {sg_rule_ports(anchor)} from the {family} internet", version
    )
    return steps, related, others, location


def _rule_part(rule: SecurityGroupRule, version: int, ports: PortSet) -> PortSet:
    """What of the path's ``ports`` one rule lets in: its ports, when some of its sources are
    internet addresses (a source not known offline counts, as it does for the path). The
    path itself was decided over every address; this only says which rule opens which part."""
    cidrs = rule.cidrs if version == 4 else rule.ipv6_cidrs
    for cidr in cidrs:
        net = parse_cidr(cidr)
        if net is None or (net.version == version and holds_internet_address(net)):
            return sg_rule_ports(rule) & ports
    return PortSet()
