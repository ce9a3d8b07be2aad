"""Model objects of the doors between networks: transit gateways, Direct Connect and
PrivateLink (the conventions of ``scanner.model`` hold: ``None`` is "not set",
``Unknown`` "set, but not known offline"; a reference is a ``Ref``). What
``scanner.analyses.reachability.transit`` and its neighbours read."""

from __future__ import annotations

from scanner.frozen import frozen
from scanner.model import Cidr, MaybeBool, MaybeInt, MaybeStr, Ref, Resource
from scanner.values import Unknown


@frozen(kw_only=True, eq=False)
class TransitGateway(Resource):
    """aws_ec2_transit_gateway, AWS::EC2::TransitGateway. ``default_association`` /
    ``default_propagation``: default_route_table_association / _propagation
    (DefaultRouteTableAssociation / ...Propagation); None: not set, AWS enables both, and
    the transit gateway's default route table takes every attachment that does not opt out."""

    default_association: MaybeBool = None
    default_propagation: MaybeBool = None


@frozen(kw_only=True, eq=False)
class TransitGatewayAttachment(Resource):
    """A VPC attachment: aws_ec2_transit_gateway_vpc_attachment, AWS::EC2::TransitGatewayAttachment,
    AWS::EC2::TransitGatewayVpcAttachment. ``default_association`` / ``default_propagation``:
    transit_gateway_default_route_table_association / _propagation (None: not set, true);
    CloudFormation has no such options (the transit gateway's own settings decide).
    ``subnets``: the attachment's subnets (one per Availability Zone; not modelled: subnets
    carry no zone here)."""

    transit_gateway: Ref | None = None
    vpc: Ref | None = None
    subnets: tuple[Ref, ...] = ()
    default_association: MaybeBool = None
    default_propagation: MaybeBool = None


@frozen(kw_only=True, eq=False)
class TransitGatewayRouteTable(Resource):
    """aws_ec2_transit_gateway_route_table, AWS::EC2::TransitGatewayRouteTable."""

    transit_gateway: Ref | None = None


@frozen(kw_only=True, eq=False)
class TransitGatewayRouteTableLink(Resource):
    """An attachment associated with (``propagation`` False) or propagating into
    (``propagation`` True) a transit gateway route table:
    aws_ec2_transit_gateway_route_table_association / _propagation,
    AWS::EC2::TransitGatewayRouteTableAssociation / ...Propagation. ``route_table`` may name
    the transit gateway itself (its association_default_route_table_id): its default table."""

    route_table: Ref | None = None
    attachment: Ref | None = None
    propagation: bool = False


@frozen(kw_only=True, eq=False)
class TransitGatewayRoute(Resource):
    """aws_ec2_transit_gateway_route, AWS::EC2::TransitGatewayRoute: a static route to an
    attachment, or a blackhole (``blackhole`` True: matching traffic is dropped)."""

    route_table: Ref | None = None
    destination: MaybeStr = None
    attachment: Ref | None = None
    blackhole: MaybeBool = None


@frozen(kw_only=True, eq=False)
class DxGateway(Resource):
    """aws_dx_gateway, AWS::DirectConnect::DirectConnectGateway."""


@frozen(kw_only=True, eq=False)
class DxGatewayAssociation(Resource):
    """aws_dx_gateway_association, AWS::DirectConnect::DirectConnectGatewayAssociation: a
    virtual private gateway or transit gateway (``gateway``) reachable from the on-premises
    networks behind a Direct Connect gateway. ``allowed_prefixes``: the AWS-side prefixes
    advertised to on-premises (a filter; not the on-premises networks, which are learned
    over BGP); empty: not set (a virtual private gateway advertises its VPC's CIDR)."""

    dx_gateway: Ref | None = None
    gateway: Ref | None = None
    allowed_prefixes: tuple[Cidr, ...] = ()


@frozen(kw_only=True, eq=False)
class VpcEndpointService(Resource):
    """A PrivateLink endpoint service: aws_vpc_endpoint_service, AWS::EC2::VPCEndpointService.
    ``load_balancers``: its network (and gateway) load balancers; ``allowed_principals``
    (with those of aws_vpc_endpoint_service_allowed_principal and
    AWS::EC2::VPCEndpointServicePermissions, joined by the adapter or the graph): who may
    create endpoints to it (``*``: every AWS account); ``acceptance_required`` None: not set
    (Terraform requires it; CloudFormation's default is false)."""

    load_balancers: tuple[Ref, ...] = ()
    allowed_principals: tuple[str | Unknown, ...] = ()
    acceptance_required: MaybeBool = None


@frozen(kw_only=True, eq=False)
class VpcEndpointServicePrincipals(Resource):
    """aws_vpc_endpoint_service_allowed_principal, AWS::EC2::VPCEndpointServicePermissions:
    more principals allowed on an endpoint service."""

    service: Ref | None = None
    principals: tuple[str | Unknown, ...] = ()


@frozen(kw_only=True, eq=False)
class VpcEndpoint(Resource):
    """aws_vpc_endpoint, AWS::EC2::VPCEndpoint (only what routes read: a Gateway Load
    Balancer endpoint sits in the route path; ``service`` names its endpoint service;
    ``subnets`` (subnet_ids / SubnetIds) hold its network interfaces: a Gateway Load
    Balancer endpoint's one subnet routes on what its appliances return)."""

    endpoint_type: MaybeStr = None  # Interface | Gateway | GatewayLoadBalancer (None: Gateway)
    service: Ref | None = None
    vpc: Ref | None = None
    subnets: tuple[Ref, ...] = ()


