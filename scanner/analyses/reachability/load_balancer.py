"""Paths from the internet through an internet-facing load balancer.

What must hold, in the order a packet meets it:

* the LB is internet-facing (not ``internal``, not a gateway LB) in subnets routed to an
  internet gateway; clients reach one of its nodes through that subnet's NACL (the listener
  port in from the internet, the replies back out);
* a LB with security groups admits the listener port from the whole internet (a group open
  only to named ranges makes a restricted path, not an exposure) and lets the LB open
  connections to its targets on the target port (its egress rules: Terraform drops the
  allow-all egress AWS gives a new group when the resource has no ``egress`` block);
* the workload's groups admit the target port from what the target sees as the source.
  ALBs and classic LBs proxy: the source is the LB (a rule naming its group, or a CIDR
  covering its subnets; a ``/0`` covers them known or not, and a CIDR covering the VPC covers
  the subnets of a LB whose instance targets are in that VPC). A Network Load Balancer passes
  the client's address through when client IP preservation is on (AWS's defaults: on for
  instance targets and for UDP / TCP_UDP / QUIC IP targets, off for TCP / TLS IP targets;
  ``preserve_client_ip.enabled`` changes TCP / TLS groups); IPv6 clients of IPv4 targets
  arrive from the NLB's own addresses whatever the setting. Then the workload's groups must
  admit the whole internet, or (an NLB with groups) the NLB's group. Otherwise the NLB's
  private addresses are the source, so a group admitting its subnets or the VPC admits the
  internet through the NLB;
* the NACLs between: the LB subnet's (the target port out to the workload's subnet) and the
  workload subnet's (the target port in from the LB's subnets, or from the internet when
  client addresses pass through), none within one subnet.
"""

from __future__ import annotations

from scanner.analyses.network import PortSet, cidr_contains, parse_cidr, sg_rule_ports
from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.public_ip import internet_gateway_routes
from scanner.analyses.reachability.admission import AclCrossing, acl_crossing, internet_admission, subnet_cidr
from scanner.analyses.reachability.hops import (
    FAMILY,
    Entry,
    PathReport,
    VpcSource,
    describe_route,
    group_of,
    ingress_rules,
    managed_list_ports,
    step,
    table_step,
    workload_step,
)
from scanner.analyses.unknowns import existence_open, origins_of
from scanner.findings import Evidence, PathStep
from scanner.frozen import frozen
from scanner.model import LoadBalancer, SecurityGroup, SecurityGroupRule
from scanner.values import Origin, ResourceRef, Unknown
from scanner.workload import LoadBalancerRoute, Placement, WorkloadContext

_PRESERVED_BY_PROTOCOL = frozenset({"UDP", "TCP_UDP", "QUIC", "TCP_QUIC"})


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


@frozen
class _Clients:
    """Whether the workload sees the client's own address, and why (for the path's words)."""

    preserved: bool
    why: str
    assumption: str | None = None


def _client_addresses(route: LoadBalancerRoute, version: int) -> _Clients:
    lb = route.load_balancer
    if lb.lb_type != "network":
        return _Clients(False, f"{lb.address} proxies: the workload sees the load balancer's addresses")
    tg = route.target_group
    target_type = str(tg.target_type).lower() if tg is not None and isinstance(tg.target_type, str) else "instance"
    protocol = str(tg.protocol).upper() if tg is not None and isinstance(tg.protocol, str) else ""
    if version == 6:
        return _Clients(False, "IPv6 clients reach IPv4 targets from the NLB's own addresses")
    if protocol in _PRESERVED_BY_PROTOCOL:
        return _Clients(True, f"the NLB passes client addresses through ({protocol} target group)")
    setting = tg.preserve_client_ip if tg is not None else None
    if isinstance(setting, bool):
        words = "on" if setting else "off"
        return _Clients(setting, f"client IP preservation is {words} on {tg.address if tg else lb.address}")
    default = target_type == "instance"
    assumption = None
    if isinstance(setting, Unknown):
        assumption = f"{tg.address if tg else lb.address}: preserve_client_ip is unknown ({setting.reason}); "
        assumption += "assumed AWS's default for the target type"
    words = "on (AWS's default for instance targets)" if default else "off (AWS's default for TCP/TLS IP targets)"
    return _Clients(default, f"client IP preservation is {words}", assumption)


