"""Unknown is not "no": traits resting on values not known offline are possible, naming the
assumption and the origins deciding them; traits that hold whatever those values are stay
certain."""

from __future__ import annotations

from dataclasses import replace

from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.reachability import explain_paths
from scanner.analyses.unknowns import origins_of
from scanner.graph import build_graph, workload_contexts
from scanner.model import AutoScalingGroup, ElasticIp
from scanner.rules import internet_reachable, public_ip, vpc_reachable
from scanner.values import Origin, Unknown
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
from tests.support.rule_checks import run_checks

SUBNET_VAR = Origin("data_source", "data.aws_subnet.app")
COUNT = Origin("count", "count of aws_eip.web")
CIDR_VAR = Origin("variable", "var.allowed_cidr")
SSH_WORLD = rule("aws_security_group.web.ingress[0]", cidrs=("0.0.0.0/0",))


def context(*resources: object, address: str = "aws_instance.web") -> WorkloadContext:
    cfg = config(*resources)  # type: ignore[arg-type]
    return {c.address: c for c in workload_contexts(build_graph(cfg), cfg)}[address]


def traits(ctx: WorkloadContext, *modules: object) -> dict[str, object]:
    found, _ = run_checks(ctx, *modules)  # type: ignore[arg-type]
    return {t.rule_id: t for t in found}


def unknown_subnet() -> Unknown:
    return Unknown("data.aws_subnet.app.id is read at apply time", origins=(SUBNET_VAR,))


def test_origins_of_collects_unknowns_and_existence_once() -> None:
    eip = make(ElasticIp, "aws_eip.web", existence=Unknown("count is unknown", origins=(COUNT,)))
    value = Unknown("x", origins=(SUBNET_VAR, COUNT))
    assert origins_of(value, (eip, "literal"), None) == (SUBNET_VAR, COUNT)
    assert origins_of("subnet-0abc", ref("aws_subnet.a"), make(ElasticIp, "aws_eip.b")) == ()


def test_instance_in_a_data_source_subnet_has_a_possible_public_ip_and_reachability() -> None:
    web = replace(instance(), subnet=unknown_subnet())
    ctx = context(vpc(), group("aws_security_group.web", SSH_WORLD), web)
    found = traits(ctx, public_ip, internet_reachable)
    address = found[public_ip.ID]
    assert address.possible and address.unknowns == (SUBNET_VAR,)
    assert "data.aws_subnet.app.id is read at apply time" in address.assumptions[0]
    assert "assumed it maps public IPv4 addresses" in address.assumptions[0]
    reach = found[internet_reachable.ID]
    assert reach.possible and reach.unknowns == (SUBNET_VAR,)
    assert reach.location.address == SSH_WORLD.address
    assert any("routes internet addresses to an internet gateway" in a for a in reach.assumptions)
    gateway = [p for p in explain_paths(ctx, NetworkMemo()) if p.via == "gateway"]
    assert [p.cut for p in gateway] == [None] and gateway[0].possible


def test_instance_in_an_unknown_subnet_without_a_world_rule_stays_cut() -> None:
    closed = rule("aws_security_group.web.ingress[0]", cidrs=("10.0.0.0/8",))
    web = replace(instance(), subnet=unknown_subnet())
    ctx = context(vpc(), group("aws_security_group.web", closed), web)
    found = traits(ctx, internet_reachable)
    assert internet_reachable.ID not in found
    assert any(p.cut and "admits traffic from IPv4 internet" in p.cut for p in explain_paths(ctx, NetworkMemo()))


def test_explicit_false_public_ip_in_an_unknown_subnet_is_no_public_ip() -> None:
    web = replace(instance(), subnet=unknown_subnet(), associate_public_ip=False)
    ctx = context(vpc(), group("aws_security_group.web", SSH_WORLD), web)
    assert traits(ctx, public_ip, internet_reachable) == {}


def test_asg_with_an_unknown_subnet_beside_a_private_one_is_possible() -> None:
    asg = make(
        AutoScalingGroup,
        "aws_autoscaling_group.app",
        subnets=(ref("aws_subnet.private"), unknown_subnet()),
        attr_spans={"subnets": span()},
    )
    ctx = context(vpc(), subnet("aws_subnet.private"), asg, address="aws_autoscaling_group.app")
    address = traits(ctx, public_ip)[public_ip.ID]
    assert address.possible and address.unknowns == (SUBNET_VAR,)


def test_eip_that_may_not_exist_gives_a_possible_public_ip() -> None:
    existence = Unknown("count = var.create_eip ? 1 : 0 is unknown", origins=(COUNT,))
    eip = make(ElasticIp, "aws_eip.web", instance=ref("aws_instance.web"), existence=existence)
    private = subnet("aws_subnet.public", map_public_ip_on_launch=False)
    network = [r for r in public_network() if r.address != "aws_subnet.public"]
    ctx = context(*network, private, group("aws_security_group.web", SSH_WORLD), instance(), eip)
    found = traits(ctx, public_ip, internet_reachable)
    assert found[public_ip.ID].possible and found[public_ip.ID].unknowns == (COUNT,)
    assert "aws_eip.web may not exist" in found[public_ip.ID].assumptions[0]
    assert found[internet_reachable.ID].possible and COUNT in found[internet_reachable.ID].unknowns


def test_eip_that_may_not_exist_beside_a_public_subnet_stays_certain() -> None:
    existence = Unknown("count is unknown", origins=(COUNT,))
    eip = make(ElasticIp, "aws_eip.web", instance=ref("aws_instance.web"), existence=existence)
    ctx = context(*public_network(), group("aws_security_group.web", SSH_WORLD), instance(), eip)
    found = traits(ctx, public_ip, internet_reachable)
    assert not found[public_ip.ID].possible and found[public_ip.ID].location.message == "map_public_ip_on_launch = true"
    assert not found[internet_reachable.ID].possible


