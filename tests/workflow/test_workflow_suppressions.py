"""Inline suppressions, HCL comments and CloudFormation Metadata: a suppressed trait no longer
counts toward the exposure's severity or the exit code, stays in SARIF with `suppressions`,
is hidden from the text report unless --show-suppressed, and one without a reason is itself
reported."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from scanner.findings import Severity
from scanner.options import ScanOptions
from scanner.scan import analyse, load_configurations
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures" / "workflow"


@dataclass(frozen=True)
class Case:
    folder: str
    file: str
    workload: str
    reasoned_line: str  # text on the line of the suppression with a reason
    unreasoned_line: str  # text on the line of the suppression without one


HCL = Case(
    "hcl-suppression-lowers-severity",
    "main.tf",
    "aws_instance.worker",
    "# iacscan:ignore ec2-imdsv1 the legacy metrics agent",
    "# iacscan:ignore ec2-remote-access",
)
CFN = Case("cfn-suppression-lowers-severity", "template.yaml", "Worker", "- id: ec2-imdsv1", "- id: ec2-remote-access")
CASES = [pytest.param(HCL, id="hcl"), pytest.param(CFN, id="cloudformation")]
REASON = "the legacy metrics agent only speaks IMDSv1 (OPS-1234)"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> tuple[Case, Path]:
    case: Case = request.param
    shutil.copytree(FIXTURES / case.folder, tmp_path / "infra")
    monkeypatch.chdir(tmp_path)
    return case, tmp_path / "infra" / case.file


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["scan", *args], catch_exceptions=False, env={"COLUMNS": "250"})
    return result.exit_code, result.stdout


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [number for number, line in enumerate(lines, start=1) if text in line]
    assert len(found) == 1, f"{text!r} should be on exactly one line of {path}"
    return found[0]


def sarif_results(*args: str) -> list[dict[str, Any]]:
    code, out = run("infra", "--format", "sarif", *args)
    assert code in (0, 1)
    results: list[dict[str, Any]] = json.loads(out)["runs"][0]["results"]
    return results


def start_line(result: dict[str, Any]) -> int:
    line: int = result["locations"][0]["physicalLocation"]["region"]["startLine"]
    return line


@pytest.mark.parametrize("project", CASES, indirect=True)
def test_suppressed_trait_does_not_count_toward_severity(project: tuple[Case, Path]) -> None:
    case, _template = project
    options = ScanOptions(root=Path.cwd())
    configurations, errors, _ = load_configurations([Path("infra")], options)
    assert not errors and len(configurations) == 1
    configuration = configurations[0]
    assert not configuration.errors

    exposures, _ = analyse(configuration, options)
    (exposure,) = exposures
    assert exposure.workload == case.workload
    # admin role + IMDSv1 would be medium; IMDSv1 is accepted, so admin alone: low
    assert exposure.severity is Severity.LOW
    assert {t.rule_id for t in exposure.traits} == {
        "ec2-imdsv1",
        "ec2-admin-role",
        "ec2-remote-access",
        "ec2-open-security-group",
    }
    assert {f.rule_id for f in exposure.fixes} == {"ec2-admin-role"}

    configuration.suppressions.clear()
    (unsuppressed,), _ = analyse(configuration, options)
    assert unsuppressed.severity is Severity.MEDIUM


@pytest.mark.parametrize("project", CASES, indirect=True)
def test_exit_code_ignores_suppressed_traits(project: tuple[Case, Path]) -> None:
    assert run("infra")[0] == 1  # the admin role is still there (low)
    assert run("infra", "--fail-on", "medium")[0] == 0  # it would be medium without the suppression


@pytest.mark.parametrize("project", CASES, indirect=True)
def test_sarif_keeps_suppressed_results_with_justification(project: tuple[Case, Path]) -> None:
    case, template = project
    results = sarif_results()
    by_rule = {r["ruleId"]: r for r in results}

    imds = by_rule["ec2-imdsv1"]
    (suppression,) = imds["suppressions"]
    assert suppression["kind"] == "inSource"
    assert suppression["justification"] == REASON
    assert start_line({"locations": [suppression["location"]]}) == line_of(template, case.reasoned_line)

    remote = by_rule["ec2-remote-access"]
    (suppression,) = remote["suppressions"]
    assert suppression["kind"] == "inSource" and "justification" not in suppression

    assert "suppressions" not in by_rule["ec2-admin-role"]
    assert "suppressions" not in by_rule["ec2-exposure-low"]
    assert "ec2-exposure-medium" not in by_rule


@pytest.mark.parametrize("project", CASES, indirect=True)
def test_suppression_without_reason_is_reported(project: tuple[Case, Path]) -> None:
    case, template = project
    missing = [r for r in sarif_results() if r["ruleId"] == "iacscan-suppression-without-reason"]
    # HCL names both rules on one comment; CloudFormation has one item per rule
    assert len(missing) == (1 if case is HCL else 2)
    assert start_line(missing[0]) == line_of(template, case.unreasoned_line)
    assert "ec2-remote-access" in missing[0]["message"]["text"]

    code, text = run("infra")
    assert code == 1
    warning = f"infra/{case.file}:{line_of(template, case.unreasoned_line)}"
    assert any(warning in line and "gives no reason" in line for line in text.splitlines())


@pytest.mark.parametrize("project", CASES, indirect=True)
def test_text_hides_suppressed_traits_unless_asked(project: tuple[Case, Path]) -> None:
    _case, _template = project
    _, text = run("infra")
    assert "ec2-admin-role" in text
    assert "ec2-imdsv1" not in text and REASON not in text
    assert "3 suppressed traits not shown" in text  # IMDSv1, and SSH as remote access and as an open group

    _, shown = run("infra", "--show-suppressed")
    assert "ec2-imdsv1" in shown and REASON in shown


def suppress_admin_role_too(case: Case, template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    if case is HCL:  # the comma form, on the attribute's line
        old = "# iacscan:ignore ec2-imdsv1 the legacy"
        new = "# iacscan:ignore ec2-imdsv1,ec2-admin-role the legacy"
    else:
        old = "          - id: ec2-imdsv1\n"
        new = "          - id: ec2-admin-role\n            reason: break-glass host, reviewed in SEC-77\n" + old
    assert text.count(old) == 1
    template.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("project", CASES, indirect=True)
def test_every_trait_suppressed_suppresses_the_exposure(project: tuple[Case, Path]) -> None:
    case, template = project
    suppress_admin_role_too(case, template)

    code, text = run("infra")
    assert code == 0
    assert case.workload not in text
    assert "0 exposures in 1 configuration; 1 suppressed" in text

    results = sarif_results()
    exposures = [r for r in results if r["ruleId"].startswith("ec2-exposure-")]
    assert len(exposures) == 1 and exposures[0]["suppressions"][0]["kind"] == "inSource"
    suppressed = {"ec2-imdsv1", "ec2-admin-role", "ec2-remote-access", "ec2-open-security-group"}
    traits = [r for r in results if r["ruleId"] in suppressed]
    assert len(traits) == 4 and all(r.get("suppressions") for r in traits)

    code, shown = run("infra", "--show-suppressed")
    assert code == 0 and case.workload in shown


def test_suppression_for_another_rule_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(FIXTURES / HCL.folder, tmp_path / "infra")
    template = tmp_path / "infra" / HCL.file
    text = template.read_text(encoding="utf-8").replace("ec2-imdsv1 the legacy", "ec2-public-ip the legacy")
    template.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("infra", "--fail-on", "medium")[0] == 1  # admin role + IMDSv1: medium again
    results = sarif_results()
    assert not next(r for r in results if r["ruleId"] == "ec2-imdsv1").get("suppressions")
    assert any(r["ruleId"] == "ec2-exposure-medium" for r in results)
