"""CloudFormation VPCs, CIDR blocks, subnets and routing -> model: route tables and routes,
associations, internet, NAT and VPN gateways, peering and VPN connections."""

from __future__ import annotations

from scanner.adapters.cloudformation.fields import (
    Fields,
    as_bool,
    as_cidrs,
    as_ref,
    as_refs,
    as_str,
    base_fields,
)
from scanner.adapters.common import is_private_nat, route_target
from scanner.adapters.raw import RawResource
from scanner.model import (
    Cidr,
    GatewayAttachment,
    InternetGateway,
    NatGateway,
    Resource,
    Route,
    RouteTable,
    RouteTableAssociation,
    RouteTargetKind,
    Subnet,
    Vpc,
    VpcCidrAssociation,
    VpcPeering,
    VpnConnection,
    VpnGateway,
    VpnGatewayRoutePropagation,
)
from scanner.values import Unknown


def map_vpc(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    cidr = fields.take("cidr_blocks", "CidrBlock")
    if cidr is None and fields.take("cidr_blocks", "Ipv4IpamPoolId") is not None:
        cidr = Unknown("the VPC's CIDR is allocated from an IPAM pool at deploy time")
    return [Vpc(**base_fields(raw, fields), cidr_blocks=as_cidrs(cidr))]


def map_vpc_cidr_block(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    ipv6 = fields.take("ipv6_cidr", "Ipv6CidrBlock")
    if (
        ipv6 is None
        and as_bool(fields.take("ipv6_cidr", "AmazonProvidedIpv6CidrBlock")) is not False
        and "AmazonProvidedIpv6CidrBlock" in raw.body
    ):
        ipv6 = Unknown("the Amazon-provided IPv6 block is allocated at deploy time")
    if ipv6 is None and fields.take("ipv6_cidr", "Ipv6IpamPoolId") is not None:
        ipv6 = Unknown("the IPv6 block is allocated from an IPAM pool at deploy time")
    cidr = fields.take("cidr", "CidrBlock")
    if cidr is None and fields.take("cidr", "Ipv4IpamPoolId") is not None:
        cidr = Unknown("the block is allocated from an IPAM pool at deploy time")
    return [
        VpcCidrAssociation(
            **base_fields(raw, fields),
            vpc=as_ref(fields.take("vpc", "VpcId")),
            cidr=as_str(cidr),
            ipv6_cidr=as_str(ipv6),
        )
    ]


def map_subnet(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        Subnet(
            **base_fields(raw, fields),
            vpc=as_ref(fields.take("vpc", "VpcId")),
            cidr=as_str(fields.take("cidr", "CidrBlock")),
            ipv6_cidr=as_str(fields.take("ipv6_cidr", "Ipv6CidrBlock")),
            map_public_ip_on_launch=as_bool(fields.take("map_public_ip_on_launch", "MapPublicIpOnLaunch")),
            assign_ipv6_on_creation=as_bool(fields.take("assign_ipv6_on_creation", "AssignIpv6AddressOnCreation")),
        )
    ]


def map_route_table(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [RouteTable(**base_fields(raw, fields), vpc=as_ref(fields.take("vpc", "VpcId")))]


_ROUTE_TARGETS: tuple[tuple[str, RouteTargetKind], ...] = (
    ("GatewayId", "gateway"),
    ("EgressOnlyInternetGatewayId", "egress_only_gateway"),
    ("NatGatewayId", "nat_gateway"),
    ("VpcPeeringConnectionId", "vpc_peering"),
    ("TransitGatewayId", "transit_gateway"),
    ("InstanceId", "instance"),
    ("NetworkInterfaceId", "network_interface"),
    ("VpcEndpointId", "vpc_endpoint"),
    ("CarrierGatewayId", "other"),
    ("LocalGatewayId", "other"),
    ("CoreNetworkArn", "other"),
)


def map_route(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    target, kind = route_target((as_ref(fields.take("target", key)), kind) for key, kind in _ROUTE_TARGETS)
    return [
        Route(
            **base_fields(raw, fields),
            route_table=as_ref(fields.take("route_table", "RouteTableId")),
            destination=as_str(fields.take("destination", "DestinationCidrBlock")),
            ipv6_destination=as_str(fields.take("ipv6_destination", "DestinationIpv6CidrBlock")),
            prefix_list=as_ref(fields.take("prefix_list", "DestinationPrefixListId")),
            target=target,
            target_kind=kind,
        )
    ]


def map_route_table_association(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        RouteTableAssociation(
            **base_fields(raw, fields),
            route_table=as_ref(fields.take("route_table", "RouteTableId")),
            subnet=as_ref(fields.take("subnet", "SubnetId")),
            gateway=as_ref(fields.take("gateway", "GatewayId")),
        )
    ]


def map_internet_gateway(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [InternetGateway(**base_fields(raw, fields))]


def map_egress_only_gateway(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [InternetGateway(**base_fields(raw, fields), vpc=as_ref(fields.take("vpc", "VpcId")), egress_only=True)]


def map_gateway_attachment(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    gateway = fields.first("gateway", ("InternetGatewayId",), ("VpnGatewayId",))
    return [
        GatewayAttachment(**base_fields(raw, fields), vpc=as_ref(fields.take("vpc", "VpcId")), gateway=as_ref(gateway))
    ]


def map_nat_gateway(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        NatGateway(
            **base_fields(raw, fields),
            subnet=as_ref(fields.take("subnet", "SubnetId")),
            private=is_private_nat(as_str(fields.take("private", "ConnectivityType"))),
        )
    ]


def map_vpc_peering(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        VpcPeering(
            **base_fields(raw, fields),
            vpc=as_ref(fields.take("vpc", "VpcId")),
            peer_vpc=as_ref(fields.take("peer_vpc", "PeerVpcId")),
        )
    ]


def map_vpn_gateway(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [VpnGateway(**base_fields(raw, fields))]


def map_vpn_route_propagation(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        VpnGatewayRoutePropagation(
            **base_fields(raw, fields),
            vpn_gateway=as_ref(fields.take("vpn_gateway", "VpnGatewayId")),
            route_tables=as_refs(fields.take("route_tables", "RouteTableIds")),
        )
    ]


def map_vpn_connection(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    static_only = as_bool(fields.take("static_routes", "StaticRoutesOnly"))
    # Without static routes the on-premises networks are learned over BGP: unknown offline.
    routes: tuple[Cidr, ...] = (
        () if static_only is True else (Unknown(f"{raw.address} learns its on-premises routes over BGP"),)
    )
    gateway = fields.first("vpn_gateway", ("VpnGatewayId",), ("TransitGatewayId",))
    return [VpnConnection(**base_fields(raw, fields), vpn_gateway=as_ref(gateway), static_routes=routes)]
