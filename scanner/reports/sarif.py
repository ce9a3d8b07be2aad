"""SARIF 2.1.0 for GitHub code scanning, built from sarif-om objects.

One run. Each trait that holds is a result at the line to change (its rule's own id); each
exposure with a trait that holds is one more result, ``ec2-exposure-<severity>``, at the
workload's definition, with every trait as a related location and the attack path as a code
flow. Only those four exposure rules carry a ``security-severity`` (GitHub's critical, high,
medium, low). A trait result has none: its ``level`` is its workload's severity (critical
and high: error, medium: warning, low: note), so IMDSv1 on a low workload is a note, not
a high alert, and the alert list reads like the exposure list.
Possible traits (they hold only for some values of named unknowns) are not results of their
own rules, which would rank them like traits that hold: when they would raise the severity,
the workload gets one ``ec2-possible-exposure`` result (no security severity, level note)
with them as related locations and the unknowns in its properties (``--assume-worst``
reports them as holding).
The fixes a report shows that have a source patch (``scanner.fixes.patches``) are SARIF
``fixes`` of the exposure result: the remediation with its measured effect as the
description, the replacements per file (1-based regions, end exclusive; an empty region
inserts); a trait result carries those of them made at its own line that clear it.
Files that could not be read (level ``error``), what was read despite a problem (level
``warning``: a repeated template key) and scan notices are ``toolExecutionNotifications``.
Output is deterministic: results sorted, keys sorted, no timestamps.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import attr
import sarif_om as om

from scanner import __version__
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
    fix_effect,
    origin_text,
)
from scanner.fingerprints import fingerprint, possible_fingerprint
from scanner.rules.catalog import Rule
from scanner.rules.exposure_levels import POSSIBLE_EXPOSURE, exposure_rule_id
from scanner.rules.notices import LOAD_ERROR, RESULTS_TRUNCATED, SUPPRESSION_WITHOUT_REASON
from scanner.rules.registry import all_rules, rule_order
from scanner.rules.registry import rule as catalog_rule
from scanner.suppressions import SuppressionIndex, justification
from scanner.values import Origin, Span

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/iacscan/iacscan"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "iacscanFingerprint/v1"
MAX_RESULTS = 25_000  # GitHub code scanning keeps at most this many results per run
MAX_GZIPPED_BYTES = 10 * 1024 * 1024  # GitHub's limit on an uploaded SARIF file, gzipped
MAX_LOCATIONS = 1_000  # GitHub's limit on related locations per result

LEVELS: Mapping[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}


def render_sarif(result: ScanResult, *, baseline: set[str] | None = None, category: str | None = None) -> str:
    """The SARIF log as JSON text. ``baseline``: fingerprints of a previous run; results
    then carry baselineState "new" or "unchanged". ``category``: the automation id
    (default ``iacscan/<root folder name>/``).

    GitHub code scanning refuses a run with more than ``MAX_RESULTS`` results or a file
    over ``MAX_GZIPPED_BYTES`` gzipped: beyond either, the least severe results are left out
    (a warning notification says how many) until the log fits."""
    drafts = _result_drafts(result, SuppressionIndex.of(result))
    limit = MAX_RESULTS
    while True:
        text, kept = _render_log(result, drafts, limit, baseline, category)
        size = len(gzip.compress(text.encode("utf-8")))
        if size <= MAX_GZIPPED_BYTES or kept == 0:
            return text
        # Shrink in proportion to the overshoot, with a margin for what does not shrink
        # (rules, notifications), and always by at least one result.
        limit = min(kept - 1, int(kept * MAX_GZIPPED_BYTES / size * 0.9))


def _render_log(
    result: ScanResult, drafts: list[_Draft], limit: int, baseline: set[str] | None, category: str | None
) -> tuple[str, int]:
    """The log text with at most ``limit`` results, and how many it holds."""
    rules = [r for r in all_rules() if r.kind != "notice" or r.id == SUPPRESSION_WITHOUT_REASON]
    notification_rules = [r for r in all_rules() if r.kind == "notice" and r.id != SUPPRESSION_WITHOUT_REASON]
    rule_index = {r.id: i for i, r in enumerate(rules)}
    notification_index = {r.id: i for i, r in enumerate(notification_rules)}

    kept, dropped = _keep_most_severe([replace(d) for d in drafts], max(limit, 0))
    _disambiguate(kept)
    results = [draft.build(rule_index, baseline) for draft in kept]

    notifications = _notifications(result, notification_index)
    if dropped:
        why = (
            f"GitHub's limit of {MAX_RESULTS} results per run"
            if limit >= MAX_RESULTS
            else f"GitHub's limits ({MAX_RESULTS} results per run, {MAX_GZIPPED_BYTES // (1024 * 1024)} MB gzipped)"
        )
        notifications.append(
            om.Notification(
                message=om.Message(text=f"{dropped} results beyond {why} were left out; the most severe were kept."),
                level="warning",
                descriptor=om.ReportingDescriptorReference(
                    id=RESULTS_TRUNCATED, index=notification_index[RESULTS_TRUNCATED]
                ),
            )
        )

    root = Path(result.root).resolve()
    run = om.Run(
        tool=om.Tool(
            driver=om.ToolComponent(
                name="iacscan",
                full_name=f"iacscan {__version__}",
                version=__version__,
                semantic_version=__version__,
                information_uri=INFORMATION_URI,
                rules=[_descriptor(r) for r in rules],
                notifications=[_descriptor(r) for r in notification_rules],
            )
        ),
        invocations=[
            om.Invocation(
                execution_successful=True,
                tool_execution_notifications=notifications or None,
            )
        ],
        automation_details=om.RunAutomationDetails(id=category or f"iacscan/{root.name or 'root'}/"),
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(uri=root.as_uri().rstrip("/") + "/")},
        column_kind="utf16CodeUnits",
        results=results,
    )
    log = om.SarifLog(version="2.1.0", schema_uri=SCHEMA_URI, runs=[run])
    return json.dumps(to_sarif_dict(log), indent=2, sort_keys=True, ensure_ascii=False) + "\n", len(results)


# --- serialisation ---------------------------------------------------------------------------

_ALWAYS_WRITTEN = frozenset({"level", "executionSuccessful"})  # a default here would defer to the rule
_KEEP_EMPTY = frozenset({"results"})  # an empty array says "nothing found"; GitHub requires it


def to_sarif_dict(value: Any) -> Any:
    """sarif-om objects to plain JSON data: SARIF property names, without None, empty
    collections or values equal to the schema default."""
    if attr.has(type(value)):
        out: dict[str, Any] = {}
        for field in attr.fields(type(value)):
            name = field.metadata.get("schema_property_name", field.name)
            item = getattr(value, field.name)
            if item is None or (isinstance(item, (list, dict)) and not item and name not in _KEEP_EMPTY):
                continue
            default = field.default
            factory = getattr(default, "factory", None)  # attr.Factory(list) and the like
            if callable(factory):
                default = factory()
            if name not in _ALWAYS_WRITTEN and default is not attr.NOTHING and item == default:
                continue
            out[name] = to_sarif_dict(item)
        return out
    if isinstance(value, Mapping):
        return {str(k): to_sarif_dict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_sarif_dict(v) for v in value]
    return value


# --- rules -----------------------------------------------------------------------------------


def _descriptor(rule: Rule) -> om.ReportingDescriptor:
    properties: dict[str, Any] = {"tags": list(rule.tags)}
    if rule.kind == "trait" or rule.security_severity is not None:
        properties["precision"] = "high"  # GitHub shows high-precision alerts first; a trait that holds is certain
    if rule.security_severity is not None:  # the four exposure rules only; a trait result's level is its workload's
        properties["security-severity"] = f"{rule.security_severity:.1f}"
        properties["problem.severity"] = {"error": "error", "warning": "warning"}.get(rule.level, "recommendation")
    return om.ReportingDescriptor(
        id=rule.id,
        name=rule.name,
        help_uri=rule.help_uri,
        short_description=om.MultiformatMessageString(text=rule.short_description),
        full_description=om.MultiformatMessageString(text=rule.full_description),
        help=om.MultiformatMessageString(text=rule.help_text, markdown=rule.help_markdown),
        default_configuration=om.ReportingConfiguration(level=rule.level),
        properties=properties,
    )


# --- results ---------------------------------------------------------------------------------


@dataclass
class _Draft:
    """A result before its final fingerprint is known (collisions get a suffix)."""

    rule_id: str
    level: str
    severity: int  # for keeping the most severe when truncating
    message: str
    location: om.Location
    sort_key: tuple[Any, ...]
    fingerprint: str
    related: list[om.Location]
    code_flows: list[om.CodeFlow]
    properties: dict[str, Any]
    suppressions: list[om.Suppression]
    fixes: list[om.Fix] = field(default_factory=list)

    def build(self, rule_index: Mapping[str, int], baseline: set[str] | None) -> om.Result:
        baseline_state = None
        if baseline is not None:
            baseline_state = "unchanged" if self.fingerprint in baseline else "new"
        return om.Result(
            rule_id=self.rule_id,
            rule_index=rule_index[self.rule_id],
            level=self.level,
            message=om.Message(text=self.message),
            locations=[self.location],
            related_locations=self.related[:MAX_LOCATIONS] or None,
            code_flows=self.code_flows or None,
            partial_fingerprints={FINGERPRINT_KEY: self.fingerprint},
            properties=self.properties,
            suppressions=self.suppressions or None,
            baseline_state=baseline_state,
            fixes=self.fixes or None,
        )


def _result_drafts(result: ScanResult, index: SuppressionIndex) -> list[_Draft]:
    drafts: list[_Draft] = []
    counted = [
        (exposure, trait, fingerprint(trait, exposure.configuration))
        for exposure in result.exposures
        for trait in exposure.traits
        if exposure.counted(trait)
    ]
    # A trait is in one workload's exposure; should one ever be in several, its results all
    # take the most severe, so one finding never shows two levels.
    rank: dict[str, int] = {}
    for exposure, _trait, key in counted:
        rank[key] = max(rank.get(key, 0), exposure.rank)
    for exposure, trait, key in counted:
        suppression = index.for_trait(exposure.configuration, trait)
        drafts.append(_trait_draft(exposure, trait, suppression, key, rank[key]))
    for exposure in result.exposures:
        suppressions = index.for_exposure(exposure)
        if exposure.severity is not None:
            drafts.append(_exposure_draft(exposure, suppressions))
        if exposure.possible_severity is not None:
            drafts.append(_possible_draft(exposure, suppressions))
    for configuration, suppression in index.without_reason():
        drafts.append(_missing_reason_draft(configuration, suppression))
    return drafts


def _trait_draft(
    exposure: Exposure, trait: Trait, suppression: Suppression | None, key: str, workload_rank: int
) -> _Draft:
    """``key``: the trait's fingerprint; ``workload_rank``: the severity of the most severe
    exposure it is in (0: a possible exposure), which sets the result's level."""
    message = trait.message
    if trait.assumptions:
        message += " (assuming " + "; ".join(trait.assumptions) + ")"
    if trait.caveats:
        message += " (" + "; ".join(trait.caveats) + ")"
    properties: dict[str, Any] = {
        "resource": trait.workload,
        "configuration": exposure.configuration,
        "exposureSeverity": exposure.severity_label,
    }
    if trait.assumptions:
        properties["assumptions"] = list(trait.assumptions)
    if trait.caveats:
        properties["caveats"] = list(trait.caveats)
    if trait.possible:
        properties["verdict"] = "possible"
    if trait.unknowns:
        properties["unknowns"] = [_unknown(o) for o in trait.unknowns]
    if trait.properties:
        properties["trait"] = dict(trait.properties)
    here = _evidence_location(trait.location)
    flows = [_code_flow(path, f"Path to {trait.workload}", here) for path in (trait.path, *trait.other_paths) if path]
    return _Draft(
        rule_id=trait.rule_id,
        level=LEVELS[Severity(workload_rank)] if workload_rank else "note",
        severity=workload_rank,
        message=message,
        location=_evidence_location(trait.location),
        sort_key=(
            *_span_key(trait.location.span),
            rule_order(trait.rule_id),
            trait.rule_id,
            trait.workload,
            exposure.configuration,
            trait.location.address,
            trait.message,
        ),
        fingerprint=key,
        related=_related(trait.related),
        code_flows=flows,
        properties=properties,
        suppressions=[_suppression(suppression)] if suppression is not None else [],
        fixes=[
            _fix(exposure, f)
            for f in _patched(exposure)
            if f.location.span == trait.location.span and trait.rule_id in f.cleared
        ],
    )


