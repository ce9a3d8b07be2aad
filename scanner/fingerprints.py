"""Fingerprints of findings: the identity a baseline, SARIF's partialFingerprints and the
JSON report share, stable across runs, line moves and reformatting."""

from __future__ import annotations

import hashlib
import json

from scanner.findings import Exposure, Trait
from scanner.rules.exposure_levels import POSSIBLE_EXPOSURE, exposure_rule_id


def fingerprint(item: Exposure | Trait, configuration: str = "") -> str:
    """A fingerprint stable across runs and line moves: a hash of the rule id, the
    configuration, the workload address and the address of the resource the finding points
    at (the security group, + the ports and sources, for security group rules; + the CVE for
    vulnerabilities). For a trait,
    ``configuration`` names its exposure's configuration; a trait the pipeline has
    fingerprinted already (``Trait.fingerprint``) is not hashed again."""
    if isinstance(item, Trait) and item.fingerprint:
        return item.fingerprint
    if isinstance(item, Exposure):
        parts = [exposure_rule_id(item.table_severity), item.configuration, item.workload, item.workload]
    else:
        # Each rule says which trait properties tell two of its findings on one resource
        # apart. The catalogue is read here only: reports of an answer from the result cache
        # carry their fingerprints, and need not load every rule and analysis.
        from scanner.rules.registry import rule_by_id

        rule = rule_by_id(item.rule_id)
        where = item.location.address
        keyed_by = item.properties.get(rule.fingerprint_resource) if rule and rule.fingerprint_resource else None
        if isinstance(keyed_by, str) and keyed_by:
            # The group, not the rule's address: an inline rule is named by its position in
            # the list ("ingress[0]"), which reordering or adding rules above it changes.
            where = keyed_by
        parts = [item.rule_id, configuration, item.workload, where]
        for key in rule.fingerprint_keys if rule is not None else ():
            if key in item.properties:
                parts.append(f"{key}={json.dumps(item.properties[key], sort_keys=True, default=str)}")
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def possible_fingerprint(exposure: Exposure) -> str:
    """The identity of an exposure's ``ec2-possible-exposure`` finding: the rule, the
    configuration and the workload (it equals ``fingerprint(exposure)`` when no trait
    holds), so filling in one unknown of several does not make it new."""
    parts = [POSSIBLE_EXPOSURE, exposure.configuration, exposure.workload, exposure.workload]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
