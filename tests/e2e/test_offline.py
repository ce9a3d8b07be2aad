"""The offline guarantee: a full scan (loaders, analyses, vulnerability data, every report
format, the graph export) opens no network connection and starts no process.

Every way Python opens a socket or runs a program is replaced by a tripwire that raises
and records the attempt; the scanner must neither call one nor swallow the error."""

from __future__ import annotations

import io
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cfnlint.decode import cfn_json  # noqa: F401  (imported before the patches: no module may cache a tripwire)
from rich.console import Console
from typer.testing import CliRunner

import scanner.loaders.cloudformation.cdk
import scanner.loaders.cloudformation.imports
import scanner.loaders.terraform
import scanner.loaders.terraform.plan
import scanner.vulndata  # noqa: F401
from scanner.cli import app
from scanner.options import ScanOptions
from scanner.reports.json_report import render_json
from scanner.reports.sarif import render_sarif
from scanner.reports.text import render_text
from scanner.scan import scan
from tests.support.crash_check import caught_bugs
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures"
OFFLINE_ROOTS = (
    "example",
    "cloudformation",
    "terraform_plan",
    "terraform/local-module",
    "terraform/registry-module-via-modules-json",
    "terraform/file-outside-root",
    "vulnerabilities",
)


class Tripwire(RuntimeError):
    pass


@pytest.fixture
def attempts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    seen: list[str] = []

    def trip(what: str) -> object:
        def refuse(*args: object, **kwargs: object) -> object:
            seen.append(f"{what}{args[:2]!r}")
            raise Tripwire(f"the scanner tried {what}")

        return refuse

    class NoSocket(socket.socket):  # a class, so that modules subclassing socket.socket still import
        def __init__(self, *args: object, **kwargs: object) -> None:
            trip("socket.socket")(*args)

    monkeypatch.setattr(socket, "socket", NoSocket)
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "socketpair", "fromfd"):
        monkeypatch.setattr(socket, name, trip(f"socket.{name}"))
    monkeypatch.setattr(subprocess, "Popen", trip("subprocess.Popen"))
    for name in (
        "system",
        "popen",
        "fork",
        "forkpty",
        "posix_spawn",
        "posix_spawnp",
        "execv",
        "execve",
        "execl",
        "execle",
        "execlp",
        "execlpe",
        "execvp",
        "execvpe",
        "spawnv",
        "spawnve",
        "spawnl",
        "spawnlp",
    ):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, trip(f"os.{name}"))
    yield seen
    assert seen == [], f"network or process attempts: {seen}"


def test_full_scan_and_every_report_stay_offline(attempts: list[str]) -> None:
    for name in OFFLINE_ROOTS:
        root = FIXTURES / name
        result = scan([root], ScanOptions(root=root))
        assert result.configurations, name
        assert caught_bugs(result) == [], name
        render_json(result)
        render_sarif(result)
        render_text(result, Console(file=io.StringIO(), width=120))
    assert attempts == []


def test_cli_with_vulnerability_data_stays_offline(
    attempts: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    case = FIXTURES / "vulnerabilities" / "kev-cve-on-image-sbom"
    data = FIXTURES / "vulnerabilities" / "offline-data"
    monkeypatch.chdir(case)
    runner = CliRunner()
    for output_format in ("json", "sarif", "text"):
        out = tmp_path / f"report.{output_format}"
        done = runner.invoke(
            app,
            [
                "scan",
                ".",
                "--format",
                output_format,
                "-o",
                str(out),
                "--sbom",
                "ami-0abc1234def567890=sboms/web.cdx.json",
                "--vuln-db",
                str(data / "osv"),
                "--kev",
                str(data / "kev.json"),
                "--epss",
                str(data / "epss.csv"),
            ],
        )
        assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
        assert done.exit_code in (0, 1), done.output
        assert out.read_text().strip()
    graph = runner.invoke(app, ["graph", ".", "--format", "json"])
    assert graph.exit_code == 0, graph.output
    assert attempts == []


def test_the_tripwires_fire(attempts: list[str]) -> None:
    """The patches really stop a connection and a process (else the tests above prove nothing)."""
    with pytest.raises(Tripwire):
        socket.create_connection(("example.com", 443))
    with pytest.raises(Tripwire):
        subprocess.run(["true"], check=False)
    with pytest.raises(Tripwire):
        os.system("true")
    assert len(attempts) == 3
    attempts.clear()
