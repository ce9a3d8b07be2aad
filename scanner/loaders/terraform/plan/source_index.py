"""The ``.tf`` source of a plan, indexed by line: ``index_tf_file`` finds every block and
attribute of a file with just enough of HCL's lexical structure (strings with nested
interpolations, heredocs and comments never open or close a block), and the literal values
written in them, without parsing expressions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from scanner.frozen import frozen
from scanner.values import Span


@dataclass
class SourceBlock:
    """Where a block and each of its attributes / nested blocks are written in a .tf file."""

    span: Span
    attributes: dict[str, Span] = field(default_factory=dict)
    blocks: dict[str, list[SourceBlock]] = field(default_factory=dict)
    literals: dict[str, Any] = field(default_factory=dict)  # attributes written as a literal or a list of them


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_HCL_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n")


@frozen
class _Token:
    kind: str  # "ident", "string", "number", "heredoc", "punct", "newline", "other"
    text: str
    line: int
    end_line: int = 0  # a heredoc's closing marker line


class _HclTokens:
    """Just enough of HCL's lexical structure to find blocks and attributes by line:
    strings with nested interpolations, heredocs and comments never open or close a block."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.line = 1

    def _advance(self, end: int) -> None:
        self.line += self.text.count("\n", self.position, end)
        self.position = end

    def _string_end(self, position: int) -> int:
        """``position`` is just after an opening quote; returns the index after the closing one."""
        text = self.text
        while position < len(text):
            char = text[position]
            if char == "\\":
                position += 2
            elif char == '"':
                return position + 1
            elif char in "$%" and text.startswith("{", position + 1):
                position = self._template_end(position + 2)
            elif char == "\n":
                return position  # unterminated: stop at the line end
            else:
                position += 1
        return position

    def _template_end(self, position: int) -> int:
        depth = 1
        text = self.text
        while position < len(text) and depth:
            char = text[position]
            if char == '"':
                position = self._string_end(position + 1)
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            position += 1
        return position

    def __iter__(self) -> Iterator[_Token]:
        text = self.text
        while self.position < len(text):
            char = text[self.position]
            line = self.line
            if char == "\n":
                self._advance(self.position + 1)
                yield _Token("newline", "\n", line)
            elif char in " \t\r":
                self._advance(self.position + 1)
            elif char == "#" or text.startswith("//", self.position):
                end = text.find("\n", self.position)
                self._advance(len(text) if end < 0 else end)
            elif text.startswith("/*", self.position):
                end = text.find("*/", self.position + 2)
                self._advance(len(text) if end < 0 else end + 2)
            elif char == '"':
                end = self._string_end(self.position + 1)
                value = text[self.position + 1 : end - 1]
                self._advance(end)
                yield _Token("string", value, line)
            elif (heredoc := _HEREDOC.match(text, self.position)) is not None:
                marker = heredoc.group(1)
                closing = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*$", re.MULTILINE)
                found = closing.search(text, heredoc.end())
                self._advance(len(text) if found is None else found.end())
                yield _Token("heredoc", "<<heredoc", line, self.line)
            elif (ident := _IDENT.match(text, self.position)) is not None:
                self._advance(ident.end())
                yield _Token("ident", ident.group(), line)
            elif (number := _HCL_NUMBER.match(text, self.position)) is not None:
                self._advance(number.end())
                yield _Token("number", number.group(), line)
            else:
                self._advance(self.position + 1)
                yield _Token("punct" if char in "{}[]()=:," else "other", char, line)


def _parse_body(tokens: list[_Token], index: int, file: str, start_line: int) -> tuple[SourceBlock, int]:
    """Read a body up to its closing brace; ``index`` is just after the opening brace. A
    nested block is filed under its type (``ingress``) and, when labelled, under its type and
    labels (``resource aws_instance web``)."""
    block = SourceBlock(Span(file, start_line, start_line))
    while index < len(tokens):
        token = tokens[index]
        if token.text == "}" and token.kind == "punct":
            block.span = Span(file, start_line, token.line)
            return block, index + 1
        if token.kind in ("ident", "string"):
            after = index + 1
            if token.kind == "ident":
                while after < len(tokens) and tokens[after].kind in ("ident", "string"):
                    after += 1  # block labels
            following = tokens[after].text if after < len(tokens) else ""
            if following in ("=", ":") and after == index + 1:
                end, end_line = _expression_end(tokens, after + 1)
                block.attributes.setdefault(token.text, Span(file, token.line, end_line))
                literal = _literal([item for item in tokens[after + 1 : end] if item.kind != "newline"])
                if literal is not None:
                    block.literals.setdefault(token.text, literal)
                index = end
                continue
            if following == "{" and token.kind == "ident":
                labels = [label.text for label in tokens[index + 1 : after]]
                child, index = _parse_body(tokens, after + 1, file, token.line)
                block.blocks.setdefault(token.text, []).append(child)
                if labels:
                    block.blocks.setdefault(" ".join([token.text, *labels]), []).append(child)
                continue
        index += 1
    return block, index


def _literal(tokens: list[_Token]) -> Any:
    """A literal's value as text (``22``, ``"tcp"``, ``true``), or a list of them; else None."""
    if len(tokens) == 1 and tokens[0].kind in ("string", "number", "ident") and "${" not in tokens[0].text:
        return tokens[0].text
    if len(tokens) >= 2 and tokens[0].text == "[" and tokens[-1].text == "]":
        items = [token for token in tokens[1:-1] if token.text != ","]
        if all(token.kind in ("string", "number") and "${" not in token.text for token in items):
            return [token.text for token in items]
    return None


def _expression_end(tokens: list[_Token], index: int) -> tuple[int, int]:
    """The token after an attribute's expression and the expression's last line."""
    depth = 0
    last_line = tokens[index - 1].line
    while index < len(tokens):
        token = tokens[index]
        if token.kind == "newline" and depth == 0:
            return index, last_line
        if token.text in "([{" and token.kind == "punct":
            depth += 1
        elif token.text in ")]}" and token.kind == "punct":
            if depth == 0:
                return index, last_line
            depth -= 1
        if token.kind != "newline":
            last_line = max(token.line, token.end_line)
        index += 1
    return index, last_line


def index_tf_file(text: str, file: str) -> SourceBlock:
    """Every top-level block of a .tf file, filed by type and labels (``resource aws_vpc main``)."""
    tokens = list(_HclTokens(text))
    root, _ = _parse_body([*tokens, _Token("punct", "}", text.count("\n") + 1)], 0, file, 1)
    return root
