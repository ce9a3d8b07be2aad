"""The pipeline: files -> loaders -> model -> graph -> analyses -> exposures.

The CLI calls ``scan()``; reports read the ``ScanResult``.
"""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.copies import copy_with
from scanner.findings import (
    Configuration,
    Exposure,
    LoadError,
    PathVerdict,
    RestrictedPath,
    ScanResult,
    Severity,
    Trait,
    WorkloadPaths,
)
from scanner.frozen import frozen
from scanner.loaders.formats import LoadJob
from scanner.options import ScanOptions

if TYPE_CHECKING:
    import networkx as nx

    from scanner.analyses.network_memo import NetworkMemo
    from scanner.analyses.reachability import PathKey, PathReport
    from scanner.fixes.evaluate import FixRun
    from scanner.loaders.terraform.files import ParsedFiles
    from scanner.model import AutoScalingGroup, Instance
    from scanner.vulndata import VulnerabilityData
    from scanner.workload import WorkloadContext

Progress = Callable[[str], None]


def run_load_job(job: LoadJob, options: ScanOptions, parsed: ParsedFiles | None = None) -> list[Configuration]:
    """Run one job; a loader bug becomes an error on that configuration, never a lost scan.
    ``parsed``: the Terraform files the scan has parsed (None: the job keeps its own)."""
    from scanner.loaders.registry import format_named

    try:
        return format_named(job.kind).load(job, options, parsed)
    except Exception as error:
        shown = options.display_path(job.paths[0])
        return [
            Configuration(
                name=shown,
                kind=job.kind,
                errors=[LoadError(shown, 0, f"internal error while loading: {error!r}")],
            )
        ]


def load_configurations(
    paths: list[Path], options: ScanOptions, excludes: tuple[str, ...] = (), progress: Progress | None = None
) -> tuple[list[Configuration], list[LoadError], list[str]]:
    """Every configuration under ``paths``, sorted by name whatever order the workers finish
    in; a configuration that fails to load entirely still appears, carrying its errors."""
    jobs, errors, notices = discover_jobs(paths, options, excludes)
    configurations = [c for loaded in run_load_jobs(jobs, options, progress) for c in loaded]
    configurations.sort(key=lambda c: c.name)
    return configurations, errors, notices


def discover_jobs(
    paths: list[Path], options: ScanOptions, excludes: tuple[str, ...] = ()
) -> tuple[list[LoadJob], list[LoadError], list[str]]:
    from scanner.discovery import discover

    found = discover(paths, options, excludes)
    return found.jobs(), found.errors, found.notices


def run_load_jobs(
    jobs: list[LoadJob], options: ScanOptions, progress: Progress | None = None
) -> list[list[Configuration]]:
    """The configurations of each job, in the order of ``jobs``; Terraform files are parsed
    in parallel first, then the jobs run in ``options.jobs`` processes (each job in a worker
    keeps its own parsed files; jobs run here share the scan's, dropped once they are loaded:
    they are then most of its memory)."""
    from scanner.loaders.registry import TERRAFORM

    terraform_modules = [job.paths[0] for job in jobs if job.kind == TERRAFORM.name]
    in_workers = options.jobs > 1 and len(jobs) > 1
    parsed = None
    if terraform_modules:
        from scanner.loaders.terraform.files import ParsedFiles, parse_in_parallel

        parsed = ParsedFiles()
        # files in parallel, even in one module; jobs loaded in workers read them from the cache
        parse_in_parallel(terraform_modules, options, None if in_workers else parsed)

    loaded: list[list[Configuration]] = []
    if in_workers:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(options.jobs, len(jobs))) as pool:
            futures = [pool.submit(run_load_job, job, options) for job in jobs]
            for job, future in zip(jobs, futures, strict=True):
                if progress:
                    progress(options.display_path(job.paths[0]))
                try:
                    loaded.append(future.result())
                except (pickle.PicklingError, TypeError, AttributeError):
                    # The job loaded but its result could not come back: load it here instead
                    # of losing every configuration of the job.
                    loaded.append(run_load_job(job, options, parsed))
                except Exception as error:  # a worker that died (memory, signal)
                    shown = options.display_path(job.paths[0])
                    loaded.append(
                        [
                            Configuration(
                                name=shown,
                                kind=job.kind,
                                errors=[
                                    LoadError(
                                        shown, 0, f"internal error: loading failed in a worker process: {error!r}"
                                    )
                                ],
                            )
                        ]
                    )
    else:
        for job in jobs:
            if progress:
                progress(options.display_path(job.paths[0]))
            loaded.append(run_load_job(job, options, parsed))
    return loaded


