"""ec2-public-ip: will the workload have a public address, and which line gives it one?

IPv4: an Elastic IP (on the instance or one of its ENIs) always gives one. Otherwise the
first setting written wins: associate_public_ip_address on the instance, else on its
launch template / launch configuration, else on its ENI spec; unset, the subnet decides
(map_public_ip_on_launch; default subnets and the default VPC assign public addresses).
Possible (assumptions and the origins deciding them), never a quiet yes or no: an Elastic IP
that may not exist (count / Condition unknown), an unknown associate_public_ip_address or
map_public_ip_on_launch, a subnet not known offline (``unplaced_subnets``). A certain cause
wins over possible ones.
IPv6: addresses (ipv6_address_count > 0, or the subnet's assign_ipv6_on_creation) are
public when the subnet's route table sends internet addresses (::/0) to an internet
gateway; an egress-only gateway carries no inbound traffic.
"""

from __future__ import annotations

from dataclasses import replace

from scanner.analyses.network import NOT_INTERNET, atoms, is_internet_address, parse_cidr
from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.unknowns import existence_open, origins_of, ref_text, unplaced_subnets
from scanner.findings import Evidence
from scanner.frozen import frozen
from scanner.model import Instance, Resource
from scanner.values import Origin, Span, Unknown
from scanner.workload import Placement, ResolvedRoute, WorkloadContext


@frozen
class PublicAddress:
    """Why the workload has a public address of one family, and the line to change."""

    version: int  # 4 or 6
    location: Evidence
    placements: tuple[Placement, ...]  # where the address is public (all of them for an EIP)
    assumptions: tuple[str, ...] = ()
    unknowns: tuple[Origin, ...] = ()  # the open inputs deciding it (with ``assumptions``)
    unplaced: bool = False  # also public in the subnets not known offline (``unplaced_subnets``)

    @property
    def possible(self) -> bool:
        return bool(self.assumptions or self.unknowns)


@frozen
class PublicAddresses:
    ipv4: PublicAddress | None
    ipv6: PublicAddress | None

    def of(self, version: int) -> PublicAddress | None:
        return self.ipv4 if version == 4 else self.ipv6


def _evidence(obj: Resource, span: Span, message: str) -> Evidence:
    return Evidence(span=span, address=obj.address, message=message)


def _launch_setting(ctx: WorkloadContext, field: str) -> tuple[Resource, object] | None:
    """The first place that sets ``field``: the instance, its launch template, its ENI spec."""
    work = ctx.workload
    if isinstance(work, Instance) and getattr(work, field) is not None:
        return work, getattr(work, field)
    if ctx.launch_template is not None and getattr(ctx.launch_template, field) is not None:
        return ctx.launch_template, getattr(ctx.launch_template, field)
    eni_field = "public_ip" if field == "associate_public_ip" else field
    for eni in ctx.network_interfaces:
        if getattr(eni, eni_field) is not None:
            return eni, getattr(eni, eni_field)
    return None


def _eip_address(ctx: WorkloadContext) -> PublicAddress | None:
    """An Elastic IP: certain when one certainly exists, else possible (its count is unknown)."""
    if not ctx.elastic_ips:
        return None
    eip = next((e for e in ctx.elastic_ips if e.existence is None), ctx.elastic_ips[0])
    built_on = existence_open(*([eip] if eip.existence is None else ctx.elastic_ips))
    return PublicAddress(
        4,
        _evidence(eip, eip.span, f"Elastic IP {eip.address} is associated with {ctx.address}"),
        ctx.placements,
        built_on.assumptions,
        built_on.unknowns,
        unplaced=True,
    )


def _ipv4(ctx: WorkloadContext) -> PublicAddress | None:
    eip = _eip_address(ctx)
    if eip is not None and not eip.possible:
        return eip
    launched = _launched_ipv4(ctx)
    if launched is None or eip is None:
        return launched or eip
    if not launched.possible:
        return launched
    # Both possible: the Elastic IP's line, resting on either.
    return replace(
        eip,
        assumptions=tuple(dict.fromkeys(eip.assumptions + launched.assumptions)),
        unknowns=tuple(dict.fromkeys(eip.unknowns + launched.unknowns)),
    )


