#!/usr/bin/env python3
"""Benchmark iacscan on synthetic estates (and, when installed, Checkov on the same input).

usage: python bench/bench.py [--sizes 1000,5000,10000] [--cfn] [--checkov PATH-TO-checkov]
                             [--corpus-module DIR] [--workdir bench/out]

For each size it writes a Terraform estate with ../shared/bench/gen_tf.py (CloudFormation
with gen_cfn.py when --cfn), then runs `iacscan scan` twice with a fresh cache folder:
cold (empty cache) and warm (second run), and prints wall time, peak RSS and iacscan's own
parse / analysis split (from --timings). With --checkov it runs Checkov on the same input
in the same run and prints the ratio. Times on a shared machine are noisy: compare ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED_BENCH = HERE.parent.parent / "shared" / "bench"


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS of the child in MB, stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stderr[-2000:])
        raise SystemExit(f"command failed ({done.returncode}): {' '.join(command)}")
    # ru_maxrss of children is the max over all children so far: report it only when it grew.
    return wall, max(peak, before) / 1024.0, done.stderr


def timings_from(stderr: str) -> dict[str, float]:
    for line in stderr.splitlines():
        if line.startswith("iacscan-timings "):
            return dict(json.loads(line.split(" ", 1)[1]))
    return {}


def iacscan(target: Path, cache: Path) -> tuple[float, float, dict[str, float]]:
    command = [sys.executable, "-m", "scanner", "scan", str(target), "--format", "json", "--output", os.devnull,
               "--fail-on", "none", "--cache-dir", str(cache), "--timings"]
    wall, rss, stderr = run(command)
    return wall, rss, timings_from(stderr)


def checkov(executable: str, target: Path) -> float:
    wall, _rss, _ = run([executable, "-d", str(target), "--framework", "terraform", "cloudformation",
                         "--quiet", "--compact", "-o", "json", "--output-file-path", os.devnull])
    return wall


def generate(kind: str, size: int, workdir: Path) -> Path:
    target = workdir / f"{kind}-{size}"
    if not target.exists():
        script = SHARED_BENCH / ("gen_tf.py" if kind == "tf" else "gen_cfn.py")
        subprocess.run([sys.executable, str(script), str(target), "--instances", str(size)], check=True,
                       capture_output=True)
    return target


def report(label: str, target: Path, workdir: Path, checkov_bin: str | None) -> dict[str, object]:
    cache = workdir / f"cache-{label}"
    shutil.rmtree(cache, ignore_errors=True)
    cold, cold_rss, cold_t = iacscan(target, cache)
    warm, warm_rss, warm_t = iacscan(target, cache)
    row: dict[str, object] = {
        "input": label, "cold_s": round(cold, 2), "warm_s": round(warm, 2), "peak_rss_mb": round(max(cold_rss, warm_rss)),
        "cold_parse_s": round(cold_t.get("load", 0.0), 2), "cold_after_parse_s": round(cold_t.get("analyse", 0.0), 2),
        "warm_parse_s": round(warm_t.get("load", 0.0), 2), "warm_after_parse_s": round(warm_t.get("analyse", 0.0), 2),
    }
    if checkov_bin:
        seconds = checkov(checkov_bin, target)
        row["checkov_s"] = round(seconds, 1)
        row["cold_ratio"] = round(cold / seconds, 3)
        row["warm_ratio"] = round(warm / seconds, 3)
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--cfn", action="store_true", help="also CloudFormation estates")
    parser.add_argument("--checkov", help="path to a checkov executable (in its own virtualenv)")
    parser.add_argument("--corpus-module", action="append", default=[], help="a real folder to time as well")
    parser.add_argument("--workdir", default=str(HERE / "out"))
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"# machine: {os.cpu_count()} CPUs, python {sys.version.split()[0]}", flush=True)
    for size in (int(s) for s in args.sizes.split(",") if s):
        report(f"tf-{size}", generate("tf", size, workdir), workdir, args.checkov)
        if args.cfn:
            report(f"cfn-{size}", generate("cfn", size, workdir), workdir, args.checkov)
    for folder in args.corpus_module:
        report(Path(folder).name, Path(folder), workdir, args.checkov)


if __name__ == "__main__":
    main()
