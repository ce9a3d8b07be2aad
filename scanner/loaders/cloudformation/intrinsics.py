"""The intrinsic functions, evaluated offline as far as CloudFormation itself could
before a deployment.

Intrinsics resolve to values, ``ResourceRef`` (``Ref`` -> attribute ``"Ref"``,
``Fn::GetAtt`` -> the attribute name, unless the attribute echoes a property the template
writes: then that value) or ``Unknown`` (with the refs it was computed from).
``Fn::GetAZs`` and ``Fn::Transform`` (a macro) are only known at deploy time; ``Fn::Base64``
keeps its text so ``UserData`` stays readable; ``Fn::If`` on an unknown condition, and
``Fn::FindInMap`` on an unknown key, combine their branches (``branches``): known only when
every branch is the same value, else "one of" them. A function given malformed arguments is
``Unknown`` saying why; only ``TooDeep`` (a value nested over ``MAX_DEPTH`` levels) and
``RecursionError`` go up to the caller.

Each function reads the stack it is evaluated in through the small ``Evaluator`` protocol
(the stack's values, references, conditions and mappings), so this module does not import
the stack, which dispatches to ``evaluate_intrinsic``.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final, Protocol

from scanner.loaders.cloudformation.branches import Chooser, candidates_in, merged, one_of, same
from scanner.loaders.cloudformation.decode import SpanMaker
from scanner.loaders.cloudformation.values import (
    NO_VALUE,
    PSEUDO_PLACEHOLDER,
    TooDeep,
    is_known,
    origins_in,
    plain,
    scalar_text,
    unknown,
)
from scanner.values import UNKNOWN_PART, EncodedJson, Origin, ResourceRef, SpannedList, Unknown

_SUB_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


class Evaluator(Protocol):
    """What an intrinsic function reads from the stack it is evaluated in."""

    @property
    def mappings(self) -> dict[str, Any]:
        """The template's ``Mappings`` section."""
        ...

    @property
    def spans(self) -> SpanMaker: ...

    def value(self, node: Any, depth: int) -> Any:
        """A template node evaluated (intrinsics inside it too), ``depth`` levels down."""
        ...

    def ref(self, name: str) -> Any: ...

    def get_att(self, logical_id: str, attribute: Any, depth: int = 0) -> Any: ...

    def import_value(self, name: Any) -> Any: ...

    def condition(self, name: str, depth: int = 0) -> tuple[bool | None, str]: ...

    def condition_origins(self, name: str, depth: int = 0) -> tuple[Origin, ...]:
        """What decides an unknown condition (``conditions.Conditions.origins``)."""
        ...


# An intrinsic function: (stack, argument node, whole node, depth) -> value
Intrinsic = Callable[[Evaluator, Any, Any, int], Any]


def evaluate_intrinsic(stack: Evaluator, function: str, argument: Any, node: Any, depth: int) -> Any:
    """``{function: argument}`` (the whole ``node``) evaluated in ``stack``."""
    handler = INTRINSICS.get(function)
    if handler is None:
        return Unknown(f"{function} is not evaluated offline")
    try:
        return handler(stack, argument, node, depth)
    except (TooDeep, RecursionError):
        raise
    except Exception as error:  # malformed arguments: report as unknown, never crash
        return Unknown(f"{function} could not be evaluated: {error}")


def _fn_ref(stack: Evaluator, argument: Any, node: Any, depth: int) -> Any:
    name = stack.value(argument, depth)
    if not isinstance(name, str):
        return unknown("Ref to a name that is not known offline", name)
    return stack.ref(name)


def _fn_get_att(stack: Evaluator, argument: Any, node: Any, depth: int) -> Any:
    if isinstance(argument, str):
        logical_id, _, attribute = str(argument).partition(".")
        return stack.get_att(logical_id, attribute, depth)
    if isinstance(argument, list) and len(argument) == 2:
        logical_id = str(argument[0])
        return stack.get_att(logical_id, stack.value(argument[1], depth), depth)
    return Unknown("Fn::GetAtt needs a resource and an attribute")


