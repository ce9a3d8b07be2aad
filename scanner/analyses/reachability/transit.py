"""Paths through a transit gateway (IPv4), as AWS routes them
(https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html). A network on
another attachment of the transit gateway (another VPC of the configuration: its CIDRs; a
VPN: its static routes; Direct Connect: its on-premises networks, learned over BGP, unknown
and named) reaches the workload when:

1. the other attachment is associated with a transit gateway route table (explicitly, else
   the default route table when default association is on);
2. that table's longest-prefix route for the workload's subnet CIDR (static or propagated)
   sends it to the attachment of the workload's VPC (a blackhole route, a route to another
   attachment or no route cuts it);
3. the replies get back: the workload subnet's route table sends the source's range to the
   transit gateway (its longest-prefix route), and the route table the workload VPC's
   attachment is associated with sends it to the other attachment;
4. the workload's groups admit a port from the source range and the subnet's NACL lets it
   in (and the replies back out).

A subnet route on either side that goes to a Network Firewall or Gateway Load Balancer
endpoint whose subnets route on to the transit gateway, and a route table sending the range
to an inspection VPC's attachment (inspection_vpc.py), put the appliance on the path: what
it drops is cut at its hop (inspected.py).

What is modelled exactly: route tables, associations, propagations (explicit and default),
static and blackhole routes. What is not: the Availability Zones of the attachment's subnets
(subnets carry no zone here), appliance mode, transit gateway peering and Connect
attachments, IPv6 routes (the path is evaluated for IPv4). A route to a transit gateway that
is not in the configuration is a path from the route's destination, resting on the
assumption that the transit gateway delivers it (named).
"""

from __future__ import annotations

from dataclasses import replace

from scanner.analyses.network import PortSet, cidr_overlaps, longest_prefix_match, parse_cidr, sg_rule_ports
from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.reachability.direct_connect import advertised
from scanner.analyses.reachability.firewall import firewall_hop, inspect
from scanner.analyses.reachability.from_network import admitted_from
from scanner.analyses.reachability.hops import (
    PathReport,
    describe_route,
    own_part,
    route_destination,
    route_for,
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
    through_appliance,
    workload_route_hop,
)
from scanner.analyses.reachability.inspection_vpc import attached_firewall, through_inspection_vpc
from scanner.analyses.unknowns import existence_open, origins_of
from scanner.findings import Evidence, PathStep
from scanner.model_between import DxGatewayAssociation, TransitGateway
from scanner.workload import Placement, ResolvedRoute, WorkloadContext
from scanner.workload_between import FirewallView, TgwAttachment, TgwRoute, TransitView

VIA = "transit_gateway"
_SIDE = {"vpc": "transit_gateway_vpc_attachment", "vpn": "vpn_connection", "direct_connect": "direct_connect_gateway"}


def transit_paths(ctx: WorkloadContext, placement: Placement, version: int, memo: NetworkMemo) -> list[PathReport]:
    """Every path through a transit gateway the subnet's route table routes to."""
    if version != 4:
        return []
    by_gateway: dict[str, list[ResolvedRoute]] = {}
    for resolved in placement.routes:
        if resolved.target_kind == "transit_gateway" and resolved.route.destination is not None:
            by_gateway.setdefault(resolved.target_address, []).append(resolved)
    # A route to a firewall's (or GWLB) endpoint whose subnets route on to a transit gateway
    # of this configuration: the gateway is reached through the appliance.
    for through in onward_doors(ctx, placement, ("transit_gateway",), memo):
        assert through.onward is not None
        if isinstance(through.onward.target, TransitGateway):
            by_gateway.setdefault(through.onward.target_address, []).append(through.route)
    out: list[PathReport] = []
    for address, routes in by_gateway.items():
        view = ctx.between.transit.get(address) if ctx.between is not None else None
        if view is None:
            out.extend(_outside(ctx, placement, routes, memo))
            continue
        out.extend(_through_gateway(ctx, placement, view, routes, memo))
    return out


