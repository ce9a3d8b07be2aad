"""The graph and the resolved workload contexts, built from model objects."""

from __future__ import annotations

import json
import time
from dataclasses import replace

from scanner.graph import build_graph, export_graph, workload_contexts
from scanner.model import (
    UNKNOWN_GROUP_RULE,
    AutoScalingGroup,
    ClassicLbAttachment,
    ElasticIp,
    InstanceProfile,
    LaunchTemplate,
    Listener,
    ListenerRule,
    LoadBalancer,
    NetworkAcl,
    NetworkAclAssociation,
    NetworkInterface,
    Policy,
    PolicyAttachment,
    Role,
    RouteTable,
    SecurityGroupRule,
    TargetGroup,
    TargetGroupAttachment,
    VpcCidrAssociation,
    VpcPeering,
    VpnConnection,
    VpnGateway,
    VpnGatewayRoutePropagation,
)
from scanner.values import Unknown
from scanner.workload import WorkloadContext
from tests.support.model_builders import (
    acl,
    acl_entry,
    association,
    config,
    group,
    instance,
    make,
    public_network,
    ref,
    route,
    rule,
    span,
    subnet,
    table,
    vpc,
)


def contexts(*resources: object) -> dict[str, WorkloadContext]:
    cfg = config(*resources)  # type: ignore[arg-type]
    return {c.address: c for c in workload_contexts(build_graph(cfg), cfg)}


def test_explicit_association_gives_the_table_and_its_internet_gateway_route() -> None:
    ctx = contexts(*public_network(), group("aws_security_group.web"), instance())["aws_instance.web"]
    (placement,) = ctx.placements
    assert placement.subnet is not None and placement.subnet.address == "aws_subnet.public"
    assert placement.route_table is not None and placement.route_table.address == "aws_route_table.public"
    assert not placement.route_table_is_main
    assert [(r.route.destination, r.target_kind, r.target_address) for r in placement.routes] == [
        ("0.0.0.0/0", "internet_gateway", "aws_internet_gateway.gw")
    ]
    assert placement.vpc_cidrs == ("10.0.0.0/16",)
    (sg,) = ctx.security_groups
    assert sg.group.address == "aws_security_group.web"
    assert sg.attached_at == ctx.workload.span_of("security_groups")
    assert ctx.unresolved == ()


def test_subnet_without_association_uses_the_main_table() -> None:
    main = table(
        "aws_default_route_table.main",
        route("aws_default_route_table.main.route[0]", "0.0.0.0/0", ref("aws_internet_gateway.gw")),
        is_main=True,
    )
    resources = [
        vpc(),
        subnet("aws_subnet.a"),
        main,
        group("aws_security_group.web"),
        instance(subnet_address="aws_subnet.a"),
    ]
    (placement,) = contexts(*resources)["aws_instance.web"].placements
    assert placement.route_table is main and placement.route_table_is_main
    assert placement.routes[0].target_kind == "unknown"  # the gateway is not defined here
    assert placement.unresolved  # ... and the context says so


def test_subnet_in_a_vpc_without_main_table_gets_the_implicit_local_only_table() -> None:
    resources = [
        vpc(),
        subnet("aws_subnet.a"),
        group("aws_security_group.web"),
        instance(subnet_address="aws_subnet.a"),
    ]
    (placement,) = contexts(*resources)["aws_instance.web"].placements
    assert placement.route_table is None and placement.route_table_is_main and placement.routes == ()
    assert placement.network_acl is None and not placement.default_vpc


def test_instance_without_subnet_runs_in_the_default_vpc_with_its_default_group() -> None:
    ctx = contexts(instance(subnet_address=None, groups=()))["aws_instance.web"]
    (placement,) = ctx.placements
    assert placement.default_vpc and placement.subnet is None
    assert [(r.route.destination, r.target_kind) for r in placement.routes] == [("0.0.0.0/0", "internet_gateway")]
    (sg,) = ctx.security_groups
    assert sg.group.is_default
    ingress = [r for r in sg.rules if r.ingress]
    assert len(ingress) == 1 and ingress[0].self_source and ingress[0].cidrs == ()


def test_defined_default_security_group_is_used_as_written() -> None:
    default = group(
        "aws_default_security_group.d",
        rule("aws_default_security_group.d.ingress[0]", cidrs=("0.0.0.0/0",)),
        is_default=True,
    )
    ctx = contexts(*public_network(), default, instance(groups=()))["aws_instance.web"]
    (sg,) = ctx.security_groups
    assert sg.group is default
    assert [r.cidrs for r in sg.rules] == [("0.0.0.0/0",)]


