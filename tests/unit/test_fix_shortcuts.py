"""The internet trait an edit leaves, decided from the open paths without analysing the
edited copy (``scanner.fixes.shortcuts``), is exactly what analysing it finds: every edit of
every workload of the fixture areas that re-runs the internet rule is measured both ways
(with the open paths, and by analysing the edited copy alone) and the two must agree on
every trait left, whether each is possible, and the public services still served."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.analyses.network_memo import NetworkMemo
from scanner.fixes import evaluate
from scanner.fixes.edits import CHANGES, candidate_edits
from scanner.graph import build_graph
from scanner.graph.read import context_reader, workloads_of
from scanner.options import ScanOptions
from scanner.rules.internet_reachable import ID as INTERNET
from scanner.scan import fix_run, load_configurations, workload_traits
from tests.support.paths import FIXTURES, REPO, SHARED_CORPUS

AREAS = ["fixes", "reachability", "exposure", "traits", "unknowns", "terraform", "cloudformation"]


def _compared(folder: Path, root: Path = REPO) -> tuple[int, list[str]]:
    options = ScanOptions(root=root)
    configurations, _, _ = load_configurations([folder], options)
    decided, disagreements = 0, []
    for configuration in configurations:
        graph = build_graph(configuration)
        memo = NetworkMemo()
        run = fix_run(configuration, graph, memo, options)
        read = context_reader(graph, configuration)
        for workload in workloads_of(graph):
            ctx = read(workload)
            found = workload_traits(ctx, options, memo)
            present = {t.rule_id for t in found.traits}
            if INTERNET not in present:
                continue
            for edit in candidate_edits(found.traits, run.lookup, {}):
                rerun = CHANGES[edit.kind] & present
                if INTERNET not in rerun:
                    continue
                shortcut = evaluate._rerun(run, ctx, edit, rerun, found.open_reports)
                full = evaluate._rerun(run, ctx, edit, rerun)
                decided += evaluate._internet_decided(run, ctx, edit, rerun, found.open_reports) is not None
                decided += edit.kind == "no_public_ip"
                same = (shortcut is None and full is None) or (
                    shortcut is not None
                    and full is not None
                    and (sorted(shortcut[0]), shortcut[1]) == (sorted(full[0]), full[1])
                )
                if not same:
                    disagreements.append(
                        f"{configuration.name} {ctx.address} {edit.kind} {edit.address}: {shortcut} != {full}"
                    )
    return decided, disagreements


@pytest.mark.parametrize("area", AREAS)
def test_the_shortcut_agrees_with_the_reanalysis(area: str) -> None:
    decided, disagreements = _compared(FIXTURES / area)
    assert not disagreements, "\n".join(disagreements)
    if area in ("fixes", "reachability"):
        assert decided >= 10, "the shortcut decides the common edits of these areas"


def test_the_shortcut_decides_most_edits_of_the_bench_like_estate() -> None:
    """One world-open rule among several, the only route to the gateway, the only NACL entry
    letting the internet in: decided without analysing again, and the same as analysing."""
    decided, disagreements = _compared(FIXTURES / "fixes" / "two-world-rules-on-one-group")
    assert not disagreements, "\n".join(disagreements)
    assert decided >= 2


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="the shared corpus is not beside this checkout")
def test_the_shortcut_agrees_with_the_reanalysis_on_real_repositories() -> None:
    decided, disagreements = _compared(SHARED_CORPUS, SHARED_CORPUS)
    assert not disagreements, "\n".join(disagreements)
    assert decided >= 50