def _patched(exposure: Exposure) -> list[Fix]:
    """The fixes a report shows that have a source patch."""
    return [f for f in exposure.fixes[:SHOWN_FIXES] if f.patch]


def _fix(exposure: Exposure, fix: Fix) -> om.Fix:
    """A SARIF ``fix``: the remediation and its measured effect, and the replacements of
    its source patch, per file."""
    files = list(dict.fromkeys(change.file for change in fix.patch))
    return om.Fix(
        description=om.Message(text=f"{fix.remediation} ({fix_effect(exposure, fix)})"),
        artifact_changes=[
            om.ArtifactChange(
                artifact_location=_artifact(file),
                replacements=[
                    om.Replacement(
                        deleted_region=om.Region(
                            start_line=c.line, start_column=c.column, end_line=c.end_line, end_column=c.end_column
                        ),
                        inserted_content=om.ArtifactContent(text=c.text) if c.text else None,
                    )
                    for c in fix.patch
                    if c.file == file
                ],
            )
            for file in files
        ],
    )


def _exposure_draft(exposure: Exposure, suppressions: Sequence[Suppression]) -> _Draft:
    assert exposure.severity is not None  # a possible exposure alone is _possible_draft's
    names = ", ".join(dict.fromkeys(catalog_rule_name(t.rule_id) for t in exposure.traits if exposure.counted(t)))
    message = f"{exposure.workload} has a {exposure.severity.label} exposure: {names}."
    moved = exposure.criticality.moved(exposure.severity) if exposure.criticality is not None else ""
    if moved:
        message = f"{exposure.workload} has a {exposure.severity.label} exposure ({moved}): {names}."
    if exposure.possible_severity is not None:
        message += f" It is {exposure.possibly()}."
    properties: dict[str, Any] = {
        "resource": exposure.workload,
        "resourceKind": exposure.workload_kind,
        "configuration": exposure.configuration,
        "traits": sorted({t.rule_id for t in exposure.traits if exposure.counted(t)}, key=rule_order),
    }
    if exposure.criticality is not None:  # scanner.criticality: the table's severity and why it moved
        table = exposure.criticality.table_severity
        properties["criticality"] = exposure.criticality.level
        properties["criticalityReason"] = exposure.criticality.because()
        properties["tableSeverity"] = table.label if table is not None else None
    if exposure.instances:
        properties["instances"] = list(exposure.instances)
    if exposure.possible_severity is not None:
        properties["possibleSeverity"] = exposure.possible_severity.label
        properties["unknowns"] = [_unknown(o) for o in exposure.unknowns]
    best = exposure.best_fix
    if best is not None:
        after = best.severity.label if best.severity is not None else "none"
        message += f" Best fix: {best.remediation} ({best.location.span}: {fix_effect(exposure, best)})."
        properties["bestFix"] = {
            "ruleId": best.rule_id,
            "location": str(best.location.span),
            "resource": best.location.address,
            "severityAfter": after,
            "remediation": best.remediation,
            "outcome": best.outcome,
        }
    workload_location = _span_location(exposure.workload_span, f"{exposure.workload} ({exposure.workload_kind})")
    related = [
        _evidence_location(t.location, f"[{t.rule_id}]{'' if exposure.counted(t) else ' (possible)'} {t.message}", i)
        for i, t in enumerate(exposure.traits, start=1)
    ]
    # The attack path, then every other path the internet has to the workload (one code flow each).
    other = [path for t in exposure.traits for path in t.other_paths]
    flows = [
        _code_flow(path, f"Attack path to {exposure.workload}", workload_location)
        for path in (exposure.path, *other)
        if path
    ]
    rule_id = exposure_rule_id(exposure.severity)
    return _Draft(
        rule_id=rule_id,
        level=LEVELS[exposure.severity],
        severity=int(exposure.severity),
        message=message,
        location=_span_location(exposure.workload_span),
        sort_key=(
            *_span_key(exposure.workload_span),
            rule_order(rule_id),
            rule_id,
            exposure.workload,
            exposure.configuration,
            "",
            "",
        ),
        fingerprint=fingerprint(exposure),
        related=related,
        code_flows=flows,
        properties=properties,
        suppressions=[_suppression(suppressions[0], justification(suppressions))] if suppressions else [],
        fixes=[_fix(exposure, f) for f in _patched(exposure)],
    )