@frozen
class WorkloadFindings:
    """What the rules found on one workload."""

    traits: list[Trait]  # rules the user skips left out
    notices: list[str]
    restricted: tuple[RestrictedPath, ...]  # the paths open only to named sources
    # the candidate paths found open, as found: what measuring a fix re-analyses, or decides
    # from them (``scanner.fixes.shortcuts``)
    open_reports: tuple[tuple[PathKey, PathReport], ...]
    paths: tuple[PathVerdict, ...]  # every candidate path's verdict


def workload_traits(
    ctx: WorkloadContext, options: ScanOptions, memo: NetworkMemo, vulnerability_data: VulnerabilityData | None = None
) -> WorkloadFindings:
    """Every trait of one workload, and what its paths are."""
    from scanner.analyses.reachability import FAMILY
    from scanner.analyses.reachability.verdicts import path_verdicts
    from scanner.rules.context import CheckContext
    from scanner.rules.registry import check_workload

    context = CheckContext(ctx, memo, vulnerability_data)
    traits = check_workload(context, options)
    restricted = tuple(
        RestrictedPath(p.via, FAMILY[p.version], p.ports, p.restricted) for p in context.paths if p.restricted
    )
    return WorkloadFindings(
        traits,
        context.notices,
        tuple(dict.fromkeys(restricted)),
        tuple((key, report) for key, report in context.keyed_paths if report.open),
        path_verdicts(context.paths, ctx.address),
    )


def _cpu_seconds() -> float:
    """CPU seconds of this process and of the workers it has waited for."""
    used = os.times()
    return used.user + used.system + used.children_user + used.children_system


def analyse(
    configuration: Configuration,
    options: ScanOptions,
    vulnerability_data: VulnerabilityData | None = None,
    timings: dict[str, float] | None = None,
    workload_paths: list[WorkloadPaths] | None = None,
) -> tuple[list[Exposure], list[str]]:
    """Traits of every workload of one configuration, combined into exposures, each with its
    fixes measured (``scanner.fixes``). A configuration with many workloads is analysed in
    chunks shared with ``options.jobs - 1`` forked workers (``scanner.forked_parts``); the
    result is the same as one process's, in the same order. ``timings`` (when given) adds the seconds spent
    measuring fixes under "fixes" (every worker's); ``workload_paths`` (when given) gets every
    workload's paths."""
    from scanner.forked_parts import chunks, map_shared
    from scanner.graph import build_graph, workloads_of
    from scanner.instance_groups import group_instances

    graph = build_graph(configuration)
    workloads = workloads_of(graph)
    work = _workloads_analysis(configuration, graph, workloads, options, vulnerability_data)
    workers = options.jobs if len(workloads) >= 2 * WORKLOADS_PER_WORKER else 1
    parts = map_shared(chunks(len(workloads), WORKLOADS_PER_CHUNK), work, workers)
    exposures = [e for part in parts for e in part.exposures]
    notices = [n for part in parts for n in part.notices]
    if timings is not None:
        timings["fixes"] = timings.get("fixes", 0.0) + sum(part.measuring for part in parts)
    if workload_paths is not None:
        workload_paths.extend(w for part in parts for w in part.paths)
    return group_instances(exposures), notices


