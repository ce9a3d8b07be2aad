"""EKS managed node groups as workloads, and what EKS creates for them: one behaviour for
``aws_eks_node_group`` / ``AWS::EKS::Nodegroup`` (and the cluster security group of
``aws_eks_cluster`` / ``AWS::EKS::Cluster``). The format adapters read the template; the
functions here build the model objects.

What EKS does, as its documentation states it:

* A node group is an Auto Scaling group EKS manages (``AutoScalingGroup`` with
  ``capacity="eks_node_group"``). Its subnets are always the node group's (``subnet_ids`` /
  ``Subnets``): a launch template may not name a subnet. Its role is always the node
  group's (``node_role_arn`` / ``NodeRole``): a launch template may not name an instance
  profile, EKS makes one for the role. That profile is synthesized here
  (``<node group>/instance_profile``, its line the role's).
  https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html
* With a launch template (``launch_template`` / ``LaunchTemplate``, by id or name), the
  instances get its metadata options and its security groups. "If you specify custom
  security groups in the launch template ..., Amazon EKS doesn't add the cluster security
  group"; a template that names none gets the cluster security group
  (``fallback_security_groups``), not the VPC's default group. (same page)
* Without one, "the Amazon EKS API creates one automatically with default values": a
  launch template synthesized here (``<node group>/launch_template``) carries them:
  - security groups: the cluster security group (plus the remote access group, below);
  - metadata options: EKS sets the hop limit ("If you deploy a managed node group without
    using a custom launch template, this value is automatically set"). Whether it requires
    tokens it does not document, except through the AMI: "AL2023 requires IMDSv2 by
    default" (https://docs.aws.amazon.com/eks/latest/userguide/al2023.html). So an
    ``ami_type`` ``AL2023_*`` has ``http_tokens`` "required" (its line: ``ami_type``);
    every other AMI type, or none written, leaves ``http_tokens`` unknown: the IMDSv1
    trait is possible, and says why (``EKS_TOKENS_UNDOCUMENTED``).
* The cluster security group EKS creates with a cluster (``eks-cluster-sg-<name>-<id>``,
  the cluster's ``vpc_config[0].cluster_security_group_id`` / ``ClusterSecurityGroupId``)
  allows inbound all traffic from itself, outbound all traffic to 0.0.0.0/0 and to itself.
  https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html
  It is synthesized at the cluster's own address (``cluster_security_group``), so the
  references a configuration writes to it (a rule's ``security_group_id =
  aws_eks_cluster.x.vpc_config[0].cluster_security_group_id``, ``!GetAtt
  Cluster.ClusterSecurityGroupId``) and the node group's ``cluster_name`` resolve to it.
  A node group whose cluster is not in the configuration names it as an unknown.
* ``remote_access`` / ``RemoteAccess`` (not allowed together with a launch template: EKS
  rejects the node group, and it is not read then) with an SSH key: EKS creates a security
  group allowing port 22 (3389 for Windows AMI types, ``WINDOWS_*``) from the
  ``source_security_group_ids`` / ``SourceSecurityGroups``, or "If you specify an Amazon
  EC2 SSH key but don't specify a source security group ..., then the port on the nodes is
  opened to the internet (0.0.0.0/0)".
  https://docs.aws.amazon.com/eks/latest/APIReference/API_RemoteAccessConfig.html
  Synthesized as ``<node group>/remote_access_security_group`` with its rule, their lines
  the ``remote_access`` block (where the user adds source security groups).
* Public IP addresses: the launch template EKS creates sets none, so the subnet's
  ``map_public_ip_on_launch`` decides, as for any instance (the graph reads it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from scanner.adapters.common import made_for
from scanner.model import (
    AutoScalingGroup,
    InstanceProfile,
    LaunchTemplate,
    MaybeStr,
    MetadataOptions,
    Ref,
    Resource,
    SecurityGroup,
    SecurityGroupRule,
)
from scanner.values import Origin, ResourceRef, Span, Unknown

CAPACITY = "eks_node_group"
EKS_TOKENS_UNDOCUMENTED = (
    "EKS does not document whether the launch template it creates for a node group without one"
    " requires IMDSv2 tokens (only AL2023 AMI types are documented to require them)"
)
_SSH, _RDP = 22, 3389


class RemoteAccess(NamedTuple):
    """A node group's ``remote_access`` block as written: its lines, the SSH key (None: not
    given) and the source security groups."""

    span: Span
    ssh_key: MaybeStr
    sources: tuple[Ref, ...]


class NodeGroup(NamedTuple):
    """A node group as its template writes it. ``fields``: its base model fields (address,
    spans ...); ``spans``: the lines of ``role`` and ``ami_type`` when written."""

    fields: Mapping[str, Any]
    cluster: Any  # cluster_name / ClusterName as written (a reference to the cluster, a name)
    role: Ref | None
    subnets: tuple[Ref, ...]
    launch_template: Ref | None
    ami_type: MaybeStr
    remote_access: RemoteAccess | None
    role_span: Span | None
    ami_span: Span | None


def cluster_group_name(cluster_name: Any) -> Any:
    """The name the cluster security group is found by: ``eks-cluster-sg-<cluster name>``
    (EKS's own prefix; its unique suffix is not known offline), or the cluster's name itself
    when that is one open input (a variable or parameter: the same unknown on both sides)."""
    if isinstance(cluster_name, str):
        return f"eks-cluster-sg-{cluster_name}"
    return cluster_name if isinstance(cluster_name, Unknown) else None


def cluster_group_ref(cluster: Any, owner: str) -> Ref:
    """The cluster security group of the cluster ``cluster`` (the node group's
    ``cluster_name``) names: the cluster's own address (where ``cluster_security_group``
    puts it) for a reference, its name for a cluster name (Terraform knows a name written
    in the cluster before apply), else an unknown naming the cluster."""
    if isinstance(cluster, Unknown) and len(cluster.refs) == 1:
        cluster = cluster.refs[0]
    if isinstance(cluster, ResourceRef):
        return ResourceRef(cluster.address, "cluster_security_group_id")
    named = cluster_group_name(cluster)
    if named is not None:
        return named
    return Unknown(
        f"the cluster security group EKS created for the cluster of {owner} is not known offline",
        origins=(Origin("attribute", f"cluster security group of the EKS cluster of {owner}"),),
    )


def role_ref(role: Ref) -> Ref:
    """A role ARN written literally names the role by its name (the ARN's last part)."""
    if isinstance(role, str) and role.startswith("arn:") and ":role/" in role:
        return role.rsplit("/", 1)[-1]
    return role


def is_windows(ami_type: MaybeStr) -> bool:
    return isinstance(ami_type, str) and ami_type.upper().startswith("WINDOWS")


def _default_metadata(group: NodeGroup, span: Span) -> MetadataOptions:
    """The metadata options of the launch template EKS creates (see the module's docstring)."""
    ami = group.ami_type
    if isinstance(ami, str) and ami.upper().startswith("AL2023"):
        at = group.ami_span or span
        return MetadataOptions(span=at, attr_spans={"http_tokens": at}, http_tokens="required")
    why = Unknown(
        EKS_TOKENS_UNDOCUMENTED,
        origins=(Origin("attribute", f"{group.fields['address']}/launch_template (created by EKS)", span),),
    )
    return MetadataOptions(span=span, http_tokens=why)


def _remote_access_group(group: NodeGroup, remote: RemoteAccess) -> SecurityGroup:
    """The security group EKS creates for remote access: the SSH (RDP) port from the source
    groups, else from anywhere; all egress, as for any new group."""
    address = f"{group.fields['address']}/remote_access_security_group"
    port = _RDP if is_windows(group.ami_type) else _SSH
    common = {"kind": group.fields["kind"], "span": remote.span, "shown_span": group.fields.get("shown_span")}
    ingress = SecurityGroupRule(
        address=f"{address}.ingress[0]",
        attr_spans={"cidrs": remote.span, "source_groups": remote.span, "from_port": remote.span},
        protocol="6",
        from_port=port,
        to_port=port,
        cidrs=() if remote.sources else ("0.0.0.0/0",),
        source_groups=remote.sources,
        existence=group.fields.get("existence"),
        **common,
    )
    egress = SecurityGroupRule(
        address=f"{address}.egress[0]",
        ingress=False,
        protocol="-1",
        from_port=0,
        to_port=65535,
        cidrs=("0.0.0.0/0",),
        existence=group.fields.get("existence"),
        **common,
    )
    return SecurityGroup(
        address=address,
        rules=(ingress, egress),
        existence=group.fields.get("existence"),
        assumptions=group.fields.get("assumptions", ()),
        **common,
    )


def node_group_objects(group: NodeGroup) -> list[Resource]:
    """The node group, the instance profile EKS makes for its role, and without a launch
    template the one EKS creates (and the remote access group, when it opens one)."""
    fields = dict(group.fields)
    address, span = fields["address"], fields["span"]
    inherited = made_for(fields)
    cluster_group = cluster_group_ref(group.cluster, address)
    found: list[Resource] = []
    profile: Ref | None = None
    if group.role is not None:
        role_span = group.role_span or span
        profile_obj = InstanceProfile(
            address=f"{address}/instance_profile",
            span=role_span,
            attr_spans={"roles": role_span},
            roles=(role_ref(group.role),),
            **inherited,
        )
        found.append(profile_obj)
        profile = ResourceRef(profile_obj.address)
    template = group.launch_template
    if template is None:
        groups: list[Ref] = [cluster_group]
        template_spans: dict[str, Span] = {}
        remote = group.remote_access
        if remote is not None and remote.ssh_key is not None:
            opened = _remote_access_group(group, remote)
            found.append(opened)
            groups.append(ResourceRef(opened.address))
            template_spans["security_groups"] = remote.span
        created = LaunchTemplate(
            address=f"{address}/launch_template",
            span=span,
            attr_spans=template_spans,
            metadata=_default_metadata(group, span),
            security_groups=tuple(groups),
            **inherited,
        )
        found.append(created)
        template = ResourceRef(created.address)
    attr_spans = fields["attr_spans"]
    if group.role_span is not None:
        attr_spans.setdefault("instance_profile", group.role_span)
    workload = AutoScalingGroup(
        **fields,
        capacity=CAPACITY,
        launch_template=template,
        subnets=group.subnets,
        instance_profile=profile,
        fallback_security_groups=(cluster_group,),
    )
    return [workload, *found]


def cluster_security_group(fields: Mapping[str, Any], span: Span) -> SecurityGroup:
    """The cluster security group EKS creates with the cluster ``fields`` describe (its
    ``name``: the cluster's name), at the cluster's address; ``span``: the line that creates
    it (``vpc_config``)."""
    address = fields["address"]
    common = {
        "kind": fields["kind"],
        "span": span,
        "shown_span": fields.get("shown_span"),
        "existence": fields.get("existence"),
    }
    rules = (
        SecurityGroupRule(
            address=f"{address}/cluster_security_group.ingress[0]",
            protocol="-1",
            from_port=0,
            to_port=65535,
            self_source=True,
            **common,
        ),
        SecurityGroupRule(
            address=f"{address}/cluster_security_group.egress[0]",
            ingress=False,
            protocol="-1",
            from_port=0,
            to_port=65535,
            cidrs=("0.0.0.0/0",),
            **common,
        ),
        SecurityGroupRule(
            address=f"{address}/cluster_security_group.egress[1]",
            ingress=False,
            protocol="-1",
            from_port=0,
            to_port=65535,
            self_source=True,
            **common,
        ),
    )
    return SecurityGroup(
        address=address,
        rules=rules,
        name=cluster_group_name(fields.get("name")),
        assumptions=fields.get("assumptions", ()),
        **common,
    )
