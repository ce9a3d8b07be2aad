"""Fixtures every test folder shares."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import SHARED_CORPUS


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared corpus of real public Terraform and CloudFormation (``../shared/corpus``);
    the test is skipped, naming the folder, when it is not there."""
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"needs the shared corpus at {SHARED_CORPUS} (../shared/corpus beside the checkout)")
    return SHARED_CORPUS
