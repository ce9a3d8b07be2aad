"""Terraform API Gateway private integrations -> model (``scanner.model_apigateway`` states
what AWS does): REST APIs, their VPC links (V1) and integrations; HTTP APIs, their VPC
links (V2) and integrations."""

from __future__ import annotations

from scanner.adapters.raw import RawResource
from scanner.adapters.terraform.body import Body, base_fields
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


def map_rest_api(raw: RawResource, body: Body) -> list[Resource]:
    configs = body.blocks("endpoint_configuration")
    types = tuple(t for config in configs for t in config.cidrs("types", "endpoint_types"))
    return [RestApi(endpoint_types=types, **base_fields(raw, body))]


def map_rest_vpc_link(raw: RawResource, body: Body) -> list[Resource]:
    return [RestVpcLink(targets=body.refs("target_arns", "targets"), **base_fields(raw, body))]


def map_rest_integration(raw: RawResource, body: Body) -> list[Resource]:
    connection_type = body.text("connection_type", "connection_type")
    if not through_vpc_link(connection_type):
        return []
    return [
        RestIntegration(
            api=body.ref("rest_api_id", "api"),
            connection_type=connection_type,
            connection=body.ref("connection_id", "connection"),
            uri=body.text("uri", "uri"),
            **base_fields(raw, body),
        )
    ]


def map_http_api(raw: RawResource, body: Body) -> list[Resource]:
    return [HttpApi(protocol_type=body.text("protocol_type", "protocol_type"), **base_fields(raw, body))]


def map_http_vpc_link(raw: RawResource, body: Body) -> list[Resource]:
    return [
        HttpVpcLink(
            subnets=body.refs("subnet_ids", "subnets"),
            security_groups=body.refs("security_group_ids", "security_groups"),
            **base_fields(raw, body),
        )
    ]


def map_http_integration(raw: RawResource, body: Body) -> list[Resource]:
    connection_type = body.text("connection_type", "connection_type")
    if not through_vpc_link(connection_type):
        return []
    return [
        HttpIntegration(
            api=body.ref("api_id", "api"),
            connection_type=connection_type,
            connection=body.ref("connection_id", "connection"),
            target=body.ref("integration_uri", "target"),
            **base_fields(raw, body),
        )
    ]