def _names_group(ref: object, group: SecurityGroup) -> bool:
    if isinstance(ref, ResourceRef):
        return ref.address == group.address or group.address.startswith(ref.address + "[")
    if isinstance(ref, Unknown):
        return any(_names_group(r, group) for r in ref.refs)
    return isinstance(ref, str) and ref in (group.name, group.address)


def _workload_vpc_cidrs(ctx: WorkloadContext, version: int) -> list[object]:
    return [c for p in ctx.placements for c in (p.vpc_cidrs if version == 4 else p.vpc_ipv6_cidrs)]


def _covers_lb_addresses(
    cidr: object, route: LoadBalancerRoute, ctx: WorkloadContext, version: int
) -> tuple[bool, str | None]:
    """Does a rule's CIDR hold the LB's private addresses (and the assumption taken)?"""
    net = parse_cidr(cidr)
    if net is not None and net.prefixlen == 0 and net.version == version:
        return True, None  # the whole family covers every subnet, known or not
    subnets = [subnet_cidr(p, version) for p in route.lb_placements if p.subnet is not None]
    if subnets:
        for lb_subnet in subnets:
            if lb_subnet is None:
                continue
            covers = cidr_contains(cidr, lb_subnet)
            if isinstance(covers, Unknown):
                return True, (
                    f"whether {cidr} covers the load balancer's subnet {lb_subnet} is not known; assumed it does"
                )
            if covers:
                return True, None
        return False, None
    target_type = route.target_group.target_type if route.target_group is not None else "instance"
    if target_type in (None, "instance"):
        # Instance targets are in the LB's VPC: a CIDR covering that VPC covers the LB's subnets.
        for vpc_cidr in _workload_vpc_cidrs(ctx, version):
            if cidr_contains(cidr, vpc_cidr) is True:
                return True, None
    return False, None


def _admits_from_lb(
    ctx: WorkloadContext,
    route: LoadBalancerRoute,
    version: int,
    ports: PortSet,
    clients: _Clients,
    memo: NetworkMemo,
    source: VpcSource | None = None,
) -> tuple[list[tuple[SecurityGroupRule, PortSet]], PortSet, list[str], list[Origin]]:
    """The workload's rules that admit part of ``ports`` from the LB, each with its part; the
    ports only named client ranges reach (a restricted path); the assumptions taken and the
    origins deciding them. ``source``: the clients are interfaces in the VPC (an NLB passing
    their addresses through admits what admits them)."""
    if clients.preserved and source is not None:
        found, more, origins = admits_from_source(ingress_rules(ctx.security_groups), source, ports, version)
        return found, PortSet(), more, origins
    admitting: list[tuple[SecurityGroupRule, PortSet]] = []
    assumptions: list[str] = []
    unknowns: list[Origin] = []
    lb_groups = [g.group for g in route.lb_security_groups]
    rules = ingress_rules(ctx.security_groups)
    world = PortSet()
    restricted = PortSet()
    if clients.preserved:
        placement = ctx.placements[0] if ctx.placements else None
        direct = internet_admission(placement, rules, version, False, memo, check_acl=False)
        assumptions.extend(direct.assumptions)
        unknowns.extend(direct.unknowns)
        world = direct.world_ports & ports
        restricted = (direct.sg_ports & ports) - world
    for rule in rules:
        part = PortSet()
        own_group = group_of(ctx.security_groups, rule)
        by_group = any(_names_group(ref, lb) for ref in rule.source_groups for lb in lb_groups) or (
            rule.self_source
            and own_group is not None
            and any(lb.address == own_group.group.address for lb in lb_groups)
        )
        if by_group:
            part = sg_rule_ports(rule) & ports
        elif clients.preserved:
            alone = internet_admission(
                ctx.placements[0] if ctx.placements else None, [rule], version, False, memo, check_acl=False
            )
            part = alone.sg_ports & world
        else:
            for cidr in rule.cidrs if version == 4 else rule.ipv6_cidrs:
                covers, assumption = _covers_lb_addresses(cidr, route, ctx, version)
                if covers:
                    part = sg_rule_ports(rule) & ports
                    if assumption:
                        assumptions.append(f"{rule.address}: {assumption}")
                        unknowns.extend(origins_of(cidr, [p.subnet for p in route.lb_placements]))
                    break
        if part:
            admitting.append((rule, part))
    admitted = PortSet()
    for _, part in admitting:
        admitted = admitted | part
    # A rule that may not exist admits only if it does (unless a certain rule admits the same).
    certain = PortSet()
    for rule, part in admitting:
        if rule.existence is None:
            certain = certain | part
    for rule, part in admitting:
        if rule.existence is not None and not (part - certain).is_empty():
            built_on = existence_open(rule)
            assumptions.extend(built_on.assumptions)
            unknowns.extend(built_on.unknowns)
    return admitting, restricted - admitted, assumptions, unknowns


