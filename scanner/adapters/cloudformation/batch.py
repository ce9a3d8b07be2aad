"""CloudFormation ``AWS::Batch::ComputeEnvironment`` -> a workload (``scanner.adapters.batch``
states what AWS Batch does)."""

from __future__ import annotations

from scanner.adapters import batch
from scanner.adapters.cloudformation.fields import Fields, as_ref, as_refs, as_str, base_fields, get_in
from scanner.adapters.raw import RawResource
from scanner.model import AutoScalingGroup, LaunchTemplate, Ref, Resource
from scanner.values import ResourceRef


def map_compute_environment(raw: RawResource) -> list[Resource]:
    resources = get_in(raw.body, "ComputeResources")
    if resources is None:
        return []  # unmanaged (or nothing to launch): no instances of the account's
    kinds = as_str(get_in(raw.body, "Type")), as_str(get_in(raw.body, "ComputeResources", "Type"))
    launches = batch.launches_instances(*kinds)
    if launches is False:
        return batch.not_analysed(raw) if batch.runs_on_fargate(*kinds) else []
    fields = Fields(raw.body)
    compute = ("ComputeResources",)
    template: Ref | None = as_ref(
        fields.first(
            "launch_template",
            (*compute, "LaunchTemplate", "LaunchTemplateId"),
            (*compute, "LaunchTemplate", "LaunchTemplateName"),
        )
    )
    groups = as_refs(fields.take("security_groups", *compute, "SecurityGroupIds"))
    profile = as_ref(fields.take("instance_profile", *compute, "InstanceRole"))
    subnets = as_refs(fields.take("subnets", *compute, "Subnets"))
    base = batch.with_existence(base_fields(raw, fields, "ComputeEnvironmentName"), launches)
    created: LaunchTemplate | None = None
    if template is None:
        created = batch.created_template(base)
        template = ResourceRef(created.address)
    workload = AutoScalingGroup(
        **base,
        capacity=batch.CAPACITY,
        launch_template=template,
        subnets=subnets,
        security_groups=groups,
        instance_profile=profile,
    )
    return batch.objects(workload, created)
