"""Mutated Terraform never crashes the parser or the loader: a Body, or a clear HclSyntaxError."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.loaders.terraform import hcl as syn
from scanner.loaders.terraform.root_module import load_terraform_module
from scanner.options import ScanOptions
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures" / "terraform"
SOURCES = sorted(p.read_text() for p in FIXTURES.rglob("*.tf"))
PIECES = [
    '"',
    "${",
    "%{",
    "}",
    "{",
    "[",
    "]",
    "(",
    ")",
    "\n",
    "<<EOF\n",
    "EOF\n",
    "#",
    "/*",
    "*/",
    "=",
    ",",
    "?",
    ":",
    "...",
    "[*]",
    ".*",
    "\\",
    "for",
    "if",
    "=>",
    "-",
    "!",
    "0.5e",
    "\x00",
    "\r\n",
]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SOURCES))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(st.sampled_from(PIECES)) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 5)) :]
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_parser_returns_a_body_or_a_syntax_error(text: str) -> None:
    try:
        body = syn.parse_hcl(text)
    except syn.HclSyntaxError as exc:
        assert exc.line >= 0 and exc.message
        return
    assert isinstance(body, syn.Body)


@settings(max_examples=60, deadline=None)
@given(mutated())
def test_loader_never_raises(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "main.tf").write_text(text, encoding="utf-8", errors="replace")
        result = load_terraform_module(root, ScanOptions(root=root))
        assert result.files == ["main.tf"] or result.errors
