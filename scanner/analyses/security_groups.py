"""Security groups on the workload that let the whole internet in.

Only the workload's attached groups are read (``ctx.security_groups``, each with all its
inline and standalone rules), and of them only ingress rules whose source is the whole
internet: an IPv4 ``0.0.0.0/0`` or IPv6 ``::/0`` CIDR (written any way that parses to a /0).
Rules from other security groups, prefix lists or the group itself never count.

* ``ec2-remote-access``: the rule opens TCP 22 (SSH) or 3389 (RDP) to the internet: a TCP
  port range that covers them, or protocol ``-1`` (all traffic).
* ``ec2-open-security-group``: the rule opens anything else than the authorized ports
  (``ScanOptions.authorized_ports``, default 80 and 443). As in Security Hub's EC2.18
  control, authorized ports are TCP ports: UDP 53, ICMP or any other protocol open to the
  internet is never authorized. A rule whose only unauthorized ports are 22 / 3389 is
  reported as remote access alone, not twice; a wider rule (TCP 0-65535, all traffic) is
  reported as both, since narrowing it to SSH would still leave the remote-access trait.

Values not known offline are never guessed: a rule whose CIDR, protocol or ports are
unknown does not fire (a world CIDR next to an unknown one still does). Missing ports on a
TCP / UDP rule are taken as the whole range (what AWS shows for a rule without them).

One trait per rule, pointing at the rule's CIDR line (the line to change), with the group and
the line that attaches it to the workload as related places.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from scanner.findings import Evidence, PathStep, Trait
from scanner.model import AutoScalingGroup, SecurityGroupRule
from scanner.traits import OPEN_SECURITY_GROUP, REMOTE_ACCESS
from scanner.values import Span
from scanner.workload import AttachedGroup, WorkloadContext

TCP, UDP, ICMP, ICMPV6, ALL = "6", "17", "1", "58", "-1"
REMOTE_ACCESS_PORTS: tuple[int, ...] = (22, 3389)
_REMOTE_NAMES = {22: "SSH", 3389: "RDP"}
_PROTOCOL_NUMBERS = {"tcp": TCP, "udp": UDP, "icmp": ICMP, "icmpv6": ICMPV6, "all": ALL, "-1": ALL}
_PROTOCOL_NAMES = {TCP: "tcp", UDP: "udp", ICMP: "icmp", ICMPV6: "icmpv6"}
_MAX_PORT = 65535


@dataclass(frozen=True)
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
        name = _PROTOCOL_NAMES.get(self.protocol, f"protocol {self.protocol}")
        if not self.has_ports:
            return name
        return f"{name} {_port_range(self.low, self.high)}"

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


def _port_range(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}-{high}"


def _protocol(value: object) -> str | None:
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return None
    text = str(value).strip().lower()
    return _PROTOCOL_NUMBERS.get(text, text if text.isdigit() else None)


def rule_opening(rule: SecurityGroupRule) -> Opening | None:
    """The rule's protocol and ports, or None when they are not known offline."""
    protocol = _protocol(rule.protocol)
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
    if not isinstance(cidr, str):
        return False
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


@dataclass(frozen=True)
class _WorldRule:
    attached: AttachedGroup
    rule: SecurityGroupRule
    opening: Opening
    sources: tuple[str, ...]
    source_line: Span


def _world_rules(ctx: WorkloadContext) -> list[_WorldRule]:
    found: list[_WorldRule] = []
    seen: set[int] = set()
    for attached in ctx.security_groups:
        for rule in attached.rules:
            if not rule.ingress or id(rule) in seen:
                continue
            seen.add(id(rule))
            v4 = tuple(c.strip() for c in rule.cidrs if _is_whole_internet(c) and isinstance(c, str))
            v6 = tuple(c.strip() for c in rule.ipv6_cidrs if _is_whole_internet(c) and isinstance(c, str))
            if not v4 and not v6:
                continue
            opening = rule_opening(rule)
            if opening is None:
                continue
            line = rule.span_of("cidrs") if v4 else rule.span_of("ipv6_cidrs", "cidrs")
            found.append(_WorldRule(attached, rule, opening, v4 + v6, line))
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


def _related(ctx: WorkloadContext, world: _WorldRule) -> tuple[Evidence, ...]:
    group = world.attached.group
    return (
        Evidence(group.span, group.address, "security group attached to the workload"),
        Evidence(
            world.attached.attached_at,
            _attacher(ctx, world.attached.attached_at),
            f"attaches {group.address} to {ctx.address}",
        ),
    )


def _path(ctx: WorkloadContext, world: _WorldRule, ports: str) -> tuple[PathStep, ...]:
    group = world.attached.group
    workload = ctx.workload
    kind = "auto_scaling_group" if isinstance(workload, AutoScalingGroup) else "instance"
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


def _trait(
    ctx: WorkloadContext, world: _WorldRule, rule_id: str, what: str, ports: str, extra: dict[str, Any]
) -> Trait:
    group = world.attached.group
    sources = ", ".join(world.sources)
    allows = f"allows {world.opening.describe()} from {sources}"
    return Trait(
        rule_id=rule_id,
        workload=ctx.address,
        message=f"security group {group.address} on {ctx.address} {allows}{what}",
        location=Evidence(world.source_line, world.rule.address, allows),
        related=_related(ctx, world),
        path=_path(ctx, world, ports),
        properties={"ports": ports, "sources": list(world.sources), "security_group": group.address, **extra},
    )


def security_group_traits(ctx: WorkloadContext, authorized_ports: frozenset[int]) -> list[Trait]:
    """``ec2-remote-access`` and ``ec2-open-security-group`` for each attached group's rule
    that lets the whole internet in."""
    traits: list[Trait] = []
    for world in _world_rules(ctx):
        opening = world.opening
        remote = opening.remote_access_ports()
        if remote:
            names = " and ".join(f"{_REMOTE_NAMES[p]} ({p})" for p in remote)
            ports = ", ".join(f"tcp {p}" for p in remote)
            traits.append(
                _trait(
                    ctx, world, REMOTE_ACCESS, f": remote access over {names}", ports, {"opening": opening.describe()}
                )
            )

        if opening.protocol == TCP:
            ranges = opening.unauthorized_tcp_ranges(authorized_ports)
            beyond_remote = [r for r in ranges if not (r[0] == r[1] and r[0] in remote)]
            if not beyond_remote:
                continue
            unauthorized = "tcp " + ", ".join(_port_range(low, high) for low, high in ranges)
        else:
            unauthorized = opening.describe()
        authorized = f"tcp {', '.join(str(p) for p in sorted(authorized_ports))}" if authorized_ports else "none"
        traits.append(
            _trait(
                ctx,
                world,
                OPEN_SECURITY_GROUP,
                f": {unauthorized} is outside the authorized ports ({authorized})",
                opening.describe(),
                {"unauthorized_ports": unauthorized},
            )
        )
    return traits
