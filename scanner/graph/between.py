"""Reading the doors between networks back from the graph (``scanner.workload_between``):
each transit gateway with its attachments, the route table each is associated with and the
routes of each table, static and propagated, as AWS applies them
(https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html):

* an attachment is associated with one route table: an explicit association, else the
  transit gateway's default route table when both the transit gateway's
  default_route_table_association (DefaultRouteTableAssociation) and the attachment's
  transit_gateway_default_route_table_association are enabled (AWS's default); VPN and
  Direct Connect attachments follow the transit gateway's setting;
* it propagates its networks into every table of an explicit propagation, and into the
  default table likewise by the *_propagation settings: a VPC attachment its VPC's CIDRs, a
  VPN attachment its static routes (else what it learns over BGP: unknown, named), a Direct
  Connect attachment the on-premises networks (learned over BGP: unknown, named);
* static routes (aws_ec2_transit_gateway_route) send a CIDR to an attachment or drop it
  (blackhole).

A table named by the transit gateway itself (its association_default_route_table_id) is its
default route table."""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx

from scanner.graph.core import GraphWriter
from scanner.graph.defaults import default_sg_node
from scanner.model import (
    Cidr,
    MaybeBool,
    Resource,
    SecurityGroup,
    Subnet,
    Vpc,
    VpcCidrAssociation,
    VpnConnection,
)
from scanner.model_accelerator import CustomRoutingAccelerator, CustomRoutingEndpointGroup, CustomRoutingListener
from scanner.model_between import (
    ClientVpnAssociation,
    ClientVpnAuthorization,
    ClientVpnEndpoint,
    ClientVpnRoute,
    DxGatewayAssociation,
    FirewallPolicy,
    FirewallRuleGroup,
    NetworkFirewall,
    TransitGateway,
    TransitGatewayAttachment,
    TransitGatewayRoute,
    TransitGatewayRouteTable,
    VpcEndpoint,
    VpcEndpointService,
    VpcEndpointServicePrincipals,
)
from scanner.values import ResourceRef, Unknown
from scanner.workload_between import (
    BetweenNetworks,
    ClientVpnView,
    CustomRoutingFront,
    EndpointService,
    FirewallView,
    GroupUse,
    TgwAttachment,
    TgwRoute,
    TgwTable,
    TransitView,
)


def default_table_name(gateway: TransitGateway) -> str:
    return f"{gateway.address} (default route table)"