def _lb_egress(
    route: LoadBalancerRoute, ctx: WorkloadContext, version: int, ports: PortSet
) -> tuple[PortSet, list[str], list[Origin]]:
    """Ports of ``ports`` the LB's groups let it open to the workload (all, for a LB without
    groups). A destination range not known offline, or a workload subnet not known, is
    assumed to match."""
    groups = route.lb_security_groups
    if not groups or any(g.group.implicit_egress_all for g in groups):
        return ports, [], []
    destinations = [subnet_cidr(p, version) for p in ctx.placements if p.subnet is not None]
    destinations = [d for d in destinations if d is not None] or _workload_vpc_cidrs(ctx, version)
    workload_groups = [g.group for g in ctx.security_groups]
    allowed = PortSet()
    assumptions: list[str] = []
    unknowns: list[Origin] = []
    for attached in groups:
        for rule in attached.rules:
            if rule.ingress:
                continue
            match = any(_names_group(ref, g) for ref in rule.source_groups for g in workload_groups)
            for cidr in rule.cidrs if version == 4 else rule.ipv6_cidrs:
                net = parse_cidr(cidr)
                if net is not None and net.prefixlen == 0:
                    match = True
                elif not destinations or net is None:
                    assumptions.append(
                        f"{rule.address}: whether egress to {cidr} reaches {ctx.address} is not known; assumed it does"
                    )
                    unknowns.extend(origins_of(cidr))
                    match = True
                elif any(cidr_contains(cidr, d) is True for d in destinations):
                    match = True
            if match:
                allowed = allowed | (sg_rule_ports(rule) & ports)
    return allowed, assumptions, unknowns


