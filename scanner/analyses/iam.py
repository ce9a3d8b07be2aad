"""What a workload's role can do: administrative or whole-service power, statement by statement.

``role_grants`` reads the policies of a role of the workload's instance profile (``ctx.roles``)
and returns each statement (or AWS managed policy) that grants, on every resource, every
action (``admin``), every IAM action (``iam-admin``: whoever can write IAM can make themselves
admin) or every action of some services (``service-admin``).

How a statement is read (IAM's own semantics, not string comparison):

* Action and NotAction patterns, with ``*`` and ``?`` anywhere, compared case-insensitively.
  "Covers every IAM action" means the set of strings the statement matches contains every
  ``iam:<name>``: ``iam:*``, ``i*:*`` and ``*`` do, ``iam:Get*`` and ``*:Get*`` do not. The
  question is decided exactly, as language containment of the wildcard patterns.
  NotAction with Allow grants everything except what it lists: ``NotAction: iam:*`` is
  service admin of every other service, ``NotAction: s3:GetObject`` is admin.
  Coverage is asked of one statement at a time; several narrower statements that only
  together add up to ``iam:*`` are not combined.
* Resource must be ``*`` (or a list holding ``*``). An Allow with NotResource grants every
  resource but the few it names: counted as ``*``, with an assumption saying so.
* Deny: a Deny on Resource ``*`` without a condition takes its actions away from every Allow
  of the role, whichever policy it is in. What remains must still cover the whole target:
  Allow ``*`` + Deny ``iam:*`` is no longer admin (but still service admin of every other
  service); Allow ``*`` + Deny ``iam:PassRole`` is not "every IAM action" either, so it is
  reported as service admin of every service but IAM. A Deny under a condition, or on named
  resources only, removes nothing for sure: ignored, and the trait notes the conditional one.
* Condition on an Allow: the grant still counts, with the assumption "granted under a condition".
* Unknown values (not known offline): a grant is reported only when the known parts already
  show it, and then says what it rests on. A policy whose document is unknown gives no trait.

``grant_trait`` builds a trait on one grant: at the statement that grants the power (or, for
an AWS managed policy, at the line that attaches it), with the role, the instance profile
and the workload's profile line as related places and the path instance -> instance
profile -> role -> policy -> statement.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any, Literal

from scanner.analyses.unknowns import existence_open, origins_of
from scanner.findings import Evidence, PathStep, Trait
from scanner.model import AutoScalingGroup, Instance, Policy, Statement
from scanner.values import Unknown
from scanner.workload import ResolvedPolicy, RoleContext, WorkloadContext

GrantKind = Literal["admin", "iam-admin", "service-admin", "none"]

# Every real action is "<service>:<name>" with both parts non-empty.
EVERY_ACTION = "?*:?*"
# A service prefix no pattern can name literally: only wildcards reach it, so covering it
# means "every service the patterns do not single out".
_ANY_OTHER_SERVICE = "#"


def service_actions(service: str) -> str:
    """The pattern of every action of one service."""
    return f"{service.lower()}:?*"


# --- wildcard patterns as languages ---------------------------------------------------------
# A pattern is a tiny automaton: state k means "the first k symbols are matched"; "*" loops
# on any character, "?" steps on any character, a letter steps on itself. Only the letters
# written in the two patterns (plus one letter written in neither) can make a difference,
# so exploring those letters decides containment and overlap exactly.

_FRESH_LETTER = "\x00"


def _closure(pattern: str, states: Iterable[int]) -> frozenset[int]:
    found: set[int] = set()
    for state in states:
        while state not in found:
            found.add(state)
            if state < len(pattern) and pattern[state] == "*":
                state += 1
            else:
                break
    return frozenset(found)


def _step(pattern: str, states: frozenset[int], letter: str) -> frozenset[int]:
    moved: set[int] = set()
    for state in states:
        if state >= len(pattern):
            continue
        symbol = pattern[state]
        if symbol == "*":
            moved.add(state)
        elif symbol == "?" or symbol == letter:
            moved.add(state + 1)
    return _closure(pattern, moved)


def _letters(*patterns: str) -> tuple[str, ...]:
    return (*sorted({c for p in patterns for c in p if c not in "*?"}), _FRESH_LETTER)


@cache
def pattern_covers(pattern: str, target: str) -> bool:
    """True when every action ``target`` matches is matched by ``pattern`` (both IAM action
    patterns, case-insensitive). ``pattern_covers("i*:*", "iam:?*")`` is True."""
    pattern, target = pattern.lower(), target.lower()
    letters = _letters(pattern, target)
    start = (_closure(target, {0}), _closure(pattern, {0}))
    seen = {start}
    queue = deque([start])
    while queue:
        target_states, pattern_states = queue.popleft()
        if len(target) in target_states and len(pattern) not in pattern_states:
            return False  # a string the target matches and the pattern does not
        for letter in letters:
            moved = (_step(target, target_states, letter), _step(pattern, pattern_states, letter))
            if moved[0] and moved not in seen:
                seen.add(moved)
                queue.append(moved)
    return True


@cache
def patterns_overlap(first: str, second: str) -> bool:
    """True when some action matches both patterns."""
    first, second = first.lower(), second.lower()
    letters = _letters(first, second)
    start = (_closure(first, {0}), _closure(second, {0}))
    seen = {start}
    queue = deque([start])
    while queue:
        a, b = queue.popleft()
        if len(first) in a and len(second) in b:
            return True
        for letter in letters:
            moved = (_step(first, a, letter), _step(second, b, letter))
            if moved[0] and moved[1] and moved not in seen:
                seen.add(moved)
                queue.append(moved)
    return False


def action_matches(pattern: str, action: str) -> bool:
    """Does the IAM action pattern match this action name (case-insensitive)?"""
    return pattern_covers(pattern, action)


@dataclass(frozen=True)
class ActionSet:
    """The actions a statement names: ``patterns``, or, for NotAction (``negated``), every
    action except them."""

    patterns: tuple[str, ...]
    negated: bool = False

    def covers(self, target: str) -> bool:
        """Every action of ``target`` is in the set."""
        if self.negated:
            return not any(patterns_overlap(p, target) for p in self.patterns)
        return any(pattern_covers(p, target) for p in self.patterns)

    def touches(self, target: str) -> bool:
        """Some action of ``target`` is in the set."""
        if self.negated:
            return not any(pattern_covers(p, target) for p in self.patterns)
        return any(patterns_overlap(p, target) for p in self.patterns)

    def named_services(self) -> tuple[str, ...]:
        """The service prefixes (or prefix patterns) the patterns single out."""
        names: list[str] = []
        for pattern in self.patterns:
            service = pattern.lower().split(":", 1)[0]
            if service and service not in names and service != "*":
                names.append(service)
        return tuple(names)


# --- one statement ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementVerdict:
    """What one Allow statement (or one AWS managed policy) grants on every resource.

    ``grant``: ``admin`` (every action), ``iam-admin`` (every IAM action), ``service-admin``
    (every action of the ``services``; ``("*",)`` means every service except
    ``except_services``) or ``none``. ``assumptions``: what the verdict rests on."""

    grant: GrantKind
    services: tuple[str, ...] = ()
    except_services: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()

    @property
    def is_admin(self) -> bool:
        return self.grant in ("admin", "iam-admin")

    def describe(self) -> str:
        if self.grant == "admin":
            return "every action"
        if self.grant == "iam-admin":
            return "every IAM action"
        if self.grant == "service-admin":
            if self.services == ("*",):
                if self.except_services:
                    return f"every action of every service except {', '.join(self.except_services)}"
                return "every action of every service"
            if self.services:
                return f"every action of {', '.join(self.services)}"
            return "every action of its service"
        return "no administrative access"


NO_GRANT = StatementVerdict("none")


@dataclass(frozen=True)
class _StatementActions:
    actions: ActionSet
    assumptions: tuple[str, ...]


def _known_items(values: tuple[str | Unknown, ...]) -> tuple[tuple[str, ...], tuple[Unknown, ...]]:
    known = tuple(v for v in values if isinstance(v, str))
    unknown = tuple(v for v in values if isinstance(v, Unknown))
    return known, unknown


def _unknown_note(field: str, unknown: tuple[Unknown, ...]) -> str:
    return f"{field} also holds values not known offline ({unknown[0].reason})"


def _statement_actions(stmt: Statement) -> _StatementActions | None:
    """The statement's actions as far as they are known, or None when nothing is."""
    if stmt.actions is not None:
        known, unknown = _known_items(stmt.actions)
        if not known:
            return None
        return _StatementActions(ActionSet(known), (_unknown_note("Action", unknown),) if unknown else ())
    if stmt.not_actions is not None:
        known, unknown = _known_items(stmt.not_actions)
        # An unknown NotAction item can only take actions away: assume it takes none.
        notes = tuple(f"{_unknown_note('NotAction', unknown)}; assumed to exclude nothing more" for _ in unknown[:1])
        return _StatementActions(ActionSet(known, negated=True), notes)
    return None