# Fewer workloads than this per worker cost more to fork and send back than they save.
WORKLOADS_PER_WORKER = 150
# Workloads taken at a time: small enough that the processes end together, large enough
# that each keeps the decisions its neighbouring workloads share.
WORKLOADS_PER_CHUNK = 50


@frozen
class PartResult:
    """What the analysis of some of a configuration's workloads found."""

    exposures: list[Exposure]
    notices: list[str]
    paths: list[WorkloadPaths]
    measuring: float  # seconds spent measuring fixes


def _workloads_analysis(
    configuration: Configuration,
    graph: nx.MultiDiGraph,
    workloads: Sequence[Instance | AutoScalingGroup],
    options: ScanOptions,
    vulnerability_data: VulnerabilityData | None,
) -> Callable[[range], PartResult]:
    """The analysis of a chunk of ``workloads`` (by position). The memo and what measuring
    fixes shares are made here, once: each process (a forked worker has its own copy) keeps
    them from one chunk to the next."""
    from scanner.analyses.network_memo import NetworkMemo
    from scanner.criticality import apply_criticality
    from scanner.fingerprints import fingerprint
    from scanner.graph import context_reader
    from scanner.locations import download_places, fix_in_repository, shown_in_repository
    from scanner.model import AutoScalingGroup, Instance

    # What every part runs, imported once here, before the workers fork, not in each of them.
    import_module("scanner.rules.registry")
    import_module("scanner.rules.context")
    import_module("scanner.fixes.evaluate")
    import_module("scanner.exposure")
    import_module("scanner.suppressions")

    unread = unread_file_assumptions(configuration)
    places = download_places(configuration.resources)  # empty unless a module was downloaded

    memo = NetworkMemo()
    run = fix_run(configuration, graph, memo, options, vulnerability_data)
    read = context_reader(graph, configuration)

    def part(positions: range) -> PartResult:
        notices: list[str] = []
        exposures: list[Exposure] = []
        paths: list[WorkloadPaths] = []
        measuring = 0.0
        for ctx in (read(workloads[n]) for n in positions):
            found = workload_traits(ctx, options, memo, vulnerability_data)
            notices += found.notices
            traits = [
                copy_with(t, caveats=(*t.caveats, *unread), fingerprint=fingerprint(t, configuration.name))
                for t in ([shown_in_repository(t, places) for t in found.traits] if places else found.traits)
            ]
            assert isinstance(ctx.workload, (Instance, AutoScalingGroup))
            exposure = exposure_of(configuration, ctx.workload, traits, options.assume_worst)
            paths.append(WorkloadPaths(configuration.name, ctx.address, exposure is not None, found.paths))
            if exposure is None:
                continue
            started = time.perf_counter()
            exposure = with_fixes(run, ctx, exposure, traits, found.open_reports)
            if places:
                exposure = replace(exposure, fixes=tuple(fix_in_repository(f, places) for f in exposure.fixes))
            measuring += time.perf_counter() - started
            if options.criticality is not None:
                templates = (use.template for use in ctx.launch_templates if use.template is not None)
                exposure = apply_criticality(exposure, ctx.workload, templates, options.criticality)
            restricted = found.restricted
            exposures.append(replace(exposure, restricted_paths=restricted) if restricted else exposure)
        return PartResult(exposures, notices, paths, measuring)

    return part


# Decisions about edited copies, per table: enough for the workloads that share a group
# to share them, small beside the run's own (``NetworkMemo.layer``).
_FIX_MEMO_LIMIT = 2048


