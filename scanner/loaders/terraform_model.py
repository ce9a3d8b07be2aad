"""Terraform resources (``aws_*``, in plan-JSON attribute shape) -> ``scanner.model`` objects.

Both the HCL loader and the plan loader hand over ``RawResource``s whose body looks like a
plan's ``values``: attributes hold evaluated values, nested blocks are lists of mappings
(a single mapping is accepted too). Plan JSON writes unset nested strings as ``""`` and
unset lists as ``[]``: both mean "not set" here. Values may be ``ResourceRef`` (an edge),
``Unknown`` (kept as is) or ``EncodedJson`` (a policy written with ``jsonencode``).

Every reader below is defensive: a template may put a string where a list is expected or
a list where a block is expected; such a value becomes ``Unknown`` (or is skipped) rather
than an exception. ``map_resources`` turns whatever still fails into a ``LoadError``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from scanner.adapters.raw import RawResource
from scanner.findings import LoadError
from scanner.model import (
    AclEntry,
    AutoScalingAttachment,
    AutoScalingGroup,
    Cidr,
    ClassicLbAttachment,
    EipAssociation,
    ElasticIp,
    GatewayAttachment,
    Instance,
    InstanceMetadataDefaults,
    InstanceProfile,
    InternetGateway,
    LaunchTemplate,
    Listener,
    ListenerRule,
    LoadBalancer,
    MainRouteTableAssociation,
    MaybeBool,
    MaybeInt,
    MaybeStr,
    MetadataOptions,
    NatGateway,
    NetworkAcl,
    NetworkAclAssociation,
    NetworkInterface,
    NetworkInterfaceAttachment,
    Policy,
    PolicyAttachment,
    PrefixList,
    PrefixListEntry,
    Ref,
    Resource,
    Role,
    Route,
    RouteTable,
    RouteTableAssociation,
    RouteTargetKind,
    SecurityGroup,
    SecurityGroupAttachment,
    SecurityGroupRule,
    Statement,
    Subnet,
    TargetGroup,
    TargetGroupAttachment,
    Vpc,
    VpcCidrAssociation,
    VpcPeering,
    VpnConnection,
    VpnGateway,
    VpnGatewayRoutePropagation,
)
from scanner.values import EncodedJson, ResourceRef, Span, SpannedDict, SpannedList, Unknown

# --- value conversion ------------------------------------------------------------------


def _is_unset(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list) and not value)


def _from_ref(ref: ResourceRef) -> Unknown:
    return Unknown(f"{ref} is only known after apply", refs=(ref,))


def as_str(value: Any) -> MaybeStr:
    """A scalar string; a reference where a literal is needed becomes Unknown (keeping the edge)."""
    if _is_unset(value):
        return None
    if isinstance(value, Unknown):
        return value
    if isinstance(value, ResourceRef):
        return _from_ref(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return Unknown(f"expected a single value, found {type(value).__name__}")


def as_ref(value: Any) -> Ref | None:
    """A reference field: a ResourceRef, a literal id/name/ARN, or Unknown."""
    if _is_unset(value):
        return None
    if isinstance(value, (ResourceRef, Unknown, str)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list) and len(value) == 1:
        return as_ref(value[0])
    if isinstance(value, list):
        # One of several resources (a conditional, an element of a list): keep them all as edges.
        refs = tuple(item for item in value if isinstance(item, ResourceRef))
        return Unknown("one of several values, only known after apply", refs=refs)
    return Unknown(f"expected one reference, found {type(value).__name__}")


def as_refs(value: Any) -> tuple[Ref, ...]:
    """A list of references; a single value counts as a one-item list."""
    if _is_unset(value):
        return ()
    if isinstance(value, (list, tuple, set, frozenset)):
        refs = (as_ref(item) for item in value)
        return tuple(ref for ref in refs if ref is not None)
    single = as_ref(value)
    return (single,) if single is not None else ()


def as_cidrs(value: Any) -> tuple[Cidr, ...]:
    if _is_unset(value):
        return ()
    items = value if isinstance(value, (list, tuple)) else [value]
    cidrs = (as_str(item) for item in items)
    return tuple(cidr for cidr in cidrs if cidr is not None)


def as_bool(value: Any) -> MaybeBool:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, Unknown):
        return value
    if isinstance(value, ResourceRef):
        return _from_ref(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, int):
        return bool(value)
    return Unknown(f"expected true or false, found {value!r}")


def as_int(value: Any) -> MaybeInt:
    if value is None or value == "":
        return None
    if isinstance(value, Unknown):
        return value
    if isinstance(value, ResourceRef):
        return _from_ref(value)
    if isinstance(value, bool):
        return Unknown(f"expected a number, found {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    return Unknown(f"expected a number, found {value!r}")


_PROTOCOL_NUMBERS = {
    "tcp": "6",
    "udp": "17",
    "icmp": "1",
    "icmpv6": "58",
    "icmp-v6": "58",
    "all": "-1",
    "-1": "-1",
    "gre": "47",
    "esp": "50",
    "ah": "51",
}


def normalize_protocol(value: Any) -> MaybeStr:
    """ "tcp" -> "6", "udp" -> "17", "icmp" -> "1", "icmpv6" -> "58", "-1"/"all" -> "-1";
    numbers stay numbers (as strings)."""
    if value is None or value == "":
        return None
    if isinstance(value, Unknown):
        return value
    if isinstance(value, ResourceRef):
        return _from_ref(value)
    if isinstance(value, bool):
        return Unknown(f"protocol {value!r} is not a protocol")
    if isinstance(value, (int, float)):
        return "-1" if int(value) == -1 else str(int(value))
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _PROTOCOL_NUMBERS:
            return _PROTOCOL_NUMBERS[text]
        try:
            number = int(text)
        except ValueError:
            return Unknown(f"protocol {value!r} is not recognised")
        return "-1" if number == -1 else str(number)
    return Unknown(f"protocol {value!r} is not recognised")


def decode_base64(value: Any) -> MaybeStr:
    """user_data_base64 / a launch template's user_data: decoded when written literally."""
    text = as_str(value)
    if not isinstance(text, str):
        return text
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        # A launch template's user_data written as plain text is still the user data.
        return text


# --- reading a body --------------------------------------------------------------------


