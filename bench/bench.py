#!/usr/bin/env python3
"""Benchmark iacscan on synthetic estates (and, when installed, Checkov on the same input).

usage: python bench/bench.py [--sizes 1000,2000,5000,10000] [--cfn] [--checkov PATH-TO-checkov]
                             [--checkov-sizes 2000] [--corpus-module DIR] [--precommit-size 2000]
                             [--workdir bench/out]

For each size it writes a Terraform estate with ../shared/bench/gen_tf.py (CloudFormation
with gen_cfn.py when --cfn), then runs `iacscan scan` twice with a fresh cache folder:
cold (empty caches) and warm (the same scan again: answered by the result cache), and prints
wall time, CPU time (user + system, worker processes included), peak RSS of the largest
process, iacscan's own split (from --timings: load = read + parse + evaluate, analyse =
model/graph/analyses, report) and the CPU time of parsing the .tf files alone, so the share
of everything after parsing in the cold scan (cold_after_parse_share). With
--checkov it runs Checkov on the same input in the same run (on the sizes of
--checkov-sizes and the corpus folders: Checkov needs minutes per thousand instances) and
prints the ratios. Then a pre-commit run: one file of the --precommit-size estate is
edited and `iacscan scan FILE` (the hook's command, text output) runs with a warm cache
(three edits, the median run reported), then once more with the file unchanged.
Times on a shared machine are noisy: compare ratios and CPU times.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED_BENCH = HERE.parent.parent / "shared" / "bench"


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and the workers it waited for
    rss_mb: float  # peak resident set of the largest of them
    stderr: str


def run(command: list[str], env: dict[str, str] | None = None) -> Run:
    """Run one command; its own resource usage (wait4), not that of earlier children."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if process.returncode not in (0, 1):
        sys.stderr.write(stderr[-2000:])
        raise SystemExit(f"command failed ({process.returncode}): {' '.join(command)}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, stderr)


def timings_from(stderr: str) -> dict[str, float]:
    for line in stderr.splitlines():
        if line.startswith("iacscan-timings "):
            return dict(json.loads(line.split(" ", 1)[1]))
    return {}


def iacscan(target: Path, cache: Path, *extra: str) -> tuple[Run, dict[str, float]]:
    command = [
        sys.executable,
        "-m",
        "scanner",
        "scan",
        str(target),
        "--format",
        "json",
        "--output",
        os.devnull,
        "--fail-on",
        "none",
        "--cache-dir",
        str(cache),
        "--timings",
        *extra,
    ]
    done = run(command)
    timings = timings_from(done.stderr)
    if not timings:  # exit 1 also means "python: No module named scanner": not a measurement
        sys.stderr.write(done.stderr[-2000:])
        raise SystemExit(f"iacscan printed no timings: {' '.join(command)}")
    return done, timings


PARSE_ONLY = """
import sys
from pathlib import Path
from scanner.loaders.terraform.hcl import parse_hcl
for path in sorted(Path(sys.argv[1]).rglob("*.tf")):
    parse_hcl(path.read_text(encoding="utf-8"))
"""


def parse_only(target: Path) -> Run:
    return run([sys.executable, "-c", PARSE_ONLY, str(target)])


def checkov(executable: str, target: Path) -> Run:
    # JSON to stdout (discarded); --skip-download: offline, like iacscan.
    return run(
        [
            executable,
            "-d",
            str(target),
            "--framework",
            "terraform",
            "cloudformation",
            "--quiet",
            "--compact",
            "-o",
            "json",
            "--skip-download",
        ]
    )


def generate(kind: str, size: int, workdir: Path) -> Path:
    target = workdir / f"{kind}-{size}"
    if not target.exists():
        script = SHARED_BENCH / ("gen_tf.py" if kind == "tf" else "gen_cfn.py")
        subprocess.run(
            [sys.executable, str(script), str(target), "--instances", str(size)], check=True, capture_output=True
        )
    return target


def report(label: str, target: Path, workdir: Path, checkov_bin: str | None) -> dict[str, object]:
    cache = workdir / f"cache-{label}"
    shutil.rmtree(cache, ignore_errors=True)
    cold, cold_t = iacscan(target, cache)
    warm, warm_t = iacscan(target, cache)
    row: dict[str, object] = {
        "input": label,
        "cold_s": round(cold.wall, 2),
        "warm_s": round(warm.wall, 2),
        "cold_cpu_s": round(cold.cpu, 2),
        "warm_cpu_s": round(warm.cpu, 2),
        "peak_rss_mb": round(max(cold.rss_mb, warm.rss_mb)),
    }
    for name, timings in (("cold", cold_t), ("warm", warm_t)):
        after = timings.get("analyse", 0.0) + timings.get("report", 0.0)
        row[f"{name}_load_s"] = round(timings.get("load", 0.0), 2)
        row[f"{name}_after_load_s"] = round(after, 2)
        row[f"{name}_after_load_share"] = round(after / max(timings.get("load", 0.0) + after, 1e-9), 3)
        # The same split in CPU seconds of the main process (parse workers not counted).
        after_cpu = timings.get("analyse_cpu", 0.0) + timings.get("report_cpu", 0.0)
        row[f"{name}_cpu_split"] = {
            "load": round(timings.get("load_cpu", 0.0), 2),
            "after_load": round(after_cpu, 2),
            "after_load_share": round(after_cpu / max(timings.get("load_cpu", 0.0) + after_cpu, 1e-9), 3),
        }
    # The split: parsing alone (the .tf files through the parser, one process, no
    # cache) against everything else of the cold scan's CPU seconds.
    parse = parse_only(target)
    row["parse_only_cpu_s"] = round(parse.cpu, 2)
    row["cold_after_parse_share"] = round(max(cold.cpu - parse.cpu, 0.0) / max(cold.cpu, 1e-9), 3)
    if checkov_bin:
        other = checkov(checkov_bin, target)
        row["checkov_s"] = round(other.wall, 1)
        row["checkov_cpu_s"] = round(other.cpu, 1)
        row["checkov_rss_mb"] = round(other.rss_mb)
        row["cold_ratio"] = round(cold.wall / other.wall, 3)
        row["warm_ratio"] = round(warm.wall / other.wall, 3)
    print(json.dumps(row), flush=True)
    return row


def precommit(size: int, workdir: Path) -> dict[str, object]:
    """The hook's run after editing one file of a large repository: the cache is warm from
    an earlier scan, the edited file misses, its whole root module is scanned (text report)."""
    repo = workdir / f"precommit-{size}"
    shutil.rmtree(repo, ignore_errors=True)
    shutil.copytree(generate("tf", size, workdir), repo)
    cache = workdir / f"cache-precommit-{size}"
    shutil.rmtree(cache, ignore_errors=True)
    iacscan(repo, cache)  # an earlier full scan warms the cache
    edited = sorted(repo.glob("compute_*.tf"))[0]
    command = [
        sys.executable,
        "-m",
        "scanner",
        "scan",
        str(edited),
        "--fail-on",
        "none",
        "--cache-dir",
        str(cache),
        "--timings",
    ]
    runs: list[Run] = []
    for attempt in range(3):  # three edits, three hook runs: the median is reported (shared machines are noisy)
        edited.write_text(
            edited.read_text().replace('"t3.micro"', '"t3.small"', 1) + f"\n# edit {attempt} before commit\n"
        )
        runs.append(run(command))
    runs.sort(key=lambda r: r.wall)
    done = runs[1]
    row: dict[str, object] = {
        "input": f"precommit-{size}",
        "edited": edited.name,
        "warm_s": round(done.wall, 2),
        "warm_cpu_s": round(done.cpu, 2),
        "peak_rss_mb": round(done.rss_mb),
        "all_runs_s": [round(r.wall, 2) for r in runs],
        "timings": timings_from(done.stderr),
    }
    # The same hook run when the edited file is unchanged since the last scan (its result is cached).
    again = run(command)
    row["unchanged_s"] = round(again.wall, 2)
    row["unchanged_cpu_s"] = round(again.cpu, 2)
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,2000,5000,10000")
    parser.add_argument("--cfn", action="store_true", help="also CloudFormation estates")
    parser.add_argument("--checkov", help="path to a checkov executable (in its own virtualenv)")
    parser.add_argument("--checkov-sizes", default="2000", help="sizes Checkov also scans ('all': every size)")
    parser.add_argument("--precommit-size", type=int, default=2000, help="0: no pre-commit measurement")
    parser.add_argument("--corpus-module", action="append", default=[], help="a real folder to time as well")
    parser.add_argument("--workdir", default=str(HERE / "out"))
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    print(
        f"# machine: {os.cpu_count()} CPUs, {cpu_model()}, {memory_gb():.0f} GB, python {sys.version.split()[0]}, "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    for size in (int(s) for s in args.sizes.split(",") if s):
        checkov_here = (
            args.checkov if args.checkov_sizes == "all" or str(size) in args.checkov_sizes.split(",") else None
        )
        report(f"tf-{size}", generate("tf", size, workdir), workdir, checkov_here)
        if args.cfn:
            report(f"cfn-{size}", generate("cfn", size, workdir), workdir, checkov_here)
    for folder in args.corpus_module:
        report(Path(folder).name, Path(folder), workdir, args.checkov)
    if args.precommit_size:
        precommit(args.precommit_size, workdir)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def memory_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        return 0.0


if __name__ == "__main__":
    main()
