#!/usr/bin/env python3
"""Snapshot iacscan's JSON and SARIF reports over a set of folders, and compare two snapshots.

A restructuring must not change what a user sees. This script writes, for each target
folder (each repository of ../shared/corpus and each fixture case under fixtures/), the
JSON and the SARIF report of one ``iacscan`` executable, and then compares two such
snapshots byte for byte. The rules' ``helpUri`` (and nothing else) may be ignored, for a
change that only adds it.

usage:
  python bench/compare_reports.py snapshot --iacscan PATH --out DIR [--corpus DIR] [--fixtures DIR]
  python bench/compare_reports.py diff DIR_A DIR_B [--ignore KEY ...]

Both snapshots must be taken from the same working folder (the SARIF report names the
scanned root as an absolute URI). ``diff`` exits 1 when a report differs or is missing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
DEFAULT_FIXTURES = REPO / "fixtures"


def targets(corpus: Path, fixtures: Path) -> list[Path]:
    """Each corpus repository and each fixture case (a folder two levels below fixtures/,
    or a category folder holding files directly)."""
    found: list[Path] = []
    if corpus.is_dir():
        found += sorted(p for p in corpus.iterdir() if p.is_dir())
    if fixtures.is_dir():
        for category in sorted(p for p in fixtures.iterdir() if p.is_dir()):
            cases = sorted(p for p in category.iterdir() if p.is_dir())
            found += cases if cases else [category]
    return found


def snapshot(iacscan: str, out: Path, folders: list[Path]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        name = f"{folder.parent.name}__{folder.name}"
        for fmt in ("json", "sarif"):
            target = out / f"{name}.{fmt}"
            done = subprocess.run(
                [
                    iacscan,
                    "scan",
                    str(folder),
                    "--format",
                    fmt,
                    "--output",
                    str(target),
                    "--no-cache",
                    "--fail-on",
                    "none",
                    "--jobs",
                    "1",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode not in (0, 1, 2):
                sys.stderr.write(f"{folder} ({fmt}): exit {done.returncode}\n{done.stderr[-2000:]}\n")
            if not target.exists():
                target.write_text(f"(no report: exit {done.returncode})\n{done.stderr[-2000:]}", encoding="utf-8")
        print(name, flush=True)


def _without(value: Any, ignored: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: _without(v, ignored) for k, v in value.items() if k not in ignored}
    if isinstance(value, list):
        return [_without(v, ignored) for v in value]
    return value


def diff(first: Path, second: Path, ignored: frozenset[str]) -> int:
    names = sorted({p.name for p in first.iterdir()} | {p.name for p in second.iterdir()})
    differing = 0
    for name in names:
        a, b = first / name, second / name
        if not a.exists() or not b.exists():
            print(f"missing in {'first' if not a.exists() else 'second'}: {name}")
            differing += 1
            continue
        text_a, text_b = a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")
        if text_a == text_b:
            continue
        if ignored:
            try:
                same = _without(json.loads(text_a), ignored) == _without(json.loads(text_b), ignored)
            except json.JSONDecodeError:
                same = False
            if same:
                continue
        print(f"differs: {name}")
        differing += 1
    print(f"{len(names)} reports compared, {differing} differ")
    return 1 if differing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = parser.add_subparsers(dest="verb", required=True)
    take = verbs.add_parser("snapshot")
    take.add_argument("--iacscan", required=True)
    take.add_argument("--out", type=Path, required=True)
    take.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    take.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    compare = verbs.add_parser("diff")
    compare.add_argument("first", type=Path)
    compare.add_argument("second", type=Path)
    compare.add_argument("--ignore", action="append", default=[], help="a JSON key to leave out (helpUri)")
    args = parser.parse_args()
    if args.verb == "snapshot":
        snapshot(args.iacscan, args.out, targets(args.corpus, args.fixtures))
        return 0
    return diff(args.first, args.second, frozenset(args.ignore))


if __name__ == "__main__":
    raise SystemExit(main())
