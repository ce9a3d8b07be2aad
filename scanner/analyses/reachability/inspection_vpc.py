"""A transit gateway path through an inspection VPC (IPv4), the centralised design of AWS's
Network Firewall deployment guide: the route table a spoke's attachment is associated with
sends the other spoke's range to the attachment of an inspection VPC; that attachment's
subnets route it to a Network Firewall (or Gateway Load Balancer) endpoint; the firewall's
subnets route it back to the same transit gateway; and the route table the inspection
attachment is associated with sends it on to the destination's attachment.

Each step is the longest-prefix route of its table for the destination's first address, as
the transit gateway and the VPC route it.

A Network Firewall attached to the transit gateway directly (a transit gateway route to the
firewall's own attachment, CloudFormation's TransitGatewayId on the firewall) inspects what
the route sends it; the route table its attachment is associated with is not read (the
firewall's attachment is not an attachment resource of the configuration): that it sends the
traffic on to the destination's attachment is assumed and named, while the firewall's rules
are evaluated. What the firewall lets through is decided by
firewall.py's evaluator (with the source network's CIDRs) where the caller evaluates the
path's appliances. Not modelled: appliance mode (which keeps both directions of a flow on
one Availability Zone's firewall endpoint: subnets carry no zone here) and more than one
inspection VPC in a row."""

from __future__ import annotations

from scanner.analyses.network import longest_prefix_match
from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.reachability.hops import route_for, step, table_step
from scanner.analyses.reachability.inspected import (
    Through,
    appliance_hops,
    has_appliances,
    through_appliance,
    workload_route_hop,
)
from scanner.findings import PathStep
from scanner.frozen import frozen
from scanner.model import Resource
from scanner.model_between import NetworkFirewall
from scanner.workload import Placement, WorkloadContext
from scanner.workload_between import FirewallView, TgwAttachment, TgwRoute, TransitView


@frozen
class InspectionHop:
    """The inspection VPC's ``attachment``, the appliance it passes (``through``), the route
    its associated table takes on (``onward``) and the hops that tell it."""

    attachment: TgwAttachment
    through: Through
    onward: TgwRoute
    steps: tuple[PathStep, ...]  # up to the inspection attachment's table (its route on is the caller's)


def attached_firewall(ctx: WorkloadContext, route: TgwRoute, destination: Resource) -> tuple[FirewallView, str] | None:
    """When a transit gateway ``route`` sends to a Network Firewall attached to the gateway:
    the firewall and the assumption that it sends the traffic on to ``destination``."""
    if not isinstance(route.attachment, NetworkFirewall) or ctx.between is None:
        return None
    view = ctx.between.firewalls.get(route.attachment.address)
    if view is None:
        return None
    return view, (
        f"{route.attachment.address} is attached to the transit gateway directly; the route table of its "
        f"attachment is not read: assumed it sends the traffic on to {destination.address}"
    )


def through_inspection_vpc(
    ctx: WorkloadContext,
    view: TransitView,
    middle: Resource | None,
    destination: Resource,
    address: int,
    memo: NetworkMemo,
) -> InspectionHop | str | None:
    """When a transit gateway route table sends ``address`` to ``middle``, an inspection
    VPC's attachment: the way through it to ``destination`` (an attachment), or why it does
    not get there (a phrase); None when ``middle`` is not an inspection VPC (no attachment
    subnet of it routes ``address`` to an appliance that sends it back to this gateway)."""
    if middle is None or not has_appliances(ctx):
        return None
    inspection = next((a for a in view.attachments if a.attachment is middle and a.kind == "vpc"), None)
    if inspection is None:
        return None
    found: tuple[Placement, Through] | None = None
    for placement in inspection.attachment_placements:
        if not isinstance(placement, Placement):
            continue
        choice = route_for(placement, 4, address, memo)
        through = through_appliance(ctx, choice.target, address, memo) if choice is not None else None
        if through is not None and through.onward is not None and through.onward.target is view.gateway:
            found = (placement, through)
            break
    if found is None:
        return None
    placement, through = found
    table = inspection.table
    name = inspection.attachment.address
    if table is None:
        return f"{name} (the inspection VPC's attachment) is associated with no transit gateway route table"
    on = longest_prefix_match([(r.destination, r) for r in table.routes], 4, address)
    if on is None:
        return f"transit gateway route table {table.address} (the inspection VPC's) has no route on"
    onward = on.target
    if onward.blackhole:
        return (
            f"transit gateway route table {table.address} drops it after inspection "
            f"(blackhole route {onward.by.address})"
        )
    if onward.attachment is not destination:
        return (
            f"transit gateway route table {table.address} sends it after inspection to {onward.target_text}, "
            f"not to {destination.address}"
        )
    table_hop = table_step(placement)
    steps = (
        step("transit_gateway_vpc_attachment", name, "the inspection VPC's attachment", inspection.attachment.span),
        step(table_hop.kind, table_hop.address, f"the route table of {name}'s subnet", table_hop.span),
        workload_route_hop(through),
        *appliance_hops(through),
        step(
            "transit_gateway_route_table",
            table.address,
            f"the route table {name} is associated with",
            table.resource.span,
        ),
    )
    return InspectionHop(inspection, through, onward, steps)
