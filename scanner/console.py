"""The scan's stderr console: rich's ``Console``, made (and rich imported) only when
something is printed or a terminal may show the progress display.

Importing rich costs about 20 ms, a twentieth of a warm scan of a small repository, and a
scan that writes its report to a file or a pipe usually prints nothing to stderr.
``is_terminal`` answers without rich when rich would say no: stderr is not a terminal and
neither ``TTY_COMPATIBLE=1`` nor ``FORCE_COLOR`` says otherwise (rich's own rules, see
``rich.console.Console.is_terminal``); in every other case rich decides."""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


class StderrConsole:
    def __init__(self, soft_wrap: bool = False) -> None:
        self.soft_wrap = soft_wrap
        self._console: Console | None = None

    @property
    def rich(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=True, soft_wrap=self.soft_wrap)
        return self._console

    def print(self, *objects: Any, **options: Any) -> None:
        self.rich.print(*objects, **options)

    @property
    def file(self) -> IO[str]:
        return self._console.file if self._console is not None else sys.stderr

    @property
    def is_terminal(self) -> bool:
        if not _may_be_terminal():
            return False
        return self.rich.is_terminal


def _may_be_terminal() -> bool:
    """False only where rich's Console(stderr=True).is_terminal is False too."""
    if os.environ.get("TTY_COMPATIBLE", "") == "1" or os.environ.get("FORCE_COLOR") is not None:
        return True
    isatty = getattr(sys.stderr, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except ValueError:  # a closed stream
        return False
