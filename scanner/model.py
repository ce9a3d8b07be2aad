"""Provider-neutral AWS objects that both the Terraform and the CloudFormation loaders fill.

No analysis asks "was this Terraform or CloudFormation?": it reads these dataclasses.

Conventions
-----------
* ``address``: what the user sees: the Terraform address relative to the scanned root
  module (``aws_instance.web[0]``, ``module.app.aws_instance.this``) or the CloudFormation
  logical ID (``WebServer``; nested stacks: ``Network.PublicSubnet``). Nested objects that
  are written inside another resource (an inline ingress block, a route inside a route
  table, a CloudFormation ``Targets`` item) get a derived address such as
  ``aws_security_group.web.ingress[0]``.
* ``kind``: the resource type as written (``aws_instance``, ``AWS::EC2::Instance``).
* ``span``: the whole block; ``attr_spans``: the line of each attribute, keyed by the
  *model field name* (``http_tokens``, ``associate_public_ip``, ``cidrs`` ...), so a
  finding can point at the line to change. ``span_of(field)`` falls back to ``span``.
* ``attr_spans[field]`` is the line the user *edits* to change the field's value, which
  is not always where the attribute is written. When the attribute passes a variable or a
  parameter through unchanged (``cidr_blocks = var.ssh_cidrs``, ``[var.admin_cidr]``,
  ``CidrIp: !Ref AllowedCidr``), it is where that value is set: the module caller's
  argument (``ssh_cidrs = ["0.0.0.0/0"]``, followed through callers that pass a variable
  on), the ``.tfvars`` line, the variable's ``default``, the parameter's ``Default``; then
  ``attr_written[field]`` is the attribute's own line (a related place). An expression that
  computes from a variable (``concat(var.extra, [...])``, ``"${var.prefix}/16"``,
  ``local.x``) is set where it is written. ``written_at(field)`` reads it.
* Nothing points into a module Terraform downloaded (``.terraform/modules/``: not in the
  repository, code scanning cannot annotate it). For an object of such a module,
  ``shown_span`` is the ``module "x" {`` call in the repository that stands for it (for a
  workload: the exposure's location); ``span`` stays the real block (the graph and the fix
  engine read it). A field whose value is set inside the download (a literal written in
  the module, its variable's default) has ``attr_spans[field]`` = ``shown_span`` and
  ``attr_written[field]`` = the line in the download; one whose value comes from the
  caller points at the caller's argument. A local module (``source = "./modules/sg"``) is
  in the repository and keeps its own lines.
* A reference field holds a ``Ref``: a ``ResourceRef`` (resolved by the graph), a literal
  string written in the template (an id ``sg-0abc``, a name, an ARN) or ``Unknown``.
* Scalars that may be unknown are ``X | Unknown | None``; ``None`` means "not set"
  (AWS's default applies), which is different from ``Unknown`` ("set, but to something
  we cannot know offline").
* ``assumptions``: why this object's existence or shape rests on an unknown
  ("count is unknown: assumed one instance").
* ``existence``: ``None`` when the object certainly exists; an ``Unknown`` (with its
  origins) when it *may* exist: its ``count`` / ``for_each`` / CloudFormation ``Condition``
  is not known offline. What such an object adds (an EIP, a rule, a route) makes traits
  possible, never certain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Literal, Union

from scanner.frozen import frozen
from scanner.values import ResourceRef, Span, Unknown

Ref = Union[ResourceRef, str, Unknown]  # noqa: UP007 (a runtime alias on 3.10)
MaybeBool = Union[bool, Unknown, None]  # noqa: UP007
MaybeStr = Union[str, Unknown, None]  # noqa: UP007
MaybeInt = Union[int, Unknown, None]  # noqa: UP007
Cidr = Union[str, Unknown]  # noqa: UP007


def written_at(
    attr_spans: Mapping[str, Span], attr_written: Mapping[str, Span], fields: tuple[str, ...]
) -> Span | None:
    """Where the attribute of the first of ``fields`` that ``span_of`` would pick is written,
    when that is not the line ``span_of`` gives (the value is set elsewhere); else None."""
    if not attr_written:
        return None
    for name in fields:
        if name in attr_spans:
            return attr_written.get(name)
    return None


@frozen(kw_only=True, eq=False)
class Resource:
    address: str
    kind: str
    span: Span
    attr_spans: Mapping[str, Span] = field(default_factory=dict)
    assumptions: tuple[str, ...] = ()
    name: MaybeStr = None  # the AWS name (name / GroupName / RoleName / Name tag)
    existence: Unknown | None = None  # not None: the object may not exist (see above)
    attr_written: Mapping[str, Span] = field(default_factory=dict)  # see above
    shown_span: Span | None = None  # in a downloaded module: the module call (see above)

    def span_of(self, *fields: str) -> Span:
        for name in fields:
            found = self.attr_spans.get(name)
            if found is not None:
                return found
        return self.span

    def written_at(self, *fields: str) -> Span | None:
        return written_at(self.attr_spans, self.attr_written, fields)


def made_by_aws(address: str) -> str | None:
    """For an object AWS creates for a declaration (an EKS node group's launch template or
    remote access group, a Batch environment's launch template), synthesized at an address
    under it (``aws_eks_node_group.x/launch_template``): the declaration's address. None
    for an object written in the template (a ``/`` inside a quoted key is not one)."""
    if "/" not in address:
        return None  # nearly every address: no character walk
    quoted = False
    for index, char in enumerate(address):
        if char == '"':
            quoted = not quoted
        elif char == "/" and not quoted:
            return address[:index]
    return None


@frozen(kw_only=True, eq=False)
class UnanalysedCompute(Resource):
    """A resource that runs compute iacscan does not analyse (``scanner.coverage``): kept so
    the scan can say it was not looked at (a subclass carries what another analysis reads of
    it: ``scanner.model_lambda``). ``kind`` is its resource type."""


# --- workloads -------------------------------------------------------------------------


@frozen(kw_only=True, eq=False)
class MetadataOptions:
    """``metadata_options`` / ``MetadataOptions``. ``None`` fields take AWS's default
    (tokens optional, endpoint enabled) unless an account default says otherwise."""

    span: Span
    attr_spans: Mapping[str, Span] = field(default_factory=dict)
    http_tokens: MaybeStr = None  # "required" | "optional"
    http_endpoint: MaybeStr = None  # "enabled" | "disabled"
    attr_written: Mapping[str, Span] = field(default_factory=dict)

    def span_of(self, *fields: str) -> Span:
        for name in fields:
            found = self.attr_spans.get(name)
            if found is not None:
                return found
        return self.span

    def written_at(self, *fields: str) -> Span | None:
        return written_at(self.attr_spans, self.attr_written, fields)


@frozen
class Tag:
    """A tag AWS puts on a resource, as written (a key or value not known offline is not
    kept), with the line it is written at. ``via``: how it reaches the resource: "" its own
    ``tags`` / ``Tags``; "default_tags" the AWS provider's ``default_tags`` (Terraform merges
    them into every resource's tags, a resource's own key winning; not into an Auto Scaling
    group's, whose ``tag`` blocks the provider leaves alone); "launch_template" a launch
    template's ``tag_specifications`` for instances; "propagate_at_launch" an Auto Scaling
    group tag copied to its instances."""

    key: str
    value: str
    span: Span
    via: str = ""


@frozen(kw_only=True, eq=False)
class Instance(Resource):
    """An EC2 instance: ``aws_instance`` / ``AWS::EC2::Instance``, or another declaration that
    launches one instance (``capacity`` names which, e.g. ``spot_instance_request``)."""

    capacity: str = "instance"
    subnet: Ref | None = None
    security_groups: tuple[Ref, ...] = ()  # vpc_security_group_ids, security_groups, SecurityGroupIds
    associate_public_ip: MaybeBool = None
    ipv6_address_count: MaybeInt = None  # ipv6_address_count, or len(ipv6_addresses)
    metadata: MetadataOptions | None = None
    launch_template: Ref | None = None
    instance_profile: Ref | None = None  # iam_instance_profile (a name or a reference)
    image: Ref | None = None  # ami-..., data.aws_ami ref, "resolve:ssm:...", Unknown
    user_data: MaybeStr = None
    network_interfaces: tuple[Ref, ...] = ()  # ENIs attached at launch
    # private IPv4 addresses written as literals (private_ip, secondary_private_ips,
    # PrivateIpAddress): a load balancer IP target written as the same literal names it
    private_ips: tuple[str, ...] = ()
    tags: tuple[Tag, ...] = ()  # its own and the provider's default_tags (scanner.criticality)
    # Not "": this declaration cannot set metadata options (or AWS never receives what it
    # writes), so ``metadata`` is None and the account default applies; the sentence says why.
    metadata_unsupported: str = ""


@frozen(kw_only=True, eq=False)
class LaunchTemplate(Resource):
    """A launch template, or a launch configuration (``is_launch_configuration``), or what a
    declaration writes inline instead of one (a Spot Fleet launch specification: then
    ``metadata_unsupported`` says it cannot set metadata options, as for ``Instance``)."""

    is_launch_configuration: bool = False
    metadata: MetadataOptions | None = None
    security_groups: tuple[Ref, ...] = ()
    associate_public_ip: MaybeBool = None
    ipv6_address_count: MaybeInt = None
    subnet: Ref | None = None  # network_interfaces[0].subnet_id
    instance_profile: Ref | None = None
    image: Ref | None = None
    user_data: MaybeStr = None
    metadata_unsupported: str = ""  # see Instance
    instance_tags: tuple[Tag, ...] = ()  # tag_specifications / TagSpecifications for instances


@frozen(kw_only=True, eq=False)
class LaunchTemplateOverride(Resource):
    """One override of an Auto Scaling group's mixed instances policy (Terraform
    ``mixed_instances_policy { launch_template { override { ... } } }``, CloudFormation
    ``MixedInstancesPolicy.LaunchTemplate.Overrides[]``): an instance type, or a set of
    instance requirements, the group may launch, and the launch template it launches from.

    ``launch_template``: the override's own ``launch_template_specification`` /
    ``LaunchTemplateSpecification``. None: it names none, and AWS launches it from the
    group's base template (the mixed instances policy's own launch template specification).
    ``instance_type`` None with ``instance_requirements`` set: AWS picks every instance type
    that matches the requirements (``instance_requirements`` holds the block as written).
    The address is derived from the group's (``...override[1]``, ``...Overrides[1]``)."""

    launch_template: Ref | None = None
    instance_type: MaybeStr = None
    instance_requirements: Mapping[str, object] | Unknown | None = None