def test_certain_public_network_stays_certain_with_an_irrelevant_unknown() -> None:
    web = replace(instance(), image=Unknown("data.aws_ami.x.id", origins=(Origin("data_source", "data.aws_ami.x"),)))
    ctx = context(*public_network(), group("aws_security_group.web", SSH_WORLD), web)
    found = traits(ctx, public_ip, internet_reachable)
    assert not found[public_ip.ID].possible and not found[internet_reachable.ID].possible
    assert found[internet_reachable.ID].unknowns == () and found[internet_reachable.ID].assumptions == ()


def test_unknown_map_public_ip_names_its_origin() -> None:
    value = Unknown("var.public is unknown", origins=(Origin("variable", "var.public"),))
    network = [
        replace(r, map_public_ip_on_launch=value) if r.address == "aws_subnet.public" else r for r in public_network()
    ]
    ctx = context(*network, group("aws_security_group.web", SSH_WORLD), instance())
    address = traits(ctx, public_ip)[public_ip.ID]
    assert address.possible and address.unknowns == (Origin("variable", "var.public"),)


def test_unknown_source_cidr_is_possible_with_its_origin_unless_a_certain_rule_admits_the_same() -> None:
    unknown = Unknown("var.allowed_cidr has no value", origins=(CIDR_VAR,))
    doubtful = rule("aws_security_group.web.ingress[1]", cidrs=(unknown,))
    ctx = context(*public_network(), group("aws_security_group.web", doubtful), instance())
    reach = traits(ctx, internet_reachable)[internet_reachable.ID]
    assert reach.possible and reach.unknowns == (CIDR_VAR,)
    assert "source (unknown: var.allowed_cidr has no value) is unknown" in reach.assumptions[0]
    both = context(*public_network(), group("aws_security_group.web", SSH_WORLD, doubtful), instance())
    assert not traits(both, internet_reachable)[internet_reachable.ID].possible


def test_rule_that_may_not_exist_gives_possible_reachability() -> None:
    count = Origin("count", "count of aws_security_group_rule.ssh")
    maybe = replace(SSH_WORLD, existence=Unknown("count is unknown", origins=(count,)))
    ctx = context(*public_network(), group("aws_security_group.web", maybe), instance())
    reach = traits(ctx, internet_reachable)[internet_reachable.ID]
    assert reach.possible and reach.unknowns == (count,)
    assert any("may not exist" in a for a in reach.assumptions)


def test_nacl_deny_that_may_not_exist_does_not_cut_for_certain() -> None:
    count = Origin("condition", "BlockSsh")
    deny = acl_entry("aws_network_acl.a.ingress[0]", 10, False, existence=Unknown("Condition", origins=(count,)))
    allow = acl_entry("aws_network_acl.a.ingress[1]", 20, True)
    out = acl_entry("aws_network_acl.a.egress[0]", 10, True, egress=True)
    nacl = acl("aws_network_acl.a", deny, allow, out, subnets=("aws_subnet.public",))
    ctx = context(*public_network(), nacl, group("aws_security_group.web", SSH_WORLD), instance())
    reach = traits(ctx, internet_reachable)[internet_reachable.ID]
    assert reach.possible and count in reach.unknowns
    assert any("assumed this deny does not" in a for a in reach.assumptions)
    certain_deny = replace(deny, existence=None)
    nacl = acl("aws_network_acl.a", certain_deny, allow, out, subnets=("aws_subnet.public",))
    ctx = context(*public_network(), nacl, group("aws_security_group.web", SSH_WORLD), instance())
    assert internet_reachable.ID not in traits(ctx, internet_reachable)


def test_unknown_route_table_makes_the_gateway_path_possible() -> None:
    table_var = Origin("variable", "var.route_table_id")
    assoc = replace(
        association("aws_route_table_association.a", "x", "aws_subnet.public"),
        route_table=Unknown("var.route_table_id has no value", origins=(table_var,)),
    )
    sub = subnet("aws_subnet.public", map_public_ip_on_launch=True)
    ctx = context(vpc(), sub, assoc, group("aws_security_group.web", SSH_WORLD), instance())
    reach = traits(ctx, internet_reachable)[internet_reachable.ID]
    assert reach.possible and reach.unknowns == (table_var,)


def test_unknown_gateway_of_the_default_route_makes_the_path_possible() -> None:
    gw_var = Origin("variable", "var.igw_id")
    unknown_gw = Unknown("var.igw_id has no value", origins=(gw_var,))
    network = [
        table("aws_route_table.public", route("aws_route_table.public.route[0]", "0.0.0.0/0", unknown_gw))
        if r.address == "aws_route_table.public"
        else r
        for r in public_network()
    ]
    ctx = context(*network, group("aws_security_group.web", SSH_WORLD), instance())
    reach = traits(ctx, internet_reachable)[internet_reachable.ID]
    assert reach.possible and reach.unknowns == (gw_var,)


def test_vpc_reachable_with_an_unknown_source_names_its_origin() -> None:
    unknown = Unknown("var.allowed_cidr has no value", origins=(CIDR_VAR,))
    everything = rule("aws_security_group.web.ingress[0]", protocol="-1", from_port=0, to_port=0, cidrs=(unknown,))
    ctx = context(*public_network(), group("aws_security_group.web", everything), instance())
    found = traits(ctx, vpc_reachable)[vpc_reachable.ID]
    assert found.possible and found.unknowns == (CIDR_VAR,)
    known = replace(everything, cidrs=("10.0.0.0/16",))
    ctx = context(*public_network(), group("aws_security_group.web", known), instance())
    assert not traits(ctx, vpc_reachable)[vpc_reachable.ID].possible
