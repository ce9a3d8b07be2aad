"""What a scan could not know, per configuration: the open inputs (variables without a
value, parameters without a default, data sources, modules not downloaded, remote state,
counts and conditions) that decided at least one possible trait, ranked by how many they
decided, each with how to fill it in. Filling in the top ones turns the most possible
verdicts into certain ones."""

from __future__ import annotations

from collections.abc import Iterable

from scanner.findings import Exposure
from scanner.frozen import frozen
from scanner.values import Origin

FILLABLE_FIRST = ("variable", "parameter", "count", "condition", "module", "data_source", "remote_state", "import")


@frozen
class OpenInput:
    """One unknown of one configuration and the number of trait verdicts it decides."""

    configuration: str
    origin: Origin
    decides: int


def open_inputs(exposures: Iterable[Exposure]) -> list[OpenInput]:
    """Every origin named by a possible trait, once per configuration, most deciding first,
    then the kinds a user can set first (a variable before a data source)."""
    counts: dict[tuple[str, Origin], int] = {}
    for exposure in exposures:
        for trait in exposure.traits:
            for origin in dict.fromkeys(trait.unknowns):
                key = (exposure.configuration, origin)
                counts[key] = counts.get(key, 0) + 1
    found = [OpenInput(configuration, origin, n) for (configuration, origin), n in counts.items()]
    return sorted(found, key=_order)


def _order(item: OpenInput) -> tuple[str, int, int, str, str, int]:
    kind = FILLABLE_FIRST.index(item.origin.kind) if item.origin.kind in FILLABLE_FIRST else len(FILLABLE_FIRST)
    span = item.origin.span
    return (
        item.configuration,
        -item.decides,
        kind,
        item.origin.name,
        span.file if span else "",
        span.line if span else 0,
    )
