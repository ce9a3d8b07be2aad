"""Reading the graph back: one ``WorkloadContext`` per workload, with its launch templates
(grouped with the instance types that launch from each), security groups (prefix lists
expanded into their CIDRs), placements (subnet, VPC, routes, network ACL), instance profile
and roles with their policies, elastic IPs and load balancer routes."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import networkx as nx

from scanner.findings import Configuration
from scanner.graph.accelerator_fronts import accelerator_fronts
from scanner.graph.between import read_between
from scanner.graph.core import Adjacency, edges_of_kind
from scanner.graph.defaults import DEFAULT_VPC, DEFAULT_VPC_CIDR, main_table_node
from scanner.graph.read_compute import every_compute
from scanner.model import (
    UNKNOWN_GROUP_RULE,
    AclEntry,
    AutoScalingGroup,
    EipAssociation,
    ElasticIp,
    Instance,
    InstanceMetadataDefaults,
    InstanceProfile,
    InternetGateway,
    LaunchTemplate,
    Listener,
    ListenerRule,
    LoadBalancer,
    NatGateway,
    NetworkAcl,
    NetworkInterface,
    Policy,
    PolicyAttachment,
    PrefixList,
    PrefixListEntry,
    Ref,
    Resource,
    Role,
    Route,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    TargetGroup,
    Vpc,
    VpcCidrAssociation,
    VpcPeering,
    VpnGateway,
)
from scanner.model_accelerator import AcceleratorEndpoint
from scanner.model_apigateway import HttpApi, HttpIntegration, HttpVpcLink, RestApi, RestIntegration, RestVpcLink
from scanner.model_cloudfront import CloudFrontDistribution, CloudFrontVpcOrigin
from scanner.values import ResourceRef, Span, Unknown
from scanner.workload import (
    ApiGatewayFront,
    AttachedGroup,
    CloudFrontFront,
    ConfigurationRoles,
    LaunchTemplateUse,
    LoadBalancerRoute,
    Placement,
    ResolvedPolicy,
    ResolvedRoute,
    RoleContext,
    RunsWithRole,
    WorkloadContext,
)


class _Reader:
    def __init__(self, graph: nx.MultiDiGraph, config: Configuration) -> None:
        self.graph = graph
        self.config = config
        self.metadata_defaults = next((o for o in config.resources if isinstance(o, InstanceMetadataDefaults)), None)
        self.placement_cache: dict[str, Placement] = {}
        self.expanded_rules: dict[str, tuple[SecurityGroupRule, SecurityGroupRule]] = {}
        self.unknown_groups: dict[tuple[str, Span], AttachedGroup] = {}
        self._nodes: dict[str, dict[str, Any]] = graph._node  # networkx's own dicts (see edges_of_kind)
        self._succ: Adjacency = graph._succ
        self._pred: Adjacency = graph._pred
        self.between = read_between(graph, config.resources, self.placement)
        # Only a configuration with accelerator endpoints or VPC origins has them to look for:
        # one pass over its resources says which.
        present = {type(o) for o in config.resources}
        self.accelerated = AcceleratorEndpoint in present
        self.cloudfronted = CloudFrontVpcOrigin in present
        # API Gateway integrations through a VPC link: those whose link is not known may use any
        # link of their kind (found once here, only in a configuration with links).
        self.api_gatewayed = RestVpcLink in present or HttpVpcLink in present
        self.loose_integrations: tuple[RestIntegration | HttpIntegration, ...] = ()
        self.http_links: tuple[HttpVpcLink, ...] = ()
        if self.api_gatewayed:
            self.http_links = tuple(o for o in config.resources if isinstance(o, HttpVpcLink))
            self.loose_integrations = tuple(
                o
                for o in config.resources
                if isinstance(o, RestIntegration | HttpIntegration)
                and o.connection is not None
                and not self.out(o.address, "through_link")
            )
        # every role of the configuration, resolved only when an escalation search asks (by a
        # reader of its own: one held here would make a reference cycle around the graph)
        self.iam_roles = ConfigurationRoles(partial(_every_role, graph, config), partial(_every_compute, graph, config))

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
        managed: list[str] = []
        for node, _ in self.out(rule.address, "allows_from"):
            prefix_list = self.obj(node)
            if not isinstance(prefix_list, PrefixList):
                continue
            if prefix_list.aws_managed:
                managed.append(prefix_list.aws_managed)
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
        copy = replace(
            rule,
            cidrs=(*rule.cidrs, *v4),
            ipv6_cidrs=(*rule.ipv6_cidrs, *v6),
            attr_spans=spans,
            managed_prefix_lists=tuple(managed),
        )
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
        for ref, span in self._nodes[node].get("unknown_groups", ()) if node in self._nodes else ():
            out.append(self.unknown_group(ref, span or fallback))
        return out

    def unknown_group(self, ref: object, attached_at: Span) -> AttachedGroup:
        """A group attached by a reference the configuration does not resolve (a data
        source, a variable, a CloudFormation parameter, a literal id): its rules are not
        known offline, so it stands as one rule that may admit every port from every source,
        the reference (and the inputs deciding it) named. One object per reference and line,
        shared by the workloads that attach it."""
        text = _group_text(ref)
        key = (text, attached_at)
        found = self.unknown_groups.get(key)
        if found is not None:
            return found
        why = ref.reason if isinstance(ref, Unknown) else f"{text} is not defined in this configuration"
        origins = ref.origins if isinstance(ref, Unknown) else ()
        source = Unknown(why, origins=origins)
        group = SecurityGroup(address=text, kind="aws_security_group", span=attached_at)
        rule = SecurityGroupRule(
            address=text,
            kind=UNKNOWN_GROUP_RULE,
            span=attached_at,
            ingress=True,
            protocol="-1",
            cidrs=(source,),
            ipv6_cidrs=(source,),
        )
        found = self.unknown_groups[key] = AttachedGroup(group=group, rules=(rule,), attached_at=attached_at)
        return found

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
        routing_unknown = self.unknown_route_tables(subnet_node) if not tables else ()
        if vpc is None and any(v == DEFAULT_VPC for v, _ in self.out(subnet_node, "in_vpc")):
            v4 = (DEFAULT_VPC_CIDR,)  # a default subnet in the default VPC the configuration does not write
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
            routing_unknown=routing_unknown,
        )

    def unknown_route_tables(self, subnet_node: str) -> tuple[object, ...]:
        """For a subnet with no route table resolved: the associated tables as written (not
        known offline), else its VPC when that is not known (its main table is not either)."""
        named = [
            found.route_table
            for assoc, _ in self.into(subnet_node, "in_subnet")
            if isinstance(found := self.obj(assoc), RouteTableAssociation) and found.route_table is not None
        ]
        if named:
            return tuple(named)
        subnet = self.obj(subnet_node)
        if isinstance(subnet, Subnet) and subnet.vpc is not None and not self.out(subnet_node, "in_vpc"):
            return (subnet.vpc,)
        return ()

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
                        ResolvedPolicy(attached_at=at, attached_by=found.address, policy=p, attachment=found)
                        for p in targets
                    )
                elif isinstance(found.policy, str):
                    policies.append(
                        ResolvedPolicy(attached_at=at, attached_by=found.address, arn=found.policy, attachment=found)
                    )
        return RoleContext(role=role, policies=tuple(policies), boundary=self.boundary(role_node, role))

    def every_role(self) -> tuple[RoleContext, ...]:
        """Every role of the configuration, by address."""
        roles = (self.role_context(o.address) for o in self.config.resources if isinstance(o, Role))
        return tuple(sorted((r for r in roles if r is not None), key=lambda r: r.role.address))

    def boundary(self, role_node: str, role: Role) -> ResolvedPolicy | None:
        """The role's permissions boundary: the Policy it names, else its literal ARN, else
        (an unknown value, a reference to nothing defined) neither."""
        value = role.permissions_boundary
        if value is None:
            return None
        at = role.span_of("permissions_boundary")
        for node, _ in self.out(role_node, "bounded_by"):
            found = self.obj(node)
            if isinstance(found, Policy):
                return ResolvedPolicy(attached_at=at, attached_by=role.address, policy=found)
        arn = value if isinstance(value, str) else None
        return ResolvedPolicy(attached_at=at, attached_by=role.address, arn=arn)

    def profiles(self, node: str, templates: list[str]) -> list[str]:
        """The instance profiles the workload's instances carry: its own, else one for each
        launch template that gives one, in the order of ``templates`` (the base template's
        first); of the profiles one reference names, the first by address."""
        by_source: dict[str, str] = {}
        for profile, d in self.out(node, "has_profile"):
            by_source.setdefault(d.get("via") or "", profile)
        order = {source: n for n, source in enumerate(["", *templates])}
        return [p for _, p in sorted(by_source.items(), key=lambda item: order.get(item[0], len(order)))]

    # load balancers

    def lb_routes(self, node: str, interfaces: Sequence[str] = ()) -> list[LoadBalancerRoute]:
        """The routes of every listener reaching the workload: through a target group that
        names it (or an IP target that is the private address of one of its ``interfaces``),
        or a classic load balancer that lists it."""
        out: list[LoadBalancerRoute] = []
        targeting = [edge for holder in (node, *interfaces) for edge in self.into(holder, "targets")]
        for src, d in targeting:
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

    # launch templates

    def launch_templates(self, work: Instance | AutoScalingGroup, base: object) -> list[LaunchTemplateUse]:
        """Every launch template ``work`` launches from, with the instance types using it:
        its base template (when some instance launches from it, see
        ``AutoScalingGroup.base_launches``), then each template an override brings, once,
        in the order first written. An override naming no template, or naming the base
        template itself, adds its instance type to the base template's."""
        base_template = base if isinstance(base, LaunchTemplate) else None
        if isinstance(work, Instance):
            if work.launch_template is None:
                return []
            return [LaunchTemplateUse(base_template, work.launch_template, work.span_of("launch_template"))]
        base_ref = work.launch_template if work.launch_template is not None else work.launch_configuration
        named_at = work.span_of("launch_template", "launch_configuration")
        base_key = base_template.address if base_template is not None else _ref_text(base_ref)
        groups: dict[str, _TemplateGroup] = {}
        if base_template is not None or base_ref is not None:
            groups[base_key] = _TemplateGroup(base_template, base_ref, named_at, False, work.base_launches)
        for override in work.overrides:
            if override.launch_template is None:
                targets: list[tuple[str, LaunchTemplate | None]] = [(base_key, base_template)]
            else:
                found = [self.obj(t) for t, _ in self.out(override.address, "launched_from")]
                targets = [(t.address, t) for t in found if isinstance(t, LaunchTemplate)]
                if not targets:
                    targets = [(_ref_text(override.launch_template), None)]
            for key, template in targets:
                group = groups.get(key)
                if group is None:
                    if override.launch_template is None:
                        continue  # no base template named: nothing to launch from
                    at = override.span_of("launch_template")
                    group = groups[key] = _TemplateGroup(template, override.launch_template, at, True, True)
                    if template is None:
                        group.unresolved.extend(self.unresolved(override.address))
                group.launches = True
                if override.instance_type is not None:
                    group.instance_types.append(override.instance_type)
                if override.instance_requirements is not None:
                    group.instance_requirements.append(override.instance_requirements)
        return [g.use() for g in groups.values() if g.launches]

    # one workload

    def context(self, work: Instance | AutoScalingGroup) -> WorkloadContext:
        node = work.address
        unresolved = self.unresolved(node)
        templates = [t for t, _ in self.out(node, "launched_from")]
        template = self.obj(templates[0]) if templates else None
        if template is not None:
            unresolved.extend(self.unresolved(templates[0]))
        uses = self.launch_templates(work, template)
        for use in uses:
            if use.override:
                unresolved.extend(use.unresolved)
                if use.template is not None:
                    unresolved.extend(self.unresolved(use.template.address))
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
        profiles = self.profiles(node, [use.address for use in uses])
        profile = self.obj(profiles[0]) if profiles else None
        roles: list[RoleContext] = []
        for profile_node in profiles:
            unresolved.extend(self.unresolved(profile_node))
            for role_node, _ in self.out(profile_node, "has_role"):
                found = self.role_context(role_node)
                if found is not None and all(r.role.address != found.role.address for r in roles):
                    roles.append(found)
                    for policy in found.policies:
                        unresolved.extend(self.unresolved(policy.attached_by))
        lb_routes = self.lb_routes(node, [e.address for e in enis])
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
            launch_templates=tuple(uses),
            metadata_defaults=self.metadata_defaults,
            security_groups=tuple(groups),
            network_interfaces=tuple(enis),
            placements=tuple(placements),
            instance_profile=profile if isinstance(profile, InstanceProfile) else None,
            roles=tuple(roles),
            elastic_ips=tuple(eips),
            load_balancer_routes=tuple(lb_routes),
            unresolved=tuple(_unique_str(unresolved)),
            between=self.between,
            iam_roles=self.iam_roles,
            accelerators=tuple(accelerator_fronts(self, node, placements, lb_routes, eips)) if self.accelerated else (),
            cloudfront_origins=tuple(self.cloudfront_fronts(node, lb_routes)) if self.cloudfronted else (),
            api_gateways=tuple(self.api_gateway_fronts(lb_routes)) if self.api_gatewayed else (),
        )

    # API Gateway VPC links

    def api_gateway_fronts(self, lb_routes: list[LoadBalancerRoute]) -> list[ApiGatewayFront]:
        """The API Gateway integrations reaching a load balancer in front of the workload
        through a VPC link: a REST API's through a link naming the load balancer, an HTTP
        API's naming one of its listeners; an integration whose link is not known, through
        each link it may be."""
        out: list[ApiGatewayFront] = []
        for lb in dict.fromkeys(r.load_balancer.address for r in lb_routes):
            for src, _ in self.into(lb, "links_to"):
                link = self.obj(src)
                if not isinstance(link, RestVpcLink):
                    continue
                named = [self.obj(i) for i, _ in self.into(src, "through_link")]
                for integration in [*named, *self.loose_integrations]:
                    if isinstance(integration, RestIntegration):
                        guessed = integration not in named
                        out.append(ApiGatewayFront(integration, self.api_of(integration), link, lb, guessed=guessed))
        for listener in dict.fromkeys(r.listener.address for r in lb_routes):
            for src, _ in self.into(listener, "integrates_with"):
                integration = self.obj(src)
                if not isinstance(integration, HttpIntegration):
                    continue
                lb = next(r.load_balancer.address for r in lb_routes if r.listener.address == listener)
                links = [self.obj(n) for n, _ in self.out(src, "through_link")]
                guessed = not links and integration.connection is not None
                if guessed:  # its link is not known: each HTTP API link of the configuration may be it
                    links = list(self.http_links)
                for link in links or [None]:
                    if link is not None and not isinstance(link, HttpVpcLink):
                        continue
                    out.append(
                        ApiGatewayFront(
                            integration,
                            self.api_of(integration),
                            link,
                            lb,
                            listener,
                            tuple(self.placements(link.address)) if link is not None else (),
                            tuple(self.groups(link.address, link.span)) if link is not None else (),
                            guessed,
                        )
                    )
        return out

    def api_of(self, integration: RestIntegration | HttpIntegration) -> RestApi | HttpApi | None:
        found = [self.obj(a) for a, _ in self.out(integration.address, "integrates")]
        return next((a for a in found if isinstance(a, RestApi | HttpApi)), None)

    def cloudfront_fronts(self, node: str, lb_routes: list[LoadBalancerRoute]) -> list[CloudFrontFront]:
        """The CloudFront VPC origins that are the workload, then those that are a load
        balancer in front of it, each with the distributions using it."""
        out: list[CloudFrontFront] = []
        targets = dict.fromkeys([(node, ""), *((r.load_balancer.address, r.load_balancer.address) for r in lb_routes)])
        for target, lb in targets:
            for src, _ in self.into(target, "origin_of"):
                origin = self.obj(src)
                if not isinstance(origin, CloudFrontVpcOrigin):
                    continue
                users = [self.obj(u) for u, _ in self.into(src, "uses_origin")]
                distributions = tuple(d for d in users if isinstance(d, CloudFrontDistribution))
                out.append(CloudFrontFront(origin, distributions, lb))
        return out


