"""Which source addresses get in, through a subnet's NACL and the workload's groups.

Sources are evaluated exactly by cutting the address space into atoms (see
``scanner.analyses.network``): for each atom, the route it returns by, what the NACL and the
groups do with it. NACLs are stateless: the port in, and the replies back out to the
client's ephemeral ports."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from scanner.analyses.network import (
    NOT_INTERNET,
    PortSet,
    acl_cidrs,
    acl_passes_out,
    atoms,
    is_internet_address,
    network_range,
    parse_cidr,
    sg_rule_source_cidrs,
)
from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.reachability.hops import route_destination
from scanner.analyses.unknowns import origins_of
from scanner.frozen import frozen
from scanner.model import AclEntry, SecurityGroupRule
from scanner.values import Origin, Span, Unknown
from scanner.workload import Placement, ResolvedRoute

# --- sources: which addresses get in, through the NACL and the groups ------------------------------


@frozen
class Admission:
    ports: PortSet  # through the NACL and the groups
    sg_ports: PortSet  # what the groups alone admit from the eligible sources
    world_ports: PortSet  # what the groups admit from every internet address (the NACL aside)
    sources: tuple[str, ...]  # the source ranges of the rules that let ``ports`` in
    rule: SecurityGroupRule | None
    acl_entry: AclEntry | None
    acl_cut: str | None
    assumptions: tuple[str, ...]
    route: ResolvedRoute | None  # the route the admitted sources return by
    unknowns: tuple[Origin, ...] = ()


def admission_of(
    placement: Placement | None,
    rules: Sequence[SecurityGroupRule],
    version: int,
    eligible: Callable[[int, ResolvedRoute | None], bool],
    memo: NetworkMemo,
    check_acl: bool = True,
    internet_only: bool = False,
) -> Admission:
    """What reaches the workload from the source addresses ``eligible`` accepts (given each
    address and the route back to it), through the subnet's NACL and the groups' rules.
    ``internet_only``: ``eligible`` accepts internet addresses alone."""
    routes: list[tuple[object, ResolvedRoute]] = []
    entries: Sequence[AclEntry] = ()
    if placement is not None:
        routes = [(d, r) for r in placement.routes if (d := route_destination(r, version)) is not None]
        if placement.network_acl is not None and check_acl:
            entries = placement.acl_entries
    nets = [n for n in (parse_cidr(d) for d, _ in routes) if n is not None]
    nets += acl_cidrs(entries, version) + sg_rule_source_cidrs(rules, version) + list(NOT_INTERNET)
    ports, sg_ports = PortSet(), PortSet()
    rule: SecurityGroupRule | None = None
    entry: AclEntry | None = None
    route: ResolvedRoute | None = None
    acl_cut: str | None = None
    assumptions: list[str] = []
    unknowns: list[Origin] = []
    world = PortSet.all_traffic()
    sources: dict[str, None] = {}
    acl_applies = placement is not None and placement.network_acl is not None and check_acl
    # Pieces of the address space with the same decisions (the memo's answers, the same
    # objects) add nothing to what the first of them found; the answers are kept alive here
    # so that no other answer takes the identity of one seen.
    seen: dict[tuple[object, ...], tuple[object, ...]] = {}
    # each table found once: the loop below asks them for every piece of the address space
    admits = memo.sg_admitter(rules, version)
    choose = memo.route_chooser(routes, version)
    judge = memo.acl_judge(entries, version) if acl_applies else None
    for lo, _ in atoms(version, nets):
        internet = is_internet_address(version, lo)
        if internet_only and not internet:
            continue  # no route decides it: ``eligible`` takes internet addresses alone
        admitted = admits(lo)
        if world and internet:
            # "From the internet" means from all of it: a NACL may deny part of it, a group
            # that admits only named ranges does not open the door to everyone.
            world = world & admitted.ports
        choice = choose(lo)
        back = choice.target if choice is not None else None
        if not eligible(lo, back) or not admitted.ports:
            continue
        passed = judge(lo) if judge is not None else None
        decisions = (admitted, choice, passed)
        same = tuple(map(id, decisions))
        if same in seen:
            continue
        seen[same] = decisions
        sg_ports = sg_ports | admitted.ports
        assumptions.extend(admitted.assumptions)
        unknowns.extend(admitted.unknowns)
        if passed is not None and placement is not None and placement.network_acl is not None:
            assumptions.extend(passed.assumptions)
            unknowns.extend(passed.unknowns)
            through = admitted.ports & passed.ports
            if not through and acl_cut is None:
                denied = passed.inbound.denying_entry(admitted.ports)
                blocked = admitted.ports & passed.return_blocked
                acl = placement.network_acl.address
                if blocked:
                    acl_cut = (
                        f"network ACL {acl} lets {blocked} in but not the replies back out to the client's "
                        f"ephemeral ports 1024-65535"
                    )
                elif denied is not None:
                    acl_cut = f"network ACL {acl} entry {denied.address} denies {admitted.ports & denied_ports(passed)}"
                else:
                    acl_cut = f"network ACL {acl} has no entry allowing {admitted.ports} in (the implicit deny)"
            if through and entry is None:
                entry = passed.inbound.allowing_entry(through)
        else:
            through = admitted.ports
        if through:
            ports = ports | through
            rule = rule or admitted.rule_for(through)
            route = route or back
            for admitting, _ in admitted.rules:
                sources.update(dict.fromkeys(_sources_of(admitting, version, lo)))
    return Admission(
        ports,
        sg_ports,
        world,
        tuple(sources),
        rule,
        entry,
        acl_cut if not ports else None,
        tuple(dict.fromkeys(assumptions)),
        route,
        tuple(dict.fromkeys(unknowns)),
    )


def _sources_of(rule: SecurityGroupRule, version: int, address: int) -> list[str]:
    """The source ranges of ``rule`` that hold ``address`` (an unknown one is shown as such)."""
    found: list[str] = []
    for cidr in rule.cidrs if version == 4 else rule.ipv6_cidrs:
        net = parse_cidr(cidr)
        if net is None:
            found.append(str(cidr))
        elif network_range(net)[0] <= address <= network_range(net)[1]:
            found.append(str(cidr).strip())
    return found


def denied_ports(passed: object) -> PortSet:
    inbound = getattr(passed, "inbound", None)
    out = PortSet()
    for decision in getattr(inbound, "decisions", ()):
        if not decision.allow:
            out = out | decision.ports
    return out


def _internet_eligible(lo_version: int) -> Callable[[int, ResolvedRoute | None], bool]:
    return lambda address, back: (
        is_internet_address(lo_version, address) and back is not None and back.target_kind == "internet_gateway"
    )


def internet_admission(
    placement: Placement | None,
    rules: Sequence[SecurityGroupRule],
    version: int,
    via_gateway: bool,
    memo: NetworkMemo,
    check_acl: bool = True,
) -> Admission:
    """admission_of of internet sources; ``via_gateway``: their route back must be an internet gateway.

    Workloads of a large estate share a few subnets and sets of groups, and the atom walk of
    admission_of costs milliseconds: each answer is remembered for the run."""
    eligible = (
        _internet_eligible(version) if via_gateway else (lambda address, _back: is_internet_address(version, address))
    )
    key = ("internet_admission", id(placement), tuple(id(r) for r in rules), version, via_gateway, check_acl)
    return memo.answer(
        key,
        (placement, tuple(rules)),
        lambda: admission_of(placement, rules, version, eligible, memo, check_acl, internet_only=True),
    )


# --- NACLs between two places inside AWS --------------------------------------------------------------


@frozen
class AclCrossing:
    """What one subnet's NACL lets through of some ports, to or from some peers."""

    ports: PortSet
    acl: str  # the NACL's address ("" when the subnet has AWS's default allow-all NACL)
    span: Span | None
    assumptions: tuple[str, ...] = ()
    unknowns: tuple[Origin, ...] = ()


