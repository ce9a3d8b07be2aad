"""The pipeline: files -> loaders -> model -> graph -> analyses -> exposures.

The CLI calls ``scan()``; reports read the ``ScanResult``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scanner.model import Configuration, LoadError
from scanner.traits import Exposure


@dataclass
class ScanResult:
    root: Path
    configurations: list[Configuration] = field(default_factory=list)
    exposures: list[Exposure] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)  # every configuration's, plus discovery's
    notices: list[str] = field(default_factory=list)
