"""Paths from the internet through AWS Global Accelerator (``scanner.model_accelerator``
states what AWS does): an accelerator takes connections on its listener's port ranges and
sends them to an endpoint, which may sit in a *private* subnet.

* The accelerator must be enabled, and the endpoint's VPC must have an internet gateway
  attached (not a route to it: Global Accelerator enters through its own network
  interfaces in the endpoint's subnets).
* An EC2 instance endpoint always has the client's address preserved: the workload's
  security groups must admit the endpoint port from the internet; the subnet's network ACL
  is not evaluated on the way in.
* A load balancer endpoint (internal or internet-facing) receives the listener ports (or
  the port overrides) on its listener of that port, and the path goes on as a load
  balancer's does: its groups, its target group, the workload's groups and NACL. With
  client addresses preserved (AWS's default for ALBs; not possible for an NLB without
  security groups) the load balancer subnet's NACL is not evaluated on the way in.

Custom routing accelerators (``custom_routing_paths``) map listener ports onto EC2
destinations in the subnets an endpoint group names: a workload in such a subnet receives
the group's destination ports (and protocols) from the internet, client addresses kept (its
groups must admit the internet; the NACL is not evaluated on the way in, as for instance
endpoints). Every destination is denied until allowed with AllowCustomRoutingTraffic, which
Terraform and CloudFormation do not set: such a path is at most possible, named. Whether
the VPC has an internet gateway attached is not checked for them.

An Elastic IP endpoint associated with the workload goes on through that Elastic IP, as
``elastic_ip_endpoint`` says: client addresses are never preserved for it, so the
connections come through the VPC's internet gateway and the subnet's NACL, and the
workload's groups must admit the internet.

A dual-stack accelerator (``ip_address_type`` DUAL_STACK; not known offline: assumed, named)
takes IPv6 clients too. It accepts only endpoints that keep the clients' addresses, so an
instance endpoint with an IPv6 address receives them from the IPv6 internet: its groups
must admit it (an instance without an IPv6 address is sent IPv4 only). The IPv6 paths of a
dual-stack accelerator's load balancer endpoints are not followed.
"""

from __future__ import annotations

from dataclasses import replace

from scanner.analyses.network import PortSet
from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.public_ip import has_ipv6_address
from scanner.analyses.reachability.admission import internet_admission
from scanner.analyses.reachability.elastic_ip_endpoint import elastic_ip_path
from scanner.analyses.reachability.gateway import through_groups
from scanner.analyses.reachability.hops import FAMILY, Entry, PathReport, ingress_rules, step
from scanner.analyses.reachability.load_balancer import load_balancer_path
from scanner.analyses.unknowns import origins_of
from scanner.findings import PathStep
from scanner.model import LoadBalancer
from scanner.model_accelerator import CustomRoutingEndpointGroup
from scanner.protocols import TCP, UDP
from scanner.values import Origin, Unknown
from scanner.workload import AcceleratorFront, Placement, WorkloadContext
from scanner.workload_between import CustomRoutingFront

VIA = "accelerator"


def accelerator_paths(ctx: WorkloadContext, version: int, memo: NetworkMemo) -> list[PathReport]:
    """One path per accelerator endpoint in front of the workload (and per route of a load
    balancer endpoint to it); IPv6: one per instance endpoint of a dual-stack accelerator."""
    if not ctx.accelerators:
        return []
    if version == 6:
        return [path for front in ctx.accelerators if (path := _ipv6_instance_path(ctx, front, memo)) is not None]
    out: list[PathReport] = []
    for front in ctx.accelerators:
        entry = _entry(front, _load_balancer(ctx, front))
        if isinstance(entry, PathReport):
            out.append(entry)  # cut before the endpoint
        elif front.elastic_ip is not None:
            out.append(elastic_ip_path(ctx, front, entry, memo))
        elif not front.load_balancer:
            placement = ctx.placements[0] if ctx.placements else None
            out.append(_instance_path(ctx, front.group.address, entry, placement, memo))
        else:
            for route in ctx.load_balancer_routes:
                if route.load_balancer.address == front.load_balancer:
                    out.append(load_balancer_path(ctx, route, version, memo, entry))
    return out


