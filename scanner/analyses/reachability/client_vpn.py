"""Paths from AWS Client VPN clients (IPv4: Client VPN carries IPv4 only). What AWS does
(https://docs.aws.amazon.com/vpn/latest/clientvpn-admin/how-it-works.html,
client-authorization.html, cvpn-working-target.html, cvpn-working-routes.html,
what-is-best-practices.html):

* clients get addresses from the endpoint's client CIDR, but their traffic enters the VPC
  from the endpoint's network interfaces in the associated subnets (target networks),
  source-NATed to those interfaces' addresses: the workload's security groups must admit
  the security groups applied to the endpoint (none written: the VPC's default group) or
  addresses of the associated subnets, and the workload subnet's network ACL sees those
  addresses (not the client CIDR), as the associated subnets' network ACLs see the
  workload's subnet on the way out of them;
* an authorization rule whose target network covers the workload's address must exist
  (none: every client is refused; a rule for an access group admits that group's clients);
* associating a subnet adds its VPC's local route to the endpoint's route table; a
  destination in another network needs a Client VPN route (and that network's own path
  from the associated VPC, which is not followed here: assumed, named).

The workload's own address is not known offline: its subnet's CIDR stands for it. An
authorization rule covering only part of the subnet, a subnet or CIDR not known offline, an
endpoint or rule that may not exist: possible, named."""

from __future__ import annotations

from collections.abc import Sequence

from scanner.analyses.network import PortSet, cidr_contains, cidr_overlaps, parse_cidr, sg_rule_ports
from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.reachability.admission import acl_crossing, subnet_cidr
from scanner.analyses.reachability.hops import (
    PathReport,
    group_of,
    ingress_rules,
    own_part,
    route_for,
    rule_evidence,
    step,
    workload_step,
)
from scanner.analyses.unknowns import existence_open, origins_of
from scanner.findings import Evidence, PathStep
from scanner.model import SecurityGroupRule
from scanner.model_between import ClientVpnAuthorization, ClientVpnRoute
from scanner.values import Origin, ResourceRef, Unknown
from scanner.workload import Placement, WorkloadContext
from scanner.workload_between import ClientVpnView

VIA = "client_vpn"


def client_vpn_paths(ctx: WorkloadContext, placement: Placement, version: int, memo: NetworkMemo) -> list[PathReport]:
    """One path per Client VPN endpoint whose clients may reach the placement: its interfaces
    are in the workload's VPC (or may be), or a Client VPN route leads to the workload."""
    if version != 4 or ctx.between is None or not ctx.between.client_vpn:
        return []
    out: list[PathReport] = []
    for view in ctx.between.client_vpn:
        report = _path(ctx, placement, view, memo)
        if report is not None:
            out.append(report)
    return out


