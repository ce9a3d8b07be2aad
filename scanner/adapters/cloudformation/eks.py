"""CloudFormation EKS -> model: ``AWS::EKS::Nodegroup`` as a workload, and the cluster security
group ``AWS::EKS::Cluster`` makes (``scanner.adapters.eks`` states what EKS does)."""

from __future__ import annotations

from scanner.adapters import eks
from scanner.adapters.cloudformation.fields import Fields, as_ref, as_refs, as_str, base_fields, get_in, span_in
from scanner.adapters.raw import RawResource
from scanner.model import Resource


def map_nodegroup(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    role = as_ref(fields.take("instance_profile", "NodeRole"))
    subnets = as_refs(fields.take("subnets", "Subnets"))
    ami_type = as_str(fields.take("ami_type", "AmiType"))
    template = as_ref(fields.first("launch_template", ("LaunchTemplate", "Id"), ("LaunchTemplate", "Name")))
    remote_access = None
    remote_span = span_in(raw.body, "RemoteAccess")
    if remote_span is not None:
        fields.spans.setdefault("remote_access", remote_span)
        remote_access = eks.RemoteAccess(
            remote_span,
            as_str(get_in(raw.body, "RemoteAccess", "Ec2SshKey")),
            as_refs(get_in(raw.body, "RemoteAccess", "SourceSecurityGroups")),
        )
    group = eks.NodeGroup(
        fields=base_fields(raw, fields, "NodegroupName"),
        cluster=get_in(raw.body, "ClusterName"),
        role=role,
        subnets=subnets,
        launch_template=template,
        ami_type=ami_type,
        remote_access=remote_access,
        role_span=fields.spans.get("instance_profile"),
        ami_span=fields.spans.get("ami_type"),
    )
    return eks.node_group_objects(group)


def map_cluster(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    span = span_in(raw.body, "ResourcesVpcConfig") or raw.span
    return [eks.cluster_security_group(base_fields(raw, fields, "Name"), span)]
