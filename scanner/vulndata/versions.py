"""Version ordering per package ecosystem, as each ecosystem's own tools order them.

The ordering rules are not ours to invent (dpkg epochs and ``~``, rpmvercmp, PEP 440,
semver pre-releases, apk suffixes): the ``univers`` library implements each of them.
An ecosystem we do not know is never compared with some other ecosystem's rules:
``version_scheme()`` returns None and the caller reports it.

Ecosystem names are OSV's (``Debian:12``, ``Ubuntu:22.04:LTS``, ``Alpine:v3.19``,
``Red Hat:enterprise_linux:9::appstream``, ``PyPI``, ``npm``); only the part before the
first ``:`` decides the ordering. Two extra names stand for a package manager whose
distribution is not known: ``deb`` (apt) and ``rpm`` (yum / dnf); ``apk`` likewise.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from univers import versions as uv

# Lower-cased ecosystem base name -> version family.
_FAMILY_OF: dict[str, str] = {
    "debian": "deb",
    "ubuntu": "deb",
    "deb": "deb",
    "red hat": "rpm",
    "redhat": "rpm",
    "amazon linux": "rpm",
    "amazon": "rpm",
    "amzn": "rpm",
    "almalinux": "rpm",
    "rocky linux": "rpm",
    "centos": "rpm",
    "fedora": "rpm",
    "oracle linux": "rpm",
    "suse": "rpm",
    "opensuse": "rpm",
    "mageia": "rpm",
    "openeuler": "rpm",
    "azure linux": "rpm",
    "photon os": "rpm",
    "rpm": "rpm",
    "alpine": "apk",
    "wolfi": "apk",
    "chainguard": "apk",
    "apk": "apk",
    "pypi": "pypi",
    "npm": "semver",
    "crates.io": "semver",
    "go": "go",
    "maven": "maven",
    "rubygems": "gem",
    "nuget": "nuget",
    "packagist": "composer",
}

_SCHEME: dict[str, Callable[[str], Any]] = {
    "deb": uv.DebianVersion,
    "rpm": uv.RpmVersion,
    "apk": uv.AlpineLinuxVersion,
    "pypi": uv.PypiVersion,
    "semver": uv.SemverVersion,
    "go": uv.GolangVersion,
    "maven": uv.MavenVersion,
    "gem": uv.RubygemsVersion,
    "nuget": uv.NugetVersion,
    "composer": uv.ComposerVersion,
}

OS_FAMILIES = frozenset({"deb", "rpm", "apk"})


class UnknownEcosystem(ValueError):
    """No known ordering for this ecosystem."""


class BadVersion(ValueError):
    """A version string the ecosystem's rules cannot read."""


def ecosystem_base(ecosystem: str) -> str:
    """``Debian:12`` -> ``debian``; ``Red Hat:enterprise_linux:9`` -> ``red hat``."""
    return ecosystem.split(":", 1)[0].strip().lower()


def ecosystem_release(ecosystem: str) -> str:
    """``Debian:12`` -> ``12``; ``Alpine:v3.19`` -> ``v3.19``; ``PyPI`` -> ``""``."""
    parts = ecosystem.split(":", 1)
    return parts[1].strip().lower() if len(parts) == 2 else ""


def family(ecosystem: str) -> str | None:
    """The ordering family (``deb``, ``rpm``, ``apk``, ``pypi``, ``semver`` ...) or None."""
    return _FAMILY_OF.get(ecosystem_base(ecosystem))


def is_known(ecosystem: str) -> bool:
    return family(ecosystem) is not None


def parse_version(ecosystem: str, version: str) -> Any:
    """A comparable object for ``version`` under ``ecosystem``'s rules."""
    fam = family(ecosystem)
    if fam is None:
        raise UnknownEcosystem(ecosystem)
    text = version.strip()
    if fam == "rpm" and re.fullmatch(r"0:.*", text):
        text = text[2:]  # epoch 0 is the same as no epoch
    try:
        return _SCHEME[fam](text)
    except Exception as exc:  # univers raises InvalidVersion, ValueError, TypeError ...
        raise BadVersion(f"{version!r} is not a valid {ecosystem} version") from exc


def compare(ecosystem: str, left: str, right: str) -> int:
    """-1, 0 or 1 as ``left`` sorts before, with or after ``right``."""
    a, b = parse_version(ecosystem, left), parse_version(ecosystem, right)
    if a < b:
        return -1
    if a > b:
        return 1
    return 0


def normalize_name(ecosystem: str, name: str) -> str:
    """A package name as the ecosystem compares names: PyPI per PEP 503, Debian/RPM/apk
    names lower-cased, npm and the rest as written."""
    fam = family(ecosystem)
    if fam == "pypi":
        return re.sub(r"[-_.]+", "-", name).lower()
    if fam in OS_FAMILIES or fam in {"gem", "nuget", "composer"}:
        return name.lower()
    return name