def load_balancer_path(
    ctx: WorkloadContext, route: LoadBalancerRoute, version: int, memo: NetworkMemo, entry: Entry | None = None
) -> PathReport:
    """The path through one listener's route to the workload; ``entry``: through a service in
    front of the load balancer instead of from the internet directly."""
    lb, listener = route.load_balancer, route.listener
    family = FAMILY[version]
    steps = [step("internet", "internet", f"any {family} address on the internet", None)]
    via = "load_balancer"
    assumptions: list[str] = []
    unknowns: list[Origin] = []
    if entry is not None:
        steps, via = list(entry.steps), entry.via
        assumptions.extend(entry.assumptions)
        unknowns.extend(entry.unknowns)
    lb_step = step("load_balancer", lb.address, f"{lb.lb_type} load balancer", lb.span)

    def ended(why: str, *more: PathStep, restricted: bool = False, ports: str = "", at: str = "") -> PathReport:
        return PathReport(
            via,
            version,
            (*steps, lb_step, *more),
            ports,
            cut=None if restricted else why,
            restricted=why if restricted else None,
            assumptions=tuple(dict.fromkeys(assumptions)) if restricted else (),
            unknowns=tuple(dict.fromkeys(unknowns)) if restricted else (),
            cut_at=at,
        )

    if lb.lb_type == "gateway":
        return ended(f"{lb.address} is a gateway load balancer (no listener reachable from the internet)")
    if lb.internal is True and entry is None:
        return ended(f"{lb.address} is internal (internal = true), not internet-facing")
    if isinstance(lb.internal, Unknown) and entry is None:
        assumptions.append(f"{lb.address}: internal is unknown ({lb.internal.reason}); assumed internet-facing")
        unknowns.extend(origins_of(lb.internal))
    # The load balancer, its listener and target group may not exist (count unknown).
    built_on = existence_open(lb, listener, route.target_group)
    assumptions.extend(built_on.assumptions)
    unknowns.extend(built_on.unknowns)
    routed = [
        p
        for p in route.lb_placements
        if entry is not None or p.default_vpc or internet_gateway_routes(p, version, memo)
    ]
    # Subnets not known offline are no doubt here: AWS refuses an internet-facing load balancer
    # in a VPC without an internet gateway, and one is internet-facing to be reached from it.
    if route.lb_placements and not routed:
        return ended(f"none of the subnets of {lb.address} routes {family} internet addresses to an internet gateway")
    listener_ports, more = _listener_ports(route)
    assumptions.extend(more)
    if more:
        unknowns.extend(origins_of(listener.port))
    if entry is not None:
        sent = listener_ports & entry.ports
        if not sent:
            return ended(
                f"{entry.at} sends {entry.ports} to {lb.address}, not its listener port {listener_ports}",
                at=entry.at,
            )
        listener_ports = sent
    lis_step = step("listener", listener.address, f"listener on {listener_ports}", listener.span, listener_ports)
    target_ports, more = _target_ports(route, listener_ports)
    assumptions.extend(more)
    if more and route.target_group is not None:
        unknowns.extend(origins_of(route.target_group.port))
    clients = _client_addresses(route, version)
    if entry is not None and entry.lb_addresses:
        clients = _Clients(False, entry.lb_addresses)
    source = entry.source if entry is not None else None
    if clients.assumption:
        assumptions.append(clients.assumption)
        unknowns.extend(origins_of(route.target_group.preserve_client_ip if route.target_group else None))

    # The LB's own groups: the listener port from the whole internet, and out to the targets.
    lb_admitting: list[tuple[SecurityGroupRule, PortSet]] = []
    if route.lb_security_groups and source is not None:
        groups = ", ".join(g.group.address for g in route.lb_security_groups)
        lb_admitting, more, origins = admits_from_source(
            ingress_rules(route.lb_security_groups), source, listener_ports, version
        )
        assumptions.extend(more)
        unknowns.extend(origins)
        if not lb_admitting:
            return ended(
                f"{groups} of {lb.address} does not admit the listener port {listener_ports} from {source.words} "
                "(its security group or its subnets)",
                lis_step,
                at=route.lb_security_groups[0].group.address,
            )
    elif route.lb_security_groups and entry is not None and entry.lb_addresses and _privatelink_unchecked(lb):
        # PrivateLink traffic the NLB's inbound rules are not evaluated for
        if isinstance(lb.privatelink_inbound_rules, Unknown):
            assumptions.append(
                f"{lb.address}: whether its inbound rules apply to PrivateLink traffic is unknown; assumed they do not"
            )
            unknowns.extend(origins_of(lb.privatelink_inbound_rules))
    elif route.lb_security_groups:
        lb_rules = ingress_rules(route.lb_security_groups)
        from_internet = internet_admission(
            routed[0] if routed else None, lb_rules, version, False, memo, check_acl=False
        )
        assumptions.extend(from_internet.assumptions)
        unknowns.extend(from_internet.unknowns)
        groups = ", ".join(g.group.address for g in route.lb_security_groups)
        listed = managed_list_ports(lb_rules, entry.managed_list) if entry is not None else PortSet()
        if not (from_internet.sg_ports | listed) & listener_ports:
            sources = f"the {family} internet"
            if entry is not None and entry.lb_addresses:
                sources = (
                    "the addresses PrivateLink traffic comes from (its inbound rules apply to it: "
                    "enforce_security_group_inbound_rules_on_private_link_traffic is on)"
                )
            return ended(
                f"{groups} of {lb.address} does not admit the listener port {listener_ports} from {sources}",
                lis_step,
                at=route.lb_security_groups[0].group.address,
            )
        open_ports = (from_internet.world_ports | listed) & listener_ports
        if not open_ports:
            reached = from_internet.sg_ports & listener_ports
            return ended(
                f"reachable on {reached} through {lb.address} from {', '.join(from_internet.sources)} only",
                lis_step,
                restricted=True,
                ports=str(reached),
            )
        for rule in lb_rules:
            alone = internet_admission(routed[0] if routed else None, [rule], version, False, memo, check_acl=False)
            listed_part = managed_list_ports([rule], entry.managed_list) if entry is not None else PortSet()
            if part := (alone.sg_ports | listed_part) & open_ports:
                lb_admitting.append((rule, part))
    if route.lb_security_groups:
        groups = ", ".join(g.group.address for g in route.lb_security_groups)
        egress, more, origins = _lb_egress(route, ctx, version, target_ports)
        assumptions.extend(more)
        unknowns.extend(origins)
        if not egress:
            return ended(
                f"{groups} of {lb.address} lets it open no connection to {ctx.address} on {target_ports} "
                f"(no egress rule allows it)",
                lis_step,
                at=route.lb_security_groups[0].group.address,
            )
        target_ports = egress
    elif lb.lb_type != "network":
        return ended(f"{lb.address} has no security group known to admit the listener port {listener_ports}", lis_step)

    # Clients reach a node of the LB in one of its routed subnets, through that subnet's NACL.
    preserved = entry is not None and entry.preserved  # no NACL is evaluated on the way in
    peers = _source_cidrs(source, version) if source is not None else None
    entered = [
        (
            p,
            AclCrossing(listener_ports, "", None)
            if preserved
            else acl_crossing(p, version, peers, listener_ports, memo),
        )
        for p in routed
    ]
    entered = [(p, crossing) for p, crossing in entered if crossing.ports]
    if routed and not entered:
        acls = ", ".join(dict.fromkeys(p.network_acl.address for p in routed if p.network_acl is not None))
        return ended(
            f"network ACL {acls} of the subnets of {lb.address} does not let {listener_ports} in from "
            f"{source.words if source is not None else f'the {family} internet'} (or the replies back out)",
            lis_step,
            at=acls,
        )
    lb_crossing = entered[0][1] if entered else None  # the subnet the path shows
    if lb_crossing is not None:
        assumptions.extend(lb_crossing.assumptions)
        unknowns.extend(lb_crossing.unknowns)
    tg_steps: list[PathStep] = []
    if route.target_group is not None:
        tg = route.target_group
        tg_steps.append(step("target_group", tg.address, f"forwards to {target_ports}", tg.span, target_ports))

    admitting, restricted, more, origins = _admits_from_lb(ctx, route, version, target_ports, clients, memo, source)
    assumptions.extend(more)
    unknowns.extend(origins)
    admitted = PortSet()
    for _, part in admitting:
        admitted = admitted | part
    if not admitted:
        if restricted:
            return ended(
                f"reachable on {restricted} through {lb.address} from named client ranges only ({clients.why})",
                lis_step,
                *tg_steps,
                restricted=True,
                ports=str(restricted),
            )
        groups = ", ".join(g.group.address for g in ctx.security_groups) or "no security group"
        seen_from = f"{lb.address} (its security group or its addresses)"
        if clients.preserved:
            seen_from = f"{source.words} (its security group or its subnets)" if source else "the whole internet"
        return ended(
            f"{groups} of {ctx.address} does not admit {target_ports} from {seen_from}: {clients.why}",
            lis_step,
            *tg_steps,
            at=ctx.security_groups[0].group.address if ctx.security_groups else ctx.address,
        )
    workload_acl, blocked = _lb_to_workload_acls(
        ctx, route, version, admitted, [p for p, _ in entered], clients.preserved, memo, source
    )
    if not workload_acl.ports:
        return ended(blocked, lis_step, *tg_steps, at=workload_acl.acl)
    assumptions.extend(workload_acl.assumptions)
    unknowns.extend(workload_acl.unknowns)
    admitted = workload_acl.ports
    return _open_path(
        ctx,
        route,
        version,
        memo,
        steps,
        lis_step,
        listener_ports,
        routed,
        lb_crossing,
        lb_admitting,
        tg_steps,
        workload_acl,
        admitting,
        admitted,
        assumptions,
        unknowns,
        via,
        source.words if source is not None else "the internet",
    )


