"""Collection built-ins: lists, maps and sets (``merge``, ``concat``, ``flatten``, ``lookup``,
``distinct``, ``setunion`` ...). Those that only move values around keep each item's span,
and accept unknown arguments without making the whole result unknown (passthrough)."""

from __future__ import annotations

from typing import Any

from scanner.loaders.terraform.eval.functions.core import (
    FunctionContext,
    FunctionError,
    FunctionTable,
    SetValue,
    equality_key,
    is_pending,
    make_set,
    to_bool,
    to_int,
    to_list,
    to_map,
    to_number,
    to_str,
    type_name,
    unknown_from,
    values_equal,
)
from scanner.values import ResourceRef, Span, SpannedDict, SpannedList

FUNCTIONS = FunctionTable()


def _item_span(items: Any, index: int) -> Span | None:
    if isinstance(items, SpannedList) and index < len(items.item_spans):
        return items.item_spans[index]
    return None


def _list_like(items: list[Any], spans: list[Span | None], span: Span | None = None) -> SpannedList:
    return SpannedList(items, span=span, item_spans=spans)


@FUNCTIONS.register("merge", passthrough=True)
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


@FUNCTIONS.register("concat", passthrough=True)
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


@FUNCTIONS.register("flatten", passthrough=True)
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


@FUNCTIONS.register("lookup", passthrough=True)
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


@FUNCTIONS.register("element", passthrough=True)
def fn_element(args: list[Any], ctx: FunctionContext) -> Any:
    lst, index = args
    if is_pending(lst) or is_pending(index):
        return unknown_from("element() of an unknown list or index", lst, index)
    lst = to_list(lst)
    if not lst:
        raise FunctionError("element: the list is empty")
    return lst[to_int(index) % len(lst)]


@FUNCTIONS.register("length")
def fn_length(args: list[Any], ctx: FunctionContext) -> int:
    (value,) = args
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list | tuple | dict):
        return len(value)
    raise FunctionError(f"length of a {type_name(value)}")


