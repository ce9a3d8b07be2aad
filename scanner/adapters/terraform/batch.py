"""Terraform ``aws_batch_compute_environment`` -> a workload (``scanner.adapters.batch``
states what AWS Batch does)."""

from __future__ import annotations

from scanner.adapters import batch
from scanner.adapters.raw import RawResource
from scanner.adapters.terraform.body import Body, base_fields
from scanner.model import AutoScalingGroup, LaunchTemplate, Ref, Resource
from scanner.values import ResourceRef


def map_compute_environment(raw: RawResource, body: Body) -> list[Resource]:
    resources = body.block("compute_resources")
    if resources is None:
        return []  # unmanaged (or nothing to launch): no instances of the account's
    launches = batch.launches_instances(body.text("type"), resources.text("type"))
    if launches is False:
        return batch.not_analysed(raw) if batch.runs_on_fargate(body.text("type"), resources.text("type")) else []
    template_ref: Ref | None = None
    created: LaunchTemplate | None = None
    block = resources.block("launch_template", "launch_template")
    if block is not None:
        template_ref = block.ref("launch_template_id") or block.ref("launch_template_name")
    groups = resources.refs("security_group_ids", "security_groups")
    profile = resources.ref("instance_role", "instance_profile")
    subnets = resources.refs("subnets", "subnets")
    for name, found in resources.attr_spans.items():
        body.attr_spans.setdefault(name, found)
    for name, found in resources.attr_written.items():
        body.attr_written.setdefault(name, found)
    named = body.text("compute_environment_name") or body.text("name")
    fields = batch.with_existence(base_fields(raw, body) | {"name": named}, launches)
    if template_ref is None:
        created = batch.created_template(fields)
        template_ref = ResourceRef(created.address)
    workload = AutoScalingGroup(
        **fields,
        capacity=batch.CAPACITY,
        launch_template=template_ref,
        subnets=subnets,
        security_groups=groups,
        instance_profile=profile,
    )
    return batch.objects(workload, created)
