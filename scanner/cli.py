"""The command line: wires the stages together, nothing more."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import time
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scanner import __version__
from scanner.cache import default_cache_dir
from scanner.console import StderrConsole
from scanner.findings import LoadError
from scanner.options import DEFAULT_CRITICALITY, DEFAULT_MAX_INSTANCES, ScanOptions
from scanner.settings import FileSettings, SettingsError, find_settings_file, load_settings

if TYPE_CHECKING:
    from rich.console import Console

    from scanner.baseline import Hidden
    from scanner.findings import Configuration, ScanResult
    from scanner.vulndata import VulnerabilityData, VulnerabilitySources

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Offline exposure scanner for EC2 workloads in Terraform and CloudFormation.",
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FAIL_ON_LEVELS = {"low": 1, "medium": 2, "high": 3, "critical": 4, "none": 99}


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    asff = "asff"
    ocsf = "ocsf"


class GraphFormat(str, Enum):
    dot = "dot"
    json = "json"
    graphml = "graphml"


def _version(value: bool) -> None:
    if value:
        from scanner.iam_catalogue import data_sources  # reads one small manifest, not the data

        typer.echo(f"iacscan {__version__}")
        for name, source in data_sources().items():
            typer.echo(f"  {name}: {source}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """iacscan reads Terraform and CloudFormation before deployment and reports, per EC2
    workload, how exposed it will be and the fix that matters most."""


def _root_for(paths: list[Path]) -> Path:
    """Reports name files relative to the current folder when every path is inside it
    (what GitHub code scanning expects when run at the repository root), else relative to
    the paths' common folder."""
    cwd = Path.cwd().resolve()
    resolved = [p.resolve() for p in paths]
    if all(p == cwd or cwd in p.parents for p in resolved):
        return cwd
    common = Path(os.path.commonpath([str(p) for p in resolved]))
    return common if common.is_dir() else common.parent


def _key_values(items: list[str], flag: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{flag} takes NAME=VALUE, not {item!r}")
        result[key] = value
    return result


def _ports(text: str) -> frozenset[int]:
    ports: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        low, _, high = part.partition("-")
        try:
            start, end = int(low), int(high or low)
        except ValueError:
            raise typer.BadParameter(f"--authorized-ports takes ports like 80,443 or 8000-8080, not {part!r}") from None
        if not 0 <= start <= end <= 65535:
            raise typer.BadParameter(f"--authorized-ports: {part!r} is not a port range")
        ports.update(range(start, end + 1))
    return frozenset(ports)


def _settings(root: Path, config: Path | None) -> FileSettings:
    path = config or find_settings_file(root)
    return load_settings(path) if path else FileSettings()


# Options several commands take, declared once.
VarOption = Annotated[list[str] | None, typer.Option("--var", help="Terraform variable NAME=VALUE.")]
VarFileOption = Annotated[list[Path] | None, typer.Option("--var-file", help="Terraform .tfvars file.")]
ParameterOption = Annotated[list[str] | None, typer.Option("--parameter", help="CloudFormation parameter Key=Value.")]
AuthorizedPortsOption = Annotated[
    str | None, typer.Option(help="Ports open to the world that are fine (default 80,443).")
]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="Settings file (default .iacscan.toml or pyproject.toml).")
]


