"""The fast indented writer writes exactly what json.dumps(indent=2, sort_keys=True,
ensure_ascii=False, default=str) writes."""

from __future__ import annotations

import enum
import json
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest

from scanner.reports.json_text import LazyItems, dumps_indented, write_indented


class Colour(enum.Enum):
    RED = "red"


def reference(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


CASES: list[Any] = [
    {},
    [],
    "plain",
    None,
    {"b": 1, "a": [1, 2.5, True, False, None, "x"], "c": {}},
    # the same keys at several depths: each depth has its own indentation before the key
    {"location": {"file": "a.tf", "line": 1}, "path": [{"location": {"file": "b.tf", "line": 2}}]},
    {'quote"and\\back': "line\nbreak\ttab \u00e9 \u2028", "empty": [], "nested": [[], [{}], [[1]]]},
    {"tuple": (1, "two", (3,)), "ordered": OrderedDict([("z", 1), ("y", 2)])},
    {"path": Path("a/b.tf"), "enum": Colour.RED, "big": 10**30, "negative": -0.0, "small": 1e-7},
    [{"exposures": [{"traits": [{"k": i, "v": str(i)} for i in range(3)]}]}],
    # one set of keys in two orders, and a set one key larger, at the same depth
    [{"b": 1, "a": 2}, {"a": 3, "b": 4}, {"a": 5, "b": 6, "c": 7}],
]


@pytest.mark.parametrize("value", CASES)
def test_writes_what_json_dumps_writes(value: Any) -> None:
    assert dumps_indented(value) == reference(value)


@pytest.mark.parametrize("value", [{"a": float("nan")}, {"a": [float("inf")]}, {1: "int key"}, {"b": {2: 3}}])
def test_values_it_does_not_write_itself_go_to_json_dumps(value: Any) -> None:
    assert dumps_indented(value) == reference(value)


def test_keys_of_one_report_are_not_kept_for_the_next() -> None:
    dumps_indented({"only-in-this-report": 1})
    assert dumps_indented({"other": {"only-in-this-report": 2}}) == reference({"other": {"only-in-this-report": 2}})


@pytest.mark.parametrize("value", CASES)
def test_written_in_pieces_is_the_same_text(value: Any) -> None:
    pieces: list[str] = []
    write_indented(value, pieces.append)
    assert "".join(pieces) == reference(value)


@pytest.mark.parametrize("items", [[], [{"b": 1, "a": [1, {}]}], [{"k": i} for i in range(200)], ["x", None, 3]])
def test_lazy_items_are_written_as_the_list_they_make(items: list[Any]) -> None:
    made: list[int] = []

    def each() -> Any:
        for n, item in enumerate(items):
            made.append(n)
            yield item

    pieces: list[str] = []
    write_indented({"z": 1, "exposures": LazyItems(each()), "a": "x"}, pieces.append)
    assert "".join(pieces) == reference({"z": 1, "exposures": items, "a": "x"})
    assert made == list(range(len(items)))
    assert len(pieces) >= 1 + len(items) // 65  # handed out as it goes, not held to the end


def test_a_lazy_item_the_fast_writer_cannot_write_falls_back_to_json_dumps() -> None:
    items = [{"a": 1}, {"b": float("nan"), "d": [1, {"e": 2}]}, {"c": [2]}]
    pieces: list[str] = []
    write_indented({"exposures": LazyItems(iter(items))}, pieces.append)
    assert "".join(pieces) == reference({"exposures": items})
