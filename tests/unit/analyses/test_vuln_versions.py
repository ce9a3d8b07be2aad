"""Version ordering per ecosystem, and OSV range evaluation on top of it."""

from __future__ import annotations

import pytest

from scanner.vulndata import versions
from scanner.vulndata.osv import AffectedPackage, is_affected


@pytest.mark.parametrize(
    ("ecosystem", "lower", "higher"),
    [
        ("Debian:12", "1.0~rc1-1", "1.0-1"),  # tilde sorts before everything
        ("Debian:12", "2.0-1", "1:1.0-1"),  # an epoch outranks the upstream version
        ("Debian:12", "3.0.11-1~deb12u1", "3.0.11-1"),
        ("Debian:12", "1.22.1-9", "1.22.1-9+deb12u1"),
        ("Ubuntu:22.04:LTS", "3.0.2-0ubuntu1.6", "3.0.2-0ubuntu1.10"),  # numeric, not text, order
        ("Red Hat:enterprise_linux:9::appstream", "1.0.2k-9.el9", "1.0.2k-24.el9"),
        ("Amazon Linux:2023", "2.4.49-1.amzn2023", "2.4.50-1.amzn2023"),
        ("Amazon Linux:2", "3.0-1.amzn2", "1:1.0-1.amzn2"),  # rpm epoch
        ("Amazon Linux:2", "1.0.2k-24.amzn2", "1.0.2k-24.amzn2.0.1"),
        ("PyPI", "2.3.0rc1", "2.3.0"),
        ("PyPI", "2.2.5", "2.10.0"),
        ("PyPI", "1.0.post1", "1.1.dev0"),
        ("npm", "1.0.0-alpha", "1.0.0"),
        ("npm", "1.0.0-alpha.2", "1.0.0-alpha.10"),
        ("npm", "4.17.9", "4.17.20"),
        ("Alpine:v3.18", "1.36.1-r0", "1.36.1-r1"),
        ("Alpine:v3.18", "1.36.1_rc1-r0", "1.36.1-r0"),
        ("Alpine:v3.18", "1.2.3_p1-r0", "1.2.4-r0"),
    ],
)
def test_ordering(ecosystem: str, lower: str, higher: str) -> None:
    assert versions.compare(ecosystem, lower, higher) == -1
    assert versions.compare(ecosystem, higher, lower) == 1
    assert versions.compare(ecosystem, lower, lower) == 0


def test_rpm_epoch_zero_is_no_epoch() -> None:
    assert versions.compare("Red Hat", "0:1.2-3", "1.2-3") == 0


def test_unknown_ecosystem_is_refused_not_guessed() -> None:
    assert versions.family("Hackage") is None
    with pytest.raises(versions.UnknownEcosystem):
        versions.compare("Hackage", "1.0", "2.0")


def test_unreadable_version_is_an_error() -> None:
    with pytest.raises(versions.BadVersion):
        versions.parse_version("PyPI", "not a version")


def test_pypi_names_compare_per_pep_503() -> None:
    assert versions.normalize_name("PyPI", "Zope.Interface") == versions.normalize_name("PyPI", "zope_interface")
    assert versions.normalize_name("npm", "@Angular/core") == "@Angular/core"


def _affected(ecosystem: str, *events: tuple[str, str], listed: tuple[str, ...] = ()) -> AffectedPackage:
    return AffectedPackage(ecosystem=ecosystem, name="x", ranges=(tuple(events),), versions=listed, cvss_vectors=())


def test_range_with_two_intervals() -> None:
    affected = _affected("PyPI", ("introduced", "0"), ("fixed", "2.2.5"), ("introduced", "2.3.0"), ("fixed", "2.3.2"))
    assert is_affected(affected, "2.2.4") == (True, "2.2.5")
    assert is_affected(affected, "2.2.5") == (False, None)
    assert is_affected(affected, "2.3.1") == (True, "2.3.2")
    assert is_affected(affected, "2.3.2") == (False, None)


def test_last_affected_is_inclusive() -> None:
    affected = _affected("npm", ("introduced", "1.0.0"), ("last_affected", "1.4.0"))
    assert is_affected(affected, "1.4.0")[0]
    assert not is_affected(affected, "1.4.1")[0]
    assert not is_affected(affected, "0.9.0")[0]


def test_debian_fixed_with_tilde_backport() -> None:
    affected = _affected("Debian:12", ("introduced", "0"), ("fixed", "3.0.11-1~deb12u2"))
    assert is_affected(affected, "3.0.11-1~deb12u1")[0]
    assert not is_affected(affected, "3.0.11-1~deb12u2")[0]
    assert not is_affected(affected, "3.0.11-1")[0]


def test_explicit_versions_list() -> None:
    affected = AffectedPackage(ecosystem="PyPI", name="x", ranges=(), versions=("1.0",), cvss_vectors=())
    assert is_affected(affected, "1.0.0")[0]  # PEP 440: 1.0 == 1.0.0
    assert not is_affected(affected, "1.0.1")[0]
