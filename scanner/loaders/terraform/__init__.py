"""The Terraform format: a root module folder -> one Configuration (HCL loader + model mapping).

``detect(path)``: is this file Terraform (``.tf`` / ``.tf.json``)? ``load(job, options)``: the
Configuration of the job's root module folder, what ``root_module.load_terraform_module``
loads, mapped onto the model by ``scanner.adapters.terraform``. A scan passes its
``ParsedFiles``, so its root modules share the files they have in common. Plans are the
``plan`` package's.

The loader is imported when first used: importing ``plan`` (discovery does, to sniff JSON
files) imports this face too, and a scan without Terraform must not pay for the HCL loader.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from scanner.findings import Configuration
from scanner.loaders.terraform.file_names import is_terraform_file
from scanner.options import ScanOptions

if TYPE_CHECKING:
    from scanner.loaders.formats import LoadJob
    from scanner.loaders.terraform.files import ParsedFiles


def detect(path: Path) -> bool:
    """A ``.tf`` or ``.tf.json`` file: its folder is a Terraform module."""
    return is_terraform_file(path)


def load(job: LoadJob, options: ScanOptions, parsed: ParsedFiles | None = None) -> list[Configuration]:
    """The one Configuration of the job's root module folder."""
    return [load_terraform_configuration(job.paths[0], options, parsed)]


def load_terraform_configuration(
    folder: Path, options: ScanOptions, parsed: ParsedFiles | None = None
) -> Configuration:
    from scanner.adapters.terraform import map_resources
    from scanner.loaders.terraform.root_module import load_terraform_module

    loaded = load_terraform_module(folder, options, parsed)
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
