"""GitHub code scanning refuses SARIF over 10 MB gzipped (and runs over 25,000 results):
the writer leaves out the least severe results until the log fits, and says so."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from scanner.reports import sarif
from scanner.reports.sarif import render_sarif
from tests.support.reports_sample import sample_result

RANK = {"error": 3, "warning": 2, "note": 1}


def gzipped_size(text: str) -> int:
    return len(gzip.compress(text.encode("utf-8")))


def run_of(text: str) -> dict[str, Any]:
    run: dict[str, Any] = json.loads(text)["runs"][0]
    return run


def test_github_limits_are_the_documented_ones() -> None:
    assert sarif.MAX_RESULTS == 25_000
    assert sarif.MAX_GZIPPED_BYTES == 10 * 1024 * 1024


def test_log_over_the_gzipped_limit_keeps_the_most_severe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scan = sample_result(tmp_path)
    full = render_sarif(scan)
    everything = run_of(full)["results"]
    limit = gzipped_size(full) * 9 // 10
    monkeypatch.setattr(sarif, "MAX_GZIPPED_BYTES", limit)

    text = render_sarif(scan)
    assert gzipped_size(text) <= limit
    run = run_of(text)
    kept = run["results"]
    assert 0 < len(kept) < len(everything)
    kept_prints = {r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in kept}
    dropped = [r for r in everything if r["partialFingerprints"][sarif.FINGERPRINT_KEY] not in kept_prints]
    assert min(RANK[r["level"]] for r in kept) >= max(RANK[r["level"]] for r in dropped)
    notes = run["invocations"][0]["toolExecutionNotifications"]
    warning = next(n for n in notes if n.get("descriptor", {}).get("id") == "iacscan-results-truncated")
    assert warning["level"] == "warning"
    assert f"{len(dropped)} results" in warning["message"]["text"] and "gzipped" in warning["message"]["text"]


def test_log_under_the_limits_is_untouched(tmp_path: Path) -> None:
    scan = sample_result(tmp_path)
    text = render_sarif(scan)
    assert gzipped_size(text) < sarif.MAX_GZIPPED_BYTES
    notes = run_of(text)["invocations"][0].get("toolExecutionNotifications", [])
    assert not any(n.get("descriptor", {}).get("id") == "iacscan-results-truncated" for n in notes)
