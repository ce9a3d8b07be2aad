"""Reading a CloudFormation template: cfn-lint's decoder, spans.

Discovery asks ``sniff`` whether a file is a template. The loader decodes it with cfn-lint
(YAML, with the short forms such as ``!Ref``, or JSON) and checks the decoded document
against the same rule (``sniff.is_template_document``): a document that is not a template
(no ``AWSTemplateFormatVersion``, no ``AWS::`` ``Transform``, no ``Resources`` mapping with
an ``AWS::`` type) is no template of the scan, and no error either; a file that cannot be
decoded is a template when its text looks like one (``sniff.looks_like_template``). A
template without a ``Resources`` mapping is an error. (A nested stack whose file is no
template is a notice of its parent: ``stack``.)

What cfn-lint finds wrong becomes a ``LoadError``, except a mapping that repeats a key:
cfn-lint refuses it, but the template is read the way a YAML loader reads it, the later
key winning (``repeated_keys``), and each repeated key is a *warning* at its line: the
template is complete, one value written twice is ignored.

The decoded tree is copied into picklable marked nodes (``nodes``) so the parse cache can
keep it. A template is read at most once per load: ``TemplateCache`` belongs to that load.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.cache import ParseCache
from scanner.findings import LoadError
from scanner.loaders.cloudformation.nodes import marked_copy
from scanner.loaders.cloudformation.repeated_keys import TooLarge, decode_later_key_wins, is_repeated_key_message
from scanner.loaders.cloudformation.sniff import PROBE_BYTES, is_template_document, looks_like_template, wide_text
from scanner.options import ScanOptions
from scanner.values import Span

# cfn-lint logs every decode problem at ERROR level; we report them as LoadErrors instead.
logging.getLogger("cfnlint").addHandler(logging.NullHandler())
logging.getLogger("cfnlint").propagate = False

# --- decoding ---------------------------------------------------------------------------------


@dataclass
class Template:
    """A decoded template file: cfn-lint's node tree (0-based marks) and the file's lines.
    ``warnings``: what was read despite a problem (a repeated key); ``is_template`` False: the
    file is not a CloudFormation template (``document`` None; a top-level load skips it)."""

    path: Path
    display: str
    document: dict[str, Any] | None
    lines: list[str]
    errors: list[LoadError]
    warnings: list[LoadError] = field(default_factory=list)
    is_template: bool = True


def decode_template(path: Path, options: ScanOptions) -> Template:
    display = options.display_path(path)
    if not options.inside_root(path):
        return Template(path, display, None, [], [LoadError(display, 0, "file is outside the scanned root")])
    try:
        size = path.stat().st_size
        if size > options.max_file_bytes:
            message = f"file is {size} bytes, over the {options.max_file_bytes}-byte limit"
            return Template(path, display, None, [], [LoadError(display, 0, message)])
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        encoding = " (it is UTF-16 or UTF-32: save it as UTF-8)" if wide_text(data[:PROBE_BYTES]) else ""
        return Template(path, display, None, [], [LoadError(display, 0, f"file is not UTF-8 text{encoding}")])
    except OSError as error:
        return Template(path, display, None, [], [LoadError(display, 0, f"cannot read file: {error.strerror}")])
    lines = text.splitlines()
    cache = ParseCache(options.cache_dir)
    decoded = cache.get_or_compute(data, "cloudformation-decode", lambda: _decode(text, display))
    document, errors, warnings = decoded
    if errors:  # whether a file that cannot be decoded is a template, its text says
        return Template(path, display, None, lines, errors, is_template=looks_like_template(data[:PROBE_BYTES]))
    if not is_template_document(document):
        return Template(path, display, None, lines, [], is_template=False)
    resources = document.get("Resources")
    if not isinstance(resources, dict):
        line = _mark_line(getattr(resources, "start_mark", None)) if resources is not None else 0
        no_resources = LoadError(display, line, "template has no Resources mapping")
        return Template(path, display, None, lines, [no_resources], warnings)
    return Template(path, display, document, lines, [], warnings)


Decoded = tuple[Any, list[LoadError], list[LoadError]]  # (document, errors, warnings)


def _decode(text: str, display: str) -> Decoded:
    """cfn-lint's decode, turned into picklable nodes so the parse cache can keep it."""
    # Imported here: importing cfn-lint takes seconds, and a warm cache never needs it.
    from cfnlint.decode import decode_str

    try:
        document, matches = decode_str(text)
    except Exception as error:  # cfn-lint guards most inputs; never let one template stop the scan
        return None, [LoadError(display, 0, f"cannot decode template: {error}")], []
    errors = [LoadError(display, max(int(getattr(m, "linenumber", 0) or 0), 0), str(m.message)) for m in matches]
    warnings: list[LoadError] = []
    if errors and all(is_repeated_key_message(error.message) for error in errors):
        document, errors, warnings = _decode_repeated_keys(text, display, errors)
    if errors:
        return None, errors, []
    try:
        return marked_copy(document), [], warnings
    except RecursionError:
        return None, [LoadError(display, 0, "template is nested too deeply to read")], []