def _path(ctx: WorkloadContext, placement: Placement, view: ClientVpnView, memo: NetworkMemo) -> PathReport | None:
    endpoint = view.endpoint
    target = subnet_cidr(placement, 4)
    if target is None:
        target = Unknown(f"the address range of the subnet {ctx.address} runs in, not known offline")
    assumptions: list[str] = []
    deciding: list[object] = []
    workload_vpc = placement.vpc.address if placement.vpc is not None else ""
    route: ClientVpnRoute | None = None
    if not view.vpc:
        if endpoint.vpc is None and not view.associations:
            return None  # connected to no network: nothing reaches this workload through it
        assumptions.append(
            f"{endpoint.address}: the VPC of its network interfaces is not known offline; assumed it is the workload's"
        )
        deciding.extend([endpoint.vpc, *(a.subnet for a, _ in view.associations)])
    elif view.vpc != workload_vpc:
        route, note = _route_to(view.routes, target)
        if route is None:
            return None  # no Client VPN route leads out of its VPC to this workload
        if note:
            assumptions.append(note)
            deciding.extend([route.destination, target])
    cidr = endpoint.client_cidr if endpoint.client_cidr is not None else "not set"
    steps: list[PathStep] = [
        step(
            "client_vpn_endpoint",
            endpoint.address,
            f"Client VPN clients of {endpoint.address} (client CIDR {cidr})",
            endpoint.span,
        )
    ]

    def cut(why: str, at: str) -> PathReport:
        return PathReport(VIA, 4, tuple(steps), "", cut=why, cut_at=at)

    if not view.associations:
        return cut(
            f"Client VPN endpoint {endpoint.address} has no target network associated: no client can connect",
            endpoint.address,
        )
    rule, note, why = _authorization(view, target)
    if rule is None:
        return cut(why, endpoint.address)
    if note:
        assumptions.append(note)
        deciding.extend([rule.target_cidr, target])
    who = "all clients" if rule.all_groups is True else f"clients of access group {rule.access_group}"
    if isinstance(rule.all_groups, Unknown):
        who = "all clients (authorize_all_groups not known offline) or an access group's"
    steps.append(
        step(
            "client_vpn_authorization",
            rule.address,
            f"authorizes {rule.target_cidr} for {who}",
            rule.span_of("target_cidr"),
        )
    )
    first, _ = view.associations[0]
    subnets = [_subnet_text(a, p) for a, p in view.associations]
    steps.append(
        step(
            "client_vpn_association",
            first.address,
            f"the endpoint's network interfaces in {', '.join(subnets)} (clients' addresses translated to theirs)",
            first.span,
        )
    )
    if route is not None:
        steps.append(
            step(
                "client_vpn_route",
                route.address,
                f"route {route.destination} out of the VPC",
                route.span_of("destination"),
            )
        )
        onward, why = _onward(view, target, memo)
        if why:
            return cut(why, first.address)
        assumptions.append(
            f"{route.address}: the path from {view.vpc} on to {workload_vpc or 'the workload'} through {onward} "
            "is not followed; assumed it carries the traffic"
        )
    sources: list[object] = [_subnet_range(a, p) for a, p in view.associations]
    admitted, admitting, notes, unknowns = _admitting(ctx, view, sources)
    if admitting is None:
        groups = ", ".join(g.group.address for g in ctx.security_groups) or "no security group"
        endpoint_groups = ", ".join(view.groups) or view.default_group or "its security groups"
        return cut(
            f"no rule of {groups} admits the Client VPN endpoint's security groups ({endpoint_groups}) or its "
            f"subnets ({', '.join(str(s) for s in sources)}): clients arrive from the endpoint's addresses, "
            f"not from the client CIDR {cidr}",
            ctx.security_groups[0].group.address if ctx.security_groups else ctx.address,
        )
    assumptions.extend(notes)
    crossing = acl_crossing(placement, 4, sources, admitted, memo)
    if not crossing.ports:
        return cut(
            f"network ACL {crossing.acl} does not let {admitted} in from the Client VPN endpoint's subnets "
            f"({', '.join(str(s) for s in sources)}) (or the replies back out)",
            crossing.acl,
        )
    assumptions.extend(crossing.assumptions)
    ports = crossing.ports
    # Leaving the endpoint's subnet for the workload's crosses that subnet's NACL outbound.
    own = [target]
    legs = [
        acl_crossing(p, 4, own, ports, memo, outbound=True)
        for _, p in view.associations
        if isinstance(p, Placement) and p.subnet is not placement.subnet
    ]
    if legs:
        through = PortSet()
        for leg in legs:
            through = through | leg.ports
        if not through:
            acls = ", ".join(dict.fromkeys(leg.acl for leg in legs if leg.acl))
            return cut(
                f"network ACL {acls} of the Client VPN endpoint's subnets does not let {ports} out to "
                f"{ctx.address}'s subnet (or the replies back in)",
                acls,
            )
        ports = through
        assumptions.extend(a for leg in legs for a in leg.assumptions)
        unknowns.extend(o for leg in legs for o in leg.unknowns)
    if crossing.acl:
        steps.append(step("network_acl", crossing.acl, "the subnet's network ACL", crossing.span, ports))
    steps.append(
        step(
            "security_group_rule",
            admitting.address,
            f"admits {sg_rule_ports(admitting)}",
            admitting.span_of("source_groups", "cidrs"),
            own_part(admitting, ports),
        )
    )
    steps = [s if s.ports else PathStep(s.kind, s.address, s.description, s.span, str(ports)) for s in steps]
    steps.append(workload_step(ctx, ports))
    built_on = existence_open(endpoint, first, rule, route, admitting)
    assumptions.extend(built_on.assumptions)
    return PathReport(
        VIA,
        4,
        tuple(steps),
        str(ports),
        location=rule_evidence(
            ctx.security_groups, admitting, f"admits {ports} from Client VPN clients of {endpoint.address}"
        ),
        related=(Evidence(rule.span_of("target_cidr"), rule.address, f"authorizes {rule.target_cidr}"),),
        assumptions=tuple(dict.fromkeys(assumptions)),
        target_ports=ports,
        unknowns=tuple(dict.fromkeys([*origins_of(*deciding), *unknowns, *crossing.unknowns, *built_on.unknowns])),
    )