@frozen(kw_only=True, eq=False)
class AutoScalingGroup(Resource):
    """An Auto Scaling group. ``launch_template`` is its base template: ``launch_template`` /
    ``LaunchTemplate``, or the mixed instances policy's launch template specification.
    ``overrides`` are the mixed instances policy's overrides, in the order written; an
    override may name a launch template of its own (see ``LaunchTemplateOverride``).

    The same shape holds every other declaration that launches a changing set of instances
    from templates or launch specifications (``capacity`` names which: spot_fleet, ec2_fleet,
    eks_node_group, batch_compute_environment, elastic_beanstalk_environment). Such a
    declaration may set security groups and an instance profile itself; like an instance's
    own, they win over its templates' (``security_groups`` / ``instance_profile``)."""

    capacity: str = "auto_scaling_group"
    launch_template: Ref | None = None  # launch_template / mixed_instances_policy
    launch_configuration: Ref | None = None
    subnets: tuple[Ref, ...] = ()  # vpc_zone_identifier / VPCZoneIdentifier
    availability_zones: tuple[str | Unknown, ...] = ()
    target_groups: tuple[Ref, ...] = ()  # target_group_arns / TargetGroupARNs
    load_balancers: tuple[Ref, ...] = ()  # classic: load_balancers / LoadBalancerNames
    overrides: tuple[LaunchTemplateOverride, ...] = ()
    security_groups: tuple[Ref, ...] = ()  # never set for an Auto Scaling group itself
    instance_profile: Ref | None = None  # never set for an Auto Scaling group itself
    # The groups AWS gives its instances when neither it nor its templates name any (an EKS
    # node group: the cluster security group); empty: the VPC's default group, as for EC2.
    fallback_security_groups: tuple[Ref, ...] = ()
    tags: tuple[Tag, ...] = ()  # tag / tags / Tags (via "propagate_at_launch" when propagated)

    @property
    def base_launches(self) -> bool:
        """Whether any instance launches from the base template (or launch configuration).
        With overrides, AWS launches only the overrides' instance types, each from its own
        template when it names one, else from the base: so the base is used when there are no
        overrides, or when at least one override names no template of its own. (An override
        naming the base template itself is counted with that template, by the graph.)"""
        return not self.overrides or any(o.launch_template is None for o in self.overrides)


