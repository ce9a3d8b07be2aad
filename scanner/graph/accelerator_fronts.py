"""Which Global Accelerator endpoints are in front of a workload, read from the graph: an
instance endpoint naming it, an Elastic IP endpoint naming an Elastic IP associated with it,
a load balancer endpoint naming a load balancer that routes to it; each with its endpoint
group, listener and accelerator, and whether the endpoint's VPC has an internet gateway
attached (Global Accelerator needs one, even for endpoints in private subnets)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from scanner.model import EipAssociation, ElasticIp, InternetGateway
from scanner.model_accelerator import Accelerator, AcceleratorEndpoint, AcceleratorListener, EndpointGroup
from scanner.workload import AcceleratorFront, LoadBalancerRoute, Placement

T = TypeVar("T")


class GraphView(Protocol):
    """What reading the fronts needs of the graph reader."""

    def obj(self, node: str) -> Any: ...

    def out(self, node: str, kind: str) -> list[tuple[str, dict[str, Any]]]: ...

    def into(self, node: str, kind: str) -> list[tuple[str, dict[str, Any]]]: ...


def accelerator_fronts(
    view: GraphView,
    node: str,
    placements: list[Placement],
    lb_routes: list[LoadBalancerRoute],
    eips: Sequence[ElasticIp | EipAssociation] = (),
) -> list[AcceleratorFront]:
    """The accelerator endpoints that are the workload, then those that are an Elastic IP
    associated with it (by the ElasticIp or the association in ``eips``), then those that
    are a load balancer in front of it, each once."""
    out: list[AcceleratorFront] = []
    # target node -> (load balancer, its placements, the Elastic IP, what associates it)
    fronted: dict[str, tuple[str, tuple[Placement, ...], ElasticIp | None, str]] = {
        node: ("", tuple(placements), None, "")
    }
    for held in eips:
        named = [held] if isinstance(held, ElasticIp) else [view.obj(e) for e, _ in view.out(held.address, "attaches")]
        for eip in named:
            if isinstance(eip, ElasticIp):
                fronted.setdefault(eip.address, ("", tuple(placements), eip, held.address))
    for route in lb_routes:
        lb_address = route.load_balancer.address
        fronted.setdefault(lb_address, (lb_address, route.lb_placements, None, ""))
    for target, (lb, where, elastic_ip, associated_by) in fronted.items():
        for src, _ in view.into(target, "accelerates"):
            endpoint = view.obj(src)
            if not isinstance(endpoint, AcceleratorEndpoint):
                continue
            group = _first(view, view.into(src, "has_endpoint"), EndpointGroup)
            if group is None:
                continue
            listener = _first(view, view.into(group.address, "has_endpoint_group"), AcceleratorListener)
            accelerator = None
            if listener is not None:
                accelerator = _first(view, view.into(listener.address, "has_listener"), Accelerator)
            vpc = next((p.vpc.address for p in where if p.vpc is not None), "")
            gateway = internet_gateway(view, where)
            out.append(
                AcceleratorFront(accelerator, listener, group, endpoint, lb, gateway, vpc, elastic_ip, associated_by)
            )
    return out


def internet_gateway(view: GraphView, placements: tuple[Placement, ...]) -> bool | None:
    """Whether the VPC of these placements has an internet gateway attached (None: not known)."""
    if any(p.default_vpc for p in placements):
        return True
    vpcs = {p.vpc.address for p in placements if p.vpc is not None}
    if not vpcs:
        return None
    return any(isinstance(view.obj(u), InternetGateway) for vpc in vpcs for u, _ in view.into(vpc, "in_vpc"))


def _first(view: GraphView, edges: list[tuple[str, dict[str, Any]]], kind: type[T]) -> T | None:
    """The first object of type ``kind`` at the ends of ``edges`` (None: there is none)."""
    return next((found for found in (view.obj(u) for u, _ in edges) if isinstance(found, kind)), None)
