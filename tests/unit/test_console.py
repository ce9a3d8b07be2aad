"""The lazy stderr console answers is_terminal as rich does, and prints through rich."""

from __future__ import annotations

import pytest
from rich.console import Console

from scanner.console import StderrConsole

ENVIRONMENTS: list[dict[str, str]] = [
    {},
    {"FORCE_COLOR": "1"},
    {"FORCE_COLOR": ""},
    {"TTY_COMPATIBLE": "1"},
    {"TTY_COMPATIBLE": "0"},
    {"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"},
]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_is_terminal_is_what_rich_says(environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert StderrConsole().is_terminal == Console(stderr=True).is_terminal


def test_off_a_terminal_nothing_is_made_until_something_is_printed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    console = StderrConsole(soft_wrap=True)
    assert console.is_terminal is False
    console.file.write("plain\n")
    console.print("[red]error:[/red] main.tf:3 " + "x" * 200, highlight=False)
    err = capsys.readouterr().err
    assert err.startswith("plain\nerror: main.tf:3 ")
    assert "x" * 200 + "\n" in err  # soft wrap: one line however long
