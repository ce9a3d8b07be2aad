"""Which references become which edges: the tables the builder applies to every model object.

``EDGES``, one row per reference a model type writes, read as
``Instance.launch_template -> LaunchTemplate: launched_from``: the object's
``launch_template`` field names LaunchTemplates, and each one found gets a
``launched_from`` edge from the instance to it (``reverse``: from it to the object; ``each``:
the field holds several references, linked in turn). A reference that does not resolve
leaves a sentence on the object's node (see ``Resolver``). The builder applies an object's
rows in table order: that is the order of its edges.

``JOINS``, the join resources: an attachment or association names two objects and adds an
edge between them (``NetworkAclAssociation: subnet -> acl: protected_by``), attributed
``via`` the join resource, after the join resource's own edge to the first (the row of
its first field in ``EDGES``). When the second field has no row in ``EDGES`` (the join
resource has no edge to it), a second that does not resolve is reported first; when the
first has none, the join's edges come after the resource's own rows.

``NESTED``: objects written inside another resource (inline rules, routes, ACL entries,
policies, listeners) get nodes of their own and an edge from the resource
(``NESTED_EDGE_KINDS``, by the written object's type).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import TypeVar

from scanner.frozen import frozen
from scanner.model import (
    AclEntry,
    AutoScalingAttachment,
    AutoScalingGroup,
    ClassicLbAttachment,
    EipAssociation,
    ElasticIp,
    GatewayAttachment,
    Instance,
    InstanceProfile,
    InternetGateway,
    LaunchTemplate,
    LaunchTemplateOverride,
    Listener,
    ListenerRule,
    LoadBalancer,
    MainRouteTableAssociation,
    NatGateway,
    NetworkAcl,
    NetworkAclAssociation,
    NetworkInterface,
    NetworkInterfaceAttachment,
    Policy,
    PolicyAttachment,
    PrefixList,
    PrefixListEntry,
    Resource,
    Role,
    Route,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
    SecurityGroupAttachment,
    SecurityGroupRule,
    Subnet,
    TargetGroup,
    TargetGroupAttachment,
    Vpc,
    VpcCidrAssociation,
    VpcPeering,
    VpnConnection,
    VpnGateway,
)
from scanner.model_accelerator import (
    Accelerator,
    AcceleratorEndpoint,
    AcceleratorListener,
    CustomRoutingAccelerator,
    CustomRoutingEndpointGroup,
    CustomRoutingListener,
    EndpointGroup,
)
from scanner.model_apigateway import HttpApi, HttpIntegration, HttpVpcLink, RestApi, RestIntegration, RestVpcLink
from scanner.model_between import (
    ClientVpnAssociation,
    ClientVpnAuthorization,
    ClientVpnEndpoint,
    ClientVpnRoute,
    DxGateway,
    DxGatewayAssociation,
    FirewallPolicy,
    FirewallRuleGroup,
    NetworkFirewall,
    TransitGateway,
    TransitGatewayAttachment,
    TransitGatewayRoute,
    TransitGatewayRouteTable,
    TransitGatewayRouteTableLink,
    VpcEndpoint,
    VpcEndpointService,
    VpcEndpointServicePrincipals,
)
from scanner.model_cloudfront import CloudFrontDistribution, CloudFrontVpcOrigin
from scanner.model_lambda import LambdaFunction

Targets = tuple[type[Resource], ...]
T = TypeVar("T")

# What a transit gateway attachment id names: a VPC attachment, a VPN connection to the
# transit gateway (its transit_gateway_attachment_id), a Direct Connect gateway association.
TGW_ATTACHMENTS: Targets = (TransitGatewayAttachment, VpnConnection, DxGatewayAssociation)
# A transit gateway route table, or the transit gateway itself (its default route table:
# association_default_route_table_id / propagation_default_route_table_id).
TGW_TABLES: Targets = (TransitGatewayRouteTable, TransitGateway)


def _types(targets: type[Resource] | Targets) -> Targets:
    return targets if isinstance(targets, tuple) else (targets,)


def _names(types: Targets) -> str:
    return " | ".join(t.__name__ for t in types)


@frozen
class Link:
    """``model.field -> targets: kind``: one edge from the object to each target its field
    names (``reverse``: from the target to the object; ``each``: the field is a tuple of
    references). Options, for the few references that need one: ``side``: an edge attribute;
    ``copied``: fields of the object copied onto each edge as attributes of the same name;
    ``skip_parent``: a reference to the resource the object is written in is skipped (the
    nesting edge links them); ``only_standalone``: linked only when the object is not written
    inside another resource (the nesting edge links it); ``quiet_names``: only a reference
    (ResourceRef, Unknown) that does not resolve is reported, not a literal name (an AWS
    managed policy's ARN)."""

    model: type[Resource]
    field: str
    targets: type[Resource] | Targets
    kind: str
    reverse: bool = False
    each: bool = False
    side: str | None = None
    skip_parent: bool = False
    only_standalone: bool = False
    quiet_names: bool = False
    copied: tuple[str, ...] = ()
    types: Targets = dataclasses.field(init=False, repr=False, compare=False)  # targets, as a tuple
    what: str = dataclasses.field(init=False, repr=False, compare=False)  # the field, in unresolved sentences
    attrs: Mapping[str, str] = dataclasses.field(init=False, repr=False, compare=False)  # more edge attributes

    def __post_init__(self) -> None:
        object.__setattr__(self, "types", _types(self.targets))
        object.__setattr__(self, "what", self.field.replace("_", " "))
        object.__setattr__(self, "attrs", MappingProxyType({} if self.side is None else {"side": self.side}))

    def __str__(self) -> str:
        many = "[]" if self.each else ""
        back = " (reversed)" if self.reverse else ""
        return f"{self.model.__name__}.{self.field}{many} -> {_names(self.types)}: {self.kind}{back}"


@frozen
class Join:
    """``model: first -> second: kind``: an edge from each object ``first`` names to each
    object ``second`` names, attributed ``via`` the join resource, with its span (``span_field``:
    that field's line), and the join resource's ``copied`` fields as more attributes."""

    model: type[Resource]
    first: str
    first_targets: type[Resource] | Targets
    second: str
    second_targets: type[Resource] | Targets
    kind: str
    span_field: str | None = None
    copied: tuple[str, ...] = ()
    first_types: Targets = dataclasses.field(init=False, repr=False, compare=False)
    second_types: Targets = dataclasses.field(init=False, repr=False, compare=False)
    second_what: str = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "first_types", _types(self.first_targets))
        object.__setattr__(self, "second_types", _types(self.second_targets))
        object.__setattr__(self, "second_what", self.second.replace("_", " "))

    def __str__(self) -> str:
        return (
            f"{self.model.__name__}: {self.first} ({_names(self.first_types)})"
            f" -> {self.second} ({_names(self.second_types)}): {self.kind}"
        )


