"""What every built-in shares: the call's context, the errors, the size bound, the table a
family of functions registers in, and the conversions between values with Terraform's rules
(``to_str``, ``to_number`` ...) and how unknowns travel (``is_pending``, ``unknown_from``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.findings import LoadError
from scanner.options import ScanOptions
from scanner.values import Origin, ResourceRef, Span, SpannedList, Unknown


class FunctionError(Exception):
    """A call Terraform would reject (wrong type, missing key, unreadable file)."""


MAX_VALUE_SIZE = 1_000_000
"""The most one evaluated value may hold: its characters plus its elements, every repeat
counted (ten copies of one 1,000-character string in a list count 10,011). Real
configurations stay far below; past it a value is ``Unknown`` and its file and line are
reported, so a "billion laughs" of nested locals, a format width of a billion or an
``indent`` of a million spaces per line ends at once instead of exhausting memory."""


class ValueTooLarge(Exception):
    """Building a value would pass MAX_VALUE_SIZE (or the evaluator's iteration limit). Not
    a Terraform error, so ``try()`` and ``can()`` do not catch it: the value is Unknown."""


def check_size(size: int, what: str) -> None:
    """Raise ValueTooLarge before building something of ``size`` characters or elements."""
    if size > MAX_VALUE_SIZE:
        raise ValueTooLarge(f"{what}: {size} characters or elements, larger than the limit of {MAX_VALUE_SIZE}")


@dataclass
class FunctionContext:
    """What a call may need beyond its arguments: where relative paths resolve, where the
    call is written (for errors), how to evaluate a template for ``templatefile``."""

    options: ScanOptions
    base_dirs: tuple[Path, ...]
    span: Span
    report: Callable[[LoadError], None] = lambda error: None
    render_template: Callable[[str, str, dict[str, Any]], Any] | None = None  # (text, display path, vars)
    note_file: Callable[[str], None] = lambda display: None  # a file() read joins the load's file list
    note_looked_for: Callable[[str], None] = lambda display: None  # a path looked for and not found


Function = Callable[[list[Any], FunctionContext], Any]


class FunctionTable:
    """The built-ins of one family module, by name: filled by ``register`` while that module
    is imported, read-only after (``registry`` joins the families into one table)."""

    def __init__(self) -> None:
        self.functions: dict[str, Function] = {}
        # functions whose arguments may hold unknowns/refs at top level without making the result unknown
        self.passthrough: set[str] = set()

    def register(self, name: str, passthrough: bool = False) -> Callable[[Function], Function]:
        def wrap(fn: Function) -> Function:
            self.functions[name] = fn
            if passthrough:
                self.passthrough.add(name)
            return fn

        return wrap


# ---------------------------------------------------------------------------------------
# sets


class SetValue(SpannedList):
    """A Terraform set (``toset``, ``setunion`` ..., a variable of type ``set(...)``): unique
    elements without index or key. Terraform rejects ``set[0]``, and iterating a set
    (``for``, a ``dynamic`` block's ``for_each``, a template's ``%{for}``) gives each element
    as both key and value. ``make_set`` builds one in Terraform's order."""

    __slots__ = ()


def make_set(items: list[Any], spans: list[Span | None], span: Span | None) -> SetValue:
    """The set of ``items`` (each with its span) in Terraform's order: duplicates removed,
    strings sorted lexically, numbers by value, bools false first; a mix of strings, numbers
    and bools becomes strings (Terraform's common type), as ``toset(["a", 3])`` is
    ``["3", "a"]``. Elements of other types (objects, lists, unknowns) keep their order."""
    pairs = list(zip(items, spans + [None] * (len(items) - len(spans)), strict=True))
    kinds = {_primitive_kind(item) for item, _ in pairs}
    if len(kinds) > 1 and "string" in kinds and kinds <= {"string", "number", "bool"}:
        pairs = [(to_str(item), where) for item, where in pairs]
        kinds = {"string"}
    unique: dict[Any, tuple[Any, Span | None]] = {}
    for item, where in pairs:
        unique.setdefault(equality_key(item), (item, where))
    ordered = list(unique.values())
    if len(kinds) == 1 and None not in kinds:
        ordered.sort(key=lambda pair: pair[0])
    return SetValue([item for item, _ in ordered], span=span, item_spans=[where for _, where in ordered])


def _primitive_kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


# ---------------------------------------------------------------------------------------
# shared conversions


def collect_refs(value: Any, limit: int = 64) -> tuple[ResourceRef, ...]:
    """Every ResourceRef inside ``value`` (Unknowns' refs included), in order, deduplicated."""
    found: list[ResourceRef] = []
    stack = [value]
    seen = 0
    while stack and len(found) < limit and seen < 10_000:
        item = stack.pop()
        seen += 1
        if isinstance(item, ResourceRef):
            if item not in found:
                found.append(item)
        elif isinstance(item, Unknown):
            found.extend(r for r in item.refs if r not in found)
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list | tuple):
            stack.extend(reversed(item))
    return tuple(found)


