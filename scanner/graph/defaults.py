"""AWS's implicit behaviour, made explicit in the graph here and only here.

* an instance with no subnet (none on its ENIs or launch template either) runs in the
  default VPC: node ``default-vpc`` (public subnets, main table routes 0.0.0.0/0 to the
  default internet gateway, default NACL allows all; CIDR 172.31.0.0/16 unless an
  ``is_default`` VPC is written);
* a default subnet that names no VPC (aws_default_subnet, a data source selecting default
  subnets) is in the default VPC: the ``is_default`` VPC written (aws_default_vpc, a data
  source selecting it), else ``default-vpc``;
* a subnet with no route table association uses its VPC's main table
  (aws_default_route_table / aws_main_route_table_association, else the implicit
  ``<vpc>#main-route-table`` with only the local route; a default VPC's implicit main
  table also routes 0.0.0.0/0 to the VPC's internet gateway);
* a subnet with no NACL association uses its VPC's default NACL (aws_default_network_acl,
  else the implicit ``<vpc>#default-nacl`` that allows everything);
* a workload in a VPC with no security group gets the VPC's default group
  (aws_default_security_group as written, else ``<vpc>#default-sg``: inbound from itself
  only, all egress); so does an instance naming the group ``default`` when no group of
  that name is written, and an ALB or classic LB with no group.

The builder decides when a default applies (``scanner.graph.build``); ``AwsDefaults``
finds the written default or adds the implicit one.
"""

from __future__ import annotations

from functools import cached_property

from scanner.graph.core import DEFAULT_VPC, INTERNET, GraphWriter
from scanner.model import (
    InternetGateway,
    LoadBalancer,
    MainRouteTableAssociation,
    NetworkAcl,
    Resource,
    Route,
    RouteTable,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    Vpc,
)
from scanner.values import ResourceRef, Span

DEFAULT_VPC_IGW = "default-vpc#internet-gateway"
DEFAULT_VPC_CIDR = "172.31.0.0/16"  # every region's default VPC


def main_table_node(vpc: str) -> str:
    return f"{vpc}#main-route-table"


def default_nacl_node(vpc: str) -> str:
    return f"{vpc}#default-nacl"


def default_sg_node(vpc: str) -> str:
    return f"{vpc}#default-sg"