EDGES: tuple[Link, ...] = (
    # workloads, and what they are launched from
    Link(Instance, "launch_template", LaunchTemplate, "launched_from"),
    Link(Instance, "network_interfaces", NetworkInterface, "attached", each=True, reverse=True),
    Link(AutoScalingGroup, "launch_template", LaunchTemplate, "launched_from"),
    Link(AutoScalingGroup, "launch_configuration", LaunchTemplate, "launched_from"),
    # an override of a mixed instances policy that brings its own launch template: the edge
    # carries the instance type it launches (the group's base template has the row above)
    Link(LaunchTemplateOverride, "launch_template", LaunchTemplate, "launched_from", copied=("instance_type",)),
    Link(AutoScalingGroup, "target_groups", TargetGroup, "targets", each=True, reverse=True),
    Link(AutoScalingGroup, "load_balancers", LoadBalancer, "targets", each=True, reverse=True),
    Link(LaunchTemplate, "security_groups", SecurityGroup, "protected_by", each=True),
    Link(LaunchTemplate, "subnet", Subnet, "in_subnet"),
    Link(LaunchTemplate, "instance_profile", InstanceProfile, "has_profile"),
    # VPCs, subnets, routing
    Link(Subnet, "vpc", Vpc, "in_vpc"),
    Link(VpcCidrAssociation, "vpc", Vpc, "in_vpc"),
    Link(RouteTable, "vpc", Vpc, "in_vpc"),
    Link(Route, "route_table", RouteTable, "route", reverse=True),
    Link(MainRouteTableAssociation, "route_table", RouteTable, "attaches"),
    Link(MainRouteTableAssociation, "vpc", Vpc, "in_vpc"),
    Link(RouteTableAssociation, "route_table", RouteTable, "attaches"),
    Link(RouteTableAssociation, "subnet", Subnet, "in_subnet"),
    Link(InternetGateway, "vpc", Vpc, "in_vpc"),
    Link(VpnGateway, "vpc", Vpc, "in_vpc"),
    Link(GatewayAttachment, "gateway", (InternetGateway, VpnGateway), "attaches"),
    Link(GatewayAttachment, "vpc", Vpc, "in_vpc"),
    Link(NatGateway, "subnet", Subnet, "in_subnet"),
    Link(VpcPeering, "vpc", Vpc, "in_vpc", side="requester"),
    Link(VpcPeering, "peer_vpc", Vpc, "in_vpc", side="accepter"),
    Link(VpnConnection, "vpn_gateway", (VpnGateway, TransitGateway), "attached"),
    # between networks: transit gateways, Direct Connect, PrivateLink
    Link(TransitGatewayAttachment, "transit_gateway", TransitGateway, "attached"),
    Link(TransitGatewayAttachment, "vpc", Vpc, "in_vpc"),
    Link(TransitGatewayAttachment, "subnets", Subnet, "tgw_subnet", each=True),
    Link(TransitGatewayRouteTable, "transit_gateway", TransitGateway, "tgw_route_table", reverse=True),
    Link(TransitGatewayRouteTableLink, "attachment", TGW_ATTACHMENTS, "attaches"),
    Link(TransitGatewayRoute, "route_table", TGW_TABLES, "tgw_route", reverse=True),
    # A Network Firewall attached to the transit gateway itself is a route's target too.
    Link(TransitGatewayRoute, "attachment", (*TGW_ATTACHMENTS, NetworkFirewall), "route_target"),
    Link(DxGatewayAssociation, "dx_gateway", DxGateway, "attaches"),
    Link(DxGatewayAssociation, "gateway", (VpnGateway, TransitGateway), "attached"),
    Link(VpcEndpointService, "load_balancers", LoadBalancer, "fronts", each=True),
    Link(VpcEndpointServicePrincipals, "service", VpcEndpointService, "attaches"),
    Link(VpcEndpoint, "service", VpcEndpointService, "connects_to"),
    Link(VpcEndpoint, "vpc", Vpc, "in_vpc"),
    Link(VpcEndpoint, "subnets", Subnet, "in_subnet", each=True),
    Link(NetworkFirewall, "policy", FirewallPolicy, "inspects_with"),
    Link(NetworkFirewall, "vpc", Vpc, "in_vpc"),
    Link(NetworkFirewall, "subnets", Subnet, "in_subnet", each=True),
    Link(ClientVpnEndpoint, "security_groups", SecurityGroup, "client_vpn_group", each=True),
    Link(ClientVpnEndpoint, "vpc", Vpc, "in_vpc"),
    Link(ClientVpnAssociation, "endpoint", ClientVpnEndpoint, "attaches"),
    Link(ClientVpnAssociation, "subnet", Subnet, "client_vpn_subnet"),
    Link(ClientVpnAuthorization, "endpoint", ClientVpnEndpoint, "authorizes"),
    Link(ClientVpnRoute, "endpoint", ClientVpnEndpoint, "client_vpn_route", reverse=True),
    Link(ClientVpnRoute, "subnet", Subnet, "client_vpn_subnet"),
    Link(FirewallPolicy, "stateless_groups", FirewallRuleGroup, "uses_group", each=True),
    Link(FirewallPolicy, "stateful_groups", FirewallRuleGroup, "uses_group", each=True),
    # network ACLs
    Link(AclEntry, "acl", NetworkAcl, "has_rule", reverse=True),
    Link(NetworkAcl, "vpc", Vpc, "in_vpc"),
    Link(NetworkAcl, "subnets", Subnet, "protected_by", each=True, reverse=True),
    Link(NetworkAclAssociation, "subnet", Subnet, "in_subnet"),
    Link(NetworkAclAssociation, "acl", NetworkAcl, "attaches"),
    # security groups, network interfaces, elastic IPs
    Link(SecurityGroupRule, "group", SecurityGroup, "has_rule", reverse=True),
    Link(SecurityGroupRule, "source_groups", SecurityGroup, "allows_from", each=True),
    Link(SecurityGroupRule, "prefix_lists", PrefixList, "allows_from", each=True),
    Link(PrefixListEntry, "prefix_list", PrefixList, "has_entry", reverse=True),
    Link(SecurityGroup, "vpc", Vpc, "in_vpc"),
    Link(NetworkInterface, "subnet", Subnet, "in_subnet"),
    Link(NetworkInterface, "security_groups", SecurityGroup, "protected_by", each=True),
    Link(NetworkInterface, "attached_instance", Instance, "attached"),
    Link(NetworkInterfaceAttachment, "network_interface", NetworkInterface, "attaches"),
    Link(NetworkInterfaceAttachment, "instance", Instance, "attached"),
    Link(SecurityGroupAttachment, "network_interface", NetworkInterface, "attaches"),
    Link(SecurityGroupAttachment, "security_group", SecurityGroup, "attaches"),
    Link(ElasticIp, "instance", Instance, "attached"),
    Link(ElasticIp, "network_interface", NetworkInterface, "attached"),
    Link(EipAssociation, "eip", ElasticIp, "attaches"),
    Link(EipAssociation, "instance", Instance, "attached"),
    Link(EipAssociation, "network_interface", NetworkInterface, "attached"),
    # load balancers
    Link(LoadBalancer, "subnets", Subnet, "in_subnet", each=True),
    Link(LoadBalancer, "security_groups", SecurityGroup, "protected_by", each=True),
    Link(LoadBalancer, "instances", Instance, "targets", each=True),
    Link(Listener, "load_balancer", LoadBalancer, "listener", reverse=True),
    Link(Listener, "target_groups", TargetGroup, "forwards_to", each=True),
    Link(ListenerRule, "listener", Listener, "has_rule", reverse=True),
    Link(ListenerRule, "target_groups", TargetGroup, "forwards_to", each=True),
    Link(TargetGroup, "vpc", Vpc, "in_vpc"),
    Link(TargetGroupAttachment, "target_group", TargetGroup, "attaches"),
    Link(ClassicLbAttachment, "load_balancer", LoadBalancer, "attaches"),
    # Global Accelerator
    Link(AcceleratorListener, "accelerator", Accelerator, "has_listener", reverse=True),
    Link(EndpointGroup, "listener", AcceleratorListener, "has_endpoint_group", reverse=True),
    Link(AcceleratorEndpoint, "endpoint_group", EndpointGroup, "has_endpoint", reverse=True),
    Link(AcceleratorEndpoint, "endpoint", (Instance, LoadBalancer, ElasticIp), "accelerates"),
    Link(CustomRoutingListener, "accelerator", CustomRoutingAccelerator, "has_listener", reverse=True),
    Link(CustomRoutingEndpointGroup, "listener", CustomRoutingListener, "has_endpoint_group", reverse=True),
    Link(CustomRoutingEndpointGroup, "subnets", Subnet, "custom_routes_to", each=True),
    # CloudFront VPC origins
    Link(CloudFrontVpcOrigin, "endpoint", (Instance, LoadBalancer), "origin_of"),
    Link(CloudFrontDistribution, "vpc_origins", CloudFrontVpcOrigin, "uses_origin", each=True),
    # API Gateway VPC links
    Link(RestVpcLink, "targets", LoadBalancer, "links_to", each=True),
    Link(RestIntegration, "connection", RestVpcLink, "through_link"),
    Link(RestIntegration, "api", RestApi, "integrates"),
    Link(HttpVpcLink, "subnets", Subnet, "in_subnet", each=True),
    Link(HttpVpcLink, "security_groups", SecurityGroup, "protected_by", each=True),
    Link(HttpIntegration, "connection", HttpVpcLink, "through_link"),
    Link(HttpIntegration, "target", Listener, "integrates_with"),
    Link(HttpIntegration, "api", HttpApi, "integrates"),
    # IAM
    Link(InstanceProfile, "roles", Role, "has_role", each=True),
    # a function's execution role, given by ARN: a literal one names a role here only by reference
    Link(LambdaFunction, "role", Role, "runs_as", quiet_names=True),
    Link(Policy, "roles", Role, "has_policy", each=True, reverse=True, skip_parent=True),
    Link(PolicyAttachment, "role", Role, "has_policy", reverse=True, only_standalone=True),
    Link(PolicyAttachment, "policy", Policy, "attaches", quiet_names=True),
    Link(Role, "permissions_boundary", Policy, "bounded_by", quiet_names=True),
)