@app.command()
def scan(
    paths: Annotated[list[Path], typer.Argument(help="Folders and files to scan.")],
    output_format: Annotated[OutputFormat | None, typer.Option("--format", "-f", help="Report format.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here.")] = None,
    fail_on: Annotated[str | None, typer.Option(help="low|medium|high|critical|none (default low).")] = None,
    assume_worst: Annotated[
        bool | None,
        typer.Option(
            "--assume-worst/--no-assume-worst",
            help="Count possible traits (they hold for some values of unknowns) as holding; --fail-on then "
            "applies to the worst case.",
        ),
    ] = None,
    authorized_ports: AuthorizedPortsOption = None,
    var: VarOption = None,
    var_file: VarFileOption = None,
    parameter: ParameterOption = None,
    source: Annotated[Path | None, typer.Option("--source", help="The .tf folder behind a plan JSON.")] = None,
    skip_rule: Annotated[list[str] | None, typer.Option("--skip-rule", help="A rule id not to report.")] = None,
    exclude: Annotated[list[str] | None, typer.Option("--exclude", help="Glob of paths not to scan.")] = None,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="Report only findings not in this baseline.")
    ] = None,
    write_baseline: Annotated[
        Path | None, typer.Option("--write-baseline", help="Record current findings here.")
    ] = None,
    show_suppressed: Annotated[
        bool, typer.Option("--show-suppressed", help="Show suppressed findings in text.")
    ] = False,
    sbom: Annotated[list[str] | None, typer.Option("--sbom", help="AMI=SBOM file (CycloneDX or SPDX JSON).")] = None,
    inspector: Annotated[
        list[Path] | None, typer.Option("--inspector", help="Amazon Inspector findings export.")
    ] = None,
    vuln_db: Annotated[Path | None, typer.Option("--vuln-db", help="OSV records: a folder or zip.")] = None,
    kev: Annotated[Path | None, typer.Option("--kev", help="CISA KEV catalog JSON.")] = None,
    epss: Annotated[Path | None, typer.Option("--epss", help="EPSS scores CSV.")] = None,
    epss_threshold: Annotated[
        float | None, typer.Option(help="EPSS score that makes a CVE likely exploited (0.1).")
    ] = None,
    config: ConfigOption = None,
    max_file_size: Annotated[int, typer.Option(help="Largest file read, in bytes.")] = 20 * 1024 * 1024,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="Parse cache folder (default $XDG_CACHE_HOME/iacscan).")
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the parse cache.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes for loading (0: one per CPU).")] = 0,
    template_url: Annotated[
        list[str] | None,
        typer.Option(
            "--template-url",
            help="URL_PREFIX=DIR: nested stacks whose TemplateURL starts with URL_PREFIX are read from DIR.",
        ),
    ] = None,
    max_instances: Annotated[
        int | None,
        typer.Option(
            "--max-instances",
            help="Largest count/for_each expanded (10000); past it one instance ADDRESS[*] stands for all.",
        ),
    ] = None,
    no_criticality: Annotated[
        bool,
        typer.Option("--no-criticality", help="Severity from the table only, not moved by tags and names."),
    ] = False,
    aws_account: Annotated[
        str | None, typer.Option("--aws-account", help="ASFF: the AWS account id findings are imported into.")
    ] = None,
    aws_region: Annotated[str | None, typer.Option("--aws-region", help="ASFF: the Security Hub region.")] = None,
    asff_previous: Annotated[
        Path | None,
        typer.Option("--asff-previous", help="ASFF: the previous run's findings; those gone are written ARCHIVED."),
    ] = None,
    asff_batch_size: Annotated[
        int | None,
        typer.Option("--asff-batch-size", help="ASFF: files of at most N findings (1-100), named OUTPUT-001.json ..."),
    ] = None,
    source_url_base: Annotated[
        str | None, typer.Option("--source-url-base", help="ASFF/OCSF: URL of the repository; file#Lline is added.")
    ] = None,
    timings: Annotated[bool, typer.Option("--timings", hidden=True, help="Print phase timings to stderr.")] = False,
) -> None:
    """Scan Terraform and CloudFormation for EC2 exposures.

    Exit codes: 0 no finding at or above --fail-on and every file read; 1 findings at or
    above --fail-on, or files that could not be read (a check that could not run is not a
    pass); 2 usage errors (a --var Terraform would refuse, a missing or unparsable
    --var-file or --sbom, a path that does not exist), a folder named that holds no
    Terraform or CloudFormation, or nothing read (every file failed to parse). --fail-on
    none exits 0 except for those. Files named that are not IaC are a note (exit 0)."""
    from scanner.scan import scan as run_scan

    err = StderrConsole(soft_wrap=True)  # an error naming file:line stays on one line
    root = _root_for([*paths, source] if source else paths)  # the plan's .tf files are read and reported
    try:
        settings = _settings(root, config)
    except SettingsError as error:
        err.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    fail_level = fail_on or settings.fail_on or "low"
    if fail_level not in FAIL_ON_LEVELS:
        err.print(f"[red]error:[/red] --fail-on must be one of {', '.join(FAIL_ON_LEVELS)}", highlight=False)
        raise typer.Exit(EXIT_USAGE)
    instance_bound = max_instances if max_instances is not None else settings.max_instances
    if instance_bound is not None and instance_bound < 1:
        err.print("[red]error:[/red] --max-instances must be 1 or more", highlight=False)
        raise typer.Exit(EXIT_USAGE)
    options = _options(
        root,
        settings,
        var_file=var_file,
        var=var,
        parameter=parameter,
        authorized_ports=authorized_ports,
        cache_dir=None if no_cache else (cache_dir or True),
        jobs=jobs,
        assume_worst=assume_worst,
        source=source,
        skip_rule=skip_rule,
        max_file_size=max_file_size,
        max_instances=instance_bound,
        template_url=template_url,
        criticality=not no_criticality,
    )
    chosen = output_format or OutputFormat(settings.format or "text")
    security_hub = None
    if chosen in (OutputFormat.asff, OutputFormat.ocsf):
        from scanner.reports.security_hub_cli import SecurityHubOptionError, security_hub_options

        try:
            security_hub = security_hub_options(
                chosen.value,
                settings,
                aws_account=aws_account,
                aws_region=aws_region,
                previous=asff_previous,
                batch_size=asff_batch_size,
                output=output,
                source_url_base=source_url_base,
            )
        except SecurityHubOptionError as error:
            err.print(f"[red]error:[/red] {error}", highlight=False)
            raise typer.Exit(EXIT_USAGE) from None
    for refused_file in _var_file_problems(options):
        err.print(f"[red]error:[/red] {refused_file}", highlight=False)
        raise typer.Exit(EXIT_USAGE)
    excludes = tuple(settings.exclude) + tuple(exclude or ())
    if source is not None:
        problem = _plan_source_problem(paths, options, excludes)
        if problem is not None:
            err.print(f"[red]error:[/red] --source {source}: {problem}", highlight=False)
            raise typer.Exit(EXIT_USAGE)
    vulnerability_data = _load_vulnerability_data(
        options, settings, sbom or [], inspector or [], vuln_db, kev, epss, epss_threshold
    )
    for unread in vulnerability_data[2]:
        if unread.file in vulnerability_data[4]:  # an SBOM named that is missing or not one
            err.print(f"[red]error:[/red] --sbom {unread}", highlight=False)
            raise typer.Exit(EXIT_USAGE)
    from scanner.progress import ScanProgress

    # A scan builds a large heap that lives until it ends, and makes next to no cyclic garbage
    # (peak RSS at 10,000 instances is the same with the collector on or off). The collector
    # walked that heap again and again: a fifth of the loading and nine tenths of writing the
    # result cache. So it is off for the scan; the process ends right after it.
    gc.disable()
    with ScanProgress(err) as progress:
        result = run_scan(
            list(paths),
            options,
            excludes,
            vulnerability_data=vulnerability_data[0],
            progress=progress,
            vulnerability_key=vulnerability_data[3],
            background_writes=True,
        )
    refused = [e for e in result.all_errors if e.usage]
    if refused:
        for refusal in refused:
            err.print(f"[red]error:[/red] {refusal}", highlight=False)
        raise typer.Exit(EXIT_USAGE)
    result.notices.extend(vulnerability_data[1])
    result.errors.extend(vulnerability_data[2])
    from scanner.baseline import read_baseline, split_by_baseline, write_baseline_file
    from scanner.suppressions import SuppressionIndex

    known: set[str] | None = None
    if baseline is not None:
        try:
            known = read_baseline(baseline)
        except ValueError as error:
            err.print(f"[red]error:[/red] {error}", highlight=False)
            raise typer.Exit(EXIT_USAGE) from None
    if write_baseline is not None:
        write_baseline_file(write_baseline, result)
    shown, in_baseline = result, None
    if known is not None:  # the reports show what is new and say how much the baseline hid
        shown, in_baseline = split_by_baseline(result, known)

    report_started, report_started_cpu = time.perf_counter(), time.process_time()
    if security_hub is not None:
        from scanner.reports.security_hub_cli import write_security_hub

        write_security_hub(result, security_hub, output, _write)
    elif chosen is OutputFormat.sarif:
        _write(render_sarif_text(result, known), output)
    elif chosen is OutputFormat.json:
        _write_json_report(shown, output, in_baseline, options.jobs)
    else:
        _write_text_report(shown, output, show_suppressed, in_baseline)
    if timings:
        import json

        result.timings["report"] = time.perf_counter() - report_started
        result.timings["report_cpu"] = time.process_time() - report_started_cpu
        err.file.write("iacscan-timings " + json.dumps({k: round(v, 3) for k, v in result.timings.items()}) + "\n")

    from scanner.result_cache import wait_for_writers

    wait_for_writers(result.cache_writers)  # the report is out: the cache is complete before the scan ends
    nothing = _nothing_scanned(paths, result, options)
    if nothing is not None:
        err.print(f"[red]error:[/red] {nothing}", highlight=False)
        raise typer.Exit(EXIT_USAGE)
    if write_baseline is not None:
        raise typer.Exit(EXIT_OK)  # the findings were just accepted
    suppressed = SuppressionIndex.of(shown)
    # Severity that holds (under --assume-worst it counts the possible traits too).
    failing = [e for e in shown.exposures if e.rank >= FAIL_ON_LEVELS[fail_level] and not suppressed.for_exposure(e)]
    raise typer.Exit(exit_code(fail_level, bool(failing), result.all_errors))