def _through_gateway(
    ctx: WorkloadContext, placement: Placement, view: TransitView, routes: list[ResolvedRoute], memo: NetworkMemo
) -> list[PathReport]:
    gateway = view.gateway
    gateway_step = step("transit_gateway", gateway.address, "the transit gateway", gateway.span)
    own = next((a for a in view.attachments if a.vpc is not None and a.vpc is placement.vpc), None)
    if own is None:
        where = placement.vpc.address if placement.vpc is not None else "the workload's VPC"
        return [
            PathReport(
                VIA,
                4,
                (gateway_step, table_step(placement)),
                "",
                cut=f"{gateway.address} has no attachment to {where}: it delivers nothing to this VPC",
            )
        ]
    target = _target_cidr(placement)
    found = [
        _from_attachment(ctx, placement, view, own, other, routes, target, memo)
        for other in view.attachments
        if other is not own
    ]
    # A route to the gateway for networks no attachment of this configuration holds: their
    # attachments are elsewhere (another account, another configuration), assumed, named.
    known = [cidr for other in view.attachments if other is not own for cidr in other.cidrs]
    beyond = [
        r
        for r in routes
        if r.target_kind == "transit_gateway"
        and not any(cidr_overlaps(r.route.destination, c) is not False for c in known)
    ]
    if beyond:
        found.extend(_outside(ctx, placement, beyond, memo, gateway_known=True))
    return found


def _target_cidr(placement: Placement) -> object:
    if placement.subnet is not None and placement.subnet.cidr is not None:
        return placement.subnet.cidr
    return placement.vpc_cidrs[0] if placement.vpc_cidrs else None


def _first_address(cidr: object) -> int | None:
    net = parse_cidr(cidr)
    return int(net.network_address) if net is not None and net.version == 4 else None


