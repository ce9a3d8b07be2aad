"""The parse cache and parallel loading: a second scan answers from the cache with the same
report byte for byte, an edited file is parsed again, a damaged entry is ignored and
rewritten, two scans sharing a cache folder at the same time leave it sound, --no-cache
writes nothing, and the report does not depend on the number of worker processes."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.cache import FORMAT, ParseCache
from scanner.findings import LoadError
from scanner.loaders.terraform import files as terraform_files
from scanner.loaders.terraform import hcl as hcl_syntax
from scanner.options import ScanOptions
from scanner.reports.json_report import render_json
from scanner.scan import scan
from tests.support.paths import REPO

PROJECT = REPO
FIXTURES = PROJECT / "fixtures"


def make_tree(tmp_path: Path) -> Path:
    """Two Terraform root modules and two CloudFormation templates."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "example", root / "example")
    shutil.copytree(FIXTURES / "exposure" / "admin-role-imdsv1-reachable", root / "mixed")
    shutil.copytree(FIXTURES / "cloudformation" / "vpc-routing", root / "cfn")
    return root


def cache_entries(cache: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(cache.rglob("*.pickle")) if not p.name.startswith(".tmp-")}


def scan_json(root: Path, cache: Path | None, jobs: int = 1) -> str:
    options = ScanOptions(root=root, cache_dir=cache, jobs=jobs)
    return render_json(scan([root], options))


def cli_json(root: Path, out: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "scanner",
        "scan",
        str(root),
        "--format",
        "json",
        "--output",
        str(out),
        "--fail-on",
        "none",
        *extra,
    ]
    return subprocess.run(command, capture_output=True, text=True, cwd=root, env=env, timeout=300, check=False)


