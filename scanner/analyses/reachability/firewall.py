"""What an inspection appliance in the route path lets through from the internet (IPv4).

Network Firewall (AWS's developer guide, "How rules engines work"): the stateless engine
first, its rule groups by the policy's priority and each group's rules by their own
priority, the first matching rule's action deciding (aws:pass, aws:drop,
aws:forward_to_sfe); what no rule matches takes the policy's stateless default action for
full packets (not set: forwarded, named). What is forwarded meets the stateful engine:
in the default action order, pass rules first, then drop and reject rules, then alert (what
none matches passes); in STRICT_ORDER the groups by priority and their rules in order, the
first pass or drop deciding (alert goes on), then the policy's stateful default actions
(aws:drop_strict, aws:drop_established: dropped; aws:alert_*: passed). A rule counts for
connections from the internet when one of its sources is 0.0.0.0/0 (ANY) and one of its
destinations holds the workload's subnet; a rule naming part of the internet, a rule
variable, Suricata rules as a string, a domain list or a group not in the configuration may
drop part of it: the path stays open and is possible, naming each. The same evaluation
serves a private path (``source``: the CIDR of the network on the other side of a peering
connection, VPN or transit gateway): a rule counts when one of its sources holds that whole
CIDR, and a drop rule naming part of it may drop part of it (possible, named).

Where it sits: the workload subnet's route for internet addresses goes to the firewall's
endpoint (a route's vpc_endpoint_id), and the firewall's subnets route internet addresses to
an internet gateway. The internet gateway's edge route table sending the workload subnet's
range back to the same endpoint (symmetric routing, which a stateful firewall needs) is
assumed, not checked. A Gateway Load Balancer endpoint passes traffic to appliances outside
the configuration: the path goes through it, assumed to pass (named)."""

from __future__ import annotations

from scanner.analyses.network import PortSet, cidr_contains, cidr_overlaps
from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.public_ip import internet_gateway_routes
from scanner.analyses.reachability.hops import step
from scanner.findings import PathStep
from scanner.frozen import frozen
from scanner.model_between import FirewallRule, NetworkFirewall, VpcEndpoint
from scanner.values import Unknown
from scanner.workload import Placement, ResolvedRoute, WorkloadContext
from scanner.workload_between import FirewallView, GroupUse


@frozen
class Inspection:
    """What passes (``passed``), why the rest is dropped (``dropped``: the first drop, in
    words), what the verdict assumes, and the hop that tells it."""

    passed: PortSet
    dropped: str
    assumptions: tuple[str, ...]
    hop: PathStep
    route_ok: str = ""  # set: why the appliance's subnets do not reach an internet gateway


def rule_ports(rule: FirewallRule) -> PortSet:
    out = PortSet()
    for protocol in rule.protocols or ("-1",):
        if not rule.ports:
            out = out | PortSet.of(protocol)
        for low, high in rule.ports:
            out = out | PortSet.of(protocol, low, high)
    return out


INTERNET = "0.0.0.0/0"


def _matches(rule: FirewallRule, source: object, destination: object, notes: list[str], group: str) -> bool:
    """Does the rule apply to connections from every address of ``source`` to ``destination``?"""
    whole = any(cidr_contains(s, source) is True for s in rule.sources)
    if not whole and rule.direction == "ANY":
        whole = any(cidr_contains(d, source) is True for d in rule.destinations)
    holds = any(cidr_contains(d, destination) is True for d in rule.destinations)
    if rule.direction == "ANY":
        holds = holds or any(cidr_contains(s, destination) is True for s in rule.sources)
    if whole and holds:
        return True
    unknown = [str(a) for a in (*rule.sources, *rule.destinations) if isinstance(a, Unknown)]
    # Every internet address is a source of the internet's connections; a private network's
    # connections meet only the rules whose sources overlap it.
    partial = not whole and (
        source == INTERNET or isinstance(source, Unknown) or any(cidr_overlaps(s, source) is True for s in rule.sources)
    )
    if rule.action in ("aws:drop", "drop", "reject") and (unknown or partial):
        named = ", ".join(unknown) or ("part of the internet" if source == INTERNET else f"part of {source}")
        notes.append(f"rule group {group} rule {rule.address} may drop part of it (it names {named})")
    return False


