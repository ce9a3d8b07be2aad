"""The network algebra against brute-force models on small spaces (ports 0-63, a /26)."""

from __future__ import annotations

import ipaddress
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.analyses.network import (
    PortSet,
    acl_evaluate,
    acl_passes,
    atoms,
    cidr_contains,
    cidr_overlaps,
    is_internet_address,
    longest_prefix_match,
    normalize_protocol,
    parse_cidr,
    sg_admits_address,
)
from scanner.model import AclEntry, SecurityGroupRule
from scanner.values import Span, Unknown

PROTOCOLS = ("6", "17", "1")
PORTS = range(64)
BASE = int(ipaddress.ip_address("10.0.0.0"))
SPAN = Span("main.tf", 1, 1)


# --- PortSet -------------------------------------------------------------------------------

piece = st.one_of(
    st.tuples(st.sampled_from(("6", "17")), st.integers(0, 63), st.integers(0, 63)).map(
        lambda t: PortSet.of(t[0], min(t[1], t[2]), max(t[1], t[2]))
    ),
    st.sampled_from(("1", "58")).map(PortSet.of),
    st.just(PortSet.all_traffic()),
)
portsets = st.lists(piece, max_size=4).map(lambda parts: _union_all(parts))
subtracted = st.tuples(portsets, portsets).map(lambda ab: ab[0] - ab[1])
any_portset = st.one_of(portsets, subtracted)


def _union_all(parts: list[PortSet]) -> PortSet:
    out = PortSet()
    for part in parts:
        out = out | part
    return out


def members(ports: PortSet) -> set[tuple[str, int]]:
    return {(p, n) for p in (*PROTOCOLS, "58", "99") for n in PORTS if ports.contains(p, n)}


@given(any_portset, any_portset)
def test_portset_operations_match_sets(a: PortSet, b: PortSet) -> None:
    assert members(a | b) == members(a) | members(b)
    assert members(a & b) == members(a) & members(b)
    assert members(a - b) == members(a) - members(b)
    assert ((a - b) | (a & b)) == a  # canonical form: equal sets are equal values
    assert (a - a).is_empty() and a.covers(a & b)
    assert (a | b).covers(a)


@given(any_portset)
def test_portset_ranges_are_sorted_and_disjoint(a: PortSet) -> None:
    for _, ranges in a.explicit:
        for (lo1, hi1), (lo2, _) in itertools.pairwise(ranges):
            assert lo1 <= hi1 < lo2 - 1
    assert str(a)


def test_portset_text() -> None:
    ports = PortSet.of("6", 22, 22) | PortSet.of("6", 80, 443) | PortSet.of("17", 53, 53)
    assert str(ports) == "tcp 22, tcp 80-443, udp 53"
    assert str(PortSet.all_traffic()) == "all traffic"
    assert str(PortSet.all_traffic() - PortSet.of("6", 22, 22)).startswith("all traffic except tcp 22")
    assert str(PortSet()) == "nothing"
    assert PortSet.of("6", -1, -1) == PortSet.of("6", 0, 65535)


def test_protocol_names_normalise() -> None:
    assert [normalize_protocol(p) for p in ("tcp", "UDP", 6, "-1", "all", -1, "icmp", "58")] == [
        "6",
        "17",
        "6",
        "-1",
        "-1",
        "-1",
        "1",
        "58",
    ]
    assert normalize_protocol(Unknown("x")) is None


# --- CIDRs and atoms -------------------------------------------------------------------------

small_cidr = st.tuples(st.integers(0, 63), st.integers(26, 32)).map(
    lambda t: str(ipaddress.ip_network((BASE + t[0], t[1]), strict=False))
)


def has(cidr: str, address: int) -> bool:
    net = ipaddress.ip_network(cidr)
    return int(net.network_address) <= address <= int(net.broadcast_address)


def addresses(cidr: str) -> set[int]:
    net = ipaddress.ip_network(cidr)
    return set(range(int(net.network_address), int(net.broadcast_address) + 1))


@given(small_cidr, small_cidr)
def test_cidr_containment_and_overlap_match_address_sets(a: str, b: str) -> None:
    assert cidr_contains(a, b) == (addresses(b) <= addresses(a))
    assert cidr_overlaps(a, b) == bool(addresses(a) & addresses(b))


def test_cidr_unknowns_and_families() -> None:
    assert isinstance(cidr_contains(Unknown("var.cidr has no value"), "10.0.0.0/8"), Unknown)
    assert isinstance(cidr_overlaps("10.0.0.0/8", "not a cidr"), Unknown)
    assert cidr_contains("::/0", "10.0.0.0/8") is False
    assert cidr_contains("::/0", "2001:db8::/32") is True
    assert cidr_overlaps("2001:db8::/32", "2001:db8:1::/48") is True


