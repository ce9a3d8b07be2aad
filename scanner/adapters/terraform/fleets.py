"""Terraform Spot requests and fleets -> model workloads: ``aws_spot_instance_request``,
``aws_spot_fleet_request`` and ``aws_ec2_fleet``.

``aws_spot_instance_request`` is one instance (``Instance``, capacity
``spot_instance_request``). The resource takes ``aws_instance``'s whole schema, but the provider
sends EC2 only what ``RequestSpotInstances``' launch specification carries
(``ec2_spot_instance_request.go``, ``LaunchSpecification``: ``iam_instance_profile``, ``ami``,
``vpc_security_group_ids`` / ``security_groups``, ``subnet_id``, ``user_data``, the network
interfaces ``associate_public_ip_address``, ``ipv6_address_count`` and ``network_interface``
make, placement, block devices, key pair, monitoring). It does not send ``metadata_options``
(https://github.com/hashicorp/terraform-provider-aws/issues/25896, still so with provider
5.37: https://github.com/hashicorp/terraform-provider-aws/issues/35883) nor
``launch_template`` (the API has no such parameter): both are dropped here, so a spot
instance runs with the account default (``aws_ec2_instance_metadata_defaults``), else AWS's
(tokens optional), and the IMDS trait says why (``Instance.metadata_unsupported``).

``aws_spot_fleet_request`` launches from each ``launch_specification`` and each
``launch_template_config`` (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/spot_fleet_request).
Each is its own workload (``AutoScalingGroup``, capacity ``spot_fleet``), addressed
``aws_spot_fleet_request.x/launch_specification[N]`` / ``.../launch_template_config[N]``, with
the fleet's ``load_balancers`` (classic) and ``target_group_arns``.

* A launch specification is written inline: it becomes a ``LaunchTemplate`` at
  ``aws_spot_fleet_request.x.launch_specification[N]`` (its span: the block) with its
  ``iam_instance_profile`` (a name) or ``iam_instance_profile_arn``, ``vpc_security_group_ids``,
  ``associate_public_ip_address``, ``ami`` and ``user_data``. A launch specification has no
  metadata options (EC2's ``SpotFleetLaunchSpecification`` has none): the account default
  applies (``metadata_unsupported``). Its ``subnet_id`` may list several subnets separated by
  commas (EC2: "separate them using commas"); they are the workload's subnets.
* A launch template config names a launch template (``launch_template_specification``: ``id``
  or ``name``) and ``overrides``; an override's ``subnet_id`` places instances in that subnet
  (the workload's subnets: every override's), its ``instance_type`` is an instance type launched
  from the template (``LaunchTemplateOverride``, launched from the config's template).

``aws_ec2_fleet`` is the same as a launch template config, for each of its
``launch_template_config`` blocks (``launch_template_specification`` with
``launch_template_id`` / ``launch_template_name``, ``override`` with ``subnet_id`` and
``instance_type``; https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ec2_fleet):
capacity ``ec2_fleet``, address ``aws_ec2_fleet.x/launch_template_config[N]``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scanner.adapters.common import APPLY, as_str, comma_separated_refs
from scanner.adapters.raw import RawResource
from scanner.adapters.terraform.body import Body, block_fields
from scanner.adapters.terraform.ec2 import decode_base64, map_instance
from scanner.model import (
    AutoScalingGroup,
    Instance,
    LaunchTemplate,
    LaunchTemplateOverride,
    Ref,
    Resource,
)
from scanner.values import ResourceRef

SPOT_METADATA_ISSUE = "https://github.com/hashicorp/terraform-provider-aws/issues/25896"

SPOT_REQUEST_METADATA = (
    f"metadata_options on aws_spot_instance_request is not sent to EC2 by the provider ({SPOT_METADATA_ISSUE})"
)
SPOT_REQUEST_NO_METADATA = (
    f"aws_spot_instance_request cannot set metadata options: the provider does not send metadata_options "
    f"to EC2 ({SPOT_METADATA_ISSUE})"
)
LAUNCH_SPECIFICATION_METADATA = "a Spot Fleet launch specification cannot set metadata options"


# --- spot instance requests -------------------------------------------------------------------


def map_spot_instance_request(raw: RawResource, body: Body) -> list[Resource]:
    """``aws_instance``'s mapping, without what the provider does not send (module docstring)."""
    found = map_instance(raw, body)
    instance = found[0]
    assert isinstance(instance, Instance)
    written = instance.metadata is not None
    why = SPOT_REQUEST_METADATA if written else SPOT_REQUEST_NO_METADATA
    if instance.launch_template is not None:
        why += "; nor its launch_template"
    return [
        replace(
            instance,
            capacity="spot_instance_request",
            metadata=None,
            launch_template=None,
            metadata_unsupported=why,
        ),
        *found[1:],
    ]


# --- helpers ----------------------------------------------------------------------------------


