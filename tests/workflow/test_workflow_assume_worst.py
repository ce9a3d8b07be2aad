"""``--assume-worst`` and ``assume-worst = true``: possible traits count as holding, and
``--fail-on`` applies to that worst case. Default off: a possible trait never fails CI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from tests.support.paths import FIXTURES

# An instance in a subnet picked from the default VPC by its id: SSH is open to the world
# (holds); whether the subnet maps public addresses is unknown, so reachability is possible.
DEFAULT_VPC = FIXTURES / "reachability" / "default-vpc-through-data-sources"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(DEFAULT_VPC, tmp_path / "app")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scan(*args: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(app, ["scan", "app", "--no-cache", "--format", "json", *args], catch_exceptions=False)
    return result.exit_code, json.loads(result.output)


def web(report: dict[str, object]) -> dict[str, object]:
    exposures = report["exposures"]
    assert isinstance(exposures, list)
    return next(e for e in exposures if e["workload"] == "aws_instance.web")


def test_by_default_a_possible_trait_does_not_fail_the_threshold(repo: Path) -> None:
    code, report = scan("--fail-on", "high")
    found = web(report)
    assert (found["severity"], found["possible_severity"]) == ("low", "high")
    assert code == 0


def test_assume_worst_fails_on_the_worst_case(repo: Path) -> None:
    code, report = scan("--fail-on", "high", "--assume-worst")
    found = web(report)
    assert (found["severity"], found["possible_severity"]) == ("high", None)
    reachable = [t for t in found["traits"] if t["rule_id"] == "ec2-internet-reachable"]  # type: ignore[index, union-attr]
    assert reachable and all(t["verdict"] == "possible" and t["counted"] for t in reachable)
    assert code == 1


def test_the_settings_file_turns_it_on_and_the_flag_wins(repo: Path) -> None:
    (repo / ".iacscan.toml").write_text("assume-worst = true\n")
    code, report = scan("--fail-on", "high")
    assert web(report)["severity"] == "high" and code == 1
    code, report = scan("--fail-on", "high", "--no-assume-worst")
    assert web(report)["severity"] == "low" and code == 0


def test_a_setting_that_is_not_a_boolean_is_a_usage_error(repo: Path) -> None:
    (repo / ".iacscan.toml").write_text('assume-worst = "yes"\n')
    result = CliRunner().invoke(app, ["scan", "app", "--no-cache"], catch_exceptions=False)
    assert result.exit_code == 2 and "assume-worst must be true or false" in result.output
