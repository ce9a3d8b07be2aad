"""Terraform security groups -> model: the three rule styles (inline ``ingress`` / ``egress``
blocks, ``aws_security_group_rule``, ``aws_vpc_security_group_{ingress,egress}_rule``) and
managed prefix lists."""

from __future__ import annotations

from typing import Any

from scanner.adapters.common import rule_ports
from scanner.adapters.raw import RawResource
from scanner.adapters.terraform.body import Body, base_fields, block_fields
from scanner.model import (
    Cidr,
    MaybeInt,
    MaybeStr,
    PrefixList,
    PrefixListEntry,
    Resource,
    SecurityGroup,
    SecurityGroupRule,
)
from scanner.values import Unknown


def _ports(protocol: MaybeStr, block: Body) -> tuple[MaybeInt, MaybeInt]:
    return rule_ports(protocol, block.number("from_port", "from_port"), block.number("to_port", "to_port"))


def _inline_rule_fields(block: Body) -> dict[str, Any]:
    protocol = block.protocol("protocol", "protocol")
    from_port, to_port = _ports(protocol, block)
    return {
        "protocol": protocol,
        "from_port": from_port,
        "to_port": to_port,
        "cidrs": block.cidrs("cidr_blocks", "cidrs"),
        "ipv6_cidrs": block.cidrs("ipv6_cidr_blocks", "ipv6_cidrs"),
        "source_groups": block.refs("security_groups", "source_groups")
        + block.refs("source_security_group_id", "source_groups"),
        "prefix_lists": block.refs("prefix_list_ids", "prefix_lists"),
        "self_source": block.flag("self", "self_source") is True,
    }


def map_prefix_list(raw: RawResource, body: Body) -> list[Resource]:
    entries: list[Cidr] = []
    if body.is_unknown("entry"):
        entries.append(Unknown("the entries of this prefix list are only known after apply"))
    for block in body.blocks("entry", "entries"):
        cidr = block.text("cidr", "cidr")
        if cidr is not None:
            entries.append(cidr)
    return [
        PrefixList(
            entries=tuple(entries),
            address_family=body.text("address_family", "address_family"),
            **base_fields(raw, body),
        )
    ]


def map_prefix_list_entry(raw: RawResource, body: Body) -> list[Resource]:
    return [
        PrefixListEntry(
            prefix_list=body.ref("prefix_list_id", "prefix_list"),
            cidr=body.text("cidr", "cidr"),
            **base_fields(raw, body),
        )
    ]


def map_security_group(raw: RawResource, body: Body) -> list[Resource]:
    rules = []
    assumptions = raw.assumptions
    for direction in ("ingress", "egress"):
        if body.is_unknown(direction):
            assumptions += (f"the {direction} rules of this group are only known after apply",)
        for index, block in enumerate(body.blocks(direction, direction)):
            rules.append(
                SecurityGroupRule(
                    ingress=direction == "ingress",
                    **_inline_rule_fields(block),
                    **block_fields(raw, f"{raw.address}.{direction}[{index}]", block),
                )
            )
    return [
        SecurityGroup(
            vpc=body.ref("vpc_id", "vpc"),
            rules=tuple(rules),
            is_default=raw.type == "aws_default_security_group",
            implicit_egress_all=False,
            **(base_fields(raw, body) | {"assumptions": assumptions}),
        )
    ]


def map_security_group_rule(raw: RawResource, body: Body) -> list[Resource]:
    direction = body.text("type", "ingress")
    return [
        SecurityGroupRule(
            group=body.ref("security_group_id", "group"),
            ingress=direction != "egress",
            **_inline_rule_fields(body),
            **base_fields(raw, body),
        )
    ]


def map_vpc_security_group_rule(raw: RawResource, body: Body) -> list[Resource]:
    protocol = body.protocol("ip_protocol", "protocol")
    from_port, to_port = _ports(protocol, body)
    return [
        SecurityGroupRule(
            group=body.ref("security_group_id", "group"),
            ingress=raw.type == "aws_vpc_security_group_ingress_rule",
            protocol=protocol,
            from_port=from_port,
            to_port=to_port,
            cidrs=body.cidrs("cidr_ipv4", "cidrs"),
            ipv6_cidrs=body.cidrs("cidr_ipv6", "ipv6_cidrs"),
            source_groups=body.refs("referenced_security_group_id", "source_groups"),
            prefix_lists=body.refs("prefix_list_id", "prefix_lists"),
            **base_fields(raw, body),
        )
    ]