def _template_spec(block: Body | None) -> Ref | None:
    if block is None:
        return None
    return block.ref("id") or block.ref("launch_template_id") or block.ref("name") or block.ref("launch_template_name")


def _fleet_fields(raw: RawResource, body: Body, address: str, span_block: Body) -> dict[str, Any]:
    """The fields of one workload of a fleet: its address, the block it stands for, and the
    fleet's lines (load balancers, target groups) with the block's own."""
    fields = block_fields(raw, address, span_block)
    spans = dict(body.attr_spans)
    spans.update(span_block.attr_spans)
    fields["attr_spans"] = spans
    fields["attr_written"] = {**body.attr_written, **span_block.attr_written}
    return fields


def _template_config(
    raw: RawResource, body: Body, config: Body, address: str, capacity: str, override_key: str
) -> AutoScalingGroup:
    """One launch template config of a Spot Fleet (``overrides``) or EC2 Fleet (``override``)."""
    spec = config.block("launch_template_specification", "launch_template")
    template = _template_spec(spec)
    overrides: list[LaunchTemplateOverride] = []
    subnets: list[Ref] = []
    for index, block in enumerate(config.blocks(override_key)):
        subnets.extend(comma_separated_refs(block.get("subnet_id", "subnet"), APPLY))
        overrides.append(
            LaunchTemplateOverride(
                **block_fields(raw, f"{address}.{override_key}[{index}]", block),
                instance_type=block.text("instance_type", "instance_type"),
            )
        )
        for name, found in block.attr_spans.items():
            config.attr_spans.setdefault("subnets" if name == "subnet" else name, found)
    target_groups = body.refs("target_group_arns", "target_groups")
    load_balancers = body.refs("load_balancers", "load_balancers")
    return AutoScalingGroup(
        **_fleet_fields(raw, body, address, config),
        capacity=capacity,
        launch_template=template,
        subnets=tuple(dict.fromkeys(subnets)),
        target_groups=target_groups,
        load_balancers=load_balancers,
        overrides=tuple(overrides),
    )


# --- Spot Fleets ------------------------------------------------------------------------------


def _launch_specification(raw: RawResource, spec: Body, index: int) -> LaunchTemplate:
    """A launch specification as the launch template it stands for (module docstring)."""
    profile = spec.ref("iam_instance_profile_arn", "instance_profile") or spec.ref(
        "iam_instance_profile", "instance_profile"
    )
    user_data = spec.get("user_data", "user_data")
    groups = spec.refs("vpc_security_group_ids", "security_groups")
    public_ip = spec.flag("associate_public_ip_address", "associate_public_ip")
    image = spec.ref("ami", "image")
    fields = block_fields(raw, f"{raw.address}.launch_specification[{index}]", spec)
    # its own lines: the workload's (subnets, load balancers) are read into the block later
    fields["attr_spans"] = dict(spec.attr_spans)
    fields["attr_written"] = dict(spec.attr_written)
    return LaunchTemplate(
        **fields,
        security_groups=groups,
        associate_public_ip=public_ip,
        instance_profile=profile,
        image=image,
        # the provider base64-encodes a launch specification's user_data itself: it is plain text
        user_data=as_str(user_data, APPLY) if isinstance(user_data, str) else decode_base64(user_data),
        metadata_unsupported=LAUNCH_SPECIFICATION_METADATA,
    )


def map_spot_fleet_request(raw: RawResource, body: Body) -> list[Resource]:
    found: list[Resource] = []
    target_groups = body.refs("target_group_arns", "target_groups")
    load_balancers = body.refs("load_balancers", "load_balancers")
    for index, spec in enumerate(body.blocks("launch_specification")):
        template = _launch_specification(raw, spec, index)
        # the workload's lines: the fleet's (load balancers) and the specification's (subnets)
        subnets = comma_separated_refs(spec.get("subnet_id", "subnets"), APPLY)
        spec.attr_spans.setdefault("launch_template", spec.span)
        found.append(template)
        found.append(
            AutoScalingGroup(
                **_fleet_fields(raw, body, f"{raw.address}/launch_specification[{index}]", spec),
                capacity="spot_fleet",
                launch_template=ResourceRef(template.address),
                subnets=subnets,
                target_groups=target_groups,
                load_balancers=load_balancers,
            )
        )
    for index, config in enumerate(body.blocks("launch_template_config")):
        address = f"{raw.address}/launch_template_config[{index}]"
        found.append(_template_config(raw, body, config, address, "spot_fleet", "overrides"))
    return found


# --- EC2 Fleets -------------------------------------------------------------------------------


def map_ec2_fleet(raw: RawResource, body: Body) -> list[Resource]:
    return [
        _template_config(raw, body, config, f"{raw.address}/launch_template_config[{index}]", "ec2_fleet", "override")
        for index, config in enumerate(body.blocks("launch_template_config"))
    ]
