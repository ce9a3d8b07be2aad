"""CloudFormation network ACLs -> model: ACLs, entries and subnet associations."""

from __future__ import annotations

from scanner.adapters.cloudformation.fields import (
    Fields,
    as_bool,
    as_int,
    as_protocol,
    as_ref,
    as_str,
    base_fields,
)
from scanner.adapters.common import rule_allows
from scanner.adapters.raw import RawResource
from scanner.model import (
    AclEntry,
    NetworkAcl,
    NetworkAclAssociation,
    Resource,
)


def map_network_acl(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [NetworkAcl(**base_fields(raw, fields), vpc=as_ref(fields.take("vpc", "VpcId")))]


def map_network_acl_entry(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    action = as_str(fields.take("allow", "RuleAction"))
    egress = as_bool(fields.take("egress", "Egress"))
    return [
        AclEntry(
            **base_fields(raw, fields),
            acl=as_ref(fields.take("acl", "NetworkAclId")),
            rule_number=as_int(fields.take("rule_number", "RuleNumber")),
            egress=egress is True,
            protocol=as_protocol(fields.take("protocol", "Protocol")),
            allow=rule_allows(action),
            cidr=as_str(fields.take("cidr", "CidrBlock")),
            ipv6_cidr=as_str(fields.take("ipv6_cidr", "Ipv6CidrBlock")),
            from_port=as_int(fields.take("from_port", "PortRange", "From")),
            to_port=as_int(fields.take("to_port", "PortRange", "To")),
        )
    ]


def map_network_acl_association(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        NetworkAclAssociation(
            **base_fields(raw, fields),
            acl=as_ref(fields.take("acl", "NetworkAclId")),
            subnet=as_ref(fields.take("subnet", "SubnetId")),
        )
    ]
