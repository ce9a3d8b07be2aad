"""ec2-remote-access / ec2-open-security-group: ingress rules open to the whole internet."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from scanner.findings import Trait
from scanner.model import AutoScalingGroup, Instance, LaunchTemplate, SecurityGroup, SecurityGroupRule
from scanner.options import ScanOptions
from scanner.rules import open_security_group, remote_access
from scanner.values import Origin, ResourceRef, Span, Unknown
from scanner.workload import AttachedGroup, WorkloadContext
from tests.support.rule_checks import run_checks

OPEN_SECURITY_GROUP = open_security_group.ID
REMOTE_ACCESS = remote_access.ID


def security_group_traits(ctx: WorkloadContext, authorized: frozenset[int]) -> list[Trait]:
    options = ScanOptions(root=Path("."), authorized_ports=authorized)
    return run_checks(ctx, remote_access, open_security_group, options=options)[0]


FILE = "sg.tf"
WORKLOAD = "aws_instance.web"
GROUP = "aws_security_group.web"
DEFAULT_AUTHORIZED = frozenset({80, 443})
RULE_LINE = 30
CIDR_LINE = 34
IPV6_LINE = 35
ATTACH_LINE = 5


def span(line: int, end: int | None = None) -> Span:
    return Span(FILE, line, end if end is not None else line)


def rule(
    protocol: object = "6",
    from_port: object = 22,
    to_port: object = 22,
    cidrs: tuple[object, ...] = (),
    ipv6: tuple[object, ...] = (),
    ingress: bool = True,
    sources: tuple[object, ...] = (),
    address: str = f"{GROUP}.ingress[0]",
    line: int = RULE_LINE,
) -> SecurityGroupRule:
    attr_spans = {}
    if cidrs:
        attr_spans["cidrs"] = span(line + 4)
    if ipv6:
        attr_spans["ipv6_cidrs"] = span(line + 5)
    return SecurityGroupRule(
        address=address,
        kind="ingress",
        span=span(line, line + 6),
        attr_spans=attr_spans,
        ingress=ingress,
        protocol=protocol,
        from_port=from_port,
        to_port=to_port,  # type: ignore[arg-type]
        cidrs=cidrs,
        ipv6_cidrs=ipv6,
        source_groups=sources,
    )  # type: ignore[arg-type]


def attached(*rules: SecurityGroupRule, address: str = GROUP, line: int = 20) -> AttachedGroup:
    group = SecurityGroup(address=address, kind="aws_security_group", span=span(line, line + 40), rules=rules)
    return AttachedGroup(group=group, rules=rules, attached_at=span(ATTACH_LINE))


def ctx(*groups: AttachedGroup) -> WorkloadContext:
    instance = Instance(
        address=WORKLOAD,
        kind="aws_instance",
        span=span(1, 10),
        security_groups=tuple(ResourceRef(g.group.address) for g in groups),
    )
    return WorkloadContext(workload=instance, configuration=".", security_groups=groups)


def traits_for(*rules: SecurityGroupRule, authorized: frozenset[int] = DEFAULT_AUTHORIZED) -> list[Trait]:
    return security_group_traits(ctx(attached(*rules)), authorized)


def rule_ids(traits: list[Trait]) -> list[str]:
    return sorted(t.rule_id for t in traits)


def test_ssh_from_the_internet_is_remote_access_and_an_open_group() -> None:
    # As Security Hub's EC2.13 and EC2.18 both fail on it: 22 is outside the authorised ports too.
    traits = traits_for(rule(cidrs=("0.0.0.0/0",)))
    assert rule_ids(traits) == [OPEN_SECURITY_GROUP, REMOTE_ACCESS]
    open_sg = next(t for t in traits if t.rule_id == OPEN_SECURITY_GROUP)
    assert open_sg.properties["unauthorized_ports"] == "tcp 22"
    assert open_sg.location == next(t for t in traits if t.rule_id == REMOTE_ACCESS).location  # one line fixes both
    trait = next(t for t in traits if t.rule_id == REMOTE_ACCESS)
    assert trait.workload == WORKLOAD
    assert trait.location.span == span(CIDR_LINE)
    assert trait.location.address == f"{GROUP}.ingress[0]"
    assert "allows tcp 22 from 0.0.0.0/0" in trait.message
    assert trait.properties["ports"] == "tcp 22"
    assert trait.properties["sources"] == ["0.0.0.0/0"]
    assert {e.span for e in trait.related} == {span(20, 60), span(ATTACH_LINE)}


def test_rdp_from_the_internet_is_remote_access() -> None:
    traits = traits_for(rule(from_port=3389, to_port=3389, cidrs=("0.0.0.0/0",)))
    assert rule_ids(traits) == [OPEN_SECURITY_GROUP, REMOTE_ACCESS]
    assert all("3389" in t.properties["ports"] for t in traits)


def test_every_tcp_port_is_both_traits() -> None:
    traits = traits_for(rule(from_port=0, to_port=65535, cidrs=("0.0.0.0/0",)))
    assert rule_ids(traits) == [OPEN_SECURITY_GROUP, REMOTE_ACCESS]
    remote = next(t for t in traits if t.rule_id == REMOTE_ACCESS)
    assert remote.properties["ports"] == "tcp 22, tcp 3389"
    open_sg = next(t for t in traits if t.rule_id == OPEN_SECURITY_GROUP)
    assert open_sg.properties["ports"] == "tcp 0-65535"
    assert open_sg.properties["unauthorized_ports"] == "tcp 0-79, 81-442, 444-65535"
    assert all(t.location.span == span(CIDR_LINE) for t in traits)


def test_all_traffic_is_both_traits() -> None:
    traits = traits_for(rule(protocol="-1", from_port=0, to_port=0, cidrs=("0.0.0.0/0",)))
    assert rule_ids(traits) == [OPEN_SECURITY_GROUP, REMOTE_ACCESS]
    assert all("all traffic" in t.message for t in traits)


def test_ipv6_world_points_at_the_ipv6_line() -> None:
    traits = traits_for(rule(ipv6=("::/0",)))
    assert rule_ids(traits) == [OPEN_SECURITY_GROUP, REMOTE_ACCESS]
    assert all(t.location.span == span(IPV6_LINE) for t in traits)
    assert all(t.properties["sources"] == ["::/0"] for t in traits)


def test_both_worlds_are_named() -> None:
    traits = traits_for(rule(cidrs=("10.0.0.0/8", "0.0.0.0/0"), ipv6=("::/0",)))
    assert traits[0].properties["sources"] == ["0.0.0.0/0", "::/0"]
    assert traits[0].location.span == span(CIDR_LINE)


def test_ssh_from_a_private_range_is_not_exposed() -> None:
    assert traits_for(rule(cidrs=("10.0.0.0/8",))) == []
    assert traits_for(rule(cidrs=("0.0.0.0/1",))) == []


def test_the_whole_internet_in_two_halves_is_the_world() -> None:
    lower = rule(cidrs=("0.0.0.0/1",))
    upper = rule(cidrs=("128.0.0.0/1",), address="aws_security_group_rule.upper", line=80)
    traits = traits_for(lower, upper)
    assert rule_ids(traits) == [OPEN_SECURITY_GROUP, REMOTE_ACCESS]
    remote = next(t for t in traits if t.rule_id == REMOTE_ACCESS)
    assert remote.properties["ports"] == "tcp 22"
    assert remote.properties["sources"] == ["0.0.0.0/1", "128.0.0.0/1"]
    assert remote.location.span == span(CIDR_LINE)  # the first rule; the other is related
    assert [e.address for e in remote.related] == ["aws_security_group_rule.upper"]


def test_pieces_that_skip_only_private_space_still_cover_the_internet() -> None:
    # Everything but 10.0.0.0/8: private space never arrives from the internet.
    pieces = (
        "0.0.0.0/5",
        "8.0.0.0/7",
        "11.0.0.0/8",
        "12.0.0.0/6",
        "16.0.0.0/4",
        "32.0.0.0/3",
        "64.0.0.0/2",
        "128.0.0.0/1",
    )
    assert rule_ids(traits_for(rule(cidrs=pieces))) == [OPEN_SECURITY_GROUP, REMOTE_ACCESS]


def test_pieces_leaving_a_public_range_out_are_not_the_world() -> None:
    pieces = ("0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2")  # 192.0.0.0/2 is missing
    assert traits_for(rule(cidrs=pieces)) == []


def test_https_from_the_internet_is_authorized() -> None:
    assert traits_for(rule(from_port=443, to_port=443, cidrs=("0.0.0.0/0",))) == []
    assert traits_for(rule(from_port=80, to_port=80, cidrs=("0.0.0.0/0",))) == []


def test_authorized_ports_are_configurable() -> None:
    traits = traits_for(rule(from_port=8080, to_port=8080, cidrs=("0.0.0.0/0",)))
    assert rule_ids(traits) == [OPEN_SECURITY_GROUP]
    assert traits_for(rule(from_port=8080, to_port=8080, cidrs=("0.0.0.0/0",)), authorized=frozenset({8080})) == []


def test_range_between_authorized_ports_is_open() -> None:
    traits = traits_for(rule(from_port=80, to_port=443, cidrs=("0.0.0.0/0",)))
    assert rule_ids(traits) == [OPEN_SECURITY_GROUP]
    assert traits[0].properties["unauthorized_ports"] == "tcp 81-442"


def test_udp_dns_from_the_internet_is_an_open_group() -> None:
    traits = traits_for(rule(protocol="17", from_port=53, to_port=53, cidrs=("0.0.0.0/0",)))
    assert rule_ids(traits) == [OPEN_SECURITY_GROUP]
    assert "udp 53" in traits[0].message
    assert traits[0].location.span == span(CIDR_LINE)


def test_udp_on_an_authorized_port_number_is_not_authorized() -> None:
    assert rule_ids(traits_for(rule(protocol="17", from_port=443, to_port=443, cidrs=("0.0.0.0/0",)))) == [
        OPEN_SECURITY_GROUP
    ]


def test_udp_22_is_not_remote_access() -> None:
    assert rule_ids(traits_for(rule(protocol="17", cidrs=("0.0.0.0/0",)))) == [OPEN_SECURITY_GROUP]


def test_icmp_from_the_internet_is_an_open_group() -> None:
    traits = traits_for(rule(protocol="1", from_port=-1, to_port=-1, cidrs=("0.0.0.0/0",)))
    assert rule_ids(traits) == [OPEN_SECURITY_GROUP]


def test_range_covering_ssh_and_more() -> None:
    traits = traits_for(rule(from_port=20, to_port=23, cidrs=("0.0.0.0/0",)))
    assert rule_ids(traits) == [OPEN_SECURITY_GROUP, REMOTE_ACCESS]


def test_rule_from_another_group_never_fires() -> None:
    assert (
        traits_for(rule(protocol="-1", from_port=0, to_port=0, sources=(ResourceRef("aws_security_group.lb"),))) == []
    )


def test_egress_to_the_internet_never_fires() -> None:
    assert traits_for(rule(protocol="-1", from_port=0, to_port=0, cidrs=("0.0.0.0/0",), ingress=False)) == []


@pytest.mark.parametrize("unknown_field", ["protocol", "from_port"])
def test_unknown_ports_do_not_fire(unknown_field: str) -> None:
    values: dict[str, object] = {"cidrs": ("0.0.0.0/0",), unknown_field: Unknown("var.x")}
    assert traits_for(rule(**values)) == []  # type: ignore[arg-type]


OFFICE = Origin("variable", "var.office_cidr", fill_in="--var office_cidr=...")


def test_an_unknown_source_is_a_possible_world_rule_naming_its_origin() -> None:
    traits = traits_for(rule(cidrs=(Unknown("var.office_cidr has no value", origins=(OFFICE,)),)))
    assert rule_ids(traits) == [OPEN_SECURITY_GROUP, REMOTE_ACCESS]
    for trait in traits:
        assert trait.possible and trait.unknowns == (OFFICE,)
        assert "assumed it is the whole internet" in trait.assumptions[0]


def test_world_next_to_an_unknown_cidr_is_certain() -> None:
    traits = traits_for(rule(cidrs=(Unknown("var.office_cidr has no value", origins=(OFFICE,)), "0.0.0.0/0")))
    assert rule_ids(traits) == [OPEN_SECURITY_GROUP, REMOTE_ACCESS]
    assert not any(t.possible for t in traits)


def test_a_world_rule_that_may_not_exist_is_possible() -> None:
    count = Origin("count", "count of aws_security_group_rule.ssh")
    maybe = replace(rule(cidrs=("0.0.0.0/0",)), existence=Unknown("count is unknown", origins=(count,)))
    traits = traits_for(maybe)
    assert rule_ids(traits) == [OPEN_SECURITY_GROUP, REMOTE_ACCESS]
    assert all(t.possible and t.unknowns == (count,) for t in traits)


def test_each_rule_is_its_own_trait_and_groups_attached_twice_count_once() -> None:
    ssh = rule(cidrs=("0.0.0.0/0",))
    dns = rule(
        protocol="17", from_port=53, to_port=53, cidrs=("0.0.0.0/0",), address="aws_security_group_rule.dns", line=80
    )
    group = attached(ssh, dns)
    traits = security_group_traits(ctx(group, group), DEFAULT_AUTHORIZED)
    assert sorted((t.rule_id, t.location.span.line) for t in traits) == [
        (OPEN_SECURITY_GROUP, CIDR_LINE),
        (OPEN_SECURITY_GROUP, 84),
        (REMOTE_ACCESS, CIDR_LINE),
    ]
    assert next(t for t in traits if t.location.span == span(84)).location.address == "aws_security_group_rule.dns"


def test_group_attached_through_a_launch_template() -> None:
    template = LaunchTemplate(address="aws_launch_template.app", kind="aws_launch_template", span=span(1, 15))
    asg = AutoScalingGroup(address="aws_autoscaling_group.app", kind="aws_autoscaling_group", span=span(100, 110))
    context = WorkloadContext(
        workload=asg,
        configuration=".",
        launch_template=template,
        security_groups=(attached(rule(cidrs=("0.0.0.0/0",))),),
    )
    trait = security_group_traits(context, DEFAULT_AUTHORIZED)[0]
    assert trait.workload == "aws_autoscaling_group.app"
    assert any(e.address == "aws_launch_template.app" and e.span == span(ATTACH_LINE) for e in trait.related)
    assert [s.kind for s in trait.path] == ["internet", "security_group", "security_group_rule", "auto_scaling_group"]


def test_protocol_names_are_accepted() -> None:
    assert rule_ids(traits_for(rule(protocol="tcp", cidrs=("0.0.0.0/0",)))) == [OPEN_SECURITY_GROUP, REMOTE_ACCESS]
    assert rule_ids(traits_for(rule(protocol="all", from_port=None, to_port=None, cidrs=("::/0",)))) == [
        OPEN_SECURITY_GROUP,
        REMOTE_ACCESS,
    ]