def _options(
    root: Path,
    settings: FileSettings,
    *,
    var_file: list[Path] | None,
    var: list[str] | None,
    parameter: list[str] | None,
    authorized_ports: str | None,
    cache_dir: Path | bool | None,
    jobs: int,
    assume_worst: bool | None,
    source: Path | None = None,
    skip_rule: list[str] | None = None,
    max_file_size: int = 20 * 1024 * 1024,
    max_instances: int | None = None,
    template_url: list[str] | None = None,
    criticality: bool = True,
) -> ScanOptions:
    """The scan's options from the command line, then the settings file, then the defaults.
    ``cache_dir``: None for no cache, True for the default folder."""
    if authorized_ports is not None:
        ports = _ports(authorized_ports)
    elif settings.authorized_ports is not None:
        ports = frozenset(settings.authorized_ports)
    else:
        ports = frozenset({80, 443})
    cache = default_cache_dir() if cache_dir is True else cache_dir.resolve() if isinstance(cache_dir, Path) else None
    return ScanOptions(
        root=root,
        var_files=tuple(settings.var_files) + tuple(p.resolve() for p in var_file or ()),
        variables=_key_values(var or [], "--var"),
        parameters={**settings.parameters, **_key_values(parameter or [], "--parameter")},
        authorized_ports=ports,
        plan_source=source.resolve() if source else None,
        max_file_bytes=max_file_size,
        cache_dir=cache,
        jobs=jobs if jobs > 0 else (os.cpu_count() or 1),
        skip_rules=frozenset(settings.skip_rules) | frozenset(skip_rule or ()),
        assume_worst=assume_worst if assume_worst is not None else settings.assume_worst,
        max_instances=max_instances or DEFAULT_MAX_INSTANCES,
        template_urls=tuple(
            {
                **settings.template_urls,
                **{k: Path(v).resolve() for k, v in _key_values(template_url or [], "--template-url").items()},
            }.items()
        ),
        criticality=_criticality_rules(settings) if criticality else None,
    )


