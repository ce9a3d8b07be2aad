"""Resource types that run compute iacscan does not analyse are listed after each scan, once
per type with a count, in text and JSON, and survive the result cache: silence about them
is never mistaken for safety (fixtures/coverage/compute-not-analysed-is-listed,
fixtures/coverage/pipelines-jobs-and-airflow-are-listed); a Batch compute environment on
Fargate is listed, one on EC2 is a workload (fixtures/capacity/batch-compute-environments)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.adapters.cloudformation import MAPPERS as CFN_MAPPERS
from scanner.adapters.terraform import MAPPERS as TF_MAPPERS
from scanner.cli import app
from scanner.coverage import NOT_ANALYSED, PARTLY_ANALYSED, runs_unanalysed_compute, why_not_analysed
from tests.support.paths import REPO

FIXTURE = REPO / "fixtures" / "coverage" / "compute-not-analysed-is-listed"
EXPECTED = {
    "main.tf": {"aws_ecs_service": 1, "aws_ecs_task_definition": 1, "aws_lambda_function": 2},
    "template.yaml": {"AWS::EMR::Cluster": 1, "AWS::Lambda::Function": 2},
}
JOBS = REPO / "fixtures" / "coverage" / "pipelines-jobs-and-airflow-are-listed"
JOBS_EXPECTED = {
    "main.tf": {
        "aws_datapipeline_pipeline_definition": 1,
        "aws_glue_dev_endpoint": 1,
        "aws_glue_job": 2,
        "aws_mwaa_environment": 1,
    },
    "template.yaml": {
        "AWS::DataPipeline::Pipeline": 1,
        "AWS::Glue::DevEndpoint": 1,
        "AWS::Glue::Job": 2,
        "AWS::MWAA::Environment": 1,
    },
}
BATCH = REPO / "fixtures" / "capacity" / "batch-compute-environments"


def run(*args: str) -> str:
    result = CliRunner().invoke(app, ["scan", *args, "--fail-on", "none"])
    assert result.exit_code == 0, result.output
    return result.stdout


def json_report(target: Path, cache: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(run(str(target), "--format", "json", "--cache-dir", str(cache)))
    return loaded


@pytest.mark.parametrize("file", sorted(EXPECTED))
def test_json_lists_each_type_once_with_its_count_cold_and_warm(file: str, tmp_path: Path) -> None:
    for _ in range(2):  # the second scan comes from the result cache
        report = json_report(FIXTURE / file, tmp_path / "cache")
        rows = report["not_analysed"]
        assert {r["type"]: r["count"] for r in rows} == EXPECTED[file]
        assert all(r["why"] for r in rows)
        assert {r["configuration"] for r in rows} == {c["name"] for c in report["configurations"]}
        assert tuple(map(int, report["schema_version"].split("."))) >= (2, 2)  # the field is there since 2.2


def test_text_says_what_was_not_analysed(tmp_path: Path) -> None:
    out = run(str(FIXTURE / "main.tf"), "--cache-dir", str(tmp_path))
    line = next(line for line in out.splitlines() if line.startswith("not analysed:"))
    assert "aws_lambda_function (2)" in line and "aws_ecs_service (1)" in line
    assert "aws_instance" not in line


def test_a_mapped_type_is_analysed_and_never_listed() -> None:
    for mappers in (TF_MAPPERS, CFN_MAPPERS):
        for resource_type in mappers:
            assert not runs_unanalysed_compute(resource_type, mappers)
    assert runs_unanalysed_compute("aws_ecs_service", TF_MAPPERS)
    assert all(why for why in NOT_ANALYSED.values())
    # functions are mapped for the escalation search only: every one is still listed (above)
    assert {"aws_lambda_function", "AWS::Lambda::Function"} <= set(PARTLY_ANALYSED)


@pytest.mark.parametrize("file", sorted(JOBS_EXPECTED))
def test_pipelines_jobs_and_airflow_are_listed(file: str, tmp_path: Path) -> None:
    report = json_report(JOBS / file, tmp_path / "cache")
    assert {r["type"]: r["count"] for r in report["not_analysed"]} == JOBS_EXPECTED[file]
    assert not report["exposures"]  # nothing here is a workload: the list is all the scan can say


@pytest.mark.parametrize(
    ("file", "kind", "workload"),
    [
        ("main.tf", "aws_batch_compute_environment", "aws_batch_compute_environment.ec2_no_template"),
        ("template.yaml", "AWS::Batch::ComputeEnvironment", "Ec2TemplateAllowsV1"),
    ],
)
def test_a_batch_environment_on_fargate_is_listed_one_on_ec2_is_a_workload(
    file: str, kind: str, workload: str, tmp_path: Path
) -> None:
    report = json_report(BATCH / file, tmp_path / "cache")
    rows = [r for r in report["not_analysed"] if r["type"] == kind]
    # the fixture's FARGATE environment; the UNMANAGED one launches nothing and is not listed
    assert [r["count"] for r in rows] == [1]
    assert "Fargate" in rows[0]["why"]
    assert workload in {e["workload"] for e in report["exposures"]}
    line = next(
        line for line in run(str(BATCH / file), "--cache-dir", str(tmp_path)).splitlines() if "not analysed" in line
    )
    assert f"{kind} on Fargate (1)" in line  # the text says which of the type's resources


def test_the_table_names_only_types_no_adapter_maps() -> None:
    mapped = set(TF_MAPPERS) | set(CFN_MAPPERS)
    assert not set(NOT_ANALYSED) & mapped
    # a partly analysed type is mapped: its mapper says which of its resources are not analysed
    assert set(PARTLY_ANALYSED) <= mapped
    assert all(why_not_analysed(kind) for kind in (*NOT_ANALYSED, *PARTLY_ANALYSED))
