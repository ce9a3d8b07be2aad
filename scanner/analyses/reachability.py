"""ec2-internet-reachable and ec2-vpc-reachable: which ports of a workload a network outside
(or inside) its VPC can reach, hop by hop, IPv4 and IPv6 separately.

Paths from the internet:
* gateway: a public address, a route for internet addresses to an internet gateway (longest
  prefix wins), the subnet's NACL (stateless: the port in, the ephemeral range back out) and
  an attached security group admitting the port from internet addresses;
* load balancer: an internet-facing LB in subnets routed to an internet gateway whose group
  admits the listener port from the internet, forwarding to the workload, whose group admits
  the target port from the LB (its group, or a CIDR covering its subnets; an NLB without
  groups passes client addresses through, so then the workload's group must admit the internet);
  the NACLs on the way: the LB subnet's (the listener port in from the internet, the target
  port out to the workload's subnet) and the workload subnet's (the target port in from the
  LB's subnets, or from the internet through a pass-through NLB), none within one subnet;
* private networks: a route to a VPC peering connection or a virtual private gateway, a
  group admitting a port from a CIDR overlapping the routed one, and the subnet's NACL
  letting that port in from the routed CIDR.

Sources are evaluated exactly by cutting the address space into atoms (see network.py): for
each atom, the route it returns by, what the NACL and the groups do with it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from scanner.analyses.network import (
    NOT_INTERNET,
    NetworkMemo,
    PortSet,
    acl_cidrs,
    acl_passes_out,
    atoms,
    cidr_contains,
    cidr_overlaps,
    is_internet_address,
    network_range,
    parse_cidr,
    sg_rule_ports,
    sg_rule_source_cidrs,
)
from scanner.analyses.public_ip import internet_gateway_routes, public_addresses
from scanner.findings import Evidence, PathStep
from scanner.model import AclEntry, AutoScalingGroup, SecurityGroup, SecurityGroupRule
from scanner.values import ResourceRef, Span, Unknown
from scanner.workload import AttachedGroup, LoadBalancerRoute, Placement, ResolvedRoute, WorkloadContext

FAMILY = {4: "IPv4", 6: "IPv6"}
ANY_SOURCE = {4: "0.0.0.0/0", 6: "::/0"}


@dataclass(frozen=True)
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

    @property
    def open(self) -> bool:
        return self.cut is None


def _step(kind: str, address: str, description: str, span: Span | None, ports: PortSet | None = None) -> PathStep:
    return PathStep(
        kind=kind, address=address, description=description, span=span, ports=str(ports) if ports is not None else ""
    )


def _rules(groups: Sequence[AttachedGroup]) -> list[SecurityGroupRule]:
    return [r for g in groups for r in g.rules if r.ingress]


def _group_of(groups: Sequence[AttachedGroup], rule: SecurityGroupRule) -> AttachedGroup | None:
    return next((g for g in groups if any(r is rule for r in g.rules)), None)


def _route_destination(resolved: ResolvedRoute, version: int) -> object:
    return resolved.route.destination if version == 4 else resolved.route.ipv6_destination


def _describe_route(resolved: ResolvedRoute, version: int) -> str:
    return f"{_route_destination(resolved, version)} -> {resolved.target_address} ({resolved.target_kind})"


# --- sources: which addresses get in, through the NACL and the groups ------------------------------


@dataclass(frozen=True)
class Admission:
    ports: PortSet  # through the NACL and the groups
    sg_ports: PortSet  # what the groups alone admit from the eligible sources
    rule: SecurityGroupRule | None
    acl_entry: AclEntry | None
    acl_cut: str | None
    assumptions: tuple[str, ...]
    route: ResolvedRoute | None  # the route the admitted sources return by


def _admission(
    placement: Placement | None,
    rules: Sequence[SecurityGroupRule],
    version: int,
    eligible: Callable[[int, ResolvedRoute | None], bool],
    memo: NetworkMemo,
    check_acl: bool = True,
) -> Admission:
    """What reaches the workload from the source addresses ``eligible`` accepts (given each
    address and the route back to it), through the subnet's NACL and the groups' rules."""
    routes: list[tuple[object, ResolvedRoute]] = []
    entries: Sequence[AclEntry] = ()
    if placement is not None:
        routes = [(d, r) for r in placement.routes if (d := _route_destination(r, version)) is not None]
        if placement.network_acl is not None and check_acl:
            entries = placement.acl_entries
    nets = [n for n in (parse_cidr(d) for d, _ in routes) if n is not None]
    nets += acl_cidrs(entries, version) + sg_rule_source_cidrs(rules, version) + list(NOT_INTERNET)
    ports, sg_ports = PortSet(), PortSet()
    rule: SecurityGroupRule | None = None
    entry: AclEntry | None = None
    route: ResolvedRoute | None = None
    acl_cut: str | None = None
    assumptions: list[str] = []
    for lo, _ in atoms(version, nets):
        choice = memo.longest_prefix_match(routes, version, lo)
        back = choice.target if choice is not None else None
        if not eligible(lo, back):
            continue
        admitted = memo.sg_admits_address(rules, version, lo)
        if not admitted.ports:
            continue
        sg_ports = sg_ports | admitted.ports
        assumptions.extend(admitted.assumptions)
        if placement is not None and placement.network_acl is not None and check_acl:
            passed = memo.acl_passes(entries, version, lo)
            assumptions.extend(passed.assumptions)
            through = admitted.ports & passed.ports
            if not through and acl_cut is None:
                denied = passed.inbound.denying_entry(admitted.ports)
                blocked = admitted.ports & passed.return_blocked
                acl = placement.network_acl.address
                if blocked:
                    acl_cut = (
                        f"network ACL {acl} lets {blocked} in but not the replies back out to the client's "
                        f"ephemeral ports 1024-65535"
                    )
                elif denied is not None:
                    acl_cut = f"network ACL {acl} entry {denied.address} denies {admitted.ports & denied_ports(passed)}"
                else:
                    acl_cut = f"network ACL {acl} has no entry allowing {admitted.ports} in (the implicit deny)"
            if through and entry is None:
                entry = passed.inbound.allowing_entry(through)
        else:
            through = admitted.ports
        if through:
            ports = ports | through
            rule = rule or admitted.rule_for(through)
            route = route or back
    return Admission(
        ports, sg_ports, rule, entry, acl_cut if not ports else None, tuple(dict.fromkeys(assumptions)), route
    )


def denied_ports(passed: object) -> PortSet:
    inbound = getattr(passed, "inbound", None)
    out = PortSet()
    for decision in getattr(inbound, "decisions", ()):
        if not decision.allow:
            out = out | decision.ports
    return out


def _internet_eligible(lo_version: int) -> Callable[[int, ResolvedRoute | None], bool]:
    return lambda address, back: (
        is_internet_address(lo_version, address) and back is not None and back.target_kind == "internet_gateway"
    )


def _internet_admission(
    placement: Placement | None,
    rules: Sequence[SecurityGroupRule],
    version: int,
    via_gateway: bool,
    memo: NetworkMemo,
    check_acl: bool = True,
) -> Admission:
    """_admission of internet sources; ``via_gateway``: their route back must be an internet gateway.

    Workloads of a large estate share a few subnets and sets of groups, and the atom walk of
    _admission costs milliseconds: each answer is remembered for the run."""
    eligible = (
        _internet_eligible(version) if via_gateway else (lambda address, _back: is_internet_address(version, address))
    )
    key = ("internet_admission", id(placement), tuple(id(r) for r in rules), version, via_gateway, check_acl)
    return memo.answer(
        key, (placement, tuple(rules)), lambda: _admission(placement, rules, version, eligible, memo, check_acl)
    )


# --- gateway paths -------------------------------------------------------------------------------------


def _placement_step(ctx: WorkloadContext, placement: Placement) -> str:
    if placement.default_vpc:
        return "the default VPC"
    return placement.subnet.address if placement.subnet is not None else "an unknown subnet"


def _table_step(placement: Placement) -> PathStep:
    if placement.route_table is not None:
        how = "main route table" if placement.route_table_is_main else "route table"
        return _step("route_table", placement.route_table.address, f"the subnet's {how}", placement.route_table.span)
    name = "default-vpc#main-route-table" if placement.default_vpc else "implicit main route table"
    return _step("route_table", name, "the VPC's main route table (not defined: AWS's implicit one)", None)


def _workload_step(ctx: WorkloadContext, ports: PortSet | None = None) -> PathStep:
    kind = "auto_scaling_group" if isinstance(ctx.workload, AutoScalingGroup) else "instance"
    return _step(kind, ctx.address, f"the workload {ctx.address}", ctx.workload.span, ports)


def _rule_evidence(groups: Sequence[AttachedGroup], rule: SecurityGroupRule, message: str) -> Evidence:
    return Evidence(span=rule.span_of("cidrs", "ipv6_cidrs", "source_groups"), address=rule.address, message=message)


def _gateway_path(ctx: WorkloadContext, placement: Placement, version: int, memo: NetworkMemo) -> PathReport:
    family = FAMILY[version]
    public = public_addresses(ctx, memo).of(version)
    assumptions: list[str] = list(placement.unresolved) if placement.unresolved else []
    steps = [_step("internet", "internet", f"any {family} address on the internet", None)]
    if public is None or placement not in public.placements:
        return PathReport(
            "gateway",
            version,
            tuple(steps),
            "",
            cut=f"{ctx.address} has no public {family} address in {_placement_step(ctx, placement)}",
        )
    assumptions.extend(public.assumptions)
    rules = _rules(ctx.security_groups)
    table = _table_step(placement)
    if not internet_gateway_routes(placement, version, memo):
        sample = int(ipaddress.ip_address("8.8.8.8" if version == 4 else "2600::"))
        default_route = memo.longest_prefix_match(
            [(d, r) for r in placement.routes if (d := _route_destination(r, version)) is not None], version, sample
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
    admission = _internet_admission(placement, rules, version, True, memo)
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
    ports = admission.ports
    route = admission.route
    assert route is not None and admission.rule is not None
    igw_span = route.target.span if route.target is not None else None
    steps.append(_step("internet_gateway", route.target_address, "internet gateway of the VPC", igw_span, ports))
    steps.append(_step(table.kind, table.address, table.description, table.span, ports))
    steps.append(
        _step("route", route.route.address, f"route {_describe_route(route, version)}", route.route.span, ports)
    )
    related: list[Evidence] = []
    if placement.network_acl is not None:
        acl = placement.network_acl
        steps.append(_step("network_acl", acl.address, "the subnet's network ACL", acl.span, ports))
        if admission.acl_entry is not None:
            entry = admission.acl_entry
            steps.append(
                _step("network_acl_entry", entry.address, f"rule {entry.rule_number} allows it", entry.span, ports)
            )
            related.append(Evidence(entry.span, entry.address, "network ACL entry allowing the traffic in"))
    else:
        steps.append(
            _step("network_acl", "default network ACL", "the VPC's default network ACL allows all", None, ports)
        )
    rule = admission.rule
    group = _group_of(ctx.security_groups, rule)
    if group is not None:
        steps.append(_step("security_group", group.group.address, "attached security group", group.attached_at, ports))
        related.append(Evidence(group.attached_at, group.group.address, "the group attached to the workload"))
    steps.append(
        _step(
            "security_group_rule",
            rule.address,
            f"admits {sg_rule_ports(rule)} from the internet",
            rule.span_of("cidrs", "ipv6_cidrs"),
            ports,
        )
    )
    steps.append(_workload_step(ctx, ports))
    related.append(public.location)
    related.append(Evidence(route.route.span, route.route.address, f"route {_describe_route(route, version)}"))
    # Every other rule that lets part of the same traffic in must change too, or the path stays open.
    for other in rules:
        if other is rule:
            continue
        alone = _internet_admission(placement, [other], version, True, memo)
        if alone.ports & ports:
            related.append(
                _rule_evidence(
                    ctx.security_groups, other, f"also admits {alone.ports & ports} from the {family} internet"
                )
            )
    location = _rule_evidence(ctx.security_groups, rule, f"admits {sg_rule_ports(rule)} from the {family} internet")
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


# --- NACLs between two places inside AWS --------------------------------------------------------------


@dataclass(frozen=True)
class AclCrossing:
    """What one subnet's NACL lets through of some ports, to or from some peers."""

    ports: PortSet
    acl: str  # the NACL's address ("" when the subnet has AWS's default allow-all NACL)
    span: Span | None
    assumptions: tuple[str, ...] = ()


