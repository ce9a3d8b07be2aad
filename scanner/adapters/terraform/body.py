"""Reading a Terraform resource body (plan-JSON shape) field by field, and the fields every
Terraform model object shares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.adapters import common
from scanner.adapters.common import APPLY, is_unset, nested_fields, resource_fields
from scanner.adapters.raw import RawResource
from scanner.model import Cidr, MaybeBool, MaybeInt, MaybeStr, Ref
from scanner.values import Span, SpannedDict, SpannedList, Unknown, is_download


class Body:
    """A mapping from the template, read field by field. Each read that names a model
    field records the line the user edits to change it under that field name (first read
    wins; ``scanner.model``): the attribute's line, or where the variable it passes on is
    set (``SpannedDict.set_spans``), then the attribute's line in ``attr_written``. In a
    downloaded module (``shown``: the module call standing for it) a line inside the
    download becomes ``shown``. An unset value (``None``, ``""``, ``[]``) records none."""

    def __init__(self, data: Any, span: Span, shown: Span | None = None) -> None:
        self.data: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        self.span = data.span if isinstance(data, SpannedDict) and data.span is not None else span
        self.attr_spans: dict[str, Span] = {}
        self.attr_written: dict[str, Span] = {}
        self.shown = shown

    def key_span(self, key: str) -> Span | None:
        if isinstance(self.data, SpannedDict):
            return self.data.key_spans.get(key)
        return None

    def get(self, key: str, field: str | None = None) -> Any:
        value = self.data.get(key)
        if field is not None and not is_unset(value) and field not in self.attr_spans:
            found = self.key_span(key)
            if found is not None:
                set_spans = self.data.set_spans if isinstance(self.data, SpannedDict) else None
                edited = set_spans.get(key, found) if set_spans is not None else found
                if self.shown is not None and is_download(edited.file):
                    edited = self.shown
                self.attr_spans[field] = edited
                if edited != found:
                    self.attr_written[field] = found
        return value

    def ref(self, key: str, field: str | None = None) -> Ref | None:
        return common.as_ref(self.get(key, field), APPLY)

    def refs(self, key: str, field: str | None = None) -> tuple[Ref, ...]:
        return common.as_refs(self.get(key, field), APPLY)

    def text(self, key: str, field: str | None = None) -> MaybeStr:
        return common.as_str(self.get(key, field), APPLY)

    def flag(self, key: str, field: str | None = None) -> MaybeBool:
        return common.as_bool(self.get(key, field), APPLY)

    def number(self, key: str, field: str | None = None) -> MaybeInt:
        return common.as_int(self.get(key, field), APPLY)

    def cidrs(self, key: str, field: str | None = None) -> tuple[Cidr, ...]:
        return common.as_cidrs(self.get(key, field), APPLY)

    def protocol(self, key: str, field: str | None = None) -> MaybeStr:
        return normalize_protocol(self.get(key, field))

    def blocks(self, key: str, field: str | None = None) -> list[Body]:
        """The nested blocks under ``key`` (a list of mappings or a single mapping)."""
        value = self.get(key, field)
        if isinstance(value, Mapping):
            return [Body(value, self.key_span(key) or self.span, self.shown)]
        if not isinstance(value, list):
            return []
        found = []
        for index, item in enumerate(value):
            if not isinstance(item, Mapping):
                continue
            item_span = None
            if isinstance(value, SpannedList) and index < len(value.item_spans):
                item_span = value.item_spans[index]
            found.append(Body(item, item_span or self.key_span(key) or self.span, self.shown))
        return found

    def block(self, key: str, field: str | None = None) -> Body | None:
        blocks = self.blocks(key, field)
        return blocks[0] if blocks else None

    def is_unknown(self, key: str) -> bool:
        return isinstance(self.data.get(key), Unknown)


def normalize_protocol(value: Any) -> MaybeStr:
    """A ``protocol`` / ``ip_protocol`` as the model holds it: "tcp" -> "6", "all" -> "-1"
    (``scanner.adapters.common.as_protocol``)."""
    return common.as_protocol(value, APPLY)


def aws_name(body: Body) -> MaybeStr:
    """The AWS name: ``name``, else the ``Name`` tag."""
    name = body.text("name")
    if name is not None:
        return name
    tags = body.get("tags")
    if isinstance(tags, Mapping):
        return common.as_str(tags.get("Name"), APPLY)
    return None


def base_fields(raw: RawResource, body: Body) -> dict[str, Any]:
    """The fields of the model object a resource becomes."""
    return resource_fields(raw, body.attr_spans, aws_name(body), body.attr_written)


def block_fields(raw: RawResource, address: str, block: Body) -> dict[str, Any]:
    """The fields of a model object written as a block inside ``raw`` (an inline rule or route)."""
    return nested_fields(raw, address, block.span, block.attr_spans, block.attr_written)
