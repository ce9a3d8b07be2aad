"""AWS Global Accelerator (standard accelerators) in the model: the accelerator, its
listeners, endpoint groups and their endpoints, in both formats.

What AWS does with them (https://docs.aws.amazon.com/global-accelerator/latest/dg/):

* An accelerator takes TCP or UDP connections from the internet on its static addresses,
  on each listener's port ranges, and sends them to an endpoint of the listener's endpoint
  groups: an Application or Network Load Balancer, an EC2 instance or an Elastic IP. An
  accelerator that is not enabled (``enabled = false`` / ``Enabled: false``) takes none.
* Endpoints may be in *private* subnets: the VPC needs only an internet gateway attached
  (about-endpoints.sipp-caveats.html, "Endpoints in private subnets"). The endpoint's port
  is the listener's, unless a port override maps a listener port to another endpoint port.
* Client IP address preservation: on, the packets arrive with the client's own address
  from Global Accelerator's network interfaces in the endpoint's subnets, the endpoint's
  security group must admit the clients, and the subnet's network ACL is not evaluated on
  the way in (preserve-client-ip-address.how-to-enable-preservation.html). Off, they come
  from the accelerator's addresses, which stand for the internet here. It is always on for
  EC2 instance and internal Application Load Balancer endpoints, on by default for an
  internet-facing ALB, not supported for Network Load Balancers without security groups or
  Elastic IPs (preserve-client-ip-address.html). ``client_ip_preservation`` None: not
  written, AWS's default for the endpoint type applies.
* A dual-stack accelerator (``ip_address_type`` DUAL_STACK) has IPv6 addresses as well; it
  takes only endpoints that support dual-stack (load balancers and EC2 instances, not
  Elastic IPs), each with client IP address preservation on (about-endpoints.html,
  about-endpoints-caveats.html).
* An endpoint group whose traffic dial is 0 %, or an endpoint of weight 0, takes no traffic
  (about-endpoint-groups-traffic-dial.html, about-endpoints-endpoint-weights.html).

Custom routing accelerators (``aws_globalaccelerator_custom_routing_accelerator``,
``_listener``, ``_endpoint_group``; https://docs.aws.amazon.com/global-accelerator/latest/dg/work-with-custom-routing-accelerators.html)
map each listener port to one destination (an EC2 private address and port) in the subnets
an endpoint group names (``endpoint_configuration.endpoint_id``), within the group's
destination port ranges and protocols (``destination_configuration``). Every destination is
denied traffic until allowed with the AllowCustomRoutingTraffic API
(https://docs.aws.amazon.com/global-accelerator/latest/api/API_AllowCustomRoutingTraffic.html),
which neither Terraform nor CloudFormation sets: whether any destination is allowed is not
known offline. Client addresses are always preserved (the instance's security groups see
the internet). CloudFormation has no custom routing resource types (AWS::GlobalAccelerator
has Accelerator, Listener, EndpointGroup and CrossAccountAttachment, all standard).
"""

from __future__ import annotations

from scanner.frozen import frozen
from scanner.model import MaybeBool, MaybeInt, MaybeStr, Ref, Resource


@frozen(kw_only=True, eq=False)
class Accelerator(Resource):
    enabled: MaybeBool = None  # None: not written, AWS's default is enabled
    ip_address_type: MaybeStr = None  # IPV4 | DUAL_STACK; None: not written, AWS's default IPV4


@frozen(kw_only=True, eq=False)
class AcceleratorListener(Resource):
    accelerator: Ref | None = None
    protocol: MaybeStr = None  # TCP | UDP
    port_ranges: tuple[tuple[MaybeInt, MaybeInt], ...] = ()


@frozen(kw_only=True, eq=False)
class EndpointGroup(Resource):
    listener: Ref | None = None
    port_overrides: tuple[tuple[MaybeInt, MaybeInt], ...] = ()  # (listener port, endpoint port)
    traffic_dial: MaybeInt = None  # percent of the listener's traffic the group takes; None: 100


@frozen(kw_only=True, eq=False)
class AcceleratorEndpoint(Resource):
    """One endpoint configuration of an endpoint group (``endpoint_configuration`` /
    ``EndpointConfigurations`` item)."""

    endpoint_group: Ref | None = None
    endpoint: Ref | None = None  # a load balancer's ARN, an instance id or an Elastic IP's allocation id
    client_ip_preservation: MaybeBool = None
    weight: MaybeInt = None  # None: AWS's default, 128; 0 sends it nothing


@frozen(kw_only=True, eq=False)
class CustomRoutingAccelerator(Resource):
    """aws_globalaccelerator_custom_routing_accelerator."""

    enabled: MaybeBool = None  # None: not written, AWS's default is enabled


@frozen(kw_only=True, eq=False)
class CustomRoutingListener(Resource):
    """aws_globalaccelerator_custom_routing_listener: the accelerator's port ranges, mapped
    onto the destinations of its endpoint groups."""

    accelerator: Ref | None = None
    port_ranges: tuple[tuple[MaybeInt, MaybeInt], ...] = ()


@frozen(kw_only=True, eq=False)
class CustomRoutingEndpointGroup(Resource):
    """aws_globalaccelerator_custom_routing_endpoint_group: ``destinations`` are the
    destination_configuration blocks, (from_port, to_port, protocols: "6" / "17");
    ``subnets`` the endpoint_configuration endpoint_ids (VPC subnets)."""

    listener: Ref | None = None
    destinations: tuple[tuple[MaybeInt, MaybeInt, tuple[MaybeStr, ...]], ...] = ()
    subnets: tuple[Ref, ...] = ()
