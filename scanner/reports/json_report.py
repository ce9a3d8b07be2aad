"""The JSON report: every exposure with its traits, path and fixes, plus what could not be
read (``errors``) and what was read despite a problem (``warnings``). The shape is versioned
(``schema_version``) and described by ``scanner/schemas/report.schema.json``; a field is
only ever added in a minor version.
Output is deterministic: exposures sorted by severity, then configuration and workload."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scanner import __version__
from scanner.findings import Evidence, Exposure, Fix, PathStep, ScanResult, Severity, Suppression, Trait
from scanner.fingerprints import fingerprint
from scanner.suppressions import SuppressionIndex, justification
from scanner.values import Span

SCHEMA_VERSION = "1.1"  # see docs/json-report.md for what each version added


def render_json(result: ScanResult) -> str:
    from scanner.reports.json_text import dumps_indented  # json.dumps(indent=2, sort_keys=True, ...), faster

    return dumps_indented(report_data(result)) + "\n"


def report_data(result: ScanResult) -> dict[str, Any]:
    index = SuppressionIndex.of(result)
    exposures = sorted(result.exposures, key=lambda e: (-int(e.severity), e.configuration, e.workload))
    rendered = [_exposure(e, index) for e in exposures]
    active = [e for e in rendered if not e["suppressed"]]
    errors = sorted(set(result.all_errors), key=lambda e: (e.file, e.line, e.message))
    warnings = sorted(set(result.all_warnings), key=lambda w: (w.file, w.line, w.message))
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "iacscan", "version": __version__},
        "root": str(result.root),
        "summary": {
            "exposures": len(active),
            "suppressed_exposures": len(rendered) - len(active),
            "by_severity": {
                s.label: sum(1 for e in active if e["severity"] == s.label) for s in sorted(Severity, reverse=True)
            },
            "configurations": len(result.configurations),
            "unreadable_files": len({e.file for e in errors}),
        },
        "configurations": [
            {
                "name": c.name,
                "kind": c.kind,
                "files": sorted(c.files),
                "resources": c.resource_total,
                "unknown_values": c.unknown_values,
                "suppressions": [_suppression(s) for s in sorted(c.suppressions, key=lambda s: (s.span, s.address))],
            }
            for c in sorted(result.configurations, key=lambda c: c.name)
        ],
        "exposures": rendered,
        "errors": [{"file": e.file, "line": e.line, "message": e.message} for e in errors],
        "warnings": [{"file": w.file, "line": w.line, "message": w.message} for w in warnings],
        "notices": sorted(set(result.notices).union(*(c.notices for c in result.configurations))),
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


def _fix(fix: Fix) -> dict[str, Any]:
    return {
        "rule_id": fix.rule_id,
        "location": _evidence(fix.location),
        "severity_after": fix.severity.label if fix.severity is not None else None,
        "remediation": fix.remediation,
    }


def _suppression(suppression: Suppression) -> dict[str, Any]:
    return {
        "rule_ids": list(suppression.rule_ids),
        "address": suppression.address,
        "reason": suppression.reason,
        "location": _span(suppression.span),
    }


def _trait(exposure: Exposure, trait: Trait, suppression: Suppression | None) -> dict[str, Any]:
    return {
        "rule_id": trait.rule_id,
        "message": trait.message,
        "location": _evidence(trait.location),
        "related": [_evidence(e) for e in trait.related],
        "path": [_step(s) for s in trait.path],
        "other_paths": [[_step(s) for s in path] for path in trait.other_paths],
        "assumptions": list(trait.assumptions),
        "properties": dict(trait.properties),
        "fingerprint": fingerprint(trait, exposure.configuration),
        "suppressed": suppression is not None,
        "suppression_reason": suppression.reason if suppression is not None else None,
    }


def _exposure(exposure: Exposure, index: SuppressionIndex) -> dict[str, Any]:
    suppressions: Sequence[Suppression] = index.for_exposure(exposure)
    return {
        "configuration": exposure.configuration,
        "workload": exposure.workload,
        "workload_kind": exposure.workload_kind,
        "location": _span(exposure.workload_span),
        "severity": exposure.severity.label,
        "fingerprint": fingerprint(exposure),
        "suppressed": bool(suppressions),
        "suppression_reason": justification(suppressions) if suppressions else None,
        "traits": [_trait(exposure, t, index.for_trait(exposure.configuration, t)) for t in exposure.traits],
        "path": [_step(s) for s in exposure.path],
        "fixes": [_fix(f) for f in exposure.fixes],
        "restricted_paths": [
            {"via": r.via, "family": r.family, "ports": r.ports, "reason": r.reason} for r in exposure.restricted_paths
        ],
        "best_fix": _fix(exposure.best_fix) if exposure.best_fix is not None else None,
    }