def _open_path(
    ctx: WorkloadContext,
    route: LoadBalancerRoute,
    version: int,
    memo: NetworkMemo,
    steps: list[PathStep],
    lis_step: PathStep,
    listener_ports: PortSet,
    routed: list[Placement],
    lb_crossing: AclCrossing | None,
    lb_admitting: list[tuple[SecurityGroupRule, PortSet]],
    tg_steps: list[PathStep],
    workload_acl: AclCrossing,
    admitting: list[tuple[SecurityGroupRule, PortSet]],
    admitted: PortSet,
    assumptions: list[str],
    unknowns: list[Origin],
    via: str = "load_balancer",
    source: str = "the internet",
) -> PathReport:
    """The open path's hops in the order a packet meets them, each with what it lets through:
    the LB and its listener, the LB subnet's route back to the internet gateway and NACL, each
    LB rule admitting the listener port, the target group, the workload subnet's NACL, each
    workload rule admitting the target port."""
    lb, listener = route.load_balancer, route.listener
    facing = "internet-facing " if via == "load_balancer" else ""
    via_vpc = source != "the internet"
    steps = [
        *steps,
        step("load_balancer", lb.address, f"{facing}{lb.lb_type} load balancer", lb.span, listener_ports),
        lis_step,
    ]
    related: list[Evidence] = [
        Evidence(listener.span, listener.address, f"listener on {listener_ports}"),
        Evidence(route.attached_at, ctx.address, "registers the workload as a target"),
    ]
    igw_routes = internet_gateway_routes(routed[0], version, memo) if routed else ()
    if routed and igw_routes:
        table = table_step(routed[0])
        steps.append(
            step(table.kind, table.address, f"{table.description} (load balancer subnet)", table.span, listener_ports)
        )
        first = igw_routes[0]
        steps.append(
            step(
                "route",
                first.route.address,
                f"route {describe_route(first, version)}",
                first.route.span,
                listener_ports,
            )
        )
    if lb_crossing is not None and lb_crossing.acl:
        steps.append(
            step(
                "network_acl",
                lb_crossing.acl,
                "the load balancer subnet's network ACL",
                lb_crossing.span,
                lb_crossing.ports,
            )
        )
    for rule, part in lb_admitting:
        # a rule admitting a VPC source may name its group; one admitting the internet, a CIDR
        span = rule.span_of("source_groups", "cidrs", "ipv6_cidrs") if via_vpc else rule.span_of("cidrs", "ipv6_cidrs")
        steps.append(step("security_group_rule", rule.address, f"admits the listener port from {source}", span, part))
        related.append(Evidence(span, rule.address, f"load balancer group admits {source}"))
    steps.extend(tg_steps)
    if workload_acl.acl:
        steps.append(
            step("network_acl", workload_acl.acl, "the workload subnet's network ACL", workload_acl.span, admitted)
        )
    for rule, part in admitting:
        steps.append(
            step(
                "security_group_rule",
                rule.address,
                f"admits {part & admitted} from the load balancer",
                rule.span_of("source_groups", "cidrs", "ipv6_cidrs"),
                part & admitted,
            )
        )
    anchor, _ = admitting[0]
    location = Evidence(
        anchor.span_of("source_groups", "cidrs", "ipv6_cidrs"),
        anchor.address,
        f"admits {admitted} from {facing}{lb.address}",
    )
    for other, part in admitting[1:]:
        related.append(
            Evidence(
                other.span_of("source_groups", "cidrs", "ipv6_cidrs"),
                other.address,
                f"also admits {part & admitted} from {lb.address}",
            )
        )
    steps.append(workload_step(ctx, admitted))
    return PathReport(
        via,
        version,
        tuple(steps),
        str(admitted),
        location=location,
        related=tuple(related),
        assumptions=tuple(dict.fromkeys(assumptions)),
        target_ports=admitted,
        unknowns=tuple(dict.fromkeys(unknowns)),
    )


