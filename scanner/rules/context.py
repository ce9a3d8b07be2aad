"""What a rule's check reads about one workload.

``CheckContext`` is the workload as the graph resolved it (``WorkloadContext``) and what one
analysis run shares: the memo of network decisions, the vulnerability data (None when none
was given) and a list that collects notices. The analyses several rules read (candidate
paths, public addresses, world-open security group rules, role grants, vulnerabilities) are
computed once per workload, when a rule first asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from scanner.analyses.iam import Grant, role_grants
from scanner.analyses.network_memo import NetworkMemo
from scanner.analyses.public_ip import PublicAddresses, public_addresses
from scanner.analyses.reachability import PathKey, PathReport, keyed_paths
from scanner.analyses.security_groups import PiecedOpening, WorldRule, pieced_openings, world_rules
from scanner.workload import RoleContext, WorkloadContext

if TYPE_CHECKING:  # the vulnerability readers import version libraries: only when data is given
    from scanner.analyses.vulnerabilities import VulnerabilityFinding
    from scanner.vulndata import VulnerabilityData


@dataclass
class CheckContext:
    workload: WorkloadContext
    network: NetworkMemo
    vulnerability_data: VulnerabilityData | None = None
    notices: list[str] = field(default_factory=list)
    # Which candidate paths to evaluate (None: all): an edited copy measured for a fix needs
    # only those open before it (``scanner.analyses.reachability.keyed_paths``).
    path_candidates: frozenset[PathKey] | None = None

    @cached_property
    def keyed_paths(self) -> list[tuple[PathKey, PathReport]]:
        return keyed_paths(self.workload, self.network, self.path_candidates)

    @cached_property
    def paths(self) -> list[PathReport]:
        """Every candidate path to the workload, open or cut."""
        return [report for _, report in self.keyed_paths]

    @property
    def open_paths(self) -> frozenset[PathKey]:
        """The candidates found open (possibly open included)."""
        return frozenset(key for key, report in self.keyed_paths if report.open)

    @cached_property
    def public_addresses(self) -> PublicAddresses:
        return public_addresses(self.workload, self.network)

    @cached_property
    def world_rules(self) -> list[WorldRule]:
        """Ingress rules of the attached groups that admit the whole internet."""
        return world_rules(self.workload)

    @cached_property
    def pieced_openings(self) -> list[PiecedOpening]:
        """What the internet reaches only through several rules whose sources together cover it."""
        return pieced_openings(self.workload, self.world_rules)

    @cached_property
    def role_grants(self) -> list[tuple[RoleContext, Grant]]:
        """What each role of the instance profile grants on every resource."""
        return [(role, grant) for role in self.workload.roles for grant in role_grants(role)]

    @cached_property
    def vulnerabilities(self) -> list[VulnerabilityFinding]:
        if self.vulnerability_data is None:
            return []
        from scanner.analyses.vulnerabilities import vulnerability_findings

        found, notices = vulnerability_findings(self.workload, self.vulnerability_data)
        self.notices.extend(notices)
        return found
