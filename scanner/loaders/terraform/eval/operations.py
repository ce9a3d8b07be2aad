"""Value operations shared by the evaluator and the loader: attribute access and indexing
with Terraform's rules (``get_attr``, ``index_value``, ``as_key``), the spans given to what a
function builds (``with_spans``), and ``finalize``, which turns evaluation values into the
values RawResources carry."""

from __future__ import annotations

from typing import Any

from scanner.loaders.terraform.eval.functions import (
    FunctionError,
    SetValue,
    is_pending,
    to_number,
    to_str,
    type_name,
    unknown_from,
)
from scanner.loaders.terraform.eval.objects import (
    EvalError,
    ObjectValue,
    ResourceBlock,
    ResourceObject,
)
from scanner.values import EncodedJson, ResourceRef, Span, SpannedDict, SpannedList, Unknown


def with_spans(value: Any, span: Span, depth: int = 0) -> Any:
    """Plain lists/maps a function built get the call's span, so every container has one."""
    if depth > 100 or isinstance(value, EncodedJson):
        return value
    if isinstance(value, dict) and not isinstance(value, SpannedDict):
        return SpannedDict(
            {k: with_spans(v, span, depth + 1) for k, v in value.items()}, span=span, key_spans={k: span for k in value}
        )
    if isinstance(value, list) and not isinstance(value, SpannedList):
        return SpannedList([with_spans(v, span, depth + 1) for v in value], span=span, item_spans=[span] * len(value))
    if isinstance(value, SpannedDict) and value.span is None:
        value.span = span
    if isinstance(value, SpannedList) and value.span is None:
        value.span = span
    return value


def get_attr(value: Any, name: str) -> Any:
    if isinstance(value, ObjectValue):
        return value.get_attr(name)
    if isinstance(value, Unknown):
        return value
    if isinstance(value, ResourceRef):
        return Unknown(f"{value}.{name} is known only after apply", (value,))
    if isinstance(value, dict):
        if name in value:
            return value[name]
        if isinstance(value, ResourceBlock):
            return value.computed(name)
        raise EvalError(f"the object has no attribute {name!r}")
    if isinstance(value, list):
        refs = tuple(ResourceRef(item.address, name) for item in value if isinstance(item, ResourceObject))
        if refs or (value and all(isinstance(item, ObjectValue) for item in value)):
            return Unknown(f".{name} of a resource with count or for_each needs an index", refs)
        raise EvalError(f"a list has no attribute {name!r}")
    if value is None:
        raise EvalError(f"attribute {name!r} of a null value")
    raise EvalError(f"a {type_name(value)} has no attribute {name!r}")


def index_value(value: Any, key: Any) -> Any:
    if isinstance(value, Unknown):
        return unknown_from(value.reason, value, key)
    if is_pending(key):
        return unknown_from("an index known only after apply", value, key)
    if isinstance(value, ObjectValue):
        return value.index(key)
    if isinstance(value, SetValue):
        raise EvalError(
            "elements of a set are identified only by their value: a set cannot be indexed (tolist() first)"
        )
    if isinstance(value, list | tuple):
        try:
            position = int(to_number(key))
        except FunctionError as exc:
            raise EvalError(f"a list index must be a number: {exc}") from None
        if position < 0 or position >= len(value):
            raise EvalError(f"index {position} is out of range for a list of {len(value)}")
        return value[position]
    if isinstance(value, dict):
        text = as_key(key)
        if text not in value:
            raise EvalError(f"the map has no key {text!r}")
        return value[text]
    if isinstance(value, ResourceRef):
        return Unknown(f"{value}[{key!r}] is known only after apply", (value,))
    if value is None:
        raise EvalError("index into a null value")
    raise EvalError(f"a {type_name(value)} cannot be indexed")


def as_key(key: Any) -> str:
    """An object key or map index as Terraform converts it: a string."""
    try:
        return to_str(key)
    except FunctionError as exc:
        raise EvalError(f"an object key must be a string: {exc}") from None


def finalize(value: Any, counter: list[int] | None = None, depth: int = 0) -> Any:
    """Evaluation value -> contract value: ObjectValues resolved, containers rebuilt with
    their spans, Unknowns counted in ``counter[0]``."""
    if depth > 200:
        return Unknown("value nested too deeply")
    if isinstance(value, ObjectValue):
        value = value.finalize()
    if isinstance(value, Unknown):
        if counter is not None:
            counter[0] += 1
        return value
    if isinstance(value, EncodedJson):
        return EncodedJson(str(value), finalize(value.decoded, None, depth + 1))
    if isinstance(value, dict):
        out = SpannedDict(span=getattr(value, "span", None))
        key_spans = getattr(value, "key_spans", {})
        for key, item in value.items():
            out[key] = finalize(item, counter, depth + 1)
            if key in key_spans:
                out.key_spans[key] = key_spans[key]
        out.set_spans = getattr(value, "set_spans", None)
        return out
    if isinstance(value, list | tuple):
        return SpannedList(
            [finalize(item, counter, depth + 1) for item in value],
            span=getattr(value, "span", None),
            item_spans=list(getattr(value, "item_spans", [])),
        )
    return value
