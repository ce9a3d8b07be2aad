"""ec2-open-security-group: an attached security group opens ports beyond the authorised ones to the world.

A rule of a group attached to the workload admits, from the whole internet (``0.0.0.0/0`` or
``::/0``), anything other than the authorised ports (``--authorized-ports``, default TCP 80
and 443). As in Security Hub's EC2.18 control, authorised ports are TCP ports: UDP 53, ICMP
or any other protocol open to the internet is never authorised. A rule whose only
unauthorised ports are 22 / 3389 is reported as remote access alone, not twice; a wider
rule (TCP 0-65535, all traffic) is reported as both, since narrowing it to SSH would still
leave the remote-access trait. One trait per rule, at its CIDR line.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from scanner.analyses.security_groups import TCP, port_range, world_rule_trait
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
            remote = opening.remote_access_ports()
            ranges = opening.unauthorized_tcp_ranges(authorized_ports)
            if not [r for r in ranges if not (r[0] == r[1] and r[0] in remote)]:
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


RULE = Rule(
    id=ID,
    name="Ec2OpenSecurityGroup",
    short_description="Security group open to the internet beyond the authorised ports",
    full_description=(
        "A security group attached to the workload allows traffic from any address (0.0.0.0/0 or ::/0) to "
        "ports other than the ones authorised for public services (by default 80 and 443)."
    ),
    remediation="Open only the ports the service needs, and only to the sources that need them.",
    steps=(
        "Limit the rule to the ports the service really serves; remove all-traffic (`-1`) rules.",
        "Limit the source to known CIDRs, a prefix list or the load balancer's security group.",
    ),
    references=(SG_RULES,),
    security_severity=5.5,
    tags=(*TAGS, "network"),
    fires_when="an attached security group allows any port outside `--authorized-ports` from the world",
    fingerprint_keys=("ports", "sources"),
    fingerprint_resource="security_group",
)
