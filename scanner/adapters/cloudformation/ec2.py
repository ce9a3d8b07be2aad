"""CloudFormation EC2 workloads -> model: instances (and the network interfaces written inside
them), launch templates and configurations, Auto Scaling groups, network interfaces and
Elastic IPs."""

from __future__ import annotations

from typing import Any

from scanner.adapters.cloudformation.fields import (
    Fields,
    as_bool,
    as_int,
    as_ref,
    as_refs,
    as_str,
    base_fields,
    derived,
    get_in,
    items_of,
    own_ref,
    span_in,
)
from scanner.adapters.common import ipv6_address_count, literal_addresses, unknown_metadata, written_block
from scanner.adapters.raw import RawResource
from scanner.adapters.tags import cloudformation_instance_tags, cloudformation_tags
from scanner.model import (
    AutoScalingGroup,
    EipAssociation,
    ElasticIp,
    Instance,
    LaunchTemplate,
    LaunchTemplateOverride,
    MaybeInt,
    MetadataOptions,
    NetworkInterface,
    NetworkInterfaceAttachment,
    Ref,
    Resource,
)
from scanner.values import ResourceRef, Unknown


def metadata_options(fields: Fields, *path: str | int) -> MetadataOptions | None:
    """The ``MetadataOptions`` at ``path`` of the properties ``fields`` reads; its lines are
    recorded there too (``metadata``, ``http_tokens``, ``http_endpoint``)."""
    options = get_in(fields.body, *path)
    if options is None:
        return None
    span = span_in(fields.body, *path)
    if span is None:
        return None
    if not isinstance(options, dict):
        metadata = unknown_metadata(
            span, options if isinstance(options, Unknown) else Unknown("MetadataOptions is not a mapping")
        )
    else:
        own = Fields(options)
        metadata = MetadataOptions(
            span=span,
            attr_spans=own.spans,
            attr_written=own.written,
            http_tokens=as_str(own.take("http_tokens", "HttpTokens")),
            http_endpoint=as_str(own.take("http_endpoint", "HttpEndpoint")),
        )
    fields.spans["metadata"] = metadata.span
    for name, found in metadata.attr_spans.items():
        fields.spans.setdefault(name, found)
    for name, found in metadata.attr_written.items():
        fields.written.setdefault(name, found)
    return metadata


def primary_index(interfaces: Any) -> int | None:
    if not isinstance(interfaces, list):
        return None
    for index, item in enumerate(interfaces):
        if isinstance(item, dict) and str(item.get("DeviceIndex", "")) == "0":
            return index
    return 0 if interfaces and isinstance(interfaces[0], dict) else None


def _ipv6_count(count: Any, addresses: Any) -> MaybeInt:
    return ipv6_address_count(as_int(count), addresses)


def map_instance(raw: RawResource) -> list[Resource]:
    body = raw.body
    fields = Fields(body)
    interfaces = fields.take("network_interfaces", "NetworkInterfaces")
    primary = primary_index(interfaces)
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
            private_ips=literal_addresses(
                eni_fields.take("private_ips", "PrivateIpAddress"),
                eni_fields.take("private_ips", "PrivateIpAddresses"),
            ),
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
    metadata = metadata_options(fields, "MetadataOptions")
    instance = Instance(
        **base_fields(raw, fields),
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
        private_ips=literal_addresses(fields.take("private_ips", "PrivateIpAddress")),
        tags=cloudformation_tags(get_in(raw.body, "Tags"), raw.span),
    )
    return [instance, *enis]


def map_launch_template(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    data = ("LaunchTemplateData",)
    interfaces = fields.take("network_interfaces", *data, "NetworkInterfaces")
    primary = primary_index(interfaces)
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
    metadata = metadata_options(fields, *data, "MetadataOptions")
    written = get_in(raw.body, *data)
    if isinstance(written, Unknown):
        metadata = unknown_metadata(raw.span, written)
    return [
        LaunchTemplate(
            **base_fields(raw, fields, "LaunchTemplateName"),
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
            instance_tags=cloudformation_instance_tags(get_in(raw.body, *data, "TagSpecifications"), raw.span),
        )
    ]


def map_launch_configuration(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    metadata = metadata_options(fields, "MetadataOptions")
    return [
        LaunchTemplate(
            **base_fields(raw, fields, "LaunchConfigurationName"),
            is_launch_configuration=True,
            metadata=metadata,
            security_groups=as_refs(fields.take("security_groups", "SecurityGroups")),
            associate_public_ip=as_bool(fields.take("associate_public_ip", "AssociatePublicIpAddress")),
            instance_profile=as_ref(fields.take("instance_profile", "IamInstanceProfile")),
            image=as_ref(fields.take("image", "ImageId")),
            user_data=as_str(fields.take("user_data", "UserData")),
        )
    ]


def _overrides(raw: RawResource) -> tuple[LaunchTemplateOverride, ...]:
    """``MixedInstancesPolicy.LaunchTemplate.Overrides``, each with its own
    ``LaunchTemplateSpecification`` (its line: the id or name) if any."""
    key = "MixedInstancesPolicy.LaunchTemplate.Overrides"
    written = get_in(raw.body, *key.split("."))
    found: list[LaunchTemplateOverride] = []
    for index, item in items_of(written):
        if not isinstance(item, dict):
            continue  # an override not known offline names no template we could read
        own = Fields(item)
        spec = ("LaunchTemplateSpecification",)
        found.append(
            LaunchTemplateOverride(
                **derived(raw, key, index, written, own),
                launch_template=as_ref(
                    own.first("launch_template", (*spec, "LaunchTemplateId"), (*spec, "LaunchTemplateName"))
                ),
                instance_type=as_str(own.take("instance_type", "InstanceType")),
                instance_requirements=written_block(own.take("instance_requirements", "InstanceRequirements")),
            )
        )
    return tuple(found)


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
            **base_fields(raw, fields, "AutoScalingGroupName"),
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
            overrides=_overrides(raw),
            tags=cloudformation_tags(get_in(raw.body, "Tags"), raw.span),
        )
    ]


# --- interfaces and addresses --------------------------------------------------------------


def map_network_interface(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        NetworkInterface(
            **base_fields(raw, fields),
            subnet=as_ref(fields.take("subnet", "SubnetId")),
            security_groups=as_refs(fields.take("security_groups", "GroupSet")),
            ipv6_address_count=_ipv6_count(
                fields.take("ipv6_address_count", "Ipv6AddressCount"),
                fields.take("ipv6_address_count", "Ipv6Addresses"),
            ),
            private_ips=literal_addresses(
                fields.take("private_ips", "PrivateIpAddress"), fields.take("private_ips", "PrivateIpAddresses")
            ),
        )
    ]


def map_network_interface_attachment(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        NetworkInterfaceAttachment(
            **base_fields(raw, fields),
            instance=as_ref(fields.take("instance", "InstanceId")),
            network_interface=as_ref(fields.take("network_interface", "NetworkInterfaceId")),
        )
    ]


def map_eip(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [ElasticIp(**base_fields(raw, fields), instance=as_ref(fields.take("instance", "InstanceId")))]


def map_eip_association(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        EipAssociation(
            **base_fields(raw, fields),
            eip=as_ref(fields.first("eip", ("AllocationId",), ("EIP",))),
            instance=as_ref(fields.take("instance", "InstanceId")),
            network_interface=as_ref(fields.take("network_interface", "NetworkInterfaceId")),
        )
    ]