def _launched_ipv4(ctx: WorkloadContext) -> PublicAddress | None:
    setting = _launch_setting(ctx, "associate_public_ip")
    if setting is not None:
        owner, value = setting
        span = owner.span_of("associate_public_ip")
        if value is True:
            return PublicAddress(
                4, _evidence(owner, span, "associate_public_ip_address = true"), ctx.placements, unplaced=True
            )
        if isinstance(value, Unknown):
            return PublicAddress(
                4,
                _evidence(owner, span, "associate_public_ip_address is not known offline"),
                ctx.placements,
                (f"associate_public_ip_address is unknown ({value.reason}); assumed true",),
                origins_of(value),
                unplaced=True,
            )
        return None  # an explicit false wins over the subnet and the default VPC
    public: list[Placement] = []
    first: Evidence | None = None
    certain: Evidence | None = None
    assumptions: list[str] = []
    unknowns: list[Origin] = []
    for placement in ctx.placements:
        subnet = placement.subnet
        if placement.default_vpc:
            public.append(placement)
            found = _evidence(
                ctx.workload, ctx.workload.span, "runs in the default VPC, whose subnets assign public IPv4 addresses"
            )
            first, certain = first or found, certain or found
        elif subnet is not None:
            value = subnet.map_public_ip_on_launch
            if value is None and subnet.is_default:
                value = True
            if value is True:
                public.append(placement)
                found = _evidence(subnet, subnet.span_of("map_public_ip_on_launch"), "map_public_ip_on_launch = true")
                first, certain = first or found, certain or found
            elif isinstance(value, Unknown):
                public.append(placement)
                first = first or _evidence(
                    subnet, subnet.span_of("map_public_ip_on_launch"), "map_public_ip_on_launch is not known offline"
                )
                assumptions.append(
                    f"{subnet.address}: map_public_ip_on_launch is unknown ({value.reason}); assumed true"
                )
                unknowns.extend(origins_of(value))
    # A subnet named but not known offline (a variable, a data source, a module output, a
    # literal id): whether it maps public IPv4 addresses is not known, so the address is
    # possible, never a quiet "no" (and never a certain "yes": AWS's non-default subnets do
    # not map public addresses unless told to).
    unplaced = unplaced_subnets(ctx)
    for ref in unplaced:
        assumptions.append(
            f"the subnet {ctx.address} runs in is not known offline ({ref_text(ref)}); "
            "assumed it maps public IPv4 addresses"
        )
        unknowns.extend(origins_of(ref))
        first = first or _evidence(
            ctx.workload, ctx.workload.span_of("subnet", "subnets"), "runs in a subnet not known offline"
        )
    if first is None:
        return None
    if certain is not None:
        return PublicAddress(4, certain, tuple(public), unplaced=bool(unplaced))
    return PublicAddress(
        4,
        first,
        tuple(public),
        tuple(dict.fromkeys(assumptions)),
        tuple(dict.fromkeys(unknowns)),
        unplaced=bool(unplaced),
    )


def internet_gateway_routes(placement: Placement, version: int, memo: NetworkMemo) -> tuple[ResolvedRoute, ...]:
    """Routes to an internet gateway that are the longest match for some internet address
    of this family (the routes internet traffic actually returns by). Every workload of a
    subnet asks: the answer is remembered per placement."""
    return memo.answer(
        ("internet_gateway_routes", id(placement), version),
        placement,
        lambda: _internet_gateway_routes(placement, version, memo),
    )