def fix_run(
    configuration: Configuration,
    graph: nx.MultiDiGraph,
    memo: NetworkMemo,
    options: ScanOptions,
    vulnerability_data: VulnerabilityData | None = None,
) -> FixRun:
    """What measuring the fixes of one configuration's workloads shares."""
    from scanner.exposure import severity_of
    from scanner.fixes.evaluate import FixRun
    from scanner.graph.read import object_at
    from scanner.suppressions import matching_suppression

    def severity(traits: Sequence[tuple[str, bool]]) -> Severity | None:
        return severity_of([rule_id for rule_id, possible in traits if options.assume_worst or not possible])

    def active(trait: Trait) -> bool:
        found = matching_suppression(configuration.suppressions, trait.rule_id, trait.workload, trait.location.address)
        return found is None

    return FixRun(
        lookup=lambda address: object_at(graph, address),
        memo=memo.layer(_FIX_MEMO_LIMIT),
        options=options,
        severity=severity,
        active=active,
        vulnerability_data=vulnerability_data,
        shares_outcomes=not configuration.suppressions,
        read_lines=source_lines(configuration, options),
    )


def source_lines(configuration: Configuration, options: ScanOptions) -> Callable[[str], list[str] | None]:
    """The lines of a file a fix patches (path relative to the scan root), each read once
    and only when a shown fix edits it. None for a Terraform plan or a CDK app (their files
    are generated, not what the user edits), a file outside the root or under
    ``.terraform/``, or one that cannot be read."""
    read: dict[str, list[str] | None] = {}
    generated = configuration.kind in ("terraform-plan", "cdk")

    def lines(path: str) -> list[str] | None:
        if path not in read:
            read[path] = None if generated else _read_source(options.root, path)
        return read[path]

    return lines


def _read_source(root: Path, path: str) -> list[str] | None:
    relative = Path(path)
    if relative.is_absolute() or ".." in relative.parts or ".terraform" in relative.parts:
        return None
    try:
        return (root / relative).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None


def with_fixes(
    run: FixRun,
    ctx: WorkloadContext,
    exposure: Exposure,
    traits: list[Trait],
    open_reports: tuple[tuple[PathKey, PathReport], ...] | None = None,
) -> Exposure:
    """The exposure with every edit that changes it, measured on its traits that no inline
    suppression silences (all of them when every one is silenced, as its severity is).
    ``open_reports``: the candidate paths the first analysis found open (None: re-analyse all)."""
    from scanner.fixes.evaluate import workload_fixes

    active = [t for t in traits if run.active(t)] or traits
    return copy_with(exposure, fixes=workload_fixes(run, ctx, active, open_reports))


def exposure_of(
    configuration: Configuration,
    workload: Instance | AutoScalingGroup,
    traits: list[Trait],
    assume_worst: bool = False,
) -> Exposure | None:
    """Severity, path and fixes come from the traits no inline suppression silences (an
    accepted risk must not keep the workload critical); every trait stays in
    ``Exposure.traits`` so reports can show the suppressed ones. When all are suppressed the
    exposure keeps the severity of all of them, and the reports treat it as suppressed."""
    from scanner.exposure import build_exposure, trait_sort_key
    from scanner.suppressions import matching_suppression

    active = [
        t
        for t in traits
        if matching_suppression(configuration.suppressions, t.rule_id, t.workload, t.location.address) is None
    ]
    exposure = build_exposure(configuration.name, workload, active or traits, assume_worst)
    if exposure is None or not active or len(active) == len(traits):
        return exposure
    return replace(exposure, traits=tuple(sorted(traits, key=trait_sort_key)))


def unread_file_assumptions(configuration: Configuration, shown: int = 3) -> tuple[str, ...]:
    """The caveat of every finding of a configuration some of whose files failed to load:
    the missing part may hold the fix, or another exposure path. A caveat, not an
    assumption: what was read decides the verdict."""
    failures: dict[str, str] = {}
    for error in sorted(configuration.errors, key=lambda e: (e.file, e.line, e.message)):
        failures.setdefault(error.file, f"line {error.line}: {error.message}" if error.line else error.message)
    notes = [
        f"{file} could not be fully read ({failure}); this finding may be incomplete"
        for file, failure in list(failures.items())[:shown]
    ]
    if len(failures) > shown:
        notes.append(f"{len(failures) - shown} more files of this configuration had load errors")
    return tuple(notes)


