"""Terraform data sources that stand for the default VPC and its subnets -> model.

AWS gives each region one default VPC, 172.31.0.0/16, with a default subnet in each
Availability Zone: its main route table sends 0.0.0.0/0 to its internet gateway, its default
network ACL allows all traffic, and its default subnets give the instances launched in them
public IPv4 addresses (AWS, "Default VPCs"). A configuration reaches it through data sources
(``data "<type>" "<name>"`` reaches the mappers as the RawResource type ``data.<type>``):

* ``data "aws_vpc"`` with ``default = true`` (or a filter ``is-default`` / ``isDefault`` of
  "true") is the default VPC: a ``Vpc`` with ``is_default``, CIDR 172.31.0.0/16;
* ``data "aws_subnet"`` with ``default_for_az = true``, or a subnet data source
  (``aws_subnet``, ``aws_subnets``, ``aws_subnet_ids``) filtered on ``default-for-az`` /
  ``defaultForAz`` = "true", stands for default subnets: a ``Subnet`` with ``is_default``
  (public IPv4 addresses; in the default VPC even when no VPC is named);
* a subnet data source that selects subnets of a default VPC above (or of an
  ``aws_default_vpc``) by its id (``vpc_id``, or a filter ``vpc-id``) and nothing says are
  default subnets stands for any subnet of the default VPC: its routes and network ACL are
  the default VPC's main table's and default ACL's, but it may be a subnet a user added, so
  ``map_public_ip_on_launch`` is Unknown, naming the data source (a filter
  ``map-public-ip-on-launch`` of "true" / "false" says it);
* anything else (a VPC or a subnet chosen by id, tag or CIDR in another VPC) is not
  modelled: a reference to it stays unknown, as every other data source's does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.adapters.raw import RawResource
from scanner.adapters.terraform.body import Body, base_fields
from scanner.model import MaybeBool, Resource, Subnet, Vpc
from scanner.values import ResourceRef, Unknown

DEFAULT_VPC_CIDR = "172.31.0.0/16"
VPC_DATA = "data.aws_vpc"
SUBNET_DATA = frozenset({"data.aws_subnet", "data.aws_subnets", "data.aws_subnet_ids"})
DEFAULT_VPC_RESOURCE = "aws_default_vpc"


def is_default_vpc_query(body: Mapping[str, Any]) -> bool:
    """Does this ``data "aws_vpc"`` body (evaluated arguments) select the default VPC?"""
    if body.get("default") is True:
        return True
    return _filter_flag(body, ("is-default", "isDefault")) is True


def default_vpc_addresses(raws: Iterable[RawResource]) -> frozenset[str]:
    """The addresses that stand for the default VPC: ``aws_default_vpc`` resources and
    ``data "aws_vpc"`` that select it."""
    return frozenset(
        raw.address
        for raw in raws
        if raw.type == DEFAULT_VPC_RESOURCE or (raw.type == VPC_DATA and is_default_vpc_query(raw.body))
    )


def map_vpc_data(raw: RawResource, body: Body) -> list[Resource]:
    """``data "aws_vpc"``: the default VPC when it selects it, else nothing."""
    if not is_default_vpc_query(raw.body):
        return []
    body.get("default", "is_default")
    body.get("filter", "is_default")
    return [Vpc(cidr_blocks=(DEFAULT_VPC_CIDR,), is_default=True, **base_fields(raw, body))]


def map_subnet_data(raw: RawResource, body: Body, default_vpcs: frozenset[str]) -> list[Resource]:
    """A subnet data source, when it stands for subnets of the default VPC (see the module)."""
    named = [*_vpc_ids(body.get("vpc_id")), *_vpc_ids(_filter_values(raw.body, ("vpc-id", "vpcId")))]
    vpc_refs = [ref for ref in named if ref is not None and ref in default_vpcs]
    if len(vpc_refs) != len(named):
        return []  # a VPC the scan does not know is the default one
    default_for_az = body.get("default_for_az")
    if not isinstance(default_for_az, bool):
        default_for_az = _filter_flag(raw.body, ("default-for-az", "defaultForAz"))
    if not vpc_refs and default_for_az is not True:
        return []  # nothing ties it to the default VPC
    is_default = default_for_az is True
    vpc = ResourceRef(vpc_refs[0], "id") if vpc_refs else None
    public: MaybeBool = _filter_flag(raw.body, ("map-public-ip-on-launch", "mapPublicIpOnLaunch"))
    if public is not None:
        body.get("filter", "map_public_ip_on_launch")
    elif is_default:
        _span_at(body, "default_for_az", "map_public_ip_on_launch")  # AWS's default for default subnets: true
    else:
        reason = (
            "subnets of the default VPC that are not its default subnets: whether they map public IPv4 addresses"
            if default_for_az is False
            else "subnets of the default VPC by its id only: its default subnets map public IPv4 addresses, "
            "subnets added to it may not; which one it reads"
        )
        public = Unknown(f"{raw.address} selects {reason} is known at apply")
        _span_at(body, "vpc_id", "map_public_ip_on_launch")
    cidr = body.text("cidr_block", "cidr") or Unknown(f"the CIDR of the subnet {raw.address} reads is known at apply")
    stands_for = "a default subnet of the default VPC" if is_default else "any subnet of the default VPC"
    return [
        Subnet(
            vpc=vpc,
            cidr=cidr,
            map_public_ip_on_launch=public,
            is_default=is_default,
            stands_for=stands_for,
            **base_fields(raw, body),
        )
    ]


def _span_at(body: Body, key: str, field: str) -> None:
    """``field``'s line: the argument ``key`` when written, else the filter blocks."""
    if body.get(key, field) is None:
        body.get("filter", field)


def _filter_values(body: Mapping[str, Any], names: tuple[str, ...]) -> list[Any] | None:
    """The values of the ``filter`` blocks named one of ``names`` (None: no such filter)."""
    filters = body.get("filter")
    if not isinstance(filters, list):
        return None
    found: list[Any] | None = None
    for block in filters:
        if isinstance(block, Mapping) and block.get("name") in names:
            values = block.get("values")
            found = (found or []) + (list(values) if isinstance(values, list) else [values])
    return found


def _filter_flag(body: Mapping[str, Any], names: tuple[str, ...]) -> bool | None:
    """A filter on a true/false attribute: True or False when its values say one thing, else None."""
    values = _filter_values(body, names)
    if not values:
        return None
    texts = {v.strip().lower() if isinstance(v, str) else v for v in values}
    if texts == {"true"} or texts == {True}:
        return True
    if texts == {"false"} or texts == {False}:
        return False
    return None


def _vpc_ids(value: Any) -> list[str | None]:
    """The addresses of the resources a VPC id refers to (None for an id that names none: a
    literal ``vpc-...``, a variable): ``vpc_id`` or the values of a ``vpc-id`` filter."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out: list[str | None] = []
    for item in items:
        refs: tuple[ResourceRef, ...] = ()
        if isinstance(item, ResourceRef):
            refs = (item,)
        elif isinstance(item, Unknown):
            refs = tuple(r for r in item.refs if r.attribute == "id")
        out.extend([r.address for r in refs] or [None])
    return out
