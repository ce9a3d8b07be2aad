"""The configuration as a graph, and the resolved view of each workload (see ``build``)."""

from scanner.graph.build import DEFAULT_VPC, INTERNET, build_graph
from scanner.graph.export import export_graph
from scanner.graph.read import route_target_kind, workload_contexts
from scanner.graph.resolve import Resolved, Resolver

__all__ = [
    "DEFAULT_VPC",
    "INTERNET",
    "Resolved",
    "Resolver",
    "build_graph",
    "export_graph",
    "route_target_kind",
    "workload_contexts",
]
