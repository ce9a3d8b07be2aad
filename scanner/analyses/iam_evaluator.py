"""What a role may do: ``allows(permissions, action, resource)`` -> yes / no / possible(reasons).

IAM's evaluation of one principal's request within its own account
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html),
over the role's identity-based policies (the union of all of them, whatever attaches them) and
its permissions boundary (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html):

1. An explicit Deny that applies, in any identity-based policy or in the boundary: **no**.
2. No Allow in the identity-based policies applies: **no**.
3. A boundary is set and no Allow of it applies: **no** (the effective permissions are the
   intersection of the two).
4. Otherwise **yes**.

A statement applies when its Action (or NotAction) matches the action (IAM's wildcards,
case-insensitive), its Resource (or NotResource) matches the resource (wildcards, case-sensitive)
and its Condition holds. What cannot be decided offline makes the answer **possible**, each
reason named: an Allow under a Condition (its operator and key said), action or resource items
not known offline, a policy (or statement, or attachment) whose ``count`` / ``Condition`` is
unknown, an identity policy whose statements are not known (an AWS managed ARN that is not in
the bundle, a customer policy known by ARN only), a boundary that is not known; a Deny that
may apply likewise. SCPs, resource control policies, resource-based policies and session
policies are outside the configuration of a role and not weighed.

``resource`` ``"*"`` asks about the action on every resource: only an Allow naming ``*`` grants
it (an Allow with ``NotResource`` leaves out what it names: possible, said), and only a Deny
naming ``*`` takes it away.

``role_permissions(role)`` reads a role once (cached per role: the workloads that share a
role share its answers); ``allows`` remembers each answer on the role's permissions.
"""

from __future__ import annotations

import re
from dataclasses import field
from functools import lru_cache
from typing import Literal

from scanner.analyses.iam_policies import Clause, PolicySet, RolePolicies, Source, read_role
from scanner.frozen import frozen
from scanner.workload import RoleContext

Answer = Literal["yes", "no", "possible"]


@frozen
class Decision:
    """``answer``; ``reasons``: for possible, what it rests on; for no, what refuses it.
    ``granted_by``: the statements (or AWS managed policies) whose Allow applies."""

    answer: Answer
    reasons: tuple[str, ...] = ()
    granted_by: tuple[Source, ...] = ()


@frozen(eq=False)
class RolePermissions:
    """A role's policies read once, and the answers given so far (``memo``)."""

    policies: RolePolicies
    memo: dict[tuple[str, str], Decision] = field(default_factory=dict, repr=False)


@lru_cache(maxsize=8192)
def role_permissions(role: RoleContext) -> RolePermissions:
    """The role's permissions. A ``RoleContext`` holds the model objects themselves, so the
    contexts of the workloads sharing a role are equal and share this; an edited copy (a fix
    measured) is another key."""
    return RolePermissions(read_role(role))


@lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """IAM's wildcards: ``*`` any run of characters, ``?`` one; a policy variable
    (``${aws:username}``) stands for a value known only at request time: any run too."""
    body = re.sub(r"\\\$\\\{[^}]*\\\}", ".*", re.escape(pattern)).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(body, (re.IGNORECASE if ignore_case else 0) | re.DOTALL)


def _matches(patterns: tuple[str, ...], value: str, ignore_case: bool) -> bool:
    return any(_glob(p, ignore_case).fullmatch(value) is not None for p in patterns)


def _has_variable(patterns: tuple[str, ...]) -> bool:
    return any("${" in p for p in patterns)


def _where(clause: Clause) -> str:
    statement = clause.source.statement
    return f"{clause.source.label} line {statement.span.line}" if statement is not None else clause.source.label