class Body:
    """A mapping from the template, read field by field. Each read that names a model
    field records the line of the attribute under that field name (first read wins)."""

    def __init__(self, data: Any, span: Span) -> None:
        self.data: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        self.span = data.span if isinstance(data, SpannedDict) and data.span is not None else span
        self.attr_spans: dict[str, Span] = {}

    def key_span(self, key: str) -> Span | None:
        if isinstance(self.data, SpannedDict):
            return self.data.key_spans.get(key)
        return None

    def get(self, key: str, field: str | None = None) -> Any:
        value = self.data.get(key)
        if field is not None and not _is_unset(value) and field not in self.attr_spans:
            found = self.key_span(key)
            if found is not None:
                self.attr_spans[field] = found
        return value

    def ref(self, key: str, field: str | None = None) -> Ref | None:
        return as_ref(self.get(key, field))

    def refs(self, key: str, field: str | None = None) -> tuple[Ref, ...]:
        return as_refs(self.get(key, field))

    def text(self, key: str, field: str | None = None) -> MaybeStr:
        return as_str(self.get(key, field))

    def flag(self, key: str, field: str | None = None) -> MaybeBool:
        return as_bool(self.get(key, field))

    def number(self, key: str, field: str | None = None) -> MaybeInt:
        return as_int(self.get(key, field))

    def blocks(self, key: str, field: str | None = None) -> list[Body]:
        """The nested blocks under ``key`` (a list of mappings or a single mapping)."""
        value = self.get(key, field)
        if isinstance(value, Mapping):
            return [Body(value, self.key_span(key) or self.span)]
        if not isinstance(value, list):
            return []
        found = []
        for index, item in enumerate(value):
            if not isinstance(item, Mapping):
                continue
            item_span = None
            if isinstance(value, SpannedList) and index < len(value.item_spans):
                item_span = value.item_spans[index]
            found.append(Body(item, item_span or self.key_span(key) or self.span))
        return found

    def block(self, key: str, field: str | None = None) -> Body | None:
        blocks = self.blocks(key, field)
        return blocks[0] if blocks else None

    def is_unknown(self, key: str) -> bool:
        return isinstance(self.data.get(key), Unknown)


def _aws_name(body: Body) -> MaybeStr:
    name = body.text("name")
    if name is not None:
        return name
    tags = body.get("tags")
    if isinstance(tags, Mapping):
        return as_str(tags.get("Name"))
    return None


def _common(raw: RawResource, body: Body) -> dict[str, Any]:
    return {
        "address": raw.address,
        "kind": raw.type,
        "span": raw.span,
        "attr_spans": body.attr_spans,
        "assumptions": raw.assumptions,
        "name": _aws_name(body),
    }


def _nested(raw: RawResource, address: str, block: Body) -> dict[str, Any]:
    return {
        "address": address,
        "kind": raw.type,
        "span": block.span,
        "attr_spans": block.attr_spans,
        "assumptions": raw.assumptions,
    }


def _metadata(body: Body, key: str = "metadata_options") -> MetadataOptions | None:
    value = body.get(key, "metadata")
    if isinstance(value, Unknown):
        return MetadataOptions(span=body.key_span(key) or body.span, http_tokens=value, http_endpoint=value)
    block = body.block(key)
    if block is None:
        return None
    return MetadataOptions(
        span=block.span,
        http_tokens=block.text("http_tokens", "http_tokens"),
        http_endpoint=block.text("http_endpoint", "http_endpoint"),
        attr_spans=block.attr_spans,
    )


# --- EC2 workloads -----------------------------------------------------------------------


def _instance(raw: RawResource, body: Body) -> list[Resource]:
    security_groups = body.refs("vpc_security_group_ids", "security_groups") + body.refs(
        "security_groups", "security_groups"
    )
    ipv6_count = body.number("ipv6_address_count", "ipv6_address_count")
    if ipv6_count is None:
        addresses = body.get("ipv6_addresses", "ipv6_address_count")
        if isinstance(addresses, Unknown):
            ipv6_count = addresses
        elif isinstance(addresses, list) and addresses:
            ipv6_count = len(addresses)
    launch_template: Ref | None = None
    template = body.block("launch_template", "launch_template")
    if template is not None:
        launch_template = template.ref("id") or template.ref("name")
    elif body.is_unknown("launch_template"):
        launch_template = body.get("launch_template")
    user_data = body.text("user_data", "user_data")
    if user_data is None:
        user_data = decode_base64(body.get("user_data_base64", "user_data"))
    interfaces = tuple(
        ref
        for block in body.blocks("network_interface", "network_interfaces")
        if (ref := block.ref("network_interface_id")) is not None
    )
    return [
        Instance(
            subnet=body.ref("subnet_id", "subnet"),
            security_groups=security_groups,
            associate_public_ip=body.flag("associate_public_ip_address", "associate_public_ip"),
            ipv6_address_count=ipv6_count,
            metadata=_metadata(body),
            launch_template=launch_template,
            instance_profile=body.ref("iam_instance_profile", "instance_profile"),
            image=body.ref("ami", "image"),
            user_data=user_data,
            network_interfaces=interfaces,
            **_common(raw, body),
        )
    ]


def _launch_template(raw: RawResource, body: Body) -> list[Resource]:
    security_groups = body.refs("vpc_security_group_ids", "security_groups") + body.refs(
        "security_group_names", "security_groups"
    )
    interface = body.block("network_interfaces")
    associate_public_ip: MaybeBool = None
    ipv6_count: MaybeInt = None
    subnet: Ref | None = None
    if interface is not None:
        associate_public_ip = interface.flag("associate_public_ip_address", "associate_public_ip")
        subnet = interface.ref("subnet_id", "subnet")
        security_groups += interface.refs("security_groups", "security_groups")
        ipv6_count = interface.number("ipv6_address_count", "ipv6_address_count")
        if ipv6_count is None:
            addresses = interface.get("ipv6_addresses", "ipv6_address_count")
            if isinstance(addresses, list) and addresses:
                ipv6_count = len(addresses)
        for name, found in interface.attr_spans.items():
            body.attr_spans.setdefault(name, found)
    profile: Ref | None = None
    profile_block = body.block("iam_instance_profile", "instance_profile")
    if profile_block is not None:
        profile = profile_block.ref("name") or profile_block.ref("arn")
    elif body.is_unknown("iam_instance_profile"):
        profile = body.get("iam_instance_profile")
    return [
        LaunchTemplate(
            metadata=_metadata(body),
            security_groups=security_groups,
            associate_public_ip=associate_public_ip,
            ipv6_address_count=ipv6_count,
            subnet=subnet,
            instance_profile=profile,
            image=body.ref("image_id", "image"),
            user_data=decode_base64(body.get("user_data", "user_data")),
            **_common(raw, body),
        )
    ]


