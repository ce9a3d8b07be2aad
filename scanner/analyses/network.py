"""The network algebra: ports and protocols, CIDRs, security groups, network ACLs, routes.

Pure functions over model objects; no graph, no traits. Protocols are IANA numbers as
strings ("6" tcp, "17" udp, "1" icmp, "58" icmpv6) and "-1" means every protocol on every
port. ICMP types and codes are not ports: a rule for any ICMP type counts as the whole
protocol.

Addresses are handled as integer intervals per family (4 or 6). Questions about "which
sources" are answered exactly by cutting the address space into *atoms*: the intervals
between every CIDR boundary involved. Every address of an atom is treated alike by every
rule, route and ACL entry involved, so checking one address per atom is checking them all.
"""

from __future__ import annotations

import bisect
import functools
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import field
from typing import Generic, TypeVar, Union

from scanner.analyses.unknowns import origins_of
from scanner.frozen import frozen
from scanner.model import UNKNOWN_GROUP_RULE, AclEntry, SecurityGroupRule
from scanner.protocols import ALL_PROTOCOLS, ICMP, ICMPV6, TCP, UDP, normalize_protocol, protocol_name
from scanner.values import Origin, Unknown

MAX_PORT = 65535
PORTED_PROTOCOLS = (TCP, UDP)
EPHEMERAL = (1024, MAX_PORT)

Range = tuple[int, int]  # inclusive
Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]  # noqa: UP007
Address = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]  # noqa: UP007


# --- port ranges ---------------------------------------------------------------------------


def _merge(ranges: Iterable[Range]) -> tuple[Range, ...]:
    out: list[list[int]] = []
    for lo, hi in sorted(ranges):
        if lo > hi:
            continue
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return tuple((lo, hi) for lo, hi in out)


def _intersect(a: tuple[Range, ...], b: tuple[Range, ...]) -> tuple[Range, ...]:
    out: list[Range] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def _subtract(a: tuple[Range, ...], b: tuple[Range, ...]) -> tuple[Range, ...]:
    out: list[Range] = []
    for lo, hi in a:
        start = lo
        for blo, bhi in b:
            if bhi < start or blo > hi:
                continue
            if blo > start:
                out.append((start, blo - 1))
            start = max(start, bhi + 1)
            if start > hi:
                break
        if start <= hi:
            out.append((start, hi))
    return tuple(out)


FULL: tuple[Range, ...] = ((0, MAX_PORT),)
NONE: tuple[Range, ...] = ()


