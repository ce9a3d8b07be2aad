"""How iacscan feels on the command line: --version, `rules`, the highlighted dot graph
(rendered by Graphviz when it is installed) and the progress display that only appears on
a terminal, and only when a scan takes more than a moment."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from scanner import __version__
from scanner.cli import app
from scanner.findings import Severity
from scanner.iam_catalogue import data_sources
from scanner.progress import ScanProgress
from scanner.reports.graph_dot import PATH_COLOUR, SEVERITY_FILL
from scanner.rules.registry import TRAIT_RULE_IDS, all_rules
from tests.support.paths import REPO

PROJECT = REPO
EXAMPLE = PROJECT / "fixtures" / "example"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout


def test_version_names_the_bundled_iam_data() -> None:
    code, out = invoke("--version")
    assert code == 0
    first, *data = out.splitlines()
    assert first == f"iacscan {__version__}"
    assert [line.split(":", 1)[0].strip() for line in data] == sorted(data_sources())
    assert all("version" in line and "as of 20" in line for line in data)


def test_rules_one_line_each_with_severity() -> None:
    code, out = invoke("rules")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(all_rules())
    by_id = {line.split()[0]: line for line in lines}
    assert set(TRAIT_RULE_IDS) <= set(by_id)
    for rule in all_rules():
        line = by_id[rule.id]
        assert line.endswith(rule.short_description)
        if rule.security_severity is not None:
            assert f"{rule.security_severity:.1f}" in line
    assert re.search(r"^ec2-exposure-critical\s+critical\s+9\.5\s", by_id["ec2-exposure-critical"])
    assert re.search(r"^ec2-exposure-low\s+low\s+2\.0\s", by_id["ec2-exposure-low"])


@pytest.fixture
def example_dot(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(PROJECT)
    code, out = invoke("graph", "fixtures/example", "--format", "dot")
    assert code == 0
    return out


def node_line(dot: str, address: str) -> str:
    return next(line for line in dot.splitlines() if line.strip().startswith(f'"{address}" ['))


def test_dot_highlights_exposed_workloads(example_dot: str) -> None:
    bastion = node_line(example_dot, "aws_instance.bastion")
    assert f'fillcolor="{SEVERITY_FILL[Severity.CRITICAL]}"' in bastion and "ec2-remote-access" in bastion
    app_server = node_line(example_dot, "aws_instance.app")
    assert "fillcolor" not in app_server and PATH_COLOUR not in app_server  # the quiet app server


def test_dot_draws_the_internet_path_in_red(example_dot: str) -> None:
    red_edges = [line for line in example_dot.splitlines() if "->" in line and PATH_COLOUR in line]
    assert any(line.strip().startswith('"internet" -> ') for line in red_edges)
    assert any('-> "aws_instance.bastion"' in line for line in red_edges)
    assert PATH_COLOUR in node_line(example_dot, "aws_internet_gateway.main")
    assert not any("aws_instance.app" in line for line in red_edges)


def test_several_configurations_make_one_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT / "fixtures" / "workflow" / "precommit-repo")
    code, out = invoke("graph", ".", "--format", "dot")
    assert code == 0
    assert out.count("digraph") == 1 and out.count("subgraph cluster_") == 2
    assert '"infra::aws_instance.web"' in out and '"app/template.yaml::App"' in out


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed: the dot text is not rendered")
def test_graphviz_renders_it(example_dot: str, tmp_path: Path) -> None:
    source = tmp_path / "graph.dot"
    source.write_text(example_dot, encoding="utf-8")
    svg = tmp_path / "graph.svg"
    done = subprocess.run(["dot", "-Tsvg", str(source), "-o", str(svg)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    text = svg.read_text(encoding="utf-8")
    assert text.count("<svg") == 1 and "aws_instance.bastion" in text and PATH_COLOUR in text


def terminal() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, width=100), buffer


def test_progress_shows_on_a_terminal_when_the_scan_is_slow() -> None:
    console, buffer = terminal()
    with ScanProgress(console, delay=0.01) as progress:
        progress("infra")
        deadline = time.monotonic() + 5
        while not progress.shown and time.monotonic() < deadline:
            time.sleep(0.01)
        assert progress.shown
        progress("app/template.yaml")
    assert not progress.shown
    assert "app/template.yaml (2 loaded)" in buffer.getvalue()


def test_progress_stays_quiet_for_a_quick_scan() -> None:
    console, buffer = terminal()
    with ScanProgress(console, delay=5) as progress:
        progress("infra")
    assert not progress.shown and buffer.getvalue() == ""


def test_progress_never_shows_off_a_terminal() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=False)
    with ScanProgress(console, delay=0) as progress:
        progress("infra")
        time.sleep(0.05)
    assert not progress.enabled and not progress.shown and buffer.getvalue() == ""