def test_counted_family_reference_matches_every_member() -> None:
    resources = [
        vpc(),
        subnet("aws_subnet.x[0]"),
        subnet("aws_subnet.x[1]", cidr="10.0.2.0/24"),
        group("aws_security_group.web"),
        make(LaunchTemplate, "aws_launch_template.lt", security_groups=(ref("aws_security_group.web"),)),
        make(
            AutoScalingGroup,
            "aws_autoscaling_group.asg",
            subnets=(ref("aws_subnet.x"),),
            launch_template=ref("aws_launch_template.lt"),
        ),
    ]
    ctx = contexts(*resources)["aws_autoscaling_group.asg"]
    assert sorted(p.subnet.address for p in ctx.placements if p.subnet) == ["aws_subnet.x[0]", "aws_subnet.x[1]"]
    assert [g.group.address for g in ctx.security_groups] == ["aws_security_group.web"]
    assert ctx.launch_template is not None


def test_literal_names_resolve_and_literal_ids_do_not() -> None:
    resources = [
        *public_network(),
        group("aws_security_group.web", name="web-sg"),
        replace(instance(groups=()), security_groups=("web-sg", "sg-0abc")),
    ]
    ctx = contexts(*resources)["aws_instance.web"]
    # the id is a group outside the configuration: it stands as one rule that may admit anything
    assert [g.group.address for g in ctx.security_groups] == ["aws_security_group.web", "sg-0abc"]
    assert [r.kind for r in ctx.security_groups[1].rules] == [UNKNOWN_GROUP_RULE]
    assert any("sg-0abc" in sentence for sentence in ctx.unresolved)


def test_unknown_reference_keeps_its_reason_and_uses_named_resources() -> None:
    resources = [
        *public_network(),
        group("aws_security_group.web"),
        replace(
            instance(groups=()),
            security_groups=(
                Unknown("data.aws_security_group.x.id is only known after apply"),
                Unknown("mixed", refs=(ref("aws_security_group.web"),)),
            ),
        ),
    ]
    ctx = contexts(*resources)["aws_instance.web"]
    assert [g.group.address for g in ctx.security_groups] == [
        "aws_security_group.web",
        "a security group not known offline",  # the unknown without a reference stands as its own group
    ]
    [stand_in] = ctx.security_groups[1].rules
    assert stand_in.kind == UNKNOWN_GROUP_RULE and stand_in.protocol == "-1"
    assert isinstance(stand_in.cidrs[0], Unknown) and "only known after apply" in stand_in.cidrs[0].reason
    assert any("only known after apply" in s for s in ctx.unresolved)


def test_launch_template_values_apply_and_the_instance_values_win() -> None:
    resources = [
        *public_network(),
        subnet("aws_subnet.other", cidr="10.0.9.0/24"),
        group("aws_security_group.web"),
        group("aws_security_group.lt"),
        make(InstanceProfile, "aws_iam_instance_profile.p"),
        make(
            LaunchTemplate,
            "aws_launch_template.lt",
            security_groups=(ref("aws_security_group.lt"),),
            subnet=ref("aws_subnet.other"),
            instance_profile=ref("aws_iam_instance_profile.p"),
        ),
        instance("aws_instance.own", launch_template=ref("aws_launch_template.lt")),
        instance(
            "aws_instance.inherits", subnet_address=None, groups=(), launch_template=ref("aws_launch_template.lt")
        ),
    ]
    ctxs = contexts(*resources)
    own, inherits = ctxs["aws_instance.own"], ctxs["aws_instance.inherits"]
    assert [g.group.address for g in own.security_groups] == ["aws_security_group.web"]
    assert [p.subnet.address for p in own.placements if p.subnet] == ["aws_subnet.public"]
    assert [g.group.address for g in inherits.security_groups] == ["aws_security_group.lt"]
    assert [p.subnet.address for p in inherits.placements if p.subnet] == ["aws_subnet.other"]
    assert inherits.instance_profile is not None and own.instance_profile is not None


