"""Fixes measured by re-analysis, on the fixtures where removing one trait used to promise a
drop that does not happen: each fix's outcome per workload, and its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from scanner.findings import Exposure, Fix, ScanResult, Severity
from scanner.options import ScanOptions
from scanner.reports.json_report import report_data
from scanner.scan import scan

REPO = Path(__file__).resolve().parents[2]
FIXES = REPO / "fixtures" / "fixes"
OPTIONS = ScanOptions(root=REPO)


def scanned(folder: str, file: str | None = None) -> ScanResult:
    target = FIXES / folder / file if file else FIXES / folder
    result = scan([target], OPTIONS)
    assert not result.all_errors
    return result


def exposure_of(result: ScanResult, workload: str) -> Exposure:
    return next(e for e in result.exposures if e.workload == workload)


def text_at(fix: Fix) -> list[str]:
    lines = (REPO / fix.location.span.file).read_text(encoding="utf-8").splitlines()
    return lines[fix.location.span.line - 1 : fix.location.span.end_line]


@pytest.mark.parametrize(("file", "workload"), [("main.tf", "aws_instance.app"), ("template.yaml", "App")])
def test_two_world_rules_removing_ssh_leaves_8080_open_so_high_becomes_medium(file: str, workload: str) -> None:
    found = exposure_of(scanned("two-world-rules-on-one-group", file), workload)
    assert found.severity is Severity.HIGH
    ssh = next(f for f in found.fixes if f.kind == "remove_world_sources")
    # the old estimate said low: the internet still reaches tcp 8080, and 8080 is not authorised
    assert (ssh.outcome, ssh.severity) == ("reduces", Severity.MEDIUM)
    assert set(ssh.cleared) == {"ec2-remote-access"}
    assert any("22" in text for text in text_at(ssh))
    # the 8080 rule alone changes nothing (SSH keeps every trait): never suggested
    assert not any(any("8080" in text for text in text_at(f)) for f in found.fixes)
    # taking the public address away resolves the internet path: low is what is left
    public = next(f for f in found.fixes if f.kind == "no_public_ip")
    assert public.severity is Severity.LOW
    assert any("ap_public_ip_on_launch" in t or "MapPublicIpOnLaunch" in t for t in text_at(public))


def test_load_balanced_web_server_imdsv2_is_the_fix_that_keeps_the_service() -> None:
    found = exposure_of(scanned("load-balanced-web-server-imdsv2-keeps-service"), "aws_instance.web")
    assert found.severity is Severity.HIGH
    best = found.best_fix
    assert best is not None and best.kind == "require_imdsv2"
    assert (best.outcome, best.severity, best.stops_service) == ("reduces", Severity.MEDIUM, "")
    assert text_at(best) == ['    http_tokens = "optional"']
    cuts = [f for f in found.fixes if f.kind != "require_imdsv2"]
    assert cuts, "cutting the load balancer's path is measured too"
    # every cut leaves IMDSv1 with no path (low) and stops the service on the listener's port
    assert all(f.severity is Severity.LOW for f in cuts)
    assert all(f.stops_service == "stops the public service on tcp 443" for f in cuts)
    assert {f.kind for f in cuts} >= {"remove_world_sources", "remove_rule"}


def test_shared_group_one_edit_reduces_three_instances_and_resolves_the_worker() -> None:
    result = scanned("shared-group-on-many-instances")
    app_ = exposure_of(result, "aws_instance.app[0]")
    assert app_.instances == ("aws_instance.app[0]", "aws_instance.app[1]", "aws_instance.app[2]")
    worker = exposure_of(result, "aws_instance.worker")
    rule_fix = next(f for f in app_.fixes if f.kind == "remove_world_sources")
    assert (rule_fix.outcome, rule_fix.severity) == ("reduces", Severity.LOW)  # the public address stays
    assert worker.best_fix is not None and worker.best_fix.outcome == "resolves"
    assert worker.best_fix.location == rule_fix.location
    assert text_at(rule_fix)[0] == 'resource "aws_vpc_security_group_ingress_rule" "ssh_from_anywhere" {'
    targets = report_data(result)["fix_targets"]
    top = targets[0]
    assert (top["edit"], top["resolves"], top["reduces"]) == ("remove_world_sources", 1, 3)
    assert top["location"]["line"] == rule_fix.location.span.line


def test_fixes_command_ranks_targets_by_resolved_then_reduced(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = str(FIXES / "shared-group-on-many-instances")
    done = runner.invoke(app, ["fixes", folder, "--no-cache"])
    assert done.exit_code == 0, done.output
    first = done.output.splitlines()[0]
    assert first.startswith("  1. fixtures/fixes/shared-group-on-many-instances/main.tf:42 — ")
    assert "remove the rule allowing tcp 22 from 0.0.0.0/0" in first
    assert first.endswith("resolves 1 exposure, reduces 3, in 1 configuration")
    out = tmp_path / "targets.json"
    done = runner.invoke(app, ["fixes", folder, "--no-cache", "--format", "json", "--output", str(out)])
    assert done.exit_code == 0, done.output
    listed = json.loads(out.read_text(encoding="utf-8"))
    assert listed["fix_targets"][0]["resolves"] == 1 and listed["total"] >= len(listed["fix_targets"])


def test_module_argument_is_where_the_open_cidr_is_fixed() -> None:
    found = exposure_of(scanned("module-argument-opens-cidr"), "module.web.aws_instance.web")
    assert found.severity is Severity.HIGH
    fix = next(f for f in found.fixes if f.kind == "remove_world_sources")
    # the CIDR is written at the module call: that is the line to edit, and another source stays
    assert fix.location.span.file == "fixtures/fixes/module-argument-opens-cidr/main.tf"
    assert text_at(fix) == ['  ssh_cidrs = ["10.20.0.0/16", "0.0.0.0/0"]']
    assert fix.remediation == "remove 0.0.0.0/0 from tcp 22"
    assert (fix.outcome, fix.severity) == ("reduces", Severity.LOW)


@pytest.mark.parametrize(("file", "workload"), [("main.tf", "aws_instance.legacy"), ("template.yaml", "Legacy")])
def test_default_vpc_route_is_not_offered_as_an_edit_the_user_cannot_make(file: str, workload: str) -> None:
    """The default VPC's route to its gateway is AWS's, written nowhere: the fixes are the
    rule and the public address, each at a line of the file."""
    target = REPO / "fixtures" / "reachability" / "default-vpc-instance" / file
    result = scan([target], OPTIONS)
    exposure = exposure_of(result, workload)
    kinds = {f.kind for f in exposure.fixes}
    assert "remove_route" not in kinds
    assert {"remove_world_sources", "no_public_ip"} <= kinds
    assert all(f.location.span.file.endswith(file) for f in exposure.fixes)


def test_a_fix_of_possible_exposures_ranks_after_a_fix_of_one_that_holds(tmp_path: Path) -> None:
    """Two instances may get a public address (their subnet is a variable): resolving both
    ranks after resolving one exposure that certainly holds, and the count says "possible"."""
    folder = str(FIXES / "possible-exposures-rank-after-certain")
    out = tmp_path / "targets.json"
    done = CliRunner().invoke(app, ["fixes", folder, "--no-cache", "--format", "json", "--output", str(out)])
    assert done.exit_code == 0, done.output
    targets = json.loads(out.read_text(encoding="utf-8"))["fix_targets"]
    first, second = targets[0], targets[1]
    assert (first["edit"], first["resolves"], first["resolves_possible"]) == ("require_imdsv2", 1, 0)
    assert (second["edit"], second["resolves"], second["resolves_possible"]) == ("no_public_ip", 2, 2)
    assert (first["location"]["line"], second["location"]["line"]) == (36, 23)
    text = CliRunner().invoke(app, ["fixes", folder, "--no-cache"]).output.splitlines()
    assert text[1].endswith("resolves 2 possible exposures, in 1 configuration")


@pytest.mark.parametrize(
    ("file", "workload", "first_line", "inserted"),
    [
        (
            "main.tf",
            "aws_autoscaling_group.web",
            'resource "aws_launch_configuration" "web" {',
            "  associate_public_ip_address = false\n",
        ),
        (
            "template.yaml",
            "WebAutoScalingGroup",
            "  WebLaunchConfiguration:",
            "      AssociatePublicIpAddress: false\n",
        ),
    ],
)
def test_default_subnets_public_address_is_fixed_on_the_launch_configuration(
    file: str, workload: str, first_line: str, inserted: str
) -> None:
    """AWS's default subnets give the address: the subnet is not in the user's files (a data
    source, or none at all), so the edit is the launch configuration's setting, which
    overrides the subnet, and it reduces the exposure as removing the SSH rule does."""
    exposure = exposure_of(scanned("launch-configuration-in-default-subnets", file), workload)
    assert exposure.severity is Severity.HIGH
    public = [f for f in exposure.fixes if f.kind == "no_public_ip"]
    assert len(public) == 1, "one public-address edit, and none on the data source's subnet"
    fix = public[0]
    assert fix.location.address.endswith(("aws_launch_configuration.web", "WebLaunchConfiguration"))
    assert text_at(fix)[0] == first_line
    assert (fix.outcome, fix.severity) == ("reduces", Severity.LOW)
    assert [c.text for c in fix.patch] == [inserted]
    assert all(not f.location.address.startswith("data.") for f in exposure.fixes)


@pytest.mark.parametrize(
    ("file", "workload", "first_line", "said"),
    [
        ("main.tf", "aws_autoscaling_group.web", 'resource "aws_launch_template" "web" {', "add network_interfaces {"),
        ("template.yaml", "WebAutoScalingGroup", "  WebLaunchTemplate:", "add NetworkInterfaces ["),
    ],
)
def test_default_subnets_public_address_on_a_launch_template_is_a_described_fix(
    file: str, workload: str, first_line: str, said: str
) -> None:
    """A launch template takes the setting only in a network interface that must also hold
    its security groups: the fix is measured (the address goes, high -> low) and described,
    with no text patch, since the block has to be restructured."""
    exposure = exposure_of(scanned("launch-template-in-default-subnets", file), workload)
    (fix,) = [f for f in exposure.fixes if f.kind == "no_public_ip"]
    assert text_at(fix)[0] == first_line
    assert fix.remediation.startswith(said) and "moved into it" in fix.remediation
    assert (fix.outcome, fix.severity) == ("reduces", Severity.LOW)
    assert fix.patch == ()