def _internet_gateway_routes(placement: Placement, version: int, memo: NetworkMemo) -> tuple[ResolvedRoute, ...]:
    candidates: list[tuple[object, ResolvedRoute]] = []
    for resolved in placement.routes:
        destination = resolved.route.destination if version == 4 else resolved.route.ipv6_destination
        if destination is not None and parse_cidr(destination) is not None:
            candidates.append((destination, resolved))
    nets = [n for n in (parse_cidr(d) for d, _ in candidates) if n is not None]
    found: list[ResolvedRoute] = []
    choose = memo.route_chooser(candidates, version)
    for lo, _ in atoms(version, [*nets, *NOT_INTERNET]):
        if not is_internet_address(version, lo):
            continue
        choice = choose(lo)
        if choice is not None and choice.target.target_kind == "internet_gateway" and choice.target not in found:
            found.append(choice.target)
    return tuple(found)


def _ipv6(ctx: WorkloadContext, memo: NetworkMemo) -> PublicAddress | None:
    setting = _launch_setting(ctx, "ipv6_address_count")
    assumptions: list[str] = []
    unknowns: list[Origin] = []
    public: list[Placement] = []
    first: Evidence | None = None
    for placement in ctx.placements:
        if not internet_gateway_routes(placement, 6, memo):
            continue
        if setting is not None:
            owner, value = setting
            span = owner.span_of("ipv6_address_count")
            if isinstance(value, int) and value > 0:
                first = first or _evidence(owner, span, f"ipv6_address_count = {value}")
            elif isinstance(value, Unknown):
                first = first or _evidence(owner, span, "ipv6_address_count is not known offline")
                assumptions.append(f"ipv6_address_count is unknown ({value.reason}); assumed at least one")
                unknowns.extend(origins_of(value))
            else:
                continue
            public.append(placement)
            continue
        subnet = placement.subnet
        if (
            subnet is not None
            and subnet.assign_ipv6_on_creation is not None
            and subnet.assign_ipv6_on_creation is not False
        ):
            public.append(placement)
            first = first or _evidence(
                subnet, subnet.span_of("assign_ipv6_on_creation"), "assign_ipv6_address_on_creation = true"
            )
            if isinstance(subnet.assign_ipv6_on_creation, Unknown):
                assumptions.append(f"{subnet.address}: assign_ipv6_address_on_creation is unknown; assumed true")
                unknowns.extend(origins_of(subnet.assign_ipv6_on_creation))
    if first is None:
        return None
    return PublicAddress(6, first, tuple(public), tuple(dict.fromkeys(assumptions)), tuple(dict.fromkeys(unknowns)))


def has_ipv6_address(ctx: WorkloadContext, placement: Placement) -> bool:
    """Whether the workload gets an IPv6 address in this placement (or may: a count not known
    offline), whatever the routes: an address behind an egress-only gateway is not public."""
    setting = _launch_setting(ctx, "ipv6_address_count")
    if setting is not None:
        value = setting[1]
        return isinstance(value, Unknown) or (isinstance(value, int) and value > 0)
    subnet = placement.subnet
    return (
        subnet is not None
        and subnet.assign_ipv6_on_creation is not None
        and subnet.assign_ipv6_on_creation is not False
    )


def public_addresses(ctx: WorkloadContext, memo: NetworkMemo) -> PublicAddresses:
    """The workload's public IPv4 and IPv6 addresses, if any, each with its cause. Every
    path of every family asks, and so does every measured fix that leaves these objects as
    they are: the answer is remembered for the objects it reads."""
    read = (ctx.workload, ctx.launch_template, ctx.network_interfaces, ctx.elastic_ips, ctx.placements)
    key = (
        "public_addresses",
        id(ctx.workload),
        id(ctx.launch_template),
        tuple(map(id, ctx.network_interfaces)),
        tuple(map(id, ctx.elastic_ips)),
        tuple(map(id, ctx.placements)),
    )
    return memo.answer(key, read, lambda: PublicAddresses(_ipv4(ctx), _ipv6(ctx, memo)))


__all__ = ["PublicAddress", "PublicAddresses", "internet_gateway_routes", "public_addresses"]
