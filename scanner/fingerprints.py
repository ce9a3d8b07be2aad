"""Fingerprints of findings: the identity a baseline, SARIF's partialFingerprints and the
JSON report share, stable across runs, line moves and reformatting."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from scanner.findings import Exposure, Trait
from scanner.rules import exposure_rule_id
from scanner.traits import EXPLOITABLE_VULNERABILITY, OPEN_SECURITY_GROUP, REMOTE_ACCESS, VULNERABILITY

# Trait properties that tell two findings on the same resource apart (never line numbers).
_DISTINGUISHING_PROPERTIES: Mapping[str, tuple[str, ...]] = {
    REMOTE_ACCESS: ("ports", "sources"),
    OPEN_SECURITY_GROUP: ("ports", "sources"),
    EXPLOITABLE_VULNERABILITY: ("cve", "cve_id", "cves", "vulnerability_id", "package"),
    VULNERABILITY: ("cve", "cve_id", "cves", "vulnerability_id", "package"),
}


_GROUP_RULES = frozenset({REMOTE_ACCESS, OPEN_SECURITY_GROUP})


def fingerprint(item: Exposure | Trait, configuration: str = "") -> str:
    """A fingerprint stable across runs and line moves: a hash of the rule id, the
    configuration, the workload address and the address of the resource the finding points
    at (the security group, + the ports and sources, for security group rules; + the CVE for
    vulnerabilities). For a trait,
    ``configuration`` names its exposure's configuration."""
    if isinstance(item, Exposure):
        parts = [exposure_rule_id(item.severity), item.configuration, item.workload, item.workload]
    else:
        where = item.location.address
        group = item.properties.get("security_group")
        if item.rule_id in _GROUP_RULES and isinstance(group, str) and group:
            # The group, not the rule's address: an inline rule is named by its position in
            # the list ("ingress[0]"), which reordering or adding rules above it changes.
            where = group
        parts = [item.rule_id, configuration, item.workload, where]
        for key in _DISTINGUISHING_PROPERTIES.get(item.rule_id, ()):
            if key in item.properties:
                parts.append(f"{key}={json.dumps(item.properties[key], sort_keys=True, default=str)}")
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
