"""Packages of an image from its SBOM: CycloneDX JSON or SPDX 2.x JSON.

Each component's package URL (purl) says its ecosystem, name, version and, for
distribution packages, the source package (``upstream=``) and release (``distro=``).
A component without a purl cannot be matched to advisories and is counted, not guessed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from scanner.values import Span
from scanner.vulndata.packages import (
    InstalledPackage,
    ecosystem_of_purl,
    name_of_purl,
    parse_purl,
    source_of_purl,
    version_of_purl,
    with_release,
)
from scanner.vulndata.sourcelines import TextLines

_OS_NAMES = {
    "debian": "Debian",
    "ubuntu": "Ubuntu",
    "alpine": "Alpine",
    "amzn": "Amazon Linux",
    "amazonlinux": "Amazon Linux",
    "amazon": "Amazon Linux",
    "rhel": "Red Hat",
    "redhat": "Red Hat",
    "rocky": "Rocky Linux",
    "almalinux": "AlmaLinux",
    "centos": "CentOS",
    "fedora": "Fedora",
}


@dataclass
class SbomPackages:
    packages: list[InstalledPackage] = field(default_factory=list)
    distro: str | None = None  # the image's OS as an OSV ecosystem, when the SBOM says
    without_purl: int = 0
    unknown_ecosystems: dict[str, int] = field(default_factory=dict)  # purl type -> count


def is_cyclonedx(document: Any) -> bool:
    return isinstance(document, dict) and document.get("bomFormat") == "CycloneDX"


def is_spdx(document: Any) -> bool:
    return isinstance(document, dict) and str(document.get("spdxVersion", "")).startswith("SPDX-")


def read_sbom(document: dict[str, Any], text: str, display: str) -> SbomPackages:
    lines = TextLines(text)
    result = SbomPackages()
    if is_cyclonedx(document):
        entries = _cyclonedx_entries(document)
        kind = "CycloneDX"
    else:
        entries = _spdx_entries(document)
        kind = "SPDX"
    for name, version, purl_text, marker, os_version in entries:
        if os_version is not None:
            result.distro = result.distro or _os_ecosystem(name, os_version)
            continue
        purl = parse_purl(purl_text) if purl_text else None
        if purl is None:
            result.without_purl += 1
            continue
        ecosystem = ecosystem_of_purl(purl)
        if ecosystem is None:
            result.unknown_ecosystems[purl.type] = result.unknown_ecosystems.get(purl.type, 0) + 1
        line = lines.find_line(marker, purl_text)
        version_text = version_of_purl(purl) or version
        if not version_text:
            continue
        result.packages.append(
            InstalledPackage(
                name=name_of_purl(purl),
                version=version_text,
                ecosystem=ecosystem,
                origin=Span(display, line or 1, line or 1),
                origin_text=f"{kind} SBOM component {purl_text}",
                source_name=source_of_purl(purl),
                purl=purl_text,
            )
        )
    return result


Entry = tuple[str, str, str, str, "str | None"]  # name, version, purl, marker, os version


def _cyclonedx_entries(document: dict[str, Any]) -> Iterator[Entry]:
    def walk(components: Any) -> Iterator[Entry]:
        for component in components if isinstance(components, list) else ():
            if not isinstance(component, dict):
                continue
            name = str(component.get("name", ""))
            version = str(component.get("version", ""))
            if component.get("type") == "operating-system":
                yield name, version, "", "", version
            else:
                purl = component.get("purl")
                marker = component.get("bom-ref") or purl or ""
                yield name, version, purl if isinstance(purl, str) else "", str(marker), None
            yield from walk(component.get("components"))

    yield from walk(document.get("components"))


def _spdx_entries(document: dict[str, Any]) -> Iterator[Entry]:
    for package in document.get("packages") or ():
        if not isinstance(package, dict):
            continue
        name = str(package.get("name", ""))
        version = str(package.get("versionInfo", ""))
        if package.get("primaryPackagePurpose") == "OPERATING-SYSTEM":
            yield name, version, "", "", version
            continue
        purl = ""
        for ref in package.get("externalRefs") or ():
            if isinstance(ref, dict) and ref.get("referenceType") == "purl":
                purl = str(ref.get("referenceLocator", ""))
                break
        yield name, version, purl, str(package.get("SPDXID", "")), None


def _os_ecosystem(name: str, version: str) -> str | None:
    vendor = _OS_NAMES.get(name.lower().replace(" ", ""))
    if vendor is None:
        return None
    return with_release(vendor, version.split(" ", 1)[0])