@frozen(kw_only=True, eq=False)
class InstanceMetadataDefaults(Resource):
    """``aws_ec2_instance_metadata_defaults``: the account/region default."""

    http_tokens: MaybeStr = None
    http_endpoint: MaybeStr = None


# --- VPC, subnets, routing -------------------------------------------------------------


@frozen(kw_only=True, eq=False)
class Vpc(Resource):
    cidr_blocks: tuple[Cidr, ...] = ()
    ipv6_cidr_blocks: tuple[Cidr, ...] = ()
    is_default: bool = False  # the region's default VPC: aws_default_vpc, data "aws_vpc" { default = true }


@frozen(kw_only=True, eq=False)
class VpcCidrAssociation(Resource):
    """aws_vpc_ipv4_cidr_block_association, aws_vpc_ipv6_cidr_block_association, AWS::EC2::VPCCidrBlock."""

    vpc: Ref | None = None
    cidr: MaybeStr = None
    ipv6_cidr: MaybeStr = None


@frozen(kw_only=True, eq=False)
class Subnet(Resource):
    """A subnet. ``is_default``: a default subnet of the default VPC (aws_default_subnet, a
    data source selecting default subnets): it maps public IPv4 addresses unless
    ``map_public_ip_on_launch`` says otherwise, and with no ``vpc`` it is in the default VPC.
    ``stands_for``: set when the object is a data source standing for any of the subnets it
    selects ("any subnet of the default VPC"), not one subnet the configuration manages."""

    vpc: Ref | None = None
    cidr: MaybeStr = None
    ipv6_cidr: MaybeStr = None
    map_public_ip_on_launch: MaybeBool = None
    assign_ipv6_on_creation: MaybeBool = None
    is_default: bool = False
    stands_for: str | None = None