JOINS: tuple[Join, ...] = (
    Join(GatewayAttachment, "gateway", (InternetGateway, VpnGateway), "vpc", Vpc, "in_vpc", span_field="vpc"),
    Join(NetworkAclAssociation, "subnet", Subnet, "acl", NetworkAcl, "protected_by"),
    Join(NetworkInterfaceAttachment, "network_interface", NetworkInterface, "instance", Instance, "attached"),
    Join(
        SecurityGroupAttachment, "network_interface", NetworkInterface, "security_group", SecurityGroup, "protected_by"
    ),
    # an IP target names an instance's private address, or a network interface's (attached to one)
    Join(
        TargetGroupAttachment,
        "target_group",
        TargetGroup,
        "target",
        (Instance, NetworkInterface),
        "targets",
        span_field="target",
        copied=("port",),
    ),
    Join(AutoScalingAttachment, "target_group", TargetGroup, "auto_scaling_group", AutoScalingGroup, "targets"),
    Join(AutoScalingAttachment, "load_balancer", LoadBalancer, "auto_scaling_group", AutoScalingGroup, "targets"),
    Join(ClassicLbAttachment, "load_balancer", LoadBalancer, "instance", Instance, "targets"),
    Join(
        TransitGatewayRouteTableLink,
        "attachment",
        TGW_ATTACHMENTS,
        "route_table",
        TGW_TABLES,
        "tgw_linked",
        copied=("propagation",),
    ),
)

