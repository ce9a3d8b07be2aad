"""AWS Security Finding Format (ASFF) findings, as ``BatchImportFindings`` takes them.

One finding per exposure (active, not suppressed) and one per trait, each trait's finding
a ``RelatedFindings`` entry of its exposure's. Every member ``AwsSecurityFinding`` requires
is set (``SchemaVersion`` 2018-10-08, ``Id``, ``ProductArn``, ``GeneratorId``,
``AwsAccountId``, ``Types``, ``CreatedAt``, ``UpdatedAt``, ``Severity``, ``Title``,
``Description``, ``Resources``).

* ``Id``: stable across scans, severities and reformatting (``security_hub_common``), so
  importing again updates a finding instead of adding one; ``GeneratorId`` the rule id
  (``ec2-exposure-<severity>`` for an exposure).
* ``ProductArn``: ``arn:aws:securityhub:REGION:ACCOUNT:product/ACCOUNT/default``, the ARN of
  an account's own findings.
* ``Severity.Label``: the exposure's severity (moved by criticality); INFORMATIONAL for a
  possible exposure; a trait's finding carries its exposure's. ``Criticality`` 90 / 20
  for a high / low criticality workload.
* ``Resources``: the workload first (``AwsEc2Instance``, ``AwsAutoScalingAutoScalingGroup``,
  or ``Other``), then the resources on the attack path (at most 32); ``Id`` is the IaC
  address qualified by the configuration (no ARN exists before deployment), and
  ``Details.Other`` holds the address, configuration, file and line.
* ``Note.Text`` the attack path, ``Remediation.Recommendation.Text`` the fixes,
  ``ProductFields`` the rest (unknowns, every fix, the whole path, the table's severity),
  each fitted to Security Hub's documented limits (Title 256, Description 1,024, Note 512,
  Recommendation text 512; ProductFields at most 50 pairs, keys 128, values 2,048;
  ``Details.Other`` values under 1,024) by whole values, with a marker when some are left out.
* ``SourceUrl`` only with a source URL base (``BASE/FILE#LLINE``).
* Findings of a previous run whose ids are gone are written again with ``RecordState``
  ARCHIVED and their ``CreatedAt``; a finding still there keeps its ``CreatedAt``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from scanner import __version__
from scanner.findings import SHOWN_FIXES, Exposure, Severity, Trait, fix_effect, origin_text
from scanner.frozen import frozen
from scanner.reports.security_hub_common import (
    TRAIT_TYPES,
    exposure_id,
    fit,
    path_resources,
    resource_type,
    step_text,
    trait_id,
)
from scanner.rules.exposure_levels import POSSIBLE_EXPOSURE, exposure_rule_id
from scanner.values import Span

SCHEMA_VERSION = "2018-10-08"
MAX_BATCH = 100  # findings per BatchImportFindings call
MAX_RESOURCES = 32
TITLE_LIMIT, DESCRIPTION_LIMIT, NOTE_LIMIT, RECOMMENDATION_LIMIT = 256, 1024, 512, 512
PRODUCT_FIELD_VALUE_LIMIT, PRODUCT_FIELDS_MAX = 2048, 50
OTHER_VALUE_LIMIT = 1023  # "fewer than 1,024 characters"
LABELS: Mapping[Severity | None, str] = {
    Severity.CRITICAL: "CRITICAL",
    Severity.HIGH: "HIGH",
    Severity.MEDIUM: "MEDIUM",
    Severity.LOW: "LOW",
    None: "INFORMATIONAL",
}
CRITICALITY = {"high": 90, "low": 20}

# ASFF finding types (namespace/category/classifier) per trait type
TYPES: Mapping[str, tuple[str, ...]] = {
    "Reachability": (
        "Software and Configuration Checks/AWS Security Best Practices/Network Reachability",
        "TTPs/Initial Access",
    ),
    "Misconfiguration": ("Software and Configuration Checks/AWS Security Best Practices",),
    "Assumability": ("Software and Configuration Checks/AWS Security Best Practices", "TTPs/Privilege Escalation"),
    "Vulnerability": ("Software and Configuration Checks/Vulnerabilities/CVE",),
}


@frozen
class AsffTarget:
    """Where the findings go: ``account`` and ``region`` of Security Hub, ``now`` the run's
    time (ISO 8601, taken once), ``source_url_base`` for ``SourceUrl`` (None: none)."""

    account: str
    region: str
    now: str
    source_url_base: str | None = None

    @property
    def product_arn(self) -> str:
        return f"arn:aws:securityhub:{self.region}:{self.account}:product/{self.account}/default"


def asff_findings(
    exposures: Iterable[Exposure], target: AsffTarget, previous: Sequence[Mapping[str, Any]] = ()
) -> list[dict[str, Any]]:
    """Every finding of ``exposures``, then the ARCHIVED ones of ``previous`` that are gone."""
    created = {str(f.get("Id")): str(f.get("CreatedAt")) for f in previous if f.get("Id") and f.get("CreatedAt")}
    findings: list[dict[str, Any]] = []
    for exposure in exposures:
        findings += exposure_findings(exposure, target, created)
    present = {f["Id"] for f in findings}
    for old in previous:
        if old.get("Id") in present or not str(old.get("Id", "")).startswith("iacscan/"):
            continue
        if old.get("RecordState") == "ARCHIVED":
            continue  # archived by an earlier run already
        findings.append({**old, "RecordState": "ARCHIVED", "UpdatedAt": target.now})
    return findings


def exposure_findings(exposure: Exposure, target: AsffTarget, created: Mapping[str, str]) -> list[dict[str, Any]]:
    """The exposure's finding first, then one per trait."""
    own = exposure_id(exposure)
    traits = [(trait_id(exposure, t), t) for t in exposure.traits]
    main = _base(exposure, own, _exposure_rule(exposure), target, created)
    main["Types"] = _types(exposure.traits)
    main["Title"] = fit([f"EC2 workload {exposure.workload} has a {_severity_words(exposure)} exposure"], TITLE_LIMIT)
    main["Description"] = _description(exposure)
    main["RelatedFindings"] = [{"ProductArn": target.product_arn, "Id": i} for i, _ in traits]
    if exposure.path:
        main["Note"] = {
            "Text": fit(["attack path: " + " -> ".join(s.address for s in exposure.path)], NOTE_LIMIT),
            "UpdatedBy": "iacscan",
            "UpdatedAt": target.now,
        }
    found = [main]
    for identifier, trait in traits:
        finding = _base(exposure, identifier, trait.rule_id, target, created)
        finding["Types"] = _types([trait])
        finding["Title"] = fit([f"{trait.rule_id} on {exposure.workload}"], TITLE_LIMIT)
        finding["Description"] = fit([trait.message, *(origin_text(o) for o in trait.unknowns)], DESCRIPTION_LIMIT)
        finding["RelatedFindings"] = [{"ProductArn": target.product_arn, "Id": own}]
        finding["ProductFields"] = {**finding["ProductFields"], **_trait_fields(trait)}
        found.append(finding)
    return found


