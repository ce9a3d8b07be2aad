"""HCL native syntax -> a small syntax tree whose every node knows its lines.

A hand-written lexer and recursive-descent parser builds the frozen dataclasses below; it
builds the same tree as python-hcl2's LALR grammar (``hcl_grammar``), which stays the
reference: any text the fast parser does not accept goes to the grammar, which gives the
authoritative tree or syntax error. Nothing here evaluates anything: see ``terraform_eval``.

Heredoc bodies arrive as one token; their ``${...}`` / ``%{...}`` parts are cut out with a
small scanner and each expression is parsed the same way, then moved to its real line.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class HclSyntaxError(Exception):
    """Text that is not HCL; ``line`` is 1-based (0 when unknown)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


# ---------------------------------------------------------------------------------------
# Syntax tree


@dataclass(frozen=True)
class Node:
    line: int
    end_line: int


@dataclass(frozen=True)
class Literal(Node):
    value: Any  # str | int | float | bool | None


@dataclass(frozen=True)
class TemplateIf(Node):
    condition: Expr
    then_parts: tuple[TemplatePart, ...]
    else_parts: tuple[TemplatePart, ...]


@dataclass(frozen=True)
class TemplateFor(Node):
    key_var: str | None
    value_var: str
    collection: Expr
    body_parts: tuple[TemplatePart, ...]


@dataclass(frozen=True)
class Template(Node):
    """A quoted string or heredoc with interpolations/directives. ``str`` parts are text."""

    parts: tuple[TemplatePart, ...]


@dataclass(frozen=True)
class Variable(Node):
    name: str


@dataclass(frozen=True)
class GetAttr(Node):
    obj: Expr
    name: str


@dataclass(frozen=True)
class Index(Node):
    obj: Expr
    key: Expr


@dataclass(frozen=True)
class SplatStep:
    """One step after a splat: ``.name`` (key is None) or ``[key]``."""

    name: str | None
    key: Expr | None


@dataclass(frozen=True)
class Splat(Node):
    """``obj[*].a.b`` (full) or ``obj.*.a`` (attribute-only: trailing indexes apply to the result)."""

    obj: Expr
    steps: tuple[SplatStep, ...]
    full: bool


@dataclass(frozen=True)
class FunctionCall(Node):
    name: str
    args: tuple[Expr, ...]
    expand_final: bool


@dataclass(frozen=True)
class Conditional(Node):
    condition: Expr
    true_value: Expr
    false_value: Expr


@dataclass(frozen=True)
class BinaryOp(Node):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class UnaryOp(Node):
    op: str
    operand: Expr


@dataclass(frozen=True)
class Parens(Node):
    expr: Expr


@dataclass(frozen=True)
class TupleExpr(Node):
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class ObjectItem(Node):
    key: Expr  # a bare name key is already a Literal string
    value: Expr


@dataclass(frozen=True)
class ObjectExpr(Node):
    items: tuple[ObjectItem, ...]


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Attribute(Node):
    name: str
    expr: Expr


@dataclass(frozen=True)
class Block(Node):
    type: str
    labels: tuple[str, ...]
    body: Body


@dataclass(frozen=True)
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
# Pieces shared with the grammar's transformer (hcl_grammar)

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, "\\" + code)

    return _ESCAPE_RE.sub(one, text)


def _last_line(item: Any) -> int:
    end = getattr(item, "end_line", None)
    return int(end if end is not None else item.line)


@dataclass(frozen=True)
class _Marker:
    """A template directive before the if/for structure is assembled."""

    kind: str  # if | else | endif | for | endfor
    line: int
    end_line: int
    strip_left: bool
    strip_right: bool
    condition: Expr | None = None
    key_var: str | None = None
    value_var: str | None = None


@dataclass(frozen=True)
class _Step:
    name: str | None
    key: Expr | None
    line: int
    end_line: int


def _meaningful(children: list[Any]) -> list[Any]:
    return [c for c in children if c is not None]


def _nodes(children: list[Any]) -> list[Any]:
    return [c for c in children if isinstance(c, Node)]