def clause_applies(clause: Clause, action: str, resource: str) -> Decision:
    """Does this statement apply to ``action`` on ``resource``? (its Effect aside)"""
    reasons: list[str] = []
    hit = _matches(clause.actions, action, ignore_case=True)
    if hit == clause.not_action:  # listed in NotAction, or not in Action
        if not clause.unknown_actions:
            return Decision("no")
        element = "NotAction" if clause.not_action else "Action"
        reasons.append(f"its {element} also holds a value not known offline ({clause.unknown_actions[0].reason})")
    if resource == "*" and clause.not_resource:
        if "*" in clause.resources:
            return Decision("no")
        excluded = ", ".join(clause.resources) or "a value not known offline"
        reasons.append(f"its NotResource leaves out {excluded}")
    else:
        hit = _matches(clause.resources, resource, ignore_case=False)
        if hit == clause.not_resource:
            if not clause.unknown_resources:
                return Decision("no")
            element = "NotResource" if clause.not_resource else "Resource"
            reasons.append(f"its {element} also holds a value not known offline ({clause.unknown_resources[0].reason})")
        elif _has_variable(clause.resources):
            reasons.append("its Resource holds a policy variable, known only at request time")
    if clause.conditional:
        reasons.append(f"its Condition ({clause.condition_text()}) is not decided offline")
    if clause.doubt is not None:
        reasons.append(clause.doubt)
    return Decision("possible" if reasons else "yes", tuple(reasons), (clause.source,))


def _best_allow(policies: PolicySet, action: str, resource: str) -> Decision:
    """Does some Allow of these policies apply? yes / possible (each way it might) / no."""
    sure: list[Source] = []
    maybe: list[str] = []
    sources: list[Source] = []
    for clause in policies.allows:
        found = clause_applies(clause, action, resource)
        if found.answer == "yes":
            sure.append(clause.source)
        elif found.answer == "possible":
            sources.append(clause.source)
            maybe.extend(f"{_where(clause)} allows it, but {r}" for r in found.reasons)
    if sure:
        return Decision("yes", (), tuple(dict.fromkeys(sure)))
    maybe.extend(f"{u.reason}: it may allow it" for u in policies.unknown)
    if maybe:
        return Decision("possible", tuple(dict.fromkeys(maybe)), tuple(dict.fromkeys(sources)))
    return Decision("no")


def _denials(policies: tuple[PolicySet, ...], action: str, resource: str) -> tuple[str | None, tuple[str, ...]]:
    """The Deny that surely applies (where), else the reasons some Deny may."""
    maybe: list[str] = []
    for found_in in policies:
        for clause in found_in.denies:
            found = clause_applies(clause, action, resource)
            if found.answer == "yes":
                return _where(clause), ()
            if found.answer == "possible":
                maybe.extend(f"the Deny at {_where(clause)} may apply: {r}" for r in found.reasons)
    return None, tuple(maybe)


def _decide(policies: RolePolicies, action: str, resource: str) -> Decision:
    boundary = policies.boundary
    deny_sets = (
        (policies.identity,)
        if boundary is None or boundary.policies is None
        else (
            policies.identity,
            boundary.policies,
        )
    )
    denied_by, deny_doubts = _denials(deny_sets, action, resource)
    if denied_by is not None:
        return Decision("no", (f"denied by {denied_by}",))
    allowed = _best_allow(policies.identity, action, resource)
    if allowed.answer == "no":
        return Decision("no", ("no policy of the role allows it",))
    reasons = list(allowed.reasons)
    if boundary is not None:
        if boundary.policies is None:
            reasons.append(f"{boundary.reason}: it may not allow it")
        else:
            within = _best_allow(boundary.policies, action, resource)
            if within.answer == "no":
                return Decision("no", (f"the permissions boundary {boundary.label} does not allow it",))
            reasons.extend(within.reasons)
    reasons.extend(deny_doubts)
    if reasons:
        return Decision("possible", tuple(dict.fromkeys(reasons)), allowed.granted_by)
    return allowed


def allows(permissions: RolePermissions, action: str, resource: str = "*") -> Decision:
    """May the role call ``action`` (``service:Name``, any case) on ``resource`` (an ARN, or
    ``*``: every resource)? Remembered per role."""
    key = (action.lower(), resource)
    found = permissions.memo.get(key)
    if found is None:
        found = _decide(permissions.policies, key[0], resource)
        permissions.memo[key] = found
    return found
