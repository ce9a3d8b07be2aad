"""What an edit leaves of ``ec2-internet-reachable``, decided from the first analysis's open
paths without analysing the edited copy again, when the answer follows from them exactly;
else None, and the paths are analysed again.

An edit only takes away (``scanner.fixes.edits``), so for each path found open:

* a path that names neither the rule nor (for a path through an internet gateway) depends
  on the workload's own rules is as it was: each path names the rule, NACL entry, route,
  listener and load balancer that let it through;
* a path through an internet gateway admits, from the internet, the ports the workload's
  groups admit from every internet address, as far as the route back and the subnet's NACL
  let them through. When every other ingress rule of those groups either admits the whole
  internet (``0.0.0.0/0`` / ``::/0``, for certain) or admits no internet address at all
  (private ranges, groups, itself), and the edited rule admits no internet address after
  the edit, the groups admit the same ports from every internet address: the union P of
  those whole-internet rules' ports. The path then stays open on exactly the ports it was
  open on that are in P (the NACL and the route back decide per address, not per rule),
  and is cut when there are none;
* a path through an internet gateway whose route to it is removed is cut when no other
  route of the subnet's table leads to an internet gateway, to a target not known offline
  or to an appliance (a firewall or Gateway Load Balancer endpoint, an instance, an ENI);
  and when the table is known;
* a path through an internet gateway whose NACL loses an inbound entry is cut when no
  inbound entry left allows any internet address (the NACL then denies it by its last rule).
  Route and NACL edits are decided only when every open path goes through an internet
  gateway: a load balancer's path reads other subnets' routes and NACLs;
* a public address taken away (``associate_public_ip_address``, the subnet's mapping)
  changes only the paths through an internet gateway to the workload's own address: the
  others (a load balancer, an accelerator, a peering connection ...) reach its private
  address and stay as they were; an IPv4 path through an internet gateway is cut when the
  edited workload has no public IPv4 address left in that subnet.

Only certain paths are decided here (a possible one rests on assumptions the edit may
change), and only when no inline suppression can tell two traits apart.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from scanner.analyses.network import PortSet, internet_reach, sg_rule_ports
from scanner.analyses.public_ip import PublicAddress
from scanner.analyses.reachability import PathKey, PathReport
from scanner.analyses.reachability.hops import ingress_rules, route_destination
from scanner.fixes.served import path_served
from scanner.model import UNKNOWN_GROUP_RULE, SecurityGroupRule
from scanner.workload import Placement, WorkloadContext

TCP = "6"

# What the internet trait is after the edit: None when no path is left open, else whether
# it is possible; and the authorised ports the internet still reaches a service on.
InternetAfter = tuple[bool | None, frozenset[int]]


def internet_after_edit(
    ctx: WorkloadContext,
    kind: str,
    address: str,
    edited: SecurityGroupRule | None,
    open_reports: Sequence[tuple[PathKey, PathReport]],
    authorized: Collection[int],
) -> InternetAfter | None:
    """The internet trait after the edit of ``kind`` at ``address`` (a rule edit: the rule
    becomes ``edited``, None when removed), from the paths the first analysis found open;
    None when that does not decide it (the paths are then analysed again)."""
    left: list[tuple[bool, frozenset[int]]] = []  # (possible, served ports) of each open path after
    for key, report in open_reports:
        if kind in RULE_EDITS:
            after = _after_rule_edit(ctx, address, edited, key, report, authorized)
        elif kind in ("remove_route", "remove_acl_entry"):
            after = _after_network_edit(ctx, kind, address, key, report, authorized)
        else:
            return None
        if after is None:
            return None
        if after is not CUT:
            left.append(after)
    return _trait_after(left)


def _trait_after(left: Sequence[tuple[bool, frozenset[int]]]) -> InternetAfter:
    """The trait from the paths left open, each (possible, served ports): none left, no
    trait; else possible when every one is, serving what any of them serves."""
    if not left:
        return None, frozenset()
    return all(possible for possible, _ in left), frozenset(p for _, ports in left for p in ports)


RULE_EDITS = frozenset({"remove_world_sources", "remove_rule"})
CUT = (True, frozenset({-1}))  # a marker: the path is cut by the edit


def _after_rule_edit(
    ctx: WorkloadContext,
    address: str,
    edited: SecurityGroupRule | None,
    key: PathKey,
    report: PathReport,
    authorized: Collection[int],
) -> tuple[bool, frozenset[int]] | None:
    own = ingress_rules(ctx.security_groups)
    if not any(r.address == address for r in own):
        if address in _named(report):
            return None
        return report.possible, served_by(report, authorized)
    if key[0] != "gateway" or report.via != "gateway" or report.possible:
        return None  # an unknown subnet's path, or a possible one: analysed again
    if any(g.group.existence is not None for g in ctx.security_groups):
        return None  # a group that may not exist makes its rules' paths possible
    world = _world_ports_without(own, address, edited, report.version)
    if world is None:
        return None
    if not report.target_ports & world:
        return CUT
    return False, frozenset(p for p in served_by(report, authorized) if world.contains(TCP, p))


def _after_network_edit(
    ctx: WorkloadContext, kind: str, address: str, key: PathKey, report: PathReport, authorized: Collection[int]
) -> tuple[bool, frozenset[int]] | None:
    if key[0] != "gateway" or report.via != "gateway" or report.possible:
        return None
    index = key[2]
    if not isinstance(index, int) or index >= len(ctx.placements):
        return None
    placement = ctx.placements[index]
    if kind == "remove_route":
        if address not in _named(report):
            return None  # a route off the path may change which addresses it answers
        return CUT if _only_gateway_route(placement, address, report.version) else None
    if not any(e.address == address for e in placement.acl_entries):
        return report.possible, served_by(report, authorized)
    return CUT if _no_internet_allowed_without(placement, address, report.version) else None


# Route targets that are neither an internet gateway nor an appliance in the way nor unknown
_NOT_A_WAY_OUT = frozenset(
    {"local", "nat_gateway", "vpc_peering", "transit_gateway", "vpn_gateway", "egress_only_gateway"}
)


def _only_gateway_route(placement: Placement, address: str, version: int) -> bool:
    """Whether, without the route at ``address``, the subnet's table (known offline) leads no
    address of this family to an internet gateway, an appliance or a target not known."""
    if placement.routing_unknown or placement.unresolved:
        return False
    for resolved in placement.routes:
        if resolved.route.address == address:
            continue
        if route_destination(resolved, version) is None:
            continue
        if resolved.target_kind not in _NOT_A_WAY_OUT:
            return False
    return True


def _no_internet_allowed_without(placement: Placement, address: str, version: int) -> bool:
    """Whether, without the entry at ``address``, no inbound entry of the subnet's NACL
    allows any internet address of this family (or may: a value not known offline)."""
    for entry in placement.acl_entries:
        if entry.address == address or entry.egress:
            continue
        if entry.existence is not None or not isinstance(entry.allow, bool):
            return False
        if entry.allow is False:
            continue
        cidr = entry.cidr if version == 4 else entry.ipv6_cidr
        if cidr is None:
            continue
        if internet_reach(cidr) != "none":
            return False
    return True


def served_by(report: PathReport, authorized: Collection[int]) -> frozenset[int]:
    return frozenset(path_served(report.steps, authorized))


def _named(report: PathReport) -> set[str]:
    named = {s.address for s in report.steps}
    named.update(e.address for e in report.related)
    if report.location is not None:
        named.add(report.location.address)
    return named


def _world_ports_without(
    rules: Sequence[SecurityGroupRule], edited_address: str, edited: SecurityGroupRule | None, version: int
) -> PortSet | None:
    """The ports the rules admit from every internet address once the rule at
    ``edited_address`` is ``edited``, when each rule left admits either the whole internet
    or no internet address at all; None otherwise."""
    world = PortSet()
    for rule in rules:
        if rule.address == edited_address:
            if edited is not None and _reach(edited, version) != "none":
                return None
            continue
        reach = _reach(rule, version)
        if reach == "world":
            world = world | sg_rule_ports(rule)
        elif reach != "none":
            return None
    return world


def _reach(rule: SecurityGroupRule, version: int) -> str:
    """ "world" (admits every internet address, for certain), "none" (no internet address),
    or "other" (part of the internet, or not known offline)."""
    if rule.existence is not None or rule.kind == UNKNOWN_GROUP_RULE or rule.prefix_lists or rule.managed_prefix_lists:
        return "other"
    if not isinstance(rule.from_port, (int, type(None))) or not isinstance(rule.to_port, (int, type(None))):
        return "other"
    if not isinstance(rule.protocol, (str, type(None))):
        return "other"
    sources = rule.cidrs if version == 4 else rule.ipv6_cidrs
    kinds = {internet_reach(c) for c in sources}
    if "other" in kinds:
        return "other"
    return "world" if "world" in kinds else "none"


def internet_after_address_edit(
    edited: WorkloadContext,
    public_v4: PublicAddress | None,
    open_reports: Sequence[tuple[PathKey, PathReport]],
    authorized: Collection[int],
) -> InternetAfter | None:
    """The internet trait once the workload (``edited``, with the IPv4 public address
    ``public_v4`` the edit leaves it) has lost a public address setting; None when the open
    paths do not decide it."""
    left: list[tuple[bool, frozenset[int]]] = []
    for key, report in open_reports:
        if report.via != "gateway":
            left.append((report.possible, served_by(report, authorized)))
            continue
        if key[0] != "gateway" or report.version != 4 or report.possible:
            return None
        index = key[2]
        if not isinstance(index, int) or index >= len(edited.placements):
            return None
        if public_v4 is not None and edited.placements[index] in public_v4.placements:
            return None  # still public there: what else changed is for the analysis to say
    return _trait_after(left)