class _BetweenReader(GraphWriter):
    def obj_at(self, node: str) -> Resource | None:
        return self.obj(node) if node in self.graph else None

    def vpc_cidrs(self, vpc: Vpc) -> tuple[Cidr, ...]:
        cidrs = list(vpc.cidr_blocks)
        for assoc, _ in self.into(vpc.address, "in_vpc"):
            found = self.obj(assoc)
            if isinstance(found, VpcCidrAssociation) and found.cidr is not None:
                cidrs.append(found.cidr)
        return tuple(cidrs)

    def side(self, attachment: Resource) -> tuple[str, tuple[Cidr, ...], Vpc | None]:
        """The attachment's kind, the networks on its side, and its VPC."""
        if isinstance(attachment, TransitGatewayAttachment):
            vpcs = [v for v, _ in self.out(attachment.address, "in_vpc") if isinstance(self.obj(v), Vpc)]
            if vpcs:
                vpc = self.obj(vpcs[0])
                assert isinstance(vpc, Vpc)
                return "vpc", self.vpc_cidrs(vpc), vpc
            named = attachment.vpc.address if isinstance(attachment.vpc, ResourceRef) else str(attachment.vpc)
            return "vpc", (Unknown(f"the CIDRs of VPC {named}, not in this configuration"),), None
        if isinstance(attachment, VpnConnection):
            if attachment.static_routes:
                return "vpn", attachment.static_routes, None
            return "vpn", (Unknown(f"the on-premises networks of {attachment.address}, learned over BGP"),), None
        dx = attachment.dx_gateway if isinstance(attachment, DxGatewayAssociation) else None
        named = dx.address if isinstance(dx, ResourceRef) else str(dx)
        return (
            "direct_connect",
            (Unknown(f"the on-premises networks behind Direct Connect gateway {named}, learned over BGP"),),
            None,
        )

    def transit(self, gateway: TransitGateway, placement_of: Callable[[str], object] | None = None) -> TransitView:
        tables: dict[str, TgwTable] = {gateway.address: TgwTable(default_table_name(gateway), gateway)}
        for node, _ in self.out(gateway.address, "tgw_route_table"):
            table = self.obj(node)
            if isinstance(table, TransitGatewayRouteTable):
                tables[node] = TgwTable(table.address, table)
        routes: dict[str, list[TgwRoute]] = {node: self.static_routes(node) for node in tables}
        attachments = [
            found
            for node, _ in self.into(gateway.address, "attached")
            if isinstance(found := self.obj(node), (TransitGatewayAttachment, VpnConnection, DxGatewayAssociation))
        ]
        sides = {a.address: self.side(a) for a in attachments}
        associations: dict[str, tuple[str | None, Resource | None, Unknown | None, str]] = {}
        for attachment in attachments:
            linked = self.out(attachment.address, "tgw_linked")
            explicit = [(t, d) for t, d in linked if not d.get("propagation") and t in tables]
            propagating = [(t, d) for t, d in linked if d.get("propagation") and t in tables]
            own_assoc = attachment.default_association if isinstance(attachment, TransitGatewayAttachment) else None
            own_prop = attachment.default_propagation if isinstance(attachment, TransitGatewayAttachment) else None
            if explicit:
                node, data = explicit[0]
                associations[attachment.address] = (node, self.obj(data["via"]), None, "")
            else:
                on, unknown, why = _default_on(
                    gateway.default_association, own_assoc, gateway, attachment, "association"
                )
                associations[attachment.address] = (gateway.address if on else None, attachment, unknown, why)
            targets: list[tuple[str, Resource, Unknown | None]] = [
                (node, self.obj(d["via"]) or attachment, None) for node, d in propagating
            ]
            on, unknown, _ = _default_on(gateway.default_propagation, own_prop, gateway, attachment, "propagation")
            if on and all(node != gateway.address for node, _, _ in targets):
                targets.append((gateway.address, attachment, unknown))
            _, cidrs, _ = sides[attachment.address]
            for node, by, possible in targets:
                for cidr in cidrs:
                    routes[node].append(
                        TgwRoute(cidr, attachment, attachment.address, by, propagated=True, possible=possible)
                    )
        full = {node: TgwTable(t.address, t.resource, tuple(routes[node])) for node, t in tables.items()}
        views = []
        for attachment in attachments:
            kind, cidrs, vpc = sides[attachment.address]
            table_node, associated_by, unknown, why = associations[attachment.address]
            associated = full[table_node] if table_node is not None else None
            sources = self.vpc_placements(vpc, placement_of) if vpc is not None else ()
            own_subnets = (
                tuple(placement_of(node) for node, _ in self.out(attachment.address, "tgw_subnet"))
                if placement_of is not None
                else ()
            )
            views.append(
                TgwAttachment(
                    attachment, kind, cidrs, vpc, associated, associated_by, unknown, why, sources, own_subnets
                )
            )
        return TransitView(gateway, tuple(views))

    def vpc_placements(self, vpc: Vpc, placement_of: Callable[[str], object] | None) -> tuple[object, ...]:
        """The placements of the VPC's subnets: where traffic from the VPC starts."""
        if placement_of is None:
            return ()
        subnets = [node for node, _ in self.into(vpc.address, "in_vpc") if isinstance(self.obj(node), Subnet)]
        return tuple(placement_of(node) for node in subnets)

    def static_routes(self, table: str) -> list[TgwRoute]:
        out: list[TgwRoute] = []
        for node, _ in self.out(table, "tgw_route"):
            route = self.obj(node)
            if not isinstance(route, TransitGatewayRoute) or route.destination is None:
                continue
            targets = [self.obj(t) for t, _ in self.out(node, "route_target")]
            target = targets[0] if targets else None
            text = target.address if target is not None else _text(route.attachment)
            blackhole = route.blackhole is True
            possible = route.blackhole if isinstance(route.blackhole, Unknown) else None
            out.append(TgwRoute(route.destination, target, text, route, blackhole=blackhole, possible=possible))
        return out