def _possible_draft(exposure: Exposure, suppressions: Sequence[Suppression]) -> _Draft:
    """The ``ec2-possible-exposure`` result: the severity the workload would have if its
    possible traits held, with them as related locations and the unknowns that decide."""
    assert exposure.possible_severity is not None
    possible = [t for t in exposure.traits if not exposure.counted(t)]
    names = ", ".join(dict.fromkeys(catalog_rule_name(t.rule_id) for t in possible))
    holds = f"is {exposure.severity.label}" if exposure.severity is not None else "has no exposure that holds"
    message = f"{exposure.workload} {holds}, {exposure.possibly()}: {names} hold only for some values."
    properties: dict[str, Any] = {
        "resource": exposure.workload,
        "resourceKind": exposure.workload_kind,
        "configuration": exposure.configuration,
        "severity": exposure.severity_label if exposure.severity is not None else "none",
        "possibleSeverity": exposure.possible_severity.label,
        "unknowns": [_unknown(o) for o in exposure.unknowns],
        "possibleTraits": [
            {
                "ruleId": t.rule_id,
                "message": t.message,
                "location": str(t.location.span),
                "assumptions": list(t.assumptions),
                "fingerprint": fingerprint(t, exposure.configuration),
            }
            for t in possible
        ],
    }
    related = [
        _evidence_location(t.location, f"[{t.rule_id}] (possible) {t.message}", location_id=i)
        for i, t in enumerate(possible, start=1)
    ]
    related += [
        _span_location(o.span, f"unknown: {o.name}", location_id=len(possible) + i)
        for i, o in enumerate((o for o in exposure.unknowns if o.span is not None), start=1)
        if o.span is not None
    ]
    workload_location = _span_location(exposure.workload_span, f"{exposure.workload} ({exposure.workload_kind})")
    flows = [
        _code_flow(path, f"Possible path to {exposure.workload}", workload_location)
        for t in possible
        for path in (t.path, *t.other_paths)
        if path
    ]
    return _Draft(
        rule_id=POSSIBLE_EXPOSURE,
        level="note",
        severity=0,
        message=message,
        location=_span_location(exposure.workload_span),
        sort_key=(
            *_span_key(exposure.workload_span),
            rule_order(POSSIBLE_EXPOSURE),
            POSSIBLE_EXPOSURE,
            exposure.workload,
            exposure.configuration,
            "",
            "",
        ),
        fingerprint=possible_fingerprint(exposure),
        related=related,
        code_flows=flows,
        properties=properties,
        suppressions=[_suppression(suppressions[0], justification(suppressions))] if suppressions else [],
    )