def _ipv6_instance_path(ctx: WorkloadContext, front: AcceleratorFront, memo: NetworkMemo) -> PathReport | None:
    """The IPv6 path of an instance endpoint of a dual-stack accelerator (None for other
    endpoints, or an accelerator that is IPv4 only). Its clients' IPv6 addresses are kept
    (a dual-stack accelerator takes only endpoints with client IP preservation), so the
    workload needs an IPv6 address and groups admitting the IPv6 internet."""
    if front.load_balancer or front.elastic_ip is not None or front.accelerator is None:
        return None
    accelerator = front.accelerator
    written = accelerator.ip_address_type
    assumptions: list[str] = []
    unknowns: list[Origin] = []
    if isinstance(written, Unknown):
        assumptions.append(f"{accelerator.address}: ip_address_type is unknown ({written.reason}); assumed dual-stack")
        unknowns.extend(origins_of(written))
    elif not isinstance(written, str) or written.upper() != "DUAL_STACK":
        return None
    entry = _entry(front, None, 6)
    if isinstance(entry, PathReport):
        return entry
    entry = replace(entry, assumptions=(*entry.assumptions, *assumptions), unknowns=(*entry.unknowns, *unknowns))
    placement = ctx.placements[0] if ctx.placements else None
    if placement is not None and not has_ipv6_address(ctx, placement):
        return PathReport(
            VIA,
            6,
            entry.steps,
            "",
            cut=f"{ctx.address} has no IPv6 address: {accelerator.address} sends it IPv4 only",
            cut_at=ctx.address,
        )
    return _instance_path(ctx, front.group.address, entry, placement, memo, 6)


def _load_balancer(ctx: WorkloadContext, front: AcceleratorFront) -> LoadBalancer | None:
    return next(
        (r.load_balancer for r in ctx.load_balancer_routes if r.load_balancer.address == front.load_balancer), None
    )


def _entry(front: AcceleratorFront, lb: LoadBalancer | None, version: int = 4) -> Entry | PathReport:
    """How the accelerator's traffic enters, or the path cut before it reaches the endpoint."""
    group, endpoint, listener, accelerator = front.group, front.endpoint, front.listener, front.accelerator
    assumptions: list[str] = []
    unknowns: list[Origin] = []
    steps: list[PathStep] = [step("internet", "internet", f"any {FAMILY[version]} address on the internet", None)]
    if accelerator is not None:
        steps.append(step("accelerator", accelerator.address, "Global Accelerator", accelerator.span))
    ports = _endpoint_ports(front, assumptions, unknowns)
    if listener is not None:
        steps.append(step("accelerator_listener", listener.address, f"listener on {ports}", listener.span, ports))
    steps.append(step("endpoint_group", group.address, "endpoint group", endpoint.span, ports))
    preserved = _preserved(front, lb, assumptions, unknowns)
    if accelerator is None:
        assumptions.append(f"{group.address}: its accelerator is not in the configuration; assumed enabled")
    elif accelerator.enabled is False:
        return _cut(steps, accelerator.address, f"{accelerator.address} is disabled (not enabled)", version)
    elif isinstance(accelerator.enabled, Unknown):
        assumptions.append(f"{accelerator.address}: enabled is unknown ({accelerator.enabled.reason}); assumed enabled")
        unknowns.extend(origins_of(accelerator.enabled))
    if group.traffic_dial == 0:
        return _cut(steps, group.address, f"{group.address} takes no traffic (its traffic dial is 0 %)", version)
    if endpoint.weight == 0:
        return _cut(steps, endpoint.address, f"{endpoint.address} has weight 0: it is sent no traffic", version)
    if front.vpc_has_internet_gateway is False:
        what = front.load_balancer or "the workload"
        return _cut(
            steps,
            front.vpc or endpoint.address,
            f"{front.vpc or 'the VPC'} of {what} has no internet gateway attached: Global Accelerator reaches no "
            "endpoint in it",
            version,
        )
    if front.vpc_has_internet_gateway is None:
        assumptions.append(
            f"{endpoint.address}: the endpoint's VPC is not known offline; assumed it has an internet gateway"
        )
    return Entry(VIA, tuple(steps), ports, preserved, group.address, tuple(assumptions), tuple(unknowns))


