"""Known software vulnerabilities on a workload, from offline data only.

What runs on the workload: the SBOM or Inspector findings of its image (matched by the
AMI id, the ``data.aws_ami`` name or the SSM parameter name the template uses), plus the
packages its user_data installs with a pinned version. What is vulnerable: OSV advisories
(or Inspector's own match), CISA KEV and EPSS.

A finding is exploitable when the CVSS vector says network attack (AV:N) and the CVE is in
KEV or its EPSS score is at or above the threshold (``ec2-exploitable-vulnerability``); every
other match is a known vulnerability (``ec2-vulnerability``).
A package of the image points at the line that chooses the image; a package user_data
installs points at its install line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from scanner.findings import Evidence, Trait
from scanner.frozen import frozen
from scanner.model import Instance, LaunchTemplate
from scanner.values import ResourceRef, Span, Unknown
from scanner.vulndata import versions
from scanner.vulndata.inventory import ImageInventory, image_key
from scanner.vulndata.packages import InstalledPackage
from scanner.vulndata.userdata import UserDataPackage, read_user_data
from scanner.vulndata.vulnerability_data import (
    NOT_EVALUATED,
    VulnerabilityData,
    VulnerabilitySources,
    load_vulnerability_data,
)
from scanner.workload import WorkloadContext

__all__ = [
    "NOT_EVALUATED",
    "VulnerabilityData",
    "VulnerabilitySources",
    "load_vulnerability_data",
    "vulnerability_findings",
]


@frozen
class _Match:
    """One vulnerability of one installed package, whatever told us."""

    package: InstalledPackage
    ids: tuple[str, ...]  # the advisory / finding id first, then aliases
    fixed_version: str | None
    vectors: tuple[str, ...]
    epss_hint: float | None  # Inspector's score, used when no EPSS file has the CVE
    summary: str
    assumption: str | None
    location: Evidence
    related: tuple[Evidence, ...]
    source: str  # sbom | inspector | user_data

    @property
    def cve_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i.upper() for i in self.ids if i.upper().startswith("CVE-")))


@frozen
class VulnerabilityFinding:
    """One vulnerability of one package on the workload, assessed: ``exploitable`` when its
    CVSS vector says network attack and it is in KEV or its EPSS score reaches the threshold."""

    exploitable: bool
    message: str
    location: Evidence
    related: tuple[Evidence, ...]
    assumptions: tuple[str, ...]
    properties: dict[str, Any]

    def trait(self, rule_id: str, workload: str) -> Trait:
        return Trait(
            rule_id=rule_id,
            workload=workload,
            message=self.message,
            location=self.location,
            related=self.related,
            assumptions=self.assumptions,
            properties=self.properties,
        )


def vulnerability_findings(
    ctx: WorkloadContext, data: VulnerabilityData
) -> tuple[list[VulnerabilityFinding], list[str]]:
    """Every vulnerability of what runs on the workload, and notices (images without data)."""
    notices: list[str] = []
    matches: list[_Match] = []

    image, image_owner = _image(ctx)
    inventory = data.inventory.find(_image_keys(image)) if image is not None else None
    if inventory is not None and image_owner is not None:
        matches.extend(_image_matches(ctx, image_owner, inventory, data, notices))
    elif data.inventory.images and image is not None:
        notices.append(
            f"{ctx.address}: no SBOM or Inspector finding for its image ({_describe(image)}): "
            "its packages were not checked"
        )

    user_data, user_data_owner = _user_data(ctx)
    if isinstance(user_data, str) and user_data.strip() and user_data_owner is not None:
        matches.extend(_user_data_matches(ctx, user_data, user_data_owner, inventory, data, notices))

    findings = [_assess(match, data) for match in _merge(matches)]
    findings.sort(key=lambda f: (not f.exploitable, f.properties["package"], f.properties["vulnerability_ids"]))
    return findings, data.once(notices)


# --- what runs on the workload ---------------------------------------------------------------


def _image(ctx: WorkloadContext) -> tuple[object | None, Instance | LaunchTemplate | None]:
    """The image value and the resource whose attribute chooses it (an instance's own
    image wins over its launch template's)."""
    workload = ctx.workload
    if isinstance(workload, Instance) and workload.image is not None:
        return workload.image, workload
    if ctx.launch_template is not None and ctx.launch_template.image is not None:
        return ctx.launch_template.image, ctx.launch_template
    return None, None


def _user_data(ctx: WorkloadContext) -> tuple[object | None, Instance | LaunchTemplate | None]:
    workload = ctx.workload
    if isinstance(workload, Instance) and workload.user_data is not None:
        return workload.user_data, workload
    if ctx.launch_template is not None and ctx.launch_template.user_data is not None:
        return ctx.launch_template.user_data, ctx.launch_template
    return None, None


def _image_keys(image: object) -> list[str]:
    """Inventory keys that may name this image: the literal id / SSM parameter, or for a
    reference ``data.aws_ami.web`` both that address and ``web``."""
    if isinstance(image, str):
        return [image, image_key(image)]
    if isinstance(image, ResourceRef):
        return _ref_keys(image.address)
    if isinstance(image, Unknown):
        keys = [key for ref in image.refs for key in _ref_keys(ref.address)]
        # "parameter LatestAmiId resolves SSM /aws/service/..." : an SSM name the reason quotes
        keys.extend(re.findall(r"(?:resolve:ssm:)?/[\w./-]+|ami-[0-9a-f]+|data\.aws_ami\.[\w-]+", image.reason))
        return keys
    return []


def _ref_keys(address: str) -> list[str]:
    keys = [address]
    local = re.sub(r"^(module\.[^.]+(\[[^\]]*\])?\.)+", "", address)
    keys.append(local)
    match = re.match(r"data\.[a-z0-9_]+\.([\w-]+)", local)
    if match:
        keys.append(match.group(1))
    return keys


def _describe(image: object) -> str:
    if isinstance(image, Unknown):
        refs = ", ".join(ref.address for ref in image.refs)
        return refs or image.reason
    return str(image)


# --- matching ---------------------------------------------------------------------------------


def _image_matches(
    ctx: WorkloadContext,
    owner: Instance | LaunchTemplate,
    inventory: ImageInventory,
    data: VulnerabilityData,
    notices: list[str],
) -> list[_Match]:
    where = Evidence(owner.span_of("image"), owner.address, f"launches image {inventory.key}")
    found: list[_Match] = []
    for finding in inventory.findings:
        package = finding.package
        found.append(
            _Match(
                package=package,
                ids=(finding.vulnerability_id, *finding.related_ids),
                fixed_version=finding.fixed_version,
                vectors=finding.cvss_vectors,
                epss_hint=finding.epss,
                summary=finding.title,
                assumption=None,
                location=where,
                related=(Evidence(package.origin, ctx.address, package.origin_text),),
                source="inspector",
            )
        )
    for package in inventory.packages:
        for match in _advisories(package, data, notices):
            found.append(
                _Match(
                    **match,
                    location=where,
                    related=(Evidence(package.origin, ctx.address, package.origin_text),),
                    source="sbom",
                )
            )
    return found


def _user_data_matches(
    ctx: WorkloadContext,
    text: str,
    owner: Instance | LaunchTemplate,
    inventory: ImageInventory | None,
    data: VulnerabilityData,
    notices: list[str],
) -> list[_Match]:
    read = read_user_data(text)
    if read.unpinned:
        notices.append(
            f"{ctx.address}: user_data installs packages without a pinned version, not checked: "
            + ", ".join(read.unpinned)
        )
    distro = inventory.distro if inventory is not None else None
    found: list[_Match] = []
    for installed in read.packages:
        span = _install_line(owner, installed, text, data)
        package = InstalledPackage(
            name=installed.name,
            version=installed.version,
            ecosystem=_ecosystem(installed.ecosystem, distro),
            origin=span,
            origin_text=f"{owner.address} user_data: {installed.manager} {installed.written}",
        )
        where = Evidence(span, owner.address, f"installs {installed.name} {installed.version}")
        for match in _advisories(package, data, notices):
            found.append(_Match(**match, location=where, related=(), source="user_data"))
    return found


def _ecosystem(written: str, distro: str | None) -> str:
    """A package manager's family made precise by the image's distribution, when known."""
    if distro and (written == "os" or versions.family(distro) == written):
        return distro
    return written


def _advisories(package: InstalledPackage, data: VulnerabilityData, notices: list[str]) -> list[dict[str, Any]]:
    if data.osv is None:
        return []
    key = (package.name, package.version, package.ecosystem or "", package.source_name or "")
    if key not in data.match_cache:
        data.match_cache[key] = data.osv.matches(package)
    matches, found_notices = data.match_cache[key]
    notices.extend(found_notices)
    return [
        {
            "package": package,
            "ids": (m.advisory.id, *m.advisory.aliases),
            "fixed_version": m.fixed_version,
            "vectors": data.osv.vectors_for(m.advisory),
            "epss_hint": None,
            "summary": m.advisory.summary,
            "assumption": m.assumption,
        }
        for m in matches
    ]


def _merge(matches: Iterable[_Match]) -> list[_Match]:
    """One match per package and vulnerability: advisories that alias each other (a GHSA and
    its CVE, an SBOM match and Inspector's) count once; the first keeps the place."""
    kept: list[_Match] = []
    by_id: dict[tuple[str, str, str, Span], int] = {}
    for match in matches:
        name = match.package.name.lower()
        keys = [(name, match.package.version, i.upper(), match.location.span) for i in match.ids]
        index = next((by_id[k] for k in keys if k in by_id), None)
        if index is None:
            index = len(kept)
            kept.append(match)
        else:
            old = kept[index]
            kept[index] = _Match(
                package=old.package,
                ids=tuple(dict.fromkeys((*old.ids, *match.ids))),
                fixed_version=old.fixed_version or match.fixed_version,
                vectors=old.vectors or match.vectors,
                epss_hint=old.epss_hint if old.epss_hint is not None else match.epss_hint,
                summary=old.summary or match.summary,
                assumption=old.assumption if match.assumption else None,
                location=old.location,
                related=tuple(dict.fromkeys((*old.related, *match.related))),
                source=old.source,
            )
        for k in keys:
            by_id.setdefault(k, index)
    return kept


# --- the trait ---------------------------------------------------------------------------------


def attack_vector(vector: str) -> str | None:
    """``N`` / ``A`` / ``L`` / ``P`` from a CVSS v2, v3 or v4 vector."""
    for metric in vector.split("/"):
        name, _, value = metric.partition(":")
        if name.strip() == "AV" and value:
            return value.strip().upper()[:1]
    return None


def _assess(match: _Match, data: VulnerabilityData) -> VulnerabilityFinding:
    cves = match.cve_ids
    vector = match.vectors[0] if match.vectors else None
    av = attack_vector(vector) if vector else None
    in_kev = data.kev is not None and any(cve in data.kev for cve in cves)
    scores = [data.epss[cve] for cve in cves if data.epss is not None and cve in data.epss]
    epss = max(scores) if scores else match.epss_hint
    likely_exploited = in_kev or (epss is not None and epss >= data.epss_threshold)
    exploitable = av == "N" and likely_exploited
    package = match.package

    shown_id = cves[0] if cves else match.ids[0]
    why: list[str] = []
    if av == "N":
        why.append("network attack vector")
    elif av is None:
        why.append("attack vector unknown (no CVSS vector)")
    if in_kev:
        why.append("in CISA KEV")
    if epss is not None:
        why.append(f"EPSS {epss:.5g}")
    fix = f"; fixed in {match.fixed_version}" if match.fixed_version else "; no fixed version known"
    message = f"{package.name} {package.version} has {shown_id}" + (f" ({', '.join(why)})" if why else "") + fix

    assumptions = (match.assumption,) if match.assumption else ()
    return VulnerabilityFinding(
        exploitable=exploitable,
        message=message,
        location=match.location,
        related=match.related,
        assumptions=assumptions,
        properties={
            "package": package.name,
            "installed_version": package.version,
            "fixed_version": match.fixed_version,
            "ecosystem": package.ecosystem,
            "purl": package.purl,
            "vulnerability_ids": list(match.ids),
            "cve_ids": list(cves),
            "cvss_vector": vector,
            "attack_vector": av,
            "in_kev": in_kev,
            "epss": epss,
            "epss_threshold": data.epss_threshold,
            "summary": match.summary,
            "source": match.source,
        },
    )


# --- where user_data installs a package ------------------------------------------------------


def _install_line(
    owner: Instance | LaunchTemplate, installed: UserDataPackage, text: str, data: VulnerabilityData
) -> Span:
    """The template line of an install command. The model knows where the user_data
    attribute starts; a heredoc / YAML block body starts on the next line. The package as
    written is looked for near where it should be (the loader may have substituted
    variables or stripped indentation); when not found, the attribute's line."""
    attribute = owner.span_of("user_data")
    if "user_data" not in owner.attr_spans:
        return attribute
    lines = data.lines_of(attribute.file)
    if not lines:
        return attribute
    text_lines = max(1, text.count("\n") + 1)
    last = min(len(lines), max(attribute.end_line, attribute.line + text_lines + 2))
    expected = attribute.line + 1 + installed.line
    candidates = [n for n in range(attribute.line, last + 1) if installed.written in lines[n - 1]]
    if candidates:
        best = min(candidates, key=lambda n: abs(n - expected))
        return Span(attribute.file, best, best)
    if attribute.line < expected <= attribute.end_line:
        return Span(attribute.file, expected, expected)
    return attribute
