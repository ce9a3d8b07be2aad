"""``--format asff`` and ``--format ocsf`` end to end: every fixture under
fixtures/exposure and fixtures/criticality gives findings that pass the botocore
``AwsSecurityFinding`` shape and Security Hub's documented limits (ASFF) and the OCSF 1.6.0
Detection Finding schema (OCSF); ids stable across scans, reformatting and severities;
previous findings archived; batches; the usage errors."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from scanner.criticality import Verdict, with_criticality
from scanner.findings import ScanResult, Severity, fix_effect
from scanner.options import ScanOptions
from scanner.reports.asff import AsffTarget, asff_findings
from scanner.reports.ocsf import OcsfTarget, ocsf_findings
from scanner.reports.security_hub_common import fit
from scanner.scan import scan
from tests.support.paths import FIXTURES, REPO
from tests.support.security_hub_validators import asff_problems, ocsf_problems

TARGET = AsffTarget("123456789012", "eu-west-1", "2026-01-31T12:00:00.000Z", "https://example.com/repo/blob/main")
OCSF_TARGET = OcsfTarget(1769860800000, "123456789012", "eu-west-1", "https://example.com/repo/blob/main")
EXPOSURE_FIXTURES = sorted(p for p in (FIXTURES / "exposure").iterdir() if p.is_dir())
CRITICALITY_FIXTURES = sorted(p for p in (FIXTURES / "criticality").iterdir() if p.is_dir())
ACCOUNT = ["--aws-account", "123456789012", "--aws-region", "eu-west-1"]


@cache
def scanned(folder: Path) -> ScanResult:
    return scan([folder], ScanOptions(root=REPO))


@pytest.mark.parametrize("folder", EXPOSURE_FIXTURES + CRITICALITY_FIXTURES, ids=lambda p: p.name)
def test_every_fixture_passes_both_validators(folder: Path) -> None:
    exposures = scanned(folder).exposures
    assert exposures, f"{folder.name} has no exposure"
    asff = asff_findings(exposures, TARGET)
    assert len(asff) == sum(1 + len(e.traits) for e in exposures)
    assert asff_problems(asff) == []
    assert ocsf_problems(ocsf_findings(exposures, OCSF_TARGET)) == []


def test_the_validators_refuse_what_security_hub_would() -> None:
    exposure = scanned(EXPOSURE_FIXTURES[0]).exposures[0]
    finding = asff_findings([exposure], TARGET)[0]
    broken = {**finding, "Title": "x" * 257, "Unknown": 1, "Severity": {"Label": "SEVERE"}}
    del broken["AwsAccountId"]
    problems = " ".join(asff_problems([broken]))
    assert "lacks required AwsAccountId" in problems
    assert "Unknown is not a member" in problems
    assert "Title longer than 256" in problems
    assert "SEVERE" in problems
    event = ocsf_findings([exposure], OCSF_TARGET)[0]
    event["finding_info"]["no_such_attribute"] = 1
    event["severity_id"] = 7
    assert len(ocsf_problems([event])) == 2


def test_exposure_and_trait_findings_relate_and_carry_path_fixes_and_location() -> None:
    exposure = scanned(FIXTURES / "exposure" / "admin-role-imdsv1-reachable").exposures[0]
    main, *traits = asff_findings([exposure], TARGET)
    assert main["GeneratorId"] == "ec2-exposure-critical"
    assert {r["Id"] for r in main["RelatedFindings"]} == {t["Id"] for t in traits}
    assert all(t["RelatedFindings"] == [{"ProductArn": TARGET.product_arn, "Id": main["Id"]}] for t in traits)
    assert main["ProductArn"] == "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default"
    assert main["Note"]["Text"].startswith("attack path: internet -> aws_internet_gateway.gw")
    assert "remove the rule allowing tcp 22" in main["Remediation"]["Recommendation"]["Text"]
    workload = main["Resources"][0]
    assert workload["Type"] == "AwsEc2Instance"
    assert workload["Details"]["Other"]["IacFile"].endswith("admin-role-imdsv1-reachable/main.tf")
    assert workload["Details"]["Other"]["IacLine"] == str(exposure.workload_span.line)
    assert {"AwsIamRole", "AwsEc2SecurityGroup"} <= {r["Type"] for r in main["Resources"]}
    assert main["SourceUrl"] == f"https://example.com/repo/blob/main/{exposure.workload_span.file}#L57"
    assert "TTPs/Initial Access" in main["Types"]
    event = ocsf_findings([exposure], OCSF_TARGET)[0]
    assert event["finding_info"]["uid"] == main["Id"]
    assert [r["uid"] for r in event["finding_info"]["related_events"]] == [t["Id"] for t in traits]
    assert "Exposure/Reachability" in event["finding_info"]["types"]
    assert any(
        o["name"] == "path.internet_gateway" for r in event["finding_info"]["related_events"] for o in r["observables"]
    )
    assert event["remediation"]["desc"].startswith(exposure.fixes[0].location.span.file)


def ids(result: ScanResult) -> set[str]:
    return {f["Id"] for f in asff_findings(result.exposures, TARGET)}


def test_ids_are_stable_across_scans_and_reformatting(tmp_path: Path) -> None:
    source = FIXTURES / "exposure" / "admin-role-imdsv1-reachable"
    for copy in ("a", "b"):
        shutil.copytree(source, tmp_path / copy)
    reformatted = tmp_path / "b"
    for path in (reformatted / "main.tf", reformatted / "template.yaml"):
        lines = path.read_text(encoding="utf-8").splitlines()
        # blank lines everywhere and extra spaces around "=": every line moves, nothing changes
        text = "\n\n".join(line.replace(" = ", "   =   ") if path.suffix == ".tf" else line for line in lines)
        path.write_text("\n\n\n" + text + "\n", encoding="utf-8")
    first = scan([tmp_path / "a"], ScanOptions(root=tmp_path / "a"))
    again = scan([tmp_path / "a"], ScanOptions(root=tmp_path / "a"))
    moved = scan([reformatted], ScanOptions(root=tmp_path / "b"))
    assert [e.workload_span.line for e in moved.exposures] != [e.workload_span.line for e in first.exposures]
    assert ids(first) == ids(again) == ids(moved)
    assert len(ids(first)) == sum(1 + len(e.traits) for e in first.exposures)


def test_ids_do_not_follow_the_severity() -> None:
    exposure = scanned(FIXTURES / "exposure" / "reachable-open-group-only").exposures[0]
    raised = with_criticality(exposure, Verdict("high", "tag environment=production"))
    assert raised.severity != exposure.severity
    before, after = asff_findings([exposure], TARGET), asff_findings([raised], TARGET)
    assert [f["Id"] for f in before] == [f["Id"] for f in after]
    assert before[0]["Severity"]["Label"] == "MEDIUM" and after[0]["Severity"]["Label"] == "HIGH"


def test_gone_findings_are_archived_with_their_created_time() -> None:
    exposure = scanned(FIXTURES / "exposure" / "reachable-open-group-only").exposures[0]
    gone = {**asff_findings([exposure], TARGET)[0], "Id": "iacscan/exposure/gone", "CreatedAt": "2025-01-01T00:00:00Z"}
    kept = {**asff_findings([exposure], TARGET)[0], "CreatedAt": "2025-06-01T00:00:00Z"}
    foreign = {"Id": "arn:aws:something-else", "CreatedAt": "2025-01-01T00:00:00Z"}
    later = replace(TARGET, now="2026-02-01T00:00:00.000Z")
    findings = asff_findings([exposure], later, [gone, kept, foreign])
    archived = [f for f in findings if f["RecordState"] == "ARCHIVED"]
    assert [(f["Id"], f["CreatedAt"], f["UpdatedAt"]) for f in archived] == [
        ("iacscan/exposure/gone", "2025-01-01T00:00:00Z", "2026-02-01T00:00:00.000Z")
    ]
    current = next(f for f in findings if f["Id"] == kept["Id"])
    assert (current["RecordState"], current["CreatedAt"]) == ("ACTIVE", "2025-06-01T00:00:00Z")
    assert asff_problems(findings) == []


def test_long_values_are_fitted_whole_with_a_marker() -> None:
    exposure = scanned(FIXTURES / "exposure" / "admin-role-imdsv1-reachable").exposures[0]
    fix = exposure.fixes[0]
    many = tuple(replace(fix, remediation=f"remove rule {n} " + "x" * 60) for n in range(200))
    long_one = replace(exposure, fixes=many, workload_kind="aws_instance")
    finding = asff_findings([long_one], TARGET)[0]
    assert asff_problems([finding]) == []
    fixes = finding["ProductFields"]["iacscan/Fixes"]
    assert fixes.endswith("more)") and len(fixes) <= 2048
    shown = fixes.rsplit("; ... (+", 1)[0].split("; ")
    effect = f" ({fix_effect(long_one, many[0])})"
    assert shown and all(item.endswith("x" * 60 + effect) for item in shown)  # whole values only
    assert fit(["a" * 10, "b" * 10, "c" * 10], 30) == "a" * 10 + "; ... (+2 more)"
    assert fit(["y" * 50], 20) == "y" * 6 + "...[truncated]"


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(app, ["scan", *args, "--no-cache", "--fail-on", "none"])


def test_cli_needs_the_account_and_region_and_names_the_missing_one() -> None:
    folder = str(FIXTURES / "exposure" / "reachable-open-group-only")
    result = run_cli(folder, "--format", "asff")
    assert result.exit_code == 2
    assert "--aws-account" in result.output
    result = run_cli(folder, "--format", "asff", "--aws-account", "123456789012")
    assert result.exit_code == 2 and "--aws-region" in result.output


def test_cli_writes_batches_of_at_most_n(tmp_path: Path) -> None:
    folder = str(FIXTURES / "exposure")
    out = tmp_path / "findings.json"
    result = run_cli(folder, "--format", "asff", *ACCOUNT, "--asff-batch-size", "4", "--output", str(out))
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("findings-*.json"))
    batches = [json.loads(p.read_text()) for p in files]
    assert len(files) > 1 and all(1 <= len(b) <= 4 for b in batches)
    every = [f for b in batches for f in b]
    assert len({f["Id"] for f in every}) == len(every)
    assert len({f["CreatedAt"] for f in every}) == 1  # the time is taken once per run
    assert asff_problems(every) == []
    assert (
        run_cli(folder, "--format", "asff", *ACCOUNT, "--asff-batch-size", "101", "--output", str(out)).exit_code == 2
    )


def test_cli_ocsf_and_previous_file(tmp_path: Path) -> None:
    folder = str(FIXTURES / "exposure" / "reachable-open-group-only")
    result = run_cli(folder, "--format", "ocsf")
    assert result.exit_code == 0, result.output
    assert ocsf_problems(json.loads(result.stdout)) == []
    previous = tmp_path / "previous.json"
    previous.write_text(json.dumps([{"Id": "iacscan/trait/old", "CreatedAt": "2025-01-01T00:00:00Z"}]))
    result = run_cli(folder, "--format", "asff", *ACCOUNT, "--asff-previous", str(previous))
    states = {f["Id"]: f["RecordState"] for f in json.loads(result.stdout)}
    assert states.pop("iacscan/trait/old") == "ARCHIVED" and set(states.values()) == {"ACTIVE"}


def test_criticality_shows_in_both_formats() -> None:
    exposure = scanned(FIXTURES / "criticality" / "instance-tag-production-raises").exposures[0]
    assert exposure.severity == Severity.HIGH
    finding = asff_findings([exposure], TARGET)[0]
    assert finding["Criticality"] == 90
    assert finding["ProductFields"]["iacscan/TableSeverity"] == "medium"
    assert "raised from MEDIUM: tag environment=production" in finding["Description"]
    event = ocsf_findings([exposure], OCSF_TARGET)[0]
    assert event["resources"][0]["criticality"] == "high"
    assert event["unmapped"]["table_severity"] == "medium"
