"""Security group rules on the workload that let the whole internet in.

Only the workload's attached groups are read (``ctx.security_groups``, each with all its
inline and standalone rules), and of them only ingress rules whose source is the whole
internet: an IPv4 ``0.0.0.0/0`` or IPv6 ``::/0`` CIDR (written any way that parses to a /0).
Rules from other security groups, prefix lists or the group itself never count.

Values not known offline are never guessed either way: a rule whose only sources are not
known offline (a variable, a data source) may admit the whole internet, and a rule that may
not exist (its count is unknown) may open what it says: both are *possible* world rules
(``WorldRule.assumptions`` / ``unknowns``), never a quiet no or a quiet yes. A world CIDR
next to an unknown one is certain. A rule whose protocol or ports are unknown is not read. Missing ports on
a TCP / UDP rule are taken as the whole range (what AWS shows for a rule without them).

The whole internet may also be written in pieces (``0.0.0.0/1`` and ``128.0.0.0/1``, or any
set of rules whose known sources together cover every internet address of a family):
``pieced_openings`` gives what only such a combination opens, so it is no less open than a
``/0``. Private, reserved and multicast space does not have to be covered.

``world_rule_trait`` builds a trait on one such rule for the rules that read them
(``ec2-remote-access``, ``ec2-open-security-group``): it points at the rule's CIDR line (the
line to change), with the group and the line that attaches it to the workload as related
places.
"""

from __future__ import annotations

from typing import Any

from scanner.analyses.network import (
    NOT_INTERNET,
    Network,
    PortSet,
    atoms,
    internet_reach,
    internet_size,
    is_internet_address,
    network_contains_address,
    parse_cidr,
    sg_rule_ports,
    unknown_source_note,
)
from scanner.analyses.unknowns import may_not_exist, origins_of
from scanner.findings import Evidence, PathStep, Trait
from scanner.frozen import frozen
from scanner.locations import written_evidence
from scanner.model import SecurityGroupRule
from scanner.protocols import ALL_PROTOCOLS, PROTOCOL_NAMES, TCP, UDP, normalize_protocol
from scanner.values import Origin, Span, Unknown
from scanner.workload import AttachedGroup, WorkloadContext

ALL = ALL_PROTOCOLS
REMOTE_ACCESS_PORTS: tuple[int, ...] = (22, 3389)
REMOTE_NAMES = {22: "SSH", 3389: "RDP"}
_MAX_PORT = 65535


@frozen
class Opening:
    """What one ingress rule lets in: a protocol (IANA number as a string, "-1" for all) and,
    for TCP / UDP, a port range."""

    protocol: str
    low: int = 0
    high: int = _MAX_PORT

    @property
    def has_ports(self) -> bool:
        return self.protocol in (TCP, UDP)

    def describe(self) -> str:
        if self.protocol == ALL:
            return "all traffic"
        name = PROTOCOL_NAMES.get(self.protocol, f"protocol {self.protocol}")
        if not self.has_ports:
            return name
        return f"{name} {port_range(self.low, self.high)}"

    def remote_access_ports(self) -> tuple[int, ...]:
        if self.protocol not in (TCP, ALL):
            return ()
        return tuple(p for p in REMOTE_ACCESS_PORTS if self.low <= p <= self.high)

    def unauthorized_tcp_ranges(self, authorized: frozenset[int]) -> list[tuple[int, int]]:
        """The TCP port ranges of this opening outside ``authorized``."""
        ranges: list[tuple[int, int]] = []
        start = self.low
        for port in sorted(p for p in authorized if self.low <= p <= self.high):
            if port > start:
                ranges.append((start, port - 1))
            start = port + 1
        if start <= self.high:
            ranges.append((start, self.high))
        return ranges


def port_range(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}-{high}"


def rule_opening(rule: SecurityGroupRule) -> Opening | None:
    """The rule's protocol and ports, or None when they are not known offline."""
    protocol = normalize_protocol(rule.protocol) if not isinstance(rule.protocol, bool) else None
    if protocol is None:
        return None
    if protocol not in (TCP, UDP):
        return Opening(protocol)
    low, high = rule.from_port, rule.to_port
    if low is None and high is None:
        return Opening(protocol)
    if not isinstance(low, int) or not isinstance(high, int) or isinstance(low, bool) or isinstance(high, bool):
        return None
    if low < 0 and high < 0:
        return Opening(protocol)  # -1/-1: every port
    low, high = max(low, 0), min(high, _MAX_PORT)
    if low > high:
        return None
    return Opening(protocol, low, high)


def _is_whole_internet(cidr: object) -> bool:
    return internet_reach(cidr) == "world"


