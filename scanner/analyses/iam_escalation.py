"""What a role can become: privilege-escalation paths from it to administrative access.

The paths are the catalogue's (``scanner.escalation_catalogue``: pathfinding.cloud's ids and
required actions); whether the role may call each action on the resource the path needs is
the evaluator's answer (``scanner.analyses.iam_evaluator.allows``: the union of the role's
policies, less explicit Denies, within its permissions boundary). A path reaches:

- **the role itself, made admin** (``self``: ``iam:PutRolePolicy`` / ``iam:AttachRolePolicy``
  on its own ARN, ``iam:CreatePolicyVersion`` on a customer managed policy attached to it);
- **another role T of the configuration**: passed to a new compute resource (``pass``:
  ``iam:PassRole`` allowed on T's ARN, and T's trust policy admits the service the path
  uses; https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html),
  assumed (``assume``: ``sts:AssumeRole`` on T, and T's trust policy admits this role, its
  account's root or ``*``), its trust policy rewritten (``trust``), its permissions changed
  and taken over (``modify-target``: admin at once), or the role of an existing compute
  resource (``existing``: an instance or a Lambda function of the configuration the role may
  act on, ``scanner.analyses.iam_existing_compute``; of other services, which resource runs
  with which role is not read: possible, named). When T has administrative access
  (``scanner.analyses.iam_grants``: every action, or every IAM action, on every resource)
  the escalation is found; otherwise the search goes on from T, at most ``MAX_HOPS`` hops,
  each role visited once (a cycle ends);
- **something outside the configuration**: a role ARN a statement names that no role here
  has, an IAM user (users are not read): possible, with the reason.

Reading resources: a statement item that refers to a role's or a managed policy's ARN
(``aws_iam_role.t.arn``, ``!GetAtt T.Arn``, ``!Ref Policy``) is that ARN. The configuration's
account is not known offline, so an ARN naming an account (or a region) is read as naming
this one (its partition, region and account fields are wildcards here). ``iam:PassedToService`` conditions on
``iam:PassRole`` are decided for the service each path passes to (``StringEquals`` /
``StringLike`` and their negations); any other condition leaves the grant possible, named.
Actions a path needs on a resource created by the attack (``ec2:RunInstances``,
``lambda:CreateFunction`` ...) count when allowed on every resource (``*``).

A policy whose statements are not known offline (an AWS managed ARN not in the bundle) adds
no move: the admin traits already report it as possibly admin. A trust policy's Deny
statements are not weighed.

What is searched once: per role, its moves (``moves``), cached in the configuration's
``ConfigurationRoles.memo``, so the workloads sharing a role, and the chains passing through
it, share them; the roles a statement names are found by ARN lookup (a wildcard pattern is
matched once against every role's ARN; ``*`` is every role), never by asking every role on
every path. A role none of whose statements may grant any action of the catalogue has no
move (one set intersection), and no hop is made to a role that is not admin and has none:
on an estate of thousands of instances, most instance roles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from scanner.analyses import iam_existing_compute as existing
from scanner.analyses.iam_action_sets import pattern_set
from scanner.analyses.iam_evaluator import Answer, Decision, RolePermissions, allows, role_permissions
from scanner.analyses.iam_grants import role_grants
from scanner.analyses.iam_policies import Boundary, Clause, PolicySet, RolePolicies, Source
from scanner.escalation_catalogue import EscalationPath, Required, catalogue
from scanner.frozen import frozen
from scanner.model import Instance, Statement
from scanner.model_lambda import LambdaFunction
from scanner.values import ResourceRef, Unknown
from scanner.workload import ConfigurationRoles, RoleContext, RunsWithRole

MAX_HOPS = 4
_IAM_ARN = re.compile(r"^arn:[^:]*:iam::[^:]*:")
_OTHER_ARN = re.compile(r"^arn:[^:]*:(?!iam:)([^:]*):[^:]*:[^:]*:")
_ROLE_ARN = re.compile(r"^arn:[^:]*:iam::[^:]*:role/")
_ACCOUNT_ROOT = re.compile(r"^(?:arn:[^:]*:iam::(?P<account>[^:]*):root|(?P<bare>\d{12}))$")
_PASSED_TO_SERVICE = "iam:passedtoservice"
_NAMING_ATTRIBUTES = ("arn", "ref", "id", "name", "function_name")
_NAMED_BY_ANY_ATTRIBUTE = (":policy/", ":instance/", ":function:")
_ANY_ACCOUNT = "arn:*:iam::*:"


def role_arn(role: RoleContext) -> str:
    """The role's ARN as the search matches it (any partition and account). A role whose name
    is not known offline (a generated name) gets a name no literal pattern matches."""
    name = role.role.name if isinstance(role.role.name, str) else f"<generated name of {role.role.address}>"
    return f"{_ANY_ACCOUNT}role/{name}"


def _policy_arn(name: object, address: str) -> str:
    return f"{_ANY_ACCOUNT}policy/{name if isinstance(name, str) else f'<generated name of {address}>'}"


@frozen
class Move:
    """One step a role can take along path ``path``: to admin at once (``admin``: its own
    permissions, or ``target``'s, changed), to another role of the configuration
    (``target``), or outside it (``outside`` names what: an ARN, an IAM user).
    ``granted_by``: the statements allowing the path's first action."""

    path: EscalationPath
    actor: RoleContext
    target: RoleContext | None
    admin: bool
    outside: str
    answer: Answer
    reasons: tuple[str, ...]
    granted_by: tuple[Source, ...]
    first_action: str
    # A hop the target's trust policy alone allows (it names this role): its statement
    trusted_by: Statement | None = None
    # A hop through an existing compute resource of the configuration: the resource, its role
    via: existing.Running | None = None

    def text(self) -> str:
        actor = self.actor.role.address
        if self.path.family == "self":
            return f"{actor} changes its own permissions ({self.path.id}: {self.path.name})"
        if self.outside:
            return f"{actor} reaches {self.outside} ({self.path.id}: {self.path.name})"
        target = self.target.role.address if self.target is not None else "?"
        if self.via is not None:
            resource = self.via.resource
            one = isinstance(resource, Instance | LambdaFunction)  # else a group or fleet of instances
            taken = resource.address if one else f"an instance of {resource.address}"
            return f"{actor} takes over {taken}, which runs with {target} ({self.path.id}: {self.path.name})"
        verbs = {
            "pass": f"passes {target} to {self.path.service}",
            "existing": f"takes over a resource of {self.path.service} running with {target}",
            "assume": f"assumes {target}",
            "trust": f"rewrites the trust policy of {target} and assumes it",
            "modify-target": f"changes the permissions of {target} and takes it over",
        }
        return f"{actor} {verbs.get(self.path.family, f'reaches {target}')} ({self.path.id}: {self.path.name})"


@frozen
class Escalation:
    """A chain of moves from the workload's role to administrative access. ``admin_role``:
    the role of the configuration that has it (None: a move gave admin, or the chain ends
    outside the configuration); ``admin_reasons``: what its admin verdict rests on."""

    moves: tuple[Move, ...]
    answer: Answer
    reasons: tuple[str, ...]
    admin_role: RoleContext | None


# --- reading a role's statements for the search ---------------------------------------------


def _arn_index(directory: ConfigurationRoles) -> dict[str, str]:
    """Address -> ARN of every role and customer managed policy of the configuration."""
    found = directory.memo.get("arns")
    if found is None:
        found = {}
        for role in directory.roles:
            found[role.role.address] = role_arn(role)
            for resolved in role.policies:
                policy = resolved.policy
                if policy is not None and policy.managed:
                    found[policy.address] = _policy_arn(policy.name, policy.address)
        directory.memo["arns"] = found
    return found


def _roles_by_arn(directory: ConfigurationRoles) -> dict[str, RoleContext]:
    found = directory.memo.get("roles_by_arn")
    if found is None:
        found = {role_arn(r): r for r in directory.roles}
        directory.memo["roles_by_arn"] = found
    return found


def _widen(pattern: str) -> str:
    """An ARN pattern with any partition, region and account (the configuration's are not known)."""
    if not pattern.startswith("arn:"):
        return pattern
    return _OTHER_ARN.sub(r"arn:*:\1:*:*:", _IAM_ARN.sub(_ANY_ACCOUNT, pattern))


def _ref_arn(unknown: Unknown, arns: dict[str, str]) -> str | None:
    for ref in unknown.refs:
        if isinstance(ref, ResourceRef) and ref.attribute.lower() in _NAMING_ATTRIBUTES:
            found = arns.get(ref.address)
            if found is None:
                continue
            # a policy's id, and an instance's or a function's id / Ref / name, stand for them too
            if ref.attribute.lower() == "arn" or any(kind in found for kind in _NAMED_BY_ANY_ATTRIBUTE):
                return found
    return None


def _passed_to(clause: Clause, service: str) -> bool | None:
    """The clause's Condition decided for ``iam:PassRole`` to ``service``: True it holds,
    False it does not, None it says more than ``iam:PassedToService`` (or values not known)."""
    statement = clause.source.statement
    if statement is None or not statement.condition_values:
        return None
    holds = True
    for operator, key, values in statement.condition_values:
        known = [v for v in values if isinstance(v, str)]
        if key.lower() != _PASSED_TO_SERVICE or len(known) != len(values):
            return None
        op = operator.removesuffix("IfExists")
        matched = any(re.fullmatch(re.escape(v).replace(r"\*", ".*").replace(r"\?", "."), service) for v in known)
        if op in ("StringEquals", "StringLike"):
            holds = holds and matched
        elif op in ("StringNotEquals", "StringNotLike"):
            holds = holds and not matched
        else:
            return None
    return holds


def _rewrite(clause: Clause, arns: dict[str, str], service: str) -> Clause | None:
    """The clause as the search reads it (see the module docstring); None when its condition
    excludes ``service``."""
    changes: dict[str, object] = {}
    resources = tuple(_widen(r) for r in clause.resources)
    if clause.unknown_resources:
        resolved = [(u, _ref_arn(u, arns)) for u in clause.unknown_resources]
        resources += tuple(a for _, a in resolved if a is not None)
        changes["unknown_resources"] = tuple(u for u, a in resolved if a is None)
    if resources != clause.resources:
        changes["resources"] = resources
    if service and clause.conditional:
        holds = _passed_to(clause, service)
        if holds is False:
            return None
        if holds is True:
            changes["conditional"] = False
            changes["conditions"] = ()
    return replace(clause, **changes) if changes else clause  # type: ignore[arg-type]


def _rewrite_set(policies: PolicySet, arns: dict[str, str], service: str) -> PolicySet:
    allows_ = tuple(c for c in (_rewrite(c, arns, service) for c in policies.allows) if c is not None)
    denies = tuple(c for c in (_rewrite(c, arns, service) for c in policies.denies) if c is not None)
    return PolicySet(allows_, denies, policies.unknown)


def _mentions_passed_to_service(policies: RolePolicies) -> bool:
    clauses = [*policies.identity.allows, *policies.identity.denies]
    if policies.boundary is not None and policies.boundary.policies is not None:
        clauses += [*policies.boundary.policies.allows, *policies.boundary.policies.denies]
    return any(_PASSED_TO_SERVICE in " ".join(c.conditions).lower() for c in clauses)


def _view(
    role: RoleContext, directory: ConfigurationRoles, service: str = "", compute: bool = False
) -> RolePermissions:
    """The role's permissions as the search reads them, for passing a role to ``service``
    (one view for every service when no statement conditions on ``iam:PassedToService``);
    ``compute``: also reading references to the configuration's instances and functions."""
    policies = role_permissions(role).policies
    if service and not _mentions_passed_to_service(policies):
        service = ""
    key = ("view", role, service, compute)
    found = directory.memo.get(key)
    if found is None:
        arns = _arn_index(directory)
        if compute:
            arns = {**arns, **existing.arns(directory)}
        boundary = policies.boundary
        if boundary is not None and boundary.policies is not None:
            boundary = Boundary(
                boundary.resolved, boundary.label, _rewrite_set(boundary.policies, arns, service), boundary.reason
            )
        found = RolePermissions(RolePolicies(role, _rewrite_set(policies.identity, arns, service), boundary))
        directory.memo[key] = found
    return found


def _held(role: RoleContext) -> frozenset[str]:
    """The catalogue's actions some known Allow statement of the role may grant (on anything)."""
    wanted = catalogue().actions
    held: set[str] = set()
    for clause in role_permissions(role).policies.identity.allows:
        if clause.unknown_actions:
            return wanted
        held |= wanted & pattern_set(clause.actions, clause.not_action)
    return frozenset(held)


def _action_hit(clause: Clause, action: str) -> bool:
    if clause.unknown_actions:
        return True
    return (action in pattern_set(clause.actions, False)) != clause.not_action


def _named(
    view: RolePermissions, action: str, directory: ConfigurationRoles
) -> tuple[tuple[RoleContext, ...], tuple[str, ...]]:
    """The roles of the configuration the Allow statements granting ``action`` may name, and
    the role ARNs they name that no role here has."""
    by_arn = _roles_by_arn(directory)
    roles: dict[str, RoleContext] = {}
    outside: list[str] = []
    for clause in view.policies.identity.allows:
        if not _action_hit(clause, action):
            continue
        if clause.not_resource or clause.unknown_resources or "*" in clause.resources:
            return directory.roles, ()
        for pattern in clause.resources:
            if "*" in pattern or "?" in pattern or "${" in pattern:
                glob = re.compile(
                    re.sub(r"\\\$\\\{[^}]*\\\}", ".*", re.escape(pattern)).replace(r"\*", ".*").replace(r"\?", ".")
                )
                roles.update((arn, r) for arn, r in by_arn.items() if glob.fullmatch(arn))
            elif pattern in by_arn:
                roles[pattern] = by_arn[pattern]
            elif _ROLE_ARN.match(pattern):
                outside.append(pattern.removeprefix(_ANY_ACCOUNT))
    return tuple(roles.values()), tuple(dict.fromkeys(outside))


# --- trust policies ---------------------------------------------------------------------------


def _trusting(role: RoleContext) -> tuple[Statement, ...]:
    """The Allow statements of the role's trust policy that may allow ``sts:AssumeRole``."""
    found = []
    for statement in role.role.trust:
        if not isinstance(statement.effect, str) or statement.effect.lower() != "allow":
            continue
        actions = [a for a in statement.actions or () if isinstance(a, str)]
        if (
            statement.actions is not None
            and actions
            and not any("sts:assumerole" in pattern_set((a,)) for a in actions)
        ):
            continue
        found.append(statement)
    return tuple(found)


def _trust_gaps(role: RoleContext) -> str | None:
    if role.role.trust_unknown is not None:
        return f"the trust policy of {role.role.address} is not known offline ({role.role.trust_unknown.reason})"
    return None


def admits_service(role: RoleContext, service: str) -> Decision:
    """Does the role's trust policy let ``service`` assume it?"""
    gap = _trust_gaps(role)
    if gap is not None:
        return Decision("possible", (gap,))
    reasons: list[str] = []
    for statement in _trusting(role):
        for kind, value in statement.principals or ():
            hit = (kind == "Service" and value == service) or (kind in ("*", "AWS") and value == "*")
            if isinstance(value, Unknown):
                reasons.append(f"a Principal of the trust policy of {role.role.address} is not known offline")
            elif hit:
                if statement.has_condition:
                    reasons.append(
                        f"the trust policy of {role.role.address} admits {service} under a condition "
                        f"({', '.join(statement.conditions) or 'not known offline'}) not decided offline"
                    )
                else:
                    return Decision("yes")
    if reasons:
        return Decision("possible", tuple(dict.fromkeys(reasons)))
    return Decision("no", (f"the trust policy of {role.role.address} does not admit {service}",))


def admits_role(target: RoleContext, actor: RoleContext, directory: ConfigurationRoles) -> Decision:
    """Does ``target``'s trust policy let ``actor`` assume it (the actor named, its account's
    root, or anyone)? ``explicit``: named by ARN (no identity permission is then needed)."""
    gap = _trust_gaps(target)
    if gap is not None:
        return Decision("possible", (gap,))
    arns = _arn_index(directory)
    mine = role_arn(actor)
    reasons: list[str] = []
    for statement in _trusting(target):
        for kind, value in statement.principals or ():
            if kind not in ("AWS", "*"):
                continue
            if isinstance(value, Unknown):
                named = _ref_arn(value, arns)
                if named == mine:
                    hit = "yes"
                elif named is not None:
                    continue  # another role of the configuration
                elif any(isinstance(r, ResourceRef) and "caller_identity" in r.address for r in value.refs):
                    hit = "yes"  # the account this configuration deploys to: its root
                else:
                    reasons.append(f"a Principal of the trust policy of {target.role.address} is not known offline")
                    continue
            elif value == "*" or _widen(value) == mine:
                hit = "yes"
            else:
                root = _ACCOUNT_ROOT.match(value)
                if root is None:
                    continue
                account = root.group("account") or root.group("bare") or ""
                if "${" in account:
                    hit = "yes"  # ${AWS::AccountId}: the stack's own account
                else:
                    reasons.append(
                        f"the trust policy of {target.role.address} admits the account {account}: this role, "
                        "if the configuration deploys to that account (not known offline)"
                    )
                    continue
            if statement.has_condition:
                reasons.append(
                    f"the trust policy of {target.role.address} admits it under a condition "
                    f"({', '.join(statement.conditions) or 'not known offline'}) not decided offline"
                )
                continue
            return Decision(hit)  # type: ignore[arg-type]
    if reasons:
        return Decision("possible", tuple(dict.fromkeys(reasons)))
    return Decision("no", (f"the trust policy of {target.role.address} does not admit {actor.role.address}",))


# --- admin ------------------------------------------------------------------------------------


def admin_decision(role: RoleContext) -> Decision:
    """Has the role administrative access (what ``ec2-admin-role`` means)?"""
    reasons: list[str] = []
    for grant in role_grants(role):
        if not grant.verdict.is_admin:
            continue
        if not grant.verdict.assumptions and not grant.verdict.unknown:
            return Decision("yes", (), (Source(grant.resolved, grant.statement),))
        reasons.extend(grant.verdict.assumptions or (grant.verdict.unknown,))
    if reasons:
        return Decision("possible", tuple(dict.fromkeys(reasons)))
    return Decision("no")


def _admin(role: RoleContext, directory: ConfigurationRoles) -> Decision:
    key = ("admin", role)
    found = directory.memo.get(key)
    if found is None:
        found = admin_decision(role)
        directory.memo[key] = found
    return found


# --- one role's moves -------------------------------------------------------------------------


def _joined(*decisions: Decision) -> Decision | None:
    """All of them together: None when one is no, else yes / possible with every reason."""
    if any(d.answer == "no" for d in decisions):
        return None
    reasons = tuple(dict.fromkeys(r for d in decisions for r in d.reasons if d.answer == "possible"))
    return Decision("possible" if reasons else "yes", reasons)


def _on_every(view: RolePermissions, required: Iterable[Required]) -> Decision | None:
    return _joined(*(allows(view, r.action, "*") for r in required if r.on in ("*", "user")), Decision("yes"))


def _move(
    path: EscalationPath,
    actor: RoleContext,
    first: Decision,
    together: Decision | None,
    *,
    target: RoleContext | None = None,
    admin: bool = False,
    outside: str = "",
    more: tuple[str, ...] = (),
    via: existing.Running | None = None,
) -> Move | None:
    if together is None:
        return None
    reasons = tuple(dict.fromkeys((*together.reasons, *more)))
    return Move(
        path=path,
        actor=actor,
        target=target,
        admin=admin,
        outside=outside,
        answer="possible" if reasons else "yes",
        reasons=reasons,
        granted_by=first.granted_by,
        first_action=path.actions[0].name,
        via=via,
    )


def _managed_arns(role: RoleContext, arns: dict[str, str]) -> list[str]:
    """The ARNs of the customer managed policies of the configuration attached to the role."""
    return [arns[r.policy.address] for r in role.policies if r.policy is not None and r.policy.address in arns]


def _path_moves(path: EscalationPath, actor: RoleContext, directory: ConfigurationRoles) -> list[Move]:
    family = path.family
    view = _view(actor, directory, path.service if family == "pass" else "")
    rest = _on_every(view, path.actions)
    if rest is None or family == "user-only":
        return []
    moves: list[Move | None] = []
    mine = role_arn(actor)
    if family == "self":
        required = path.actions[0]
        candidates = [mine] if required.on == "self_role" else _managed_arns(actor, _arn_index(directory))
        for arn in candidates:
            first = allows(view, required.action, arn)
            moves.append(_move(path, actor, first, _joined(first, rest), admin=True))
            if moves[-1] is not None:
                break
    elif family == "user":
        first = allows(view, path.actions[0].action, "*")
        moves.append(_move(path, actor, first, rest, outside="an IAM user of the account", more=(path.why,)))
    elif family == "existing":
        moves.extend(_existing_moves(path, actor, view, rest, directory))
    else:  # pass, assume, trust, modify-target: the roles the statements name
        keyed = next(r for r in path.actions if r.on in ("passed_role", "target_role"))
        targets, outside = _named(view, keyed.action, directory)
        arns = _arn_index(directory)
        for target in targets:
            if target.role is actor.role:
                continue
            found = _target_move(path, actor, target, view, rest, arns, directory)
            if found is not None:
                moves.append(found)
        if path.family == "assume" and len(path.actions) == 1:
            named = {id(t.role) for t in targets}
            moves.extend(_trusted_moves(path, actor, view, rest, directory, named))
        for arn in outside:
            first = allows(view, path.actions[0].action, f"{_ANY_ACCOUNT}{arn}")
            reason = f"{arn} is not defined in this configuration: what it may do is not known offline"
            moves.append(_move(path, actor, first, _joined(first, rest), outside=arn, more=(reason,)))
    return [m for m in moves if m is not None]


def _existing_moves(
    path: EscalationPath, actor: RoleContext, view: RolePermissions, rest: Decision, directory: ConfigurationRoles
) -> list[Move | None]:
    """Taking over a compute resource that already runs with a role: each instance or
    function of the configuration the actor may act on (one move per role they run with,
    one that holds for sure first), then onwards from that role. Beyond them (another
    service's resources, or a role none of them runs with), which resource runs with which
    role is not read: a move to the best admin role that trusts the service, possible and
    never a hop onwards."""
    kind = existing.kind_of(path)
    groups = existing.running(directory, kind) if kind is not None else ()
    out: list[Move | None] = []
    if kind is not None and groups:
        permissions = _view(actor, directory, compute=True)
        same = existing.alike(permissions, kind)
        required = [r.action for r in path.actions if r.on == kind]
        shared: list[Decision] = []
        together: Decision | None = None
        for role, resources, trust in _worth_taking(directory, kind, path.service):
            if role.role.address == actor.role.address:  # its own instances: nothing gained
                continue
            best: Move | None = None
            for item in resources:
                target = existing.taken_over(item, role, kind)
                if not same or not shared:  # treated alike: one answer serves every resource
                    shared = [existing.on_resource(permissions, action, target, kind, same) for action in required]
                    together = _joined(rest, *shared)
                joined = together if together is None or trust.answer == "yes" else _joined(together, trust)
                move = _move(path, actor, shared[0], joined, target=role, via=target)
                if move is not None and (best is None or move.answer == "yes"):
                    best = move
                if same or (best is not None and best.answer == "yes"):
                    break
            out.append(best)
            if best is not None and best.answer == "yes" and _admin(role, directory).answer == "yes":
                # the search takes the first sure move to a sure admin: the roles after it
                # are never reached through this path (an estate has hundreds of them)
                break
    taken = existing.taken_roles(directory, kind) if kind is not None else frozenset()
    admin_role = _service_admin(path.service, directory, taken)
    if admin_role is not None and admin_role[0].role is not actor.role:
        admin, trust = admin_role
        first = allows(view, path.actions[0].action, "*")
        anywhere = _joined(*(allows(view, r.action, "*") for r in path.actions), trust)
        out.append(_move(path, actor, first, anywhere, target=admin, more=(path.why,)))
    return out


def _worth_taking(
    directory: ConfigurationRoles, kind: existing.Kind, service: str
) -> tuple[tuple[RoleContext, tuple[RunsWithRole, ...], Decision], ...]:
    """The resources of ``kind`` by the role they run with, for the roles that trust
    ``service`` (else the resource holds no credentials of it) and lead on (``_leads_on``),
    with the trust decision; once per configuration."""
    key = ("worth_taking", kind, service)
    found: tuple[tuple[RoleContext, tuple[RunsWithRole, ...], Decision], ...] | None = directory.memo.get(key)
    if found is None:
        found = tuple(
            (role, resources, trust)
            for role, resources in existing.running(directory, kind)
            if _leads_on(role, directory) and (trust := admits_service(role, service)).answer != "no"
        )
        directory.memo[key] = found
    return found


def _trusted_moves(
    path: EscalationPath,
    actor: RoleContext,
    view: RolePermissions,
    rest: Decision,
    directory: ConfigurationRoles,
    named: set[int],
) -> list[Move]:
    """Assuming a role whose trust policy names this role by its ARN. Within one account
    such a trust policy is enough: no ``sts:AssumeRole`` of the role's own policies is
    needed (IAM evaluates a request in one account as allowed by either kind of policy),
    but an explicit Deny of its own still refuses it."""
    out: list[Move] = []
    for target, statement in _naming(directory).get(role_arn(actor), ()):
        if target.role is actor.role or id(target.role) in named:
            continue
        own = allows(view, path.actions[0].action, role_arn(target))
        if own.answer == "no" and any(r.startswith("denied by") for r in own.reasons):
            continue
        trust = admits_role(target, actor, directory)
        if trust.answer == "no":
            continue
        move = _move(path, actor, own, _joined(rest, trust), target=target)
        if move is not None:
            out.append(replace(move, trusted_by=statement) if not own.granted_by else move)
    return out


_ASSUME = "sts:assumerole"


def _naming(directory: ConfigurationRoles) -> dict[str, list[tuple[RoleContext, Statement]]]:
    """Role ARN -> the roles whose trust policy names that role itself (not its account, not
    anyone), each with the statement: found once per configuration."""
    found = directory.memo.get("trust_naming")
    if found is None:
        found = {}
        arns = _arn_index(directory)
        for role in directory.roles:
            for statement in _trusting(role):
                for kind, value in statement.principals or ():
                    if kind != "AWS":
                        continue
                    arn = _ref_arn(value, arns) if isinstance(value, Unknown) else _widen(str(value))
                    if arn is not None and ":role/" in arn:
                        found.setdefault(arn, []).append((role, statement))
        directory.memo["trust_naming"] = found
    return found


def _target_move(
    path: EscalationPath,
    actor: RoleContext,
    target: RoleContext,
    view: RolePermissions,
    rest: Decision,
    arns: dict[str, str],
    directory: ConfigurationRoles,
) -> Move | None:
    arn = role_arn(target)
    decisions: list[Decision] = []
    first: Decision | None = None
    for required in path.actions:
        if required.on in ("passed_role", "target_role"):
            found = allows(view, required.action, arn)
        elif required.on == "target_policy":
            found = next(
                (d for a in _managed_arns(target, arns) if (d := allows(view, required.action, a)).answer != "no"),
                Decision("no"),
            )
        else:
            continue
        if found.answer == "no":
            return None
        first = first or found
        decisions.append(found)
    if first is None:
        return None
    if path.family == "pass":
        decisions.append(admits_service(target, path.service))
    if path.family in ("assume", "modify-target") and any(r.action == _ASSUME for r in path.actions):
        decisions.append(admits_role(target, actor, directory))
    return _move(path, actor, first, _joined(rest, *decisions), target=target, admin=path.family == "modify-target")


def _service_admin(
    service: str, directory: ConfigurationRoles, taken: frozenset[str] = frozenset()
) -> tuple[RoleContext, Decision] | None:
    """The role with administrative access whose trust policy admits ``service`` (one that
    holds for sure first), with the trust decision, but none of the roles ``taken`` (which
    resources of the configuration run with them is known); once per configuration, service
    and ``taken``."""
    key = ("service_admin", service, taken)
    if key in directory.memo:
        found: tuple[RoleContext, Decision] | None = directory.memo[key]
        return found
    best: tuple[int, RoleContext, Decision] | None = None
    for role in directory.roles:
        if role.role.address in taken:
            continue
        trust = admits_service(role, service)
        if trust.answer == "no":
            continue
        admin = _admin(role, directory)
        if admin.answer == "no":
            continue
        rank = (trust.answer != "yes") + (admin.answer != "yes")
        if best is None or rank < best[0]:
            best = (rank, role, trust)
            if rank == 0:
                break
    found = (best[1], best[2]) if best is not None else None
    directory.memo[key] = found
    return found


def _held_by(role: RoleContext, directory: ConfigurationRoles) -> frozenset[str]:
    """The catalogue's actions the role may take (cached per role)."""
    key = ("held", role)
    found: frozenset[str] | None = directory.memo.get(key)
    if found is None:
        found = _held(role)
        if role_arn(role) in _naming(directory):
            found |= {_ASSUME}  # a trust policy naming the role lets it assume without a permission of its own
        directory.memo[key] = found
    return found


def _leads_on(role: RoleContext, directory: ConfigurationRoles) -> bool:
    """Can reaching the role matter: it is (or may be) admin, or may take a move of its own?
    Most instance roles of an estate are neither: a hop to one is not made."""
    return bool(_held_by(role, directory)) or _admin(role, directory).answer != "no"


def moves(role: RoleContext, directory: ConfigurationRoles) -> tuple[Move, ...]:
    """Every move the role can take, in the catalogue's order (cached per role)."""
    key = ("moves", role)
    found = directory.memo.get(key)
    if found is None:
        held = _held_by(role, directory)
        found = ()
        if held:
            found = tuple(
                move
                for path in catalogue().paths
                if all(r.action in held for r in path.actions)
                for move in _path_moves(path, role, directory)
            )
        directory.memo[key] = found
    return found


# --- the search -------------------------------------------------------------------------------


def _finish(chain: tuple[Move, ...], admin_role: RoleContext | None, admin: Decision) -> Escalation:
    reasons = tuple(dict.fromkeys((*(r for m in chain for r in m.reasons), *admin.reasons)))
    answer: Answer = "possible" if reasons else "yes"
    return Escalation(chain, answer, reasons, admin_role)


def _search(start: RoleContext, directory: ConfigurationRoles, sure: bool) -> Escalation | None:
    """The shortest chain to admin (``sure``: of moves that hold for sure, to a role that is
    admin for sure), breadth first, each role once."""
    seen = {start.role.address}
    frontier: list[tuple[RoleContext, tuple[Move, ...]]] = [(start, ())]
    fallback: Escalation | None = None
    for _ in range(MAX_HOPS):
        following: list[tuple[RoleContext, tuple[Move, ...]]] = []
        for role, chain in frontier:
            for move in moves(role, directory):
                if sure and move.answer != "yes":
                    continue
                path = (*chain, move)
                if move.admin:
                    return _finish(path, None, Decision("yes"))
                if move.outside:
                    if fallback is None and not sure:
                        fallback = _finish(path, None, Decision("yes"))
                    continue
                target = move.target
                if target is None:
                    continue
                admin = _admin(target, directory)
                if admin.answer == "yes" or (admin.answer == "possible" and not sure):
                    return _finish(path, target, admin)
                if target.role.address not in seen:
                    seen.add(target.role.address)
                    following.append((target, path))
        frontier = following
        if not frontier:
            break
    return fallback


def escalation(role: RoleContext, directory: ConfigurationRoles) -> Escalation | None:
    """The best chain from ``role`` to administrative access: one that holds for sure, else a
    possible one; None when there is none (cached per role)."""
    key = ("escalation", role)
    if key in directory.memo:
        found: Escalation | None = directory.memo[key]
        return found
    found = _search(role, directory, True) or _search(role, directory, False)
    directory.memo[key] = found
    return found