def _acl_crossing(
    placement: Placement | None,
    version: int,
    peers: Sequence[object] | None,
    ports: PortSet,
    memo: NetworkMemo,
    outbound: bool = False,
) -> AclCrossing:
    """Ports of ``ports`` the placement's NACL lets in from some address of ``peers``
    (CIDRs; None: the internet), replies included; ``outbound``: connections made from the
    subnet to the peers. Peers inside the subnet itself never cross its NACL."""
    if placement is None or placement.network_acl is None or not ports:
        return AclCrossing(ports, "", None)
    acl = placement.network_acl
    entries = placement.acl_entries
    assumptions: list[str] = []
    boundaries = acl_cidrs(entries, version) + list(NOT_INTERNET)
    pieces: list[tuple[int, int]] = []
    if peers is None:
        pieces = [piece for piece in atoms(version, boundaries) if is_internet_address(version, piece[0])]
    else:
        own = parse_cidr(_subnet_cidr(placement, version))
        for peer in peers:
            net = parse_cidr(peer)
            if net is None:
                what = peer.reason if isinstance(peer, Unknown) else peer
                assumptions.append(
                    f"{acl.address}: the peer address range ({what}) is not known; assumed the NACL lets it through"
                )
                return AclCrossing(ports, acl.address, acl.span, tuple(assumptions))
            if net.version != version:
                continue
            if own is not None and own.version == version and own.supernet_of(net):  # type: ignore[arg-type]
                return AclCrossing(ports, acl.address, acl.span)  # within the subnet: the NACL is not crossed
            pieces += atoms(version, boundaries, within=network_range(net))
    through = PortSet()
    for low, _ in pieces:
        passed = acl_passes_out(entries, version, low) if outbound else memo.acl_passes(entries, version, low)
        assumptions.extend(passed.inbound.assumptions)
        assumptions.extend(passed.outbound.assumptions)
        through = through | (passed.ports & ports)
        if through == ports:
            break
    return AclCrossing(through, acl.address, acl.span, tuple(dict.fromkeys(assumptions)))