def _cut(steps: list[PathStep], at: str, why: str, version: int = 4) -> PathReport:
    return PathReport(VIA, version, tuple(steps), "", cut=why, cut_at=at)


def _endpoint_ports(front: AcceleratorFront, assumptions: list[str], unknowns: list[Origin]) -> PortSet:
    """The ports the endpoint receives: the listener's port ranges, each listener port a
    port override names replaced by its endpoint port."""
    listener = front.listener
    if listener is None:
        assumptions.append(f"{front.group.address}: its listener is not in the configuration; assumed every port")
        return PortSet.of(TCP) | PortSet.of(UDP)
    protocol = UDP if isinstance(listener.protocol, str) and listener.protocol.upper() == "UDP" else TCP
    if isinstance(listener.protocol, Unknown):
        assumptions.append(f"{listener.address}: protocol is unknown; assumed TCP")
        unknowns.extend(origins_of(listener.protocol))
    overrides = {
        source: target
        for source, target in front.group.port_overrides
        if isinstance(source, int) and isinstance(target, int)
    }
    ports = PortSet()
    for low, high in listener.port_ranges:
        if not isinstance(low, int) or not isinstance(high, int):
            assumptions.append(f"{listener.address}: a port range is not known offline; assumed every port")
            unknowns.extend(origins_of(low, high))
            return PortSet.of(protocol)
        kept_low = low
        for port in sorted(p for p in overrides if low <= p <= high):
            if kept_low < port:
                ports = ports | PortSet.of(protocol, kept_low, port - 1)
            ports = ports | PortSet.of(protocol, overrides[port], overrides[port])
            kept_low = port + 1
        if kept_low <= high:
            ports = ports | PortSet.of(protocol, kept_low, high)
    return ports


def _preserved(
    front: AcceleratorFront, lb: LoadBalancer | None, assumptions: list[str], unknowns: list[Origin]
) -> bool:
    """Whether the clients' addresses reach the endpoint (AWS's default by endpoint type when
    not written)."""
    written = front.endpoint.client_ip_preservation
    if front.elastic_ip is not None:
        return False  # not supported for Elastic IP endpoints
    if not front.load_balancer:
        return True  # an EC2 instance endpoint always preserves them
    if lb is not None and lb.lb_type == "network" and not lb.security_groups:
        return False  # not supported for an NLB without security groups
    if lb is not None and lb.lb_type == "application" and lb.internal is True:
        return True  # always on for an internal ALB
    if isinstance(written, bool):
        return written
    if isinstance(written, Unknown):
        assumptions.append(
            f"{front.endpoint.address}: client IP preservation is unknown; assumed on (the NACL is not evaluated)"
        )
        unknowns.extend(origins_of(written))
    return True


def _instance_path(
    ctx: WorkloadContext, group: str, entry: Entry, placement: Placement | None, memo: NetworkMemo, version: int = 4
) -> PathReport:
    """On from ``entry`` to the workload itself, clients' addresses kept (``group``: the
    endpoint group that sends it traffic)."""
    rules = ingress_rules(ctx.security_groups)
    admission = internet_admission(placement, rules, version, False, memo, check_acl=False)
    steps = list(entry.steps)
    groups = ", ".join(g.group.address for g in ctx.security_groups) or "no security group"
    through = admission.sg_ports & entry.ports
    if not through:
        return PathReport(
            VIA,
            version,
            tuple(steps),
            "",
            cut=f"no rule of {groups} admits {entry.ports} from the {'' if version == 4 else 'IPv6 '}internet "
            "(Global Accelerator keeps the clients' addresses)",
            cut_at=ctx.security_groups[0].group.address if ctx.security_groups else ctx.address,
        )
    ports = through & admission.world_ports
    assumptions = [*entry.assumptions, *admission.assumptions]
    unknowns = [*entry.unknowns, *admission.unknowns]
    if not ports:
        return PathReport(
            VIA,
            version,
            tuple(steps),
            str(through),
            restricted=f"reachable on {through} through {group} from {', '.join(admission.sources)} only",
            assumptions=tuple(dict.fromkeys(assumptions)),
            unknowns=tuple(dict.fromkeys(unknowns)),
        )
    group_steps, related, others, location = through_groups(ctx, placement, rules, version, False, ports, memo)
    return PathReport(
        VIA,
        version,
        (*steps, *group_steps),
        str(ports),
        location=location,
        related=(*related, *others),
        assumptions=tuple(dict.fromkeys(assumptions)),
        target_ports=ports,
        unknowns=tuple(dict.fromkeys(unknowns)),
    )