@frozen
class PortSet:
    """A set of (protocol, port) pairs: sorted disjoint port ranges per named protocol, and
    ``other_protocols``: every protocol *not* named in ``explicit`` is included on all ports.
    ``PortSet.all_traffic()`` is protocol -1; ``PortSet()`` is nothing."""

    explicit: tuple[tuple[str, tuple[Range, ...]], ...] = ()
    other_protocols: bool = False

    @staticmethod
    def all_traffic() -> PortSet:
        return PortSet((), True)

    @staticmethod
    def of(protocol: str | None, from_port: int | None = None, to_port: int | None = None) -> PortSet:
        """The ports a rule names. "-1": everything; tcp / udp: from_port-to_port (unset or
        negative: all ports); any other protocol: the whole protocol."""
        if protocol is None:
            return PortSet()
        if protocol == ALL_PROTOCOLS:
            return PortSet.all_traffic()
        if protocol not in PORTED_PROTOCOLS:
            return PortSet(((protocol, FULL),))
        lo = 0 if from_port is None or from_port < 0 else from_port
        hi = MAX_PORT if to_port is None or to_port < 0 else to_port
        if from_port is not None and from_port < 0:
            hi = MAX_PORT
        return PortSet._build({protocol: _merge([(max(lo, 0), min(hi, MAX_PORT))])}, False)

    @staticmethod
    def _build(per_protocol: dict[str, tuple[Range, ...]], other: bool) -> PortSet:
        default = FULL if other else NONE
        explicit = tuple(sorted((p, r) for p, r in per_protocol.items() if r != default))
        return PortSet(explicit, other)

    def ports(self, protocol: str) -> tuple[Range, ...]:
        for name, ranges in self.explicit:
            if name == protocol:
                return ranges
        return FULL if self.other_protocols else NONE

    def _combine(self, other: PortSet, op: str) -> PortSet:
        # An empty side decides most combinations outright, without hashing either set.
        if not (other.explicit or other.other_protocols):
            return other if op == "and" else self
        if not (self.explicit or self.other_protocols):
            return other if op == "or" else self
        return _combined(self, other, op)

    def combine_now(self, other: PortSet, op: str) -> PortSet:
        """``op`` ("or", "and", "sub") of the two sets, computed (``|``, ``&`` and ``-`` remember it)."""
        names = {p for p, _ in self.explicit} | {p for p, _ in other.explicit}
        per: dict[str, tuple[Range, ...]] = {}
        for name in names:
            a, b = self.ports(name), other.ports(name)
            per[name] = _merge(a + b) if op == "or" else _intersect(a, b) if op == "and" else _subtract(a, b)
        flag = {
            "or": self.other_protocols or other.other_protocols,
            "and": self.other_protocols and other.other_protocols,
            "sub": self.other_protocols and not other.other_protocols,
        }[op]
        return PortSet._build(per, flag)

    def union(self, other: PortSet) -> PortSet:
        return self._combine(other, "or")

    def intersection(self, other: PortSet) -> PortSet:
        return self._combine(other, "and")

    def difference(self, other: PortSet) -> PortSet:
        return self._combine(other, "sub")

    __or__ = union
    __and__ = intersection
    __sub__ = difference

    def is_empty(self) -> bool:
        return not self.other_protocols and not self.explicit

    def __bool__(self) -> bool:
        return not self.is_empty()

    def contains(self, protocol: str, port: int) -> bool:
        return any(lo <= port <= hi for lo, hi in self.ports(protocol))

    def covers(self, other: PortSet) -> bool:
        return (other - self).is_empty()

    def protocols(self) -> tuple[str, ...]:
        return tuple(p for p, r in self.explicit if r)

    def __str__(self) -> str:
        return self.text

    @functools.cached_property
    def text(self) -> str:
        """How the set reads ("tcp 22, tcp 80-443"); worked out once per set: every hop of
        every path states its ports, and analyses meet the same few sets over and over."""
        if self.other_protocols:
            if not self.explicit:
                return "all traffic"
            return "all traffic except " + str(PortSet.all_traffic() - self)
        parts: list[str] = []
        for protocol, ranges in sorted(self.explicit, key=lambda item: (_protocol_order(item[0]), item[0])):
            name = protocol_name(protocol)
            if protocol not in PORTED_PROTOCOLS:
                parts.append(name)
                continue
            for lo, hi in ranges:
                parts.append(f"{name} {lo}" if lo == hi else f"{name} {lo}-{hi}")
        return ", ".join(parts) if parts else "nothing"


@functools.lru_cache(maxsize=100_000)  # analyses of a large estate combine the same few port sets over and over
def _combined(first: PortSet, second: PortSet, op: str) -> PortSet:
    return first.combine_now(second, op)


def _protocol_order(protocol: str) -> int:
    order = {TCP: 0, UDP: 1, ICMP: 2, ICMPV6: 3}
    return order.get(protocol, 10)


def rule_ports(protocol: object, from_port: object, to_port: object) -> PortSet:
    """The ports of an SG rule or ACL entry as written (Unknown fields: the widest reading)."""
    try:  # the types are part of the key: True == 1 and 6 == 6.0, but they are not the same port
        kinds = (type(protocol).__name__, type(from_port).__name__, type(to_port).__name__)
        return _shared_rule_ports(protocol, from_port, to_port, kinds)
    except TypeError:  # an unhashable value: nothing to share
        return _rule_ports(protocol, from_port, to_port)


@functools.lru_cache(maxsize=100_000)  # thousands of rules repeat a few (protocol, from, to) triples
def _shared_rule_ports(protocol: object, from_port: object, to_port: object, _kinds: tuple[str, ...]) -> PortSet:
    return _rule_ports(protocol, from_port, to_port)


def _rule_ports(protocol: object, from_port: object, to_port: object) -> PortSet:
    proto = normalize_protocol(protocol)
    if proto is None:
        return PortSet.all_traffic() if isinstance(protocol, Unknown) else PortSet()
    lo = from_port if isinstance(from_port, int) and not isinstance(from_port, bool) else None
    hi = to_port if isinstance(to_port, int) and not isinstance(to_port, bool) else None
    return PortSet.of(proto, lo, hi)