def collect_origins(value: Any, limit: int = 64) -> tuple[Origin, ...]:
    """The origins of every Unknown inside ``value``, in order of first appearance, deduplicated."""
    if isinstance(value, Unknown):  # the common case: no walk
        return value.origins
    found: dict[Origin, None] = {}
    stack = [value]
    seen = 0
    while stack and len(found) < limit and seen < 10_000:
        item = stack.pop()
        seen += 1
        if isinstance(item, Unknown):
            found.update(dict.fromkeys(item.origins))
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list | tuple):
            stack.extend(reversed(item))
    return tuple(found)


def merge_origins(*groups: tuple[Origin, ...]) -> tuple[Origin, ...]:
    """The origins of ``groups`` together, in order of first appearance, each once."""
    non_empty = [group for group in groups if group]
    if len(non_empty) <= 1:
        return non_empty[0] if non_empty else ()
    return tuple(dict.fromkeys(origin for group in non_empty for origin in group))


def unknown_from(reason: str, *values: Any) -> Unknown:
    """An Unknown derived from ``values``: it keeps the resources they name (``refs``) and
    the open inputs that decide them (``origins``), each once, in order of first appearance."""
    refs: list[ResourceRef] = []
    origins: list[tuple[Origin, ...]] = []
    for value in values:
        refs.extend(r for r in collect_refs(value) if r not in refs)
        if not isinstance(value, ResourceRef | str | int | float | bool) and value is not None:
            origins.append(collect_origins(value))
    return Unknown(reason, tuple(refs), merge_origins(*origins))


def is_pending(value: Any) -> bool:
    """Unknown until apply: an Unknown or a bare reference to another resource."""
    return isinstance(value, Unknown | ResourceRef)


def format_number(value: int | float) -> str:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        text = repr(value)
        return text
    return str(value)


def to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    if value is None:
        raise FunctionError("a null value cannot be used as a string")
    raise FunctionError(f"a {type_name(value)} cannot be used as a string")


def to_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise FunctionError("a bool cannot be used as a number")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                number = float(value)
            except ValueError:
                raise FunctionError(f"{value!r} is not a number") from None
            return int(number) if number.is_integer() and abs(number) < 2**53 else number
    raise FunctionError(f"a {type_name(value)} cannot be used as a number")


def to_int(value: Any) -> int:
    number = to_number(value)
    if isinstance(number, float):
        if not number.is_integer():
            raise FunctionError(f"{number} is not a whole number")
        return int(number)
    return number


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    raise FunctionError(f"{value!r} is not a bool")


def to_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, tuple):
        return list(value)
    raise FunctionError(f"a {type_name(value)} is not a list")


def to_map(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    raise FunctionError(f"a {type_name(value)} is not a map")


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, SetValue):
        return "set"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, dict):
        return "map"
    return "object"


def values_equal(a: Any, b: Any) -> bool:
    """Terraform equality: types must match (``1 != "1"``, ``true != 1``)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return str.__eq__(a, b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))
    if a is None or b is None:
        return a is None and b is None
    return bool(a == b)


def equality_key(value: Any) -> Any:
    """A hashable stand-in: ``equality_key(a) == equality_key(b)`` exactly when
    ``values_equal(a, b)``, so set functions run in linear time, not quadratic."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", value)
    if isinstance(value, str):
        return ("string", str(value))
    if isinstance(value, dict):
        return ("map", tuple(sorted((str(k), equality_key(v)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return ("list", tuple(equality_key(v) for v in value))
    if value is None:
        return ("null",)
    try:
        hash(value)
    except TypeError:
        return ("object", id(value))
    return ("other", value)
