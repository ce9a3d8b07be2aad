"""A JSON reader that keeps lines: ``read_json_with_lines`` returns ``SpannedDict`` /
``SpannedList`` whose every key and item knows the lines it is written on (the json module
does not say). A plan written on one line, as terraform writes it, is read by the json module
and every span is line 1."""

from __future__ import annotations

import bisect
import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from scanner.values import Span, SpannedDict, SpannedList

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}


class _JsonWithLines:
    """A JSON reader that returns SpannedDict / SpannedList carrying each key's line."""

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.newlines = [index for index, char in enumerate(text) if char == "\n"]

    def line(self, position: int) -> int:
        return bisect.bisect_left(self.newlines, position) + 1

    def skip(self, position: int) -> int:
        match = _WHITESPACE.match(self.text, position)
        return match.end() if match else position

    def parse(self) -> Any:
        value, end = self.value(self.skip(0))
        if self.skip(end) != len(self.text):
            raise ValueError(f"extra data at line {self.line(end)}")
        return value

    def value(self, position: int) -> tuple[Any, int]:
        text = self.text
        if position >= len(text):
            raise ValueError("unexpected end of file")
        char = text[position]
        if char == "{":
            return self.object(position)
        if char == "[":
            return self.array(position)
        if char == '"':
            return scanstring(text, position + 1)
        for word, literal in _LITERALS.items():
            if text.startswith(word, position):
                return literal, position + len(word)
        match = _NUMBER.match(text, position)
        if match is None:
            raise ValueError(f"unexpected {char!r} at line {self.line(position)}")
        number = match.group()
        return (float(number) if match.group(1) or match.group(2) else int(number)), match.end()

    def object(self, start: int) -> tuple[SpannedDict, int]:
        result = SpannedDict()
        position = self.skip(start + 1)
        if self.text[position] != "}":
            while True:
                if self.text[position] != '"':
                    raise ValueError(f"expected a key at line {self.line(position)}")
                key_line = self.line(position)
                key, position = scanstring(self.text, position + 1)
                position = self.skip(position)
                if self.text[position] != ":":
                    raise ValueError(f"expected ':' at line {self.line(position)}")
                value, position = self.value(self.skip(position + 1))
                result[key] = value
                result.key_spans[key] = Span(self.file, key_line, self.line(position - 1))
                position = self.skip(position)
                if self.text[position] == ",":
                    position = self.skip(position + 1)
                    continue
                if self.text[position] != "}":
                    raise ValueError(f"expected ',' or '}}' at line {self.line(position)}")
                break
        result.span = Span(self.file, self.line(start), self.line(position))
        return result, position + 1

    def array(self, start: int) -> tuple[SpannedList, int]:
        result = SpannedList()
        position = self.skip(start + 1)
        if self.text[position] != "]":
            while True:
                item_line = self.line(position)
                value, position = self.value(position)
                result.append(value)
                result.item_spans.append(Span(self.file, item_line, self.line(position - 1)))
                position = self.skip(position)
                if self.text[position] == ",":
                    position = self.skip(position + 1)
                    continue
                if self.text[position] != "]":
                    raise ValueError(f"expected ',' or ']' at line {self.line(position)}")
                break
        result.span = Span(self.file, self.line(start), self.line(position))
        return result, position + 1


def _spanned(value: Any, span: Span) -> Any:
    """Plain JSON -> Spanned containers that all point at one span (a one-line plan)."""
    if isinstance(value, dict):
        return SpannedDict(
            {key: _spanned(item, span) for key, item in value.items()}, span=span, key_spans=dict.fromkeys(value, span)
        )
    if isinstance(value, list):
        return SpannedList([_spanned(item, span) for item in value], span=span, item_spans=[span] * len(value))
    return value


def read_json_with_lines(text: str, file: str) -> Any:
    if text.count("\n") <= 1:
        # terraform writes plans on one line: every span is line 1, the fast parser will do.
        return _spanned(json.loads(text), Span(file, 1, 1))
    return _JsonWithLines(text, file).parse()
