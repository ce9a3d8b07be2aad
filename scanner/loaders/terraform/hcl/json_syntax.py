"""Terraform's JSON syntax (``.tf.json``, ``.tfvars.json``) -> the same syntax tree as HCL.

A JSON reader that keeps every value's line builds ``Body`` / ``Block`` / ``Attribute`` the
way Terraform reads JSON: the top-level keys name block types with their labels, an object
value is a nested block unless the attribute is known to hold a map, and a string holding
``${`` / ``%{`` is a template (read with an ``HclReader``, whose grammar cache is given).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from scanner.frozen import frozen
from scanner.loaders.terraform.hcl.fast_parser import HclReader
from scanner.loaders.terraform.hcl.tree import (
    Attribute,
    Block,
    Body,
    Expr,
    HclSyntaxError,
    Literal,
    ObjectExpr,
    ObjectItem,
    TupleExpr,
    Variable,
)


@frozen
class _JsonNode:
    value: Any  # scalar | list[_JsonNode] | list[tuple[str, int, _JsonNode]] for objects
    kind: str  # scalar | array | object
    line: int
    end_line: int


_JSON_TOKEN = re.compile(
    r"""\s*(?:(?P<punct>[{}\[\],:])|(?P<string>"(?:[^"\\]|\\.)*")|"""
    r"""(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(?P<word>true|false|null))""",
    re.DOTALL,
)


