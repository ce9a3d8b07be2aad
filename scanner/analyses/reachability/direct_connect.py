"""Paths from on-premises networks over AWS Direct Connect (IPv4). A Direct Connect gateway
associated with the VPC's virtual private gateway (aws_dx_gateway_association,
AWS::DirectConnect::DirectConnectGatewayAssociation) carries the on-premises networks in;
they are learned over BGP, so not known offline: the sources are the destinations of the
subnet's routes to that virtual private gateway (what the replies go back by: a static
route's CIDR, else unknown, named).

AWS advertises to on-premises only what the association's allowed prefixes let through
(https://docs.aws.amazon.com/directconnect/latest/UserGuide/allowed-to-prefixes.html): for a
virtual private gateway the VPC's CIDR when an allowed prefix is the same or wider (not set:
the VPC's CIDR); for a transit gateway the allowed prefixes themselves, so the workload's
subnet must be within one. Not advertised: on-premises has no route to the workload (cut,
named). A transit gateway's Direct Connect attachment is one of its attachments
(``transit``), with this same check."""

from __future__ import annotations

from dataclasses import replace

from scanner.analyses.network import cidr_contains
from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.reachability.from_network import admitted_from
from scanner.analyses.reachability.hops import (
    PathReport,
    describe_route,
    own_part,
    rule_evidence,
    step,
    table_step,
    workload_step,
)
from scanner.analyses.reachability.inspected import Through, appliance_hops, inspected_ports, onward_doors
from scanner.analyses.unknowns import existence_open, origins_of
from scanner.findings import Evidence, PathStep
from scanner.model_between import DxGatewayAssociation
from scanner.values import Unknown
from scanner.workload import Placement, ResolvedRoute, WorkloadContext

VIA = "direct_connect"


def advertised(
    association: DxGatewayAssociation, covered: object, transit: bool
) -> tuple[str, list[str], list[object]]:
    """Whether the association advertises ``covered`` (the workload's subnet through a transit
    gateway; the VPC's CIDR through a virtual private gateway) to on-premises: the reason it
    does not (empty: it does), and the assumptions and unknowns of a yes."""
    prefixes = association.allowed_prefixes
    if not prefixes:
        if transit:
            return "", [f"{association.address}: no allowed prefixes written; assumed they cover {covered}"], []
        return "", [], []
    notes: list[str] = []
    deciding: list[object] = []
    for prefix in prefixes:
        inside = cidr_contains(prefix, covered)
        if isinstance(inside, Unknown):
            notes.append(f"{association.address}: allowed prefix {prefix} or {covered} is not known; assumed it covers")
            deciding.append(prefix if isinstance(prefix, Unknown) else covered)
            return "", notes, deciding
        if inside:
            return "", [], []
    written = ", ".join(str(p) for p in prefixes)
    return (
        f"Direct Connect gateway association {association.address} does not advertise {covered} "
        f"(allowed prefixes {written})",
        [],
        [],
    )


def direct_connect_paths(
    ctx: WorkloadContext, placement: Placement, version: int, memo: NetworkMemo
) -> list[PathReport]:
    if version != 4 or ctx.between is None or not ctx.between.direct_connect:
        return []
    out: list[PathReport] = []
    # The subnet's routes to the virtual private gateway, and those through a firewall's (or
    # GWLB) endpoint whose subnets route on to it (inspected.py).
    doors: list[tuple[ResolvedRoute, Through | None]] = [(r, None) for r in placement.routes]
    doors.extend((t.onward, t) for t in onward_doors(ctx, placement, ("vpn_gateway",), memo) if t.onward is not None)
    for resolved, through in doors:
        if resolved.target_kind != "vpn_gateway" or resolved.target is None or resolved.route.destination is None:
            continue
        for association in ctx.between.direct_connect.get(resolved.target.address, ()):
            destination = resolved.route.destination
            named = f"on-premises {destination} over {association.address}"
            steps: list[PathStep] = [
                step(
                    "direct_connect_gateway",
                    association.address,
                    f"on-premises networks ({destination})",
                    association.span,
                ),
                step("vpn_gateway", resolved.target_address, "the virtual private gateway", resolved.target.span),
            ]
            covered = placement.vpc_cidrs[0] if placement.vpc_cidrs else None
            refused, assumptions, deciding = advertised(association, covered, transit=False)
            if refused:
                out.append(PathReport(VIA, 4, tuple(steps), "", cut=refused, cut_at=association.address))
                continue
            back = resolved if through is None else through.route
            if through is not None:
                steps.extend(appliance_hops(through))
            steps.append(table_step(placement))
            steps.append(
                step("route", back.route.address, f"route {describe_route(back, 4)} (return)", back.route.span)
            )
            admitted = admitted_from(ctx, placement, 4, [destination], memo, named)
            if admitted.cut is not None or admitted.rule is None:
                why = admitted.cut or f"nothing admits {named}"
                out.append(PathReport(VIA, 4, tuple(steps), "", cut=why, cut_at=admitted.cut_at))
                continue
            ports = admitted.ports
            if through is not None:
                subnet = placement.subnet.cidr if placement.subnet is not None else None
                passed, dropped, notes = inspected_ports(through, ports, [destination], subnet)
                if not passed & ports:
                    why = dropped or "the firewall drops it"
                    out.append(PathReport(VIA, 4, tuple(steps), "", cut=why, cut_at=through.address))
                    continue
                ports = ports & passed
                assumptions.extend(notes)
            if admitted.acl_step is not None:
                steps.append(admitted.acl_step)
            steps.append(
                step(
                    "security_group_rule",
                    admitted.rule.address,
                    "admits it",
                    admitted.rule.span_of("cidrs"),
                    own_part(admitted.rule, ports),
                )
            )
            steps = [replace(s, ports=str(ports)) if not s.ports else s for s in steps]
            steps.append(workload_step(ctx, ports))
            if isinstance(destination, Unknown):
                assumptions.append(f"{resolved.route.address}: {destination.reason}; assumed on-premises networks")
            built_on = existence_open(resolved.route, association, admitted.rule, back.route)
            out.append(
                PathReport(
                    VIA,
                    4,
                    tuple(steps),
                    str(ports),
                    location=rule_evidence(ctx.security_groups, admitted.rule, f"admits {ports} from {named}"),
                    related=(
                        Evidence(association.span, association.address, "the Direct Connect gateway association"),
                    ),
                    assumptions=tuple(dict.fromkeys([*assumptions, *admitted.assumptions, *built_on.assumptions])),
                    target_ports=ports,
                    unknowns=tuple(dict.fromkeys([*origins_of(*deciding), *admitted.unknowns, *built_on.unknowns])),
                )
            )
    return out
