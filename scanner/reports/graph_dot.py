"""The resource graph as Graphviz dot, with what the scan found drawn on it.

Workloads with traits are filled in their exposure's severity colour and list their rule
ids; every hop of a path from the internet (the paths of ``ec2-internet-reachable`` traits
and the exposure's attack path) is drawn in red, edges included. Path hops that the graph
does not hold as an edge (an attack path runs against the direction of ``protected_by``)
are red dashed edges labelled with the ports that pass. Render with ``dot -Tsvg graph.dot -o graph.svg``.

Several configurations become one digraph with a cluster each, so ``dot`` draws one
picture; node ids then carry the configuration name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import field
from itertools import pairwise

import networkx as nx

from scanner.findings import Exposure, PathStep, Severity
from scanner.frozen import frozen
from scanner.rules.internet_reachable import ID as INTERNET_REACHABLE

INTERNET_KIND = "internet"
PATH_COLOUR = "#d62728"
SEVERITY_FILL = {
    Severity.CRITICAL: "#b2182b",
    Severity.HIGH: "#ef6548",
    Severity.MEDIUM: "#fdbb84",
    Severity.LOW: "#fee8c8",
}
POSSIBLE_FILL = "#efedf5"  # no trait holds: a possible exposure
SEVERITY_FONT = {Severity.CRITICAL: "white", Severity.HIGH: "white", Severity.MEDIUM: "black", Severity.LOW: "black"}


@frozen
class DrawnConfiguration:
    """One configuration to draw: its graph and the exposures the scan found in it."""

    name: str
    graph: nx.MultiDiGraph
    exposures: Sequence[Exposure] = field(default_factory=tuple)


def render_dot(configurations: Sequence[DrawnConfiguration]) -> str:
    """Dot text for these configurations; sorted, so the same input gives the same text."""
    clustered = len(configurations) > 1
    lines = [
        "digraph iacscan {",
        "  rankdir=LR;",
        '  node [shape=box, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for number, drawn in enumerate(sorted(configurations, key=lambda c: c.name), start=1):
        prefix = f"{drawn.name}::" if clustered else ""
        body = _configuration_lines(drawn, prefix)
        if clustered:
            lines.append(f"  subgraph cluster_{number} {{")
            lines.append(f"    label={quote(drawn.name)};")
            lines += ["  " + line for line in body]
            lines.append("  }")
        else:
            lines += body
    lines.append("}")
    return "\n".join(lines) + "\n"


def internet_paths(exposures: Iterable[Exposure]) -> list[tuple[PathStep, ...]]:
    """The paths from the internet that reachability proved (``ec2-internet-reachable``),
    each exposure's attack path included. An open security group alone is not a path: the
    route or NACL may stop the traffic, so its steps are not drawn as one."""
    found: dict[tuple[PathStep, ...], None] = {}
    for exposure in exposures:
        reachable = [t.path for t in exposure.traits if t.rule_id == INTERNET_REACHABLE and t.path]
        if reachable:
            reachable.append(exposure.path)
        for path in reachable:
            if path and path[0].kind == INTERNET_KIND:
                found.setdefault(tuple(path))
    return list(found)


def _configuration_lines(drawn: DrawnConfiguration, prefix: str) -> list[str]:
    graph = drawn.graph
    exposed = {e.workload: e for e in drawn.exposures}
    path_nodes: set[str] = set()
    path_hops: dict[tuple[str, str], set[str]] = {}
    for path in internet_paths(drawn.exposures):
        steps = [s for s in path if s.address in graph]
        path_nodes.update(s.address for s in steps)
        for before, after in pairwise(steps):
            if before.address != after.address:
                path_hops.setdefault((before.address, after.address), set()).update(filter(None, [after.ports]))

    lines: list[str] = []
    for node in sorted(graph.nodes, key=str):
        kind = str(graph.nodes[node].get("kind", ""))
        attributes = {"label": f"{node}\n{kind}"}
        exposure = exposed.get(str(node))
        if exposure is not None:
            rule_ids = ", ".join(dict.fromkeys(t.rule_id for t in exposure.traits))
            attributes.update(
                label=f"{node}\n{kind}\n{exposure.severity_label}: {rule_ids}",
                style="filled,bold" if exposure.severity is not None else "filled,dashed",
                fillcolor=SEVERITY_FILL[exposure.severity] if exposure.severity is not None else POSSIBLE_FILL,
                fontcolor=SEVERITY_FONT[exposure.severity] if exposure.severity is not None else "black",
            )
        if kind == INTERNET_KIND or node == INTERNET_KIND:
            attributes.update(shape="ellipse", style="filled", fillcolor="#fde0dd")
        if str(node) in path_nodes:
            attributes.update(color=PATH_COLOUR, penwidth="2")
        lines.append(f"  {quote(prefix + str(node))} [{_attributes(attributes)}];")

    drawn_hops: set[tuple[str, str]] = set()
    edges = sorted(((str(u), str(v), str(d.get("kind", ""))) for u, v, d in graph.edges(data=True)))
    for u, v, kind in edges:
        attributes = {"label": kind}
        hop = (u, v) if (u, v) in path_hops else (v, u) if (v, u) in path_hops else None
        if hop is not None:
            attributes.update(color=PATH_COLOUR, fontcolor=PATH_COLOUR, penwidth="2")
            drawn_hops.add(hop)
        lines.append(f"  {quote(prefix + u)} -> {quote(prefix + v)} [{_attributes(attributes)}];")
    for (u, v), ports in sorted(path_hops.items()):
        if (u, v) in drawn_hops:
            continue
        attributes = {
            "label": ", ".join(sorted(ports)) or "path",
            "color": PATH_COLOUR,
            "fontcolor": PATH_COLOUR,
            "style": "dashed",
            "penwidth": "2",
        }
        lines.append(f"  {quote(prefix + u)} -> {quote(prefix + v)} [{_attributes(attributes)}];")
    return lines


def _attributes(attributes: dict[str, str]) -> str:
    return ", ".join(f"{key}={quote(value)}" for key, value in attributes.items())


def quote(text: str) -> str:
    """A dot double-quoted id: backslashes and quotes escaped, newlines as ``\\n``."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
