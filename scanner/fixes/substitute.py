"""An edit applied to what one workload sees: a copy of its ``WorkloadContext`` in which the
edited object (found by address, wherever the context holds it) is replaced, or dropped.

A context holds each model object where the graph resolved it: the workload and its launch
templates; each attached group and its rules (inline ones also inside the group); each
placement's subnet, routes, NACL and entries; the ENIs and Elastic IPs; each load balancer
route (the balancer, its listener, its groups and placements); each role and its policies.
An object dropped from a tuple leaves the tuple; a dropped object that a resolved item needs
(a route's ``Route``, a load balancer route's listener, a policy's attachment) drops the item.
Nothing is shared with the original: the model, the graph and the first analysis stay as
they were.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from scanner.copies import copy_with
from scanner.model import AclEntry, NetworkAcl, Resource, RouteTable, SecurityGroup
from scanner.workload import (
    AttachedGroup,
    LaunchTemplateUse,
    LoadBalancerRoute,
    Placement,
    ResolvedPolicy,
    ResolvedRoute,
    RoleContext,
    WorkloadContext,
)

Change = Callable[[Resource], Resource | None]
R = TypeVar("R", bound=Resource)
T = TypeVar("T")


class _Swap:
    """The edit of one address, applied wherever the context holds that object."""

    def __init__(self, address: str, change: Change) -> None:
        self.address = address
        self.change = change
        self.hit = False

    def one(self, obj: R) -> R | None:
        if obj.address != self.address:
            return obj
        self.hit = True
        changed = self.change(obj)
        return changed  # type: ignore[return-value]  # an edit keeps the object's type

    def many(self, objs: tuple[R, ...]) -> tuple[R, ...]:
        if all(o.address != self.address for o in objs):
            return objs
        out = (self.one(o) for o in objs)
        return tuple(o for o in out if o is not None)

    def group(self, group: SecurityGroup) -> SecurityGroup:
        rules = self.many(group.rules)
        return group if rules is group.rules else copy_with(group, rules=rules)

    def attached(self, attached: AttachedGroup) -> AttachedGroup:
        rules = self.many(attached.rules)
        group = self.group(attached.group)
        if rules is attached.rules and group is attached.group:
            return attached
        return copy_with(attached, group=group, rules=rules)

    def acl(self, acl: NetworkAcl | None) -> NetworkAcl | None:
        if acl is None:
            return None
        entries: tuple[AclEntry, ...] = self.many(acl.entries)
        return acl if entries is acl.entries else copy_with(acl, entries=entries)

    def table(self, table: RouteTable | None) -> RouteTable | None:
        if table is None:
            return None
        routes = self.many(table.routes)
        return table if routes is table.routes else copy_with(table, routes=routes)

    def placement(self, placement: Placement) -> Placement:
        subnet = self.one(placement.subnet) if placement.subnet is not None else None
        routes = placement.routes
        if any(r.route.address == self.address for r in routes):
            routes = tuple(r for r in (self.resolved_route(r) for r in routes) if r is not None)
        entries = self.many(placement.acl_entries)
        table = self.table(placement.route_table)
        acl = self.acl(placement.network_acl)
        if (
            subnet is placement.subnet
            and routes is placement.routes
            and entries is placement.acl_entries
            and table is placement.route_table
            and acl is placement.network_acl
        ):
            return placement
        return copy_with(
            placement, subnet=subnet, route_table=table, network_acl=acl, routes=routes, acl_entries=entries
        )

    def resolved_route(self, resolved: ResolvedRoute) -> ResolvedRoute | None:
        route = self.one(resolved.route)
        if route is None:
            return None
        return resolved if route is resolved.route else copy_with(resolved, route=route)

    def lb_route(self, route: LoadBalancerRoute) -> LoadBalancerRoute | None:
        lb = self.one(route.load_balancer)
        listener = self.one(route.listener)
        if lb is None or listener is None:
            return None
        placements = self.each(route.lb_placements, self.placement)
        groups = self.each(route.lb_security_groups, self.attached)
        if (
            lb is route.load_balancer
            and listener is route.listener
            and placements is route.lb_placements
            and groups is route.lb_security_groups
        ):
            return route
        return copy_with(
            route, load_balancer=lb, listener=listener, lb_placements=placements, lb_security_groups=groups
        )

    def each(self, items: tuple[T, ...], change: Callable[[T], T]) -> tuple[T, ...]:
        """``items`` each changed; the same tuple when none is."""
        changed = tuple(change(i) for i in items)
        return items if all(a is b for a, b in zip(changed, items, strict=True)) else changed

    def policy(self, resolved: ResolvedPolicy) -> ResolvedPolicy | None:
        if resolved.attachment is not None and self.one(resolved.attachment) is None:
            return None
        if resolved.policy is None:
            return resolved
        policy = self.one(resolved.policy)
        if policy is None:
            return None
        return resolved if policy is resolved.policy else copy_with(resolved, policy=policy)

    def role(self, role: RoleContext) -> RoleContext:
        policies = tuple(p for p in (self.policy(p) for p in role.policies) if p is not None)
        boundary = role.boundary
        if boundary is not None:
            # a boundary whose policy an edit removes names nothing known: never "no boundary"
            boundary = self.policy(boundary) or ResolvedPolicy(boundary.attached_at, boundary.attached_by)
        attachments = self.many(role.role.attachments)
        inline = self.many(role.role.inline_policies)
        changed = role.role
        if attachments is not changed.attachments or inline is not changed.inline_policies:
            changed = copy_with(changed, attachments=attachments, inline_policies=inline)
        same_policies = len(policies) == len(role.policies) and all(
            a is b for a, b in zip(policies, role.policies, strict=True)
        )
        if changed is role.role and same_policies and boundary is role.boundary:
            return role
        return copy_with(role, role=changed, policies=policies, boundary=boundary)

    def template_use(self, use: LaunchTemplateUse) -> LaunchTemplateUse:
        if use.template is None:
            return use
        template = self.one(use.template)
        return use if template is use.template else copy_with(use, template=template)


Part = str  # workload | templates | defaults | groups | placements | enis | eips | lb | roles
EVERY_PART: frozenset[Part] = frozenset(
    {"workload", "templates", "defaults", "groups", "placements", "enis", "eips", "lb", "roles"}
)


def edited_context(
    ctx: WorkloadContext, address: str, change: Change, parts: frozenset[Part] = EVERY_PART
) -> WorkloadContext | None:
    """``ctx`` with the object at ``address`` changed by ``change`` (None from ``change``:
    removed); None when the context does not hold that object. ``parts``: where in the
    context an object of the edited kind can be (a security group rule: in the groups and
    the load balancer routes), the rest is kept as it is."""
    swap = _Swap(address, change)
    changes: dict[str, object] = {}
    if "workload" in parts:
        workload = swap.one(ctx.workload)
        if workload is None:
            return None  # a workload is never what an edit removes
        changes["workload"] = workload
    if "templates" in parts:
        if ctx.launch_template is not None:
            changes["launch_template"] = swap.one(ctx.launch_template)
        changes["launch_templates"] = swap.each(ctx.launch_templates, swap.template_use)
    if "defaults" in parts and ctx.metadata_defaults is not None:
        changes["metadata_defaults"] = swap.one(ctx.metadata_defaults)
    if "groups" in parts:
        changes["security_groups"] = swap.each(ctx.security_groups, swap.attached)
    if "placements" in parts:
        changes["placements"] = swap.each(ctx.placements, swap.placement)
    if "enis" in parts:
        changes["network_interfaces"] = swap.many(ctx.network_interfaces)
    if "eips" in parts:
        changes["elastic_ips"] = swap.many(ctx.elastic_ips)
    if "roles" in parts:
        changes["roles"] = swap.each(ctx.roles, swap.role)
    if "lb" in parts and ctx.load_balancer_routes:
        kept = [swap.lb_route(r) for r in ctx.load_balancer_routes]
        if any(a is not b for a, b in zip(kept, ctx.load_balancer_routes, strict=True)):
            changes["load_balancer_routes"] = tuple(r for r in kept if r is not None)
    if not swap.hit:
        return None
    return copy_with(ctx, **changes)
