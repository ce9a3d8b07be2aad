"""Each candidate edit measured on every workload it can change, and each workload's fixes
ranked.

For a workload and an edit: the edited context (``scanner.fixes.substitute``), the rules the
edit can change re-run on it (only those that found a trait before: an edit only takes
away), the other traits kept, and the severity computed as the exposure's is. The outcome:

* **resolves**: no trait is left, the exposure is gone;
* **reduces**: the severity that holds is lower (a workload left with only possible traits
  has none);
* **clears**: traits go but the severity stays (an IMDSv1 trait on a workload that is low
  for other reasons);
* nothing changed: the edit is not a fix for this workload and is not suggested.

Ranking (best first): fixes that lower the severity (or resolve the exposure) before those
that only clear traits; among them, fixes that keep every public service (an authorised
port the internet reaches today, through a load balancer or directly) before those that
stop one; then the lowest severity after; then the smallest change (``edits.CHANGE_SIZE``);
then the most traits cleared; then file and line.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import field, fields

from scanner.analyses.network import sg_rule_ports
from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.reachability import PathKey, PathReport
from scanner.copies import copy_with
from scanner.findings import SHOWN_FIXES, Evidence, Fix, FixOutcome, Severity, SourceChange, Trait
from scanner.fixes.edits import CHANGE_SIZE, CHANGES, PARTS, Edit, EditsAt, Lookup, candidate_edits, workload_edits
from scanner.fixes.patches import source_patch
from scanner.fixes.served import path_served, ports_in
from scanner.fixes.shortcuts import RULE_EDITS, InternetAfter, internet_after_address_edit, internet_after_edit
from scanner.fixes.substitute import edited_context
from scanner.frozen import frozen
from scanner.model import Resource, SecurityGroupRule
from scanner.options import ScanOptions
from scanner.rules import (
    admin_role,
    imdsv1,
    internet_reachable,
    open_security_group,
    privilege_escalation,
    remote_access,
    service_admin_role,
    vpc_reachable,
)
from scanner.rules.registry import rule_order
from scanner.workload import ApiGatewayFront, Placement, WorkloadContext

ReadLines = Callable[[str], list[str] | None]  # a file (relative to the scan root) -> its lines
Found = tuple[tuple[tuple[str, bool], ...], frozenset[int]]  # (rule id, possible) of each trait found; ports served
Severities = Callable[[Sequence[tuple[str, bool]]], Severity | None]  # from (rule id, possible) pairs


# Edited objects and outcomes kept for sharing: workloads that share a group or a whole
# signature sit close together in a configuration, so a bound costs little sharing and
# keeps a large estate's edited copies from piling up.
_SHARED_LIMIT = 4096


@frozen
class FixRun:
    """What one analysis run shares while measuring fixes."""

    lookup: Lookup
    memo: NetworkMemo
    options: ScanOptions
    severity: Severities  # the severity of a workload with these (active) traits
    active: Callable[[Trait], bool]  # not silenced by an inline suppression
    vulnerability_data: object = None
    # Each edited object once per run, whichever workload meets it first: workloads sharing
    # a group then share its edited rules, and with them the network memo's answers.
    applied: dict[tuple[object, str], tuple[Resource, Resource | None]] = field(default_factory=dict)
    # The traits an edit leaves, per workload signature (see ``network_signature``); not
    # shared when inline suppressions may tell two workloads' traits apart.
    outcomes: dict[tuple[object, ...], Found | None] = field(default_factory=dict)
    shares_outcomes: bool = True
    # The edits found at each place (``edits.candidate_edits``)
    edits_at: EditsAt = field(default_factory=dict)
    # The lines of a file a shown fix edits (None: not readable, or not to be patched: a plan)
    read_lines: ReadLines = field(default=lambda path: None)
    # The source patch of each edit shown, once per configuration (``scanner.fixes.patches``)
    patches: dict[tuple[str, str, object], tuple[SourceChange, ...]] = field(default_factory=dict)

    def patch(self, edit: Edit) -> tuple[SourceChange, ...]:
        known = self.patches.get(edit.key)
        if known is None:
            known = self.patches[edit.key] = source_patch(
                edit, self.lookup(edit.address), self.read_lines(edit.span.file)
            )
        return known

    def change(self, edit: Edit) -> Callable[[Resource], Resource | None]:
        def applied(obj: Resource) -> Resource | None:
            key = (edit.key, obj.address)
            known = self.applied.get(key)
            if known is None or known[0] is not obj:
                if len(self.applied) >= _SHARED_LIMIT:
                    self.applied.clear()
                known = self.applied[key] = (obj, edit.apply(obj))
            return known[1]

        return applied


def workload_fixes(
    run: FixRun,
    ctx: WorkloadContext,
    traits: Sequence[Trait],
    open_reports: Sequence[tuple[PathKey, PathReport]] | None = None,
) -> tuple[Fix, ...]:
    """Every edit that changes this workload, ranked. ``traits``: the workload's active
    traits (what its severity comes from); ``open_reports``: the candidate paths found open
    (only those are analysed again on an edited copy, or decide the edit's outcome; None:
    all are analysed again)."""
    present = {t.rule_id for t in traits}
    before = run.severity([(t.rule_id, t.possible) for t in traits])
    served = _served_ports(traits, run.options.authorized_ports)
    signatures: dict[bool, tuple[object, ...]] = {}
    fixes: list[tuple[Fix, Edit]] = []
    # what the traits no re-run rule can change keep: (rule id, possible) and ports served, per re-run set
    kept_by_rerun: dict[frozenset[str], tuple[list[tuple[str, bool]], frozenset[int]]] = {}
    internet = next((t for t in traits if t.rule_id == internet_reachable.ID), None)
    named_by: dict[str, frozenset[str]] = {}
    edits = candidate_edits(traits, run.lookup, run.edits_at)
    edits += [e for e in workload_edits(traits, ctx.launch_template) if e.key not in {d.key for d in edits}]
    for edit in edits:
        rerun = CHANGES[edit.kind] & present
        if admin_role.ID in rerun:
            # an admin role hides what it could escalate to (scanner.rules.privilege_escalation):
            # an edit taking admin away may leave an escalation, which must be measured too
            rerun |= {privilege_escalation.ID}
        if internet is not None and internet_unchanged(edit, internet, run, named_by):
            rerun -= {internet_reachable.ID}
        if edit.kind in RULE_EDITS:
            rerun -= {r for r in rerun & _RULE_NAMING if edit.address not in _named(traits, r, named_by)}
        if not rerun:
            continue
        reads_roles = not rerun.isdisjoint(_ROLE_RULES)
        signature = signatures.get(reads_roles)
        if signature is None:
            shared = run.shares_outcomes and not rerun & _OWN_RULES
            signature = signatures[reads_roles] = network_signature(ctx, reads_roles) if shared else (ctx.address,)
        key = (edit.key, frozenset(rerun), signature)
        if key in run.outcomes:
            found = run.outcomes[key]
        else:
            if len(run.outcomes) >= _SHARED_LIMIT:
                run.outcomes.clear()
            found = run.outcomes[key] = _rerun(run, ctx, edit, rerun, open_reports)
        if found is None:
            continue  # the workload does not hold the object: not its edit
        if rerun not in kept_by_rerun:
            untouched = [t for t in traits if t.rule_id not in rerun]
            kept_by_rerun[rerun] = (
                [(t.rule_id, t.possible) for t in untouched],
                _served_ports(untouched, run.options.authorized_ports),
            )
        kept, kept_served = kept_by_rerun[rerun]
        fix = _measured(edit, traits, before, [*kept, *found[0]], run, served, kept_served | found[1])
        if fix is not None:
            fixes.append((fix, edit))
    ranked = sorted(fixes, key=lambda pair: _rank(pair[0]))
    # only the fixes a report shows get their source patch: the files of the others are not read
    return tuple(
        copy_with(fix, patch=run.patch(edit)) if index < SHOWN_FIXES else fix
        for index, (fix, edit) in enumerate(ranked)
    )


_CUT_ON_A_PATH = frozenset(
    {"remove_world_sources", "remove_rule", "remove_acl_entry", "remove_route", "remove_listener", "make_internal"}
)


def internet_unchanged(edit: Edit, trait: Trait, run: FixRun, named_by: dict[str, frozenset[str]]) -> bool:
    """Whether the edit certainly leaves the ``ec2-internet-reachable`` trait as it is, so
    the path analysis need not run again: the trait holds (not possible), and the edited
    object is on none of its paths and none of its related places (each path names the rule,
    NACL entry, route, listener and load balancer that let it through, so an object named
    nowhere decides none of them), and it is not a security group rule that admits an
    authorised port (it could be the one that serves the public port). An edit of a public
    address always runs again while some path goes through an internet gateway.
    ``named_by``: what each rule's traits name (``_named``)."""
    if trait.possible or edit.kind not in _CUT_ON_A_PATH:
        return False
    if edit.address in _named((trait,), trait.rule_id, named_by):
        return False
    if edit.kind in RULE_EDITS:
        rule = run.lookup(edit.address)
        if not isinstance(rule, SecurityGroupRule):
            return False
        return not ports_in(str(sg_rule_ports(rule)), run.options.authorized_ports)
    return True


