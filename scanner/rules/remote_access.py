"""ec2-remote-access: an attached security group opens SSH or RDP to the whole internet.

A rule of a group attached to the workload admits TCP 22 (SSH) or 3389 (RDP) from the whole
internet (``0.0.0.0/0`` or ``::/0``): a TCP port range that covers them, or protocol ``-1``
(all traffic). The whole internet written in pieces (``0.0.0.0/1`` and ``128.0.0.0/1``, or
rules whose sources together cover every internet address) counts as well. Which rules
count, and how unknown values are read, is ``scanner.analyses.security_groups``. One trait
per rule, at its CIDR line (for pieces, at the first rule's, the others related).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from scanner.analyses.network import PortSet
from scanner.analyses.security_groups import REMOTE_ACCESS_PORTS, REMOTE_NAMES, TCP, pieced_trait, world_rule_trait
from scanner.findings import Trait
from scanner.options import ScanOptions
from scanner.rules.catalog import TAGS, Rule
from scanner.rules.references import EICE, SESSION_MANAGER, SG_RULES

if TYPE_CHECKING:  # reports read the catalogue without loading the analyses
    from scanner.rules.context import CheckContext

ID = "ec2-remote-access"


def check(context: CheckContext, options: ScanOptions) -> Iterable[Trait]:
    # Certain rules first: a possible rule (unknown source, count unknown) adds a trait only
    # for remote ports no certain rule already opens to the world.
    certain: set[int] = set()
    for world in sorted(context.world_rules, key=lambda w: w.possible):
        remote = tuple(p for p in world.opening.remote_access_ports() if not (world.possible and p in certain))
        if not remote:
            continue
        if not world.possible:
            certain.update(remote)
        names = " and ".join(f"{REMOTE_NAMES[p]} ({p})" for p in remote)
        ports = ", ".join(f"tcp {p}" for p in remote)
        yield world_rule_trait(
            context.workload, world, ID, f": remote access over {names}", ports, {"opening": world.opening.describe()}
        )
    for pieced in context.pieced_openings:
        remote_ports = [p for p in REMOTE_ACCESS_PORTS if pieced.ports.contains(TCP, p)]
        if remote_ports:
            names = " and ".join(f"{REMOTE_NAMES[p]} ({p})" for p in remote_ports)
            opened = PortSet()
            for port in remote_ports:
                opened = opened | PortSet.of(TCP, port, port)
            yield pieced_trait(context.workload, pieced, ID, f": remote access over {names}", opened)


RULE = Rule(
    id=ID,
    name="Ec2RemoteAccessOpen",
    short_description="Remote administration port open to the internet",
    full_description=(
        "A security group attached to the workload allows a remote administration port (SSH 22, RDP 3389 "
        "or similar) from any address (0.0.0.0/0 or ::/0). Such ports attract constant password guessing and "
        "exploitation of new server vulnerabilities."
    ),
    remediation=(
        "Restrict SSH/RDP to known CIDRs, or remove the rule and use Session Manager / EC2 Instance Connect Endpoint."
    ),
    steps=(
        "Remove the rule and reach the instance through AWS Systems Manager Session Manager or an EC2 Instance "
        "Connect Endpoint: no inbound port is needed.",
        "If a port must stay open, allow it only from the known address ranges of your administrators or VPN.",
    ),
    references=(SESSION_MANAGER, EICE, SG_RULES),
    tags=(*TAGS, "network", "remote-access"),
    fires_when=(
        "an attached security group allows TCP 22 or 3389 from the whole internet (0.0.0.0/0, ::/0, or ranges that "
        "together cover it)"
    ),
    fingerprint_keys=("ports", "sources"),
    fingerprint_resource="security_group",
)
