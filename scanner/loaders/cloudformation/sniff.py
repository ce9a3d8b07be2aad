"""Is this file a CloudFormation template? A cheap look at its head, for discovery.

A CloudFormation template is a mapping at the top level of the document. A file is taken
for one when, among the top-level keys of its first 64 KB:

* ``AWSTemplateFormatVersion`` is present (the template format version), or
* ``Transform`` names an ``AWS::`` transform (SAM's ``AWS::Serverless-2016-10-31``,
  ``AWS::LanguageExtensions`` ...), or
* ``Resources`` is a mapping (not a list) with at least one entry whose own ``Type`` is an
  ``AWS::`` resource type.

Only top-level keys count: a ``serverless.yml`` holds a template under its lowercase
``resources:`` key, an ``appspec.yaml`` of CodeDeploy has a top-level ``Resources`` *list*
of ``TargetService`` entries (with ``Type: AWS::ECS::Service`` inside), Kubernetes
manifests, GitHub workflows, docker-compose, Ansible and OpenAPI files have none of these
keys. None of them is a template.

The look is textual, never a parse: a template with a syntax error is still found (so the
user hears what is wrong with it), and the cost stays small on every YAML/JSON file of a
repository. A file whose first non-blank character is ``{`` is read as JSON tokens (with
the nesting they open), any other as YAML lines (with their indentation). A template saved
as UTF-16/32 is recognised through its byte order mark (the loader then says why it is not
read).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TEMPLATE_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".template"})
PROBE_BYTES = 64 * 1024

_MARKERS = (b"Resources", b"AWSTemplateFormatVersion", b"Transform")
_KEY_COLON = re.compile(r":(?=\s|$)")  # the colon that ends a plain key (linear: no backtracking)
_YAML_TYPE_AWS = re.compile(r"""^["']?Type["']?\s*:\s*["']?AWS::""")
_FLOW_TYPE_AWS = re.compile(r"""["']?Type["']?\s*:\s*["']?AWS::""")
_YAML_AWS_ITEM = re.compile(r"""^-\s+["']?AWS::""")
_JSON_TOKEN = re.compile(rb'"(?:[^"\\\n]|\\.)*"|[{}\[\]:,]')


def is_cloudformation_template(path: Path) -> bool:
    """Whether ``path`` is a CloudFormation template, judged by its first 64 KB (see above)."""
    if path.suffix.lower() not in TEMPLATE_SUFFIXES:
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(PROBE_BYTES)
    except OSError:
        return False
    if b"\x00" in head:
        head = wide_text(head)
    return looks_like_template(head)


def looks_like_template(head: bytes) -> bool:
    """Whether the head of a file (UTF-8 bytes) shows a template's top-level keys."""
    if not any(marker in head for marker in _MARKERS):
        return False  # the common case, decided without reading further
    body = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if body.startswith(b"{"):
        return _json_is_template(body)
    return _yaml_is_template(body.decode("utf-8", errors="replace"))


def is_template_document(document: Any) -> bool:
    """The same rule on a decoded document: the loader's word on what the sniffer let in."""
    if not isinstance(document, dict):
        return False
    if "AWSTemplateFormatVersion" in document:
        return True
    transform = document.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    if any(isinstance(name, str) and name.startswith("AWS::") for name in names):
        return True
    resources = document.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(body, dict) and isinstance(body.get("Type"), str) and str(body["Type"]).startswith("AWS::")
        for body in resources.values()
    )