def _from_attachment(
    ctx: WorkloadContext,
    placement: Placement,
    view: TransitView,
    own: TgwAttachment,
    other: TgwAttachment,
    routes: list[ResolvedRoute],
    target: object,
    memo: NetworkMemo,
) -> PathReport:
    gateway = view.gateway
    cidrs = ", ".join(str(c) for c in other.cidrs)
    named = f"{cidrs} ({other.attachment.address})"
    steps: list[PathStep] = [
        step(_SIDE[other.kind], other.attachment.address, f"{cidrs} through {gateway.address}", other.attachment.span)
    ]
    assumptions: list[str] = []
    deciding: list[object] = []
    # 0. the source side: a subnet of the other VPC must send the workload's range to the gateway
    inspections: list[tuple[Through, list[object], object]] = []  # (appliance, sources, destination)
    attached_firewalls: list[tuple[FirewallView, list[object]]] = []  # attached to the gateway: (firewall, sources)
    if other.kind == "vpc" and other.vpc is not None:
        sent = _sent_from(ctx, other, gateway.address, target, memo)
        if isinstance(sent, str):
            return _cut(steps, sent, other.attachment.address)
        if sent is not None:
            steps.extend(sent[0])
            if sent[1] is not None:
                inspections.append((sent[1], list(other.cidrs), target))
        else:
            assumptions.append(
                f"{other.vpc.address}: the route tables of its subnets are not known offline; assumed one sends "
                f"{target} to {gateway.address}"
            )
    table = other.table
    if table is None:
        why = f" ({other.why_unassociated})" if other.why_unassociated else ""
        return _cut(steps, f"{other.attachment.address} is associated with no transit gateway route table{why}")
    associated = other.associated_by
    steps.append(
        step(
            "transit_gateway_route_table",
            table.address,
            f"the route table {other.attachment.address} is associated with",
            associated.span if associated is not None and associated is not other.attachment else table.resource.span,
        )
    )
    if other.association_unknown is not None:
        assumptions.append(
            f"{other.attachment.address}: default route table association rests on "
            f"{other.association_unknown.reason}; assumed on"
        )
        deciding.append(other.association_unknown)
    if isinstance(other.attachment, DxGatewayAssociation):
        refused, notes, unknowns = advertised(other.attachment, target, transit=True)
        if refused:
            return _cut(steps, refused)
        assumptions.extend(notes)
        deciding.extend(unknowns)
    # 2. the table's route for the workload's subnet
    address = _first_address(target)
    choice = longest_prefix_match([(r.destination, r) for r in table.routes], 4, address) if address else None
    chosen: TgwRoute | None = choice.target if choice is not None else None
    if chosen is None:
        guessed = [r for r in table.routes if parse_cidr(r.destination) is None and r.attachment is own.attachment]
        if not guessed or address is None:
            return _cut(steps, f"transit gateway route table {table.address} has no route to {target}")
        chosen = guessed[0]
        assumptions.append(
            f"{table.address}: the destination of the route to {own.attachment.address} is not known offline "
            f"({chosen.destination}); assumed it covers {target}"
        )
        deciding.append(chosen.destination)
    if chosen.blackhole:
        return _cut(
            steps,
            f"transit gateway route table {table.address} drops {chosen.destination} "
            f"(blackhole route {chosen.by.address})",
        )
    attached = attached_firewall(ctx, chosen, own.attachment) if chosen.attachment is not own.attachment else None
    if attached is not None:
        # A firewall attached to the gateway itself: its rules are evaluated, its way on assumed.
        firewall, note = attached
        assumptions.append(note)
        attached_firewalls.append((firewall, list(other.cidrs)))
        how = "propagated" if chosen.propagated else "static"
        described = f"{how} route {chosen.destination} -> {chosen.target_text}"
        steps.append(step("transit_gateway_route", chosen.by.address, described, chosen.by.span))
        hop = firewall_hop(firewall, firewall.firewall.address, PortSet())
        steps.append(replace(hop, description=f"attached to {gateway.address}, {hop.description}", ports=""))
    elif chosen.attachment is not own.attachment:
        # An inspection VPC between the two (inspection_vpc.py): through its firewall and on.
        inspection = (
            through_inspection_vpc(ctx, view, chosen.attachment, own.attachment, address, memo)
            if address is not None
            else None
        )
        if isinstance(inspection, str):
            return _cut(steps, inspection)
        if inspection is None:
            return _cut(
                steps,
                f"transit gateway route table {table.address} sends {target} to {chosen.target_text}, "
                f"not to {own.attachment.address}",
            )
        if chosen.possible is not None:
            assumptions.append(f"{chosen.by.address}: the route rests on {chosen.possible.reason}; assumed it applies")
            deciding.append(chosen.possible)
        how = "propagated" if chosen.propagated else "static"
        described = f"{how} route {chosen.destination} -> {chosen.target_text}"
        steps.append(step("transit_gateway_route", chosen.by.address, described, chosen.by.span))
        steps.extend(inspection.steps)
        inspections.append((inspection.through, list(other.cidrs), target))
        chosen = inspection.onward
    if chosen.possible is not None:
        assumptions.append(f"{chosen.by.address}: the route rests on {chosen.possible.reason}; assumed it applies")
        deciding.append(chosen.possible)
    how = "propagated" if chosen.propagated else "static"
    if attached is None:
        steps.append(
            step(
                "transit_gateway_route",
                chosen.by.address,
                f"{how} route {chosen.destination} -> {own.attachment.address}",
                chosen.by.span,
            )
        )
    steps.append(step("transit_gateway", gateway.address, "the transit gateway", gateway.span))
    steps.append(
        step(
            "transit_gateway_vpc_attachment",
            own.attachment.address,
            "the attachment of the workload's VPC",
            own.attachment.span,
        )
    )
    # 3. the return path: the subnet's route for the source range must be the transit gateway
    table_hop = table_step(placement)
    sources: list[object] = []
    back: ResolvedRoute | None = None
    refusal = ""
    refused_at = ""
    own_routes = [(d, r) for r in placement.routes if (d := route_destination(r, 4)) is not None]
    for cidr in other.cidrs:
        first = _first_address(cidr)
        if first is None:
            assumptions.append(
                f"{table_hop.address}: {cidr} is not known offline; assumed it is within "
                f"{', '.join(str(r.route.destination) for r in routes)} (routed back to {gateway.address})"
            )
            deciding.append(cidr)
            sources.append(cidr)
            back = back or routes[0]
            continue
        returning = memo.longest_prefix_match(own_routes, 4, first)
        through = (
            through_appliance(ctx, returning.target, first, memo)
            if returning is not None and returning.target.target_kind == "vpc_endpoint"
            else None
        )
        inspected = (
            through is not None and through.onward is not None and through.onward.target_address == gateway.address
        )
        if inspected or (returning is not None and returning.target.target_address == gateway.address):
            reply = _reply_refused(
                ctx, view, own, other, first, cidr, target, memo, inspections, attached_firewalls, assumptions
            )
            if reply:
                if not refusal:
                    refusal = reply
                    refused_at = own.table.address if own.table is not None else own.attachment.address
                continue
            sources.append(cidr)
            if inspected and through is not None:  # back through the appliance
                back = back or through.route
                inspections.append((through, [cidr], target))
            elif returning is not None:
                back = back or returning.target
        elif not refusal:
            refusal = (
                f"{table_hop.address} sends {cidr} back to {returning.target.target_address} "
                f"({returning.target.target_kind}), not to {gateway.address}"
                if returning is not None
                else f"{table_hop.address} has no route back to {cidr}"
            )
    steps.append(table_hop)
    if not sources or back is None:
        return _cut(steps, refusal or f"{table_hop.address} has no route back to {cidrs}", refused_at)
    steps.append(step("route", back.route.address, f"route {describe_route(back, 4)} (return)", back.route.span))
    returning_through = [t for t, _, _ in inspections if t.route is back]
    if returning_through:
        steps.extend(appliance_hops(returning_through[0]))
    # 4. the groups and the NACL
    admitted = admitted_from(ctx, placement, 4, sources, memo, named)
    if admitted.cut is not None or admitted.rule is None:
        return _cut(steps, admitted.cut or f"nothing admits {named}", admitted.cut_at)
    ports = admitted.ports
    # 5. the appliances on the way (the source VPC's, the workload VPC's): what they drop is cut
    for through, inspected_sources, destination in inspections:
        passed, dropped, notes = inspected_ports(through, ports, inspected_sources, destination)
        if not passed & ports:
            return _cut(steps, dropped or "the firewall drops it", through.address)
        ports = ports & passed
        assumptions.extend(notes)
    for firewall, firewall_sources in attached_firewalls:
        passed, dropped, notes = PortSet(), "", []
        for source in firewall_sources:
            got, why, said = inspect(firewall, ports, target, source)
            passed, dropped = passed | got, dropped or why
            notes.extend(said)
        if not passed & ports:
            return _cut(steps, dropped or "the firewall drops it", firewall.firewall.address)
        ports = ports & passed
        assumptions.extend(notes)
    if admitted.acl_step is not None:
        steps.append(admitted.acl_step)
    steps.append(
        step(
            "security_group_rule",
            admitted.rule.address,
            f"admits {sg_rule_ports(admitted.rule)}",
            admitted.rule.span_of("cidrs", "ipv6_cidrs"),
            own_part(admitted.rule, ports),
        )
    )
    steps = [replace(s, ports=str(ports)) if not s.ports else s for s in steps]
    steps.append(workload_step(ctx, ports))
    appliance_routes = [t.route.route for t, _, _ in inspections]
    built_on = existence_open(back.route, chosen.by, other.attachment, own.attachment, admitted.rule, *appliance_routes)
    location = rule_evidence(ctx.security_groups, admitted.rule, f"admits {ports} from {named} via {gateway.address}")
    related = (
        Evidence(chosen.by.span, chosen.by.address, f"{how} route {chosen.destination} -> {own.attachment.address}"),
        Evidence(back.route.span, back.route.address, f"route {describe_route(back, 4)}"),
    )
    return PathReport(
        VIA,
        4,
        tuple(steps),
        str(ports),
        location=location,
        related=related,
        assumptions=tuple(dict.fromkeys([*assumptions, *admitted.assumptions, *built_on.assumptions])),
        target_ports=ports,
        unknowns=tuple(dict.fromkeys([*origins_of(*deciding), *admitted.unknowns, *built_on.unknowns])),
    )


