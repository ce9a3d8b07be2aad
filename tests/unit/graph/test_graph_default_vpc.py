"""The default VPC reached through data sources, and default subnets that name no VPC: their
routes (the default VPC's main table: 0.0.0.0/0 to its internet gateway), network ACL (the
default one) and default security group."""

from __future__ import annotations

from scanner.graph import DEFAULT_VPC, build_graph, workload_contexts
from scanner.model import Instance, Subnet, Vpc
from scanner.values import ResourceRef, Unknown
from scanner.workload import WorkloadContext
from tests.support.model_builders import config, group, instance, make, rule, span


def contexts(*resources: object) -> dict[str, WorkloadContext]:
    cfg = config(*resources)  # type: ignore[arg-type]
    return {c.address: c for c in workload_contexts(build_graph(cfg), cfg)}


def data_vpc() -> Vpc:
    return make(Vpc, "data.aws_vpc.default", kind="data.aws_vpc", cidr_blocks=("172.31.0.0/16",), is_default=True)


def test_a_subnet_of_the_default_vpc_data_source_uses_its_main_table_and_default_acl() -> None:
    unknown = Unknown("data.aws_subnets.default selects subnets of the default VPC by its id only")
    subnets = make(
        Subnet,
        "data.aws_subnets.default",
        kind="data.aws_subnets",
        vpc=ResourceRef("data.aws_vpc.default", "id"),
        cidr=Unknown("read at apply"),
        map_public_ip_on_launch=unknown,
        stands_for="any subnet of the default VPC",
    )
    ids = Unknown(
        "data.aws_subnets.default.ids is read at apply time", (ResourceRef("data.aws_subnets.default", "ids"),)
    )
    web = make(Instance, "aws_instance.web", kind="aws_instance", subnet=ids)
    ctx = contexts(data_vpc(), subnets, web)["aws_instance.web"]
    (placement,) = ctx.placements
    assert placement.subnet is subnets and not placement.default_vpc
    assert placement.vpc is not None and placement.vpc.address == "data.aws_vpc.default"
    assert [(r.route.destination, r.target_kind) for r in placement.routes] == [("0.0.0.0/0", "internet_gateway")]
    assert placement.network_acl is None and placement.acl_entries == ()  # the default ACL: allow all
    assert placement.vpc_cidrs == ("172.31.0.0/16",)
    # no group: the default VPC's default security group
    (sg,) = ctx.security_groups
    assert sg.group.is_default and sg.group.address == "data.aws_vpc.default#default-sg"


def test_a_default_subnet_naming_no_vpc_is_in_the_default_vpc() -> None:
    az = make(Subnet, "data.aws_subnet.az", kind="data.aws_subnet", is_default=True, cidr=Unknown("read at apply"))
    legacy = make(Subnet, "aws_default_subnet.b", kind="aws_default_subnet", is_default=True)
    resources = [
        az,
        legacy,
        group("aws_security_group.ssh", rule("aws_security_group.ssh.ingress[0]", cidrs=("0.0.0.0/0",))),
        instance("aws_instance.a", subnet_address="data.aws_subnet.az", groups=("aws_security_group.ssh",)),
        instance("aws_instance.b", subnet_address="aws_default_subnet.b", groups=()),
    ]
    graph = build_graph(config(*resources))
    assert DEFAULT_VPC in graph
    found = contexts(*resources)
    for address, subnet in (("aws_instance.a", az), ("aws_instance.b", legacy)):
        (placement,) = found[address].placements
        assert placement.subnet is subnet and placement.vpc is None and not placement.default_vpc
        assert [(r.route.destination, r.target_kind) for r in placement.routes] == [("0.0.0.0/0", "internet_gateway")]
        assert placement.vpc_cidrs == ("172.31.0.0/16",)
    (sg,) = found["aws_instance.b"].security_groups
    assert sg.group.address == "default-vpc#default-sg"


def test_a_default_subnet_joins_the_default_vpc_the_configuration_writes() -> None:
    written = make(Vpc, "aws_default_vpc.this", kind="aws_default_vpc", cidr_blocks=("172.31.0.0/16",), is_default=True)
    az = make(Subnet, "data.aws_subnet.az", kind="data.aws_subnet", is_default=True, span=span())
    ctx = contexts(written, az, instance("aws_instance.a", subnet_address="data.aws_subnet.az", groups=()))
    (placement,) = ctx["aws_instance.a"].placements
    assert placement.vpc is written
    assert [(r.route.destination, r.target_kind) for r in placement.routes] == [("0.0.0.0/0", "internet_gateway")]