RouteTargetKind = Literal[
    "gateway",  # gateway_id: an internet gateway or a virtual private gateway
    "egress_only_gateway",
    "nat_gateway",
    "vpc_peering",
    "transit_gateway",
    "instance",
    "network_interface",
    "vpc_endpoint",
    "local",
    "other",
]


@frozen(kw_only=True, eq=False)
class Route(Resource):
    """A route: inline in a route table (``route_table`` None) or standalone (aws_route,
    AWS::EC2::Route) pointing at its table."""

    route_table: Ref | None = None
    destination: MaybeStr = None  # IPv4 CIDR
    ipv6_destination: MaybeStr = None
    prefix_list: Ref | None = None
    target: Ref | None = None
    target_kind: RouteTargetKind = "other"


@frozen(kw_only=True, eq=False)
class RouteTable(Resource):
    vpc: Ref | None = None
    routes: tuple[Route, ...] = ()
    is_main: bool = False  # aws_default_route_table
    propagating_vgws: tuple[Ref, ...] = ()


@frozen(kw_only=True, eq=False)
class RouteTableAssociation(Resource):
    route_table: Ref | None = None
    subnet: Ref | None = None
    gateway: Ref | None = None


@frozen(kw_only=True, eq=False)
class MainRouteTableAssociation(Resource):
    vpc: Ref | None = None
    route_table: Ref | None = None


@frozen(kw_only=True, eq=False)
class InternetGateway(Resource):
    vpc: Ref | None = None
    egress_only: bool = False  # aws_egress_only_internet_gateway carries no inbound traffic


@frozen(kw_only=True, eq=False)
class GatewayAttachment(Resource):
    """aws_internet_gateway_attachment, aws_vpn_gateway_attachment, AWS::EC2::VPCGatewayAttachment."""

    vpc: Ref | None = None
    gateway: Ref | None = None


@frozen(kw_only=True, eq=False)
class NatGateway(Resource):
    subnet: Ref | None = None
    private: bool = False  # connectivity_type = "private"