# --- CIDRs ---------------------------------------------------------------------------------


def parse_cidr(cidr: object) -> Network | None:
    """An IPv4 / IPv6 network, or None for Unknown or unreadable text (host bits allowed)."""
    if not isinstance(cidr, str):
        return None
    return _parse_cidr_text(cidr)


@functools.lru_cache(maxsize=65536)  # a large estate repeats the same few CIDRs thousands of times
def _parse_cidr_text(cidr: str) -> Network | None:
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        return None


def cidr_contains(outer: object, inner: object) -> bool | Unknown:
    """Does ``outer`` contain every address of ``inner``? Unknown when either is not known;
    False across families."""
    a, b = parse_cidr(outer), parse_cidr(inner)
    if a is None or b is None:
        return _unknown_cidr(outer, inner)
    if a.version != b.version:
        return False
    return int(a.network_address) <= int(b.network_address) and int(b.broadcast_address) <= int(a.broadcast_address)


def cidr_overlaps(first: object, second: object) -> bool | Unknown:
    """Do two CIDRs share an address? Unknown when either is not known."""
    a, b = parse_cidr(first), parse_cidr(second)
    if a is None or b is None:
        return _unknown_cidr(first, second)
    if a.version != b.version:
        return False
    return int(a.network_address) <= int(b.broadcast_address) and int(b.network_address) <= int(a.broadcast_address)


def _unknown_cidr(*values: object) -> Unknown:
    for value in values:
        if isinstance(value, Unknown):
            return value
    bad = next((v for v in values if parse_cidr(v) is None), None)
    return Unknown(f"{bad!r} is not a CIDR block")


def network_range(network: Network) -> Range:
    return int(network.network_address), int(network.broadcast_address)


def address_space(version: int) -> Range:
    return (0, 2**32 - 1) if version == 4 else (0, 2**128 - 1)


def atoms(version: int, networks: Iterable[Network], within: Range | None = None) -> list[Range]:
    """Cut ``within`` (default: the whole family) at every boundary of ``networks`` (other
    families ignored): each piece is inside or outside each network as a whole."""
    lo, hi = within or address_space(version)
    cuts = {lo, hi + 1}
    for net in networks:
        if net.version != version:
            continue
        start, end = network_range(net)
        if lo <= start <= hi:
            cuts.add(start)
        if lo <= end + 1 <= hi:
            cuts.add(end + 1)
    points = sorted(cuts)
    return [(points[i], points[i + 1] - 1) for i in range(len(points) - 1)]


def network_contains_address(network: Network, version: int, address: int) -> bool:
    return network.version == version and int(network.network_address) <= address <= int(network.broadcast_address)


# Sources that never arrive from the internet: private, shared, loopback, link-local,
# multicast and reserved space. Documentation ranges (203.0.113.0/24 ...) stand for public
# addresses in templates, so they count as internet.
NOT_INTERNET: tuple[Network, ...] = tuple(
    ipaddress.ip_network(c)
    for c in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/8",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    )
)


_NOT_INTERNET_RANGES: dict[int, tuple[Range, ...]] = {
    version: tuple(network_range(n) for n in NOT_INTERNET if n.version == version) for version in (4, 6)
}


# The same ranges, sorted by start (they do not overlap): a lookup is one bisection.
_NOT_INTERNET_STARTS: dict[int, tuple[list[int], list[int]]] = {
    version: ([lo for lo, _ in sorted(ranges)], [hi for _, hi in sorted(ranges)])
    for version, ranges in _NOT_INTERNET_RANGES.items()
}


def is_internet_address(version: int, address: int) -> bool:
    starts, ends = _NOT_INTERNET_STARTS[version]
    index = bisect.bisect_right(starts, address) - 1
    return index < 0 or address > ends[index]


_INTERNET_SIZE: dict[int, int] = {
    version: sum(
        high - low + 1
        for low, high in atoms(version, [n for n in NOT_INTERNET if n.version == version])
        if is_internet_address(version, low)
    )
    for version in (4, 6)
}