def test_standalone_rules_entries_and_routes_join_their_parents() -> None:
    standalone_rule = make(
        SecurityGroupRule,
        "aws_security_group_rule.ssh",
        group=ref("aws_security_group.web"),
        protocol="6",
        from_port=22,
        to_port=22,
        cidrs=("0.0.0.0/0",),
    )
    standalone_route = route(
        "aws_route.extra",
        "192.168.0.0/16",
        ref("aws_vpc_peering_connection.p"),
        target_kind="vpc_peering",
        route_table=ref("aws_route_table.public"),
    )
    nacl = acl("aws_network_acl.n", acl_entry("aws_network_acl.n.ingress[0]", 100, True))
    entry = acl_entry("aws_network_acl_rule.deny", 50, False, acl=ref("aws_network_acl.n"))
    assoc = make(
        NetworkAclAssociation,
        "aws_network_acl_association.a",
        acl=ref("aws_network_acl.n"),
        subnet=ref("aws_subnet.public"),
    )
    peering = make(VpcPeering, "aws_vpc_peering_connection.p", vpc=ref("aws_vpc.main"))
    resources = [
        *public_network(),
        group("aws_security_group.web"),
        standalone_rule,
        standalone_route,
        nacl,
        entry,
        assoc,
        peering,
        instance(),
    ]
    ctx = contexts(*resources)["aws_instance.web"]
    assert [r.address for r in ctx.security_groups[0].rules] == ["aws_security_group_rule.ssh"]
    (placement,) = ctx.placements
    assert placement.network_acl is nacl
    assert sorted(e.address for e in placement.acl_entries) == [
        "aws_network_acl.n.ingress[0]",
        "aws_network_acl_rule.deny",
    ]
    kinds = {r.route.address: r.target_kind for r in placement.routes}
    assert kinds == {"aws_route_table.public.route[0]": "internet_gateway", "aws_route.extra": "vpc_peering"}


def test_acl_subnets_field_and_cidr_associations() -> None:
    nacl = acl("aws_network_acl.n", subnets=("aws_subnet.public",))
    extra = make(
        VpcCidrAssociation, "aws_vpc_ipv4_cidr_block_association.b", vpc=ref("aws_vpc.main"), cidr="100.64.0.0/16"
    )
    ctx = contexts(*public_network(), nacl, extra, group("aws_security_group.web"), instance())["aws_instance.web"]
    assert ctx.placements[0].network_acl is nacl
    assert ctx.placements[0].vpc_cidrs == ("10.0.0.0/16", "100.64.0.0/16")


def test_vpn_route_propagation_routes_the_static_cidrs_or_an_unknown() -> None:
    vgw = make(VpnGateway, "aws_vpn_gateway.v", vpc=ref("aws_vpc.main"))
    vgw2 = make(VpnGateway, "aws_vpn_gateway.w", vpc=ref("aws_vpc.main"))
    vpn = make(
        VpnConnection, "aws_vpn_connection.c", vpn_gateway=ref("aws_vpn_gateway.v"), static_routes=("172.16.0.0/12",)
    )
    private = table(
        "aws_route_table.private",
        propagating_vgws=(ref("aws_vpn_gateway.v"),),
        attr_spans={"propagating_vgws": span(777)},
    )
    propagation = make(
        VpnGatewayRoutePropagation,
        "aws_vpn_gateway_route_propagation.p",
        vpn_gateway=ref("aws_vpn_gateway.w"),
        route_tables=(ref("aws_route_table.private"),),
    )
    resources = [
        vpc(),
        subnet("aws_subnet.private"),
        private,
        vgw,
        vgw2,
        vpn,
        propagation,
        association("aws_route_table_association.p", "aws_route_table.private", "aws_subnet.private"),
        group("aws_security_group.web"),
        instance(subnet_address="aws_subnet.private"),
    ]
    (placement,) = contexts(*resources)["aws_instance.web"].placements
    by_gateway = {r.target_address: r for r in placement.routes}
    assert by_gateway["aws_vpn_gateway.v"].route.destination == "172.16.0.0/12"
    assert by_gateway["aws_vpn_gateway.v"].route.span.line == 777
    assert by_gateway["aws_vpn_gateway.v"].target_kind == "vpn_gateway"
    assert isinstance(by_gateway["aws_vpn_gateway.w"].route.destination, Unknown)
    assert by_gateway["aws_vpn_gateway.w"].propagated_by == "aws_vpn_gateway_route_propagation.p"


def test_gateway_route_to_a_literal_vgw_id_is_a_vpn_route() -> None:
    resources = [
        *public_network((route("aws_route_table.public.route[1]", "10.9.0.0/16", "vgw-0123"),)),
        group("aws_security_group.web"),
        instance(),
    ]
    kinds = {r.route.address: r.target_kind for r in contexts(*resources)["aws_instance.web"].placements[0].routes}
    assert kinds["aws_route_table.public.route[1]"] == "vpn_gateway"


