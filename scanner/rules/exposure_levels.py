"""The four aggregate rules, ``ec2-exposure-{critical,high,medium,low}``: one finding per
workload with at least one trait that holds, rated by the combination of its traits (the
table in ``scanner.exposure``), as AWS Security Hub rates its exposure findings; and
``ec2-possible-exposure``: one finding per workload whose possible traits (those that hold
only for some values of what the configuration leaves open) would raise its severity. That
rule has no security severity, so GitHub code scanning lists it without ranking it as a
confirmed exposure. The four exposure rules are the only rules with a security severity:
GitHub's critical/high/medium/low labels are the workloads' severities."""

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


POSSIBLE_EXPOSURE = "ec2-possible-exposure"


def exposure_rule_id(severity: Severity | None) -> str:
    """The aggregate rule of an exposure of this severity (None: no trait holds, a possible
    exposure)."""
    return f"{EXPOSURE}-{severity.label}" if severity is not None else POSSIBLE_EXPOSURE


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
        fires_when="the aggregate: one per workload with at least one trait that holds",
    )


EXPOSURE_RULES: tuple[Rule, ...] = tuple(_exposure_rule(severity) for severity in sorted(Severity, reverse=True))


POSSIBLE_EXPOSURE_RULE = Rule(
    id=POSSIBLE_EXPOSURE,
    name="Ec2PossibleExposure",
    short_description="EC2 workload whose exposure depends on values the configuration leaves open",
    full_description=(
        "Some exposure traits of this workload hold only for some values of inputs not known before deployment: a "
        "variable or parameter without a value, a data source, remote state, a module that was not downloaded, a "
        "count or condition that depends on them. If those values turn out the wrong way, the workload's severity "
        "rises to the one named in the result. The result names each unknown that decides it and where it is set, "
        "so you can give it a value (--var, --parameter, a tfvars file) and scan again for a certain verdict, "
        "or run with --assume-worst to count such traits as holding."
    ),
    remediation="Give the named unknowns their values and scan again, or remove the possible trait at its line.",
    steps=(
        "Read the unknowns listed with the result: each names where it is declared and how to set it "
        "(--var NAME=..., --parameter NAME=..., --var-file).",
        "Scan again with the values your deployment uses: the possible traits become certain or disappear.",
        "If the value is chosen at deploy time by someone else, make the configuration safe for every value "
        "(a validation block, an allowed-values list, a rule that does not depend on it).",
    ),
    references=(SG_RULES,),
    security_severity=None,
    tags=(*TAGS, "exposure"),
    kind="exposure",
    fires_when=(
        "a workload's possible traits (they hold for some values of named unknowns) would raise its severity; "
        "no security severity"
    ),
)