@settings(deadline=None)
@given(st.lists(small_cidr, max_size=5))
def test_atoms_are_uniform_for_every_network(cidrs: list[str]) -> None:
    nets = [ipaddress.ip_network(c) for c in cidrs]
    pieces = atoms(4, nets, (BASE, BASE + 63))
    assert pieces[0][0] == BASE and pieces[-1][1] == BASE + 63
    for (_, hi), (lo, _) in itertools.pairwise(pieces):
        assert lo == hi + 1
    for lo, hi in pieces:
        for cidr in cidrs:
            inside = addresses(cidr)
            assert all((a in inside) == (lo in inside) for a in range(lo, hi + 1))


def test_internet_addresses() -> None:
    v4 = lambda text: int(ipaddress.ip_address(text))  # noqa: E731
    assert is_internet_address(4, v4("8.8.8.8")) and is_internet_address(4, v4("203.0.113.5"))
    assert not is_internet_address(4, v4("10.1.2.3")) and not is_internet_address(4, v4("172.20.0.1"))
    assert is_internet_address(6, int(ipaddress.ip_address("2600::1")))
    assert not is_internet_address(6, int(ipaddress.ip_address("fd00::1")))


# --- longest prefix match ----------------------------------------------------------------------


@settings(deadline=None)
@given(st.lists(st.tuples(st.one_of(small_cidr, st.just("0.0.0.0/0")), st.integers(0, 9)), max_size=6))
def test_longest_prefix_match_matches_brute_force(routes: list[tuple[str, int]]) -> None:
    for address in range(BASE, BASE + 64):
        containing = [(ipaddress.ip_network(d).prefixlen, -i, t) for i, (d, t) in enumerate(routes) if has(d, address)]
        expected = max(containing)[2] if containing else None
        choice = longest_prefix_match(routes, 4, address)
        assert (choice.target if choice else None) == expected


def test_longest_prefix_match_families_and_unknowns() -> None:
    routes = [("0.0.0.0/0", "igw"), ("::/0", "eigw"), (Unknown("x"), "vgw"), ("10.0.0.0/8", "pcx")]
    v6 = int(ipaddress.ip_address("2600::1"))
    assert longest_prefix_match(routes, 6, v6).target == "eigw"  # type: ignore[union-attr]
    assert longest_prefix_match(routes, 4, BASE).target == "pcx"  # type: ignore[union-attr]
    assert longest_prefix_match(routes[1:3], 4, BASE) is None


# --- network ACLs ---------------------------------------------------------------------------------


def entry(
    i: int,
    number: int,
    allow: bool,
    protocol: str,
    lo: int,
    hi: int,
    cidr: str,
    egress: bool = False,
    ipv6: str | None = None,
) -> AclEntry:
    return AclEntry(
        address=f"acl.e[{i}]",
        kind="rule",
        span=SPAN,
        rule_number=number,
        allow=allow,
        protocol=protocol,
        from_port=lo,
        to_port=hi,
        cidr=cidr if ipv6 is None else None,
        ipv6_cidr=ipv6,
        egress=egress,
    )


acl_entries = st.lists(
    st.tuples(
        st.integers(1, 200),
        st.booleans(),
        st.sampled_from(("6", "17", "-1", "1")),
        st.integers(0, 63),
        st.integers(0, 63),
        small_cidr,
    ),
    max_size=6,
    unique_by=lambda t: t[0],
).map(lambda rows: [entry(i, n, a, p, min(lo, hi), max(lo, hi), c) for i, (n, a, p, lo, hi, c) in enumerate(rows)])


def brute_acl(entries: list[AclEntry], address: int, protocol: str, port: int) -> bool:
    for e in sorted(entries, key=lambda e: e.rule_number):  # type: ignore[arg-type, return-value]
        if not has(e.cidr, address):  # type: ignore[arg-type]
            continue
        if e.protocol == "-1" or (
            e.protocol == protocol and (protocol not in ("6", "17") or e.from_port <= port <= e.to_port)
        ):  # type: ignore[operator]
            return bool(e.allow)
    return False


@settings(max_examples=60, deadline=None)
@given(acl_entries)
def test_acl_first_match_matches_brute_force(entries: list[AclEntry]) -> None:
    for address in range(BASE, BASE + 64, 3):
        verdict = acl_evaluate(entries, False, 4, address)
        for protocol in PROTOCOLS:
            for port in PORTS:
                assert verdict.allowed.contains(protocol, port) == brute_acl(entries, address, protocol, port)