def _load_balancer_resources() -> list[object]:
    return [
        *public_network(),
        group("aws_security_group.web"),
        group("aws_security_group.lb"),
        make(
            LoadBalancer,
            "aws_lb.web",
            subnets=(ref("aws_subnet.public"),),
            security_groups=(ref("aws_security_group.lb"),),
        ),
        make(TargetGroup, "aws_lb_target_group.tg", port=8080, name="web-tg"),
        make(TargetGroup, "aws_lb_target_group.api", port=9000),
        make(
            Listener,
            "aws_lb_listener.http",
            load_balancer=ref("aws_lb.web"),
            port=80,
            target_groups=(ref("aws_lb_target_group.tg"),),
        ),
        make(
            ListenerRule,
            "aws_lb_listener_rule.api",
            listener=ref("aws_lb_listener.http"),
            target_groups=(ref("aws_lb_target_group.api"),),
        ),
    ]


def test_load_balancer_routes_through_attachment_rule_and_asg_target_groups() -> None:
    resources = [
        *_load_balancer_resources(),
        instance(),
        make(
            TargetGroupAttachment,
            "aws_lb_target_group_attachment.a",
            target_group=ref("aws_lb_target_group.api"),
            target=ref("aws_instance.web"),
            port=9443,
        ),
        make(
            AutoScalingGroup,
            "aws_autoscaling_group.asg",
            subnets=(ref("aws_subnet.public"),),
            target_groups=("web-tg",),
            attr_spans={"target_groups": span(555)},
        ),
    ]
    ctxs = contexts(*resources)
    (inst_route,) = ctxs["aws_instance.web"].load_balancer_routes
    assert inst_route.listener.address == "aws_lb_listener.http"
    assert inst_route.target_group is not None and inst_route.target_group.address == "aws_lb_target_group.api"
    assert inst_route.target_port == 9443
    assert [g.group.address for g in inst_route.lb_security_groups] == ["aws_security_group.lb"]
    assert inst_route.lb_placements[0].routes[0].target_kind == "internet_gateway"
    (asg_route,) = ctxs["aws_autoscaling_group.asg"].load_balancer_routes
    assert asg_route.target_group is not None and asg_route.target_group.address == "aws_lb_target_group.tg"
    assert asg_route.target_port == 8080 and asg_route.attached_at.line == 555


def test_classic_load_balancer_routes_and_default_group_for_alb_without_groups() -> None:
    listener = make(Listener, "aws_elb.c.listener[0]", port=80, instance_port=8080)
    classic = make(
        LoadBalancer, "aws_elb.c", lb_type="classic", subnets=(ref("aws_subnet.public"),), listeners=(listener,)
    )
    resources = [
        *public_network(),
        group("aws_security_group.web"),
        classic,
        instance(),
        make(
            ClassicLbAttachment,
            "aws_elb_attachment.a",
            load_balancer=ref("aws_elb.c"),
            instance=ref("aws_instance.web"),
        ),
    ]
    (lb_route,) = contexts(*resources)["aws_instance.web"].load_balancer_routes
    assert lb_route.target_group is None and lb_route.target_port == 8080 and lb_route.listener is listener
    (default,) = lb_route.lb_security_groups
    assert default.group.is_default


