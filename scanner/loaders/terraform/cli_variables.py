"""``--var NAME=VALUE`` checked as Terraform checks ``-var`` before it plans.

The text is a string for a variable of a primitive type (``string``, ``number``, ``bool``)
or of no type; for any other type (``list(...)``, ``map(...)``, ``object({...})``, ``any``
...) it is an HCL expression of literals (Terraform allows no references or function calls
there). The value is then converted to the declared type as Terraform's type system (cty)
converts: a string to a number when it is a decimal number (``1e3`` yes, ``0x10`` or `` 5``
no); a string to a bool when it is ``true``/``1`` or ``false``/``0``; a number or bool to a
string; a list/set/tuple element-wise; a map's values; an object's attributes, a missing one
an error unless ``optional(...)``, extra ones dropped. A value that does not convert is a
usage error naming the variable and its declaration.

Each ``validation`` block's ``condition`` is evaluated with the value when it can be
offline (it references only this variable, and functions that need nothing from apply):
false is a usage error quoting its ``error_message``; a condition that cannot be evaluated
offline is skipped, and a notice says so.
"""

from __future__ import annotations

import re
from typing import Any

from scanner.findings import LoadError
from scanner.loaders.terraform import hcl as syn
from scanner.loaders.terraform.eval import EvalError, Evaluator
from scanner.loaders.terraform.eval.functions import FunctionContext, SetValue, is_pending, make_set
from scanner.loaders.terraform.load_run import LoadRun
from scanner.values import Span, SpannedDict, SpannedList

PRIMITIVES = frozenset({"string", "number", "bool"})
# what Go's big.Float parses in base 10 (cty.ParseNumberVal): no spaces, no hex, no "inf"
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


class TypeMismatch(ValueError):
    """A value Terraform would not convert to the declared type; the message says why."""


def type_name(type_expr: syn.Expr | None) -> str | None:
    """``string``, ``list``, ``object`` ...: the outer name of a type constraint (a legacy
    quoted ``"string"`` too); None when there is none or it is not one."""
    if type_expr is None:
        return None
    if isinstance(type_expr, syn.Variable):
        return type_expr.name
    if isinstance(type_expr, syn.FunctionCall):
        return type_expr.name
    if isinstance(type_expr, syn.Literal) and isinstance(type_expr.value, str):
        return type_expr.value
    return None


def conform(value: Any, type_expr: syn.Expr, where: str = "") -> Any:
    """``value`` converted to the type ``type_expr`` as Terraform converts; TypeMismatch when
    it cannot be. Null is a value of every type; unknowns pass unchecked."""
    if value is None or is_pending(value):
        return value
    name = type_name(type_expr)
    args = type_expr.args if isinstance(type_expr, syn.FunctionCall) else []
    at = f" at {where}" if where else ""
    if name in (None, "any"):
        return value
    if name == "string":
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value) if not isinstance(value, float) or not value.is_integer() else str(int(value))
        raise TypeMismatch(f"a string is required{at}")
    if name == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _NUMBER.fullmatch(value):
            number = float(value)
            return int(number) if number.is_integer() and abs(number) < 2**53 else number
        raise TypeMismatch(f"a number is required{at}")
    if name == "bool":
        if isinstance(value, bool):
            return value
        if value in ("true", "1"):
            return True
        if value in ("false", "0"):
            return False
        hint = (
            '; to convert from string, use lowercase "true" or "false"'
            if str(value).lower() in ("true", "false")
            else ""
        )
        raise TypeMismatch(f"a bool is required{at}{hint}")
    if name in ("list", "set", "tuple"):
        if not isinstance(value, list | tuple | SetValue):
            raise TypeMismatch(f"a {name} is required{at}")
        items = list(value)
        if name == "tuple":
            shapes = args[0].items if args and isinstance(args[0], syn.TupleExpr) else []
            if len(shapes) != len(items):
                raise TypeMismatch(f"a tuple of {len(shapes)} elements is required{at}")
            return SpannedList(
                [conform(v, t, f"{where}[{i}]") for i, (v, t) in enumerate(zip(items, shapes, strict=True))]
            )
        element = args[0] if args else None
        converted = [conform(v, element, f"{where}[{i}]") if element else v for i, v in enumerate(items)]
        if name == "set":
            return make_set(converted, [], getattr(value, "span", None))
        return SpannedList(converted, span=getattr(value, "span", None))
    if name == "map":
        if not isinstance(value, dict):
            raise TypeMismatch(f"a map is required{at}")
        element = args[0] if args else None
        return SpannedDict({k: conform(v, element, f"{where}[{k!r}]") if element else v for k, v in value.items()})
    if name == "object":
        if not isinstance(value, dict):
            raise TypeMismatch(f"an object is required{at}")
        shape = args[0] if args and isinstance(args[0], syn.ObjectExpr) else None
        return _conform_object(value, shape, where) if shape is not None else value
    return value


