"""Everything a scan can be told, from the command line or ``[tool.iacscan]``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from pathlib import Path

from scanner.frozen import frozen

DEFAULT_MAX_INSTANCES = 10_000  # a count/for_each past it is analysed as one representative instance

# Criticality rules (scanner.criticality): (high, low) patterns; settings replace either list.
ENVIRONMENT_TAGS = ("environment", "env", "stage")
DEFAULT_CRITICALITY: tuple[tuple[str, ...], tuple[str, ...]] = (
    (
        *(f"tag:{key}={value}" for key in ENVIRONMENT_TAGS for value in ("prod", "production")),
        "tag:pci",
        "tag:*=pci",
        "tag:critical",
        "tag:*=critical",
        "name:prod",
        "name:production",
        "name:pci",
    ),
    tuple(f"tag:{key}={value}" for key in ENVIRONMENT_TAGS for value in ("dev", "development", "test", "sandbox")),
)


@frozen
class ScanOptions:
    """``root``: spans and reports name files relative to it (POSIX). Nothing is read
    outside it: module sources, ``file()``, nested stack URLs and symlinks that leave it
    are refused and reported."""

    root: Path
    var_files: tuple[Path, ...] = ()
    variables: Mapping[str, str] = field(default_factory=dict)  # --var NAME=VALUE (raw text, HCL-parsed)
    parameters: Mapping[str, str] = field(default_factory=dict)  # --parameter Key=Value
    authorized_ports: frozenset[int] = frozenset({80, 443})
    plan_source: Path | None = None  # --source DIR for a plan's .tf files
    max_file_bytes: int = 20 * 1024 * 1024
    skip_rules: frozenset[str] = frozenset()
    cache_dir: Path | None = None  # None: no parse cache (--no-cache)
    jobs: int = 1  # worker processes for loading configurations
    assume_worst: bool = False  # --assume-worst: possible traits count as holding
    max_instances: int = DEFAULT_MAX_INSTANCES  # --max-instances: instances of one count/for_each block
    template_urls: tuple[tuple[str, Path], ...] = ()  # --template-url URL_PREFIX=DIR: nested stacks from S3
    # (high, low) criticality rules; None: --no-criticality (severity is the table's)
    criticality: tuple[tuple[str, ...], tuple[str, ...]] | None = DEFAULT_CRITICALITY

    def display_path(self, path: Path) -> str:
        """The path as reports show it: relative to ``root`` when inside it."""
        resolved = path.resolve()
        try:
            return resolved.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return resolved.as_posix()

    def inside_root(self, path: Path) -> bool:
        try:
            path.resolve().relative_to(self.root.resolve())
        except (ValueError, OSError, RuntimeError):
            return False
        return True
