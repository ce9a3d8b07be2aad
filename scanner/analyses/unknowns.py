"""What a verdict rests on when the configuration leaves something open.

Every trait is one of: holds, does not hold, possible. A trait that holds only for some
values of what is not known offline (an ``Unknown`` value, a resource whose ``existence``
is unknown because its count / for_each / Condition is) is *possible*: it names, in words,
what was assumed (``assumptions``) and the open inputs that decide it (``unknowns``: the
``Origin``s of those values and of those resources' existence). This module is the one
place that collects them, so every analysis names them the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from scanner.frozen import frozen
from scanner.model import Instance, Resource
from scanner.values import Origin, ResourceRef, Unknown
from scanner.workload import WorkloadContext


def origins_of(*items: object) -> tuple[Origin, ...]:
    """The origins of the ``Unknown`` values and of the unknown existence of the resources
    among ``items`` (tuples and lists are looked into), each once, in the order met.
    Anything else (a literal, a resolved reference, a resource that certainly exists)
    contributes nothing."""
    found: dict[Origin, None] = {}
    _collect(items, found)
    return tuple(found)


def _collect(items: Iterable[object], found: dict[Origin, None]) -> None:
    for item in items:
        if isinstance(item, Unknown):
            found.update(dict.fromkeys(item.origins))
        elif isinstance(item, Resource):
            if item.existence is not None:
                found.update(dict.fromkeys(item.existence.origins))
        elif isinstance(item, (tuple, list)):
            _collect(item, found)


def may_not_exist(*resources: Resource | None) -> tuple[str, ...]:
    """One sentence per resource that may not exist (its count / for_each / Condition is
    not known offline): what a verdict built on it assumes."""
    return tuple(
        f"{r.address} may not exist ({r.existence.reason}); assumed it does"
        for r in resources
        if r is not None and r.existence is not None
    )


def not_exists_assumed(resource: Resource) -> str:
    """The sentence for a resource that would take something away (a NACL deny) and may
    not exist: the verdict keeps what it would take away."""
    assert resource.existence is not None
    return f"{resource.address} may not exist ({resource.existence.reason}); assumed it does not"


def ref_text(value: object) -> str:
    """A reference as the user wrote it, for a sentence."""
    if isinstance(value, Unknown):
        return value.reason
    if isinstance(value, ResourceRef):
        return value.address
    return str(value)


@frozen
class Open:
    """What a possible verdict rests on: sentences and origins (both empty: it is certain)."""

    assumptions: tuple[str, ...] = ()
    unknowns: tuple[Origin, ...] = ()

    @property
    def possible(self) -> bool:
        return bool(self.assumptions or self.unknowns)

    def __add__(self, other: Open) -> Open:
        return Open(
            tuple(dict.fromkeys(self.assumptions + other.assumptions)),
            tuple(dict.fromkeys(self.unknowns + other.unknowns)),
        )


def existence_open(*resources: Resource | None) -> Open:
    """The ``Open`` of building on resources that may not exist (empty when all exist)."""
    present = [r for r in resources if r is not None]
    return Open(may_not_exist(*present), origins_of(*present))


def unplaced_subnets(ctx: WorkloadContext) -> tuple[object, ...]:
    """The subnets the workload names that resolved to no subnet of the configuration (an
    ``Unknown``: a variable, a data source, a module output; a literal ``subnet-...`` id),
    as written: where it runs there is not known offline, so neither is whether that
    subnet maps public addresses or routes to an internet gateway."""
    work = ctx.workload
    refs: tuple[object, ...]
    if isinstance(work, Instance):
        refs = (work.subnet,) if work.subnet is not None else ()
    else:
        refs = work.subnets
    if not refs and ctx.launch_template is not None and ctx.launch_template.subnet is not None:
        refs = (ctx.launch_template.subnet,)
    if not refs:
        refs = tuple(e.subnet for e in ctx.network_interfaces if e.subnet is not None)
    placed = [p.subnet.address for p in ctx.placements if p.subnet is not None]

    def resolved(ref: object) -> bool:
        if isinstance(ref, ResourceRef):
            return any(a == ref.address or a.startswith(ref.address + "[") for a in placed)
        if isinstance(ref, Unknown):
            return bool(ref.refs) and all(resolved(r) for r in ref.refs)
        return False

    return tuple(r for r in refs if not resolved(r))


__all__ = [
    "Open",
    "existence_open",
    "may_not_exist",
    "not_exists_assumed",
    "origins_of",
    "ref_text",
    "unplaced_subnets",
]