def acl_crossing(
    placement: Placement | None,
    version: int,
    peers: Sequence[object] | None,
    ports: PortSet,
    memo: NetworkMemo,
    outbound: bool = False,
) -> AclCrossing:
    """Ports of ``ports`` the placement's NACL lets in from some address of ``peers``
    (CIDRs; None: the internet), replies included; ``outbound``: connections made from the
    subnet to the peers. Peers inside the subnet itself never cross its NACL."""
    if placement is None or placement.network_acl is None or not ports:
        return AclCrossing(ports, "", None)
    acl = placement.network_acl
    entries = placement.acl_entries
    assumptions: list[str] = []
    unknowns: list[Origin] = []
    boundaries = acl_cidrs(entries, version) + list(NOT_INTERNET)
    pieces: list[tuple[int, int]] = []
    if peers is None:
        pieces = [piece for piece in atoms(version, boundaries) if is_internet_address(version, piece[0])]
    else:
        own = parse_cidr(subnet_cidr(placement, version))
        for peer in peers:
            net = parse_cidr(peer)
            if net is None:
                what = peer.reason if isinstance(peer, Unknown) else peer
                assumptions.append(
                    f"{acl.address}: the peer address range ({what}) is not known; assumed the NACL lets it through"
                )
                return AclCrossing(ports, acl.address, acl.span, tuple(assumptions), origins_of(peer))
            if net.version != version:
                continue
            if own is not None and own.version == version and own.supernet_of(net):  # type: ignore[arg-type]
                return AclCrossing(ports, acl.address, acl.span)  # within the subnet: the NACL is not crossed
            pieces += atoms(version, boundaries, within=network_range(net))
    through = PortSet()
    for low, _ in pieces:
        passed = acl_passes_out(entries, version, low) if outbound else memo.acl_passes(entries, version, low)
        assumptions.extend(passed.inbound.assumptions)
        assumptions.extend(passed.outbound.assumptions)
        unknowns.extend(passed.unknowns)
        through = through | (passed.ports & ports)
        if through == ports:
            break
    return AclCrossing(
        through, acl.address, acl.span, tuple(dict.fromkeys(assumptions)), tuple(dict.fromkeys(unknowns))
    )


def subnet_cidr(placement: Placement, version: int) -> object:
    if placement.subnet is None:
        return None
    return placement.subnet.cidr if version == 4 else placement.subnet.ipv6_cidr
