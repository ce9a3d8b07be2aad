"""A role's policies as IAM reads them: Allow and Deny clauses, each with where it is written.

A role's identity-based policies are all of: its inline policies (``inline_policy`` blocks,
CloudFormation ``Policies``), role policies (``aws_iam_role_policy``, ``AWS::IAM::Policy`` /
``RolePolicy``), customer managed policies attached in any form, and AWS managed policies
attached by ARN (``RoleContext.policies``, as the graph resolved them). Its permissions
boundary (``RoleContext.boundary``) is read the same way, apart.

An AWS managed policy is read from its real default-version document, bundled offline
(``scanner.iam_catalogue``); any partition's ARN (``aws``, ``aws-cn``, ``aws-us-gov``, the ISO
partitions, CloudFormation's unresolved ``${AWS::Partition}``) reads the ``aws`` partition's
policy of the same path and name. An AWS managed ARN that is not in the bundle (a policy newer
than it, a misspelt name), a customer managed policy known by ARN only, and a document not
known offline are *unknown policies*, named with the reason: never an empty policy.

A statement is read as IAM does (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html):
``Effect`` Allow or Deny (anything else, or unknown, is not a statement IAM would accept and is
left out), ``Action`` or ``NotAction``, ``Resource`` or ``NotResource`` (a statement without
one of each is left out: IAM rejects it), ``Condition``. Items not known offline are kept
apart (``unknown_actions``, ``unknown_resources``) so a verdict can say it rests on them. A
clause's ``doubt`` says when the statement, its policy or the attachment may not exist (an
unknown ``count`` or ``Condition``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal

from scanner.frozen import frozen
from scanner.iam_catalogue import managed_policies_as_of, managed_policy_document
from scanner.model import Statement
from scanner.values import Unknown
from scanner.workload import ResolvedPolicy, RoleContext

Effect = Literal["allow", "deny"]

_MANAGED_ARN = re.compile(r"^arn:(?:aws|aws-cn|aws-us-gov|aws-iso[a-z-]*|\$\{[^}]+\}):iam::aws:policy/(.+)$")


def managed_policy_name(arn: str) -> str | None:
    """``AdministratorAccess`` for ``arn:<any partition>:iam::aws:policy/AdministratorAccess``
    (path kept: ``service-role/AmazonEC2RoleforSSM``); None for anything but an AWS managed ARN."""
    found = _MANAGED_ARN.match(arn.strip())
    if found is None or "${" in found.group(1):
        return None
    return found.group(1).lstrip("/")


@frozen(eq=False)
class Source:
    """Where clauses are written: one statement of a policy of the configuration
    (``statement`` set), or an AWS managed policy as a whole, at the line attaching it."""

    resolved: ResolvedPolicy
    statement: Statement | None

    @property
    def label(self) -> str:
        return policy_label(self.resolved)


def policy_label(resolved: ResolvedPolicy) -> str:
    """How a report names the policy: its address, or the AWS managed policy's name (with path)."""
    if resolved.policy is not None:
        return resolved.policy.address
    name = managed_policy_name(resolved.arn or "")
    return name if name is not None else (resolved.arn or resolved.attached_by)


@frozen(eq=False)
class Clause:
    """One statement as the evaluator reads it. ``actions`` are the known items of ``Action``
    (of ``NotAction`` when ``not_action``); ``resources`` those of ``Resource`` (of
    ``NotResource`` when ``not_resource``). ``conditions``: the Condition's ``"<operator>
    <key>"`` pairs; ``conditional`` is set whenever there is a Condition, even one not known."""

    effect: Effect
    actions: tuple[str, ...]
    not_action: bool
    unknown_actions: tuple[Unknown, ...]
    resources: tuple[str, ...]
    not_resource: bool
    unknown_resources: tuple[Unknown, ...]
    conditional: bool
    conditions: tuple[str, ...]
    doubt: str | None
    source: Source

    def condition_text(self) -> str:
        return ", ".join(self.conditions) if self.conditions else "a condition not known offline"


