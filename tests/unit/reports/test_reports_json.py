"""The JSON report follows its published schema and says what the scan found."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scanner.findings import LoadError, ScanResult
from scanner.reports.json_report import SCHEMA_VERSION, render_json, write_json
from scanner.reports.sarif import fingerprint, render_sarif
from tests.support.paths import REPO
from tests.support.reports_sample import FILES, sample_result

SCHEMA_PATH = REPO / "scanner" / "schemas" / "report.schema.json"


@pytest.fixture
def scan(tmp_path: Path) -> ScanResult:
    return sample_result(tmp_path)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


def test_report_matches_schema(scan: ScanResult, schema: dict[str, Any]) -> None:
    report = json.loads(render_json(scan))
    jsonschema.Draft202012Validator(schema).validate(report)
    # 2.0: severity from the traits that hold (null when none does), possible severities and unknowns
    assert report["schema_version"] == SCHEMA_VERSION == "2.3"


def test_warnings_are_listed_apart_from_errors(scan: ScanResult, schema: dict[str, Any]) -> None:
    stack = next(c for c in scan.configurations if c.kind == "cloudformation")
    stack.warnings.append(LoadError("stack/template.yaml", 7, "key 'CidrIp' repeats the one on line 6"))
    report = json.loads(render_json(scan))
    jsonschema.Draft202012Validator(schema).validate(report)
    assert report["warnings"] == [
        {"file": "stack/template.yaml", "line": 7, "message": "key 'CidrIp' repeats the one on line 6"}
    ]
    assert all(e["file"] != "stack/template.yaml" for e in report["errors"])
    assert report["summary"]["unreadable_files"] == 2  # a warning is no unread file


def test_empty_scan_matches_schema(tmp_path: Path, schema: dict[str, Any]) -> None:
    report = json.loads(render_json(ScanResult(root=tmp_path)))
    jsonschema.Draft202012Validator(schema).validate(report)
    assert report["summary"]["exposures"] == 0 and report["exposures"] == []


def test_schema_rejects_what_it_does_not_describe(scan: ScanResult, schema: dict[str, Any]) -> None:
    report = json.loads(render_json(scan))
    wrong = copy.deepcopy(report)
    wrong["exposures"][0]["severity"] = "severe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(wrong, schema)
    extra = copy.deepcopy(report)
    extra["exposures"][0]["traits"][0]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(extra, schema)


def test_summary_counts(scan: ScanResult) -> None:
    summary = json.loads(render_json(scan))["summary"]
    # AppServer (low) is fully suppressed
    assert summary == {
        "exposures": 4,
        "possible_exposures": 0,
        "possibly_more_severe": 0,  # web's possible exploitable vulnerability cannot raise critical
        "suppressed_exposures": 1,
        "configurations": 2,
        "unreadable_files": 2,
        "by_severity": {"critical": 1, "high": 1, "medium": 1, "low": 1},
    }


def test_exposures_most_severe_first_with_lines_and_fixes(scan: ScanResult) -> None:
    exposures = json.loads(render_json(scan))["exposures"]
    assert [e["severity"] for e in exposures] == ["critical", "high", "medium", "low", "low"]
    for exposure in exposures:
        for trait in exposure["traits"]:
            location = trait["location"]
            assert 1 <= location["line"] <= location["end_line"] <= len(FILES[location["file"]])
        assert exposure["best_fix"] == (exposure["fixes"][0] if exposure["fixes"] else None)
    web = exposures[0]
    assert web["workload"] == "aws_instance.web" and web["location"] == {
        "file": "app/main.tf",
        "line": 1,
        "end_line": 7,
    }
    assert web["path"][0]["kind"] == "internet" and web["path"][0]["location"] is None
    assert web["path"][-1]["kind"] == "policy_statement"
    imds = next(t for t in web["traits"] if t["rule_id"] == "ec2-imdsv1")
    assert imds["suppressed"] is True and imds["suppression_reason"] == "legacy agent needs IMDSv1"
    vuln = next(t for t in web["traits"] if t["rule_id"] == "ec2-exploitable-vulnerability")
    assert vuln["assumptions"] and vuln["properties"] == {"cve": "CVE-2024-6387"}
    best = web["best_fix"]
    assert (best["edit"], best["outcome"], best["severity_after"]) == ("require_imdsv2", "reduces", "high")
    stopping = web["fixes"][1]
    assert stopping["stops_service"] == "stops the public service on tcp 443" and "clears" not in stopping
    assert exposures[1]["best_fix"] is None and exposures[1]["fixes"] == []  # no measured fix: none shown


def test_fingerprints_match_sarif(scan: ScanResult) -> None:
    exposures = json.loads(render_json(scan))["exposures"]
    sarif_prints = {
        r["partialFingerprints"]["iacscanFingerprint/v1"] for r in json.loads(render_sarif(scan))["runs"][0]["results"]
    }
    for exposure in exposures:
        assert exposure["fingerprint"] in sarif_prints
        # a possible trait is no result of its own rule (that would rank it as confirmed)
        assert all(t["fingerprint"] in sarif_prints for t in exposure["traits"] if t["verdict"] == "holds")
        assert all(t["fingerprint"] not in sarif_prints for t in exposure["traits"] if t["verdict"] == "possible")
    assert any(t["verdict"] == "possible" for e in exposures for t in e["traits"])
    assert exposures[0]["fingerprint"] == fingerprint(next(e for e in scan.exposures if e.severity.label == "critical"))


def test_errors_notices_and_suppressions(scan: ScanResult) -> None:
    report = json.loads(render_json(scan))
    assert report["errors"] == [
        {"file": "app/variables.tf", "line": 2, "message": "unterminated string"},
        {"file": "stack/broken.yaml", "line": 3, "message": "YAML syntax error: unclosed flow sequence"},
    ]
    assert report["notices"] == ["app: 2 values are only known after apply"]
    app = next(c for c in report["configurations"] if c["name"] == "app")
    assert [s["reason"] for s in app["suppressions"]] == ["legacy agent needs IMDSv1", ""]


def test_deterministic(scan: ScanResult) -> None:
    first = render_json(scan)
    scan.exposures.reverse()
    scan.configurations.reverse()
    assert render_json(scan) == first


def test_report_written_in_pieces_is_the_rendered_report(scan: ScanResult) -> None:
    pieces: list[str] = []
    write_json(scan, pieces.append)
    assert "".join(pieces) == render_json(scan)
