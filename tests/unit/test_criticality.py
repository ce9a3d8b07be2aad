"""Resource criticality: the rules, the words of a name, how the severity moves, and the
criticality fixtures through the CLI (text, JSON, SARIF; settings; --no-criticality;
baselines written without criticality still match)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from scanner.criticality import NameSource, RuleError, criticality, moved, parse_rule, words
from scanner.findings import Severity
from scanner.model import Tag
from scanner.options import DEFAULT_CRITICALITY
from scanner.settings import SettingsError, load_settings
from scanner.values import Span
from tests.support.paths import FIXTURES

SPAN = Span("main.tf", 12, 12)
CRITICALITY = FIXTURES / "criticality"


def names(*texts: str) -> tuple[NameSource, ...]:
    return tuple(NameSource(t, "address", SPAN) for t in texts)


def test_words_split_separators_and_case_changes() -> None:
    assert words("prod-web_01") == ("prod", "web", "01")
    assert words("ProdWebServer") == ("prod", "web", "server")
    assert words("PCIApi") == ("pci", "api")
    assert "prod" not in words("aws_instance.products")


@pytest.mark.parametrize(
    ("tags", "given", "level"),
    [
        ((Tag("Environment", "Production", SPAN),), (), "high"),
        ((Tag("stage", "prod", SPAN),), (), "high"),
        ((Tag("compliance", "pci", SPAN),), (), "high"),
        ((Tag("critical", "yes", SPAN),), (), "high"),
        ((Tag("env", "dev", SPAN),), (), "low"),
        ((Tag("env", "staging", SPAN),), (), "normal"),
        ((), ("aws_instance.prod_api",), "high"),
        ((), ("aws_instance.products",), "normal"),
        ((Tag("env", "dev", SPAN),), ("aws_instance.pci",), "high"),  # high wins
    ],
)
def test_default_rules(tags: tuple[Tag, ...], given: tuple[str, ...], level: str) -> None:
    assert criticality(tags, names(*given), DEFAULT_CRITICALITY).level == level


def test_the_reason_names_the_tag_and_its_line() -> None:
    verdict = criticality((Tag("environment", "production", SPAN, "default_tags"),), (), DEFAULT_CRITICALITY)
    assert (verdict.reason, verdict.span) == ("tag environment=production (via default_tags)", SPAN)


def test_user_rules_and_their_errors() -> None:
    rules = (("tag:team=pay*", "name:*-pci-*"), ("tag:environment=dev*",))
    assert criticality((Tag("team", "payments", SPAN),), (), rules).level == "high"
    assert criticality((), names("web-pci-1"), rules).level == "high"
    assert criticality((Tag("environment", "production", SPAN),), (), rules).level == "normal"
    assert criticality((Tag("environment", "development", SPAN),), (), rules).level == "low"
    for bad in ("team=pay", "tag:", "label:x"):
        with pytest.raises(RuleError):
            parse_rule(bad)


@pytest.mark.parametrize(
    ("severity", "level", "after"),
    [
        (Severity.MEDIUM, "high", Severity.HIGH),
        (Severity.HIGH, "high", Severity.CRITICAL),
        (Severity.LOW, "high", Severity.LOW),
        (Severity.CRITICAL, "high", Severity.CRITICAL),
        (Severity.CRITICAL, "low", Severity.HIGH),
        (Severity.LOW, "low", Severity.LOW),
        (None, "high", None),
    ],
)
def test_moved_one_level(severity: Severity | None, level: str, after: Severity | None) -> None:
    assert moved(severity, level) == after


def test_settings(tmp_path: Path) -> None:
    path = tmp_path / ".iacscan.toml"
    path.write_text('criticality = { high = ["tag:team=payments"] }\n')
    settings = load_settings(path)
    assert (settings.criticality_high, settings.criticality_low) == (("tag:team=payments",), None)
    path.write_text("criticality = false\n")
    assert load_settings(path).criticality_off
    path.write_text('criticality = { high = ["team"] }\n')
    with pytest.raises(SettingsError, match="tag:KEY"):
        load_settings(path)


def scan_json(folder: Path, *args: str) -> dict:
    result = CliRunner().invoke(
        app, ["scan", str(folder), "--format", "json", "--no-cache", "--fail-on", "none", *args]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("fixture", "severity", "reason"),
    [
        ("instance-tag-production-raises", "high", "tag environment=production"),
        ("provider-default-tags-raise", "high", "tag stage=prod (via default_tags)"),
        ("asg-propagated-tag-raises", "high", "tag environment=production (via propagate_at_launch)"),
        ("name-word-pci-raises", "high", "Name tag payments-pci-api matches name:pci"),
        ("tag-environment-dev-lowers", "low", "tag env=dev"),
    ],
)
def test_fixtures_in_the_json_report(fixture: str, severity: str, reason: str) -> None:
    report = scan_json(CRITICALITY / fixture)
    terraform = [e for e in report["exposures"] if e["configuration"].endswith(fixture)]
    assert [(e["severity"], e["criticality"]["reason"], e["criticality"]["table_severity"]) for e in terraform] == [
        (severity, reason, "medium")
    ]
    line = terraform[0]["criticality"]["location"]["line"]
    written = (CRITICALITY / fixture / "main.tf").read_text().splitlines()[line - 1]
    named = reason.split()[1] if reason.startswith("tag") else reason.split()[2]  # K=V, or the name
    assert any(part in written for part in named.split("="))
    cloudformation = [e for e in report["exposures"] if e["configuration"].endswith("template.yaml")]
    assert all(e["severity"] == severity for e in cloudformation)


def test_no_criticality_keeps_the_table_severity_and_fingerprints() -> None:
    folder = CRITICALITY / "instance-tag-production-raises"
    with_it, without = scan_json(folder), scan_json(folder, "--no-criticality")
    assert {e["severity"] for e in without["exposures"]} == {"medium"}
    assert all("criticality" not in e for e in without["exposures"])
    assert [e["fingerprint"] for e in with_it["exposures"]] == [e["fingerprint"] for e in without["exposures"]]


def test_a_baseline_written_without_criticality_still_hides_the_finding(tmp_path: Path) -> None:
    folder = CRITICALITY / "instance-tag-production-raises"
    baseline = tmp_path / "baseline.json"
    runner = CliRunner()
    written = runner.invoke(
        app, ["scan", str(folder), "--no-cache", "--no-criticality", "--write-baseline", str(baseline)]
    )
    assert json.loads(baseline.read_text())["fingerprints"], written.output
    assert runner.invoke(app, ["scan", str(folder), "--no-cache"]).exit_code == 1  # it does find something
    again = runner.invoke(app, ["scan", str(folder), "--no-cache", "--baseline", str(baseline)])
    assert again.exit_code == 0, again.output


def test_settings_rules_from_the_fixture() -> None:
    folder = CRITICALITY / "settings-rules-replace-defaults"
    report = scan_json(folder, "--config", str(folder / ".iacscan.toml"))
    assert [e["criticality"]["reason"] for e in report["exposures"]] == ["tag team=payments"]


def test_text_and_sarif_show_both_severities() -> None:
    folder = str(CRITICALITY / "instance-tag-production-raises")
    text = CliRunner().invoke(app, ["scan", folder, "--no-cache", "--fail-on", "none"]).stdout
    assert "HIGH, raised from MEDIUM: tag environment=production at " in text
    assert "instance-tag-production-raises/main.tf:54" in text
    sarif = json.loads(
        CliRunner().invoke(app, ["scan", folder, "--no-cache", "--format", "sarif", "--fail-on", "none"]).stdout
    )
    exposures = [r for r in sarif["runs"][0]["results"] if r["ruleId"].startswith("ec2-exposure-")]
    assert {r["ruleId"] for r in exposures} == {"ec2-exposure-high"}
    assert all(r["properties"]["tableSeverity"] == "medium" for r in exposures)
    assert all("raised from MEDIUM" in r["message"]["text"] for r in exposures)


def test_a_plans_tags_all_adds_the_default_tags_as_inherited() -> None:
    from scanner.adapters.tags import resource_tags

    found = resource_tags({"Name": "web"}, {"Name": "web", "environment": "prod"}, SPAN)
    assert [(t.key, t.value, t.via) for t in found] == [("Name", "web", ""), ("environment", "prod", "default_tags")]
    assert resource_tags({"Name": "web"}, None, SPAN) == (Tag("Name", "web", SPAN),)


def test_a_tag_value_set_by_a_module_caller_points_at_the_caller() -> None:
    """The module writes ``value = var.environment``; the line that makes the group critical,
    and the one to edit, is the caller's ``environment = "production"``."""
    fixture = CRITICALITY / "asg-tag-value-from-module-caller"
    report = scan_json(fixture)
    (exposure,) = report["exposures"]
    assert exposure["severity"] == "high" and exposure["criticality"]["table_severity"] == "medium"
    location = exposure["criticality"]["location"]
    assert location["file"].endswith("asg-tag-value-from-module-caller/main.tf")
    written = (fixture / "main.tf").read_text().splitlines()[location["line"] - 1]
    assert written.split() == ["environment", "=", '"production"']
