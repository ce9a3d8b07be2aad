"""Amazon Inspector findings, as ``aws inspector2 list-findings`` returns them.

A package vulnerability finding names the image it was seen on
(``resources[].details.awsEc2Instance.imageId``), the vulnerable package with its installed
and fixed versions, and the CVE with its CVSS vectors: Inspector has already matched it, so
it needs no advisory database. Only ACTIVE / SUPPRESSED package findings count: a CLOSED one
was fixed."""

from __future__ import annotations

from typing import Any

from scanner.frozen import frozen
from scanner.values import Span
from scanner.vulndata.packages import InstalledPackage, with_release
from scanner.vulndata.sourcelines import TextLines

# Inspector's packageManager for language packages -> OSV ecosystem.
_LANGUAGE_MANAGERS = {
    "PIP": "PyPI",
    "PIPENV": "PyPI",
    "POETRY": "PyPI",
    "PYTHONPKG": "PyPI",
    "NPM": "npm",
    "YARN": "npm",
    "NODEPKG": "npm",
    "GEMSPEC": "RubyGems",
    "BUNDLER": "RubyGems",
    "CARGO": "crates.io",
    "NUGET": "NuGet",
    "DOTNET_CORE": "NuGet",
    "COMPOSER": "Packagist",
    "GOBINARY": "Go",
    "GOMOD": "Go",
    "JAR": "Maven",
    "POM": "Maven",
}
# Inspector's platform for OS packages -> OSV ecosystem (release appended).
_PLATFORMS = {
    "AMAZON_LINUX": "Amazon Linux",
    "DEBIAN": "Debian",
    "UBUNTU": "Ubuntu",
    "RHEL": "Red Hat",
    "CENTOS": "CentOS",
    "ALPINE": "Alpine",
    "ROCKY_LINUX": "Rocky Linux",
    "ALMA_LINUX": "AlmaLinux",
    "ORACLE": "Oracle Linux",
    "SUSE": "SUSE",
    "OPENSUSE": "openSUSE",
    "FEDORA": "Fedora",
}


@frozen
class InspectorFinding:
    package: InstalledPackage
    vulnerability_id: str
    related_ids: tuple[str, ...]
    fixed_version: str | None
    cvss_vectors: tuple[str, ...]  # preferred first (CVSS v3 from NVD)
    epss: float | None
    exploit_available: bool
    title: str
    image_ids: tuple[str, ...]
    instance_ids: tuple[str, ...]


def is_inspector_export(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("findings"), list)


def read_inspector_export(document: dict[str, Any], text: str, display: str) -> list[InspectorFinding]:
    lines = TextLines(text)
    found: list[InspectorFinding] = []
    for finding in document.get("findings") or ():
        if not isinstance(finding, dict):
            continue
        details = finding.get("packageVulnerabilityDetails")
        if not isinstance(details, dict) or str(finding.get("status", "ACTIVE")).upper() == "CLOSED":
            continue
        vuln_id = str(details.get("vulnerabilityId") or "")
        if not vuln_id:
            continue
        line = lines.find_line(str(finding.get("findingArn") or ""), vuln_id) or 1
        image_ids, instance_ids, platform = _resources(finding.get("resources"))
        epss = _float((finding.get("epss") or {}).get("score")) if isinstance(finding.get("epss"), dict) else None
        for package in details.get("vulnerablePackages") or ():
            if not isinstance(package, dict) or not package.get("name") or not package.get("version"):
                continue
            found.append(
                InspectorFinding(
                    package=InstalledPackage(
                        name=str(package["name"]),
                        version=_full_version(package),
                        ecosystem=_ecosystem(str(package.get("packageManager") or ""), platform),
                        origin=Span(display, line, line),
                        origin_text=f"Amazon Inspector finding {vuln_id}",
                    ),
                    vulnerability_id=vuln_id,
                    related_ids=tuple(str(v) for v in details.get("relatedVulnerabilities") or () if v),
                    fixed_version=_fixed(package.get("fixedInVersion")),
                    cvss_vectors=_vectors(details.get("cvss")),
                    epss=epss,
                    exploit_available=str(finding.get("exploitAvailable", "")).upper() == "YES",
                    title=str(finding.get("title") or vuln_id),
                    image_ids=image_ids,
                    instance_ids=instance_ids,
                )
            )
    return found


def _resources(resources: Any) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    images: list[str] = []
    instances: list[str] = []
    platform = ""
    for resource in resources if isinstance(resources, list) else ():
        if not isinstance(resource, dict) or resource.get("type") != "AWS_EC2_INSTANCE":
            continue
        if resource.get("id"):
            instances.append(str(resource["id"]).rsplit("/", 1)[-1])
        ec2 = (resource.get("details") or {}).get("awsEc2Instance") or {}
        if isinstance(ec2, dict):
            if ec2.get("imageId"):
                images.append(str(ec2["imageId"]))
            platform = platform or str(ec2.get("platform") or "")
    return tuple(images), tuple(instances), platform


def _ecosystem(manager: str, platform: str) -> str | None:
    manager = manager.upper()
    if manager in _LANGUAGE_MANAGERS:
        return _LANGUAGE_MANAGERS[manager]
    if manager != "OS":
        return None
    platform = platform.upper()
    for prefix, vendor in sorted(_PLATFORMS.items(), key=lambda kv: -len(kv[0])):
        if platform.startswith(prefix):
            release = platform[len(prefix) :].strip("_").replace("_", ".")
            return with_release(vendor, release)
    return None


def _full_version(package: dict[str, Any]) -> str:
    version = str(package.get("version"))
    release = str(package.get("release") or "")
    epoch = package.get("epoch")
    text = f"{version}-{release}" if release else version
    if epoch not in (None, 0, "0", "") and ":" not in text:
        text = f"{epoch}:{text}"
    return text


def _fixed(value: Any) -> str | None:
    if not value or str(value).upper() in ("NOTAVAILABLE", "NONE", "N/A"):
        return None
    text = str(value)
    return text[2:] if text.startswith("0:") else text


def _vectors(cvss: Any) -> tuple[str, ...]:
    scored: list[tuple[int, str]] = []
    for item in cvss if isinstance(cvss, list) else ():
        if not isinstance(item, dict) or not item.get("scoringVector"):
            continue
        version = str(item.get("version") or "")
        rank = (0 if version.startswith("3") else 2 if version.startswith("4") else 4) + (
            0 if str(item.get("source", "")).upper() == "NVD" else 1
        )
        vector = str(item["scoringVector"])
        if version and not vector.startswith("CVSS:") and not version.startswith("2"):
            vector = f"CVSS:{version}/{vector}"
        scored.append((rank, vector))
    return tuple(vector for _, vector in sorted(scored, key=lambda pair: pair[0]))


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
