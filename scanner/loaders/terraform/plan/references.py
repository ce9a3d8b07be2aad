"""Configuration references -> planned resources: the ``references`` the plan's
``configuration`` keeps for each attribute (``aws_security_group.web.id``, ``var.x`` of a
module call, ``module.m.output``) are resolved to planned addresses (``Resolver``) and put
back into the planned values as ``ResourceRef``s (``apply_expressions``): where the value is
unknown, and where a known value is exactly the referenced resource's attribute."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from scanner.loaders.terraform.plan.planned import INDEX, Plan, Planned, Scope, index_value, module_call
from scanner.values import ResourceRef, Span, SpannedDict, SpannedList, Unknown

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_RESOURCE_REF = re.compile(rf"^([A-Za-z][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)({INDEX})?(?:\.([A-Za-z0-9_-]+))?")
_MODULE_REF = re.compile(rf"^module\.([A-Za-z_][A-Za-z0-9_-]*)({INDEX})?(?:\.([A-Za-z0-9_-]+))?")
_NOT_RESOURCES = ("local.", "each.", "count.", "path.", "self.", "terraform.", "data.")


def _expression_refs(expression: Any) -> list[str]:
    """Every reference string in an expression (or a list of block expressions)."""
    found: list[str] = []
    if isinstance(expression, Mapping):
        refs = expression.get("references")
        if isinstance(refs, list):
            found.extend(ref for ref in refs if isinstance(ref, str))
        for key, value in expression.items():
            if key not in ("references", "constant_value") and isinstance(value, (Mapping, list)):
                found.extend(_expression_refs(value))
    elif isinstance(expression, list):
        for item in expression:
            found.extend(_expression_refs(item))
    return found


class Resolver:
    """Configuration references -> planned resource addresses."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def resolve(self, refs: list[str], scope: Scope, referrer: Planned | None, depth: int = 0) -> list[ResourceRef]:
        found: dict[str, ResourceRef] = {}
        # "aws_sg.web.id" and "aws_sg.web" both come: the longer one names the attribute.
        for text in sorted(refs, key=len, reverse=True):
            for ref in self._resolve_one(text, refs, scope, referrer, depth):
                found.setdefault(ref.address, ref)
        return list(found.values())

    def _resolve_one(
        self, text: str, all_refs: list[str], scope: Scope, referrer: Planned | None, depth: int
    ) -> list[ResourceRef]:
        if depth > 16 or text.startswith(_NOT_RESOURCES):
            return []
        if text.startswith("var."):
            return self._variable(text[4:], scope, depth)
        if text.startswith("module."):
            return self._module_output(text, scope, depth)
        match = _RESOURCE_REF.match(text)
        if match is None:
            return []
        resource_type, name, index_text, attribute = match.groups()
        candidates = self.plan.by_scope.get((scope.address, resource_type, name), [])
        wanted = index_value(index_text)
        if wanted is not None:
            candidates = [planned for planned in candidates if planned.index == wanted]
        elif (
            len(candidates) > 1
            and referrer is not None
            and referrer.index is not None
            and ("count.index" in all_refs or "each.key" in all_refs or "each.value" in all_refs)
        ):
            # aws_subnet.public[count.index]: the instance with the referrer's own index
            same = [planned for planned in candidates if planned.index == referrer.index]
            candidates = same or candidates
        return [ResourceRef(planned.address, attribute or "id") for planned in candidates]

    def _variable(self, rest: str, scope: Scope, depth: int) -> list[ResourceRef]:
        if scope.parent is None:
            return []
        name = _NAME.match(rest)
        if name is None:
            return []
        call = module_call(scope.parent, scope.call_name)
        expressions = call.get("expressions") or {}
        expression = expressions.get(name.group()) if isinstance(expressions, Mapping) else None
        return self.resolve(_expression_refs(expression), scope.parent, None, depth + 1)

    def _module_output(self, text: str, scope: Scope, depth: int) -> list[ResourceRef]:
        match = _MODULE_REF.match(text)
        if match is None or match.group(3) is None:
            return []
        name, index_text, output = match.groups()
        outputs = (module_call(scope, name).get("module") or {}).get("outputs") or {}
        definition = outputs.get(output) if isinstance(outputs, Mapping) else None
        if not isinstance(definition, Mapping):
            return []
        refs = _expression_refs(definition.get("expression"))
        wanted = index_value(index_text)
        found: list[ResourceRef] = []
        for child in scope.children:
            if child.call_name == name and (wanted is None or child.call_index == wanted):
                found.extend(self.resolve(refs, child, None, depth + 1))
        return found


def _stem(key: str) -> str:
    for suffix in ("_ids", "_id", "_arns", "_arn", "_names", "_name", "s"):
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def _plausible(key: str, refs: list[ResourceRef]) -> list[ResourceRef]:
    """Of several references, those whose type fits the attribute (gateway_id -> a gateway)."""
    stem = _stem(key)
    fitting = []
    for ref in refs:
        resource_type = ref.address.split(".")[-2] if "." in ref.address else ref.address
        resource_type = re.sub(r"\[.*$", "", resource_type)
        kind = resource_type.removeprefix("aws_")
        if stem and (stem in resource_type or kind in key):
            fitting.append(ref)
    return fitting or refs


def _refs_for(key: str, refs: list[ResourceRef], reason: Unknown) -> Any:
    chosen = _plausible(key, refs)
    if len(chosen) == 1:
        return chosen[0]
    if chosen:
        return list(chosen)
    return reason


def _apply_refs(value: Any, key: str, refs: list[ResourceRef], plan: Plan) -> Any:
    """Unknowns covered by these references become them; a known string equal to a
    referenced resource's attribute becomes a reference to it."""
    if not refs:
        return value
    if isinstance(value, Unknown):
        return _refs_for(key, refs, value)
    if isinstance(value, str):
        for ref in refs:
            if plan.value_of(ref.address, ref.attribute) == value:
                return ref
        return value
    if isinstance(value, list):
        expanded: list[Any] = []
        spans: list[Span | None] = []
        for position, item in enumerate(value):
            replaced = _apply_refs(item, key, refs, plan)
            item_span = (
                value.item_spans[position]
                if isinstance(value, SpannedList) and position < len(value.item_spans)
                else None
            )
            # an unknown item standing for several resources (aws_subnet.public[*].id) becomes all of them
            items = replaced if isinstance(replaced, list) and isinstance(item, Unknown) else [replaced]
            expanded.extend(items)
            spans.extend([item_span] * len(items))
        result = SpannedList(expanded, span=getattr(value, "span", None), item_spans=spans)
        return result
    if isinstance(value, Mapping):
        for inner_key in list(value):
            value[inner_key] = _apply_refs(value[inner_key], inner_key, refs, plan)  # type: ignore[index]
        return value
    return value


def apply_expressions(
    values: SpannedDict, expressions: Mapping[str, Any], scope: Scope, planned: Planned, resolver: Resolver
) -> None:
    for key, expression in expressions.items():
        if key not in values:
            continue
        if isinstance(expression, list):
            # nested blocks written as blocks: one expression mapping per block
            blocks = values[key]
            if isinstance(blocks, list):
                for position, block in enumerate(blocks):
                    block_expression = expression[position] if position < len(expression) else None
                    if isinstance(block, SpannedDict) and isinstance(block_expression, Mapping):
                        apply_expressions(block, block_expression, scope, planned, resolver)
            continue
        refs = resolver.resolve(_expression_refs(expression), scope, planned)
        values[key] = _apply_refs(values[key], key, refs, resolver.plan)
