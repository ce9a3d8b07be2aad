"""Nested stacks whose ``TemplateURL`` is an S3 URL, matched to a template in the scanned tree.

AWS's reference architectures deploy a parent stack whose children are uploaded to S3 from
the same repository: ``TemplateURL: https://s3.amazonaws.com/bucket/infrastructure/vpc.yaml``,
or ``!Sub https://${BucketName}.s3.amazonaws.com/${KeyPrefix}templates/vpc.yaml``. The
object's key ends with the path of the file in the repository, so the child is found
offline by the longest path suffix that **exactly one** template under the scanned root
shares with the URL (the file name at least). ``--template-url PREFIX=DIR`` maps a URL
prefix to a folder explicitly, and wins.

What is matched on is the URL as written: a literal string, or the literal text after the
last ``${...}`` of an ``Fn::Sub`` (or after the last non-literal part of an ``Fn::Join``),
so the parent's parameter values do not change which file a nested stack is. A URL whose
suffix matches no template or several, or a dynamic reference (``{{resolve:...}}``), is an
unknown child stack (``scanner.loaders.cloudformation.nested``).

S3 URL forms (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-bucket-intro.html):
path style ``https://s3[.-]REGION.amazonaws.com/BUCKET/KEY`` and virtual-hosted style
``https://BUCKET.s3[.-]REGION.amazonaws.com/KEY``; ``s3://BUCKET/KEY`` too. Only the key's
path matters for a suffix, so the bucket (a path-style URL's first segment) never makes a
match on its own: it would have to be a folder name too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scanner.frozen import frozen

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
_SKIPPED_FOLDERS = frozenset({".git", ".terraform", "node_modules", "cdk.out", ".venv", "__pycache__"})
_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:[^}]*\}\}")
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


@frozen
class UrlMatch:
    """What a nested stack's URL names: ``path`` (the one template it matches), else
    ``candidates`` (several share its longest suffix) or neither (none matches); ``written``
    is the URL as written (a ``Fn::Sub``'s text), for notices."""

    written: str
    path: Path | None = None
    candidates: tuple[Path, ...] = ()
    explicit: bool = False


def written_url(node: Any) -> str | None:
    """The URL of a nested stack location as written: a literal string, a ``Fn::Sub``'s text,
    or an ``Fn::Join`` written back with ``${...}`` for each part that is not literal. None
    when it is not written as a URL (a local path, a dynamic reference)."""
    text: str | None = None
    if isinstance(node, str):
        text = node
    elif isinstance(node, Mapping) and len(node) == 1:
        function, argument = next(iter(node.items()))
        if function == "Fn::Sub":
            text = argument[0] if isinstance(argument, list) and argument else argument
        elif function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            delimiter, parts = argument[0], argument[1] if isinstance(argument[1], list) else []
            if isinstance(delimiter, str):
                text = delimiter.join(part if isinstance(part, str) else "${...}" for part in parts)
    if not isinstance(text, str) or not _URL.match(text) or _DYNAMIC_REFERENCE.search(text):
        return None
    return text


def key_suffix(url: str) -> tuple[str, ...]:
    """The path components of the URL that certainly belong to the object's key, last one
    the file name: after the last placeholder, if any (the component it cuts is kept as a
    tail, e.g. ``templates`` of ``${KeyPrefix}templates``)."""
    tail = _PLACEHOLDER.split(url)[-1]
    path = urlsplit(url).path if tail == url else tail
    return tuple(part for part in path.split("/") if part)


def mapped_by_prefix(url: str, prefixes: Iterable[tuple[str, Path]]) -> Path | None:
    """``--template-url PREFIX=DIR``: the file the URL names below DIR (the longest prefix wins)."""
    best: tuple[str, Path] | None = None
    for prefix, folder in prefixes:
        if url.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, folder)
    if best is None:
        return None
    rest = url[len(best[0]) :].lstrip("/")
    return best[1] / rest if rest else None


@frozen
class TemplateFinder:
    """What matching a scan's nested stack URLs shares: the templates under ``root`` by file
    name (``named``, see ``templates_by_name``), which files are templates, and the explicit
    ``--template-url`` prefixes."""

    root: Path
    named: Callable[[str], list[Path]]
    is_template: Callable[[Path], bool]
    prefixes: tuple[tuple[str, Path], ...] = ()

    def match(self, node: Any, evaluated: Any) -> UrlMatch | None:
        """The template a nested stack's location (``node`` as written, ``evaluated`` its
        value) names, or None when the location is not a URL."""
        if isinstance(evaluated, str) and _URL.match(evaluated):
            explicit = mapped_by_prefix(evaluated, self.prefixes)
            if explicit is not None:
                return UrlMatch(evaluated, explicit, explicit=True)
        url = written_url(node)
        if url is None:
            return None
        return match_url(url, self.named, self.root, self.prefixes, self.is_template)


def match_url(
    url: str,
    candidates: Callable[[str], list[Path]],
    root: Path,
    prefixes: Iterable[tuple[str, Path]] = (),
    is_template: Callable[[Path], bool] = lambda path: True,
) -> UrlMatch:
    """The template under ``root`` that ``url`` names (see the module docstring).
    ``candidates(name)``: the files under the root with that file name."""
    explicit = mapped_by_prefix(url, prefixes)
    if explicit is not None:
        return UrlMatch(url, explicit, explicit=True)
    suffix = key_suffix(url)
    if not suffix:
        return UrlMatch(url)
    cut_first = _PLACEHOLDER.search(url) is not None and not url.endswith("}")
    scored: list[tuple[int, Path]] = []
    for path in candidates(suffix[-1]):
        if not is_template(path):
            continue
        try:
            parts = path.resolve().relative_to(root.resolve()).parts
        except ValueError:
            continue
        scored.append((_shared(suffix, parts, cut_first), path))
    best = max((score for score, _ in scored), default=0)
    found = tuple(sorted(path for score, path in scored if score == best and best > 0))
    if len(found) == 1:
        return UrlMatch(url, found[0])
    return UrlMatch(url, candidates=found)


def _shared(suffix: tuple[str, ...], parts: tuple[str, ...], cut_first: bool) -> int:
    """How many trailing components ``parts`` shares with ``suffix`` (the first component of
    a suffix cut by a placeholder matches the end of a component)."""
    shared = 0
    for depth in range(1, min(len(suffix), len(parts)) + 1):
        want, have = suffix[-depth], parts[-depth]
        partial = cut_first and depth == len(suffix)
        if want == have or (partial and have.endswith(want)):
            shared = depth
            continue
        break
    return shared


def templates_by_name(root: Path) -> Callable[[str], list[Path]]:
    """The files under ``root`` that may be templates, by file name: the tree is walked once,
    when a URL is first matched, and folders no template lives in are skipped."""
    found: dict[str, list[Path]] | None = None

    def named(name: str) -> list[Path]:
        nonlocal found
        if found is None:
            found = {}
            for folder, subfolders, files in os.walk(root):
                subfolders[:] = sorted(d for d in subfolders if d not in _SKIPPED_FOLDERS)
                for file in files:
                    if file.endswith(TEMPLATE_SUFFIXES):
                        found.setdefault(file, []).append(Path(folder) / file)
        return found.get(name, [])

    return named
