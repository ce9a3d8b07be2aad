"""Reading a CloudFormation resource's Properties, and the fields every CloudFormation model
object shares.

``attr_spans`` are keyed by model field names and point at the property that sets the
field (``http_tokens`` -> the ``HttpTokens:`` line). Objects written inside another resource
(security group rules, inline ENIs, target group ``Targets``, classic listeners, inline
policies, ``ManagedPolicyArns`` items) get derived addresses such as
``WebSG.SecurityGroupIngress[0]`` and the span of their list item. An item the loader marks
as one that may not exist (``!If [c, item, !Ref AWS::NoValue]`` on an unknown condition:
``SpannedList.item_existence``) makes an object with that ``existence`` (joined with the
resource's own).

The value readers are ``scanner.adapters.common``'s, with CloudFormation's word for when a
resource attribute becomes known: "deployment".
"""

from __future__ import annotations

from typing import Any

from scanner.adapters import common
from scanner.adapters.common import DEPLOYMENT, nested_fields, resource_fields
from scanner.adapters.raw import RawResource
from scanner.model import Cidr, MaybeBool, MaybeInt, MaybeStr, Ref
from scanner.values import ResourceRef, Span, SpannedDict, Unknown, existence_of, span_of


def get_in(container: Any, *path: str | int) -> Any:
    """The value at ``path`` (keys and list indexes), None where it is not written."""
    for step in path:
        if isinstance(step, str) and isinstance(container, dict):
            container = container.get(step)
        elif isinstance(step, int) and isinstance(container, list) and 0 <= step < len(container):
            container = container[step]
        else:
            return None
    return container


def span_in(container: Any, *path: str | int) -> Span | None:
    """The span of the entry at ``path``, only when that entry is written."""
    for index, step in enumerate(path):
        last = index == len(path) - 1
        present = (isinstance(step, str) and isinstance(container, dict) and step in container) or (
            isinstance(step, int) and isinstance(container, list) and 0 <= step < len(container)
        )
        if not present:
            return None
        if last:
            return span_of(container, step)
        container = container[step]
    return span_of(container)


class Fields:
    """Reads properties and remembers, under each model field name, the line the user edits
    to change it (``scanner.model``): the property's line, or for ``!Ref Param`` the
    parameter's ``Default`` line (``SpannedDict.set_spans``), the property's own line then
    in ``written``."""

    def __init__(self, body: Any) -> None:
        self.body = body
        self.spans: dict[str, Span] = {}
        self.written: dict[str, Span] = {}

    def take(self, field: str, *path: str | int) -> Any:
        value = get_in(self.body, *path)
        if value is not None and field not in self.spans:
            span = span_in(self.body, *path)
            if span is not None:
                self.spans[field] = span
                parent = get_in(self.body, *path[:-1]) if path and isinstance(path[-1], str) else None
                set_spans = parent.set_spans if isinstance(parent, SpannedDict) else None
                if set_spans is not None and path[-1] in set_spans and set_spans[str(path[-1])] != span:
                    self.spans[field] = set_spans[str(path[-1])]
                    self.written[field] = span
        return value

    def first(self, field: str, *paths: tuple[str | int, ...]) -> Any:
        for path in paths:
            value = self.take(field, *path)
            if value is not None:
                return value
        return None


def as_ref(value: Any) -> Ref | None:
    return common.as_ref(value, DEPLOYMENT)


def as_refs(value: Any) -> tuple[Ref, ...]:
    return common.as_refs(value, DEPLOYMENT)


def as_str(value: Any) -> MaybeStr:
    return common.as_str(value, DEPLOYMENT)


def as_cidrs(value: Any) -> tuple[Cidr, ...]:
    return common.as_cidrs(value, DEPLOYMENT)


def as_bool(value: Any) -> MaybeBool:
    return common.as_bool(value, DEPLOYMENT)


def as_int(value: Any) -> MaybeInt:
    return common.as_int(value, DEPLOYMENT)


def as_protocol(value: Any) -> MaybeStr:
    return common.as_protocol(value, DEPLOYMENT)


def own_ref(raw: RawResource) -> ResourceRef:
    return ResourceRef(raw.address, "Ref")


def aws_name(body: Any, *keys: str) -> MaybeStr:
    """The AWS name: the first of ``keys`` written, else the ``Name`` tag."""
    for key in keys:
        value = get_in(body, key)
        if value is not None:
            return as_str(value)
    tags = get_in(body, "Tags")
    if isinstance(tags, list):
        for tag in tags:
            if isinstance(tag, dict) and tag.get("Key") == "Name":
                return as_str(tag.get("Value"))
    return None


def base_fields(raw: RawResource, fields: Fields, *name_keys: str) -> dict[str, Any]:
    """The fields of the model object a resource becomes; ``name_keys`` name it."""
    return resource_fields(raw, fields.spans, aws_name(raw.body, *name_keys), fields.written)


def derived(raw: RawResource, key: str, index: int, container: Any, fields: Fields) -> dict[str, Any]:
    """Base fields of an object written as item ``index`` of the list property ``key``."""
    span = span_of(container, index, raw.span) or raw.span
    base = nested_fields(raw, f"{raw.address}.{key}[{index}]", span, fields.spans, fields.written)
    item_existence = existence_of(container, index)
    if item_existence is not None:
        base["existence"] = _joined(raw.existence, item_existence)
    return base


def _joined(resource: Unknown | None, item: Unknown) -> Unknown:
    """The existence of an item that may not exist, inside a resource that may not either."""
    if resource is None or resource == item:
        return item
    origins = tuple(dict.fromkeys((*resource.origins, *item.origins)))
    return Unknown(f"{resource.reason}; {item.reason}", resource.refs + item.refs, origins)


def items_of(value: Any) -> list[tuple[int, Any]]:
    """List items with their index; a whole-list Unknown is one unknown item."""
    if isinstance(value, list):
        return list(enumerate(value))
    if value is None:
        return []
    return [(0, value)]
