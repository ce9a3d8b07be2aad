"""Paths from the internet through a CloudFront distribution's VPC origin
(``scanner.model_cloudfront`` states what AWS does), IPv4: the distribution takes requests
from anyone and sends them to the origin, which may sit in a *private* subnet, on its HTTP
port, its HTTPS port or both.

* Some distribution using the origin must be enabled (a disabled one, or none, cuts it).
* CloudFront connects from its origin-facing addresses: the origin's groups must admit them,
  by a rule naming the AWS managed prefix list ``com.amazonaws.global.cloudfront.origin-facing``
  or one whose CIDR covers the internet. A rule naming a prefix list that is not defined in
  the configuration (a ``pl-`` id) may be CloudFront's: the path is then possible, named.
* An instance origin is reached directly; a load balancer origin (internal or not) on its
  listener of the origin port, and the path goes on as a load balancer's does. The load
  balancer subnet's NACL is evaluated for CloudFront's addresses as for the internet's.
"""

from __future__ import annotations

from scanner.analyses.network import PortSet, sg_rule_ports
from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.reachability.admission import internet_admission
from scanner.analyses.reachability.hops import (
    Entry,
    PathReport,
    ingress_rules,
    managed_list_ports,
    step,
    workload_step,
)
from scanner.analyses.reachability.load_balancer import load_balancer_path
from scanner.analyses.unknowns import origins_of
from scanner.findings import Evidence, PathStep
from scanner.model import SecurityGroupRule
from scanner.model_cloudfront import CLOUDFRONT_ORIGIN_FACING
from scanner.protocols import TCP
from scanner.values import Origin, Span, Unknown
from scanner.workload import CloudFrontFront, Placement, WorkloadContext

VIA = "cloudfront"


def cloudfront_paths(ctx: WorkloadContext, version: int, memo: NetworkMemo) -> list[PathReport]:
    """One path per VPC origin in front of the workload (per route of a load balancer origin)."""
    if version != 4 or not ctx.cloudfront_origins:
        return []
    out: list[PathReport] = []
    for front in ctx.cloudfront_origins:
        entry = _entry(front)
        if isinstance(entry, PathReport):
            out.append(entry)  # cut before the origin
        elif not front.load_balancer:
            out.append(_instance_path(ctx, entry, memo))
        else:
            for route in ctx.load_balancer_routes:
                if route.load_balancer.address == front.load_balancer:
                    out.append(load_balancer_path(ctx, route, version, memo, entry))
    return out


def _entry(front: CloudFrontFront) -> Entry | PathReport:
    origin = front.origin
    assumptions: list[str] = []
    unknowns: list[Origin] = []
    steps: list[PathStep] = [step("internet", "internet", "any IPv4 address on the internet", None)]
    ports = _origin_ports(front, assumptions, unknowns)
    enabled = [d for d in front.distributions if d.enabled is not False]
    if enabled:
        shown = enabled[0]
        steps.append(step("cloudfront_distribution", shown.address, "CloudFront distribution", shown.span))
    steps.append(step("cloudfront_vpc_origin", origin.address, f"VPC origin on {ports}", origin.span, ports))
    if not front.distributions:
        return _cut(steps, origin.address, f"no distribution uses {origin.address}")
    if not enabled:
        names = ", ".join(d.address for d in front.distributions)
        return _cut(steps, front.distributions[0].address, f"{names} is disabled (not enabled)")
    for distribution in enabled:
        if isinstance(distribution.enabled, Unknown):
            assumptions.append(f"{distribution.address}: enabled is unknown; assumed enabled")
            unknowns.extend(origins_of(distribution.enabled))
            break
    return Entry(
        VIA,
        tuple(steps),
        ports,
        False,
        origin.address,
        tuple(assumptions),
        tuple(unknowns),
        managed_list=CLOUDFRONT_ORIGIN_FACING,
    )


def _cut(steps: list[PathStep], at: str, why: str) -> PathReport:
    return PathReport(VIA, 4, tuple(steps), "", cut=why, cut_at=at)


