"""What analyses produce (``Trait``) and what the exposure stage makes of them (``Exposure``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from scanner.values import Span

# Stable rule ids: users suppress and baseline by them.
IMDSV1 = "ec2-imdsv1"
ADMIN_ROLE = "ec2-admin-role"
SERVICE_ADMIN_ROLE = "ec2-service-admin-role"
REMOTE_ACCESS = "ec2-remote-access"
OPEN_SECURITY_GROUP = "ec2-open-security-group"
PUBLIC_IP = "ec2-public-ip"
INTERNET_REACHABLE = "ec2-internet-reachable"
VPC_REACHABLE = "ec2-vpc-reachable"
EXPLOITABLE_VULNERABILITY = "ec2-exploitable-vulnerability"
VULNERABILITY = "ec2-vulnerability"
EXPOSURE = "ec2-exposure"  # the aggregate; published as ec2-exposure-{critical,high,medium,low}

TRAIT_RULE_IDS: tuple[str, ...] = (
    IMDSV1,
    ADMIN_ROLE,
    SERVICE_ADMIN_ROLE,
    REMOTE_ACCESS,
    OPEN_SECURITY_GROUP,
    PUBLIC_IP,
    INTERNET_REACHABLE,
    VPC_REACHABLE,
    EXPLOITABLE_VULNERABILITY,
    VULNERABILITY,
)


class Severity(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Evidence:
    """A place involved in a trait: ``span`` the line(s), ``address`` the resource written
    there, ``message`` what that place does ("allows tcp 22 from 0.0.0.0/0")."""

    span: Span
    address: str
    message: str


@dataclass(frozen=True)
class PathStep:
    """One hop of an attack path, in order from the source (internet, peer network, VPN)
    to the workload and on to what it can reach (profile, role, statement).

    ``kind``: internet | internet_gateway | load_balancer | listener | target_group |
    route_table | route | network_acl | network_acl_entry | security_group |
    security_group_rule | vpc_peering | vpn_gateway | subnet | instance |
    auto_scaling_group | launch_template | instance_profile | role | policy | policy_statement.
    ``ports``: what still passes after this hop, e.g. "tcp 22, tcp 80-443" ("" when n/a)."""

    kind: str
    address: str
    description: str
    span: Span | None = None
    ports: str = ""


@dataclass(frozen=True)
class Trait:
    """One exposure trait of one workload.

    ``location`` is the line to change; ``related`` other places involved (the group
    behind a rule, the role behind a statement); ``path`` the attack path when there is
    one; ``assumptions`` non-empty when the trait rests on values not known offline
    (then the report says so); ``properties`` rule-specific facts (ports, cve ids ...)
    that go to JSON and SARIF properties: JSON-serialisable values only."""

    rule_id: str
    workload: str
    message: str
    location: Evidence
    related: tuple[Evidence, ...] = ()
    path: tuple[PathStep, ...] = ()
    assumptions: tuple[str, ...] = ()
    properties: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Fix:
    """Removing the trait ``rule_id`` at ``location`` would bring the exposure to ``severity``
    (None: no exposure left)."""

    rule_id: str
    location: Evidence
    severity: Severity | None
    remediation: str


@dataclass(frozen=True)
class Exposure:
    """One finding per workload with at least one trait."""

    configuration: str
    workload: str
    workload_kind: str
    workload_span: Span
    severity: Severity
    traits: tuple[Trait, ...]
    path: tuple[PathStep, ...]
    fixes: tuple[Fix, ...]  # ranked: the fix that lowers the severity most comes first

    @property
    def best_fix(self) -> Fix | None:
        return self.fixes[0] if self.fixes else None