def _unknown(origin: Origin) -> dict[str, Any]:
    return {
        "kind": origin.kind,
        "name": origin.name,
        "location": str(origin.span) if origin.span is not None else None,
        "fillIn": origin.fill_in or None,
        "text": origin_text(origin),
    }


def _missing_reason_draft(configuration: str, suppression: Suppression) -> _Draft:
    ids = ", ".join(suppression.rule_ids)
    digest = hashlib.sha256(
        "\x1f".join([SUPPRESSION_WITHOUT_REASON, configuration, suppression.address, ids]).encode("utf-8")
    ).hexdigest()[:32]
    return _Draft(
        rule_id=SUPPRESSION_WITHOUT_REASON,
        level="note",
        severity=0,
        message=f"iacscan:ignore {ids} for {suppression.address} gives no reason.",
        location=_span_location(suppression.span),
        sort_key=(
            *_span_key(suppression.span),
            99,
            SUPPRESSION_WITHOUT_REASON,
            suppression.address,
            configuration,
            ids,
            "",
        ),
        fingerprint=digest,
        related=[],
        code_flows=[],
        properties={"configuration": configuration, "resource": suppression.address},
        suppressions=[],
    )


def catalog_rule_name(rule_id: str) -> str:
    try:
        return catalog_rule(rule_id).short_description.lower()
    except KeyError:
        return rule_id


