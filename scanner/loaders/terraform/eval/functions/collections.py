"""Terraform's built-in functions, evaluated offline.

Each function is pure: ``fn(args, ctx) -> value``. An argument that is ``Unknown`` (or a
``ResourceRef``, whose value is known only after apply) makes the result ``Unknown`` with the
same refs, unless the function only moves values around (``concat``, ``tolist``, ``merge``,
``coalesce`` ...). A call Terraform would reject raises ``FunctionError``; the evaluator turns
it into ``Unknown`` (or into ``try``/``can``'s fallback). ``file``/``templatefile`` read only
inside ``ScanOptions.root``.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import math
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scanner.findings import LoadError
from scanner.options import ScanOptions
from scanner.values import EncodedJson, ResourceRef, Span, SpannedDict, SpannedList, Unknown


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
FUNCTIONS: dict[str, Function] = {}
# functions whose arguments may hold unknowns/refs at top level without making the result unknown
PASSTHROUGH: set[str] = set()


def _register(name: str, passthrough: bool = False) -> Callable[[Function], Function]:
    def wrap(fn: Function) -> Function:
        FUNCTIONS[name] = fn
        if passthrough:
            PASSTHROUGH.add(name)
        return fn

    return wrap


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


def unknown_from(reason: str, *values: Any) -> Unknown:
    refs: list[ResourceRef] = []
    for value in values:
        refs.extend(r for r in collect_refs(value) if r not in refs)
    return Unknown(reason, tuple(refs))


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


def _item_span(items: Any, index: int) -> Span | None:
    if isinstance(items, SpannedList) and index < len(items.item_spans):
        return items.item_spans[index]
    return None


def _list_like(items: list[Any], spans: list[Span | None], span: Span | None = None) -> SpannedList:
    return SpannedList(items, span=span, item_spans=spans)


def _spanned_copy(value: Any, span: Span) -> Any:
    """Plain decoded data (jsondecode/yamldecode) -> Spanned containers pointing at the call."""
    if isinstance(value, dict):
        return SpannedDict(
            {str(k): _spanned_copy(v, span) for k, v in value.items()},
            span=span,
            key_spans={str(k): span for k in value},
        )
    if isinstance(value, list):
        return SpannedList([_spanned_copy(v, span) for v in value], span=span, item_spans=[span] * len(value))
    return value


# ---------------------------------------------------------------------------------------
# encoding


def _json_ready(value: Any) -> Any:
    """Value -> JSON-able data; unknown parts become ``${...}`` placeholders in the text."""
    if isinstance(value, ResourceRef):
        return "${" + str(value) + "}"
    if isinstance(value, Unknown):
        return "${" + (",".join(str(r) for r in value.refs) or "unknown") + "}"
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return "${unknown}"


def encode_json(value: Any) -> EncodedJson:
    text = json.dumps(_json_ready(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return EncodedJson(text, value)


@_register("jsonencode", passthrough=True)
def fn_jsonencode(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if isinstance(value, Unknown):
        return value
    # nested refs/unknowns do not hide the document: the decoded form keeps them for analysis
    return encode_json(value)


@_register("jsondecode")
def fn_jsondecode(args: list[Any], ctx: FunctionContext) -> Any:
    (text,) = args
    if isinstance(text, EncodedJson):
        return text.decoded
    try:
        return _spanned_copy(json.loads(to_str(text)), ctx.span)
    except json.JSONDecodeError as exc:
        raise FunctionError(f"jsondecode: {exc}") from None


@_register("yamldecode")
def fn_yamldecode(args: list[Any], ctx: FunctionContext) -> Any:
    (text,) = args
    try:
        return _spanned_copy(yaml.safe_load(to_str(text)), ctx.span)
    except yaml.YAMLError as exc:
        raise FunctionError(f"yamldecode: {exc}") from None


@_register("yamlencode", passthrough=True)
def fn_yamlencode(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if isinstance(value, Unknown):
        return value
    return EncodedJson(yaml.safe_dump(_json_ready(value), sort_keys=True), value)


@_register("base64encode")
def fn_base64encode(args: list[Any], ctx: FunctionContext) -> str:
    return base64.b64encode(to_str(args[0]).encode()).decode()


@_register("base64decode")
def fn_base64decode(args: list[Any], ctx: FunctionContext) -> str:
    try:
        return base64.b64decode(to_str(args[0]), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise FunctionError(f"base64decode: {exc}") from None


@_register("base64gzip")
def fn_base64gzip(args: list[Any], ctx: FunctionContext) -> Any:
    return Unknown("base64gzip output is not reproduced offline")


for _name, _algo in (("md5", "md5"), ("sha1", "sha1"), ("sha256", "sha256"), ("sha512", "sha512")):

    def _hash(args: list[Any], ctx: FunctionContext, _algo: str = _algo) -> str:
        return hashlib.new(_algo, to_str(args[0]).encode()).hexdigest()

    _register(_name)(_hash)


@_register("base64sha256")
def fn_base64sha256(args: list[Any], ctx: FunctionContext) -> str:
    return base64.b64encode(hashlib.sha256(to_str(args[0]).encode()).digest()).decode()


@_register("urlencode")
def fn_urlencode(args: list[Any], ctx: FunctionContext) -> str:
    from urllib.parse import quote

    return quote(to_str(args[0]), safe="")


for _name in ("uuid", "timestamp", "bcrypt", "uuidv5", "plantimestamp"):

    def _volatile(args: list[Any], ctx: FunctionContext, _name: str = _name) -> Any:
        return Unknown(f"{_name}() changes on every run")

    _register(_name, passthrough=True)(_volatile)


# ---------------------------------------------------------------------------------------
# collections


@_register("merge", passthrough=True)
def fn_merge(args: list[Any], ctx: FunctionContext) -> Any:
    pending = [a for a in args if is_pending(a)]
    if pending:
        return unknown_from("merge() of a map that is known only after apply", *pending)
    out = SpannedDict(span=next((a.span for a in args if isinstance(a, SpannedDict)), ctx.span))
    for arg in args:
        if arg is None:
            continue
        for key, value in to_map(arg).items():
            out[key] = value
            key_span = arg.key_spans.get(key) if isinstance(arg, SpannedDict) else None
            if key_span is not None:
                out.key_spans[key] = key_span
            else:
                out.key_spans.pop(key, None)
    return out


@_register("concat", passthrough=True)
def fn_concat(args: list[Any], ctx: FunctionContext) -> Any:
    pending = [a for a in args if is_pending(a)]
    if pending:
        return unknown_from("concat() of a list that is known only after apply", *pending)
    items: list[Any] = []
    spans: list[Span | None] = []
    for arg in args:
        lst = to_list(arg)
        for i, item in enumerate(lst):
            items.append(item)
            spans.append(_item_span(lst, i))
    return _list_like(items, spans, ctx.span)


@_register("flatten", passthrough=True)
def fn_flatten(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if is_pending(value):
        return unknown_from("flatten() of an unknown list", value)
    items: list[Any] = []
    spans: list[Span | None] = []

    def walk(lst: Any) -> None:
        for i, item in enumerate(lst):
            if isinstance(item, list | tuple):
                walk(item)
            else:
                items.append(item)
                spans.append(_item_span(lst, i))

    walk(to_list(value))
    return _list_like(items, spans, getattr(value, "span", ctx.span))


@_register("lookup", passthrough=True)
def fn_lookup(args: list[Any], ctx: FunctionContext) -> Any:
    mapping, key = args[0], args[1]
    if is_pending(mapping) or is_pending(key):
        return unknown_from("lookup() in a map known only after apply", mapping, key)
    key = to_str(key)
    mapping = to_map(mapping)
    if key in mapping:
        return mapping[key]
    if len(args) > 2:
        return args[2]
    raise FunctionError(f"lookup: the map has no key {key!r}")


@_register("element", passthrough=True)
def fn_element(args: list[Any], ctx: FunctionContext) -> Any:
    lst, index = args
    if is_pending(lst) or is_pending(index):
        return unknown_from("element() of an unknown list or index", lst, index)
    lst = to_list(lst)
    if not lst:
        raise FunctionError("element: the list is empty")
    return lst[to_int(index) % len(lst)]


@_register("length")
def fn_length(args: list[Any], ctx: FunctionContext) -> int:
    (value,) = args
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list | tuple | dict):
        return len(value)
    raise FunctionError(f"length of a {type_name(value)}")


@_register("tolist", passthrough=True)
def fn_tolist(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if value is None or is_pending(value):
        return value
    return to_list(value)


@_register("toset", passthrough=True)
def fn_toset(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if value is None or is_pending(value):
        return value
    return fn_distinct([value], ctx)


@_register("distinct", passthrough=True)
def fn_distinct(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if is_pending(value):
        return value
    lst = to_list(value)
    items: list[Any] = []
    spans: list[Span | None] = []
    seen: set[Any] = set()
    for i, item in enumerate(lst):
        key = equality_key(item)
        if key in seen:
            continue
        seen.add(key)
        items.append(item)
        spans.append(_item_span(lst, i))
    return _list_like(items, spans, getattr(value, "span", ctx.span))


@_register("tomap", passthrough=True)
def fn_tomap(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if value is None or is_pending(value):
        return value
    return to_map(value)


@_register("tostring", passthrough=True)
def fn_tostring(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if value is None or is_pending(value):
        return value
    return to_str(value)


@_register("tonumber", passthrough=True)
def fn_tonumber(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if value is None or is_pending(value):
        return value
    return to_number(value)


@_register("tobool", passthrough=True)
def fn_tobool(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if value is None or is_pending(value):
        return value
    return to_bool(value)


@_register("coalesce", passthrough=True)
def fn_coalesce(args: list[Any], ctx: FunctionContext) -> Any:
    for arg in args:
        if is_pending(arg):
            return arg if isinstance(arg, ResourceRef) else unknown_from("coalesce() over an unknown value", *args)
        if arg is not None and arg != "":
            return arg
    raise FunctionError("coalesce: no non-null, non-empty argument")


@_register("coalescelist", passthrough=True)
def fn_coalescelist(args: list[Any], ctx: FunctionContext) -> Any:
    for arg in args:
        if is_pending(arg):
            return unknown_from("coalescelist() over an unknown list", *args)
        if to_list(arg):
            return arg
    raise FunctionError("coalescelist: every list is empty")


@_register("compact", passthrough=True)
def fn_compact(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if is_pending(value):
        return value
    lst = to_list(value)
    keep = [i for i, item in enumerate(lst) if item is not None and item != ""]
    return _list_like([lst[i] for i in keep], [_item_span(lst, i) for i in keep], getattr(value, "span", ctx.span))


@_register("keys")
def fn_keys(args: list[Any], ctx: FunctionContext) -> list[str]:
    return sorted(to_map(args[0]).keys())


@_register("values", passthrough=True)
def fn_values(args: list[Any], ctx: FunctionContext) -> Any:
    (mapping,) = args
    if is_pending(mapping):
        return unknown_from("values() of an unknown map", mapping)
    mapping = to_map(mapping)
    keys = sorted(mapping)
    spans = [mapping.key_spans.get(k) if isinstance(mapping, SpannedDict) else None for k in keys]
    return _list_like([mapping[k] for k in keys], spans, getattr(mapping, "span", ctx.span))


@_register("contains", passthrough=True)
def fn_contains(args: list[Any], ctx: FunctionContext) -> Any:
    lst, value = args
    if is_pending(lst) or is_pending(value):
        return unknown_from("contains() over an unknown value", lst, value)
    items = to_list(lst)
    if any(values_equal(item, value) for item in items):
        return True
    if any(is_pending(item) for item in items):
        return unknown_from("contains() over a list with unknown items", items)
    return False


@_register("zipmap", passthrough=True)
def fn_zipmap(args: list[Any], ctx: FunctionContext) -> Any:
    keys, values = args
    if is_pending(keys) or is_pending(values):
        return unknown_from("zipmap() of unknown lists", keys, values)
    keys, values = to_list(keys), to_list(values)
    if len(keys) != len(values):
        raise FunctionError("zipmap: the lists have different lengths")
    return SpannedDict({to_str(k): v for k, v in zip(keys, values, strict=True)}, span=ctx.span)


@_register("range")
def fn_range(args: list[Any], ctx: FunctionContext) -> list[int | float]:
    numbers = [to_number(a) for a in args]
    start: int | float
    stop: int | float
    step: int | float
    if len(numbers) == 1:
        start, stop, step = 0, numbers[0], 1
    elif len(numbers) == 2:
        start, stop, step = numbers[0], numbers[1], 1 if numbers[1] >= numbers[0] else -1
    else:
        start, stop, step = numbers
    if step == 0:
        raise FunctionError("range: step must not be zero")
    if abs((stop - start) / step) > 1024:
        raise FunctionError("range: more than 1024 elements")
    out: list[int | float] = []
    value = start
    while (step > 0 and value < stop) or (step < 0 and value > stop):
        out.append(value)
        value += step
    return out


@_register("min")
def fn_min(args: list[Any], ctx: FunctionContext) -> int | float:
    if not args:
        raise FunctionError("min: no arguments")
    return min(to_number(a) for a in args)


@_register("max")
def fn_max(args: list[Any], ctx: FunctionContext) -> int | float:
    if not args:
        raise FunctionError("max: no arguments")
    return max(to_number(a) for a in args)


@_register("sum")
def fn_sum(args: list[Any], ctx: FunctionContext) -> Any:
    items = to_list(args[0])
    if any(is_pending(i) for i in items):
        return unknown_from("sum() of unknown numbers", items)
    if not items:
        raise FunctionError("sum: the list is empty")
    total: int | float = 0
    for item in items:
        total += to_number(item)
    return total


@_register("sort")
def fn_sort(args: list[Any], ctx: FunctionContext) -> Any:
    items = to_list(args[0])
    if any(is_pending(i) for i in items):
        return unknown_from("sort() of unknown strings", items)
    return sorted(to_str(i) for i in items)


@_register("reverse", passthrough=True)
def fn_reverse(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if is_pending(value):
        return value
    lst = to_list(value)
    indexes = list(range(len(lst)))[::-1]
    return _list_like([lst[i] for i in indexes], [_item_span(lst, i) for i in indexes], getattr(value, "span", None))


@_register("slice", passthrough=True)
def fn_slice(args: list[Any], ctx: FunctionContext) -> Any:
    lst, start, end = args
    if is_pending(lst) or is_pending(start) or is_pending(end):
        return unknown_from("slice() of an unknown list", lst, start, end)
    lst = to_list(lst)
    start, end = to_int(start), to_int(end)
    if start < 0 or end > len(lst) or start > end:
        raise FunctionError(f"slice: indexes {start}..{end} out of range for {len(lst)} items")
    indexes = list(range(start, end))
    return _list_like([lst[i] for i in indexes], [_item_span(lst, i) for i in indexes], getattr(lst, "span", None))


@_register("one", passthrough=True)
def fn_one(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if is_pending(value):
        return value
    if value is None:
        return None
    lst = to_list(value)
    if len(lst) > 1:
        raise FunctionError(f"one: the list has {len(lst)} items")
    return lst[0] if lst else None


@_register("alltrue")
def fn_alltrue(args: list[Any], ctx: FunctionContext) -> Any:
    items = to_list(args[0])
    if any(is_pending(i) for i in items):
        return unknown_from("alltrue() of unknown values", items)
    return all(to_bool(i) for i in items)


@_register("anytrue")
def fn_anytrue(args: list[Any], ctx: FunctionContext) -> Any:
    items = to_list(args[0])
    if any(is_pending(i) for i in items):
        return unknown_from("anytrue() of unknown values", items)
    return any(to_bool(i) for i in items)


@_register("index")
def fn_index(args: list[Any], ctx: FunctionContext) -> int:
    lst, value = to_list(args[0]), args[1]
    for i, item in enumerate(lst):
        if values_equal(item, value):
            return i
    raise FunctionError("index: the value is not in the list")


def _set_items(args: list[Any]) -> list[list[Any]]:
    return [to_list(a) for a in args]


@_register("setunion")
def fn_setunion(args: list[Any], ctx: FunctionContext) -> list[Any]:
    out: list[Any] = []
    seen: set[Any] = set()
    for lst in _set_items(args):
        for item in lst:
            key = equality_key(item)
            if key not in seen:
                seen.add(key)
                out.append(item)
    return out


@_register("setintersection")
def fn_setintersection(args: list[Any], ctx: FunctionContext) -> list[Any]:
    lists = _set_items(args)
    if not lists:
        return []
    others = [{equality_key(o) for o in other} for other in lists[1:]]
    out: list[Any] = []
    seen: set[Any] = set()
    for item in lists[0]:
        key = equality_key(item)
        if key not in seen and all(key in other for other in others):
            seen.add(key)
            out.append(item)
    return out


@_register("setsubtract")
def fn_setsubtract(args: list[Any], ctx: FunctionContext) -> list[Any]:
    a, b = _set_items(args)
    removed = {equality_key(o) for o in b}
    return [i for i in a if equality_key(i) not in removed]


@_register("setproduct")
def fn_setproduct(args: list[Any], ctx: FunctionContext) -> list[Any]:
    result: list[list[Any]] = [[]]
    for lst in _set_items(args):
        if len(result) * len(lst) > 100_000:
            raise FunctionError("setproduct: too many combinations")
        result = [[*prefix, item] for prefix in result for item in lst]
    return result


@_register("chunklist")
def fn_chunklist(args: list[Any], ctx: FunctionContext) -> list[Any]:
    lst, size = to_list(args[0]), to_int(args[1])
    if size <= 0:
        return [lst]
    return [lst[i : i + size] for i in range(0, len(lst), size)]


@_register("transpose")
def fn_transpose(args: list[Any], ctx: FunctionContext) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, values in to_map(args[0]).items():
        for value in to_list(values):
            out.setdefault(to_str(value), []).append(key)
    return out


@_register("matchkeys")
def fn_matchkeys(args: list[Any], ctx: FunctionContext) -> list[Any]:
    values, keys, search = (to_list(a) for a in args)
    return [v for v, k in zip(values, keys, strict=False) if any(values_equal(k, s) for s in search)]


# ---------------------------------------------------------------------------------------
# strings

_FORMAT_VERB = re.compile(r"%(?:\[(\d+)\])?([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])")


def _format(fmt: str, values: list[Any]) -> str:
    out: list[str] = []
    pos = 0
    next_arg = 0
    length = 0
    for match in _FORMAT_VERB.finditer(fmt):
        out.append(fmt[pos : match.start()])
        length += match.start() - pos
        pos = match.end()
        explicit, flags, width, precision, verb = match.groups()
        check_size(int(width or 0), "format: width")
        check_size(int(precision or 0), "format: precision")
        if verb == "%":
            out.append("%")
            continue
        index = int(explicit) - 1 if explicit else next_arg
        next_arg = index + 1
        if index >= len(values):
            raise FunctionError(f"format: not enough arguments for {fmt!r}")
        value = values[index]
        if verb in "sv":
            text = (
                to_str(value)
                if not isinstance(value, list | dict)
                else json.dumps(_json_ready(value), separators=(",", ":"), sort_keys=True)
            )
        elif verb == "q":
            text = json.dumps(to_str(value))
        elif verb == "t":
            text = "true" if to_bool(value) else "false"
        elif verb == "d":
            text = str(to_int(value))
        elif verb in "fFeEgG":
            text = f"{to_number(value):{'.' + precision if precision else ''}{verb}}"
            precision = None
        elif verb in "xXob":
            text = format(to_int(value), verb) if not isinstance(value, str) else value.encode().hex()
        else:
            raise FunctionError(f"format: unsupported verb %{verb}")
        if precision and verb in "sqv":
            text = text[: int(precision)]
        if width:
            pad = "0" if "0" in flags and verb not in "sqv" else " "
            text = text.ljust(int(width), " ") if "-" in flags else text.rjust(int(width), pad)
        if "+" in flags and verb in "dfeg" and not text.startswith("-"):
            text = "+" + text
        out.append(text)
        length += len(text)
        check_size(length, "format: result")
    out.append(fmt[pos:])
    return "".join(out)


@_register("format")
def fn_format(args: list[Any], ctx: FunctionContext) -> Any:
    if not args:
        raise FunctionError("format: missing format string")
    if any(is_pending(a) for a in args[1:]):
        return unknown_from("format() of a value known only after apply", *args)
    return _format(to_str(args[0]), args[1:])


@_register("formatlist", passthrough=True)
def fn_formatlist(args: list[Any], ctx: FunctionContext) -> Any:
    if not args or is_pending(args[0]) or any(is_pending(a) for a in args[1:]):
        return unknown_from("formatlist() of unknown values", *args)
    lengths = {len(a) for a in args[1:] if isinstance(a, list | tuple)}
    if len(lengths) > 1:
        raise FunctionError("formatlist: lists of different lengths")
    count = lengths.pop() if lengths else 1
    out: list[Any] = []
    length = 0
    for i in range(count):
        row = [a[i] if isinstance(a, list | tuple) else a for a in args[1:]]
        if any(is_pending(v) for v in row):
            out.append(unknown_from("formatlist() of a value known only after apply", row))
        else:
            out.append(_format(to_str(args[0]), row))
            length += len(out[-1])
        check_size(length + len(out), "formatlist: result")
    return out


@_register("join")
def fn_join(args: list[Any], ctx: FunctionContext) -> Any:
    sep = to_str(args[0])
    items: list[Any] = []
    for lst in args[1:]:
        items.extend(to_list(lst))
    if any(is_pending(i) for i in items):
        return unknown_from("join() of values known only after apply", items)
    texts = [to_str(i) for i in items]
    check_size(sum(map(len, texts)) + len(sep) * max(len(texts) - 1, 0), "join: result")
    return sep.join(texts)


@_register("split")
def fn_split(args: list[Any], ctx: FunctionContext) -> list[str]:
    sep, text = to_str(args[0]), to_str(args[1])
    if sep == "":
        return list(text)
    return text.split(sep)


@_register("upper")
def fn_upper(args: list[Any], ctx: FunctionContext) -> str:
    return to_str(args[0]).upper()


@_register("lower")
def fn_lower(args: list[Any], ctx: FunctionContext) -> str:
    return to_str(args[0]).lower()


@_register("title")
def fn_title(args: list[Any], ctx: FunctionContext) -> str:
    return re.sub(r"\b(\w)", lambda m: m.group(1).upper(), to_str(args[0]))


def _go_regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern.replace(r"\z", r"\Z"))
    except re.error as exc:
        raise FunctionError(f"invalid regular expression {pattern!r}: {exc}") from None


@_register("replace")
def fn_replace(args: list[Any], ctx: FunctionContext) -> str:
    text, search, replacement = (to_str(a) for a in args)
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        pattern = _go_regex(search[1:-1])
        template = re.sub(
            r"\$\{(\w+)\}|\$(\d+)",
            lambda m: "\\g<" + (m.group(1) or m.group(2)) + ">",
            replacement.replace("\\", "\\\\"),
        )
        length = [len(text)]

        def substitute(match: re.Match[str]) -> str:
            piece = match.expand(template)
            length[0] += len(piece)
            check_size(length[0], "replace: result")
            return piece

        return pattern.sub(substitute, text)
    matches = len(text) + 1 if search == "" else text.count(search)
    check_size(len(text) + matches * len(replacement), "replace: result")
    return text.replace(search, replacement)


@_register("regex")
def fn_regex(args: list[Any], ctx: FunctionContext) -> Any:
    pattern, text = _go_regex(to_str(args[0])), to_str(args[1])
    match = pattern.search(text)
    if match is None:
        raise FunctionError("regex: the pattern did not match")
    return _match_value(pattern, match)


def _match_value(pattern: re.Pattern[str], match: re.Match[str]) -> Any:
    if pattern.groupindex:
        return {name: match.group(name) for name in pattern.groupindex}
    if pattern.groups:
        return list(match.groups())
    return match.group(0)


@_register("regexall")
def fn_regexall(args: list[Any], ctx: FunctionContext) -> list[Any]:
    pattern, text = _go_regex(to_str(args[0])), to_str(args[1])
    return [_match_value(pattern, m) for m in pattern.finditer(text)]


@_register("substr")
def fn_substr(args: list[Any], ctx: FunctionContext) -> str:
    text, offset, length = to_str(args[0]), to_int(args[1]), to_int(args[2])
    if offset < 0:
        offset = max(len(text) + offset, 0)
    if length < 0:
        return text[offset:]
    return text[offset : offset + length]


@_register("trimspace")
def fn_trimspace(args: list[Any], ctx: FunctionContext) -> str:
    return to_str(args[0]).strip()


@_register("trim")
def fn_trim(args: list[Any], ctx: FunctionContext) -> str:
    return to_str(args[0]).strip(to_str(args[1]))


@_register("trimprefix")
def fn_trimprefix(args: list[Any], ctx: FunctionContext) -> str:
    text, prefix = to_str(args[0]), to_str(args[1])
    return text[len(prefix) :] if prefix and text.startswith(prefix) else text


@_register("trimsuffix")
def fn_trimsuffix(args: list[Any], ctx: FunctionContext) -> str:
    text, suffix = to_str(args[0]), to_str(args[1])
    return text[: -len(suffix)] if suffix and text.endswith(suffix) else text


@_register("startswith")
def fn_startswith(args: list[Any], ctx: FunctionContext) -> bool:
    return to_str(args[0]).startswith(to_str(args[1]))


@_register("endswith")
def fn_endswith(args: list[Any], ctx: FunctionContext) -> bool:
    return to_str(args[0]).endswith(to_str(args[1]))


@_register("strcontains")
def fn_strcontains(args: list[Any], ctx: FunctionContext) -> bool:
    return to_str(args[1]) in to_str(args[0])


@_register("strrev")
def fn_strrev(args: list[Any], ctx: FunctionContext) -> str:
    return to_str(args[0])[::-1]


@_register("chomp")
def fn_chomp(args: list[Any], ctx: FunctionContext) -> str:
    return re.sub(r"(\r\n|\n|\r)+\Z", "", to_str(args[0]))


@_register("indent")
def fn_indent(args: list[Any], ctx: FunctionContext) -> str:
    width, text = to_int(args[0]), to_str(args[1])
    check_size(len(text) + max(width, 0) * (text.count("\n") + 1), "indent: result")
    return text.replace("\n", "\n" + " " * width)


# ---------------------------------------------------------------------------------------
# numbers


@_register("abs")
def fn_abs(args: list[Any], ctx: FunctionContext) -> int | float:
    return abs(to_number(args[0]))


@_register("ceil")
def fn_ceil(args: list[Any], ctx: FunctionContext) -> int:
    return math.ceil(to_number(args[0]))


@_register("floor")
def fn_floor(args: list[Any], ctx: FunctionContext) -> int:
    return math.floor(to_number(args[0]))


@_register("pow")
def fn_pow(args: list[Any], ctx: FunctionContext) -> int | float:
    base, exponent = to_number(args[0]), to_number(args[1])
    if abs(exponent) > 4096:
        raise FunctionError("pow: exponent too large")
    result = base**exponent
    return result if isinstance(result, int | float) else float("nan")


@_register("log")
def fn_log(args: list[Any], ctx: FunctionContext) -> float:
    try:
        return math.log(to_number(args[0]), to_number(args[1]))
    except (ValueError, ZeroDivisionError) as exc:
        raise FunctionError(f"log: {exc}") from None


@_register("signum")
def fn_signum(args: list[Any], ctx: FunctionContext) -> int:
    number = to_number(args[0])
    return (number > 0) - (number < 0)


@_register("parseint")
def fn_parseint(args: list[Any], ctx: FunctionContext) -> int:
    try:
        return int(to_str(args[0]), to_int(args[1]))
    except ValueError as exc:
        raise FunctionError(f"parseint: {exc}") from None


# ---------------------------------------------------------------------------------------
# networks


def _network(prefix: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(to_str(prefix), strict=False)
    except ValueError as exc:
        raise FunctionError(f"invalid CIDR prefix {prefix!r}: {exc}") from None


def _subnet(prefix: Any, newbits: int, netnum: int) -> str:
    net = _network(prefix)
    new_prefix = net.prefixlen + newbits
    if newbits < 0 or new_prefix > net.max_prefixlen:
        raise FunctionError(f"cidrsubnet: {newbits} more bits do not fit in {net}")
    if netnum < 0 or netnum >= 2**newbits:
        raise FunctionError(f"cidrsubnet: network number {netnum} does not fit in {newbits} bits")
    base = int(net.network_address) + (netnum << (net.max_prefixlen - new_prefix))
    return str(ipaddress.ip_network((base, new_prefix)))


@_register("cidrsubnet")
def fn_cidrsubnet(args: list[Any], ctx: FunctionContext) -> str:
    return _subnet(args[0], to_int(args[1]), to_int(args[2]))


@_register("cidrsubnets")
def fn_cidrsubnets(args: list[Any], ctx: FunctionContext) -> list[str]:
    net = _network(args[0])
    out: list[str] = []
    current = int(net.network_address)
    for bits in args[1:]:
        newbits = to_int(bits)
        new_prefix = net.prefixlen + newbits
        if newbits < 1 or new_prefix > net.max_prefixlen:
            raise FunctionError(f"cidrsubnets: {newbits} more bits do not fit in {net}")
        size = 1 << (net.max_prefixlen - new_prefix)
        current = (current + size - 1) // size * size  # align to the block size
        if current + size > int(net.network_address) + net.num_addresses:
            raise FunctionError(f"cidrsubnets: not enough room in {net}")
        out.append(str(ipaddress.ip_network((current, new_prefix))))
        current += size
    return out


@_register("cidrhost")
def fn_cidrhost(args: list[Any], ctx: FunctionContext) -> str:
    net, hostnum = _network(args[0]), to_int(args[1])
    if hostnum < 0:
        hostnum += net.num_addresses
    if hostnum < 0 or hostnum >= net.num_addresses:
        raise FunctionError(f"cidrhost: host number {to_int(args[1])} is outside {net}")
    return str(ipaddress.ip_address(int(net.network_address) + hostnum))


@_register("cidrnetmask")
def fn_cidrnetmask(args: list[Any], ctx: FunctionContext) -> str:
    net = _network(args[0])
    if net.version != 4:
        raise FunctionError("cidrnetmask: only IPv4 prefixes have a netmask")
    return str(net.netmask)


# ---------------------------------------------------------------------------------------
# files (inside ScanOptions.root only)


def _resolve_file(raw: Any, ctx: FunctionContext, must_exist: bool = True) -> Path | None:
    text = to_str(raw)
    candidate = Path(text)
    where = f"{ctx.span.file}:{ctx.span.line}"
    if candidate.is_absolute() or not any(ctx.options.inside_root(base / candidate) for base in ctx.base_dirs):
        ctx.report(LoadError(ctx.span.file, ctx.span.line, f"file path {text!r} leaves the scanned folder; refused"))
        raise FunctionError(f"file path {text!r} is outside the scanned folder ({where})")
    for base in ctx.base_dirs:
        path = base / candidate
        if path.exists() or path.is_symlink():
            if not ctx.options.inside_root(path):
                ctx.report(
                    LoadError(
                        ctx.span.file, ctx.span.line, f"file path {text!r} resolves outside the scanned folder; refused"
                    )
                )
                raise FunctionError(f"file path {text!r} resolves outside the scanned folder ({where})")
            return path
    for base in ctx.base_dirs:  # creating one of these later changes the answer
        ctx.note_looked_for(ctx.options.display_path(base / candidate))
    if must_exist:
        raise FunctionError(f"file {text!r} does not exist")
    return None


def _read_text(path: Path, ctx: FunctionContext) -> str:
    display = ctx.options.display_path(path)
    try:
        if path.stat().st_size > ctx.options.max_file_bytes:
            raise FunctionError(f"file {display} is larger than {ctx.options.max_file_bytes} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise FunctionError(f"file {display} cannot be read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FunctionError(f"file {display} is not UTF-8 text") from None
    ctx.note_file(display)
    return text


@_register("file")
def fn_file(args: list[Any], ctx: FunctionContext) -> str:
    path = _resolve_file(args[0], ctx)
    assert path is not None
    return _read_text(path, ctx)


@_register("filebase64")
def fn_filebase64(args: list[Any], ctx: FunctionContext) -> str:
    return base64.b64encode(fn_file(args, ctx).encode()).decode()


@_register("fileexists")
def fn_fileexists(args: list[Any], ctx: FunctionContext) -> bool:
    path = _resolve_file(args[0], ctx, must_exist=False)
    return path is not None and path.is_file()


@_register("templatefile")
def fn_templatefile(args: list[Any], ctx: FunctionContext) -> Any:
    path = _resolve_file(args[0], ctx)
    assert path is not None
    variables = to_map(args[1]) if len(args) > 1 else {}
    text = _read_text(path, ctx)
    if ctx.render_template is None:
        return Unknown("templatefile() is not evaluated here")
    return ctx.render_template(text, ctx.options.display_path(path), dict(variables))


@_register("fileset")
def fn_fileset(args: list[Any], ctx: FunctionContext) -> Any:
    return Unknown("fileset() is not evaluated")


@_register("abspath")
def fn_abspath(args: list[Any], ctx: FunctionContext) -> str:
    # an absolute path of the scanning machine means nothing in a report: keep it relative
    return posixpath.normpath(to_str(args[0]))


@_register("basename")
def fn_basename(args: list[Any], ctx: FunctionContext) -> str:
    return posixpath.basename(to_str(args[0]).rstrip("/"))


@_register("dirname")
def fn_dirname(args: list[Any], ctx: FunctionContext) -> str:
    return posixpath.dirname(to_str(args[0])) or "."


@_register("pathexpand")
def fn_pathexpand(args: list[Any], ctx: FunctionContext) -> str:
    return to_str(args[0])


def call_function(name: str, args: list[Any], ctx: FunctionContext) -> Any:
    """Apply a built-in: Unknown for functions we do not evaluate, and for strict functions
    whose arguments are not known yet. Raises FunctionError for calls Terraform rejects."""
    short = name
    fn = None if "::" in name else FUNCTIONS.get(name)  # provider-defined functions are not evaluated
    if fn is None:
        return unknown_from(f"function {name} is not evaluated", *args)
    if short not in PASSTHROUGH:
        pending = [a for a in args if is_pending(a)]
        if pending:
            return unknown_from(f"{short}() of a value known only after apply", *pending)
    try:
        return fn(args, ctx)
    except FunctionError:
        raise
    except (TypeError, ValueError, IndexError, KeyError, OverflowError, RecursionError) as exc:
        raise FunctionError(f"{short}(): {type(exc).__name__}: {exc}") from None