def test_acl_deny_before_a_later_allow_wins() -> None:
    entries = [
        entry(0, 100, True, "-1", 0, 0, "0.0.0.0/0"),
        entry(1, 50, False, "6", 22, 22, "0.0.0.0/0"),
        entry(2, 100, True, "-1", 0, 0, "0.0.0.0/0", egress=True),
    ]
    result = acl_passes(entries, 4, int(ipaddress.ip_address("8.8.8.8")))
    assert not result.ports.contains("6", 22) and result.ports.contains("6", 23)
    assert result.inbound.denying_entry(PortSet.of("6", 22, 22)) is entries[1]
    assert result.inbound.allowing_entry(PortSet.of("6", 443, 443)) is entries[0]


def test_acl_return_traffic_needs_the_whole_ephemeral_range() -> None:
    inbound = entry(0, 100, True, "6", 22, 22, "0.0.0.0/0")
    client = int(ipaddress.ip_address("8.8.8.8"))
    partial = acl_passes([inbound, entry(1, 100, True, "6", 1024, 60000, "0.0.0.0/0", egress=True)], 4, client)
    assert partial.ports.is_empty() and partial.return_blocked == PortSet.of("6", 22, 22)
    full = acl_passes([inbound, entry(1, 100, True, "6", 1024, 65535, "0.0.0.0/0", egress=True)], 4, client)
    assert full.ports == PortSet.of("6", 22, 22)
    nothing_out = acl_passes([entry(0, 100, True, "-1", 0, 0, "0.0.0.0/0")], 4, client)
    assert nothing_out.ports.is_empty()
    udp_only_out = acl_passes(
        [
            entry(0, 100, True, "-1", 0, 0, "0.0.0.0/0"),
            entry(1, 100, True, "17", 1024, 65535, "0.0.0.0/0", egress=True),
        ],
        4,
        client,
    )
    assert udp_only_out.ports == PortSet.of("17", 0, 65535)


def test_acl_entries_are_per_family() -> None:
    v6_only = [
        entry(0, 100, True, "-1", 0, 0, "", ipv6="::/0"),
        entry(1, 100, True, "-1", 0, 0, "", egress=True, ipv6="::/0"),
    ]
    assert acl_passes(v6_only, 4, BASE).ports.is_empty()
    assert acl_passes(v6_only, 6, int(ipaddress.ip_address("2600::1"))).ports == PortSet.all_traffic()


def test_acl_unknown_cidr_is_read_to_let_the_most_through() -> None:
    entries = [entry(0, 50, False, "-1", 0, 0, "0.0.0.0/0"), entry(1, 100, True, "-1", 0, 0, "0.0.0.0/0")]
    entries[0] = AclEntry(**{**entries[0].__dict__, "cidr": Unknown("var.blocked has no value")})
    verdict = acl_evaluate(entries, False, 4, BASE)
    assert verdict.allowed == PortSet.all_traffic() and verdict.assumptions


# --- security groups --------------------------------------------------------------------------------


def sg_rule(
    name: str, protocol: str, lo: int, hi: int, cidrs: tuple[object, ...] = (), ipv6: tuple[object, ...] = ()
) -> SecurityGroupRule:
    return SecurityGroupRule(
        address=name,
        kind="ingress",
        span=SPAN,
        protocol=protocol,
        from_port=lo,
        to_port=hi,
        cidrs=cidrs,
        ipv6_cidrs=ipv6,
    )  # type: ignore[arg-type]


def test_security_group_admission_is_a_union_of_matching_rules() -> None:
    rules = [
        sg_rule("ssh", "6", 22, 22, ("0.0.0.0/0",)),
        sg_rule("web", "6", 80, 443, ("10.0.0.0/8",)),
        sg_rule("v6", "17", 53, 53, ipv6=("::/0",)),
        sg_rule("any", "-1", 0, 0, (Unknown("var.x"),)),
    ]
    public = sg_admits_address(rules[:3], 4, int(ipaddress.ip_address("8.8.8.8")))
    assert public.ports == PortSet.of("6", 22, 22)
    private = sg_admits_address(rules[:3], 4, BASE)
    assert str(private.ports) == "tcp 22, tcp 80-443" and private.rule_for(PortSet.of("6", 80, 80)) is rules[1]
    v6 = sg_admits_address(rules[:3], 6, int(ipaddress.ip_address("2600::1")))
    assert v6.ports == PortSet.of("17", 53, 53)
    unknown = sg_admits_address(rules, 4, BASE)
    assert unknown.ports == PortSet.all_traffic() and unknown.assumptions
    assert parse_cidr("10.0.0.1/24") == ipaddress.ip_network("10.0.0.0/24")
