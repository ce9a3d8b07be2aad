"""Reference resolution: finding the objects a ``Ref`` names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from scanner.model import Resource
from scanner.values import ResourceRef, Unknown

R = TypeVar("R", bound=Resource)

_INDEXED = re.compile(r"^(.*)\[[^\[\]]*\]$")


@dataclass(frozen=True)
class Resolved:
    """What a reference points at: the objects of the wanted types, and a sentence when
    (part of) it did not resolve."""

    objects: tuple[Resource, ...]
    unresolved: str | None = None


class Resolver:
    """Finds the objects a ``Ref`` names: by address (a counted family ``x`` covers
    ``x[0]``, ``x[1]`` ...), by AWS name for literal strings, through ``Unknown.refs``."""

    def __init__(self, objects: Iterable[Resource]) -> None:
        self.by_address: dict[str, Resource] = {}
        self.families: dict[str, list[Resource]] = {}
        self.by_name: dict[str, list[Resource]] = {}
        for obj in objects:
            if obj.address in self.by_address:
                continue
            self.by_address[obj.address] = obj
            indexed = _INDEXED.match(obj.address)
            if indexed:
                self.families.setdefault(indexed.group(1), []).append(obj)
            if isinstance(obj.name, str) and obj.name:
                self.by_name.setdefault(obj.name, []).append(obj)

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
            return Resolved((), f"{owner}: {what} is not known offline ({ref.reason})")
        if isinstance(ref, str):
            named = [o for o in self.by_name.get(ref, ()) if isinstance(o, types)]
            if named:
                return Resolved(tuple(named))
            direct = [o for o in self.objects_at(ref) if isinstance(o, types)]
            if direct:
                return Resolved(tuple(direct))
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
