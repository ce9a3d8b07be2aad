"""CloudFormation API Gateway private integrations -> model (``scanner.model_apigateway``
states what AWS does): ``AWS::ApiGateway::RestApi``, ``AWS::ApiGateway::VpcLink``, the
``Integration`` of an ``AWS::ApiGateway::Method``; ``AWS::ApiGatewayV2::Api``,
``AWS::ApiGatewayV2::VpcLink``, ``AWS::ApiGatewayV2::Integration``."""

from __future__ import annotations

from scanner.adapters.cloudformation.fields import Fields, as_cidrs, as_ref, as_refs, as_str, base_fields
from scanner.adapters.raw import RawResource
from scanner.model import Resource
from scanner.model_apigateway import (
    HttpApi,
    HttpIntegration,
    HttpVpcLink,
    RestApi,
    RestIntegration,
    RestVpcLink,
    through_vpc_link,
)


def map_rest_api(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    types = as_cidrs(fields.take("endpoint_types", "EndpointConfiguration", "Types"))
    return [RestApi(endpoint_types=types, **base_fields(raw, fields))]


def map_rest_vpc_link(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [RestVpcLink(targets=as_refs(fields.take("targets", "TargetArns")), **base_fields(raw, fields))]


def map_method(raw: RawResource) -> list[Resource]:
    """A method's integration (the method itself takes no part in the path)."""
    fields = Fields(raw.body)
    connection_type = as_str(fields.take("connection_type", "Integration", "ConnectionType"))
    if not through_vpc_link(connection_type):
        return []
    return [
        RestIntegration(
            api=as_ref(fields.take("api", "RestApiId")),
            connection_type=connection_type,
            connection=as_ref(fields.take("connection", "Integration", "ConnectionId")),
            uri=as_str(fields.take("uri", "Integration", "Uri")),
            **base_fields(raw, fields),
        )
    ]


def map_http_api(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [HttpApi(protocol_type=as_str(fields.take("protocol_type", "ProtocolType")), **base_fields(raw, fields))]


def map_http_vpc_link(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        HttpVpcLink(
            subnets=as_refs(fields.take("subnets", "SubnetIds")),
            security_groups=as_refs(fields.take("security_groups", "SecurityGroupIds")),
            **base_fields(raw, fields),
        )
    ]


def map_http_integration(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    connection_type = as_str(fields.take("connection_type", "ConnectionType"))
    if not through_vpc_link(connection_type):
        return []
    return [
        HttpIntegration(
            api=as_ref(fields.take("api", "ApiId")),
            connection_type=connection_type,
            connection=as_ref(fields.take("connection", "ConnectionId")),
            target=as_ref(fields.take("target", "IntegrationUri")),
            **base_fields(raw, fields),
        )
    ]