class AwsDefaults:
    """The defaults of one graph being built (``objects``: every model object in it)."""

    def __init__(self, writer: GraphWriter, objects: list[Resource]) -> None:
        self.writer = writer
        self.graph = writer.graph
        self.objects = objects
        # VPC -> its default security group, found once: every workload without groups asks, and
        # the default VPC's in_vpc edges grow with its workloads (a scan per call is quadratic)
        self.default_sgs: dict[str, str] = {}

    def main_table(self, vpc: str, span: Span | None = None) -> str:
        w = self.writer
        for assoc, _ in w.into(vpc, "in_vpc"):
            if isinstance(w.obj(assoc), MainRouteTableAssociation):
                for table, _ in w.out(assoc, "attaches"):
                    return table
        for table, _ in w.into(vpc, "in_vpc"):
            found = w.obj(table)
            if isinstance(found, RouteTable) and found.is_main:
                return table
        node = main_table_node(vpc)
        if node not in self.graph:
            w.add_node(node, None, "implicit_main_route_table")
            w.edge(node, vpc, "in_vpc", None)
            vpc_obj = w.obj(vpc)
            if vpc == DEFAULT_VPC or (isinstance(vpc_obj, Vpc) and vpc_obj.is_default):
                route_span = span or (vpc_obj.span if vpc_obj is not None else None)
                if route_span is not None:
                    self.add_default_vpc_routes(vpc, node, route_span)
        return node

    def default_acl(self, vpc: str) -> str:
        w = self.writer
        for acl, _ in w.into(vpc, "in_vpc"):
            found = w.obj(acl)
            if isinstance(found, NetworkAcl) and found.is_default:
                return acl
        node = default_nacl_node(vpc)
        if node not in self.graph:
            w.add_node(node, None, "implicit_default_network_acl")
            w.edge(node, vpc, "in_vpc", None)
        return node

    def default_sg(self, vpc: str, span: Span) -> str:
        """Called only after every reference is linked, so the groups of ``vpc`` are all known."""
        known = self.default_sgs.get(vpc)
        if known is None:
            known = self.default_sgs[vpc] = self._default_sg(vpc, span)
        return known

    def _default_sg(self, vpc: str, span: Span) -> str:
        w = self.writer
        for sg, _ in w.into(vpc, "in_vpc"):
            found = w.obj(sg)
            if isinstance(found, SecurityGroup) and found.is_default:
                return sg
        node = default_sg_node(vpc)
        if node not in self.graph:
            self_rule = SecurityGroupRule(
                address=f"{node}.ingress[0]",
                kind="implicit_rule",
                span=span,
                protocol="-1",
                from_port=0,
                to_port=65535,
                self_source=True,
            )
            egress = SecurityGroupRule(
                address=f"{node}.egress[0]",
                kind="implicit_rule",
                span=span,
                ingress=False,
                protocol="-1",
                from_port=0,
                to_port=65535,
                cidrs=("0.0.0.0/0",),
            )
            group = SecurityGroup(
                address=node,
                kind="implicit_default_security_group",
                span=span,
                name="default",
                vpc=ResourceRef(vpc),
                rules=(self_rule, egress),
                is_default=True,
            )
            w.add_node(node, group, group.kind)
            w.edge(node, vpc, "in_vpc", None)
            for rule in group.rules:
                w.add_node(rule.address, rule, rule.kind)
                w.edge(node, rule.address, "has_rule", None)
        return node

    @cached_property
    def written_default_vpc(self) -> Vpc | None:
        """The default VPC as the configuration writes it (aws_default_vpc, a data source), if it does."""
        return next((o for o in self.objects if isinstance(o, Vpc) and o.is_default), None)

    def place_default_subnet(self, subnet: Subnet) -> str:
        """A default subnet that names no VPC is in the default VPC: the written one, else
        ``default-vpc``. Returns that VPC's node, linked from the subnet."""
        written = self.written_default_vpc
        if written is not None:
            vpc = written.address
        else:
            self.add_default_vpc(subnet.span)
            vpc = DEFAULT_VPC
        self.writer.edge(subnet.address, vpc, "in_vpc", None, default=True)
        return vpc

    def add_default_vpc(self, span: Span) -> None:
        """The default VPC of instances with no subnet: its node, internet gateway, main table
        (0.0.0.0/0 to that gateway) and default NACL. ``span``: the first workload placed there."""
        if DEFAULT_VPC in self.graph:
            return
        defined = self.written_default_vpc
        self.writer.add_node(DEFAULT_VPC, None, "default_vpc")
        self.graph.nodes[DEFAULT_VPC]["defined_as"] = defined.address if defined else None
        self.main_table(DEFAULT_VPC, span)
        self.default_acl(DEFAULT_VPC)

    def add_default_vpc_routes(self, vpc: str, table: str, span: Span) -> None:
        """A default VPC's main table routes 0.0.0.0/0 to the VPC's internet gateway."""
        w = self.writer
        igw_node = f"{vpc}#internet-gateway"
        igw = InternetGateway(address=igw_node, kind="implicit_internet_gateway", span=span, vpc=ResourceRef(vpc))
        w.add_node(igw_node, igw, igw.kind)
        w.edge(igw_node, vpc, "in_vpc", None)
        w.edge(INTERNET, igw_node, "route_target", None)
        route = Route(
            address=f"{table}.route[0]",
            kind="implicit_route",
            span=span,
            route_table=ResourceRef(table),
            destination="0.0.0.0/0",
            target=ResourceRef(igw_node),
            target_kind="gateway",
        )
        w.add_node(route.address, route, route.kind)
        w.edge(table, route.address, "route", None)
        w.edge(route.address, igw_node, "route_target", None)

    def link_lb_default_group(self, lb: LoadBalancer) -> None:
        """An ALB or classic LB in a VPC with no security group gets the VPC's default group."""
        if lb.security_groups or lb.lb_type in ("network", "gateway"):
            return
        for vpc in self.writer.workload_vpcs(lb.address):
            self.writer.edge(lb.address, self.default_sg(vpc, lb.span), "protected_by", lb.span, default=True)