def _default_on(
    gateway_setting: MaybeBool, own: MaybeBool, gateway: TransitGateway, attachment: Resource, what: str
) -> tuple[bool, Unknown | None, str]:
    """Whether the default route table ``association`` / ``propagation`` applies, the unknown
    it rests on, and (off) why not."""
    if gateway_setting is False:
        return False, None, f"{gateway.address} has default route table {what} disabled"
    if own is False:
        return False, None, f"{attachment.address} opts out of the default route table {what}"
    for setting in (gateway_setting, own):
        if isinstance(setting, Unknown):
            return True, setting, ""
    return True, None, ""


def _text(ref: object) -> str:
    return ref.address if isinstance(ref, ResourceRef) else str(ref)


def _groups(reader: _BetweenReader, refs: tuple[object, ...], priorities: tuple[object, ...]) -> tuple[GroupUse, ...]:
    """The rule groups ``refs`` name, ordered by priority (then as written)."""
    uses: list[GroupUse] = []
    for ref, priority in zip(refs, priorities, strict=False):
        addresses = (
            [ref.address]
            if isinstance(ref, ResourceRef)
            else [r.address for r in ref.refs]
            if isinstance(ref, Unknown)
            else []
        )
        found = next((g for a in addresses if isinstance(g := reader.obj_at(a), FirewallRuleGroup)), None)
        uses.append(
            GroupUse(priority if isinstance(priority, int) else None, found, found.address if found else _text(ref))
        )
    return tuple(sorted(uses, key=lambda u: u.priority if u.priority is not None else 1 << 30))


def read_between(
    graph: nx.MultiDiGraph, objects: list[Resource], placement_of: Callable[[str], object] | None = None
) -> BetweenNetworks | None:
    """The doors between networks of one configuration, None when it has none (the common
    case: nothing more is read)."""
    gateways: list[TransitGateway] = []
    dx: list[DxGatewayAssociation] = []
    services: list[VpcEndpointService] = []
    firewalls: list[NetworkFirewall] = []
    appliances: list[VpcEndpoint] = []
    client_vpn: list[ClientVpnEndpoint] = []
    custom_routing: list[CustomRoutingEndpointGroup] = []
    for obj in objects:
        if isinstance(obj, TransitGateway):
            gateways.append(obj)
        elif isinstance(obj, DxGatewayAssociation):
            dx.append(obj)
        elif isinstance(obj, VpcEndpointService):
            services.append(obj)
        elif isinstance(obj, NetworkFirewall):
            firewalls.append(obj)
        elif isinstance(obj, VpcEndpoint) and str(obj.endpoint_type or "").lower() == "gatewayloadbalancer":
            appliances.append(obj)
        elif isinstance(obj, ClientVpnEndpoint):
            client_vpn.append(obj)
        elif isinstance(obj, CustomRoutingEndpointGroup):
            custom_routing.append(obj)
    if (
        not gateways
        and not dx
        and not services
        and not firewalls
        and not appliances
        and not client_vpn
        and not custom_routing
    ):
        return None
    reader = _BetweenReader(graph)
    direct: dict[str, list[DxGatewayAssociation]] = {}
    for assoc in dx:
        for node, _ in reader.out(assoc.address, "attached"):
            direct.setdefault(node, []).append(assoc)
    fronted: dict[str, list[EndpointService]] = {}
    for service in services:
        more = [
            p
            for node, _ in reader.into(service.address, "attaches")
            if isinstance(p := reader.obj(node), VpcEndpointServicePrincipals)
        ]
        principals = (*service.allowed_principals, *(name for p in more for name in p.principals))
        at = (
            service.span_of("allowed_principals")
            if service.allowed_principals or not more
            else more[0].span_of("principals")
        )
        for node, _ in reader.out(service.address, "fronts"):
            fronted.setdefault(node, []).append(EndpointService(service, tuple(dict.fromkeys(principals)), at))
    return BetweenNetworks(
        transit={g.address: reader.transit(g, placement_of) for g in gateways},
        direct_connect={k: tuple(v) for k, v in direct.items()},
        services={k: tuple(v) for k, v in fronted.items()},
        firewalls={f.address: _firewall(reader, f, placement_of) for f in firewalls},
        appliance_endpoints={
            e.address: tuple(placement_of(node) for node, _ in reader.out(e.address, "in_subnet"))
            if placement_of is not None
            else ()
            for e in appliances
        },
        client_vpn=tuple(_client_vpn(reader, e, placement_of) for e in client_vpn),
        custom_routing=_custom_routing(reader, custom_routing),
    )


