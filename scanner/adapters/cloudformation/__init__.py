"""CloudFormation resources (``AWS::*`` RawResources) -> ``scanner.model`` objects.

``MAPPERS`` names the mapper of each resource type; each area's mappers live in their own
module (``ec2``, ``vpc``, ``nacl``, ``security_group``, ``elb``, ``iam``), reading properties
through ``fields``. Types not listed in ``MAPPERS`` are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Final

from scanner.adapters.cloudformation import (
    accelerator,
    apigateway,
    batch,
    beanstalk,
    between,
    cloudfront,
    ec2,
    eks,
    elb,
    fleets,
    iam,
    lambda_function,
    nacl,
    security_group,
    vpc,
)
from scanner.adapters.common import DEPLOYMENT, static_routes
from scanner.adapters.raw import RawResource
from scanner.coverage import runs_unanalysed_compute
from scanner.model import Resource, UnanalysedCompute, VpnConnection
from scanner.options import ScanOptions
from scanner.values import SpannedDict, Unknown

MAPPERS: Final[Mapping[str, Callable[[RawResource], list[Resource]]]] = MappingProxyType(
    {
        "AWS::EC2::Instance": ec2.map_instance,
        "AWS::EC2::LaunchTemplate": ec2.map_launch_template,
        "AWS::AutoScaling::LaunchConfiguration": ec2.map_launch_configuration,
        "AWS::AutoScaling::AutoScalingGroup": ec2.map_auto_scaling_group,
        "AWS::ElasticBeanstalk::Environment": beanstalk.map_environment,
        "AWS::EKS::Nodegroup": eks.map_nodegroup,
        "AWS::EKS::Cluster": eks.map_cluster,
        "AWS::Batch::ComputeEnvironment": batch.map_compute_environment,
        "AWS::EC2::SpotFleet": fleets.map_spot_fleet,
        "AWS::EC2::EC2Fleet": fleets.map_ec2_fleet,
        "AWS::EC2::VPC": vpc.map_vpc,
        "AWS::EC2::VPCCidrBlock": vpc.map_vpc_cidr_block,
        "AWS::EC2::Subnet": vpc.map_subnet,
        "AWS::EC2::RouteTable": vpc.map_route_table,
        "AWS::EC2::Route": vpc.map_route,
        "AWS::EC2::SubnetRouteTableAssociation": vpc.map_route_table_association,
        "AWS::EC2::GatewayRouteTableAssociation": vpc.map_route_table_association,
        "AWS::EC2::InternetGateway": vpc.map_internet_gateway,
        "AWS::EC2::EgressOnlyInternetGateway": vpc.map_egress_only_gateway,
        "AWS::EC2::VPCGatewayAttachment": vpc.map_gateway_attachment,
        "AWS::EC2::NatGateway": vpc.map_nat_gateway,
        "AWS::EC2::VPCPeeringConnection": vpc.map_vpc_peering,
        "AWS::EC2::VPNGateway": vpc.map_vpn_gateway,
        "AWS::EC2::VPNGatewayRoutePropagation": vpc.map_vpn_route_propagation,
        "AWS::EC2::VPNConnection": vpc.map_vpn_connection,
        "AWS::EC2::NetworkAcl": nacl.map_network_acl,
        "AWS::EC2::NetworkAclEntry": nacl.map_network_acl_entry,
        "AWS::EC2::SubnetNetworkAclAssociation": nacl.map_network_acl_association,
        "AWS::EC2::SecurityGroup": security_group.map_security_group,
        "AWS::EC2::PrefixList": security_group.map_prefix_list,
        "AWS::EC2::SecurityGroupIngress": security_group.map_security_group_ingress,
        "AWS::EC2::SecurityGroupEgress": security_group.map_security_group_egress,
        "AWS::EC2::NetworkInterface": ec2.map_network_interface,
        "AWS::EC2::NetworkInterfaceAttachment": ec2.map_network_interface_attachment,
        "AWS::EC2::EIP": ec2.map_eip,
        "AWS::EC2::EIPAssociation": ec2.map_eip_association,
        "AWS::ElasticLoadBalancingV2::LoadBalancer": elb.map_load_balancer,
        "AWS::ElasticLoadBalancingV2::Listener": elb.map_listener,
        "AWS::GlobalAccelerator::Accelerator": accelerator.map_accelerator,
        "AWS::ApiGateway::RestApi": apigateway.map_rest_api,
        "AWS::ApiGateway::VpcLink": apigateway.map_rest_vpc_link,
        "AWS::ApiGateway::Method": apigateway.map_method,
        "AWS::ApiGatewayV2::Api": apigateway.map_http_api,
        "AWS::ApiGatewayV2::VpcLink": apigateway.map_http_vpc_link,
        "AWS::ApiGatewayV2::Integration": apigateway.map_http_integration,
        "AWS::CloudFront::VpcOrigin": cloudfront.map_vpc_origin,
        "AWS::CloudFront::Distribution": cloudfront.map_distribution,
        "AWS::Lambda::Function": lambda_function.map_function,
        "AWS::GlobalAccelerator::Listener": accelerator.map_listener,
        "AWS::GlobalAccelerator::EndpointGroup": accelerator.map_endpoint_group,
        "AWS::ElasticLoadBalancingV2::ListenerRule": elb.map_listener_rule,
        "AWS::ElasticLoadBalancingV2::TargetGroup": elb.map_target_group,
        "AWS::ElasticLoadBalancing::LoadBalancer": elb.map_classic_load_balancer,
        "AWS::IAM::InstanceProfile": iam.map_instance_profile,
        "AWS::IAM::Role": iam.map_role,
        "AWS::IAM::Policy": iam.map_policy,
        "AWS::IAM::ManagedPolicy": iam.map_policy,
        "AWS::IAM::RolePolicy": iam.map_policy,
        # between networks (scanner.adapters.cloudformation.between)
        "AWS::EC2::TransitGateway": between.map_transit_gateway,
        "AWS::EC2::TransitGatewayAttachment": between.map_vpc_attachment,
        "AWS::EC2::TransitGatewayVpcAttachment": between.map_vpc_attachment,
        "AWS::EC2::TransitGatewayRouteTable": between.map_route_table,
        "AWS::EC2::TransitGatewayRouteTableAssociation": between.map_route_table_link,
        "AWS::EC2::TransitGatewayRouteTablePropagation": between.map_route_table_link,
        "AWS::EC2::TransitGatewayRoute": between.map_route,
        "AWS::DirectConnect::DirectConnectGateway": between.map_dx_gateway,
        "AWS::DirectConnect::DirectConnectGatewayAssociation": between.map_dx_gateway_association,
        "AWS::EC2::ClientVpnEndpoint": between.map_client_vpn_endpoint,
        "AWS::EC2::ClientVpnTargetNetworkAssociation": between.map_client_vpn_association,
        "AWS::EC2::ClientVpnAuthorizationRule": between.map_client_vpn_authorization,
        "AWS::EC2::ClientVpnRoute": between.map_client_vpn_route,
        "AWS::EC2::VPCEndpointService": between.map_endpoint_service,
        "AWS::EC2::VPCEndpointServicePermissions": between.map_endpoint_service_permissions,
        "AWS::EC2::VPCEndpoint": between.map_vpc_endpoint,
        "AWS::NetworkFirewall::Firewall": between.map_firewall,
        "AWS::NetworkFirewall::FirewallPolicy": between.map_firewall_policy,
        "AWS::NetworkFirewall::RuleGroup": between.map_rule_group,
    }
)


def to_model(raw: RawResource, options: ScanOptions) -> list[Resource]:
    """The model objects for one CloudFormation resource ([] for types we do not model)."""
    mapper = MAPPERS.get(raw.type)
    if mapper is None:
        if runs_unanalysed_compute(raw.type, MAPPERS):
            return [UnanalysedCompute(address=raw.address, kind=raw.type, span=raw.span, existence=raw.existence)]
        return []
    body = raw.body if isinstance(raw.body, SpannedDict) else SpannedDict(raw.body or {}, span=raw.span)
    return mapper(RawResource(raw.address, raw.type, body, raw.span, raw.assumptions, raw.existence))


def link_resources(resources: list[Resource], raws: list[RawResource]) -> list[Resource]:
    """Cross-resource facts CloudFormation writes in separate resources:
    ``AWS::EC2::VPNConnectionRoute`` adds a static route to its VPN connection."""
    routes = static_routes(raws, "AWS::EC2::VPNConnectionRoute", "VpnConnectionId", "DestinationCidrBlock", DEPLOYMENT)
    if not routes:
        return resources
    linked: list[Resource] = []
    for resource in resources:
        if isinstance(resource, VpnConnection) and resource.address in routes:
            known = tuple(route for route in resource.static_routes if not isinstance(route, Unknown))
            resource = replace(resource, static_routes=known + tuple(routes[resource.address]))
        linked.append(resource)
    return linked


__all__ = ["link_resources", "to_model"]