@dataclass
class _TemplateGroup:
    """A launch template of a workload while its overrides are grouped (see
    ``_Reader.launch_templates``); ``launches``: some instance launches from it."""

    template: LaunchTemplate | None
    reference: Ref | None
    named_at: Span
    override: bool
    launches: bool
    instance_types: list[str | Unknown] = field(default_factory=list)
    instance_requirements: list[Mapping[str, object] | Unknown] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)

    def use(self) -> LaunchTemplateUse:
        return LaunchTemplateUse(
            template=self.template,
            reference=self.reference,
            named_at=self.named_at,
            override=self.override,
            instance_types=tuple(self.instance_types),
            instance_requirements=tuple(self.instance_requirements),
            unresolved=tuple(_unique_str(self.unresolved)),
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


def _every_role(graph: nx.MultiDiGraph, config: Configuration) -> tuple[RoleContext, ...]:
    return _Reader(graph, config).every_role()


def _every_compute(graph: nx.MultiDiGraph, config: Configuration) -> tuple[RunsWithRole, ...]:
    return every_compute(_Reader(graph, config), workloads_of(graph))


def _unique_str(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def workload_contexts(graph: nx.MultiDiGraph, config: Configuration) -> list[WorkloadContext]:
    """One resolved context per Instance / AutoScalingGroup, sorted by address."""
    read = context_reader(graph, config)
    return [read(w) for w in workloads_of(graph)]


def workloads_of(graph: nx.MultiDiGraph) -> list[Instance | AutoScalingGroup]:
    """Every Instance / AutoScalingGroup of the graph, sorted by address."""
    found = [d["obj"] for _, d in graph.nodes(data=True) if isinstance(d.get("obj"), (Instance, AutoScalingGroup))]
    return sorted(found, key=lambda w: w.address)


def context_reader(
    graph: nx.MultiDiGraph, config: Configuration
) -> Callable[[Instance | AutoScalingGroup], WorkloadContext]:
    """What resolves one workload's context; the contexts one reader resolves share the
    objects they have in common (a subnet's placement, a group's rules)."""
    return _Reader(graph, config).context


def object_at(graph: nx.MultiDiGraph, address: str) -> Resource | None:
    """The model object at ``address`` (a resource or an object written inside one)."""
    data = graph._node.get(address)  # networkx's own dict: a lookup per candidate fix
    found = data.get("obj") if data is not None else None
    return found if isinstance(found, Resource) else None


def _cidr_version(cidr: object) -> int | None:
    if not isinstance(cidr, str):
        return None
    try:
        return ipaddress.ip_network(cidr, strict=False).version
    except ValueError:
        return None


def _group_text(ref: object) -> str:
    """How a group reference that does not resolve is named: what it was written from."""
    if isinstance(ref, Unknown):
        if ref.refs:
            return ref.refs[0].address
        if ref.origins:
            return ref.origins[0].name
        return "a security group not known offline"
    return _ref_text(ref)


def _ref_text(ref: object) -> str:
    if isinstance(ref, ResourceRef):
        return ref.address
    if isinstance(ref, Unknown):
        return str(ref)
    return str(ref)
