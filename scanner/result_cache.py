"""Whole results of a load job, so a second scan of an unchanged repository costs little
more than hashing its files.

A load job (one Terraform root module, plan, CDK app, or the CloudFormation templates
together) is loaded, graphed and analysed as a unit; its exposures depend on nothing but
the files it read and what the scan was told. So an entry is found by the question (tool
version, the job, every option that changes a result) and is used only while its answer
still holds: it records the SHA-256 of every file its configurations read
(``Configuration.files``: templates, ``.tf`` and ``.tfvars`` files, child modules,
``file()`` targets, ``modules.json``) or that an error names, whether each module folder
looked for exists, and the names in each folder holding them, so a new ``.tf`` file, a
downloaded module, a fixed syntax error or a deleted file also invalidates it.

Entries live under ``<cache dir>/results``, are written atomically like parse entries, and
one that cannot be read is ignored and rewritten. Vulnerability data is part of the key
by the content of its files (``vulnerability_key``); a scan given such data without a key
does not use this cache.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from scanner.cache import code_fingerprint
from scanner.findings import Configuration, Exposure, WorkloadPaths
from scanner.forked_parts import can_fork
from scanner.frozen import frozen
from scanner.options import ScanOptions

FORMAT = "result-3"
# display path -> what it was: ("file", SHA-256 of its bytes), ("folder", its sorted entry
# names) or ("absent",)
Inputs = dict[str, tuple[str, ...]]


@frozen
class JobResult:
    """What one load job contributes to a scan. Configurations are summaries: their
    resources are dropped (reports need only the count)."""

    configurations: tuple[Configuration, ...]
    exposures: tuple[Exposure, ...]
    notices: tuple[str, ...]
    workload_paths: tuple[WorkloadPaths, ...] = ()


def summary(configuration: Configuration) -> Configuration:
    return replace(
        configuration,
        resources=[],
        resource_count=configuration.resource_total,
        not_analysed_count=configuration.not_analysed(),
    )


def request_key(options: ScanOptions) -> str:
    """Every option that can change a job's result; var files by content, since they are
    read outside any configuration."""
    digest = hashlib.sha256()
    fields = (
        FORMAT,
        code_fingerprint(),
        str(options.root.resolve()),
        sorted(options.variables.items()),
        sorted(options.parameters.items()),
        sorted(options.authorized_ports),
        str(options.plan_source) if options.plan_source else "",
        options.max_file_bytes,
        sorted(options.skip_rules),
        options.assume_worst,
        options.max_instances,
        [(prefix, str(folder)) for prefix, folder in options.template_urls],
        options.criticality,
    )
    digest.update(repr(fields).encode())
    for path in options.var_files:
        digest.update(f"\0var-file {path}\0".encode())
        digest.update((_digest_of(path) or "unreadable").encode())
    return digest.hexdigest()


def fingerprint_of_files(paths: Iterable[Path], *extra: object) -> str:
    """A key for inputs given outside any configuration (vulnerability data): the content
    of each file, every file of each folder."""
    digest = hashlib.sha256(repr(extra).encode())
    for path in sorted(paths, key=str):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(f"\0{file}\0{_digest_of(file) or 'unreadable'}".encode())
    return digest.hexdigest()


def _digest_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _state(path: Path) -> tuple[str, ...]:
    try:
        if path.is_dir():
            return ("folder", *sorted(os.listdir(path)))
        if path.is_file():
            return ("file", _digest_of(path) or "unreadable")
    except OSError:
        return ("unreadable",)
    return ("absent",)


# Answers about fewer workloads than this are written at once: they take milliseconds, and
# a small scan (a pre-commit hook's) starts no process.
BACKGROUND_FROM = 300


class ResultCache:
    """``directory`` None disables it (``--no-cache``)."""

    def __init__(
        self, directory: Path | None, options: ScanOptions, vulnerability_key: str = "", background: bool = False
    ) -> None:
        self.directory = directory / "results" if directory is not None else None
        self.options = options
        self.root = options.root
        self.request = request_key(options) + vulnerability_key
        self.hits = 0
        self.misses = 0
        # ``background``: each answer is written by a forked writer while the scan goes on
        # (its report); ``writers`` are their process ids, for ``wait_for_writers``.
        self.background = background
        self.writers: list[int] = []

    def _entry(self, job: tuple[str, tuple[Path, ...]]) -> Path:
        assert self.directory is not None
        digest = hashlib.sha256(f"{self.request}\0{job[0]}\0".encode())
        for path in job[1]:
            digest.update(f"{path.resolve()}\0".encode())
        key = digest.hexdigest()
        return self.directory / key[:2] / f"{key}.result"

    def lookup(self, job: tuple[str, tuple[Path, ...]]) -> JobResult | None:
        """The stored result of ``job`` (kind, paths) if every input it read is unchanged.
        An entry is two pickles: the inputs, checked first, then the result, read only when
        they hold (a changed file must not cost reading a large stale answer)."""
        if self.directory is None:
            return None
        found = self._read(self._entry(job))
        self.hits += found is not None
        self.misses += found is None
        return found

    def store(self, job: tuple[str, tuple[Path, ...]], result: JobResult) -> None:
        if self.directory is None or _failed_internally(result):
            return
        entry, header = self._entry(job), (FORMAT, self._inputs(result))
        if self.background and len(result.workload_paths) >= BACKGROUND_FROM and can_fork():
            # Pickling a large answer took a second of a cold 10,000-instance scan: a fork
            # of the scan writes it (the answer is already in its memory, nothing is copied)
            # while the scan writes its report. The entry appears whole or not at all.
            sys.stdout.flush()
            sys.stderr.flush()
            try:
                pid = os.fork()
            except OSError:
                pid = -1
            if pid == 0:
                code = 1
                try:
                    self._write(entry, header, result)
                    code = 0
                finally:
                    os._exit(code)
            if pid > 0:
                self.writers.append(pid)
                return
        self._write(entry, header, result)

    def _inputs(self, result: JobResult) -> Inputs:
        """What the answer rests on: each file read, each file an error names (fixing it
        changes the answer), each module folder looked for, and the entries of every folder
        holding one of them (a new .tf file, a deleted one)."""
        paths: set[str] = set()
        for configuration in result.configurations:
            paths.update(configuration.files)
            paths.update(configuration.watched)
            paths.update(e.file for e in configuration.errors if e.file)
        inputs: Inputs = {}
        for shown in sorted(paths):
            path = self.root / shown
            if not self.options.inside_root(path):
                continue
            inputs[shown] = _state(path)
            parent = path.parent
            if self.options.inside_root(parent):
                inputs.setdefault(self.options.display_path(parent), _state(parent))
        return inputs

    def _read(self, entry: Path) -> JobResult | None:
        collecting = gc.isenabled()
        gc.disable()  # thousands of objects at once: collecting meanwhile is wasted work
        try:
            with entry.open("rb") as handle:
                header = pickle.load(handle)
                if (
                    not isinstance(header, tuple)
                    or len(header) != 2
                    or header[0] != FORMAT
                    or not isinstance(header[1], dict)
                    or not header[1]
                ):
                    return None
                if any(_state(self.root / shown) != was for shown, was in header[1].items()):
                    return None
                result = pickle.load(handle)
        except Exception:  # absent, damaged or foreign: a miss, rewritten after the scan
            return None
        finally:
            if collecting:
                gc.enable()
        return result if isinstance(result, JobResult) else None

    def _write(self, entry: Path, header: object, result: JobResult) -> None:
        collecting = gc.isenabled()
        gc.disable()  # pickling a large answer next to a large live heap: the collector cost 10x the pickling
        try:
            self._write_entry(entry, header, result)
        finally:
            if collecting:
                gc.enable()

    def _write_entry(self, entry: Path, header: object, result: JobResult) -> None:
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".result")
            try:
                with os.fdopen(handle, "wb") as out:
                    pickle.dump(header, out, protocol=pickle.HIGHEST_PROTOCOL)
                    pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, entry)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
            return  # a read-only or full cache folder must not fail the scan


def _failed_internally(result: JobResult) -> bool:
    """A result iacscan itself failed on is not kept: the next run should try again."""
    return any(e.message.startswith("internal error") for c in result.configurations for e in c.errors)


def wait_for_writers(writers: list[int]) -> None:
    """Every background writer finished: a scan run again at once finds what they wrote."""
    for pid in writers:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    writers.clear()
