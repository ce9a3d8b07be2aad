"""The graph's primitives, shared by the builder, the AWS defaults and the reader: the
``internet`` node, writing nodes, edges and unresolved sentences, and reading a node's
edges of one kind straight from networkx's adjacency dicts."""

from __future__ import annotations

from typing import Any

import networkx as nx

from scanner.model import Resource, Vpc
from scanner.values import Span

INTERNET = "internet"
DEFAULT_VPC = "default-vpc"  # the region's default VPC when the configuration writes none (graph.defaults)

Adjacency = dict[str, dict[str, dict[Any, dict[str, Any]]]]  # node -> neighbour -> edge key -> data


def edges_of_kind(adjacency: Adjacency, node: str, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """(neighbour, edge data) of ``node``'s edges of one kind, read from networkx's own
    adjacency dicts: through its view objects, reading every workload's context cost a
    quarter of the analysis time."""
    return [
        (other, data)
        for other, keyed in adjacency.get(node, {}).items()
        for data in keyed.values()
        if data["kind"] == kind
    ]


class GraphWriter:
    """Adds nodes (attributes ``obj``, ``kind``, ``label``), typed edges (``kind``, ``span``,
    more attributes as given) and unresolved sentences (node attribute ``unresolved``) to a
    graph, and reads a node's edges of one kind back in insertion order."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph

    def add_node(self, address: str, obj: Resource | None, kind: str) -> None:
        if address not in self.graph:
            self.graph.add_node(address, obj=obj, kind=kind, label=address)

    def edge(self, src: str, dst: str, kind: str, span: Span | None, **attrs: Any) -> None:
        self.graph.add_edge(src, dst, kind=kind, span=span, **attrs)

    def unresolved(self, node: str, sentence: str | None) -> None:
        if sentence:
            found = self.graph.nodes[node].setdefault("unresolved", [])
            if sentence not in found:
                found.append(sentence)

    def out(self, node: str, kind: str) -> list[tuple[str, dict[str, Any]]]:
        return edges_of_kind(self.graph._succ, node, kind)

    def into(self, node: str, kind: str) -> list[tuple[str, dict[str, Any]]]:
        return edges_of_kind(self.graph._pred, node, kind)

    def obj(self, node: str) -> Resource | None:
        found: Resource | None = self.graph._node[node].get("obj")
        return found

    def vpc_of(self, node: str) -> str | None:
        for vpc, _ in self.out(node, "in_vpc"):
            if vpc == DEFAULT_VPC or isinstance(self.obj(vpc), Vpc):
                return vpc
        return None

    def workload_vpcs(self, node: str) -> list[str]:
        """The VPCs of ``node``'s subnets, then the VPCs it is placed in directly."""
        vpcs: list[str] = []
        for subnet, _ in self.out(node, "in_subnet"):
            vpc = self.vpc_of(subnet)
            if vpc is not None and vpc not in vpcs:
                vpcs.append(vpc)
        for vpc, _ in self.out(node, "in_vpc"):
            if vpc not in vpcs:
                vpcs.append(vpc)
        return vpcs
