"""Paths from the internet through an internet-facing load balancer.

The LB is in subnets routed to an internet gateway and its group admits the listener port
from the internet; it forwards to the workload, whose group admits the target port from the
LB (its group, or a CIDR covering its subnets; an NLB without groups passes client addresses
through, so then the workload's group must admit the internet). The NACLs on the way: the LB
subnet's (the listener port in from the internet, the target port out to the workload's
subnet) and the workload subnet's (the target port in from the LB's subnets, or from the
internet through a pass-through NLB), none within one subnet."""

from __future__ import annotations

from scanner.analyses.network import (
    NetworkMemo,
    PortSet,
    cidr_contains,
    sg_rule_ports,
)
from scanner.analyses.public_ip import internet_gateway_routes
from scanner.analyses.reachability.admission import AclCrossing, acl_crossing, internet_admission, subnet_cidr
from scanner.analyses.reachability.hops import (
    FAMILY,
    PathReport,
    describe_route,
    ingress_rules,
    step,
    table_step,
    workload_step,
)
from scanner.findings import Evidence, PathStep
from scanner.model import SecurityGroup, SecurityGroupRule
from scanner.values import ResourceRef, Unknown
from scanner.workload import LoadBalancerRoute, Placement, WorkloadContext

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
    subnets = [subnet_cidr(p, version) for p in route.lb_placements if p.subnet is not None]
    for group in ctx.security_groups:
        for rule in group.rules:
            if not rule.ingress:
                continue
            match = any(_source_group_matches(ref, lb) for ref in rule.source_groups for lb in lb_groups)
            match = match or (rule.self_source and any(lb.address == group.group.address for lb in lb_groups))
            for cidr in rule.cidrs if version == 4 else rule.ipv6_cidrs:
                for lb_subnet in subnets:
                    if lb_subnet is None:
                        continue
                    covers = cidr_contains(cidr, lb_subnet)
                    if isinstance(covers, Unknown):
                        assumptions.append(
                            f"{rule.address}: whether {cidr} covers the load balancer's subnet "
                            f"{lb_subnet} is not known; assumed it does"
                        )
                        covers = True
                    match = match or covers
            part = sg_rule_ports(rule) & ports if match else PortSet()
            if part:
                admitted = admitted | part
                found = found or rule
    return admitted, found, assumptions


def load_balancer_path(ctx: WorkloadContext, route: LoadBalancerRoute, version: int, memo: NetworkMemo) -> PathReport:
    lb, listener = route.load_balancer, route.listener
    family = FAMILY[version]
    steps = [step("internet", "internet", f"any {family} address on the internet", None)]
    lb_step = step("load_balancer", lb.address, f"{lb.lb_type} load balancer", lb.span)
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
    lis_step = step("listener", listener.address, f"listener on {listener_ports}", listener.span, listener_ports)
    lb_rules = ingress_rules(route.lb_security_groups)
    target_ports, more = _target_ports(route, listener_ports)
    assumptions.extend(more)
    passes_client = lb.lb_type == "network" and not route.lb_security_groups
    if not passes_client:
        from_internet = internet_admission(
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
        direct = internet_admission(
            placement, ingress_rules(ctx.security_groups), version, False, memo, check_acl=False
        )
        assumptions.extend(direct.assumptions)
        admitted, rule, lb_rule = direct.sg_ports & target_ports, direct.rule, None
    # Clients reach a node of the LB in one of its routed subnets, through that subnet's NACL.
    entered = [(p, acl_crossing(p, version, None, listener_ports, memo)) for p in routed]
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
        tg_steps.append(step("target_group", tg.address, f"forwards to {target_ports}", tg.span, target_ports))
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
    lb_step = step("load_balancer", lb.address, f"internet-facing {lb.lb_type} load balancer", lb.span, listener_ports)
    # In the order a packet meets them: the LB and its listener, the LB subnet's route back to
    # the internet gateway, the LB's group, the target group, the workload's group.
    steps.extend([lb_step, lis_step])
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
        steps.append(
            step(
                "route",
                igw_routes[0].route.address,
                f"route {describe_route(igw_routes[0], version)}",
                igw_routes[0].route.span,
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
    if lb_rule is not None:
        steps.append(
            step(
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
            step("network_acl", workload_acl.acl, "the workload subnet's network ACL", workload_acl.span, admitted)
        )
    if rule is not None:
        steps.append(
            step(
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
    steps.append(workload_step(ctx, admitted))
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
            subnet_cidr(p, version) if p.subnet is not None else Unknown("a subnet of the default VPC")
            for p in route.lb_placements
        ] or [Unknown("the load balancer's subnets are not known")]
    source_words = (
        "the internet (the NLB passes client addresses through)" if passes_client else f"the subnets of {lb.address}"
    )
    best = AclCrossing(PortSet(), "", None)
    blocked = ""
    for placement in ctx.placements or (None,):
        into = acl_crossing(placement, version, sources, ports, memo)
        if not into.ports:
            blocked = blocked or (
                f"network ACL {into.acl} of {ctx.address}'s subnet does not let {ports} in from "
                f"{source_words} (or the replies back out)"
            )
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