def _launch_configuration(raw: RawResource, body: Body) -> list[Resource]:
    user_data = body.text("user_data", "user_data")
    if user_data is None:
        user_data = decode_base64(body.get("user_data_base64", "user_data"))
    return [
        LaunchTemplate(
            is_launch_configuration=True,
            metadata=_metadata(body),
            security_groups=body.refs("security_groups", "security_groups"),
            associate_public_ip=body.flag("associate_public_ip_address", "associate_public_ip"),
            instance_profile=body.ref("iam_instance_profile", "instance_profile"),
            image=body.ref("image_id", "image"),
            user_data=user_data,
            **_common(raw, body),
        )
    ]


def _template_spec_ref(block: Body) -> Ref | None:
    return block.ref("id") or block.ref("launch_template_id") or block.ref("name") or block.ref("launch_template_name")


def _autoscaling_group(raw: RawResource, body: Body) -> list[Resource]:
    launch_template: Ref | None = None
    template = body.block("launch_template", "launch_template")
    if template is not None:
        launch_template = _template_spec_ref(template)
    for policy in body.blocks("mixed_instances_policy"):
        for mixed in policy.blocks("launch_template"):
            spec = mixed.block("launch_template_specification")
            if launch_template is None and spec is not None:
                launch_template = _template_spec_ref(spec)
                body.attr_spans.setdefault("launch_template", spec.span)
    return [
        AutoScalingGroup(
            launch_template=launch_template,
            launch_configuration=body.ref("launch_configuration", "launch_configuration"),
            subnets=body.refs("vpc_zone_identifier", "subnets"),
            availability_zones=as_cidrs(body.get("availability_zones", "availability_zones")),
            target_groups=body.refs("target_group_arns", "target_groups"),
            load_balancers=body.refs("load_balancers", "load_balancers"),
            **_common(raw, body),
        )
    ]


def _metadata_defaults(raw: RawResource, body: Body) -> list[Resource]:
    return [
        InstanceMetadataDefaults(
            http_tokens=body.text("http_tokens", "http_tokens"),
            http_endpoint=body.text("http_endpoint", "http_endpoint"),
            **_common(raw, body),
        )
    ]


# --- VPC, subnets, routing -----------------------------------------------------------------

# Every default VPC AWS creates has this IPv4 block.
_DEFAULT_VPC_CIDR = "172.31.0.0/16"


def _vpc(raw: RawResource, body: Body) -> list[Resource]:
    is_default = raw.type == "aws_default_vpc"
    cidrs = as_cidrs(body.get("cidr_block", "cidr_blocks"))
    if not cidrs and is_default:
        cidrs = (_DEFAULT_VPC_CIDR,)
    elif not cidrs and body.get("ipv4_ipam_pool_id") is not None:
        cidrs = (Unknown("the IPv4 block is allocated from an IPAM pool at apply"),)
    ipv6 = as_cidrs(body.get("ipv6_cidr_block", "ipv6_cidr_blocks"))
    if not ipv6 and body.flag("assign_generated_ipv6_cidr_block", "ipv6_cidr_blocks") is True:
        ipv6 = (Unknown("the Amazon-provided IPv6 block is assigned at apply"),)
    return [Vpc(cidr_blocks=cidrs, ipv6_cidr_blocks=ipv6, is_default=is_default, **_common(raw, body))]


def _vpc_cidr_association(raw: RawResource, body: Body) -> list[Resource]:
    cidr = body.text("cidr_block", "cidr")
    ipv6 = body.text("ipv6_cidr_block", "ipv6_cidr")
    if raw.type == "aws_vpc_ipv6_cidr_block_association" and ipv6 is None:
        ipv6 = Unknown("the IPv6 block is assigned at apply")
    elif raw.type == "aws_vpc_ipv4_cidr_block_association" and cidr is None:
        cidr = Unknown("the IPv4 block is allocated from an IPAM pool at apply")
    return [VpcCidrAssociation(vpc=body.ref("vpc_id", "vpc"), cidr=cidr, ipv6_cidr=ipv6, **_common(raw, body))]


def _subnet(raw: RawResource, body: Body) -> list[Resource]:
    return [
        Subnet(
            vpc=body.ref("vpc_id", "vpc"),
            cidr=body.text("cidr_block", "cidr"),
            ipv6_cidr=body.text("ipv6_cidr_block", "ipv6_cidr"),
            map_public_ip_on_launch=body.flag("map_public_ip_on_launch", "map_public_ip_on_launch"),
            assign_ipv6_on_creation=body.flag("assign_ipv6_address_on_creation", "assign_ipv6_on_creation"),
            is_default=raw.type == "aws_default_subnet",
            **_common(raw, body),
        )
    ]


# Route target attributes, in the order AWS would report them, and the kind each names.
_ROUTE_TARGETS: tuple[tuple[str, RouteTargetKind], ...] = (
    ("gateway_id", "gateway"),
    ("nat_gateway_id", "nat_gateway"),
    ("egress_only_gateway_id", "egress_only_gateway"),
    ("vpc_peering_connection_id", "vpc_peering"),
    ("transit_gateway_id", "transit_gateway"),
    ("network_interface_id", "network_interface"),
    ("vpc_endpoint_id", "vpc_endpoint"),
    ("instance_id", "instance"),
    ("local_gateway_id", "other"),
    ("carrier_gateway_id", "other"),
    ("core_network_arn", "other"),
)


def _route_target(block: Body) -> tuple[Ref | None, RouteTargetKind]:
    for key, kind in _ROUTE_TARGETS:
        target = block.ref(key, "target")
        if target is None:
            continue
        if kind == "gateway" and target == "local":
            return target, "local"
        return target, kind
    return None, "other"