def _assemble_template(raw: list[Any]) -> tuple[TemplatePart, ...]:
    """Flat text/expr/marker parts -> nested TemplateIf/TemplateFor, applying ``~`` strip markers."""
    # strip markers remove whitespace from the neighbouring literal text
    items = list(raw)
    for i, item in enumerate(items):
        if isinstance(item, _Marker):
            if item.strip_left and i > 0 and isinstance(items[i - 1], str):
                items[i - 1] = items[i - 1].rstrip()
            if item.strip_right and i + 1 < len(items) and isinstance(items[i + 1], str):
                items[i + 1] = items[i + 1].lstrip()
    pos = 0

    def parse_until(stop: tuple[str, ...]) -> tuple[list[TemplatePart], _Marker | None]:
        nonlocal pos
        out: list[TemplatePart] = []
        while pos < len(items):
            item = items[pos]
            pos += 1
            if isinstance(item, _Marker):
                if item.kind in stop:
                    return out, item
                if item.kind == "if":
                    then_parts, end = parse_until(("else", "endif"))
                    else_parts: list[TemplatePart] = []
                    if end is not None and end.kind == "else":
                        else_parts, end = parse_until(("endif",))
                    if end is None:
                        raise HclSyntaxError(item.line, "template %{if} has no %{endif}")
                    assert item.condition is not None
                    out.append(
                        TemplateIf(item.line, end.end_line, item.condition, tuple(then_parts), tuple(else_parts))
                    )
                elif item.kind == "for":
                    body_parts, end = parse_until(("endfor",))
                    if end is None:
                        raise HclSyntaxError(item.line, "template %{for} has no %{endfor}")
                    assert item.condition is not None and item.value_var is not None
                    out.append(
                        TemplateFor(
                            item.line, end.end_line, item.key_var, item.value_var, item.condition, tuple(body_parts)
                        )
                    )
                else:
                    raise HclSyntaxError(item.line, f"template %{{{item.kind}}} without its opening directive")
            elif isinstance(item, str):
                if out and isinstance(out[-1], str):
                    out[-1] = out[-1] + item
                else:
                    out.append(item)
            else:
                out.append(item)
        return out, None

    parts, _ = parse_until(())
    return tuple(parts)


# ---------------------------------------------------------------------------------------
# Heredocs and template text outside the grammar (heredoc bodies, .tf.json strings)

_HEREDOC_HEAD = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)\r?\n")


def _heredoc_text(text: str, line: int, trim: bool) -> Expr:
    """``<<EOF\n...\nEOF\n`` (the whole token, closing newline included) written from ``line``."""
    head = _HEREDOC_HEAD.match(text)
    assert head is not None
    lines = text[head.end() :].split("\n")
    # the closing marker is the last non-empty line
    if lines and lines[-1] == "":
        lines.pop()
    if lines:
        lines.pop()
    lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
    if trim:
        indents = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
        cut = min(indents) if indents else 0
        lines = [ln[cut:] for ln in lines]
    body = "".join(ln + "\n" for ln in lines)
    end_line = line + text.count("\n") - (1 if text.endswith("\n") else 0)
    parsed = parse_template(body, line + 1, escapes=False)
    return dataclasses.replace(parsed, line=line, end_line=end_line)


def _find_close(text: str, start: int) -> int:
    """Index of the ``}`` closing an interpolation whose expression starts at ``start``."""
    depth = 0
    i = start
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i += 1
            while i < n and text[i] != '"':
                if text[i] == "\\":
                    i += 1
                elif text[i] in "$%" and text.startswith("{", i + 1):
                    inner_close = _find_close(text, i + 2)
                    if inner_close < 0:
                        return -1
                    i = inner_close
                i += 1
        elif ch in "{[(":
            depth += 1
        elif ch in "}])":
            if depth == 0:
                return i if ch == "}" else -1
            depth -= 1
        i += 1
    return -1


_TEMPLATE_START = re.compile(r"[$%]{1,2}\{")
_DIRECTIVE_RE = re.compile(
    r"^\s*(?:(if)\s+(.*)|(else)|(endif)|(for)\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\s+(.*)|(endfor))\s*$",
    re.DOTALL,
)