def _keep_most_severe(drafts: list[_Draft], limit: int) -> tuple[list[_Draft], int]:
    ordered = sorted(drafts, key=lambda d: d.sort_key)
    if len(ordered) <= limit:
        return ordered, 0
    by_severity = sorted(ordered, key=lambda d: -d.severity)  # stable: keeps file order within a level
    kept = sorted(by_severity[:limit], key=lambda d: d.sort_key)
    return kept, len(ordered) - limit


def _disambiguate(drafts: Iterable[_Draft]) -> None:
    """Same fingerprint twice (two findings on one resource that nothing else tells apart):
    the later ones, in file order, get ":2", ":3" ..."""
    seen: dict[str, int] = {}
    for draft in drafts:
        count = seen.get(draft.fingerprint, 0) + 1
        seen[draft.fingerprint] = count
        if count > 1:
            draft.fingerprint = f"{draft.fingerprint}:{count}"


# --- locations -------------------------------------------------------------------------------


def _span_key(span: Span) -> tuple[str, int, int]:
    return (span.file, span.line, span.end_line)


def _artifact(file: str) -> om.ArtifactLocation:
    if file.startswith("/"):  # outside the scanned root: an absolute path
        return om.ArtifactLocation(uri=Path(file).as_uri())
    return om.ArtifactLocation(uri=quote(file, safe="/"), uri_base_id=SRCROOT)