@frozen(kw_only=True, eq=False)
class VpcPeering(Resource):
    vpc: Ref | None = None
    peer_vpc: Ref | None = None


@frozen(kw_only=True, eq=False)
class VpnGateway(Resource):
    vpc: Ref | None = None


@frozen(kw_only=True, eq=False)
class VpnGatewayRoutePropagation(Resource):
    """aws_vpn_gateway_route_propagation, AWS::EC2::VPNGatewayRoutePropagation."""

    vpn_gateway: Ref | None = None
    route_tables: tuple[Ref, ...] = ()


@frozen(kw_only=True, eq=False)
class VpnConnection(Resource):
    """A site-to-site VPN; its static routes name the on-premises CIDRs."""

    vpn_gateway: Ref | None = None
    static_routes: tuple[Cidr, ...] = ()


# --- network ACLs ------------------------------------------------------------------------


@frozen(kw_only=True, eq=False)
class AclEntry(Resource):
    """One NACL rule: inline (``acl`` None) or standalone (aws_network_acl_rule,
    AWS::EC2::NetworkAclEntry). ``protocol`` is normalised to an IANA number as a string
    ("6" tcp, "17" udp, "1" icmp, "58" icmpv6) or "-1" for all."""

    acl: Ref | None = None
    rule_number: MaybeInt = None
    egress: bool = False
    protocol: MaybeStr = None
    allow: MaybeBool = None
    cidr: MaybeStr = None
    ipv6_cidr: MaybeStr = None
    from_port: MaybeInt = None
    to_port: MaybeInt = None


@frozen(kw_only=True, eq=False)
class NetworkAcl(Resource):
    vpc: Ref | None = None
    subnets: tuple[Ref, ...] = ()
    entries: tuple[AclEntry, ...] = ()
    is_default: bool = False  # aws_default_network_acl


@frozen(kw_only=True, eq=False)
class NetworkAclAssociation(Resource):
    acl: Ref | None = None
    subnet: Ref | None = None


# --- security groups ---------------------------------------------------------------------


@frozen(kw_only=True, eq=False)
class SecurityGroupRule(Resource):
    """One security group rule. Inline blocks live in ``SecurityGroup.rules`` (``group``
    None); aws_security_group_rule, aws_vpc_security_group_{ingress,egress}_rule and
    AWS::EC2::SecurityGroup{Ingress,Egress} are standalone with ``group`` set.

    ``protocol`` is normalised like AclEntry's ("6", "17", "1", "58", "-1"). For "-1" the
    ports are 0-65535 whatever the template says."""

    group: Ref | None = None
    ingress: bool = True
    protocol: MaybeStr = None
    from_port: MaybeInt = None
    to_port: MaybeInt = None
    cidrs: tuple[Cidr, ...] = ()
    ipv6_cidrs: tuple[Cidr, ...] = ()
    source_groups: tuple[Ref, ...] = ()
    prefix_lists: tuple[Ref, ...] = ()
    self_source: bool = False
    # The AWS managed prefix lists it names, by name (``graph.read`` fills it in)
    managed_prefix_lists: tuple[str, ...] = ()


# The kind of the rule that stands for a group attached by a reference the configuration
# does not resolve (``graph.read``): its rules are not known, so it may admit anything.
UNKNOWN_GROUP_RULE = "unknown security group"


@frozen(kw_only=True, eq=False)
class PrefixList(Resource):
    """A customer managed prefix list (aws_ec2_managed_prefix_list, AWS::EC2::PrefixList):
    a security group rule naming it admits each of its CIDRs. ``address_family`` "IPv4" or
    "IPv6" says where an entry whose CIDR is unknown belongs."""

    entries: tuple[Cidr, ...] = ()
    address_family: MaybeStr = None
    aws_managed: str = ""  # an AWS managed list read by its name (data source): its entries are AWS's


@frozen(kw_only=True, eq=False)
class PrefixListEntry(Resource):
    """aws_ec2_managed_prefix_list_entry: one more CIDR of a prefix list."""

    prefix_list: Ref | None = None
    cidr: Cidr | None = None


