"""The terminal report: one block per exposed workload (most severe first) with each
trait at its file:line, the attack path and the best fix; then what could not be read and a
one-line summary."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rich.console import Console
from rich.text import Text

from scanner.findings import Exposure, PathStep, ScanResult, Severity
from scanner.suppressions import SuppressionIndex, justification

STYLES = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
}


# A block is the lines printed at once (one exposure); a line is (text, style) pieces, so
# the same report is drawn by rich on a terminal and written as plain text anywhere else.
Piece = tuple[str, str]
Block = list[list[Piece]]


def render_text(result: ScanResult, console: Console, *, show_suppressed: bool = False) -> None:
    """``show_suppressed``: also print suppressed exposures and traits (with their reason);
    otherwise they are left out and only counted in the summary."""
    for block in _blocks(result, show_suppressed):
        # One print per exposure: rich's per-call cost dominated the report of a large estate.
        console.print(Text("\n").join(Text.assemble(*line) for line in block))


def plain_text(result: ScanResult, *, show_suppressed: bool = False) -> str:
    """The same report without styles, for a pipe, a CI log or a file: what rich prints
    there, written directly (rich's rendering was a fifth of a large pre-commit run)."""
    return "".join(
        "\n".join("".join(text for text, _ in line) for line in block) + "\n"
        for block in _blocks(result, show_suppressed)
    )


def _blocks(result: ScanResult, show_suppressed: bool) -> Iterator[Block]:
    index = SuppressionIndex.of(result)
    exposures = sorted(result.exposures, key=lambda e: (-int(e.severity), e.configuration, e.workload))
    for exposure in exposures:
        if show_suppressed or not index.for_exposure(exposure):
            yield _exposure(exposure, index, show_suppressed)
    errors = sorted(set(result.all_errors), key=lambda e: (e.file, e.line, e.message))
    if errors:
        yield [[("Could not read:", "bold red")]]
        for error in errors:
            yield [[(f"  {error}", "")]]
        yield [[]]
    for warning in sorted(set(result.all_warnings), key=lambda w: (w.file, w.line, w.message)):
        yield [[(f"warning: {warning}", "yellow")]]
    for notice in sorted(set(result.notices).union(*(c.notices for c in result.configurations))):
        yield [[(f"note: {notice}", "dim")]]
    for _configuration, suppression in index.without_reason():
        yield [
            [
                (
                    f"warning: {suppression.span}: iacscan:ignore {', '.join(suppression.rule_ids)} for "
                    f"{suppression.address} gives no reason (it still applies; say why the risk is accepted)",
                    "yellow",
                )
            ]
        ]
    yield [[(summary_line(result, index), "bold")]]


def summary_line(result: ScanResult, index: SuppressionIndex | None = None) -> str:
    """ "3 exposures (1 critical, 2 high) in 2 configurations; 1 file could not be read"."""
    index = index or SuppressionIndex.of(result)
    active = [e for e in result.exposures if not index.for_exposure(e)]
    suppressed = len(result.exposures) - len(active)
    counts = [(s, sum(1 for e in active if e.severity == s)) for s in sorted(Severity, reverse=True)]
    line = _plural(len(active), "exposure")
    detail = ", ".join(f"{n} {s.label}" for s, n in counts if n)
    if detail:
        line += f" ({detail})"
    line += f" in {_plural(len(result.configurations), 'configuration')}"
    if suppressed:
        line += f"; {suppressed} suppressed"
    unreadable = len({e.file for e in result.all_errors})
    if unreadable:
        line += f"; {_plural(unreadable, 'file')} could not be read"
    return line


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _exposure(exposure: Exposure, index: SuppressionIndex, show_suppressed: bool) -> Block:
    header = [
        (f" {exposure.severity.label.upper()} ", STYLES[exposure.severity]),
        (f" {exposure.workload}", "bold"),
        (f" ({exposure.workload_kind})  {exposure.workload_span}  [{exposure.configuration}]", "dim"),
    ]
    suppressions = index.for_exposure(exposure)
    if suppressions:
        header.append((f"  suppressed: {justification(suppressions) or 'no reason given'}", "dim italic"))
    lines = [header]

    hidden = 0
    for trait in exposure.traits:
        suppression = index.for_trait(exposure.configuration, trait)
        if suppression is not None and not show_suppressed:
            hidden += 1
            continue
        line = [
            ("  ", ""),
            (f"{trait.rule_id:<30}", "bold"),
            (f" {trait.location.span}  ", "cyan"),
            (trait.message, ""),
        ]
        if suppression is not None:
            line.append((f"  (suppressed: {suppression.reason.strip() or 'no reason given'})", "dim italic"))
        lines.append(line)
        for assumption in trait.assumptions:
            lines.append([(f"      assumes: {assumption}", "dim")])
    if hidden:
        lines.append([(f"  ({_plural(hidden, 'suppressed trait')} not shown: --show-suppressed)", "dim")])

    if exposure.path:
        lines.append([("  path:", "bold")])
        for i, step in enumerate(_path_lines(exposure.path)):
            lines.append([(("      " if i == 0 else "   -> ") + step, "")])
    for trait in exposure.traits:
        for path in trait.other_paths:
            lines.append([("  also reachable by:", "bold")])
            for i, step in enumerate(_path_lines(path)):
                lines.append([(("      " if i == 0 else "   -> ") + step, "")])
    for restricted in exposure.restricted_paths:
        lines.append([("  restricted: ", "bold"), (f"{restricted.reason} ({restricted.via}, {restricted.family})", "")])
    best = exposure.best_fix
    if best is not None:
        after = best.severity.label if best.severity is not None else "no exposure"
        label = "  best fix: " if best.severity != exposure.severity else "  no single fix lowers it; start with: "
        lines.append(
            [
                (label, "bold green"),
                (f"{best.location.span} ", "bold cyan"),
                (f"{best.remediation} ", "bold green"),
                (f"({best.rule_id}: {exposure.severity.label} -> {after})", "bold dim green"),
            ]
        )
    lines.append([])
    return lines


def _path_lines(steps: Sequence[PathStep]) -> list[str]:
    lines = []
    for step in steps:
        line = step.address or step.kind
        if step.span is not None:
            line += f" ({step.span})"
        if step.ports:
            line += f" [{step.ports}]"
        lines.append(line)
    return lines
