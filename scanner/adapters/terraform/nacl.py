"""Terraform network ACLs -> model: inline and standalone rules, subnet associations."""

from __future__ import annotations

from typing import Any

from scanner.adapters.common import rule_allows
from scanner.adapters.raw import RawResource
from scanner.adapters.terraform.body import Body, base_fields, block_fields
from scanner.adapters.terraform.vpc import vpc_of_default
from scanner.model import (
    AclEntry,
    NetworkAcl,
    NetworkAclAssociation,
    Resource,
)


def _acl_entry_fields(block: Body, rule_key: str, action_key: str) -> dict[str, Any]:
    allow = rule_allows(block.text(action_key, "allow"))
    return {
        "rule_number": block.number(rule_key, "rule_number"),
        "protocol": block.protocol("protocol", "protocol"),
        "allow": allow,
        "cidr": block.text("cidr_block", "cidr"),
        "ipv6_cidr": block.text("ipv6_cidr_block", "ipv6_cidr"),
        "from_port": block.number("from_port", "from_port"),
        "to_port": block.number("to_port", "to_port"),
    }


def map_network_acl(raw: RawResource, body: Body) -> list[Resource]:
    entries = []
    assumptions = raw.assumptions
    for direction in ("ingress", "egress"):
        if body.is_unknown(direction):
            assumptions += (f"the {direction} rules of this ACL are only known after apply",)
        for index, block in enumerate(body.blocks(direction, direction)):
            entries.append(
                AclEntry(
                    egress=direction == "egress",
                    **_acl_entry_fields(block, "rule_no", "action"),
                    **block_fields(raw, f"{raw.address}.{direction}[{index}]", block),
                )
            )
    is_default = raw.type == "aws_default_network_acl"
    vpc = (
        vpc_of_default(body, "default_network_acl_id", "default_network_acl_id")
        if is_default
        else body.ref("vpc_id", "vpc")
    )
    return [
        NetworkAcl(
            vpc=vpc,
            subnets=body.refs("subnet_ids", "subnets"),
            entries=tuple(entries),
            is_default=is_default,
            **(base_fields(raw, body) | {"assumptions": assumptions}),
        )
    ]


def map_network_acl_rule(raw: RawResource, body: Body) -> list[Resource]:
    return [
        AclEntry(
            acl=body.ref("network_acl_id", "acl"),
            egress=body.flag("egress", "egress") is True,
            **_acl_entry_fields(body, "rule_number", "rule_action"),
            **base_fields(raw, body),
        )
    ]


def map_network_acl_association(raw: RawResource, body: Body) -> list[Resource]:
    return [
        NetworkAclAssociation(
            acl=body.ref("network_acl_id", "acl"),
            subnet=body.ref("subnet_id", "subnet"),
            **base_fields(raw, body),
        )
    ]