@frozen(kw_only=True, eq=False)
class SecurityGroup(Resource):
    vpc: Ref | None = None
    rules: tuple[SecurityGroupRule, ...] = ()
    is_default: bool = False  # aws_default_security_group
    # Terraform removes AWS's default allow-all egress when a group is managed by it; a
    # CloudFormation group without SecurityGroupEgress keeps it. True: the implicit
    # allow-all egress applies.
    implicit_egress_all: bool = False


@frozen(kw_only=True, eq=False)
class NetworkInterface(Resource):
    subnet: Ref | None = None
    security_groups: tuple[Ref, ...] = ()
    attached_instance: Ref | None = None  # inline attachment block / AWS::EC2::NetworkInterface has none
    ipv6_address_count: MaybeInt = None
    public_ip: MaybeBool = None  # only known for ENIs defined inline in a launch spec
    private_ips: tuple[str, ...] = ()  # as Instance.private_ips (private_ips, PrivateIpAddresses)


@frozen(kw_only=True, eq=False)
class NetworkInterfaceAttachment(Resource):
    instance: Ref | None = None
    network_interface: Ref | None = None


@frozen(kw_only=True, eq=False)
class SecurityGroupAttachment(Resource):
    """aws_network_interface_sg_attachment."""

    security_group: Ref | None = None
    network_interface: Ref | None = None


@frozen(kw_only=True, eq=False)
class ElasticIp(Resource):
    instance: Ref | None = None
    network_interface: Ref | None = None


@frozen(kw_only=True, eq=False)
class EipAssociation(Resource):
    eip: Ref | None = None
    instance: Ref | None = None
    network_interface: Ref | None = None


# --- load balancers ------------------------------------------------------------------------

LoadBalancerType = Literal["application", "network", "gateway", "classic"]


@frozen(kw_only=True, eq=False)
class Listener(Resource):
    """aws_lb_listener / AWS::ElasticLoadBalancingV2::Listener, or a classic LB's inline
    listener (``instance_port`` set, ``target_groups`` empty)."""

    load_balancer: Ref | None = None
    port: MaybeInt = None
    protocol: MaybeStr = None
    target_groups: tuple[Ref, ...] = ()
    instance_port: MaybeInt = None


@frozen(kw_only=True, eq=False)
class ListenerRule(Resource):
    listener: Ref | None = None
    target_groups: tuple[Ref, ...] = ()


@frozen(kw_only=True, eq=False)
class LoadBalancer(Resource):
    lb_type: LoadBalancerType = "application"
    internal: MaybeBool = None  # None: not set, AWS default is internet-facing
    subnets: tuple[Ref, ...] = ()  # subnets and subnet_mapping
    security_groups: tuple[Ref, ...] = ()
    listeners: tuple[Listener, ...] = ()  # classic LBs only
    instances: tuple[Ref, ...] = ()  # classic LBs only
    # enforce_security_group_inbound_rules_on_private_link_traffic of an NLB with groups:
    # "off" lets PrivateLink traffic in whatever its inbound rules say (None: not written, on)
    privatelink_inbound_rules: MaybeStr = None


@frozen(kw_only=True, eq=False)
class TargetGroup(Resource):
    """``preserve_client_ip``: the ``preserve_client_ip.enabled`` attribute of a Network Load
    Balancer's target group (None: not set, AWS's default for the target type and protocol)."""

    port: MaybeInt = None
    protocol: MaybeStr = None
    target_type: MaybeStr = None  # instance | ip | lambda | alb
    vpc: Ref | None = None
    preserve_client_ip: MaybeBool = None


@frozen(kw_only=True, eq=False)
class TargetGroupAttachment(Resource):
    """aws_lb_target_group_attachment, or one item of a CloudFormation TargetGroup's Targets."""

    target_group: Ref | None = None
    target: Ref | None = None
    port: MaybeInt = None


@frozen(kw_only=True, eq=False)
class AutoScalingAttachment(Resource):
    """aws_autoscaling_attachment / aws_autoscaling_traffic_source_attachment."""

    auto_scaling_group: Ref | None = None
    target_group: Ref | None = None
    load_balancer: Ref | None = None


@frozen(kw_only=True, eq=False)
class ClassicLbAttachment(Resource):
    """aws_elb_attachment."""

    load_balancer: Ref | None = None
    instance: Ref | None = None