# AllowCustomRoutingTraffic is an API call no Terraform resource or CloudFormation type makes.
DENIED_UNTIL_ALLOWED = (
    "custom routing traffic is denied until allowed with AllowCustomRoutingTraffic, which Terraform and "
    "CloudFormation do not set; assumed allowed"
)


def custom_routing_paths(ctx: WorkloadContext, version: int, memo: NetworkMemo) -> list[PathReport]:
    """One path per custom routing endpoint group naming a subnet the workload runs in."""
    if version != 4 or ctx.between is None or not ctx.between.custom_routing:
        return []
    out: list[PathReport] = []
    for placement in ctx.placements:
        if placement.subnet is None:
            continue
        for front in ctx.between.custom_routing.get(placement.subnet.address, ()):
            entry = _custom_routing_entry(front, placement)
            if isinstance(entry, PathReport):
                out.append(entry)
            else:
                out.append(_instance_path(ctx, front.group.address, entry, placement, memo))
    return out


def _custom_routing_entry(front: CustomRoutingFront, placement: Placement) -> Entry | PathReport:
    group, listener, accelerator = front.group, front.listener, front.accelerator
    assumptions: list[str] = [f"{group.address}: {DENIED_UNTIL_ALLOWED}"]
    unknowns: list[Origin] = []
    steps: list[PathStep] = [step("internet", "internet", "any IPv4 address on the internet", None)]
    if accelerator is not None:
        steps.append(step("accelerator", accelerator.address, "Global Accelerator (custom routing)", accelerator.span))
    if listener is not None:
        ranges = ", ".join(f"{low}-{high}" for low, high in listener.port_ranges) or "no port range"
        steps.append(step("accelerator_listener", listener.address, f"listener ports {ranges}", listener.span))
    ports = _destination_ports(group, assumptions, unknowns)
    subnet = placement.subnet.address if placement.subnet is not None else "the subnet"
    steps.append(
        step(
            "endpoint_group",
            group.address,
            f"custom routing endpoint group: destinations in {subnet} on {ports}",
            group.span_of("subnets"),
            ports,
        )
    )
    if accelerator is None:
        assumptions.append(f"{group.address}: its accelerator is not in the configuration; assumed enabled")
    elif accelerator.enabled is False:
        return _cut(steps, accelerator.address, f"{accelerator.address} is disabled (not enabled)")
    elif isinstance(accelerator.enabled, Unknown):
        assumptions.append(f"{accelerator.address}: enabled is unknown ({accelerator.enabled.reason}); assumed enabled")
        unknowns.extend(origins_of(accelerator.enabled))
    return Entry(VIA, tuple(steps), ports, True, group.address, tuple(assumptions), tuple(unknowns))


def _destination_ports(group: CustomRoutingEndpointGroup, assumptions: list[str], unknowns: list[Origin]) -> PortSet:
    """The destination port ranges and protocols of the group (what its EC2 destinations
    receive)."""
    ports = PortSet()
    if not group.destinations:
        assumptions.append(f"{group.address}: no destination configuration known; assumed every port")
        return PortSet.of(TCP) | PortSet.of(UDP)
    for low, high, protocols in group.destinations:
        if not isinstance(low, int) or not isinstance(high, int):
            assumptions.append(f"{group.address}: a destination port range is not known offline; assumed every port")
            unknowns.extend(origins_of(low, high))
            low, high = 0, 65535
        known = [p for p in protocols if p in (TCP, UDP)]
        if len(known) < len(protocols) or not protocols:
            assumptions.append(f"{group.address}: a destination protocol is not known offline; assumed TCP and UDP")
            unknowns.extend(origins_of(*protocols))
            known = [TCP, UDP]
        for protocol in known:
            ports = ports | PortSet.of(protocol, low, high)
    return ports
