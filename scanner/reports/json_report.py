"""The JSON report: every exposure with its traits, path and fixes, plus what could not be
read (``errors``) and what was read despite a problem (``warnings``). The shape is versioned
(``schema_version``) and described by ``scanner/schemas/report.schema.json``; a field is
only ever added in a minor version.
Output is deterministic: exposures sorted by severity, then configuration and workload."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from scanner import __version__
from scanner.coverage import why_not_analysed
from scanner.findings import (
    SHOWN_FIXES,
    Evidence,
    Exposure,
    Fix,
    PathStep,
    ScanResult,
    Severity,
    Suppression,
    Trait,
    WorkloadPaths,
    origin_text,
)
from scanner.fingerprints import fingerprint, possible_fingerprint
from scanner.fixes.targets import FixTarget, remediation_targets
from scanner.suppressions import SuppressionIndex, justification
from scanner.unknowns import OpenInput, open_inputs
from scanner.values import Origin, Span

if TYPE_CHECKING:
    from scanner.baseline import Hidden
    from scanner.reports.json_text import Rendered

SCHEMA_VERSION = "2.3"  # see docs/json-report.md for what each version added


TARGET_WORKLOADS_SHOWN = 10  # per remediation target: the first workloads it changes


def render_json(result: ScanResult, *, in_baseline: Hidden | None = None) -> str:
    """``in_baseline``: the scan ran with a baseline (``result`` holds only what is new) and
    this is what it hid; ``summary.in_baseline`` says so."""
    from scanner.reports.json_text import dumps_indented  # json.dumps(indent=2, sort_keys=True, ...), faster

    return dumps_indented(report_data(result, in_baseline=in_baseline)) + "\n"


def write_json(
    result: ScanResult, write: Callable[[str], object], *, in_baseline: Hidden | None = None, workers: int = 1
) -> None:
    """``render_json``'s text handed to ``write`` in pieces, each exposure rendered as it is
    written: a 10,000-workload report is never held whole as objects. With ``workers``
    above 1, a report of many exposures has them rendered as text by that many processes
    (``forked_parts``), the text held until written: the same bytes, in less time."""
    from scanner.reports.json_text import write_indented

    write_indented(report_data(result, in_baseline=in_baseline, lazy=True, workers=workers), write)
    write("\n")


# Below this many exposures, rendering them in forked workers saves little time, and the
# text they send back is held until written (at 1,000 instances it raised peak memory 9 %).
PARALLEL_EXPOSURES = 5000
_EXPOSURES_PER_PART = 250
_ITEM_INDENT = "    "  # an item of a list that is a value of the report's top level


def report_data(
    result: ScanResult, *, in_baseline: Hidden | None = None, lazy: bool = False, workers: int = 1
) -> dict[str, Any]:
    """The report as data; ``lazy``: its exposures are rendered only as they are written
    (``json_text.LazyItems``), or rendered as text by ``workers`` processes first."""
    from scanner.reports.json_text import LazyItems

    index = SuppressionIndex.of(result)
    exposures = sorted(result.exposures, key=lambda e: (-e.rank, e.configuration, e.workload))
    suppressions = [index.for_exposure(e) for e in exposures]
    active = [e for e, found in zip(exposures, suppressions, strict=True) if not found]
    rendered: list[dict[str, Any]] | LazyItems
    if lazy and workers > 1 and len(exposures) >= PARALLEL_EXPOSURES:
        rendered = LazyItems(_rendered_in_parts(exposures, suppressions, index, workers))
    elif lazy:
        rendered = LazyItems(_exposure(e, index, found) for e, found in zip(exposures, suppressions, strict=True))
    else:
        rendered = [_exposure(e, index, found) for e, found in zip(exposures, suppressions, strict=True)]
    errors = sorted(set(result.all_errors), key=lambda e: (e.file, e.line, e.message))
    workloads = sorted(result.workload_paths, key=lambda w: (w.configuration, w.workload))
    open_by_configuration: dict[str, list[OpenInput]] = {}
    for item in open_inputs(active):
        open_by_configuration.setdefault(item.configuration, []).append(item)
    warnings = sorted(set(result.all_warnings), key=lambda w: (w.file, w.line, w.message))
    summary: dict[str, Any] = {
        "exposures": sum(1 for e in active if e.severity is not None),
        "possible_exposures": sum(1 for e in active if e.severity is None),
        "possibly_more_severe": sum(1 for e in active if e.severity is not None and e.possible_severity is not None),
        "suppressed_exposures": len(exposures) - len(active),
        "by_severity": {s.label: sum(1 for e in active if e.severity == s) for s in sorted(Severity, reverse=True)},
        "configurations": len(result.configurations),
        "unreadable_files": len({e.file for e in errors}),
    }
    if in_baseline is not None:  # written only with --baseline
        summary["in_baseline"] = {"exposures": in_baseline.exposures, "traits": in_baseline.traits}
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "iacscan", "version": __version__},
        "root": str(result.root),
        "summary": summary,
        "configurations": [
            {
                "name": c.name,
                "kind": c.kind,
                "files": sorted(c.files),
                "resources": c.resource_total,
                "unknown_values": c.unknown_values,
                "suppressions": [_suppression(s) for s in sorted(c.suppressions, key=lambda s: (s.span, s.address))],
                "unknowns": [
                    {**_unknown(item.origin), "decides": item.decides} for item in open_by_configuration.get(c.name, ())
                ],
            }
            for c in sorted(result.configurations, key=lambda c: c.name)
        ],
        "exposures": rendered,
        "fix_targets": [target_data(t) for t in remediation_targets(active)],
        "workloads": LazyItems(_workload_paths(w) for w in workloads)
        if lazy
        else [_workload_paths(w) for w in workloads],
        "not_analysed": [
            {"configuration": c.name, "type": kind, "count": count, "why": why_not_analysed(kind)}
            for c in sorted(result.configurations, key=lambda c: c.name)
            for kind, count in c.not_analysed().items()
        ],
        "errors": [{"file": e.file, "line": e.line, "message": e.message} for e in errors],
        "warnings": [{"file": w.file, "line": w.line, "message": w.message} for w in warnings],
        "notices": sorted(set(result.notices).union(*(c.notices for c in result.configurations))),
    }


def _rendered_in_parts(
    exposures: Sequence[Exposure],
    suppressions: Sequence[Sequence[Suppression]],
    index: SuppressionIndex,
    workers: int,
) -> list[Rendered]:
    """Each exposure as the report's text, rendered in parts shared out among ``workers``
    processes, in order."""
    from scanner.forked_parts import chunks, map_shared
    from scanner.reports.json_text import items_text

    def part(positions: range) -> list[Rendered]:
        return items_text((_exposure(exposures[n], index, suppressions[n]) for n in positions), _ITEM_INDENT)

    return [text for done in map_shared(chunks(len(exposures), _EXPOSURES_PER_PART), part, workers) for text in done]


def _workload_paths(found: WorkloadPaths) -> dict[str, Any]:
    return {
        "configuration": found.configuration,
        "workload": found.workload,
        "exposed": found.exposed,
        "paths": [
            {"via": p.via, "family": p.family, "verdict": p.verdict, "ports": p.ports, "hop": p.hop, "why": p.why}
            for p in found.paths
        ],
    }


def _span(span: Span) -> dict[str, Any]:
    return {"file": span.file, "line": span.line, "end_line": span.end_line}


def _evidence(evidence: Evidence) -> dict[str, Any]:
    return {**_span(evidence.span), "address": evidence.address, "message": evidence.message}


def _step(step: PathStep) -> dict[str, Any]:
    return {
        "kind": step.kind,
        "address": step.address,
        "description": step.description,
        "ports": step.ports,
        "location": _span(step.span) if step.span is not None else None,
    }


def target_data(target: FixTarget) -> dict[str, Any]:
    out: dict[str, Any] = {
        "location": _evidence(target.location),
        "remediation": target.remediation,
        "edit": target.kind,
        "resolves": target.resolves,
        "resolves_possible": target.resolves_possible,
        "reduces": target.reduces,
        "clears": target.clears,
        "configurations": target.configurations,
        "workloads": target.workloads[:TARGET_WORKLOADS_SHOWN],
    }
    if target.stops_service:
        out["stops_service"] = target.stops_service
    return out


def _fix(fix: Fix) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule_id": fix.rule_id,
        "location": _evidence(fix.location),
        "severity_after": fix.severity.label if fix.severity is not None else None,
        "remediation": fix.remediation,
        "outcome": fix.outcome,
        "edit": fix.kind,
    }
    if fix.cleared:
        out["clears"] = list(fix.cleared)
    if fix.stops_service:
        out["stops_service"] = fix.stops_service
    if fix.patch:
        out["patch"] = [
            {
                "file": c.file,
                "line": c.line,
                "column": c.column,
                "end_line": c.end_line,
                "end_column": c.end_column,
                "text": c.text,
            }
            for c in fix.patch
        ]
    return out


def _unknown(origin: Origin) -> dict[str, Any]:
    return {
        "kind": origin.kind,
        "name": origin.name,
        "location": _span(origin.span) if origin.span is not None else None,
        "fill_in": origin.fill_in or None,
        "text": origin_text(origin),
    }


def _suppression(suppression: Suppression) -> dict[str, Any]:
    return {
        "rule_ids": list(suppression.rule_ids),
        "address": suppression.address,
        "reason": suppression.reason,
        "location": _span(suppression.span),
    }


def _trait(exposure: Exposure, trait: Trait, suppression: Suppression | None) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "rule_id": trait.rule_id,
        "message": trait.message,
        "location": _evidence(trait.location),
        "related": [_evidence(e) for e in trait.related],
        "path": [_step(s) for s in trait.path],
        "assumptions": list(trait.assumptions),
        "verdict": "possible" if trait.possible else "holds",
        "properties": dict(trait.properties),
        "fingerprint": fingerprint(trait, exposure.configuration),
        "suppressed": suppression is not None,
        "suppression_reason": suppression.reason if suppression is not None else None,
    }
    # Written only when they say something: most traits of a large estate hold, with nothing
    # unknown and nothing unread, and the report's size is most of a warm scan's time.
    if trait.other_paths:
        rendered["other_paths"] = [[_step(s) for s in path] for path in trait.other_paths]
    if trait.possible:
        rendered["counted"] = exposure.counted(trait)
    if trait.unknowns:
        rendered["unknowns"] = [_unknown(o) for o in trait.unknowns]
    if trait.caveats:
        rendered["caveats"] = list(trait.caveats)
    return rendered


def _exposure(exposure: Exposure, index: SuppressionIndex, suppressions: Sequence[Suppression]) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "configuration": exposure.configuration,
        "workload": exposure.workload,
        "workload_kind": exposure.workload_kind,
        "location": _span(exposure.workload_span),
        "severity": exposure.severity.label if exposure.severity is not None else None,
        "possible_severity": exposure.possible_severity.label if exposure.possible_severity is not None else None,
        "fingerprint": fingerprint(exposure),
        "suppressed": bool(suppressions),
        "suppression_reason": justification(suppressions) if suppressions else None,
        "traits": [_trait(exposure, t, index.for_trait(exposure.configuration, t)) for t in exposure.traits],
        "path": [_step(s) for s in exposure.path],
        "fixes": [_fix(f) for f in exposure.fixes[:SHOWN_FIXES]],
        "best_fix": _fix(exposure.best_fix) if exposure.best_fix is not None else None,
    }
    if exposure.restricted_paths:
        rendered["restricted_paths"] = [
            {"via": r.via, "family": r.family, "ports": r.ports, "reason": r.reason} for r in exposure.restricted_paths
        ]
    if exposure.instances:
        rendered["instances"] = list(exposure.instances)
    if exposure.criticality is not None:  # 2.3: written for a high or low criticality workload only
        note = exposure.criticality
        rendered["criticality"] = {
            "level": note.level,
            "reason": note.reason,
            "location": _span(note.span) if note.span is not None else None,
            "table_severity": note.table_severity.label if note.table_severity is not None else None,
            "table_possible_severity": (
                note.table_possible_severity.label if note.table_possible_severity is not None else None
            ),
            "text": note.moved(exposure.severity) or None,
        }
    if exposure.possible_severity is not None:
        rendered["possibly"] = exposure.possibly()
        rendered["unknowns"] = [_unknown(o) for o in exposure.unknowns]
        rendered["possible_fingerprint"] = possible_fingerprint(exposure)
    return rendered
