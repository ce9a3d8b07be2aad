"""Terraform resource bodies (plan-JSON shape) -> model objects."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import pytest

from scanner.adapters.raw import RawResource
from scanner.adapters.terraform import map_resources, to_model
from scanner.adapters.terraform.body import normalize_protocol
from scanner.model import (
    AclEntry,
    AutoScalingAttachment,
    AutoScalingGroup,
    EipAssociation,
    Instance,
    InstanceProfile,
    LaunchTemplate,
    Listener,
    LoadBalancer,
    NetworkAcl,
    NetworkInterface,
    Policy,
    PolicyAttachment,
    Role,
    Route,
    RouteTable,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    Vpc,
    VpnConnection,
)
from scanner.values import EncodedJson, ResourceRef, Span, SpannedDict, SpannedList, Unknown

FILE = "main.tf"


@dataclass(frozen=True)
class At:
    """A value written on a given line."""

    line: int
    value: Any


def S(line: int, end: int | None = None) -> Span:
    return Span(FILE, line, end if end is not None else line)


def block(line: int, end: int, **attrs: Any) -> SpannedDict:
    """A block/object spanning lines line..end; attribute values wrapped in At() get a line."""
    body = SpannedDict(span=S(line, end))
    for key, value in attrs.items():
        if isinstance(value, At):
            body.key_spans[key] = S(value.line)
            value = value.value
        body[key] = value
    return body


def items(*values: Any) -> SpannedList:
    result = SpannedList()
    for value in values:
        if isinstance(value, At):
            result.item_spans.append(S(value.line))
            result.append(value.value)
        else:
            result.item_spans.append(value.span if isinstance(value, SpannedDict) else None)
            result.append(value)
    return result


def raw(resource_type: str, name: str, body: SpannedDict) -> RawResource:
    assert body.span is not None
    return RawResource(f"{resource_type}.{name}", resource_type, body, body.span)


def one(resources: list[Any]) -> Any:
    assert len(resources) == 1
    return resources[0]


# --- instances ---------------------------------------------------------------------------


def test_instance_fields_and_attribute_lines() -> None:
    metadata = block(8, 11, http_tokens=At(9, "optional"), http_endpoint=At(10, "enabled"))
    body = block(
        1,
        20,
        ami=At(2, "ami-0abc"),
        subnet_id=At(3, ResourceRef("aws_subnet.public", "id")),
        vpc_security_group_ids=At(4, [ResourceRef("aws_security_group.web", "id"), "sg-0literal"]),
        associate_public_ip_address=At(5, True),
        iam_instance_profile=At(6, ResourceRef("aws_iam_instance_profile.web", "name")),
        user_data_base64=At(7, base64.b64encode(b"#!/bin/sh\necho hi\n").decode()),
        metadata_options=At(8, items(metadata)),
        tags=At(12, {"Name": "web-1"}),
    )
    instance = one(to_model(raw("aws_instance", "web", body)))
    assert isinstance(instance, Instance)
    assert instance.address == "aws_instance.web" and instance.kind == "aws_instance"
    assert instance.name == "web-1"
    assert instance.subnet == ResourceRef("aws_subnet.public", "id")
    assert instance.security_groups == (ResourceRef("aws_security_group.web", "id"), "sg-0literal")
    assert instance.associate_public_ip is True
    assert instance.image == "ami-0abc"
    assert instance.instance_profile == ResourceRef("aws_iam_instance_profile.web", "name")
    assert instance.user_data == "#!/bin/sh\necho hi\n"
    assert instance.metadata is not None
    assert instance.metadata.http_tokens == "optional" and instance.metadata.http_endpoint == "enabled"
    assert instance.metadata.span_of("http_tokens").line == 9
    assert instance.metadata.span == S(8, 11)
    expected_lines = {
        "image": 2,
        "subnet": 3,
        "security_groups": 4,
        "associate_public_ip": 5,
        "instance_profile": 6,
        "user_data": 7,
        "metadata": 8,
    }
    assert {name: instance.span_of(name).line for name in expected_lines} == expected_lines


def test_instance_unknowns_stay_unknown_and_odd_shapes_do_not_crash() -> None:
    unknown = Unknown("known after apply")
    body = block(
        1,
        9,
        subnet_id=unknown,
        vpc_security_group_ids=unknown,
        associate_public_ip_address=unknown,
        metadata_options={"http_tokens": unknown},  # a single mapping, not a list
        launch_template=[{"name": "lt-name", "version": "$Latest"}],
        security_groups="default",  # a string where a list is expected
        ipv6_addresses=["2001:db8::1", "2001:db8::2"],
        network_interface=[
            "not-a-block",
            {"network_interface_id": ResourceRef("aws_network_interface.a"), "device_index": 0},
        ],
    )
    instance = one(to_model(raw("aws_instance", "odd", body)))
    assert instance.subnet is unknown
    assert instance.security_groups == (unknown, "default")
    assert instance.associate_public_ip is unknown
    assert instance.metadata.http_tokens is unknown and instance.metadata.http_endpoint is None
    assert instance.launch_template == "lt-name"
    assert instance.ipv6_address_count == 2
    assert instance.network_interfaces == (ResourceRef("aws_network_interface.a"),)
    # plan JSON writes unset attributes as null / "" / []: all mean "not set"
    plan_like = block(
        1,
        5,
        subnet_id="",
        vpc_security_group_ids=[],
        associate_public_ip_address=None,
        metadata_options=[],
        user_data=None,
    )
    bare = one(to_model(raw("aws_instance", "bare", plan_like)))
    assert bare.subnet is None and bare.security_groups == () and bare.associate_public_ip is None
    assert bare.metadata is None and bare.user_data is None


def test_launch_template_reads_first_network_interface_and_profile_block() -> None:
    body = block(
        1,
        30,
        image_id=At(2, "ami-1"),
        vpc_security_group_ids=At(3, [ResourceRef("aws_security_group.a")]),
        iam_instance_profile=At(4, [block(4, 6, arn=At(5, ResourceRef("aws_iam_instance_profile.p", "arn")))]),
        network_interfaces=At(
            7,
            [
                block(
                    7,
                    12,
                    associate_public_ip_address=At(8, "true"),
                    subnet_id=At(9, ResourceRef("aws_subnet.s")),
                    security_groups=At(10, [ResourceRef("aws_security_group.b")]),
                    ipv6_address_count=At(11, 1),
                )
            ],
        ),
        metadata_options=At(13, [block(13, 15, http_tokens=At(14, "required"))]),
        user_data=At(16, base64.b64encode(b"echo template").decode()),
        name=At(17, "web-lt"),
    )
    template = one(to_model(raw("aws_launch_template", "web", body)))
    assert isinstance(template, LaunchTemplate) and not template.is_launch_configuration
    assert template.security_groups == (ResourceRef("aws_security_group.a"), ResourceRef("aws_security_group.b"))
    assert template.associate_public_ip is True  # the provider types it as a string
    assert template.subnet == ResourceRef("aws_subnet.s")
    assert template.ipv6_address_count == 1
    assert template.instance_profile == ResourceRef("aws_iam_instance_profile.p", "arn")
    assert template.metadata.http_tokens == "required"
    assert template.user_data == "echo template"
    assert template.name == "web-lt"
    assert template.span_of("associate_public_ip").line == 8
    assert template.span_of("security_groups").line == 3
    assert template.span_of("instance_profile").line == 4


def test_launch_configuration_is_flagged() -> None:
    body = block(
        1,
        6,
        image_id="ami-2",
        security_groups=[ResourceRef("aws_security_group.a")],
        associate_public_ip_address=At(4, False),
        iam_instance_profile="profile-name",
        user_data="#!/bin/bash",
    )
    config = one(to_model(raw("aws_launch_configuration", "old", body)))
    assert isinstance(config, LaunchTemplate) and config.is_launch_configuration
    assert config.associate_public_ip is False and config.span_of("associate_public_ip").line == 4
    assert config.instance_profile == "profile-name" and config.user_data == "#!/bin/bash"


def test_autoscaling_group_template_from_mixed_instances_policy() -> None:
    spec = block(5, 8, launch_template_id=ResourceRef("aws_launch_template.web", "id"), version="$Latest")
    body = block(
        1,
        20,
        vpc_zone_identifier=At(2, [ResourceRef("aws_subnet.a"), ResourceRef("aws_subnet.b")]),
        target_group_arns=At(3, [ResourceRef("aws_lb_target_group.tg", "arn")]),
        mixed_instances_policy=[block(4, 12, launch_template=[block(4, 11, launch_template_specification=[spec])])],
        load_balancers=["classic-lb"],
    )
    group = one(to_model(raw("aws_autoscaling_group", "web", body)))
    assert isinstance(group, AutoScalingGroup)
    assert group.launch_template == ResourceRef("aws_launch_template.web", "id")
    assert group.span_of("launch_template") == S(5, 8)
    assert group.subnets == (ResourceRef("aws_subnet.a"), ResourceRef("aws_subnet.b"))
    assert group.target_groups == (ResourceRef("aws_lb_target_group.tg", "arn"),)
    assert group.load_balancers == ("classic-lb",)
    direct = one(
        to_model(
            raw(
                "aws_autoscaling_group",
                "direct",
                block(1, 4, launch_template=At(2, [{"name": "lt", "version": "1"}]), availability_zones=["us-east-1a"]),
            )
        )
    )
    assert direct.launch_template == "lt" and direct.span_of("launch_template").line == 2
    assert direct.availability_zones == ("us-east-1a",)


# --- security groups ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("tcp", "6"),
        ("TCP", "6"),
        ("udp", "17"),
        ("icmp", "1"),
        ("icmpv6", "58"),
        ("-1", "-1"),
        ("all", "-1"),
        (-1, "-1"),
        ("6", "6"),
        (17, "17"),
        ("58", "58"),
        (None, None),
    ],
)
def test_protocols_are_normalised_to_numbers(written: Any, number: str | None) -> None:
    assert normalize_protocol(written) == number


def test_unrecognised_protocol_is_unknown() -> None:
    assert isinstance(normalize_protocol("carrier-pigeon"), Unknown)


def test_security_group_inline_rules_are_addressed_and_spanned() -> None:
    ssh = block(
        3,
        9,
        protocol=At(4, "tcp"),
        from_port=At(5, 22),
        to_port=At(6, 22),
        cidr_blocks=At(7, ["0.0.0.0/0"]),
        ipv6_cidr_blocks=At(8, ["::/0"]),
    )
    from_lb = block(
        10,
        14,
        protocol="tcp",
        from_port=80,
        to_port=80,
        security_groups=[ResourceRef("aws_security_group.lb")],
        self=True,
    )
    egress = block(
        15, 19, protocol=At(16, "-1"), from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"], prefix_list_ids=["pl-123"]
    )
    body = block(
        1,
        20,
        name=At(2, "web-sg"),
        vpc_id=ResourceRef("aws_vpc.main"),
        ingress=At(3, items(ssh, from_lb)),
        egress=At(15, items(egress)),
    )
    group = one(to_model(raw("aws_security_group", "web", body)))
    assert isinstance(group, SecurityGroup)
    assert group.name == "web-sg" and group.vpc == ResourceRef("aws_vpc.main")
    assert group.implicit_egress_all is False and group.is_default is False
    first, second, out = group.rules
    assert [rule.address for rule in group.rules] == [
        "aws_security_group.web.ingress[0]",
        "aws_security_group.web.ingress[1]",
        "aws_security_group.web.egress[0]",
    ]
    assert all(isinstance(rule, SecurityGroupRule) for rule in group.rules)
    assert first.ingress and first.protocol == "6" and (first.from_port, first.to_port) == (22, 22)
    assert first.cidrs == ("0.0.0.0/0",) and first.ipv6_cidrs == ("::/0",)
    assert first.span == S(3, 9) and first.span_of("cidrs").line == 7 and first.span_of("from_port").line == 5
    assert second.source_groups == (ResourceRef("aws_security_group.lb"),) and second.self_source
    assert not out.ingress and out.protocol == "-1" and (out.from_port, out.to_port) == (0, 65535)
    assert out.prefix_lists == ("pl-123",)
    assert one(to_model(raw("aws_default_security_group", "d", block(1, 2)))).is_default


def test_standalone_security_group_rules() -> None:
    rule = one(
        to_model(
            raw(
                "aws_security_group_rule",
                "ssh",
                block(
                    1,
                    8,
                    type=At(2, "ingress"),
                    security_group_id=At(3, ResourceRef("aws_security_group.web")),
                    protocol="tcp",
                    from_port=22,
                    to_port=22,
                    cidr_blocks=At(7, ["10.0.0.0/8"]),
                ),
            )
        )
    )
    assert rule.group == ResourceRef("aws_security_group.web") and rule.ingress
    assert rule.cidrs == ("10.0.0.0/8",) and rule.span_of("cidrs").line == 7
    egress = one(
        to_model(
            raw(
                "aws_security_group_rule",
                "out",
                block(
                    1,
                    5,
                    type="egress",
                    security_group_id="sg-1",
                    protocol="all",
                    from_port=0,
                    to_port=0,
                    source_security_group_id=ResourceRef("aws_security_group.db"),
                ),
            )
        )
    )
    assert not egress.ingress and egress.protocol == "-1" and egress.to_port == 65535
    assert egress.source_groups == (ResourceRef("aws_security_group.db"),)
    vpc_rule = one(
        to_model(
            raw(
                "aws_vpc_security_group_ingress_rule",
                "rdp",
                block(
                    1,
                    7,
                    security_group_id=ResourceRef("aws_security_group.web"),
                    cidr_ipv4=At(3, "0.0.0.0/0"),
                    ip_protocol=At(4, "tcp"),
                    from_port=3389,
                    to_port=3389,
                ),
            )
        )
    )
    assert vpc_rule.ingress and vpc_rule.protocol == "6" and vpc_rule.cidrs == ("0.0.0.0/0",)
    assert (vpc_rule.from_port, vpc_rule.to_port) == (3389, 3389) and vpc_rule.span_of("cidrs").line == 3
    vpc_egress = one(
        to_model(
            raw(
                "aws_vpc_security_group_egress_rule",
                "all",
                block(
                    1,
                    4,
                    security_group_id="sg-1",
                    referenced_security_group_id=ResourceRef("aws_security_group.x"),
                    ip_protocol="-1",
                ),
            )
        )
    )
    assert not vpc_egress.ingress and (vpc_egress.from_port, vpc_egress.to_port) == (0, 65535)
    assert vpc_egress.source_groups == (ResourceRef("aws_security_group.x"),)


# --- network ------------------------------------------------------------------------------


def test_route_table_inline_routes_and_target_kinds() -> None:
    routes = items(
        block(
            3,
            6,
            cidr_block=At(4, "0.0.0.0/0"),
            gateway_id=At(5, ResourceRef("aws_internet_gateway.igw")),
            nat_gateway_id="",
            ipv6_cidr_block="",
        ),
        block(7, 10, ipv6_cidr_block="::/0", egress_only_gateway_id=ResourceRef("aws_egress_only_internet_gateway.e")),
        block(11, 13, cidr_block="10.1.0.0/16", vpc_peering_connection_id="pcx-1"),
        block(14, 16, destination_prefix_list_id="pl-9", vpc_endpoint_id=ResourceRef("aws_vpc_endpoint.s3")),
        block(17, 19, cidr_block="10.0.0.0/16", gateway_id="local"),
        block(20, 22, cidr_block="192.168.0.0/16", local_gateway_id="lgw-1"),
    )
    table = one(
        to_model(
            raw(
                "aws_route_table",
                "public",
                block(1, 30, vpc_id=At(2, ResourceRef("aws_vpc.main")), route=routes, propagating_vgws=["vgw-1"]),
            )
        )
    )
    assert isinstance(table, RouteTable) and not table.is_main
    kinds = [
        (route.destination or route.ipv6_destination or route.prefix_list, route.target_kind) for route in table.routes
    ]
    assert kinds == [
        ("0.0.0.0/0", "gateway"),
        ("::/0", "egress_only_gateway"),
        ("10.1.0.0/16", "vpc_peering"),
        ("pl-9", "vpc_endpoint"),
        ("10.0.0.0/16", "local"),
        ("192.168.0.0/16", "other"),
    ]
    first = table.routes[0]
    assert first.address == "aws_route_table.public.route[0]" and first.route_table is None
    assert first.target == ResourceRef("aws_internet_gateway.igw") and first.span_of("target").line == 5
    assert first.ipv6_destination is None
    assert table.propagating_vgws == ("vgw-1",)


def test_default_route_table_finds_its_vpc_and_standalone_route() -> None:
    table = one(
        to_model(
            raw(
                "aws_default_route_table",
                "main",
                block(1, 3, default_route_table_id=ResourceRef("aws_vpc.main", "default_route_table_id")),
            )
        )
    )
    assert table.is_main and table.vpc == ResourceRef("aws_vpc.main", "id")
    route = one(
        to_model(
            raw(
                "aws_route",
                "nat",
                block(
                    1,
                    4,
                    route_table_id=ResourceRef("aws_route_table.private"),
                    destination_cidr_block="0.0.0.0/0",
                    nat_gateway_id=At(4, ResourceRef("aws_nat_gateway.n")),
                ),
            )
        )
    )
    assert isinstance(route, Route) and route.route_table == ResourceRef("aws_route_table.private")
    assert route.target_kind == "nat_gateway" and route.destination == "0.0.0.0/0"
    assert route.span_of("target").line == 4


def test_vpc_subnet_and_defaults() -> None:
    vpc = one(
        to_model(raw("aws_vpc", "main", block(1, 3, cidr_block="10.0.0.0/16", assign_generated_ipv6_cidr_block=True)))
    )
    assert isinstance(vpc, Vpc) and vpc.cidr_blocks == ("10.0.0.0/16",)
    assert len(vpc.ipv6_cidr_blocks) == 1 and isinstance(vpc.ipv6_cidr_blocks[0], Unknown)
    default_vpc = one(to_model(raw("aws_default_vpc", "d", block(1, 2))))
    assert default_vpc.is_default and default_vpc.cidr_blocks == ("172.31.0.0/16",)
    subnet = one(
        to_model(
            raw(
                "aws_subnet",
                "a",
                block(
                    1,
                    5,
                    vpc_id=ResourceRef("aws_vpc.main"),
                    cidr_block="10.0.1.0/24",
                    map_public_ip_on_launch=At(4, True),
                ),
            )
        )
    )
    assert isinstance(subnet, Subnet) and subnet.map_public_ip_on_launch is True
    assert subnet.span_of("map_public_ip_on_launch").line == 4 and subnet.cidr == "10.0.1.0/24"
    assert one(to_model(raw("aws_default_subnet", "d", block(1, 2, availability_zone="us-east-1a")))).is_default


def test_network_acl_entries() -> None:
    acl = one(
        to_model(
            raw(
                "aws_network_acl",
                "public",
                block(
                    1,
                    20,
                    vpc_id=ResourceRef("aws_vpc.main"),
                    subnet_ids=[ResourceRef("aws_subnet.a")],
                    ingress=[
                        block(
                            3,
                            10,
                            rule_no=At(4, 100),
                            action=At(5, "deny"),
                            protocol="tcp",
                            cidr_block="0.0.0.0/0",
                            from_port=22,
                            to_port=22,
                            ipv6_cidr_block="",
                        )
                    ],
                    egress=[
                        block(
                            11,
                            18,
                            rule_no=100,
                            action="allow",
                            protocol="-1",
                            cidr_block="0.0.0.0/0",
                            from_port=0,
                            to_port=0,
                        )
                    ],
                ),
            )
        )
    )
    assert isinstance(acl, NetworkAcl) and acl.subnets == (ResourceRef("aws_subnet.a"),)
    deny, out = acl.entries
    assert deny.address == "aws_network_acl.public.ingress[0]" and not deny.egress
    assert deny.rule_number == 100 and deny.allow is False and deny.protocol == "6" and deny.ipv6_cidr is None
    assert deny.span_of("allow").line == 5
    assert out.egress and out.allow is True and out.protocol == "-1"
    rule = one(
        to_model(
            raw(
                "aws_network_acl_rule",
                "r",
                block(
                    1,
                    8,
                    network_acl_id=ResourceRef("aws_network_acl.public"),
                    rule_number=200,
                    egress=False,
                    protocol="udp",
                    rule_action="allow",
                    cidr_block="10.0.0.0/8",
                    from_port=53,
                    to_port=53,
                ),
            )
        )
    )
    assert isinstance(rule, AclEntry) and rule.acl == ResourceRef("aws_network_acl.public")
    assert rule.protocol == "17" and rule.allow is True and rule.rule_number == 200
    default = one(
        to_model(
            raw(
                "aws_default_network_acl",
                "d",
                block(1, 3, default_network_acl_id=ResourceRef("aws_vpc.main", "default_network_acl_id")),
            )
        )
    )
    assert default.is_default and default.vpc == ResourceRef("aws_vpc.main", "id") and default.entries == ()


def test_network_interface_and_eip_association() -> None:
    eni = one(
        to_model(
            raw(
                "aws_network_interface",
                "e",
                block(
                    1,
                    6,
                    subnet_id=ResourceRef("aws_subnet.a"),
                    security_groups=[ResourceRef("aws_security_group.web")],
                    attachment=[{"instance": ResourceRef("aws_instance.web"), "device_index": 1}],
                ),
            )
        )
    )
    assert isinstance(eni, NetworkInterface) and eni.attached_instance == ResourceRef("aws_instance.web")
    association = one(
        to_model(
            raw(
                "aws_eip_association",
                "a",
                block(1, 3, allocation_id=ResourceRef("aws_eip.ip", "id"), instance_id=ResourceRef("aws_instance.web")),
            )
        )
    )
    assert isinstance(association, EipAssociation) and association.eip == ResourceRef("aws_eip.ip", "id")


def test_vpn_connection_collects_its_static_routes() -> None:
    connection = raw(
        "aws_vpn_connection",
        "office",
        block(1, 4, vpn_gateway_id=ResourceRef("aws_vpn_gateway.v"), static_routes_only=True),
    )
    route = raw(
        "aws_vpn_connection_route",
        "office",
        block(
            5, 8, vpn_connection_id=ResourceRef("aws_vpn_connection.office"), destination_cidr_block="192.168.0.0/16"
        ),
    )
    resources, errors = map_resources([route, connection])
    assert errors == []
    vpn = one([r for r in resources if isinstance(r, VpnConnection)])
    assert vpn.static_routes == ("192.168.0.0/16",) and vpn.vpn_gateway == ResourceRef("aws_vpn_gateway.v")


# --- load balancers -----------------------------------------------------------------------


def test_load_balancer_listener_and_forward_actions() -> None:
    lb = one(
        to_model(
            raw(
                "aws_lb",
                "web",
                block(
                    1,
                    6,
                    internal=At(2, False),
                    load_balancer_type="network",
                    subnets=[ResourceRef("aws_subnet.a")],
                    subnet_mapping=[{"subnet_id": ResourceRef("aws_subnet.b")}],
                    security_groups=[ResourceRef("aws_security_group.lb")],
                ),
            )
        )
    )
    assert isinstance(lb, LoadBalancer) and lb.lb_type == "network" and lb.internal is False
    assert lb.subnets == (ResourceRef("aws_subnet.a"), ResourceRef("aws_subnet.b"))
    assert one(to_model(raw("aws_alb", "x", block(1, 2)))).lb_type == "application"
    listener = one(
        to_model(
            raw(
                "aws_lb_listener",
                "http",
                block(
                    1,
                    12,
                    load_balancer_arn=ResourceRef("aws_lb.web", "arn"),
                    port="80",
                    protocol="HTTP",
                    default_action=[
                        {"type": "forward", "target_group_arn": ResourceRef("aws_lb_target_group.a", "arn")},
                        {
                            "type": "forward",
                            "forward": [
                                {
                                    "target_group": [
                                        {"arn": ResourceRef("aws_lb_target_group.b", "arn")},
                                        {"arn": ResourceRef("aws_lb_target_group.a", "arn")},
                                    ]
                                }
                            ],
                        },
                        {"type": "redirect", "target_group_arn": ResourceRef("aws_lb_target_group.ignored", "arn")},
                    ],
                ),
            )
        )
    )
    assert isinstance(listener, Listener) and listener.port == 80
    assert listener.target_groups == (
        ResourceRef("aws_lb_target_group.a", "arn"),
        ResourceRef("aws_lb_target_group.b", "arn"),
    )


def test_classic_elb_listeners_and_autoscaling_attachment() -> None:
    elb = one(
        to_model(
            raw(
                "aws_elb",
                "legacy",
                block(
                    1,
                    10,
                    subnets=["subnet-1"],
                    instances=[ResourceRef("aws_instance.web")],
                    listener=[block(3, 8, lb_port=At(4, 443), instance_port=At(5, 8443), lb_protocol="https")],
                ),
            )
        )
    )
    assert elb.lb_type == "classic" and elb.instances == (ResourceRef("aws_instance.web"),)
    listener = one(list(elb.listeners))
    assert listener.address == "aws_elb.legacy.listener[0]" and listener.port == 443
    assert listener.instance_port == 8443 and listener.span_of("instance_port").line == 5
    attachment = one(
        to_model(
            raw(
                "aws_autoscaling_traffic_source_attachment",
                "t",
                block(
                    1,
                    5,
                    autoscaling_group_name=ResourceRef("aws_autoscaling_group.web", "name"),
                    traffic_source=[{"identifier": ResourceRef("aws_lb_target_group.a", "arn"), "type": "elbv2"}],
                ),
            )
        )
    )
    assert isinstance(attachment, AutoScalingAttachment)
    assert attachment.target_group == ResourceRef("aws_lb_target_group.a", "arn") and attachment.load_balancer is None


# --- IAM --------------------------------------------------------------------------------------


ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def test_role_inline_policies_and_managed_policy_arns() -> None:
    encoded_statement = block(
        6,
        10,
        Effect=At(7, "Allow"),
        Action=At(8, ["s3:*", Unknown("var.extra")]),
        Resource=At(9, "*"),
        Condition={"Bool": {"aws:SecureTransport": "true"}},
    )
    encoded = EncodedJson("{}", block(5, 11, Version="2012-10-17", Statement=items(encoded_statement)))
    inline = items(
        block(3, 12, name="s3", policy=At(4, encoded)), block(13, 15, name="admin", policy=At(14, json.dumps(ADMIN)))
    )
    role = one(
        to_model(
            raw(
                "aws_iam_role",
                "web",
                block(
                    1,
                    20,
                    name="web-role",
                    inline_policy=At(3, inline),
                    managed_policy_arns=At(
                        16,
                        items(
                            At(17, "arn:aws:iam::aws:policy/AdministratorAccess"),
                            At(18, ResourceRef("aws_iam_policy.custom", "arn")),
                        ),
                    ),
                ),
            )
        )
    )
    assert isinstance(role, Role) and role.name == "web-role"
    s3, admin = role.inline_policies
    assert s3.address == "aws_iam_role.web.inline_policy[0]"
    statement = one(list(s3.statements))
    assert statement.span == S(6, 10) and statement.span_of("actions").line == 8
    assert statement.actions is not None and statement.actions[0] == "s3:*"
    assert isinstance(statement.actions[1], Unknown)
    assert statement.resources == ("*",) and statement.has_condition and statement.not_actions is None
    heredoc = one(list(admin.statements))
    assert heredoc.actions == ("*",) and heredoc.effect == "Allow" and heredoc.span == S(14)
    first, second = role.attachments
    assert isinstance(first, PolicyAttachment)
    assert first.policy == "arn:aws:iam::aws:policy/AdministratorAccess" and first.span == S(17)
    assert first.role == ResourceRef("aws_iam_role.web", "name")
    assert second.policy == ResourceRef("aws_iam_policy.custom", "arn") and second.span == S(18)


def test_role_permissions_boundary_with_its_line() -> None:
    role = one(
        to_model(
            raw(
                "aws_iam_role",
                "bounded",
                block(1, 5, name="bounded", permissions_boundary=At(4, ResourceRef("aws_iam_policy.boundary", "arn"))),
            )
        )
    )
    assert isinstance(role, Role)
    assert role.permissions_boundary == ResourceRef("aws_iam_policy.boundary", "arn")
    assert role.span_of("permissions_boundary") == S(4)
    literal = one(
        to_model(
            raw(
                "aws_iam_role",
                "literal",
                block(1, 3, permissions_boundary=At(2, "arn:aws:iam::aws:policy/PowerUserAccess")),
            )
        )
    )
    assert isinstance(literal, Role) and literal.permissions_boundary == "arn:aws:iam::aws:policy/PowerUserAccess"
    none = one(to_model(raw("aws_iam_role", "none", block(1, 2, name="none"))))
    assert isinstance(none, Role) and none.permissions_boundary is None


def test_statement_condition_keys_in_both_forms() -> None:
    json_form = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"iam:PassedToService": "ec2.amazonaws.com", "aws:RequestedRegion": "eu-west-1"}
                },
            }
        ]
    }
    policy = one(to_model(raw("aws_iam_policy", "json", block(1, 2, policy=json_form))))
    assert one(list(policy.statements)).conditions == (
        "StringEquals iam:PassedToService",
        "StringEquals aws:RequestedRegion",
    )
    decoded = block(
        1,
        9,
        statement=[
            block(
                2,
                8,
                actions=["iam:PassRole"],
                resources=["*"],
                condition=[{"test": "StringLike", "variable": "iam:PassedToService", "values": ["ec2.*"]}],
            )
        ],
    )
    blocks = one(to_model(raw("aws_iam_policy", "blocks", block(1, 2, policy=EncodedJson("{}", decoded)))))
    statement = one(list(blocks.statements))
    assert statement.has_condition and statement.conditions == ("StringLike iam:PassedToService",)


def test_policy_documents_that_cannot_be_read() -> None:
    bad = one(to_model(raw("aws_iam_policy", "bad", block(1, 3, policy=At(2, "{not json")))))
    assert isinstance(bad, Policy) and bad.managed and bad.statements == ()
    assert isinstance(bad.document_unknown, Unknown)
    unknown = Unknown("data.aws_iam_policy_document.x.json is only known after apply")
    later = one(
        to_model(
            raw("aws_iam_role_policy", "later", block(1, 3, role=ResourceRef("aws_iam_role.web", "id"), policy=unknown))
        )
    )
    assert later.document_unknown is unknown and later.roles == (ResourceRef("aws_iam_role.web", "id"),)
    single = one(
        to_model(
            raw(
                "aws_iam_policy",
                "single",
                block(
                    1,
                    2,
                    policy={"Statement": {"Effect": "Deny", "NotAction": "iam:*", "NotResource": ["arn:aws:s3:::b"]}},
                ),
            )
        )
    )
    statement = one(list(single.statements))
    assert statement.effect == "Deny" and statement.not_actions == ("iam:*",)
    assert statement.not_resources == ("arn:aws:s3:::b",) and statement.actions is None


def test_policy_document_data_source_block_form() -> None:
    decoded = block(1, 9, statement=[block(2, 8, actions=At(3, ["ec2:*"]), resources=["*"])])
    policy = one(to_model(raw("aws_iam_policy", "doc", block(1, 2, policy=EncodedJson("{}", decoded)))))
    statement = one(list(policy.statements))
    assert statement.effect == "Allow" and statement.actions == ("ec2:*",) and statement.span == S(2, 8)


def test_policy_attachments_and_instance_profile() -> None:
    many = to_model(
        raw(
            "aws_iam_policy_attachment",
            "admins",
            block(
                1,
                5,
                policy_arn="arn:aws:iam::aws:policy/AdministratorAccess",
                roles=At(3, items(At(3, ResourceRef("aws_iam_role.a", "name")), At(4, "literal-role"))),
            ),
        )
    )
    assert [attachment.role for attachment in many] == [ResourceRef("aws_iam_role.a", "name"), "literal-role"]
    assert [attachment.address for attachment in many] == [
        "aws_iam_policy_attachment.admins.roles[0]",
        "aws_iam_policy_attachment.admins.roles[1]",
    ]
    assert many[1].span_of("role").line == 4
    attachment = one(
        to_model(
            raw(
                "aws_iam_role_policy_attachment",
                "ssm",
                block(
                    1,
                    3,
                    role=ResourceRef("aws_iam_role.a", "name"),
                    policy_arn=At(3, "arn:aws:iam::aws:policy/PowerUserAccess"),
                ),
            )
        )
    )
    assert attachment.policy == "arn:aws:iam::aws:policy/PowerUserAccess" and attachment.span_of("policy").line == 3
    profile = one(
        to_model(raw("aws_iam_instance_profile", "p", block(1, 2, role=ResourceRef("aws_iam_role.a", "name"))))
    )
    assert isinstance(profile, InstanceProfile) and profile.roles == (ResourceRef("aws_iam_role.a", "name"),)


# --- whole configurations ----------------------------------------------------------------------


def test_map_resources_reports_errors_and_goes_on() -> None:
    class Exploding(SpannedDict):
        def get(self, key: str, default: Any = None) -> Any:
            raise RuntimeError("boom")

    broken = RawResource("aws_subnet.broken", "aws_subnet", Exploding(span=S(7, 9)), S(7, 9))
    fine = raw("aws_subnet", "fine", block(10, 12, cidr_block="10.0.0.0/24"))
    ignored = raw("aws_s3_bucket", "logs", block(13, 14, bucket="logs"))
    resources, errors = map_resources([broken, fine, ignored])
    assert [resource.address for resource in resources] == ["aws_subnet.fine"]
    assert len(errors) == 1 and errors[0].file == FILE and errors[0].line == 7
    assert "aws_subnet.broken" in errors[0].message


def test_raw_assumptions_are_carried() -> None:
    resource = RawResource(
        "aws_instance.web[0]",
        "aws_instance",
        block(1, 2),
        S(1, 2),
        assumptions=("count is unknown: assumed one instance",),
    )
    assert one(to_model(resource)).assumptions == ("count is unknown: assumed one instance",)


def test_private_addresses_written_as_literals_are_kept_and_unknown_ones_left_out() -> None:
    instance = one(
        to_model(
            raw(
                "aws_instance",
                "pinned",
                block(1, 4, private_ip=At(2, "10.0.1.5"), secondary_private_ips=At(3, ["10.0.1.6", Unknown("var")])),
            )
        )
    )
    assert isinstance(instance, Instance)
    assert instance.private_ips == ("10.0.1.5", "10.0.1.6")
    assert instance.span_of("private_ips") == S(2)  # the first line that writes one
    interface = one(
        to_model(
            raw(
                "aws_network_interface",
                "pinned",
                block(1, 3, private_ips=At(2, ["10.0.1.7", ResourceRef("aws_instance.x", "private_ip")])),
            )
        )
    )
    assert isinstance(interface, NetworkInterface) and interface.private_ips == ("10.0.1.7",)
    launched = one(to_model(raw("aws_instance", "launched", block(1, 2, ami=At(2, "ami-0abc")))))
    assert launched.private_ips == ()  # chosen at launch: nothing ties a target to it