def wide_text(head: bytes) -> bytes:
    """``head`` re-encoded as UTF-8 when it starts with a UTF-16/32 byte order mark, else b""."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return head.decode(codec, errors="ignore").encode("utf-8")
    return b""


# --- YAML ---------------------------------------------------------------------------------------


def _content_lines(text: str) -> Iterator[tuple[int, str]]:
    """(indentation, text) of each line of the first YAML document that holds content."""
    started = False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or (not started and stripped.startswith("%")):
            continue
        if line.startswith(("---", "...")) and stripped in ("---", "..."):
            if started:
                return
            continue
        started = True
        yield len(line) - len(line.lstrip(" ")), stripped


def _yaml_key(text: str) -> tuple[str, str] | None:
    """(key, the rest of the line after the colon) of a ``key: value`` line, None for any
    other line (a list item, a comment, text)."""
    if text[:1] in ("'", '"'):
        end = text.find(text[0], 1)
        after = text[end + 1 :].lstrip() if end > 0 else ""
        if not after.startswith(":") or (len(after) > 1 and not after[1].isspace()):
            return None
        return text[1:end], after[1:].strip()
    if text.startswith(("#", "?", ":", "- ")) or text == "-":
        return None
    colon = _KEY_COLON.search(text)
    if colon is None or " #" in text[: colon.start()]:  # a comment before any colon
        return None
    return text[: colon.start()].strip(), text[colon.end() :].strip()


class _YamlReader:
    """Follows the top-level keys and the ``Resources`` / ``Transform`` blocks, line by line."""

    def __init__(self) -> None:
        self.top: int | None = None
        self.section = ""
        self.entry_indent: int | None = None
        self.child_indent: int | None = None

    def line(self, indent: int, text: str) -> bool | None:
        """True: a template; False: not one; None: read on."""
        if self.top is None:
            self.top = indent
        if indent < self.top:
            return False
        if indent == self.top and not (text.startswith("- ") and self.section):
            return self._top_level(text)
        if self.section == "Transform":
            return True if _YAML_AWS_ITEM.match(text) else None  # an item of a Transform list
        if self.section == "Resources":
            return self._resource_line(indent, text)
        return None

    def _top_level(self, text: str) -> bool | None:
        entry = _yaml_key(text)
        if entry is None:
            return False  # a list, or text: the document is not a mapping
        key, rest = entry
        self.section, self.entry_indent, self.child_indent = key, None, None
        if key == "AWSTemplateFormatVersion":
            return True
        if key == "Transform" and "AWS::" in rest:
            return True
        if key == "Resources" and rest.startswith("{") and _FLOW_TYPE_AWS.search(rest):
            return True
        return None

    def _resource_line(self, indent: int, text: str) -> bool | None:
        if self.entry_indent is None:
            if text.startswith("-"):
                self.section = ""  # Resources is a list (CodeDeploy's appspec): not a template's
                return None
            self.entry_indent = indent
        if indent <= self.entry_indent:
            self.child_indent = None
            entry = _yaml_key(text)
            rest = entry[1] if entry is not None else ""
            return True if rest.startswith("{") and _FLOW_TYPE_AWS.search(rest) else None
        if self.child_indent is None:
            self.child_indent = indent
        return True if indent == self.child_indent and _YAML_TYPE_AWS.match(text) else None


def _yaml_is_template(text: str) -> bool:
    reader = _YamlReader()
    for indent, line in _content_lines(text):
        verdict = reader.line(indent, line)
        if verdict is not None:
            return verdict
    return False


# --- JSON ---------------------------------------------------------------------------------------


def _json_is_template(head: bytes) -> bool:
    """Reads the tokens of a JSON object (strings, brackets, colons, commas), keeping for each
    open object or array its bracket and the key whose value it is."""
    opened: list[bytes] = []  # b'{"Resources"', b'["Transform"', b"{" for an object in a list ...
    key = b""  # the key whose value comes next (set by its colon)
    previous = b""
    for match in _JSON_TOKEN.finditer(head):
        token = match.group()
        if token == b":":
            key = previous if previous.startswith(b'"') else b""
            if opened == [b"{"] and key == b'"AWSTemplateFormatVersion"':
                return True
        elif token in (b"{", b"["):
            opened.append(token + key)
            key = b""
        elif token in (b"}", b"]", b","):
            if token != b"," and opened:
                opened.pop()
            key = b""
        elif previous in (b":", b"[", b",") and token.startswith(b'"AWS::') and _marks_template(opened, key):
            return True
        previous = token
    return False


def _marks_template(opened: list[bytes], key: bytes) -> bool:
    """Whether an ``"AWS::..."`` string, the value of ``key`` inside ``opened``, marks a template."""
    if opened == [b"{"] and key == b'"Transform"':
        return True
    if opened == [b"{", b'["Transform"']:
        return True  # an item of a Transform list
    in_resource = len(opened) == 3 and opened[:2] == [b"{", b'{"Resources"'] and opened[2].startswith(b"{")
    return in_resource and key == b'"Type"'
