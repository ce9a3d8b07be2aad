"""Robustness: every CloudFormation template of the shared corpus loads without an exception."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from scanner.loaders.cloudformation.imports import load_templates
from scanner.loaders.cloudformation.sniff import is_cloudformation_template
from scanner.model import Instance
from scanner.options import ScanOptions


def test_corpus_templates_load_without_exceptions(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = sorted(p for p in corpus.rglob("*") if p.is_file() and is_cloudformation_template(p))
    assert len(paths) > 100
    started = time.perf_counter()
    configurations = load_templates(paths, ScanOptions(root=corpus))
    seconds = time.perf_counter() - started
    resources = sum(len(c.resources) for c in configurations)
    errors = sum(len(c.errors) for c in configurations)
    unknowns = sum(c.unknown_values for c in configurations)
    with capsys.disabled():
        print(
            f"\ncorpus: {len(paths)} templates, {len(configurations)} configurations, {resources} resources, "
            f"{errors} errors, {unknowns} unknown values, {seconds:.1f}s"
        )
    assert sum(isinstance(r, Instance) for c in configurations for r in c.resources) > 50
    # Errors are real template problems (pre-processor modules ...), a small minority; a repeated
    # key is a warning, the template loads
    assert sum(1 for c in configurations if c.errors) < len(configurations) * 0.05
    assert all(e.file and e.line >= 0 for c in configurations for e in c.errors)
