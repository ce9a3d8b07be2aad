"""The JSON report's exposures rendered by several processes are the same bytes as one
process renders (``json_report.write_json``'s ``workers``)."""

from __future__ import annotations

import io

import pytest

from scanner.forked_parts import can_fork
from scanner.options import ScanOptions
from scanner.reports import json_report
from scanner.scan import scan
from tests.support.paths import FIXTURES, REPO


@pytest.mark.skipif(not can_fork(), reason="rendering in parts forks workers (Linux)")
def test_exposures_rendered_in_forked_parts_are_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan([FIXTURES / "fixes", FIXTURES / "reachability"], ScanOptions(root=REPO))
    assert len(result.exposures) > 20
    one = io.StringIO()
    json_report.write_json(result, one.write, workers=1)
    monkeypatch.setattr(json_report, "PARALLEL_EXPOSURES", 2)
    monkeypatch.setattr(json_report, "_EXPOSURES_PER_PART", 3)
    several = io.StringIO()
    json_report.write_json(result, several.write, workers=2)
    assert several.getvalue() == one.getvalue()
    assert one.getvalue() == json_report.render_json(result)
