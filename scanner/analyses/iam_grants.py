"""What a role grants on every resource: every action (``admin``), every IAM action
(``iam-admin``: whoever can write IAM can make themselves admin) or every action of whole
services (``service-admin``), and which statements (or AWS managed policies) grant it.

The role's policies are read by ``scanner.analyses.iam_policies`` (every attachment form, AWS
managed policies from their bundled documents) and each grant is a set of real actions from
the catalogue (``scanner.analyses.iam_action_sets``), so coverage is a subset test against
AWS's own action list, not a comparison of patterns:

* An Allow statement counts when it applies to every resource: its Resource holds ``*`` (other
  items not known offline are noted), or it has a NotResource (counted as every resource,
  with a note naming what it leaves out).
* Explicit Deny (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
  a Deny on Resource ``*`` without a Condition, in any policy of the role or in its boundary,
  takes its actions away. A Deny under a Condition, or on named resources only, removes
  nothing for sure: the grant stays, noted when the Deny touches it. A Deny in a policy that
  may not exist removes nothing for sure either: a grant it would cancel is kept, possible.
* Permissions boundary (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html):
  the effective permissions are what the role's policies allow *and* the boundary allows, so
  each grant is intersected with the actions the boundary allows on every resource (less its
  own Denies). ``AdministratorAccess`` under a boundary that allows only ``s3:*`` is every
  action of S3, no more. A boundary not known offline limits nothing for sure: the grant is
  possible, said.
* A grant is judged per statement (per AWS managed policy, as a whole), and then for all of
  them together: statements that only together hold every action of IAM (or of the account, or
  of a service) are one grant, at the first of them, naming the others.
* ``service-admin`` of a service means holding every one of its actions, and at least one that
  changes something (Write, Permissions management, Tagging) through a wildcard or NotAction:
  the grant then also takes the write actions AWS adds later. A list of today's few actions of
  a small service (``AmazonSSMManagedInstanceCore`` names the four ``ssmmessages`` actions) is
  least privilege, not control, even next to ``ReadOnlyAccess``'s ``ec2messages:Get*``; and
  every action of a read-only service (``pricing``) is reading it.
* A statement under a Condition still grants, with the note that the condition is not decided
  offline; an AWS managed policy whose grant rests only on its unconditional statements needs
  no note.
* An AWS managed policy ARN that is not in the bundle may allow anything: it is reported as a
  possible grant of every action (within the boundary, less the Denies), naming the ARN. A
  customer policy known by ARN only, or a document not known offline, gives no grant.

``role_grants`` is cached per role: the workloads that share a role share its grants.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from scanner.analyses.iam_action_sets import (
    changing_actions,
    controllable,
    controllable_services,
    covered_services,
    every_action,
    has_wildcard,
    pattern_set,
    restrict,
    service_actions,
    union,
)
from scanner.analyses.iam_evaluator import role_permissions
from scanner.analyses.iam_policies import (
    Boundary,
    Clause,
    PolicySet,
    Source,
    managed_policy_name,
    read_policies,
    statement_clause,
)
from scanner.frozen import frozen
from scanner.model import Statement
from scanner.values import Span, Unknown
from scanner.workload import ResolvedPolicy, RoleContext

GrantKind = Literal["admin", "iam-admin", "service-admin", "none"]
_SHOWN_SERVICES = 8  # a longer list of services is cut in sentences (properties keep all)


@frozen
class StatementVerdict:
    """What one Allow statement (or one AWS managed policy, or several statements together)
    grants on every resource.

    ``grant``: ``admin`` (every action), ``iam-admin`` (every IAM action), ``service-admin``
    (every action of the ``services``; ``("*",)`` means every service except
    ``except_services``) or ``none``. ``assumptions``: what the verdict rests on.
    ``boundary``: the permissions boundary it was limited by; ``unknown``: for a policy whose
    statements are not known offline (which may grant this), the assumption saying so."""

    grant: GrantKind
    services: tuple[str, ...] = ()
    except_services: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    boundary: str | None = None
    unknown: str = ""

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
                    return f"every action of every service except {_listed(self.except_services)}"
                return "every action of every service"
            return f"every action of {_listed(self.services)}"
        return "no administrative access"


NO_GRANT = StatementVerdict("none")


def _listed(names: tuple[str, ...]) -> str:
    if len(names) <= _SHOWN_SERVICES:
        return ", ".join(names)
    return f"{', '.join(names[:_SHOWN_SERVICES])} and {len(names) - _SHOWN_SERVICES} more"


@frozen
class Grant:
    """What one statement (or AWS managed policy) of a role's policies grants on every
    resource; ``together``: the other statements / policies it grants that with;
    ``denied_by``: the explicit Denies that take part of it away."""

    verdict: StatementVerdict
    resolved: ResolvedPolicy
    statement: Statement | None  # None for an AWS managed policy
    together: tuple[Source, ...] = ()
    denied_by: tuple[Source, ...] = ()  # the explicit Denies that take part of it away


# --- one clause, one source ----------------------------------------------------------------


@frozen
class _Part:
    """What a source grants on every resource: all of it, the part no note hangs on, the part
    written with wildcards (or NotAction), and the notes."""

    actions: frozenset[str]
    sure: frozenset[str]
    wild: frozenset[str]
    notes: tuple[str, ...]


def _unknown_note(element: str, unknowns: tuple[Unknown, ...]) -> str:
    return f"{element} also holds values not known offline ({unknowns[0].reason})"


def _clause_part(clause: Clause) -> _Part | None:
    """An Allow clause on every resource, as actions with notes; None when it is not one."""
    notes: list[str] = []
    if clause.not_resource:
        if "*" in clause.resources:
            return None
        excluded = ", ".join(clause.resources) if clause.resources else "a value not known offline"
        notes.append(f"NotResource excludes only {excluded}: counted as every resource")
    else:
        if "*" not in clause.resources:
            return None
        if clause.unknown_resources:
            notes.append(_unknown_note("Resource", clause.unknown_resources))
    if clause.not_action:
        if clause.unknown_actions:
            notes.append(f"{_unknown_note('NotAction', clause.unknown_actions)}; assumed to exclude nothing more")
        actions = pattern_set(clause.actions, True)
        wild = actions
    else:
        if not clause.actions:
            return None
        if clause.unknown_actions:
            notes.append(_unknown_note("Action", clause.unknown_actions))
        actions = pattern_set(clause.actions)
        wild = pattern_set(tuple(p for p in clause.actions if has_wildcard(p)))
    if clause.conditional:
        notes.append(f"granted under a condition ({clause.condition_text()}) not decided offline")
    if clause.doubt is not None:
        notes.append(f"{clause.doubt}; assumed it does")
    return _Part(actions, frozenset() if notes else actions, wild, tuple(notes))


def _source_part(clauses: list[Clause]) -> _Part | None:
    parts = [p for p in (_clause_part(c) for c in clauses) if p is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return _Part(
        union(tuple(p.actions for p in parts)),
        union(tuple(p.sure for p in parts)),
        union(tuple(p.wild for p in parts)),
        tuple(dict.fromkeys(n for p in parts for n in p.notes)),
    )


# --- what limits a grant: the Denies and the boundary ----------------------------------------


@frozen
class _Limits:
    """``within``: what the boundary allows on every resource (None: no boundary, or one not
    known); ``within_sure``: the same without its noted statements; ``denied``: what the
    Denies surely take away (``denied_certain``: without those in a policy that may not
    exist, ``doubtful`` their notes); ``conditional``: (actions, where) of the Denies that
    only may apply; ``boundary_notes``: what the boundary's part of a verdict rests on."""

    within: frozenset[str] | None = None
    within_sure: frozenset[str] | None = None
    denied: frozenset[str] = frozenset()
    denied_certain: frozenset[str] = frozenset()
    conditional: tuple[tuple[frozenset[str], str], ...] = ()
    doubtful: tuple[str, ...] = ()
    boundary_notes: tuple[str, ...] = ()
    boundary: str | None = None
    deniers: tuple[tuple[frozenset[str], Source], ...] = ()  # the sure Denies, where each is written


