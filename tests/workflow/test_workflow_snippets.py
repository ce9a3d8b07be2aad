"""The README's pre-commit and CI snippets are exactly what the tests run and what the
example workflow holds, and the workflow's scan command works as written."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from scanner.cli import app
from tests.support.readme_snippets import (
    PROJECT,
    PUBLISHED_REPO,
    PUBLISHED_REV,
    code_blocks,
    precommit_config,
    workflow,
)

EXAMPLE_WORKFLOW = PROJECT / "examples" / "github-workflow.yml"
DOCS = PROJECT / "docs" / "github-code-scanning.md"


def test_readme_workflow_is_the_example_file() -> None:
    assert workflow() == EXAMPLE_WORKFLOW.read_text(encoding="utf-8")


def test_docs_workflow_is_the_example_file() -> None:
    (block,) = [body for body in code_blocks("The workflow", "yaml", DOCS)]
    assert block == EXAMPLE_WORKFLOW.read_text(encoding="utf-8")


def workflow_steps() -> list[dict[str, Any]]:
    document = yaml.safe_load(EXAMPLE_WORKFLOW.read_text(encoding="utf-8"))
    (job,) = document["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def test_workflow_uploads_the_sarif_it_writes_with_a_category() -> None:
    steps = workflow_steps()
    scan = next(s for s in steps if "iacscan scan" in s.get("run", ""))
    assert scan["run"].strip() == "iacscan scan . --format sarif --output iacscan.sarif"
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "iacscan.sarif"
    assert upload["with"]["category"]
    assert steps.index(upload) > steps.index(scan)
    assert "failure()" in upload["if"]  # findings fail the scan step; the upload must still run


def test_workflow_scan_command_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The exact `run:` line, in a checkout holding a finding: exit 1, a SARIF file whose
    paths are relative to the repository root."""
    shutil.copytree(PROJECT / "fixtures" / "workflow" / "baseline-open-ssh", tmp_path / "stack")
    monkeypatch.chdir(tmp_path)
    scan = next(s for s in workflow_steps() if "iacscan scan" in s.get("run", ""))
    words = shlex.split(scan["run"])
    assert words[:2] == ["iacscan", "scan"]
    result = CliRunner().invoke(app, words[1:], catch_exceptions=False)
    assert result.exit_code == 1
    log = json.loads((tmp_path / "iacscan.sarif").read_text(encoding="utf-8"))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {"stack/template.yaml"}


def test_precommit_snippet_uses_the_hook_this_repository_defines() -> None:
    config = yaml.safe_load(precommit_config())
    (repo,) = config["repos"]
    assert repo["repo"] == PUBLISHED_REPO and repo["rev"] == PUBLISHED_REV
    hooks = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in repo["hooks"]] == ["iacscan"]
    assert {h["id"] for h in hooks} == {"iacscan"}


def test_hook_definition() -> None:
    import re

    (hook,) = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["language"] == "python"
    assert hook["entry"].split()[:2] == ["iacscan", "scan"]
    files = re.compile(hook["files"])
    for name in (
        "main.tf",
        "infra/x.tf.json",
        "prod.tfvars",
        "a.auto.tfvars.json",
        "stack.yaml",
        "stack.yml",
        "cdk.out/Stack.template.json",
        "legacy.template",
    ):
        assert files.search(name), name
    for name in ("README.md", "main.py", "Makefile", "notes.tf.bak"):
        assert not files.search(name), name