def _route_fields(block: Body, cidr_key: str, ipv6_key: str, prefix_key: str) -> dict[str, Any]:
    target, kind = _route_target(block)
    return {
        "destination": block.text(cidr_key, "destination"),
        "ipv6_destination": block.text(ipv6_key, "ipv6_destination"),
        "prefix_list": block.ref(prefix_key, "prefix_list"),
        "target": target,
        "target_kind": kind,
    }


def _vpc_of_default(body: Body, key: str, attribute: str) -> Ref | None:
    """aws_default_route_table / aws_default_network_acl name their VPC through the VPC's
    ``default_route_table_id`` / ``default_network_acl_id``."""
    vpc = body.ref("vpc_id", "vpc")
    if vpc is not None and not isinstance(vpc, Unknown):
        return vpc
    default_id = body.get(key, "vpc")
    if isinstance(default_id, ResourceRef) and default_id.attribute == attribute:
        return ResourceRef(default_id.address, "id")
    if isinstance(default_id, Unknown):
        for ref in default_id.refs:
            if ref.attribute == attribute:
                return ResourceRef(ref.address, "id")
    return vpc


def _route_table(raw: RawResource, body: Body) -> list[Resource]:
    routes = []
    for index, block in enumerate(body.blocks("route", "routes")):
        routes.append(
            Route(
                **_route_fields(block, "cidr_block", "ipv6_cidr_block", "destination_prefix_list_id"),
                **_nested(raw, f"{raw.address}.route[{index}]", block),
            )
        )
    is_main = raw.type == "aws_default_route_table"
    vpc = (
        _vpc_of_default(body, "default_route_table_id", "default_route_table_id")
        if is_main
        else body.ref("vpc_id", "vpc")
    )
    assumptions = raw.assumptions
    if body.is_unknown("route"):
        assumptions += ("the routes of this table are only known after apply",)
    common = _common(raw, body) | {"assumptions": assumptions}
    return [
        RouteTable(
            vpc=vpc,
            routes=tuple(routes),
            is_main=is_main,
            propagating_vgws=body.refs("propagating_vgws", "propagating_vgws"),
            **common,
        )
    ]


def _route(raw: RawResource, body: Body) -> list[Resource]:
    return [
        Route(
            route_table=body.ref("route_table_id", "route_table"),
            **_route_fields(
                body, "destination_cidr_block", "destination_ipv6_cidr_block", "destination_prefix_list_id"
            ),
            **_common(raw, body),
        )
    ]


def _route_table_association(raw: RawResource, body: Body) -> list[Resource]:
    return [
        RouteTableAssociation(
            route_table=body.ref("route_table_id", "route_table"),
            subnet=body.ref("subnet_id", "subnet"),
            gateway=body.ref("gateway_id", "gateway"),
            **_common(raw, body),
        )
    ]


def _main_route_table_association(raw: RawResource, body: Body) -> list[Resource]:
    return [
        MainRouteTableAssociation(
            vpc=body.ref("vpc_id", "vpc"),
            route_table=body.ref("route_table_id", "route_table"),
            **_common(raw, body),
        )
    ]


def _internet_gateway(raw: RawResource, body: Body) -> list[Resource]:
    return [
        InternetGateway(
            vpc=body.ref("vpc_id", "vpc"),
            egress_only=raw.type == "aws_egress_only_internet_gateway",
            **_common(raw, body),
        )
    ]


def _gateway_attachment(raw: RawResource, body: Body) -> list[Resource]:
    gateway = body.ref("internet_gateway_id", "gateway") or body.ref("vpn_gateway_id", "gateway")
    return [GatewayAttachment(vpc=body.ref("vpc_id", "vpc"), gateway=gateway, **_common(raw, body))]


def _nat_gateway(raw: RawResource, body: Body) -> list[Resource]:
    return [
        NatGateway(
            subnet=body.ref("subnet_id", "subnet"),
            private=body.text("connectivity_type", "private") == "private",
            **_common(raw, body),
        )
    ]


def _vpc_peering(raw: RawResource, body: Body) -> list[Resource]:
    return [
        VpcPeering(
            vpc=body.ref("vpc_id", "vpc"),
            peer_vpc=body.ref("peer_vpc_id", "peer_vpc"),
            **_common(raw, body),
        )
    ]


def _vpn_gateway(raw: RawResource, body: Body) -> list[Resource]:
    return [VpnGateway(vpc=body.ref("vpc_id", "vpc"), **_common(raw, body))]


def _vpn_gateway_route_propagation(raw: RawResource, body: Body) -> list[Resource]:
    return [
        VpnGatewayRoutePropagation(
            vpn_gateway=body.ref("vpn_gateway_id", "vpn_gateway"),
            route_tables=body.refs("route_table_id", "route_tables"),
            **_common(raw, body),
        )
    ]


def _vpn_connection(raw: RawResource, body: Body, static_routes: tuple[Cidr, ...] = ()) -> list[Resource]:
    gateway = body.ref("vpn_gateway_id", "vpn_gateway") or body.ref("transit_gateway_id", "vpn_gateway")
    return [VpnConnection(vpn_gateway=gateway, static_routes=static_routes, **_common(raw, body))]


# --- network ACLs --------------------------------------------------------------------------


def _acl_entry_fields(block: Body, rule_key: str, action_key: str) -> dict[str, Any]:
    action = block.text(action_key, "allow")
    allow: MaybeBool = action if isinstance(action, Unknown) or action is None else action.lower() == "allow"
    return {
        "rule_number": block.number(rule_key, "rule_number"),
        "protocol": normalize_protocol(block.get("protocol", "protocol")),
        "allow": allow,
        "cidr": block.text("cidr_block", "cidr"),
        "ipv6_cidr": block.text("ipv6_cidr_block", "ipv6_cidr"),
        "from_port": block.number("from_port", "from_port"),
        "to_port": block.number("to_port", "to_port"),
    }


def _network_acl(raw: RawResource, body: Body) -> list[Resource]:
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
                    **_nested(raw, f"{raw.address}.{direction}[{index}]", block),
                )
            )
    is_default = raw.type == "aws_default_network_acl"
    vpc = (
        _vpc_of_default(body, "default_network_acl_id", "default_network_acl_id")
        if is_default
        else body.ref("vpc_id", "vpc")
    )
    return [
        NetworkAcl(
            vpc=vpc,
            subnets=body.refs("subnet_ids", "subnets"),
            entries=tuple(entries),
            is_default=is_default,
            **(_common(raw, body) | {"assumptions": assumptions}),
        )
    ]