_NO_LIMITS = _Limits()


def _where(clause: Clause) -> str:
    statement = clause.source.statement
    return f"{clause.source.label} line {statement.span.line}" if statement is not None else clause.source.label


def _union(sets: list[frozenset[str]]) -> frozenset[str]:
    return union(tuple(sets)) if sets else frozenset()


def _limits(identity: PolicySet, boundary: Boundary | None) -> _Limits:
    denies = list(identity.denies)
    within: frozenset[str] | None = None
    within_sure: frozenset[str] | None = None
    boundary_notes: tuple[str, ...] = ()
    if boundary is not None and boundary.policies is None:
        boundary_notes = (f"{boundary.reason}; assumed it allows this",)
    elif boundary is not None and boundary.policies is not None:
        denies.extend(boundary.policies.denies)
        parts = [p for p in (_clause_part(c) for c in boundary.policies.allows) if p is not None]
        within = _union([p.actions for p in parts])
        within_sure = _union([p.sure for p in parts])
        notes = (n for p in parts for n in p.notes)
        boundary_notes = tuple(dict.fromkeys(f"the permissions boundary {boundary.label}: {n}" for n in notes))
    sure: list[frozenset[str]] = []
    certain: list[frozenset[str]] = []
    conditional: list[tuple[frozenset[str], str]] = []
    doubtful: list[str] = []
    deniers: list[tuple[frozenset[str], Source]] = []
    for clause in denies:
        if clause.not_resource or "*" not in clause.resources or (clause.not_action and clause.unknown_actions):
            continue  # on named resources only, or an unknown exception may exempt anything
        actions = pattern_set(clause.actions, clause.not_action)
        if clause.conditional:
            conditional.append((actions, f"{clause.condition_text()}, {_where(clause)}"))
            continue
        sure.append(actions)
        deniers.append((actions, clause.source))
        if clause.doubt is None:
            certain.append(actions)
        else:
            policy = clause.source.resolved.policy
            doubtful.append(
                f"{policy.address if policy else clause.source.label} (a Deny) may not exist; assumed it does not"
            )
    return _Limits(
        within=within,
        within_sure=within_sure,
        denied=_union(sure),
        denied_certain=_union(certain),
        conditional=tuple(conditional),
        doubtful=tuple(dict.fromkeys(doubtful)),
        boundary_notes=boundary_notes,
        boundary=boundary.label if boundary is not None and boundary.label else None,
        deniers=tuple(deniers),
    )


