"""CloudFormation Spot Fleets and EC2 Fleets -> model workloads: ``AWS::EC2::SpotFleet`` and
``AWS::EC2::EC2Fleet``.

``AWS::EC2::SpotFleet`` launches from each item of ``SpotFleetRequestConfigData``'s
``LaunchSpecifications`` and ``LaunchTemplateConfigs``
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-ec2-spotfleet-spotfleetrequestconfigdata.html).
Each is its own workload (``AutoScalingGroup``, capacity ``spot_fleet``), addressed
``Fleet/LaunchSpecifications[N]`` / ``Fleet/LaunchTemplateConfigs[N]``, with the fleet's
``LoadBalancersConfig`` (``ClassicLoadBalancersConfig.ClassicLoadBalancers[].Name``,
``TargetGroupsConfig.TargetGroups[].Arn``).

* A launch specification (``SpotFleetLaunchSpecification``) becomes a ``LaunchTemplate`` at
  ``Fleet.LaunchSpecifications[N]`` (its span: the list item) with ``IamInstanceProfile.Arn``,
  ``SecurityGroups[].GroupId``, ``ImageId``, ``UserData`` and its primary network interface
  (``DeviceIndex`` 0: ``AssociatePublicIpAddress``, ``Groups``, ``SubnetId``). It has no
  metadata options (the type has none): the account default applies
  (``metadata_unsupported``). Its ``SubnetId`` may list subnets separated by commas; those (else
  the interface's) are the workload's subnets.
* A launch template config names a launch template (``LaunchTemplateSpecification``:
  ``LaunchTemplateId`` or ``LaunchTemplateName``) and ``Overrides``; an override's ``SubnetId``
  places instances in that subnet (the workload's subnets: every override's), its
  ``InstanceType`` is launched from the config's template.

``AWS::EC2::EC2Fleet`` is the same for each of its ``LaunchTemplateConfigs``
(``FleetLaunchTemplateSpecificationRequest`` + ``Overrides[].SubnetId``;
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ec2-ec2fleet.html):
capacity ``ec2_fleet``, address ``Fleet/LaunchTemplateConfigs[N]``.
"""

from __future__ import annotations

from typing import Any

from scanner.adapters.cloudformation.ec2 import primary_index
from scanner.adapters.cloudformation.fields import (
    Fields,
    as_bool,
    as_ref,
    as_refs,
    as_str,
    derived,
    get_in,
    items_of,
)
from scanner.adapters.common import DEPLOYMENT, comma_separated_refs
from scanner.adapters.raw import RawResource
from scanner.frozen import frozen
from scanner.model import AutoScalingGroup, LaunchTemplate, LaunchTemplateOverride, Ref, Resource
from scanner.values import ResourceRef

LAUNCH_SPECIFICATION_METADATA = "a Spot Fleet launch specification cannot set metadata options"

_CONFIG = "SpotFleetRequestConfigData"


@frozen
class _Fleet:
    """What every workload of a fleet shares, and the lines it was read from (``fields``)."""

    fields: Fields
    target_groups: tuple[Ref, ...]
    load_balancers: tuple[Ref, ...]


def _item_refs(items: Any, key: str) -> tuple[Ref, ...]:
    """``key`` of each mapping of a list (``SecurityGroups[].GroupId``, ``TargetGroups[].Arn``)."""
    found: list[Ref] = []
    for _, item in items_of(items):
        value = item.get(key) if isinstance(item, dict) else item
        found.extend(as_refs(value))
    return tuple(found)


def _launch_specification(raw: RawResource, container: Any, index: int) -> tuple[LaunchTemplate, tuple[Ref, ...]]:
    """A launch specification as the launch template it stands for, and its subnets."""
    item = container[index]
    own = Fields(item)
    groups = _item_refs(own.take("security_groups", "SecurityGroups"), "GroupId")
    subnets = comma_separated_refs(own.take("subnets", "SubnetId"), DEPLOYMENT)
    interfaces = own.take("network_interfaces", "NetworkInterfaces")
    primary = primary_index(interfaces)
    public_ip: Any = None
    if primary is not None:
        eni = ("NetworkInterfaces", primary)
        groups += as_refs(own.take("security_groups", *eni, "Groups"))
        public_ip = own.take("associate_public_ip", *eni, "AssociatePublicIpAddress")
        if not subnets:
            subnets = comma_separated_refs(own.take("subnets", *eni, "SubnetId"), DEPLOYMENT)
    fields = derived(raw, f"{_CONFIG}.LaunchSpecifications", index, container, own)
    template = LaunchTemplate(
        **{**fields, "attr_spans": dict(own.spans), "attr_written": dict(own.written)},
        security_groups=groups,
        associate_public_ip=as_bool(public_ip),
        instance_profile=as_ref(own.take("instance_profile", "IamInstanceProfile", "Arn")),
        image=as_ref(own.take("image", "ImageId")),
        user_data=as_str(own.take("user_data", "UserData")),
        metadata_unsupported=LAUNCH_SPECIFICATION_METADATA,
    )
    return template, subnets