@frozen(kw_only=True, eq=False)
class FirewallRule(Resource):
    """One 5-tuple rule of a Network Firewall rule group: stateless (``priority`` set;
    ``action`` aws:pass | aws:drop | aws:forward_to_sfe) or stateful (``action`` pass | drop
    | reject | alert). ``protocols``: IANA numbers as strings ("-1": any);
    ``sources`` / ``destinations``: CIDRs ("0.0.0.0/0" for ANY; a rule variable such as
    $HOME_NET is Unknown); ``ports``: destination port ranges (empty: any);
    ``direction``: FORWARD (source to destination only) or ANY (both ways)."""

    action: MaybeStr = None
    priority: MaybeInt = None
    protocols: tuple[str, ...] = ()
    sources: tuple[Cidr, ...] = ()
    destinations: tuple[Cidr, ...] = ()
    ports: tuple[tuple[int, int], ...] = ()
    direction: str = "FORWARD"


@frozen(kw_only=True, eq=False)
class FirewallRuleGroup(Resource):
    """aws_networkfirewall_rule_group, AWS::NetworkFirewall::RuleGroup: its 5-tuple rules, in
    order. ``opaque``: what it holds that is not evaluated here (Suricata rules as a string, a
    domain list), named: it may drop traffic."""

    stateful: bool = True
    rules: tuple[FirewallRule, ...] = ()
    opaque: str = ""


@frozen(kw_only=True, eq=False)
class FirewallPolicy(Resource):
    """aws_networkfirewall_firewall_policy, AWS::NetworkFirewall::FirewallPolicy: its rule
    groups (stateless with their priorities; stateful in the order written, with priorities
    under STRICT_ORDER), the stateless default actions for full packets (aws:pass |
    aws:drop | aws:forward_to_sfe), the stateful rule order (None: DEFAULT_ACTION_ORDER) and
    STRICT_ORDER's default actions (aws:drop_strict, aws:drop_established, aws:alert_...)."""

    stateless_groups: tuple[Ref, ...] = ()
    stateless_priorities: tuple[MaybeInt, ...] = ()
    stateful_groups: tuple[Ref, ...] = ()
    stateful_priorities: tuple[MaybeInt, ...] = ()
    stateless_default: tuple[str, ...] = ()
    rule_order: MaybeStr = None
    stateful_default: tuple[str, ...] = ()


@frozen(kw_only=True, eq=False)
class NetworkFirewall(Resource):
    """aws_networkfirewall_firewall, AWS::NetworkFirewall::Firewall: an endpoint in each of
    its subnets inspects what routes send to it (a route's vpc_endpoint_id)."""

    policy: Ref | None = None
    vpc: Ref | None = None
    subnets: tuple[Ref, ...] = ()


@frozen(kw_only=True, eq=False)
class ClientVpnEndpoint(Resource):
    """aws_ec2_client_vpn_endpoint, AWS::EC2::ClientVpnEndpoint: remote users' devices connect
    to it and get addresses from ``client_cidr`` (client_cidr_block / ClientCidrBlock); their
    traffic into the VPC leaves the endpoint's network interfaces in the associated subnets,
    source-NATed to those interfaces' addresses. ``security_groups``
    (security_group_ids / SecurityGroupIds) are applied to those interfaces; empty: not set,
    AWS applies the VPC's default security group. ``vpc`` (vpc_id / VpcId) the VPC they are
    from (None: not set, the VPC of the first association)."""

    client_cidr: Cidr | None = None
    security_groups: tuple[Ref, ...] = ()
    vpc: Ref | None = None


@frozen(kw_only=True, eq=False)
class ClientVpnAssociation(Resource):
    """aws_ec2_client_vpn_network_association, AWS::EC2::ClientVpnTargetNetworkAssociation: a
    target network (a subnet) of an endpoint, where its network interfaces are created. AWS
    adds the subnet's VPC's local route to the endpoint's route table on association."""

    endpoint: Ref | None = None
    subnet: Ref | None = None


@frozen(kw_only=True, eq=False)
class ClientVpnAuthorization(Resource):
    """aws_ec2_client_vpn_authorization_rule, AWS::EC2::ClientVpnAuthorizationRule: clients
    may reach ``target_cidr`` (target_network_cidr / TargetNetworkCidr): all of them when
    ``all_groups`` (authorize_all_groups / AuthorizeAllGroups) is true, else those of
    ``access_group`` (access_group_id / AccessGroupId). Without a rule covering a
    destination, clients cannot reach it."""

    endpoint: Ref | None = None
    target_cidr: Cidr | None = None
    all_groups: MaybeBool = None
    access_group: MaybeStr = None


@frozen(kw_only=True, eq=False)
class ClientVpnRoute(Resource):
    """aws_ec2_client_vpn_route, AWS::EC2::ClientVpnRoute: a route of the endpoint's route
    table sending ``destination`` (destination_cidr_block / DestinationCidrBlock) out of its
    interfaces in ``subnet`` (target_vpc_subnet_id / TargetVpcSubnetId); needed for a
    destination outside the associated VPC."""

    endpoint: Ref | None = None
    destination: Cidr | None = None
    subnet: Ref | None = None
