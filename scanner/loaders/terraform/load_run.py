"""What one load of a root module produces (``TerraformLoad``), and what the parts of the load
ask of the run they belong to (``LoadRun``): the root folder and the options, the module
index, the parsed files, the record of errors, notices and files, and the guard that turns a
reference cycle into Unknown. ``root_module.Loader`` is the run; module instances and the
root variables use it only through this protocol, so neither imports the run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from scanner.adapters.raw import RawResource
from scanner.findings import LoadError, Suppression
from scanner.loaders.terraform.files import SourceFile
from scanner.loaders.terraform.modules import ModuleConfig
from scanner.options import ScanOptions


@dataclass
class TerraformLoad:
    resources: list[RawResource] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    unknown_values: int = 0
    watched: list[str] = field(default_factory=list)  # module folders looked for, found or not


class LoadRun(Protocol):
    """The run over one root module, as its module instances see it."""

    folder: Path  # the root module
    options: ScanOptions
    template_depth: int  # templatefile renderings in progress, nested

    def error(self, error: LoadError) -> None:
        """Record an error (once)."""
        ...

    def notice(self, text: str) -> None:
        """Record a notice (once)."""
        ...

    def note_file(self, display: str) -> None:
        """A file the load read."""
        ...

    def note_looked_for(self, display: str) -> None:
        """A path the load looked for, found or not: creating it later changes the answer."""
        ...

    def read_file(self, path: Path, display: str) -> SourceFile | None:
        """A parsed file (a variables file), its problems recorded as errors."""
        ...

    def config(self, folder: Path) -> ModuleConfig:
        """The module of a folder, read once per load."""
        ...

    def modules_json(self) -> dict[str, str] | None:
        """The root's ``.terraform/modules/modules.json``: module key -> folder; None when absent."""
        ...

    def guarded(self, key: tuple[str, ...], where: tuple[str, int], compute: Callable[[], Any], label: str) -> Any:
        """Run ``compute`` unless ``key`` is already being computed (a reference cycle)."""
        ...
