"""What is installed on a workload: one package, where we learnt it, and package URLs."""

from __future__ import annotations

import re
from urllib.parse import unquote

from scanner.frozen import frozen
from scanner.values import Span


@frozen
class InstalledPackage:
    """A package that runs on the workload.

    ``ecosystem``: an OSV ecosystem (``Debian:12``, ``PyPI``, ``npm``), a package-manager
    family whose distribution is not known (``deb``, ``rpm``, ``apk``, or ``os`` for a
    cloud-init package that any of them may install), or None when unknown.
    ``source_name``: the source package a binary package was built from (``openssl`` for
    ``libssl3``): distribution advisories name source packages.
    ``origin``: where it was declared (an SBOM component, a user_data line);
    ``origin_text``: what that place says, for messages."""

    name: str
    version: str
    ecosystem: str | None
    origin: Span
    origin_text: str
    source_name: str | None = None
    purl: str | None = None


@frozen
class PackageUrl:
    type: str
    namespace: str
    name: str
    version: str
    qualifiers: dict[str, str]


def parse_purl(text: str) -> PackageUrl | None:
    """``pkg:type/namespace/name@version?qualifiers#subpath``, per the purl specification."""
    if not isinstance(text, str) or not text.startswith("pkg:"):
        return None
    rest = text[4:].lstrip("/").split("#", 1)[0]
    rest, _, query = rest.partition("?")
    qualifiers: dict[str, str] = {}
    for pair in query.split("&") if query else ():
        key, _, value = pair.partition("=")
        qualifiers[key.lower()] = unquote(value)
    path, at, version = rest.rpartition("@")
    if not at:
        path, version = rest, ""
    parts = [unquote(p) for p in path.split("/") if p]
    if len(parts) < 2:
        return None
    return PackageUrl(
        type=parts[0].lower(),
        namespace="/".join(parts[1:-1]),
        name=parts[-1],
        version=unquote(version),
        qualifiers=qualifiers,
    )


_RPM_VENDORS = {
    "redhat": "Red Hat",
    "rhel": "Red Hat",
    "amzn": "Amazon Linux",
    "amazon": "Amazon Linux",
    "amazonlinux": "Amazon Linux",
    "almalinux": "AlmaLinux",
    "rocky": "Rocky Linux",
    "rockylinux": "Rocky Linux",
    "centos": "CentOS",
    "fedora": "Fedora",
    "opensuse": "openSUSE",
    "suse": "SUSE",
    "sles": "SUSE",
    "ol": "Oracle Linux",
    "oracle": "Oracle Linux",
    "mariner": "Azure Linux",
    "azurelinux": "Azure Linux",
    "openeuler": "openEuler",
}
_SIMPLE_TYPES = {"pypi": "PyPI", "gem": "RubyGems", "cargo": "crates.io", "nuget": "NuGet"}


def _release(distro: str | None, vendor: str) -> str:
    """``debian-12`` -> ``12``; ``amzn-2`` -> ``2``; ``alpine-3.18.4`` -> ``3.18.4``."""
    if not distro:
        return ""
    match = re.search(r"(\d[\w.]*)$", distro)
    return match.group(1) if match else ""


def with_release(ecosystem: str, release: str) -> str:
    return f"{ecosystem}:{release}" if release else ecosystem


def ecosystem_of_purl(purl: PackageUrl) -> str | None:
    """The OSV ecosystem a package URL belongs to; None when we do not know it."""
    namespace = purl.namespace.lower()
    distro = purl.qualifiers.get("distro")
    if purl.type == "deb":
        if namespace in ("debian", "ubuntu"):
            return with_release(namespace.capitalize(), _release(distro, namespace))
        return "deb"
    if purl.type == "rpm":
        vendor = _RPM_VENDORS.get(namespace)
        return with_release(vendor, _release(distro, namespace)) if vendor else "rpm"
    if purl.type == "apk":
        if namespace in ("alpine", "alpinelinux"):
            return with_release("Alpine", _release(distro, namespace))
        if namespace in ("wolfi", "chainguard"):
            return namespace.capitalize()
        return "apk"
    if purl.type in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[purl.type]
    if purl.type in ("npm", "golang", "maven", "composer"):
        return {"npm": "npm", "golang": "Go", "maven": "Maven", "composer": "Packagist"}[purl.type]
    return None


def name_of_purl(purl: PackageUrl) -> str:
    """The package name as the ecosystem's advisories write it."""
    if purl.type == "npm" and purl.namespace:
        return f"{purl.namespace}/{purl.name}"
    if purl.type in ("golang", "composer") and purl.namespace:
        return f"{purl.namespace}/{purl.name}"
    if purl.type == "maven" and purl.namespace:
        return f"{purl.namespace}:{purl.name}"
    return purl.name


def version_of_purl(purl: PackageUrl) -> str:
    epoch = purl.qualifiers.get("epoch")
    if purl.type == "rpm" and epoch and epoch != "0" and ":" not in purl.version:
        return f"{epoch}:{purl.version}"
    return purl.version


def source_of_purl(purl: PackageUrl) -> str | None:
    """The source package: ``upstream=openssl`` / ``upstream=openssl-1.0.2k-24.src.rpm``."""
    upstream = purl.qualifiers.get("upstream")
    if not upstream:
        return None
    upstream = upstream.split("@", 1)[0]
    if upstream.endswith(".src.rpm"):
        # name-version-release.src.rpm: the name is what precedes the last two dashes
        parts = upstream[: -len(".src.rpm")].rsplit("-", 2)
        return parts[0] if len(parts) == 3 else upstream
    return upstream.split(" ", 1)[0]