def _lb_to_workload_acls(
    ctx: WorkloadContext,
    route: LoadBalancerRoute,
    version: int,
    ports: PortSet,
    lb_placements: list[Placement],
    passes_client: bool,
    memo: NetworkMemo,
    source: VpcSource | None = None,
) -> tuple[AclCrossing, str]:
    """The LB-to-workload leg through the NACLs: out of a LB subnet to the workload's subnet,
    into the workload's subnet from the LB's subnets (from the internet when the NLB passes
    client addresses through). What gets through in some subnet of the workload, and when
    nothing does, the reason (and the crossing names the NACL that stops it)."""
    lb = route.load_balancer
    sources: list[object] | None = None  # None: the internet
    if passes_client and source is not None:
        sources = _source_cidrs(source, version)
    elif not passes_client:
        sources = [
            subnet_cidr(p, version) if p.subnet is not None else Unknown("a subnet of the default VPC")
            for p in route.lb_placements
        ] or [Unknown("the load balancer's subnets are not known")]
    source_words = (
        f"{source.words if source is not None else 'the internet'} (the NLB passes client addresses through)"
        if passes_client
        else f"the subnets of {lb.address}"
    )
    best = AclCrossing(PortSet(), "", None)
    blocked, blocked_at = "", ""
    for placement in ctx.placements or (None,):
        into = acl_crossing(placement, version, sources, ports, memo)
        if not into.ports:
            blocked = blocked or (
                f"network ACL {into.acl} of {ctx.address}'s subnet does not let {ports} in from "
                f"{source_words} (or the replies back out)"
            )
            blocked_at = blocked_at or into.acl
            continue
        own = [subnet_cidr(placement, version)] if placement is not None and placement.subnet is not None else None
        out_of_lb = [
            acl_crossing(p, version, own, into.ports, memo, outbound=True) if own else AclCrossing(into.ports, "", None)
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
            blocked_at = blocked_at or acls
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
    if not best.ports:
        best = AclCrossing(PortSet(), blocked_at, None)
    return best, blocked


def _source_cidrs(source: VpcSource, version: int) -> list[object]:
    """The addresses connections from ``source`` come from: its subnets' ranges."""
    found: list[object] = [
        subnet_cidr(p, version) if p.subnet is not None else Unknown(f"a subnet of {source.words}")
        for p in source.placements
    ]
    return found or [Unknown(f"the subnets of {source.words} are not known")]


def admits_from_source(
    rules: list[SecurityGroupRule], source: VpcSource, ports: PortSet, version: int
) -> tuple[list[tuple[SecurityGroupRule, PortSet]], list[str], list[Origin]]:
    """The ingress rules that admit part of ``ports`` from ``source``'s interfaces, each with
    its part: a rule naming one of its groups, or a CIDR covering one of its subnets (the
    whole family covers them, known or not). A subnet whose range is not known, or a CIDR
    not known offline, is assumed covered, named."""
    out: list[tuple[SecurityGroupRule, PortSet]] = []
    assumptions: list[str] = []
    unknowns: list[Origin] = []
    groups = [g.group for g in source.groups]
    cidrs = _source_cidrs(source, version)
    for rule in rules:
        if not rule.ingress:
            continue
        part = sg_rule_ports(rule) & ports
        if not part:
            continue
        hit = any(_names_group(ref, g) for ref in rule.source_groups for g in groups)
        for cidr in () if hit else (rule.cidrs if version == 4 else rule.ipv6_cidrs):
            net = parse_cidr(cidr)
            if net is not None and net.prefixlen == 0 and net.version == version:
                hit = True
                break
            for subnet in cidrs:
                covers = cidr_contains(cidr, subnet) if not isinstance(subnet, Unknown) else subnet
                if covers is True:
                    hit = True
                elif isinstance(covers, Unknown):
                    hit = True
                    assumptions.append(
                        f"{rule.address}: whether {cidr} covers the addresses of {source.words} is not known; "
                        "assumed it does"
                    )
                    unknowns.extend(origins_of(cidr, subnet))
                if hit:
                    break
            if hit:
                break
        if hit:
            out.append((rule, part))
    return out, assumptions, unknowns


def _privatelink_unchecked(lb: LoadBalancer) -> bool:
    """The NLB's inbound rules may not apply to PrivateLink traffic: its
    ``enforce_security_group_inbound_rules_on_private_link_traffic`` is off (or not known)."""
    setting = lb.privatelink_inbound_rules
    return isinstance(setting, Unknown) or (isinstance(setting, str) and setting.lower() == "off")
