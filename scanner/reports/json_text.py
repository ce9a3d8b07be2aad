"""Indented JSON text, byte for byte what ``json.dumps(value, indent=2, sort_keys=True,
ensure_ascii=False, default=str)`` writes, several times faster: the standard library falls
back to its pure-Python generator encoder whenever ``indent`` is set, which dominated the
report time of a 10,000-instance estate. Anything this writer does not handle the same way
(keys that are not strings) goes to ``json.dumps`` itself.

A report holds a few dozen kinds of object (a location, a path step ...) millions of times,
so for each set of keys at each depth the sorted keys and the text before each value (line
break, indentation, quoted key, colon) are worked out once and kept in ``_SHAPES`` for the
length of one call."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring  # the C implementation when available
from typing import Any

_INDENT = "  "

# (indentation of the items, the dict's keys in its own order) -> (key, text before its
# value) in sorted order
_SHAPES: dict[tuple[str, tuple[Any, ...]], tuple[tuple[str, str], ...]] = {}


class _NotPlain(Exception):
    """A value this writer leaves to ``json.dumps``."""


class LazyItems:
    """A list written as its items are made (``write_indented``): a large report's
    exposures, each rendered, written and dropped in turn instead of held all at once."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)


class Rendered(str):
    """An item of a ``LazyItems`` list already written as indented JSON text at the depth
    of the list's items (``items_text``): written as it is."""


def _item_text(value: Any, indent: str) -> str:
    parts: list[str] = []
    try:
        _write(value, indent, parts)
        return "".join(parts)
    except _NotPlain:
        text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
        return text.replace("\n", "\n" + indent)


def items_text(values: Iterable[Any], indent: str) -> list[Rendered]:
    """``values`` as ``write_indented`` writes the items of a list whose items are indented
    by ``indent``, each on its own."""
    try:
        return [Rendered(_item_text(value, indent)) for value in values]
    finally:
        _SHAPES.clear()  # keys can be user text (tags, parameters): keep none across reports


class _Sink(list[str]):
    """The pieces written so far, handed to ``write`` now and then."""

    def __init__(self, write: Callable[[str], object]) -> None:
        super().__init__()
        self.write = write

    def flush(self) -> None:
        self.write("".join(self))
        self.clear()


def write_indented(value: Any, write: Callable[[str], object]) -> None:
    """``dumps_indented(value)`` handed to ``write`` in pieces; a ``LazyItems`` list is
    rendered an item at a time. An item this writer cannot write exactly is written by
    ``json.dumps`` (the rest of the text is already out)."""
    sink = _Sink(write)
    try:
        _write(value, "", sink)
        sink.flush()
    finally:
        _SHAPES.clear()


def dumps_indented(value: Any) -> str:
    try:
        parts: list[str] = []
        _write(value, "", parts)
        return "".join(parts)
    except _NotPlain:
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    finally:
        _SHAPES.clear()  # keys can be user text (tags, parameters): keep none across reports


def _write(value: Any, indent: str, parts: list[str]) -> None:
    kind = type(value)  # containers first: scalars inside containers are written in place
    if kind is LazyItems:
        _write_lazy(value, indent, parts)
    elif kind is dict:
        if value:
            _write_dict(value, indent, parts)
        else:
            parts.append("{}")
    elif kind is list or kind is tuple:
        if value:
            _write_list(value, indent, parts)
        else:
            parts.append("[]")
    elif isinstance(value, str):
        parts.append(encode_basestring(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _NotPlain
        parts.append(float.__repr__(value))
    elif isinstance(value, dict):  # a subclass: written as the dict it holds
        _write(dict(value), indent, parts)
    elif isinstance(value, (list, tuple)):
        _write(list(value), indent, parts)
    else:
        parts.append(encode_basestring(str(value)))


def _write_dict(value: dict[Any, Any], indent: str, parts: list[str]) -> None:
    inner = indent + _INDENT
    shape_key = (inner, tuple(value))
    shape = _SHAPES.get(shape_key)
    if shape is None:
        keys = sorted(value)
        if not all(isinstance(key, str) for key in keys):
            raise _NotPlain
        shape = _SHAPES[shape_key] = tuple(
            (key, ("\n" if number == 0 else ",\n") + inner + encode_basestring(key) + ": ")
            for number, key in enumerate(keys)
        )
    parts.append("{")
    for key, head in shape:
        item = value[key]
        kind = type(item)
        # Most values are plain scalars: one piece each, without a call per value.
        if kind is str:
            parts.append(head + encode_basestring(item))
        elif item is None:
            parts.append(head + "null")
        elif kind is bool:
            parts.append(head + ("true" if item else "false"))
        elif kind is int:
            parts.append(head + int.__repr__(item))
        else:
            parts.append(head)
            _write(item, inner, parts)
    parts.append("\n" + indent + "}")


def _write_list(value: list[Any] | tuple[Any, ...], indent: str, parts: list[str]) -> None:
    inner = indent + _INDENT
    separator = ",\n" + inner
    # Items near the top (each exposure) are joined as they are written: a list of every
    # small piece of a 10,000-workload report cost hundreds of megabytes.
    near_top = len(inner) <= 2 * len(_INDENT)
    parts.append("[\n" + inner)
    first = True
    for item in value:
        if first:
            first = False
        else:
            parts.append(separator)
        if type(item) is str:
            parts.append(encode_basestring(item))
        elif near_top:
            item_parts: list[str] = []
            _write(item, inner, item_parts)
            parts.append("".join(item_parts))
        else:
            _write(item, inner, parts)
    parts.append("\n" + indent + "]")


def _write_lazy(value: LazyItems, indent: str, parts: list[str]) -> None:
    inner = indent + _INDENT
    written = False
    for item in value:
        parts.append(",\n" + inner if written else "[\n" + inner)
        written = True
        if type(item) is Rendered:
            parts.append(item)
        else:
            parts.append(_item_text(item, inner))
        if isinstance(parts, _Sink) and len(parts) > 64:
            parts.flush()
    parts.append("\n" + indent + "]" if written else "[]")
