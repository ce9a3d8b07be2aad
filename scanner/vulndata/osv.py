"""An OSV advisory database given as a folder or a zip of OSV JSON records, and the
question it answers: which advisories affect this installed package?

OSV schema (https://ossf.github.io/osv-schema/): ``affected[].package{ecosystem,name}``,
``ranges[]{type, events[{introduced|fixed|last_affected|limit}]}``, ``versions[]``,
``aliases`` / ``upstream`` (CVE ids), ``severity[]{type, score}`` with a CVSS vector.
Ranges of type ECOSYSTEM and SEMVER are evaluated with the ecosystem's own ordering;
GIT ranges name commits, not versions, and are skipped."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.findings import LoadError
from scanner.frozen import frozen
from scanner.vulndata import versions
from scanner.vulndata.packages import InstalledPackage


@frozen
class AffectedPackage:
    ecosystem: str
    name: str
    ranges: tuple[tuple[tuple[str, str], ...], ...]  # each range: its events as (kind, version)
    versions: tuple[str, ...]
    cvss_vectors: tuple[str, ...]


@frozen
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str
    cvss_vectors: tuple[str, ...]
    affected: tuple[AffectedPackage, ...]
    file: str  # the record's file, for messages

    @property
    def cve_ids(self) -> tuple[str, ...]:
        ids = [self.id, *self.aliases]
        return tuple(dict.fromkeys(i for i in ids if i.upper().startswith("CVE-")))


@frozen
class AdvisoryMatch:
    package: InstalledPackage
    advisory: Advisory
    ecosystem: str  # the advisory's ecosystem that matched
    fixed_version: str | None
    assumption: str | None  # why the match rests on a guess (distribution not known)


@dataclass
class OsvDatabase:
    advisories: list[Advisory] = field(default_factory=list)
    # (version family or lower-cased base ecosystem, normalised name) -> (advisory, affected)
    index: dict[tuple[str, str], list[tuple[Advisory, AffectedPackage]]] = field(default_factory=dict)
    vectors_by_cve: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def add(self, advisory: Advisory) -> None:
        self.advisories.append(advisory)
        for affected in advisory.affected:
            name = versions.normalize_name(affected.ecosystem, affected.name)
            key = (versions.ecosystem_base(affected.ecosystem), name)
            self.index.setdefault(key, []).append((advisory, affected))
            fam = versions.family(affected.ecosystem)
            if fam in versions.OS_FAMILIES:
                self.index.setdefault((fam, key[1]), []).append((advisory, affected))
        vectors = advisory.cvss_vectors or tuple(v for a in advisory.affected for v in a.cvss_vectors)
        if vectors:
            for cve in advisory.cve_ids:
                self.vectors_by_cve.setdefault(cve.upper(), vectors)

    def vectors_for(self, advisory: Advisory) -> tuple[str, ...]:
        """The advisory's CVSS vectors, else those another record of the same CVE carries
        (distribution advisories often carry none)."""
        own = advisory.cvss_vectors or tuple(v for a in advisory.affected for v in a.cvss_vectors)
        if own:
            return own
        for cve in advisory.cve_ids:
            if cve.upper() in self.vectors_by_cve:
                return self.vectors_by_cve[cve.upper()]
        return ()

    def matches(self, package: InstalledPackage) -> tuple[list[AdvisoryMatch], list[str]]:
        """Advisories that affect ``package``, and notices (an ecosystem we cannot order,
        a version its ecosystem cannot read)."""
        if package.ecosystem is None or (not versions.is_known(package.ecosystem) and package.ecosystem != "os"):
            return [], [
                f"{package.origin_text}: ecosystem {package.ecosystem or 'not given'} is not supported: "
                f"{package.name} {package.version} was not checked"
            ]
        found: list[AdvisoryMatch] = []
        notices: list[str] = []
        seen: set[str] = set()
        for advisory, affected in self._candidates(package):
            if advisory.id in seen or not _same_release(package.ecosystem, affected.ecosystem):
                continue
            if not versions.is_known(affected.ecosystem):
                continue
            try:
                hit, fixed = is_affected(affected, package.version)
            except versions.BadVersion as exc:
                notices.append(f"{package.origin_text}: {exc}: not checked against {advisory.id}")
                continue
            if hit:
                seen.add(advisory.id)
                found.append(
                    AdvisoryMatch(
                        package, advisory, affected.ecosystem, fixed, _assumption(package.ecosystem, affected.ecosystem)
                    )
                )
        return found, notices

    def _candidates(self, package: InstalledPackage) -> Iterator[tuple[Advisory, AffectedPackage]]:
        assert package.ecosystem is not None
        if package.ecosystem == "os":
            bases: list[str] = sorted(versions.OS_FAMILIES)
        else:
            bases = [versions.ecosystem_base(package.ecosystem)]
        for base in bases:
            names = [package.name] + ([package.source_name] if package.source_name else [])
            for name in dict.fromkeys(versions.normalize_name(base, n) for n in names):
                yield from self.index.get((base, name), ())


def _same_release(installed: str, advisory: str) -> bool:
    """Whether an advisory for ``advisory`` (``Debian:12``) applies to a package of
    ``installed`` (``Debian:12``, ``Debian`` with no release known, ``deb``)."""
    if installed in ("os",) or installed in versions.OS_FAMILIES:
        return versions.family(advisory) == installed or installed == "os"
    if versions.ecosystem_base(installed) != versions.ecosystem_base(advisory):
        return False
    mine = versions.ecosystem_release(installed).lstrip("v")
    theirs = versions.ecosystem_release(advisory).lstrip("v")
    if not mine or not theirs:
        return True
    for part in theirs.split(":"):
        part = part.lstrip("v")
        if part and (mine == part or mine.startswith(part + ".") or part.startswith(mine + ".")):
            return True
    return False


def _assumption(installed: str, advisory: str) -> str | None:
    if installed == "os" or installed in versions.OS_FAMILIES:
        return (
            f"the image's distribution is not known: the package was checked against {advisory} "
            "advisories (give an SBOM of the image to be sure)"
        )
    if not versions.ecosystem_release(installed) and versions.ecosystem_release(advisory):
        return f"the distribution release is not known: the package was checked against {advisory} advisories"
    return None


def is_affected(affected: AffectedPackage, version: str) -> tuple[bool, str | None]:
    """Whether ``version`` is affected, and the first fixed version above it (if any).
    The OSV evaluation: events sorted by version; introduced opens, fixed / last_affected
    close. Raises versions.BadVersion when the installed version cannot be read."""
    ecosystem = affected.ecosystem
    installed = versions.parse_version(ecosystem, version)
    fixed_above: list[tuple[Any, str]] = []
    hit = False
    for listed in affected.versions:
        try:
            if versions.parse_version(ecosystem, listed) == installed:
                hit = True
        except versions.BadVersion:
            if listed == version:
                hit = True
    for events in affected.ranges:
        state = False
        for kind, value, key in _sorted_events(ecosystem, events):
            if kind == "introduced" and (value == "0" or installed >= key):
                state = True
            elif (kind == "fixed" and installed >= key) or (kind == "last_affected" and installed > key):
                state = False
            if kind == "fixed" and key is not None and installed < key:
                fixed_above.append((key, value))
        hit = hit or state
    fixed_above.sort(key=lambda pair: pair[0])
    return hit, (fixed_above[0][1] if hit and fixed_above else None)


def _sorted_events(ecosystem: str, events: tuple[tuple[str, str], ...]) -> list[tuple[str, str, Any]]:
    keyed: list[tuple[str, str, Any]] = []
    for kind, value in events:
        if kind not in ("introduced", "fixed", "last_affected"):
            continue
        if kind == "introduced" and value == "0":
            keyed.append((kind, value, None))
            continue
        try:
            keyed.append((kind, value, versions.parse_version(ecosystem, value)))
        except versions.BadVersion:
            continue  # an advisory's unreadable bound cannot order anything
    zero = [e for e in keyed if e[2] is None]
    rest = [e for e in keyed if e[2] is not None]
    # at equal versions, a closing event sorts after the opening one
    rest.sort(key=lambda e: (e[2], 0 if e[0] == "introduced" else 1))
    return zero + rest


# --- loading ----------------------------------------------------------------------------


def load_osv(path: Path, display: str) -> tuple[OsvDatabase, list[LoadError]]:
    database = OsvDatabase()
    errors: list[LoadError] = []
    for name, text in _records(path, display, errors):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            errors.append(LoadError(name, exc.lineno, f"not an OSV JSON record: {exc.msg}"))
            continue
        for record in document if isinstance(document, list) else [document]:
            advisory = _advisory(record, name)
            if advisory is not None:
                database.add(advisory)
    return database, errors


def _records(path: Path, display: str, errors: list[LoadError]) -> Iterator[tuple[str, str]]:
    try:
        if path.is_dir():
            for file in sorted(path.rglob("*.json")):
                if file.is_file():
                    yield f"{display}/{file.relative_to(path).as_posix()}", file.read_text(encoding="utf-8")
        elif zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in sorted(archive.namelist()):
                    if member.endswith(".json"):
                        yield f"{display}!{member}", archive.read(member).decode("utf-8")
        else:
            errors.append(LoadError(display, 0, "the vulnerability database must be a folder or a zip of OSV JSON"))
    except (OSError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        errors.append(LoadError(display, 0, f"cannot read the vulnerability database: {exc}"))


def _advisory(record: Any, file: str) -> Advisory | None:
    if not isinstance(record, dict) or not isinstance(record.get("id"), str) or record.get("withdrawn"):
        return None
    affected: list[AffectedPackage] = []
    for item in record.get("affected") or ():
        package = item.get("package") if isinstance(item, dict) else None
        if not isinstance(package, dict) or not package.get("ecosystem") or not package.get("name"):
            continue
        ranges = tuple(
            tuple(
                (kind, str(value))
                for event in r.get("events") or ()
                if isinstance(event, dict)
                for kind, value in event.items()
            )
            for r in item.get("ranges") or ()
            if isinstance(r, dict) and r.get("type") in ("ECOSYSTEM", "SEMVER")
        )
        affected.append(
            AffectedPackage(
                ecosystem=str(package["ecosystem"]),
                name=str(package["name"]),
                ranges=ranges,
                versions=tuple(str(v) for v in item.get("versions") or ()),
                cvss_vectors=_vectors(item.get("severity")),
            )
        )
    aliases = [str(a) for a in (record.get("aliases") or []) + (record.get("upstream") or []) if a]
    return Advisory(
        id=record["id"],
        aliases=tuple(dict.fromkeys(aliases)),
        summary=str(record.get("summary") or ""),
        cvss_vectors=_vectors(record.get("severity")),
        affected=tuple(affected),
        file=file,
    )


def _vectors(severity: Any) -> tuple[str, ...]:
    order = {"CVSS_V3": 0, "CVSS_V4": 1, "CVSS_V2": 2}
    found = [
        (order[s["type"]], str(s.get("score")))
        for s in severity or ()
        if isinstance(s, dict) and s.get("type") in order and s.get("score")
    ]
    return tuple(vector for _, vector in sorted(found, key=lambda pair: pair[0]))
