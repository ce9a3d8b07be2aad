"""An inspection appliance on a private path (IPv4): a Network Firewall endpoint or a Gateway
Load Balancer endpoint between a subnet and the door to another network (a VPC peering
connection, a virtual private gateway, a transit gateway).

Where it sits (AWS's Network Firewall developer guide, "Architectures"; VPC routing,
"Middlebox routing"): the subnet's route for the other network's addresses goes to the
endpoint (a route's ``vpc_endpoint_id``), and the endpoint's subnet routes them on to the
door. The route the endpoint's subnets take for those addresses decides where the traffic
goes after inspection: a route to the same door makes the path pass through the appliance; a
route elsewhere (or none) makes the door unreachable that way.

What it lets through is decided by firewall.py's evaluator, unchanged, with the other
network's CIDR as the source: a drop cuts the path at the firewall's hop naming the policy
and rule group; Suricata strings, domain lists, rule variables and rules naming part of the
source are a possible cut, named. A Gateway Load Balancer endpoint's appliances are outside
the configuration: assumed to pass, named. Traffic coming in from a peering connection is
delivered by the VPC's local route, so on the workload's side the firewall sees the
replies; that the way in passes the same endpoint (symmetric routing, which a stateful
firewall needs) is assumed and named, not checked.

No cost without appliances: every function returns at once when the configuration has no
Network Firewall and no Gateway Load Balancer endpoint."""

from __future__ import annotations

from collections.abc import Sequence

from scanner.analyses.network import PortSet, RouteChoice, parse_cidr
from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.reachability.firewall import firewall_hop, inspect
from scanner.analyses.reachability.hops import describe_route, route_for, step
from scanner.findings import PathStep
from scanner.frozen import frozen
from scanner.model_between import NetworkFirewall, VpcEndpoint
from scanner.workload import Placement, ResolvedRoute, WorkloadContext
from scanner.workload_between import FirewallView


@frozen
class Through:
    """An appliance a private path passes: the subnet's ``route`` to its endpoint, the
    firewall (``view``; None for a Gateway Load Balancer endpoint), the ``onward`` route its
    subnets take for the other network (None: its subnets are not known) and what is
    assumed."""

    route: ResolvedRoute
    view: FirewallView | None
    onward: ResolvedRoute | None
    notes: tuple[str, ...] = ()

    @property
    def address(self) -> str:
        return self.view.firewall.address if self.view is not None else self.route.target_address


def has_appliances(ctx: WorkloadContext) -> bool:
    between = ctx.between
    return between is not None and bool(between.firewalls or between.appliance_endpoints)


def _appliance(
    ctx: WorkloadContext, route: ResolvedRoute
) -> tuple[FirewallView | None, Sequence[object], tuple[str, ...]] | None:
    """The firewall (None: a Gateway Load Balancer endpoint) ``route`` sends to, the
    placements of its subnets and what is assumed; None when the target is neither."""
    between = ctx.between
    if route.target_kind != "vpc_endpoint" or between is None:
        return None
    target = route.target
    if isinstance(target, NetworkFirewall):
        view = between.firewalls.get(target.address)
        return (view, view.placements, ()) if view is not None else None
    if isinstance(target, VpcEndpoint) and target.address in between.appliance_endpoints:
        note = (
            f"{route.target_address} sends traffic to Gateway Load Balancer appliances outside this "
            "configuration; assumed they pass it"
        )
        return None, between.appliance_endpoints[target.address], (note,)
    return None


def through_appliance(ctx: WorkloadContext, route: ResolvedRoute, address: int, memo: NetworkMemo) -> Through | None:
    """The appliance ``route`` sends to and the route its subnets take on for ``address``
    (None: the route's target is not a Network Firewall or Gateway Load Balancer endpoint)."""
    found = _appliance(ctx, route)
    if found is None:
        return None
    view, placements, notes = found
    known = [p for p in placements if isinstance(p, Placement) and not p.routing_unknown]
    for placement in known:
        choice: RouteChoice[ResolvedRoute] | None = route_for(placement, 4, address, memo)
        if choice is not None:
            return Through(route, view, choice.target, notes)
    if known:
        return Through(route, view, None, notes)
    unknown = f"the subnets of {route.target_address} are not known offline, nor where it sends the traffic on"
    return Through(route, view, None, (*notes, unknown))


def onward_doors(
    ctx: WorkloadContext, placement: Placement, kinds: tuple[str, ...], memo: NetworkMemo
) -> list[Through]:
    """Each route of an appliance's subnets to a door of ``kinds`` that the workload's subnet
    reaches through that appliance: its table's route for the door's destination is the
    route to the appliance's endpoint."""
    if not has_appliances(ctx):
        return []
    out: list[Through] = []
    seen: set[tuple[str, str]] = set()
    for resolved in placement.routes:
        found = _appliance(ctx, resolved)
        if found is None:
            continue
        view, placements, notes = found
        for appliance_placement in placements:
            if not isinstance(appliance_placement, Placement):
                continue
            for onward in appliance_placement.routes:
                if onward.target_kind not in kinds:
                    continue
                key = (resolved.route.address, onward.route.address)
                start = first_address(onward.route.destination)
                if key in seen or start is None:
                    continue
                choice = route_for(placement, 4, start, memo)
                if choice is None or choice.target.route is not resolved.route:
                    continue
                seen.add(key)
                out.append(Through(resolved, view, onward, notes))
    return out


def first_address(cidr: object) -> int | None:
    net = parse_cidr(cidr)
    return int(net.network_address) if net is not None and net.version == 4 else None


def inspected_ports(
    through: Through, ports: PortSet, sources: Sequence[object], destination: object
) -> tuple[PortSet, str, list[str]]:
    """What of ``ports`` the appliance lets through from any of ``sources`` to
    ``destination``, the first drop in words, and the assumptions."""
    if through.view is None:
        return ports, "", list(through.notes)
    passed, dropped, notes = PortSet(), "", list(through.notes)
    for source in sources:
        got, why, said = inspect(through.view, ports, destination, source)
        passed = passed | got
        dropped = dropped or why
        notes.extend(said)
    return passed, dropped, list(dict.fromkeys(notes))


def appliance_hops(through: Through, ports: PortSet | None = None) -> list[PathStep]:
    """The appliance's hop ("inspected by ...") and, when known, its subnets' onward route."""
    inspected = firewall_hop(through.view, through.route.target_address, ports or PortSet())
    endpoint = through.route.target
    span = inspected.span or (endpoint.span if endpoint is not None else None)
    described = f"through {through.address}, {inspected.description}"
    hops = [step(inspected.kind, inspected.address, described, span, ports)]
    if through.onward is not None:
        onward = through.onward
        hops.append(
            step(
                "route",
                onward.route.address,
                f"route {describe_route(onward, 4)} (from the subnets of {through.address})",
                onward.route.span,
                ports,
            )
        )
    return hops


def workload_route_hop(through: Through, ports: PortSet | None = None) -> PathStep:
    """The workload subnet's route to the appliance's endpoint."""
    route = through.route
    return step("route", route.route.address, f"route {describe_route(route, 4)}", route.route.span, ports)
