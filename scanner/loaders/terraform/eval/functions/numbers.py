"""Number built-ins: ``abs``, ``ceil``, ``floor``, ``pow``, ``log``, ``signum``, ``parseint``."""

from __future__ import annotations

import math
from typing import Any

from scanner.loaders.terraform.eval.functions.core import (
    FunctionContext,
    FunctionError,
    FunctionTable,
    to_int,
    to_number,
    to_str,
)

FUNCTIONS = FunctionTable()


@FUNCTIONS.register("abs")
def fn_abs(args: list[Any], ctx: FunctionContext) -> int | float:
    return abs(to_number(args[0]))


@FUNCTIONS.register("ceil")
def fn_ceil(args: list[Any], ctx: FunctionContext) -> int:
    return math.ceil(to_number(args[0]))


@FUNCTIONS.register("floor")
def fn_floor(args: list[Any], ctx: FunctionContext) -> int:
    return math.floor(to_number(args[0]))


@FUNCTIONS.register("pow")
def fn_pow(args: list[Any], ctx: FunctionContext) -> int | float:
    base, exponent = to_number(args[0]), to_number(args[1])
    if abs(exponent) > 4096:
        raise FunctionError("pow: exponent too large")
    result = base**exponent
    return result if isinstance(result, int | float) else float("nan")


@FUNCTIONS.register("log")
def fn_log(args: list[Any], ctx: FunctionContext) -> float:
    try:
        return math.log(to_number(args[0]), to_number(args[1]))
    except (ValueError, ZeroDivisionError) as exc:
        raise FunctionError(f"log: {exc}") from None


@FUNCTIONS.register("signum")
def fn_signum(args: list[Any], ctx: FunctionContext) -> int:
    number = to_number(args[0])
    return (number > 0) - (number < 0)


@FUNCTIONS.register("parseint")
def fn_parseint(args: list[Any], ctx: FunctionContext) -> int:
    try:
        return int(to_str(args[0]), to_int(args[1]))
    except ValueError as exc:
        raise FunctionError(f"parseint: {exc}") from None
