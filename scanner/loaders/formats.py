"""The input formats iacscan reads, behind one small interface.

A format is a name (the ``Configuration.kind`` it produces), ``detect(path)`` (does this
file or folder, found by discovery, belong to the format?) and ``load(job, options)`` (the
configurations of one unit of work). Discovery asks every format which paths are its own
and groups them into ``LoadJob``s; the pipeline hands each job to its format's ``load``.
Neither compares kind strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scanner.findings import Configuration, ConfigurationKind
from scanner.options import ScanOptions


@dataclass(frozen=True)
class LoadJob:
    """One unit of loading work: a Terraform root module, a plan, a cdk.out, or all
    CloudFormation templates together (nested stacks and ImportValue cross them)."""

    kind: ConfigurationKind  # the name of the format that loads it
    paths: tuple[Path, ...]


@dataclass(frozen=True)
class InputFormat:
    name: ConfigurationKind
    detect: Callable[[Path], bool]
    load: Callable[[LoadJob, ScanOptions], list[Configuration]]
