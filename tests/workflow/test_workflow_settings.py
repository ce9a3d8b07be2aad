"""[tool.iacscan] in pyproject.toml or .iacscan.toml at the scanned root: every key changes
the scan, command-line flags win, an unknown key is an error that names it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures" / "workflow"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with a template (tcp 8443 open to the world; who reaches SSH is the
    SshCidr parameter) and a Terraform module (SSH from var.ssh_cidr)."""
    shutil.copytree(FIXTURES / "settings-parameter-opens-ssh", tmp_path / "stack")
    shutil.copytree(FIXTURES / "settings-var-file-opens-ssh", tmp_path / "network")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scan(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["scan", *args], catch_exceptions=False, env={"COLUMNS": "250"})
    return result.exit_code, result.output


def traits(*args: str) -> set[tuple[str, str]]:
    """(workload, rule id) of every active trait, from the JSON report."""
    code, out = scan(*args, "--format", "json")
    assert code in (0, 1), out
    report: dict[str, Any] = json.loads(out)
    return {(e["workload"], t["rule_id"]) for e in report["exposures"] for t in e["traits"]}


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_without_settings(repo: Path) -> None:
    assert traits("stack", "network") == {("App", "ec2-open-security-group")}
    assert scan("stack")[0] == 1


def test_fail_on_from_file_and_flag_wins(repo: Path) -> None:
    write(repo / ".iacscan.toml", 'fail-on = "medium"\n')
    assert scan("stack")[0] == 0  # a low exposure no longer fails
    assert scan("stack", "--fail-on", "low")[0] == 1


def test_authorized_ports_from_file_and_flag_wins(repo: Path) -> None:
    write(repo / ".iacscan.toml", "authorized-ports = [443, 8443]\n")
    assert traits("stack") == set()
    assert scan("stack")[0] == 0
    assert traits("stack", "--authorized-ports", "443") == {("App", "ec2-open-security-group")}


def test_parameters_from_file_and_flag_wins(repo: Path) -> None:
    write(repo / ".iacscan.toml", '[parameters]\nSshCidr = "0.0.0.0/0"\n')
    assert ("App", "ec2-remote-access") in traits("stack")
    assert ("App", "ec2-remote-access") not in traits("stack", "--parameter", "SshCidr=10.9.0.0/16")


def test_var_files_relative_to_the_settings_file_and_var_wins(repo: Path) -> None:
    write(repo / ".iacscan.toml", 'var-files = ["network/env/open.tfvars"]\n')
    assert traits("network") == {
        ("aws_instance.web", "ec2-remote-access"),
        ("aws_instance.web", "ec2-open-security-group"),
    }
    assert traits("network", "--var", "ssh_cidr=10.0.0.0/8") == set()


def test_skip_rules_from_file_and_flags_add_to_them(repo: Path) -> None:
    write(repo / ".iacscan.toml", 'skip-rules = ["ec2-open-security-group"]\n[parameters]\nSshCidr = "0.0.0.0/0"\n')
    assert traits("stack") == {("App", "ec2-remote-access")}
    assert traits("stack", "--skip-rule", "ec2-remote-access") == set()


def test_exclude_globs(repo: Path) -> None:
    shutil.copytree(repo / "stack", repo / "legacy" / "old-stack")
    _code, out = scan(".", "--format", "json")
    assert len(json.loads(out)["configurations"]) == 3
    write(repo / ".iacscan.toml", 'exclude = ["legacy/*"]\n')
    _code, out = scan(".", "--format", "json")
    names = {c["name"] for c in json.loads(out)["configurations"]}
    assert names == {"stack/template.yaml", "network"}


def test_pyproject_table_and_dedicated_file_wins(repo: Path) -> None:
    write(repo / "pyproject.toml", '[project]\nname = "infra"\n\n[tool.iacscan]\nfail-on = "medium"\n')
    assert scan("stack")[0] == 0
    write(repo / ".iacscan.toml", 'fail-on = "low"\n')
    assert scan("stack")[0] == 1


def test_pyproject_without_our_table_is_ignored(repo: Path) -> None:
    write(repo / "pyproject.toml", '[project]\nname = "infra"\n\n[tool.ruff]\nline-length = 100\n')
    assert scan("stack")[0] == 1


def test_explicit_config_file(repo: Path) -> None:
    write(repo / "ci.toml", 'fail-on = "none"\n')
    assert scan("stack", "--config", "ci.toml")[0] == 0


@pytest.mark.parametrize(
    ("file", "text", "key"),
    [
        (".iacscan.toml", 'fail_on = "high"\n', "fail_on"),
        (".iacscan.toml", 'fail-on = "high"\nauthorised-ports = [22]\n', "authorised-ports"),
        ("pyproject.toml", '[tool.iacscan]\nskip-rule = ["ec2-imdsv1"]\n', "skip-rule"),
    ],
)
def test_unknown_key_is_an_error_naming_it(repo: Path, file: str, text: str, key: str) -> None:
    write(repo / file, text)
    code, out = scan("stack")
    assert code == 2
    assert f"unknown key '{key}'" in out and file in out


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('fail-on = "severe"\n', "fail-on must be one of"),
        ('authorized-ports = ["https"]\n', "authorized-ports must be a list of port numbers"),
        ("fail-on = [\n", "not valid TOML"),
    ],
)
def test_bad_values_are_errors(repo: Path, text: str, words: str) -> None:
    write(repo / ".iacscan.toml", text)
    code, out = scan("stack")
    assert code == 2 and words in out and ".iacscan.toml" in out


def test_template_urls_from_file_and_flag_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``template-urls`` maps a nested stack's URL prefix to a folder (relative to the
    settings file), as ``--template-url`` does; the flag wins for the same prefix."""
    shutil.copytree(REPO / "fixtures" / "cloudformation" / "nested-stack-from-s3-url", tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    prefix = "https://s3.amazonaws.com/my-artifacts/"

    def worker_notice(*args: str) -> str:
        code, out = scan("parent.yaml", "--format", "json", "--no-cache", *args)
        assert code in (0, 1), out
        return next(n for n in json.loads(out)["notices"] if "nested stack Worker" in n)

    assert "unknown child stack" in worker_notice()  # two worker.yaml: ambiguous without a mapping
    write(tmp_path / "repo" / ".iacscan.toml", f'template-urls = {{ "{prefix}" = "ambiguous/two" }}\n')
    assert "is read from ambiguous/two/worker.yaml (--template-url)" in worker_notice()
    flag = worker_notice("--template-url", f"{prefix}=ambiguous/one")
    assert "is read from ambiguous/one/worker.yaml (--template-url)" in flag
    write(tmp_path / "repo" / ".iacscan.toml", 'template-urls = ["ambiguous/two"]\n')
    code, out = scan("parent.yaml")
    assert code == 2 and "template-urls must be a table" in out