def scan(
    paths: list[Path],
    options: ScanOptions,
    excludes: tuple[str, ...] = (),
    vulnerability_data: VulnerabilityData | None = None,
    progress: Progress | None = None,
    vulnerability_key: str | None = None,
    background_writes: bool = False,
) -> ScanResult:
    """Load, graph and analyse every configuration under ``paths``. A job whose inputs are
    unchanged since a scan with the same options is answered from the result cache;
    ``vulnerability_key`` names the content of ``vulnerability_data`` (without it, a scan
    with vulnerability data does not use that cache). ``background_writes``: new answers
    are written to the cache by forked writers (``ScanResult.cache_writers``), which the
    caller waits for (``result_cache.wait_for_writers``) once its report is out."""
    from scanner.result_cache import JobResult, ResultCache, summary

    started, started_cpu = time.perf_counter(), _cpu_seconds()
    jobs, errors, notices = discover_jobs(paths, options, excludes)
    usable = vulnerability_data is None or vulnerability_key is not None
    cache = ResultCache(options.cache_dir if usable else None, options, vulnerability_key or "", background_writes)
    answered: dict[int, JobResult | None] = {
        number: cache.lookup((job.kind, job.paths)) for number, job in enumerate(jobs)
    }
    missing = [number for number, found in answered.items() if found is None]
    loaded_jobs = run_load_jobs([jobs[n] for n in missing], options, progress)
    loaded, loaded_cpu = time.perf_counter(), _cpu_seconds()

    configurations: list[Configuration] = []
    fix_timings: dict[str, float] = {}
    result = ScanResult(root=options.root, errors=errors, notices=notices)
    for number, job_configurations in zip(missing, loaded_jobs, strict=True):
        job_exposures: list[Exposure] = []
        job_notices: list[str] = []
        job_paths: list[WorkloadPaths] = []
        for configuration in job_configurations:
            try:
                exposures, found_notices = analyse(configuration, options, vulnerability_data, fix_timings, job_paths)
            except Exception as error:  # an analysis bug must not lose the other configurations
                configuration.errors.append(
                    LoadError(configuration.name, 0, f"internal error while analysing: {error!r}")
                )
                continue
            job_exposures += exposures
            job_notices += found_notices
        configurations += job_configurations
        answer = JobResult(
            tuple(summary(c) for c in job_configurations), tuple(job_exposures), tuple(job_notices), tuple(job_paths)
        )
        cache.store((jobs[number].kind, jobs[number].paths), answer)
        answered[number] = answer
    reloaded = set(missing)
    for number in sorted(answered):
        stored = answered[number]
        assert stored is not None
        if number not in reloaded:  # the loaded ones are already there, in full
            configurations += stored.configurations
        result.exposures.extend(stored.exposures)
        result.workload_paths.extend(stored.workload_paths)
        result.notices.extend(n for n in stored.notices if n not in result.notices)
    result.cache_writers = cache.writers
    result.configurations = sorted(configurations, key=lambda c: c.name)
    result.exposures.sort(key=lambda e: (-e.rank, -int(e.possible_severity or 0), e.configuration, e.workload))
    # Wall seconds, and CPU seconds of this process and its finished workers (on a busy
    # machine the split to compare).
    result.timings = {
        "load": loaded - started,
        "analyse": time.perf_counter() - loaded,
        "load_cpu": loaded_cpu - started_cpu,
        "analyse_cpu": _cpu_seconds() - loaded_cpu,
        "fixes": fix_timings.get("fixes", 0.0),  # part of analyse: measuring each fix by re-analysis
        "jobs_from_result_cache": float(cache.hits),
    }
    return result
