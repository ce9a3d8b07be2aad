"""Paths from the internet through an API Gateway private integration (a VPC link) to a load
balancer in front of the workload (``scanner.model_apigateway`` states what AWS does), IPv4.
The load balancer may be internal, in private subnets of a VPC without an internet gateway:
API Gateway takes the requests and connects to it itself. The path then goes on as a load
balancer's does (its listener, target group, the workload's groups and the NACLs between).

* The API must be callable from the internet: a REST API whose endpoint types are only
  ``PRIVATE`` is called from interface VPC endpoints, not the internet (the path is cut
  there); ``REGIONAL`` and ``EDGE`` (the default) are public. An HTTP API is taken as public:
  its default endpoint is, and ``disable_execute_api_endpoint`` is not read (a custom domain
  name may still serve it). An API not defined in the configuration is assumed public, named.
  Whether a deployment or stage publishes the integration, and the API's authorizers, are
  not read: a method integrated through a VPC link is taken as callable.
* REST APIs (VPC links V1): the link's Network Load Balancer takes the request on the port of
  the integration's ``uri`` (80 for ``http://``, 443 for ``https://`` when none is written;
  a uri not known offline makes every port possible, named). API Gateway reaches the NLB
  through AWS PrivateLink, and "client IP preservation has no effect on inbound traffic from
  AWS PrivateLink: the source IP address is the private IP address of the Network Load
  Balancer" (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation):
  whatever the target group says, the workload's groups must admit the NLB's addresses (a
  CIDR covering its subnets) or its group. API Gateway's own addresses (outside the VPC) are
  what the NLB subnet's network ACL sees: it is evaluated as for the internet's. An NLB with
  security groups evaluates its inbound rules for PrivateLink traffic unless
  ``enforce_security_group_inbound_rules_on_private_link_traffic`` is ``off``, and AWS tells
  to turn it off, as API Gateway's addresses change without notice
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-nlb-for-vpclink-using-console.html):
  off, the NLB's groups do not decide (not known offline: assumed off, named); on (AWS's
  default), they must admit API Gateway's addresses as they would the internet's (a rule
  covering the whole internet does).
* HTTP APIs (VPC links V2): the integration names an ALB's or NLB's listener; the link's
  network interfaces, in its subnets with its groups, open the connections
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vpc-links.html). The
  load balancer's groups must admit them (a rule naming a link group, or a CIDR covering a
  link subnet) and the load balancer subnet's NACL let them in; an NLB passing client
  addresses through hands the link's addresses to the workload, whose groups must then admit
  the link likewise. The link's own egress rules are not read. Cloud Map service targets
  are not followed.
* An integration whose ``connection_id`` is not known (a variable, another stack's link)
  may use any link of the configuration of its kind: the path is possible, named.
"""

from __future__ import annotations

import re

from scanner.analyses.network import PortSet
from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.reachability.hops import Entry, PathReport, VpcSource, step
from scanner.analyses.reachability.load_balancer import load_balancer_path
from scanner.analyses.unknowns import existence_open, origins_of
from scanner.findings import PathStep
from scanner.model_apigateway import HttpApi, HttpVpcLink, RestApi, RestIntegration
from scanner.protocols import TCP
from scanner.values import Origin, Unknown
from scanner.workload import ApiGatewayFront, WorkloadContext

VIA = "api_gateway"

# scheme://host[:port]... as written in an integration uri (the host may be an unknown part)
_URI = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def api_gateway_paths(ctx: WorkloadContext, version: int, memo: NetworkMemo) -> list[PathReport]:
    """One path per integration through a VPC link and route of the load balancer it reaches."""
    if version != 4 or not ctx.api_gateways:
        return []
    out: list[PathReport] = []
    for front in ctx.api_gateways:
        entry = _entry(front)
        if isinstance(entry, PathReport):
            out.append(entry)  # cut before the load balancer
            continue
        for route in ctx.load_balancer_routes:
            if route.load_balancer.address != front.load_balancer:
                continue
            if front.listener and route.listener.address != front.listener:
                continue
            out.append(load_balancer_path(ctx, route, version, memo, entry))
    return out


