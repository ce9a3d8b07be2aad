"""A content-addressed cache of parse results.

Key: the SHA-256 of the file's bytes, the parser's name and the tool's own code
(``code_fingerprint``), so an edited file misses and a changed iacscan never reads an old
format. Entries are written to a
temporary file and renamed into place (atomic on POSIX and Windows), so concurrent scans
never see half an entry; an entry that cannot be read is ignored and rewritten.

Location: ``--cache-dir``, else ``$XDG_CACHE_HOME/iacscan``, else ``~/.cache/iacscan``.
The cache holds only what iacscan itself wrote there; it is the user's own folder.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from scanner import __version__

T = TypeVar("T")
FORMAT = "1"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The installed scanner's own files (name, size, modification time): part of every
    cache key, so a changed iacscan never reuses what an older one stored, even when the
    version number stays the same (an editable install, a build from a branch)."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".json", ".lark", ".xz") and path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(package).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "iacscan"


class ParseCache:
    """``directory`` None disables caching (``--no-cache``)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.hits = 0
        self.misses = 0

    def key(self, data: bytes, parser: str) -> str:
        digest = hashlib.sha256()
        digest.update(f"{parser}\0{code_fingerprint()}\0{FORMAT}\0".encode())
        digest.update(data)
        return digest.hexdigest()

    def has(self, data: bytes, parser: str) -> bool:
        """Whether an entry for these bytes exists (it may still turn out unreadable)."""
        if self.directory is None:
            return False
        key = self.key(data, parser)
        return (self.directory / key[:2] / f"{key}.pickle").is_file()

    def get_or_compute(self, data: bytes, parser: str, compute: Callable[[], T]) -> T:
        if self.directory is None:
            return compute()
        key = self.key(data, parser)
        entry = self.directory / key[:2] / f"{key}.pickle"
        found = self._read(entry)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        value = compute()
        self._write(entry, value)
        return value

    def _read(self, entry: Path) -> Any:
        collecting = gc.isenabled()
        gc.disable()  # unpickling builds thousands of live objects: collecting meanwhile is wasted (4x slower)
        try:
            with entry.open("rb") as handle:
                stored = pickle.load(handle)
        except FileNotFoundError:
            return None
        except Exception:  # a corrupted or foreign entry: ignore it, it is rewritten below
            return None
        finally:
            if collecting:
                gc.enable()
        if not isinstance(stored, tuple) or len(stored) != 2 or stored[0] != FORMAT:
            return None
        return stored[1]

    def _write(self, entry: Path, value: Any) -> None:
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".pickle")
            try:
                with os.fdopen(handle, "wb") as out:
                    pickle.dump((FORMAT, value), out, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, entry)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
            # A read-only or full cache folder must not fail the scan.
            return
