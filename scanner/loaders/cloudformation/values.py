"""What evaluating a template node yields, and the pseudo parameters.

A template value evaluates to a plain value (``str``, numbers, ``SpannedDict``,
``SpannedList``), a ``ResourceRef`` or an ``Unknown`` (with the refs it was computed from);
``NO_VALUE`` (``AWS::NoValue``) removes the key or list item it stands in.

* Pseudo parameters: ``AWS::Partition`` is ``aws`` and ``AWS::URLSuffix`` ``amazonaws.com``
  (so ``arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess`` stays recognisable);
  the others are ``Unknown`` unless given as ``--parameter AWS::Region=...``. Inside a longer
  ``Fn::Sub``/``Fn::Join`` text an unknown pseudo parameter is kept as its literal
  ``${AWS::AccountId}`` placeholder: it cannot be mistaken for ``*`` or a CIDR, and keeps
  ARNs and names readable.
* Origins: an ``Unknown`` computed from other values (``unknown``) carries their origins
  (``scanner.values.Origin``), and a resource attribute among them is an ``attribute``
  origin, so ``Fn::Sub``, ``Fn::Join``, ``Fn::Select`` ... keep naming the open inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from scanner.values import Origin, ResourceRef, Unknown

MAX_DEPTH = 100  # nesting of mappings / lists / intrinsics inside one value

KNOWN_PSEUDO: Final[Mapping[str, str]] = MappingProxyType({"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"})
DEPLOY_TIME_PSEUDO = ("AWS::AccountId", "AWS::Region", "AWS::StackName", "AWS::StackId", "AWS::NotificationARNs")


def pseudo_unknown(name: str) -> Unknown:
    """An unknown pseudo parameter (``AWS::AccountId`` ...), which ``--parameter`` can give."""
    return Unknown(f"{name} is only known at deploy time", origins=(Origin("parameter", name, None, fill_in(name)),))


def fill_in(name: str) -> str:
    """How a user gives parameter ``name`` a value."""
    return f"--parameter {name}=..."


def attribute_origin(ref: ResourceRef) -> Origin:
    """A resource attribute CloudFormation only knows once the resource is created."""
    name = ref.address if ref.attribute == "Ref" else f"{ref.address}.{ref.attribute}"
    return Origin("attribute", name)


PSEUDO_PLACEHOLDER: Final[Mapping[Unknown, str]] = MappingProxyType(
    {pseudo_unknown(name): "${" + name + "}" for name in DEPLOY_TIME_PSEUDO}
)


class _NoValue:
    """``AWS::NoValue``: the key or list item it stands in is removed."""


NO_VALUE = _NoValue()


class TooDeep(Exception):
    """A value nested deeper than MAX_DEPTH (or a condition chain longer than it)."""


def refs_in(value: Any) -> tuple[ResourceRef, ...]:
    """Every resource reference inside a value, in order, once."""
    found: dict[ResourceRef, None] = {}
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, ResourceRef):
            found[item] = None
        elif isinstance(item, Unknown):
            found.update(dict.fromkeys(item.refs))
        elif isinstance(item, dict):
            pending.extend(reversed(list(item.values())))
        elif isinstance(item, (list, tuple)):
            pending.extend(reversed(item))
    return tuple(found)


def is_known(value: Any) -> bool:
    """No Unknown and no ResourceRef anywhere inside."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, (Unknown, ResourceRef)):
            return False
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
    return True


def count_unknowns(value: Any) -> int:
    count = 0
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, Unknown):
            count += 1
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
    return count


def origins_in(value: Any) -> tuple[Origin, ...]:
    """The origins of every Unknown inside a value, and an ``attribute`` origin for every
    resource reference, in order, once."""
    found: dict[Origin, None] = {}
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, Unknown):
            found.update(dict.fromkeys(item.origins))
        elif isinstance(item, ResourceRef):
            found[attribute_origin(item)] = None
        elif isinstance(item, dict):
            pending.extend(reversed(list(item.values())))
        elif isinstance(item, (list, tuple)):
            pending.extend(reversed(item))
    return tuple(found)


def unknown(reason: str, *sources: Any, origins: tuple[Origin, ...] = ()) -> Unknown:
    """An unknown computed from ``sources``: their refs and origins (after ``origins``)."""
    found = dict.fromkeys(origins)
    found.update(dict.fromkeys(origins_in(list(sources))))
    return Unknown(reason, refs_in(list(sources)), tuple(found))


def scalar_text(value: Any) -> str | None:
    """The text CloudFormation would use for a scalar in a string context."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def plain(value: Any) -> Any:
    """A JSON-encodable copy of a known value."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