@functools.lru_cache(maxsize=4096)  # a few source ranges, met by thousands of rules
def holds_internet_address(net: Network) -> bool:
    """Whether some address of ``net`` is an internet address (not all of it in ``NOT_INTERNET``)."""
    low, high = network_range(net)
    same_family = [n for n in NOT_INTERNET if n.version == net.version]
    return any(is_internet_address(net.version, start) for start, _ in atoms(net.version, same_family, (low, high)))


def internet_reach(cidr: object) -> str:
    """How much of the internet a source range is: "world" (the whole family, ``/0``),
    "none" (no internet address: private, shared, link-local ...), or "other" (part of the
    internet, or a range not known offline or not readable)."""
    network = parse_cidr(cidr)
    if network is None:
        return "other"
    if network.prefixlen == 0:
        return "world"
    return "other" if holds_internet_address(network) else "none"


def internet_size(version: int) -> int:
    """How many addresses of the family are internet addresses (not in ``NOT_INTERNET``)."""
    return _INTERNET_SIZE[version]


# --- routes --------------------------------------------------------------------------------

T = TypeVar("T")


@frozen
class RouteChoice(Generic[T]):
    network: Network
    target: T


def longest_prefix_match(routes: Sequence[tuple[object, T]], version: int, address: int) -> RouteChoice[T] | None:
    """The route a packet to ``address`` takes: the most specific destination containing it
    (routes of the other family, and Unknown destinations, are skipped: the caller decides
    what an Unknown destination means). Ties keep the first route given."""
    best: RouteChoice[T] | None = None
    for destination, target in routes:
        net = parse_cidr(destination)
        if net is None or not network_contains_address(net, version, address):
            continue
        if best is None or net.prefixlen > best.network.prefixlen:
            best = RouteChoice(net, target)
    return best


# --- network ACLs --------------------------------------------------------------------------


@frozen
class AclDecision:
    """One entry that decided some ports for an address: ``ports`` the part it decided."""

    entry: AclEntry
    ports: PortSet
    allow: bool


@frozen
class AclVerdict:
    allowed: PortSet
    decisions: tuple[AclDecision, ...] = ()
    assumptions: tuple[str, ...] = ()
    unknowns: tuple[Origin, ...] = ()

    def allowing_entry(self, ports: PortSet) -> AclEntry | None:
        """The first entry that allows some of ``ports``."""
        for decision in self.decisions:
            if decision.allow and decision.ports & ports:
                return decision.entry
        return None

    def denying_entry(self, ports: PortSet) -> AclEntry | None:
        for decision in self.decisions:
            if not decision.allow and decision.ports & ports:
                return decision.entry
        return None


def _entry_cidr(entry: AclEntry, version: int) -> object:
    return entry.cidr if version == 4 else entry.ipv6_cidr


def _rule_number(entry: AclEntry) -> int:
    return entry.rule_number if isinstance(entry.rule_number, int) else 32766