# --- the verdict on a set of actions --------------------------------------------------------


@lru_cache(maxsize=4096)
def _kind(actions: frozenset[str], wild: frozenset[str]) -> tuple[GrantKind, frozenset[str]]:
    """admin / iam-admin / service-admin (with the services held) / none, for a set of actions
    (``wild``: those granted through a wildcard or NotAction)."""
    if len(actions) == len(every_action()):
        return "admin", frozenset()
    if service_actions("iam") <= actions:
        return "iam-admin", frozenset()
    held = frozenset(s for s in covered_services(actions) if _controlled(s, wild))
    return ("service-admin", held) if held else ("none", frozenset())


def _controlled(service: str, wild: frozenset[str]) -> bool:
    """Some action of the service that changes something is held through a wildcard."""
    if service_actions(service) <= wild:
        return controllable(service)  # all of it through wildcards: is there a write at all
    return not changing_actions(service).isdisjoint(wild)


@frozen
class _Assessment:
    kind: GrantKind
    held: frozenset[str]  # the services, for service-admin
    granted: frozenset[str]  # the actions granted, once limited
    notes: tuple[str, ...]


_NOTHING = _Assessment("none", frozenset(), frozenset(), ())


def _target(kind: GrantKind, held: frozenset[str], granted: frozenset[str]) -> frozenset[str]:
    """The actions the verdict is about: a Deny touching them matters to it."""
    if kind == "admin":
        return granted
    if kind == "iam-admin":
        return service_actions("iam")
    return _union([service_actions(s) for s in sorted(held)])


