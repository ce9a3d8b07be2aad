"""Remediation targets across the estate: every measured fix of every exposure, grouped by
the edit (the same line, the same change), ranked by the exposures it resolves, then those
it reduces, then those whose traits it clears. An exposure that holds only possibly (every
trait depends on a value not known offline: it has no severity, only a possible one) counts
after those that hold: resolving three possible exposures ranks below resolving one that is
certain, and the summary says "possible".

An exposure that stands for several alike instances (``Exposure.instances``) counts once
per instance. The caller leaves suppressed exposures out: a fix for an accepted risk is not
a target.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from scanner.findings import Evidence, Exposure, Fix
from scanner.values import Span


@dataclass
class FixTarget:
    """One edit and what it does across the estate: ``resolves`` / ``reduces`` / ``clears``
    count exposures (instances), ``workloads`` names them (``configuration: address``)."""

    location: Evidence
    remediation: str
    kind: str
    stops_service: str = ""
    resolves: int = 0
    resolves_possible: int = 0  # of ``resolves``: exposures that hold only possibly
    reduces: int = 0
    clears: int = 0
    configurations: list[str] = field(default_factory=list)
    workloads: list[str] = field(default_factory=list)

    @property
    def span(self) -> Span:
        return self.location.span

    def summary(self) -> str:
        """ "resolves 14 exposures, reduces 3, in 2 configurations"."""
        parts = []
        if self.resolves:
            plural = "s" if self.resolves != 1 else ""
            if self.resolves_possible == self.resolves:
                parts.append(f"resolves {self.resolves} possible exposure{plural}")
            elif self.resolves_possible:
                parts.append(f"resolves {self.resolves} exposure{plural} ({self.resolves_possible} possible)")
            else:
                parts.append(f"resolves {self.resolves} exposure{plural}")
        if self.reduces:
            parts.append(
                f"reduces {self.reduces}"
                if parts
                else f"reduces {self.reduces} exposure{'s' if self.reduces != 1 else ''}"
            )
        if self.clears:
            parts.append(f"clears traits of {self.clears}")
        count = len(self.configurations)
        where = f"in {count} configuration{'s' if count != 1 else ''}"
        said = ", ".join(parts) + f", {where}"
        return f"{said}; {self.stops_service}" if self.stops_service else said


def remediation_targets(exposures: Iterable[Exposure]) -> list[FixTarget]:
    """Every edit the fixes of ``exposures`` (the ones not suppressed) name, with its effect
    summed, best first."""
    found: dict[tuple[str, int, str], FixTarget] = {}
    for exposure in exposures:
        weight = len(exposure.instances) or 1
        for fix in exposure.fixes:
            target = _target(found, fix)
            if fix.outcome == "resolves":
                target.resolves += weight
                if exposure.severity is None:
                    target.resolves_possible += weight
            elif fix.outcome == "reduces":
                target.reduces += weight
            else:
                target.clears += weight
            if exposure.configuration not in target.configurations:
                target.configurations.append(exposure.configuration)
            target.workloads.append(f"{exposure.configuration}: {exposure.workload}")
    return sorted(found.values(), key=_rank)


def _target(found: dict[tuple[str, int, str], FixTarget], fix: Fix) -> FixTarget:
    key = (fix.location.span.file, fix.location.span.line, fix.remediation)
    target = found.get(key)
    if target is None:
        target = found[key] = FixTarget(fix.location, fix.remediation, fix.kind, fix.stops_service)
    elif fix.stops_service and not target.stops_service:
        target.stops_service = fix.stops_service
    return target


def _rank(target: FixTarget) -> tuple[int, int, int, int, bool, str, int, str]:
    return (
        -(target.resolves - target.resolves_possible),
        -target.reduces,
        -target.resolves_possible,
        -target.clears,
        bool(target.stops_service),
        target.span.file,
        target.span.line,
        target.remediation,
    )