class CountingParser:
    """Wraps the HCL parser to count what is really parsed (not answered by the cache)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.texts: list[str] = []
        real = hcl_syntax.parse_hcl

        def counting(text: str, *rest: object) -> hcl_syntax.Body:  # rest: the grammar cache folder
            self.texts.append(text)
            return real(text, *rest)

        monkeypatch.setattr(hcl_syntax, "parse_hcl", counting)


def test_a_cache_hit_gives_the_same_report_without_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, cache = make_tree(tmp_path), tmp_path / "cache"
    counter = CountingParser(monkeypatch)
    first = scan_json(root, cache)
    assert counter.texts, "the first scan parses the .tf files"
    assert cache_entries(cache), "the first scan fills the cache"
    written = cache_entries(cache)
    counter.texts.clear()
    second = scan_json(root, cache)
    assert counter.texts == []
    assert second == first
    assert cache_entries(cache) == written
    assert '"exposures": [\n    {' in first, "the fixtures have findings to compare"


def test_an_edited_file_misses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, cache = make_tree(tmp_path), tmp_path / "cache"
    before = scan_json(root, cache)
    counter = CountingParser(monkeypatch)
    edited = root / "example" / "main.tf"
    text = edited.read_text()
    assert "0.0.0.0/0" in text
    edited.write_text(text.replace("0.0.0.0/0", "10.0.0.0/8"))
    after = scan_json(root, cache)
    assert counter.texts == [edited.read_text()], "only the edited file is parsed again"
    assert after != before
    assert after == scan_json(root, None), "the cached parts and the new parse agree with a scan without cache"


def test_a_corrupted_entry_is_ignored_and_rewritten(tmp_path: Path) -> None:
    root, cache = make_tree(tmp_path), tmp_path / "cache"
    expected = scan_json(root, cache)
    entries = cache_entries(cache)
    damage = [b"", b"not a pickle at all", pickle.dumps(("another format", 1))]
    for number, entry in enumerate(entries):
        good = entry.read_bytes()
        entry.write_bytes(damage[number % len(damage)] if number % 2 == 0 else good[: len(good) // 2])
    shutil.rmtree(cache / "results")  # else whole results answer the scan and nothing is parsed
    assert scan_json(root, cache) == expected
    assert cache_entries(cache) == entries, "every damaged entry was written again"
    for entry in entries:
        with entry.open("rb") as handle:
            assert pickle.load(handle)[0] == FORMAT


def test_parse_cache_get_or_compute_rewrites_garbage(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path)
    assert cache.get_or_compute(b"data", "p", lambda: {"parsed": 1}) == {"parsed": 1}
    (entry,) = tmp_path.rglob("*.pickle")
    entry.write_bytes(b"\x80\x05garbage")
    assert cache.get_or_compute(b"data", "p", lambda: {"parsed": 2}) == {"parsed": 2}
    assert cache.get_or_compute(b"data", "p", lambda: {"parsed": 3}) == {"parsed": 2}
    assert cache.get_or_compute(b"other data", "p", lambda: {"parsed": 4}) == {"parsed": 4}
    assert cache.get_or_compute(b"data", "another parser", lambda: {"parsed": 5}) == {"parsed": 5}


def many_file_module(folder: Path, files: int = 40) -> None:
    """A root module spread over many files: what two hooks may parse at the same moment."""
    folder.mkdir(parents=True)
    (folder / "network.tf").write_text(
        'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n'
        'resource "aws_subnet" "public" {\n  vpc_id = aws_vpc.main.id\n  cidr_block = "10.0.1.0/24"\n'
        "  map_public_ip_on_launch = true\n}\n"
    )
    for number in range(files):
        (folder / f"web_{number:03}.tf").write_text(
            f'resource "aws_security_group" "web_{number}" {{\n  vpc_id = aws_vpc.main.id\n'
            f'  ingress {{\n    from_port = {20 + number}\n    to_port = {20 + number}\n    protocol = "tcp"\n'
            f'    cidr_blocks = ["0.0.0.0/0"]\n  }}\n}}\n'
            f'resource "aws_instance" "web_{number}" {{\n  ami = "ami-12345678"\n  instance_type = "t3.micro"\n'
            f"  subnet_id = aws_subnet.public.id\n"
            f"  vpc_security_group_ids = [aws_security_group.web_{number}.id]\n}}\n"
        )


def test_two_concurrent_scans_share_a_cache_folder_safely(tmp_path: Path) -> None:
    root, cache = make_tree(tmp_path), tmp_path / "cache"
    many_file_module(root / "many")
    outs = [tmp_path / "first.json", tmp_path / "second.json"]
    commands = [
        [
            sys.executable,
            "-m",
            "scanner",
            "scan",
            str(root),
            "--format",
            "json",
            "--output",
            str(out),
            "--fail-on",
            "none",
            "--cache-dir",
            str(cache),
            "--jobs",
            "2",
        ]
        for out in outs
    ]
    running = [subprocess.Popen(c, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for c in commands]
    for process in running:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr.decode()
    reference = cli_json(root, tmp_path / "reference.json", "--no-cache", "--jobs", "1")
    assert reference.returncode == 0, reference.stderr
    expected = (tmp_path / "reference.json").read_bytes()
    assert outs[0].read_bytes() == expected
    assert outs[1].read_bytes() == expected
    assert not list(cache.rglob(".tmp-*")), "no half-written entry is left behind"
    entries = list(cache.rglob("*.pickle"))
    assert len(entries) >= 42
    for entry in entries:
        with entry.open("rb") as handle:
            assert pickle.load(handle)[0] == FORMAT
    warm = cli_json(root, tmp_path / "warm.json", "--cache-dir", str(cache))
    assert warm.returncode == 0, warm.stderr
    assert (tmp_path / "warm.json").read_bytes() == expected


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    home, xdg = tmp_path / "home", tmp_path / "xdg"
    home.mkdir()
    xdg.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(xdg)}
    done = cli_json(root, tmp_path / "out.json", "--no-cache", "--jobs", "2", env=env)
    assert done.returncode == 0, done.stderr
    assert '"exposures"' in (tmp_path / "out.json").read_text()
    assert list(xdg.rglob("*")) == []
    assert list(home.rglob("*")) == []
    written = cli_json(root, tmp_path / "out2.json", env=env)  # the default folder is used without the flag
    assert written.returncode == 0, written.stderr
    assert list((xdg / "iacscan").rglob("*.pickle"))


def test_the_report_does_not_depend_on_the_number_of_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_tree(tmp_path)
    many_file_module(root / "many")
    one = cli_json(root, tmp_path / "one.json", "--jobs", "1", "--cache-dir", str(tmp_path / "c1"))
    two = cli_json(root, tmp_path / "two.json", "--jobs", "2", "--cache-dir", str(tmp_path / "c2"))
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "two.json").read_bytes()
    # One large root module: its files are parsed by forked workers, which fill the cache too.
    monkeypatch.setattr(terraform_files, "PARALLEL_PARSE_BYTES", 0)
    single = root / "many"
    serial = scan_json(single, None, jobs=1)
    parallel_cache = tmp_path / "c3"
    parallel = scan_json(single, parallel_cache, jobs=2)
    assert parallel == serial
    assert len(cache_entries(parallel_cache)) == 41, "the workers parsed every file of the module"
    # Without a cache the workers send the parsed files back instead.
    assert scan_json(single, None, jobs=2) == serial


def test_files_parsed_in_parallel_without_a_cache_reach_the_load_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "many"
    many_file_module(module)
    monkeypatch.setattr(terraform_files, "PARALLEL_PARSE_BYTES", 0)
    options = ScanOptions(root=tmp_path, cache_dir=None, jobs=2)
    parsed = terraform_files.ParsedFiles()
    terraform_files.parse_in_parallel([module], options, parsed)
    # Every file is kept, whichever process parsed it: the load parses none of them again.
    parses: list[Path] = []
    real_parse = terraform_files._parse_file
    monkeypatch.setattr(
        terraform_files, "_parse_file", lambda path, *rest: parses.append(path) or real_parse(path, *rest)
    )
    files = sorted(module.glob("*.tf"))
    assert len(files) == 41
    for path in files:
        errors: list[LoadError] = []
        source = parsed.parse(path, options.display_path(path), options, errors)
        assert source is not None and source.display == options.display_path(path)
    assert parses == []
