"""CloudFormation resources (``AWS::*`` RawResources) -> ``scanner.model`` objects.

``attr_spans`` are keyed by model field names and point at the property that sets the
field (``http_tokens`` -> the ``HttpTokens:`` line). Objects written inside another resource
(security group rules, inline ENIs, target group ``Targets``, classic listeners, inline
policies, ``ManagedPolicyArns`` items) get derived addresses such as
``WebSG.SecurityGroupIngress[0]`` and the span of their list item. Types not listed in
``_MAPPERS`` are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from scanner.adapters.raw import RawResource
from scanner.model import (
    AclEntry,
    AutoScalingGroup,
    Cidr,
    EipAssociation,
    ElasticIp,
    GatewayAttachment,
    Instance,
    InstanceProfile,
    InternetGateway,
    LaunchTemplate,
    Listener,
    ListenerRule,
    LoadBalancer,
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
    Ref,
    Resource,
    Role,
    Route,
    RouteTable,
    RouteTableAssociation,
    RouteTargetKind,
    SecurityGroup,
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
from scanner.options import ScanOptions
from scanner.values import EncodedJson, ResourceRef, Span, SpannedDict, SpannedList, Unknown, span_of

# --- reading properties ---------------------------------------------------------------------


def _get(container: Any, *path: str | int) -> Any:
    for step in path:
        if isinstance(step, str) and isinstance(container, dict):
            container = container.get(step)
        elif isinstance(step, int) and isinstance(container, list) and 0 <= step < len(container):
            container = container[step]
        else:
            return None
    return container


def _span(container: Any, *path: str | int) -> Span | None:
    """The span of the entry at ``path``, only when that entry is written."""
    for index, step in enumerate(path):
        last = index == len(path) - 1
        present = (isinstance(step, str) and isinstance(container, dict) and step in container) or (
            isinstance(step, int) and isinstance(container, list) and 0 <= step < len(container)
        )
        if not present:
            return None
        if last:
            return span_of(container, step)
        container = container[step]
    return span_of(container)


class Fields:
    """Reads properties and remembers the line of each one under its model field name."""

    def __init__(self, body: Any) -> None:
        self.body = body
        self.spans: dict[str, Span] = {}

    def take(self, field: str, *path: str | int) -> Any:
        value = _get(self.body, *path)
        if value is not None:
            span = _span(self.body, *path)
            if span is not None:
                self.spans.setdefault(field, span)
        return value

    def first(self, field: str, *paths: tuple[str | int, ...]) -> Any:
        for path in paths:
            value = self.take(field, *path)
            if value is not None:
                return value
        return None


def _after_deploy(ref: ResourceRef) -> Unknown:
    return Unknown(f"{ref} is only known after deployment", (ref,))


def as_ref(value: Any) -> Ref | None:
    if value is None:
        return None
    if isinstance(value, (ResourceRef, Unknown, str)):
        return value
    if isinstance(value, (bool, int, float)):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return Unknown(f"expected a single id, got a {'list' if isinstance(value, list) else 'mapping'}")


def as_refs(value: Any) -> tuple[Ref, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(ref for ref in (as_ref(item) for item in value) if ref is not None)
    ref = as_ref(value)
    return () if ref is None else (ref,)


def as_bool(value: Any) -> MaybeBool:
    if value is None or isinstance(value, (bool, Unknown)):
        return value
    if isinstance(value, ResourceRef):
        return _after_deploy(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return Unknown(f"{value!r} is not a boolean")


def as_int(value: Any) -> MaybeInt:
    if value is None or isinstance(value, Unknown):
        return value
    if isinstance(value, ResourceRef):
        return _after_deploy(value)
    if isinstance(value, bool):
        return Unknown(f"{value!r} is not a number")
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return Unknown(f"{value!r} is not a number")


def as_str(value: Any) -> MaybeStr:
    if value is None or isinstance(value, (str, Unknown)):
        return value
    if isinstance(value, ResourceRef):
        return _after_deploy(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return Unknown(f"expected text, got a {'list' if isinstance(value, list) else 'mapping'}")


def as_cidrs(value: Any) -> tuple[Cidr, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(text for text in (as_str(item) for item in items) if text is not None)


def own_ref(raw: RawResource) -> ResourceRef:
    return ResourceRef(raw.address, "Ref")


def aws_name(body: Any, *keys: str) -> MaybeStr:
    for key in keys:
        value = _get(body, key)
        if value is not None:
            return as_str(value)
    tags = _get(body, "Tags")
    if isinstance(tags, list):
        for tag in tags:
            if isinstance(tag, dict) and tag.get("Key") == "Name":
                return as_str(tag.get("Value"))
    return None


def common(raw: RawResource, fields: Fields, *name_keys: str) -> dict[str, Any]:
    return {
        "address": raw.address,
        "kind": raw.type,
        "span": raw.span,
        "attr_spans": fields.spans,
        "assumptions": raw.assumptions,
        "name": aws_name(raw.body, *name_keys),
    }


def derived(raw: RawResource, key: str, index: int, container: Any, fields: Fields) -> dict[str, Any]:
    """Base fields of an object written as item ``index`` of the list property ``key``."""
    return {
        "address": f"{raw.address}.{key}[{index}]",
        "kind": raw.type,
        "span": span_of(container, index, raw.span) or raw.span,
        "attr_spans": fields.spans,
        "assumptions": raw.assumptions,
    }


def items_of(value: Any) -> list[tuple[int, Any]]:
    """List items with their index; a whole-list Unknown is one unknown item."""
    if isinstance(value, list):
        return list(enumerate(value))
    if value is None:
        return []
    return [(0, value)]


# --- protocols ----------------------------------------------------------------------------------

_PROTOCOL_NUMBERS = {"tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58", "-1": "-1", "all": "-1"}


def protocol_number(value: Any) -> MaybeStr:
    """IANA protocol number as text ("6", "17", "1", "58") or "-1" for all protocols."""
    text = as_str(value)
    if not isinstance(text, str):
        return text
    lowered = text.strip().lower()
    if lowered in _PROTOCOL_NUMBERS:
        return _PROTOCOL_NUMBERS[lowered]
    try:
        number = int(lowered)
    except ValueError:
        return Unknown(f"unknown protocol {text!r}")
    return "-1" if number < 0 else str(number)


# --- EC2 instances and launch configuration --------------------------------------------------------


def metadata_options(container: Any, *path: str | int) -> MetadataOptions | None:
    options = _get(container, *path)
    if options is None:
        return None
    span = _span(container, *path)
    if span is None:
        return None
    if not isinstance(options, dict):
        unknown_value = options if isinstance(options, Unknown) else Unknown("MetadataOptions is not a mapping")
        return MetadataOptions(span=span, http_tokens=unknown_value, http_endpoint=unknown_value)
    fields = Fields(options)
    return MetadataOptions(
        span=span,
        attr_spans=fields.spans,
        http_tokens=as_str(fields.take("http_tokens", "HttpTokens")),
        http_endpoint=as_str(fields.take("http_endpoint", "HttpEndpoint")),
    )


def _primary_index(interfaces: Any) -> int | None:
    if not isinstance(interfaces, list):
        return None
    for index, item in enumerate(interfaces):
        if isinstance(item, dict) and str(item.get("DeviceIndex", "")) == "0":
            return index
    return 0 if interfaces and isinstance(interfaces[0], dict) else None


def _ipv6_count(count: Any, addresses: Any) -> MaybeInt:
    if count is not None:
        return as_int(count)
    if isinstance(addresses, list):
        return len(addresses)
    if isinstance(addresses, Unknown):
        return addresses
    return None


def map_instance(raw: RawResource) -> list[Resource]:
    body = raw.body
    fields = Fields(body)
    interfaces = fields.take("network_interfaces", "NetworkInterfaces")
    primary = _primary_index(interfaces)
    enis: list[Resource] = []
    eni_refs: list[Ref] = []
    for index, item in items_of(interfaces):
        if not isinstance(item, dict):
            eni_refs.append(as_ref(item) or Unknown("network interface is not known offline"))
            continue
        if item.get("NetworkInterfaceId") is not None:
            eni_refs.append(as_ref(item["NetworkInterfaceId"]) or Unknown("no NetworkInterfaceId"))
            continue
        eni_fields = Fields(item)
        eni = NetworkInterface(
            **derived(raw, "NetworkInterfaces", index, interfaces, eni_fields),
            subnet=as_ref(eni_fields.take("subnet", "SubnetId")),
            security_groups=as_refs(eni_fields.take("security_groups", "GroupSet")),
            attached_instance=own_ref(raw),
            ipv6_address_count=_ipv6_count(
                eni_fields.take("ipv6_address_count", "Ipv6AddressCount"),
                eni_fields.take("ipv6_address_count", "Ipv6Addresses"),
            ),
            public_ip=as_bool(eni_fields.take("public_ip", "AssociatePublicIpAddress")),
        )
        enis.append(eni)
        eni_refs.append(ResourceRef(eni.address, "Ref"))

    groups = as_refs(fields.take("security_groups", "SecurityGroupIds")) + as_refs(
        fields.take("security_groups", "SecurityGroups")
    )
    subnet = fields.take("subnet", "SubnetId")
    public_ip: Any = None
    ipv6 = _ipv6_count(
        fields.take("ipv6_address_count", "Ipv6AddressCount"), fields.take("ipv6_address_count", "Ipv6Addresses")
    )
    if primary is not None:
        # The primary (device 0) interface carries the instance's subnet, groups and public IP.
        subnet = subnet if subnet is not None else fields.take("subnet", "NetworkInterfaces", primary, "SubnetId")
        if not groups:
            groups = as_refs(fields.take("security_groups", "NetworkInterfaces", primary, "GroupSet"))
        public_ip = fields.take("associate_public_ip", "NetworkInterfaces", primary, "AssociatePublicIpAddress")
        if ipv6 is None:
            ipv6 = _ipv6_count(
                fields.take("ipv6_address_count", "NetworkInterfaces", primary, "Ipv6AddressCount"),
                fields.take("ipv6_address_count", "NetworkInterfaces", primary, "Ipv6Addresses"),
            )
    # AWS::EC2::Instance gained MetadataOptions (cfn-lint 1.58's schema lists it); without it the
    # instance takes its launch template's options, or AWS's defaults.
    metadata = metadata_options(body, "MetadataOptions")
    if metadata is not None:
        fields.spans["metadata"] = metadata.span
        for name, span in metadata.attr_spans.items():
            fields.spans.setdefault(name, span)
    instance = Instance(
        **common(raw, fields),
        subnet=as_ref(subnet),
        security_groups=groups,
        associate_public_ip=as_bool(public_ip),
        ipv6_address_count=ipv6,
        metadata=metadata,
        launch_template=as_ref(
            fields.first(
                "launch_template", ("LaunchTemplate", "LaunchTemplateId"), ("LaunchTemplate", "LaunchTemplateName")
            )
        ),
        instance_profile=as_ref(fields.take("instance_profile", "IamInstanceProfile")),
        image=as_ref(fields.take("image", "ImageId")),
        user_data=as_str(fields.take("user_data", "UserData")),
        network_interfaces=tuple(eni_refs),
    )
    return [instance, *enis]


def map_launch_template(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    data = ("LaunchTemplateData",)
    interfaces = fields.take("network_interfaces", *data, "NetworkInterfaces")
    primary = _primary_index(interfaces)
    groups = as_refs(fields.take("security_groups", *data, "SecurityGroupIds")) + as_refs(
        fields.take("security_groups", *data, "SecurityGroups")
    )
    public_ip = subnet = ipv6 = None
    if primary is not None:
        eni = (*data, "NetworkInterfaces", primary)
        groups += as_refs(fields.take("security_groups", *eni, "Groups"))
        public_ip = fields.take("associate_public_ip", *eni, "AssociatePublicIpAddress")
        subnet = fields.take("subnet", *eni, "SubnetId")
        ipv6 = _ipv6_count(
            fields.take("ipv6_address_count", *eni, "Ipv6AddressCount"),
            fields.take("ipv6_address_count", *eni, "Ipv6Addresses"),
        )
    metadata = metadata_options(raw.body, *data, "MetadataOptions")
    if metadata is not None:
        fields.spans["metadata"] = metadata.span
        for name, span in metadata.attr_spans.items():
            fields.spans.setdefault(name, span)
    if isinstance(_get(raw.body, *data), Unknown):
        metadata = MetadataOptions(
            span=raw.span, http_tokens=_get(raw.body, *data), http_endpoint=_get(raw.body, *data)
        )
    return [
        LaunchTemplate(
            **common(raw, fields, "LaunchTemplateName"),
            metadata=metadata,
            security_groups=groups,
            associate_public_ip=as_bool(public_ip),
            ipv6_address_count=ipv6,
            subnet=as_ref(subnet),
            instance_profile=as_ref(
                fields.first(
                    "instance_profile", (*data, "IamInstanceProfile", "Arn"), (*data, "IamInstanceProfile", "Name")
                )
            ),
            image=as_ref(fields.take("image", *data, "ImageId")),
            user_data=as_str(fields.take("user_data", *data, "UserData")),
        )
    ]


def map_launch_configuration(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    metadata = metadata_options(raw.body, "MetadataOptions")
    if metadata is not None:
        fields.spans["metadata"] = metadata.span
        for name, span in metadata.attr_spans.items():
            fields.spans.setdefault(name, span)
    return [
        LaunchTemplate(
            **common(raw, fields, "LaunchConfigurationName"),
            is_launch_configuration=True,
            metadata=metadata,
            security_groups=as_refs(fields.take("security_groups", "SecurityGroups")),
            associate_public_ip=as_bool(fields.take("associate_public_ip", "AssociatePublicIpAddress")),
            instance_profile=as_ref(fields.take("instance_profile", "IamInstanceProfile")),
            image=as_ref(fields.take("image", "ImageId")),
            user_data=as_str(fields.take("user_data", "UserData")),
        )
    ]


def map_auto_scaling_group(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    mixed = ("MixedInstancesPolicy", "LaunchTemplate", "LaunchTemplateSpecification")
    template = fields.first(
        "launch_template",
        ("LaunchTemplate", "LaunchTemplateId"),
        ("LaunchTemplate", "LaunchTemplateName"),
        (*mixed, "LaunchTemplateId"),
        (*mixed, "LaunchTemplateName"),
    )
    return [
        AutoScalingGroup(
            **common(raw, fields, "AutoScalingGroupName"),
            launch_template=as_ref(template),
            launch_configuration=as_ref(fields.take("launch_configuration", "LaunchConfigurationName")),
            subnets=as_refs(fields.take("subnets", "VPCZoneIdentifier")),
            availability_zones=tuple(
                as_str(az) or Unknown("no zone")
                for az in as_refs(fields.take("availability_zones", "AvailabilityZones"))
                if not isinstance(az, ResourceRef)
            ),
            target_groups=as_refs(fields.take("target_groups", "TargetGroupARNs")),
            load_balancers=as_refs(fields.take("load_balancers", "LoadBalancerNames")),
        )
    ]


# --- VPC, subnets, routing ----------------------------------------------------------------------------


def map_vpc(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    cidr = fields.take("cidr_blocks", "CidrBlock")
    if cidr is None and fields.take("cidr_blocks", "Ipv4IpamPoolId") is not None:
        cidr = Unknown("the VPC's CIDR is allocated from an IPAM pool at deploy time")
    return [Vpc(**common(raw, fields), cidr_blocks=as_cidrs(cidr))]


def map_vpc_cidr_block(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    ipv6 = fields.take("ipv6_cidr", "Ipv6CidrBlock")
    if (
        ipv6 is None
        and as_bool(fields.take("ipv6_cidr", "AmazonProvidedIpv6CidrBlock")) is not False
        and "AmazonProvidedIpv6CidrBlock" in raw.body
    ):
        ipv6 = Unknown("the Amazon-provided IPv6 block is allocated at deploy time")
    if ipv6 is None and fields.take("ipv6_cidr", "Ipv6IpamPoolId") is not None:
        ipv6 = Unknown("the IPv6 block is allocated from an IPAM pool at deploy time")
    cidr = fields.take("cidr", "CidrBlock")
    if cidr is None and fields.take("cidr", "Ipv4IpamPoolId") is not None:
        cidr = Unknown("the block is allocated from an IPAM pool at deploy time")
    return [
        VpcCidrAssociation(
            **common(raw, fields), vpc=as_ref(fields.take("vpc", "VpcId")), cidr=as_str(cidr), ipv6_cidr=as_str(ipv6)
        )
    ]


def map_subnet(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        Subnet(
            **common(raw, fields),
            vpc=as_ref(fields.take("vpc", "VpcId")),
            cidr=as_str(fields.take("cidr", "CidrBlock")),
            ipv6_cidr=as_str(fields.take("ipv6_cidr", "Ipv6CidrBlock")),
            map_public_ip_on_launch=as_bool(fields.take("map_public_ip_on_launch", "MapPublicIpOnLaunch")),
            assign_ipv6_on_creation=as_bool(fields.take("assign_ipv6_on_creation", "AssignIpv6AddressOnCreation")),
        )
    ]


def map_route_table(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [RouteTable(**common(raw, fields), vpc=as_ref(fields.take("vpc", "VpcId")))]


_ROUTE_TARGETS: tuple[tuple[str, RouteTargetKind], ...] = (
    ("GatewayId", "gateway"),
    ("EgressOnlyInternetGatewayId", "egress_only_gateway"),
    ("NatGatewayId", "nat_gateway"),
    ("VpcPeeringConnectionId", "vpc_peering"),
    ("TransitGatewayId", "transit_gateway"),
    ("InstanceId", "instance"),
    ("NetworkInterfaceId", "network_interface"),
    ("VpcEndpointId", "vpc_endpoint"),
    ("CarrierGatewayId", "other"),
    ("LocalGatewayId", "other"),
    ("CoreNetworkArn", "other"),
)


def map_route(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    target: Any = None
    kind: RouteTargetKind = "other"
    for key, target_kind in _ROUTE_TARGETS:
        target = fields.take("target", key)
        if target is not None:
            kind = "local" if target == "local" else target_kind
            break
    return [
        Route(
            **common(raw, fields),
            route_table=as_ref(fields.take("route_table", "RouteTableId")),
            destination=as_str(fields.take("destination", "DestinationCidrBlock")),
            ipv6_destination=as_str(fields.take("ipv6_destination", "DestinationIpv6CidrBlock")),
            prefix_list=as_ref(fields.take("prefix_list", "DestinationPrefixListId")),
            target=as_ref(target),
            target_kind=kind,
        )
    ]


def map_route_table_association(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        RouteTableAssociation(
            **common(raw, fields),
            route_table=as_ref(fields.take("route_table", "RouteTableId")),
            subnet=as_ref(fields.take("subnet", "SubnetId")),
            gateway=as_ref(fields.take("gateway", "GatewayId")),
        )
    ]


def map_internet_gateway(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [InternetGateway(**common(raw, fields))]


def map_egress_only_gateway(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [InternetGateway(**common(raw, fields), vpc=as_ref(fields.take("vpc", "VpcId")), egress_only=True)]


def map_gateway_attachment(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    gateway = fields.first("gateway", ("InternetGatewayId",), ("VpnGatewayId",))
    return [GatewayAttachment(**common(raw, fields), vpc=as_ref(fields.take("vpc", "VpcId")), gateway=as_ref(gateway))]


def map_nat_gateway(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    connectivity = as_str(fields.take("private", "ConnectivityType"))
    return [
        NatGateway(
            **common(raw, fields),
            subnet=as_ref(fields.take("subnet", "SubnetId")),
            private=isinstance(connectivity, str) and connectivity.lower() == "private",
        )
    ]


def map_vpc_peering(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        VpcPeering(
            **common(raw, fields),
            vpc=as_ref(fields.take("vpc", "VpcId")),
            peer_vpc=as_ref(fields.take("peer_vpc", "PeerVpcId")),
        )
    ]


def map_vpn_gateway(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [VpnGateway(**common(raw, fields))]


def map_vpn_route_propagation(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        VpnGatewayRoutePropagation(
            **common(raw, fields),
            vpn_gateway=as_ref(fields.take("vpn_gateway", "VpnGatewayId")),
            route_tables=as_refs(fields.take("route_tables", "RouteTableIds")),
        )
    ]


def map_vpn_connection(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    static_only = as_bool(fields.take("static_routes", "StaticRoutesOnly"))
    # Without static routes the on-premises networks are learned over BGP: unknown offline.
    routes: tuple[Cidr, ...] = (
        () if static_only is True else (Unknown(f"{raw.address} learns its on-premises routes over BGP"),)
    )
    gateway = fields.first("vpn_gateway", ("VpnGatewayId",), ("TransitGatewayId",))
    return [VpnConnection(**common(raw, fields), vpn_gateway=as_ref(gateway), static_routes=routes)]


# --- network ACLs -------------------------------------------------------------------------------------


def map_network_acl(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [NetworkAcl(**common(raw, fields), vpc=as_ref(fields.take("vpc", "VpcId")))]


def map_network_acl_entry(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    action = as_str(fields.take("allow", "RuleAction"))
    egress = as_bool(fields.take("egress", "Egress"))
    return [
        AclEntry(
            **common(raw, fields),
            acl=as_ref(fields.take("acl", "NetworkAclId")),
            rule_number=as_int(fields.take("rule_number", "RuleNumber")),
            egress=egress is True,
            protocol=protocol_number(fields.take("protocol", "Protocol")),
            allow=action.lower() == "allow" if isinstance(action, str) else action,
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
            **common(raw, fields),
            acl=as_ref(fields.take("acl", "NetworkAclId")),
            subnet=as_ref(fields.take("subnet", "SubnetId")),
        )
    ]


# --- security groups --------------------------------------------------------------------------------------


def security_group_rule(
    base: dict[str, Any], rule: Any, ingress: bool, group: Ref | None, fields: Fields
) -> SecurityGroupRule:
    if not isinstance(rule, dict):
        whole = rule if isinstance(rule, Unknown) else Unknown("security group rule is not a mapping")
        return SecurityGroupRule(
            **base, group=group, ingress=ingress, protocol=whole, from_port=whole, to_port=whole, cidrs=(whole,)
        )
    protocol = protocol_number(fields.take("protocol", "IpProtocol"))
    from_port = as_int(fields.take("from_port", "FromPort"))
    to_port = as_int(fields.take("to_port", "ToPort"))
    if protocol == "-1":
        from_port, to_port = 0, 65535
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
            **common(raw, fields, "PrefixListName"),
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
    base = common(raw, fields, "GroupName")
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
    return [security_group_rule(common(raw, fields), raw.body, ingress, group, fields)]


def map_network_interface(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        NetworkInterface(
            **common(raw, fields),
            subnet=as_ref(fields.take("subnet", "SubnetId")),
            security_groups=as_refs(fields.take("security_groups", "GroupSet")),
            ipv6_address_count=_ipv6_count(
                fields.take("ipv6_address_count", "Ipv6AddressCount"),
                fields.take("ipv6_address_count", "Ipv6Addresses"),
            ),
        )
    ]


def map_network_interface_attachment(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        NetworkInterfaceAttachment(
            **common(raw, fields),
            instance=as_ref(fields.take("instance", "InstanceId")),
            network_interface=as_ref(fields.take("network_interface", "NetworkInterfaceId")),
        )
    ]


def map_eip(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [ElasticIp(**common(raw, fields), instance=as_ref(fields.take("instance", "InstanceId")))]


def map_eip_association(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        EipAssociation(
            **common(raw, fields),
            eip=as_ref(fields.first("eip", ("AllocationId",), ("EIP",))),
            instance=as_ref(fields.take("instance", "InstanceId")),
            network_interface=as_ref(fields.take("network_interface", "NetworkInterfaceId")),
        )
    ]


# --- load balancers -----------------------------------------------------------------------------------------


def _scheme_internal(value: Any) -> MaybeBool:
    scheme = as_str(value)
    if isinstance(scheme, str):
        return scheme.lower() == "internal"
    return scheme


def map_load_balancer(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    lb_type = as_str(fields.take("lb_type", "Type"))
    kind = lb_type.lower() if isinstance(lb_type, str) else "application"
    subnets = list(as_refs(fields.take("subnets", "Subnets")))
    for _, mapping in items_of(fields.take("subnets", "SubnetMappings")):
        subnet = as_ref(mapping.get("SubnetId")) if isinstance(mapping, dict) else as_ref(mapping)
        if subnet is not None:
            subnets.append(subnet)
    return [
        LoadBalancer(
            **common(raw, fields, "Name"),
            lb_type=kind if kind in ("application", "network", "gateway") else "application",  # type: ignore[arg-type]
            internal=_scheme_internal(fields.take("internal", "Scheme")),
            subnets=tuple(subnets),
            security_groups=as_refs(fields.take("security_groups", "SecurityGroups")),
        )
    ]


def _forwarded_groups(actions: Any) -> tuple[Ref, ...]:
    groups: list[Ref] = []
    for _, action in items_of(actions):
        if isinstance(action, Unknown):
            groups.append(action)
            continue
        if not isinstance(action, dict):
            continue
        groups.extend(as_refs(action.get("TargetGroupArn")))
        for _, weighted in items_of(_get(action, "ForwardConfig", "TargetGroups")):
            groups.extend(as_refs(weighted.get("TargetGroupArn") if isinstance(weighted, dict) else weighted))
    return tuple(dict.fromkeys(groups))


def map_listener(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        Listener(
            **common(raw, fields),
            load_balancer=as_ref(fields.take("load_balancer", "LoadBalancerArn")),
            port=as_int(fields.take("port", "Port")),
            protocol=as_str(fields.take("protocol", "Protocol")),
            target_groups=_forwarded_groups(fields.take("target_groups", "DefaultActions")),
        )
    ]


def map_listener_rule(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        ListenerRule(
            **common(raw, fields),
            listener=as_ref(fields.take("listener", "ListenerArn")),
            target_groups=_forwarded_groups(fields.take("target_groups", "Actions")),
        )
    ]


def map_target_group(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    group = TargetGroup(
        **common(raw, fields, "Name"),
        port=as_int(fields.take("port", "Port")),
        protocol=as_str(fields.take("protocol", "Protocol")),
        target_type=as_str(fields.take("target_type", "TargetType")),
        vpc=as_ref(fields.take("vpc", "VpcId")),
    )
    attachments: list[Resource] = []
    targets = raw.body.get("Targets")
    for index, item in items_of(targets):
        target_fields = Fields(item)
        target = target_fields.take("target", "Id") if isinstance(item, dict) else item
        attachments.append(
            TargetGroupAttachment(
                **derived(raw, "Targets", index, targets, target_fields),
                target_group=own_ref(raw),
                target=as_ref(target) or Unknown("target without Id"),
                port=as_int(target_fields.take("port", "Port")) if isinstance(item, dict) else None,
            )
        )
    return [group, *attachments]


def map_classic_load_balancer(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    listeners: list[Listener] = []
    written = fields.take("listeners", "Listeners")
    for index, item in items_of(written):
        listener_fields = Fields(item)
        base = derived(raw, "Listeners", index, written, listener_fields)
        if not isinstance(item, dict):
            whole = item if isinstance(item, Unknown) else Unknown("listener is not a mapping")
            listeners.append(Listener(**base, load_balancer=own_ref(raw), port=whole, instance_port=whole))
            continue
        listeners.append(
            Listener(
                **base,
                load_balancer=own_ref(raw),
                port=as_int(listener_fields.take("port", "LoadBalancerPort")),
                protocol=as_str(listener_fields.take("protocol", "Protocol")),
                instance_port=as_int(listener_fields.take("instance_port", "InstancePort")),
            )
        )
    return [
        LoadBalancer(
            **common(raw, fields, "LoadBalancerName"),
            lb_type="classic",
            internal=_scheme_internal(fields.take("internal", "Scheme")),
            subnets=as_refs(fields.take("subnets", "Subnets")),
            security_groups=as_refs(fields.take("security_groups", "SecurityGroups")),
            listeners=tuple(listeners),
            instances=as_refs(fields.take("instances", "Instances")),
        )
    ]


# --- IAM -------------------------------------------------------------------------------------------------------


def _action_list(value: Any) -> tuple[str | Unknown, ...] | None:
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    texts = (as_str(item) for item in items)
    return tuple(text for text in texts if text is not None)


def statements(document: Any, fallback: Span) -> tuple[tuple[Statement, ...], Unknown | None]:
    """A policy document's statements, and why (part of) it is unknown."""
    if isinstance(document, EncodedJson):
        document = document.decoded
    elif isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return (), Unknown("the policy document is not valid JSON")
    if isinstance(document, ResourceRef):
        return (), _after_deploy(document)
    if isinstance(document, Unknown):
        return (), document
    if not isinstance(document, dict):
        return (), Unknown("the policy document is not a mapping")
    written = document.get("Statement")
    if isinstance(written, dict):
        written = SpannedList(
            [written], span=span_of(document, "Statement"), item_spans=[span_of(document, "Statement")]
        )
    result: list[Statement] = []
    unknown: Unknown | None = None
    for index, item in items_of(written):
        if not isinstance(item, dict):
            unknown = item if isinstance(item, Unknown) else Unknown("a statement is not a mapping")
            continue
        fields = Fields(item)
        result.append(
            Statement(
                span=span_of(written, index, None) or span_of(document, "Statement", None) or fallback,
                attr_spans=fields.spans,
                sid=as_str(fields.take("sid", "Sid")),
                effect=as_str(fields.take("effect", "Effect")),
                actions=_action_list(fields.take("actions", "Action")),
                not_actions=_action_list(fields.take("not_actions", "NotAction")),
                resources=_action_list(fields.take("resources", "Resource")),
                not_resources=_action_list(fields.take("not_resources", "NotResource")),
                has_condition=fields.take("condition", "Condition") is not None,
            )
        )
    if isinstance(written, Unknown):
        unknown = written
    return tuple(result), unknown


