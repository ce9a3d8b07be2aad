"""AWS Batch compute environments as workloads: one behaviour for
``aws_batch_compute_environment`` / ``AWS::Batch::ComputeEnvironment``.

What AWS Batch does, as its documentation states it:

* Only a ``MANAGED`` compute environment launches instances; an ``UNMANAGED`` one launches
  nothing (the user's own ECS container instances join it): not a workload. Of the managed
  ones, compute resources of type ``EC2`` or ``SPOT`` launch EC2 instances; ``FARGATE`` and
  ``FARGATE_SPOT`` run no instance of the account's: not a workload, but compute iacscan
  does not analyse (job containers on Fargate), listed as such (``scanner.coverage``). A
  type not known offline makes a workload that may not exist (``existence``).
  https://docs.aws.amazon.com/batch/latest/APIReference/API_CreateComputeEnvironment.html
* Such an environment is an Auto Scaling group Batch manages (``AutoScalingGroup`` with
  ``capacity="batch_compute_environment"``): ``compute_resources`` / ``ComputeResources``
  give its ``subnets``, ``security_group_ids`` / ``SecurityGroupIds`` and ``instance_role``
  / ``InstanceRole`` (an instance profile's name or ARN), and ``launch_template`` /
  ``LaunchTemplate`` (by id or name).
* Of a launch template, Batch ignores the instance role (IAM instance profile) and the
  network interfaces' subnets: the compute environment's are used. Security group ids set
  in both places: "the values in securityGroupIds are used"; set only in the launch
  template, the template's are. The metadata options are the launch template's.
  https://docs.aws.amazon.com/batch/latest/userguide/launch-templates.html
  https://docs.aws.amazon.com/batch/latest/APIReference/API_LaunchTemplateSpecification.html
  So the environment's own ``security_groups`` and ``instance_profile`` win over its
  template's, as the graph reads any workload's own values.
* Without a launch template, Batch launches from a template of its own that copies what
  the compute environment sets, and the compute environment has no metadata setting: the
  instances get the account's default metadata options, else AWS's (tokens optional). A
  launch template synthesized here (``<environment>/launch_template``, metadata options
  not set) says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.adapters.raw import RawResource
from scanner.model import LaunchTemplate, MaybeStr, Resource, UnanalysedCompute
from scanner.values import Origin, Unknown

CAPACITY = "batch_compute_environment"
_EC2_TYPES = frozenset({"EC2", "SPOT"})
_FARGATE_TYPES = frozenset({"FARGATE", "FARGATE_SPOT"})


def launches_instances(environment_type: MaybeStr, resources_type: MaybeStr) -> bool | Unknown:
    """Whether a compute environment of ``environment_type`` (None: Batch's default,
    MANAGED) with compute resources of ``resources_type`` launches EC2 instances; Unknown
    when a value that decides it is not known offline."""
    if isinstance(environment_type, str) and environment_type.upper() != "MANAGED":
        return False
    if isinstance(resources_type, str) and resources_type.upper() not in _EC2_TYPES:
        return False
    undecided = [value for value in (environment_type, resources_type) if isinstance(value, Unknown)]
    if undecided:
        origins = tuple(origin for value in undecided for origin in value.origins)
        return Unknown(
            "the compute environment launches EC2 instances only if it is MANAGED with compute resources"
            f" of type EC2 or SPOT, which is not known offline ({undecided[0].reason})",
            origins=origins or (Origin("attribute", "compute environment type"),),
        )
    return resources_type is not None


def runs_on_fargate(environment_type: MaybeStr, resources_type: MaybeStr) -> bool:
    """Whether a compute environment runs its jobs on Fargate: managed (Batch's default),
    with compute resources of type FARGATE or FARGATE_SPOT, both known offline."""
    managed = environment_type is None or (isinstance(environment_type, str) and environment_type.upper() == "MANAGED")
    return managed and isinstance(resources_type, str) and resources_type.upper() in _FARGATE_TYPES


def not_analysed(raw: RawResource) -> list[Resource]:
    """A Fargate compute environment: compute iacscan does not analyse, said after the scan."""
    return [UnanalysedCompute(address=raw.address, kind=raw.type, span=raw.span, existence=raw.existence)]


def created_template(fields: Mapping[str, Any]) -> LaunchTemplate:
    """The launch template Batch creates for an environment that names none."""
    return LaunchTemplate(
        address=f"{fields['address']}/launch_template",
        kind=fields["kind"],
        span=fields["span"],
        shown_span=fields.get("shown_span"),
        existence=fields.get("existence"),
        assumptions=fields.get("assumptions", ()),
    )


def with_existence(fields: dict[str, Any], launches: bool | Unknown) -> dict[str, Any]:
    """The environment's fields, marked as may-not-exist when whether it launches is unknown."""
    if isinstance(launches, Unknown) and fields.get("existence") is None:
        fields["existence"] = launches
        fields["assumptions"] = (*fields.get("assumptions", ()), launches.reason)
    return fields


def objects(workload: Resource, template: LaunchTemplate | None) -> list[Resource]:
    return [workload] if template is None else [workload, template]
