"""The admin traits' findings: what a workload's role can do, as a trait at the line to change.

What each statement (or AWS managed policy) of a role grants is ``scanner.analyses.iam_grants``
(over the role's effective permissions: ``scanner.analyses.iam_policies`` reads them,
``scanner.analyses.iam_evaluator`` answers single questions). ``grant_trait`` builds a trait on
one grant: at the statement that grants the power (or, for an AWS managed policy, at the line
that attaches it), with the role, the instance profile, the workload's profile line, the
permissions boundary and the other statements of a grant held only together as related
places, and the path instance -> instance profile -> role -> policy -> statement.
"""

from __future__ import annotations

from typing import Any

from scanner.analyses.iam_escalation import Escalation, Move, admin_decision
from scanner.analyses.iam_grants import Grant, StatementVerdict, managed_policy_verdict, role_grants, statement_grants
from scanner.analyses.iam_policies import Source, policy_label
from scanner.analyses.unknowns import existence_open, origins_of
from scanner.findings import Evidence, PathStep, Trait
from scanner.model import AutoScalingGroup, Instance, Policy, Resource
from scanner.model_lambda import LambdaFunction
from scanner.values import Origin
from scanner.workload import RoleContext, WorkloadContext

__all__ = [
    "Grant",
    "StatementVerdict",
    "escalation_trait",
    "grant_trait",
    "managed_policy_verdict",
    "role_grants",
    "statement_grants",
]


def _workload_kind(ctx: WorkloadContext) -> str:
    return ctx.workload.capacity


def _profile_line(ctx: WorkloadContext) -> Evidence | None:
    """Where the workload names its instance profile (the instance, else its launch template)."""
    workload = ctx.workload
    if isinstance(workload, Instance) and workload.instance_profile is not None:
        return Evidence(workload.span_of("instance_profile"), workload.address, "uses this instance profile")
    template = ctx.launch_template
    if template is not None and template.instance_profile is not None:
        return Evidence(
            template.span_of("instance_profile"), template.address, f"gives {workload.address} this instance profile"
        )
    return None


def _grant_location(grant: Grant) -> Evidence:
    resolved = grant.resolved
    if grant.statement is not None and resolved.policy is not None:
        return Evidence(
            grant.statement.span, resolved.policy.address, f"allows {grant.verdict.describe()} on every resource"
        )
    return Evidence(
        resolved.attached_at, resolved.attached_by, f"attaches the AWS managed policy {policy_label(resolved)}"
    )


def _source_place(source: Source) -> Evidence:
    if source.statement is not None:
        return Evidence(source.statement.span, source.label, "allows the rest of it on every resource")
    resolved = source.resolved
    return Evidence(resolved.attached_at, resolved.attached_by, f"attaches the AWS managed policy {source.label}")


def _related(ctx: WorkloadContext, role: RoleContext, grant: Grant) -> tuple[Evidence, ...]:
    related = [Evidence(role.role.span, role.role.address, "the role the workload's instance profile carries")]
    profile = ctx.instance_profile
    if profile is not None:
        related.append(Evidence(profile.span, profile.address, f"instance profile with role {role.role.address}"))
    line = _profile_line(ctx)
    if line is not None:
        related.append(line)
    policy: Policy | None = grant.resolved.policy
    if grant.statement is not None and policy is not None and grant.resolved.attached_at != grant.statement.span:
        related.append(
            Evidence(
                grant.resolved.attached_at,
                grant.resolved.attached_by,
                f"attaches {policy.address} to {role.role.address}",
            )
        )
    related.extend(_source_place(source) for source in grant.together)
    related.extend(
        Evidence(source.statement.span, source.label, "denies part of it (explicit Deny on every resource)")
        for source in grant.denied_by
        if source.statement is not None
    )
    boundary = role.boundary
    if boundary is not None:
        named = policy_label(boundary) if boundary.policy is not None or boundary.arn else "(not known offline)"
        related.append(Evidence(boundary.attached_at, role.role.address, f"permissions boundary {named}"))
    return tuple(related)


def _path(ctx: WorkloadContext, role: RoleContext, grant: Grant) -> tuple[PathStep, ...]:
    workload = ctx.workload
    steps = [PathStep(_workload_kind(ctx), workload.address, "the workload", workload.span)]
    template = ctx.launch_template
    if isinstance(workload, AutoScalingGroup) and template is not None:
        steps.append(PathStep("launch_template", template.address, "launches the instances", template.span))
    profile = ctx.instance_profile
    if profile is not None:
        steps.append(PathStep("instance_profile", profile.address, "instance profile", profile.span))
    steps.append(PathStep("role", role.role.address, "role whose credentials the instance holds", role.role.span))
    resolved = grant.resolved
    if grant.statement is not None and resolved.policy is not None:
        steps.append(PathStep("policy", resolved.policy.address, "policy of the role", resolved.policy.span))
        steps.append(
            PathStep(
                "policy_statement",
                resolved.policy.address,
                f"allows {grant.verdict.describe()} on every resource",
                grant.statement.span,
            )
        )
    else:
        steps.append(
            PathStep(
                "policy",
                policy_label(resolved),
                f"AWS managed policy: {grant.verdict.describe()}",
                resolved.attached_at,
            )
        )
    return tuple(steps)


