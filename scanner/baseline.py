"""Baselines: accept today's findings so an old repository can adopt iacscan, and see only
what is new from then on.

A baseline file records fingerprints (see ``reports.sarif.fingerprint``): hashes of the rule,
configuration, workload and the resource the finding points at, never line numbers, so
moving lines or reformatting does not make an old finding new.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from scanner.findings import ScanResult
from scanner.fingerprints import fingerprint, possible_fingerprint
from scanner.frozen import frozen

BASELINE_VERSION = 1


def fingerprints_of(result: ScanResult) -> set[str]:
    found: set[str] = set()
    for exposure in result.exposures:
        found.add(fingerprint(exposure))
        if exposure.possible_severity is not None:
            found.add(possible_fingerprint(exposure))
        found.update(fingerprint(trait, exposure.configuration) for trait in exposure.traits)
    return found


def write_baseline_file(path: Path, result: ScanResult) -> None:
    document = {"tool": "iacscan", "version": BASELINE_VERSION, "fingerprints": sorted(fingerprints_of(result))}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def read_baseline(path: Path) -> set[str]:
    """The fingerprints of a baseline file; ValueError naming the file when it is not one."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot read baseline: {error}") from error
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}:{error.lineno}: baseline is not JSON: {error.msg}") from error
    prints = document.get("fingerprints") if isinstance(document, dict) else None
    if not isinstance(prints, list) or not all(isinstance(p, str) for p in prints):
        raise ValueError(f"{path}: not an iacscan baseline (no list of fingerprints)")
    return set(prints)


@frozen
class Hidden:
    """What a baseline hid from the text and JSON reports: ``exposures`` whose fingerprint
    and every trait's are in it (left out whole), and ``traits`` of the exposures still shown
    (new, or with a new trait) whose fingerprints are in it."""

    exposures: int = 0
    traits: int = 0


def only_new(result: ScanResult, known: set[str]) -> ScanResult:
    """The scan as the text and JSON reports show it under a baseline: exposures that are
    new, or that gained a new trait, with only their new traits."""
    return split_by_baseline(result, known)[0]


def split_by_baseline(result: ScanResult, known: set[str]) -> tuple[ScanResult, Hidden]:
    """``only_new`` and what it hid."""
    kept = []
    hidden_traits = 0
    for exposure in result.exposures:
        new_traits = tuple(t for t in exposure.traits if fingerprint(t, exposure.configuration) not in known)
        if new_traits or fingerprint(exposure) not in known:
            kept.append(replace(exposure, traits=new_traits or exposure.traits))
            if new_traits:
                hidden_traits += len(exposure.traits) - len(new_traits)
    return replace(result, exposures=kept), Hidden(len(result.exposures) - len(kept), hidden_traits)