def _subnet_cidr(placement: Placement, version: int) -> object:
    if placement.subnet is None:
        return None
    return placement.subnet.cidr if version == 4 else placement.subnet.ipv6_cidr


# --- load balancer paths -----------------------------------------------------------------------------


def _listener_ports(route: LoadBalancerRoute) -> tuple[PortSet, list[str]]:
    listener = route.listener
    protocol = str(listener.protocol or "").upper() if not isinstance(listener.protocol, Unknown) else ""
    transport = ["17"] if protocol == "UDP" else ["6", "17"] if protocol == "TCP_UDP" else ["6"]
    if isinstance(listener.port, int):
        ports = PortSet()
        for proto in transport:
            ports = ports | PortSet.of(proto, listener.port, listener.port)
        return ports, []
    return PortSet.of("6"), [f"{listener.address}: the listener port is not known; assumed any tcp port"]


def _target_ports(route: LoadBalancerRoute, listener_ports: PortSet) -> tuple[PortSet, list[str]]:
    if route.target_port is not None:
        protocols = listener_ports.protocols() or ("6",)
        out = PortSet()
        for proto in protocols:
            out = out | PortSet.of(proto, route.target_port, route.target_port)
        return out, []
    return PortSet.of("6"), [f"{route.load_balancer.address}: the port on the target is not known; assumed any tcp"]