def _fn_sub(stack: Evaluator, argument: Any, node: Any, depth: int) -> Any:
    variables: dict[str, Any] = {}
    text = argument
    if isinstance(argument, list):
        if len(argument) != 2 or not isinstance(argument[1], dict):
            return Unknown("Fn::Sub needs a string and a mapping of variables")
        text = argument[0]
        variables = {str(k): stack.value(v, depth) for k, v in argument[1].items()}
    text = stack.value(text, depth)
    if not isinstance(text, str):
        return unknown("Fn::Sub text is not known offline", text)

    def lookup(name: str) -> Any:
        name = name.strip()
        if name in variables:
            return variables[name]
        if "." in name and not name.startswith("AWS::"):
            logical_id, attribute = name.split(".", 1)
            return stack.get_att(logical_id, attribute, depth)
        return stack.ref(name)

    whole = _SUB_PLACEHOLDER.fullmatch(text)
    if whole and not whole.group(1).startswith("!"):
        value = lookup(whole.group(1))
        return "" if value is NO_VALUE else value
    pieces: list[str] = []
    unresolved: list[Any] = []
    position = 0
    for match in _SUB_PLACEHOLDER.finditer(text):
        pieces.append(text[position : match.start()])
        position = match.end()
        name = match.group(1)
        if name.startswith("!"):
            pieces.append("${" + name[1:] + "}")
            continue
        value = lookup(name)
        piece = _text_piece(value)
        if piece is None:
            unresolved.append(value)
            piece = UNKNOWN_PART
        pieces.append(piece)
    pieces.append(text[position:])
    if unresolved:
        found = unknown(f"Fn::Sub '{text}' {_unresolved_reason(unresolved)}", unresolved)
        return Unknown(found.reason, found.refs, found.origins, "".join(pieces))
    return "".join(pieces)


def _text_piece(value: Any) -> str | None:
    """A value as part of a longer text: scalars, and unknown pseudo parameters as their
    ``${AWS::...}`` placeholder; None when the text cannot be known."""
    if value is NO_VALUE:
        return ""
    if isinstance(value, Unknown):
        return PSEUDO_PLACEHOLDER.get(value)
    return scalar_text(value)


def _unresolved_reason(values: list[Any]) -> str:
    for value in values:
        if isinstance(value, ResourceRef):
            return f"depends on {value} (known after deployment)"
        if isinstance(value, Unknown):
            return f"depends on an unknown value ({value.reason})"
    return "depends on a list or mapping value"


def _fn_join(stack: Evaluator, argument: Any, node: Any, depth: int) -> Any:
    if not isinstance(argument, list) or len(argument) != 2:
        return Unknown("Fn::Join needs a delimiter and a list")
    delimiter = stack.value(argument[0], depth)
    items = stack.value(argument[1], depth)
    if not isinstance(delimiter, str):
        return unknown("Fn::Join delimiter is not known offline", delimiter, items)
    if not isinstance(items, list):
        return unknown(f"Fn::Join list is not known offline ({_reason(items)})", items)
    pieces = [_text_piece(item) for item in items]
    unresolved = [item for item, piece in zip(items, pieces, strict=True) if piece is None]
    if unresolved:
        return unknown(f"Fn::Join {_unresolved_reason(unresolved)}", unresolved)
    return delimiter.join(piece for piece in pieces if piece is not None)


def _fn_select(stack: Evaluator, argument: Any, node: Any, depth: int) -> Any:
    if not isinstance(argument, list) or len(argument) != 2:
        return Unknown("Fn::Select needs an index and a list")
    index = stack.value(argument[0], depth)
    items = stack.value(argument[1], depth)
    if not isinstance(items, list):
        return unknown(f"Fn::Select from a list not known offline ({_reason(items)})", items)
    try:
        position = int(index)
    except (TypeError, ValueError):
        return unknown("Fn::Select index is not known offline", index, items)
    if not 0 <= position < len(items):
        return Unknown(f"Fn::Select index {position} is outside a list of {len(items)}")
    return items[position]


def _fn_split(stack: Evaluator, argument: Any, node: Any, depth: int) -> Any:
    if not isinstance(argument, list) or len(argument) != 2:
        return Unknown("Fn::Split needs a delimiter and a string")
    delimiter = stack.value(argument[0], depth)
    text = stack.value(argument[1], depth)
    if not isinstance(delimiter, str) or not delimiter or not isinstance(text, str):
        return unknown(f"Fn::Split of a value not known offline ({_reason(text)})", text)
    return SpannedList(text.split(delimiter), span=stack.spans.of(node))


def _fn_find_in_map(stack: Evaluator, argument: Any, node: Any, depth: int) -> Any:
    if not isinstance(argument, list) or len(argument) not in (3, 4):
        return Unknown("Fn::FindInMap needs a map name and two keys")
    default: Any = None
    has_default = False
    if len(argument) == 4 and isinstance(argument[3], dict) and "DefaultValue" in argument[3]:
        has_default = True
        default = argument[3]["DefaultValue"]
    keys = [stack.value(item, depth) for item in argument[:3]]
    open_keys = [key for key in keys if scalar_text(key) is None]
    if open_keys:
        return _find_in_open_map(stack, keys, open_keys, default if has_default else NO_VALUE, depth)
    table: Any = stack.mappings
    for key in keys:
        table = table.get(scalar_text(key)) if isinstance(table, dict) else None
        if table is None:
            break
    if table is None:
        if has_default:
            return stack.value(default, depth)
        return Unknown(f"Fn::FindInMap: {'/'.join(str(scalar_text(k)) for k in keys)} is not in Mappings")
    return stack.value(table, depth)


