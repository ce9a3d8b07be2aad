"""Amazon CloudFront VPC origins in the model, in both formats.

What AWS does (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html):
a VPC origin (``aws_cloudfront_vpc_origin`` / ``AWS::CloudFront::VpcOrigin``) lets a
distribution reach an Application or Network Load Balancer or an EC2 instance in a
*private* subnet; the distribution takes requests from the whole internet and sends them
to the origin on its HTTP port, its HTTPS port or both (``origin_protocol_policy``
http-only, https-only, match-viewer). CloudFront connects from its own origin-facing
addresses (the AWS managed prefix list ``com.amazonaws.global.cloudfront.origin-facing``),
so the origin's security group must admit those: a rule naming that list, or one whose
CIDR covers the internet. A VPC origin no enabled distribution uses takes no request.
"""

from __future__ import annotations

from scanner.frozen import frozen
from scanner.model import MaybeBool, MaybeInt, MaybeStr, Ref, Resource

# The AWS managed prefix list of CloudFront's origin-facing addresses.
CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"


@frozen(kw_only=True, eq=False)
class CloudFrontVpcOrigin(Resource):
    endpoint: Ref | None = None  # the load balancer's or the instance's ARN
    http_port: MaybeInt = None  # None: not written, 80
    https_port: MaybeInt = None  # None: not written, 443
    protocol_policy: MaybeStr = None  # http-only | https-only | match-viewer


@frozen(kw_only=True, eq=False)
class CloudFrontDistribution(Resource):
    enabled: MaybeBool = None
    vpc_origins: tuple[Ref, ...] = ()  # the VPC origins its origins use (vpc_origin_config)
