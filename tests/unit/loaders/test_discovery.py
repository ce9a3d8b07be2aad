"""Which configurations a set of paths holds: a changed file is checked with its context."""

from __future__ import annotations

import shutil
from pathlib import Path

from scanner.discovery import discover
from scanner.options import ScanOptions
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures"


def test_a_changed_file_in_a_local_child_module_is_checked_through_its_caller(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "terraform" / "local-module", tmp_path / "repo")
    root = tmp_path / "repo"
    child = next((root / "modules").iterdir())
    found = discover([child / "main.tf"], ScanOptions(root=root))
    assert found.terraform_modules == [root.resolve()]
    assert any("is a module: checked through" in n for n in found.notices)


def test_a_changed_file_in_a_module_nobody_calls_is_its_own_root(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "example", tmp_path / "repo" / "example")
    root = tmp_path / "repo"
    found = discover([root / "example" / "main.tf"], ScanOptions(root=root))
    assert found.terraform_modules == [(root / "example").resolve()]
    assert found.notices == []


def test_a_folder_walk_skips_modules_that_a_scanned_root_calls(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "terraform" / "local-module", tmp_path / "repo")
    root = tmp_path / "repo"
    found = discover([root], ScanOptions(root=root))
    assert found.terraform_modules == [root.resolve()]


def test_files_that_are_not_templates_are_skipped_quietly(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n", encoding="utf-8")
    (tmp_path / "package.json").write_text('{"name": "x"}\n', encoding="utf-8")
    found = discover([tmp_path / "compose.yaml", tmp_path / "package.json"], ScanOptions(root=tmp_path))
    assert found.paths["cloudformation"] == [] and found.paths["terraform-plan"] == [] and found.errors == []