def acl_evaluate(entries: Iterable[AclEntry], egress: bool, version: int, address: int) -> AclVerdict:
    """What a NACL lets through in one direction for one peer address: entries in rule-number
    order, first match wins per (protocol, port), everything undecided is denied.

    An entry whose CIDR, action or protocol is Unknown is read to let the most through (an
    allow is assumed to match, a deny not to) and the verdict says so, with the origins
    deciding it. So is an entry that may not exist (its count is unknown): an allow is
    assumed to exist, a deny not to (the path it would cut stays, as possible)."""
    remaining = PortSet.all_traffic()
    allowed = PortSet()
    decisions: list[AclDecision] = []
    assumptions: list[str] = []
    deciding: list[object] = []
    ordered = sorted((e for e in entries if e.egress == egress), key=lambda e: (_rule_number(e), e.address))
    for entry in ordered:
        cidr = _entry_cidr(entry, version)
        if cidr is None:
            continue  # an entry of the other family
        if not isinstance(entry.rule_number, int):
            assumptions.append(f"{entry.address}: rule number is unknown; evaluated last")
            deciding.append(entry.rule_number)
        net = parse_cidr(cidr)
        allow = entry.allow
        if isinstance(allow, Unknown) or allow is None:
            assumptions.append(f"{entry.address}: whether it allows or denies is unknown; assumed allow")
            deciding.append(allow)
            allow = True
        if entry.existence is not None and not allow:
            assumptions.append(f"{entry.address} may not exist ({entry.existence.reason}); assumed this deny does not")
            deciding.append(entry)
            continue
        if net is None:
            deciding.append(cidr)
            if not allow:
                assumptions.append(f"{entry.address}: CIDR {cidr} is unknown; assumed this deny does not match")
                continue
            assumptions.append(f"{entry.address}: CIDR {cidr} is unknown; assumed this allow matches")
        elif not network_contains_address(net, version, address):
            continue
        if isinstance(entry.protocol, Unknown) and not allow:
            assumptions.append(f"{entry.address}: protocol is unknown; assumed this deny does not match")
            deciding.append(entry.protocol)
            continue
        ports = rule_ports(entry.protocol, entry.from_port, entry.to_port) & remaining
        if ports.is_empty():
            continue
        if entry.existence is not None:
            assumptions.append(f"{entry.address} may not exist ({entry.existence.reason}); assumed it does")
            deciding.append(entry)
        decisions.append(AclDecision(entry, ports, bool(allow)))
        if allow:
            allowed = allowed | ports
        remaining = remaining - ports
        if remaining.is_empty():
            break
    return AclVerdict(allowed, tuple(decisions), tuple(dict.fromkeys(assumptions)), origins_of(*deciding))


def return_allowed(outbound: PortSet, protocol: str) -> bool:
    """Can replies of ``protocol`` get back out to the client? For tcp and udp the outbound
    rules must allow the whole ephemeral range 1024-65535; other protocols need the protocol."""
    if protocol in PORTED_PROTOCOLS:
        return outbound.covers(PortSet.of(protocol, *EPHEMERAL))
    return bool(outbound.ports(protocol))


@frozen
class AclPass:
    """What survives a NACL for clients at one address: the inbound ports whose return
    traffic is also allowed out (NACLs are stateless)."""

    ports: PortSet
    inbound: AclVerdict
    outbound: AclVerdict
    return_blocked: PortSet  # inbound ports allowed in whose replies cannot get out

    @property
    def assumptions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.inbound.assumptions + self.outbound.assumptions))

    @property
    def unknowns(self) -> tuple[Origin, ...]:
        return tuple(dict.fromkeys(self.inbound.unknowns + self.outbound.unknowns))


def acl_passes(entries: Sequence[AclEntry], version: int, client: int) -> AclPass:
    """Inbound ports from ``client`` that a NACL lets in AND whose replies it lets back out."""
    inbound = acl_evaluate(entries, False, version, client)
    outbound = acl_evaluate(entries, True, version, client)
    survive = _both_ways(inbound.allowed, outbound.allowed)
    return AclPass(survive, inbound, outbound, inbound.allowed - survive)


def acl_passes_out(entries: Sequence[AclEntry], version: int, server: int) -> AclPass:
    """The mirror of ``acl_passes`` for connections made from inside the subnet (a load
    balancer node to its targets): ports a NACL lets out to ``server`` whose replies, to
    the ephemeral ports, it lets back in. ``inbound``/``outbound`` keep their meaning."""
    inbound = acl_evaluate(entries, False, version, server)
    outbound = acl_evaluate(entries, True, version, server)
    survive = _both_ways(outbound.allowed, inbound.allowed)
    return AclPass(survive, inbound, outbound, outbound.allowed - survive)


def _both_ways(initiated: PortSet, replies: PortSet) -> PortSet:
    """Ports of ``initiated`` whose replies ``replies`` lets through (NACLs are stateless)."""
    named = {p for p, _ in initiated.explicit} | {p for p, _ in replies.explicit} | set(PORTED_PROTOCOLS)
    per = {p: initiated.ports(p) if return_allowed(replies, p) else NONE for p in named}
    return PortSet._build(per, initiated.other_protocols and replies.other_protocols)


# --- security groups -------------------------------------------------------------------------