def _network_acl_rule(raw: RawResource, body: Body) -> list[Resource]:
    return [
        AclEntry(
            acl=body.ref("network_acl_id", "acl"),
            egress=body.flag("egress", "egress") is True,
            **_acl_entry_fields(body, "rule_number", "rule_action"),
            **_common(raw, body),
        )
    ]


def _network_acl_association(raw: RawResource, body: Body) -> list[Resource]:
    return [
        NetworkAclAssociation(
            acl=body.ref("network_acl_id", "acl"),
            subnet=body.ref("subnet_id", "subnet"),
            **_common(raw, body),
        )
    ]


# --- security groups -----------------------------------------------------------------------


def _ports(protocol: MaybeStr, block: Body) -> tuple[MaybeInt, MaybeInt]:
    from_port = block.number("from_port", "from_port")
    to_port = block.number("to_port", "to_port")
    if protocol == "-1":
        # AWS ignores the ports of an all-protocols rule: every port is open.
        return 0, 65535
    return from_port, to_port


def _inline_rule_fields(block: Body) -> dict[str, Any]:
    protocol = normalize_protocol(block.get("protocol", "protocol"))
    from_port, to_port = _ports(protocol, block)
    return {
        "protocol": protocol,
        "from_port": from_port,
        "to_port": to_port,
        "cidrs": as_cidrs(block.get("cidr_blocks", "cidrs")),
        "ipv6_cidrs": as_cidrs(block.get("ipv6_cidr_blocks", "ipv6_cidrs")),
        "source_groups": block.refs("security_groups", "source_groups")
        + block.refs("source_security_group_id", "source_groups"),
        "prefix_lists": block.refs("prefix_list_ids", "prefix_lists"),
        "self_source": block.flag("self", "self_source") is True,
    }


def _prefix_list(raw: RawResource, body: Body) -> list[Resource]:
    entries: list[Cidr] = []
    if body.is_unknown("entry"):
        entries.append(Unknown("the entries of this prefix list are only known after apply"))
    for block in body.blocks("entry", "entries"):
        cidr = block.text("cidr", "cidr")
        if cidr is not None:
            entries.append(cidr)
    return [
        PrefixList(
            entries=tuple(entries), address_family=body.text("address_family", "address_family"), **_common(raw, body)
        )
    ]


def _prefix_list_entry(raw: RawResource, body: Body) -> list[Resource]:
    return [
        PrefixListEntry(
            prefix_list=body.ref("prefix_list_id", "prefix_list"), cidr=body.text("cidr", "cidr"), **_common(raw, body)
        )
    ]


def _security_group(raw: RawResource, body: Body) -> list[Resource]:
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
                    **_nested(raw, f"{raw.address}.{direction}[{index}]", block),
                )
            )
    return [
        SecurityGroup(
            vpc=body.ref("vpc_id", "vpc"),
            rules=tuple(rules),
            is_default=raw.type == "aws_default_security_group",
            implicit_egress_all=False,
            **(_common(raw, body) | {"assumptions": assumptions}),
        )
    ]


def _security_group_rule(raw: RawResource, body: Body) -> list[Resource]:
    direction = body.text("type", "ingress")
    return [
        SecurityGroupRule(
            group=body.ref("security_group_id", "group"),
            ingress=direction != "egress",
            **_inline_rule_fields(body),
            **_common(raw, body),
        )
    ]


def _vpc_security_group_rule(raw: RawResource, body: Body) -> list[Resource]:
    protocol = normalize_protocol(body.get("ip_protocol", "protocol"))
    from_port, to_port = _ports(protocol, body)
    return [
        SecurityGroupRule(
            group=body.ref("security_group_id", "group"),
            ingress=raw.type == "aws_vpc_security_group_ingress_rule",
            protocol=protocol,
            from_port=from_port,
            to_port=to_port,
            cidrs=as_cidrs(body.get("cidr_ipv4", "cidrs")),
            ipv6_cidrs=as_cidrs(body.get("cidr_ipv6", "ipv6_cidrs")),
            source_groups=body.refs("referenced_security_group_id", "source_groups"),
            prefix_lists=body.refs("prefix_list_id", "prefix_lists"),
            **_common(raw, body),
        )
    ]


# --- interfaces and addresses --------------------------------------------------------------


def _network_interface(raw: RawResource, body: Body) -> list[Resource]:
    attachment = body.block("attachment", "attached_instance")
    ipv6_count = body.number("ipv6_address_count", "ipv6_address_count")
    if ipv6_count is None:
        addresses = body.get("ipv6_addresses", "ipv6_address_count")
        if isinstance(addresses, list) and addresses:
            ipv6_count = len(addresses)
    return [
        NetworkInterface(
            subnet=body.ref("subnet_id", "subnet"),
            security_groups=body.refs("security_groups", "security_groups"),
            attached_instance=attachment.ref("instance") if attachment is not None else None,
            ipv6_address_count=ipv6_count,
            **_common(raw, body),
        )
    ]


def _network_interface_attachment(raw: RawResource, body: Body) -> list[Resource]:
    return [
        NetworkInterfaceAttachment(
            instance=body.ref("instance_id", "instance"),
            network_interface=body.ref("network_interface_id", "network_interface"),
            **_common(raw, body),
        )
    ]


def _sg_attachment(raw: RawResource, body: Body) -> list[Resource]:
    return [
        SecurityGroupAttachment(
            security_group=body.ref("security_group_id", "security_group"),
            network_interface=body.ref("network_interface_id", "network_interface"),
            **_common(raw, body),
        )
    ]


def _eip(raw: RawResource, body: Body) -> list[Resource]:
    return [
        ElasticIp(
            instance=body.ref("instance", "instance"),
            network_interface=body.ref("network_interface", "network_interface"),
            **_common(raw, body),
        )
    ]


def _eip_association(raw: RawResource, body: Body) -> list[Resource]:
    return [
        EipAssociation(
            eip=body.ref("allocation_id", "eip") or body.ref("public_ip", "eip"),
            instance=body.ref("instance_id", "instance"),
            network_interface=body.ref("network_interface_id", "network_interface"),
            **_common(raw, body),
        )
    ]


