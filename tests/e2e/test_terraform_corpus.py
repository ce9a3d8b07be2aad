"""Robustness over real public Terraform (skipped when the corpus is absent): loading never raises."""

from __future__ import annotations

import time
from pathlib import Path

from scanner.loaders.terraform import hcl as syn
from scanner.loaders.terraform.root_module import load_terraform_module
from scanner.options import ScanOptions


def test_every_corpus_root_loads_without_raising(corpus: Path) -> None:
    folders = sorted({p.parent for p in corpus.rglob("*.tf")})
    assert folders
    options = ScanOptions(root=corpus)
    resources = 0
    for folder in folders:
        result = load_terraform_module(folder, options)
        resources += len(result.resources)
        for resource in result.resources:
            assert resource.span.line >= 1 and resource.span.end_line >= resource.span.line
            assert resource.body.span is not None
    assert resources > 1000


def test_corpus_parse_rate_and_agreement_with_python_hcl2(corpus: Path) -> None:
    """Files python-hcl2 parses must parse here too; prints the parse rate."""
    import hcl2

    files = sorted(corpus.rglob("*.tf"))
    texts = [(f, f.read_text(encoding="utf-8", errors="replace")) for f in files]
    syn.parse_hcl("warm = 1\n")
    start = time.perf_counter()
    failed: list[Path] = []
    for path, text in texts:
        try:
            syn.parse_hcl(text)
        except syn.HclSyntaxError:
            failed.append(path)
    elapsed = time.perf_counter() - start
    size = sum(len(t.encode()) for _, t in texts)
    rate = size / 1e6 / elapsed
    print(f"\nparsed {len(texts) - len(failed)}/{len(texts)} files, {size / 1e6:.2f} MB at {rate:.2f} MB/s")
    we_fail_hcl2_passes = []
    for path in failed:
        try:
            hcl2.loads(path.read_text(encoding="utf-8", errors="replace"))
        except Exception:  # any python-hcl2 failure means both fail
            continue
        we_fail_hcl2_passes.append(path)
    assert we_fail_hcl2_passes == []


def test_fast_parser_builds_the_grammar_tree(corpus: Path) -> None:
    """The hand-written parser must give exactly the tree of python-hcl2's grammar, lines included."""
    compared = 0
    for path in sorted(corpus.rglob("*.tf")):
        text = path.read_text(encoding="utf-8", errors="replace")
        text = text if text.endswith("\n") else text + "\n"
        try:
            reference = syn.parse_with_grammar(text)
        except syn.HclSyntaxError:
            continue
        assert syn.fast_parse(text) == reference, path
        compared += 1
    assert compared > 1000
