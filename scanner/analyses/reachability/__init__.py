"""Which ports of a workload a network outside its VPC can reach, hop by hop, IPv4 and IPv6
separately: every candidate path, open or cut (and why).

Paths from the internet:
* gateway: a public address, a route for internet addresses to an internet gateway (longest
  prefix wins), the subnet's NACL (stateless: the port in, the ephemeral range back out) and
  an attached security group admitting the port from internet addresses;
* load balancer: an internet-facing LB in subnets routed to an internet gateway whose group
  admits the listener port from the internet, forwarding to the workload, whose group admits
  the target port from the LB (its group, or a CIDR covering its subnets; an NLB without
  groups passes client addresses through, so then the workload's group must admit the internet);
  the NACLs on the way: the LB subnet's (the listener port in from the internet, the target
  port out to the workload's subnet) and the workload subnet's (the target port in from the
  LB's subnets, or from the internet through a pass-through NLB), none within one subnet;
* private networks: a route to a VPC peering connection or a virtual private gateway, a
  group admitting a port from a CIDR overlapping the routed one, and the subnet's NACL
  letting that port in from the routed CIDR;
* transit gateways: a network on another attachment, through the route table that
  attachment is associated with, back by the subnet's route to the transit gateway
  (``transit``);
* Direct Connect: on-premises networks through a Direct Connect gateway associated with the
  VPC's virtual private gateway, when its allowed prefixes advertise the VPC
  (``direct_connect``);
* Client VPN: clients of an endpoint whose network interfaces are in the workload's VPC (or
  whose route leads to it), with an authorization rule covering the workload, through the
  workload's groups admitting the endpoint's groups or subnets and its NACL letting those
  subnets in (``client_vpn``);
* PrivateLink: consumers of an endpoint service in front of a network load balancer the
  workload is a target of, from the load balancer's addresses (``privatelink``);
* Global Accelerator: an enabled accelerator's listener ports, to the workload or to a load
  balancer in front of it, in a VPC with an internet gateway attached, private subnets
  included (``accelerator``); a custom routing accelerator's destination ports to a
  workload in a subnet it names, possible only (its traffic is denied until allowed by an
  API call the configuration cannot make);
* CloudFront: a VPC origin an enabled distribution uses, the workload or a load balancer in
  front of it, whose groups admit CloudFront's origin-facing addresses (``cloudfront``);
* API Gateway: a public REST API's integration through a VPC link to a Network Load
  Balancer, or an HTTP API's to a load balancer's listener, the load balancer in front of
  the workload (``api_gateway``).

Each kind of path is one module: ``gateway``, ``load_balancer``, ``private``; ``admission``
says which sources get through a NACL and the groups, ``hops`` how a path is told.

A path that is open only for some values of what the configuration leaves open is
*possible* (``PathReport.possible``: its assumptions and the origins deciding them), never
cut: a subnet, route table or gateway not known offline, a resource that may not exist.
"""

from __future__ import annotations

from collections.abc import Collection

from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.reachability.accelerator import accelerator_paths, custom_routing_paths
from scanner.analyses.reachability.api_gateway import api_gateway_paths
from scanner.analyses.reachability.client_vpn import client_vpn_paths
from scanner.analyses.reachability.cloudfront import cloudfront_paths
from scanner.analyses.reachability.direct_connect import direct_connect_paths
from scanner.analyses.reachability.gateway import gateway_path, unknown_subnet_path
from scanner.analyses.reachability.hops import FAMILY, PathReport
from scanner.analyses.reachability.load_balancer import load_balancer_path
from scanner.analyses.reachability.private import private_paths
from scanner.analyses.reachability.privatelink import privatelink_paths
from scanner.analyses.reachability.transit import transit_paths
from scanner.workload import LoadBalancerRoute, WorkloadContext

# Which candidate a report is about, the same in an edited copy of the context: its kind,
# IP version and where it starts (a placement's position, a listener's route to the workload).
PathKey = tuple[object, ...]


def explain_paths(ctx: WorkloadContext, memo: NetworkMemo) -> list[PathReport]:
    """Every candidate path to the workload, open or cut (and why), IPv4 and IPv6."""
    return [report for _, report in keyed_paths(ctx, memo)]


def keyed_paths(
    ctx: WorkloadContext, memo: NetworkMemo, only: Collection[PathKey] | None = None
) -> list[tuple[PathKey, PathReport]]:
    """Every candidate path, each with its key; with ``only``, just those candidates. Fixes
    re-analyse an edited copy for the paths the first analysis found open alone: every edit
    takes away (a source, a rule, a NACL entry, a route, a listener, a public address), so a
    path that was cut stays cut."""
    reports: list[tuple[PathKey, PathReport]] = []
    for version in (4, 6):
        for index, placement in enumerate(ctx.placements):
            if version == 6 and placement.default_vpc:
                continue
            key: PathKey = ("gateway", version, index)
            if only is None or key in only:
                reports.append((key, gateway_path(ctx, placement, version, memo)))
        for route in ctx.load_balancer_routes:
            if version == 6 and not any(p.subnet is not None and p.subnet.ipv6_cidr for p in route.lb_placements):
                continue
            key = ("load_balancer", version, *_route_key(route))
            if only is None or key in only:
                reports.append((key, load_balancer_path(ctx, route, version, memo)))
        for index, placement in enumerate(ctx.placements):
            key = ("private", version, index)
            if only is None or key in only:
                reports.extend((key, report) for report in private_paths(ctx, placement, version, memo))
        for index, placement in enumerate(ctx.placements):
            key = ("transit", version, index)
            if only is None or key in only:
                reports.extend((key, report) for report in transit_paths(ctx, placement, version, memo))
            key = ("direct_connect", version, index)
            if only is None or key in only:
                reports.extend((key, report) for report in direct_connect_paths(ctx, placement, version, memo))
            key = ("client_vpn", version, index)
            if only is None or key in only:
                reports.extend((key, report) for report in client_vpn_paths(ctx, placement, version, memo))
        key = ("privatelink", version)
        if only is None or key in only:
            reports.extend((key, report) for report in privatelink_paths(ctx, version, memo))
        key = ("accelerator", version)
        if only is None or key in only:
            reports.extend((key, report) for report in accelerator_paths(ctx, version, memo))
        key = ("custom_routing", version)
        if only is None or key in only:
            reports.extend((key, report) for report in custom_routing_paths(ctx, version, memo))
        key = ("cloudfront", version)
        if only is None or key in only:
            reports.extend((key, report) for report in cloudfront_paths(ctx, version, memo))
        key = ("api_gateway", version)
        if only is None or key in only:
            reports.extend((key, report) for report in api_gateway_paths(ctx, version, memo))
        key = ("unknown_subnet", version)
        if only is None or key in only:
            unknown = unknown_subnet_path(ctx, version, memo)
            if unknown is not None:
                reports.append((key, unknown))
    if only is None and not ctx.placements and not any(p.via == "gateway" for _, p in reports):
        reports.append(
            (("no_subnet",), PathReport("gateway", 4, (), "", cut=f"the subnet {ctx.address} runs in is not known"))
        )
    return reports


def _route_key(route: LoadBalancerRoute) -> tuple[object, ...]:
    group = route.target_group.address if route.target_group is not None else None
    return (route.load_balancer.address, route.listener.address, group, route.target_port)


__all__ = ["FAMILY", "PathKey", "PathReport", "explain_paths", "keyed_paths"]