# --- load balancers ------------------------------------------------------------------------


def _action_target_groups(actions: list[Body]) -> tuple[Ref, ...]:
    groups: list[Ref] = []
    for action in actions:
        action_type = action.text("type")
        if action_type is not None and action_type != "forward" and not isinstance(action_type, Unknown):
            continue
        groups.extend(action.refs("target_group_arn"))
        for forward in action.blocks("forward"):
            for weighted in forward.blocks("target_group"):
                groups.extend(weighted.refs("arn"))
    unique: list[Ref] = []
    for group in groups:
        if group not in unique:
            unique.append(group)
    return tuple(unique)


def _load_balancer(raw: RawResource, body: Body) -> list[Resource]:
    lb_type = body.text("load_balancer_type", "lb_type")
    subnets = body.refs("subnets", "subnets")
    for mapping in body.blocks("subnet_mapping", "subnets"):
        subnets += mapping.refs("subnet_id")
    return [
        LoadBalancer(
            lb_type=lb_type if lb_type in ("application", "network", "gateway") else "application",  # type: ignore[arg-type]
            internal=body.flag("internal", "internal"),
            subnets=subnets,
            security_groups=body.refs("security_groups", "security_groups"),
            **_common(raw, body),
        )
    ]


def _listener(raw: RawResource, body: Body) -> list[Resource]:
    return [
        Listener(
            load_balancer=body.ref("load_balancer_arn", "load_balancer"),
            port=body.number("port", "port"),
            protocol=body.text("protocol", "protocol"),
            target_groups=_action_target_groups(body.blocks("default_action", "target_groups")),
            **_common(raw, body),
        )
    ]


def _listener_rule(raw: RawResource, body: Body) -> list[Resource]:
    return [
        ListenerRule(
            listener=body.ref("listener_arn", "listener"),
            target_groups=_action_target_groups(body.blocks("action", "target_groups")),
            **_common(raw, body),
        )
    ]


def _target_group(raw: RawResource, body: Body) -> list[Resource]:
    return [
        TargetGroup(
            port=body.number("port", "port"),
            protocol=body.text("protocol", "protocol"),
            target_type=body.text("target_type", "target_type"),
            vpc=body.ref("vpc_id", "vpc"),
            **_common(raw, body),
        )
    ]


def _target_group_attachment(raw: RawResource, body: Body) -> list[Resource]:
    return [
        TargetGroupAttachment(
            target_group=body.ref("target_group_arn", "target_group"),
            target=body.ref("target_id", "target"),
            port=body.number("port", "port"),
            **_common(raw, body),
        )
    ]


def _classic_lb(raw: RawResource, body: Body) -> list[Resource]:
    listeners = []
    for index, block in enumerate(body.blocks("listener", "listeners")):
        listeners.append(
            Listener(
                load_balancer=ResourceRef(raw.address, "id"),
                port=block.number("lb_port", "port"),
                protocol=block.text("lb_protocol", "protocol"),
                instance_port=block.number("instance_port", "instance_port"),
                **_nested(raw, f"{raw.address}.listener[{index}]", block),
            )
        )
    return [
        LoadBalancer(
            lb_type="classic",
            internal=body.flag("internal", "internal"),
            subnets=body.refs("subnets", "subnets"),
            security_groups=body.refs("security_groups", "security_groups"),
            listeners=tuple(listeners),
            instances=body.refs("instances", "instances"),
            **_common(raw, body),
        )
    ]


def _classic_lb_attachment(raw: RawResource, body: Body) -> list[Resource]:
    return [
        ClassicLbAttachment(
            load_balancer=body.ref("elb", "load_balancer"),
            instance=body.ref("instance", "instance"),
            **_common(raw, body),
        )
    ]


def _autoscaling_attachment(raw: RawResource, body: Body) -> list[Resource]:
    target_group = body.ref("lb_target_group_arn", "target_group") or body.ref("alb_target_group_arn", "target_group")
    load_balancer = body.ref("elb", "load_balancer")
    source = body.block("traffic_source", "target_group")
    if source is not None:
        source_type = source.text("type")
        identifier = source.ref("identifier")
        if source_type == "elb":
            load_balancer = identifier
        elif source_type in (None, "elbv2") or isinstance(source_type, Unknown):
            target_group = identifier
    return [
        AutoScalingAttachment(
            auto_scaling_group=body.ref("autoscaling_group_name", "auto_scaling_group"),
            target_group=target_group,
            load_balancer=load_balancer,
            **_common(raw, body),
        )
    ]


# --- IAM -----------------------------------------------------------------------------------


def _lookup(document: Mapping[str, Any], *keys: str) -> tuple[str | None, Any]:
    for key in keys:
        if key in document:
            return key, document[key]
    return None, None


def _string_items(value: Any) -> tuple[str | Unknown, ...]:
    items = value if isinstance(value, (list, tuple)) else [value]
    found: list[str | Unknown] = []
    for item in items:
        text = as_str(item)
        if text is not None:
            found.append(text)
    return tuple(found)


# IAM JSON keys, then the block form of data.aws_iam_policy_document, for each Statement field.
_STATEMENT_KEYS = {
    "sid": ("Sid", "sid"),
    "effect": ("Effect", "effect"),
    "actions": ("Action", "actions"),
    "not_actions": ("NotAction", "not_actions"),
    "resources": ("Resource", "resources"),
    "not_resources": ("NotResource", "not_resources"),
    "condition": ("Condition", "condition"),
}


def _statement(item: Mapping[str, Any], span: Span, block_form: bool) -> Statement:
    attr_spans: dict[str, Span] = {}
    values: dict[str, Any] = {}
    for name, keys in _STATEMENT_KEYS.items():
        key, value = _lookup(item, *keys)
        if key is None:
            continue
        values[name] = value
        if isinstance(item, SpannedDict) and key in item.key_spans:
            attr_spans[name] = item.key_spans[key]
    effect = as_str(values.get("effect"))
    if effect is None and block_form:
        effect = "Allow"  # aws_iam_policy_document's default

    def listed(name: str) -> tuple[str | Unknown, ...] | None:
        return _string_items(values[name]) if name in values and values[name] is not None else None

    condition = values.get("condition")
    return Statement(
        span=span,
        attr_spans=attr_spans,
        sid=as_str(values.get("sid")),
        effect=effect,
        actions=listed("actions"),
        not_actions=listed("not_actions"),
        resources=listed("resources"),
        not_resources=listed("not_resources"),
        has_condition=bool(condition) if not isinstance(condition, Unknown) else True,
    )


