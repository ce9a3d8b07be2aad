"""Configuration references -> planned resources, for a plan read without its ``.tf`` files.

``terraform show -json`` keeps, for each attribute of the configuration, only the list of
what its expression references (``aws_security_group.web.id``, ``var.x``, ``local.y``,
``each.value``, ``module.m.output``), never the expression. ``Resolver`` follows them to
planned addresses: a resource (an index it names, or the referrer's own ``count.index`` /
``each.key``, or every instance), a module variable (the calling expression, in the
calling module), a module output (its expression, in every instance of the call). Where the
plan has no answer it says so (``Resolution.unfollowed``):

* ``local.*``: a plan keeps no locals;
* ``each.value``: the plan keeps the ``for_each`` expression's references, not which element
  an instance got; its references are what the value may name;
* a root ``var.*`` next to resource references: the variable chooses between them
  (``var.public ? a.id : b.id``, ``try(x[var.k].id, y.id)``), and the plan does not say how.

References to resources alone are read as naming all of them: in a plan,
``[a.id, b.id]`` and ``try([a.id], [b.id])`` look the same (for an attribute that holds one
value, several resources are "one of several values" all the same, which the adapters read
as Unknown). Only the source tells them apart.

``apply_expressions`` puts the result back into the planned values:

* a value known in the plan wins over its references: it stays, except that a known
  ``id`` / ``arn`` / ``name`` / ``unique_id`` equal to a referenced resource's (in
  ``planned_values`` or ``prior_state``) is that resource: a ``ResourceRef``, as the HCL
  evaluator reads an identity attribute (``iam_instance_profile = "web"``);
* a value only known after apply whose references were all followed becomes them
  (``ResourceRef``s, the edges);
* one whose references were not all followed stays ``Unknown``, carrying every resource they
  may name (so no edge is silently absent, and none is stated as fact);
* one whose expression reads only values Terraform knows while planning (root variables,
  ``count.index``, ``each.key``, ``path.*``) yet is unknown in the plan: the expression was
  null (a known non-null value is planned as it is), so the provider computes the attribute
  and it is "not set" (None), as in the HCL. The one exception Terraform has, a function
  unknown while planning (``uuid()``, ``timestamp()``) next to such values, is not told apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from scanner.frozen import frozen
from scanner.loaders.terraform.plan.planned import INDEX, Plan, Planned, Scope, index_value, module_call
from scanner.loaders.terraform.plan.unknowns import plan_origins, with_origins
from scanner.values import ResourceRef, Span, SpannedDict, SpannedList, Unknown

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_RESOURCE_REF = re.compile(rf"^([A-Za-z][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)({INDEX})?(?:\.([A-Za-z0-9_-]+))?")
_MODULE_REF = re.compile(rf"^module\.([A-Za-z_][A-Za-z0-9_-]*)({INDEX})?(?:\.([A-Za-z0-9_-]+))?")
_KNOWN_WHILE_PLANNING = ("count.", "each.key", "path.", "terraform.")  # never a link, always known
_MAX_DEPTH = 16


def expression_refs(expression: Any) -> list[str]:
    """Every reference string in an expression (or a list of block expressions)."""
    found: list[str] = []
    if isinstance(expression, Mapping):
        refs = expression.get("references")
        if isinstance(refs, list):
            found.extend(ref for ref in refs if isinstance(ref, str))
        for key, value in expression.items():
            if key not in ("references", "constant_value") and isinstance(value, (Mapping, list)):
                found.extend(expression_refs(value))
    elif isinstance(expression, list):
        for item in expression:
            found.extend(expression_refs(item))
    return found


def for_each_refs(block: Mapping[str, Any] | None) -> list[str]:
    """The references of a resource's or module call's ``for_each`` expression."""
    return expression_refs(block.get("for_each_expression")) if isinstance(block, Mapping) else []


@frozen
class Resolution:
    """What an expression's references name: planned resources (``refs``), and the
    references the plan could not follow (``unfollowed``: then ``refs`` is what the value
    may name, not what it names)."""

    refs: tuple[ResourceRef, ...] = ()
    unfollowed: tuple[str, ...] = ()

    def __add__(self, other: Resolution) -> Resolution:
        # one reference per resource: the first found (the longest text, naming the attribute)
        refs = {ref.address: ref for ref in self.refs}
        for ref in other.refs:
            refs.setdefault(ref.address, ref)
        unfollowed = dict.fromkeys(self.unfollowed)
        unfollowed.update(dict.fromkeys(other.unfollowed))
        return Resolution(tuple(refs.values()), tuple(unfollowed))


class Resolver:
    """Configuration references -> planned resource addresses."""

    def __init__(self, plan: Plan) -> None:
        from scanner.loaders.terraform.eval.objects import IDENTITY_ATTRIBUTES  # the HCL evaluator's

        self.plan = plan
        self.identity_attributes = IDENTITY_ATTRIBUTES

    def resolve(
        self, refs: Sequence[str], scope: Scope, referrer: Planned | None, each: Sequence[str] = (), depth: int = 0
    ) -> Resolution:
        """What ``refs`` (one expression's, in ``scope``) name; ``referrer``: the resource
        instance the expression is written in, ``each``: its ``for_each`` references."""
        result = Resolution()
        names_resources = any(_names_a_resource(text) for text in refs)
        # terraform lists every prefix of a traversal ("aws_sg.x["a"].id", "aws_sg.x["a"]",
        # "aws_sg.x"): the longest names what is read, a prefix of it adds nothing
        longest = [text for text in refs if not any(other.startswith((f"{text}.", f"{text}[")) for other in refs)]
        for text in sorted(longest, key=len, reverse=True):
            result = result + self._resolve_one(text, refs, scope, referrer, each, depth, names_resources)
        return result

    def _resolve_one(
        self,
        text: str,
        all_refs: Sequence[str],
        scope: Scope,
        referrer: Planned | None,
        each: Sequence[str],
        depth: int,
        names_resources: bool,
    ) -> Resolution:
        if depth > _MAX_DEPTH:
            return Resolution((), (text,))
        if text.startswith(_KNOWN_WHILE_PLANNING) or text.startswith(("self.", "data.")):
            return Resolution()  # an index, a constant, or a data source: no planned resource
        if text.startswith("local."):
            return Resolution((), (text,))
        if text.startswith("each."):
            return Resolution(self.resolve(each, scope, None, (), depth + 1).refs, (text,))
        if text.startswith("var."):
            if scope.parent is None:
                # a root variable's value is known; next to resources it chooses between them
                return Resolution((), (text,)) if names_resources else Resolution()
            return self._variable(text[4:], scope, depth)
        if text.startswith("module."):
            return self._module_output(text, scope, depth)
        match = _RESOURCE_REF.match(text)
        if match is None:
            return Resolution((), (text,))
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
        return Resolution(tuple(ResourceRef(planned.address, attribute or "id") for planned in candidates))

    def _variable(self, rest: str, scope: Scope, depth: int) -> Resolution:
        assert scope.parent is not None
        name = _NAME.match(rest)
        if name is None:
            return Resolution((), (f"var.{rest}",))
        call = module_call(scope.parent, scope.call_name)
        expressions = call.get("expressions") or {}
        expression = expressions.get(name.group()) if isinstance(expressions, Mapping) else None
        return self.resolve(expression_refs(expression), scope.parent, None, for_each_refs(call), depth + 1)

    def _module_output(self, text: str, scope: Scope, depth: int) -> Resolution:
        match = _MODULE_REF.match(text)
        if match is None or match.group(3) is None:
            return Resolution((), (text,))
        name, index_text, output = match.groups()
        outputs = (module_call(scope, name).get("module") or {}).get("outputs") or {}
        definition = outputs.get(output) if isinstance(outputs, Mapping) else None
        if not isinstance(definition, Mapping):
            return Resolution((), (text,))
        refs = expression_refs(definition.get("expression"))
        wanted = index_value(index_text)
        found = Resolution()
        for child in scope.children:
            if child.call_name == name and (wanted is None or child.call_index == wanted):
                found = found + self.resolve(refs, child, None, (), depth + 1)
        return found

    def known_while_planning(self, refs: Sequence[str], scope: Scope, each: Sequence[str], depth: int = 0) -> bool:
        """Do ``refs`` read only values Terraform knows while planning (root variables,
        ``count.index``, ``each.key``, ``path.*``, and module variables and ``each.value``
        made of them)? An empty list is not: the expression may call ``uuid()``."""
        if not refs or depth > _MAX_DEPTH:
            return False
        return all(self._known_one(text, scope, each, depth) for text in refs)

    def _known_one(self, text: str, scope: Scope, each: Sequence[str], depth: int) -> bool:
        if text.startswith(_KNOWN_WHILE_PLANNING):
            return True
        if text.startswith("each."):
            return self.known_while_planning(each, scope, (), depth + 1)
        if not text.startswith("var."):
            return False
        return scope.parent is None or self._variable_known(text[4:], scope, scope.parent, depth)

    def _variable_known(self, rest: str, scope: Scope, parent: Scope, depth: int) -> bool:
        """Is a module variable's calling expression known while planning (or absent: its default)?"""
        name = _NAME.match(rest)
        if name is None:
            return False
        call = module_call(parent, scope.call_name)
        expressions = call.get("expressions") or {}
        expression = expressions.get(name.group()) if isinstance(expressions, Mapping) else None
        inner = expression_refs(expression)
        return not inner or self.known_while_planning(inner, parent, for_each_refs(call), depth + 1)


def _names_a_resource(text: str) -> bool:
    """A reference that may lead to a planned resource (not an index, constant or variable)."""
    return not text.startswith((*_KNOWN_WHILE_PLANNING, "self.", "data.", "var."))


def _stem(key: str) -> str:
    for suffix in ("_ids", "_id", "_arns", "_arn", "_names", "_name", "s"):
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def _plausible(key: str, refs: Sequence[ResourceRef]) -> list[ResourceRef]:
    """Of several references, those whose type fits the attribute (gateway_id -> a gateway)."""
    stem = _stem(key)
    fitting = []
    for ref in refs:
        resource_type = ref.address.split(".")[-2] if "." in ref.address else ref.address
        resource_type = re.sub(r"\[.*$", "", resource_type)
        kind = resource_type.removeprefix("aws_")
        if stem and (stem in resource_type or kind in key):
            fitting.append(ref)
    return fitting or list(refs)


def _not_followed(reason: Unknown, key: str, resolution: Resolution) -> Unknown:
    written = ", ".join(resolution.unfollowed)
    return Unknown(
        f"{reason.reason}; it is computed from {written}, which a plan does not resolve "
        f"(scan the plan with --source DIR to follow it)",
        tuple(_plausible(key, resolution.refs)),
        reason.origins,
    )


def _refs_for(key: str, resolution: Resolution, reason: Unknown) -> Any:
    if resolution.unfollowed:
        return _not_followed(reason, key, resolution)
    chosen = _plausible(key, resolution.refs)
    if len(chosen) == 1:
        return chosen[0]
    if chosen:
        return list(chosen)
    return reason


class _Applier:
    """Puts one expression's resolution back into its planned value."""

    def __init__(self, resolution: Resolution, resolver: Resolver, fill_only: bool) -> None:
        self.resolution = resolution
        self.resolver = resolver
        self.fill_only = fill_only
        # only the references an identity attribute is read from can be a known value's resource
        self.identities = [ref for ref in resolution.refs if ref.attribute in resolver.identity_attributes]

    def apply(self, value: Any, key: str) -> Any:
        if isinstance(value, Unknown):
            if self.fill_only and value.refs:
                return value
            return _refs_for(key, self.resolution, value)
        if isinstance(value, str) and not self.fill_only:
            for ref in self.identities:
                if self.resolver.plan.value_of(ref.address, ref.attribute) == value:
                    return ref
            return value
        if isinstance(value, list):
            expanded: list[Any] = []
            spans: list[Span | None] = []
            for position, item in enumerate(value):
                replaced = self.apply(item, key)
                item_span = (
                    value.item_spans[position]
                    if isinstance(value, SpannedList) and position < len(value.item_spans)
                    else None
                )
                # an unknown item standing for several resources (aws_subnet.public[*].id) becomes all of them
                items = replaced if isinstance(replaced, list) and isinstance(item, Unknown) else [replaced]
                expanded.extend(items)
                spans.extend([item_span] * len(items))
            return SpannedList(expanded, span=getattr(value, "span", None), item_spans=spans)
        if isinstance(value, Mapping):
            for inner_key in list(value):
                value[inner_key] = self.apply(value[inner_key], inner_key)  # type: ignore[index]
            return value
        return value


def apply_expressions(
    values: SpannedDict,
    expressions: Mapping[str, Any],
    scope: Scope,
    planned: Planned,
    resolver: Resolver,
    each: Sequence[str] = (),
    fill_only: bool = False,
) -> None:
    """Resolve each configured attribute's references into its planned value (see the
    module docstring); ``each``: the resource's ``for_each`` references. ``fill_only``: only
    Unknowns that name no resource change (what the evaluated source left unknown)."""
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
                        apply_expressions(block, block_expression, scope, planned, resolver, each, fill_only)
            continue
        refs = expression_refs(expression)
        origins = plan_origins(refs, scope.address)
        if origins:
            values[key] = with_origins(values[key], origins)
        unknown = values[key]
        if isinstance(unknown, Unknown) and not unknown.refs and resolver.known_while_planning(refs, scope, each):
            values[key] = None  # null in the configuration: the provider's default, "not set"
            continue
        resolution = resolver.resolve(refs, scope, planned, each)
        if resolution.refs or resolution.unfollowed:
            values[key] = _Applier(resolution, resolver, fill_only).apply(values[key], key)