def inspect(
    view: FirewallView, ports: PortSet, destination: object, source: object = INTERNET
) -> tuple[PortSet, str, list[str]]:
    """The ports of ``ports`` the firewall passes from ``source`` (the internet unless named)
    to ``destination``, the first drop in words, and the assumptions."""
    policy = view.policy
    notes: list[str] = []
    if policy is None:
        notes.append(f"the policy of {view.firewall.address} is not in this configuration; assumed it passes")
        return ports, "", notes
    name = f"Network Firewall policy {policy.address}"
    remaining, passed, forwarded = ports, PortSet(), PortSet()
    dropped = ""
    for use in view.stateless:
        group = _group(use, notes, "stateless")
        for rule in group:
            hit = remaining & rule_ports(rule)
            if not hit or not _matches(rule, source, destination, notes, use.named):
                continue
            remaining = remaining.difference(hit)
            if rule.action == "aws:pass":
                passed = passed | hit
            elif rule.action == "aws:drop":
                dropped = dropped or f"{name} rule group {use.named} drops {hit}"
            else:
                forwarded = forwarded | hit
    default = next((a for a in policy.stateless_default if a.startswith("aws:")), None)
    if remaining:
        if default == "aws:pass":
            passed = passed | remaining
        elif default == "aws:drop":
            dropped = dropped or f"{name} stateless default action aws:drop drops {remaining}"
        else:
            if default is None:
                notes.append(f"{policy.address}: no stateless default action written; assumed aws:forward_to_sfe")
            forwarded = forwarded | remaining
    if forwarded:
        through, why = _stateful(view, forwarded, source, destination, notes, name)
        passed = passed | through
        dropped = dropped or why
    return passed, dropped, notes


def _group(use: GroupUse, notes: list[str], kind: str) -> tuple[FirewallRule, ...]:
    if use.group is None:
        notes.append(f"{kind} rule group {use.named} is not in this configuration; it may drop traffic")
        return ()
    if use.group.opaque:
        notes.append(f"rule group {use.named} holds {use.group.opaque}, not evaluated; it may drop traffic")
    return use.group.rules


def _stateful(
    view: FirewallView, ports: PortSet, source: object, destination: object, notes: list[str], name: str
) -> tuple[PortSet, str]:
    policy = view.policy
    assert policy is not None
    strict = isinstance(policy.rule_order, str) and policy.rule_order.upper() == "STRICT_ORDER"
    ordered = [(use, rule) for use in view.stateful for rule in _group(use, notes, "stateful")]
    if strict:
        remaining, passed, dropped = ports, PortSet(), ""
        for use, rule in ordered:
            hit = remaining & rule_ports(rule)
            if not hit or rule.action == "alert" or not _matches(rule, source, destination, notes, use.named):
                continue
            remaining = remaining.difference(hit)
            if rule.action == "pass":
                passed = passed | hit
            else:
                dropped = dropped or f"{name} rule group {use.named} {rule.action}s {hit}"
        if remaining:
            drops = [a for a in policy.stateful_default if a in ("aws:drop_strict", "aws:drop_established")]
            if drops:
                dropped = dropped or f"{name} stateful default action {drops[0]} drops {remaining}"
            else:
                passed = passed | remaining
        return passed, dropped
    # default action order: pass rules, then drop and reject, then alert; no match passes
    passed = PortSet()
    for use, rule in ordered:
        if rule.action == "pass" and _matches(rule, source, destination, notes, use.named):
            passed = passed | (ports & rule_ports(rule))
    remaining = ports.difference(passed)
    dropped = ""
    for use, rule in ordered:
        if rule.action in ("drop", "reject"):
            hit = remaining & rule_ports(rule)
            if hit and _matches(rule, source, destination, notes, use.named):
                remaining = remaining.difference(hit)
                dropped = dropped or f"{name} rule group {use.named} {rule.action}s {hit}"
    return passed | remaining, dropped


def appliance_on_route(
    ctx: WorkloadContext, route: ResolvedRoute, version: int, memo: NetworkMemo
) -> tuple[FirewallView | None, str, list[str]] | None:
    """When the route sends internet traffic to a Network Firewall or a Gateway Load Balancer
    endpoint: the firewall (None for a GWLB endpoint), why its subnets do not reach an
    internet gateway ("" when they do) and the assumptions; None otherwise."""
    if version != 4 or route.target_kind != "vpc_endpoint" or ctx.between is None:
        return None
    target = route.target
    if isinstance(target, NetworkFirewall):
        view = ctx.between.firewalls.get(target.address)
        if view is None:
            return None
        placements = [p for p in view.placements if isinstance(p, Placement)]
        if placements and not any(internet_gateway_routes(p, version, memo) for p in placements):
            table = (
                placements[0].route_table.address if placements[0].route_table else "the firewall subnet's main table"
            )
            return (
                view,
                f"{table} (the firewall subnet's) has no route for internet addresses to an internet gateway",
                [],
            )
        notes = (
            []
            if placements
            else [f"the subnets of {target.address} are not known; assumed they route to an internet gateway"]
        )
        return view, "", notes
    if isinstance(target, VpcEndpoint) and str(target.endpoint_type or "").lower() == "gatewayloadbalancer":
        return (
            None,
            "",
            [
                f"{target.address} sends traffic to Gateway Load Balancer appliances outside this configuration; "
                "assumed they pass it and its subnet routes to an internet gateway"
            ],
        )
    return None


def firewall_hop(view: FirewallView | None, address: str, ports: PortSet) -> PathStep:
    if view is None:
        return step(
            "gateway_load_balancer_endpoint", address, "inspected by appliances outside this configuration", None, ports
        )
    policy = view.policy.address if view.policy is not None else "a policy not in this configuration"
    return step(
        "network_firewall",
        view.firewall.address,
        f"inspected by Network Firewall policy {policy}",
        view.firewall.span,
        ports,
    )
