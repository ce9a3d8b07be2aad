"""ec2-internet-reachable: a full network path reaches the workload from outside its VPC.

Every candidate path is evaluated hop by hop by ``scanner.analyses.reachability`` (IPv4 and
IPv6 apart): through an internet gateway to a public address, through an internet-facing load
balancer, or from a peered VPC or a VPN. The trait holds when at least one path is open; it
names the ports that survive every hop of every open path, shows the preferred path (gateway,
then load balancer, then peering, then VPN; IPv4 first) and points at the rule that admits
it, with the rules of the other open paths as related places and their hops as the trait's
other paths (a workload reachable through its gateway and through a load balancer shows both).
A path open only from named ranges (an office /32) is restricted, not an exposure.
A path open only for some values of what is not known offline (a subnet from a data source,
a rule or an Elastic IP whose count is unknown) makes the trait possible, naming the
assumptions and the origins deciding them; one certain open path makes it hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from scanner.analyses.network import PortSet
from scanner.analyses.reachability import FAMILY, PathReport
from scanner.findings import PathStep, Trait
from scanner.options import ScanOptions
from scanner.rules.catalog import TAGS, Rule
from scanner.rules.references import NACL, NAT, NETWORK_CUT, PRIVATE_SUBNET, SG_RULES

if TYPE_CHECKING:  # reports read the catalogue without loading the analyses
    from scanner.rules.context import CheckContext

ID = "ec2-internet-reachable"


_ORDER = {
    "gateway": 0,
    "load_balancer": 1,
    "accelerator": 2,
    "cloudfront": 3,
    "api_gateway": 4,
    "vpc_peering": 5,
    "vpn": 6,
    "transit_gateway": 7,
    "direct_connect": 8,
    "privatelink": 9,
    "client_vpn": 10,
}
_VIA = {
    "gateway": "through an internet gateway",
    "load_balancer": "through a load balancer",
    "accelerator": "through Global Accelerator",
    "cloudfront": "through a CloudFront VPC origin",
    "api_gateway": "through an API Gateway VPC link",
    "vpc_peering": "from a peered VPC",
    "vpn": "from a VPN",
    "transit_gateway": "through a transit gateway",
    "direct_connect": "over Direct Connect",
    "privatelink": "through PrivateLink from any AWS account",
    "client_vpn": "from Client VPN clients",
}


def check(context: CheckContext, options: ScanOptions) -> Iterable[Trait]:
    ctx = context.workload
    # A certain path first: the trait holds when one path is open whatever the unknowns are;
    # when every open path is possible, so is the trait, resting on all their unknowns.
    # Among possible paths, one through a subnet not known offline comes after the others (it
    # rests on the most: where the workload runs at all).
    open_paths = sorted(
        (p for p in context.paths if p.open),
        key=lambda p: (p.possible, any(s.kind == "subnet" for s in p.steps), _ORDER[p.via], p.version),
    )
    if not open_paths:
        return []
    best = open_paths[0]
    ports = PortSet()
    for path in open_paths:
        ports = ports | path.target_ports
    assert best.location is not None
    other_paths: list[tuple[PathStep, ...]] = []
    for other in open_paths[1:]:
        if other.steps != best.steps and other.steps not in other_paths:
            other_paths.append(other.steps)
    related = list(best.related)
    for other in open_paths[1:]:
        if other.location is not None and other.location not in related and other.location != best.location:
            related.append(other.location)
    return [
        Trait(
            rule_id=ID,
            workload=ctx.address,
            message=_message(ctx.address, open_paths),
            location=best.location,
            related=tuple(related),
            path=best.steps,
            other_paths=tuple(other_paths),
            assumptions=() if not best.possible else tuple(dict.fromkeys(a for p in open_paths for a in p.assumptions)),
            unknowns=() if not best.possible else tuple(dict.fromkeys(o for p in open_paths for o in p.unknowns)),
            properties={
                "ports": str(ports),
                "via": best.via,
                "paths": [{"via": p.via, "family": FAMILY[p.version], "ports": p.ports} for p in open_paths],
            },
        )
    ]


def _message(address: str, open_paths: list[PathReport]) -> str:
    """Each door with the ports it lets through, the first (most certain) door first: one
    door's ports are never said to pass another."""
    doors: dict[tuple[str, int], PortSet] = {}
    for path in open_paths:
        door = (path.via, path.version)
        doors[door] = doors.get(door, PortSet()) | path.target_ports
    said = [f"on {ports} {_VIA[via]} ({FAMILY[version]})" for (via, version), ports in doors.items()]
    return f"{address} is reachable {said[0]}" + "".join(f"; also {more}" for more in said[1:])


RULE = Rule(
    id=ID,
    name="Ec2InternetReachable",
    short_description="EC2 workload reachable from the internet",
    full_description=(
        "A complete network path exists from the whole internet to the workload: through an internet gateway, a "
        "route, the network ACL and security groups admitting every internet address to a public address, or "
        "through an internet-facing load balancer to the instance port. A path open only to named source ranges "
        "(an office address, a partner network) is restricted, as Security Hub's remediation asks, and is not this "
        "trait. The trait names the ports that survive every hop, and each path the internet has."
    ),
    remediation=(
        "Cut the internet path: tighten the security group or NACL, or move the workload behind a private subnet."
    ),
    steps=(
        NETWORK_CUT,
        PRIVATE_SUBNET,
        "Check the result with VPC Reachability Analyzer after deployment.",
    ),
    references=(SG_RULES, NACL, NAT),
    tags=(*TAGS, "network", "reachability"),
    fires_when=(
        "a port is reachable from the whole internet through an internet gateway (the default VPC's included), an "
        "internet-facing load balancer, or a peering/VPN route; a path open only to named ranges is shown as "
        "restricted and does not count"
    ),
)
