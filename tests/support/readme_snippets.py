"""The code blocks of a README section, so tests can run exactly what the README shows."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.paths import REPO

PROJECT = REPO
README = PROJECT / "README.md"

# What the README's pre-commit snippet names, and the try-repo line's URL: the tests swap in
# a local copy of this repository for these and nothing else.
PUBLISHED_REPO = "https://github.com/iacscan/iacscan"
PUBLISHED_REV = "v0.1.0"

_FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)


def section(title: str, readme: Path = README) -> str:
    """The text of the ``## title`` section, up to the next ``## `` heading."""
    text = readme.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match is not None, f"README.md has no section '## {title}'"
    return match.group(1)


def code_blocks(title: str, language: str, readme: Path = README) -> list[str]:
    """The fenced blocks of that language in the section, in order."""
    return [body for lang, body in _FENCE.findall(section(title, readme)) if lang == language]


def precommit_config() -> str:
    (block,) = code_blocks("pre-commit", "yaml")
    return block


def precommit_try_repo_args() -> list[str]:
    """The README's ``pre-commit try-repo`` command, as arguments after ``pre-commit``."""
    (block,) = code_blocks("pre-commit", "sh")
    words = block.split()
    assert words[:2] == ["pre-commit", "try-repo"], block
    return words[1:]


def workflow() -> str:
    (block,) = code_blocks("GitHub code scanning", "yaml")
    return block