def _criticality_rules(settings: FileSettings) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The settings' criticality rules over the defaults (None: turned off)."""
    if settings.criticality_off:
        return None
    high, low = DEFAULT_CRITICALITY
    return (
        settings.criticality_high if settings.criticality_high is not None else high,
        settings.criticality_low if settings.criticality_low is not None else low,
    )


def exit_code(fail_level: str, failing: bool, errors: list[LoadError]) -> int:
    """After a scan that read something: 1 for a finding at or above ``--fail-on``, and also
    for a file that could not be read (a check that could not run is not a pass); 2 when
    iacscan itself failed on a configuration. ``--fail-on none``: always 0."""
    if fail_level == "none":
        return EXIT_OK
    if any(e.message.startswith("internal error") for e in errors):
        return EXIT_USAGE  # a configuration iacscan failed on was not checked: never pass it
    return EXIT_FINDINGS if failing or errors else EXIT_OK


def _nothing_scanned(paths: list[Path], result: ScanResult, options: ScanOptions) -> str | None:
    """Why the scan read nothing, which exits 2 whatever ``--fail-on`` says: a path that does
    not exist, a folder named on the command line holding no Terraform or CloudFormation, or
    every file found failing to parse. None when something was read. (Files named that are
    not IaC are a note, not this: pre-commit passes them.)"""
    missing = [e for e in result.errors if e.message == "no such file or folder"]
    if missing:
        return f"{missing[0].file}: no such file or folder"
    places = [options.root / c.name for c in result.configurations]
    places += [options.root / e.file for c in result.configurations for e in c.errors]
    for given in paths:
        if not given.is_dir():
            continue
        folder = given.resolve()
        if not any(p.resolve() == folder or folder in p.resolve().parents for p in places):
            return f"{given}: no Terraform (.tf, .tf.json, plan JSON) or CloudFormation template found in this folder"
    if result.configurations and result.all_errors and not any(c.files for c in result.configurations):
        return "nothing could be read: every Terraform or CloudFormation file found failed to load (see above)"
    return None


