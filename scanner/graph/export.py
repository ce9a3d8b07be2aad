"""The graph as text: dot, json (node-link) or graphml."""

from __future__ import annotations

import json

import networkx as nx


def export_graph(graph: nx.MultiDiGraph, fmt: str) -> str:
    """The graph as text: "dot", "json" (node-link) or "graphml". Nodes are labelled with
    address and kind; the output is sorted, so the same configuration gives the same text."""
    plain = nx.MultiDiGraph()
    for node in sorted(graph.nodes):
        data = graph.nodes[node]
        plain.add_node(node, label=str(node), kind=str(data.get("kind", "")))
    edges = sorted(
        ((u, v, d) for u, v, d in graph.edges(data=True)),
        key=lambda e: (e[0], e[1], e[2]["kind"], str(e[2].get("span") or "")),
    )
    for u, v, d in edges:
        plain.add_edge(u, v, kind=d["kind"], span=str(d["span"]) if d.get("span") else "")
    if fmt == "json":
        data = nx.node_link_data(plain, edges="edges")
        return json.dumps(data, indent=2, sort_keys=True)
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(plain)) + "\n"
    if fmt == "dot":
        lines = ["digraph iacscan {", "  rankdir=LR;", "  node [shape=box, fontname=Helvetica];"]
        for node, data in plain.nodes(data=True):
            lines.append(f"  {_dot_id(node)} [label={_dot_id(node + chr(10) + data['kind'])}];")
        for u, v, data in plain.edges(data=True):
            lines.append(f"  {_dot_id(u)} -> {_dot_id(v)} [label={_dot_id(data['kind'])}];")
        lines.append("}")
        return "\n".join(lines) + "\n"
    raise ValueError(f"unknown graph format {fmt!r} (expected dot, json or graphml)")


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