def _region(span: Span) -> om.Region | None:
    if span.line < 1:
        return None
    return om.Region(start_line=span.line, end_line=span.end_line if span.end_line >= span.line else None)


def _span_location(span: Span, message: str | None = None, location_id: int | None = None) -> om.Location:
    return om.Location(
        id=location_id,
        physical_location=om.PhysicalLocation(artifact_location=_artifact(span.file), region=_region(span)),
        message=om.Message(text=message) if message else None,
    )


def _evidence_location(evidence: Evidence, message: str | None = None, location_id: int | None = None) -> om.Location:
    return _span_location(evidence.span, message, location_id)


def _related(evidence: Sequence[Evidence]) -> list[om.Location]:
    return [
        _evidence_location(e, f"{e.address}: {e.message}" if e.message else e.address, location_id=i)
        for i, e in enumerate(evidence, start=1)
    ]


def _code_flow(steps: Sequence[PathStep], message: str, fallback: om.Location) -> om.CodeFlow:
    """Steps without a place in the templates (the internet itself) carry the location of
    the finding, so every thread flow location has one."""
    locations = []
    for step in steps:
        text = step.description or f"{step.kind} {step.address}"
        if step.ports:
            text += f" [{step.ports}]"
        if step.span is not None:
            location = _span_location(step.span, text)
        else:
            location = om.Location(physical_location=fallback.physical_location, message=om.Message(text=text))
        locations.append(om.ThreadFlowLocation(location=location, kinds=[step.kind]))
    return om.CodeFlow(message=om.Message(text=message), thread_flows=[om.ThreadFlow(locations=locations)])


def _suppression(suppression: Suppression, reason: str | None = None) -> om.Suppression:
    text = (reason if reason is not None else suppression.reason).strip()
    return om.Suppression(
        kind="inSource",
        justification=text or None,
        location=_span_location(suppression.span),
    )


# --- notifications ---------------------------------------------------------------------------


def _notifications(result: ScanResult, index: Mapping[str, int]) -> list[om.Notification]:
    out: list[om.Notification] = []
    for error in sorted(set(result.all_errors), key=lambda e: (e.file, e.line, e.message)):
        locations = None
        if error.file:
            span = Span(error.file, error.line, error.line) if error.line > 0 else Span(error.file, 0, 0)
            locations = [_span_location(span)]
        out.append(
            om.Notification(
                message=om.Message(text=str(error)),
                level="error",
                locations=locations,
                descriptor=om.ReportingDescriptorReference(id=LOAD_ERROR, index=index[LOAD_ERROR]),
            )
        )
    for warning in sorted(set(result.all_warnings), key=lambda w: (w.file, w.line, w.message)):
        span = Span(warning.file, warning.line, warning.line) if warning.line > 0 else Span(warning.file, 0, 0)
        out.append(
            om.Notification(message=om.Message(text=str(warning)), level="warning", locations=[_span_location(span)])
        )
    notices = set(result.notices).union(*(c.notices for c in result.configurations))
    for notice in sorted(notices):
        out.append(om.Notification(message=om.Message(text=notice), level="note"))
    return out
