"""The Terraform plan format: ``terraform show -json`` output -> a Configuration.

``detect(path)`` tells a plan by its content, ``load(job, options)`` loads the job's plan file
(``loader.load_plan``, which the module docstring there explains).
"""

from __future__ import annotations

from pathlib import Path

from scanner.findings import Configuration
from scanner.loaders.formats import LoadJob
from scanner.loaders.terraform.plan.json_lines import read_json_with_lines
from scanner.loaders.terraform.plan.loader import load_plan
from scanner.loaders.terraform.plan.source_index import index_tf_file
from scanner.options import ScanOptions

_HEAD_BYTES = 1 << 20


def is_terraform_plan(path: Path) -> bool:
    """A JSON file written by ``terraform show -json`` (by content, not by name)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
            if not head.lstrip().startswith(b"{") or b'"format_version"' not in head:
                return False
            while head:
                if b'"planned_values"' in head or b'"resource_changes"' in head:
                    return True
                # keep a tail so a key split across two reads is still found
                tail = head[-32:]
                more = handle.read(_HEAD_BYTES)
                head = tail + more if more else b""
    except OSError:
        return False
    return False


def detect(path: Path) -> bool:
    """A JSON file written by ``terraform show -json``."""
    return is_terraform_plan(path)


def load(job: LoadJob, options: ScanOptions) -> list[Configuration]:
    """The one Configuration of the job's plan file."""
    return [load_plan(job.paths[0], options)]


__all__ = ["detect", "index_tf_file", "is_terraform_plan", "load", "load_plan", "read_json_with_lines"]
