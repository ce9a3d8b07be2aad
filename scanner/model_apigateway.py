"""Amazon API Gateway private integrations (VPC links) in the model, in both formats.

What AWS does:

* REST APIs, VPC links V1
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/vpc-links-v1.html,
  https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-private-integration.html):
  a VPC link (``aws_api_gateway_vpc_link`` / ``AWS::ApiGateway::VpcLink``) names exactly one
  Network Load Balancer (``target_arns`` / ``TargetArns``); a method's integration with
  ``connection_type = "VPC_LINK"`` and ``connection_id`` = the link
  (``AWS::ApiGateway::Method`` ``Integration.ConnectionType`` / ``ConnectionId``) sends the
  API's requests to that NLB. Its ``uri`` (``http://<the NLB's DNS name>:8080/``) gives the
  port, the listener of the NLB that takes them (80 for http, 443 for https when the uri has
  none). The NLB may be internal, in private subnets of a VPC without an internet gateway.
  A REST API whose endpoint type is ``PRIVATE`` is called only from interface VPC endpoints,
  not from the internet; ``REGIONAL`` and ``EDGE`` (the default) are public.
* HTTP APIs, VPC links V2
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vpc-links.html,
  https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-private.html):
  a VPC link (``aws_apigatewayv2_vpc_link`` / ``AWS::ApiGatewayV2::VpcLink``) puts network
  interfaces in its ``subnet_ids`` with its ``security_group_ids``; an integration with
  ``connection_type = "VPC_LINK"`` and ``connection_id`` = the link sends the API's requests
  from those interfaces to ``integration_uri``: an ALB's or NLB's listener ARN (or a Cloud
  Map service's). An HTTP API's default endpoint is public.
"""

from __future__ import annotations

from scanner.frozen import frozen
from scanner.model import Cidr, MaybeStr, Ref, Resource
from scanner.values import Unknown


def through_vpc_link(connection_type: MaybeStr) -> bool:
    """An integration that may go through a VPC link: ``VPC_LINK``, or a type not known
    offline (not written: ``INTERNET``, a public endpoint, not a door into a VPC)."""
    return isinstance(connection_type, Unknown) or (
        isinstance(connection_type, str) and connection_type.upper() == "VPC_LINK"
    )


@frozen(kw_only=True, eq=False)
class RestApi(Resource):
    endpoint_types: tuple[Cidr, ...] = ()  # strings or unknowns; () not written: EDGE


@frozen(kw_only=True, eq=False)
class RestVpcLink(Resource):
    targets: tuple[Ref, ...] = ()  # target_arns: one Network Load Balancer


@frozen(kw_only=True, eq=False)
class RestIntegration(Resource):
    """A REST API method's integration (``aws_api_gateway_integration``, the ``Integration`` of
    an ``AWS::ApiGateway::Method``)."""

    api: Ref | None = None
    connection_type: MaybeStr = None  # INTERNET (not written) | VPC_LINK
    connection: Ref | None = None  # connection_id: the VPC link
    uri: MaybeStr = None


@frozen(kw_only=True, eq=False)
class HttpApi(Resource):
    protocol_type: MaybeStr = None  # HTTP | WEBSOCKET


@frozen(kw_only=True, eq=False)
class HttpVpcLink(Resource):
    subnets: tuple[Ref, ...] = ()
    security_groups: tuple[Ref, ...] = ()


@frozen(kw_only=True, eq=False)
class HttpIntegration(Resource):
    api: Ref | None = None
    connection_type: MaybeStr = None  # INTERNET (not written) | VPC_LINK
    connection: Ref | None = None  # connection_id: the VPC link
    target: Ref | None = None  # integration_uri: a listener's (or Cloud Map service's) ARN