# Rules whose traits name every security group rule that makes them hold (a rule admitting
# the whole internet, each piece of a pieced opening, each rule admitting the whole VPC): an
# edit of a rule none of their traits names leaves them as they are, so they are not run again.
_RULE_NAMING = frozenset({open_security_group.ID, remote_access.ID, vpc_reachable.ID})


def _named(traits: Sequence[Trait], rule_id: str, known: dict[str, frozenset[str]]) -> frozenset[str]:
    """Every address the traits of one rule name: their places, related places and path
    steps; found once per workload (``known``)."""
    found = known.get(rule_id)
    if found is None:
        named: set[str] = set()
        for trait in traits:
            if trait.rule_id == rule_id:
                named.add(trait.location.address)
                named.update(e.address for e in trait.related)
                named.update(s.address for path in (trait.path, *trait.other_paths) for s in path)
        found = known[rule_id] = frozenset(named)
    return found


def _rerun(
    run: FixRun,
    ctx: WorkloadContext,
    edit: Edit,
    rerun: frozenset[str],
    open_reports: Sequence[tuple[PathKey, PathReport]] | None = None,
) -> Found | None:
    """The traits of the ``rerun`` rules on the edited workload (None when the workload does
    not hold the edited object: then the edit is not one of its fixes). The internet trait
    after an edit of a security group rule, a route, a NACL entry or a public address is
    decided from the paths found open when they decide it (``scanner.fixes.shortcuts``),
    else found again like the others."""
    from scanner.rules.context import CheckContext
    from scanner.rules.registry import check_workload

    decided = _internet_decided(run, ctx, edit, rerun, open_reports)
    if decided is not None:
        rerun = rerun - {internet_reachable.ID}
        if not rerun:
            return decided
    edited = edited_context(ctx, edit.address, run.change(edit), PARTS[edit.kind])
    if edited is None:
        return None
    open_paths = frozenset(key for key, _ in open_reports) if open_reports is not None else None
    check = CheckContext(edited, run.memo, run.vulnerability_data, path_candidates=open_paths)  # type: ignore[arg-type]
    if decided is None and edit.kind == "no_public_ip" and _decides(run, rerun, open_reports):
        assert open_reports is not None
        after = internet_after_address_edit(
            edited, check.public_addresses.of(4), open_reports, run.options.authorized_ports
        )
        if after is not None:
            decided = _as_found(after)
            rerun = rerun - {internet_reachable.ID}
    found = [t for t in check_workload(check, run.options, rerun) if run.active(t)]
    if decided is not None:
        return (*decided[0], *((t.rule_id, t.possible) for t in found)), decided[1]
    return tuple((t.rule_id, t.possible) for t in found), _served_ports(found, run.options.authorized_ports)