def parse_template(text: str, first_line: int, escapes: bool = False) -> Literal | Template:
    """A template body (heredoc content, a .tf.json string) -> Literal or Template
    (``"${x}"`` is a Template of one part; evaluating it yields x itself, of any type)."""
    if "${" not in text and "%{" not in text:
        plain = _unescape(text) if escapes else text
        return Literal(first_line, first_line + text.count("\n") - (1 if text.endswith("\n") else 0), plain)
    raw: list[Any] = []
    buf: list[str] = []
    i = 0
    n = len(text)
    line = first_line

    def flush() -> None:
        if buf:
            chunk = "".join(buf)
            raw.append(_unescape(chunk) if escapes else chunk)
            buf.clear()

    while i < n:
        if text.startswith("$${", i) or text.startswith("%%{", i):
            buf.append(text[i + 1 : i + 3])
            i += 3
            continue
        if text.startswith("${", i) or text.startswith("%{", i):
            is_directive = text[i] == "%"
            close = _find_close(text, i + 2)
            if close < 0:
                raise HclSyntaxError(line, "unterminated template interpolation")
            inner = text[i + 2 : close]
            strip_left = inner.startswith("~")
            strip_right = inner.endswith("~")
            inner = inner[1 if strip_left else 0 : len(inner) - (1 if strip_right else 0)]
            flush()
            if is_directive:
                raw.append(_directive_marker(inner, line, strip_left, strip_right))
            else:
                leading = inner[: len(inner) - len(inner.lstrip())]
                raw.append(parse_expression(inner, line + leading.count("\n")))
            line += text.count("\n", i, close)
            i = close + 1
            continue
        # copy the text up to the next possible interpolation in one step
        nxt = _TEMPLATE_START.search(text, i + 1)
        stop = nxt.start() if nxt else n
        chunk = text[i:stop]
        line += chunk.count("\n")
        buf.append(chunk)
        i = stop
    flush()
    last_line = max(first_line, line - (1 if text.endswith("\n") else 0))
    parts = _assemble_template(raw)
    if not parts:
        return Literal(first_line, last_line, "")
    if all(isinstance(p, str) for p in parts):
        return Literal(first_line, last_line, "".join(parts))  # type: ignore[arg-type]
    return Template(first_line, last_line, parts)


def _directive_marker(inner: str, line: int, strip_left: bool, strip_right: bool) -> _Marker:
    match = _DIRECTIVE_RE.match(inner)
    if match is None:
        raise HclSyntaxError(line, f"unknown template directive %{{{inner.strip()}}}")
    end = line + inner.count("\n")
    if match.group(1):
        return _Marker("if", line, end, strip_left, strip_right, condition=parse_expression(match.group(2), line))
    if match.group(5):
        key_var, value_var = (match.group(6), match.group(7)) if match.group(7) else (None, match.group(6))
        return _Marker(
            "for",
            line,
            end,
            strip_left,
            strip_right,
            condition=parse_expression(match.group(8), line),
            key_var=key_var,
            value_var=value_var,
        )
    kind = "else" if match.group(3) else "endif" if match.group(4) else "endfor"
    return _Marker(kind, line, end, strip_left, strip_right)


def parse_expression(text: str, line: int) -> Expr:
    """One expression written at ``line`` (a heredoc interpolation, a .tf.json string, a --var value)."""
    source = "__x = " + text.strip() + "\n"
    try:
        body = _fast_parse(source)
    except _SureSyntaxError as exc:
        raise _SureSyntaxError(line + max(exc.line, 1) - 1, exc.message) from None
    except (_FastFail, HclSyntaxError, RecursionError, IndexError, ValueError):
        try:
            body = _parse_checked(source)
        except HclSyntaxError as exc:
            raise HclSyntaxError(line + max(exc.line, 1) - 1, exc.message) from None
    attrs = [x for x in body.items if isinstance(x, Attribute)]
    if len(attrs) != 1 or len(body.items) != 1:
        raise HclSyntaxError(line, f"not a single expression: {text.strip()[:60]!r}")
    shifted: Expr = _shift(attrs[0].expr, line - 1)
    return shifted


def _shift(node: Any, offset: int) -> Any:
    if offset == 0:
        return node
    if isinstance(node, tuple):
        return tuple(_shift(x, offset) for x in node)
    if isinstance(node, (Node, SplatStep)):
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if f.name in ("line", "end_line"):
                changes[f.name] = value + offset
            elif isinstance(value, (Node, SplatStep, tuple)):
                changes[f.name] = _shift(value, offset)
        return dataclasses.replace(node, **changes)
    return node


# ---------------------------------------------------------------------------------------
# The fast path: a hand-written lexer and recursive-descent parser producing the same tree.
# python-hcl2's LALR grammar through Lark runs at ~0.4 MB/s; this runs several times faster.
# Anything it does not accept goes to the grammar, which then gives the authoritative result
# or error, so the grammar stays the reference for what is HCL.


class _FastFail(Exception):
    """The fast parser does not accept this text; the grammar decides (it may be valid HCL)."""


class _SureSyntaxError(HclSyntaxError):
    """An error the fast parser is sure the grammar would also report (an unclosed block or
    string, a character HCL has no use for, a token that cannot start or follow an item):
    reported at once, without building the grammar's tables (seconds per process)."""


