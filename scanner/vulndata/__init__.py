"""Offline vulnerability data: what runs on a workload (SBOMs, Inspector exports, the
packages user_data installs) and what is vulnerable (OSV records, CISA KEV, EPSS)."""

from scanner.vulndata.vulnerability_data import (
    NOT_EVALUATED,
    VulnerabilityData,
    VulnerabilitySources,
    load_vulnerability_data,
)

__all__ = ["NOT_EVALUATED", "VulnerabilityData", "VulnerabilitySources", "load_vulnerability_data"]