def _with_heredoc_lines(text: str, document: Mapping[str, Any], span: Span) -> Mapping[str, Any]:
    """A policy written as a heredoc spans the lines after ``<<EOF``: give each statement its
    own lines there, so a finding points at the statement and not at the whole document.
    Anything else (a one-line string, a shape we do not expect) keeps the attribute's span."""
    statements = document.get("Statement")
    if span.end_line - span.line < text.count("\n") or not isinstance(statements, (list, dict)):
        return document
    key = text.find('"Statement"')
    start = text.find("[", key) if isinstance(statements, list) else text.find(":", key) + 1
    if key < 0 or start <= 0:
        return document
    decoder = json.JSONDecoder()
    item_spans: list[Span | None] = []
    position = start + 1 if isinstance(statements, list) else start
    for _ in statements if isinstance(statements, list) else [statements]:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        try:
            _, end = decoder.raw_decode(text, position)
        except ValueError:
            return document
        first = span.line + 1 + text.count("\n", 0, position)
        last = span.line + 1 + text.count("\n", 0, end - 1)
        item_spans.append(Span(span.file, first, min(last, span.end_line)) if first <= span.end_line else None)
        position = end
    spanned = SpannedDict(document, span=span)
    spanned["Statement"] = SpannedList(
        statements if isinstance(statements, list) else [statements], span=span, item_spans=item_spans
    )
    return spanned


def parse_policy_document(document: Any, span: Span) -> tuple[tuple[Statement, ...], Unknown | None, tuple[str, ...]]:
    """A policy document in any form a template writes it -> (statements, why it is
    unknown, assumptions about statements that could not be read)."""
    if isinstance(document, EncodedJson):
        decoded = document.decoded
        if isinstance(decoded, (Mapping, Unknown)):
            return parse_policy_document(decoded, span)
        document = str(document)
    if isinstance(document, Unknown):
        return (), document, ()
    if isinstance(document, ResourceRef):
        return (), _from_ref(document), ()
    if isinstance(document, str):
        text = document
        try:
            document = json.loads(text)
        except ValueError as error:
            return (), Unknown(f"the policy document is not valid JSON ({error})"), ()
        if isinstance(document, Mapping):
            document = _with_heredoc_lines(text, document, span)
    if not isinstance(document, Mapping):
        return (), Unknown("the policy document is not a JSON object"), ()
    key, statements = _lookup(document, "Statement", "statement")
    if key is None:
        return (), None, ()
    if isinstance(statements, Unknown):
        return (), statements, ()
    items = statements if isinstance(statements, list) else [statements]
    found: list[Statement] = []
    assumptions: list[str] = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            assumptions.append(f"statement {index} cannot be read offline")
            continue
        item_span = item.span if isinstance(item, SpannedDict) and item.span is not None else None
        if item_span is None and isinstance(items, SpannedList) and index < len(items.item_spans):
            item_span = items.item_spans[index]
        found.append(_statement(item, item_span or span, block_form=key == "statement"))
    return tuple(found), None, tuple(assumptions)


def _policy(
    raw: RawResource,
    address: str,
    body: Body,
    span: Span,
    *,
    roles: tuple[Ref, ...] = (),
    managed: bool = False,
    resource_span: Span | None = None,
) -> Policy:
    document = body.get("policy", "statements")
    document_span = body.key_span("policy") or span
    statements, unknown, assumptions = parse_policy_document(document, document_span)
    if document is None and unknown is None:
        unknown = Unknown("the policy has no document")
    return Policy(
        address=address,
        kind=raw.type,
        span=resource_span or span,
        attr_spans=body.attr_spans,
        assumptions=raw.assumptions + assumptions,
        name=_aws_name(body),
        statements=statements,
        document_unknown=unknown,
        roles=roles,
        managed=managed,
    )


def _role(raw: RawResource, body: Body) -> list[Resource]:
    role_ref = ResourceRef(raw.address, "name")
    inline = []
    for index, block in enumerate(body.blocks("inline_policy", "inline_policies")):
        if _is_unset(block.get("policy")) and _is_unset(block.get("name")):
            continue  # plan JSON writes an empty inline_policy when none is configured
        inline.append(_policy(raw, f"{raw.address}.inline_policy[{index}]", block, block.span, roles=(role_ref,)))
    attachments = []
    arns = body.get("managed_policy_arns", "attachments")
    if isinstance(arns, Unknown):
        arns = [arns]
    if isinstance(arns, (list, tuple, set, frozenset)):
        for index, arn in enumerate(arns):
            policy = as_ref(arn)
            if policy is None:
                continue
            item_span = span_of_item(arns, index) or body.key_span("managed_policy_arns") or raw.span
            attachments.append(
                PolicyAttachment(
                    address=f"{raw.address}.managed_policy_arns[{index}]",
                    kind=raw.type,
                    span=item_span,
                    assumptions=raw.assumptions,
                    role=role_ref,
                    policy=policy,
                )
            )
    return [Role(inline_policies=tuple(inline), attachments=tuple(attachments), **_common(raw, body))]


def span_of_item(items: Any, index: int) -> Span | None:
    if isinstance(items, SpannedList) and index < len(items.item_spans):
        return items.item_spans[index]
    return None


def _role_policy(raw: RawResource, body: Body) -> list[Resource]:
    roles = body.refs("role", "roles")
    return [_policy(raw, raw.address, body, raw.span, roles=roles)]


def _managed_policy(raw: RawResource, body: Body) -> list[Resource]:
    return [_policy(raw, raw.address, body, raw.span, managed=True)]


def _role_policy_attachment(raw: RawResource, body: Body) -> list[Resource]:
    return [
        PolicyAttachment(
            role=body.ref("role", "role"),
            policy=body.ref("policy_arn", "policy"),
            **_common(raw, body),
        )
    ]