def _sent_from(
    ctx: WorkloadContext, other: TgwAttachment, gateway: str, target: object, memo: NetworkMemo
) -> tuple[list[PathStep], Through | None] | str | None:
    """The route of the other VPC that sends the workload's range to the transit gateway
    (its hops, and the appliance it passes when that route goes to a firewall's or GWLB
    endpoint whose subnets send it on to the gateway), or why none does (a phrase), or None
    when its subnets' routes are not known (no subnet of the VPC in the configuration, a
    route table not known offline)."""
    address = _first_address(target)
    placements = [p for p in other.source_placements if isinstance(p, Placement)]
    if address is None or not placements or any(p.routing_unknown for p in placements):
        return None
    elsewhere: list[str] = []
    for placement in placements:
        choice = route_for(placement, 4, address, memo)
        if choice is not None and choice.target.target_address == gateway:
            chosen = choice.target
            return [step("route", chosen.route.address, f"route {describe_route(chosen, 4)}", chosen.route.span)], None
        through = through_appliance(ctx, choice.target, address, memo) if choice is not None else None
        if through is not None and through.onward is not None and through.onward.target_address == gateway:
            return [workload_route_hop(through), *appliance_hops(through)], through
        if choice is not None and choice.target.target_kind == "unknown":
            return None
        table = placement.route_table.address if placement.route_table is not None else "the main route table"
        elsewhere.append(table)
    vpc = other.vpc.address if other.vpc is not None else other.attachment.address
    tables = ", ".join(dict.fromkeys(elsewhere))
    return f"no route table of {vpc} sends {target} to {gateway} ({tables})"