def _route_to(routes: Sequence[ClientVpnRoute], target: object) -> tuple[ClientVpnRoute | None, str]:
    """The endpoint's route leading to ``target`` (and the assumption it rests on)."""
    possible: tuple[ClientVpnRoute | None, str] = (None, "")
    for route in routes:
        covers = cidr_contains(route.destination, target)
        if covers is True:
            return route, ""
        if possible[0] is None and (isinstance(covers, Unknown) or cidr_overlaps(route.destination, target) is True):
            possible = (
                route,
                f"{route.address}: assumed route {route.destination} covers the workload's address ({target})",
            )
    return possible


def _authorization(view: ClientVpnView, target: object) -> tuple[ClientVpnAuthorization | None, str, str]:
    """The authorization rule letting clients reach ``target``, the assumption it rests on,
    and (none) why the path is cut."""
    possible: tuple[ClientVpnAuthorization | None, str] = (None, "")
    for rule in view.authorizations:
        if rule.all_groups is not True and rule.access_group is None and not isinstance(rule.all_groups, Unknown):
            continue  # neither all clients nor a group: AWS refuses the rule
        covers = cidr_contains(rule.target_cidr, target)
        if covers is True or _everything(rule.target_cidr) or rule.target_cidr == target:
            # 0.0.0.0/0 covers any address, known or not; a rule written with the workload
            # subnet's own CIDR covers it whatever that CIDR turns out to be
            return rule, "", ""
        if possible[0] is not None:
            continue
        if isinstance(covers, Unknown):
            possible = (
                rule,
                f"{rule.address}: whether {rule.target_cidr} covers the workload's address ({target}) is not known "
                "offline; assumed it does",
            )
        elif cidr_overlaps(rule.target_cidr, target) is True:
            possible = (
                rule,
                f"{rule.address}: {rule.target_cidr} covers part of {target}; assumed the workload's address is in it",
            )
    if possible[0] is not None:
        return possible[0], possible[1], ""
    written = ", ".join(str(r.target_cidr) for r in view.authorizations)
    return (
        None,
        "",
        f"no authorization rule of Client VPN endpoint {view.endpoint.address} covers {target}"
        + (f" (its rules authorize {written})" if written else " (it has none)")
        + ": clients are refused",
    )


_ONWARD = frozenset({"vpc_peering", "transit_gateway", "vpn_gateway", "gateway", "network_interface", "instance"})