def _on_every_resource(stmt: Statement) -> tuple[bool, tuple[str, ...]]:
    """Does an Allow statement apply to every resource? (and the assumptions that takes)"""
    if stmt.resources is not None:
        known, unknown = _known_items(stmt.resources)
        if "*" not in known:
            return False, ()
        return True, ((_unknown_note("Resource", unknown),) if unknown else ())
    if stmt.not_resources is not None:
        known, unknown = _known_items(stmt.not_resources)
        if "*" in known:
            return False, ()
        excluded = ", ".join(known) if known else "a value not known offline"
        return True, (f"NotResource excludes only {excluded}: counted as every resource",)
    return False, ()


def _effect(stmt: Statement) -> str | None:
    return stmt.effect.lower() if isinstance(stmt.effect, str) else None


def _allow_grant(stmt: Statement) -> _StatementActions | None:
    """An Allow statement on every resource, as an action set with its assumptions."""
    if _effect(stmt) != "allow":
        return None
    actions = _statement_actions(stmt)
    if actions is None:
        return None
    everywhere, resource_notes = _on_every_resource(stmt)
    if not everywhere:
        return None
    notes = actions.assumptions + resource_notes
    if stmt.has_condition:
        notes += ("granted under a condition",)
    return _StatementActions(actions.actions, notes)


