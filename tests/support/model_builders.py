"""Small builders for model objects used by the graph, network and reachability tests.

Every object gets its own line in a pretend ``main.tf`` so a test can check which line a
trait points at."""

from __future__ import annotations

import itertools
from typing import Any

from scanner.findings import Configuration
from scanner.model import (
    AclEntry,
    Instance,
    InternetGateway,
    NetworkAcl,
    Resource,
    Route,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    Vpc,
)
from scanner.values import ResourceRef, Span

_lines = itertools.count(1)


def span(line: int | None = None) -> Span:
    n = line if line is not None else next(_lines) * 10
    return Span("main.tf", n, n)


def ref(address: str) -> ResourceRef:
    return ResourceRef(address)


def config(*resources: Resource) -> Configuration:
    return Configuration(name=".", kind="terraform", files=["main.tf"], resources=list(resources))


def make(cls: type[Any], address: str, **fields: Any) -> Any:
    kind = fields.pop("kind", "aws_" + cls.__name__.lower())
    return cls(address=address, kind=kind, span=fields.pop("span", span()), **fields)


def vpc(address: str = "aws_vpc.main", cidr: str = "10.0.0.0/16", **fields: Any) -> Vpc:
    return make(Vpc, address, cidr_blocks=(cidr,), **fields)  # type: ignore[no-any-return]


def subnet(address: str, vpc_address: str = "aws_vpc.main", cidr: str = "10.0.1.0/24", **fields: Any) -> Subnet:
    return make(Subnet, address, vpc=ref(vpc_address), cidr=cidr, **fields)  # type: ignore[no-any-return]


def igw(address: str = "aws_internet_gateway.gw", vpc_address: str = "aws_vpc.main", **fields: Any) -> InternetGateway:
    return make(InternetGateway, address, vpc=ref(vpc_address), **fields)  # type: ignore[no-any-return]


def route(address: str, destination: str | None, target: Any, target_kind: str = "gateway", **fields: Any) -> Route:
    return make(
        Route,
        address,
        destination=destination,
        target=target,  # type: ignore[no-any-return]
        target_kind=target_kind,
        attr_spans={"target": span()},
        **fields,
    )


def table(address: str, *routes: Route, vpc_address: str = "aws_vpc.main", **fields: Any) -> RouteTable:
    return make(RouteTable, address, vpc=ref(vpc_address), routes=routes, **fields)  # type: ignore[no-any-return]


def association(address: str, table_address: str, subnet_address: str) -> RouteTableAssociation:
    return make(
        RouteTableAssociation,
        address,  # type: ignore[no-any-return]
        route_table=ref(table_address),
        subnet=ref(subnet_address),
    )


def rule(
    address: str, protocol: str = "6", from_port: int = 22, to_port: int | None = None, **fields: Any
) -> SecurityGroupRule:
    return make(
        SecurityGroupRule,
        address,
        protocol=protocol,
        from_port=from_port,  # type: ignore[no-any-return]
        to_port=from_port if to_port is None else to_port,
        attr_spans={"cidrs": span(), **fields.pop("attr_spans", {})},
        kind="ingress",
        **fields,
    )


def group(address: str, *rules: SecurityGroupRule, vpc_address: str = "aws_vpc.main", **fields: Any) -> SecurityGroup:
    return make(SecurityGroup, address, vpc=ref(vpc_address), rules=rules, **fields)  # type: ignore[no-any-return]


def acl_entry(
    address: str,
    number: int,
    allow: bool,
    protocol: str = "-1",
    from_port: int = 0,
    to_port: int = 0,
    cidr: str | None = "0.0.0.0/0",
    egress: bool = False,
    **fields: Any,
) -> AclEntry:
    return make(
        AclEntry,
        address,
        rule_number=number,
        allow=allow,
        protocol=protocol,  # type: ignore[no-any-return]
        from_port=from_port,
        to_port=to_port,
        cidr=cidr,
        egress=egress,
        kind="ingress",
        **fields,
    )


def acl(address: str, *entries: AclEntry, subnets: tuple[str, ...] = (), **fields: Any) -> NetworkAcl:
    return make(
        NetworkAcl,
        address,
        vpc=ref("aws_vpc.main"),
        entries=entries,  # type: ignore[no-any-return]
        subnets=tuple(ref(s) for s in subnets),
        **fields,
    )


def instance(
    address: str = "aws_instance.web",
    subnet_address: str | None = "aws_subnet.public",
    groups: tuple[str, ...] = ("aws_security_group.web",),
    **fields: Any,
) -> Instance:
    attr_spans = {"security_groups": span(), "subnet": span(), **fields.pop("attr_spans", {})}
    return make(
        Instance,
        address,  # type: ignore[no-any-return]
        subnet=ref(subnet_address) if subnet_address else None,
        security_groups=tuple(ref(g) for g in groups),
        attr_spans=attr_spans,
        **fields,
    )


def public_network(extra_routes: tuple[Route, ...] = ()) -> list[Resource]:
    """A VPC with an internet gateway and a public subnet associated with a table that
    routes 0.0.0.0/0 to it."""
    return [
        vpc(),
        igw(),
        subnet("aws_subnet.public", map_public_ip_on_launch=True, attr_spans={"map_public_ip_on_launch": span()}),
        table(
            "aws_route_table.public",
            route("aws_route_table.public.route[0]", "0.0.0.0/0", ref("aws_internet_gateway.gw")),
            *extra_routes,
        ),
        association("aws_route_table_association.public", "aws_route_table.public", "aws_subnet.public"),
    ]
