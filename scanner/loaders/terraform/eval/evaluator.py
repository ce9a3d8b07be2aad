"""Evaluate HCL expressions the way Terraform does before apply.

Values are plain Python data (objects and tuples written in the template become
``SpannedDict`` / ``SpannedList`` carrying their lines), plus ``ResourceRef`` for another
resource's identity, ``Unknown`` for what only apply knows, and, while evaluating,
``ObjectValue``s: a resource instance, a module call, a data source, a namespace such as
``var``. ``finalize`` turns those into ordinary values at the end.

A construct Terraform would reject (a missing attribute, a bad index, a failing function)
raises ``EvalError`` inside the evaluator, so ``try()`` and ``can()`` behave as in
Terraform; at the top of an attribute it becomes ``Unknown(reason)``.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from scanner.findings import LoadError
from scanner.loaders.terraform.eval.functions import (
    MAX_VALUE_SIZE,
    FunctionContext,
    FunctionError,
    SetValue,
    ValueTooLarge,
    call_function,
    is_pending,
    to_bool,
    to_number,
    to_str,
    type_name,
    unknown_from,
    values_equal,
)
from scanner.loaders.terraform.eval.objects import (
    EvalError,
    ModuleObject,
    Namespace,
    ObjectValue,
    ResourceObject,
)
from scanner.loaders.terraform.eval.operations import as_key, get_attr, index_value, with_spans
from scanner.loaders.terraform.hcl import tree as syn
from scanner.values import UNKNOWN_PART, EncodedJson, ResourceRef, Span, SpannedDict, SpannedList, Unknown

MAX_ITERATIONS = 1_000_000
"""The most ``for`` iterations (expressions and template directives) one evaluation may run:
nested loops over ranges can take hours while building nothing. Past it: Unknown, reported."""
_CACHED_SIZE = 256  # containers at least this big keep their measured size (see Evaluator.size)


class ModuleScope(Protocol):
    """What a module instance offers to the expressions written in it."""

    def variable(self, name: str) -> Any: ...
    def local(self, name: str) -> Any: ...
    def module_call(self, name: str) -> Any: ...
    def data_source(self, data_type: str, name: str) -> Any: ...
    def resource(self, resource_type: str, name: str) -> Any: ...  # None when not declared
    def path_value(self, name: str) -> Any: ...
    def function_context(self, span: Span) -> FunctionContext: ...


class Evaluator:
    """Expressions of one module instance -> values. ``file`` names the file an expression is
    written in (display path) so the containers it builds carry spans.

    Every value built (a tuple, an object, a for expression, a template, a function result)
    is measured against MAX_VALUE_SIZE; one too large becomes Unknown and is reported
    (``report``; by default the scope's) with its file and line."""

    def __init__(self, scope: ModuleScope | None, report: Callable[[LoadError], None] | None = None) -> None:
        self.scope = scope
        self.report = report
        self.iterations = 0
        self.reported: set[tuple[str, int]] = set()
        # id -> (container, size): sizes of big containers already measured, so a value
        # referenced many times is not walked again. The container is kept so its id stays its own.
        self.sizes: dict[int, tuple[Any, int]] = {}

    # --- entry points ---
    def evaluate(self, expr: syn.Expr, file: str, bindings: dict[str, Any] | None = None) -> Any:
        """Never raises: what Terraform would reject becomes Unknown(reason)."""
        outer_iterations, self.iterations = self.iterations, 0
        try:
            return self.eval(expr, file, bindings or {})
        except EvalError as exc:
            return Unknown(str(exc))
        except ValueTooLarge as exc:
            return self.too_large(file, expr.line, str(exc))
        except RecursionError:
            return Unknown("expression nested too deeply to evaluate")
        finally:
            self.iterations = outer_iterations

    # --- the size bound ---
    def too_large(self, file: str, line: int, what: str) -> Unknown:
        """The Unknown standing for a value past the limits, reported once per file and line."""
        if (file, line) not in self.reported:
            self.reported.add((file, line))
            error = LoadError(file, line, f"{what}; treated as unknown")
            if self.report is not None:
                self.report(error)
            elif self.scope is not None:
                self.scope.function_context(Span(file, line, line)).report(error)
        return Unknown(f"value larger than the limit ({what}, {file}:{line})")

    def bounded(self, value: Any, file: str, node: syn.Node) -> Any:
        """``value``, or Unknown when it holds more than MAX_VALUE_SIZE characters and elements."""
        size = self.size(value)
        if size > MAX_VALUE_SIZE:
            return self.too_large(
                file, node.line, f"value of more than {MAX_VALUE_SIZE} characters or elements (the limit)"
            )
        return value

    def size(self, value: Any) -> int:
        """Characters plus elements of ``value``, each repeat counted; stops soon after MAX_VALUE_SIZE.
        Shared parts are measured once (``memo``), so a value made of ten references to
        one list of ten references to ... costs a few steps, not ten billion."""
        try:
            return self._size(value, {})
        except RecursionError:
            return MAX_VALUE_SIZE + 1

    def _size(self, value: Any, memo: dict[int, int]) -> int:
        if isinstance(value, str):
            extra = self._size(value.decoded, memo) if isinstance(value, EncodedJson) else 0
            return max(len(value), 1) + extra
        if not isinstance(value, dict | list | tuple):
            return 1
        key = id(value)
        cached = self.sizes.get(key)
        if cached is not None:
            return cached[1]
        if key in memo:
            return memo[key]
        total = 1
        if isinstance(value, dict):
            for name, item in value.items():
                total += len(name) + self._size(item, memo) if isinstance(name, str) else self._size(item, memo)
                if total > MAX_VALUE_SIZE:
                    break
        else:
            for item in value:
                total += self._size(item, memo)
                if total > MAX_VALUE_SIZE:
                    break
        memo[key] = total
        if total >= _CACHED_SIZE:
            self.sizes[key] = (value, total)
        return total

    def _iterate_once(self, file: str, node: syn.Node) -> None:
        self.iterations += 1
        if self.iterations > MAX_ITERATIONS:
            raise ValueTooLarge(
                f"more than {MAX_ITERATIONS} for iterations in one expression (the limit), at {file}:{node.line}"
            )

    def eval(self, expr: syn.Expr, file: str, env: dict[str, Any]) -> Any:
        method = _DISPATCH.get(type(expr))
        if method is None:
            raise EvalError(f"unsupported expression {type(expr).__name__}")
        return method(self, expr, file, env)

    # --- literals and containers ---
    def _literal(self, expr: syn.Literal, file: str, env: dict[str, Any]) -> Any:
        return expr.value

    def _tuple(self, expr: syn.TupleExpr, file: str, env: dict[str, Any]) -> Any:
        items = [self.eval(item, file, env) for item in expr.items]
        spans: list[Span | None] = [Span(file, item.line, item.end_line) for item in expr.items]
        return self.bounded(SpannedList(items, span=Span(file, expr.line, expr.end_line), item_spans=spans), file, expr)

    def _object(self, expr: syn.ObjectExpr, file: str, env: dict[str, Any]) -> Any:
        out = SpannedDict(span=Span(file, expr.line, expr.end_line))
        pending_keys: list[Any] = []
        for item in expr.items:
            key = self.eval(item.key, file, env)
            value = self.eval(item.value, file, env)
            if is_pending(key):
                pending_keys.append(key)
                continue
            key = as_key(key)
            out[key] = value
            out.key_spans[key] = Span(file, item.line, item.end_line)
        if pending_keys:
            return unknown_from("an object key is known only after apply", *pending_keys)
        return self.bounded(out, file, expr)

    def _parens(self, expr: syn.Parens, file: str, env: dict[str, Any]) -> Any:
        return self.eval(expr.expr, file, env)

    # --- templates ---
    def _template(self, expr: syn.Template, file: str, env: dict[str, Any]) -> Any:
        if len(expr.parts) == 1 and not isinstance(expr.parts[0], str | syn.TemplateIf | syn.TemplateFor):
            return self.eval(expr.parts[0], file, env)  # "${x}" is x itself, of any type
        pieces: list[str] = []
        pending: list[Any] = []
        self._render(expr.parts, file, env, pieces, pending)
        if pending:
            found = unknown_from(f"a string built from {_describe_pending(pending)}", *pending)
            return Unknown(found.reason, found.refs, found.origins, "".join(pieces))
        length = sum(map(len, pieces))
        if length > MAX_VALUE_SIZE:
            return self.too_large(
                file, expr.line, f"string of {length} characters, more than the limit of {MAX_VALUE_SIZE}"
            )
        return "".join(pieces)

    def _render(
        self, parts: Iterable[syn.TemplatePart], file: str, env: dict[str, Any], pieces: list[str], pending: list[Any]
    ) -> None:
        for part in parts:
            if isinstance(part, str):
                pieces.append(part)
            elif isinstance(part, syn.TemplateIf):
                cond = self.eval(part.condition, file, env)
                if is_pending(cond):
                    pending.append(cond)
                    pieces.append(UNKNOWN_PART)
                    continue
                chosen = part.then_parts if self._bool(cond) else part.else_parts
                self._render(chosen, file, env, pieces, pending)
            elif isinstance(part, syn.TemplateFor):
                collection = self.eval(part.collection, file, env)
                if is_pending(collection):
                    pending.append(collection)
                    pieces.append(UNKNOWN_PART)
                    continue
                for key, value in _iterate(collection):
                    self._iterate_once(file, part)
                    inner = dict(env)
                    inner[part.value_var] = value
                    if part.key_var:
                        inner[part.key_var] = key
                    self._render(part.body_parts, file, inner, pieces, pending)
            else:
                value = self.eval(part, file, env)
                if isinstance(value, ObjectValue):
                    value = value.finalize()
                if is_pending(value):
                    pending.append(value)
                    pieces.append(UNKNOWN_PART)
                elif value is None:
                    raise EvalError("a null value cannot be used in a string template")
                else:
                    try:
                        pieces.append(to_str(value))
                    except FunctionError as exc:
                        raise EvalError(str(exc)) from None

    # --- references ---
    def _variable(self, expr: syn.Variable, file: str, env: dict[str, Any]) -> Any:
        name = expr.name
        if name in env:
            return env[name]
        scope = self.scope
        if scope is None:
            raise EvalError(f"{name} cannot be referenced here")
        if name == "var":
            return Namespace("var", scope.variable)
        if name == "local":
            return Namespace("local", scope.local)
        if name == "module":
            return Namespace("module", scope.module_call)
        if name == "data":
            return Namespace(
                "data",
                lambda data_type: Namespace(
                    f"data.{data_type}", lambda data_name: scope.data_source(data_type, data_name)
                ),
            )
        if name == "path":
            return Namespace("path", scope.path_value)
        if name == "terraform":
            return Namespace("terraform", _terraform_attr)
        if name in ("count", "each", "self"):
            raise EvalError(f"{name} is not available here")
        return Namespace(name, lambda resource_name: self._resource(scope, name, resource_name))

    @staticmethod
    def _resource(scope: ModuleScope, resource_type: str, name: str) -> Any:
        found = scope.resource(resource_type, name)
        if found is None:
            raise EvalError(f"reference to undeclared resource {resource_type}.{name}")
        return found

    def _get_attr(self, expr: syn.GetAttr, file: str, env: dict[str, Any]) -> Any:
        return get_attr(self.eval(expr.obj, file, env), expr.name)

    def _index(self, expr: syn.Index, file: str, env: dict[str, Any]) -> Any:
        return index_value(self.eval(expr.obj, file, env), self.eval(expr.key, file, env))

    def _splat(self, expr: syn.Splat, file: str, env: dict[str, Any]) -> Any:
        base = self.eval(expr.obj, file, env)
        if isinstance(base, Unknown):
            return base
        if base is None:
            items: list[Any] = []
        elif isinstance(base, list):
            items = list(base)
        else:
            items = [base]
        per_item = expr.steps
        after: tuple[syn.SplatStep, ...] = ()
        if not expr.full:
            cut = next((i for i, s in enumerate(expr.steps) if s.name is None), len(expr.steps))
            per_item, after = expr.steps[:cut], expr.steps[cut:]
        results: list[Any] = []
        for item in items:
            for step in per_item:
                item = self._step(item, step, file, env)
            results.append(item)
        here = Span(file, expr.line, expr.end_line)
        spans: list[Span | None] = (
            list(base.item_spans) if isinstance(base, SpannedList) and base.item_spans else [here] * len(results)
        )
        value: Any = SpannedList(results, span=getattr(base, "span", None) or here, item_spans=spans[: len(results)])
        for step in after:
            value = self._step(value, step, file, env)
        return self.bounded(value, file, expr)

    def _step(self, value: Any, step: syn.SplatStep, file: str, env: dict[str, Any]) -> Any:
        if step.name is not None:
            return get_attr(value, step.name)
        assert step.key is not None
        return index_value(value, self.eval(step.key, file, env))

    # --- operators ---
    def _conditional(self, expr: syn.Conditional, file: str, env: dict[str, Any]) -> Any:
        cond = self.eval(expr.condition, file, env)
        if is_pending(cond):
            branches = []
            for branch in (expr.true_value, expr.false_value):
                with contextlib.suppress(EvalError):
                    branches.append(self.eval(branch, file, env))
            return unknown_from(f"the condition {_preview(expr.condition)} is known only after apply", cond, *branches)
        return self.eval(expr.true_value if self._bool(cond) else expr.false_value, file, env)

    def _bool(self, value: Any) -> bool:
        try:
            return to_bool(value)
        except FunctionError as exc:
            raise EvalError(str(exc)) from None

    def _unary(self, expr: syn.UnaryOp, file: str, env: dict[str, Any]) -> Any:
        value = self.eval(expr.operand, file, env)
        if is_pending(value):
            return unknown_from(f"{expr.op}{_preview(expr.operand)} is known only after apply", value)
        if expr.op == "!":
            return not self._bool(value)
        return -self._number(value)

    def _number(self, value: Any) -> int | float:
        try:
            return to_number(value)
        except FunctionError as exc:
            raise EvalError(str(exc)) from None

    def _binary(self, expr: syn.BinaryOp, file: str, env: dict[str, Any]) -> Any:
        op = expr.op
        left = self.eval(expr.left, file, env)
        right = self.eval(expr.right, file, env)
        if op in ("&&", "||"):
            known = [v for v in (left, right) if not is_pending(v)]
            for v in known:
                if op == "&&" and self._bool(v) is False:
                    return False
                if op == "||" and self._bool(v) is True:
                    return True
            if len(known) < 2:
                return unknown_from(f"{_preview(expr)} is known only after apply", left, right)
            return self._bool(left) and self._bool(right) if op == "&&" else self._bool(left) or self._bool(right)
        if is_pending(left) or is_pending(right):
            return unknown_from(f"{_preview(expr)} is known only after apply", left, right)
        if op == "==":
            return values_equal(_plain(left), _plain(right))
        if op == "!=":
            return not values_equal(_plain(left), _plain(right))
        a, b = self._number(left), self._number(right)
        if op == "+":
            return _normal(a + b)
        if op == "-":
            return _normal(a - b)
        if op == "*":
            return _normal(a * b)
        if op == "/":
            if b == 0:
                raise EvalError("division by zero")
            return _normal(a / b)
        if op == "%":
            if b == 0:
                raise EvalError("modulo by zero")
            return _normal(math.fmod(a, b))
        if op == "<":
            return a < b
        if op == ">":
            return a > b
        if op == "<=":
            return a <= b
        if op == ">=":
            return a >= b
        raise EvalError(f"unknown operator {op}")

    # --- for expressions ---
    def _for(self, expr: syn.ForExpr, file: str, env: dict[str, Any]) -> Any:
        collection = self.eval(expr.collection, file, env)
        if is_pending(collection):
            return unknown_from(f"the collection {_preview(expr.collection)} is known only after apply", collection)
        span = Span(file, expr.line, expr.end_line)
        item_span = Span(file, expr.value_expr.line, expr.value_expr.end_line)
        tuple_out = SpannedList(span=span)
        object_out = SpannedDict(span=span)
        pending: list[Any] = []
        for key, value in _iterate(collection):
            self._iterate_once(file, expr)
            inner = dict(env)
            inner[expr.value_var] = value
            if expr.key_var:
                inner[expr.key_var] = key
            if expr.condition is not None:
                cond = self.eval(expr.condition, file, inner)
                if is_pending(cond):
                    pending.append(cond)
                    continue
                if not self._bool(cond):
                    continue
            result = self.eval(expr.value_expr, file, inner)
            if expr.key_expr is None:
                tuple_out.append(result)
                tuple_out.item_spans.append(item_span)
                continue
            out_key = self.eval(expr.key_expr, file, inner)
            if is_pending(out_key):
                pending.append(out_key)
                continue
            out_key = as_key(out_key)
            if expr.grouping:
                group = object_out.setdefault(out_key, SpannedList(span=item_span))
                group.append(result)
                group.item_spans.append(item_span)
            else:
                if out_key in object_out:
                    raise EvalError(f"duplicate key {out_key!r} in a for expression (use ... to group)")
                object_out[out_key] = result
            object_out.key_spans[out_key] = item_span
        if pending:
            return unknown_from(f"a for expression over values known only after apply ({_preview(expr)})", *pending)
        return self.bounded(tuple_out if expr.key_expr is None else object_out, file, expr)

    # --- functions ---
    def _call(self, expr: syn.FunctionCall, file: str, env: dict[str, Any]) -> Any:
        name = expr.name
        if name in ("try", "can"):
            return self._try(expr, file, env)
        args = [self.eval(arg, file, env) for arg in expr.args]
        if expr.expand_final and args:
            last = args.pop()
            if is_pending(last):
                return unknown_from(f"{name}() arguments known only after apply", last)
            if not isinstance(last, list | tuple):
                raise EvalError(f"{name}(...): only a list can be expanded with ...")
            args.extend(last)
        args = [_for_function(a) for a in args]
        span = Span(file, expr.line, expr.end_line)
        if self.scope is not None:
            ctx = self.scope.function_context(span)
        else:
            return unknown_from(f"function {name} is not evaluated here", *args)
        # the arguments together are within the limit, so a function linear in its input cannot
        # pass it by much; those that multiply (format widths, indent, join...) check themselves
        if sum(self.size(a) for a in args) > MAX_VALUE_SIZE:
            return self.too_large(
                file, expr.line, f"{name}() arguments of more than {MAX_VALUE_SIZE} characters or elements (the limit)"
            )
        try:
            result = call_function(name, args, ctx)
        except FunctionError as exc:
            raise EvalError(str(exc)) from None
        except ValueTooLarge as exc:
            return self.too_large(file, expr.line, str(exc))
        except RecursionError:
            raise EvalError(f"{name}(): value nested too deeply") from None
        result = self.bounded(result, file, expr)
        return result if isinstance(result, Unknown) else with_spans(result, span)

    def _try(self, expr: syn.FunctionCall, file: str, env: dict[str, Any]) -> Any:
        if expr.name == "can":
            if len(expr.args) != 1:
                raise EvalError("can() takes one argument")
            try:
                value = self.eval(expr.args[0], file, env)
            except EvalError:
                return False
            if isinstance(value, Unknown):
                return unknown_from("can() of a value known only after apply", value)
            return True
        errors: list[str] = []
        for arg in expr.args:
            try:
                return self.eval(arg, file, env)
            except EvalError as exc:
                errors.append(str(exc))
        raise EvalError("try(): every argument failed: " + "; ".join(errors[:3]))


_DISPATCH: dict[type, Callable[[Evaluator, Any, str, dict[str, Any]], Any]] = {
    syn.Literal: Evaluator._literal,
    syn.TupleExpr: Evaluator._tuple,
    syn.ObjectExpr: Evaluator._object,
    syn.Parens: Evaluator._parens,
    syn.Template: Evaluator._template,
    syn.Variable: Evaluator._variable,
    syn.GetAttr: Evaluator._get_attr,
    syn.Index: Evaluator._index,
    syn.Splat: Evaluator._splat,
    syn.Conditional: Evaluator._conditional,
    syn.UnaryOp: Evaluator._unary,
    syn.BinaryOp: Evaluator._binary,
    syn.ForExpr: Evaluator._for,
    syn.FunctionCall: Evaluator._call,
}


# ---------------------------------------------------------------------------------------
# helpers of the evaluator


def _terraform_attr(name: str) -> Any:
    if name == "workspace":
        return "default"
    raise EvalError(f"terraform.{name} is not a known attribute")


def _iterate(collection: Any) -> list[tuple[Any, Any]]:
    """(key, value) pairs of a ``for`` over ``collection``, in Terraform's order: a map's or
    object's keys sorted, a list's or tuple's index, a set's element as both key and value."""
    if isinstance(collection, dict):
        return [(k, collection[k]) for k in sorted(collection)]
    if isinstance(collection, SetValue):
        return [(v, v) for v in collection]
    if isinstance(collection, list | tuple):
        return list(enumerate(collection))
    if isinstance(collection, ModuleObject):
        return [(k, collection.output(k)) for k in sorted(collection.outputs())]
    if collection is None:
        raise EvalError("a for expression over a null value")
    raise EvalError(f"a for expression over a {type_name(collection)}")


def _normal(value: int | float) -> int | float:
    if isinstance(value, float):
        if math.isinf(value) or math.isnan(value):
            raise EvalError("arithmetic result is not a finite number")
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


def _plain(value: Any) -> Any:
    return value.finalize() if isinstance(value, ObjectValue) else value


def _for_function(value: Any) -> Any:
    """Functions see module calls as objects of outputs; resources stay opaque objects."""
    if isinstance(value, ModuleObject):
        return value.finalize()
    if isinstance(value, ResourceObject) and value.collapsed:
        return Unknown(
            f"how many instances {value.address} has is unknown",
            (ResourceRef(value.address, "id"),),
            value.count_origins,
        )
    return value


def _describe_pending(values: list[Any]) -> str:
    """Why a value is not known, in the words of what it was built from."""
    words: list[str] = []
    for value in values:
        text = (
            f"{value} (known only after apply)"
            if isinstance(value, ResourceRef)
            else str(getattr(value, "reason", value))
        )
        if text not in words:
            words.append(text)
    return "; ".join(words[:3]) + ("; ..." if len(words) > 3 else "")


def _preview(expr: Any) -> str:
    return f"line {expr.line}"