def _policy_attachment(raw: RawResource, body: Body) -> list[Resource]:
    policy = body.ref("policy_arn", "policy")
    roles_value = body.get("roles", "role")
    roles = as_refs(roles_value)
    attachments: list[Resource] = []
    for index, role in enumerate(roles):
        spans = dict(body.attr_spans)
        item_span = span_of_item(roles_value, index)
        if item_span is not None:
            spans["role"] = item_span
        attachments.append(
            PolicyAttachment(
                role=role,
                policy=policy,
                **(_common(raw, body) | {"address": f"{raw.address}.roles[{index}]", "attr_spans": spans}),
            )
        )
    return attachments


def _instance_profile(raw: RawResource, body: Body) -> list[Resource]:
    roles = body.refs("role", "roles") + body.refs("roles", "roles")
    return [InstanceProfile(roles=roles, **_common(raw, body))]


# --- dispatch ------------------------------------------------------------------------------

Mapper = Callable[[RawResource, Body], list[Resource]]

MAPPERS: dict[str, Mapper] = {
    "aws_instance": _instance,
    "aws_launch_template": _launch_template,
    "aws_launch_configuration": _launch_configuration,
    "aws_autoscaling_group": _autoscaling_group,
    "aws_ec2_instance_metadata_defaults": _metadata_defaults,
    "aws_vpc": _vpc,
    "aws_default_vpc": _vpc,
    "aws_vpc_ipv4_cidr_block_association": _vpc_cidr_association,
    "aws_vpc_ipv6_cidr_block_association": _vpc_cidr_association,
    "aws_subnet": _subnet,
    "aws_default_subnet": _subnet,
    "aws_route_table": _route_table,
    "aws_default_route_table": _route_table,
    "aws_route": _route,
    "aws_route_table_association": _route_table_association,
    "aws_main_route_table_association": _main_route_table_association,
    "aws_internet_gateway": _internet_gateway,
    "aws_egress_only_internet_gateway": _internet_gateway,
    "aws_internet_gateway_attachment": _gateway_attachment,
    "aws_vpn_gateway_attachment": _gateway_attachment,
    "aws_nat_gateway": _nat_gateway,
    "aws_vpc_peering_connection": _vpc_peering,
    "aws_vpc_peering_connection_accepter": _vpc_peering,
    "aws_vpn_gateway": _vpn_gateway,
    "aws_vpn_gateway_route_propagation": _vpn_gateway_route_propagation,
    "aws_vpn_connection": _vpn_connection,
    "aws_network_acl": _network_acl,
    "aws_default_network_acl": _network_acl,
    "aws_network_acl_rule": _network_acl_rule,
    "aws_network_acl_association": _network_acl_association,
    "aws_security_group": _security_group,
    "aws_ec2_managed_prefix_list": _prefix_list,
    "aws_ec2_managed_prefix_list_entry": _prefix_list_entry,
    "aws_default_security_group": _security_group,
    "aws_security_group_rule": _security_group_rule,
    "aws_vpc_security_group_ingress_rule": _vpc_security_group_rule,
    "aws_vpc_security_group_egress_rule": _vpc_security_group_rule,
    "aws_network_interface": _network_interface,
    "aws_network_interface_attachment": _network_interface_attachment,
    "aws_network_interface_sg_attachment": _sg_attachment,
    "aws_eip": _eip,
    "aws_eip_association": _eip_association,
    "aws_lb": _load_balancer,
    "aws_alb": _load_balancer,
    "aws_lb_listener": _listener,
    "aws_alb_listener": _listener,
    "aws_lb_listener_rule": _listener_rule,
    "aws_alb_listener_rule": _listener_rule,
    "aws_lb_target_group": _target_group,
    "aws_alb_target_group": _target_group,
    "aws_lb_target_group_attachment": _target_group_attachment,
    "aws_alb_target_group_attachment": _target_group_attachment,
    "aws_elb": _classic_lb,
    "aws_elb_attachment": _classic_lb_attachment,
    "aws_autoscaling_attachment": _autoscaling_attachment,
    "aws_autoscaling_traffic_source_attachment": _autoscaling_attachment,
    "aws_iam_instance_profile": _instance_profile,
    "aws_iam_role": _role,
    "aws_iam_role_policy": _role_policy,
    "aws_iam_policy": _managed_policy,
    "aws_iam_role_policy_attachment": _role_policy_attachment,
    "aws_iam_policy_attachment": _policy_attachment,
}

# Mapped by map_resources, which sees the connection they belong to.
_VPN_CONNECTION_ROUTE = "aws_vpn_connection_route"


def is_mapped_type(resource_type: str) -> bool:
    return resource_type in MAPPERS or resource_type == _VPN_CONNECTION_ROUTE


def to_model(raw: RawResource) -> list[Resource]:
    """One Terraform resource -> its model objects (none for types the scanner does not model)."""
    mapper = MAPPERS.get(raw.type)
    if mapper is None:
        return []
    return mapper(raw, Body(raw.body, raw.span))


def _connection_address(value: Any) -> str | None:
    if isinstance(value, ResourceRef):
        return value.address
    if isinstance(value, Unknown) and len(value.refs) == 1:
        return value.refs[0].address
    return None


def map_resources(raws: Iterable[RawResource]) -> tuple[list[Resource], list[LoadError]]:
    """Every resource of a configuration -> model objects. Never raises: a resource that
    cannot be mapped becomes a LoadError naming its file and line, and the rest go on."""
    raws = list(raws)
    static_routes: dict[str, list[Cidr]] = {}
    for raw in raws:
        if raw.type == _VPN_CONNECTION_ROUTE and isinstance(raw.body, Mapping):
            connection = _connection_address(raw.body.get("vpn_connection_id"))
            cidr = as_str(raw.body.get("destination_cidr_block"))
            if connection is not None and cidr is not None:
                static_routes.setdefault(connection, []).append(cidr)
    resources: list[Resource] = []
    errors: list[LoadError] = []
    for raw in raws:
        try:
            if raw.type == "aws_vpn_connection":
                body = Body(raw.body, raw.span)
                resources.extend(_vpn_connection(raw, body, tuple(static_routes.get(raw.address, ()))))
            else:
                resources.extend(to_model(raw))
        except Exception as error:  # a mapper bug must not lose the rest of the configuration
            errors.append(
                LoadError(raw.span.file, raw.span.line, f"{raw.address}: cannot read this {raw.type}: {error}")
            )
    return resources, errors