@frozen
class WorldRule:
    """An ingress rule of an attached group whose sources include the whole internet."""

    attached: AttachedGroup
    rule: SecurityGroupRule
    opening: Opening
    sources: tuple[str, ...]
    source_line: Span
    assumptions: tuple[str, ...] = ()
    unknowns: tuple[Origin, ...] = ()

    @property
    def possible(self) -> bool:
        return bool(self.assumptions or self.unknowns)


def world_rules(ctx: WorkloadContext) -> list[WorldRule]:
    found: list[WorldRule] = []
    seen: set[int] = set()
    for attached in ctx.security_groups:
        for rule in attached.rules:
            if not rule.ingress or id(rule) in seen:
                continue
            seen.add(id(rule))
            v4 = tuple(c.strip() for c in rule.cidrs if _is_whole_internet(c) and isinstance(c, str))
            v6 = tuple(c.strip() for c in rule.ipv6_cidrs if _is_whole_internet(c) and isinstance(c, str))
            notes: list[str] = []
            deciding: list[object] = []
            if not v4 and not v6:
                unknown_v4 = tuple(c for c in rule.cidrs if isinstance(c, Unknown))
                unknown_v6 = tuple(c for c in rule.ipv6_cidrs if isinstance(c, Unknown))
                if not unknown_v4 and not unknown_v6:
                    continue
                v4 = tuple(dict.fromkeys(str(c) for c in unknown_v4))
                v6 = tuple(dict.fromkeys(str(c) for c in unknown_v6 if str(c) not in v4))
                whole = ("it is the whole internet", "they admit the whole internet", "is not known offline")
                notes.extend(dict.fromkeys(unknown_source_note(rule, c, *whole) for c in (*unknown_v4, *unknown_v6)))
                deciding.extend((*unknown_v4, *unknown_v6))
            opening = rule_opening(rule)
            if opening is None:
                continue
            if rule.existence is not None:
                notes.extend(may_not_exist(rule))
                deciding.append(rule)
            line = rule.span_of("cidrs") if v4 else rule.span_of("ipv6_cidrs", "cidrs")
            found.append(WorldRule(attached, rule, opening, v4 + v6, line, tuple(notes), origins_of(*deciding)))
    return found


def _attacher(ctx: WorkloadContext, span: Span) -> str:
    """The resource whose block holds the attaching line."""
    for candidate in (ctx.launch_template, *ctx.network_interfaces):
        if (
            candidate is not None
            and candidate.span.file == span.file
            and candidate.span.line <= span.line <= candidate.span.end_line
        ):
            return candidate.address
    return ctx.address


def _related(ctx: WorkloadContext, world: WorldRule) -> tuple[Evidence, ...]:
    group = world.attached.group
    return (
        Evidence(group.span, group.address, "security group attached to the workload"),
        Evidence(
            world.attached.attached_at,
            _attacher(ctx, world.attached.attached_at),
            f"attaches {group.address} to {ctx.address}",
        ),
    )


def _path(ctx: WorkloadContext, world: WorldRule, ports: str) -> tuple[PathStep, ...]:
    group = world.attached.group
    workload = ctx.workload
    kind = workload.capacity  # instance, auto_scaling_group, spot_fleet, eks_node_group ...
    return (
        PathStep("internet", "internet", ", ".join(world.sources), None, ports),
        PathStep("security_group", group.address, "security group of the workload", group.span, ports),
        PathStep(
            "security_group_rule",
            world.rule.address,
            f"allows {ports} from {', '.join(world.sources)}",
            world.rule.span,
            ports,
        ),
        PathStep(kind, workload.address, "the workload", workload.span, ports),
    )


def _source_fields(world: WorldRule) -> tuple[str, ...]:
    """The fields ``world.source_line`` was read from (``span_of`` order)."""
    return ("cidrs",) if world.rule.span_of("cidrs") == world.source_line else ("ipv6_cidrs", "cidrs")


def world_rule_trait(
    ctx: WorkloadContext, world: WorldRule, rule_id: str, what: str, ports: str, extra: dict[str, Any]
) -> Trait:
    group = world.attached.group
    sources = ", ".join(world.sources)
    allows = f"allows {world.opening.describe()} from {sources}"
    return Trait(
        rule_id=rule_id,
        workload=ctx.address,
        message=f"security group {group.address} on {ctx.address} {allows}{what}",
        location=Evidence(world.source_line, world.rule.address, allows),
        related=(*written_evidence(world.rule, world.rule.address, *_source_fields(world)), *_related(ctx, world)),
        path=_path(ctx, world, ports),
        assumptions=world.assumptions,
        unknowns=world.unknowns,
        properties={"ports": ports, "sources": list(world.sources), "security_group": group.address, **extra},
    )