@frozen
class UnknownPolicy:
    """A policy of the role whose statements are not known offline, and why."""

    resolved: ResolvedPolicy
    reason: str


@frozen
class PolicySet:
    """The clauses of some policies, Allow and Deny apart, and the policies not known."""

    allows: tuple[Clause, ...] = ()
    denies: tuple[Clause, ...] = ()
    unknown: tuple[UnknownPolicy, ...] = ()


@frozen
class Boundary:
    """The role's permissions boundary: its clauses, or (``policies`` None) why they are not
    known. ``label``: the policy's address or AWS managed name ("" when it names nothing known)."""

    resolved: ResolvedPolicy
    label: str
    policies: PolicySet | None
    reason: str = ""


@frozen
class RolePolicies:
    """Everything IAM weighs for the role: its identity-based policies and its boundary."""

    role: RoleContext
    identity: PolicySet
    boundary: Boundary | None


def _known(values: tuple[str | Unknown, ...]) -> tuple[tuple[str, ...], tuple[Unknown, ...]]:
    return (
        tuple(v for v in values if isinstance(v, str)),
        tuple(v for v in values if isinstance(v, Unknown)),
    )


def _doubt(resolved: ResolvedPolicy, statement: Statement | None) -> str | None:
    """The sentence when the statement, its policy or what attaches it may not exist."""
    if statement is not None and statement.existence is not None:
        return f"the statement at {statement.span} may not exist ({statement.existence.reason})"
    for found in (resolved.policy, resolved.attachment):
        if found is not None and found.existence is not None:
            return f"{found.address} may not exist ({found.existence.reason})"
    return None


def statement_clause(resolved: ResolvedPolicy, statement: Statement) -> Clause | None:
    """The statement as a clause; None when IAM would not accept it (no Allow/Deny effect, no
    Action/NotAction, no Resource/NotResource)."""
    effect = statement.effect.lower() if isinstance(statement.effect, str) else None
    if effect not in ("allow", "deny"):
        return None
    if statement.actions is not None:
        actions, unknown_actions = _known(statement.actions)
        not_action = False
    elif statement.not_actions is not None:
        actions, unknown_actions = _known(statement.not_actions)
        not_action = True
    else:
        return None
    if statement.resources is not None:
        resources, unknown_resources = _known(statement.resources)
        not_resource = False
    elif statement.not_resources is not None:
        resources, unknown_resources = _known(statement.not_resources)
        not_resource = True
    else:
        return None
    return Clause(
        effect="allow" if effect == "allow" else "deny",
        actions=actions,
        not_action=not_action,
        unknown_actions=unknown_actions,
        resources=resources,
        not_resource=not_resource,
        unknown_resources=unknown_resources,
        conditional=statement.has_condition,
        conditions=statement.conditions,
        doubt=_doubt(resolved, statement),
        source=Source(resolved, statement),
    )


# One statement of a bundled document: effect, actions, not_action, resources, not_resource, conditions.
_Parsed = tuple[Effect, tuple[str, ...], bool, tuple[str, ...], bool, tuple[str, ...]]