def _entry(front: ApiGatewayFront) -> Entry | PathReport:
    integration, api = front.integration, front.api
    assumptions: list[str] = []
    unknowns: list[Origin] = []
    steps: list[PathStep] = [step("internet", "internet", "any IPv4 address on the internet", None)]
    rest = isinstance(integration, RestIntegration)
    if api is not None:
        steps.append(step("api_gateway_api", api.address, _api_words(api), api.span))
    else:
        assumptions.append(
            f"{integration.address}: its API is not defined in this configuration; assumed callable from the internet"
        )
        unknowns.extend(origins_of(integration.api))
    if isinstance(integration.connection_type, Unknown):
        assumptions.append(f"{integration.address}: the connection type is unknown; assumed VPC_LINK")
        unknowns.extend(origins_of(integration.connection_type))
    ports = _uri_ports(integration, assumptions, unknowns) if isinstance(integration, RestIntegration) else None
    shown = ports if ports is not None else PortSet.of(TCP)
    steps.append(
        step(
            "api_gateway_integration",
            integration.address,
            f"integration through a VPC link{f' on {ports}' if ports is not None else ''}",
            integration.span_of("connection", "connection_type"),
            ports,
        )
    )
    link = front.link
    if link is not None:
        subnets = ", ".join(p.subnet.address for p in front.link_placements if p.subnet is not None)
        words = (
            f"VPC link to {front.load_balancer}"
            if rest
            else f"VPC link: connects from its network interfaces in {subnets or 'its subnets'}"
        )
        steps.append(step("api_gateway_vpc_link", link.address, words, link.span))
    if front.guessed or link is None:
        which = f"assumed it is {link.address}" if link is not None else "assumed it reaches the listener"
        assumptions.append(f"{integration.address}: its VPC link (connection_id) is not known; {which}")
        unknowns.extend(origins_of(integration.connection))
    # The integration, its link and its API may not exist (count unknown, a condition).
    built_on = existence_open(integration, link, api)
    assumptions.extend(built_on.assumptions)
    unknowns.extend(built_on.unknowns)
    if isinstance(api, RestApi):
        cut = _private_endpoint(api, assumptions, unknowns)
        if cut:
            return PathReport(VIA, 4, tuple(steps), "", cut=cut, cut_at=api.address)
    if rest:
        return Entry(
            VIA,
            tuple(steps),
            shown,
            False,
            integration.address,
            tuple(assumptions),
            tuple(unknowns),
            lb_addresses=(
                f"API Gateway reaches {front.load_balancer} through PrivateLink: its targets see the NLB's private "
                "addresses"
            ),
        )
    source = VpcSource(
        f"VPC link {link.address}" if isinstance(link, HttpVpcLink) else "the VPC link (not known)",
        front.link_groups,
        front.link_placements,
    )
    return Entry(
        VIA, tuple(steps), shown, False, integration.address, tuple(assumptions), tuple(unknowns), source=source
    )


def _api_words(api: RestApi | HttpApi) -> str:
    if isinstance(api, HttpApi):
        return "HTTP API (public endpoint)"
    types = [t for t in api.endpoint_types if isinstance(t, str)]
    return f"REST API ({'/'.join(types) if types else 'EDGE'} endpoint)"


def _private_endpoint(api: RestApi, assumptions: list[str], unknowns: list[Origin]) -> str:
    """Why a REST API is not callable from the internet ("" when it is): its only endpoint
    type is PRIVATE. An endpoint type not known offline is assumed public, named."""
    unknown = [t for t in api.endpoint_types if isinstance(t, Unknown)]
    if unknown:
        assumptions.append(f"{api.address}: its endpoint type is unknown; assumed REGIONAL or EDGE (public)")
        unknowns.extend(origins_of(*unknown))
        return ""
    types = {str(t).upper() for t in api.endpoint_types}
    if types and types <= {"PRIVATE"}:
        return (
            f"{api.address} has a PRIVATE endpoint: it is called only through interface VPC endpoints, not from "
            "the internet"
        )
    return ""


def _uri_ports(integration: RestIntegration, assumptions: list[str], unknowns: list[Origin]) -> PortSet:
    """The port of the integration's uri: written after the host, else the scheme's (80 for
    http, 443 for https). A uri or a port not known offline: every tcp port, named."""
    uri = integration.uri
    text = uri.text if isinstance(uri, Unknown) else uri
    found = _URI.match(text) if isinstance(text, str) else None
    if found is not None:
        scheme, host = found.group(1).lower(), found.group(2)
        _, colon, port_text = host.rpartition(":")
        if colon and port_text.isdigit():
            return PortSet.of(TCP, int(port_text), int(port_text))
        # no port written: the scheme's (an unknown host is a DNS name, which holds none)
        if not colon and scheme in _DEFAULT_PORTS:
            port = _DEFAULT_PORTS[scheme]
            return PortSet.of(TCP, port, port)
    assumptions.append(f"{integration.address}: the port of its uri is not known; assumed any tcp port")
    unknowns.extend(origins_of(uri))
    return PortSet.of(TCP)
