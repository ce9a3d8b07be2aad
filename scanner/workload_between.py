"""The doors between networks, as the graph resolved them for a configuration: transit
gateways (their attachments, route tables and routes, static and propagated), Direct
Connect gateway associations, Client VPN endpoints and Global Accelerator custom routing
endpoint groups. One ``BetweenNetworks`` per configuration, shared by every
workload's context (None when the configuration has none of them: nothing to read)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field

from scanner.frozen import frozen
from scanner.model import (
    Cidr,
    Resource,
    Vpc,
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
    VpcEndpointService,
)
from scanner.values import Span, Unknown


@frozen
class TgwRoute:
    """A route in a transit gateway route table: static (``by`` the TransitGatewayRoute) or
    propagated (``by`` the propagation, or the attachment's default propagation).
    ``attachment`` None with ``blackhole``: dropped; without: an attachment not in the
    configuration (``target_text`` as written)."""

    destination: Cidr
    attachment: Resource | None
    target_text: str
    by: Resource
    propagated: bool = False
    blackhole: bool = False
    possible: Unknown | None = None  # set: the route exists only if this unknown says so


@frozen
class TgwTable:
    """A transit gateway route table; ``resource`` the TransitGatewayRouteTable, or the
    transit gateway itself for its default route table."""

    address: str
    resource: Resource
    routes: tuple[TgwRoute, ...] = ()


@frozen
class TgwAttachment:
    """One attachment of a transit gateway. ``kind``: vpc | vpn | direct_connect.
    ``cidrs``: the networks on its side (a VPC's CIDRs; a VPN's static routes; else Unknown,
    named: learned over BGP). ``table``: the route table it is associated with (None: none);
    ``associated_by``: the association resource, or the attachment itself for the default
    association; ``association_unknown``: the default association rests on this unknown."""

    attachment: Resource
    kind: str
    cidrs: tuple[Cidr, ...]
    vpc: Vpc | None = None
    table: TgwTable | None = None
    associated_by: Resource | None = None
    association_unknown: Unknown | None = None
    why_unassociated: str = ""
    # A VPC attachment's side: the placements of its VPC's subnets (scanner.workload.Placement),
    # whose route tables must send the workload's range to the transit gateway
    source_placements: tuple[object, ...] = ()
    # The placements of the attachment's own subnets: their route tables decide where what the
    # transit gateway delivers into the VPC goes (an inspection VPC sends it to a firewall)
    attachment_placements: tuple[object, ...] = ()


@frozen
class TransitView:
    gateway: TransitGateway
    attachments: tuple[TgwAttachment, ...]


@frozen
class EndpointService:
    """A PrivateLink endpoint service in front of a load balancer, with every principal
    allowed on it (its own and those of the principal resources)."""

    service: VpcEndpointService
    principals: tuple[str | Unknown, ...]
    principals_at: Span | None = None  # the line naming them (the service's, else a principal resource's)


@frozen
class GroupUse:
    """A rule group a firewall policy uses: its priority in the policy, the group (None: not
    in the configuration; ``named`` as written)."""

    priority: int | None
    group: FirewallRuleGroup | None
    named: str


@frozen
class FirewallView:
    """A Network Firewall with its policy (None: not in the configuration), the policy's
    stateless and stateful rule groups in evaluation order, and the placements of its
    subnets (where its endpoints send what they pass)."""

    firewall: NetworkFirewall
    policy: FirewallPolicy | None
    stateless: tuple[GroupUse, ...] = ()
    stateful: tuple[GroupUse, ...] = ()
    placements: tuple[object, ...] = ()  # scanner.workload.Placement (not imported: no cycle)


@frozen
class ClientVpnView:
    """A Client VPN endpoint with its target networks (each association with the placement
    of its subnet: None when the subnet is not known offline), authorization rules and
    routes. ``groups``: the addresses of the security groups applied to its network
    interfaces as resolved, ``group_refs`` as written; when none is written, ``default_group``
    names the VPC's default security group, which AWS applies (empty: the VPC is not known).
    ``vpc``: the address of the VPC its interfaces are in (its vpc, else its associations';
    empty: not known offline)."""

    endpoint: ClientVpnEndpoint
    associations: tuple[tuple[ClientVpnAssociation, object], ...] = ()  # (association, Placement | None)
    authorizations: tuple[ClientVpnAuthorization, ...] = ()
    routes: tuple[ClientVpnRoute, ...] = ()
    groups: tuple[str, ...] = ()
    group_refs: tuple[object, ...] = ()
    default_group: str = ""
    vpc: str = ""


@frozen
class CustomRoutingFront:
    """A Global Accelerator custom routing endpoint group naming a subnet as an endpoint, with
    its listener and accelerator (None: not in the configuration)."""

    group: CustomRoutingEndpointGroup
    listener: CustomRoutingListener | None
    accelerator: CustomRoutingAccelerator | None


@frozen
class BetweenNetworks:
    """Per configuration: transit gateways by address; Direct Connect gateway associations
    by the address of the gateway (virtual private or transit) they associate; PrivateLink
    endpoint services by load balancer."""

    transit: Mapping[str, TransitView] = field(default_factory=dict)
    direct_connect: Mapping[str, tuple[DxGatewayAssociation, ...]] = field(default_factory=dict)
    # PrivateLink endpoint services by the address of the load balancer they front
    services: Mapping[str, tuple[EndpointService, ...]] = field(default_factory=dict)
    # Network Firewalls by address (what a route's vpc_endpoint_id resolves to)
    firewalls: Mapping[str, FirewallView] = field(default_factory=dict)
    # Gateway Load Balancer endpoints by address: the placements of their subnets
    # (scanner.workload.Placement; where the endpoint sends on what its appliances return)
    appliance_endpoints: Mapping[str, tuple[object, ...]] = field(default_factory=dict)
    # Client VPN endpoints (few per configuration: each workload looks at every one)
    client_vpn: tuple[ClientVpnView, ...] = ()
    # Global Accelerator custom routing endpoint groups by the address of each subnet they name
    custom_routing: Mapping[str, tuple[CustomRoutingFront, ...]] = field(default_factory=dict)