def _decode_repeated_keys(text: str, display: str, refused: list[LoadError]) -> Decoded:
    """The template cfn-lint refused for repeated keys alone, read with the later key winning;
    each repeated key a warning. Anything else wrong with it: cfn-lint's errors stand."""
    try:
        document, repeated = decode_later_key_wins(text)
    except TooLarge as error:
        return None, [LoadError(display, 0, str(error))], []
    except Exception:  # another problem behind the repeated keys: report what cfn-lint found
        return None, refused, []
    return document, [], [LoadError(display, r.kept_line, r.message) for r in repeated]


def _mark_line(mark: Any) -> int:
    return int(mark.line) + 1 if mark is not None else 0


class TemplateCache:
    """The templates one load has decoded, by resolved path: a template named by several
    stacks (or nested twice) is read once. Created by each load and passed along."""

    def __init__(self, options: ScanOptions) -> None:
        self.options = options
        self._decoded: dict[Path, Template] = {}

    def __call__(self, path: Path) -> Template:
        key = path.resolve()
        if key not in self._decoded:
            self._decoded[key] = decode_template(path, self.options)
        return self._decoded[key]


# --- nodes ------------------------------------------------------------------------------------


def as_mapping(node: Any) -> dict[str, Any]:
    """``node`` if it is a mapping, else an empty one (a section that is missing or malformed)."""
    return node if isinstance(node, dict) else {}


def key_node(mapping: dict[str, Any], wanted: str) -> Any:
    """The key object (with its marks) of ``mapping`` equal to ``wanted``."""
    for key in mapping:
        if key == wanted:
            return key
    return None


# --- spans ------------------------------------------------------------------------------------


class SpanMaker:
    """Turns cfn-lint's 0-based (line, column) marks into 1-based line spans. A YAML block
    ends where the next token starts, possibly after blank lines and comments: those are
    trimmed so a span covers only the lines written for it."""

    def __init__(self, template: Template) -> None:
        self.file = template.display
        self.lines = template.lines

    def between(self, start: Any, end: Any) -> Span | None:
        if start is None:
            return None
        first = int(start.line) + 1
        last = first
        if end is not None:
            end_line, end_column = int(end.line), int(end.column)
            before_end = self.lines[end_line][:end_column] if 0 <= end_line < len(self.lines) else ""
            last = end_line if before_end.strip() == "" else end_line + 1
            last = min(last, len(self.lines)) if self.lines else last
            while last > first and self._is_filler(last):
                last -= 1
        return Span(self.file, first, max(first, last))

    def of(self, node: Any) -> Span | None:
        return self.between(getattr(node, "start_mark", None), getattr(node, "end_mark", None))

    def entry(self, key: Any, value: Any) -> Span | None:
        """A mapping entry: from its key to the end of its value."""
        start = getattr(key, "start_mark", None) or getattr(value, "start_mark", None)
        end = getattr(value, "end_mark", None) or getattr(key, "end_mark", None)
        return self.between(start, end)

    def _is_filler(self, line: int) -> bool:
        if not 0 < line <= len(self.lines):
            return False
        text = self.lines[line - 1].strip()
        return text == "" or text.startswith("#")
