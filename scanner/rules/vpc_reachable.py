"""ec2-vpc-reachable: the workload admits all traffic from its whole VPC.

An attached security group admits all traffic (every protocol, or TCP and UDP on every port)
from source ranges that contain the whole VPC CIDR (its own CIDR, ``10.0.0.0/8``, ``0.0.0.0/0``
...). Rules from other security groups do not count. A source (or a VPC CIDR) not known
offline, or a rule that may not exist (its count is unknown), makes the trait possible: it
names the assumption and the origins deciding it. Rules that certainly exist and certainly
cover the VPC make it hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from scanner.analyses.network import PortSet, cidr_contains, parse_cidr, sg_rule_ports, unknown_source_note
from scanner.analyses.unknowns import may_not_exist, origins_of
from scanner.findings import Evidence, Trait
from scanner.locations import written_evidence
from scanner.model import SecurityGroupRule
from scanner.options import ScanOptions
from scanner.rules.catalog import TAGS, Rule
from scanner.rules.references import NACL, SG_RULES
from scanner.values import Unknown

if TYPE_CHECKING:  # reports read the catalogue without loading the analyses
    from scanner.rules.context import CheckContext

ID = "ec2-vpc-reachable"


_ALL_TCP_AND_UDP = PortSet.of("6", 0, 65535) | PortSet.of("17", 0, 65535)


def check(context: CheckContext, options: ScanOptions) -> Iterable[Trait]:
    ctx = context.workload
    rules = [r for g in ctx.security_groups for r in g.rules if r.ingress]
    for placement in ctx.placements:
        for version, vpc_cidrs in ((4, placement.vpc_cidrs), (6, placement.vpc_ipv6_cidrs)):
            for vpc_cidr in vpc_cidrs:
                ports, certain = PortSet(), PortSet()
                admitting: list[SecurityGroupRule] = []
                assumptions: list[str] = []
                deciding: list[object] = []
                for rule in rules:
                    for cidr in rule.cidrs if version == 4 else rule.ipv6_cidrs:
                        notes: list[str] = []
                        contains = cidr_contains(cidr, vpc_cidr)
                        if isinstance(contains, Unknown):
                            parsed = parse_cidr(cidr)
                            if parsed is not None and parsed.prefixlen == 0:
                                contains = True
                            elif isinstance(cidr, Unknown):
                                notes.append(
                                    unknown_source_note(rule, cidr, "it contains the VPC CIDR", "they admit the VPC")
                                )
                                deciding.append(cidr)
                                contains = True
                            elif isinstance(vpc_cidr, Unknown) and parsed is not None:
                                notes.append(
                                    f"the VPC CIDR is not known offline ({vpc_cidr.reason}); assumed {cidr} contains it"
                                )
                                deciding.append(vpc_cidr)
                                contains = True
                            else:
                                continue
                        if contains:
                            if rule.existence is not None:
                                notes.extend(may_not_exist(rule))
                                deciding.append(rule)
                            ports = ports | sg_rule_ports(rule)
                            admitting.append(rule)
                            if notes:
                                assumptions.extend(notes)
                            else:
                                certain = certain | sg_rule_ports(rule)
                            break
                if certain.covers(_ALL_TCP_AND_UDP):
                    assumptions, deciding = [], []  # holds whatever the unknowns are
                if not ports.covers(_ALL_TCP_AND_UDP) or not admitting:
                    continue
                rule = admitting[0]
                vpc_name = (
                    placement.vpc.address
                    if placement.vpc is not None
                    else ("the default VPC" if placement.default_vpc else "its VPC")
                )
                location = _rule_evidence(rule, f"admits {sg_rule_ports(rule)} from a CIDR containing {vpc_cidr}")
                related = (
                    *written_evidence(rule, rule.address, "cidrs", "ipv6_cidrs", "source_groups"),
                    *(_rule_evidence(r, f"admits {sg_rule_ports(r)}") for r in admitting[1:]),
                )
                return [
                    Trait(
                        rule_id=ID,
                        workload=ctx.address,
                        message=f"{ctx.address} admits all traffic from every address of {vpc_name} ({vpc_cidr})",
                        location=location,
                        related=related,
                        assumptions=tuple(dict.fromkeys(assumptions)),
                        unknowns=origins_of(*deciding),
                        properties={"ports": str(ports), "vpc_cidr": str(vpc_cidr)},
                    )
                ]
    return []


def _rule_evidence(rule: SecurityGroupRule, message: str) -> Evidence:
    return Evidence(span=rule.span_of("cidrs", "ipv6_cidrs", "source_groups"), address=rule.address, message=message)


RULE = Rule(
    id=ID,
    name="Ec2VpcReachable",
    short_description="EC2 workload open to all traffic from its whole VPC",
    full_description=(
        "An attached security group admits all traffic (every protocol, or TCP and UDP on every port) from "
        "a source range that contains the workload's whole VPC CIDR. Anything that runs anywhere in the VPC "
        "(a compromised instance, container or Lambda function) can reach every service on the workload, "
        "so one foothold becomes lateral movement."
    ),
    remediation="Admit only the ports the service needs, from the security groups of its real clients.",
    steps=(
        "Replace the all-traffic rule from the VPC CIDR (or 10.0.0.0/8 and the like) with rules for the "
        "service's own ports.",
        "Use the clients' security groups as the source instead of address ranges, so new workloads in the "
        "VPC get no access by default.",
        "Add network ACL rules at subnet boundaries for tiers that must never talk to each other.",
    ),
    references=(SG_RULES, NACL),
    tags=(*TAGS, "network", "reachability"),
    fires_when="an attached security group admits all traffic from a CIDR containing the whole VPC",
)
