"""Whole results of a load job, so a second scan of an unchanged repository costs little
more than hashing its files.

A load job (one Terraform root module, plan, CDK app, or the CloudFormation templates
together) is loaded, graphed and analysed as a unit; its exposures depend on nothing but
the files it read and what the scan was told. So an entry is found by the question (tool
version, the job, every option that changes a result) and is used only while its answer
still holds: it records the SHA-256 of every file its configurations read
(``Configuration.files``: templates, ``.tf`` and ``.tfvars`` files, child modules,
``file()`` targets, ``modules.json``) and the names in each folder those files sit in, so
a new ``.tf`` file, a downloaded module or a deleted file also invalidates it.

Entries live under ``<cache dir>/results``, are written atomically like parse entries, and
one that cannot be read is ignored and rewritten. Scans given vulnerability data do not
use this cache (that data is not part of the key).
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from scanner import __version__
from scanner.model import Configuration
from scanner.options import ScanOptions
from scanner.traits import Exposure

FORMAT = "result-1"
FileDigests = dict[str, str | None]  # display path -> SHA-256 of its bytes; None: could not be read
FolderListings = dict[str, tuple[str, ...]]  # folder (display path) -> sorted entry names


@dataclass(frozen=True)
class JobResult:
    """What one load job contributes to a scan. Configurations are summaries: their
    resources are dropped (reports need only the count)."""

    configurations: tuple[Configuration, ...]
    exposures: tuple[Exposure, ...]
    notices: tuple[str, ...]


def summary(configuration: Configuration) -> Configuration:
    return replace(configuration, resources=[], resource_count=configuration.resource_total)


def request_key(options: ScanOptions) -> str:
    """Every option that can change a job's result; var files by content, since they are
    read outside any configuration."""
    digest = hashlib.sha256()
    fields = (FORMAT, __version__, str(options.root.resolve()), sorted(options.variables.items()),
              sorted(options.parameters.items()), sorted(options.authorized_ports),
              str(options.plan_source) if options.plan_source else "", options.max_file_bytes,
              sorted(options.skip_rules))
    digest.update(repr(fields).encode())
    for path in options.var_files:
        digest.update(f"\0var-file {path}\0".encode())
        digest.update((_digest_of(path) or "unreadable").encode())
    return digest.hexdigest()


def _digest_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _listing(folder: Path) -> tuple[str, ...]:
    try:
        return tuple(sorted(os.listdir(folder)))
    except OSError:
        return ()


class ResultCache:
    """``directory`` None disables it (``--no-cache``)."""

    def __init__(self, directory: Path | None, options: ScanOptions) -> None:
        self.directory = directory / "results" if directory is not None else None
        self.root = options.root
        self.request = request_key(options)
        self.hits = 0
        self.misses = 0

    def _entry(self, job: tuple[str, tuple[Path, ...]]) -> Path:
        assert self.directory is not None
        digest = hashlib.sha256(f"{self.request}\0{job[0]}\0".encode())
        for path in job[1]:
            digest.update(f"{path.resolve()}\0".encode())
        key = digest.hexdigest()
        return self.directory / key[:2] / f"{key}.result"

    def lookup(self, job: tuple[str, tuple[Path, ...]]) -> JobResult | None:
        """The stored result of ``job`` (kind, paths) if every input it read is unchanged."""
        if self.directory is None:
            return None
        stored = self._read(self._entry(job))
        if stored is None or not self._still_valid(stored[0], stored[1]):
            self.misses += 1
            return None
        self.hits += 1
        return stored[2]

    def store(self, job: tuple[str, tuple[Path, ...]], result: JobResult) -> None:
        if self.directory is None or _failed_internally(result):
            return
        files = sorted({f for c in result.configurations for f in c.files})
        digests: FileDigests = {f: _digest_of(self.root / f) for f in files}
        folders = sorted({(self.root / f).parent for f in files})
        listings: FolderListings = {str(folder): _listing(folder) for folder in folders}
        self._write(self._entry(job), (FORMAT, digests, listings, result))

    def _still_valid(self, digests: FileDigests, listings: FolderListings) -> bool:
        if not digests:  # nothing recorded as read: nothing to prove the answer still holds
            return False
        if any(_listing(Path(folder)) != names for folder, names in listings.items()):
            return False
        return all(_digest_of(self.root / file) == digest for file, digest in digests.items())

    def _read(self, entry: Path) -> tuple[FileDigests, FolderListings, JobResult] | None:
        collecting = gc.isenabled()
        gc.disable()  # thousands of objects at once: collecting meanwhile is wasted work
        try:
            with entry.open("rb") as handle:
                stored = pickle.load(handle)
        except Exception:  # absent, damaged or foreign: a miss, rewritten after the scan
            return None
        finally:
            if collecting:
                gc.enable()
        if (not isinstance(stored, tuple) or len(stored) != 4 or stored[0] != FORMAT
                or not isinstance(stored[3], JobResult)):
            return None
        return stored[1], stored[2], stored[3]

    def _write(self, entry: Path, value: object) -> None:
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".result")
            try:
                with os.fdopen(handle, "wb") as out:
                    pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, entry)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
            return  # a read-only or full cache folder must not fail the scan


def _failed_internally(result: JobResult) -> bool:
    """A result iacscan itself failed on is not kept: the next run should try again."""
    return any(e.message.startswith("internal error") for c in result.configurations for e in c.errors)