# --- IAM -----------------------------------------------------------------------------------


@frozen(kw_only=True, eq=False)
class Statement:
    """One policy statement. A list field is None when the key is absent; items may be
    Unknown. ``span`` points at the statement (or the whole document when statements have
    no lines of their own, e.g. a heredoc)."""

    span: Span
    attr_spans: Mapping[str, Span] = field(default_factory=dict)
    sid: MaybeStr = None
    effect: MaybeStr = None  # "Allow" | "Deny"
    actions: tuple[str | Unknown, ...] | None = None
    not_actions: tuple[str | Unknown, ...] | None = None
    resources: tuple[str | Unknown, ...] | None = None
    not_resources: tuple[str | Unknown, ...] | None = None
    has_condition: bool = False
    # The Condition's "<operator> <key>" pairs as written (``StringEquals iam:PassedToService``),
    # so a verdict resting on one can name it; empty when there is none or it is not known.
    conditions: tuple[str, ...] = ()
    # The Condition's values, ``(operator, key, values)``, as written (what the escalation
    # search decides: ``StringEquals iam:PassedToService ec2.amazonaws.com``).
    condition_values: tuple[tuple[str, str, tuple[str | Unknown, ...]], ...] = ()
    # The Principal element of a trust policy's statement: ``(type, value)`` pairs as written
    # (``("Service", "ec2.amazonaws.com")``, ``("AWS", "arn:aws:iam::111122223333:root")``,
    # ``("*", "*")`` for ``Principal: "*"``); None when the statement has none.
    principals: tuple[tuple[str, str | Unknown], ...] | None = None
    existence: Unknown | None = None  # not None: the statement may not be in the document
    attr_written: Mapping[str, Span] = field(default_factory=dict)

    def span_of(self, *fields: str) -> Span:
        for name in fields:
            found = self.attr_spans.get(name)
            if found is not None:
                return found
        return self.span

    def written_at(self, *fields: str) -> Span | None:
        return written_at(self.attr_spans, self.attr_written, fields)


@frozen(kw_only=True, eq=False)
class Policy(Resource):
    """An IAM policy document: inline on a role (``Role.inline_policies``), a role policy
    (aws_iam_role_policy, AWS::IAM::Policy, ``roles`` set) or a customer managed policy
    (aws_iam_policy, AWS::IAM::ManagedPolicy; ``managed`` True, attached through
    ``PolicyAttachment`` or its own ``roles``). ``document`` is Unknown when the document
    cannot be read offline; then ``statements`` is empty."""

    statements: tuple[Statement, ...] = ()
    document_unknown: Unknown | None = None
    roles: tuple[Ref, ...] = ()
    managed: bool = False


@frozen(kw_only=True, eq=False)
class PolicyAttachment(Resource):
    """A managed policy attached to a role: aws_iam_role_policy_attachment,
    aws_iam_policy_attachment (one per role), an item of managed_policy_arns /
    ManagedPolicyArns. ``policy`` is a literal ARN (AWS managed:
    ``arn:aws:iam::aws:policy/AdministratorAccess``), a reference to a Policy, or Unknown."""

    role: Ref | None = None
    policy: Ref | None = None


@frozen(kw_only=True, eq=False)
class Role(Resource):
    """An IAM role. ``permissions_boundary`` (Terraform ``permissions_boundary``, CloudFormation
    ``PermissionsBoundary``): the managed policy that caps what the role's own policies can
    grant: a literal ARN (an AWS managed policy's), a reference to a Policy, or Unknown."""

    inline_policies: tuple[Policy, ...] = ()
    attachments: tuple[PolicyAttachment, ...] = ()  # from managed_policy_arns / ManagedPolicyArns
    permissions_boundary: Ref | None = None
    # The trust policy (Terraform ``assume_role_policy``, CloudFormation
    # ``AssumeRolePolicyDocument``): its statements, or why they are not known offline
    # (``trust_unknown``); neither when the role has none written.
    trust: tuple[Statement, ...] = ()
    trust_unknown: Unknown | None = None


@frozen(kw_only=True, eq=False)
class InstanceProfile(Resource):
    roles: tuple[Ref, ...] = ()
