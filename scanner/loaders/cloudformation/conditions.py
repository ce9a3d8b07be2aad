"""A stack's ``Conditions``, three-valued: true, false or unknown (with why).

A resource whose condition is false is not loaded; an unknown condition loads it with an
assumption. ``Fn::Equals`` compares the texts CloudFormation would compare (``true`` and
``"true"`` are equal); ``Fn::And`` / ``Fn::Or`` are settled by one false / true operand even
when others are unknown. A condition that refers to itself, directly or not, is unknown.

An unknown condition has origins (``scanner.values.Origin``): the condition itself (kind
``condition``, the line of its entry under ``Conditions``), then the origins of the unknown
values it compares (a parameter without a value ...) and of the conditions it reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scanner.loaders.cloudformation.values import MAX_DEPTH, TooDeep, is_known, origins_in, scalar_text
from scanner.values import Origin, Span, Unknown

Truth = tuple[bool | None, str]  # (True | False | None for unknown, why it is unknown)
ValueOf = Callable[[Any, int], Any]  # evaluates a template node at a nesting depth
SpanOf = Callable[[str], Span | None]  # where a condition's entry is written
_Result = tuple[bool | None, str, tuple[Origin, ...]]  # a truth and, when unknown, its origins


class Conditions:
    """The ``Conditions`` section of one stack, each evaluated once, when first asked.
    ``value`` evaluates the operands of ``Fn::Equals`` in the stack (parameters, mappings)."""

    def __init__(self, definitions: dict[str, Any], value: ValueOf, span_of: SpanOf | None = None) -> None:
        self._definitions = definitions
        self._value = value
        self._span_of = span_of
        self._memo: dict[str, _Result] = {}
        self._busy: set[str] = set()

    def truth(self, name: str, depth: int = 0) -> Truth:
        """(True | False | None for unknown, why it is unknown)."""
        truth, reason, _ = self._named(name, depth)
        return truth, reason

    def origins(self, name: str, depth: int = 0) -> tuple[Origin, ...]:
        """What decides condition ``name`` when it is unknown: the condition, then the open
        inputs it reads; () when it is known."""
        return self._named(name, depth)[2]

    def _named(self, name: str, depth: int) -> _Result:
        if name in self._memo:
            return self._memo[name]
        if name in self._busy:
            return None, f"condition {name} refers to itself", ()
        if name not in self._definitions:
            return None, f"condition {name} is not defined", ()
        self._busy.add(name)
        try:
            result = self._truth(self._definitions[name], depth + 1)
        except (TooDeep, RecursionError):
            result = (None, f"condition {name} is nested too deeply", ())
        finally:
            self._busy.discard(name)
        if result[0] is None:
            own = Origin("condition", name, self._span_of(name) if self._span_of is not None else None)
            result = (result[0], result[1], (own, *(o for o in result[2] if o != own)))
        self._memo[name] = result
        return result

    def _truth(self, node: Any, depth: int) -> _Result:
        if depth > MAX_DEPTH:
            raise TooDeep
        if isinstance(node, bool):
            return node, "", ()
        if not isinstance(node, dict) or len(node) != 1:
            return None, "condition is not an intrinsic function", ()
        function, argument = next(iter(node.items()))
        if function == "Condition":
            return self._named(str(argument), depth + 1)
        if function == "Fn::Equals":
            if not isinstance(argument, list) or len(argument) != 2:
                return None, "Fn::Equals needs two values", ()
            left, right = (self._value(item, depth + 1) for item in argument)
            for side in (left, right):
                if not is_known(side):
                    reason = side.reason if isinstance(side, Unknown) else "it compares a resource attribute"
                    return None, reason, origins_in([left, right])
            return _equals_text(left) == _equals_text(right), "", ()
        if function == "Fn::Not":
            inner = argument[0] if isinstance(argument, list) and argument else argument
            truth, reason, origins = self._truth(inner, depth + 1)
            return (None if truth is None else not truth), reason, origins
        if function in ("Fn::And", "Fn::Or"):
            if not isinstance(argument, list):
                return None, f"{function} needs a list", ()
            results = [self._truth(item, depth + 1) for item in argument]
            decisive = function == "Fn::Or"  # the value that settles the result on its own
            if any(truth is decisive for truth, _, _ in results):
                return decisive, "", ()
            open_ones = [(reason, origins) for truth, reason, origins in results if truth is None]
            if not open_ones:
                return not decisive, "", ()
            found = dict.fromkeys(origin for _, origins in open_ones for origin in origins)
            return None, open_ones[0][0], tuple(found)
        return None, f"{function} is not a condition function", ()


def _equals_text(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_equals_text(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _equals_text(v) for k, v in value.items()}
    return scalar_text(value)
