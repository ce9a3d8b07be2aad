"""Same input, same bytes: JSON and SARIF do not depend on the run, the hash seed or the
order in which the file system lists a folder (baselines and code-scanning alerts key on them)."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.options import ScanOptions
from scanner.reports.json_report import render_json
from scanner.reports.sarif import render_sarif
from scanner.scan import scan
from tests.support.paths import REPO

PROJECT = REPO
FIXTURES = PROJECT / "fixtures"
MIXED = (
    "example",
    "cloudformation/instance-references",
    "cloudformation/nested-stack-passes-subnet",
    "cloudformation/security-group-protocols",
    "cloudformation/iam-role-policies",
    "terraform/count-and-for-each",
    "terraform/local-module",
    "terraform/syntax-error-in-one-file",
    "terraform_plan",
    "hostile/binary-and-wrong-encodings",
    "hostile/circular-module-calls",
)

CHILD = """
import sys
from pathlib import Path
from scanner.options import ScanOptions
from scanner.reports.json_report import render_json
from scanner.reports.sarif import render_sarif
from scanner.scan import scan
root = Path(sys.argv[1])
result = scan([root], ScanOptions(root=root))
Path(sys.argv[2]).write_text(render_json(result))
Path(sys.argv[3]).write_text(render_sarif(result))
"""


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Several configurations of every kind, with findings, load errors and notices."""
    root = tmp_path_factory.mktemp("mixed")
    for name in MIXED:
        shutil.copytree(FIXTURES / name, root / name.replace("/", "-"))
    return root


def reports(root: Path) -> tuple[str, str]:
    result = scan([root], ScanOptions(root=root))
    return render_json(result), render_sarif(result)


def test_reports_are_byte_identical_across_hash_seeds(tree: Path, tmp_path: Path) -> None:
    outputs = []
    for seed in ("0", "1", "4242"):
        json_path, sarif_path = tmp_path / f"{seed}.json", tmp_path / f"{seed}.sarif"
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")])),
        }
        subprocess.run(
            [sys.executable, "-c", CHILD, str(tree), str(json_path), str(sarif_path)],
            check=True,
            env=env,
            cwd=PROJECT,
            timeout=120,
        )
        outputs.append((json_path.read_bytes(), sarif_path.read_bytes()))
    assert json.loads(outputs[0][0])["exposures"], "the tree has findings to order"
    assert outputs[0] == outputs[1] == outputs[2]


@pytest.fixture
def shuffled_listings(monkeypatch: pytest.MonkeyPatch) -> Iterator[random.Random]:
    """``os.scandir``, ``os.listdir``, ``Path.iterdir`` and ``Path.glob`` list in a random order."""
    shuffle = random.Random(7)
    real_scandir, real_listdir = os.scandir, os.listdir
    real_iterdir, real_glob = Path.iterdir, Path.glob

    class Listing:
        def __init__(self, entries: list[os.DirEntry[str]]) -> None:
            self.entries = entries

        def __iter__(self) -> Iterator[os.DirEntry[str]]:
            return iter(self.entries)

        def __enter__(self) -> Listing:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def close(self) -> None:
            return None

    def scandir(path: object = ".") -> Listing:
        with real_scandir(path) as listing:  # type: ignore[call-overload]
            entries = list(listing)
        shuffle.shuffle(entries)
        return Listing(entries)

    def listdir(path: object = ".") -> list[str]:
        names = real_listdir(path)  # type: ignore[call-overload]
        shuffle.shuffle(names)
        return names  # type: ignore[no-any-return]

    def iterdir(self: Path) -> Iterator[Path]:
        paths = list(real_iterdir(self))
        shuffle.shuffle(paths)
        return iter(paths)

    def glob(self: Path, pattern: str) -> Iterator[Path]:
        paths = list(real_glob(self, pattern))
        shuffle.shuffle(paths)
        return iter(paths)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "listdir", listdir)
    monkeypatch.setattr(Path, "iterdir", iterdir)
    monkeypatch.setattr(Path, "glob", glob)
    yield shuffle


def test_reports_do_not_depend_on_listing_order(tree: Path, shuffled_listings: random.Random) -> None:
    first = reports(tree)
    for _ in range(3):
        assert reports(tree) == first


def test_the_listing_shuffle_is_real(tree: Path, shuffled_listings: random.Random) -> None:
    orders = {tuple(p.name for p in tree.iterdir()) for _ in range(5)}
    assert len(orders) > 1
