"""Terraform CloudFront VPC origins -> model (``scanner.model_cloudfront`` states what AWS
does): ``aws_cloudfront_vpc_origin``, the ``vpc_origin_config`` of each ``origin`` of an
``aws_cloudfront_distribution``, and the AWS managed prefix lists a rule names through
``data "aws_ec2_managed_prefix_list"`` (by ``name`` or a ``prefix-list-name`` filter)."""

from __future__ import annotations

from scanner.adapters.raw import RawResource
from scanner.adapters.terraform.body import Body, base_fields
from scanner.model import PrefixList, Resource
from scanner.model_cloudfront import CloudFrontDistribution, CloudFrontVpcOrigin


def map_vpc_origin(raw: RawResource, body: Body) -> list[Resource]:
    configs = body.blocks("vpc_origin_endpoint_config", "endpoint")
    config = configs[0] if configs else None
    return [
        CloudFrontVpcOrigin(
            endpoint=config.ref("arn", "endpoint") if config is not None else None,
            http_port=config.number("http_port") if config is not None else None,
            https_port=config.number("https_port") if config is not None else None,
            protocol_policy=config.text("origin_protocol_policy") if config is not None else None,
            **base_fields(raw, body),
        )
    ]


def map_distribution(raw: RawResource, body: Body) -> list[Resource]:
    origins = tuple(
        ref
        for origin in body.blocks("origin", "vpc_origins")
        for config in origin.blocks("vpc_origin_config")
        for ref in config.refs("vpc_origin_id")
    )
    return [
        CloudFrontDistribution(enabled=body.flag("enabled", "enabled"), vpc_origins=origins, **base_fields(raw, body))
    ]


def map_managed_prefix_list_data(raw: RawResource, body: Body) -> list[Resource]:
    """An AWS managed prefix list read by name: its entries are AWS's, not known offline."""
    name = body.text("name")
    for found in body.blocks("filter"):
        if found.text("name") == "prefix-list-name":
            values = found.get("values")
            if isinstance(values, list) and values and isinstance(values[0], str):
                name = values[0]
    return [PrefixList(aws_managed=name if isinstance(name, str) else "", **base_fields(raw, body))]
