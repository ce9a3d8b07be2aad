"""ec2-public-ip: the workload will have a public address.

IPv4: an Elastic IP (on the instance or one of its ENIs) always gives one. Otherwise the
first setting written wins: ``associate_public_ip_address`` on the instance, else on its
launch template / launch configuration, else on its ENI spec; unset, the subnet decides
(``map_public_ip_on_launch``; default subnets and the default VPC assign public addresses).
What rests on a value not known offline is possible, with the assumption and the open
inputs deciding it: an Elastic IP that may not exist (its count is unknown), an unknown
``associate_public_ip_address`` or ``map_public_ip_on_launch``, a subnet not known offline
(a variable, a data source: whether it maps public addresses is not known). The trait is
certain when one family's address is.
IPv6: addresses are public when the subnet routes internet addresses to an internet gateway.
The analysis is ``scanner.analyses.public_ip``; the trait points at the line that gives the
address (the first family's), the other family's cause as a related place.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from scanner.findings import Trait
from scanner.locations import written_for
from scanner.model import AutoScalingGroup, Resource
from scanner.options import ScanOptions
from scanner.rules.catalog import TAGS, Rule
from scanner.rules.references import NAT, PRIVATE_SUBNET

if TYPE_CHECKING:  # reports read the catalogue without loading the analyses
    from scanner.rules.context import CheckContext
    from scanner.workload import WorkloadContext

ID = "ec2-public-ip"


def check(context: CheckContext, options: ScanOptions) -> Iterable[Trait]:
    ctx = context.workload
    found = context.public_addresses
    causes = [a for a in (found.ipv4, found.ipv6) if a is not None]
    if not causes:
        return []
    families = " and ".join("IPv4" if a.version == 4 else "IPv6" for a in causes)
    kind = "instances of" if isinstance(ctx.workload, AutoScalingGroup) else ""
    subject = f"{kind} {ctx.address}".strip()
    # Holds when one family's address is certain; else possible, resting on every cause's unknowns.
    main = next((c for c in causes if not c.possible), causes[0])
    doubtful = [c for c in causes if c.possible] if main.possible else []
    assumptions = tuple(dict.fromkeys(a for cause in doubtful for a in cause.assumptions))
    unknowns = tuple(dict.fromkeys(o for cause in doubtful for o in cause.unknowns))
    return [
        Trait(
            rule_id=ID,
            workload=ctx.address,
            message=f"{subject} will have a public {families} address ({main.location.message})",
            location=main.location,
            related=(
                *written_for(main.location, _settings(ctx)),
                *(c.location for c in causes if c is not main),
            ),
            assumptions=assumptions,
            unknowns=unknowns,
            properties={"ipv4": found.ipv4 is not None, "ipv6": found.ipv6 is not None},
        )
    ]


def _settings(ctx: WorkloadContext) -> tuple[Resource | None, ...]:
    """The objects whose settings give the workload a public address."""
    return (ctx.workload, ctx.launch_template, *ctx.network_interfaces, *(p.subnet for p in ctx.placements))


RULE = Rule(
    id=ID,
    name="Ec2PublicIp",
    short_description="EC2 workload gets a public IP address",
    full_description=(
        "The workload receives a public IPv4 address (associate_public_ip_address, the subnet's "
        "map_public_ip_on_launch, an Elastic IP) or a global IPv6 address. On its own this is not reachable "
        "traffic, but it is one security group or route change away from it."
    ),
    remediation=(
        "Launch in a private subnet without a public IP; use a NAT gateway for egress and a load balancer for ingress."
    ),
    steps=(
        PRIVATE_SUBNET,
        "Set `associate_public_ip_address = false` (CloudFormation `AssociatePublicIpAddress: false`) and turn "
        "off `map_public_ip_on_launch` on subnets that host instances.",
    ),
    references=(NAT,),
    tags=(*TAGS, "network"),
    fires_when=(
        "the instance will have a public IPv4 address, an Elastic IP, or IPv6 in a subnet routed to an internet gateway"
    ),
)