def _plan_source_problem(paths: list[Path], options: ScanOptions, excludes: tuple[str, ...]) -> str | None:
    """Why ``--source`` (``options.plan_source``) cannot be read with the scanned plans: it is
    not a folder of .tf files, no plan is scanned, or it is not the source of one of them
    (a plan's resource is not declared in it). None: it is their source."""
    from scanner.discovery import discover
    from scanner.loaders.registry import TERRAFORM_PLAN
    from scanner.loaders.terraform.plan.source_check import folder_problem, plan_source_problem

    assert options.plan_source is not None
    problem = folder_problem(options.plan_source, options)
    if problem is not None:
        return problem
    plans = discover(paths, options, excludes).paths[TERRAFORM_PLAN.name]
    if not plans:
        return "it names the .tf files behind a plan, and no plan (terraform show -json output) is scanned"
    for plan in plans:
        problem = plan_source_problem(plan, options)
        if problem is not None:
            return problem
    return None


def _var_file_problems(options: ScanOptions) -> list[str]:
    """A ``--var-file`` (or settings ``var-files``) that does not exist or does not parse:
    Terraform refuses to plan with it, so the scan is a usage error, not a note."""
    if not options.var_files:
        return []  # the parser stays unloaded: a warm scan reads only the result cache
    from scanner.loaders.terraform.files import ParsedFiles

    problems: list[str] = []
    parsed = ParsedFiles()
    for path in options.var_files:
        if not path.is_file():
            problems.append(f"--var-file {path}: no such file")
            continue
        errors: list[LoadError] = []
        parsed.parse(path, options.display_path(path), options, errors)
        problems += [f"--var-file {error}" for error in errors]
    return problems


def _load_vulnerability_data(
    options: ScanOptions,
    settings: FileSettings,
    sboms: list[str],
    inspector: list[Path],
    vuln_db: Path | None,
    kev: Path | None,
    epss: Path | None,
    epss_threshold: float | None,
) -> tuple[VulnerabilityData | None, list[str], list[LoadError], str | None, set[str]]:
    from scanner.vulndata import VulnerabilitySources, load_vulnerability_data

    sources = VulnerabilitySources(
        sboms={**settings.sboms, **{k: Path(v).resolve() for k, v in _key_values(sboms, "--sbom").items()}},
        inspector_exports=tuple(settings.inspector_exports) + tuple(p.resolve() for p in inspector),
        osv_db=vuln_db.resolve() if vuln_db else settings.vuln_db,
        kev=kev.resolve() if kev else settings.kev,
        epss=epss.resolve() if epss else settings.epss,
        epss_threshold=(
            epss_threshold
            if epss_threshold is not None
            else settings.epss_threshold
            if settings.epss_threshold is not None
            else 0.1
        ),
    )
    data, errors, notices = load_vulnerability_data(sources, options.root)
    key = _vulnerability_key(sources, options.root) if data is not None else None
    sbom_files: set[str] = set()
    if sources.sboms:
        from scanner.vulndata.inventory import resolve_input

        shown = ScanOptions(root=options.root)
        sbom_files = {shown.display_path(resolve_input(p, options.root)) for p in sources.sboms.values()}
    return data, notices, errors, key, sbom_files


def _vulnerability_key(sources: VulnerabilitySources, root: Path) -> str:
    """The content of every vulnerability input: part of the result cache's key."""
    from scanner.result_cache import fingerprint_of_files
    from scanner.vulndata.inventory import resolve_input

    given = [
        *sources.sboms.values(),
        *sources.inspector_exports,
        *(p for p in (sources.osv_db, sources.kev, sources.epss) if p is not None),
    ]
    return fingerprint_of_files(
        [resolve_input(p, root) for p in given], sorted(sources.sboms.items()), sources.epss_threshold
    )


