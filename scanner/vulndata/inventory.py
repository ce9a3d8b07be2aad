"""What runs on each image, as the user told us: SBOMs keyed by image (an AMI id, a
Terraform ``data.aws_ami`` name, an SSM parameter name) and Amazon Inspector exports, whose
findings name the AMI they were seen on."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.findings import LoadError
from scanner.vulndata.inspector import InspectorFinding, is_inspector_export, read_inspector_export
from scanner.vulndata.packages import InstalledPackage
from scanner.vulndata.sbom import is_cyclonedx, is_spdx, read_sbom


@dataclass
class ImageInventory:
    key: str
    files: list[str] = field(default_factory=list)
    packages: list[InstalledPackage] = field(default_factory=list)
    findings: list[InspectorFinding] = field(default_factory=list)
    distro: str | None = None  # the image's OS as an OSV ecosystem ("Debian:12"), when known


@dataclass
class Inventory:
    images: dict[str, ImageInventory] = field(default_factory=dict)

    def image(self, key: str) -> ImageInventory:
        normal = image_key(key)
        if normal not in self.images:
            self.images[normal] = ImageInventory(key=key)
        return self.images[normal]

    def find(self, candidates: Iterable[str]) -> ImageInventory | None:
        for candidate in candidates:
            found = self.images.get(image_key(candidate))
            if found is not None:
                return found
        return None


def image_key(text: str) -> str:
    """``{{resolve:ssm:/aws/x:3}}`` / ``resolve:ssm:/aws/x`` -> ``/aws/x``; AMI ids lower-cased."""
    key = text.strip()
    if key.startswith("{{") and key.endswith("}}"):
        key = key[2:-2]
    if key.startswith("resolve:ssm:"):
        key = key[len("resolve:ssm:") :]
        head, sep, tail = key.rpartition(":")
        if sep and tail.isdigit():
            key = head
    return key.lower() if key.lower().startswith("ami-") else key


def load_inventory(
    sboms: Mapping[str, Path], inspector_exports: Iterable[Path], root: Path, display: Callable[[Path], str]
) -> tuple[Inventory, list[LoadError], list[str]]:
    inventory = Inventory()
    errors: list[LoadError] = []
    notices: list[str] = []
    for key, path in sboms.items():
        shown = display(path)
        document, text = _read_json(resolve_input(path, root), shown, errors)
        if document is None:
            continue
        image = inventory.image(key)
        image.files.append(shown)
        if is_cyclonedx(document) or is_spdx(document):
            read = read_sbom(document, text, shown)
            image.packages.extend(read.packages)
            image.distro = image.distro or read.distro
            if read.without_purl:
                notices.append(f"{shown}: {read.without_purl} component(s) without a package URL were not checked")
            for kind, count in sorted(read.unknown_ecosystems.items()):
                notices.append(
                    f"{shown}: {count} component(s) of type pkg:{kind} have no supported ecosystem and were not checked"
                )
        elif is_inspector_export(document):
            image.findings.extend(read_inspector_export(document, text, shown))
        else:
            errors.append(LoadError(shown, 1, "not a CycloneDX or SPDX JSON SBOM, nor an Amazon Inspector export"))
    for path in inspector_exports:
        shown = display(path)
        document, text = _read_json(resolve_input(path, root), shown, errors)
        if document is None:
            continue
        if not is_inspector_export(document):
            errors.append(LoadError(shown, 1, 'not an Amazon Inspector export: no "findings" list'))
            continue
        findings = read_inspector_export(document, text, shown)
        for finding in findings:
            for image_id in dict.fromkeys(finding.image_ids):
                image = inventory.image(image_id)
                if shown not in image.files:
                    image.files.append(shown)
                image.findings.append(finding)
        if findings and not any(f.image_ids for f in findings):
            notices.append(
                f"{shown}: no finding names an EC2 image (resources[].details.awsEc2Instance.imageId); "
                "give it as --sbom AMI=FILE to tie it to an image"
            )
    return inventory, errors, notices


def resolve_input(path: Path, root: Path) -> Path:
    """A data file the user named: absolute, else relative to the scanned root, else to the
    working directory (a command-line path typed next to the scan folder)."""
    if path.is_absolute() or (root / path).exists() or not path.exists():
        return path if path.is_absolute() else root / path
    return path.resolve()


def _read_json(path: Path, shown: str, errors: list[LoadError]) -> tuple[Any, str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(LoadError(shown, 0, f"cannot read: {exc}"))
        return None, ""
    try:
        return json.loads(text), text
    except json.JSONDecodeError as exc:
        errors.append(LoadError(shown, exc.lineno, f"not valid JSON: {exc.msg}"))
        return None, ""