def _source_group_matches(ref: object, group: SecurityGroup) -> bool:
    if isinstance(ref, ResourceRef):
        return ref.address == group.address or group.address.startswith(ref.address + "[")
    if isinstance(ref, Unknown):
        return any(_source_group_matches(r, group) for r in ref.refs)
    return isinstance(ref, str) and ref in (group.name, group.address)


def _admits_from_lb(
    ctx: WorkloadContext, route: LoadBalancerRoute, version: int, ports: PortSet
) -> tuple[PortSet, SecurityGroupRule | None, list[str]]:
    """Ports of ``ports`` the workload's groups admit from the LB: from its groups, or from a
    CIDR covering one of its subnets."""
    admitted = PortSet()
    found: SecurityGroupRule | None = None
    assumptions: list[str] = []
    lb_groups = [g.group for g in route.lb_security_groups]
    subnets = [_subnet_cidr(p, version) for p in route.lb_placements if p.subnet is not None]
    for group in ctx.security_groups:
        for rule in group.rules:
            if not rule.ingress:
                continue
            match = any(_source_group_matches(ref, lb) for ref in rule.source_groups for lb in lb_groups)
            match = match or (rule.self_source and any(lb.address == group.group.address for lb in lb_groups))
            for cidr in rule.cidrs if version == 4 else rule.ipv6_cidrs:
                for subnet_cidr in subnets:
                    if subnet_cidr is None:
                        continue
                    covers = cidr_contains(cidr, subnet_cidr)
                    if isinstance(covers, Unknown):
                        assumptions.append(
                            f"{rule.address}: whether {cidr} covers the load balancer's subnet "
                            f"{subnet_cidr} is not known; assumed it does"
                        )
                        covers = True
                    match = match or covers
            part = sg_rule_ports(rule) & ports if match else PortSet()
            if part:
                admitted = admitted | part
                found = found or rule
    return admitted, found, assumptions