def _strings(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(str(v) for v in items if v is not None)


@lru_cache(maxsize=512)
def _managed_statements(name: str) -> tuple[_Parsed, ...] | None:
    """The statements of the bundled AWS managed policy ``name`` (with path), None when not bundled."""
    document = managed_policy_document(f"arn:aws:iam::aws:policy/{name}")
    if document is None:
        return None
    statements = document.get("Statement", [])
    parsed: list[_Parsed] = []
    for item in statements if isinstance(statements, list) else [statements]:
        if not isinstance(item, dict):
            continue
        effect = str(item.get("Effect", "")).lower()
        action_key = "Action" if "Action" in item else "NotAction" if "NotAction" in item else None
        resource_key = "Resource" if "Resource" in item else "NotResource" if "NotResource" in item else None
        if effect not in ("allow", "deny") or action_key is None or resource_key is None:
            continue
        condition = item.get("Condition")
        conditions = tuple(
            f"{operator} {key}"
            for operator, keys in (condition.items() if isinstance(condition, dict) else ())
            for key in (keys if isinstance(keys, dict) else ())
        )
        parsed.append(
            (
                "allow" if effect == "allow" else "deny",
                _strings(item[action_key]),
                action_key == "NotAction",
                _strings(item[resource_key]),
                resource_key == "NotResource",
                conditions,
            )
        )
    return tuple(parsed)


def _managed_clauses(resolved: ResolvedPolicy, name: str) -> tuple[Clause, ...] | None:
    statements = _managed_statements(name)
    if statements is None:
        return None
    source = Source(resolved, None)
    doubt = _doubt(resolved, None)
    return tuple(
        Clause(
            effect=effect,
            actions=actions,
            not_action=not_action,
            unknown_actions=(),
            resources=resources,
            not_resource=not_resource,
            unknown_resources=(),
            conditional=bool(conditions),
            conditions=conditions,
            doubt=doubt,
            source=source,
        )
        for effect, actions, not_action, resources, not_resource, conditions in statements
    )


def _unknown_reason(resolved: ResolvedPolicy) -> str:
    """Why the statements of a policy known by ARN only (or by nothing) are not known."""
    arn = resolved.arn
    if arn is None:
        return f"the policy {resolved.attached_by} names is not known offline"
    name = managed_policy_name(arn)
    if name is not None:
        return (
            f"the AWS managed policy {name} is not in the bundled AWS managed policy documents "
            f"(as of {managed_policies_as_of()}), so what it allows is not known offline"
        )
    return f"the policy {arn} is not defined in this configuration, so what it allows is not known offline"


def read_policies(resolved_policies: tuple[ResolvedPolicy, ...]) -> PolicySet:
    """The clauses of these policies (see the module docstring)."""
    allows: list[Clause] = []
    denies: list[Clause] = []
    unknown: list[UnknownPolicy] = []
    for resolved in resolved_policies:
        policy = resolved.policy
        if policy is not None:
            if policy.document_unknown is not None:
                reason = f"the document of {policy.address} is not known offline ({policy.document_unknown.reason})"
                unknown.append(UnknownPolicy(resolved, reason))
                continue
            clauses: tuple[Clause | None, ...] = tuple(statement_clause(resolved, s) for s in policy.statements)
        else:
            name = managed_policy_name(resolved.arn) if resolved.arn is not None else None
            managed = _managed_clauses(resolved, name) if name is not None else None
            if managed is None:
                unknown.append(UnknownPolicy(resolved, _unknown_reason(resolved)))
                continue
            clauses = managed
        for clause in clauses:
            if clause is not None:
                (allows if clause.effect == "allow" else denies).append(clause)
    return PolicySet(tuple(allows), tuple(denies), tuple(unknown))


def _boundary(role: RoleContext) -> Boundary | None:
    resolved = role.boundary
    if resolved is None:
        return None
    if resolved.policy is None and resolved.arn is None:
        value = role.role.permissions_boundary
        reason = value.reason if isinstance(value, Unknown) else f"{value} is not defined in this configuration"
        return Boundary(resolved, "", None, f"the permissions boundary is not known offline ({reason})")
    label = policy_label(resolved)
    read = read_policies((resolved,))
    if read.unknown:
        return Boundary(resolved, label, None, f"the permissions boundary is not known: {read.unknown[0].reason}")
    return Boundary(resolved, label, read)


def read_role(role: RoleContext) -> RolePolicies:
    """The role's identity-based policies and its permissions boundary, as clauses."""
    return RolePolicies(role, read_policies(role.policies), _boundary(role))
