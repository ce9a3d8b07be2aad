"""A Terraform root module folder -> one Configuration (HCL loader + model mapping)."""

from __future__ import annotations

from pathlib import Path

from scanner.findings import Configuration
from scanner.loaders.terraform.module_instance import load_terraform_module
from scanner.loaders.terraform_model import map_resources
from scanner.options import ScanOptions


def load_terraform_configuration(folder: Path, options: ScanOptions) -> Configuration:
    loaded = load_terraform_module(folder, options)
    resources, mapping_errors = map_resources(loaded.resources)
    name = options.display_path(folder)
    return Configuration(
        name=name if name != "." else ".",
        kind="terraform",
        files=loaded.files,
        resources=resources,
        errors=[*loaded.errors, *mapping_errors],
        notices=loaded.notices,
        suppressions=loaded.suppressions,
        unknown_values=loaded.unknown_values,
        watched=loaded.watched,
    )
