"""The package's shape: no import loops, no private name imported across modules, no module
over 800 lines. Read from the source (ast), so a lazy import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

from tests.support.paths import REPO

PACKAGE = REPO / "scanner"
MAX_LINES = 800


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path, modules: dict[str, Path]) -> list[tuple[str, list[str]]]:
    """(imported module, names taken from it) for every import of a scanner module."""
    found: list[tuple[str, list[str]]] = []
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names if alias.name.startswith("scanner")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if not base.startswith("scanner"):
                continue
            for alias in node.names:
                child = f"{base}.{alias.name}"
                if child in modules:  # `from scanner.rules import imdsv1`: the module itself
                    found.append((child, []))
                else:
                    found.append((base, [alias.name]))
    return found


def test_no_import_loops() -> None:
    modules = _modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for target, _ in _imports(path, modules):
            if target in modules and target != name:
                graph.add_edge(name, target)
    # a package's face importing its own modules is not a loop when they do not import it back
    cycles = [c for c in nx.simple_cycles(graph)]
    assert cycles == [], "import loops: " + "; ".join(" -> ".join([*c, c[0]]) for c in cycles[:10])


def test_no_private_name_imported_across_modules() -> None:
    modules = _modules()
    offences = [
        f"{name} imports {imported}.{taken}"
        for name, path in modules.items()
        for imported, names in _imports(path, modules)
        for taken in names
        if taken.startswith("_") and not taken.startswith("__") and imported != name
    ]
    assert offences == []


def test_no_module_over_the_line_limit() -> None:
    long = {
        name: lines
        for name, path in _modules().items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