def _exposure_rule(exposure: Exposure) -> str:
    return exposure_rule_id(exposure.severity) if exposure.severity is not None else POSSIBLE_EXPOSURE


def _severity_words(exposure: Exposure) -> str:
    return exposure.severity.label if exposure.severity is not None else "possible"


def _types(traits: Iterable[Trait]) -> list[str]:
    found = [t for trait in traits for t in TYPES.get(TRAIT_TYPES.get(trait.rule_id, "Misconfiguration"), ())]
    return list(dict.fromkeys(found)) or ["Software and Configuration Checks/AWS Security Best Practices"]


def _base(
    exposure: Exposure, identifier: str, generator: str, target: AsffTarget, created: Mapping[str, str]
) -> dict[str, Any]:
    span = exposure.workload_span
    finding: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": identifier,
        "ProductArn": target.product_arn,
        "ProductName": "iacscan",
        "CompanyName": "iacscan",
        "GeneratorId": generator,
        "AwsAccountId": target.account,
        "Region": target.region,
        "CreatedAt": created.get(identifier, target.now),
        "UpdatedAt": target.now,
        "Severity": {"Label": LABELS[exposure.severity], "Original": _severity_words(exposure).upper()},
        "Resources": _resources(exposure, target),
        "RecordState": "ACTIVE",
        "ProductFields": _product_fields(exposure),
    }
    if exposure.criticality is not None:
        finding["Criticality"] = CRITICALITY.get(exposure.criticality.level, 50)
    recommendation = _recommendation(exposure)
    if recommendation:
        finding["Remediation"] = {"Recommendation": {"Text": recommendation}}
    if target.source_url_base:
        finding["SourceUrl"] = source_url(target.source_url_base, span)
    return finding


def source_url(base: str, span: Span) -> str:
    return f"{base.rstrip('/')}/{span.file}#L{span.line}"