def _decides(run: FixRun, rerun: frozenset[str], open_reports: Sequence[tuple[PathKey, PathReport]] | None) -> bool:
    """Whether the open paths may decide the internet trait (``scanner.fixes.shortcuts``):
    it is re-run, the paths are at hand, and no inline suppression tells traits apart."""
    return open_reports is not None and internet_reachable.ID in rerun and run.shares_outcomes


def _internet_decided(
    run: FixRun,
    ctx: WorkloadContext,
    edit: Edit,
    rerun: frozenset[str],
    open_reports: Sequence[tuple[PathKey, PathReport]] | None,
) -> Found | None:
    """The internet trait after an edit, as (rule id, possible) pairs and the ports it
    serves, when the open paths decide it (``scanner.fixes.shortcuts``); None otherwise (and
    when the workload does not hold the edited object: then the edit is not its own). Not
    when inline suppressions may tell the traits apart (``run.shares_outcomes``)."""
    if not _decides(run, rerun, open_reports):
        return None
    assert open_reports is not None
    edited: Resource | None = None
    if edit.kind in RULE_EDITS:
        rule = _held_rule(ctx, edit.address)
        if rule is None:
            return None
        edited = edit.apply(rule)
    elif not _held_elsewhere(ctx, edit):
        return None
    after = internet_after_edit(
        ctx,
        edit.kind,
        edit.address,
        edited if isinstance(edited, SecurityGroupRule) else None,
        open_reports,
        run.options.authorized_ports,
    )
    return _as_found(after) if after is not None else None


