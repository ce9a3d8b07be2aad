"""Building the graph: a node per model object, the edge tables of ``scanner.graph.edges``
applied to each, then what the references imply, in dependency order: routes propagated
from VPN gateways, route targets, each subnet's route table and network ACL, and each
workload's effective subnet, security groups and instance profile.

* a launch template's groups, subnet and profile apply to the instances and ASGs that use
  it (the instance's own values win); an Auto Scaling group whose mixed instances policy's
  overrides bring their own templates runs with what each of them gives;
* standalone SG rules, ACL entries and routes join their group, ACL and table; route
  propagation adds the VGW as a route target for the VPN's CIDRs;
* where AWS supplies a default (default VPC, main route table, default NACL, default
  security group), ``scanner.graph.defaults`` supplies it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from scanner.findings import Configuration
from scanner.graph.core import INTERNET, GraphWriter
from scanner.graph.defaults import DEFAULT_VPC, AwsDefaults
from scanner.graph.edges import Join, Link, Plan, nested, nested_edge_kind, plan_for
from scanner.graph.resolve import Resolved, Resolver
from scanner.model import (
    AutoScalingGroup,
    Instance,
    InstanceProfile,
    LaunchTemplate,
    LoadBalancer,
    NetworkInterface,
    Resource,
    Route,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
    Subnet,
    VpnConnection,
    VpnGateway,
    VpnGatewayRoutePropagation,
)
from scanner.values import ResourceRef, Span, Unknown


class _Builder(GraphWriter):
    def __init__(self, config: Configuration) -> None:
        super().__init__(nx.MultiDiGraph(configuration=config.name))
        self.config = config
        # each resource with the objects written inside it (its rules, routes, policies ...)
        self.written: list[tuple[Resource, tuple[Resource, ...]]] = [(r, tuple(nested(r))) for r in config.resources]
        objects: list[Resource] = []
        for res, children in self.written:
            objects.append(res)
            objects.extend(children)
        self.resolver = Resolver(objects)
        self.objects = list(self.resolver.by_address.values())
        self.parent: dict[str, str] = {}  # nested object -> the resource it is written in
        for res, children in self.written:
            for child in children:
                self.parent.setdefault(child.address, res.address)
        # A writer of its own, not the builder: the scan runs without the cycle collector, and a
        # builder <-> defaults cycle kept every configuration's graph alive to the end.
        self.defaults = AwsDefaults(GraphWriter(self.graph), self.objects)
        self.plans: dict[type[Resource], Plan] = {}  # each model type's plan, looked up once

    # the build, in dependency order

    def build(self) -> nx.MultiDiGraph:
        self.add_node(INTERNET, None, "internet")
        for obj in self.objects:
            self.add_node(obj.address, obj, obj.kind)
        for res, children in self.written:
            for child in children:
                if child.address != res.address:
                    self.edge(res.address, child.address, nested_edge_kind(child), child.span)
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

    # references: the edge tables

    def link_references(self, obj: Resource) -> None:
        """Every reference a model object writes, as an edge (workloads' effective values come
        later): its rows of ``EDGES`` and ``JOINS``, in the order its plan gives."""
        cls = type(obj)
        plan = self.plans.get(cls)
        if plan is None:
            plan = self.plans[cls] = plan_for(cls)
        for join in plan.checks:  # a second end with no row of its own is reported first
            self.unresolved(obj.address, self.seconds(obj, join).unresolved)
        for row, joins in plan.links:
            found = self.apply(obj, row)
            for join in joins:
                self.join(obj, join, found)
        for join in plan.joins:  # a first end with no row of its own: resolved, not reported
            first = self.resolver.resolve(getattr(obj, join.first), join.first_types, obj.address, join.first)
            self.join(obj, join, first.objects)

    def apply(self, obj: Resource, row: Link) -> list[Resource]:
        """One row of ``EDGES`` for ``obj``: the objects its field names, each linked."""
        value = getattr(obj, row.field)
        if value is None or (row.only_standalone and obj.address in self.parent):
            return []
        refs: Iterable[object] = value if row.each else (value,)
        if row.skip_parent:
            written_in = self.parent.get(obj.address)
            refs = [r for r in refs if not (isinstance(r, ResourceRef) and r.address == written_in)]
        attrs = {**row.attrs, **{name: getattr(obj, name) for name in row.copied}} if row.copied else row.attrs
        found: list[Resource] = []
        for ref in refs:
            if ref is not None:
                report = not row.quiet_names or isinstance(ref, (ResourceRef, Unknown))
                found += self.link(obj, ref, row.types, row.kind, row.field, row.what, row.reverse, report, **attrs)
        return found

    def seconds(self, obj: Resource, join: Join) -> Resolved:
        return self.resolver.resolve(getattr(obj, join.second), join.second_types, obj.address, join.second_what)

    def join(self, obj: Resource, join: Join, firsts: Iterable[Resource]) -> None:
        """One row of ``JOINS``: an edge from each first object to each second, via ``obj``."""
        seconds = self.seconds(obj, join)
        span = obj.span if join.span_field is None else obj.span_of(join.span_field)
        copied = {name: getattr(obj, name) for name in join.copied}
        for first in firsts:
            for second in seconds.objects:
                self.edge(first.address, second.address, join.kind, span, via=obj.address, **copied)

    def link(
        self,
        src: Resource,
        ref: object,
        types: tuple[type[Resource], ...],
        kind: str,
        field_name: str,
        what: str | None = None,
        reverse: bool = False,
        report: bool = True,
        **attrs: Any,
    ) -> list[Resource]:
        """Resolve ``ref`` (written in ``src``'s ``field_name``) and add one edge per target;
        ``report``: note on ``src`` what did not resolve."""
        resolved = self.resolver.resolve(ref, types, src.address, what or field_name.replace("_", " "))
        if report:
            self.unresolved(src.address, resolved.unresolved)
        span = src.span_of(field_name)
        if kind == "protected_by" and not resolved.objects and resolved.unresolved and not reverse:
            # A group whose rules the configuration does not hold (a data source, a variable,
            # an id): kept, so the analyses assume what it may admit instead of nothing.
            self.graph.nodes[src.address].setdefault("unknown_groups", []).append((ref, span))
        for target in resolved.objects:
            if reverse:
                self.edge(target.address, src.address, kind, span, **attrs)
            else:
                self.edge(src.address, target.address, kind, span, **attrs)
        return list(resolved.objects)

    def _inherit_unknown_groups(self, holder: str, work: str) -> bool:
        """The groups ``holder`` (a launch template, an ENI) attaches by a reference the
        configuration does not resolve are the workload's too: it launches with them, and
        what they may admit stays possible instead of no group admitting anything."""
        unknown = self.graph.nodes[holder].get("unknown_groups", []) if holder in self.graph.nodes else []
        if unknown:
            kept = self.graph.nodes[work].setdefault("unknown_groups", [])
            kept.extend(u for u in unknown if u not in kept)
        return bool(unknown)

    def link_all(
        self,
        src: Resource,
        refs: Iterable[object],
        types: tuple[type[Resource], ...],
        kind: str,
        field_name: str,
    ) -> list[Resource]:
        out: list[Resource] = []
        for ref in refs:
            out.extend(self.link(src, ref, types, kind, field_name))
        return out

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

    # subnets: their route table and network ACL

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
            if vpc is None and obj.is_default and obj.vpc is None:
                vpc = self.defaults.place_default_subnet(obj)
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

    def launching_templates(self, work: Instance | AutoScalingGroup) -> list[LaunchTemplate]:
        """The launch templates (and launch configurations) instances of ``work`` launch from,
        each once: its base template, when any instance launches from it
        (``AutoScalingGroup.base_launches``), then the templates its mixed instances policy's
        overrides bring, in the order written."""
        templates = [t for t, _ in self.out(work.address, "launched_from")]
        base = self.obj(templates[0]) if templates else None
        found: list[LaunchTemplate] = []
        if isinstance(base, LaunchTemplate) and (not isinstance(work, AutoScalingGroup) or work.base_launches):
            found.append(base)
        if isinstance(work, AutoScalingGroup):
            for override in work.overrides:
                if override.launch_template is None:
                    continue
                for node, _ in self.out(override.address, "launched_from"):
                    template = self.obj(node)
                    if isinstance(template, LaunchTemplate) and all(t is not template for t in found):
                        found.append(template)
        return found

    def link_workload(self, work: Instance | AutoScalingGroup) -> None:
        """The subnet, security groups and instance profile ``work`` runs with. A value the
        workload sets itself wins; else each launch template it launches from gives its own
        (an Auto Scaling group with several templates runs with all of them: its instances
        differ by instance type)."""
        launching = self.launching_templates(work)
        enis = [u for u, _ in self.into(work.address, "attached") if isinstance(self.obj(u), NetworkInterface)]
        own_refs = (
            work.subnets if isinstance(work, AutoScalingGroup) else ((work.subnet,) if work.subnet is not None else ())
        )
        with_subnet = [t for t in launching if t.subnet is not None]
        if own_refs:
            self.link_all(
                work, own_refs, (Subnet,), "in_subnet", "subnets" if isinstance(work, AutoScalingGroup) else "subnet"
            )
        elif enis and any(self.out(e, "in_subnet") for e in enis):
            for eni in enis:
                for subnet, d in self.out(eni, "in_subnet"):
                    self.edge(work.address, subnet, "in_subnet", d["span"], via=eni)
        elif with_subnet:
            for template in with_subnet:
                for subnet, d in self.out(template.address, "in_subnet"):
                    self.edge(work.address, subnet, "in_subnet", d["span"], via=template.address)
        elif any(isinstance(r, (Unknown, str)) for r in _eni_subnet_refs(self, enis)):
            pass
        else:
            self.defaults.add_default_vpc(work.span)
            self.edge(work.address, DEFAULT_VPC, "in_vpc", work.span)

        # security groups: the workload's own, else its launch templates'; plus its ENIs'
        own_groups = work.security_groups
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
        else:
            for template in launching:
                if not template.security_groups:
                    continue
                for sg, d in self.out(template.address, "protected_by"):
                    self.edge(work.address, sg, "protected_by", d["span"], via=template.address)
                self._inherit_unknown_groups(template.address, work.address)
                for sentence in self.graph.nodes[template.address].get("unresolved", []):
                    if "security groups" in sentence:
                        self.unresolved(work.address, sentence)
        eni_groups = False
        for eni in enis:
            for sg, d in self.out(eni, "protected_by"):
                eni_groups = True
                self.edge(work.address, sg, "protected_by", d["span"], via=eni)
            eni_groups = self._inherit_unknown_groups(eni, work.address) or eni_groups
        # AWS gives the VPC's default group to instances launched with no group: when no
        # template is used, or one of the templates (an override's, say) names none. A
        # workload whose service names other groups then (EKS: the cluster group) gets those.
        templates_cover = bool(launching) and all(t.security_groups for t in launching)
        if not (own_groups or eni_groups or templates_cover):
            fallback = work.fallback_security_groups if isinstance(work, AutoScalingGroup) else ()
            for ref in fallback:
                self.link(work, ref, (SecurityGroup,), "protected_by", "fallback_security_groups")
            for vpc in () if fallback else vpcs:
                self.edge(
                    work.address, self.defaults.default_sg(vpc, work.span), "protected_by", work.span, default=True
                )

        # instance profile: the workload's own, else its launch templates'
        own_profile = work.instance_profile
        if own_profile is not None:
            self.link(work, own_profile, (InstanceProfile,), "has_profile", "instance_profile")
            return
        for template in launching:
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
    """The configuration as a typed graph (see ``scanner.graph``'s docstring)."""
    graph: nx.MultiDiGraph = _Builder(config).build()
    return graph