def render_sarif_text(result: ScanResult, known: set[str] | None) -> str:
    from scanner.reports.sarif import render_sarif

    return render_sarif(result, baseline=known)


def _write_json_report(
    result: ScanResult, output: Path | None, in_baseline: Hidden | None = None, workers: int = 1
) -> None:
    """Written as it is rendered (``json_report.write_json``): a large report is never held
    whole in memory as objects; ``workers`` processes render its exposures."""
    from scanner.reports.json_report import write_json

    if output is None:
        write_json(result, sys.stdout.write, in_baseline=in_baseline, workers=workers)
        return
    with output.open("w", encoding="utf-8") as stream:
        write_json(result, stream.write, in_baseline=in_baseline, workers=workers)


def _stdout_console() -> Console:
    """On a terminal rich wraps to its width; in a pipe or CI log a line stays one line,
    so `file:line` references are never split."""
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(soft_wrap=True)


def _write(text: str, output: Path | None) -> None:
    text = text if text.endswith("\n") else text + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


def _write_text_report(
    result: ScanResult, output: Path | None, show_suppressed: bool, in_baseline: Hidden | None = None
) -> None:
    from scanner.reports.text import plain_text, render_text

    if output is None:
        console = _stdout_console()
        if console.is_terminal:
            render_text(result, console, show_suppressed=show_suppressed, in_baseline=in_baseline)
        else:
            sys.stdout.write(plain_text(result, show_suppressed=show_suppressed, in_baseline=in_baseline))
        return
    output.write_text(plain_text(result, show_suppressed=show_suppressed, in_baseline=in_baseline), encoding="utf-8")


