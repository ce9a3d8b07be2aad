"""The four aggregate rules, ``ec2-exposure-{critical,high,medium,low}``: one finding per
workload with at least one trait, rated by the combination of its traits (the table in
``scanner.exposure``), as AWS Security Hub rates its exposure findings."""

from __future__ import annotations

from scanner.findings import Severity
from scanner.rules.catalog import TAGS, Rule
from scanner.rules.references import IAM_BEST, IMDS_TRANSITION, SG_RULES

EXPOSURE = "ec2-exposure"  # suppressions may name the aggregate without its level

EXPOSURE_SCORES: dict[Severity, float] = {
    Severity.CRITICAL: 9.5,
    Severity.HIGH: 8.0,
    Severity.MEDIUM: 5.5,
    Severity.LOW: 2.0,
}


def exposure_rule_id(severity: Severity) -> str:
    return f"{EXPOSURE}-{severity.label}"


def _exposure_rule(severity: Severity) -> Rule:
    label = severity.label
    return Rule(
        id=exposure_rule_id(severity),
        name=f"Ec2Exposure{label.capitalize()}",
        short_description=f"EC2 workload with a {label} exposure",
        full_description=(
            f"The combination of exposure traits on this workload is rated {label}. The severity comes from the "
            "combination, as AWS Security Hub rates exposure findings: internet reachability together with an "
            "exploitable vulnerability, an administrator role, IMDSv1 or open remote access is what turns a "
            "weakness into an attack path. The result lists every trait, the attack path and the fix that "
            "lowers the severity most."
        ),
        remediation="Apply the best fix shown with the finding first: it lowers the severity most.",
        steps=(
            "Start with the best fix reported with the finding; each trait result has its own advice.",
            "Cut the network path (security group, network ACL, route) to stop the exposure quickly; then remove "
            "the weaknesses behind it (IMDSv1, administrator roles, vulnerabilities).",
        ),
        references=(IMDS_TRANSITION, IAM_BEST, SG_RULES),
        security_severity=EXPOSURE_SCORES[severity],
        tags=(*TAGS, "exposure"),
        kind="exposure",
        fires_when="the aggregate: one per workload with at least one trait",
    )


EXPOSURE_RULES: tuple[Rule, ...] = tuple(_exposure_rule(severity) for severity in sorted(Severity, reverse=True))