def _lb_path(ctx: WorkloadContext, route: LoadBalancerRoute, version: int, memo: NetworkMemo) -> PathReport:
    lb, listener = route.load_balancer, route.listener
    family = FAMILY[version]
    steps = [_step("internet", "internet", f"any {family} address on the internet", None)]
    lb_step = _step("load_balancer", lb.address, f"{lb.lb_type} load balancer", lb.span)
    assumptions: list[str] = []

    def cut(why: str, *more: PathStep) -> PathReport:
        return PathReport(
            "load_balancer",
            version,
            (*steps, lb_step, *more),
            "",
            cut=why,
            assumptions=tuple(dict.fromkeys(assumptions)),
        )

    if lb.lb_type == "gateway":
        return cut(f"{lb.address} is a gateway load balancer (no listener reachable from the internet)")
    if lb.internal is True:
        return cut(f"{lb.address} is internal (internal = true), not internet-facing")
    if isinstance(lb.internal, Unknown):
        assumptions.append(f"{lb.address}: internal is unknown ({lb.internal.reason}); assumed internet-facing")
    routed = [p for p in route.lb_placements if p.default_vpc or internet_gateway_routes(p, version, memo)]
    if not route.lb_placements:
        assumptions.append(f"{lb.address}: its subnets are not known; assumed routed to an internet gateway")
    elif not routed:
        return cut(f"none of the subnets of {lb.address} routes {family} internet addresses to an internet gateway")
    listener_ports, more = _listener_ports(route)
    assumptions.extend(more)
    lis_step = _step("listener", listener.address, f"listener on {listener_ports}", listener.span, listener_ports)
    lb_rules = _rules(route.lb_security_groups)
    target_ports, more = _target_ports(route, listener_ports)
    assumptions.extend(more)
    passes_client = lb.lb_type == "network" and not route.lb_security_groups
    if not passes_client:
        from_internet = _internet_admission(
            routed[0] if routed else None, lb_rules, version, False, memo, check_acl=False
        )
        assumptions.extend(from_internet.assumptions)
        if not from_internet.sg_ports & listener_ports:
            groups = ", ".join(g.group.address for g in route.lb_security_groups)
            if not groups:
                return cut(
                    f"{lb.address} has no security group known to admit the listener port {listener_ports} "
                    f"from the {family} internet",
                    lis_step,
                )
            return cut(
                f"{groups} of {lb.address} does not admit the listener port {listener_ports} from the "
                f"{family} internet",
                lis_step,
            )
        lb_rule = from_internet.rule
        admitted, rule, more = _admits_from_lb(ctx, route, version, target_ports)
        assumptions.extend(more)
    else:
        placement = ctx.placements[0] if ctx.placements else None
        direct = _internet_admission(placement, _rules(ctx.security_groups), version, False, memo, check_acl=False)
        assumptions.extend(direct.assumptions)
        admitted, rule, lb_rule = direct.sg_ports & target_ports, direct.rule, None
    # Clients reach a node of the LB in one of its routed subnets, through that subnet's NACL.
    entered = [(p, _acl_crossing(p, version, None, listener_ports, memo)) for p in routed]
    entered = [(p, crossing) for p, crossing in entered if crossing.ports]
    if routed and not entered:
        acls = ", ".join(dict.fromkeys(p.network_acl.address for p in routed if p.network_acl is not None))
        return cut(
            f"network ACL {acls} of the subnets of {lb.address} does not let {listener_ports} in from the "
            f"{family} internet (or the replies back out)",
            lis_step,
        )
    lb_crossing = entered[0][1] if entered else None  # the subnet the path shows
    if lb_crossing is not None:
        assumptions.extend(lb_crossing.assumptions)
    tg_steps: list[PathStep] = []
    if route.target_group is not None:
        tg = route.target_group
        tg_steps.append(_step("target_group", tg.address, f"forwards to {target_ports}", tg.span, target_ports))
    if not admitted:
        groups = ", ".join(g.group.address for g in ctx.security_groups) or "no security group"
        source = (
            "the internet (the NLB passes client addresses through)"
            if passes_client
            else f"{lb.address} (its security group or a CIDR covering its subnets)"
        )
        return cut(f"{groups} of {ctx.address} does not admit {target_ports} from {source}", lis_step, *tg_steps)
    workload_acl, blocked = _lb_to_workload_acls(
        ctx, route, version, admitted, [p for p, _ in entered], passes_client, memo
    )
    if not workload_acl.ports:
        return cut(blocked, lis_step, *tg_steps)
    assumptions.extend(workload_acl.assumptions)
    admitted = workload_acl.ports
    lb_step = _step("load_balancer", lb.address, f"internet-facing {lb.lb_type} load balancer", lb.span, listener_ports)
    # In the order a packet meets them: the LB and its listener, the LB subnet's route back to
    # the internet gateway, the LB's group, the target group, the workload's group.
    steps.extend([lb_step, lis_step])
    related: list[Evidence] = [
        Evidence(listener.span, listener.address, f"listener on {listener_ports}"),
        Evidence(route.attached_at, ctx.address, "registers the workload as a target"),
    ]
    igw_routes = internet_gateway_routes(routed[0], version, memo) if routed else ()
    if routed and igw_routes:
        table = _table_step(routed[0])
        steps.append(
            _step(table.kind, table.address, f"{table.description} (load balancer subnet)", table.span, listener_ports)
        )
        steps.append(
            _step(
                "route",
                igw_routes[0].route.address,
                f"route {_describe_route(igw_routes[0], version)}",
                igw_routes[0].route.span,
                listener_ports,
            )
        )
    if lb_crossing is not None and lb_crossing.acl:
        steps.append(
            _step(
                "network_acl",
                lb_crossing.acl,
                "the load balancer subnet's network ACL",
                lb_crossing.span,
                lb_crossing.ports,
            )
        )
    if lb_rule is not None:
        steps.append(
            _step(
                "security_group_rule",
                lb_rule.address,
                "admits the listener port from the internet",
                lb_rule.span_of("cidrs", "ipv6_cidrs"),
                listener_ports,
            )
        )
        related.append(
            Evidence(lb_rule.span_of("cidrs", "ipv6_cidrs"), lb_rule.address, "load balancer group admits the internet")
        )
    steps.extend(tg_steps)
    if workload_acl.acl:
        steps.append(
            _step("network_acl", workload_acl.acl, "the workload subnet's network ACL", workload_acl.span, admitted)
        )
    if rule is not None:
        steps.append(
            _step(
                "security_group_rule",
                rule.address,
                f"admits {admitted} from the load balancer",
                rule.span_of("source_groups", "cidrs", "ipv6_cidrs"),
                admitted,
            )
        )
        location = Evidence(
            rule.span_of("source_groups", "cidrs", "ipv6_cidrs"),
            rule.address,
            f"admits {admitted} from internet-facing {lb.address}",
        )
    else:
        location = Evidence(listener.span, listener.address, f"forwards internet traffic to {ctx.address}")
    steps.append(_workload_step(ctx, admitted))
    return PathReport(
        "load_balancer",
        version,
        tuple(steps),
        str(admitted),
        location=location,
        related=tuple(related),
        assumptions=tuple(dict.fromkeys(assumptions)),
        target_ports=admitted,
    )


