"""One exposure finding per workload: its traits, a severity from their combination, the
attack path and the fixes ranked by how much each lowers the severity.

Severity table (first row that matches wins):

========  ===================================================================================
critical  internet-reachable and an exploitable vulnerability;
          internet-reachable and an admin role and (IMDSv1 or remote access)
high      internet-reachable and (admin or service-admin role, or IMDSv1, or remote access);
          VPC-reachable and an exploitable vulnerability and an admin/service-admin role
medium    internet-reachable and none of the traits named in the rows above (so open security
          groups, public IPs, non-exploited vulnerabilities, or no other trait at all);
          VPC-reachable and (an exploitable vulnerability or an admin/service-admin role);
          an admin role and IMDSv1, without reachability
low       any other non-empty set of traits
========  ===================================================================================

Readings:

* "internet-reachable" is the ``ec2-internet-reachable`` trait: a full path exists. An open
  security group or a public IP alone is not reachability (the route, NACL or address may
  be missing), so without ``ec2-internet-reachable`` they stay low.
* "internet-reachable with only an open security group" is read as internet-reachable and
  nothing from the critical/high rows: a workload reachable from the internet is medium even
  with no other trait, because the reachability itself is the exposure.
* "admin role" is ``ec2-admin-role`` or ``ec2-privilege-escalation`` (a role that can make
  itself administrator counts as one; the escalation is reported only for a role that is not
  admin already).
* "admin role and IMDSv1 without reachability" means the full administrator role only;
  a service-admin role with IMDSv1 and no reachability is low.
* A workload with traits that the table does not name (``ec2-vulnerability``, say) is low.

Possible traits (``Trait.possible``: they hold only for some values of what the
configuration leaves open) do not count toward the severity: it is computed from the traits
that hold. When the possible ones would raise it, the exposure carries that severity as
``possible_severity`` with the unknowns that decide it ("low, possibly high if ..."). A
workload whose traits are all possible has no severity (``None``): a possible exposure.
``assume_worst`` (``--assume-worst``) counts possible traits as holding.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from scanner.findings import Exposure, PathStep, Severity, Trait
from scanner.model import Resource
from scanner.rules import (
    admin_role,
    exploitable_vulnerability,
    imdsv1,
    internet_reachable,
    privilege_escalation,
    remote_access,
    service_admin_role,
    vpc_reachable,
)
from scanner.rules.registry import rule_order
from scanner.values import Origin

ADMIN_ROLE = admin_role.ID
EXPLOITABLE_VULNERABILITY = exploitable_vulnerability.ID
IMDSV1 = imdsv1.ID
INTERNET_REACHABLE = internet_reachable.ID
REMOTE_ACCESS = remote_access.ID
SERVICE_ADMIN_ROLE = service_admin_role.ID
VPC_REACHABLE = vpc_reachable.ID
PRIVILEGE_ESCALATION = privilege_escalation.ID

ROLE_STEP_KINDS = ("instance_profile", "role", "policy", "policy_statement")


def severity_of(rule_ids: Collection[str]) -> Severity | None:
    """The severity of a workload with these trait rule ids (None when there is none)."""
    if not rule_ids:
        return None
    ids = set(rule_ids)
    internet = INTERNET_REACHABLE in ids
    vpc = VPC_REACHABLE in ids
    exploit = EXPLOITABLE_VULNERABILITY in ids
    admin = ADMIN_ROLE in ids or PRIVILEGE_ESCALATION in ids  # escalation counts as admin
    any_admin = admin or SERVICE_ADMIN_ROLE in ids
    imdsv1 = IMDSV1 in ids
    remote = REMOTE_ACCESS in ids

    if internet and (exploit or (admin and (imdsv1 or remote))):
        return Severity.CRITICAL
    if internet and (any_admin or imdsv1 or remote):
        return Severity.HIGH
    if vpc and exploit and any_admin:
        return Severity.HIGH
    if internet:
        return Severity.MEDIUM
    if vpc and (exploit or any_admin):
        return Severity.MEDIUM
    if admin and imdsv1:
        return Severity.MEDIUM
    return Severity.LOW


def build_exposure(
    configuration: str,
    workload: Resource,
    traits: Sequence[Trait],
    assume_worst: bool = False,
) -> Exposure | None:
    """The exposure of ``workload`` from its traits; None when it has none."""
    if not traits:
        return None
    ordered = tuple(sorted(traits, key=trait_sort_key))
    holding = ordered if assume_worst else tuple(t for t in ordered if not t.possible)
    severity = severity_of([t.rule_id for t in holding])
    worst = severity_of([t.rule_id for t in ordered])
    rises = worst is not None and (severity is None or worst > severity)
    deciding = deciding_traits(holding, ordered) if rises else ()
    counted = holding or ordered  # a possible exposure's path and fixes are its worst case's
    return Exposure(
        configuration=configuration,
        workload=workload.address,
        workload_kind=workload.kind,
        workload_span=workload.shown_span or workload.span,  # never a downloaded module's line
        severity=severity,
        traits=ordered,
        path=attack_path(counted),
        fixes=(),  # measured by the pipeline (scanner.fixes), which has the workload's context
        possible_severity=worst if rises else None,
        unknowns=tuple(sorted({o for t in deciding for o in t.unknowns}, key=_origin_order)),
        possible_because=tuple(dict.fromkeys(a for t in deciding for a in t.assumptions)),
        counts_possible=assume_worst,
    )


def deciding_traits(holding: Sequence[Trait], every: Sequence[Trait]) -> tuple[Trait, ...]:
    """The possible traits of ``every`` that would raise the severity of ``holding`` (the
    traits that hold): each one that raises it alone; when none does alone (only together,
    say reachability and a role), all of them."""
    base = severity_of([t.rule_id for t in holding])
    possible = [t for t in every if t.possible]
    held = [t.rule_id for t in holding]
    alone = tuple(t for t in possible if _raises(severity_of([*held, t.rule_id]), base))
    return alone or tuple(possible)


def _raises(after: Severity | None, before: Severity | None) -> bool:
    return after is not None and (before is None or after > before)


def _origin_order(origin: Origin) -> tuple[str, int, str, str]:
    span = origin.span
    return (span.file if span else "", span.line if span else 0, origin.kind, origin.name)


def trait_sort_key(trait: Trait) -> tuple[int, str, str, int, int, str, str]:
    span = trait.location.span
    return (
        rule_order(trait.rule_id),
        trait.rule_id,
        span.file,
        span.line,
        span.end_line,
        trait.location.address,
        trait.message,
    )


def attack_path(traits: Sequence[Trait]) -> tuple[PathStep, ...]:
    """The network path in (internet first: via an internet gateway, else a load balancer,
    else any other; VPC reachability when there is no internet path) followed by the role
    steps of the admin (else service-admin) trait."""
    network = _best_network_path([t for t in traits if t.rule_id == INTERNET_REACHABLE])
    if not network:
        network = _best_network_path([t for t in traits if t.rule_id == VPC_REACHABLE])
    role_trait = (
        next((t for t in traits if t.rule_id == ADMIN_ROLE), None)
        or next((t for t in traits if t.rule_id == PRIVILEGE_ESCALATION), None)
        or next((t for t in traits if t.rule_id == SERVICE_ADMIN_ROLE), None)
    )
    steps = list(network)
    if role_trait is not None:
        role_steps = [s for s in role_trait.path if s.kind in ROLE_STEP_KINDS]
        if not role_steps:
            role_steps = [
                PathStep(
                    "policy_statement",
                    role_trait.location.address,
                    role_trait.location.message,
                    role_trait.location.span,
                )
            ]
        steps += [s for s in role_steps if s not in steps]
    return tuple(steps)


def _best_network_path(traits: Sequence[Trait]) -> tuple[PathStep, ...]:
    with_path = [t for t in traits if t.path]
    if not with_path:
        return ()

    def preference(trait: Trait) -> tuple[int, int]:
        kinds = {step.kind for step in trait.path}
        if "internet_gateway" in kinds:
            rank = 0
        elif "load_balancer" in kinds:
            rank = 1
        else:
            rank = 2
        return (rank, len(trait.path))

    best = min(with_path, key=lambda t: (*preference(t), trait_sort_key(t)))
    return best.path
