"""The HCL syntax tree: ``@frozen`` values whose every node knows its first and last line.

The fast parser (``fast_parser``), python-hcl2's grammar (``grammar``) and the reader of
Terraform's JSON syntax (``json_syntax``) all build this same tree, and ``HclSyntaxError`` is
how each says a text is not HCL. ``unescape`` reads the escapes of a quoted string for both
HCL parsers. Nothing here parses or evaluates anything.
"""

from __future__ import annotations

import re
from typing import Any

from scanner.frozen import frozen


class HclSyntaxError(Exception):
    """Text that is not HCL; ``line`` is 1-based (0 when unknown)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


# ---------------------------------------------------------------------------------------
# Syntax tree


@frozen
class Node:
    line: int
    end_line: int


@frozen
class Literal(Node):
    value: Any  # str | int | float | bool | None


@frozen
class TemplateIf(Node):
    condition: Expr
    then_parts: tuple[TemplatePart, ...]
    else_parts: tuple[TemplatePart, ...]


@frozen
class TemplateFor(Node):
    key_var: str | None
    value_var: str
    collection: Expr
    body_parts: tuple[TemplatePart, ...]


@frozen
class Template(Node):
    """A quoted string or heredoc with interpolations/directives. ``str`` parts are text."""

    parts: tuple[TemplatePart, ...]


@frozen
class Variable(Node):
    name: str


@frozen
class GetAttr(Node):
    obj: Expr
    name: str


@frozen
class Index(Node):
    obj: Expr
    key: Expr


@frozen
class SplatStep:
    """One step after a splat: ``.name`` (key is None) or ``[key]``."""

    name: str | None
    key: Expr | None


@frozen
class Splat(Node):
    """``obj[*].a.b`` (full) or ``obj.*.a`` (attribute-only: trailing indexes apply to the result)."""

    obj: Expr
    steps: tuple[SplatStep, ...]
    full: bool


@frozen
class FunctionCall(Node):
    name: str
    args: tuple[Expr, ...]
    expand_final: bool


@frozen
class Conditional(Node):
    condition: Expr
    true_value: Expr
    false_value: Expr


@frozen
class BinaryOp(Node):
    op: str
    left: Expr
    right: Expr


@frozen
class UnaryOp(Node):
    op: str
    operand: Expr


@frozen
class Parens(Node):
    expr: Expr


@frozen
class TupleExpr(Node):
    items: tuple[Expr, ...]


@frozen
class ObjectItem(Node):
    key: Expr  # a bare name key is already a Literal string
    value: Expr


@frozen
class ObjectExpr(Node):
    items: tuple[ObjectItem, ...]


@frozen
class ForExpr(Node):
    key_var: str | None
    value_var: str
    collection: Expr
    key_expr: Expr | None  # None: a tuple ``[for ...]``
    value_expr: Expr
    condition: Expr | None
    grouping: bool


Expr = (
    Literal
    | Template
    | Variable
    | GetAttr
    | Index
    | Splat
    | FunctionCall
    | Conditional
    | BinaryOp
    | UnaryOp
    | Parens
    | TupleExpr
    | ObjectExpr
    | ForExpr
)
TemplatePart = str | Expr | TemplateIf | TemplateFor


@frozen
class Attribute(Node):
    name: str
    expr: Expr


@frozen
class Block(Node):
    type: str
    labels: tuple[str, ...]
    body: Body


@frozen
class Body(Node):
    items: tuple[Attribute | Block, ...]

    @property
    def attributes(self) -> dict[str, Attribute]:
        return {item.name: item for item in self.items if isinstance(item, Attribute)}

    @property
    def blocks(self) -> tuple[Block, ...]:
        return tuple(item for item in self.items if isinstance(item, Block))

    def blocks_of(self, block_type: str) -> tuple[Block, ...]:
        return tuple(item for item in self.items if isinstance(item, Block) and item.type == block_type)


# ---------------------------------------------------------------------------------------
# Quoted strings

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)


def unescape(text: str) -> str:
    """The text of a quoted string with its escapes (``\\n``, ``\\u00e9`` ...) read."""
    if "\\" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, "\\" + code)

    return _ESCAPE_RE.sub(one, text)