class _JsonReader:
    """A JSON reader that remembers the line of every value (the json module does not)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def _next(self) -> tuple[str, str, int]:
        match = _JSON_TOKEN.match(self.text, self.pos)
        if match is None:
            rest = self.text[self.pos :]
            if not rest.strip():
                raise HclSyntaxError(self.line, "JSON: unexpected end of file")
            self.line += rest[: len(rest) - len(rest.lstrip())].count("\n")
            raise HclSyntaxError(self.line, f"JSON: unexpected text {rest.strip()[:20]!r}")
        kind = match.lastgroup or ""
        token = match.group(kind)
        self.line += self.text.count("\n", self.pos, match.start(kind))
        start_line = self.line
        self.line += token.count("\n")
        self.pos = match.end()
        return kind, token, start_line

    def read(self) -> _JsonNode:
        node = self._value(self._next(), 0)
        if self.text[self.pos :].strip():
            raise HclSyntaxError(self.line, "JSON: text after the end of the document")
        return node

    def _value(self, tok: tuple[str, str, int], depth: int) -> _JsonNode:
        kind, token, line = tok
        if depth > 200:
            raise HclSyntaxError(line, "JSON: nested too deeply")
        if kind == "string":
            return _JsonNode(_json_string(token, line), "scalar", line, line + token.count("\n"))
        if kind == "number":
            number = float(token)
            value: Any = int(token) if re.fullmatch(r"-?\d+", token) else number
            return _JsonNode(value, "scalar", line, line)
        if kind == "word":
            return _JsonNode({"true": True, "false": False, "null": None}[token], "scalar", line, line)
        if token == "[":
            items: list[_JsonNode] = []
            nxt = self._next()
            while not (nxt[0] == "punct" and nxt[1] == "]"):
                items.append(self._value(nxt, depth + 1))
                nxt = self._next()
                if nxt[1] == ",":
                    nxt = self._next()
                elif nxt[1] != "]":
                    raise HclSyntaxError(nxt[2], f"JSON: expected ',' or ']', found {nxt[1]!r}")
            return _JsonNode(items, "array", line, nxt[2])
        if token == "{":
            members: list[tuple[str, int, _JsonNode]] = []
            nxt = self._next()
            while not (nxt[0] == "punct" and nxt[1] == "}"):
                if nxt[0] != "string":
                    raise HclSyntaxError(nxt[2], f"JSON: expected a key, found {nxt[1]!r}")
                key = _json_string(nxt[1], nxt[2])
                colon = self._next()
                if colon[1] != ":":
                    raise HclSyntaxError(colon[2], "JSON: expected ':'")
                members.append((key, nxt[2], self._value(self._next(), depth + 1)))
                nxt = self._next()
                if nxt[1] == ",":
                    nxt = self._next()
                elif nxt[1] != "}":
                    raise HclSyntaxError(nxt[2], f"JSON: expected ',' or '}}', found {nxt[1]!r}")
            return _JsonNode(members, "object", line, nxt[2])
        raise HclSyntaxError(line, f"JSON: unexpected {token!r}")


def _json_string(token: str, line: int) -> str:
    import json

    try:
        return str(json.loads(token))
    except ValueError:
        raise HclSyntaxError(line, f"JSON: bad string {token[:30]!r}") from None


# Attributes whose JSON object value is a map, not a nested block (the schema is not known here).
_JSON_MAP_ATTRIBUTES = frozenset(
    {
        "tags",
        "tags_all",
        "triggers",
        "variables",
        "parameters",
        "labels",
        "annotations",
        "context",
        "environment_variables",
        "default_tags",
        "attributes",
        "values",
    }
)
_JSON_META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection"})


def _json_expr(node: _JsonNode, reader: HclReader, literal: bool = False) -> Expr:
    if node.kind == "scalar":
        if isinstance(node.value, str) and not literal and ("${" in node.value or "%{" in node.value):
            parsed = reader.parse_template(node.value, node.line)
            return dataclasses.replace(parsed, line=node.line, end_line=node.end_line)
        return Literal(node.line, node.end_line, node.value)
    if node.kind == "array":
        return TupleExpr(node.line, node.end_line, tuple(_json_expr(x, reader, literal) for x in node.value))
    items = tuple(
        ObjectItem(key_line, value.end_line, Literal(key_line, key_line, key), _json_expr(value, reader, literal))
        for key, key_line, value in node.value
        if key != "//"
    )
    return ObjectExpr(node.line, node.end_line, items)


def _json_block_body(
    node: _JsonNode, reader: HclReader, literal_attrs: frozenset[str] = frozenset(), all_attributes: bool = False
) -> Body:
    items: list[Attribute | Block] = []
    if node.kind != "object":
        raise HclSyntaxError(node.line, "JSON: a block body must be an object")
    for key, key_line, value in node.value:
        if key == "//" or key in _JSON_META_BLOCKS:
            continue
        if key == "dynamic" and value.kind == "object":
            for label, label_line, spec in value.value:
                for one in _as_objects(spec):
                    dyn_items: list[Attribute | Block] = []
                    for dkey, dline, dvalue in one.value:
                        if dkey == "content":
                            content = _json_block_body(dvalue, reader)
                            dyn_items.append(Block(dline, dvalue.end_line, "content", (), content))
                        elif dkey == "iterator" and dvalue.kind == "scalar":
                            dyn_items.append(
                                Attribute(dline, dvalue.end_line, dkey, Variable(dline, dline, str(dvalue.value)))
                            )
                        else:
                            dyn_items.append(Attribute(dline, dvalue.end_line, dkey, _json_expr(dvalue, reader)))
                    items.append(
                        Block(
                            label_line,
                            one.end_line,
                            "dynamic",
                            (label,),
                            Body(one.line, one.end_line, tuple(dyn_items)),
                        )
                    )
            continue
        objects = _as_objects(value)
        if objects and not all_attributes and key not in _JSON_MAP_ATTRIBUTES and key not in literal_attrs:
            for obj in objects:
                start = key_line if len(objects) == 1 else obj.line
                items.append(Block(start, obj.end_line, key, (), _json_block_body(obj, reader)))
            continue
        items.append(Attribute(key_line, value.end_line, key, _json_expr(value, reader, literal=key in literal_attrs)))
    return Body(node.line, node.end_line, tuple(items))


def _as_objects(node: _JsonNode) -> list[_JsonNode]:
    if node.kind == "object":
        return [node]
    if node.kind == "array" and node.value and all(x.kind == "object" for x in node.value):
        return list(node.value)
    return []


def _json_labelled(block_type: str, node: _JsonNode, depth: int, line: int, reader: HclReader) -> list[Block]:
    """``{"type": {"name": {...}}}`` with ``depth`` labels -> blocks."""
    blocks: list[Block] = []

    def walk(current: _JsonNode, labels: tuple[str, ...], start: int) -> None:
        if len(labels) == depth:
            for obj in _as_objects(current):
                literal = frozenset({"default"}) if block_type == "variable" else frozenset()
                plain = block_type in ("locals", "output", "module", "variable")
                blocks.append(
                    Block(start, obj.end_line, block_type, labels, _json_block_body(obj, reader, literal, plain))
                )
            return
        if current.kind != "object":
            raise HclSyntaxError(current.line, f"JSON: {block_type} needs {depth} label(s)")
        for key, key_line, value in current.value:
            if key != "//":
                walk(value, (*labels, key), key_line)

    walk(node, (), line)
    return blocks


_JSON_LABELS = {
    "resource": 2,
    "data": 2,
    "variable": 1,
    "output": 1,
    "module": 1,
    "provider": 1,
    "locals": 0,
    "terraform": 0,
    "moved": 0,
    "import": 0,
    "check": 1,
    "removed": 0,
}


def parse_hcl_json(text: str, grammar_cache: Path | None = None) -> Body:
    """Terraform JSON syntax -> Body (strings containing ``${`` are templates; an expression in
    one that the fast parser does not accept goes to the grammar, whose tables are kept in
    ``grammar_cache``)."""
    reader = HclReader(grammar_cache)
    if text.startswith("\ufeff"):
        text = text[1:]
    root = _JsonReader(text).read()
    if root.kind != "object":
        raise HclSyntaxError(root.line, "JSON: a .tf.json file must hold an object")
    items: list[Attribute | Block] = []
    for key, key_line, value in root.value:
        if key == "//":
            continue
        depth = _JSON_LABELS.get(key)
        if depth is None:
            continue
        items.extend(_json_labelled(key, value, depth, key_line, reader))
    return Body(root.line, root.end_line, tuple(items))


def parse_tfvars_json(text: str) -> Body:
    """A ``.tfvars.json`` file: each top-level key is a variable; strings are literal."""
    if text.startswith("\ufeff"):
        text = text[1:]
    root = _JsonReader(text).read()
    if root.kind != "object":
        raise HclSyntaxError(root.line, "JSON: a .tfvars.json file must hold an object")
    reader = HclReader()  # never used: every string is literal
    items = tuple(
        Attribute(key_line, value.end_line, key, _json_expr(value, reader, literal=True))
        for key, key_line, value in root.value
        if key != "//"
    )
    return Body(root.line, root.end_line, items)