MAX_NESTING = 64
"""Brackets, blocks and template interpolations nested deeper than this are refused (a clear
error at the line, fast) rather than parsed and evaluated by recursion. Real configurations
nest a dozen levels at most."""
_NESTING = [0]  # the current depth, across the parsers of nested template interpolations


_FAST_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r]+)
  | (?P<nl>\n|\#[^\n]*(?:\n|\Z)|//[^\n]*(?:\n|\Z))
  | (?P<bc>/\*.*?\*/)
  | (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<heredoc><<-?[A-Za-z][A-Za-z0-9._-]*\r?\n)
  | (?P<str>")
  | (?P<op>\.\.\.|\[\*\]|\.\*|::|=>|==|!=|<=|>=|&&|\|\||[{}\[\](),.=:?<>+\-*/%!])
""",
    re.VERBOSE | re.DOTALL,
)

# (kind, text, line, end_line); kinds: nl ident num str heredoc op eof
_Tok = tuple[str, str, int, int]

_BINARY_LEVELS: tuple[frozenset[str], ...] = (
    frozenset({"||"}),
    frozenset({"&&"}),
    frozenset({"==", "!="}),
    frozenset({"<", ">", "<=", ">="}),
    frozenset({"+", "-"}),
    frozenset({"*", "/", "%"}),
)
_PRECEDENCE = {op: level for level, ops in enumerate(_BINARY_LEVELS) for op in ops}
# a newline before one of these continues the expression (python-hcl2's post-lexer rule; not "-")
_CONTINUES = frozenset({"==", "!=", "<", ">", "<=", ">=", "*", "/", "%", "&&", "||", "+", "?"})


def _fast_tokens(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    append = tokens.append
    pos = 0
    line = 1
    n = len(text)
    match_at = _FAST_TOKEN.match
    while pos < n:
        m = match_at(text, pos)
        if m is None:
            if text[pos] != "\\":  # \"...\" is a template string in the grammar
                raise _SureSyntaxError(line, f"syntax error: unexpected character {text[pos]!r}")
            raise _FastFail(line)
        kind = m.lastgroup
        value = m.group()
        if kind == "ws":
            pos = m.end()
            continue
        if kind == "nl":
            append(("nl", value, line, line))
            line += value.count("\n")
        elif kind == "bc":
            count = value.count("\n")
            if count:
                append(("nl", value, line, line + count))
            line += count
        elif kind == "str":
            end = _string_end(text, pos + 1, line)
            value = text[pos + 1 : end]
            count = value.count("\n")
            append(("str", value, line, line + count))
            line += count
            pos = end + 1
            continue
        elif kind == "heredoc":
            name = value.lstrip("<-").rstrip("\r\n")
            close = re.compile(r"^[ \t]*" + re.escape(name) + r"\r?$", re.MULTILINE)
            found = close.search(text, m.end())
            if found is None:
                raise _FastFail(line)
            stop = found.end() + 1 if found.end() < n and text[found.end()] == "\n" else found.end()
            value = text[pos:stop]
            if not value.endswith("\n"):
                value += "\n"
            count = text.count("\n", pos, stop)
            append(("heredoc", value, line, line + count))
            line += count
            pos = stop
            continue
        else:
            append((kind or "", value, line, line))
        pos = m.end()
    append(("eof", "", line, line))
    return tokens


def _string_end(text: str, i: int, line: int = 0) -> int:
    """Index of the quote closing a string whose content starts at ``i`` (on ``line``).
    A string may run over lines (the grammar allows it, Terraform does not)."""
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            return i
        if ch == "\\":
            i += 2
            continue
        if ch in "$%" and text.startswith(ch + "{", i + 1):
            i += 3  # $${ / %%{ is literal text
            continue
        if ch in "$%" and text.startswith("{", i + 1):
            close = _find_close(text, i + 2)
            if close < 0:
                raise _SureSyntaxError(line, "syntax error: a string's interpolation is not closed")
            i = close + 1
            continue
        i += 1
    raise _SureSyntaxError(line, "syntax error: string not closed before the end of the file")


class _FastParser:
    def __init__(self, tokens: list[_Tok]) -> None:
        self.toks = tokens
        self.i = 0

    # --- token helpers ---
    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, text: str) -> _Tok:
        tok = self.toks[self.i]
        if tok[1] != text or tok[0] not in ("op", "ident"):
            raise _FastFail(tok[2])
        self.i += 1
        return tok

    def skip_nl(self) -> None:
        while self.toks[self.i][0] == "nl":
            self.i += 1

    def at(self, text: str) -> bool:
        tok = self.toks[self.i]
        return tok[1] == text and tok[0] == "op"

    # --- structure ---
    def body(self, closing: bool, opened: int = 0) -> Body:
        if closing:
            _enter(self.peek()[2])
        try:
            return self._body(closing, opened)
        finally:
            if closing:
                _NESTING[0] -= 1

    def _body(self, closing: bool, opened: int) -> Body:
        items: list[Attribute | Block] = []
        while True:
            self.skip_nl()
            tok = self.peek()
            if tok[0] == "eof":
                if closing:
                    raise _SureSyntaxError(
                        max(tok[2] - 1, 1),
                        f"syntax error: unexpected end of file (the block opened at line {opened} is not closed)",
                    )
                break
            if closing and tok[0] == "op" and tok[1] == "}":
                break
            items.append(self.item())
        if items:
            return Body(items[0].line, items[-1].end_line, tuple(items))
        return Body(0, 0, ())

    def item(self) -> Attribute | Block:
        name = self.take()
        if name[0] != "ident":
            raise _SureSyntaxError(
                name[2], f"syntax error: unexpected {_describe(name)} (expected an attribute or a block)"
            )
        nxt = self.peek()
        if nxt[0] == "op" and nxt[1] == "=":
            self.i += 1
            expr = self.expression()
            self.end_of_item()
            return Attribute(name[2], expr.end_line, name[1], expr)
        labels: list[str] = []
        while True:
            tok = self.take()
            if tok[0] == "ident":
                labels.append(tok[1])
            elif tok[0] == "str":
                if "${" in tok[1] or "%{" in tok[1]:
                    raise _FastFail(tok[2])
                labels.append(_unescape(tok[1]))
            elif tok[0] == "op" and tok[1] == "{":
                break
            elif tok[0] == "nl":
                self.skip_nl()
                if not self.at("{"):
                    raise _SureSyntaxError(
                        self.peek()[2],
                        f"syntax error: unexpected {_describe(self.peek())} "
                        f"(expected '{{' to open the block {name[1]})",
                    )
            elif tok[0] in ("op", "num", "heredoc", "eof"):
                raise _SureSyntaxError(
                    tok[2], f"syntax error: unexpected {_describe(tok)} in the header of block {name[1]}"
                )
            else:
                raise _FastFail(tok[2])
        body = self.body(closing=True, opened=name[2])
        close = self.expect("}")
        self.end_of_item()
        return Block(name[2], close[2], name[1], tuple(labels), body)

    def end_of_item(self) -> None:
        tok = self.peek()
        if tok[0] in ("nl", "eof") or (tok[0] == "op" and tok[1] == "}") or self.toks[self.i - 1][0] == "heredoc":
            return
        if tok[0] == "op":  # the value is complete and no operator continues it here
            raise _SureSyntaxError(tok[2], f"syntax error: unexpected {_describe(tok)} after a value")
        raise _FastFail(tok[2])  # another item may follow on the same line in the grammar

    # --- expressions ---
    def expression(self) -> Expr:
        _enter(self.peek()[2])
        try:
            return self._expression()
        finally:
            _NESTING[0] -= 1

    def _expression(self) -> Expr:
        cond = self.binary(0)
        if self._continue_with("?"):
            self.i += 1
            self.skip_nl()
            true_value = self.expression()
            self.skip_nl()
            self.expect(":")
            self.skip_nl()
            false_value = self.expression()
            return Conditional(cond.line, false_value.end_line, cond, true_value, false_value)
        return cond

    def _continue_with(self, *ops: str) -> bool:
        """Is the next operator one of ``ops``, possibly after newlines that it continues?"""
        j = self.i
        toks = self.toks
        tok = toks[j]
        if tok[0] == "op" and tok[1] in ops:
            return True
        if tok[0] != "nl":
            return False
        while toks[j][0] == "nl":
            j += 1
        tok = toks[j]
        if tok[0] == "op" and tok[1] in ops and tok[1] in _CONTINUES:
            self.i = j
            return True
        return False

    def binary(self, min_level: int) -> Expr:
        """Precedence climbing over _BINARY_LEVELS (all left-associative)."""
        left = self.unary()
        toks = self.toks
        while True:
            tok = toks[self.i]
            if tok[0] == "op":
                level = _PRECEDENCE.get(tok[1], -1)
            elif tok[0] == "nl":
                j = self.i
                while toks[j][0] == "nl":
                    j += 1
                ahead = toks[j]
                level = _PRECEDENCE.get(ahead[1], -1) if ahead[0] == "op" and ahead[1] in _CONTINUES else -1
                if level >= min_level:
                    self.i = j
            else:
                return left
            if level < min_level:
                return left
            op = self.take()[1]
            self.skip_nl()
            right = self.binary(level + 1)
            left = BinaryOp(left.line, right.end_line, op, left, right)

    def unary(self) -> Expr:
        tok = self.peek()
        if tok[0] == "op" and tok[1] in ("-", "!"):
            self.i += 1
            operand = self.postfix()
            return UnaryOp(tok[2], operand.end_line, tok[1], operand)
        return self.postfix()

    def postfix(self) -> Expr:
        expr = self.primary()
        toks = self.toks
        while True:
            tok = toks[self.i]
            if tok[0] != "op":
                return expr
            op = tok[1]
            if op == ".":
                self.i += 1
                name = self.take()
                if name[0] == "ident":
                    expr = GetAttr(expr.line, name[2], expr, name[1])
                elif name[0] == "num" and name[1].isdigit():
                    expr = Index(expr.line, name[2], expr, Literal(name[2], name[2], int(name[1])))
                else:
                    raise _FastFail(name[2])
            elif op == "[":
                self.i += 1
                self.skip_nl()
                key = self.expression()
                self.skip_nl()
                close = self.expect("]")
                expr = Index(expr.line, close[2], expr, key)
            elif op in (".*", "[*]"):
                self.i += 1
                steps: list[SplatStep] = []
                end = expr.end_line
                while True:
                    nxt = toks[self.i]
                    if nxt[0] == "op" and nxt[1] == ".":
                        name = toks[self.i + 1]
                        self.i += 2
                        if name[0] == "ident":
                            steps.append(SplatStep(name[1], None))
                        elif name[0] == "num" and name[1].isdigit():
                            steps.append(SplatStep(None, Literal(name[2], name[2], int(name[1]))))
                        else:
                            raise _FastFail(name[2])
                        end = name[2]
                    elif nxt[0] == "op" and nxt[1] == "[":
                        self.i += 1
                        self.skip_nl()
                        key = self.expression()
                        self.skip_nl()
                        end = self.expect("]")[2]
                        steps.append(SplatStep(None, key))
                    else:
                        break
                expr = Splat(expr.line, end, expr, tuple(steps), op == "[*]")
            else:
                return expr

    def primary(self) -> Expr:
        tok = self.take()
        kind, text, line, end = tok
        if kind == "num":
            if "." in text or "e" in text or "E" in text:
                number = float(text)
                return Literal(line, line, int(number) if number.is_integer() and abs(number) < 2**53 else number)
            return Literal(line, line, int(text))
        if kind == "str":
            parsed = parse_template(text, line, escapes=True)
            return dataclasses.replace(parsed, line=line, end_line=end)
        if kind == "heredoc":
            return _heredoc_text(text, line, trim=text.startswith("<<-"))
        if kind == "ident":
            if text == "true":
                return Literal(line, line, True)
            if text == "false":
                return Literal(line, line, False)
            if text == "null":
                return Literal(line, line, None)
            nxt = self.peek()
            if nxt[0] == "op" and nxt[1] in ("(", "::"):
                return self.call(tok)
            return Variable(line, line, text)
        if kind == "op":
            if text == "(":
                self.skip_nl()
                inner = self.expression()
                self.skip_nl()
                close = self.expect(")")
                return Parens(line, close[2], inner)
            if text == "[":
                self.skip_nl()
                if self.peek()[:2] == ("ident", "for"):
                    return self.for_expr(tok, "]")
                return self.tuple_expr(tok)
            if text == "{":
                self.skip_nl()
                if self.peek()[:2] == ("ident", "for"):
                    return self.for_expr(tok, "}")
                return self.object_expr(tok)
        raise _FastFail(line)

    def call(self, name_tok: _Tok) -> FunctionCall:
        names = [name_tok[1]]
        while self.at("::"):
            self.i += 1
            part = self.take()
            if part[0] != "ident":
                raise _FastFail(part[2])
            names.append(part[1])
        if len(names) not in (1, 3):
            raise _FastFail(name_tok[2])
        self.expect("(")
        args: list[Expr] = []
        expand = False
        self.skip_nl()
        while not self.at(")"):
            args.append(self.expression())
            self.skip_nl()
            if self.at(","):
                self.i += 1
                self.skip_nl()
            elif self.at("..."):
                self.i += 1
                expand = True
                self.skip_nl()
                break
            else:
                break
        close = self.expect(")")
        return FunctionCall(name_tok[2], close[2], "::".join(names), tuple(args), expand)

    def tuple_expr(self, open_tok: _Tok) -> TupleExpr:
        items: list[Expr] = []
        while not self.at("]"):
            items.append(self.expression())
            self.skip_nl()
            if self.at(","):
                self.i += 1
                self.skip_nl()
            elif not self.at("]"):
                raise _FastFail(self.peek()[2])
        close = self.expect("]")
        return TupleExpr(open_tok[2], close[2], tuple(items))

    def object_expr(self, open_tok: _Tok) -> ObjectExpr:
        items: list[ObjectItem] = []
        while not self.at("}"):
            key_tok = self.peek()
            if (
                key_tok[0] == "ident"
                and key_tok[1] in ("for", "in", "if", "else", "endif", "endfor", "for_each")
                and self.toks[self.i + 1][1] in ("=", ":")
            ):
                self.i += 1
                key: Expr = Literal(key_tok[2], key_tok[2], key_tok[1])
            else:
                key = _object_key(self.expression())
            sep = self.take()
            if sep[0] != "op" or sep[1] not in ("=", ":"):
                raise _FastFail(sep[2])
            value = self.expression()
            items.append(ObjectItem(key.line, value.end_line, key, value))
            tok = self.peek()
            if tok[0] == "op" and tok[1] == ",":
                self.i += 1
                self.skip_nl()
            elif tok[0] == "nl":
                self.skip_nl()
            elif not (tok[0] == "op" and tok[1] == "}") and self.toks[self.i - 1][0] != "heredoc":
                raise _FastFail(tok[2])
        close = self.expect("}")
        return ObjectExpr(open_tok[2], close[2], tuple(items))

    def for_expr(self, open_tok: _Tok, closing: str) -> ForExpr:
        self.take()  # for
        self.skip_nl()
        first = self.take()
        if first[0] != "ident":
            raise _FastFail(first[2])
        key_var: str | None = None
        value_var = first[1]
        if self.at(","):
            self.i += 1
            second = self.take()
            if second[0] != "ident":
                raise _FastFail(second[2])
            key_var, value_var = first[1], second[1]
        self.skip_nl()
        if self.take()[:2] != ("ident", "in"):
            raise _FastFail(first[2])
        self.skip_nl()
        collection = self.expression()
        self.skip_nl()
        self.expect(":")
        self.skip_nl()
        key_expr: Expr | None = None
        value_expr = self.expression()
        grouping = False
        if closing == "}":
            self.skip_nl()
            self.expect("=>")
            self.skip_nl()
            key_expr, value_expr = value_expr, self.expression()
            self.skip_nl()
            if self.at("..."):
                self.i += 1
                grouping = True
        self.skip_nl()
        condition: Expr | None = None
        if self.peek()[:2] == ("ident", "if"):
            self.i += 1
            self.skip_nl()
            condition = self.expression()
            self.skip_nl()
        close = self.expect(closing)
        return ForExpr(open_tok[2], close[2], key_var, value_var, collection, key_expr, value_expr, condition, grouping)


def _enter(line: int) -> None:
    _NESTING[0] += 1
    if _NESTING[0] > MAX_NESTING:
        _NESTING[0] -= 1
        raise _SureSyntaxError(line, f"syntax error: nested more than {MAX_NESTING} levels deep (the limit)")


def _describe(tok: _Tok) -> str:
    if tok[0] == "eof":
        return "end of file"
    if tok[0] == "nl":
        return "new line"
    return repr(tok[1] if tok[0] != "str" else '"' + tok[1][:20])


def _object_key(key: Expr) -> Expr:
    if isinstance(key, Variable):
        return Literal(key.line, key.end_line, key.name)
    if isinstance(key, Literal) and isinstance(key.value, bool | type(None)):
        return Literal(key.line, key.end_line, "null" if key.value is None else str(key.value).lower())
    return key


def _fast_parse(text: str) -> Body:
    parser = _FastParser(_fast_tokens(text))
    depth = _NESTING[0]
    try:
        return parser.body(closing=False)
    finally:
        _NESTING[0] = depth


# ---------------------------------------------------------------------------------------
# Entry points


_GRAMMAR_CACHE: list[Path] = []


def use_grammar_cache(folder: Path | None) -> None:
    """Keep the grammar's LALR tables (seconds to build) in iacscan's cache folder; with
    no folder they are rebuilt when needed, and nothing is written anywhere."""
    _GRAMMAR_CACHE[:] = [folder] if folder is not None else []


def _parse_checked(text: str) -> Body:
    """python-hcl2's grammar decides (imported only here: most scans never need it)."""
    from scanner.loaders.terraform.hcl.grammar import parse_with_grammar

    return parse_with_grammar(text)


def parse_hcl(text: str) -> Body:
    """HCL native syntax -> Body. Raises HclSyntaxError with the line of the problem."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.endswith("\n"):
        text += "\n"  # comments and heredoc markers end with a newline in the grammar
    try:
        return _fast_parse(text)
    except _SureSyntaxError:
        raise
    except (_FastFail, HclSyntaxError, RecursionError, IndexError, ValueError):
        return _parse_checked(text)


# ---------------------------------------------------------------------------------------
# Terraform JSON syntax (.tf.json) -> the same syntax tree


@dataclass(frozen=True)
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


def _json_expr(node: _JsonNode, literal: bool = False) -> Expr:
    if node.kind == "scalar":
        if isinstance(node.value, str) and not literal and ("${" in node.value or "%{" in node.value):
            parsed = parse_template(node.value, node.line)
            return dataclasses.replace(parsed, line=node.line, end_line=node.end_line)
        return Literal(node.line, node.end_line, node.value)
    if node.kind == "array":
        return TupleExpr(node.line, node.end_line, tuple(_json_expr(x, literal) for x in node.value))
    items = tuple(
        ObjectItem(key_line, value.end_line, Literal(key_line, key_line, key), _json_expr(value, literal))
        for key, key_line, value in node.value
        if key != "//"
    )
    return ObjectExpr(node.line, node.end_line, items)


def _json_block_body(
    node: _JsonNode, literal_attrs: frozenset[str] = frozenset(), all_attributes: bool = False
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
                            content = _json_block_body(dvalue)
                            dyn_items.append(Block(dline, dvalue.end_line, "content", (), content))
                        elif dkey == "iterator" and dvalue.kind == "scalar":
                            dyn_items.append(
                                Attribute(dline, dvalue.end_line, dkey, Variable(dline, dline, str(dvalue.value)))
                            )
                        else:
                            dyn_items.append(Attribute(dline, dvalue.end_line, dkey, _json_expr(dvalue)))
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
                items.append(Block(start, obj.end_line, key, (), _json_block_body(obj)))
            continue
        items.append(Attribute(key_line, value.end_line, key, _json_expr(value, literal=key in literal_attrs)))
    return Body(node.line, node.end_line, tuple(items))


def _as_objects(node: _JsonNode) -> list[_JsonNode]:
    if node.kind == "object":
        return [node]
    if node.kind == "array" and node.value and all(x.kind == "object" for x in node.value):
        return list(node.value)
    return []


def _json_labelled(block_type: str, node: _JsonNode, depth: int, line: int) -> list[Block]:
    """``{"type": {"name": {...}}}`` with ``depth`` labels -> blocks."""
    blocks: list[Block] = []

    def walk(current: _JsonNode, labels: tuple[str, ...], start: int) -> None:
        if len(labels) == depth:
            for obj in _as_objects(current):
                literal = frozenset({"default"}) if block_type == "variable" else frozenset()
                plain = block_type in ("locals", "output", "module", "variable")
                blocks.append(Block(start, obj.end_line, block_type, labels, _json_block_body(obj, literal, plain)))
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


def parse_hcl_json(text: str) -> Body:
    """Terraform JSON syntax -> Body (strings containing ``${`` are templates)."""
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
        items.extend(_json_labelled(key, value, depth, key_line))
    return Body(root.line, root.end_line, tuple(items))


def parse_tfvars_json(text: str) -> Body:
    """A ``.tfvars.json`` file: each top-level key is a variable; strings are literal."""
    if text.startswith("\ufeff"):
        text = text[1:]
    root = _JsonReader(text).read()
    if root.kind != "object":
        raise HclSyntaxError(root.line, "JSON: a .tfvars.json file must hold an object")
    items = tuple(
        Attribute(key_line, value.end_line, key, _json_expr(value, literal=True))
        for key, key_line, value in root.value
        if key != "//"
    )
    return Body(root.line, root.end_line, items)
