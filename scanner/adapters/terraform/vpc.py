"""Terraform VPCs, CIDR associations, subnets and routing -> model: route tables and routes,
associations, internet, NAT and VPN gateways, peering and VPN connections."""

from __future__ import annotations

from typing import Any

from scanner.adapters.common import is_private_nat, route_target
from scanner.adapters.raw import RawResource
from scanner.adapters.terraform.body import Body, base_fields, block_fields
from scanner.adapters.terraform.default_vpc import DEFAULT_VPC_CIDR
from scanner.model import (
    Cidr,
    GatewayAttachment,
    InternetGateway,
    MainRouteTableAssociation,
    NatGateway,
    Ref,
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
from scanner.values import ResourceRef, Unknown


def map_vpc(raw: RawResource, body: Body) -> list[Resource]:
    is_default = raw.type == "aws_default_vpc"
    cidrs = body.cidrs("cidr_block", "cidr_blocks")
    if not cidrs and is_default:
        cidrs = (DEFAULT_VPC_CIDR,)
    elif not cidrs and body.get("ipv4_ipam_pool_id") is not None:
        cidrs = (Unknown("the IPv4 block is allocated from an IPAM pool at apply"),)
    ipv6 = body.cidrs("ipv6_cidr_block", "ipv6_cidr_blocks")
    if not ipv6 and body.flag("assign_generated_ipv6_cidr_block", "ipv6_cidr_blocks") is True:
        ipv6 = (Unknown("the Amazon-provided IPv6 block is assigned at apply"),)
    return [Vpc(cidr_blocks=cidrs, ipv6_cidr_blocks=ipv6, is_default=is_default, **base_fields(raw, body))]


def map_vpc_cidr_association(raw: RawResource, body: Body) -> list[Resource]:
    cidr = body.text("cidr_block", "cidr")
    ipv6 = body.text("ipv6_cidr_block", "ipv6_cidr")
    if raw.type == "aws_vpc_ipv6_cidr_block_association" and ipv6 is None:
        ipv6 = Unknown("the IPv6 block is assigned at apply")
    elif raw.type == "aws_vpc_ipv4_cidr_block_association" and cidr is None:
        cidr = Unknown("the IPv4 block is allocated from an IPAM pool at apply")
    return [VpcCidrAssociation(vpc=body.ref("vpc_id", "vpc"), cidr=cidr, ipv6_cidr=ipv6, **base_fields(raw, body))]


def map_subnet(raw: RawResource, body: Body) -> list[Resource]:
    return [
        Subnet(
            vpc=body.ref("vpc_id", "vpc"),
            cidr=body.text("cidr_block", "cidr"),
            ipv6_cidr=body.text("ipv6_cidr_block", "ipv6_cidr"),
            map_public_ip_on_launch=body.flag("map_public_ip_on_launch", "map_public_ip_on_launch"),
            assign_ipv6_on_creation=body.flag("assign_ipv6_address_on_creation", "assign_ipv6_on_creation"),
            is_default=raw.type == "aws_default_subnet",
            **base_fields(raw, body),
        )
    ]


# Route target attributes, in the order AWS would report them, and the kind each names.
_ROUTE_TARGETS: tuple[tuple[str, RouteTargetKind], ...] = (
    ("gateway_id", "gateway"),
    ("nat_gateway_id", "nat_gateway"),
    ("egress_only_gateway_id", "egress_only_gateway"),
    ("vpc_peering_connection_id", "vpc_peering"),
    ("transit_gateway_id", "transit_gateway"),
    ("network_interface_id", "network_interface"),
    ("vpc_endpoint_id", "vpc_endpoint"),
    ("instance_id", "instance"),
    ("local_gateway_id", "other"),
    ("carrier_gateway_id", "other"),
    ("core_network_arn", "other"),
)


def _route_fields(block: Body, cidr_key: str, ipv6_key: str, prefix_key: str) -> dict[str, Any]:
    target, kind = route_target((block.ref(key, "target"), kind) for key, kind in _ROUTE_TARGETS)
    return {
        "destination": block.text(cidr_key, "destination"),
        "ipv6_destination": block.text(ipv6_key, "ipv6_destination"),
        "prefix_list": block.ref(prefix_key, "prefix_list"),
        "target": target,
        "target_kind": kind,
    }


def vpc_of_default(body: Body, key: str, attribute: str) -> Ref | None:
    """aws_default_route_table / aws_default_network_acl name their VPC through the VPC's
    ``default_route_table_id`` / ``default_network_acl_id``."""
    vpc = body.ref("vpc_id", "vpc")
    if vpc is not None and not isinstance(vpc, Unknown):
        return vpc
    default_id = body.get(key, "vpc")
    if isinstance(default_id, ResourceRef) and default_id.attribute == attribute:
        return ResourceRef(default_id.address, "id")
    if isinstance(default_id, Unknown):
        for ref in default_id.refs:
            if ref.attribute == attribute:
                return ResourceRef(ref.address, "id")
    return vpc


def map_route_table(raw: RawResource, body: Body) -> list[Resource]:
    routes = []
    for index, block in enumerate(body.blocks("route", "routes")):
        routes.append(
            Route(
                **_route_fields(block, "cidr_block", "ipv6_cidr_block", "destination_prefix_list_id"),
                **block_fields(raw, f"{raw.address}.route[{index}]", block),
            )
        )
    is_main = raw.type == "aws_default_route_table"
    vpc = (
        vpc_of_default(body, "default_route_table_id", "default_route_table_id")
        if is_main
        else body.ref("vpc_id", "vpc")
    )
    assumptions = raw.assumptions
    if body.is_unknown("route"):
        assumptions += ("the routes of this table are only known after apply",)
    common = base_fields(raw, body) | {"assumptions": assumptions}
    return [
        RouteTable(
            vpc=vpc,
            routes=tuple(routes),
            is_main=is_main,
            propagating_vgws=body.refs("propagating_vgws", "propagating_vgws"),
            **common,
        )
    ]


def map_route(raw: RawResource, body: Body) -> list[Resource]:
    return [
        Route(
            route_table=body.ref("route_table_id", "route_table"),
            **_route_fields(
                body, "destination_cidr_block", "destination_ipv6_cidr_block", "destination_prefix_list_id"
            ),
            **base_fields(raw, body),
        )
    ]


def map_route_table_association(raw: RawResource, body: Body) -> list[Resource]:
    return [
        RouteTableAssociation(
            route_table=body.ref("route_table_id", "route_table"),
            subnet=body.ref("subnet_id", "subnet"),
            gateway=body.ref("gateway_id", "gateway"),
            **base_fields(raw, body),
        )
    ]


def map_main_route_table_association(raw: RawResource, body: Body) -> list[Resource]:
    return [
        MainRouteTableAssociation(
            vpc=body.ref("vpc_id", "vpc"),
            route_table=body.ref("route_table_id", "route_table"),
            **base_fields(raw, body),
        )
    ]


def map_internet_gateway(raw: RawResource, body: Body) -> list[Resource]:
    return [
        InternetGateway(
            vpc=body.ref("vpc_id", "vpc"),
            egress_only=raw.type == "aws_egress_only_internet_gateway",
            **base_fields(raw, body),
        )
    ]


def map_gateway_attachment(raw: RawResource, body: Body) -> list[Resource]:
    gateway = body.ref("internet_gateway_id", "gateway") or body.ref("vpn_gateway_id", "gateway")
    return [GatewayAttachment(vpc=body.ref("vpc_id", "vpc"), gateway=gateway, **base_fields(raw, body))]


def map_nat_gateway(raw: RawResource, body: Body) -> list[Resource]:
    return [
        NatGateway(
            subnet=body.ref("subnet_id", "subnet"),
            private=is_private_nat(body.text("connectivity_type", "private")),
            **base_fields(raw, body),
        )
    ]


def map_vpc_peering(raw: RawResource, body: Body) -> list[Resource]:
    return [
        VpcPeering(
            vpc=body.ref("vpc_id", "vpc"),
            peer_vpc=body.ref("peer_vpc_id", "peer_vpc"),
            **base_fields(raw, body),
        )
    ]


def map_vpn_gateway(raw: RawResource, body: Body) -> list[Resource]:
    return [VpnGateway(vpc=body.ref("vpc_id", "vpc"), **base_fields(raw, body))]


def map_vpn_gateway_route_propagation(raw: RawResource, body: Body) -> list[Resource]:
    return [
        VpnGatewayRoutePropagation(
            vpn_gateway=body.ref("vpn_gateway_id", "vpn_gateway"),
            route_tables=body.refs("route_table_id", "route_tables"),
            **base_fields(raw, body),
        )
    ]


def map_vpn_connection(raw: RawResource, body: Body, static_routes: tuple[Cidr, ...] = ()) -> list[Resource]:
    gateway = body.ref("vpn_gateway_id", "vpn_gateway") or body.ref("transit_gateway_id", "vpn_gateway")
    return [VpnConnection(vpn_gateway=gateway, static_routes=static_routes, **base_fields(raw, body))]
