"""Reachability and public IPs: each path kind, and each way a path is cut."""

from __future__ import annotations

from dataclasses import replace

from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.reachability import PathReport
from scanner.analyses.reachability import explain_paths as explain_paths_with
from scanner.findings import Trait
from scanner.graph import build_graph, workload_contexts
from scanner.model import (
    AutoScalingGroup,
    ElasticIp,
    InternetGateway,
    LaunchTemplate,
    Listener,
    LoadBalancer,
    NatGateway,
    RouteTableAssociation,
    TargetGroup,
    VpcPeering,
    VpnConnection,
    VpnGateway,
)
from scanner.rules import internet_reachable, public_ip, vpc_reachable
from scanner.values import Origin, Unknown
from scanner.workload import WorkloadContext
from tests.support.model_builders import (
    acl,
    acl_entry,
    association,
    config,
    group,
    igw,
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
from tests.support.rule_checks import run_checks

INTERNET_REACHABLE = internet_reachable.ID
PUBLIC_IP = public_ip.ID
VPC_REACHABLE = vpc_reachable.ID


def reachability_traits(ctx: WorkloadContext) -> list[Trait]:
    return run_checks(ctx, internet_reachable, vpc_reachable)[0]


def public_ip_traits(ctx: WorkloadContext) -> list[Trait]:
    return run_checks(ctx, public_ip)[0]


def explain_paths(ctx: WorkloadContext) -> list[PathReport]:
    return explain_paths_with(ctx, NetworkMemo())


SSH_FROM_ANYWHERE = rule("aws_security_group.web.ingress[0]", cidrs=("0.0.0.0/0",))
HTTPS_FROM_ANYWHERE = rule("aws_security_group.web.ingress[1]", from_port=443, cidrs=("0.0.0.0/0",))


def context(*resources: object, address: str = "aws_instance.web") -> WorkloadContext:
    cfg = config(*resources)  # type: ignore[arg-type]
    return {c.address: c for c in workload_contexts(build_graph(cfg), cfg)}[address]


def reach(ctx: WorkloadContext, rule_id: str = INTERNET_REACHABLE) -> Trait | None:
    return next((t for t in reachability_traits(ctx) if t.rule_id == rule_id), None)


def cuts(ctx: WorkloadContext) -> list[str]:
    return [p.cut for p in explain_paths(ctx) if p.cut]


def web_group(*rules: object) -> object:
    return group("aws_security_group.web", *rules)  # type: ignore[arg-type]


# --- gateway paths ----------------------------------------------------------------------------


def test_public_subnet_with_ssh_from_anywhere_is_reachable_on_22() -> None:
    ctx = context(*public_network(), web_group(SSH_FROM_ANYWHERE, HTTPS_FROM_ANYWHERE), instance())
    trait = reach(ctx)
    assert trait is not None
    assert trait.properties["ports"] == "tcp 22, tcp 443" and trait.properties["via"] == "gateway"
    assert trait.location.address == SSH_FROM_ANYWHERE.address
    assert trait.location.span == SSH_FROM_ANYWHERE.span_of("cidrs")
    kinds = [step.kind for step in trait.path]
    assert kinds == [
        "internet",
        "internet_gateway",
        "route_table",
        "route",
        "network_acl",
        "security_group",
        "security_group_rule",  # SSH, with its own port
        "security_group_rule",  # HTTPS, with its own port
        "instance",
    ]
    assert [step.ports for step in trait.path[6:8]] == ["tcp 22", "tcp 443"]
    assert trait.path[1].address == "aws_internet_gateway.gw"


def test_private_subnet_routed_to_a_nat_gateway_only_is_not_reachable() -> None:
    nat = make(NatGateway, "aws_nat_gateway.main", subnet=ref("aws_subnet.public"))
    private = table(
        "aws_route_table.private",
        route("aws_route_table.private.route[0]", "0.0.0.0/0", ref("aws_nat_gateway.main"), target_kind="nat_gateway"),
    )
    resources = [
        *public_network(),
        nat,
        private,
        subnet("aws_subnet.private", cidr="10.0.2.0/24"),
        association("aws_route_table_association.private", "aws_route_table.private", "aws_subnet.private"),
        web_group(SSH_FROM_ANYWHERE),
        instance(subnet_address="aws_subnet.private", associate_public_ip=True),
    ]
    ctx = context(*resources)
    assert reach(ctx) is None
    assert any("aws_nat_gateway.main" in c and "not an internet gateway" in c for c in cuts(ctx))


def test_explicit_table_without_igw_route_wins_over_a_main_table_with_one() -> None:
    main = table(
        "aws_default_route_table.main",
        route("aws_default_route_table.main.route[0]", "0.0.0.0/0", ref("aws_internet_gateway.gw")),
        is_main=True,
    )
    isolated = table("aws_route_table.isolated")
    resources = [
        vpc(),
        igw(),
        main,
        isolated,
        subnet("aws_subnet.a", map_public_ip_on_launch=True),
        association("aws_route_table_association.a", "aws_route_table.isolated", "aws_subnet.a"),
        web_group(SSH_FROM_ANYWHERE),
        instance(subnet_address="aws_subnet.a"),
    ]
    ctx = context(*resources)
    assert reach(ctx) is None
    assert any("aws_route_table.isolated has no route" in c for c in cuts(ctx))


def test_subnet_without_association_uses_the_main_table_with_an_igw_route() -> None:
    main = table(
        "aws_default_route_table.main",
        route("aws_default_route_table.main.route[0]", "0.0.0.0/0", ref("aws_internet_gateway.gw")),
        is_main=True,
    )
    resources = [
        vpc(),
        igw(),
        main,
        subnet("aws_subnet.a", map_public_ip_on_launch=True),
        web_group(SSH_FROM_ANYWHERE),
        instance(subnet_address="aws_subnet.a"),
    ]
    trait = reach(context(*resources))
    assert trait is not None and trait.properties["ports"] == "tcp 22"
    assert any(step.address == "aws_default_route_table.main" for step in trait.path)


def test_nacl_deny_before_a_later_allow_cuts_that_port_only() -> None:
    nacl = acl(
        "aws_network_acl.n",
        acl_entry("aws_network_acl.n.ingress[0]", 100, True),
        acl_entry("aws_network_acl.n.ingress[1]", 50, False, protocol="6", from_port=22, to_port=22),
        acl_entry("aws_network_acl.n.egress[0]", 100, True, egress=True),
        subnets=("aws_subnet.public",),
    )
    ctx = context(*public_network(), nacl, web_group(SSH_FROM_ANYWHERE, HTTPS_FROM_ANYWHERE), instance())
    trait = reach(ctx)
    assert trait is not None and trait.properties["ports"] == "tcp 443"
    assert trait.location.address == HTTPS_FROM_ANYWHERE.address
    assert any(step.address == "aws_network_acl.n.ingress[0]" for step in trait.path)


def test_nacl_denying_the_only_port_cuts_the_path_and_names_the_entry() -> None:
    nacl = acl(
        "aws_network_acl.n",
        acl_entry("aws_network_acl.n.ingress[1]", 50, False, protocol="6", from_port=22, to_port=22),
        acl_entry("aws_network_acl.n.ingress[0]", 100, True),
        acl_entry("aws_network_acl.n.egress[0]", 100, True, egress=True),
        subnets=("aws_subnet.public",),
    )
    ctx = context(*public_network(), nacl, web_group(SSH_FROM_ANYWHERE), instance())
    assert reach(ctx) is None
    assert any("aws_network_acl.n.ingress[1] denies tcp 22" in c for c in cuts(ctx))


def test_nacl_without_outbound_ephemeral_allow_cuts_the_path() -> None:
    nacl = acl(
        "aws_network_acl.n",
        acl_entry("aws_network_acl.n.ingress[0]", 100, True, protocol="6", from_port=22, to_port=22),
        acl_entry("aws_network_acl.n.egress[0]", 100, True, protocol="6", from_port=80, to_port=443, egress=True),
        subnets=("aws_subnet.public",),
    )
    ctx = context(*public_network(), nacl, web_group(SSH_FROM_ANYWHERE), instance())
    assert reach(ctx) is None
    assert any("replies" in c and "1024-65535" in c for c in cuts(ctx))


def test_public_ip_without_a_rule_from_the_internet_is_not_reachable() -> None:
    office = rule("aws_security_group.web.ingress[0]", cidrs=("10.0.0.0/8",))
    ctx = context(*public_network(), web_group(office), instance())
    assert reach(ctx) is None
    assert public_ip_traits(ctx)  # the public address alone is its own trait
    assert any("admits traffic from IPv4 internet addresses" in c for c in cuts(ctx))


def test_a_more_specific_route_away_from_the_igw_removes_those_sources_only() -> None:
    vgw = make(VpnGateway, "aws_vpn_gateway.v", vpc=ref("aws_vpc.main"))
    office = rule("aws_security_group.web.ingress[0]", cidrs=("198.51.100.0/24",))
    extra = route("aws_route_table.public.route[1]", "198.51.100.0/24", ref("aws_vpn_gateway.v"))
    ctx = context(*public_network((extra,)), vgw, web_group(office), instance())
    trait = reach(ctx)
    assert trait is not None and trait.properties["via"] == "vpn"  # not through the internet gateway


# --- load balancer paths ------------------------------------------------------------------------------


def _private_workload_with_alb(
    lb_fields: dict[str, object],
    lb_rule_port: int = 443,
    workload_rule: object | None = None,
    lb_subnet: str = "aws_subnet.public",
    listener_port: int = 443,
) -> list[object]:
    lb_group = group(
        "aws_security_group.lb",
        rule("aws_security_group.lb.ingress[0]", from_port=lb_rule_port, cidrs=("0.0.0.0/0",)),
        # the LB opens connections to its targets: its group must let them out
        rule("aws_security_group.lb.egress[0]", from_port=8080, cidrs=("10.0.0.0/16",), ingress=False),
    )
    from_lb = workload_rule or rule(
        "aws_security_group.web.ingress[0]",
        from_port=8080,
        source_groups=(ref("aws_security_group.lb"),),
        attr_spans={"source_groups": span(4242)},
    )
    return [
        *public_network(),
        subnet("aws_subnet.private", cidr="10.0.2.0/24"),
        table("aws_route_table.private"),
        association("aws_route_table_association.private", "aws_route_table.private", "aws_subnet.private"),
        lb_group,
        web_group(from_lb),
        make(
            LoadBalancer,
            "aws_lb.web",
            **{"subnets": (ref(lb_subnet),), "security_groups": (ref("aws_security_group.lb"),), **lb_fields},
        ),
        make(TargetGroup, "aws_lb_target_group.tg", port=8080),
        make(
            Listener,
            "aws_lb_listener.https",
            load_balancer=ref("aws_lb.web"),
            port=listener_port,
            protocol="HTTPS",
            target_groups=(ref("aws_lb_target_group.tg"),),
        ),
        make(LaunchTemplate, "aws_launch_template.lt", security_groups=(ref("aws_security_group.web"),)),
        make(
            AutoScalingGroup,
            "aws_autoscaling_group.app",
            subnets=(ref("aws_subnet.private"),),
            launch_template=ref("aws_launch_template.lt"),
            target_groups=(ref("aws_lb_target_group.tg"),),
        ),
    ]


ASG = "aws_autoscaling_group.app"


def test_asg_behind_an_internet_facing_alb_is_reachable_on_the_target_port() -> None:
    ctx = context(*_private_workload_with_alb({}), address=ASG)
    trait = reach(ctx)
    assert trait is not None and trait.properties == {**trait.properties, "via": "load_balancer", "ports": "tcp 8080"}
    assert trait.location.span.line == 4242  # the workload group's rule admitting the LB
    kinds = [s.kind for s in trait.path]
    # the packet's order: LB, listener, the LB subnet's internet route, the LB's group, target group, workload
    assert kinds == [
        "internet",
        "load_balancer",
        "listener",
        "route_table",
        "route",
        "security_group_rule",
        "target_group",
        "security_group_rule",
        "auto_scaling_group",
    ]
    assert not [p for p in explain_paths(ctx) if p.via == "gateway" and p.open]


def test_internal_alb_is_not_a_path_from_the_internet() -> None:
    ctx = context(*_private_workload_with_alb({"internal": True}), address=ASG)
    assert reach(ctx) is None
    assert any("is internal" in c for c in cuts(ctx))


def test_alb_group_not_admitting_the_listener_port_cuts_the_path() -> None:
    ctx = context(*_private_workload_with_alb({}, lb_rule_port=80), address=ASG)
    assert reach(ctx) is None
    assert any("does not admit the listener port tcp 443" in c for c in cuts(ctx))


def test_alb_in_subnets_without_an_igw_route_is_not_reachable() -> None:
    ctx = context(*_private_workload_with_alb({}, lb_subnet="aws_subnet.private"), address=ASG)
    assert reach(ctx) is None
    assert any("routes IPv4 internet addresses to an internet gateway" in c for c in cuts(ctx))


def test_workload_group_must_admit_the_target_port_from_the_lb() -> None:
    wrong_port = rule("aws_security_group.web.ingress[0]", from_port=22, source_groups=(ref("aws_security_group.lb"),))
    ctx = context(*_private_workload_with_alb({}, workload_rule=wrong_port), address=ASG)
    assert reach(ctx) is None
    covering = rule("aws_security_group.web.ingress[0]", from_port=8080, cidrs=("10.0.0.0/16",))
    trait = reach(context(*_private_workload_with_alb({}, workload_rule=covering), address=ASG))
    assert trait is not None and trait.properties["ports"] == "tcp 8080"


def test_nlb_without_groups_passes_client_addresses_through() -> None:
    from_vpc = rule("aws_security_group.web.ingress[0]", from_port=8080, cidrs=("10.0.0.0/16",))
    resources = _private_workload_with_alb({"lb_type": "network", "security_groups": ()}, workload_rule=from_vpc)
    ctx = context(*resources, address=ASG)
    assert reach(ctx) is None
    assert any("client IP preservation is on (AWS's default for instance targets)" in c for c in cuts(ctx))
    from_internet = rule("aws_security_group.web.ingress[0]", from_port=8080, cidrs=("0.0.0.0/0",))
    resources = _private_workload_with_alb({"lb_type": "network", "security_groups": ()}, workload_rule=from_internet)
    trait = reach(context(*resources, address=ASG))
    assert trait is not None and trait.properties["via"] == "load_balancer" and trait.properties["ports"] == "tcp 8080"


# --- private networks --------------------------------------------------------------------------------


def _private_subnet(*routes: object) -> list[object]:
    return [
        vpc(),
        subnet("aws_subnet.private"),
        table("aws_route_table.private", *routes),  # type: ignore[arg-type]
        association("aws_route_table_association.p", "aws_route_table.private", "aws_subnet.private"),
    ]


def test_peering_route_with_a_group_admitting_the_peer_cidr() -> None:
    peering = make(VpcPeering, "aws_vpc_peering_connection.p", vpc=ref("aws_vpc.main"))
    to_peer = route(
        "aws_route_table.private.route[0]",
        "192.168.0.0/16",
        ref("aws_vpc_peering_connection.p"),
        target_kind="vpc_peering",
    )
    db = rule("aws_security_group.web.ingress[0]", from_port=5432, cidrs=("192.168.1.0/24",))
    ctx = context(
        *_private_subnet(to_peer),
        peering,
        web_group(db, SSH_FROM_ANYWHERE),
        instance(subnet_address="aws_subnet.private"),
    )
    trait = reach(ctx)
    assert trait is not None and trait.properties["via"] == "vpc_peering"
    assert trait.properties["ports"] == "tcp 22, tcp 5432"  # 0.0.0.0/0 overlaps the peer too
    assert trait.path[0].kind == "vpc_peering"


def test_vpn_propagated_routes_with_static_cidrs() -> None:
    vgw = make(VpnGateway, "aws_vpn_gateway.v", vpc=ref("aws_vpc.main"))
    vpn = make(
        VpnConnection, "aws_vpn_connection.c", vpn_gateway=ref("aws_vpn_gateway.v"), static_routes=("172.16.0.0/16",)
    )
    resources = _private_subnet()
    resources[2] = replace(resources[2], propagating_vgws=(ref("aws_vpn_gateway.v"),))  # type: ignore[type-var]
    office = rule("aws_security_group.web.ingress[0]", from_port=3389, cidrs=("172.16.5.0/24",))
    unrelated = rule("aws_security_group.web.ingress[1]", from_port=22, cidrs=("10.0.0.0/16",))
    ctx = context(*resources, vgw, vpn, web_group(office, unrelated), instance(subnet_address="aws_subnet.private"))
    trait = reach(ctx)
    assert trait is not None and trait.properties == {**trait.properties, "via": "vpn", "ports": "tcp 3389"}


def test_private_route_without_matching_rule_is_cut() -> None:
    peering = make(VpcPeering, "aws_vpc_peering_connection.p", vpc=ref("aws_vpc.main"))
    to_peer = route(
        "aws_route_table.private.route[0]",
        "192.168.0.0/16",
        ref("aws_vpc_peering_connection.p"),
        target_kind="vpc_peering",
    )
    local = rule("aws_security_group.web.ingress[0]", cidrs=("10.0.0.0/16",))
    ctx = context(*_private_subnet(to_peer), peering, web_group(local), instance(subnet_address="aws_subnet.private"))
    assert reach(ctx) is None
    assert any("192.168.0.0/16" in c for c in cuts(ctx))


# --- default VPC, IPv6 -------------------------------------------------------------------------------


def test_default_vpc_instance_is_public_and_reachable_only_through_its_rules() -> None:
    bare = instance(subnet_address=None, groups=())
    ctx = context(bare)
    (public,) = public_ip_traits(ctx)
    assert public.location.span == bare.span and public.location.address == "aws_instance.web"
    assert reach(ctx) is None  # AWS's default group admits only itself
    ctx = context(web_group(SSH_FROM_ANYWHERE), instance(subnet_address=None))
    trait = reach(ctx)
    assert trait is not None and trait.properties["ports"] == "tcp 22"


def test_explicit_false_wins_over_the_subnet_and_the_default_vpc_but_not_over_an_eip() -> None:
    no_ip = instance(associate_public_ip=False, attr_spans={"associate_public_ip": span(321)})
    ctx = context(*public_network(), web_group(SSH_FROM_ANYWHERE), no_ip)
    assert public_ip_traits(ctx) == [] and reach(ctx) is None
    ctx = context(web_group(SSH_FROM_ANYWHERE), replace(no_ip, subnet=None))
    assert public_ip_traits(ctx) == []
    eip = make(ElasticIp, "aws_eip.e", instance=ref("aws_instance.web"))
    ctx = context(*public_network(), web_group(SSH_FROM_ANYWHERE), no_ip, eip)
    (trait,) = public_ip_traits(ctx)
    assert trait.location.address == "aws_eip.e" and reach(ctx) is not None


def test_public_ip_points_at_the_line_that_gives_it() -> None:
    explicit = instance(
        associate_public_ip=True, attr_spans={"associate_public_ip": span(55)}, subnet_address="aws_subnet.private"
    )
    (trait,) = public_ip_traits(context(vpc(), subnet("aws_subnet.private"), explicit))
    assert trait.rule_id == PUBLIC_IP and trait.location.span.line == 55
    resources = public_network()
    (trait,) = public_ip_traits(context(*resources, instance()))
    assert trait.location.span == resources[2].span_of("map_public_ip_on_launch")


def test_ipv6_only_exposure_through_an_internet_gateway_but_not_an_egress_only_one() -> None:
    v6_route = route("aws_route_table.public.route[0]", None, ref("aws_internet_gateway.gw"), ipv6_destination="::/0")
    web6 = rule("aws_security_group.web.ingress[0]", from_port=443, ipv6_cidrs=("::/0",))
    base = [
        vpc(ipv6_cidr_blocks=("2600:1f18::/56",)),
        igw(),
        subnet("aws_subnet.public", ipv6_cidr="2600:1f18::/64"),
        association("aws_route_table_association.public", "aws_route_table.public", "aws_subnet.public"),
        web_group(web6),
    ]
    server = instance(ipv6_address_count=1, associate_public_ip=False)
    ctx = context(*base, table("aws_route_table.public", v6_route), server)
    trait = reach(ctx)
    assert trait is not None and trait.properties["ports"] == "tcp 443"
    assert trait.properties["paths"] == [{"via": "gateway", "family": "IPv6", "ports": "tcp 443"}]
    (public,) = public_ip_traits(ctx)
    assert public.properties == {"ipv4": False, "ipv6": True}
    egress_only = make(InternetGateway, "aws_egress_only_internet_gateway.e", vpc=ref("aws_vpc.main"), egress_only=True)
    eo_route = replace(v6_route, target=ref("aws_egress_only_internet_gateway.e"), target_kind="egress_only_gateway")
    ctx = context(*base, egress_only, table("aws_route_table.public", eo_route), server)
    assert reach(ctx) is None and public_ip_traits(ctx) == []


def test_asg_is_reachable_if_any_placement_is() -> None:
    private = subnet("aws_subnet.private", cidr="10.0.2.0/24")
    lt = make(
        LaunchTemplate,
        "aws_launch_template.lt",
        security_groups=(ref("aws_security_group.web"),),
        associate_public_ip=True,
    )
    asg = make(
        AutoScalingGroup,
        "aws_autoscaling_group.app",
        subnets=(ref("aws_subnet.private"), ref("aws_subnet.public")),
        launch_template=ref("aws_launch_template.lt"),
    )
    resources = [
        *public_network(),
        private,
        table("aws_route_table.private"),
        make(
            RouteTableAssociation,
            "aws_route_table_association.p",
            route_table=ref("aws_route_table.private"),
            subnet=ref("aws_subnet.private"),
        ),
        web_group(SSH_FROM_ANYWHERE),
        lt,
        asg,
    ]
    ctx = context(*resources, address=ASG)
    trait = reach(ctx)
    assert trait is not None and trait.properties["ports"] == "tcp 22"
    assert [p.open for p in explain_paths(ctx) if p.via == "gateway" and p.version == 4] == [False, True]


# --- within the VPC ------------------------------------------------------------------------------------


def test_vpc_reachable_needs_all_traffic_from_a_cidr_containing_the_vpc() -> None:
    everything = rule("aws_security_group.web.ingress[0]", protocol="-1", from_port=0, to_port=0, cidrs=("10.0.0.0/8",))
    ctx = context(*public_network(), web_group(everything), instance())
    trait = reach(ctx, VPC_REACHABLE)
    assert trait is not None and trait.location.address == everything.address
    tcp_only = rule("aws_security_group.web.ingress[0]", from_port=0, to_port=65535, cidrs=("10.0.0.0/8",))
    assert reach(context(*public_network(), web_group(tcp_only), instance()), VPC_REACHABLE) is None
    udp_too = rule(
        "aws_security_group.web.ingress[1]", protocol="17", from_port=0, to_port=65535, cidrs=("10.0.0.0/16",)
    )
    assert reach(context(*public_network(), web_group(tcp_only, udp_too), instance()), VPC_REACHABLE) is not None
    half = rule("aws_security_group.web.ingress[0]", protocol="-1", cidrs=("10.0.0.0/17",))
    assert reach(context(*public_network(), web_group(half), instance()), VPC_REACHABLE) is None


# --- load balancer paths resting on unknowns are possible ---------------------------------------


def test_alb_whose_listener_may_not_exist_gives_a_possible_path_naming_its_count() -> None:
    count = Origin("count", "count of aws_lb_listener.https")
    resources = [
        replace(r, existence=Unknown("count is unknown", origins=(count,)))
        if r.address == "aws_lb_listener.https"
        else r
        for r in _private_workload_with_alb({})
    ]
    trait = reach(context(*resources, address=ASG))
    assert trait is not None and trait.properties["via"] == "load_balancer"
    assert trait.possible and trait.unknowns == (count,)
    assert any("aws_lb_listener.https may not exist" in a for a in trait.assumptions)


def test_alb_with_unknown_subnets_and_internal_unknown_names_internal() -> None:
    subnets_var = Origin("variable", "var.public_subnet_ids")
    internal_var = Origin("variable", "var.internal")
    lb_fields = {
        "subnets": (Unknown("var.public_subnet_ids has no value", origins=(subnets_var,)),),
        "internal": Unknown("var.internal has no value", origins=(internal_var,)),
    }
    trait = reach(context(*_private_workload_with_alb(lb_fields), address=ASG))
    assert trait is not None and trait.possible
    # unknown subnets are no doubt for an internet-facing LB (AWS requires an internet gateway):
    # only whether it is internal decides
    assert set(trait.unknowns) == {internal_var}


def test_alb_path_with_everything_known_stays_certain() -> None:
    trait = reach(context(*_private_workload_with_alb({}), address=ASG))
    assert trait is not None and not trait.possible and trait.unknowns == ()


def test_peering_route_to_an_unknown_destination_names_its_origin_and_a_known_one_stays_certain() -> None:
    peer_var = Origin("variable", "var.peer_cidr")
    peering = make(VpcPeering, "aws_vpc_peering_connection.p", vpc=ref("aws_vpc.main"))
    unknown = Unknown("var.peer_cidr has no value", origins=(peer_var,))
    db = rule("aws_security_group.web.ingress[0]", from_port=5432, cidrs=("192.168.1.0/24",))

    def reached(destination: object) -> Trait | None:
        to_peer = route(
            "aws_route_table.private.route[0]",
            destination,  # type: ignore[arg-type]
            ref("aws_vpc_peering_connection.p"),
            target_kind="vpc_peering",
        )
        ctx = context(*_private_subnet(to_peer), peering, web_group(db), instance(subnet_address="aws_subnet.private"))
        return reach(ctx)

    possible = reached(unknown)
    assert possible is not None and possible.possible and possible.unknowns == (peer_var,)
    certain = reached("192.168.0.0/16")
    assert certain is not None and not certain.possible