@frozen
class PiecedOpening:
    """Ports the whole internet reaches only through several rules together (per family):
    ``rules`` each admit part of the internet on some of ``ports``; ``anchor`` the first."""

    attached: AttachedGroup
    anchor: SecurityGroupRule
    rules: tuple[SecurityGroupRule, ...]
    ports: PortSet
    sources: tuple[str, ...]
    version: int


def pieced_openings(ctx: WorkloadContext, singles: list[WorldRule]) -> list[PiecedOpening]:
    """What the internet reaches through rules whose known sources only together cover it,
    beyond what a single whole-internet rule (``singles``) opens already."""
    found: list[PiecedOpening] = []
    ingress = [(g, r) for g in ctx.security_groups for r in g.rules if r.ingress]
    for version in (4, 6):
        ranges = (c for _, r in ingress for c in (r.cidrs if version == 4 else r.ipv6_cidrs))
        if all(internet_reach(c) != "other" for c in ranges):
            # only whole-internet ranges (each already a single) and private ones: no pieces
            continue
        known = [
            (g, r, nets)
            for g, r in ingress
            if r.existence is None  # pieces that may not exist cover nothing for certain
            and (nets := [n for n in (parse_cidr(c) for c in (r.cidrs if version == 4 else r.ipv6_cidrs)) if n])
            and rule_opening(r) is not None
        ]
        if not known:
            continue
        single = PortSet()
        for world in (w for w in singles if not w.possible):
            if any(_family(source) == version for source in world.sources):
                single = single | sg_rule_ports(world.rule)
        if not _pieces_may_cover(version, known, single):
            continue
        covered = PortSet.all_traffic()
        pieces = [n for _, _, nets in known for n in nets] + list(NOT_INTERNET)
        for low, _ in atoms(version, pieces):
            if not is_internet_address(version, low):
                continue
            here = PortSet()
            for _, rule, nets in known:
                if any(network_contains_address(n, version, low) for n in nets):
                    here = here | sg_rule_ports(rule)
            covered = covered & here
            if not covered:
                break
        ports = covered - single
        if not ports:
            continue
        contributing = [(g, r, nets) for g, r, nets in known if sg_rule_ports(r) & ports]
        attached, anchor, _ = contributing[0]
        sources = tuple(dict.fromkeys(str(n) for _, _, nets in contributing for n in nets))
        found.append(PiecedOpening(attached, anchor, tuple(r for _, r, _ in contributing), ports, sources, version))
    return found


def _pieces_may_cover(
    version: int, known: list[tuple[AttachedGroup, SecurityGroupRule, list[Network]]], single: PortSet
) -> bool:
    """Whether the pieces could open anything beyond ``single``: either a whole-family rule
    opens more than the single world rules (then it must be looked at), or the partial
    ranges together are at least as large as the internet (a necessary condition for
    covering it; overlaps only make the sum larger). Most groups fail both, cheaply."""
    world = PortSet()
    partial = 0
    for _, rule, nets in known:
        for net in nets:
            if net.prefixlen == 0:
                world = world | sg_rule_ports(rule)
            else:
                partial += net.num_addresses
    return bool(world - single) or partial >= internet_size(version)


def _family(source: str) -> int | None:
    net = parse_cidr(source)
    return net.version if net is not None else None


def pieced_trait(ctx: WorkloadContext, opening: PiecedOpening, rule_id: str, what: str, ports: PortSet) -> Trait:
    """A trait on ports the internet reaches through several rules together: at the first
    rule's source line, the others related."""
    group = opening.attached.group
    anchor = opening.anchor
    sources = ", ".join(opening.sources)
    allows = f"allows {ports} from {sources}, which together cover the whole internet"
    fields = ("cidrs",) if opening.version == 4 else ("ipv6_cidrs", "cidrs")
    line = anchor.span_of(*fields)
    others = (
        *written_evidence(anchor, anchor.address, *fields),
        *(
            Evidence(r.span_of("cidrs", "ipv6_cidrs"), r.address, "admits another part of the internet")
            for r in opening.rules[1:]
        ),
    )
    workload = ctx.workload
    kind = workload.capacity  # instance, auto_scaling_group, spot_fleet, eks_node_group ...
    path = (
        PathStep("internet", "internet", sources, None, str(ports)),
        PathStep("security_group", group.address, "security group of the workload", group.span, str(ports)),
        *(
            PathStep("security_group_rule", r.address, f"allows {sg_rule_ports(r) & ports}", r.span, str(ports))
            for r in opening.rules
        ),
        PathStep(kind, workload.address, "the workload", workload.span, str(ports)),
    )
    return Trait(
        rule_id=rule_id,
        workload=ctx.address,
        message=f"security group {group.address} on {ctx.address} {allows}{what}",
        location=Evidence(line, anchor.address, allows),
        related=others,
        path=path,
        properties={"ports": str(ports), "sources": list(opening.sources), "security_group": group.address},
    )