NESTED: tuple[tuple[type[Resource], str], ...] = (
    (SecurityGroup, "rules"),
    (RouteTable, "routes"),
    (NetworkAcl, "entries"),
    (Role, "inline_policies"),
    (Role, "attachments"),
    (LoadBalancer, "listeners"),
    (AutoScalingGroup, "overrides"),
)

# the edge from a resource to an object written inside it, by the object's type
NESTED_EDGE_KINDS: Mapping[type[Resource], str] = MappingProxyType(
    {
        SecurityGroupRule: "has_rule",
        AclEntry: "has_rule",
        Route: "route",
        Policy: "has_policy",
        PolicyAttachment: "has_policy",
        Listener: "listener",
        LaunchTemplateOverride: "has_override",
    }
)
NESTED_DEFAULT_KIND = "contains"


# --- the tables indexed by model type (the builder's hot path: one lookup per object) -------------


@frozen
class Plan:
    """What linking an object of one model type does, in order: ``checks``, joins whose
    second field has no row (its unresolved sentence comes first); ``links``, each row with
    the joins that follow it (those whose first field it links); ``joins``, the joins whose
    first field has no row."""

    checks: tuple[Join, ...] = ()
    links: tuple[tuple[Link, tuple[Join, ...]], ...] = ()
    joins: tuple[Join, ...] = ()


