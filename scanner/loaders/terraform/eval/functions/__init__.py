"""Terraform's built-in functions, evaluated offline.

Each function is pure: ``fn(args, ctx) -> value``. An argument that is ``Unknown`` (or a
``ResourceRef``, whose value is known only after apply) makes the result ``Unknown`` with the
same refs, unless the function only moves values around (``concat``, ``tolist``, ``merge``,
``coalesce`` ...). A call Terraform would reject raises ``FunctionError``; the evaluator turns
it into ``Unknown`` (or into ``try``/``can``'s fallback). ``file``/``templatefile`` read only
inside ``ScanOptions.root``.

The functions live by family (``encoding``, ``collections``, ``strings``, ``numbers``,
``network``, ``filesystem``), on what ``core`` holds for all of them; ``registry`` joins them
and applies one call.
"""

from __future__ import annotations

from scanner.loaders.terraform.eval.functions.core import (
    MAX_VALUE_SIZE,
    FunctionContext,
    FunctionError,
    SetValue,
    ValueTooLarge,
    collect_origins,
    is_pending,
    make_set,
    merge_origins,
    to_bool,
    to_number,
    to_str,
    type_name,
    unknown_from,
    values_equal,
)
from scanner.loaders.terraform.eval.functions.encoding import encode_json
from scanner.loaders.terraform.eval.functions.registry import FUNCTIONS, PASSTHROUGH, call_function

__all__ = [
    "FUNCTIONS",
    "MAX_VALUE_SIZE",
    "PASSTHROUGH",
    "FunctionContext",
    "FunctionError",
    "SetValue",
    "ValueTooLarge",
    "call_function",
    "collect_origins",
    "encode_json",
    "is_pending",
    "make_set",
    "merge_origins",
    "to_bool",
    "to_number",
    "to_str",
    "type_name",
    "unknown_from",
    "values_equal",
]