def statement_grants(stmt: Statement) -> StatementVerdict:
    """What one statement grants on its own (a Deny grants nothing)."""
    grant = _allow_grant(stmt)
    if grant is None:
        return NO_GRANT
    return _verdict(grant.actions, (), grant.assumptions)


@dataclass(frozen=True)
class _Deny:
    actions: ActionSet
    conditional: bool
    where: str


def _deny_of(stmt: Statement, where: str) -> _Deny | None:
    """A Deny statement on every resource, as far as it surely applies."""
    if _effect(stmt) != "deny" or stmt.resources is None:
        return None
    known_resources, _ = _known_items(stmt.resources)
    if "*" not in known_resources:
        return None
    if stmt.actions is not None:
        known, _ = _known_items(stmt.actions)
        actions = ActionSet(known)
    elif stmt.not_actions is not None:
        known, unknown = _known_items(stmt.not_actions)
        if unknown:
            return None  # an unknown exception may exempt anything: nothing is surely denied
        actions = ActionSet(known, negated=True)
    else:
        return None
    return _Deny(actions, stmt.has_condition, where)


def _verdict(grant: ActionSet, denies: tuple[_Deny, ...], assumptions: tuple[str, ...]) -> StatementVerdict:
    """What remains of ``grant`` once the role's Deny statements are taken out."""
    sure_denies = tuple(d for d in denies if not d.conditional)

    def remains(target: str) -> bool:
        return grant.covers(target) and not any(d.actions.touches(target) for d in sure_denies)

    def conditional_notes(target: str) -> tuple[str, ...]:
        return tuple(
            f"a Deny under a condition ({d.where}) may take part of it away"
            for d in denies
            if d.conditional and d.actions.touches(target)
        )

    if remains(EVERY_ACTION):
        return StatementVerdict("admin", assumptions=assumptions + conditional_notes(EVERY_ACTION))
    if remains(service_actions("iam")):
        return StatementVerdict("iam-admin", assumptions=assumptions + conditional_notes(service_actions("iam")))

    named = grant.named_services()
    for deny in sure_denies:
        named += tuple(s for s in deny.actions.named_services() if s not in named)
    if remains(service_actions(_ANY_OTHER_SERVICE)):
        excluded = tuple(s for s in named if not remains(service_actions(s)))
        notes = assumptions + conditional_notes(service_actions(_ANY_OTHER_SERVICE))
        return StatementVerdict("service-admin", ("*",), excluded, notes)
    services = tuple(s for s in named if remains(service_actions(s)))
    if services:
        notes = assumptions
        for service in services:
            notes += tuple(n for n in conditional_notes(service_actions(service)) if n not in notes)
        return StatementVerdict("service-admin", services, (), notes)
    return NO_GRANT