def _check_field(model: type[Resource], name: str, each: bool) -> None:
    """A row names a field of its model; ``each`` exactly when that field is a tuple."""
    declared = {f.name: str(f.type) for f in dataclasses.fields(model)}
    if name not in declared:
        raise TypeError(f"{model.__name__} has no field {name!r}")
    if each != declared[name].startswith("tuple["):
        raise TypeError(f"{model.__name__}.{name} is {declared[name]}: each={not each} expected")


def _plans(edges: tuple[Link, ...], joins: tuple[Join, ...]) -> dict[type[Resource], Plan]:
    by_type: dict[type[Resource], tuple[list[Link], list[Join]]] = {}
    for row in edges:
        _check_field(row.model, row.field, row.each)
        for name in row.copied:
            _check_field(row.model, name, False)
        by_type.setdefault(row.model, ([], []))[0].append(row)
    for join in joins:
        _check_field(join.model, join.first, False)
        _check_field(join.model, join.second, False)
        by_type.setdefault(join.model, ([], []))[1].append(join)
    plans: dict[type[Resource], Plan] = {}
    for model, (rows, model_joins) in by_type.items():
        linked = {row.field: row for row in rows}
        for join in model_joins:
            first = linked.get(join.first)
            if first is not None and first.types != join.first_types:
                raise TypeError(f"{join}: its first field is linked as {first}")
        checks = _unique_by_second(j for j in model_joins if j.second not in linked)
        plans[model] = Plan(
            checks=checks,
            links=tuple((row, tuple(j for j in model_joins if j.first == row.field)) for row in rows),
            joins=tuple(j for j in model_joins if j.first not in linked),
        )
    return plans