def _as_found(after: InternetAfter) -> Found:
    """The internet trait the open paths decide, as a re-run finds it."""
    possible, served = after
    return ((internet_reachable.ID, possible),) if possible is not None else (), served


def _held_elsewhere(ctx: WorkloadContext, edit: Edit) -> bool:
    """Whether the workload holds the route or NACL entry an edit removes (in a subnet of
    its own or of its load balancers'): else the edit is not its own."""
    if edit.kind not in ("remove_route", "remove_acl_entry"):
        return False
    placements = [*ctx.placements, *(p for r in ctx.load_balancer_routes for p in r.lb_placements)]
    if edit.kind == "remove_route":
        return any(r.route.address == edit.address for p in placements for r in p.routes)
    return any(e.address == edit.address for p in placements for e in p.acl_entries)


def _held_rule(ctx: WorkloadContext, address: str) -> SecurityGroupRule | None:
    """The rule at ``address`` as the workload holds it: in its groups or its load balancers'."""
    groups = [*ctx.security_groups, *(g for r in ctx.load_balancer_routes for g in r.lb_security_groups)]
    return next((r for g in groups for r in g.rules if r.address == address), None)


# The rules that read a workload's roles, and those that read its own settings (its metadata
# options), which the signature does not hold: the IMDS rule's outcome is never shared.
_ROLE_RULES = frozenset({admin_role.ID, service_admin_role.ID, privilege_escalation.ID})
_OWN_RULES = frozenset({imdsv1.ID})


def network_signature(ctx: WorkloadContext, reads_roles: bool = True) -> tuple[object, ...]:
    """What the rules an edit re-runs read from a workload, by object identity: two
    workloads with the same signature get the same traits (but for their own addresses)
    from every edit, so an edit's outcome is measured once for all of them. The Elastic IPs
    and ENIs an instance has alone, and any sentence about what did not resolve, keep it
    apart from the others. The roles only count for the rules that read them
    (``reads_roles``): instances behind one group with roles of their own share every
    network edit's outcome."""
    work = ctx.workload
    return (
        type(work),
        getattr(work, "associate_public_ip", None),
        getattr(work, "ipv6_address_count", None),
        id(ctx.launch_template),
        tuple(id(u.template) for u in ctx.launch_templates),
        tuple((id(g.group), tuple(map(id, g.rules))) for g in ctx.security_groups),
        tuple(_placement_signature(p) for p in ctx.placements),
        tuple(map(id, ctx.network_interfaces)),
        tuple(map(id, ctx.elastic_ips)),
        tuple(
            (id(r.load_balancer), id(r.listener), id(r.target_group), r.target_port) for r in ctx.load_balancer_routes
        ),
        tuple(id(r.role) for r in ctx.roles) if reads_roles else (),
        id(ctx.metadata_defaults),
        tuple(map(_by_identity, ctx.accelerators)),
        tuple(map(_by_identity, ctx.cloudfront_origins)),
        tuple(map(_api_gateway_signature, ctx.api_gateways)),
        ctx.unresolved,
    )


