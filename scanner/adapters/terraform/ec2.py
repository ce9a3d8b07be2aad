"""Terraform EC2 workloads -> model: instances, launch templates and configurations, Auto Scaling
groups, the account's metadata defaults, network interfaces and Elastic IPs."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from scanner.adapters.common import (
    APPLY,
    as_str,
    ipv6_address_count,
    literal_addresses,
    unknown_metadata,
    written_block,
)
from scanner.adapters.raw import RawResource
from scanner.adapters.tags import resource_tags, terraform_group_tags, terraform_instance_tags
from scanner.adapters.terraform.body import Body, base_fields, block_fields
from scanner.model import (
    AutoScalingGroup,
    EipAssociation,
    ElasticIp,
    Instance,
    InstanceMetadataDefaults,
    LaunchTemplate,
    LaunchTemplateOverride,
    MaybeBool,
    MaybeInt,
    MaybeStr,
    MetadataOptions,
    NetworkInterface,
    NetworkInterfaceAttachment,
    Ref,
    Resource,
    SecurityGroupAttachment,
)
from scanner.values import Unknown


def decode_base64(value: Any) -> MaybeStr:
    """user_data_base64 / a launch template's user_data: decoded when written literally."""
    text = as_str(value, APPLY)
    if not isinstance(text, str):
        return text
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        # A launch template's user_data written as plain text is still the user data.
        return text


def _metadata(body: Body, key: str = "metadata_options") -> MetadataOptions | None:
    value = body.get(key, "metadata")
    if isinstance(value, Unknown):
        return unknown_metadata(body.key_span(key) or body.span, value)
    block = body.block(key)
    if block is None:
        return None
    return MetadataOptions(
        span=block.span,
        http_tokens=block.text("http_tokens", "http_tokens"),
        http_endpoint=block.text("http_endpoint", "http_endpoint"),
        attr_spans=block.attr_spans,
        attr_written=block.attr_written,
    )


# --- instances and launch specifications --------------------------------------------------


def _ipv6_count(body: Body) -> MaybeInt:
    """ipv6_address_count, else ipv6_addresses (read only when the count is not set)."""
    count = body.number("ipv6_address_count", "ipv6_address_count")
    addresses = body.get("ipv6_addresses", "ipv6_address_count") if count is None else None
    return ipv6_address_count(count, addresses)


def map_instance(raw: RawResource, body: Body) -> list[Resource]:
    security_groups = body.refs("vpc_security_group_ids", "security_groups") + body.refs(
        "security_groups", "security_groups"
    )
    ipv6_count = _ipv6_count(body)
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
            private_ips=literal_addresses(
                body.get("private_ip", "private_ips"), body.get("secondary_private_ips", "private_ips")
            ),
            tags=resource_tags(body.get("tags"), body.get("tags_all"), raw.span),
            **base_fields(raw, body),
        )
    ]


def map_launch_template(raw: RawResource, body: Body) -> list[Resource]:
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
        ipv6_count = _ipv6_count(interface)
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
            instance_tags=terraform_instance_tags(body.get("tag_specifications"), raw.span),
            **base_fields(raw, body),
        )
    ]


def map_launch_configuration(raw: RawResource, body: Body) -> list[Resource]:
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
            **base_fields(raw, body),
        )
    ]


def _template_spec_ref(block: Body) -> Ref | None:
    return block.ref("id") or block.ref("launch_template_id") or block.ref("name") or block.ref("launch_template_name")


def _nth(index: int) -> str:
    """A block's index in a derived address, written only past the first block."""
    return f"[{index}]" if index else ""


def _overrides(raw: RawResource, mixed: Body, prefix: str) -> list[LaunchTemplateOverride]:
    """The ``override`` blocks of a mixed instances policy's ``launch_template`` block, each
    with its own ``launch_template_specification`` (its line: ``launch_template``) if any."""
    found: list[LaunchTemplateOverride] = []
    for index, block in enumerate(mixed.blocks("override")):
        spec = block.block("launch_template_specification")
        template = _template_spec_ref(spec) if spec is not None else None
        if spec is not None and template is not None:
            block.attr_spans.setdefault("launch_template", spec.span)
        found.append(
            LaunchTemplateOverride(
                **block_fields(raw, f"{prefix}.override[{index}]", block),
                launch_template=template,
                instance_type=block.text("instance_type", "instance_type"),
                instance_requirements=written_block(block.get("instance_requirements", "instance_requirements")),
            )
        )
    return found


