"""Terraform resources between networks -> model: transit gateways, their VPC attachments,
route tables, associations, propagations and routes; Direct Connect gateways and their
associations; PrivateLink endpoint services, their allowed principals and VPC endpoints;
Client VPN endpoints, their network associations, authorization rules and routes."""

from __future__ import annotations

from scanner.adapters.common import APPLY
from scanner.adapters.common_between import enabled, principals
from scanner.adapters.firewall_rules import TERRAFORM, read_policy, read_rule_group
from scanner.adapters.raw import RawResource
from scanner.adapters.terraform.body import Body, base_fields
from scanner.model import (
    Resource,
)
from scanner.model_between import (
    ClientVpnAssociation,
    ClientVpnAuthorization,
    ClientVpnEndpoint,
    ClientVpnRoute,
    DxGateway,
    DxGatewayAssociation,
    FirewallPolicy,
    FirewallRuleGroup,
    NetworkFirewall,
    TransitGateway,
    TransitGatewayAttachment,
    TransitGatewayRoute,
    TransitGatewayRouteTable,
    TransitGatewayRouteTableLink,
    VpcEndpoint,
    VpcEndpointService,
    VpcEndpointServicePrincipals,
)


def map_transit_gateway(raw: RawResource, body: Body) -> list[Resource]:
    return [
        TransitGateway(
            default_association=enabled(body.text("default_route_table_association", "default_association")),
            default_propagation=enabled(body.text("default_route_table_propagation", "default_propagation")),
            **base_fields(raw, body),
        )
    ]


def map_vpc_attachment(raw: RawResource, body: Body) -> list[Resource]:
    return [
        TransitGatewayAttachment(
            transit_gateway=body.ref("transit_gateway_id", "transit_gateway"),
            vpc=body.ref("vpc_id", "vpc"),
            subnets=body.refs("subnet_ids", "subnets"),
            default_association=body.flag("transit_gateway_default_route_table_association", "default_association"),
            default_propagation=body.flag("transit_gateway_default_route_table_propagation", "default_propagation"),
            **base_fields(raw, body),
        )
    ]


def map_route_table(raw: RawResource, body: Body) -> list[Resource]:
    return [
        TransitGatewayRouteTable(
            transit_gateway=body.ref("transit_gateway_id", "transit_gateway"), **base_fields(raw, body)
        )
    ]


def map_route_table_link(raw: RawResource, body: Body) -> list[Resource]:
    return [
        TransitGatewayRouteTableLink(
            route_table=body.ref("transit_gateway_route_table_id", "route_table"),
            attachment=body.ref("transit_gateway_attachment_id", "attachment"),
            propagation=raw.type == "aws_ec2_transit_gateway_route_table_propagation",
            **base_fields(raw, body),
        )
    ]


def map_route(raw: RawResource, body: Body) -> list[Resource]:
    return [
        TransitGatewayRoute(
            route_table=body.ref("transit_gateway_route_table_id", "route_table"),
            destination=body.text("destination_cidr_block", "destination"),
            attachment=body.ref("transit_gateway_attachment_id", "attachment"),
            blackhole=body.flag("blackhole", "blackhole"),
            **base_fields(raw, body),
        )
    ]


def map_dx_gateway(raw: RawResource, body: Body) -> list[Resource]:
    return [DxGateway(**base_fields(raw, body))]


def map_dx_gateway_association(raw: RawResource, body: Body) -> list[Resource]:
    gateway = body.ref("associated_gateway_id", "gateway") or body.ref("vpn_gateway_id", "gateway")
    return [
        DxGatewayAssociation(
            dx_gateway=body.ref("dx_gateway_id", "dx_gateway"),
            gateway=gateway,
            allowed_prefixes=body.cidrs("allowed_prefixes", "allowed_prefixes"),
            **base_fields(raw, body),
        )
    ]


def map_endpoint_service(raw: RawResource, body: Body) -> list[Resource]:
    return [
        VpcEndpointService(
            load_balancers=(
                *body.refs("network_load_balancer_arns", "load_balancers"),
                *body.refs("gateway_load_balancer_arns", "load_balancers"),
            ),
            allowed_principals=principals(body.refs("allowed_principals", "allowed_principals")),
            acceptance_required=body.flag("acceptance_required", "acceptance_required"),
            **base_fields(raw, body),
        )
    ]


def map_endpoint_service_principal(raw: RawResource, body: Body) -> list[Resource]:
    return [
        VpcEndpointServicePrincipals(
            service=body.ref("vpc_endpoint_service_id", "service"),
            principals=principals((body.text("principal_arn", "principals"),)),
            **base_fields(raw, body),
        )
    ]


def map_vpc_endpoint(raw: RawResource, body: Body) -> list[Resource]:
    return [
        VpcEndpoint(
            endpoint_type=body.text("vpc_endpoint_type", "endpoint_type"),
            service=body.ref("service_name", "service"),
            vpc=body.ref("vpc_id", "vpc"),
            subnets=body.refs("subnet_ids", "subnets"),
            **base_fields(raw, body),
        )
    ]


def map_firewall(raw: RawResource, body: Body) -> list[Resource]:
    return [
        NetworkFirewall(
            policy=body.ref("firewall_policy_arn", "policy"),
            vpc=body.ref("vpc_id", "vpc"),
            subnets=tuple(r for b in body.blocks("subnet_mapping", "subnets") if (r := b.ref("subnet_id")) is not None),
            **base_fields(raw, body),
        )
    ]


def map_firewall_policy(raw: RawResource, body: Body) -> list[Resource]:
    body.get("firewall_policy", "policy")
    return [FirewallPolicy(**read_policy(body.data, TERRAFORM, APPLY), **base_fields(raw, body))]


def map_rule_group(raw: RawResource, body: Body) -> list[Resource]:
    stateful = str(body.text("type", "stateful") or "").upper() != "STATELESS"
    rules, opaque = read_rule_group(raw, body.data, TERRAFORM, stateful)
    return [FirewallRuleGroup(stateful=stateful, rules=rules, opaque=opaque, **base_fields(raw, body))]


def map_client_vpn_endpoint(raw: RawResource, body: Body) -> list[Resource]:
    return [
        ClientVpnEndpoint(
            client_cidr=body.text("client_cidr_block", "client_cidr"),
            security_groups=body.refs("security_group_ids", "security_groups"),
            vpc=body.ref("vpc_id", "vpc"),
            **base_fields(raw, body),
        )
    ]


def map_client_vpn_association(raw: RawResource, body: Body) -> list[Resource]:
    return [
        ClientVpnAssociation(
            endpoint=body.ref("client_vpn_endpoint_id", "endpoint"),
            subnet=body.ref("subnet_id", "subnet"),
            **base_fields(raw, body),
        )
    ]


def map_client_vpn_authorization(raw: RawResource, body: Body) -> list[Resource]:
    return [
        ClientVpnAuthorization(
            endpoint=body.ref("client_vpn_endpoint_id", "endpoint"),
            target_cidr=body.text("target_network_cidr", "target_cidr"),
            all_groups=body.flag("authorize_all_groups", "all_groups"),
            access_group=body.text("access_group_id", "access_group"),
            **base_fields(raw, body),
        )
    ]


def map_client_vpn_route(raw: RawResource, body: Body) -> list[Resource]:
    return [
        ClientVpnRoute(
            endpoint=body.ref("client_vpn_endpoint_id", "endpoint"),
            destination=body.text("destination_cidr_block", "destination"),
            subnet=body.ref("target_vpc_subnet_id", "subnet"),
            **base_fields(raw, body),
        )
    ]