def _origin_ports(front: CloudFrontFront, assumptions: list[str], unknowns: list[Origin]) -> PortSet:
    """The origin's HTTP port, HTTPS port or both, by its protocol policy (80 and 443 when
    not written)."""
    origin = front.origin
    http = origin.http_port if origin.http_port is not None else 80
    https = origin.https_port if origin.https_port is not None else 443
    policy = origin.protocol_policy
    if isinstance(policy, Unknown):
        assumptions.append(f"{origin.address}: the origin protocol policy is unknown; assumed both ports")
        unknowns.extend(origins_of(policy))
    if not isinstance(policy, str):
        policy = "match-viewer"
    wanted = [http] if policy == "http-only" else [https] if policy == "https-only" else [http, https]
    ports = PortSet()
    for port in wanted:
        if isinstance(port, Unknown):
            assumptions.append(f"{origin.address}: an origin port is unknown; assumed every port")
            unknowns.extend(origins_of(port))
            return PortSet.of(TCP)
        ports = ports | PortSet.of(TCP, port, port)
    return ports


def _unresolved_lists(rules: list[SecurityGroupRule], ports: PortSet) -> list[tuple[SecurityGroupRule, PortSet]]:
    """Rules naming a prefix list this configuration does not define (a ``pl-`` id, a list
    from elsewhere): it may be CloudFront's. With the ports of ``ports`` each opens."""
    out: list[tuple[SecurityGroupRule, PortSet]] = []
    for rule in rules:
        if rule.ingress and rule.prefix_lists and not rule.managed_prefix_lists and not rule.cidrs:
            if part := sg_rule_ports(rule) & ports:
                out.append((rule, part))
    return out


def _admitting(
    rules: list[SecurityGroupRule], entry: Entry, placement: Placement | None, memo: NetworkMemo
) -> list[tuple[SecurityGroupRule, PortSet]]:
    """Each rule that admits CloudFront on some of the entry's ports, with those ports."""
    out: list[tuple[SecurityGroupRule, PortSet]] = []
    for rule in rules:
        if not rule.ingress:
            continue
        part = managed_list_ports([rule], entry.managed_list) & entry.ports
        if rule.cidrs:
            alone = internet_admission(placement, [rule], 4, False, memo, check_acl=False)
            part = part | (alone.world_ports & entry.ports)
        if part:
            out.append((rule, part))
    return out


def _instance_path(ctx: WorkloadContext, entry: Entry, memo: NetworkMemo) -> PathReport:
    rules = ingress_rules(ctx.security_groups)
    placement = ctx.placements[0] if ctx.placements else None
    assumptions = [*entry.assumptions]
    unknowns = [*entry.unknowns]
    admitting = _admitting(rules, entry, placement, memo)
    if not admitting:
        admitting = _unresolved_lists(rules, entry.ports)
        for rule, _ in admitting:
            assumptions.append(
                f"{rule.address}: it names a prefix list not defined in this configuration; assumed it holds "
                "CloudFront's origin-facing addresses"
            )
            unknowns.extend(origins_of(*rule.prefix_lists))
    if not admitting:
        groups = ", ".join(g.group.address for g in ctx.security_groups) or "no security group"
        return PathReport(
            VIA,
            4,
            entry.steps,
            "",
            cut=f"no rule of {groups} admits {entry.ports} from CloudFront (its origin-facing prefix list or the "
            "whole internet)",
            cut_at=ctx.security_groups[0].group.address if ctx.security_groups else ctx.address,
        )
    ports = PortSet()
    steps = list(entry.steps)
    for rule, part in admitting:
        ports = ports | part
        steps.append(
            step("security_group_rule", rule.address, f"admits {part} from CloudFront", _source_span(rule), part)
        )
    steps.append(workload_step(ctx, ports))
    first, first_part = admitting[0]
    location = Evidence(_source_span(first), first.address, f"admits {first_part} from CloudFront")
    related = tuple(Evidence(_source_span(r), r.address, f"also admits {p} from CloudFront") for r, p in admitting[1:])
    return PathReport(
        VIA,
        4,
        tuple(steps),
        str(ports),
        location=location,
        related=related,
        assumptions=tuple(dict.fromkeys(assumptions)),
        target_ports=ports,
        unknowns=tuple(dict.fromkeys(unknowns)),
    )


def _source_span(rule: SecurityGroupRule) -> Span:
    return rule.span_of("prefix_lists", "cidrs", "ipv6_cidrs")