def _api_gateway_signature(front: ApiGatewayFront) -> tuple[object, ...]:
    """An API Gateway front by identity, the link's subnets and groups as a workload's are."""
    return (
        id(front.integration),
        id(front.api),
        id(front.link),
        front.load_balancer,
        front.listener,
        tuple(_placement_signature(p) for p in front.link_placements),
        tuple((id(g.group), tuple(map(id, g.rules))) for g in front.link_groups),
        front.guessed,
    )


def _by_identity(front: object) -> tuple[object, ...]:
    """A front's fields: plain values as they are, model objects by identity."""
    return tuple(
        value if isinstance(value, (str, bool, int, type(None))) else id(value)
        for value in (getattr(front, f.name) for f in fields(front))  # type: ignore[arg-type]
    )


def _placement_signature(placement: Placement) -> tuple[object, ...]:
    return (
        id(placement.subnet),
        id(placement.route_table),
        id(placement.network_acl),
        placement.default_vpc,
        tuple(id(r.route) for r in placement.routes),
        tuple(map(id, placement.acl_entries)),
    )


def _measured(
    edit: Edit,
    traits: Sequence[Trait],
    before: Severity | None,
    after: Sequence[tuple[str, bool]],
    run: FixRun,
    served: frozenset[int],
    still_served: frozenset[int],
) -> Fix | None:
    severity = run.severity(after)
    left = {rule_id for rule_id, _ in after}
    cleared = tuple(sorted({t.rule_id for t in traits} - left, key=rule_order))
    outcome: FixOutcome
    if not after:
        outcome = "resolves"
    elif _rank_of(severity) < _rank_of(before):
        outcome = "reduces"
    elif cleared:
        outcome = "clears"
    else:
        return None
    stopped = sorted(served - still_served)
    stops = f"stops the public service on {', '.join(f'tcp {p}' for p in stopped)}" if stopped else ""
    message = _what_is_there(edit, traits)
    return Fix(
        rule_id=edit.rule_id,
        location=Evidence(edit.span, edit.address, message),
        severity=severity,
        remediation=edit.description,
        outcome=outcome,
        cleared=cleared,
        stops_service=stops,
        kind=edit.kind,
    )


def _what_is_there(edit: Edit, traits: Sequence[Trait]) -> str:
    """What the edited place does today, in a trait's words ("allows tcp 22 from 0.0.0.0/0")."""
    for trait in traits:
        if trait.location.span == edit.span or trait.location.address == edit.address:
            return trait.location.message
    for trait in traits:
        for evidence in trait.related:
            if evidence.address == edit.address:
                return evidence.message
    return ""


def _rank_of(severity: Severity | None) -> int:
    return int(severity) if severity is not None else 0


def _rank(fix: Fix) -> tuple[bool, bool, int, int, int, int, str, int, str]:
    span = fix.location.span
    return (
        fix.outcome == "clears",
        bool(fix.stops_service),
        _rank_of(fix.severity) if fix.outcome != "resolves" else -1,
        CHANGE_SIZE.get(fix.kind, 9),  # type: ignore[call-overload]
        -len(fix.cleared),
        rule_order(fix.rule_id),
        span.file,
        span.line,
        fix.remediation,
    )


def _served_ports(traits: Sequence[Trait], authorized: Collection[int]) -> frozenset[int]:
    """The authorised tcp ports the internet reaches the workload's service on, over every
    path of its internet trait (``scanner.fixes.served``)."""
    out: set[int] = set()
    for trait in traits:
        if trait.rule_id == internet_reachable.ID:
            for path in (trait.path, *trait.other_paths):
                out.update(path_served(path, authorized))
    return frozenset(out)