def _assess(part: _Part, limits: _Limits, denied: frozenset[str] | None = None) -> _Assessment:
    taken = limits.denied if denied is None else denied
    granted = restrict(part.actions, limits.within, taken)
    kind, held = _kind(granted, part.wild)
    if kind == "none":
        return _NOTHING
    notes: list[str] = []
    if _kind(restrict(part.sure, limits.within, taken), part.wild) != (kind, held):
        notes.extend(part.notes)
    if limits.within is None or _kind(restrict(part.actions, limits.within_sure, taken), part.wild) != (kind, held):
        notes.extend(limits.boundary_notes)
    target = _target(kind, held, granted)
    notes.extend(
        f"a Deny under a condition ({where}) may take part of it away"
        for actions, where in limits.conditional
        if not actions.isdisjoint(target)
    )
    return _Assessment(kind, held, granted, tuple(dict.fromkeys(notes)))


def _assess_or_keep(part: _Part, limits: _Limits) -> _Assessment:
    """The assessment; a grant that only a Deny which may not exist cancels is kept, possible."""
    found = _assess(part, limits)
    if found.kind != "none" or not limits.doubtful:
        return found
    kept = _assess(part, limits, limits.denied_certain)
    if kept.kind == "none":
        return kept
    return _Assessment(kept.kind, kept.held, kept.granted, tuple(dict.fromkeys(kept.notes + limits.doubtful)))


def _verdict(found: _Assessment, order: dict[str, int], limits: _Limits, unknown: str = "") -> StatementVerdict:
    if found.kind == "none":
        return NO_GRANT
    if found.kind != "service-admin":
        return StatementVerdict(found.kind, (), (), found.notes, limits.boundary, unknown)
    every = controllable_services()

    def ordered(names: frozenset[str]) -> tuple[str, ...]:
        return tuple(sorted(names, key=lambda s: (order.get(s, len(order)), s)))

    if len(found.held) * 2 > len(every):
        return StatementVerdict(
            "service-admin", ("*",), ordered(every - found.held), found.notes, limits.boundary, unknown
        )
    return StatementVerdict("service-admin", ordered(found.held), (), found.notes, limits.boundary, unknown)


def _service_order(clauses: list[Clause]) -> dict[str, int]:
    """Services in the order the statements name them (a report lists them so)."""
    order: dict[str, int] = {}
    for clause in clauses:
        for pattern in clause.actions:
            service = pattern.lower().partition(":")[0]
            if service and not has_wildcard(service):
                order.setdefault(service, len(order))
    return order


# --- the role -------------------------------------------------------------------------------


def _sources(identity: PolicySet) -> list[tuple[Source, list[Clause]]]:
    """The Allow clauses, grouped by where they are written, in order."""
    grouped: dict[int, tuple[Source, list[Clause]]] = {}
    for clause in identity.allows:
        grouped.setdefault(id(clause.source), (clause.source, []))[1].append(clause)
    return list(grouped.values())


