"""Run rule checks on a hand-built workload context, as the pipeline does."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from scanner.analyses.network_memo import NetworkMemo
from scanner.findings import Trait
from scanner.options import ScanOptions
from scanner.rules.context import CheckContext
from scanner.workload import WorkloadContext


def run_checks(
    ctx: WorkloadContext, *modules: ModuleType, options: ScanOptions | None = None, vulnerability_data: Any = None
) -> tuple[list[Trait], list[str]]:
    """The traits the rule modules find on ``ctx`` (in module order), and the notices."""
    context = CheckContext(ctx, NetworkMemo(), vulnerability_data)
    options = options or ScanOptions(root=Path("."))
    traits = [trait for module in modules for trait in module.check(context, options)]
    return traits, context.notices
