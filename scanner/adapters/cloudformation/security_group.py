"""CloudFormation security groups -> model: groups with their inline rules,
``AWS::EC2::SecurityGroupIngress`` / ``Egress``, and prefix lists."""

from __future__ import annotations

from typing import Any

from scanner.adapters.cloudformation.fields import (
    Fields,
    as_cidrs,
    as_int,
    as_protocol,
    as_ref,
    as_refs,
    as_str,
    base_fields,
    derived,
    items_of,
)
from scanner.adapters.common import rule_ports
from scanner.adapters.raw import RawResource
from scanner.model import (
    PrefixList,
    Ref,
    Resource,
    SecurityGroup,
    SecurityGroupRule,
)
from scanner.values import ResourceRef, Unknown


def security_group_rule(
    base: dict[str, Any], rule: Any, ingress: bool, group: Ref | None, fields: Fields
) -> SecurityGroupRule:
    if not isinstance(rule, dict):
        whole = rule if isinstance(rule, Unknown) else Unknown("security group rule is not a mapping")
        return SecurityGroupRule(
            **base, group=group, ingress=ingress, protocol=whole, from_port=whole, to_port=whole, cidrs=(whole,)
        )
    protocol = as_protocol(fields.take("protocol", "IpProtocol"))
    from_port, to_port = rule_ports(
        protocol, as_int(fields.take("from_port", "FromPort")), as_int(fields.take("to_port", "ToPort"))
    )
    if ingress:
        peers = as_refs(fields.take("source_groups", "SourceSecurityGroupId")) + as_refs(
            fields.take("source_groups", "SourceSecurityGroupName")
        )
        prefix_lists = as_refs(fields.take("prefix_lists", "SourcePrefixListId"))
    else:
        peers = as_refs(fields.take("source_groups", "DestinationSecurityGroupId"))
        prefix_lists = as_refs(fields.take("prefix_lists", "DestinationPrefixListId"))
    self_source = (
        group is not None
        and isinstance(group, ResourceRef)
        and any(isinstance(peer, ResourceRef) and peer.address == group.address for peer in peers)
    )
    if self_source:
        peers = tuple(
            peer
            for peer in peers
            if not (isinstance(peer, ResourceRef) and isinstance(group, ResourceRef) and peer.address == group.address)
        )
    return SecurityGroupRule(
        **base,
        group=group,
        ingress=ingress,
        protocol=protocol,
        from_port=from_port,
        to_port=to_port,
        cidrs=as_cidrs(fields.take("cidrs", "CidrIp")),
        ipv6_cidrs=as_cidrs(fields.take("ipv6_cidrs", "CidrIpv6")),
        source_groups=peers,
        prefix_lists=prefix_lists,
        self_source=self_source,
    )


def map_prefix_list(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    entries: list[str | Unknown] = []
    for _index, item in items_of(fields.take("entries", "Entries")):
        cidr = as_str(Fields(item).take("entries", "Cidr")) if isinstance(item, dict) else as_str(item)
        if cidr is not None:
            entries.append(cidr)
    return [
        PrefixList(
            **base_fields(raw, fields, "PrefixListName"),
            entries=tuple(entries),
            address_family=as_str(fields.take("address_family", "AddressFamily")),
        )
    ]


def map_security_group(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    rules: list[SecurityGroupRule] = []
    for key, ingress in (("SecurityGroupIngress", True), ("SecurityGroupEgress", False)):
        written = fields.take("rules", key)
        for index, item in items_of(written):
            rule_fields = Fields(item)
            base = derived(raw, key, index, written, rule_fields)
            rules.append(security_group_rule(base, item, ingress, None, rule_fields))
    egress = raw.body.get("SecurityGroupEgress")
    assumptions = raw.assumptions
    if isinstance(egress, Unknown):
        assumptions = (*assumptions, f"SecurityGroupEgress is unknown ({egress.reason})")
    base = base_fields(raw, fields, "GroupName")
    base["assumptions"] = assumptions
    return [
        SecurityGroup(
            **base,
            vpc=as_ref(fields.take("vpc", "VpcId")),
            rules=tuple(rules),
            # CloudFormation keeps AWS's allow-all egress unless the group lists egress rules.
            implicit_egress_all=egress is None or (isinstance(egress, list) and not egress),
        )
    ]


def map_security_group_ingress(raw: RawResource) -> list[Resource]:
    return _standalone_rule(raw, ingress=True)


def map_security_group_egress(raw: RawResource) -> list[Resource]:
    return _standalone_rule(raw, ingress=False)


def _standalone_rule(raw: RawResource, ingress: bool) -> list[Resource]:
    fields = Fields(raw.body)
    group = as_ref(fields.first("group", ("GroupId",), ("GroupName",)))
    return [security_group_rule(base_fields(raw, fields), raw.body, ingress, group, fields)]
