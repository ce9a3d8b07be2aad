"""CloudFormation resources between networks -> model: transit gateways, their VPC
attachments, route tables, associations, propagations and routes; Direct Connect gateways
and their associations; PrivateLink endpoint services, their permissions and VPC endpoints."""

from __future__ import annotations

from scanner.adapters.cloudformation.fields import Fields, as_bool, as_cidrs, as_ref, as_refs, as_str, base_fields
from scanner.adapters.common import DEPLOYMENT
from scanner.adapters.common_between import enabled, principals
from scanner.adapters.firewall_rules import CLOUDFORMATION, read_policy, read_rule_group
from scanner.adapters.raw import RawResource
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


def map_transit_gateway(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        TransitGateway(
            **base_fields(raw, fields),
            default_association=enabled(as_str(fields.take("default_association", "DefaultRouteTableAssociation"))),
            default_propagation=enabled(as_str(fields.take("default_propagation", "DefaultRouteTablePropagation"))),
        )
    ]


def map_vpc_attachment(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        TransitGatewayAttachment(
            **base_fields(raw, fields),
            transit_gateway=as_ref(fields.take("transit_gateway", "TransitGatewayId")),
            vpc=as_ref(fields.take("vpc", "VpcId")),
            subnets=as_refs(fields.take("subnets", "SubnetIds")),
        )
    ]


def map_route_table(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        TransitGatewayRouteTable(
            **base_fields(raw, fields), transit_gateway=as_ref(fields.take("transit_gateway", "TransitGatewayId"))
        )
    ]


def map_route_table_link(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        TransitGatewayRouteTableLink(
            **base_fields(raw, fields),
            route_table=as_ref(fields.take("route_table", "TransitGatewayRouteTableId")),
            attachment=as_ref(fields.take("attachment", "TransitGatewayAttachmentId")),
            propagation=raw.type == "AWS::EC2::TransitGatewayRouteTablePropagation",
        )
    ]


def map_route(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        TransitGatewayRoute(
            **base_fields(raw, fields),
            route_table=as_ref(fields.take("route_table", "TransitGatewayRouteTableId")),
            destination=as_str(fields.take("destination", "DestinationCidrBlock")),
            attachment=as_ref(fields.take("attachment", "TransitGatewayAttachmentId")),
            blackhole=as_bool(fields.take("blackhole", "Blackhole")),
        )
    ]


def map_dx_gateway(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [DxGateway(**base_fields(raw, fields, "DirectConnectGatewayName"))]


def map_dx_gateway_association(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        DxGatewayAssociation(
            **base_fields(raw, fields),
            dx_gateway=as_ref(fields.take("dx_gateway", "DirectConnectGatewayId")),
            gateway=as_ref(fields.take("gateway", "AssociatedGatewayId")),
            allowed_prefixes=as_cidrs(fields.take("allowed_prefixes", "AllowedPrefixesToDirectConnectGateway")),
        )
    ]


def map_endpoint_service(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        VpcEndpointService(
            **base_fields(raw, fields),
            load_balancers=(
                *as_refs(fields.take("load_balancers", "NetworkLoadBalancerArns")),
                *as_refs(fields.take("load_balancers", "GatewayLoadBalancerArns")),
            ),
            # CloudFormation's default for AcceptanceRequired is false.
            acceptance_required=as_bool(fields.take("acceptance_required", "AcceptanceRequired")),
        )
    ]


def map_endpoint_service_permissions(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        VpcEndpointServicePrincipals(
            **base_fields(raw, fields),
            service=as_ref(fields.take("service", "ServiceId")),
            principals=principals(as_refs(fields.take("principals", "AllowedPrincipals"))),
        )
    ]


def map_vpc_endpoint(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        VpcEndpoint(
            **base_fields(raw, fields),
            endpoint_type=as_str(fields.take("endpoint_type", "VpcEndpointType")),
            service=as_ref(fields.take("service", "ServiceName")),
            vpc=as_ref(fields.take("vpc", "VpcId")),
            subnets=as_refs(fields.take("subnets", "SubnetIds")),
        )
    ]


def map_firewall(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    mappings = fields.take("subnets", "SubnetMappings")
    subnets = tuple(
        r
        for item in (mappings if isinstance(mappings, list) else [])
        if (r := as_ref(item.get("SubnetId") if isinstance(item, dict) else None))
    )
    return [
        NetworkFirewall(
            **base_fields(raw, fields, "FirewallName"),
            policy=as_ref(fields.take("policy", "FirewallPolicyArn")),
            vpc=as_ref(fields.take("vpc", "VpcId")),
            subnets=subnets,
        )
    ]


def map_firewall_policy(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    fields.take("policy", "FirewallPolicy")
    return [
        FirewallPolicy(
            **base_fields(raw, fields, "FirewallPolicyName"), **read_policy(raw.body, CLOUDFORMATION, DEPLOYMENT)
        )
    ]


def map_rule_group(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    stateful = str(as_str(fields.take("stateful", "Type")) or "").upper() != "STATELESS"
    rules, opaque = read_rule_group(raw, raw.body, CLOUDFORMATION, stateful)
    return [
        FirewallRuleGroup(**base_fields(raw, fields, "RuleGroupName"), stateful=stateful, rules=rules, opaque=opaque)
    ]


def map_client_vpn_endpoint(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        ClientVpnEndpoint(
            **base_fields(raw, fields),
            client_cidr=as_str(fields.take("client_cidr", "ClientCidrBlock")),
            security_groups=as_refs(fields.take("security_groups", "SecurityGroupIds")),
            vpc=as_ref(fields.take("vpc", "VpcId")),
        )
    ]


def map_client_vpn_association(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        ClientVpnAssociation(
            **base_fields(raw, fields),
            endpoint=as_ref(fields.take("endpoint", "ClientVpnEndpointId")),
            subnet=as_ref(fields.take("subnet", "SubnetId")),
        )
    ]


def map_client_vpn_authorization(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        ClientVpnAuthorization(
            **base_fields(raw, fields),
            endpoint=as_ref(fields.take("endpoint", "ClientVpnEndpointId")),
            target_cidr=as_str(fields.take("target_cidr", "TargetNetworkCidr")),
            all_groups=as_bool(fields.take("all_groups", "AuthorizeAllGroups")),
            access_group=as_str(fields.take("access_group", "AccessGroupId")),
        )
    ]


def map_client_vpn_route(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        ClientVpnRoute(
            **base_fields(raw, fields),
            endpoint=as_ref(fields.take("endpoint", "ClientVpnEndpointId")),
            destination=as_str(fields.take("destination", "DestinationCidrBlock")),
            subnet=as_ref(fields.take("subnet", "TargetVpcSubnetId")),
        )
    ]