# --- AWS managed policies ------------------------------------------------------------------

_MANAGED_ARN = re.compile(r"^arn:(?:aws|aws-cn|aws-us-gov|aws-iso[a-z-]*|\$\{[^}]+\}):iam::aws:policy/(.+)$")


@cache
def _managed_table() -> dict[str, dict[str, Any]]:
    text = resources.files("scanner").joinpath("data/aws_managed_policies.json").read_text(encoding="utf-8")
    table: dict[str, dict[str, Any]] = json.loads(text)["policies"]
    return {name.lower(): entry for name, entry in table.items()}


def managed_policy_name(arn: str) -> str | None:
    """``AdministratorAccess`` for ``arn:<any partition>:iam::aws:policy/AdministratorAccess``
    (path kept: ``service-role/AmazonEC2RoleforSSM``); None for anything but an AWS managed ARN."""
    found = _MANAGED_ARN.match(arn.strip())
    if found is None or "${" in found.group(1):
        return None
    return found.group(1).lstrip("/")


def _managed_actions(arn: str) -> ActionSet | None:
    name = managed_policy_name(arn)
    if name is None:
        return None
    entry = _managed_table().get(name.lower())
    if entry is None:
        return None
    if "not_actions" in entry:
        return ActionSet(tuple(entry["not_actions"]), negated=True)
    return ActionSet(tuple(entry.get("actions", ())))


def _is_full_access_name(name: str) -> bool:
    return name.rsplit("/", 1)[-1].lower().endswith("fullaccess")


def managed_policy_verdict(arn: str) -> StatementVerdict:
    """What an AWS managed policy, known by ARN only, grants (any partition, including an
    unresolved ``arn:${AWS::Partition}:``)."""
    return _managed_verdict(arn, ())


def _managed_verdict(arn: str, denies: tuple[_Deny, ...]) -> StatementVerdict:
    name = managed_policy_name(arn)
    if name is None:
        return NO_GRANT
    actions = _managed_actions(arn)
    if actions is not None:
        return _verdict(actions, denies, ())
    if _is_full_access_name(name) and name.lower() != "iamfullaccess":
        # Not in our table: service admin by its name; which services, and so whether a Deny
        # takes them away, is not known.
        return StatementVerdict("service-admin")
    return NO_GRANT


# --- the role of one workload ----------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """What one statement (or AWS managed policy) of a role's policies grants on every resource."""

    verdict: StatementVerdict
    resolved: ResolvedPolicy
    statement: Statement | None  # None for an AWS managed policy


def _policy_label(resolved: ResolvedPolicy) -> str:
    if resolved.policy is not None:
        return resolved.policy.address
    name = managed_policy_name(resolved.arn or "")
    return name if name is not None else (resolved.arn or resolved.attached_by)


def _may_not_apply(resolved: ResolvedPolicy) -> bool:
    """The policy, or what attaches it, may not exist (its count / Condition is unknown)."""
    return any(r is not None and r.existence is not None for r in (resolved.policy, resolved.attachment))


