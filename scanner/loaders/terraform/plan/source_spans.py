"""Spans from the ``.tf`` source: when ``options.plan_source`` names the configuration's
folder, each planned resource (and each of its nested blocks, matched by the values written
in them, since terraform reorders sets) points at the lines of its ``.tf`` block instead of
the plan JSON. ``Sources`` indexes the files of the root module and of its modules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scanner.loaders.terraform.plan.planned import Scope, module_call
from scanner.loaders.terraform.plan.source_index import SourceBlock, index_tf_file
from scanner.options import ScanOptions
from scanner.values import Span, SpannedDict, SpannedList


class Sources:
    """The .tf files of the plan's root module and of its modules, indexed by block."""

    def __init__(self, options: ScanOptions) -> None:
        self.options = options
        self.by_dir: dict[Path, list[SourceBlock]] = {}
        self.files: list[str] = []
        self.module_dirs: dict[str, Path] = {}
        root = options.plan_source
        if root is not None:
            manifest = root / ".terraform" / "modules" / "modules.json"
            try:
                entries = json.loads(manifest.read_text(encoding="utf-8")).get("Modules") or []
            except (OSError, ValueError, AttributeError):
                entries = []
            for entry in entries:
                if isinstance(entry, dict) and isinstance(entry.get("Key"), str) and isinstance(entry.get("Dir"), str):
                    self.module_dirs[entry["Key"]] = root / entry["Dir"]

    def blocks(self, directory: Path) -> list[SourceBlock]:
        if directory not in self.by_dir:
            found = []
            if directory.is_dir() and self.options.inside_root(directory):
                for path in sorted(directory.glob("*.tf")):
                    try:
                        text = path.read_text(encoding="utf-8")
                    except (OSError, UnicodeDecodeError):
                        continue
                    file = self.options.display_path(path)
                    self.files.append(file)
                    found.append(index_tf_file(text, file))
            self.by_dir[directory] = found
        return self.by_dir[directory]

    def resource(self, directory: Path | None, resource_type: str, name: str) -> SourceBlock | None:
        if directory is None:
            return None
        for root in self.blocks(directory):
            matches = root.blocks.get(f"resource {resource_type} {name}")
            if matches:
                return matches[0]
        return None


def _module_key(scope: Scope) -> str:
    names: list[str] = []
    current: Scope | None = scope
    while current is not None and current.parent is not None:
        names.insert(0, current.call_name)
        current = current.parent
    return ".".join(names)


def scope_dir(scope: Scope, sources: Sources) -> Path | None:
    if scope.parent is None:
        return sources.options.plan_source
    parent_dir = scope.parent.source_dir
    source = module_call(scope.parent, scope.call_name).get("source")
    if isinstance(source, str) and source.startswith(("./", "../")) and parent_dir is not None:
        return (parent_dir / source).resolve()
    return sources.module_dirs.get(_module_key(scope))


def _block_constants(expression: Any) -> list[Mapping[str, Any]] | None:
    """The per-block constant values the configuration wrote, in source order."""
    if isinstance(expression, Mapping) and isinstance(expression.get("constant_value"), list):
        return [item if isinstance(item, Mapping) else {} for item in expression["constant_value"]]
    if isinstance(expression, list):
        return [
            {
                key: inner.get("constant_value")
                for key, inner in item.items()
                if isinstance(inner, Mapping) and "constant_value" in inner
            }
            if isinstance(item, Mapping)
            else {}
            for item in expression
        ]
    return None


def _same(written: Any, planned: Any) -> bool:
    if written is None:
        return True
    if isinstance(planned, bool):
        return str(written).lower() == str(planned).lower()
    if isinstance(written, list) and isinstance(planned, list):
        return sorted(map(str, written)) == sorted(map(str, planned))
    return str(written) == str(planned)


def _match_blocks(planned: list[Any], written: list[Mapping[str, Any]] | None, count: int) -> list[int | None]:
    """For each planned block, the source block it came from (sets are reordered by terraform)."""
    if written is None or len(written) != len(planned):
        return [position if position < count else None for position in range(len(planned))]
    order: list[int | None] = []
    used: set[int] = set()
    for item in planned:
        best: int | None = None
        for position, constants in enumerate(written):
            if position in used or not isinstance(item, Mapping):
                continue
            if all(_same(value, item.get(key)) for key, value in constants.items()):
                best = position
                break
        if best is None:
            best = next((position for position in range(len(written)) if position not in used), None)
        if best is not None:
            used.add(best)
        order.append(best if best is not None and best < count else None)
    return order


def respan(values: SpannedDict, source: SourceBlock, expressions: Any) -> None:
    """Point a body and its nested blocks at the .tf source."""
    values.span = source.span
    expressions = expressions if isinstance(expressions, Mapping) else {}
    for key in list(values):
        value = values[key]
        written = source.blocks.get(key)
        if key in source.attributes:
            values.key_spans[key] = source.attributes[key]
        elif written:
            values.key_spans[key] = Span(written[0].span.file, written[0].span.line, written[-1].span.end_line)
        else:
            values.key_spans.pop(key, None)
        if written and isinstance(value, list):
            constants = _block_constants(expressions.get(key))
            if constants is None or len(constants) != len(written):
                constants = [{} for _ in written]
            order = _match_blocks(
                value,
                [{**block.literals, **constants[position]} for position, block in enumerate(written)],
                len(written),
            )
            spans: list[Span | None] = []
            for position, item in enumerate(value):
                match = order[position]
                if match is None:
                    spans.append(None)
                    continue
                spans.append(written[match].span)
                if isinstance(item, SpannedDict):
                    inner = expressions.get(key)
                    inner_expression = inner[match] if isinstance(inner, list) and match < len(inner) else None
                    respan(item, written[match], inner_expression)
            if isinstance(value, SpannedList):
                value.item_spans = spans
                value.span = values.key_spans[key]
        elif isinstance(value, SpannedList):
            value.item_spans = []
            value.span = values.key_spans.get(key, source.span)
            _drop_spans(value)
        elif isinstance(value, SpannedDict):
            value.span = values.key_spans.get(key, source.span)
            value.key_spans = {}
            _drop_spans(value)


def _drop_spans(value: Any) -> None:
    """Spans into the plan file are meaningless once the resource points at the .tf source."""
    items = value.values() if isinstance(value, Mapping) else value if isinstance(value, list) else []
    for item in items:
        if isinstance(item, SpannedDict):
            item.key_spans = {}
            item.span = None
            _drop_spans(item)
        elif isinstance(item, SpannedList):
            item.item_spans = []
            item.span = None
            _drop_spans(item)
