"""CloudFormation CloudFront VPC origins -> model (``scanner.model_cloudfront`` states what
AWS does): ``AWS::CloudFront::VpcOrigin`` and the ``VpcOriginConfig`` of each origin of an
``AWS::CloudFront::Distribution``."""

from __future__ import annotations

from scanner.adapters.cloudformation.fields import (
    Fields,
    as_bool,
    as_int,
    as_ref,
    as_str,
    base_fields,
    get_in,
    items_of,
)
from scanner.adapters.raw import RawResource
from scanner.model import Ref, Resource
from scanner.model_cloudfront import CloudFrontDistribution, CloudFrontVpcOrigin


def map_vpc_origin(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    config = ("VpcOriginEndpointConfig",)
    return [
        CloudFrontVpcOrigin(
            endpoint=as_ref(fields.take("endpoint", *config, "Arn")),
            http_port=as_int(fields.take("http_port", *config, "HTTPPort")),
            https_port=as_int(fields.take("https_port", *config, "HTTPSPort")),
            protocol_policy=as_str(fields.take("protocol_policy", *config, "OriginProtocolPolicy")),
            **base_fields(raw, fields),
        )
    ]


def map_distribution(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    origins: list[Ref] = []
    for _, origin in items_of(fields.take("vpc_origins", "DistributionConfig", "Origins")):
        found = as_ref(get_in(origin, "VpcOriginConfig", "VpcOriginId")) if isinstance(origin, dict) else None
        if found is not None:
            origins.append(found)
    return [
        CloudFrontDistribution(
            enabled=as_bool(fields.take("enabled", "DistributionConfig", "Enabled")),
            vpc_origins=tuple(origins),
            **base_fields(raw, fields),
        )
    ]