def _source_text(grant: Grant) -> str:
    """What grants it: "a statement of X", "the AWS managed policy X", "statements of X and Y together"."""
    if grant.together:
        first = Source(grant.resolved, grant.statement)
        labels = tuple(dict.fromkeys(s.label for s in (first, *grant.together)))
        return f"statements of {' and '.join(labels)} together"
    if grant.statement is not None:
        return f"a statement of {policy_label(grant.resolved)}"
    return f"the AWS managed policy {policy_label(grant.resolved)}"


def _may_not_apply(found: Policy | None, attachment: object) -> bool:
    return any(getattr(r, "existence", None) is not None for r in (found, attachment))


def _deciding(role: RoleContext, grant: Grant) -> tuple[Origin, ...]:
    """The open inputs a possible verdict rests on: unknown items of the statements that grant
    it, the existence of Deny policies that may not exist, an unknown boundary."""
    statements = [s.statement for s in (Source(grant.resolved, grant.statement), *grant.together) if s.statement]
    items = [(s.actions, s.not_actions, s.resources, s.not_resources, s.existence) for s in statements]
    doubtful = [
        (r.policy, r.attachment)
        for r in role.policies
        if r.policy is not None
        and _may_not_apply(r.policy, r.attachment)
        and any(isinstance(s.effect, str) and s.effect.lower() == "deny" for s in r.policy.statements)
    ]
    boundary = role.boundary
    bounds = (role.role.permissions_boundary, boundary.policy) if boundary is not None else ()
    return origins_of(*items, *doubtful, *bounds)


def grant_trait(ctx: WorkloadContext, role: RoleContext, grant: Grant, rule_id: str) -> Trait:
    """The trait ``rule_id`` on this grant: at the statement that grants the power (or the
    line attaching the AWS managed policy), with the path to it."""
    verdict = grant.verdict
    power = "administrative access" if verdict.is_admin else "service-wide administrative access"
    within = f" within the permissions boundary {verdict.boundary}" if verdict.boundary else ""
    if verdict.unknown:
        message = (
            f"{ctx.address} runs with role {role.role.address}, which may have {power}: "
            f"{verdict.unknown.removesuffix('; it may allow anything')}; it may allow {verdict.describe()} "
            f"on every resource{within}"
        )
    else:
        verb = "allow" if grant.together else "allows"
        message = (
            f"{ctx.address} runs with role {role.role.address}, which has {power}: "
            f"{_source_text(grant)} {verb} {verdict.describe()} on every resource{within}"
        )
    shown = tuple(a for a in verdict.assumptions if a != verdict.unknown)
    if shown:
        message += f" (assuming: {'; '.join(shown)})"
    properties: dict[str, Any] = {
        "role": role.role.address,
        "grant": verdict.grant,
        "policy": policy_label(grant.resolved),
    }
    if verdict.grant == "service-admin":
        properties["services"] = list(verdict.services)
        if verdict.except_services:
            properties["except_services"] = list(verdict.except_services)
    if verdict.boundary:
        properties["permissions_boundary"] = verdict.boundary
    if grant.together:
        properties["together_with"] = [s.label for s in grant.together]
    # The chain to the grant may not exist (a profile, role, policy or attachment whose count
    # is unknown), and unknown statement items the verdict assumed about name their origins.
    resolved = grant.resolved
    built_on = existence_open(ctx.instance_profile, role.role, resolved.policy, resolved.attachment)
    deciding = _deciding(role, grant) if verdict.assumptions else ()
    return Trait(
        rule_id=rule_id,
        workload=ctx.address,
        message=message,
        location=_grant_location(grant),
        related=_related(ctx, role, grant),
        path=_path(ctx, role, grant),
        assumptions=tuple(dict.fromkeys(verdict.assumptions + built_on.assumptions)),
        unknowns=tuple(dict.fromkeys(deciding + built_on.unknowns)),
        properties=properties,
    )


# --- ec2-privilege-escalation -----------------------------------------------------------------


def _source_evidence(source: Source, message: str) -> Evidence:
    if source.statement is not None:
        return Evidence(source.statement.span, source.label, message)
    resolved = source.resolved
    return Evidence(resolved.attached_at, resolved.attached_by, f"{message} (the AWS managed policy {source.label})")


def _move_evidence(move: Move) -> Evidence:
    """Where the move's first action is allowed (else the actor role)."""
    message = f"allows {move.first_action}: {move.text()}"
    if move.granted_by:
        return _source_evidence(move.granted_by[0], message)
    if move.trusted_by is not None and move.target is not None:
        said = f"the trust policy names {move.actor.role.address}, which may assume it: {move.text()}"
        return Evidence(move.trusted_by.span, move.target.role.address, said)
    return Evidence(move.actor.role.span, move.actor.role.address, message)


