"""How the robustness tests tell "the scanner said the file was bad" from "the scanner hit a bug".

The pipeline never lets an exception escape: a loader or analysis bug becomes a
``LoadError`` on the configuration. Those caught bugs have recognisable messages; a test
that feeds hostile input must see clear per-file errors, never one of these.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from scanner.findings import ScanResult
from scanner.options import ScanOptions
from scanner.scan import scan
from tests.support.paths import REPO

CAUGHT_BUG = re.compile(
    r"internal error while (?:loading|analysing)"  # scan.run_load_job / scan.scan
    r"|loading failed in a worker process"
    r"|cannot load template: \w*(?:Error|Exception)\b"  # cloudformation.load_configuration's last defence
    r"|^cannot map \S+ \([\w:]+\): "  # cloudformation.to_configuration: a mapper bug
    r"|: cannot read this \w+: "  # adapters.terraform.map_resources: a mapper bug
)


def caught_bugs(result: ScanResult) -> list[str]:
    """Every error in ``result`` that is a caught exception rather than a verdict on the input."""
    return [str(error) for error in result.all_errors if CAUGHT_BUG.search(error.message)]


def scan_tree(root: Path, **options: object) -> ScanResult:
    """A full in-process scan of ``root`` (reports relative to it)."""
    return scan([root], ScanOptions(root=root, **options))  # type: ignore[arg-type]


def messages(result: ScanResult) -> str:
    """Every error and notice, one a line: what a user would read about unreadable input."""
    return "\n".join(
        [*(str(e) for e in result.all_errors), *result.notices, *(n for c in result.configurations for n in c.notices)]
    )


@dataclass(frozen=True)
class BoundedScan:
    """What a scan in a child process did within its time and memory allowance."""

    finished: bool  # False: killed at the time limit
    seconds: float
    peak_mb: float  # the child's peak resident memory (its own imports included)
    errors: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()
    caught: tuple[str, ...] = ()
    resources: int = 0
    crash: str = ""  # an exception that escaped scan(), or the child's stderr when it died


_CHILD = """
import json, resource, sys, traceback
from pathlib import Path
memory = int(sys.argv[2]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
from scanner.options import ScanOptions
from scanner.scan import scan
from tests.support.crash_check import caught_bugs
root = Path(sys.argv[1])
options = json.loads(sys.argv[3])
out = {}
try:
    result = scan([root], ScanOptions(root=root, **options))
    out = {"errors": [str(e) for e in result.all_errors],
           "notices": [*result.notices, *(n for c in result.configurations for n in c.notices)],
           "caught": caught_bugs(result), "resources": sum(len(c.resources) for c in result.configurations)}
except BaseException:
    out = {"crash": traceback.format_exc()}
# VmHWM is this program's own high-water mark; ru_maxrss keeps the forking parent's (Linux
# carries it across exec), so a large test process would be counted as the child's.
try:
    hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")]
    out["peak_mb"] = int(hwm[0].split()[1]) / 1024
except (OSError, IndexError, ValueError):
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def scan_bounded(root: Path, seconds: float = 60, memory_mb: int = 1536, **options: object) -> BoundedScan:
    """Scan ``root`` in a child process that is killed after ``seconds`` and cannot map more
    than ``memory_mb``: a hang or a memory blow-up fails the test instead of the test run.
    ``options``: JSON-serialisable ScanOptions fields."""
    project = REPO
    python_path = os.pathsep.join(filter(None, [str(project), os.environ.get("PYTHONPATH")]))
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(root), str(memory_mb), json.dumps(options)],
            capture_output=True,
            text=True,
            timeout=seconds,
            cwd=project,
            env={**os.environ, "PYTHONPATH": python_path},
        )
    except subprocess.TimeoutExpired:
        return BoundedScan(finished=False, seconds=time.monotonic() - started, peak_mb=0.0)
    elapsed = time.monotonic() - started
    try:
        report = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return BoundedScan(finished=True, seconds=elapsed, peak_mb=0.0, crash=done.stderr[-3000:] or "no output")
    return BoundedScan(
        finished=True,
        seconds=elapsed,
        peak_mb=report["peak_mb"],
        errors=tuple(report.get("errors", ())),
        notices=tuple(report.get("notices", ())),
        caught=tuple(report.get("caught", ())),
        resources=report.get("resources", 0),
        crash=report.get("crash", ""),
    )
