"""What a worker process loads crosses back to the scan: every configuration of every
fixture pickles (a value that does not, like a ``MappingProxyType``, lost whole
configurations under ``--jobs``), and a scan in two processes reads the same as in one."""

from __future__ import annotations

import os
import pickle
from typing import Any

import pytest

from scanner.findings import Configuration
from scanner.loaders.formats import LoadJob
from scanner.options import ScanOptions
from scanner.scan import load_configurations, scan
from tests.support.paths import FIXTURES, REPO


def test_every_fixture_configuration_crosses_a_process_boundary() -> None:
    configurations, _, _ = load_configurations([FIXTURES], ScanOptions(root=REPO, cache_dir=None))
    assert len(configurations) > 200
    unpicklable = []
    for configuration in configurations:
        try:
            pickle.dumps(configuration)
        except Exception as error:  # any pickling failure is the finding
            unpicklable.append(f"{configuration.name}: {error!r}")
    assert unpicklable == []


def test_a_scan_in_two_processes_reads_what_one_process_reads() -> None:
    folders = [
        FIXTURES / "traits" / "mixed-override-by-instance-requirements",
        FIXTURES / "traits" / "mixed-override-template-allows-imdsv1",
    ]
    one = scan(folders, ScanOptions(root=REPO, jobs=1))
    two = scan(folders, ScanOptions(root=REPO, jobs=2))
    assert two.all_errors == [] and one.all_errors == []
    assert [(e.configuration, e.workload, e.severity) for e in two.exposures] == [
        (e.configuration, e.workload, e.severity) for e in one.exposures
    ]
    assert any(e.workload == "FlexibleGroup" for e in two.exposures)


def test_a_result_a_worker_cannot_send_back_is_loaded_again_here(monkeypatch: pytest.MonkeyPatch) -> None:
    import scanner.scan as pipeline

    parent, real = os.getpid(), pipeline.run_load_job

    def unsendable_in_workers(job: LoadJob, options: ScanOptions, parsed: Any = None) -> list[Configuration]:
        loaded = real(job, options, parsed)
        if os.getpid() != parent:  # a forked worker: give back something pickle refuses
            loaded[0].resources.append(lambda: None)  # type: ignore[arg-type]
        return loaded

    monkeypatch.setattr(pipeline, "run_load_job", unsendable_in_workers)
    folders = [FIXTURES / "traits" / "mixed-override-template-allows-imdsv1", FIXTURES / "example"]
    result = scan(folders, ScanOptions(root=REPO, jobs=2))
    assert result.all_errors == []
    assert {e.configuration for e in result.exposures} >= {"fixtures/example"}