def _description(exposure: Exposure) -> str:
    span = exposure.workload_span
    head = f"{exposure.workload} ({exposure.workload_kind}) in {exposure.configuration} at {span.file}:{span.line}"
    severity = _severity_words(exposure)
    if exposure.criticality is not None and exposure.criticality.moved(exposure.severity):
        severity += f", {exposure.criticality.moved(exposure.severity)}"
    parts = [f"{head}: {severity}", *(t.message for t in exposure.traits)]
    if exposure.possible_severity is not None:
        parts.append(exposure.possibly())
    return fit(parts, DESCRIPTION_LIMIT)


def _fix_lines(exposure: Exposure) -> list[str]:
    return [
        f"{f.location.span.file}:{f.location.span.line}: {f.remediation} ({fix_effect(exposure, f)})"
        for f in exposure.fixes
    ]


def _recommendation(exposure: Exposure) -> str:
    lines = _fix_lines(exposure)
    return fit(lines[:SHOWN_FIXES] + ([f"{len(lines) - SHOWN_FIXES} more fixes"] if len(lines) > 3 else []), 512)


def _product_fields(exposure: Exposure) -> dict[str, str]:
    span = exposure.workload_span
    fields = {
        "iacscan/Version": __version__,
        "iacscan/Configuration": exposure.configuration,
        "iacscan/Workload": exposure.workload,
        "iacscan/File": span.file,
        "iacscan/Line": str(span.line),
        "iacscan/Severity": _severity_words(exposure),
    }
    if exposure.criticality is not None:
        table = exposure.criticality.table_severity
        fields["iacscan/Criticality"] = exposure.criticality.level
        fields["iacscan/CriticalityReason"] = exposure.criticality.because()
        fields["iacscan/TableSeverity"] = table.label if table is not None else "possible"
    if exposure.path:
        fields["iacscan/AttackPath"] = fit([step_text(s) for s in exposure.path], PRODUCT_FIELD_VALUE_LIMIT, " -> ")
    if exposure.unknowns:
        fields["iacscan/Unknowns"] = fit([origin_text(o) for o in exposure.unknowns], PRODUCT_FIELD_VALUE_LIMIT)
    if exposure.possible_severity is not None:
        fields["iacscan/Possibly"] = fit([exposure.possibly()], PRODUCT_FIELD_VALUE_LIMIT)
    if exposure.fixes:
        fields["iacscan/Fixes"] = fit(_fix_lines(exposure), PRODUCT_FIELD_VALUE_LIMIT)
    if exposure.instances:
        fields["iacscan/Instances"] = fit(list(exposure.instances), PRODUCT_FIELD_VALUE_LIMIT, ", ")
    return fields


def _trait_fields(trait: Trait) -> dict[str, str]:
    span = trait.location.span
    fields = {
        "iacscan/TraitFile": span.file,
        "iacscan/TraitLine": str(span.line),
        "iacscan/TraitAddress": trait.location.address,
        "iacscan/TraitType": TRAIT_TYPES.get(trait.rule_id, "Misconfiguration"),
        "iacscan/Verdict": "possible" if trait.possible else "holds",
    }
    if trait.path:
        fields["iacscan/TraitPath"] = fit([step_text(s) for s in trait.path], PRODUCT_FIELD_VALUE_LIMIT, " -> ")
    if trait.unknowns:
        fields["iacscan/TraitUnknowns"] = fit([origin_text(o) for o in trait.unknowns], PRODUCT_FIELD_VALUE_LIMIT)
    if trait.assumptions:
        fields["iacscan/Assumptions"] = fit(list(trait.assumptions), PRODUCT_FIELD_VALUE_LIMIT)
    return fields


def _resource(configuration: str, address: str, kind: str, span: Span | None, region: str) -> dict[str, Any]:
    other = {"IacAddress": address, "IacConfiguration": configuration}
    if span is not None:
        other["IacFile"] = span.file
        other["IacLine"] = str(span.line)
    return {
        "Type": resource_type(kind),
        "Id": fit([f"{configuration}:{address}"], 512),
        "Partition": "aws",
        "Region": region,
        "Details": {"Other": {k: fit([v], OTHER_VALUE_LIMIT) for k, v in other.items()}},
    }


def _resources(exposure: Exposure, target: AsffTarget) -> list[dict[str, Any]]:
    found = [
        _resource(
            exposure.configuration, exposure.workload, exposure.workload_kind, exposure.workload_span, target.region
        )
    ]
    for step in path_resources(exposure)[: MAX_RESOURCES - 1]:
        found.append(_resource(exposure.configuration, step.address, step.kind, step.span, target.region))
    return found


def batches(findings: Sequence[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    """``findings`` in lists of at most ``size`` (and never more than 100, the API's limit)."""
    size = max(1, min(size, MAX_BATCH))
    return [list(findings[i : i + size]) for i in range(0, len(findings), size)]
