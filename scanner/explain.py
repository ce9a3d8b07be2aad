"""``iacscan explain PATH RESOURCE``: one workload's exposure, told in full.

Every candidate path from the internet (and from peered or VPN networks), with the ports
that survive each hop and, for a path that is cut, where and why (a path open only for some
values of what the configuration leaves open is "unknown", with what it assumes and the
inputs deciding it, never "cut"); then the traits, the severity and the fixes ranked by how
much each lowers it.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape

from scanner.findings import PathStep, fix_effect
from scanner.options import ScanOptions
from scanner.values import Origin

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
SEVERITY_STYLE = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "possible": "bold magenta",
}


def _hop(step: PathStep) -> str:
    where = f" ({step.span})" if step.span else ""
    ports = f"  [dim]passes: {escape(step.ports)}[/dim]" if step.ports else ""
    return f"{escape(step.address)}{escape(where)} - {escape(step.description)}{ports}"


def _print_unknowns(console: Console, unknowns: tuple[Origin, ...]) -> None:
    for origin in unknowns:
        where = f" ({origin.span})" if origin.span else ""
        fill = f"; {origin.fill_in}" if origin.fill_in else ""
        text = escape(f"{origin.kind} {origin.name}{where}{fill}")
        console.print(
            f"      [magenta]decided by:[/magenta] {text}",
            highlight=False,
        )


def explain_workload(paths: list[Path], options: ScanOptions, address: str, console: Console) -> int:
    """Print the explanation; the exit code follows ``scan`` (1 when the workload has an exposure)."""
    from scanner.analyses.network_memo import NetworkMemo
    from scanner.analyses.reachability import explain_paths
    from scanner.analyses.reachability.verdicts import path_verdict
    from scanner.graph import build_graph, workload_contexts
    from scanner.model import AutoScalingGroup, Instance
    from scanner.scan import exposure_of, fix_run, load_configurations, with_fixes, workload_traits

    configurations, errors, _notices = load_configurations(paths, options)
    for error in errors:
        console.print(f"[yellow]warning:[/yellow] {escape(str(error))}", highlight=False)
    candidates = []
    known: set[str] = set()
    for configuration in configurations:
        for error in [*configuration.errors, *configuration.warnings]:
            console.print(f"[yellow]warning:[/yellow] {escape(str(error))}", highlight=False)
        graph = build_graph(configuration)
        for ctx in workload_contexts(graph, configuration):
            known.add(ctx.address)
            if ctx.address == address:
                candidates.append((configuration, ctx, graph))
    if not candidates:
        names = sorted(known)
        console.print(f"[red]error:[/red] no workload {escape(address)!s} here", highlight=False)
        if names:
            console.print(
                "workloads: " + escape(", ".join(names[:30])) + (" ..." if len(names) > 30 else ""), highlight=False
            )
        return EXIT_USAGE

    code = EXIT_OK
    for configuration, ctx, graph in candidates:
        workload = ctx.workload
        console.print(
            f"[bold]{escape(address)}[/bold] ({workload.kind}) in {escape(configuration.name)}, "
            f"defined at {workload.span}",
            highlight=False,
        )
        console.print("\n[bold]Paths[/bold]", highlight=False)
        memo = NetworkMemo()
        reports = explain_paths(ctx, memo)
        if not reports:
            console.print("  no candidate path: nothing routes to this workload", highlight=False)
        for report in dict.fromkeys(reports):  # each distinct path once (two subnets may share a table)
            # Open only for some values of what is not known offline: "unknown", never "cut".
            state = (
                "[magenta]unknown[/magenta]"
                if report.open and report.possible
                else "[red]OPEN[/red]"
                if report.open
                else "[yellow]RESTRICTED[/yellow]"
                if report.restricted
                else "[green]cut[/green]"
            )
            ports = f" on {escape(report.ports)}" if report.open and report.ports else ""
            console.print(f"  {state} via {report.via} (IPv{report.version}){ports}", highlight=False)
            for step in report.steps:
                console.print(f"      -> {_hop(step)}", highlight=False)
            if report.cut:
                hop = path_verdict(report, ctx.address).hop
                console.print(f"      [green]cut at {escape(hop)}:[/green] {escape(report.cut)}", highlight=False)
            if report.restricted:
                console.print(f"      [yellow]restricted:[/yellow] {escape(report.restricted)}", highlight=False)
            if report.open and report.possible:
                console.print(
                    "      [magenta]unknown:[/magenta] open only if what it assumes below holds", highlight=False
                )
            for assumption in report.assumptions:
                console.print(f"      [yellow]assumes:[/yellow] {escape(assumption)}", highlight=False)
            _print_unknowns(console, report.unknowns)

        found = workload_traits(ctx, options, memo)
        traits = found.traits
        assert isinstance(workload, (Instance, AutoScalingGroup))
        exposure = exposure_of(configuration, workload, traits, options.assume_worst)
        console.print("\n[bold]Traits[/bold]", highlight=False)
        if exposure is None:
            console.print("  none: no exposure", highlight=False)
            continue
        exposure = with_fixes(fix_run(configuration, graph, memo, options), ctx, exposure, traits, found.open_reports)
        code = EXIT_FINDINGS
        for trait in exposure.traits:
            verdict = "  [magenta]possible[/magenta]" if trait.possible else ""
            console.print(
                f"  {trait.rule_id:<30} {trait.location.span}  {escape(trait.message)}{verdict}", highlight=False
            )
            for assumption in trait.assumptions:
                console.print(f"      [yellow]assumes:[/yellow] {escape(assumption)}", highlight=False)
            for caveat in trait.caveats:
                console.print(f"      [yellow]caveat:[/yellow] {escape(caveat)}", highlight=False)
            _print_unknowns(console, trait.unknowns)
        label = exposure.severity_label
        possibly = f" ({escape(exposure.possibly())})" if exposure.possible_severity is not None else ""
        console.print(f"\n[bold]Severity[/bold]: [{SEVERITY_STYLE[label]}]{label}[/]{possibly}", highlight=False)
        console.print("\n[bold]Fixes[/bold] (each measured by re-analysing the workload)", highlight=False)
        if not exposure.fixes:
            console.print("  no single edit of what the traits point at changes this workload", highlight=False)
        for rank, fix in enumerate(exposure.fixes, 1):
            effect = escape(fix_effect(exposure, fix))
            console.print(
                f"  {rank}. {fix.location.span} {escape(fix.remediation)} [dim]({effect})[/dim]", highlight=False
            )
    return code
