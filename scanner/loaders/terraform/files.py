"""Reading Terraform files: ``.tf`` / ``.tf.json`` / ``.tfvars(.json)`` text -> ``SourceFile``.

A file is read only below the size limit, as UTF-8 text, never when it holds NUL bytes; its
``iacscan:ignore`` comments are collected with it. What a text parses to is kept in the
content-addressed parse cache (``scanner.cache``). ``ParsedFiles`` keeps the files parsed
during one scan, so root modules sharing a child module parse it once, and
``parse_in_parallel`` parses a large module's files in parallel processes before it is loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from scanner.cache import ParseCache
from scanner.findings import LoadError
from scanner.frozen import frozen
from scanner.loaders.terraform import hcl as syn
from scanner.loaders.terraform.file_names import is_terraform_file
from scanner.options import ScanOptions


def link_display(path: Path, options: ScanOptions) -> str:
    """How reports name a symbolic link: its own place in the tree, never the target
    (which may be outside the scanned folder and must not be shown)."""
    folder = options.display_path(path.parent)
    return path.name if folder in (".", "") else f"{folder}/{path.name}"


@frozen
class IgnoreComment:
    line: int
    rule_ids: tuple[str, ...]
    reason: str


@dataclass
class SourceFile:
    path: Path
    display: str
    body: syn.Body
    ignores: list[IgnoreComment]
    comment_lines: frozenset[int]  # lines holding only a comment (for "immediately above")


_IGNORE_RE = re.compile(r"(?:#|//)\s*iacscan:ignore\s+([A-Za-z0-9_.\-]+(?:\s*,\s*[A-Za-z0-9_.\-]+)*)\s*(.*)$")
_COMMENT_ONLY_RE = re.compile(r"^\s*(#|//|/\*|\*)")


def _scan_comments(text: str) -> tuple[list[IgnoreComment], frozenset[int]]:
    ignores: list[IgnoreComment] = []
    comment_lines: set[int] = set()
    if "iacscan:ignore" not in text:
        return ignores, frozenset()
    for number, line in enumerate(text.splitlines(), start=1):
        if _COMMENT_ONLY_RE.match(line):
            comment_lines.add(number)
        if "iacscan:ignore" in line:
            match = _IGNORE_RE.search(line)
            if match:
                ids = tuple(x.strip() for x in match.group(1).split(","))
                reason = match.group(2).strip().rstrip("*/").strip()
                ignores.append(IgnoreComment(number, ids, reason))
    return ignores, frozenset(comment_lines)


def _read_text(path: Path, display: str, options: ScanOptions, errors: list[LoadError]) -> str | None:
    try:
        size = path.stat().st_size
        if size > options.max_file_bytes:
            errors.append(
                LoadError(display, 0, f"file is {size} bytes, larger than the limit {options.max_file_bytes}; not read")
            )
            return None
        data = path.read_bytes()
    except OSError as exc:
        errors.append(LoadError(display, 0, f"cannot read file: {exc.strerror or exc}"))
        return None
    if b"\x00" in data[:8192]:
        errors.append(LoadError(display, 0, "binary file (NUL bytes), not Terraform text; not read"))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        errors.append(LoadError(display, line, "file is not UTF-8 text; not read"))
        return None


_PARSED_LIMIT = 4096  # files kept by one ParsedFiles at most: past it, it starts again


_FileKey = tuple[str, int, int, str]  # real path, size, mtime, display
ParsedFile = tuple[Optional[SourceFile], list[LoadError]]  # noqa: UP045


def _file_key(path: Path, display: str) -> _FileKey:
    """A file as ``ParsedFiles`` knows it: an edited or replaced file is another file."""
    stat = path.stat()
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns, display)


class ParsedFiles:
    """The files parsed during one scan, by (real path, size, mtime, display): a repository's
    root modules share their child modules, and parsing dominates load time. The pipeline
    creates one for a scan and drops it once every configuration is loaded (the parsed files
    are then most of the scan's memory: 3/4 at 10,000 instances); a load given none (a job
    in a worker process, a test) makes its own."""

    def __init__(self) -> None:
        self._files: dict[_FileKey, ParsedFile] = {}

    def parse(self, path: Path, display: str, options: ScanOptions, errors: list[LoadError]) -> SourceFile | None:
        """The parsed file (None when it cannot be read or parsed; ``errors`` says why), from
        memory when this scan has parsed it already."""
        try:
            key = _file_key(path, display)
        except OSError:
            return _parse_file(path, display, options, errors)
        if key[1] > options.max_file_bytes:
            return _parse_file(path, display, options, errors)
        cached = self._files.get(key)
        if cached is None:
            found: list[LoadError] = []
            cached = (_parse_file(path, display, options, found), found)
            self._store(key, cached)
        errors.extend(cached[1])
        return cached[0]

    def keep(self, path: Path, display: str, result: ParsedFile | None) -> None:
        """A file parsed elsewhere (``parse_in_parallel``), for ``parse`` to return."""
        if result is None:
            return
        try:
            key = _file_key(path, display)
        except OSError:
            return
        self._store(key, result)

    def _store(self, key: _FileKey, parsed: ParsedFile) -> None:
        if len(self._files) >= _PARSED_LIMIT:
            self._files.clear()
        self._files[key] = parsed


def _parse_file(path: Path, display: str, options: ScanOptions, errors: list[LoadError]) -> SourceFile | None:
    text = _read_text(path, display, options, errors)
    if text is None:
        return None
    kind = _kind_of(path)
    cache = ParseCache(options.cache_dir)
    body, problem, ignores, comment_lines = cache.get_or_compute(
        text.encode("utf-8"), f"terraform-{kind}", lambda: _parse_text(text, kind, options.cache_dir)
    )
    if body is None:
        line, message = problem or (0, "cannot parse")
        errors.append(LoadError(display, line, message))
        return None
    return SourceFile(path, display, body, ignores, comment_lines)


# Below this many bytes to parse, starting worker processes costs more than it saves.
PARALLEL_PARSE_BYTES = 512 * 1024


def parse_in_parallel(folders: list[Path], options: ScanOptions, parsed: ParsedFiles | None) -> None:
    """Parse the Terraform files of ``folders`` across ``options.jobs`` processes, so a
    cold scan of one large root module uses every CPU: forked workers parse (and write the
    parse cache, when there is one) and send each file back, and ``parsed`` keeps it for
    the load that follows (None: the load runs in other processes, which read the cache;
    then the workers only fill the cache). Files the parse cache holds already are left to
    the load (reading them is quick). Each result depends only on the file's bytes, never on
    which process parsed it, so the output is the same with any number of workers."""
    if options.jobs < 2 or (parsed is None and options.cache_dir is None):
        return
    from scanner.forked_parts import map_shared

    cache = ParseCache(options.cache_dir)
    todo: list[tuple[int, Path]] = []
    for folder in folders:
        try:
            paths = sorted(p for p in folder.iterdir() if is_terraform_file(p) and p.is_file())
        except OSError:
            continue
        for path in paths:
            try:
                size = path.stat().st_size
                if size > options.max_file_bytes or not options.inside_root(path):
                    continue
                if cache.directory is not None and cache.has(path.read_bytes(), f"terraform-{_kind_of(path)}"):
                    continue
            except OSError:
                continue
            todo.append((size, path))
    if len(todo) < 2 or sum(size for size, _ in todo) < PARALLEL_PARSE_BYTES:
        return
    todo.sort(key=lambda item: -item[0])  # largest first: the processes finish together
    files = [path for _, path in todo]
    results = map_shared(files, lambda path: _parse_one(path, options, parsed is not None), options.jobs)
    if parsed is not None:
        for path, result in zip(files, results, strict=True):
            parsed.keep(path, options.display_path(path), result)


def _parse_one(path: Path, options: ScanOptions, send: bool) -> ParsedFile | None:
    """A file parsed as the load would, when ``send`` (else only into the parse cache);
    None when it cannot be parsed here: the load then tries again and reports the problem."""
    errors: list[LoadError] = []
    try:
        source = _parse_file(path, options.display_path(path), options, errors)
    except Exception:
        return None
    return (source, errors) if send else None


def _kind_of(path: Path) -> str:
    return "tfvars.json" if path.name.endswith(".tfvars.json") else "tf.json" if path.name.endswith(".json") else "hcl"


ParsedText = tuple[Optional[syn.Body], Optional[tuple[int, str]], list[IgnoreComment], frozenset[int]]  # noqa: UP045


def _parse_text(text: str, kind: str, grammar_cache: Path | None) -> ParsedText:
    """What a file's text parses to, independent of where the file is: the unit the
    content-addressed parse cache stores."""
    try:
        if kind == "tfvars.json":
            body = syn.parse_tfvars_json(text)
        elif kind == "tf.json":
            body = syn.parse_hcl_json(text, grammar_cache)
        else:
            body = syn.parse_hcl(text, grammar_cache)
    except syn.HclSyntaxError as exc:
        return None, (exc.line, exc.message), [], frozenset()
    except RecursionError:
        return None, (0, "syntax nested too deeply to read"), [], frozenset()
    ignores, comment_lines = _scan_comments(text)
    return body, None, ignores, comment_lines