@FUNCTIONS.register("tolist", passthrough=True)
def fn_tolist(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if value is None or is_pending(value):
        return value
    if isinstance(value, SetValue):  # a list again: indexable, iterated by index
        return _list_like(list(value), list(value.item_spans), value.span)
    return to_list(value)


@FUNCTIONS.register("toset", passthrough=True)
def fn_toset(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if value is None or is_pending(value):
        return value
    return _as_set(to_list(value), getattr(value, "span", ctx.span))


def _as_set(items: list[Any], span: Span | None) -> SetValue:
    spans = [_item_span(items, i) for i in range(len(items))]
    return make_set(list(items), spans, span)


@FUNCTIONS.register("distinct", passthrough=True)
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


@FUNCTIONS.register("tomap", passthrough=True)
def fn_tomap(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if value is None or is_pending(value):
        return value
    return to_map(value)


@FUNCTIONS.register("tostring", passthrough=True)
def fn_tostring(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if value is None or is_pending(value):
        return value
    return to_str(value)


@FUNCTIONS.register("tonumber", passthrough=True)
def fn_tonumber(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if value is None or is_pending(value):
        return value
    return to_number(value)


@FUNCTIONS.register("tobool", passthrough=True)
def fn_tobool(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if value is None or is_pending(value):
        return value
    return to_bool(value)


@FUNCTIONS.register("coalesce", passthrough=True)
def fn_coalesce(args: list[Any], ctx: FunctionContext) -> Any:
    for arg in args:
        if is_pending(arg):
            return arg if isinstance(arg, ResourceRef) else unknown_from("coalesce() over an unknown value", *args)
        if arg is not None and arg != "":
            return arg
    raise FunctionError("coalesce: no non-null, non-empty argument")


@FUNCTIONS.register("coalescelist", passthrough=True)
def fn_coalescelist(args: list[Any], ctx: FunctionContext) -> Any:
    for arg in args:
        if is_pending(arg):
            return unknown_from("coalescelist() over an unknown list", *args)
        if to_list(arg):
            return arg
    raise FunctionError("coalescelist: every list is empty")


@FUNCTIONS.register("compact", passthrough=True)
def fn_compact(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if is_pending(value):
        return value
    lst = to_list(value)
    keep = [i for i, item in enumerate(lst) if item is not None and item != ""]
    return _list_like([lst[i] for i in keep], [_item_span(lst, i) for i in keep], getattr(value, "span", ctx.span))


@FUNCTIONS.register("keys")
def fn_keys(args: list[Any], ctx: FunctionContext) -> list[str]:
    return sorted(to_map(args[0]).keys())


@FUNCTIONS.register("values", passthrough=True)
def fn_values(args: list[Any], ctx: FunctionContext) -> Any:
    (mapping,) = args
    if is_pending(mapping):
        return unknown_from("values() of an unknown map", mapping)
    mapping = to_map(mapping)
    keys = sorted(mapping)
    spans = [mapping.key_spans.get(k) if isinstance(mapping, SpannedDict) else None for k in keys]
    return _list_like([mapping[k] for k in keys], spans, getattr(mapping, "span", ctx.span))


@FUNCTIONS.register("contains", passthrough=True)
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


@FUNCTIONS.register("zipmap", passthrough=True)
def fn_zipmap(args: list[Any], ctx: FunctionContext) -> Any:
    keys, values = args
    if is_pending(keys) or is_pending(values):
        return unknown_from("zipmap() of unknown lists", keys, values)
    keys, values = to_list(keys), to_list(values)
    if len(keys) != len(values):
        raise FunctionError("zipmap: the lists have different lengths")
    return SpannedDict({to_str(k): v for k, v in zip(keys, values, strict=True)}, span=ctx.span)


@FUNCTIONS.register("range")
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


@FUNCTIONS.register("min")
def fn_min(args: list[Any], ctx: FunctionContext) -> int | float:
    if not args:
        raise FunctionError("min: no arguments")
    return min(to_number(a) for a in args)


@FUNCTIONS.register("max")
def fn_max(args: list[Any], ctx: FunctionContext) -> int | float:
    if not args:
        raise FunctionError("max: no arguments")
    return max(to_number(a) for a in args)


@FUNCTIONS.register("sum")
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


@FUNCTIONS.register("sort")
def fn_sort(args: list[Any], ctx: FunctionContext) -> Any:
    items = to_list(args[0])
    if any(is_pending(i) for i in items):
        return unknown_from("sort() of unknown strings", items)
    return sorted(to_str(i) for i in items)


@FUNCTIONS.register("reverse", passthrough=True)
def fn_reverse(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if is_pending(value):
        return value
    lst = to_list(value)
    indexes = list(range(len(lst)))[::-1]
    return _list_like([lst[i] for i in indexes], [_item_span(lst, i) for i in indexes], getattr(value, "span", None))


@FUNCTIONS.register("slice", passthrough=True)
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


@FUNCTIONS.register("one", passthrough=True)
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


@FUNCTIONS.register("alltrue")
def fn_alltrue(args: list[Any], ctx: FunctionContext) -> Any:
    items = to_list(args[0])
    if any(is_pending(i) for i in items):
        return unknown_from("alltrue() of unknown values", items)
    return all(to_bool(i) for i in items)


@FUNCTIONS.register("anytrue")
def fn_anytrue(args: list[Any], ctx: FunctionContext) -> Any:
    items = to_list(args[0])
    if any(is_pending(i) for i in items):
        return unknown_from("anytrue() of unknown values", items)
    return any(to_bool(i) for i in items)


@FUNCTIONS.register("index")
def fn_index(args: list[Any], ctx: FunctionContext) -> int:
    lst, value = to_list(args[0]), args[1]
    for i, item in enumerate(lst):
        if values_equal(item, value):
            return i
    raise FunctionError("index: the value is not in the list")


def _set_items(args: list[Any]) -> list[list[Any]]:
    return [to_list(a) for a in args]


@FUNCTIONS.register("setunion")
def fn_setunion(args: list[Any], ctx: FunctionContext) -> SetValue:
    return _as_set([item for lst in _set_items(args) for item in lst], ctx.span)


@FUNCTIONS.register("setintersection")
def fn_setintersection(args: list[Any], ctx: FunctionContext) -> SetValue:
    lists = _set_items(args)
    if not lists:
        return make_set([], [], ctx.span)
    others = [{equality_key(o) for o in other} for other in lists[1:]]
    return _as_set([i for i in lists[0] if all(equality_key(i) in other for other in others)], ctx.span)


@FUNCTIONS.register("setsubtract")
def fn_setsubtract(args: list[Any], ctx: FunctionContext) -> SetValue:
    a, b = _set_items(args)
    removed = {equality_key(o) for o in b}
    return _as_set([i for i in a if equality_key(i) not in removed], ctx.span)


@FUNCTIONS.register("setproduct")
def fn_setproduct(args: list[Any], ctx: FunctionContext) -> list[Any]:
    result: list[list[Any]] = [[]]
    for lst in _set_items(args):
        if len(result) * len(lst) > 100_000:
            raise FunctionError("setproduct: too many combinations")
        result = [[*prefix, item] for prefix in result for item in lst]
    return result


@FUNCTIONS.register("chunklist")
def fn_chunklist(args: list[Any], ctx: FunctionContext) -> list[Any]:
    lst, size = to_list(args[0]), to_int(args[1])
    if size <= 0:
        return [lst]
    return [lst[i : i + size] for i in range(0, len(lst), size)]


@FUNCTIONS.register("transpose")
def fn_transpose(args: list[Any], ctx: FunctionContext) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, values in to_map(args[0]).items():
        for value in to_list(values):
            out.setdefault(to_str(value), []).append(key)
    return out


@FUNCTIONS.register("matchkeys")
def fn_matchkeys(args: list[Any], ctx: FunctionContext) -> list[Any]:
    values, keys, search = (to_list(a) for a in args)
    return [v for v, k in zip(values, keys, strict=False) if any(values_equal(k, s) for s in search)]
