"""The last leg of a Global Accelerator Elastic IP endpoint: from the accelerator to the
instance the Elastic IP is associated with (IPv4).

What AWS does (https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoints.html,
preserve-client-ip-address.html): a standard accelerator's endpoint may be an Elastic IP
address; client IP address preservation is not supported for it, so the accelerator
connects to the Elastic IP from its own public addresses, on the listener's ports (or the
port overrides). Those connections reach the instance as any connection to its Elastic IP
does: through the VPC's internet gateway, which maps the Elastic IP to the instance's
private address, and the subnet's network ACL (in, and the replies out); the replies return
by the subnet's route for those addresses, which must be the internet gateway. The
accelerator's addresses are not in the configuration: they stand for the internet here, as
they do for a load balancer endpoint without client IP preservation, so the instance's
groups must admit the internet (a group open only to named ranges makes a restricted path).

An Elastic IP that the configuration no longer associates with the workload (an edit that
removes it, or its association) leaves the endpoint nothing to reach: the path is cut there.
"""

from __future__ import annotations

from scanner.analyses.network import PortSet
from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.public_ip import internet_gateway_routes
from scanner.analyses.reachability.admission import internet_admission
from scanner.analyses.reachability.gateway import through_groups
from scanner.analyses.reachability.hops import Entry, PathReport, describe_route, ingress_rules, step, table_step
from scanner.analyses.unknowns import existence_open, origins_of, ref_text
from scanner.findings import Evidence, PathStep
from scanner.values import Origin
from scanner.workload import AcceleratorFront, WorkloadContext

NOT_PRESERVED = "Global Accelerator connects to an Elastic IP endpoint from its own addresses, not the clients'"


def elastic_ip_path(ctx: WorkloadContext, front: AcceleratorFront, entry: Entry, memo: NetworkMemo) -> PathReport:
    """On from ``entry`` (the accelerator's hops) through the Elastic IP ``front`` names to
    the workload."""
    eip = front.elastic_ip
    assert eip is not None  # only Elastic IP endpoints come here
    via, steps = entry.via, list(entry.steps)
    assumptions: list[str] = list(entry.assumptions)
    unknowns: list[Origin] = list(entry.unknowns)

    def cut(why: str, at: str, *more: PathStep) -> PathReport:
        return PathReport(via, 4, (*steps, *more), "", cut=why, cut_at=at)

    held = next((e for e in ctx.elastic_ips if e.address == front.associated_by), None)
    eip_step = step("elastic_ip", eip.address, "Elastic IP endpoint of the workload", eip.span, entry.ports)
    if held is None:
        return cut(f"{eip.address} is not associated with {ctx.address}", eip.address)
    steps.append(eip_step)
    built_on = existence_open(eip, held)
    assumptions.extend(built_on.assumptions)
    unknowns.extend(built_on.unknowns)
    placement = ctx.placements[0] if ctx.placements else None
    rules = ingress_rules(ctx.security_groups)
    route_steps: list[PathStep] = []
    related: list[Evidence] = [Evidence(eip.span, eip.address, "the Elastic IP the accelerator's endpoint names")]
    if placement is None:
        assumptions.append(
            f"the subnet {ctx.address} runs in is not known offline; assumed it routes internet addresses to an "
            "internet gateway and its network ACL lets the traffic in"
        )
    else:
        table = table_step(placement)
        igw_routes = internet_gateway_routes(placement, 4, memo)
        if igw_routes:
            first = igw_routes[0]
            igw_span = first.target.span if first.target is not None else None
            described = f"route {describe_route(first, 4)}"
            route_steps = [
                step("internet_gateway", first.target_address, "internet gateway of the VPC", igw_span),
                table,
                step("route", first.route.address, described, first.route.span),
            ]
            related.append(Evidence(first.route.span, first.route.address, described))
        elif placement.routing_unknown:
            assumptions.append(
                f"the route table of {ctx.address}'s subnet is not known offline "
                f"({', '.join(ref_text(r) for r in placement.routing_unknown)}); "
                "assumed it routes internet addresses to an internet gateway"
            )
            unknowns.extend(origins_of(placement.routing_unknown))
        else:
            return cut(
                f"{table.address} has no route for internet addresses to an internet gateway: the replies to "
                f"Global Accelerator's addresses cannot leave by {eip.address}",
                table.address,
                table,
            )
    admission = internet_admission(placement, rules, 4, placement is not None, memo)
    groups = ", ".join(g.group.address for g in ctx.security_groups) or "no security group"
    if not admission.sg_ports & entry.ports:
        return cut(
            f"no rule of {groups} admits {entry.ports} from the internet ({NOT_PRESERVED})",
            ctx.security_groups[0].group.address if ctx.security_groups else ctx.address,
            *route_steps,
        )
    through = admission.ports & entry.ports
    acl = placement.network_acl if placement is not None else None
    if not through:
        return cut(
            admission.acl_cut or f"the network ACL of {ctx.address}'s subnet does not let {entry.ports} in",
            acl.address if acl is not None else "",
            *route_steps,
        )
    assumptions.extend(admission.assumptions)
    unknowns.extend(admission.unknowns)
    ports = through & admission.world_ports
    if not ports:
        return PathReport(
            via,
            4,
            (*steps, *route_steps),
            str(through),
            restricted=f"reachable on {through} through {entry.at} from {', '.join(admission.sources)} only",
            assumptions=tuple(dict.fromkeys(assumptions)),
            unknowns=tuple(dict.fromkeys(unknowns)),
        )
    steps.extend(_with_ports(route_steps, ports))
    if acl is not None:
        steps.append(step("network_acl", acl.address, "the subnet's network ACL", acl.span, ports))
        if admission.acl_entry is not None:
            entry_rule = admission.acl_entry
            steps.append(
                step(
                    "network_acl_entry",
                    entry_rule.address,
                    f"rule {entry_rule.rule_number} allows it",
                    entry_rule.span,
                    ports,
                )
            )
    group_steps, group_lines, others, location = through_groups(
        ctx, placement, rules, 4, placement is not None, ports, memo
    )
    return PathReport(
        via,
        4,
        (*steps, *group_steps),
        str(ports),
        location=location,
        related=(*group_lines, *related, *others),
        assumptions=tuple(dict.fromkeys(assumptions)),
        target_ports=ports,
        unknowns=tuple(dict.fromkeys(unknowns)),
    )


def _with_ports(steps: list[PathStep], ports: PortSet) -> list[PathStep]:
    return [step(s.kind, s.address, s.description, s.span, ports) for s in steps]
