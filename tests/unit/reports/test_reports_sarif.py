"""SARIF output: Microsoft's validator (SARIF + GitHub rules) finds nothing, and the log
says what GitHub code scanning needs: rules, levels, locations, fingerprints, baselines,
suppressions, notifications."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from scanner import __version__
from scanner.findings import Exposure, LoadError, ScanResult, Severity, Trait
from scanner.reports import sarif
from scanner.reports.sarif import FINGERPRINT_KEY, fingerprint, render_sarif
from scanner.rules.registry import all_rules
from scanner.values import Span
from tests.support.reports_sample import CFN, FILES, TF, sample_result
from tests.support.sarif_validator import find_validator, validate


@pytest.fixture
def scan(tmp_path: Path) -> ScanResult:
    return sample_result(tmp_path)


def run_of(text: str) -> dict[str, Any]:
    log = json.loads(text)
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    run: dict[str, Any] = log["runs"][0]
    return run


def test_microsoft_validator_reports_no_error_and_no_warning(scan: ScanResult, tmp_path: Path) -> None:
    binary = find_validator()
    if binary is None:
        pytest.skip(
            "!!! Sarif.Multitool could not be installed (npm install @microsoft/sarif-multitool): "
            "SARIF output NOT validated !!!"
        )
    first = {fingerprint(e) for e in scan.exposures[:2]}
    for name, baseline in (("plain.sarif", None), ("baseline.sarif", first)):
        path = tmp_path / name
        path.write_text(render_sarif(scan, baseline=baseline), encoding="utf-8")
        errors, warnings = validate(path, binary)
        assert errors == [], "\n".join(map(str, errors))
        assert warnings == [], "\n".join(map(str, warnings))


def test_validator_accepts_empty_and_truncated_logs(
    scan: ScanResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    binary = find_validator()
    if binary is None:
        pytest.skip("!!! Sarif.Multitool could not be installed: SARIF output NOT validated !!!")
    empty = tmp_path / "empty.sarif"
    empty.write_text(render_sarif(ScanResult(root=tmp_path)), encoding="utf-8")
    assert json.loads(empty.read_text())["runs"][0]["results"] == []
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    truncated = tmp_path / "truncated.sarif"
    truncated.write_text(render_sarif(scan), encoding="utf-8")
    for path in (empty, truncated):
        errors, warnings = validate(path, binary)
        assert (errors, warnings) == ([], []), "\n".join(map(str, errors + warnings))


def test_validator_helper_detects_problems(scan: ScanResult, tmp_path: Path) -> None:
    """The zero above means something: a log without help and with line 0 fails."""
    binary = find_validator()
    if binary is None:
        pytest.skip("!!! Sarif.Multitool could not be installed: SARIF output NOT validated !!!")
    log = json.loads(render_sarif(scan))
    del log["runs"][0]["tool"]["driver"]["rules"][0]["help"]
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    path = tmp_path / "broken.sarif"
    path.write_text(json.dumps(log), encoding="utf-8")
    errors, _ = validate(path, binary)
    assert {e.rule_id for e in errors} >= {"GH2012", "SARIF1007"}


def test_driver_lists_every_rule_for_github(scan: ScanResult) -> None:
    driver = run_of(render_sarif(scan))["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["semanticVersion"]) == ("iacscan", __version__, __version__)
    assert driver["informationUri"].startswith("https://")
    ids = [r["id"] for r in driver["rules"]]
    for expected in (
        "ec2-imdsv1",
        "ec2-admin-role",
        "ec2-service-admin-role",
        "ec2-remote-access",
        "ec2-open-security-group",
        "ec2-public-ip",
        "ec2-internet-reachable",
        "ec2-vpc-reachable",
        "ec2-exploitable-vulnerability",
        "ec2-vulnerability",
        "ec2-exposure-critical",
        "ec2-exposure-high",
        "ec2-exposure-medium",
        "ec2-exposure-low",
        "ec2-possible-exposure",
    ):
        assert expected in ids
    scores = {r["id"]: r["properties"].get("security-severity") for r in driver["rules"]}
    assert (
        scores["ec2-exposure-critical"],
        scores["ec2-exposure-high"],
        scores["ec2-exposure-medium"],
        scores["ec2-exposure-low"],
    ) == ("9.5", "8.0", "5.5", "2.0")
    for descriptor in driver["rules"]:
        assert descriptor["shortDescription"]["text"] and descriptor["fullDescription"]["text"]
        assert descriptor["help"]["text"] and descriptor["help"]["markdown"]
        assert descriptor["defaultConfiguration"]["level"] in ("error", "warning", "note")
        if descriptor["id"] == "ec2-possible-exposure":  # listed, never ranked as a confirmed exposure
            assert "security-severity" not in descriptor["properties"]
        elif descriptor["id"].startswith("ec2-exposure-"):
            assert {"security", "aws", "ec2"} <= set(descriptor["properties"]["tags"])
            assert isinstance(descriptor["properties"]["security-severity"], str)
            float(descriptor["properties"]["security-severity"])
        elif descriptor["id"].startswith("ec2-"):  # a trait: its results' levels follow their workload
            assert {"security", "aws", "ec2"} <= set(descriptor["properties"]["tags"])
            assert "security-severity" not in descriptor["properties"]
            assert "problem.severity" not in descriptor["properties"]
            assert descriptor["defaultConfiguration"]["level"] == "warning"
    assert sorted(id for id, score in scores.items() if score is not None) == [
        "ec2-exposure-critical",
        "ec2-exposure-high",
        "ec2-exposure-low",
        "ec2-exposure-medium",
    ]
    assert "iacscan-load-error" in [n["id"] for n in driver["notifications"]]


def test_one_result_per_trait_and_one_per_exposure(scan: ScanResult) -> None:
    run = run_of(render_sarif(scan))
    results = run["results"]
    rules = run["tool"]["driver"]["rules"]
    traits = sum(1 for e in scan.exposures for t in e.traits if not t.possible)  # possible ones: no result
    aggregates = [r for r in results if r["ruleId"].startswith("ec2-exposure-")]
    assert len(aggregates) == len(scan.exposures) == 5
    assert {r["ruleId"] for r in aggregates} == {
        "ec2-exposure-critical",
        "ec2-exposure-high",
        "ec2-exposure-medium",
        "ec2-exposure-low",
    }
    trait_results = [r for r in results if not r["ruleId"].startswith(("ec2-exposure-", "iacscan-"))]
    assert len(trait_results) == traits
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        file, line = location["artifactLocation"]["uri"], location["region"]["startLine"]
        assert 1 <= line <= len(FILES[file])
        assert location["region"]["endLine"] >= line
        assert result["partialFingerprints"][FINGERPRINT_KEY]
    assert run["columnKind"] == "utf16CodeUnits"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
    assert run["automationDetails"]["id"].startswith("iacscan/")


def test_trait_result_points_at_the_line_with_related_locations(scan: ScanResult) -> None:
    results = run_of(render_sarif(scan))["results"]
    reachable = [
        r
        for r in results
        if r["ruleId"] == "ec2-internet-reachable"
        and r["properties"]["resource"] == "aws_instance.web"
        and r["locations"][0]["physicalLocation"]["region"]["startLine"] == 10
    ]
    assert len(reachable) == 1
    result = reachable[0]
    assert result["level"] == "error"  # the workload's exposure is critical
    related = result["relatedLocations"][0]
    assert related["id"] == 1
    assert related["physicalLocation"]["region"] == {"startLine": 22, "endLine": 23}
    assert "aws_internet_gateway.main" in related["message"]["text"]
    flow = result["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [step["kinds"][0] for step in flow] == ["internet", "internet_gateway", "security_group_rule", "instance"]


def test_exposure_result_has_attack_path_and_best_fix(scan: ScanResult) -> None:
    results = run_of(render_sarif(scan))["results"]
    critical = next(r for r in results if r["ruleId"] == "ec2-exposure-critical")
    assert critical["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "endLine": 7}
    web = next(e for e in scan.exposures if e.workload == "aws_instance.web")
    assert len(critical["relatedLocations"]) == len(web.traits)
    assert [loc["id"] for loc in critical["relatedLocations"]] == list(range(1, len(web.traits) + 1))
    flow = critical["codeFlows"][0]["threadFlows"][0]["locations"]
    assert len(flow) == len(web.path)
    assert [s["location"]["message"]["text"].split(" [")[0] for s in flow] == [s.description for s in web.path]
    assert all("physicalLocation" in s["location"] for s in flow)
    assert critical["properties"]["bestFix"]["ruleId"] == web.fixes[0].rule_id
    low = [r for r in results if r["ruleId"] == "ec2-exposure-low"]
    assert {r["level"] for r in low} == {"note"}


def test_a_trait_in_two_exposures_takes_the_most_severe_level(scan: ScanResult) -> None:
    low = next(e for e in scan.exposures if e.severity is Severity.LOW and e.traits)
    trait = low.traits[0]
    twice = dataclasses.replace(scan, exposures=[*scan.exposures, dataclasses.replace(low, severity=Severity.HIGH)])
    key = fingerprint(trait, low.configuration)
    levels = [
        r["level"]
        for r in run_of(render_sarif(twice))["results"]
        if r["partialFingerprints"][FINGERPRINT_KEY].split(":")[0] == key
    ]
    assert levels == ["error", "error"]
    alone = [
        r["level"] for r in run_of(render_sarif(scan))["results"] if r["partialFingerprints"][FINGERPRINT_KEY] == key
    ]
    assert alone == ["note"]


def test_load_errors_and_notices_are_notifications(scan: ScanResult) -> None:
    invocation = run_of(render_sarif(scan))["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    errors = [n for n in notes if n["level"] == "error"]
    assert [
        "app/variables.tf" in errors[0]["message"]["text"],
        "unterminated string" in errors[0]["message"]["text"],
    ] == [True, True]
    error = errors[1]
    assert "YAML syntax error" in error["message"]["text"]
    assert error["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "stack/broken.yaml"
    assert error["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert error["descriptor"]["id"] == "iacscan-load-error"
    assert any(n["level"] == "note" and "known after apply" in n["message"]["text"] for n in notes)


def test_warnings_are_warning_notifications_at_their_line(scan: ScanResult, tmp_path: Path) -> None:
    stack = next(c for c in scan.configurations if c.kind == "cloudformation")
    stack.warnings.append(LoadError(stack.name, 7, "key 'CidrIp' repeats the one on line 6"))
    text = render_sarif(scan)
    notes = run_of(text)["invocations"][0]["toolExecutionNotifications"]
    [warning] = [n for n in notes if n["level"] == "warning"]
    assert "repeats the one on line 6" in warning["message"]["text"]
    location = warning["locations"][0]["physicalLocation"]
    assert (location["artifactLocation"]["uri"], location["region"]["startLine"]) == (stack.name, 7)
    assert "descriptor" not in warning  # not a load error: nothing is missing
    binary = find_validator()
    if binary is not None:
        path = tmp_path / "warning.sarif"
        path.write_text(text, encoding="utf-8")
        assert validate(path, binary) == ([], [])


def test_suppressions_stay_in_the_log_with_their_reason(scan: ScanResult) -> None:
    results = run_of(render_sarif(scan))["results"]
    imds_web = next(
        r for r in results if r["ruleId"] == "ec2-imdsv1" and r["properties"]["resource"] == "aws_instance.web"
    )
    assert imds_web["suppressions"] == [
        {
            "kind": "inSource",
            "justification": "legacy agent needs IMDSv1",
            "location": {
                "physicalLocation": {
                    "artifactLocation": {"uri": TF, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 10, "endLine": 10},
                }
            },
        }
    ]
    assert imds_web["level"] == "error"  # suppressed, it keeps its workload's level (critical)
    imds_db = next(r for r in results if r["ruleId"] == "ec2-imdsv1" and r["properties"]["resource"] == "Db")
    assert "suppressions" not in imds_db
    # every trait of AppServer is suppressed, so its exposure is too
    app = next(r for r in results if r["ruleId"] == "ec2-exposure-low" and r["properties"]["resource"] == "AppServer")
    assert app["suppressions"][0]["justification"] == "accepted until Q3 migration"
    # the critical exposure still stands: only one of its traits is suppressed
    assert "suppressions" not in next(r for r in results if r["ruleId"] == "ec2-exposure-critical")
    # a suppression without a reason still applies, and is reported
    open_sg = next(r for r in results if r["ruleId"] == "ec2-open-security-group")
    assert open_sg["suppressions"][0]["kind"] == "inSource" and "justification" not in open_sg["suppressions"][0]
    missing = [r for r in results if r["ruleId"] == "iacscan-suppression-without-reason"]
    assert len(missing) == 1 and missing[0]["level"] == "note"
    assert missing[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 20


def test_baseline_marks_new_and_unchanged(scan: ScanResult) -> None:
    critical = next(e for e in scan.exposures if e.workload == "aws_instance.web")
    results = run_of(render_sarif(scan, baseline={fingerprint(critical)}))["results"]
    states = {
        (r["ruleId"], r["properties"].get("resource")): r["baselineState"]
        for r in results
        if r["ruleId"].startswith("ec2-exposure-")
    }
    assert states[("ec2-exposure-critical", "aws_instance.web")] == "unchanged"
    assert list(states.values()).count("new") == 4
    assert all("baselineState" not in r for r in run_of(render_sarif(scan))["results"])


def _moved(trait: Trait, shift: int) -> Trait:
    span = trait.location.span
    return dataclasses.replace(
        trait,
        location=dataclasses.replace(trait.location, span=Span(span.file, span.line + shift, span.end_line + shift)),
    )


def test_fingerprints_survive_moved_lines_but_not_other_resources(scan: ScanResult) -> None:
    exposure: Exposure = scan.exposures[1]
    trait = exposure.traits[0]
    assert fingerprint(trait, "app") == fingerprint(_moved(trait, 7), "app")
    assert fingerprint(trait, "app") != fingerprint(trait, "other-configuration")
    other_resource = dataclasses.replace(trait, location=dataclasses.replace(trait.location, address="aws_x.y"))
    assert fingerprint(trait, "app") != fingerprint(other_resource, "app")
    other_ports = dataclasses.replace(trait, properties={"ports": "tcp 3389"})
    assert trait.rule_id == "ec2-remote-access"
    assert fingerprint(trait, "app") != fingerprint(other_ports, "app")
    moved_workload = dataclasses.replace(exposure, workload_span=Span(TF, 100, 110))
    assert fingerprint(exposure) == fingerprint(moved_workload)


def test_fingerprints_unique_within_a_run(scan: ScanResult) -> None:
    web = next(e for e in scan.exposures if e.workload == "aws_instance.web")
    twin = _moved(web.traits[0], 1)  # same rule and resource, another line: a collision
    scan.exposures[scan.exposures.index(web)] = dataclasses.replace(web, traits=(*web.traits, twin))
    results = run_of(render_sarif(scan))["results"]
    prints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in results]
    assert len(prints) == len(set(prints))
    assert any(p.endswith(":2") for p in prints)


def test_output_is_deterministic(scan: ScanResult) -> None:
    first = render_sarif(scan)
    scan.exposures.reverse()
    scan.errors.reverse()
    assert render_sarif(scan) == first
    lines = [
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in run_of(first)["results"]
    ]
    assert lines == sorted(lines)


def test_results_beyond_the_limit_keep_the_most_severe(scan: ScanResult, monkeypatch: pytest.MonkeyPatch) -> None:
    total = len(run_of(render_sarif(scan))["results"])
    monkeypatch.setattr(sarif, "MAX_RESULTS", 6)
    run = run_of(render_sarif(scan))
    assert len(run["results"]) == 6
    assert {r["level"] for r in run["results"]} == {"error"}  # web (critical) and api (high) results
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any(f"{total - 6} results" in n["message"]["text"] and n["level"] == "warning" for n in notes)


def test_file_outside_root_uses_an_absolute_uri(scan: ScanResult) -> None:
    exposure = scan.exposures[0]
    moved = dataclasses.replace(exposure, workload_span=Span("/elsewhere/x y.tf", 3, 4))
    scan.exposures[0] = moved
    results = run_of(render_sarif(scan))["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in results]
    assert {"uri": "file:///elsewhere/x%20y.tf"} in uris


def test_catalog_rules_all_published(scan: ScanResult) -> None:
    driver = run_of(render_sarif(scan))["tool"]["driver"]
    published = {r["id"] for r in driver["rules"]} | {n["id"] for n in driver["notifications"]}
    assert published == {r.id for r in all_rules()}
    assert CFN in {
        r["properties"]["configuration"]
        for r in run_of(render_sarif(scan))["results"]
        if "configuration" in r.get("properties", {})
    }