@frozen
class SgAdmission:
    """What the ingress rules of the groups admit from one source, and the rules that do it."""

    ports: PortSet
    rules: tuple[tuple[SecurityGroupRule, PortSet], ...] = ()
    assumptions: tuple[str, ...] = field(default_factory=tuple)
    unknowns: tuple[Origin, ...] = field(default_factory=tuple)
    certain_ports: PortSet | None = None  # admitted whatever the unknowns are (None: all of ``ports``)

    def rule_for(self, ports: PortSet) -> SecurityGroupRule | None:
        for found, admitted in self.rules:
            if admitted & ports:
                return found
        return None


def sg_rule_ports(rule: SecurityGroupRule) -> PortSet:
    return rule_ports(rule.protocol, rule.from_port, rule.to_port)


def unknown_source_note(
    rule: SecurityGroupRule, source: object, assumed: str, of_group: str, unknown: str = "is unknown"
) -> str:
    """The assumption made about a rule's source that is not known offline (``assumed``);
    for the rule standing for a group whose rules are not known at all, about the group
    (``of_group``)."""
    if rule.kind == UNKNOWN_GROUP_RULE:
        reason = source.reason if isinstance(source, Unknown) else str(source)
        return f"security group {rule.address}: its rules are not known offline ({reason}); assumed {of_group}"
    return f"{rule.address}: source {source} {unknown}; assumed {assumed}"


def sg_admits_address(rules: Iterable[SecurityGroupRule], version: int, address: int) -> SgAdmission:
    """Ports the ingress rules admit from a source address (security groups are a union of
    allows; stateful, so replies need nothing). A rule whose source CIDR is Unknown, or that
    may not exist (its count is unknown), is assumed to admit the source: the admission then
    says what it assumed and the origins deciding it, but only for ports no certain rule
    already admits (what holds anyway stays certain)."""
    ports = PortSet()
    certain = PortSet()
    found: list[tuple[SecurityGroupRule, PortSet]] = []
    doubts: list[tuple[PortSet, list[str], list[object]]] = []
    for rule in rules:
        if not rule.ingress:
            continue
        cidrs = rule.cidrs if version == 4 else rule.ipv6_cidrs
        matched = False
        notes: list[str] = []
        deciding: list[object] = []
        for cidr in cidrs:
            net = parse_cidr(cidr)
            if net is None:
                notes.append(unknown_source_note(rule, cidr, "it admits this source", "they admit this source"))
                deciding.append(cidr)
                matched = True
            elif network_contains_address(net, version, address):
                matched = True
                notes, deciding = [], []
                break
        if matched:
            admitted = sg_rule_ports(rule)
            if admitted:
                ports = ports | admitted
                found.append((rule, admitted))
                if rule.existence is not None:
                    notes.append(f"{rule.address} may not exist ({rule.existence.reason}); assumed it does")
                    deciding.append(rule)
                if notes:
                    doubts.append((admitted, notes, deciding))
                else:
                    certain = certain | admitted
    assumptions: list[str] = []
    unknowns: list[object] = []
    for admitted, notes, deciding in doubts:
        if not (admitted - certain).is_empty():
            assumptions.extend(notes)
            unknowns.extend(deciding)
    return SgAdmission(
        ports, tuple(found), tuple(dict.fromkeys(assumptions)), origins_of(*unknowns), certain_ports=certain
    )


def sg_rule_source_cidrs(rules: Iterable[SecurityGroupRule], version: int) -> list[Network]:
    out: list[Network] = []
    for rule in rules:
        if rule.ingress:
            for cidr in rule.cidrs if version == 4 else rule.ipv6_cidrs:
                net = parse_cidr(cidr)
                if net is not None:
                    out.append(net)
    return out


def acl_cidrs(entries: Iterable[AclEntry], version: int) -> list[Network]:
    out: list[Network] = []
    for entry in entries:
        net = parse_cidr(_entry_cidr(entry, version))
        if net is not None:
            out.append(net)
    return out


__all__ = [
    "ALL_PROTOCOLS",
    "NOT_INTERNET",
    "AclDecision",
    "AclPass",
    "AclVerdict",
    "PortSet",
    "RouteChoice",
    "SgAdmission",
    "acl_evaluate",
    "acl_passes",
    "atoms",
    "cidr_contains",
    "cidr_overlaps",
    "holds_internet_address",
    "internet_size",
    "is_internet_address",
    "longest_prefix_match",
    "normalize_protocol",
    "parse_cidr",
    "rule_ports",
    "sg_admits_address",
]
