"""Template text -> ``Literal`` or ``Template``: quoted strings, heredoc bodies, the strings of
Terraform's JSON syntax and ``templatefile`` templates.

A small scanner cuts the ``${...}`` / ``%{...}`` parts out of the text; each expression is
read by the ``parse_expression`` it is given (the fast parser's, falling back to the grammar)
and moved to its real line. ``assemble_template`` nests the flat parts and directive markers
into ``TemplateIf`` / ``TemplateFor``, for this scanner and for the grammar's transformer alike.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from scanner.frozen import frozen
from scanner.loaders.terraform.hcl.tree import (
    Expr,
    HclSyntaxError,
    Literal,
    Template,
    TemplateFor,
    TemplateIf,
    TemplatePart,
    unescape,
)

ExpressionParser = Callable[[str, int], Expr]
"""Reads one expression written at a line: ``parse_expression(text, line)``."""


@frozen
class TemplateMarker:
    """A template directive before the if/for structure is assembled."""

    kind: str  # if | else | endif | for | endfor
    line: int
    end_line: int
    strip_left: bool
    strip_right: bool
    condition: Expr | None = None
    key_var: str | None = None
    value_var: str | None = None


def assemble_template(raw: list[Any]) -> tuple[TemplatePart, ...]:
    """Flat text/expr/marker parts -> nested TemplateIf/TemplateFor, applying ``~`` strip markers."""
    # strip markers remove whitespace from the neighbouring literal text
    items = list(raw)
    for i, item in enumerate(items):
        if isinstance(item, TemplateMarker):
            if item.strip_left and i > 0 and isinstance(items[i - 1], str):
                items[i - 1] = items[i - 1].rstrip()
            if item.strip_right and i + 1 < len(items) and isinstance(items[i + 1], str):
                items[i + 1] = items[i + 1].lstrip()
    pos = 0

    def parse_until(stop: tuple[str, ...]) -> tuple[list[TemplatePart], TemplateMarker | None]:
        nonlocal pos
        out: list[TemplatePart] = []
        while pos < len(items):
            item = items[pos]
            pos += 1
            if isinstance(item, TemplateMarker):
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


def heredoc_text(text: str, line: int, trim: bool, parse_expression: ExpressionParser) -> Expr:
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
    parsed = parse_template(body, line + 1, parse_expression, escapes=False)
    return dataclasses.replace(parsed, line=line, end_line=end_line)


def find_close(text: str, start: int) -> int:
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
                    inner_close = find_close(text, i + 2)
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


def parse_template(
    text: str, first_line: int, parse_expression: ExpressionParser, escapes: bool = False
) -> Literal | Template:
    """A template body (heredoc content, a .tf.json string) -> Literal or Template
    (``"${x}"`` is a Template of one part; evaluating it yields x itself, of any type)."""
    if "${" not in text and "%{" not in text:
        plain = unescape(text) if escapes else text
        return Literal(first_line, first_line + text.count("\n") - (1 if text.endswith("\n") else 0), plain)
    raw: list[Any] = []
    buf: list[str] = []
    i = 0
    n = len(text)
    line = first_line

    def flush() -> None:
        if buf:
            chunk = "".join(buf)
            raw.append(unescape(chunk) if escapes else chunk)
            buf.clear()

    while i < n:
        if text.startswith("$${", i) or text.startswith("%%{", i):
            buf.append(text[i + 1 : i + 3])
            i += 3
            continue
        if text.startswith("${", i) or text.startswith("%{", i):
            is_directive = text[i] == "%"
            close = find_close(text, i + 2)
            if close < 0:
                raise HclSyntaxError(line, "unterminated template interpolation")
            inner = text[i + 2 : close]
            strip_left = inner.startswith("~")
            strip_right = inner.endswith("~")
            inner = inner[1 if strip_left else 0 : len(inner) - (1 if strip_right else 0)]
            flush()
            if is_directive:
                raw.append(_directive_marker(inner, line, strip_left, strip_right, parse_expression))
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
    parts = assemble_template(raw)
    if not parts:
        return Literal(first_line, last_line, "")
    if all(isinstance(p, str) for p in parts):
        return Literal(first_line, last_line, "".join(parts))  # type: ignore[arg-type]
    return Template(first_line, last_line, parts)


def _directive_marker(
    inner: str, line: int, strip_left: bool, strip_right: bool, parse_expression: ExpressionParser
) -> TemplateMarker:
    match = _DIRECTIVE_RE.match(inner)
    if match is None:
        raise HclSyntaxError(line, f"unknown template directive %{{{inner.strip()}}}")
    end = line + inner.count("\n")
    if match.group(1):
        return TemplateMarker(
            "if", line, end, strip_left, strip_right, condition=parse_expression(match.group(2), line)
        )
    if match.group(5):
        key_var, value_var = (match.group(6), match.group(7)) if match.group(7) else (None, match.group(6))
        return TemplateMarker(
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
    return TemplateMarker(kind, line, end, strip_left, strip_right)