def _conform_object(value: dict[str, Any], shape: syn.ObjectExpr, where: str) -> SpannedDict:
    out = SpannedDict()
    for item in shape.items:
        key = item.key.value if isinstance(item.key, syn.Literal) else getattr(item.key, "name", None)
        if not isinstance(key, str):
            continue
        attr_type = item.value
        optional = isinstance(attr_type, syn.FunctionCall) and attr_type.name == "optional" and attr_type.args
        if optional:
            assert isinstance(attr_type, syn.FunctionCall)
            attr_type = attr_type.args[0]
        if key not in value:
            if not optional:
                raise TypeMismatch(f'attribute "{key}" is required{" at " + where if where else ""}')
            continue  # the loader fills in the optional default
        out[key] = conform(value[key], attr_type, f"{where}.{key}" if where else key)
    return out


def cli_value(raw: str, type_expr: syn.Expr | None, grammar_cache: Any) -> Any:
    """The value of ``--var NAME=raw`` before conversion: the text itself for a primitive type
    or none, else the HCL expression's value (TypeMismatch when it is not literal HCL)."""
    if type_expr is None or type_name(type_expr) in PRIMITIVES:
        return raw
    try:
        expr = syn.parse_expression(raw, 1, grammar_cache)
    except syn.HclSyntaxError as exc:
        raise TypeMismatch(f"not a valid HCL expression: {exc.message}") from None
    value = Evaluator(None).evaluate(expr, "--var")
    if is_pending(value) or _holds_unknown(value):
        raise TypeMismatch("only literal values are allowed here (no references or function calls)")
    return value


def _holds_unknown(value: Any) -> bool:
    if is_pending(value):
        return True
    if isinstance(value, dict):
        return any(_holds_unknown(v) for v in value.values())
    if isinstance(value, list | tuple | SetValue):
        return any(_holds_unknown(v) for v in value)
    return False


class _OneVariable:
    """The scope a validation condition is evaluated in: ``var.NAME`` and functions; any
    other reference cannot be evaluated offline here (the condition is then skipped)."""

    def __init__(self, run: LoadRun, name: str, value: Any) -> None:
        self.run, self.name, self.value = run, name, value

    def variable(self, name: str) -> Any:
        if name != self.name:
            raise EvalError(f"var.{name} is not evaluated in a validation here")
        return self.value

    def _refuse(self, *args: Any) -> Any:
        raise EvalError("only the variable itself is evaluated in a validation here")

    local = module_call = path_value = _refuse

    def data_source(self, data_type: str, name: str) -> Any:
        return self._refuse()

    def resource(self, resource_type: str, name: str) -> Any:
        return self._refuse()

    def function_context(self, span: Span) -> FunctionContext:
        run = self.run
        return FunctionContext(
            options=run.options,
            base_dirs=(run.folder, run.options.root),
            span=span,
            report=run.error,
            note_file=run.note_file,
            note_looked_for=run.note_looked_for,
        )


def check_cli_variable(run: LoadRun, name: str, raw: str, block: syn.Block, display: str) -> None:
    """Check ``--var name=raw`` against the root module's declaration ``block`` (in file
    ``display``): a usage error (``LoadError.usage``) when Terraform would refuse it, a
    notice for each validation that cannot be evaluated offline."""
    type_attr = block.body.attributes.get("type")
    type_expr = type_attr.expr if type_attr is not None else None
    declared = f'variable "{name}" declared at {display}:{block.line}'
    try:
        value = conform(cli_value(raw, type_expr, run.options.cache_dir), type_expr) if type_expr else raw
    except TypeMismatch as exc:
        run.error(LoadError(display, block.line, f"--var {name}={raw}: {exc} ({declared})", usage=True))
        return
    evaluator = Evaluator(_OneVariable(run, name, value))
    for validation in block.body.blocks_of("validation"):
        condition = validation.body.attributes.get("condition")
        if condition is None:
            continue
        holds = evaluator.evaluate(condition.expr, display)
        if holds is False:
            message_attr = validation.body.attributes.get("error_message")
            message = evaluator.evaluate(message_attr.expr, display) if message_attr is not None else None
            said = message if isinstance(message, str) else "the validation condition is false"
            run.error(
                LoadError(
                    display,
                    condition.line,
                    f"--var {name}={raw}: {said} (validation of {declared})",
                    usage=True,
                )
            )
        elif holds is not True:
            run.notice(
                f"{display}:{condition.line}: the validation of var.{name} cannot be evaluated offline "
                f"for --var {name}; not checked"
            )
