"""Values known only after apply: ``after_unknown`` marks become ``Unknown`` where the
configuration sets the value (``merge_unknowns``; an unknown the configuration does not set is
a provider default, so it stays "not set"), and ``count_unknowns`` counts them.

``plan_origins`` names the open inputs an unknown's expression reads that a plan shows by
their reference alone: a data source (``data.aws_subnet.app``, kind ``data_source``) or a
remote state (``terraform_remote_state``, kind ``remote_state``), in the module that reads
it; ``with_origins`` gives them to the unknowns of a value that name none yet. The plan keeps
no line of the ``data`` block, so these origins have no span."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.values import Origin, SpannedDict, Unknown


def _unknown(address: str, path: str) -> Unknown:
    return Unknown(f"{address}.{path} is only known after apply")


def _is_leaf(expression: Any) -> bool:
    """An attribute's expression (it covers every value inside it), not a block's attributes."""
    return isinstance(expression, Mapping) and set(expression) <= {"references", "constant_value"}


def merge_unknowns(values: Any, marks: Any, expression: Any, covered: bool, address: str, path: str) -> Any:
    """Put Unknown where after_unknown says so, when the configuration sets that value:
    ``covered`` (an enclosing attribute expression, or no configuration at all) or an
    expression for it. Unknowns the configuration does not set are provider defaults."""
    configured = covered or expression is not None
    if marks is True:
        return _unknown(address, path) if configured else values
    if isinstance(marks, Mapping) and (values is None or isinstance(values, Mapping)):
        if values is None and not configured:
            return values
        result = values if isinstance(values, SpannedDict) else SpannedDict(values or {})
        for key, mark in marks.items():
            if mark is False or mark == [] or mark == {}:
                continue
            inner = (
                None if covered or _is_leaf(expression) or not isinstance(expression, Mapping) else expression.get(key)
            )
            inner_covered = covered or _is_leaf(expression) or _is_leaf(inner)
            merged = merge_unknowns(
                result.get(key), mark, inner, inner_covered, address, f"{path}.{key}" if path else key
            )
            if merged is not None:
                result[key] = merged
        return result
    if isinstance(marks, list) and isinstance(values, list):
        for position, mark in enumerate(marks):
            if mark is False:
                continue
            while len(values) <= position:
                values.append(None)
            inner = expression[position] if isinstance(expression, list) and position < len(expression) else None
            values[position] = merge_unknowns(
                values[position], mark, inner, covered or _is_leaf(expression), address, f"{path}[{position}]"
            )
        return values
    if isinstance(marks, list) and values is None and configured:
        return _unknown(address, path)
    return values


def count_unknowns(value: Any) -> int:
    if isinstance(value, Unknown):
        return 1
    if isinstance(value, Mapping):
        return sum(count_unknowns(item) for item in value.values())
    if isinstance(value, list):
        return sum(count_unknowns(item) for item in value)
    return 0


def plan_origins(refs: list[str], module_address: str) -> tuple[Origin, ...]:
    """The data sources and remote states among an expression's references, each once."""
    found: dict[Origin, None] = {}
    for ref in refs:
        if not ref.startswith("data."):
            continue
        parts = ref.split(".", 3)
        if len(parts) < 3:
            continue
        data_type, name = parts[1], parts[2].split("[", 1)[0]
        address = f"data.{data_type}.{name}"
        kind = "remote_state" if data_type == "terraform_remote_state" else "data_source"
        found[Origin(kind, f"{module_address}.{address}" if module_address else address)] = None
    return tuple(found)


def with_origins(value: Any, origins: tuple[Origin, ...], depth: int = 0) -> Any:
    """``value`` with ``origins`` given to every Unknown in it that names none."""
    if isinstance(value, Unknown):
        return value if value.origins else Unknown(value.reason, value.refs, origins)
    if depth > 32:
        return value
    if isinstance(value, list):
        for position, item in enumerate(value):
            value[position] = with_origins(item, origins, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            value[key] = with_origins(item, origins, depth + 1)
    return value