@app.command()
def graph(
    path: Annotated[Path, typer.Argument(help="A folder or file: its configurations are drawn.")],
    output_format: Annotated[GraphFormat, typer.Option("--format", "-f")] = GraphFormat.dot,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Export the resource graph (dot renders with Graphviz: dot -Tsvg graph.dot -o graph.svg)."""
    from scanner.graph import build_graph, export_graph
    from scanner.scan import load_configurations

    root = _root_for([path])
    options = ScanOptions(root=root)
    configurations, errors, _notices = load_configurations([path], options)
    from rich.console import Console

    err = Console(stderr=True)
    for error in [*errors, *(e for c in configurations for e in c.errors)]:
        err.print(f"[yellow]warning:[/yellow] {error}", highlight=False)
    if not configurations:
        err.print("[red]error:[/red] no Terraform or CloudFormation configuration found", highlight=False)
        raise typer.Exit(EXIT_USAGE)
    if output_format is GraphFormat.dot:
        text = _highlighted_dot(configurations, options, err)
    else:
        parts = [export_graph(build_graph(c), output_format.value) for c in configurations]
        text = parts[0] if len(parts) == 1 else _join_graphs(parts, output_format)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.write_text(text, encoding="utf-8")


def _highlighted_dot(configurations: list[Configuration], options: ScanOptions, err: Console) -> str:
    """One dot digraph: workloads with traits and the paths from the internet highlighted."""
    from scanner.graph import build_graph
    from scanner.reports.graph_dot import DrawnConfiguration, render_dot
    from scanner.scan import analyse

    drawn = []
    for configuration in configurations:
        try:
            exposures, _notices = analyse(configuration, options)
        except Exception as error:  # draw the graph even when an analysis fails
            err.print(f"[yellow]warning:[/yellow] {configuration.name}: not highlighted: {error!r}", highlight=False)
            exposures = []
        drawn.append(DrawnConfiguration(configuration.name, build_graph(configuration), exposures))
    return render_dot(drawn)


def _join_graphs(parts: list[str], fmt: GraphFormat) -> str:
    if fmt is GraphFormat.json:
        return "[\n" + ",\n".join(parts) + "\n]\n"
    return "\n".join(parts)


class FixesFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def fixes(
    paths: Annotated[list[Path], typer.Argument(help="Folders and files to scan.")],
    output_format: Annotated[FixesFormat, typer.Option("--format", "-f", help="text or json.")] = FixesFormat.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the list here.")] = None,
    top: Annotated[int, typer.Option("--top", help="How many targets to list (0: all).")] = 20,
    var: VarOption = None,
    var_file: VarFileOption = None,
    parameter: ParameterOption = None,
    authorized_ports: AuthorizedPortsOption = None,
    assume_worst: Annotated[
        bool | None, typer.Option("--assume-worst/--no-assume-worst", help="Count possible traits as holding.")
    ] = None,
    exclude: Annotated[list[str] | None, typer.Option("--exclude", help="Glob of paths not to scan.")] = None,
    config: ConfigOption = None,
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help="Cache folder.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the cache.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes for loading (0: one per CPU).")] = 0,
) -> None:
    """Remediation targets across the scan, ranked by the exposures each edit resolves, then
    reduces: every fix measured by re-analysing the workloads it touches. Exit code 0, or 2
    on usage errors and when nothing could be read."""
    from scanner.fixes.targets import remediation_targets
    from scanner.reports.fix_targets import render_targets_json, render_targets_text
    from scanner.scan import scan as run_scan
    from scanner.suppressions import SuppressionIndex

    err = StderrConsole(soft_wrap=True)
    root = _root_for(paths)
    try:
        settings = _settings(root, config)
    except SettingsError as error:
        err.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    options = _options(
        root,
        settings,
        var_file=var_file,
        var=var,
        parameter=parameter,
        authorized_ports=authorized_ports,
        cache_dir=None if no_cache else (cache_dir or True),
        jobs=jobs,
        assume_worst=assume_worst,
    )
    gc.disable()  # as in scan: a large heap, next to no cyclic garbage
    result = run_scan(list(paths), options, tuple(settings.exclude) + tuple(exclude or ()))
    for unread in result.all_errors:
        err.print(f"[yellow]warning:[/yellow] {unread}", highlight=False)
    nothing = _nothing_scanned(paths, result, options)
    if nothing is not None:
        err.print(f"[red]error:[/red] {nothing}", highlight=False)
        raise typer.Exit(EXIT_USAGE)
    suppressed = SuppressionIndex.of(result)
    targets = remediation_targets(e for e in result.exposures if not suppressed.for_exposure(e))
    shown = targets[:top] if top > 0 else targets
    if output_format is FixesFormat.json:
        _write(render_targets_json(shown, len(targets)), output)
    else:
        _write(render_targets_text(shown, len(targets)), output)
    raise typer.Exit(EXIT_OK)


@app.command()
def explain(
    path: Annotated[Path, typer.Argument(help="The folder or file that holds the workload.")],
    resource: Annotated[str, typer.Argument(help="The workload's address (aws_instance.web, WebServer).")],
    var: VarOption = None,
    var_file: VarFileOption = None,
    parameter: ParameterOption = None,
    authorized_ports: AuthorizedPortsOption = None,
    config: ConfigOption = None,
) -> None:
    """Every path from the internet to one workload, where each is cut, its traits and fixes.
    It reads the same inputs as ``scan`` (variables, parameters, the settings file), so its
    verdicts are the scan's."""
    from scanner.explain import explain_workload

    root = _root_for([path])
    try:
        settings = _settings(root, config)
    except SettingsError as error:
        StderrConsole(soft_wrap=True).print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    options = _options(
        root,
        settings,
        var_file=var_file,
        var=var,
        parameter=parameter,
        authorized_ports=authorized_ports,
        cache_dir=None,
        jobs=1,
        assume_worst=None,
    )
    code = explain_workload([path], options, resource, _stdout_console())
    raise typer.Exit(code)


@app.command()
def rules() -> None:
    """List the rules with their severity and a one-line description."""
    from scanner.rules.registry import all_rules

    catalog = all_rules()
    width = max(len(rule.id) for rule in catalog)
    for rule in catalog:
        score = "" if rule.security_severity is None else f"{rule.security_severity:.1f}"
        typer.echo(
            f"{rule.id:<{width}}  {_severity_label(rule.security_severity):<8} {score:>4}  {rule.short_description}"
        )


def _severity_label(score: float | None) -> str:
    """GitHub code scanning's reading of a security-severity score."""
    if score is None:
        return "-"
    return "critical" if score >= 9.0 else "high" if score >= 7.0 else "medium" if score >= 4.0 else "low"


def main() -> None:
    try:
        app()
    except SystemExit as done:
        # Freeing a large scan's objects one by one at exit cost a quarter of its CPU time; every
        # report is written and every file closed by now, so leave without the teardown.
        code = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
        if not isinstance(done.code, (int, type(None))):
            sys.stderr.write(f"{done.code}\n")
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


if __name__ == "__main__":
    main()
