"""OCSF 1.6.0 Detection Findings (class 2004), one per exposure, shaped like the exposure
findings AWS Security Hub exports in OCSF.

* ``finding_info``: ``uid`` the ASFF ``Id`` (stable across scans and severities,
  ``security_hub_common``), ``title``, ``desc``, ``types`` ``Exposure/<trait type>`` for each
  trait type present (Reachability, Misconfiguration, Assumability, Vulnerability, as
  Security Hub names them), ``analytic`` the exposure rule, and one ``related_events[]``
  entry per trait: ``uid`` the trait's id, ``type`` "Finding", ``type_uid`` none, ``title``
  its message, ``tags`` one key/value object named after the trait type whose ``values``
  hold the rule id (as Security Hub lists a trait's titles), ``severity_id``, and
  ``observables`` the trait's attack path (type Other, one per hop, ``name`` the hop's kind,
  ``value`` "ADDRESS (FILE:LINE)") and its unknowns.
* ``resources[]``: the workload first (``type`` AWS's resource type name, ``uid`` the IaC
  address qualified by the configuration, ``criticality`` high / normal / low, ``data`` the
  file and line), then the resources on the attack path.
* ``severity_id``: 2 low, 3 medium, 4 high, 5 critical, 1 informational for a possible
  exposure; ``remediation.desc`` the fixes; ``unmapped`` the rest (table severity,
  criticality reason, unknowns, every fix).
* ``time`` and ``finding_info.created_time`` the run's time in milliseconds; ``cloud`` the
  account and region when given (provider AWS).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner import __version__
from scanner.findings import Exposure, Severity, Trait, fix_effect, origin_text
from scanner.frozen import frozen
from scanner.reports.security_hub_common import (
    TRAIT_TYPES,
    exposure_id,
    path_resources,
    resource_type,
    step_text,
    trait_id,
)
from scanner.rules.exposure_levels import POSSIBLE_EXPOSURE, exposure_rule_id
from scanner.values import Span

OCSF_VERSION = "1.6.0"
CLASS_UID, CATEGORY_UID = 2004, 2
ACTIVITY_CREATE = 1
SEVERITY_IDS: Mapping[Severity | None, int] = {
    None: 1,
    Severity.LOW: 2,
    Severity.MEDIUM: 3,
    Severity.HIGH: 4,
    Severity.CRITICAL: 5,
}
SEVERITY_NAMES = {1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical"}
OBSERVABLE_OTHER = 99


@frozen
class OcsfTarget:
    """``time_ms`` the run's time (milliseconds since the epoch, taken once); ``account`` and
    ``region`` (None: not given)."""

    time_ms: int
    account: str | None = None
    region: str | None = None
    source_url_base: str | None = None


def ocsf_findings(exposures: Iterable[Exposure], target: OcsfTarget) -> list[dict[str, Any]]:
    return [detection_finding(e, target) for e in exposures]


def detection_finding(exposure: Exposure, target: OcsfTarget) -> dict[str, Any]:
    severity_id = SEVERITY_IDS[exposure.severity]
    span = exposure.workload_span
    rule = exposure_rule_id(exposure.severity) if exposure.severity is not None else POSSIBLE_EXPOSURE
    types = dict.fromkeys(f"Exposure/{TRAIT_TYPES.get(t.rule_id, 'Misconfiguration')}" for t in exposure.traits)
    cloud: dict[str, Any] = {"provider": "AWS", "cloud_partition": "aws"}
    if target.account:
        cloud["account"] = {"uid": target.account}
    if target.region:
        cloud["region"] = target.region
    finding_info: dict[str, Any] = {
        "uid": exposure_id(exposure),
        "title": f"EC2 workload {exposure.workload} has a {_words(exposure)} exposure",
        "desc": _description(exposure),
        "types": list(types),
        "analytic": {"name": "Exposure", "type": "Rule", "type_id": 1, "uid": rule},
        "created_time": target.time_ms,
        "product": {"name": "iacscan", "vendor_name": "iacscan", "version": __version__},
        "related_events": [_related(exposure, t, severity_id) for t in exposure.traits],
        "related_events_count": len(exposure.traits),
    }
    if target.source_url_base:
        finding_info["src_url"] = f"{target.source_url_base.rstrip('/')}/{span.file}#L{span.line}"
    finding: dict[str, Any] = {
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Detection Finding: Create",
        "severity_id": severity_id,
        "severity": SEVERITY_NAMES[severity_id],
        "status_id": 1,
        "status": "New",
        "time": target.time_ms,
        "message": finding_info["title"],
        "metadata": {
            "version": OCSF_VERSION,
            "profiles": ["cloud"],
            "product": {"name": "iacscan", "vendor_name": "iacscan", "version": __version__},
        },
        "cloud": cloud,
        "finding_info": finding_info,
        "resources": _resources(exposure, target),
        "unmapped": _unmapped(exposure),
    }
    if exposure.fixes:
        finding["remediation"] = {"desc": "; ".join(_fix_lines(exposure)[:3])}
    return finding


def _words(exposure: Exposure) -> str:
    return exposure.severity.label if exposure.severity is not None else "possible"


def _description(exposure: Exposure) -> str:
    span = exposure.workload_span
    said = f"{exposure.workload} ({exposure.workload_kind}) at {span.file}:{span.line}: {_words(exposure)}"
    if exposure.criticality is not None and exposure.criticality.moved(exposure.severity):
        said += f", {exposure.criticality.moved(exposure.severity)}"
    return "; ".join([said, *(t.message for t in exposure.traits)])


def _location(span: Span | None) -> str:
    return f" ({span.file}:{span.line})" if span is not None else ""


def _related(exposure: Exposure, trait: Trait, severity_id: int) -> dict[str, Any]:
    observables = [
        {"name": f"path.{step.kind}", "type_id": OBSERVABLE_OTHER, "type": "Other", "value": step_text(step)}
        for step in trait.path
    ]
    observables += [
        {"name": f"unknown.{o.kind}", "type_id": OBSERVABLE_OTHER, "type": "Other", "value": origin_text(o)}
        for o in trait.unknowns
    ]
    observables.append(
        {
            "name": "location",
            "type_id": OBSERVABLE_OTHER,
            "type": "Other",
            "value": f"{trait.location.address}{_location(trait.location.span)}",
        }
    )
    return {
        "uid": trait_id(exposure, trait),
        "type": "Finding",
        "title": trait.message,
        "tags": [{"name": TRAIT_TYPES.get(trait.rule_id, "Misconfiguration"), "values": [trait.rule_id]}],
        "severity_id": severity_id,
        "observables": observables,
    }


def _resource(configuration: str, address: str, kind: str, span: Span | None, region: str | None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "uid": f"{configuration}:{address}",
        "name": address,
        "type": resource_type(kind),
        "data": {
            "configuration": configuration,
            "file": span.file if span else None,
            "line": span.line if span else None,
        },
    }
    if region:
        found["region"] = region
    return found


def _resources(exposure: Exposure, target: OcsfTarget) -> list[dict[str, Any]]:
    workload = _resource(
        exposure.configuration, exposure.workload, exposure.workload_kind, exposure.workload_span, target.region
    )
    workload["criticality"] = exposure.criticality.level if exposure.criticality is not None else "normal"
    rest = [
        _resource(exposure.configuration, s.address, s.kind, s.span, target.region) for s in path_resources(exposure)
    ]
    return [workload, *rest]


def _fix_lines(exposure: Exposure) -> list[str]:
    return [
        f"{f.location.span.file}:{f.location.span.line}: {f.remediation} ({fix_effect(exposure, f)})"
        for f in exposure.fixes
    ]


def _unmapped(exposure: Exposure) -> dict[str, Any]:
    out: dict[str, Any] = {
        "configuration": exposure.configuration,
        "attack_path": [step_text(s) for s in exposure.path],
        "fixes": _fix_lines(exposure),
        "unknowns": [origin_text(o) for o in exposure.unknowns],
    }
    if exposure.criticality is not None:
        table = exposure.criticality.table_severity
        out["criticality"] = exposure.criticality.level
        out["criticality_reason"] = exposure.criticality.because()
        out["table_severity"] = table.label if table is not None else "possible"
    if exposure.possible_severity is not None:
        out["possibly"] = exposure.possibly()
    return out
