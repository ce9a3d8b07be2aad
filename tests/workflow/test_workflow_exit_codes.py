"""Exit codes of the real command (``python -m scanner scan``, a process of its own): 0 clean,
1 findings or files that could not be read, 2 usage errors and scans that read nothing;
``--fail-on none`` is 0 except for those. Files named that are not IaC (what pre-commit passes
for a commit touching only ci.yml) are a note and exit 0."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPO

FIXTURES = REPO / "fixtures" / "terraform"
UNCLOSED = 'resource "aws_instance" "x" {\n  ami = "ami-12345678"\n'
CLEAN = 'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n'


def iacscan(cwd: Path, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "250"}
    done = subprocess.run(
        [sys.executable, "-m", "scanner", "scan", "--no-cache", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.returncode, done.stdout, done.stderr


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_single_file_that_does_not_parse_reads_nothing_exit_2(tmp_path: Path) -> None:
    write(tmp_path / "infra" / "main.tf", UNCLOSED)
    for extra in ((), ("--fail-on", "none")):
        code, out, err = iacscan(tmp_path, "infra", *extra)
        assert code == 2, err
        assert "infra/main.tf:2: syntax error" in out and "nothing could be read" in err


def test_a_named_folder_without_iac_exit_2_naming_it(tmp_path: Path) -> None:
    write(tmp_path / "infra" / "main.tf", CLEAN)
    write(tmp_path / "docs" / "readme.md", "# docs\n")
    write(tmp_path / "docs" / "compose.yml", "services: {}\n")
    code, _, err = iacscan(tmp_path, "infra", "docs")
    assert code == 2
    assert "docs: no Terraform (.tf, .tf.json, plan JSON) or CloudFormation template found in this folder" in err


def test_named_files_that_are_not_iac_are_a_note_exit_0(tmp_path: Path) -> None:
    write(tmp_path / ".github" / "workflows" / "ci.yml", "on: push\njobs: {}\n")
    code, out, err = iacscan(tmp_path, ".github/workflows/ci.yml")
    assert code == 0, err
    assert "note: .github/workflows/ci.yml: not Terraform or CloudFormation; not scanned" in out


def test_some_files_unreadable_exit_1_unless_fail_on_none(tmp_path: Path) -> None:
    write(tmp_path / "infra" / "network.tf", CLEAN)
    write(tmp_path / "infra" / "broken.tf", UNCLOSED)
    code, out, _ = iacscan(tmp_path, "infra")
    assert code == 1 and "infra/broken.tf:2: syntax error" in out
    assert iacscan(tmp_path, "infra", "--fail-on", "none")[0] == 0
    assert iacscan(tmp_path, "infra", "--fail-on", "critical")[0] == 1


def test_a_clean_scan_exit_0(tmp_path: Path) -> None:
    write(tmp_path / "infra" / "main.tf", CLEAN)
    assert iacscan(tmp_path, "infra")[0] == 0


def test_a_var_terraform_would_refuse_exit_2_naming_the_variable(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "var-checked-against-its-type", tmp_path / "infra")
    code, out, err = iacscan(tmp_path, "infra", "--var", "create_eip=nope", "--fail-on", "none")
    assert code == 2 and out == ""
    assert 'infra/main.tf:3: --var create_eip=nope: a bool is required (variable "create_eip" declared at' in err
    code, _, err = iacscan(tmp_path, "infra", "--var", "environment=qa")
    assert code == 2 and "The environment must be dev or prod." in err
    assert iacscan(tmp_path, "infra", "--var", "create_eip=true", "--fail-on", "none")[0] == 0


@pytest.mark.parametrize(
    ("flag", "value", "words"),
    [
        ("--var-file", "missing.tfvars", "missing.tfvars: no such file"),
        ("--var-file", "bad.tfvars", "bad.tfvars:1: syntax error"),
        ("--sbom", "ami-12345678=missing.json", "--sbom missing.json: cannot read"),
        ("--sbom", "ami-12345678=bad.json", "--sbom bad.json:2: not valid JSON"),
    ],
)
def test_an_input_file_missing_or_unparsable_exit_2(tmp_path: Path, flag: str, value: str, words: str) -> None:
    write(tmp_path / "infra" / "main.tf", CLEAN)
    write(tmp_path / "bad.tfvars", "x = \n")
    write(tmp_path / "bad.json", "{\n")
    code, _, err = iacscan(tmp_path, "infra", flag, value, "--fail-on", "none")
    assert code == 2 and words in err, err


def test_max_instances_from_the_flag_and_the_settings_file(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "count-past-the-bound", tmp_path / "infra")
    code, out, _ = iacscan(tmp_path, "infra", "--fail-on", "none")
    assert code == 0 and "aws_instance.fleet[*]" in out and "aws_instance.small[1]" in out
    out = iacscan(tmp_path, "infra", "--fail-on", "none", "--max-instances", "1")[1]
    assert "aws_instance.small[*]" in out and "count of 2 is more than --max-instances 1" in out
    write(tmp_path / ".iacscan.toml", "max-instances = 1\n")
    assert "aws_instance.small[*]" in iacscan(tmp_path, "infra", "--fail-on", "none")[1]
    write(tmp_path / ".iacscan.toml", "max-instances = 0\n")
    code, _, err = iacscan(tmp_path, "infra")
    assert code == 2 and "max-instances must be a whole number of 1 or more" in err
