"""What a workload admits from known private networks (CIDRs on the other side of a transit
gateway, a Direct Connect gateway, a load balancer's own addresses): the security group
rules whose sources overlap them, then the subnet's NACL letting those ports in from them
(and the replies back out). A source range not known offline is assumed to overlap (named)."""

from __future__ import annotations

from collections.abc import Sequence

from scanner.analyses.network import PortSet, cidr_overlaps, sg_rule_ports
from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.reachability.admission import acl_crossing
from scanner.analyses.reachability.hops import ingress_rules, step
from scanner.analyses.unknowns import origins_of
from scanner.findings import PathStep
from scanner.frozen import frozen
from scanner.model import SecurityGroupRule
from scanner.values import Origin, Unknown
from scanner.workload import Placement, WorkloadContext


@frozen
class FromNetwork:
    """``ports`` that get in from ``sources`` (empty: ``cut`` says where it stops), the first
    admitting ``rule``, the NACL hop, and what the verdict assumes."""

    ports: PortSet
    rule: SecurityGroupRule | None
    cut: str | None
    acl_step: PathStep | None = None
    assumptions: tuple[str, ...] = ()
    unknowns: tuple[Origin, ...] = ()
    cut_at: str = ""  # the hop that stops it: the NACL, else the first attached group


def admitted_from(
    ctx: WorkloadContext, placement: Placement, version: int, sources: Sequence[object], memo: NetworkMemo, named: str
) -> FromNetwork:
    """What the workload's groups and its subnet's NACL let in from ``sources`` (``named``:
    how a cut names them)."""
    assumptions: list[str] = []
    deciding: list[object] = []
    ports, rule = PortSet(), None
    for candidate in ingress_rules(ctx.security_groups):
        for cidr in candidate.cidrs if version == 4 else candidate.ipv6_cidrs:
            hit = False
            for source in sources:
                overlap = cidr_overlaps(cidr, source)
                if isinstance(overlap, Unknown):
                    unknown = source if isinstance(source, Unknown) else cidr
                    what = unknown.reason if isinstance(unknown, Unknown) else unknown
                    assumptions.append(f"{candidate.address}: {cidr} and {named} ({what}): assumed they overlap")
                    deciding.append(unknown)
                    overlap = True
                if overlap:
                    hit = True
                    break
            if hit:
                ports = ports | sg_rule_ports(candidate)
                rule = rule or candidate
                break
    if not ports or rule is None:
        groups = ", ".join(g.group.address for g in ctx.security_groups) or "no security group"
        first = ctx.security_groups[0].group.address if ctx.security_groups else ctx.address
        return FromNetwork(PortSet(), None, f"no rule of {groups} admits traffic from {named}", cut_at=first)
    crossing = acl_crossing(placement, version, list(sources), ports, memo)
    if not crossing.ports:
        return FromNetwork(
            PortSet(),
            rule,
            f"network ACL {crossing.acl} does not let {ports} in from {named} (or the replies back out)",
            cut_at=crossing.acl,
        )
    acl_step = None
    if crossing.acl:
        acl_step = step("network_acl", crossing.acl, "the subnet's network ACL", crossing.span, crossing.ports)
    return FromNetwork(
        crossing.ports,
        rule,
        None,
        acl_step,
        tuple(dict.fromkeys([*assumptions, *crossing.assumptions])),
        tuple(dict.fromkeys([*origins_of(*deciding), *crossing.unknowns])),
    )
