"""ec2-public-ip: will the workload have a public address, and which line gives it one?

IPv4: an Elastic IP (on the instance or one of its ENIs) always gives one. Otherwise the
first setting written wins: associate_public_ip_address on the instance, else on its
launch template / launch configuration, else on its ENI spec; unset, the subnet decides
(map_public_ip_on_launch; default subnets and the default VPC assign public addresses); a
subnet not known offline gives no trait.
IPv6: addresses (ipv6_address_count > 0, or the subnet's assign_ipv6_on_creation) are
public when the subnet's route table sends internet addresses (::/0) to an internet
gateway; an egress-only gateway carries no inbound traffic.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.analyses.network import NOT_INTERNET, NetworkMemo, atoms, is_internet_address, parse_cidr
from scanner.findings import Evidence
from scanner.model import Instance, Resource
from scanner.values import Span, Unknown
from scanner.workload import Placement, ResolvedRoute, WorkloadContext


@dataclass(frozen=True)
class PublicAddress:
    """Why the workload has a public address of one family, and the line to change."""

    version: int  # 4 or 6
    location: Evidence
    placements: tuple[Placement, ...]  # where the address is public (all of them for an EIP)
    assumptions: tuple[str, ...] = ()


@dataclass(frozen=True)
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


def _ipv4(ctx: WorkloadContext) -> PublicAddress | None:
    if ctx.elastic_ips:
        eip = ctx.elastic_ips[0]
        return PublicAddress(
            4, _evidence(eip, eip.span, f"Elastic IP {eip.address} is associated with {ctx.address}"), ctx.placements
        )
    setting = _launch_setting(ctx, "associate_public_ip")
    if setting is not None:
        owner, value = setting
        span = owner.span_of("associate_public_ip")
        if value is True:
            return PublicAddress(4, _evidence(owner, span, "associate_public_ip_address = true"), ctx.placements)
        if isinstance(value, Unknown):
            return PublicAddress(
                4,
                _evidence(owner, span, "associate_public_ip_address is not known offline"),
                ctx.placements,
                (f"associate_public_ip_address is unknown ({value.reason}); assumed true",),
            )
        return None  # an explicit false wins over the subnet and the default VPC
    public: list[Placement] = []
    first: Evidence | None = None
    assumptions: list[str] = []
    for placement in ctx.placements:
        subnet = placement.subnet
        if placement.default_vpc:
            public.append(placement)
            first = first or _evidence(
                ctx.workload, ctx.workload.span, "runs in the default VPC, whose subnets assign public IPv4 addresses"
            )
        elif subnet is not None:
            value = subnet.map_public_ip_on_launch
            if value is None and subnet.is_default:
                value = True
            if value is True:
                public.append(placement)
                first = first or _evidence(
                    subnet, subnet.span_of("map_public_ip_on_launch"), "map_public_ip_on_launch = true"
                )
            elif isinstance(value, Unknown):
                public.append(placement)
                first = first or _evidence(
                    subnet, subnet.span_of("map_public_ip_on_launch"), "map_public_ip_on_launch is not known offline"
                )
                assumptions.append(
                    f"{subnet.address}: map_public_ip_on_launch is unknown ({value.reason}); assumed true"
                )
    # A subnet named but not known offline (a parameter, a data source, a module not
    # downloaded) gives no trait: subnets AWS does not create as defaults do not map public
    # IPs, and guessing here made most corpus findings of this rule (reachability cuts the
    # same path for the same reason).
    if first is None:
        return None
    return PublicAddress(4, first, tuple(public), tuple(assumptions))


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
    for lo, _ in atoms(version, [*nets, *NOT_INTERNET]):
        if not is_internet_address(version, lo):
            continue
        choice = memo.longest_prefix_match(candidates, version, lo)
        if choice is not None and choice.target.target_kind == "internet_gateway" and choice.target not in found:
            found.append(choice.target)
    return tuple(found)


def _ipv6(ctx: WorkloadContext, memo: NetworkMemo) -> PublicAddress | None:
    setting = _launch_setting(ctx, "ipv6_address_count")
    assumptions: list[str] = []
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
    if first is None:
        return None
    return PublicAddress(6, first, tuple(public), tuple(dict.fromkeys(assumptions)))


def public_addresses(ctx: WorkloadContext, memo: NetworkMemo) -> PublicAddresses:
    """The workload's public IPv4 and IPv6 addresses, if any, each with its cause."""
    return PublicAddresses(_ipv4(ctx), _ipv6(ctx, memo))


__all__ = ["PublicAddress", "PublicAddresses", "internet_gateway_routes", "public_addresses"]
