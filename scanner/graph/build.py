"""The configuration as a graph, and the resolved view of each workload.

``build_graph`` turns a ``Configuration`` into a ``networkx.MultiDiGraph``: one node per
model object (keyed by its address, attribute ``obj``), one typed edge per reference
(attribute ``kind``, and ``span``: where the reference is written). Implicit AWS behaviour
becomes explicit here, and only here:

* an instance with no subnet (none on its ENIs or launch template either) runs in the
  default VPC: node ``default-vpc`` (public subnets, main table routes 0.0.0.0/0 to the
  default internet gateway, default NACL allows all);
* a subnet with no route table association uses its VPC's main table
  (aws_default_route_table / aws_main_route_table_association, else the implicit
  ``<vpc>#main-route-table`` with only the local route);
* a subnet with no NACL association uses its VPC's default NACL (aws_default_network_acl,
  else the implicit ``<vpc>#default-nacl`` that allows everything);
* a workload in a VPC with no security group gets the VPC's default group
  (aws_default_security_group as written, else ``<vpc>#default-sg``: inbound from itself
  only, all egress);
* a launch template's groups, subnet and profile apply to the instances and ASGs that use
  it (the instance's own values win);
* standalone SG rules, ACL entries and routes join their group, ACL and table; route
  propagation adds the VGW as a route target for the VPN's CIDRs.

``workload_contexts`` reads the graph back into one ``WorkloadContext`` per workload.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

import networkx as nx

from scanner.findings import Configuration
from scanner.graph.core import INTERNET, Adjacency, GraphWriter, edges_of_kind
from scanner.graph.defaults import DEFAULT_VPC, DEFAULT_VPC_CIDR, AwsDefaults, main_table_node
from scanner.graph.resolve import Resolver
from scanner.model import (
    AclEntry,
    AutoScalingAttachment,
    AutoScalingGroup,
    ClassicLbAttachment,
    EipAssociation,
    ElasticIp,
    GatewayAttachment,
    Instance,
    InstanceMetadataDefaults,
    InstanceProfile,
    InternetGateway,
    LaunchTemplate,
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
    VpnGatewayRoutePropagation,
)
from scanner.values import ResourceRef, Span, Unknown
from scanner.workload import (
    AttachedGroup,
    LoadBalancerRoute,
    Placement,
    ResolvedPolicy,
    ResolvedRoute,
    RoleContext,
    WorkloadContext,
)


def _ref_text(ref: object) -> str:
    if isinstance(ref, ResourceRef):
        return ref.address
    if isinstance(ref, Unknown):
        return str(ref)
    return str(ref)


# --- building the graph ----------------------------------------------------------------------


def _nested(obj: Resource) -> Iterator[Resource]:
    """Objects written inside another resource: they get nodes of their own."""
    if isinstance(obj, SecurityGroup):
        yield from obj.rules
    elif isinstance(obj, RouteTable):
        yield from obj.routes
    elif isinstance(obj, NetworkAcl):
        yield from obj.entries
    elif isinstance(obj, Role):
        yield from obj.inline_policies
        yield from obj.attachments
    elif isinstance(obj, LoadBalancer):
        yield from obj.listeners


class _Builder(GraphWriter):
    def __init__(self, config: Configuration) -> None:
        super().__init__(nx.MultiDiGraph(configuration=config.name))
        self.config = config
        objects: list[Resource] = []
        for res in config.resources:
            objects.append(res)
            objects.extend(_nested(res))
        self.resolver = Resolver(objects)
        self.objects = list(self.resolver.by_address.values())
        self.parent: dict[str, str] = {}  # nested object -> the resource it is written in
        for res in config.resources:
            for child in _nested(res):
                self.parent.setdefault(child.address, res.address)
        self.defaults = AwsDefaults(self, self.objects)

    def link(
        self,
        src: Resource,
        ref: object,
        types: tuple[type[Resource], ...],
        kind: str,
        field_name: str,
        what: str | None = None,
        reverse: bool = False,
        **attrs: Any,
    ) -> list[Resource]:
        """Resolve ``ref`` (written in ``src``'s ``field_name``) and add one edge per target."""
        resolved = self.resolver.resolve(ref, types, src.address, what or field_name.replace("_", " "))
        self.unresolved(src.address, resolved.unresolved)
        span = src.span_of(field_name)
        for target in resolved.objects:
            if reverse:
                self.edge(target.address, src.address, kind, span, **attrs)
            else:
                self.edge(src.address, target.address, kind, span, **attrs)
        return list(resolved.objects)

    def link_all(
        self,
        src: Resource,
        refs: Iterable[object],
        types: tuple[type[Resource], ...],
        kind: str,
        field_name: str,
        reverse: bool = False,
        **attrs: Any,
    ) -> list[Resource]:
        out: list[Resource] = []
        for ref in refs:
            out.extend(self.link(src, ref, types, kind, field_name, reverse=reverse, **attrs))
        return out

    # the build, in dependency order

    def build(self) -> nx.MultiDiGraph:
        self.add_node(INTERNET, None, "internet")
        for obj in self.objects:
            self.add_node(obj.address, obj, obj.kind)
        for res in self.config.resources:
            for child in _nested(res):
                if child.address != res.address:
                    kind = {
                        SecurityGroupRule: "has_rule",
                        AclEntry: "has_rule",
                        Route: "route",
                        Policy: "has_policy",
                        PolicyAttachment: "has_policy",
                        Listener: "listener",
                    }.get(type(child), "contains")
                    self.edge(res.address, child.address, kind, child.span)
        for obj in self.objects:
            self.link_references(obj)
        self.add_propagated_routes()
        self.link_route_targets()
        self.link_subnets_to_tables_and_acls()
        for obj in self.objects:
            if isinstance(obj, (Instance, AutoScalingGroup)):
                self.link_workload(obj)
        for obj in self.objects:
            if isinstance(obj, LoadBalancer):
                self.defaults.link_lb_default_group(obj)
        return self.graph

    def link_references(self, obj: Resource) -> None:
        """Every reference a model object writes, as an edge (workloads' effective values come later)."""
        if isinstance(obj, Instance):
            self.link(obj, obj.launch_template, (LaunchTemplate,), "launched_from", "launch_template")
            self.link_all(
                obj, obj.network_interfaces, (NetworkInterface,), "attached", "network_interfaces", reverse=True
            )
        elif isinstance(obj, AutoScalingGroup):
            self.link(obj, obj.launch_template, (LaunchTemplate,), "launched_from", "launch_template")
            self.link(obj, obj.launch_configuration, (LaunchTemplate,), "launched_from", "launch_configuration")
            self.link_all(obj, obj.target_groups, (TargetGroup,), "targets", "target_groups", reverse=True)
            self.link_all(obj, obj.load_balancers, (LoadBalancer,), "targets", "load_balancers", reverse=True)
        elif isinstance(obj, LaunchTemplate):
            self.link_all(obj, obj.security_groups, (SecurityGroup,), "protected_by", "security_groups")
            self.link(obj, obj.subnet, (Subnet,), "in_subnet", "subnet")
            self.link(obj, obj.instance_profile, (InstanceProfile,), "has_profile", "instance_profile")
        elif isinstance(obj, (Subnet, VpcCidrAssociation, RouteTable)):
            self.link(obj, obj.vpc, (Vpc,), "in_vpc", "vpc")
        elif isinstance(obj, Route):
            if obj.route_table is not None:
                self.link(obj, obj.route_table, (RouteTable,), "route", "route_table", reverse=True)
        elif isinstance(obj, MainRouteTableAssociation):
            self.link(obj, obj.route_table, (RouteTable,), "attaches", "route_table")
            self.link(obj, obj.vpc, (Vpc,), "in_vpc", "vpc")
        elif isinstance(obj, RouteTableAssociation):
            self.link(obj, obj.route_table, (RouteTable,), "attaches", "route_table")
            self.link(obj, obj.subnet, (Subnet,), "in_subnet", "subnet")
        elif isinstance(obj, (InternetGateway, VpnGateway)):
            self.link(obj, obj.vpc, (Vpc,), "in_vpc", "vpc")
        elif isinstance(obj, GatewayAttachment):
            for gateway in self.link(obj, obj.gateway, (InternetGateway, VpnGateway), "attaches", "gateway"):
                for vpc in self.resolver.resolve(obj.vpc, (Vpc,), obj.address, "vpc").objects:
                    self.edge(gateway.address, vpc.address, "in_vpc", obj.span_of("vpc"), via=obj.address)
            self.link(obj, obj.vpc, (Vpc,), "in_vpc", "vpc")
        elif isinstance(obj, NatGateway):
            self.link(obj, obj.subnet, (Subnet,), "in_subnet", "subnet")
        elif isinstance(obj, VpcPeering):
            self.link(obj, obj.vpc, (Vpc,), "in_vpc", "vpc", side="requester")
            self.link(obj, obj.peer_vpc, (Vpc,), "in_vpc", "peer_vpc", side="accepter")
        elif isinstance(obj, VpnConnection):
            self.link(obj, obj.vpn_gateway, (VpnGateway,), "attached", "vpn_gateway")
        elif isinstance(obj, AclEntry):
            if obj.acl is not None:
                self.link(obj, obj.acl, (NetworkAcl,), "has_rule", "acl", reverse=True)
        elif isinstance(obj, NetworkAcl):
            self.link(obj, obj.vpc, (Vpc,), "in_vpc", "vpc")
            self.link_all(obj, obj.subnets, (Subnet,), "protected_by", "subnets", reverse=True)
        elif isinstance(obj, NetworkAclAssociation):
            for subnet in self.link(obj, obj.subnet, (Subnet,), "in_subnet", "subnet"):
                for acl in self.resolver.resolve(obj.acl, (NetworkAcl,), obj.address, "acl").objects:
                    self.edge(subnet.address, acl.address, "protected_by", obj.span, via=obj.address)
            self.link(obj, obj.acl, (NetworkAcl,), "attaches", "acl")
        elif isinstance(obj, SecurityGroupRule):
            if obj.group is not None:
                self.link(obj, obj.group, (SecurityGroup,), "has_rule", "group", reverse=True)
            self.link_all(obj, obj.source_groups, (SecurityGroup,), "allows_from", "source_groups")
            self.link_all(obj, obj.prefix_lists, (PrefixList,), "allows_from", "prefix_lists")
        elif isinstance(obj, PrefixListEntry):
            self.link(obj, obj.prefix_list, (PrefixList,), "has_entry", "prefix_list", reverse=True)
        elif isinstance(obj, SecurityGroup):
            self.link(obj, obj.vpc, (Vpc,), "in_vpc", "vpc")
        elif isinstance(obj, NetworkInterface):
            self.link(obj, obj.subnet, (Subnet,), "in_subnet", "subnet")
            self.link_all(obj, obj.security_groups, (SecurityGroup,), "protected_by", "security_groups")
            self.link(obj, obj.attached_instance, (Instance,), "attached", "attached_instance")
        elif isinstance(obj, NetworkInterfaceAttachment):
            for eni in self.link(obj, obj.network_interface, (NetworkInterface,), "attaches", "network_interface"):
                for inst in self.resolver.resolve(obj.instance, (Instance,), obj.address, "instance").objects:
                    self.edge(eni.address, inst.address, "attached", obj.span, via=obj.address)
            self.link(obj, obj.instance, (Instance,), "attached", "instance")
        elif isinstance(obj, SecurityGroupAttachment):
            for eni in self.link(obj, obj.network_interface, (NetworkInterface,), "attaches", "network_interface"):
                for sg in self.resolver.resolve(obj.security_group, (SecurityGroup,), obj.address, "sg").objects:
                    self.edge(eni.address, sg.address, "protected_by", obj.span, via=obj.address)
            self.link(obj, obj.security_group, (SecurityGroup,), "attaches", "security_group")
        elif isinstance(obj, ElasticIp):
            self.link(obj, obj.instance, (Instance,), "attached", "instance")
            self.link(obj, obj.network_interface, (NetworkInterface,), "attached", "network_interface")
        elif isinstance(obj, EipAssociation):
            self.link(obj, obj.eip, (ElasticIp,), "attaches", "eip")
            self.link(obj, obj.instance, (Instance,), "attached", "instance")
            self.link(obj, obj.network_interface, (NetworkInterface,), "attached", "network_interface")
        elif isinstance(obj, LoadBalancer):
            self.link_all(obj, obj.subnets, (Subnet,), "in_subnet", "subnets")
            self.link_all(obj, obj.security_groups, (SecurityGroup,), "protected_by", "security_groups")
            self.link_all(obj, obj.instances, (Instance,), "targets", "instances")
        elif isinstance(obj, Listener):
            if obj.load_balancer is not None:
                self.link(obj, obj.load_balancer, (LoadBalancer,), "listener", "load_balancer", reverse=True)
            self.link_all(obj, obj.target_groups, (TargetGroup,), "forwards_to", "target_groups")
        elif isinstance(obj, ListenerRule):
            self.link(obj, obj.listener, (Listener,), "has_rule", "listener", reverse=True)
            self.link_all(obj, obj.target_groups, (TargetGroup,), "forwards_to", "target_groups")
        elif isinstance(obj, TargetGroup):
            self.link(obj, obj.vpc, (Vpc,), "in_vpc", "vpc")
        elif isinstance(obj, TargetGroupAttachment):
            targets = self.resolver.resolve(obj.target, (Instance,), obj.address, "target")
            self.unresolved(obj.address, targets.unresolved)
            for tg in self.link(obj, obj.target_group, (TargetGroup,), "attaches", "target_group"):
                for inst in targets.objects:
                    self.edge(tg.address, inst.address, "targets", obj.span, via=obj.address, port=obj.port)
        elif isinstance(obj, AutoScalingAttachment):
            asgs = self.resolver.resolve(obj.auto_scaling_group, (AutoScalingGroup,), obj.address, "auto scaling group")
            self.unresolved(obj.address, asgs.unresolved)
            sources = self.resolver.resolve(obj.target_group, (TargetGroup,), obj.address, "target group").objects
            sources += self.resolver.resolve(obj.load_balancer, (LoadBalancer,), obj.address, "load balancer").objects
            for src in sources:
                for asg in asgs.objects:
                    self.edge(src.address, asg.address, "targets", obj.span, via=obj.address)
        elif isinstance(obj, ClassicLbAttachment):
            instances = self.resolver.resolve(obj.instance, (Instance,), obj.address, "instance")
            self.unresolved(obj.address, instances.unresolved)
            for lb in self.link(obj, obj.load_balancer, (LoadBalancer,), "attaches", "load_balancer"):
                for inst in instances.objects:
                    self.edge(lb.address, inst.address, "targets", obj.span, via=obj.address)
        elif isinstance(obj, InstanceProfile):
            self.link_all(obj, obj.roles, (Role,), "has_role", "roles")
        elif isinstance(obj, Policy):
            # an inline policy already hangs off the role it is written in (edge added in build())
            written_in = self.parent.get(obj.address)
            roles = [r for r in obj.roles if not (isinstance(r, ResourceRef) and r.address == written_in)]
            self.link_all(obj, roles, (Role,), "has_policy", "roles", reverse=True)
        elif isinstance(obj, PolicyAttachment):
            if obj.role is not None and self.parent.get(obj.address) is None:
                self.link(obj, obj.role, (Role,), "has_policy", "role", reverse=True)
            if isinstance(obj.policy, (ResourceRef, Unknown)):
                self.link(obj, obj.policy, (Policy,), "attaches", "policy")
            elif isinstance(obj.policy, str):
                named = self.resolver.resolve(obj.policy, (Policy,), obj.address, "policy")
                for policy in named.objects:
                    self.edge(obj.address, policy.address, "attaches", obj.span_of("policy"))

    # routing

    def add_propagated_routes(self) -> None:
        """A VGW propagating into a table routes the VPN's CIDRs (static routes if written,
        else any CIDR the VPN announces: Unknown) to the VGW."""
        propagations: list[tuple[Resource, str, Span, VpnGateway]] = []  # (table, by, span, vgw)
        for obj in self.objects:
            if isinstance(obj, RouteTable):
                for ref in obj.propagating_vgws:
                    resolved = self.resolver.resolve(ref, (VpnGateway,), obj.address, "propagating_vgws")
                    self.unresolved(obj.address, resolved.unresolved)
                    for vgw in resolved.objects:
                        assert isinstance(vgw, VpnGateway)
                        propagations.append((obj, obj.address, obj.span_of("propagating_vgws"), vgw))
            elif isinstance(obj, VpnGatewayRoutePropagation):
                vgws = self.resolver.resolve(obj.vpn_gateway, (VpnGateway,), obj.address, "vpn gateway")
                self.unresolved(obj.address, vgws.unresolved)
                for ref in obj.route_tables:
                    tables = self.resolver.resolve(ref, (RouteTable,), obj.address, "route table")
                    self.unresolved(obj.address, tables.unresolved)
                    for table in tables.objects:
                        for vgw in vgws.objects:
                            assert isinstance(vgw, VpnGateway)
                            propagations.append((table, obj.address, obj.span, vgw))
        for table, by, span, vgw in propagations:
            vpns = [self.obj(u) for u, _ in self.into(vgw.address, "attached")]
            cidrs: list[str | Unknown] = []
            for vpn in vpns:
                if isinstance(vpn, VpnConnection):
                    cidrs.extend(vpn.static_routes)
            if not cidrs:
                cidrs = [Unknown(f"any CIDR the VPN on {vgw.address} announces")]
            for i, cidr in enumerate(cidrs):
                route = Route(
                    address=f"{table.address}#propagated[{vgw.address}][{i}]",
                    kind="propagated_route",
                    span=span,
                    route_table=ResourceRef(table.address),
                    destination=cidr,
                    target=ResourceRef(vgw.address),
                    target_kind="gateway",
                )
                self.add_node(route.address, route, route.kind)
                self.graph.nodes[route.address]["propagated_by"] = by
                self.edge(table.address, route.address, "route", span, propagated=True)

    def link_route_targets(self) -> None:
        for node in list(self.graph.nodes):
            route = self.obj(node)
            if isinstance(route, Route) and route.target is not None:
                resolved = self.resolver.resolve(route.target, (Resource,), route.address, "target")
                for target in resolved.objects:
                    self.edge(route.address, target.address, "route_target", route.span_of("target"))
                if not resolved.objects and not (isinstance(route.target, str) and route.target == "local"):
                    self.unresolved(route.address, resolved.unresolved)

    def link_subnets_to_tables_and_acls(self) -> None:
        for obj in self.objects:
            if not isinstance(obj, Subnet):
                continue
            explicit = [
                (assoc, d)
                for assoc, d in self.into(obj.address, "in_subnet")
                if isinstance(self.obj(assoc), RouteTableAssociation)
            ]
            vpc = self.vpc_of(obj.address)
            if explicit:
                for assoc, _ in explicit:
                    assoc_obj = self.obj(assoc)
                    assert assoc_obj is not None
                    for table, _ in self.out(assoc, "attaches"):
                        self.edge(obj.address, table, "uses_route_table", assoc_obj.span, via=assoc, main=False)
                    if not self.out(assoc, "attaches"):
                        self.unresolved(obj.address, f"{obj.address}: the route table of {assoc} is not known")
            elif vpc is not None:
                self.edge(obj.address, self.defaults.main_table(vpc), "uses_route_table", None, main=True)
            if not self.out(obj.address, "protected_by") and vpc is not None:
                self.edge(obj.address, self.defaults.default_acl(vpc), "protected_by", None, default=True)

    # workloads: their effective subnet, groups, profile

    def link_workload(self, work: Instance | AutoScalingGroup) -> None:
        templates = [t for t, _ in self.out(work.address, "launched_from")]
        template = self.obj(templates[0]) if templates else None
        enis = [u for u, _ in self.into(work.address, "attached") if isinstance(self.obj(u), NetworkInterface)]
        own_refs = (
            work.subnets if isinstance(work, AutoScalingGroup) else ((work.subnet,) if work.subnet is not None else ())
        )
        if own_refs:
            self.link_all(
                work, own_refs, (Subnet,), "in_subnet", "subnets" if isinstance(work, AutoScalingGroup) else "subnet"
            )
        elif enis and any(self.out(e, "in_subnet") for e in enis):
            for eni in enis:
                for subnet, d in self.out(eni, "in_subnet"):
                    self.edge(work.address, subnet, "in_subnet", d["span"], via=eni)
        elif isinstance(template, LaunchTemplate) and template.subnet is not None:
            for subnet, d in self.out(template.address, "in_subnet"):
                self.edge(work.address, subnet, "in_subnet", d["span"], via=template.address)
        elif any(isinstance(r, (Unknown, str)) for r in _eni_subnet_refs(self, enis)):
            pass
        else:
            self.defaults.add_default_vpc(work.span)
            self.edge(work.address, DEFAULT_VPC, "in_vpc", work.span)

        # security groups: the workload's own, else its launch template's; plus its ENIs'
        own_groups = work.security_groups if isinstance(work, Instance) else ()
        vpcs = self.workload_vpcs(work.address)
        if own_groups:
            for ref in own_groups:
                if isinstance(ref, str) and ref == "default" and not self.resolver.by_name.get("default"):
                    for vpc in vpcs:
                        self.edge(
                            work.address,
                            self.defaults.default_sg(vpc, work.span),
                            "protected_by",
                            work.span_of("security_groups"),
                        )
                    continue
                self.link(work, ref, (SecurityGroup,), "protected_by", "security_groups")
        elif isinstance(template, LaunchTemplate) and template.security_groups:
            for sg, d in self.out(template.address, "protected_by"):
                self.edge(work.address, sg, "protected_by", d["span"], via=template.address)
            for sentence in self.graph.nodes[template.address].get("unresolved", []):
                if "security groups" in sentence:
                    self.unresolved(work.address, sentence)
        for eni in enis:
            for sg, d in self.out(eni, "protected_by"):
                self.edge(work.address, sg, "protected_by", d["span"], via=eni)
        has_groups = (
            bool(self.out(work.address, "protected_by"))
            or bool(own_groups)
            or (isinstance(template, LaunchTemplate) and bool(template.security_groups))
        )
        if not has_groups:
            for vpc in vpcs:
                self.edge(
                    work.address, self.defaults.default_sg(vpc, work.span), "protected_by", work.span, default=True
                )

        # instance profile: the instance's own, else its launch template's
        own_profile = work.instance_profile if isinstance(work, Instance) else None
        if own_profile is not None:
            self.link(work, own_profile, (InstanceProfile,), "has_profile", "instance_profile")
        elif isinstance(template, LaunchTemplate):
            for profile, d in self.out(template.address, "has_profile"):
                self.edge(work.address, profile, "has_profile", d["span"], via=template.address)
            for sentence in self.graph.nodes[template.address].get("unresolved", []):
                if "instance profile" in sentence:
                    self.unresolved(work.address, sentence)


def _eni_subnet_refs(builder: _Builder, enis: list[str]) -> list[object]:
    refs: list[object] = []
    for eni in enis:
        obj = builder.obj(eni)
        if isinstance(obj, NetworkInterface) and obj.subnet is not None:
            refs.append(obj.subnet)
    return refs


def _cidr_version(cidr: object) -> int | None:
    if not isinstance(cidr, str):
        return None
    try:
        return ipaddress.ip_network(cidr, strict=False).version
    except ValueError:
        return None


def build_graph(config: Configuration) -> nx.MultiDiGraph:
    """The configuration as a typed graph (see the module docstring)."""
    graph: nx.MultiDiGraph = _Builder(config).build()
    return graph


# --- reading the graph back: workload contexts -----------------------------------------------


class _Reader:
    def __init__(self, graph: nx.MultiDiGraph, config: Configuration) -> None:
        self.graph = graph
        self.config = config
        self.metadata_defaults = next((o for o in config.resources if isinstance(o, InstanceMetadataDefaults)), None)
        self.placement_cache: dict[str, Placement] = {}
        self.expanded_rules: dict[str, tuple[SecurityGroupRule, SecurityGroupRule]] = {}
        self._nodes: dict[str, dict[str, Any]] = graph._node  # networkx's own dicts (see edges_of_kind)
        self._succ: Adjacency = graph._succ
        self._pred: Adjacency = graph._pred

    def obj(self, node: str) -> Any:
        data = self._nodes.get(node)
        return data.get("obj") if data is not None else None

    def out(self, node: str, kind: str) -> list[tuple[str, dict[str, Any]]]:
        return sorted(edges_of_kind(self._succ, node, kind), key=lambda item: item[0])

    def into(self, node: str, kind: str) -> list[tuple[str, dict[str, Any]]]:
        return sorted(edges_of_kind(self._pred, node, kind), key=lambda item: item[0])

    def unresolved(self, node: str) -> list[str]:
        return list(self.graph.nodes[node].get("unresolved", [])) if node in self.graph else []

    # groups

    def group(self, node: str, attached_at: Span) -> AttachedGroup | None:
        group = self.obj(node)
        if not isinstance(group, SecurityGroup):
            return None
        rules = [self.obj(r) for r, _ in self.out(node, "has_rule")]
        inline = [r for r in group.rules]
        inline_addresses = {r.address for r in inline}
        standalone = [r for r in rules if isinstance(r, SecurityGroupRule) and r.address not in inline_addresses]
        expanded = tuple(self.with_prefix_lists(r) for r in inline + standalone)
        return AttachedGroup(group=group, rules=expanded, attached_at=attached_at)

    def with_prefix_lists(self, rule: SecurityGroupRule) -> SecurityGroupRule:
        """The rule with the CIDRs of the prefix lists it names added to its own, pointing at
        its prefix list line; one copy per rule, so answers remembered per rule are shared.
        A prefix list not defined here (AWS managed, or an id) adds nothing."""
        if not rule.prefix_lists:
            return rule
        found = self.expanded_rules.get(rule.address)
        if found is not None and found[0] is rule:
            return found[1]
        v4: list[str | Unknown] = []
        v6: list[str | Unknown] = []
        for node, _ in self.out(rule.address, "allows_from"):
            prefix_list = self.obj(node)
            if not isinstance(prefix_list, PrefixList):
                continue
            more = [
                e.cidr
                for e in (self.obj(n) for n, _ in self.out(node, "has_entry"))
                if isinstance(e, PrefixListEntry) and e.cidr is not None
            ]
            for cidr in (*prefix_list.entries, *more):
                version = _cidr_version(cidr)
                ipv6 = version == 6 if version is not None else prefix_list.address_family == "IPv6"
                (v6 if ipv6 else v4).append(cidr)
        spans = dict(rule.attr_spans)
        where = spans.get("prefix_lists")
        if where is not None:
            spans.setdefault("cidrs", where)
            spans.setdefault("ipv6_cidrs", where)
        copy = replace(rule, cidrs=(*rule.cidrs, *v4), ipv6_cidrs=(*rule.ipv6_cidrs, *v6), attr_spans=spans)
        self.expanded_rules[rule.address] = (rule, copy)
        return copy

    def groups(self, node: str, fallback: Span) -> list[AttachedGroup]:
        out: list[AttachedGroup] = []
        seen: set[str] = set()
        for sg, d in self.out(node, "protected_by"):
            if sg in seen:
                continue
            found = self.group(sg, d["span"] or fallback)
            if found is not None:
                seen.add(sg)
                out.append(found)
        return out

    # placements

    def vpc_cidrs(self, vpc: Vpc) -> tuple[tuple[str | Unknown, ...], tuple[str | Unknown, ...]]:
        v4 = list(vpc.cidr_blocks)
        v6 = list(vpc.ipv6_cidr_blocks)
        for assoc, _ in self.into(vpc.address, "in_vpc"):
            found = self.obj(assoc)
            if isinstance(found, VpcCidrAssociation):
                if found.cidr is not None:
                    v4.append(found.cidr)
                if found.ipv6_cidr is not None:
                    v6.append(found.ipv6_cidr)
        return tuple(v4), tuple(v6)

    def routes(self, table: str) -> list[ResolvedRoute]:
        out: list[ResolvedRoute] = []
        for node, _d in self.out(table, "route"):
            route = self.obj(node)
            if not isinstance(route, Route):
                continue
            targets = [t for t, _ in self.out(node, "route_target")]
            target = self.obj(targets[0]) if targets else None
            out.append(
                ResolvedRoute(
                    route=route,
                    target_kind=route_target_kind(route, target),
                    target_address=target.address if target is not None else _ref_text(route.target),
                    target=target,
                    propagated_by=self.graph.nodes[node].get("propagated_by", ""),
                )
            )
        return out

    def acl_entries(self, acl: str) -> list[AclEntry]:
        found = self.obj(acl)
        if not isinstance(found, NetworkAcl):
            return []
        inline = list(found.entries)
        known = {e.address for e in inline}
        standalone = [self.obj(e) for e, _ in self.out(acl, "has_rule")]
        return inline + [e for e in standalone if isinstance(e, AclEntry) and e.address not in known]

    def placement(self, subnet_node: str) -> Placement:
        cached = self.placement_cache.get(subnet_node)
        if cached is None:
            cached = self.placement_cache[subnet_node] = self.subnet_placement(subnet_node)
        return cached

    def subnet_placement(self, subnet_node: str) -> Placement:
        subnet = self.obj(subnet_node)
        vpcs = [v for v, _ in self.out(subnet_node, "in_vpc") if isinstance(self.obj(v), Vpc)]
        vpc = self.obj(vpcs[0]) if vpcs else None
        unresolved = self.unresolved(subnet_node)
        tables = self.out(subnet_node, "uses_route_table")
        table_node = tables[0][0] if tables else None
        is_main = bool(tables[0][1].get("main")) if tables else True
        if len(tables) > 1:
            unresolved.append(f"{subnet_node}: several route tables are associated; using {table_node}")
        table = self.obj(table_node) if table_node else None
        routes = self.routes(table_node) if table_node else []
        if table_node:
            for route_node, _ in self.out(table_node, "route"):
                unresolved.extend(self.unresolved(route_node))
            unresolved.extend(self.unresolved(table_node))
        acls = [a for a, _ in self.out(subnet_node, "protected_by")]
        acl = self.obj(acls[0]) if acls else None
        v4, v6 = self.vpc_cidrs(vpc) if isinstance(vpc, Vpc) else ((), ())
        return Placement(
            subnet=subnet if isinstance(subnet, Subnet) else None,
            vpc=vpc if isinstance(vpc, Vpc) else None,
            route_table=table if isinstance(table, RouteTable) else None,
            route_table_is_main=is_main,
            network_acl=acl if isinstance(acl, NetworkAcl) else None,
            default_vpc=False,
            routes=tuple(routes),
            acl_entries=tuple(self.acl_entries(acls[0])) if acls else (),
            vpc_cidrs=v4,
            vpc_ipv6_cidrs=v6,
            unresolved=tuple(_unique_str(unresolved)),
        )

    def default_vpc_placement(self) -> Placement:
        defined = self.graph.nodes[DEFAULT_VPC].get("defined_as")
        vpc = self.obj(defined) if defined else None
        table = main_table_node(DEFAULT_VPC)
        v4, v6 = self.vpc_cidrs(vpc) if isinstance(vpc, Vpc) else ((DEFAULT_VPC_CIDR,), ())
        return Placement(
            subnet=None,
            vpc=vpc if isinstance(vpc, Vpc) else None,
            route_table=None,
            route_table_is_main=True,
            network_acl=None,
            default_vpc=True,
            routes=tuple(self.routes(table)),
            vpc_cidrs=v4,
            vpc_ipv6_cidrs=v6,
        )

    def placements(self, node: str) -> list[Placement]:
        out = [
            self.placement(subnet) for subnet, _ in self.out(node, "in_subnet") if isinstance(self.obj(subnet), Subnet)
        ]
        if any(v == DEFAULT_VPC for v, _ in self.out(node, "in_vpc")):
            out.append(self.default_vpc_placement())
        return out

    # IAM

    def role_context(self, role_node: str) -> RoleContext | None:
        role = self.obj(role_node)
        if not isinstance(role, Role):
            return None
        policies: list[ResolvedPolicy] = []
        for node, d in self.out(role_node, "has_policy"):
            found = self.obj(node)
            if isinstance(found, Policy):
                inline = any(p.address == found.address for p in role.inline_policies)
                policies.append(
                    ResolvedPolicy(
                        attached_at=found.span if inline else (d["span"] or found.span),
                        attached_by=role.address if inline else found.address,
                        policy=found,
                    )
                )
            elif isinstance(found, PolicyAttachment):
                # the policy_arn line (or managed_policy_arns item): where the policy is named
                at = found.span_of("policy")
                targets = [self.obj(p) for p, _ in self.out(node, "attaches")]
                targets = [p for p in targets if isinstance(p, Policy)]
                if targets:
                    policies.extend(
                        ResolvedPolicy(attached_at=at, attached_by=found.address, policy=p) for p in targets
                    )
                elif isinstance(found.policy, str):
                    policies.append(ResolvedPolicy(attached_at=at, attached_by=found.address, arn=found.policy))
        return RoleContext(role=role, policies=tuple(policies))

    # load balancers

    def lb_routes(self, node: str) -> list[LoadBalancerRoute]:
        out: list[LoadBalancerRoute] = []
        for src, d in self.into(node, "targets"):
            source = self.obj(src)
            attached_at = d["span"]
            if isinstance(source, TargetGroup):
                listeners: list[str] = [
                    lis for lis, _ in self.into(src, "forwards_to") if isinstance(self.obj(lis), Listener)
                ]
                for rule, _ in self.into(src, "forwards_to"):
                    if isinstance(self.obj(rule), ListenerRule):
                        listeners.extend(lis for lis, _ in self.into(rule, "has_rule"))
                port = d.get("port")
                target_port = port if isinstance(port, int) else (source.port if isinstance(source.port, int) else None)
                for lis in _unique_str(listeners):
                    # an inline listener is linked both as a child and by its reference: once each
                    for lb_node in _unique_str(u for u, _ in self.into(lis, "listener")):
                        lb = self.obj(lb_node)
                        if isinstance(lb, LoadBalancer):
                            out.append(self.lb_route(lb, self.obj(lis), source, target_port, attached_at))
            elif isinstance(source, LoadBalancer):
                for lis in _unique_str(v for v, _ in self.out(src, "listener")):
                    listener = self.obj(lis)
                    if isinstance(listener, Listener):
                        port = listener.instance_port if isinstance(listener.instance_port, int) else None
                        out.append(self.lb_route(source, listener, None, port, attached_at))
        return out

    def lb_route(
        self, lb: LoadBalancer, listener: Listener, tg: TargetGroup | None, port: int | None, attached_at: Span | None
    ) -> LoadBalancerRoute:
        return LoadBalancerRoute(
            load_balancer=lb,
            listener=listener,
            target_group=tg,
            target_port=port,
            lb_placements=tuple(self.placements(lb.address)),
            lb_security_groups=tuple(self.groups(lb.address, lb.span)),
            attached_at=attached_at or listener.span,
        )

    # one workload

    def context(self, work: Instance | AutoScalingGroup) -> WorkloadContext:
        node = work.address
        unresolved = self.unresolved(node)
        templates = [t for t, _ in self.out(node, "launched_from")]
        template = self.obj(templates[0]) if templates else None
        if template is not None:
            unresolved.extend(self.unresolved(templates[0]))
        enis = [self.obj(u) for u, _ in self.into(node, "attached")]
        enis = [e for e in enis if isinstance(e, NetworkInterface)]
        placements = self.placements(node)
        if not placements:
            unresolved.append(
                f"{node}: the subnet it runs in is not known, so its routes and network ACL are not known"
            )
        for p in placements:
            unresolved.extend(p.unresolved)
        groups = self.groups(node, work.span)
        for g in groups:
            for rule in g.rules:
                unresolved.extend(self.unresolved(rule.address))
        profiles = [p for p, _ in self.out(node, "has_profile")]
        profile = self.obj(profiles[0]) if profiles else None
        roles: list[RoleContext] = []
        if profile is not None:
            unresolved.extend(self.unresolved(profiles[0]))
            for role_node, _ in self.out(profiles[0], "has_role"):
                found = self.role_context(role_node)
                if found is not None:
                    roles.append(found)
                    for policy in found.policies:
                        unresolved.extend(self.unresolved(policy.attached_by))
        eips: list[ElasticIp | EipAssociation] = []
        eni_addresses = {e.address for e in enis}
        for holder in [node, *sorted(eni_addresses)]:
            for src, _ in self.into(holder, "attached"):
                found = self.obj(src)
                if isinstance(found, (ElasticIp, EipAssociation)) and all(e.address != found.address for e in eips):
                    eips.append(found)
        return WorkloadContext(
            workload=work,
            configuration=self.config.name,
            launch_template=template if isinstance(template, LaunchTemplate) else None,
            metadata_defaults=self.metadata_defaults,
            security_groups=tuple(groups),
            network_interfaces=tuple(enis),
            placements=tuple(placements),
            instance_profile=profile if isinstance(profile, InstanceProfile) else None,
            roles=tuple(roles),
            elastic_ips=tuple(eips),
            load_balancer_routes=tuple(self.lb_routes(node)),
            unresolved=tuple(_unique_str(unresolved)),
        )


def route_target_kind(route: Route, target: Resource | None) -> str:
    """What a route sends traffic to, decided by the resolved target's type (a gateway_id
    may be an internet gateway or a virtual private gateway), else by a literal id's prefix."""
    if isinstance(target, InternetGateway):
        return "egress_only_gateway" if target.egress_only else "internet_gateway"
    if isinstance(target, VpnGateway):
        return "vpn_gateway"
    if isinstance(target, NatGateway):
        return "nat_gateway"
    if isinstance(target, VpcPeering):
        return "vpc_peering"
    literal = route.target if isinstance(route.target, str) else ""
    if literal == "local" or route.target_kind == "local":
        return "local"
    if literal.startswith("igw-"):
        return "internet_gateway"
    if literal.startswith("vgw-"):
        return "vpn_gateway"
    if literal.startswith("eigw-"):
        return "egress_only_gateway"
    if route.target_kind == "gateway":
        return "unknown" if target is None else "other"
    return route.target_kind


def _unique_str(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def workload_contexts(graph: nx.MultiDiGraph, config: Configuration) -> list[WorkloadContext]:
    """One resolved context per Instance / AutoScalingGroup, sorted by address."""
    reader = _Reader(graph, config)
    workloads = [d["obj"] for _, d in graph.nodes(data=True) if isinstance(d.get("obj"), (Instance, AutoScalingGroup))]
    return [reader.context(w) for w in sorted(workloads, key=lambda w: w.address)]