def _onward(view: ClientVpnView, target: object, memo: NetworkMemo) -> tuple[str, str]:
    """Where the endpoint's subnets send traffic for another VPC's workload (a door, said),
    or why they send it nowhere (their route tables hold no route for it beyond the VPC).
    A subnet or route table not known offline: the door is assumed."""
    net = parse_cidr(target)
    if net is None or net.version != 4:
        return "a route not known offline", ""
    address = int(net.network_address)
    nowhere: list[str] = []
    for _, placement in view.associations:
        if not isinstance(placement, Placement) or placement.routing_unknown:
            return "a route not known offline", ""
        choice = route_for(placement, 4, address, memo)
        if choice is not None and (choice.target.target_kind in _ONWARD or choice.target.target_kind == "unknown"):
            return f"{choice.target.target_address} ({choice.target.target_kind})", ""
        table = placement.route_table.address if placement.route_table is not None else "the main route table"
        nowhere.append(table)
    return "", (
        f"the route tables of the endpoint's subnets ({', '.join(dict.fromkeys(nowhere))}) send {target} to no "
        "peering connection, transit gateway or VPN: the Client VPN route leads nowhere"
    )


def _everything(cidr: object) -> bool:
    net = parse_cidr(cidr)
    return net is not None and net.version == 4 and net.prefixlen == 0


def _names(ref: object, addresses: Sequence[str]) -> bool:
    if isinstance(ref, ResourceRef):
        return any(a == ref.address or a.startswith(ref.address + "[") for a in addresses)
    if isinstance(ref, Unknown):
        return any(_names(r, addresses) for r in ref.refs)
    return False


def _admitting(
    ctx: WorkloadContext, view: ClientVpnView, sources: Sequence[object]
) -> tuple[PortSet, SecurityGroupRule | None, list[str], list[Origin]]:
    """What the workload's groups admit from the endpoint (its groups, or its subnets'
    addresses), the first admitting rule, and the assumptions and unknowns of the ports no
    certain rule admits."""
    groups = [*view.groups, *([view.default_group] if view.default_group else [])]
    literals = [r for r in view.group_refs if isinstance(r, str)]
    certain, ports, first = PortSet(), PortSet(), None
    maybe: list[tuple[PortSet, str, tuple[Origin, ...]]] = []
    for rule in ingress_rules(ctx.security_groups):
        own = group_of(ctx.security_groups, rule)
        hit = any(_names(ref, groups) or ref in literals for ref in rule.source_groups) or (
            rule.self_source and own is not None and own.group.address in groups
        )
        note = ""
        deciding: tuple[Origin, ...] = ()
        for cidr in () if hit else rule.cidrs:
            for source in sources:
                covers = cidr_contains(cidr, source)
                if covers is not True and (isinstance(covers, Unknown) or cidr_overlaps(cidr, source) is True):
                    note = (
                        f"{rule.address}: the endpoint's network interface addresses in {source} are not known "
                        f"offline; assumed {cidr} holds them"
                    )
                    deciding = origins_of(cidr, source)
                    covers = True
                if covers is True:
                    hit = True
                    break
            if hit:
                break
        if not hit:
            continue
        admitted = sg_rule_ports(rule)
        ports = ports | admitted
        first = first or rule
        if note:
            maybe.append((admitted, note, deciding))
        else:
            certain = certain | admitted
    notes = [note for part, note, _ in maybe if not (part - certain).is_empty()]
    unknowns = [o for part, _, found in maybe if not (part - certain).is_empty() for o in found]
    return ports, first, notes, unknowns


def _subnet_text(association: object, placement: object) -> str:
    subnet = getattr(placement, "subnet", None)
    if subnet is not None:
        return str(subnet.address)
    written = getattr(association, "subnet", None)
    return written.address if isinstance(written, ResourceRef) else str(written)


def _subnet_range(association: object, placement: object) -> object:
    subnet = getattr(placement, "subnet", None)
    if subnet is not None and subnet.cidr is not None:
        return subnet.cidr
    written = getattr(association, "subnet", None)
    origins = written.origins if isinstance(written, Unknown) else ()
    return Unknown(f"the address range of {_subnet_text(association, placement)}, not known offline", origins=origins)