def _policy(
    raw: RawResource, base: dict[str, Any], document: Any, fallback: Span, roles: tuple[Ref, ...], managed: bool
) -> Policy:
    found, unknown = statements(document, fallback)
    return Policy(**base, statements=found, document_unknown=unknown, roles=roles, managed=managed)


def map_role(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    inline: list[Policy] = []
    written = fields.take("inline_policies", "Policies")
    for index, item in items_of(written):
        policy_fields = Fields(item)
        base = derived(raw, "Policies", index, written, policy_fields)
        document = policy_fields.take("statements", "PolicyDocument") if isinstance(item, dict) else item
        base["name"] = as_str(_get(item, "PolicyName"))
        inline.append(_policy(raw, base, document, policy_fields.spans.get("statements", base["span"]), (), False))
    attachments: list[PolicyAttachment] = []
    arns = fields.take("attachments", "ManagedPolicyArns")
    for index, item in items_of(arns):
        attachments.append(
            PolicyAttachment(
                **derived(raw, "ManagedPolicyArns", index, arns, Fields(item)), role=own_ref(raw), policy=as_ref(item)
            )
        )
    return [Role(**common(raw, fields, "RoleName"), inline_policies=tuple(inline), attachments=tuple(attachments))]


def map_policy(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    managed = raw.type == "AWS::IAM::ManagedPolicy"
    roles = as_refs(fields.take("roles", "Roles"))
    if raw.type == "AWS::IAM::RolePolicy":
        roles = as_refs(fields.take("roles", "RoleName"))
    document = fields.take("statements", "PolicyDocument")
    base = common(raw, fields, "ManagedPolicyName" if managed else "PolicyName")
    return [_policy(raw, base, document, fields.spans.get("statements", raw.span), roles, managed)]


def map_instance_profile(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [InstanceProfile(**common(raw, fields, "InstanceProfileName"), roles=as_refs(fields.take("roles", "Roles")))]


# --- entry points -----------------------------------------------------------------------------------------------

_MAPPERS: dict[str, Callable[[RawResource], list[Resource]]] = {
    "AWS::EC2::Instance": map_instance,
    "AWS::EC2::LaunchTemplate": map_launch_template,
    "AWS::AutoScaling::LaunchConfiguration": map_launch_configuration,
    "AWS::AutoScaling::AutoScalingGroup": map_auto_scaling_group,
    "AWS::EC2::VPC": map_vpc,
    "AWS::EC2::VPCCidrBlock": map_vpc_cidr_block,
    "AWS::EC2::Subnet": map_subnet,
    "AWS::EC2::RouteTable": map_route_table,
    "AWS::EC2::Route": map_route,
    "AWS::EC2::SubnetRouteTableAssociation": map_route_table_association,
    "AWS::EC2::GatewayRouteTableAssociation": map_route_table_association,
    "AWS::EC2::InternetGateway": map_internet_gateway,
    "AWS::EC2::EgressOnlyInternetGateway": map_egress_only_gateway,
    "AWS::EC2::VPCGatewayAttachment": map_gateway_attachment,
    "AWS::EC2::NatGateway": map_nat_gateway,
    "AWS::EC2::VPCPeeringConnection": map_vpc_peering,
    "AWS::EC2::VPNGateway": map_vpn_gateway,
    "AWS::EC2::VPNGatewayRoutePropagation": map_vpn_route_propagation,
    "AWS::EC2::VPNConnection": map_vpn_connection,
    "AWS::EC2::NetworkAcl": map_network_acl,
    "AWS::EC2::NetworkAclEntry": map_network_acl_entry,
    "AWS::EC2::SubnetNetworkAclAssociation": map_network_acl_association,
    "AWS::EC2::SecurityGroup": map_security_group,
    "AWS::EC2::PrefixList": map_prefix_list,
    "AWS::EC2::SecurityGroupIngress": map_security_group_ingress,
    "AWS::EC2::SecurityGroupEgress": map_security_group_egress,
    "AWS::EC2::NetworkInterface": map_network_interface,
    "AWS::EC2::NetworkInterfaceAttachment": map_network_interface_attachment,
    "AWS::EC2::EIP": map_eip,
    "AWS::EC2::EIPAssociation": map_eip_association,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": map_load_balancer,
    "AWS::ElasticLoadBalancingV2::Listener": map_listener,
    "AWS::ElasticLoadBalancingV2::ListenerRule": map_listener_rule,
    "AWS::ElasticLoadBalancingV2::TargetGroup": map_target_group,
    "AWS::ElasticLoadBalancing::LoadBalancer": map_classic_load_balancer,
    "AWS::IAM::InstanceProfile": map_instance_profile,
    "AWS::IAM::Role": map_role,
    "AWS::IAM::Policy": map_policy,
    "AWS::IAM::ManagedPolicy": map_policy,
    "AWS::IAM::RolePolicy": map_policy,
}


def to_model(raw: RawResource, options: ScanOptions) -> list[Resource]:
    """The model objects for one CloudFormation resource ([] for types we do not model)."""
    mapper = _MAPPERS.get(raw.type)
    if mapper is None:
        return []
    body = raw.body if isinstance(raw.body, SpannedDict) else SpannedDict(raw.body or {}, span=raw.span)
    return mapper(RawResource(raw.address, raw.type, body, raw.span, raw.assumptions))


def link_resources(resources: list[Resource], raws: list[RawResource]) -> list[Resource]:
    """Cross-resource facts CloudFormation writes in separate resources:
    ``AWS::EC2::VPNConnectionRoute`` adds a static route to its VPN connection."""
    routes: dict[str, list[Cidr]] = {}
    for raw in raws:
        if raw.type != "AWS::EC2::VPNConnectionRoute":
            continue
        connection = raw.body.get("VpnConnectionId")
        cidr = as_str(raw.body.get("DestinationCidrBlock"))
        if isinstance(connection, ResourceRef) and cidr is not None:
            routes.setdefault(connection.address, []).append(cidr)
    if not routes:
        return resources
    linked: list[Resource] = []
    for resource in resources:
        if isinstance(resource, VpnConnection) and resource.address in routes:
            known = tuple(route for route in resource.static_routes if not isinstance(route, Unknown))
            resource = replace(resource, static_routes=known + tuple(routes[resource.address]))
        linked.append(resource)
    return linked


__all__ = ["link_resources", "to_model"]