def test_iam_profile_roles_and_policies() -> None:
    inline = make(Policy, "aws_iam_role.r.inline_policy[0]")
    own_attachment = make(
        PolicyAttachment,
        "aws_iam_role.r.managed_policy_arns[0]",
        policy="arn:aws:iam::aws:policy/ReadOnlyAccess",
        attr_spans={"policy": span(901)},
    )
    role = make(Role, "aws_iam_role.r", name="app-role", inline_policies=(inline,), attachments=(own_attachment,))
    managed = make(Policy, "aws_iam_policy.p", managed=True)
    role_policy = make(Policy, "aws_iam_role_policy.rp", roles=(ref("aws_iam_role.r"),))
    attach_ref = make(
        PolicyAttachment, "aws_iam_role_policy_attachment.a", role="app-role", policy=ref("aws_iam_policy.p")
    )
    attach_arn = make(
        PolicyAttachment,
        "aws_iam_role_policy_attachment.admin",
        role=ref("aws_iam_role.r"),
        policy="arn:aws:iam::aws:policy/AdministratorAccess",
    )
    profile = make(InstanceProfile, "aws_iam_instance_profile.p", roles=("app-role",), name="app-profile")
    inst = replace(instance(groups=()), instance_profile="app-profile")
    ctx = contexts(*public_network(), inline, role, managed, role_policy, attach_ref, attach_arn, profile, inst)[
        "aws_instance.web"
    ]
    assert ctx.instance_profile is profile
    (role_ctx,) = ctx.roles
    got = sorted((p.attached_by, p.policy.address if p.policy else p.arn) for p in role_ctx.policies)
    assert got == [
        ("aws_iam_role.r", "aws_iam_role.r.inline_policy[0]"),
        ("aws_iam_role.r.managed_policy_arns[0]", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
        ("aws_iam_role_policy.rp", "aws_iam_role_policy.rp"),
        ("aws_iam_role_policy_attachment.a", "aws_iam_policy.p"),
        ("aws_iam_role_policy_attachment.admin", "arn:aws:iam::aws:policy/AdministratorAccess"),
    ]
    own = next(p for p in role_ctx.policies if p.attached_by.endswith("managed_policy_arns[0]"))
    assert own.attached_at.line == 901


def test_elastic_ip_through_the_network_interface() -> None:
    eni = make(
        NetworkInterface,
        "aws_network_interface.n",
        subnet=ref("aws_subnet.public"),
        security_groups=(ref("aws_security_group.web"),),
        attached_instance=ref("aws_instance.web"),
    )
    eip = make(ElasticIp, "aws_eip.e", network_interface=ref("aws_network_interface.n"))
    ctx = contexts(
        *public_network(), group("aws_security_group.web"), eni, eip, instance(subnet_address=None, groups=())
    )["aws_instance.web"]
    assert ctx.elastic_ips == (eip,)
    assert [p.subnet.address for p in ctx.placements if p.subnet] == ["aws_subnet.public"]
    assert [g.group.address for g in ctx.security_groups] == ["aws_security_group.web"]


def test_unknown_subnet_is_not_the_default_vpc() -> None:
    inst = replace(instance(groups=()), subnet=Unknown("data.aws_subnet.x.id is only known after apply"))
    ctx = contexts(inst)["aws_instance.web"]
    assert ctx.placements == ()
    assert any("only known after apply" in s for s in ctx.unresolved)


def test_graph_edges_and_export_are_deterministic() -> None:
    resources = [
        *_load_balancer_resources(),
        instance(),
        make(
            TargetGroupAttachment,
            "aws_lb_target_group_attachment.a",
            target_group=ref("aws_lb_target_group.tg"),
            target=ref("aws_instance.web"),
        ),
    ]
    graph = build_graph(config(*resources))
    kinds = {(u, v): d["kind"] for u, v, d in graph.edges(data=True)}
    assert kinds[("aws_instance.web", "aws_subnet.public")] == "in_subnet"
    assert kinds[("aws_subnet.public", "aws_route_table.public")] == "uses_route_table"
    assert kinds[("aws_route_table.public", "aws_route_table.public.route[0]")] == "route"
    assert kinds[("aws_route_table.public.route[0]", "aws_internet_gateway.gw")] == "route_target"
    assert kinds[("aws_lb.web", "aws_lb_listener.http")] == "listener"
    assert kinds[("aws_lb_listener.http", "aws_lb_target_group.tg")] == "forwards_to"
    assert kinds[("aws_lb_target_group.tg", "aws_instance.web")] == "targets"
    assert kinds[("aws_subnet.public", "aws_vpc.main#default-nacl")] == "protected_by"
    assert isinstance(graph.nodes["aws_subnet.public"]["obj"], type(resources[2]))
    for fmt in ("dot", "json", "graphml"):
        first = export_graph(graph, fmt)
        assert first == export_graph(build_graph(config(*reversed(resources))), fmt)  # type: ignore[arg-type]
        assert "aws_lb_listener.http" in first
    data = json.loads(export_graph(graph, "json"))
    assert {"id": "internet", "kind": "internet", "label": "internet"} in data["nodes"]


def test_ten_thousand_instances_build_in_seconds() -> None:
    resources: list[object] = [*public_network(), group("aws_security_group.web")]
    resources += [make(RouteTable, f"aws_route_table.t{i}") for i in range(50)]
    resources += [instance(f"aws_instance.web[{i}]") for i in range(10_000)]
    resources += [make(NetworkAcl, "aws_network_acl.x")]
    start = time.perf_counter()
    cfg = config(*resources)  # type: ignore[arg-type]
    ctxs = workload_contexts(build_graph(cfg), cfg)
    elapsed = time.perf_counter() - start
    assert len(ctxs) == 10_000 and all(c.placements[0].routes for c in ctxs[:10])
    assert elapsed < 10, elapsed


def test_a_built_graph_is_freed_without_the_cycle_collector() -> None:
    # A scan runs with the garbage collector off: a reference cycle around the graph would keep
    # every configuration's graph in memory until the process ends.
    import gc
    import weakref

    gc.disable()
    try:
        cfg = config(*public_network(), instance())
        graph = build_graph(cfg)
        assert workload_contexts(graph, cfg)
        alive = weakref.ref(graph)
        del graph
        assert alive() is None
    finally:
        gc.enable()