def _role_denies(role: RoleContext, certain_only: bool = False) -> tuple[_Deny, ...]:
    denies: list[_Deny] = []
    for resolved in role.policies:
        policy = resolved.policy
        if policy is None or policy.document_unknown is not None:
            continue
        if certain_only and _may_not_apply(resolved):
            continue
        for stmt in policy.statements:
            deny = _deny_of(stmt, f"{policy.address} line {stmt.span.line}")
            if deny is not None:
                denies.append(deny)
    return tuple(denies)


def role_grants(role: RoleContext) -> list[Grant]:
    """What each statement (or AWS managed policy) of the role grants on every resource. A
    Deny in a policy that may not exist (its count / Condition, or its attachment's, is
    unknown) takes a grant away only if it exists: the grant is then possible, never dropped."""
    denies = _role_denies(role)
    certain_denies = _role_denies(role, certain_only=True)
    doubtful = tuple(
        f"{r.policy.address} (a Deny) may not exist; assumed it does not"
        for r in role.policies
        if r.policy is not None and _may_not_apply(r) and any(_effect(s) == "deny" for s in r.policy.statements)
    )
    grants: list[Grant] = []
    for resolved in role.policies:
        if resolved.policy is not None:
            if resolved.policy.document_unknown is not None:
                continue
            for stmt in resolved.policy.statements:
                allow = _allow_grant(stmt)
                if allow is None:
                    continue
                verdict = _verdict(allow.actions, denies, allow.assumptions)
                if verdict.grant == "none" and doubtful:
                    verdict = _verdict(allow.actions, certain_denies, allow.assumptions + doubtful)
                if verdict.grant != "none":
                    grants.append(Grant(verdict, resolved, stmt))
        elif resolved.arn is not None:
            verdict = _managed_verdict(resolved.arn, denies)
            if verdict.grant == "none" and doubtful:
                found = _managed_verdict(resolved.arn, certain_denies)
                verdict = replace(found, assumptions=found.assumptions + doubtful)
            if verdict.grant != "none":
                grants.append(Grant(verdict, resolved, None))
    return grants


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
        resolved.attached_at, resolved.attached_by, f"attaches the AWS managed policy {_policy_label(resolved)}"
    )


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
                _policy_label(resolved),
                f"AWS managed policy: {grant.verdict.describe()}",
                resolved.attached_at,
            )
        )
    return tuple(steps)


def grant_trait(ctx: WorkloadContext, role: RoleContext, grant: Grant, rule_id: str) -> Trait:
    """The trait ``rule_id`` on this grant: at the statement that grants the power (or the
    line attaching the AWS managed policy), with the path to it."""
    verdict = grant.verdict
    if grant.statement is not None:
        source = f"a statement of {_policy_label(grant.resolved)}"
    else:
        source = f"the AWS managed policy {_policy_label(grant.resolved)}"
    power = "administrative access" if verdict.is_admin else "service-wide administrative access"
    message = (
        f"{ctx.address} runs with role {role.role.address}, which has {power}: "
        f"{source} allows {verdict.describe()} on every resource"
    )
    if verdict.assumptions:
        message += f" (assuming: {'; '.join(verdict.assumptions)})"
    properties: dict[str, Any] = {
        "role": role.role.address,
        "grant": verdict.grant,
        "policy": _policy_label(grant.resolved),
    }
    if verdict.grant == "service-admin":
        properties["services"] = list(verdict.services)
        if verdict.except_services:
            properties["except_services"] = list(verdict.except_services)
    # The chain to the grant may not exist (a profile, role, policy or attachment whose count
    # is unknown), and unknown statement items the verdict assumed about name their origins.
    resolved = grant.resolved
    built_on = existence_open(ctx.instance_profile, role.role, resolved.policy, resolved.attachment)
    stmt = grant.statement
    items = (stmt.actions, stmt.not_actions, stmt.resources, stmt.not_resources) if stmt is not None else ()
    doubtful = [
        (r.policy, r.attachment)
        for r in role.policies
        if r.policy is not None and _may_not_apply(r) and any(_effect(s) == "deny" for s in r.policy.statements)
    ]
    deciding = origins_of(*items, *doubtful) if verdict.assumptions else ()
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
