"""Network built-ins: ``cidrsubnet``, ``cidrsubnets``, ``cidrhost``, ``cidrnetmask``, computed
with Python's ``ipaddress`` the way Terraform does."""

from __future__ import annotations

import ipaddress
from typing import Any

from scanner.loaders.terraform.eval.functions.core import (
    FunctionContext,
    FunctionError,
    FunctionTable,
    to_int,
    to_str,
)

FUNCTIONS = FunctionTable()


def _network(prefix: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(to_str(prefix), strict=False)
    except ValueError as exc:
        raise FunctionError(f"invalid CIDR prefix {prefix!r}: {exc}") from None


def _subnet(prefix: Any, newbits: int, netnum: int) -> str:
    net = _network(prefix)
    new_prefix = net.prefixlen + newbits
    if newbits < 0 or new_prefix > net.max_prefixlen:
        raise FunctionError(f"cidrsubnet: {newbits} more bits do not fit in {net}")
    if netnum < 0 or netnum >= 2**newbits:
        raise FunctionError(f"cidrsubnet: network number {netnum} does not fit in {newbits} bits")
    base = int(net.network_address) + (netnum << (net.max_prefixlen - new_prefix))
    return str(ipaddress.ip_network((base, new_prefix)))


@FUNCTIONS.register("cidrsubnet")
def fn_cidrsubnet(args: list[Any], ctx: FunctionContext) -> str:
    return _subnet(args[0], to_int(args[1]), to_int(args[2]))


@FUNCTIONS.register("cidrsubnets")
def fn_cidrsubnets(args: list[Any], ctx: FunctionContext) -> list[str]:
    net = _network(args[0])
    out: list[str] = []
    current = int(net.network_address)
    for bits in args[1:]:
        newbits = to_int(bits)
        new_prefix = net.prefixlen + newbits
        if newbits < 1 or new_prefix > net.max_prefixlen:
            raise FunctionError(f"cidrsubnets: {newbits} more bits do not fit in {net}")
        size = 1 << (net.max_prefixlen - new_prefix)
        current = (current + size - 1) // size * size  # align to the block size
        if current + size > int(net.network_address) + net.num_addresses:
            raise FunctionError(f"cidrsubnets: not enough room in {net}")
        out.append(str(ipaddress.ip_network((current, new_prefix))))
        current += size
    return out


@FUNCTIONS.register("cidrhost")
def fn_cidrhost(args: list[Any], ctx: FunctionContext) -> str:
    net, hostnum = _network(args[0]), to_int(args[1])
    if hostnum < 0:
        hostnum += net.num_addresses
    if hostnum < 0 or hostnum >= net.num_addresses:
        raise FunctionError(f"cidrhost: host number {to_int(args[1])} is outside {net}")
    return str(ipaddress.ip_address(int(net.network_address) + hostnum))


@FUNCTIONS.register("cidrnetmask")
def fn_cidrnetmask(args: list[Any], ctx: FunctionContext) -> str:
    net = _network(args[0])
    if net.version != 4:
        raise FunctionError("cidrnetmask: only IPv4 prefixes have a netmask")
    return str(net.netmask)
