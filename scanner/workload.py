"""What the graph knows about one workload, resolved: the view every analysis reads.

``graph.workload_contexts(graph)`` builds one per ``Instance`` / ``AutoScalingGroup``.
Each list holds only what resolved to an object of the configuration; what did not
(a literal ``sg-0abc`` id, a data source, an Unknown) is named in ``unresolved`` so a trait
built on the rest can say it rests on an assumption.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import field
from typing import Any

from scanner.frozen import frozen
from scanner.model import (
    AclEntry,
    AutoScalingGroup,
    EipAssociation,
    ElasticIp,
    Instance,
    InstanceMetadataDefaults,
    InstanceProfile,
    LaunchTemplate,
    Listener,
    LoadBalancer,
    NetworkAcl,
    NetworkInterface,
    Policy,
    PolicyAttachment,
    Ref,
    Resource,
    Role,
    Route,
    RouteTable,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    TargetGroup,
    Vpc,
)
from scanner.model_accelerator import Accelerator, AcceleratorEndpoint, AcceleratorListener, EndpointGroup
from scanner.model_apigateway import HttpApi, HttpIntegration, HttpVpcLink, RestApi, RestIntegration, RestVpcLink
from scanner.model_cloudfront import CloudFrontDistribution, CloudFrontVpcOrigin
from scanner.values import ResourceRef, Span, Unknown
from scanner.workload_between import BetweenNetworks


@frozen
class AttachedGroup:
    """A security group on the workload, with all its rules (inline and standalone) and
    the line where the workload (or its launch template / ENI) attaches it."""

    group: SecurityGroup
    rules: tuple[SecurityGroupRule, ...]
    attached_at: Span


@frozen
class ResolvedRoute:
    """A route in effect in a table: inline, standalone (aws_route / AWS::EC2::Route) or
    propagated from a virtual private gateway (``propagated_by``: the propagating_vgws
    line's owner or the propagation resource; its destination is a VPN static route, or
    Unknown when the VPN's routes are not known).

    ``target_kind``: internet_gateway | egress_only_gateway | vpn_gateway | nat_gateway |
    vpc_peering | transit_gateway | instance | network_interface | vpc_endpoint | local |
    other | unknown (decided by the resolved target's type, or a literal igw-/vgw- id)."""

    route: Route
    target_kind: str
    target_address: str  # the resolved address, or the literal / unknown text as written
    target: Resource | None = None
    propagated_by: str = ""


@frozen
class Placement:
    """One subnet the workload runs in (an ASG has several), with its routing and NACL.

    ``subnet`` is None for the default VPC's subnets (no subnet given). ``route_table`` is
    the explicitly associated table, else the VPC's main table (None when the
    configuration does not define one: then AWS's implicit main table applies, which has
    only the local route; in the default VPC it also routes 0.0.0.0/0 to the default IGW:
    ``default_vpc`` True). ``network_acl`` likewise (None: the default NACL, allow all)."""

    subnet: Subnet | None
    vpc: Vpc | None
    route_table: RouteTable | None
    route_table_is_main: bool
    network_acl: NetworkAcl | None
    default_vpc: bool
    # Resolved facts (filled by graph.workload_contexts): every route in effect in the
    # table (for the default VPC: 0.0.0.0/0 to its internet gateway), every entry of the
    # NACL (inline and standalone; empty with network_acl None: the default allow-all),
    # the VPC's CIDRs (cidr_blocks plus CIDR associations), and why any of it is unknown.
    routes: tuple[ResolvedRoute, ...] = ()
    acl_entries: tuple[AclEntry, ...] = ()
    vpc_cidrs: tuple[str | Unknown, ...] = ()
    vpc_ipv6_cidrs: tuple[str | Unknown, ...] = ()
    unresolved: tuple[str, ...] = ()
    # The route table is not known offline: an associated table that did not resolve (its
    # reference as written, an Unknown with its origins), or, with no association, the VPC
    # whose main table it would be. Empty when the routes above are the subnet's.
    routing_unknown: tuple[object, ...] = ()


@frozen
class ResolvedPolicy:
    """A policy that applies to the role: an inline / role / customer managed ``Policy``
    (``policy`` set) or an AWS managed policy known by ARN only (``arn`` set).
    ``attached_at`` is the line that attaches it (the managed_policy_arns item, the
    attachment resource, the inline block)."""

    attached_at: Span
    attached_by: str  # address of the attaching resource
    policy: Policy | None = None
    arn: str | None = None
    attachment: Resource | None = None  # the attaching resource (may not exist: its count is unknown)


@frozen
class RoleContext:
    """A role with the policies that apply to it. ``boundary``: its permissions boundary when
    one is set (``attached_at`` the ``permissions_boundary`` line; neither ``policy`` nor
    ``arn`` when the value names nothing known offline)."""

    role: Role
    policies: tuple[ResolvedPolicy, ...]
    boundary: ResolvedPolicy | None = None


@frozen
class RunsWithRole:
    """A compute resource of the configuration and a role it runs with: an EC2 workload (its
    instances hold the role of their instance profile) or a Lambda function (its execution
    role). ``role``: the role's address; ``named_at``: the line that gives the resource the
    role (the instance profile line, a function's role line)."""

    resource: Resource
    role: str
    named_at: Span


def _nothing() -> tuple[RunsWithRole, ...]:
    return ()


class ConfigurationRoles:
    """Every role the configuration defines, resolved with its policies as a workload's roles
    are, read the first time an analysis asks (a configuration no escalation question is asked
    of never reads them), and shared by all the configuration's workloads; likewise
    ``compute``, which of its compute resources runs with which role (read only when an
    escalation path through an existing resource is asked about). ``memo`` holds what the IAM
    analyses computed once per configuration (the escalation search's per-role moves, the roles
    that are admin): state of this configuration's scan, dropped with it."""

    def __init__(
        self,
        load: Callable[[], tuple[RoleContext, ...]],
        compute: Callable[[], tuple[RunsWithRole, ...]] = _nothing,
    ) -> None:
        self._load = load
        self._load_compute = compute
        self._roles: tuple[RoleContext, ...] | None = None
        self._compute: tuple[RunsWithRole, ...] | None = None
        self.memo: dict[object, Any] = {}

    @property
    def roles(self) -> tuple[RoleContext, ...]:
        if self._roles is None:
            self._roles = self._load()
        return self._roles

    @property
    def compute(self) -> tuple[RunsWithRole, ...]:
        if self._compute is None:
            self._compute = self._load_compute()
        return self._compute


@frozen
class LoadBalancerRoute:
    """A path from a load balancer listener to this workload."""

    load_balancer: LoadBalancer
    listener: Listener
    target_group: TargetGroup | None  # None for a classic LB
    target_port: int | None  # the port traffic arrives on at the workload
    lb_placements: tuple[Placement, ...]
    lb_security_groups: tuple[AttachedGroup, ...]
    attached_at: Span  # the attachment / target_group_arns / Targets line


@frozen
class AcceleratorFront:
    """A Global Accelerator endpoint that is the workload (an instance endpoint,
    ``load_balancer`` empty), an Elastic IP associated with it (``elastic_ip``), or a load
    balancer in front of it (``load_balancer``: its address, whose routes to the workload
    are in ``load_balancer_routes``).
    ``vpc_has_internet_gateway``: the endpoint's VPC has one attached (Global Accelerator
    needs it, even for endpoints in private subnets); None when its VPC is not known."""

    accelerator: Accelerator | None  # None: not in the configuration
    listener: AcceleratorListener | None
    group: EndpointGroup
    endpoint: AcceleratorEndpoint
    load_balancer: str
    vpc_has_internet_gateway: bool | None
    vpc: str = ""  # the endpoint's VPC ("" not known)
    # an Elastic IP endpoint: the Elastic IP, and the address of what associates it with the
    # workload (the ElasticIp itself or an EipAssociation, as held in ``elastic_ips``)
    elastic_ip: ElasticIp | None = None
    associated_by: str = ""


@frozen
class CloudFrontFront:
    """A CloudFront VPC origin that is the workload (``load_balancer`` empty) or a load
    balancer in front of it, with the distributions that use it."""

    origin: CloudFrontVpcOrigin
    distributions: tuple[CloudFrontDistribution, ...]
    load_balancer: str


@frozen
class ApiGatewayFront:
    """An API Gateway integration sending requests through a VPC link to a load balancer in
    front of the workload: a REST API's (V1: the link names the NLB, ``listener`` empty) or
    an HTTP API's (V2: the integration names the listener; ``link_placements`` and
    ``link_groups`` are the link's subnets and groups). ``link`` None: the integration's
    ``connection_id`` is not known; ``guessed``: the link is one it may use (its
    ``connection_id`` is not known), not one it names."""

    integration: RestIntegration | HttpIntegration
    api: RestApi | HttpApi | None  # None: not in the configuration
    link: RestVpcLink | HttpVpcLink | None
    load_balancer: str
    listener: str = ""
    link_placements: tuple[Placement, ...] = ()
    link_groups: tuple[AttachedGroup, ...] = ()
    guessed: bool = False


@frozen
class LaunchTemplateUse:
    """A launch template (or launch configuration) the workload launches instances from, and
    which instances do.

    ``template`` None: the workload names one the configuration does not define (or not one
    known offline); ``reference`` is what it names, as written, and ``unresolved`` says why.
    ``named_at``: the line that names it (the workload's launch template line, or an
    override's launch template specification); ``override``: named by a mixed instances
    policy's override, not as the group's base template. ``instance_types``: the overrides'
    instance types that launch from it, in the order written (empty for the base template
    of a workload without overrides: the template's own instance type);
    ``instance_requirements``: the overrides that choose instance types by requirements
    instead, as written."""

    template: LaunchTemplate | None
    reference: Ref | None
    named_at: Span
    override: bool = False
    instance_types: tuple[str | Unknown, ...] = ()
    instance_requirements: tuple[Mapping[str, object] | Unknown, ...] = ()
    unresolved: tuple[str, ...] = ()

    @property
    def address(self) -> str:
        """The template's address, else the reference as written."""
        if self.template is not None:
            return self.template.address
        if isinstance(self.reference, ResourceRef):
            return self.reference.address
        return str(self.reference)


@frozen
class WorkloadContext:
    """One workload as the graph resolved it. ``launch_template`` is its base template (what
    an instance or a group names itself); ``launch_templates`` every template it launches
    instances from (the base, when some instance launches from it, then the templates its
    mixed instances policy's overrides bring), with the instance types using each.
    ``security_groups``, ``instance_profile`` and ``roles`` already join what every one of
    those templates gives (``instance_profile``: the base template's, else the first other
    template's that has one; ``roles``: every profile's)."""

    workload: Instance | AutoScalingGroup
    configuration: str
    launch_template: LaunchTemplate | None = None
    launch_templates: tuple[LaunchTemplateUse, ...] = ()
    metadata_defaults: InstanceMetadataDefaults | None = None
    security_groups: tuple[AttachedGroup, ...] = ()
    network_interfaces: tuple[NetworkInterface, ...] = ()
    placements: tuple[Placement, ...] = ()
    instance_profile: InstanceProfile | None = None
    roles: tuple[RoleContext, ...] = ()
    elastic_ips: tuple[ElasticIp | EipAssociation, ...] = ()
    load_balancer_routes: tuple[LoadBalancerRoute, ...] = ()
    unresolved: tuple[str, ...] = field(default_factory=tuple)
    # the configuration's doors between networks (transit gateways, Direct Connect); None: it has none
    between: BetweenNetworks | None = None
    accelerators: tuple[AcceleratorFront, ...] = ()  # Global Accelerator endpoints in front of it
    cloudfront_origins: tuple[CloudFrontFront, ...] = ()  # CloudFront VPC origins in front of it
    api_gateways: tuple[ApiGatewayFront, ...] = ()  # API Gateway VPC link integrations in front of it
    iam_roles: ConfigurationRoles | None = None  # every role of the configuration (escalation hops)

    @property
    def address(self) -> str:
        return self.workload.address


__all__ = [
    "AttachedGroup",
    "LaunchTemplateUse",
    "LoadBalancerRoute",
    "Placement",
    "PolicyAttachment",
    "ResolvedPolicy",
    "ResolvedRoute",
    "RoleContext",
    "RunsWithRole",
    "WorkloadContext",
]
