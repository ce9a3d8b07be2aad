"""Terraform EKS -> model: ``aws_eks_node_group`` as a workload, and the cluster security group
``aws_eks_cluster`` makes (``scanner.adapters.eks`` states what EKS does)."""

from __future__ import annotations

from scanner.adapters import eks
from scanner.adapters.raw import RawResource
from scanner.adapters.terraform.body import Body, base_fields
from scanner.model import Ref, Resource


def _template(body: Body) -> Ref | None:
    block = body.block("launch_template", "launch_template")
    if block is not None:
        return block.ref("id") or block.ref("name")
    return body.get("launch_template") if body.is_unknown("launch_template") else None


def map_node_group(raw: RawResource, body: Body) -> list[Resource]:
    role = body.ref("node_role_arn", "instance_profile")
    subnets = body.refs("subnet_ids", "subnets")
    ami_type = body.text("ami_type", "ami_type")
    remote = body.block("remote_access", "remote_access")
    remote_access = None
    if remote is not None:
        remote_access = eks.RemoteAccess(
            remote.span, remote.text("ec2_ssh_key"), remote.refs("source_security_group_ids")
        )
    group = eks.NodeGroup(
        fields=base_fields(raw, body) | {"name": body.text("node_group_name")},
        cluster=body.get("cluster_name"),
        role=role,
        subnets=subnets,
        launch_template=_template(body),
        ami_type=ami_type,
        remote_access=remote_access,
        role_span=body.attr_spans.get("instance_profile"),
        ami_span=body.attr_spans.get("ami_type"),
    )
    return eks.node_group_objects(group)


def map_cluster(raw: RawResource, body: Body) -> list[Resource]:
    vpc_config = body.block("vpc_config")
    span = vpc_config.span if vpc_config is not None else body.span
    return [eks.cluster_security_group(base_fields(raw, body), span)]