def map_autoscaling_group(raw: RawResource, body: Body) -> list[Resource]:
    launch_template: Ref | None = None
    template = body.block("launch_template", "launch_template")
    if template is not None:
        launch_template = _template_spec_ref(template)
    overrides: list[LaunchTemplateOverride] = []
    for p, policy in enumerate(body.blocks("mixed_instances_policy")):
        for m, mixed in enumerate(policy.blocks("launch_template")):
            spec = mixed.block("launch_template_specification")
            if launch_template is None and spec is not None:
                launch_template = _template_spec_ref(spec)
                body.attr_spans.setdefault("launch_template", spec.span)
            # one mixed_instances_policy and one launch_template block each (the schema's limit)
            prefix = f"{raw.address}.mixed_instances_policy{_nth(p)}.launch_template{_nth(m)}"
            overrides += _overrides(raw, mixed, prefix)
    return [
        AutoScalingGroup(
            launch_template=launch_template,
            launch_configuration=body.ref("launch_configuration", "launch_configuration"),
            subnets=body.refs("vpc_zone_identifier", "subnets"),
            availability_zones=body.cidrs("availability_zones", "availability_zones"),
            target_groups=body.refs("target_group_arns", "target_groups"),
            load_balancers=body.refs("load_balancers", "load_balancers"),
            overrides=tuple(overrides),
            tags=terraform_group_tags(body.get("tag"), raw.span),
            **base_fields(raw, body),
        )
    ]


def map_metadata_defaults(raw: RawResource, body: Body) -> list[Resource]:
    return [
        InstanceMetadataDefaults(
            http_tokens=body.text("http_tokens", "http_tokens"),
            http_endpoint=body.text("http_endpoint", "http_endpoint"),
            **base_fields(raw, body),
        )
    ]


# --- interfaces and addresses --------------------------------------------------------------


def map_network_interface(raw: RawResource, body: Body) -> list[Resource]:
    attachment = body.block("attachment", "attached_instance")
    ipv6_count = _ipv6_count(body)
    return [
        NetworkInterface(
            subnet=body.ref("subnet_id", "subnet"),
            security_groups=body.refs("security_groups", "security_groups"),
            attached_instance=attachment.ref("instance") if attachment is not None else None,
            ipv6_address_count=ipv6_count,
            private_ips=literal_addresses(
                body.get("private_ip", "private_ips"),
                body.get("private_ips", "private_ips"),
                body.get("private_ip_list", "private_ips"),
            ),
            **base_fields(raw, body),
        )
    ]


def map_network_interface_attachment(raw: RawResource, body: Body) -> list[Resource]:
    return [
        NetworkInterfaceAttachment(
            instance=body.ref("instance_id", "instance"),
            network_interface=body.ref("network_interface_id", "network_interface"),
            **base_fields(raw, body),
        )
    ]


def map_sg_attachment(raw: RawResource, body: Body) -> list[Resource]:
    return [
        SecurityGroupAttachment(
            security_group=body.ref("security_group_id", "security_group"),
            network_interface=body.ref("network_interface_id", "network_interface"),
            **base_fields(raw, body),
        )
    ]


def map_eip(raw: RawResource, body: Body) -> list[Resource]:
    return [
        ElasticIp(
            instance=body.ref("instance", "instance"),
            network_interface=body.ref("network_interface", "network_interface"),
            **base_fields(raw, body),
        )
    ]


def map_eip_association(raw: RawResource, body: Body) -> list[Resource]:
    return [
        EipAssociation(
            eip=body.ref("allocation_id", "eip") or body.ref("public_ip", "eip"),
            instance=body.ref("instance_id", "instance"),
            network_interface=body.ref("network_interface_id", "network_interface"),
            **base_fields(raw, body),
        )
    ]