def _taken_kind(resource: Resource) -> str:
    """The path step kind of an existing resource an escalation takes over."""
    if isinstance(resource, LambdaFunction):
        return "lambda_function"
    return "auto_scaling_group" if isinstance(resource, AutoScalingGroup) else "instance"


def _hop_steps(found: Escalation) -> list[PathStep]:
    steps: list[PathStep] = []
    for index, move in enumerate(found.moves):
        place = _move_evidence(move)
        if index:
            steps.append(PathStep("role", move.actor.role.address, "role reached", move.actor.role.span))
        steps.append(PathStep("policy_statement", place.address, place.message, place.span))
        if move.via is not None and move.target is not None:
            taken = move.via.resource
            said = f"already runs with {move.target.role.address}: taken over ({move.path.id})"
            steps.append(PathStep(_taken_kind(taken), taken.address, said, move.via.named_at))
    last = found.moves[-1]
    if found.admin_role is not None:
        role = found.admin_role
        steps.append(PathStep("role", role.role.address, "role reached: it has administrative access", role.role.span))
        admin = admin_decision(role)
        if admin.granted_by:
            place = _source_evidence(admin.granted_by[0], "grants administrative access")
            steps.append(PathStep("policy_statement", place.address, place.message, place.span))
    elif last.target is not None:
        steps.append(PathStep("role", last.target.role.address, "role made admin", last.target.role.span))
    return steps


def escalation_trait(ctx: WorkloadContext, role: RoleContext, found: Escalation, rule_id: str) -> Trait:
    """The trait ``rule_id`` on an escalation chain: at the statement granting the first
    action, each hop a related place and a step of the path."""
    ids = [m.path.id for m in found.moves]
    hops = "; then ".join(m.text() for m in found.moves)
    if found.admin_role is not None:
        end = f"{found.admin_role.role.address} has administrative access"
    elif found.moves[-1].outside:
        end = f"{found.moves[-1].outside} may have administrative access"
    else:
        end = "which gives it administrative access"
    may = "may be able to" if found.answer == "possible" else "can"
    joint = ", " if end.startswith("which") else "; "
    count = len(found.moves)
    message = (
        f"{ctx.address} runs with role {role.role.address}, which {may} gain administrative access in "
        f"{count} hop{'s' if count > 1 else ''} ({', '.join(ids)}): {hops}{joint}{end}"
    )
    if found.reasons:
        message += f" (assuming: {'; '.join(found.reasons)})"
    first = found.moves[0]
    related = [Evidence(role.role.span, role.role.address, "the role the workload's instance profile carries")]
    profile = ctx.instance_profile
    if profile is not None:
        related.append(Evidence(profile.span, profile.address, f"instance profile with role {role.role.address}"))
    line = _profile_line(ctx)
    if line is not None:
        related.append(line)
    for move in found.moves[1:]:
        related.append(_move_evidence(move))
    for move in found.moves:
        if move.via is not None and move.target is not None:
            said = f"runs with {move.target.role.address}, taken over by {move.path.id}"
            related.append(Evidence(move.via.named_at, move.via.resource.address, said))
        if move.target is not None:
            related.append(Evidence(move.target.role.span, move.target.role.address, f"reached by {move.path.id}"))
    if found.admin_role is not None:
        admin = admin_decision(found.admin_role)
        if admin.granted_by:
            related.append(_source_evidence(admin.granted_by[0], "grants administrative access"))
    workload = ctx.workload
    steps = [PathStep(_workload_kind(ctx), workload.address, "the workload", workload.span)]
    template = ctx.launch_template
    if isinstance(workload, AutoScalingGroup) and template is not None:
        steps.append(PathStep("launch_template", template.address, "launches the instances", template.span))
    if profile is not None:
        steps.append(PathStep("instance_profile", profile.address, "instance profile", profile.span))
    steps.append(PathStep("role", role.role.address, "role whose credentials the instance holds", role.role.span))
    steps.extend(_hop_steps(found))
    properties: dict[str, Any] = {
        "role": role.role.address,
        "paths": ids,
        "hops": [
            {
                "path": m.path.id,
                "from": m.actor.role.address,
                "to": m.target.role.address if m.target is not None else (m.outside or m.actor.role.address),
                "url": m.path.url,
            }
            for m in found.moves
        ],
    }
    if found.admin_role is not None:
        properties["admin_role"] = found.admin_role.role.address
    built_on = existence_open(ctx.instance_profile, role.role)
    return Trait(
        rule_id=rule_id,
        workload=ctx.address,
        message=message,
        location=_move_evidence(first),
        related=tuple(dict.fromkeys(related)),
        path=tuple(steps),
        assumptions=tuple(dict.fromkeys(found.reasons + built_on.assumptions)),
        unknowns=built_on.unknowns,
        properties=properties,
    )
