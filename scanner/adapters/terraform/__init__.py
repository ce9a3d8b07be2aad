"""Terraform resources (``aws_*``, in plan-JSON attribute shape) -> ``scanner.model`` objects.

Both the HCL loader and the plan loader hand over ``RawResource``s whose body looks like a
plan's ``values``: attributes hold evaluated values, nested blocks are lists of mappings
(a single mapping is accepted too). Plan JSON writes unset nested strings as ``""`` and
unset lists as ``[]``: both mean "not set" here. Values may be ``ResourceRef`` (an edge),
``Unknown`` (kept as is) or ``EncodedJson`` (a policy written with ``jsonencode``).

Every reader is defensive (``scanner.adapters.common``): a template may put a string where a
list is expected or a list where a block is expected; such a value becomes ``Unknown`` (or
is skipped) rather than an exception. ``map_resources`` turns whatever still fails into a
``LoadError``.

``MAPPERS`` names the mapper of each resource type; each area's mappers live in their own
module (``ec2``, ``vpc``, ``nacl``, ``security_group``, ``elb``, ``iam``). Data sources come
as the type ``data.<type>``: those that stand for the default VPC and its subnets are
modelled (``default_vpc``), every other data source is not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Final

from scanner.adapters.common import APPLY, static_routes
from scanner.adapters.raw import RawResource
from scanner.adapters.tags import PROVIDER_TYPE, provider_default_tags, with_default_tags
from scanner.adapters.terraform import (
    accelerator,
    apigateway,
    batch,
    beanstalk,
    between,
    cloudfront,
    default_vpc,
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
from scanner.adapters.terraform.body import Body
from scanner.coverage import UNREAD_MODULE, runs_unanalysed_compute
from scanner.findings import LoadError
from scanner.model import Resource, Tag, UnanalysedCompute

Mapper = Callable[[RawResource, Body], list[Resource]]


MAPPERS: Final[Mapping[str, Mapper]] = MappingProxyType(
    {
        "aws_instance": ec2.map_instance,
        "aws_launch_template": ec2.map_launch_template,
        "aws_launch_configuration": ec2.map_launch_configuration,
        "aws_autoscaling_group": ec2.map_autoscaling_group,
        "aws_elastic_beanstalk_environment": beanstalk.map_environment,
        "aws_ec2_instance_metadata_defaults": ec2.map_metadata_defaults,
        "aws_eks_node_group": eks.map_node_group,
        "aws_eks_cluster": eks.map_cluster,
        "aws_batch_compute_environment": batch.map_compute_environment,
        "aws_spot_instance_request": fleets.map_spot_instance_request,
        "aws_spot_fleet_request": fleets.map_spot_fleet_request,
        "aws_ec2_fleet": fleets.map_ec2_fleet,
        "aws_vpc": vpc.map_vpc,
        "aws_default_vpc": vpc.map_vpc,
        "aws_vpc_ipv4_cidr_block_association": vpc.map_vpc_cidr_association,
        "aws_vpc_ipv6_cidr_block_association": vpc.map_vpc_cidr_association,
        "aws_subnet": vpc.map_subnet,
        "aws_default_subnet": vpc.map_subnet,
        "aws_route_table": vpc.map_route_table,
        "aws_default_route_table": vpc.map_route_table,
        "aws_route": vpc.map_route,
        "aws_route_table_association": vpc.map_route_table_association,
        "aws_main_route_table_association": vpc.map_main_route_table_association,
        "aws_internet_gateway": vpc.map_internet_gateway,
        "aws_egress_only_internet_gateway": vpc.map_internet_gateway,
        "aws_internet_gateway_attachment": vpc.map_gateway_attachment,
        "aws_vpn_gateway_attachment": vpc.map_gateway_attachment,
        "aws_nat_gateway": vpc.map_nat_gateway,
        "aws_vpc_peering_connection": vpc.map_vpc_peering,
        "aws_vpc_peering_connection_accepter": vpc.map_vpc_peering,
        "aws_vpn_gateway": vpc.map_vpn_gateway,
        "aws_vpn_gateway_route_propagation": vpc.map_vpn_gateway_route_propagation,
        "aws_vpn_connection": vpc.map_vpn_connection,
        "aws_network_acl": nacl.map_network_acl,
        "aws_default_network_acl": nacl.map_network_acl,
        "aws_network_acl_rule": nacl.map_network_acl_rule,
        "aws_network_acl_association": nacl.map_network_acl_association,
        "aws_security_group": security_group.map_security_group,
        "aws_ec2_managed_prefix_list": security_group.map_prefix_list,
        "aws_ec2_managed_prefix_list_entry": security_group.map_prefix_list_entry,
        "aws_default_security_group": security_group.map_security_group,
        "aws_security_group_rule": security_group.map_security_group_rule,
        "aws_vpc_security_group_ingress_rule": security_group.map_vpc_security_group_rule,
        "aws_vpc_security_group_egress_rule": security_group.map_vpc_security_group_rule,
        "aws_network_interface": ec2.map_network_interface,
        "aws_network_interface_attachment": ec2.map_network_interface_attachment,
        "aws_network_interface_sg_attachment": ec2.map_sg_attachment,
        "aws_eip": ec2.map_eip,
        "aws_eip_association": ec2.map_eip_association,
        "aws_lb": elb.map_load_balancer,
        "aws_alb": elb.map_load_balancer,
        "aws_lb_listener": elb.map_listener,
        "aws_globalaccelerator_accelerator": accelerator.map_accelerator,
        "aws_api_gateway_rest_api": apigateway.map_rest_api,
        "aws_api_gateway_vpc_link": apigateway.map_rest_vpc_link,
        "aws_api_gateway_integration": apigateway.map_rest_integration,
        "aws_apigatewayv2_api": apigateway.map_http_api,
        "aws_apigatewayv2_vpc_link": apigateway.map_http_vpc_link,
        "aws_apigatewayv2_integration": apigateway.map_http_integration,
        "aws_cloudfront_vpc_origin": cloudfront.map_vpc_origin,
        "aws_cloudfront_distribution": cloudfront.map_distribution,
        "aws_lambda_function": lambda_function.map_function,
        "data.aws_ec2_managed_prefix_list": cloudfront.map_managed_prefix_list_data,
        "aws_globalaccelerator_listener": accelerator.map_listener,
        "aws_globalaccelerator_endpoint_group": accelerator.map_endpoint_group,
        "aws_globalaccelerator_custom_routing_accelerator": accelerator.map_custom_routing_accelerator,
        "aws_globalaccelerator_custom_routing_listener": accelerator.map_custom_routing_listener,
        "aws_globalaccelerator_custom_routing_endpoint_group": accelerator.map_custom_routing_endpoint_group,
        "aws_alb_listener": elb.map_listener,
        "aws_lb_listener_rule": elb.map_listener_rule,
        "aws_alb_listener_rule": elb.map_listener_rule,
        "aws_lb_target_group": elb.map_target_group,
        "aws_alb_target_group": elb.map_target_group,
        "aws_lb_target_group_attachment": elb.map_target_group_attachment,
        "aws_alb_target_group_attachment": elb.map_target_group_attachment,
        "aws_elb": elb.map_classic_lb,
        "aws_elb_attachment": elb.map_classic_lb_attachment,
        "aws_autoscaling_attachment": elb.map_autoscaling_attachment,
        "aws_autoscaling_traffic_source_attachment": elb.map_autoscaling_attachment,
        "aws_iam_instance_profile": iam.map_instance_profile,
        "aws_iam_role": iam.map_role,
        "aws_iam_role_policy": iam.map_role_policy,
        "aws_iam_policy": iam.map_managed_policy,
        "aws_iam_role_policy_attachment": iam.map_role_policy_attachment,
        "aws_iam_policy_attachment": iam.map_policy_attachment,
        default_vpc.VPC_DATA: default_vpc.map_vpc_data,
        # between networks (scanner.adapters.terraform.between)
        "aws_ec2_transit_gateway": between.map_transit_gateway,
        "aws_ec2_transit_gateway_vpc_attachment": between.map_vpc_attachment,
        "aws_ec2_transit_gateway_route_table": between.map_route_table,
        "aws_ec2_transit_gateway_route_table_association": between.map_route_table_link,
        "aws_ec2_transit_gateway_route_table_propagation": between.map_route_table_link,
        "aws_ec2_transit_gateway_route": between.map_route,
        "aws_dx_gateway": between.map_dx_gateway,
        "aws_dx_gateway_association": between.map_dx_gateway_association,
        "aws_ec2_client_vpn_endpoint": between.map_client_vpn_endpoint,
        "aws_ec2_client_vpn_network_association": between.map_client_vpn_association,
        "aws_ec2_client_vpn_authorization_rule": between.map_client_vpn_authorization,
        "aws_ec2_client_vpn_route": between.map_client_vpn_route,
        "aws_vpc_endpoint_service": between.map_endpoint_service,
        "aws_vpc_endpoint_service_allowed_principal": between.map_endpoint_service_principal,
        "aws_vpc_endpoint": between.map_vpc_endpoint,
        "aws_networkfirewall_firewall": between.map_firewall,
        "aws_networkfirewall_firewall_policy": between.map_firewall_policy,
        "aws_networkfirewall_rule_group": between.map_rule_group,
    }
)


# Mapped by map_resources, which sees the connection they belong to.
_VPN_CONNECTION_ROUTE = "aws_vpn_connection_route"


def is_mapped_type(resource_type: str) -> bool:
    return resource_type in MAPPERS or resource_type in (_VPN_CONNECTION_ROUTE, *default_vpc.SUBNET_DATA)


def to_model(raw: RawResource) -> list[Resource]:
    """One Terraform resource -> its model objects (none for types the scanner does not model)."""
    mapper = MAPPERS.get(raw.type)
    if mapper is None:
        if raw.type == UNREAD_MODULE or runs_unanalysed_compute(raw.type, MAPPERS):
            return [UnanalysedCompute(address=raw.address, kind=raw.type, span=raw.span, existence=raw.existence)]
        return []
    return mapper(raw, Body(raw.body, raw.span, raw.shown_span))


def map_resources(raws: Iterable[RawResource]) -> tuple[list[Resource], list[LoadError]]:
    """Every resource of a configuration -> model objects. Never raises: a resource that
    cannot be mapped becomes a LoadError naming its file and line, and the rest go on."""
    raws = list(raws)
    routes = static_routes(raws, _VPN_CONNECTION_ROUTE, "vpn_connection_id", "destination_cidr_block", APPLY)
    default_vpcs = default_vpc.default_vpc_addresses(raws)
    resources: list[Resource] = []
    errors: list[LoadError] = []
    default_tags: tuple[Tag, ...] = ()
    for raw in raws:
        try:
            if raw.type == PROVIDER_TYPE:
                default_tags += provider_default_tags(raw.body, raw.span)
            elif raw.type == "aws_vpn_connection":
                body = Body(raw.body, raw.span, raw.shown_span)
                resources.extend(vpc.map_vpn_connection(raw, body, tuple(routes.get(raw.address, ()))))
            elif raw.type in default_vpc.SUBNET_DATA:
                resources.extend(
                    default_vpc.map_subnet_data(raw, Body(raw.body, raw.span, raw.shown_span), default_vpcs)
                )
            else:
                resources.extend(to_model(raw))
        except Exception as error:  # a mapper bug must not lose the rest of the configuration
            errors.append(
                LoadError(raw.span.file, raw.span.line, f"{raw.address}: cannot read this {raw.type}: {error}")
            )
    return with_default_tags(resources, default_tags), errors
