"""Values chosen by something not known offline (``Fn::If`` on an unknown condition,
``Fn::FindInMap`` keyed by ``AWS::Region`` or a parameter without a value): every branch is
evaluated and the branches are combined, never one of them picked quietly.

* Branches that are equal are that value, certainly.
* A list item ``!If [c, X, !Ref AWS::NoValue]`` (either order) is X, which may not exist: its
  index is in ``SpannedList.item_existence``, with an ``Unknown`` whose origins are the
  condition's. A list item choosing between two different values that are not both scalars
  is both items, each of which may not exist (exactly one does): a security group rule chosen
  by ``!If`` is one of its branches, never "an unknown rule".
* A property: two mappings merge key by key (a key equal in both branches is known); two
  lists keep the items they share as certain and the others as items that may not exist; a
  list against ``AWS::NoValue`` is a list whose every item may not exist. Anything else is an
  ``Unknown`` whose reason lists the branches ("one of 0.0.0.0/0, 10.0.0.0/8 by condition
  IsProd ...") and whose origins are the condition's, then the branches'.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from scanner.loaders.cloudformation.values import NO_VALUE, is_known, plain, scalar_text, unknown
from scanner.values import Origin, ResourceRef, Span, SpannedDict, SpannedList, Unknown

MAX_SHOWN = 5  # branches named in a reason; the rest are counted
Item = tuple[Any, Span | None, Unknown | None]  # a list item, its lines, why it may not exist


class Chooser:
    """What chooses between branches (``what``: "condition IsProd"), why it is unknown, and
    the origins that decide it."""

    def __init__(self, what: str, why: str, origins: tuple[Origin, ...]) -> None:
        self.what = what
        self.why = why
        self.origins = origins

    def only_when(self, branch: str) -> Unknown:
        """The existence of what only one branch (``branch``: "true" / "false") writes."""
        return Unknown(
            f"written only when {self.what} is {branch}, which is unknown ({self.why})", origins=self.origins
        )


def describe(value: Any) -> str:
    """A branch in a few words: its text, or what kind of value it is."""
    if value is NO_VALUE:
        return "not set"
    text = scalar_text(value)
    if text is not None:
        return text
    if isinstance(value, ResourceRef):
        return str(value)
    if isinstance(value, Unknown) or not is_known(value):
        return "a value not known offline"
    text = json.dumps(plain(value), separators=(",", ":"), sort_keys=True)
    return text if len(text) <= 60 else text[:57] + "..."


def same(left: Any, right: Any) -> bool:
    return left is right or (left is not NO_VALUE and right is not NO_VALUE and plain(left) == plain(right))


def one_of(values: list[Any], chooser: Chooser) -> Unknown:
    """An unknown that is one of ``values`` (``NO_VALUE``: not set)."""
    shown = list(dict.fromkeys(describe(value) for value in values))
    listing = ", ".join(shown[:MAX_SHOWN]) + (f" and {len(shown) - MAX_SHOWN} more" if len(shown) > MAX_SHOWN else "")
    sources = [value for value in values if value is not NO_VALUE]
    return unknown(f"one of {listing} by {chooser.what} ({chooser.why})", *sources, origins=chooser.origins)


def both(first: Unknown | None, second: Unknown | None) -> Unknown | None:
    """Existence that rests on two unknowns (an item inside a list that may not exist)."""
    if first is None or second is None or first == second:
        return first or second
    origins = tuple(dict.fromkeys((*first.origins, *second.origins)))
    return Unknown(f"{first.reason}; {second.reason}", first.refs + second.refs, origins)


def merged(when_true: Any, when_false: Any, chooser: Chooser) -> Any:
    """A property's value when either branch may be chosen."""
    if same(when_true, when_false):
        return when_true
    if isinstance(when_true, SpannedDict) and isinstance(when_false, SpannedDict):
        result = SpannedDict(span=when_true.span or when_false.span)
        for key in dict.fromkeys([*when_true, *when_false]):
            value = merged(when_true.get(key, NO_VALUE), when_false.get(key, NO_VALUE), chooser)
            result[key] = value
            span = when_true.key_spans.get(key) or when_false.key_spans.get(key)
            if span is not None:
                result.key_spans[key] = span
        return result
    if all(isinstance(branch, SpannedList) or branch is NO_VALUE for branch in (when_true, when_false)):
        span = getattr(when_true, "span", None) or getattr(when_false, "span", None)
        return listed(items_of(when_true), items_of(when_false), chooser, span)
    return one_of([when_true, when_false], chooser)


def items_of(branch: Any) -> list[Item]:
    """A branch as list items (none for ``AWS::NoValue``), with why each may not exist."""
    if not isinstance(branch, SpannedList):
        return [] if branch is NO_VALUE else [(branch, None, None)]
    spans = branch.item_spans
    return [
        (item, spans[index] if index < len(spans) else None, branch.item_existence.get(index))
        for index, item in enumerate(branch)
    ]


def listed(when_true: list[Item], when_false: list[Item], chooser: Chooser, span: Span | None = None) -> SpannedList:
    """The items of two branches: an item both write (by value) is as certain as the
    branches make it; the others exist only when their branch is chosen."""
    result = SpannedList(span=span)
    unmatched = list(when_false)
    for value, item_span, existence in when_true:
        match = next((other for other in unmatched if same(other[0], value)), None)
        if match is None:
            existence = both(chooser.only_when("true"), existence)
        else:
            unmatched.remove(match)
            existence = None if existence is None and match[2] is None else both(existence, match[2])
        append(result, value, item_span, existence)
    for value, item_span, existence in unmatched:
        append(result, value, item_span, both(chooser.only_when("false"), existence))
    return result


def append(items: SpannedList, value: Any, span: Span | None, existence: Unknown | None) -> None:
    if existence is not None:
        items.item_existence[len(items)] = existence
    items.append(value)
    items.item_spans.append(span)


def item_choices(when_true: list[Item], when_false: list[Item], chooser: Chooser) -> list[Item]:
    """The items a list item ``!If`` writes, from each branch's items (none for
    ``AWS::NoValue``, several for a nested ``!If``): two different scalars are one item that
    is one of them; otherwise see ``listed``."""
    if len(when_true) == len(when_false) == 1:
        (true_value, true_span, true_existence), (false_value, false_span, false_existence) = (
            when_true[0],
            when_false[0],
        )
        scalars = not isinstance(true_value, (dict, list)) and not isinstance(false_value, (dict, list))
        if scalars and not same(true_value, false_value):
            value = one_of([true_value, false_value], chooser)
            return [(value, true_span or false_span, both(true_existence, false_existence))]
    found = listed(when_true, when_false, chooser)
    return items_of(found)


def candidates_in(table: Any, keys: Iterable[Any]) -> list[Any]:
    """Every value ``Fn::FindInMap`` may read from ``table`` when some keys are unknown
    (``None`` stands for an unknown key): a known key narrows, an unknown one takes all."""
    level = [table]
    for key in keys:
        text = scalar_text(key)
        following: list[Any] = []
        for mapping in level:
            if not isinstance(mapping, dict):
                continue
            if text is None:
                following.extend(mapping.values())
            elif text in mapping:
                following.append(mapping[text])
        level = following
    return level
