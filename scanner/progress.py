"""The progress display of a scan: a rich spinner on stderr, on a terminal only, and only
once the scan has taken longer than a moment, so quick scans (a pre-commit hook) and CI
logs stay clean."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from scanner.console import StderrConsole

DELAY_SECONDS = 0.5


class ScanProgress:
    """Call it with what is being loaded; use it as a context manager around the scan.
    Nothing is drawn when ``console`` is not a terminal (a ``StderrConsole`` then never
    loads rich)."""

    def __init__(self, console: Console | StderrConsole, delay: float = DELAY_SECONDS) -> None:
        self.console = console
        self.delay = delay
        self.loaded = 0
        self.current = "configurations"
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._closed = False

    @property
    def enabled(self) -> bool:
        return self.console.is_terminal

    def __enter__(self) -> ScanProgress:
        if self.enabled:
            self._timer = threading.Timer(self.delay, self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def __call__(self, what: str) -> None:
        with self._lock:
            self.loaded += 1
            self.current = what
            if self._progress is not None and self._task is not None:
                self._progress.update(self._task, description=self._description())

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            if self._progress is not None:
                self._progress.stop()
                self._progress = None

    @property
    def shown(self) -> bool:
        return self._progress is not None

    def _description(self) -> str:
        return f"scanning: {self.current} ({self.loaded} loaded)"

    def _show(self) -> None:
        with self._lock:
            if self._closed:
                return
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn  # terminals only

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=self.console if isinstance(self.console, Console) else self.console.rich,
                transient=True,
            )
            self._task = self._progress.add_task(self._description(), total=None)
            self._progress.start()