def _outside(
    ctx: WorkloadContext,
    placement: Placement,
    routes: list[ResolvedRoute],
    memo: NetworkMemo,
    gateway_known: bool = False,
) -> list[PathReport]:
    """A route to a transit gateway the configuration does not define (or, ``gateway_known``,
    to one it defines, for networks none of its attachments here holds): the route's
    destination is the source, assumed delivered back by the transit gateway (named)."""
    out: list[PathReport] = []
    for resolved in routes:
        destination = resolved.route.destination
        gateway = resolved.target
        described = "the transit gateway" if gateway_known else "a transit gateway not in this configuration"
        steps: list[PathStep] = [
            step("transit_gateway", resolved.target_address, described, gateway.span if gateway else None),
            table_step(placement),
            step("route", resolved.route.address, f"route {describe_route(resolved, 4)}", resolved.route.span),
        ]
        named = f"{destination} ({resolved.target_address})"
        admitted = admitted_from(ctx, placement, 4, [destination], memo, named)
        if admitted.cut is not None or admitted.rule is None:
            out.append(_cut(steps, admitted.cut or f"nothing admits {named}", admitted.cut_at))
            continue
        if admitted.acl_step is not None:
            steps.append(admitted.acl_step)
        steps.append(workload_step(ctx, admitted.ports))
        assumption = (
            f"no attachment of {resolved.target_address} in this configuration holds {destination}; assumed one "
            "outside it (another account or configuration) sends it to this VPC"
            if gateway_known
            else f"{resolved.target_address} is not in this configuration; assumed its route tables deliver "
            f"{destination} to this VPC"
        )
        built_on = existence_open(resolved.route, admitted.rule)
        out.append(
            PathReport(
                VIA,
                4,
                tuple(steps),
                str(admitted.ports),
                location=rule_evidence(ctx.security_groups, admitted.rule, f"admits {admitted.ports} from {named}"),
                related=(
                    Evidence(resolved.route.span, resolved.route.address, f"route {describe_route(resolved, 4)}"),
                ),
                assumptions=tuple(dict.fromkeys([assumption, *admitted.assumptions, *built_on.assumptions])),
                target_ports=admitted.ports,
                unknowns=tuple(
                    dict.fromkeys([*origins_of(resolved.route.target), *admitted.unknowns, *built_on.unknowns])
                ),
            )
        )
    return out


def _reply_refused(
    ctx: WorkloadContext,
    view: TransitView,
    own: TgwAttachment,
    other: TgwAttachment,
    first: int,
    cidr: object,
    target: object,
    memo: NetworkMemo,
    inspections: list[tuple[Through, list[object], object]],
    attached: list[tuple[FirewallView, list[object]]],
    assumptions: list[str],
) -> str:
    """Why replies to ``cidr`` do not get back through the transit gateway: the route table
    the workload VPC's attachment is associated with must send them to ``other``, or to an
    inspection VPC that sends them on to ``other`` (its appliance joins ``inspections``
    when the way in did not pass it), or to a firewall attached to the gateway (it joins
    ``attached``, its way on assumed in ``assumptions``)."""
    table = own.table
    if table is None:
        return f"{own.attachment.address} is associated with no transit gateway route table: replies cannot return"
    choice = longest_prefix_match([(r.destination, r) for r in table.routes], 4, first)
    if choice is None:
        if any(parse_cidr(r.destination) is None and r.attachment is other.attachment for r in table.routes):
            return ""
        return f"transit gateway route table {table.address} has no route back to {cidr}"
    if choice.target.blackhole:
        return f"transit gateway route table {table.address} drops the replies to {cidr} (blackhole)"
    if choice.target.attachment is not other.attachment:
        firewall = attached_firewall(ctx, choice.target, other.attachment)
        if firewall is not None:
            if all(f.firewall is not firewall[0].firewall for f, _ in attached):
                attached.append((firewall[0], [cidr]))
                assumptions.append(firewall[1])
            return ""
        inspection = through_inspection_vpc(ctx, view, choice.target.attachment, other.attachment, first, memo)
        if isinstance(inspection, str):
            return f"the replies to {cidr}: {inspection}"
        if inspection is not None:
            if all(t.address != inspection.through.address for t, _, _ in inspections):
                inspections.append((inspection.through, [cidr], target))
            return ""
        return (
            f"transit gateway route table {table.address} sends the replies to {cidr} to "
            f"{choice.target.target_text}, not to {other.attachment.address}"
        )
    return ""


def _cut(steps: list[PathStep], why: str, at: str = "") -> PathReport:
    return PathReport(VIA, 4, tuple(steps), "", cut=why, cut_at=at)


__all__ = ["VIA", "transit_paths"]