def _find_in_open_map(stack: Evaluator, keys: list[Any], open_keys: list[Any], default: Any, depth: int) -> Any:
    """``Fn::FindInMap`` with keys not known offline (``AWS::Region``, a parameter without a
    value): every value the map holds there, combined; the ``DefaultValue`` is one of them."""
    reason = f"Fn::FindInMap key is not known offline ({_reason(open_keys[0])})"
    found = [stack.value(value, depth) for value in candidates_in(stack.mappings, keys)]
    if default is not NO_VALUE:
        found.append(stack.value(default, depth))
    if not found:
        return unknown(reason, *keys)
    if all(same(found[0], other) for other in found[1:]):
        return found[0]
    what = "Fn::FindInMap " + "/".join(str(scalar_text(key) or "?") for key in keys)
    return one_of(found, Chooser(what, reason, origins_in(open_keys)))


def _fn_if(stack: Evaluator, argument: Any, node: Any, depth: int) -> Any:
    if not isinstance(argument, list) or len(argument) != 3:
        return Unknown("Fn::If needs a condition and two values")
    name = str(argument[0])
    truth, reason = stack.condition(name, depth)
    if truth is True:
        return stack.value(argument[1], depth)
    if truth is False:
        return stack.value(argument[2], depth)
    when_true = stack.value(argument[1], depth)
    when_false = stack.value(argument[2], depth)
    return merged(when_true, when_false, Chooser(f"condition {name}", reason, stack.condition_origins(name, depth)))


def _fn_get_azs(stack: Evaluator, argument: Any, node: Any, depth: int) -> Any:
    return Unknown("Fn::GetAZs: the region's availability zones are only known at deploy time")


def _fn_import_value(stack: Evaluator, argument: Any, node: Any, depth: int) -> Any:
    return stack.import_value(stack.value(argument, depth))


def _fn_base64(stack: Evaluator, argument: Any, node: Any, depth: int) -> Any:
    # Kept as text: UserData stays readable for the analyses.
    return stack.value(argument, depth)


def _fn_cidr(stack: Evaluator, argument: Any, node: Any, depth: int) -> Any:
    if not isinstance(argument, list) or len(argument) != 3:
        return Unknown("Fn::Cidr needs a block, a count and a size")
    block, count, bits = (stack.value(item, depth) for item in argument)
    if not isinstance(block, str):
        return unknown(f"Fn::Cidr of a block not known offline ({_reason(block)})", block)
    try:
        network = ipaddress.ip_network(block, strict=False)
        prefix = network.max_prefixlen - int(bits)
        wanted = int(count)
        if wanted < 0 or wanted > 256 or prefix < network.prefixlen:
            raise ValueError(f"cannot carve {wanted} /{prefix} blocks out of {block}")
        subnets = network.subnets(new_prefix=prefix)
        return SpannedList([str(next(subnets)) for _ in range(wanted)], span=stack.spans.of(node))
    except (ValueError, TypeError, StopIteration) as error:
        return Unknown(f"Fn::Cidr: {error}")


def _fn_length(stack: Evaluator, argument: Any, node: Any, depth: int) -> Any:
    items = stack.value(argument, depth)
    if isinstance(items, list):
        return len(items)
    return unknown(f"Fn::Length of a list not known offline ({_reason(items)})", items)


def _fn_to_json_string(stack: Evaluator, argument: Any, node: Any, depth: int) -> Any:
    value = stack.value(argument, depth)
    if not is_known(value):
        return unknown("Fn::ToJsonString of a value not known offline", value)
    return EncodedJson(json.dumps(plain(value), separators=(",", ":")), value)


def _fn_transform(stack: Evaluator, argument: Any, node: Any, depth: int) -> Any:
    return Unknown("Fn::Transform (a macro) is not expanded offline")


def _reason(value: Any) -> str:
    if isinstance(value, Unknown):
        return value.reason
    if isinstance(value, ResourceRef):
        return f"{value} is known after deployment"
    return f"got {type(value).__name__}"


INTRINSICS: Final[Mapping[str, Intrinsic]] = MappingProxyType(
    {
        "Ref": _fn_ref,
        "Fn::GetAtt": _fn_get_att,
        "Fn::Sub": _fn_sub,
        "Fn::Join": _fn_join,
        "Fn::Select": _fn_select,
        "Fn::Split": _fn_split,
        "Fn::FindInMap": _fn_find_in_map,
        "Fn::If": _fn_if,
        "Fn::GetAZs": _fn_get_azs,
        "Fn::ImportValue": _fn_import_value,
        "Fn::Base64": _fn_base64,
        "Fn::Cidr": _fn_cidr,
        "Fn::Length": _fn_length,
        "Fn::ToJsonString": _fn_to_json_string,
        "Fn::Transform": _fn_transform,
    }
)
