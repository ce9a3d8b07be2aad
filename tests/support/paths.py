"""Where the tests find the repository, its fixtures and the shared corpus.

The corpus of real public repositories lives beside the checkout (``../shared/corpus``);
a test that needs it asks for the ``corpus`` fixture (``tests/conftest.py``), which skips
the test, saying where it looked, when the corpus is not there."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
FIXTURES = REPO / "fixtures"
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
