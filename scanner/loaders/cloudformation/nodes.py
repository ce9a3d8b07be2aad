"""cfn-lint's decoded template, as plain picklable nodes.

cfn-lint marks every mapping, list and string with its (0-based) start and end in the
file, using classes it creates at run time, which cannot be pickled. These stand-ins keep
the same ``start_mark`` / ``end_mark`` attributes, so the loader reads either, and the
parse cache can store them.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Mark(NamedTuple):
    line: int
    column: int


class MarkedDict(dict[Any, Any]):
    __slots__ = ("end_mark", "start_mark")

    def __init__(self, start_mark: Mark | None, end_mark: Mark | None) -> None:
        super().__init__()
        self.start_mark = start_mark
        self.end_mark = end_mark

    def __reduce__(self) -> tuple[Any, ...]:
        return (MarkedDict, (self.start_mark, self.end_mark), None, None, iter(self.items()))


class MarkedList(list[Any]):
    __slots__ = ("end_mark", "start_mark")

    def __init__(self, start_mark: Mark | None, end_mark: Mark | None) -> None:
        super().__init__()
        self.start_mark = start_mark
        self.end_mark = end_mark

    def __reduce__(self) -> tuple[Any, ...]:
        return (MarkedList, (self.start_mark, self.end_mark), None, iter(self))


class MarkedStr(str):
    __slots__ = ("end_mark", "start_mark")
    start_mark: Mark | None
    end_mark: Mark | None

    def __new__(cls, text: str, start_mark: Mark | None, end_mark: Mark | None) -> MarkedStr:
        self = super().__new__(cls, text)
        self.start_mark = start_mark
        self.end_mark = end_mark
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (MarkedStr, (str.__str__(self), self.start_mark, self.end_mark))


def _mark(node: Any, name: str) -> Mark | None:
    mark = getattr(node, name, None)
    if mark is None:
        return None
    return Mark(int(getattr(mark, "line", 0)), int(getattr(mark, "column", 0)))


def marked_copy(node: Any) -> Any:
    """A copy of a cfn-lint node tree made of Marked* nodes and plain scalars."""
    if isinstance(node, dict):
        copy = MarkedDict(_mark(node, "start_mark"), _mark(node, "end_mark"))
        for key, value in node.items():
            copy[marked_copy(key)] = marked_copy(value)
        return copy
    if isinstance(node, list):
        items = MarkedList(_mark(node, "start_mark"), _mark(node, "end_mark"))
        items.extend(marked_copy(item) for item in node)
        return items
    if isinstance(node, str):
        return MarkedStr(str.__str__(node), _mark(node, "start_mark"), _mark(node, "end_mark"))
    return node