def _template_config(
    raw: RawResource, container: Any, index: int, key: str, capacity: str, fleet: _Fleet
) -> AutoScalingGroup:
    """One item of ``LaunchTemplateConfigs`` (``key``: the list's path) as a workload."""
    item = container[index]
    own = Fields(item)
    spec = ("LaunchTemplateSpecification",)
    template = own.first("launch_template", (*spec, "LaunchTemplateId"), (*spec, "LaunchTemplateName"))
    written = own.take("overrides", "Overrides")
    overrides: list[LaunchTemplateOverride] = []
    subnets: list[Ref] = []
    for number, override in items_of(written):
        if not isinstance(override, dict):
            continue
        override_fields = Fields(override)
        subnets.extend(comma_separated_refs(override_fields.take("subnet", "SubnetId"), DEPLOYMENT))
        if "subnet" in override_fields.spans:
            own.spans.setdefault("subnets", override_fields.spans["subnet"])
        overrides.append(
            LaunchTemplateOverride(
                **derived(raw, f"{key}[{index}].Overrides", number, written, override_fields),
                instance_type=as_str(override_fields.take("instance_type", "InstanceType")),
            )
        )
    base = derived(raw, key, index, container, own)
    return AutoScalingGroup(
        **{**base, "address": f"{raw.address}/LaunchTemplateConfigs[{index}]", **_with_fleet(own, fleet)},
        capacity=capacity,
        launch_template=as_ref(template),
        subnets=tuple(dict.fromkeys(subnets)),
        target_groups=fleet.target_groups,
        load_balancers=fleet.load_balancers,
        overrides=tuple(overrides),
    )


def _with_fleet(own: Fields, fleet: _Fleet) -> dict[str, Any]:
    """A workload's lines: its item's, then the fleet's (load balancers, target groups)."""
    return {
        "attr_spans": {**fleet.fields.spans, **own.spans},
        "attr_written": {**fleet.fields.written, **own.written},
    }


def _fleet(raw: RawResource, config: tuple[str, ...]) -> _Fleet:
    """What every workload of a fleet shares: its load balancers and target groups."""
    fields = Fields(raw.body)
    balancers = (*config, "LoadBalancersConfig")
    target_groups = fields.take("target_groups", *balancers, "TargetGroupsConfig", "TargetGroups")
    classic = fields.take("load_balancers", *balancers, "ClassicLoadBalancersConfig", "ClassicLoadBalancers")
    return _Fleet(fields, _item_refs(target_groups, "Arn"), _item_refs(classic, "Name"))


def map_spot_fleet(raw: RawResource) -> list[Resource]:
    fleet = _fleet(raw, (_CONFIG,))
    found: list[Resource] = []
    specifications = get_in(raw.body, _CONFIG, "LaunchSpecifications")
    for index, item in items_of(specifications):
        if not isinstance(item, dict) or not isinstance(specifications, list):
            continue  # a specification not known offline: nothing to read
        template, subnets = _launch_specification(raw, specifications, index)
        own = Fields(item)
        own.spans["launch_template"] = template.span
        if "subnets" in template.attr_spans:
            own.spans["subnets"] = template.attr_spans["subnets"]
        found.append(template)
        found.append(
            AutoScalingGroup(
                **{
                    **derived(raw, f"{_CONFIG}.LaunchSpecifications", index, specifications, own),
                    "address": f"{raw.address}/LaunchSpecifications[{index}]",
                    **_with_fleet(own, fleet),
                },
                capacity="spot_fleet",
                launch_template=ResourceRef(template.address),
                subnets=subnets,
                target_groups=fleet.target_groups,
                load_balancers=fleet.load_balancers,
            )
        )
    configs = get_in(raw.body, _CONFIG, "LaunchTemplateConfigs")
    for index, item in items_of(configs):
        if isinstance(item, dict) and isinstance(configs, list):
            found.append(_template_config(raw, configs, index, f"{_CONFIG}.LaunchTemplateConfigs", "spot_fleet", fleet))
    return found


def map_ec2_fleet(raw: RawResource) -> list[Resource]:
    fleet = _fleet(raw, ())
    configs = get_in(raw.body, "LaunchTemplateConfigs")
    return [
        _template_config(raw, configs, index, "LaunchTemplateConfigs", "ec2_fleet", fleet)
        for index, item in items_of(configs)
        if isinstance(item, dict) and isinstance(configs, list)
    ]