def _lb_to_workload_acls(
    ctx: WorkloadContext,
    route: LoadBalancerRoute,
    version: int,
    ports: PortSet,
    lb_placements: list[Placement],
    passes_client: bool,
    memo: NetworkMemo,
) -> tuple[AclCrossing, str]:
    """The LB-to-workload leg through the NACLs: out of a LB subnet to the workload's subnet,
    into the workload's subnet from the LB's subnets (from the internet when the NLB passes
    client addresses through). What gets through in some subnet of the workload, and when
    nothing does, the reason."""
    lb = route.load_balancer
    sources: list[object] | None = None  # None: the internet
    if not passes_client:
        sources = [
            _subnet_cidr(p, version) if p.subnet is not None else Unknown("a subnet of the default VPC")
            for p in route.lb_placements
        ] or [Unknown("the load balancer's subnets are not known")]
    source_words = (
        "the internet (the NLB passes client addresses through)" if passes_client else f"the subnets of {lb.address}"
    )
    best = AclCrossing(PortSet(), "", None)
    blocked = ""
    for placement in ctx.placements or (None,):
        into = _acl_crossing(placement, version, sources, ports, memo)
        if not into.ports:
            blocked = blocked or (
                f"network ACL {into.acl} of {ctx.address}'s subnet does not let {ports} in from "
                f"{source_words} (or the replies back out)"
            )
            continue
        own = [_subnet_cidr(placement, version)] if placement is not None and placement.subnet is not None else None
        out_of_lb = [
            _acl_crossing(p, version, own, into.ports, memo, outbound=True)
            if own
            else AclCrossing(into.ports, "", None)
            for p in lb_placements
        ] or [AclCrossing(into.ports, "", None)]
        through = PortSet()
        for crossing in out_of_lb:
            through = through | crossing.ports
        if not through:
            acls = ", ".join(dict.fromkeys(c.acl for c in out_of_lb if c.acl))
            blocked = blocked or (
                f"network ACL {acls} of the subnets of {lb.address} does not let {into.ports} out "
                f"to {ctx.address}'s subnet (or the replies back in)"
            )
            continue
        found = AclCrossing(
            through,
            into.acl,
            into.span,
            tuple(dict.fromkeys([*into.assumptions, *(a for c in out_of_lb for a in c.assumptions)])),
        )
        if not best.ports:
            best = found
        else:
            best = AclCrossing(best.ports | found.ports, best.acl, best.span, best.assumptions)
    return best, blocked


