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

from collections.abc import Iterable, Iterator
from typing import Any

import networkx as nx

from scanner.findings import Configuration
from scanner.graph.core import INTERNET, GraphWriter
from scanner.graph.defaults import DEFAULT_VPC, AwsDefaults
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


def build_graph(config: Configuration) -> nx.MultiDiGraph:
    """The configuration as a typed graph (see the module docstring)."""
    graph: nx.MultiDiGraph = _Builder(config).build()
    return graph