def _client_vpn(
    reader: _BetweenReader, endpoint: ClientVpnEndpoint, placement_of: Callable[[str], object] | None
) -> ClientVpnView:
    associations: list[tuple[ClientVpnAssociation, object]] = []
    vpcs = [node for node, _ in reader.out(endpoint.address, "in_vpc") if isinstance(reader.obj(node), Vpc)]
    for node, _ in reader.into(endpoint.address, "attaches"):
        association = reader.obj(node)
        if not isinstance(association, ClientVpnAssociation):
            continue
        subnets = [s for s, _ in reader.out(node, "client_vpn_subnet") if isinstance(reader.obj(s), Subnet)]
        placement = placement_of(subnets[0]) if subnets and placement_of is not None else None
        associations.append((association, placement))
        vpc = getattr(placement, "vpc", None)
        if isinstance(vpc, Vpc) and not vpcs:
            vpcs.append(vpc.address)
    authorizations = tuple(
        found
        for node, _ in reader.into(endpoint.address, "authorizes")
        if isinstance(found := reader.obj(node), ClientVpnAuthorization)
    )
    routes = tuple(
        found
        for node, _ in reader.out(endpoint.address, "client_vpn_route")
        if isinstance(found := reader.obj(node), ClientVpnRoute)
    )
    groups = tuple(
        node
        for node, _ in reader.out(endpoint.address, "client_vpn_group")
        if isinstance(reader.obj(node), SecurityGroup)
    )
    vpc = vpcs[0] if vpcs else ""
    default = ""
    if not endpoint.security_groups and vpc:
        # AWS applies the VPC's default security group to an endpoint written without groups
        # (https://docs.aws.amazon.com/vpn/latest/clientvpn-admin/client-authorization.html).
        written = [
            node
            for node, _ in reader.into(vpc, "in_vpc")
            if isinstance(g := reader.obj(node), SecurityGroup) and g.is_default
        ]
        default = written[0] if written else default_sg_node(vpc)
    return ClientVpnView(
        endpoint,
        tuple(associations),
        authorizations,
        routes,
        groups,
        endpoint.security_groups,
        default,
        vpc,
    )


def _custom_routing(
    reader: _BetweenReader, groups: list[CustomRoutingEndpointGroup]
) -> dict[str, tuple[CustomRoutingFront, ...]]:
    by_subnet: dict[str, list[CustomRoutingFront]] = {}
    for group in groups:
        listener = next(
            (
                found
                for node, _ in reader.into(group.address, "has_endpoint_group")
                if isinstance(found := reader.obj(node), CustomRoutingListener)
            ),
            None,
        )
        accelerator = None
        if listener is not None:
            accelerator = next(
                (
                    found
                    for node, _ in reader.into(listener.address, "has_listener")
                    if isinstance(found := reader.obj(node), CustomRoutingAccelerator)
                ),
                None,
            )
        for subnet, _ in reader.out(group.address, "custom_routes_to"):
            by_subnet.setdefault(subnet, []).append(CustomRoutingFront(group, listener, accelerator))
    return {k: tuple(v) for k, v in by_subnet.items()}


def _firewall(
    reader: _BetweenReader, firewall: NetworkFirewall, placement_of: Callable[[str], object] | None
) -> FirewallView:
    found = [
        p
        for node, _ in reader.out(firewall.address, "inspects_with")
        if isinstance(p := reader.obj(node), FirewallPolicy)
    ]
    policy = found[0] if found else None
    subnets = [node for node, _ in reader.out(firewall.address, "in_subnet")]
    placements = tuple(placement_of(node) for node in subnets) if placement_of is not None else ()
    if policy is None:
        return FirewallView(firewall, None, placements=placements)
    return FirewallView(
        firewall,
        policy,
        _groups(reader, policy.stateless_groups, policy.stateless_priorities),
        _groups(reader, policy.stateful_groups, policy.stateful_priorities),
        placements,
    )
