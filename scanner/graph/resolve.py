"""Reference resolution: finding the objects a ``Ref`` names.

An unknown is still itself: a reference that is an ``Unknown`` coming from exactly one open
input (a variable or parameter without a value) names the resource whose AWS name is that
same unknown (the same reason and origin), so ``RoleName: !Ref RoleName`` and an instance
profile's ``Roles: [!Ref RoleName]`` (or ``var.name`` on both sides in Terraform) still
link before the value is given. An unknown computed from the input (``${RoleName}-x``) has
another reason and names nothing by itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

from scanner.frozen import frozen
from scanner.model import Instance, NetworkInterface, Resource
from scanner.values import Origin, ResourceRef, Unknown

R = TypeVar("R", bound=Resource)

_INDEXED = re.compile(r"^(.*)\[[^\[\]]*\]$")
_INPUT_KINDS = frozenset({"variable", "parameter"})


def input_key(value: object) -> tuple[str, Origin] | None:
    """The identity of an Unknown that is exactly one open input's value: its reason and
    origin; None for anything else (a known value, an unknown of several inputs)."""
    if isinstance(value, Unknown) and len(value.origins) == 1 and value.origins[0].kind in _INPUT_KINDS:
        return value.reason, value.origins[0]
    return None


@frozen
class Resolved:
    """What a reference points at: the objects of the wanted types, and a sentence when
    (part of) it did not resolve."""

    objects: tuple[Resource, ...]
    unresolved: str | None = None


class Resolver:
    """Finds the objects a ``Ref`` names: by address (a counted family ``x`` covers
    ``x[0]``, ``x[1]`` ...), by AWS name for literal strings (or by the private address an
    instance or a network interface is written with), through ``Unknown.refs``."""

    def __init__(self, objects: Iterable[Resource]) -> None:
        self.by_address: dict[str, Resource] = {}
        self.families: dict[str, list[Resource]] = {}
        self.by_name: dict[str, list[Resource]] = {}
        self.by_unknown_name: dict[tuple[str, Origin], list[Resource]] = {}
        self.by_private_ip: dict[str, list[Resource]] = {}
        for obj in objects:
            if obj.address in self.by_address:
                continue
            self.by_address[obj.address] = obj
            if isinstance(obj, Instance | NetworkInterface):
                for ip in obj.private_ips:
                    self.by_private_ip.setdefault(ip, []).append(obj)
            indexed = _INDEXED.match(obj.address)
            if indexed:
                self.families.setdefault(indexed.group(1), []).append(obj)
            if isinstance(obj.name, str) and obj.name:
                self.by_name.setdefault(obj.name, []).append(obj)
            unknown_name = input_key(obj.name)
            if unknown_name is not None:
                self.by_unknown_name.setdefault(unknown_name, []).append(obj)

    def objects_at(self, address: str) -> list[Resource]:
        found = self.by_address.get(address)
        if found is not None:
            return [found]
        return list(self.families.get(address, ()))

    def resolve(self, ref: object, types: tuple[type[Resource], ...], owner: str, what: str) -> Resolved:
        if ref is None:
            return Resolved(())
        if isinstance(ref, ResourceRef):
            found = [o for o in self.objects_at(ref.address) if isinstance(o, types)]
            if found:
                return Resolved(tuple(found))
            if self.objects_at(ref.address):
                return Resolved((), f"{owner}: {what} refers to {ref.address}, which is not a {_type_words(types)}")
            return Resolved((), f"{owner}: {what} refers to {ref.address}, which is not defined in this configuration")
        if isinstance(ref, Unknown):
            found = []
            for inner in ref.refs:
                found.extend(o for o in self.objects_at(inner.address) if isinstance(o, types))
            if found:
                return Resolved(tuple(_unique(found)))
            key = input_key(ref)
            named = [o for o in self.by_unknown_name.get(key, ()) if isinstance(o, types)] if key else []
            if named:
                return Resolved(tuple(named))
            return Resolved((), f"{owner}: {what} is not known offline ({ref.reason})")
        if isinstance(ref, str):
            named = [o for o in self.by_name.get(ref, ()) if isinstance(o, types)]
            if named:
                return Resolved(tuple(named))
            direct = [o for o in self.objects_at(ref) if isinstance(o, types)]
            if direct:
                return Resolved(tuple(direct))
            # A literal private address (an IP target) names the one instance or interface
            # written with it; written for several (copies of one network), it names none.
            held = [o for o in self.by_private_ip.get(ref, ()) if isinstance(o, types)]
            if len(self.by_private_ip.get(ref, ())) == 1 and held:
                return Resolved(tuple(held))
            return Resolved((), f"{owner}: {what} '{ref}' is not defined in this configuration")
        return Resolved((), f"{owner}: {what} has an unexpected value {ref!r}")


def _type_words(types: tuple[type[Resource], ...]) -> str:
    return " or ".join(re.sub(r"(?<!^)(?=[A-Z])", " ", t.__name__).lower() for t in types)


def _unique(objs: Iterable[R]) -> list[R]:
    seen: set[str] = set()
    out: list[R] = []
    for obj in objs:
        if obj.address not in seen:
            seen.add(obj.address)
            out.append(obj)
    return out
