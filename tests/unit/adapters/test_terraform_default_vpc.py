"""Data sources that stand for the default VPC and its subnets -> model objects; every other
data source maps to nothing (a reference to it stays unknown)."""

from __future__ import annotations

from typing import Any

from scanner.adapters.raw import RawResource
from scanner.adapters.terraform import map_resources
from scanner.model import Resource, Subnet, Vpc
from scanner.values import ResourceRef, Span, SpannedDict, SpannedList, Unknown


def body(line: int, end: int, **attrs: Any) -> SpannedDict:
    """A block on lines line..end; each attribute on its own line after the first."""
    out = SpannedDict(span=Span("main.tf", line, end))
    for offset, (key, value) in enumerate(attrs.items(), start=1):
        out[key] = value
        out.key_spans[key] = Span("main.tf", line + offset, line + offset)
    return out


def filters(line: int, *pairs: tuple[str, list[Any]]) -> SpannedList:
    blocks = SpannedList(span=Span("main.tf", line, line + 3 * len(pairs)))
    for i, (name, values) in enumerate(pairs):
        blocks.append(body(line + 3 * i, line + 3 * i + 2, name=name, values=values))
        blocks.item_spans.append(Span("main.tf", line + 3 * i, line + 3 * i + 2))
    return blocks


def data(data_type: str, name: str, content: SpannedDict) -> RawResource:
    assert content.span is not None
    return RawResource(f"data.{data_type}.{name}", f"data.{data_type}", content, content.span)


def mapped(*raws: RawResource) -> dict[str, Resource]:
    resources, errors = map_resources(raws)
    assert errors == []
    return {r.address: r for r in resources}


DEFAULT_VPC = data("aws_vpc", "default", body(1, 3, default=True))
VPC_ID = Unknown("data.aws_vpc.default.id is read at apply time", (ResourceRef("data.aws_vpc.default", "id"),))


def test_the_default_vpc_data_source_is_the_default_vpc() -> None:
    by_filter = data("aws_vpc", "by_filter", body(5, 9, filter=filters(6, ("is-default", ["true"]))))
    tagged = data("aws_vpc", "tagged", body(11, 13, tags={"Name": "shared"}))
    found = mapped(DEFAULT_VPC, by_filter, tagged)
    vpc = found["data.aws_vpc.default"]
    assert isinstance(vpc, Vpc) and vpc.is_default and vpc.cidr_blocks == ("172.31.0.0/16",)
    assert vpc.kind == "data.aws_vpc" and vpc.span_of("is_default").line == 2
    assert isinstance(found["data.aws_vpc.by_filter"], Vpc)
    assert "data.aws_vpc.tagged" not in found  # not known to be the default VPC: not modelled


def test_subnets_selected_by_the_default_vpc_id_may_not_map_public_addresses() -> None:
    subnets = data("aws_subnets", "default", body(5, 10, filter=filters(6, ("vpc-id", [VPC_ID]))))
    found = mapped(DEFAULT_VPC, subnets)
    subnet = found["data.aws_subnets.default"]
    assert isinstance(subnet, Subnet)
    assert subnet.vpc == ResourceRef("data.aws_vpc.default", "id")
    assert not subnet.is_default and subnet.stands_for == "any subnet of the default VPC"
    assert isinstance(subnet.map_public_ip_on_launch, Unknown)
    assert "data.aws_subnets.default" in subnet.map_public_ip_on_launch.reason
    assert subnet.span_of("map_public_ip_on_launch").line == 6  # the filter naming the VPC
    assert isinstance(subnet.cidr, Unknown)


def test_default_subnets_map_public_addresses() -> None:
    one = data("aws_subnet", "az", body(5, 8, availability_zone="us-east-1a", default_for_az=True))
    filtered = data(
        "aws_subnets",
        "defaults",
        body(10, 20, filter=filters(11, ("vpc-id", [VPC_ID]), ("default-for-az", ["true"]))),
    )
    found = mapped(DEFAULT_VPC, one, filtered)
    az = found["data.aws_subnet.az"]
    assert isinstance(az, Subnet) and az.is_default and az.vpc is None  # the default VPC: no VPC named
    assert az.map_public_ip_on_launch is None  # AWS's default for a default subnet: public addresses
    assert az.span_of("map_public_ip_on_launch").line == 7  # default_for_az = true
    defaults = found["data.aws_subnets.defaults"]
    assert isinstance(defaults, Subnet) and defaults.is_default
    assert defaults.vpc == ResourceRef("data.aws_vpc.default", "id")
    assert defaults.stands_for == "a default subnet of the default VPC"


def test_filters_on_public_addresses_and_the_legacy_subnet_ids() -> None:
    private = data(
        "aws_subnet_ids",
        "private",
        body(5, 12, vpc_id=VPC_ID, filter=filters(7, ("map-public-ip-on-launch", ["false"]))),
    )
    added = data(
        "aws_subnets",
        "added",
        body(14, 20, filter=filters(15, ("vpc-id", [VPC_ID]), ("default-for-az", ["false"]))),
    )
    not_default = data("aws_subnet", "not_default", body(22, 25, vpc_id=VPC_ID, default_for_az=False))
    found = mapped(DEFAULT_VPC, private, added, not_default)
    assert "not its default subnets" in found["data.aws_subnet.not_default"].map_public_ip_on_launch.reason  # type: ignore[attr-defined]
    assert found["data.aws_subnet_ids.private"].map_public_ip_on_launch is False  # type: ignore[attr-defined]
    reason = found["data.aws_subnets.added"].map_public_ip_on_launch.reason  # type: ignore[attr-defined]
    assert "not its default subnets" in reason


def test_subnets_of_another_vpc_or_by_id_are_not_modelled() -> None:
    shared_id = Unknown("data.aws_vpc.shared.id is read at apply time", (ResourceRef("data.aws_vpc.shared", "id"),))
    shared = data("aws_vpc", "shared", body(1, 3, tags={"Name": "shared"}))
    raws = [
        shared,
        data("aws_subnets", "shared", body(5, 9, filter=filters(6, ("vpc-id", [shared_id])))),
        data("aws_subnet", "literal", body(11, 13, vpc_id="vpc-0abc", availability_zone="us-east-1a")),
        data("aws_subnet", "by_id", body(15, 16, id="subnet-0abc")),
        data("aws_subnets", "mixed", body(18, 22, filter=filters(19, ("vpc-id", [VPC_ID, shared_id])))),
        data("aws_ami", "ubuntu", body(24, 26, most_recent=True)),
        DEFAULT_VPC,
    ]
    assert set(mapped(*raws)) == {"data.aws_vpc.default"}


def test_an_aws_default_vpc_resource_counts_as_the_default_vpc() -> None:
    default_vpc = RawResource("aws_default_vpc.this", "aws_default_vpc", body(1, 2), Span("main.tf", 1, 2))
    subnets = data(
        "aws_subnets",
        "in_default",
        body(4, 8, filter=filters(5, ("vpc-id", [ResourceRef("aws_default_vpc.this", "id")]))),
    )
    found = mapped(default_vpc, subnets)
    subnet = found["data.aws_subnets.in_default"]
    assert isinstance(subnet, Subnet) and subnet.vpc == ResourceRef("aws_default_vpc.this", "id")