# --- private network paths -------------------------------------------------------------------------


def _private_paths(ctx: WorkloadContext, placement: Placement, version: int, memo: NetworkMemo) -> list[PathReport]:
    out: list[PathReport] = []
    rules = _rules(ctx.security_groups)
    for resolved in placement.routes:
        if resolved.target_kind not in ("vpc_peering", "vpn_gateway"):
            continue
        destination = _route_destination(resolved, version)
        if destination is None:
            continue
        via = "vpc_peering" if resolved.target_kind == "vpc_peering" else "vpn"
        assumptions: list[str] = []
        net = parse_cidr(destination)
        if net is None:
            assumptions.append(f"{resolved.route.address}: destination {destination} is unknown; assumed any CIDR")
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
                        overlap = True
                    if overlap:
                        ports = ports | sg_rule_ports(candidate)
                        rule = rule or candidate
        source_kind = "vpc_peering" if via == "vpc_peering" else "vpn_gateway"
        steps = [
            _step(
                source_kind,
                resolved.target_address,
                f"{destination} via {resolved.target_address}",
                resolved.target.span if resolved.target is not None else None,
            ),
            _table_step(placement),
            _step("route", resolved.route.address, f"route {_describe_route(resolved, version)}", resolved.route.span),
        ]
        if not ports or rule is None:
            out.append(
                PathReport(
                    via,
                    version,
                    tuple(steps),
                    "",
                    cut=f"no security group rule admits traffic from {destination}",
                    assumptions=tuple(assumptions),
                )
            )
            continue
        crossing = _acl_crossing(placement, version, [destination], ports, memo)
        assumptions.extend(crossing.assumptions)
        if not crossing.ports:
            out.append(
                PathReport(
                    via,
                    version,
                    tuple(steps),
                    "",
                    cut=f"network ACL {crossing.acl} does not let {ports} in from {destination} "
                    f"(or the replies back out)",
                    assumptions=tuple(dict.fromkeys(assumptions)),
                )
            )
            continue
        ports = crossing.ports
        if crossing.acl:
            steps.append(_step("network_acl", crossing.acl, "the subnet's network ACL", crossing.span, ports))
        steps.append(
            _step(
                "security_group_rule",
                rule.address,
                f"admits {sg_rule_ports(rule)}",
                rule.span_of("cidrs", "ipv6_cidrs"),
                ports,
            )
        )
        steps.append(_workload_step(ctx, ports))
        location = _rule_evidence(
            ctx.security_groups, rule, f"admits {ports} from {destination} ({resolved.target_address})"
        )
        route_text = f"route {_describe_route(resolved, version)}"
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
            )
        )
    return out


# --- the analyses ----------------------------------------------------------------------------------------


def explain_paths(ctx: WorkloadContext, memo: NetworkMemo) -> list[PathReport]:
    """Every candidate path to the workload, open or cut (and why), IPv4 and IPv6."""
    reports: list[PathReport] = []
    for version in (4, 6):
        for placement in ctx.placements:
            if version == 6 and placement.default_vpc:
                continue
            reports.append(_gateway_path(ctx, placement, version, memo))
        for route in ctx.load_balancer_routes:
            if version == 6 and not any(p.subnet is not None and p.subnet.ipv6_cidr for p in route.lb_placements):
                continue
            reports.append(_lb_path(ctx, route, version, memo))
        for placement in ctx.placements:
            reports.extend(_private_paths(ctx, placement, version, memo))
    if not ctx.placements:
        reports.append(PathReport("gateway", 4, (), "", cut=f"the subnet {ctx.address} runs in is not known"))
    return reports


__all__ = ["FAMILY", "PathReport", "explain_paths"]
