"""Loading the Terraform fixtures of ``fixtures/terraform`` (and folders written by a test)
with the HCL loader, and finding a line in a fixture's text."""

from __future__ import annotations

from pathlib import Path

from scanner.adapters.raw import RawResource
from scanner.loaders.terraform.load_run import TerraformLoad
from scanner.loaders.terraform.root_module import load_terraform_module
from scanner.options import ScanOptions
from tests.support.paths import FIXTURES

TERRAFORM = FIXTURES / "terraform"


def load_folder(folder: Path, root: Path | None = None) -> TerraformLoad:
    """The HCL loader's result for one root module folder (``root``: the scanned root)."""
    return load_terraform_module(folder, ScanOptions(root=root or folder))


def load_fixture(name: str) -> TerraformLoad:
    """``fixtures/terraform/<name>``, loaded with ``fixtures/terraform`` as the scanned root."""
    return load_folder(TERRAFORM / name, TERRAFORM)


def by_address(result: TerraformLoad) -> dict[str, RawResource]:
    return {r.address: r for r in result.resources}


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """The 1-based number of the line of ``path`` holding ``needle`` (its n-th occurrence)."""
    seen = 0
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in text:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in {path}")
