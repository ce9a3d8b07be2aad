"""Paths through AWS PrivateLink (IPv4): an endpoint service (aws_vpc_endpoint_service,
AWS::EC2::VPCEndpointService) in front of a network load balancer lets consumers' interface
endpoints connect to the load balancer's listeners; the load balancer forwards to its
targets from its own private addresses (its subnets' CIDRs; PrivateLink traffic does not
keep the client's address). The workload is reached on the target port when its groups
admit it from the load balancer's subnets and its NACL lets it in.

Who the consumers are: the allowed principals. ``*`` with acceptance not required
(AcceptanceRequired / acceptance_required false, CloudFormation's default) lets any AWS
account in: the path is open (ec2-internet-reachable through PrivateLink). Named accounts,
or ``*`` behind manual acceptance, restrict it: reachable from those consumers only (named).
No principal at all: no consumer can connect (cut)."""

from __future__ import annotations

from dataclasses import replace

from scanner.analyses.network import PortSet
from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.reachability.from_network import admitted_from
from scanner.analyses.reachability.hops import PathReport, own_part, rule_evidence, step, workload_step
from scanner.analyses.unknowns import existence_open, origins_of
from scanner.findings import Evidence, PathStep
from scanner.values import Unknown
from scanner.workload import LoadBalancerRoute, WorkloadContext
from scanner.workload_between import EndpointService

VIA = "privatelink"


def privatelink_paths(ctx: WorkloadContext, version: int, memo: NetworkMemo) -> list[PathReport]:
    if version != 4 or ctx.between is None or not ctx.between.services:
        return []
    out: list[PathReport] = []
    for route in ctx.load_balancer_routes:
        for service in ctx.between.services.get(route.load_balancer.address, ()):
            out.extend(_through(ctx, route, service, memo))
    return out


def _through(
    ctx: WorkloadContext, route: LoadBalancerRoute, door: EndpointService, memo: NetworkMemo
) -> list[PathReport]:
    service, lb = door.service, route.load_balancer
    who = ", ".join(str(p) for p in door.principals) or "no principal"
    steps: list[PathStep] = [
        step(
            "privatelink_consumers",
            who,
            "interface endpoints of the allowed principals",
            door.principals_at,
        ),
        step("vpc_endpoint_service", service.address, "the endpoint service", service.span),
        step("load_balancer", lb.address, f"listener {route.listener.port}", route.listener.span),
    ]
    if not door.principals:
        return [PathReport(VIA, 4, tuple(steps), "", cut=f"endpoint service {service.address} allows no principal")]
    nlb_cidrs = [p.subnet.cidr for p in route.lb_placements if p.subnet is not None and p.subnet.cidr is not None]
    sources: list[object] = list(nlb_cidrs) or [Unknown(f"the addresses of {lb.address} (its subnets are not known)")]
    named = f"{lb.address} ({', '.join(str(s) for s in sources)})"
    wanted = PortSet.of("6", route.target_port, route.target_port) if route.target_port else PortSet.all_traffic()
    out: list[PathReport] = []
    for placement in ctx.placements:
        admitted = admitted_from(ctx, placement, 4, sources, memo, named)
        ports = admitted.ports & wanted
        if admitted.cut is not None or admitted.rule is None or not ports:
            why = admitted.cut or f"no rule admits {wanted} (the target port) from {named}"
            at = admitted.cut_at or (ctx.security_groups[0].group.address if ctx.security_groups else ctx.address)
            out.append(PathReport(VIA, 4, tuple(steps), "", cut=why, cut_at=at))
            continue
        hops = [replace(s, ports=str(ports)) for s in steps]
        if admitted.acl_step is not None:
            hops.append(replace(admitted.acl_step, ports=str(ports)))
        hops.append(
            step(
                "security_group_rule",
                admitted.rule.address,
                "admits the load balancer's addresses",
                admitted.rule.span_of("cidrs"),
                own_part(admitted.rule, ports),
            )
        )
        hops.append(workload_step(ctx, ports))
        anyone = "*" in door.principals
        accepted = service.acceptance_required
        restricted = None
        assumptions = list(admitted.assumptions)
        deciding: list[object] = []
        if not anyone:
            restricted = f"reachable on {ports} through PrivateLink from endpoints of {who} only"
        elif accepted is True:
            restricted = (
                f"reachable on {ports} through PrivateLink from any AWS account whose connection "
                f"{service.address} accepts"
            )
        elif isinstance(accepted, Unknown):
            assumptions.append(
                f"{service.address}: acceptance_required is not known ({accepted.reason}); assumed false"
            )
            deciding.append(accepted)
        unknown_principals = [p for p in door.principals if isinstance(p, Unknown)]
        if unknown_principals and not anyone:
            restricted = None
            assumptions.append(f"{service.address}: a principal is not known offline; assumed it may be *")
            deciding.extend(unknown_principals)
        built_on = existence_open(service, admitted.rule)
        out.append(
            PathReport(
                VIA,
                4,
                tuple(hops),
                str(ports),
                location=rule_evidence(
                    ctx.security_groups, admitted.rule, f"admits {ports} from {named} behind {service.address}"
                ),
                related=(Evidence(service.span, service.address, f"endpoint service allowing {who}"),),
                restricted=restricted,
                assumptions=tuple(dict.fromkeys([*assumptions, *built_on.assumptions])),
                target_ports=ports,
                unknowns=tuple(dict.fromkeys([*origins_of(*deciding), *admitted.unknowns, *built_on.unknowns])),
            )
        )
    return out
