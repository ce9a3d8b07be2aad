"""``iacscan fixes``: the remediation targets of a scan as text or JSON (the JSON items are
the scan report's ``fix_targets``)."""

from __future__ import annotations

from typing import Any

from scanner.fixes.targets import FixTarget
from scanner.reports.json_report import target_data


def render_targets_text(targets: list[FixTarget], total: int) -> str:
    """One line per target, best first:
    ``modules/sg/main.tf:12 — remove 0.0.0.0/0 from tcp 22: resolves 14 exposures, reduces 3, in 2 configurations``."""
    if not targets:
        return "no remediation target: no measured fix changes any exposure\n"
    lines = [f"{n:>3}. {t.span} — {t.remediation}: {t.summary()}" for n, t in enumerate(targets, 1)]
    if total > len(targets):
        lines.append(f"... {total - len(targets)} more (--top 0 lists all)")
    return "\n".join(lines) + "\n"


def render_targets_json(targets: list[FixTarget], total: int) -> str:
    from scanner.reports.json_text import dumps_indented

    document: dict[str, Any] = {"fix_targets": [target_data(t) for t in targets], "total": total}
    return dumps_indented(document) + "\n"