def _unique_by_second(joins: Iterable[Join]) -> tuple[Join, ...]:
    """One join per second field: its sentence is reported once."""
    first_of: dict[str, Join] = {}
    for join in joins:
        first_of.setdefault(join.second, join)
    return tuple(first_of.values())


PLANS: Mapping[type[Resource], Plan] = MappingProxyType(_plans(EDGES, JOINS))
NO_PLAN = Plan()
_NESTED_FIELDS: Mapping[type[Resource], tuple[str, ...]] = MappingProxyType(
    {model: tuple(f for m, f in NESTED if m is model) for model, _ in NESTED}
)


def _for_type(table: Mapping[type[Resource], T], cls: type[Resource], missing: T) -> T:
    """``cls``'s entry, else its nearest base class's (as ``isinstance`` would match)."""
    for base in cls.__mro__:
        found = table.get(base)
        if found is not None:
            return found
    return missing


def plan_for(cls: type[Resource]) -> Plan:
    """The linking plan of a model type (``NO_PLAN`` when it writes no reference)."""
    return _for_type(PLANS, cls, NO_PLAN)


def nested(obj: Resource) -> Iterator[Resource]:
    """Objects written inside another resource: they get nodes of their own."""
    for name in _for_type(_NESTED_FIELDS, type(obj), ()):
        yield from getattr(obj, name)


def nested_edge_kind(child: Resource) -> str:
    return NESTED_EDGE_KINDS.get(type(child), NESTED_DEFAULT_KIND)
