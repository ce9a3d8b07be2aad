"""The input formats iacscan reads, behind one small interface.

A format is a name (the ``Configuration.kind`` it produces), ``detect(path)`` (does this
file or folder, found by discovery, belong to the format?) and ``load(job, options)`` (the
configurations of one unit of work). Discovery asks every format which paths are its own
and groups them into ``LoadJob``s; the pipeline hands each job to its format's ``load``.
Neither compares kind strings.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.findings import Configuration, ConfigurationKind
from scanner.frozen import frozen
from scanner.options import ScanOptions

if TYPE_CHECKING:
    from scanner.loaders.terraform.files import ParsedFiles


@frozen
class LoadJob:
    """One unit of loading work: a Terraform root module, a plan, a cdk.out, or all
    CloudFormation templates together (nested stacks and ImportValue cross them)."""

    kind: ConfigurationKind  # the name of the format that loads it
    paths: tuple[Path, ...]


Loader = Callable[[LoadJob, ScanOptions, "ParsedFiles | None"], list[Configuration]]


@frozen
class InputFormat:
    """``detect`` is asked of a folder (``folder``: Terraform, cdk.out) or of a candidate
    file; ``one_job``: all the format's paths of a scan load as one job (CloudFormation:
    nested stacks and ``Fn::ImportValue`` cross files), else one job per path. ``load``
    receives the scan's parsed Terraform files, which only Terraform reads."""

    name: ConfigurationKind
    detect: Callable[[Path], bool]
    load: Loader
    folder: bool = False
    one_job: bool = False