@lru_cache(maxsize=8192)
def role_grants(role: RoleContext) -> tuple[Grant, ...]:
    """What each statement (or AWS managed policy) of the role grants on every resource, then
    what several grant only together, then what AWS managed policies not in the bundle may."""
    policies = role_permissions(role).policies
    limits = _limits(policies.identity, policies.boundary)
    grants: list[Grant] = []
    alone: list[tuple[Source, _Part, _Assessment]] = []
    for source, clauses in _sources(policies.identity):
        part = _source_part(clauses)
        if part is None:
            continue
        found = _assess_or_keep(part, limits)
        alone.append((source, part, found))
        if found.kind != "none":
            verdict = _verdict(found, _service_order(clauses), limits)
            grants.append(Grant(verdict, source.resolved, source.statement, denied_by=_denied_by(part, limits)))
    if len(alone) > 1 and not any(found.kind in ("admin", "iam-admin") for _, _, found in alone):
        grants.extend(_together(alone, limits, _service_order(list(policies.identity.allows))))
    for unknown in policies.identity.unknown:
        if unknown.resolved.arn is not None and managed_policy_name(unknown.resolved.arn) is not None:
            note = f"{unknown.reason}; it may allow anything"
            found = _assess_or_keep(_anything(note), limits)
            if found.kind != "none":
                grants.append(Grant(_verdict(found, {}, limits, unknown=note), unknown.resolved, None))
    return tuple(grants)


def _denied_by(part: _Part, limits: _Limits) -> tuple[Source, ...]:
    """The Denies that surely take some of the part's actions away."""
    return tuple(dict.fromkeys(source for actions, source in limits.deniers if not actions.isdisjoint(part.actions)))


def _anything(note: str) -> _Part:
    return _Part(every_action(), frozenset(), every_action(), (note,))


def _combined(parts: list[_Part]) -> _Part:
    return _Part(
        _union([p.actions for p in parts]),
        _union([p.sure for p in parts]),
        _union([p.wild for p in parts]),
        tuple(dict.fromkeys(n for p in parts for n in p.notes)),
    )


def _together(alone: list[tuple[Source, _Part, _Assessment]], limits: _Limits, order: dict[str, int]) -> list[Grant]:
    """What the statements grant only together (when no one of them has every action or every
    IAM action): every action, or every IAM action; whole services none of them holds alone.
    One grant, at the first statement that takes part, naming the others."""
    whole = _assess(_combined([part for _, part, _ in alone]), limits)
    if whole.kind == "none":
        return []
    held = whole.held - frozenset(s for _, _, found in alone for s in found.held)
    if whole.kind == "service-admin" and not held:
        return []
    target = _target(whole.kind, held, whole.granted)
    taking_part = [(source, part) for source, part, _ in alone if not (part.actions & whole.granted).isdisjoint(target)]
    if len(taking_part) < 2:
        return []
    found = _assess(_combined([part for _, part in taking_part]), limits)
    found = _Assessment(whole.kind, held, whole.granted, found.notes)
    (first, _), *others = taking_part
    return [Grant(_verdict(found, order, limits), first.resolved, first.statement, tuple(s for s, _ in others))]


# --- one statement, one AWS managed policy, alone ------------------------------------------------


def statement_grants(stmt: Statement) -> StatementVerdict:
    """What one statement grants on its own (a Deny grants nothing)."""
    clause = statement_clause(ResolvedPolicy(attached_at=stmt.span, attached_by=""), stmt)
    part = _clause_part(clause) if clause is not None and clause.effect == "allow" else None
    if clause is None or part is None:
        return NO_GRANT
    return _verdict(_assess(part, _NO_LIMITS), _service_order([clause]), _NO_LIMITS)


def managed_policy_verdict(arn: str) -> StatementVerdict:
    """What an AWS managed policy, known by ARN only, grants (any partition, including an
    unresolved ``arn:${AWS::Partition}:``); a possible grant of everything when not bundled."""
    if managed_policy_name(arn) is None:
        return NO_GRANT
    read = read_policies((ResolvedPolicy(attached_at=Span("", 0, 0), attached_by="", arn=arn),))
    if read.unknown:
        note = f"{read.unknown[0].reason}; it may allow anything"
        return _verdict(_assess(_anything(note), _NO_LIMITS), {}, _NO_LIMITS, unknown=note)
    clauses = list(read.allows)
    part = _source_part(clauses)
    if part is None:
        return NO_GRANT
    limits = _limits(PolicySet(denies=read.denies), None)
    return _verdict(_assess(part, limits), _service_order(clauses), limits)
