"""The terminal report: one block per exposed workload (most severe first) with each
trait at its file:line, the attack path and the best fix; then what could not be read and a
one-line summary."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from scanner.coverage import UNREAD_MODULE, shown_type
from scanner.findings import SHOWN_FIXES, Exposure, PathStep, ScanResult, Severity, fix_effect, origin_text
from scanner.suppressions import SuppressionIndex, justification

if TYPE_CHECKING:
    from scanner.baseline import Hidden

STYLES = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
}
POSSIBLE_STYLE = "bold magenta"
INSTANCES_SHOWN = 10  # alike instances named in an exposure's block
UNKNOWNS_SHOWN = 5  # per configuration in the summary of unknowns


# A block is the lines printed at once (one exposure); a line is (text, style) pieces, so
# the same report is drawn by rich on a terminal and written as plain text anywhere else.
Piece = tuple[str, str]
Block = list[list[Piece]]


def render_text(
    result: ScanResult, console: Console, *, show_suppressed: bool = False, in_baseline: Hidden | None = None
) -> None:
    """``show_suppressed``: also print suppressed exposures and traits (with their reason);
    otherwise they are left out and only counted in the summary. ``in_baseline``: the scan
    ran with a baseline (``result`` holds only what is new) and this is what it hid."""
    for block in _blocks(result, show_suppressed, in_baseline):
        # One print per exposure: rich's per-call cost dominated the report of a large estate.
        console.print(Text("\n").join(Text.assemble(*line) for line in block))


def plain_text(result: ScanResult, *, show_suppressed: bool = False, in_baseline: Hidden | None = None) -> str:
    """The same report without styles, for a pipe, a CI log or a file: what rich prints
    there, written directly (rich's rendering was a fifth of a large pre-commit run)."""
    return "".join(
        "\n".join("".join(text for text, _ in line) for line in block) + "\n"
        for block in _blocks(result, show_suppressed, in_baseline)
    )


def _blocks(result: ScanResult, show_suppressed: bool, in_baseline: Hidden | None = None) -> Iterator[Block]:
    index = SuppressionIndex.of(result)
    exposures = sorted(result.exposures, key=lambda e: (-e.rank, e.configuration, e.workload))
    active = [e for e in exposures if not index.for_exposure(e)]
    for exposure in exposures if show_suppressed else active:
        yield _exposure(exposure, index, show_suppressed)
    yield from _unknowns(active)
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
    for configuration in sorted(result.configurations, key=lambda c: c.name):
        counted = dict(configuration.not_analysed())
        unread = counted.pop(UNREAD_MODULE, 0)
        if counted:
            listed = ", ".join(f"{shown_type(kind)} ({count})" for kind, count in counted.items())
            yield [[(f"not analysed: {configuration.name}: {listed} run compute iacscan does not check", "yellow")]]
        if unread:
            calls = (
                "module call whose source was not read: what it creates is"
                if unread == 1
                else ("module calls whose source was not read: what they create is")
            )
            said = f"{unread} {calls} not analysed (see the notes above)"
            yield [[(f"not analysed: {configuration.name}: {said}", "yellow")]]
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
    yield [[(summary_line(result, index, in_baseline=in_baseline), "bold")]]


def summary_line(
    result: ScanResult, index: SuppressionIndex | None = None, *, in_baseline: Hidden | None = None
) -> str:
    """ "3 exposures (1 critical, 2 high), 1 possibly more severe, 2 possible exposures in 2
    configurations; 1 file could not be read". With a baseline (``in_baseline``: what it
    hid) the exposures counted are the new ones (new, or with a new trait) and the line says
    how many the baseline hid: "0 new exposures in 1 configuration; 12 in the baseline"."""
    index = index or SuppressionIndex.of(result)
    new = "new " if in_baseline is not None else ""
    active = [e for e in result.exposures if not index.for_exposure(e)]
    suppressed = len(result.exposures) - len(active)
    counts = [(s, sum(1 for e in active if e.severity == s)) for s in sorted(Severity, reverse=True)]
    holding = sum(n for _, n in counts)
    line = _plural(holding, f"{new}exposure")
    detail = ", ".join(f"{n} {s.label}" for s, n in counts if n)
    if detail:
        line += f" ({detail})"
    raised = sum(1 for e in active if e.severity is not None and e.possible_severity is not None)
    if raised:
        line += f", {raised} possibly more severe"
    only_possible = len(active) - holding
    if only_possible:
        line += f", {_plural(only_possible, f'{new}possible exposure')}"
    line += f" in {_plural(len(result.configurations), 'configuration')}"
    if in_baseline is not None:
        line += f"; {in_baseline.exposures} in the baseline"
        if in_baseline.traits:
            line += f" (and {_plural(in_baseline.traits, 'trait')} of the new ones)"
    if suppressed:
        line += f"; {suppressed} suppressed"
    unreadable = len({e.file for e in result.all_errors})
    if unreadable:
        line += f"; {_plural(unreadable, 'file')} could not be read"
    return line


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _exposure(exposure: Exposure, index: SuppressionIndex, show_suppressed: bool) -> Block:
    style = STYLES[exposure.severity] if exposure.severity is not None else POSSIBLE_STYLE
    header = [
        (f" {exposure.severity_label.upper()} ", style),
        (f" {exposure.workload}", "bold"),
        (f" ({exposure.workload_kind})  {exposure.workload_span}  [{exposure.configuration}]", "dim"),
    ]
    moved = exposure.criticality.moved(exposure.severity) if exposure.criticality is not None else ""
    if moved:  # "HIGH, raised from MEDIUM: tag environment=production at main.tf:12"
        header.append((f"  {exposure.severity_label.upper()}, {moved}", "bold"))
    if exposure.possible_severity is not None:
        header.append((f"  ({exposure.possibly()})", POSSIBLE_STYLE))
    suppressions = index.for_exposure(exposure)
    if suppressions:
        header.append((f"  suppressed: {justification(suppressions) or 'no reason given'}", "dim italic"))
    lines = [header]
    if exposure.instances:
        shown = ", ".join(exposure.instances[:INSTANCES_SHOWN])
        more = len(exposure.instances) - INSTANCES_SHOWN
        lines.append([(f"  alike instances: {shown}" + (f" and {more} more" if more > 0 else ""), "dim")])

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
        if trait.possible:
            line.append(("  [possible]", POSSIBLE_STYLE))
        if suppression is not None:
            line.append((f"  (suppressed: {suppression.reason.strip() or 'no reason given'})", "dim italic"))
        lines.append(line)
        for assumption in trait.assumptions:
            lines.append([(f"      assumes: {assumption}", "dim")])
        for origin in trait.unknowns:
            lines.append([(f"      unknown: {origin_text(origin)}", "dim")])
        for caveat in trait.caveats:
            lines.append([(f"      caveat: {caveat}", "dim")])
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
    best_fixes = exposure.fixes[:SHOWN_FIXES]
    if not best_fixes:
        lines.append(
            [
                ("  no measured fix: ", "bold yellow"),
                ("no single edit iacscan can make lowers it or clears a trait", ""),
            ]
        )
    for rank, fix in enumerate(best_fixes, 1):
        lines.append(
            [
                ("  best fix: " if rank == 1 else "  then:     ", "bold green"),
                (f"{fix.location.span} ", "bold cyan"),
                (f"{fix.remediation} ", "bold green"),
                (f"({fix_effect(exposure, fix)})", "bold dim green"),
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


def _unknowns(exposures: Sequence[Exposure]) -> Iterator[Block]:
    """What the scan could not know and what it decided, per configuration."""
    from scanner.unknowns import open_inputs

    found = open_inputs(exposures)
    if not found:
        return
    yield [[("Unknowns that decide possible findings (give them values for a certain verdict):", "bold")]]
    shown: dict[str, int] = {}
    for item in found:
        shown[item.configuration] = shown.get(item.configuration, 0) + 1
        if shown[item.configuration] == 1:
            yield [[(f"  {item.configuration}:", "bold")]]
        if shown[item.configuration] > UNKNOWNS_SHOWN:
            continue
        line: list[Piece] = [
            (f"    {origin_text(item.origin)}", ""),
            (f"  decides {_plural(item.decides, 'finding')}", "dim"),
        ]
        if item.origin.fill_in:
            line.append((f"  set it: {item.origin.fill_in}", "green"))
        yield [line]
    for configuration, count in shown.items():
        if count > UNKNOWNS_SHOWN:
            yield [[(f"  ({count - UNKNOWNS_SHOWN} more unknowns of {configuration} in the JSON report)", "dim")]]
    yield [[]]
