"""ec2-open-security-group: an attached security group opens ports beyond the authorised ones to the world.

A rule of a group attached to the workload admits, from the whole internet (``0.0.0.0/0`` or
``::/0``), anything other than the authorised ports (``--authorized-ports``, default TCP 80
and 443). As in Security Hub's EC2.18 control, authorised ports are TCP ports: UDP 53, ICMP
or any other protocol open to the internet is never authorised. SSH and RDP are outside the
authorised ports too: a rule opening only TCP 22 to the world is also an open group, as
Security Hub's EC2.13 and EC2.18 controls both fail on it (a user who skips
``ec2-remote-access`` still sees it). The whole internet written in pieces counts as well.
One trait per rule, at its CIDR line.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from scanner.analyses.network import PortSet
from scanner.analyses.security_groups import TCP, pieced_trait, port_range, world_rule_trait
from scanner.findings import Trait
from scanner.options import ScanOptions
from scanner.rules.catalog import TAGS, Rule
from scanner.rules.references import SG_RULES

if TYPE_CHECKING:  # reports read the catalogue without loading the analyses
    from scanner.rules.context import CheckContext

ID = "ec2-open-security-group"


def check(context: CheckContext, options: ScanOptions) -> Iterable[Trait]:
    authorized_ports = options.authorized_ports
    for world in context.world_rules:
        opening = world.opening
        if opening.protocol == TCP:
            ranges = opening.unauthorized_tcp_ranges(authorized_ports)
            if not ranges:
                continue
            unauthorized = "tcp " + ", ".join(port_range(low, high) for low, high in ranges)
        else:
            unauthorized = opening.describe()
        authorized = f"tcp {', '.join(str(p) for p in sorted(authorized_ports))}" if authorized_ports else "none"
        yield world_rule_trait(
            context.workload,
            world,
            ID,
            f": {unauthorized} is outside the authorized ports ({authorized})",
            opening.describe(),
            {"unauthorized_ports": unauthorized},
        )
    authorized_set = PortSet()
    for port in authorized_ports:
        authorized_set = authorized_set | PortSet.of(TCP, port, port)
    for pieced in context.pieced_openings:
        beyond = pieced.ports - authorized_set
        if beyond:
            authorized = f"tcp {', '.join(str(p) for p in sorted(authorized_ports))}" if authorized_ports else "none"
            yield pieced_trait(
                context.workload, pieced, ID, f": {beyond} is outside the authorized ports ({authorized})", beyond
            )


RULE = Rule(
    id=ID,
    name="Ec2OpenSecurityGroup",
    short_description="Security group open to the internet beyond the authorised ports",
    full_description=(
        "A security group attached to the workload allows traffic from any address (0.0.0.0/0 or ::/0, or ranges "
        "that together cover the internet) to ports other than the ones authorised for public services (by "
        "default 80 and 443). SSH and RDP are not authorised ports: a rule opening them to the world is also "
        "remote access."
    ),
    remediation="Open only the ports the service needs, and only to the sources that need them.",
    steps=(
        "Limit the rule to the ports the service really serves; remove all-traffic (`-1`) rules.",
        "Limit the source to known CIDRs, a prefix list or the load balancer's security group.",
    ),
    references=(SG_RULES,),
    tags=(*TAGS, "network"),
    fires_when=(
        "an attached security group allows any port outside `--authorized-ports` from the whole internet; SSH and RDP "
        "count too, so an open SSH rule is also an open group"
    ),
    fingerprint_keys=("ports", "sources"),
    fingerprint_resource="security_group",
)
