"""Instances of one resource block that are exposed alike become one exposure.

``count = 2`` makes ``aws_instance.web[0]`` and ``aws_instance.web[1]``: the same lines, the
same rules, the same paths. Printing the exposure twice says nothing new, so exposures of
instances of one block (the address without its last index) whose severity, traits, paths
and fixes are identical once the instance's own address and key are set aside (web[0]'s
Elastic IP is aws_eip.web[0], web[1]'s aws_eip.web[1]) are reported once,
under the first instance (natural key order), with every instance in ``instances``. Its
fingerprints are the first instance's, as before grouping: a baseline written before still
matches it. Instances that differ (one in a public subnet chosen by ``count.index``) stay
apart."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from scanner.findings import Exposure, PathStep, Trait

_LAST_INDEX = re.compile(r"^(?P<block>.+)\[(?P<key>[^\[\]]*)\]$")


def group_instances(exposures: Sequence[Exposure]) -> list[Exposure]:
    """``exposures`` with alike instances of one block merged, in their original order."""
    groups: dict[tuple[str, str, Any], list[Exposure]] = {}
    order: list[Exposure | tuple[str, str, Any]] = []
    for exposure in exposures:
        match = _LAST_INDEX.match(exposure.workload)
        if match is None:
            order.append(exposure)
            continue
        key = (exposure.configuration, match["block"], _signature(exposure))
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(exposure)
    grouped: list[Exposure] = []
    for item in order:
        if isinstance(item, Exposure):
            grouped.append(item)
            continue
        members = sorted(groups[item], key=lambda e: _natural(e.workload))
        first = members[0]
        grouped.append(replace(first, instances=tuple(e.workload for e in members)) if len(members) > 1 else first)
    return grouped


def _natural(address: str) -> tuple[Any, ...]:
    match = _LAST_INDEX.match(address)
    key = match["key"] if match else ""
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


def _signature(exposure: Exposure) -> tuple[Any, ...]:
    member = exposure.workload
    match = _LAST_INDEX.match(member)
    key = f"[{match['key']}]" if match else member
    name = member[: -len(key)].rsplit(".", 1)[-1] if match else member
    companion = f".{name}{key}"

    def own(text: str) -> str:
        # The instance's key also names its own companions (aws_eip.web[0] for web[0]), and
        # only those: route[0] of a table is the same for every instance.
        return text.replace(member, "\0").replace(companion, f".{name}[\0]")

    def step(s: PathStep) -> tuple[Any, ...]:
        return (s.kind, own(s.address), own(s.description), s.span, s.ports)

    def trait(t: Trait) -> tuple[Any, ...]:
        return (
            t.rule_id,
            t.location.span,
            own(t.location.address),
            own(t.message),
            tuple(step(s) for s in t.path),
            tuple(tuple(step(s) for s in path) for path in t.other_paths),
            own(repr(sorted(t.properties.items()))),
            tuple(own(a) for a in t.assumptions),
            t.unknowns,
            t.caveats,
            tuple((e.span, own(e.address), own(e.message)) for e in t.related),
        )

    return (
        exposure.severity,
        exposure.possible_severity,
        tuple(trait(t) for t in exposure.traits),
        tuple((f.rule_id, f.location.span, f.severity) for f in exposure.fixes),
        exposure.restricted_paths,
        exposure.criticality,
    )
