"""The corpus gate: every configuration of the shared corpus of real public Terraform and
CloudFormation goes through the whole pipeline (loaders, graph, analyses, exposures and
every report) without a traceback, escaped or caught."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from rich.console import Console

from scanner.options import ScanOptions
from scanner.reports.json_report import render_json
from scanner.reports.sarif import render_sarif
from scanner.reports.text import render_text
from scanner.scan import scan
from tests.support.crash_check import caught_bugs


def test_every_corpus_configuration_scans_without_a_traceback(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    result = scan([corpus], ScanOptions(root=corpus))
    seconds = time.perf_counter() - started
    render_json(result)
    render_sarif(result)
    render_text(result, Console(file=io.StringIO(), width=120))
    with capsys.disabled():
        print(
            f"\ncorpus gate: {len(result.configurations)} configurations, {len(result.exposures)} exposures, "
            f"{len(result.all_errors)} load errors, {seconds:.1f} s"
        )
    assert len(result.configurations) > 500, "the corpus was found and walked"
    bugs = caught_bugs(result)
    assert bugs == [], f"{len(bugs)} tracebacks:\n" + "\n".join(bugs[:30])
