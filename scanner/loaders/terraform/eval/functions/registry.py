"""Every built-in by name, and ``call_function``: one call, with Terraform's rules for
arguments that are not known yet."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from scanner.loaders.terraform.eval.functions import collections, encoding, filesystem, network, numbers, strings
from scanner.loaders.terraform.eval.functions.core import (
    Function,
    FunctionContext,
    FunctionError,
    is_pending,
    unknown_from,
)

_FAMILIES = (encoding, collections, strings, numbers, network, filesystem)
FUNCTIONS: Mapping[str, Function] = MappingProxyType(
    {name: fn for family in _FAMILIES for name, fn in family.FUNCTIONS.functions.items()}
)
# functions whose arguments may hold unknowns/refs at top level without making the result unknown
PASSTHROUGH: frozenset[str] = frozenset(name for family in _FAMILIES for name in family.FUNCTIONS.passthrough)


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
