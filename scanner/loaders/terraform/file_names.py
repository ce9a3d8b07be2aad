"""Which files Terraform reads, by name: what makes a folder a module, and variable files.

Kept apart from the reader (``files``), which imports the parsers: discovery asks of every
file of a scan, and must not pay for them."""

from __future__ import annotations

from pathlib import Path

TERRAFORM_SUFFIXES = (".tf", ".tf.json")
TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")


def is_terraform_file(path: Path) -> bool:
    """A ``.tf`` or ``.tf.json`` file: what makes a folder a Terraform module."""
    return path.name.endswith(TERRAFORM_SUFFIXES)
