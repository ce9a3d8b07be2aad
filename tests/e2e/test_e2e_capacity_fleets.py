"""Spot instance requests, Spot Fleets and EC2 Fleets as workloads (issue 17), end to end
through the real pipeline and the JSON report, on fixtures/capacity/: each result names the
workload (the request, or one launch specification / launch template config of a fleet),
the rule, and the line the user edits."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from scanner.fixes.edits import Edit
from scanner.fixes.patches import source_patch
from scanner.model import Instance, LaunchTemplate, Resource
from scanner.options import ScanOptions
from scanner.reports.json_report import render_json
from scanner.rules.imdsv1 import ID as IMDSV1
from scanner.rules.internet_reachable import ID as INTERNET_REACHABLE
from scanner.rules.public_ip import ID as PUBLIC_IP
from scanner.rules.remote_access import ID as REMOTE_ACCESS
from scanner.scan import load_configurations, scan
from tests.e2e.test_e2e_traits import line_of
from tests.support.paths import REPO

CAPACITY = REPO / "fixtures" / "capacity"
JENKINS = "spot-fleet-jenkins-8080-open-to-the-world"
SPOT_REQUEST = "spot-request-metadata-options-not-sent"
ACCOUNT_DEFAULT = "account-default-requires-imdsv2"
SPOT_TEMPLATES = "spot-fleet-launch-template-configs"
EC2_FLEET = "ec2-fleet-launch-template-configs"
ISSUE = "https://github.com/hashicorp/terraform-provider-aws/issues/25896"


@cache
def report(fixture: str, file: str) -> dict[str, Any]:
    result = scan([CAPACITY / fixture / file], ScanOptions(root=REPO))
    assert result.all_errors == [], result.all_errors
    loaded: dict[str, Any] = json.loads(render_json(result))
    return loaded


def exposure(fixture: str, file: str, workload: str) -> dict[str, Any]:
    found = [e for e in report(fixture, file)["exposures"] if e["workload"] == workload]
    assert len(found) == 1, [e["workload"] for e in report(fixture, file)["exposures"]]
    return found[0]


def traits(fixture: str, file: str, workload: str, rule: str) -> list[dict[str, Any]]:
    return [t for t in exposure(fixture, file, workload)["traits"] if t["rule_id"] == rule]


def workloads(fixture: str, file: str) -> set[str]:
    return {e["workload"] for e in report(fixture, file)["exposures"]}


def where(fixture: str, file: str, *needles: str) -> tuple[str, int]:
    path = CAPACITY / fixture / file
    return path.relative_to(REPO).as_posix(), line_of(path, *needles)


def at(trait: dict[str, Any]) -> tuple[str, int]:
    return trait["location"]["file"], trait["location"]["line"]


# --- the Jenkins Spot Fleet: 8080 open to the world ------------------------------------------


@pytest.mark.parametrize(
    ("file", "workload", "kind", "spec_line"),
    [
        (
            "main.tf",
            "aws_spot_fleet_request.jenkins/launch_specification[0]",
            "aws_spot_fleet_request",
            "launch_specification {",
        ),
        (
            "template.yaml",
            "JenkinsFleet/LaunchSpecifications[0]",
            "AWS::EC2::SpotFleet",
            "# jenkins launch specification",
        ),
    ],
)
def test_a_spot_fleet_running_jenkins_with_8080_open_is_a_high_exposure(
    file: str, workload: str, kind: str, spec_line: str
) -> None:
    found = exposure(JENKINS, file, workload)
    assert found["severity"] == "high"
    assert found["workload_kind"] == kind
    (reachable,) = traits(JENKINS, file, workload, INTERNET_REACHABLE)
    assert "tcp 8080" in reachable["message"]
    assert at(reachable) == where(JENKINS, file, "# jenkins ui open to the world")
    (public,) = traits(JENKINS, file, workload, PUBLIC_IP)
    assert at(public) == where(
        JENKINS, file, "ssociate" + ("_public_ip_address = true" if file == "main.tf" else "PublicIpAddress: true")
    )
    # a launch specification has no metadata options: the trait is at the specification
    (imds,) = traits(JENKINS, file, workload, IMDSV1)
    assert at(imds) == where(JENKINS, file, spec_line)
    assert "a Spot Fleet launch specification cannot set metadata options" in imds["message"]
    assert "account default" in imds["message"]


@cache
def fix_targets(fixture: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(
        app,
        ["fixes", (CAPACITY / fixture).relative_to(REPO).as_posix(), "--no-cache", "--format", "json", "--top", "0"],
    )
    assert result.exit_code == 0, result.output
    targets: list[dict[str, Any]] = json.loads(result.stdout)["fix_targets"]
    return targets


@pytest.mark.parametrize(
    ("file", "spec_line", "words"),
    [
        ("main.tf", "launch_specification {", "replace the launch_specification with a launch_template_config"),
        (
            "template.yaml",
            "# jenkins launch specification",
            "replace the LaunchSpecifications item with LaunchTemplateConfigs",
        ),
    ],
)
def test_the_imds_fix_of_a_launch_specification_names_a_launch_template(file: str, spec_line: str, words: str) -> None:
    fixes = [f for f in fix_targets(JENKINS) if f["edit"] == "require_imdsv2" and f["location"]["file"].endswith(file)]
    assert len(fixes) == 1, fixes
    assert (fixes[0]["location"]["file"], fixes[0]["location"]["line"]) == where(JENKINS, file, spec_line)
    assert fixes[0]["remediation"].startswith(words)
    assert "a launch specification cannot" in fixes[0]["remediation"]


def _model(fixture: str, address: str) -> Resource:
    configurations, errors, _ = load_configurations([CAPACITY / fixture], ScanOptions(root=REPO))
    assert errors == []
    found = [r for c in configurations for r in c.resources if r.address == address]
    assert len(found) == 1, address
    return found[0]


@pytest.mark.parametrize(
    ("fixture", "address"),
    [
        (JENKINS, "aws_spot_fleet_request.jenkins.launch_specification[0]"),
        (JENKINS, "JenkinsFleet.SpotFleetRequestConfigData.LaunchSpecifications[0]"),
        (SPOT_REQUEST, "aws_spot_instance_request.private_worker"),
    ],
)
def test_no_patch_inserts_metadata_options_where_the_declaration_cannot_take_them(fixture: str, address: str) -> None:
    obj = _model(fixture, address)
    assert isinstance(obj, (Instance, LaunchTemplate)) and obj.metadata_unsupported
    lines = (REPO / obj.span.file).read_text(encoding="utf-8").splitlines()
    edit = Edit("require_imdsv2", obj.address, obj.span, "", IMDSV1)
    assert source_patch(edit, obj, lines) == ()
    if isinstance(obj, Instance):  # the same object, were it an aws_instance, gets the block inserted
        assert source_patch(edit, replace(obj, metadata_unsupported="", kind="aws_instance"), lines) != ()


# --- aws_spot_instance_request: what the provider drops does not protect -----------------------


def test_spot_request_metadata_options_are_not_sent_so_imdsv1_stays_allowed() -> None:
    (imds,) = traits(SPOT_REQUEST, "main.tf", "aws_spot_instance_request.worker", IMDSV1)
    assert at(imds) == where(SPOT_REQUEST, "main.tf", "# not sent to EC2")
    assert ISSUE in imds["message"]
    assert "metadata_options on aws_spot_instance_request is not sent to EC2 by the provider" in imds["message"]
    assert "launch_template" in imds["message"]  # its launch template (requires v2) is not sent either
    assert imds["assumptions"] == []  # a fact, not an assumption


def test_spot_request_without_metadata_options_says_it_cannot_set_them() -> None:
    (imds,) = traits(SPOT_REQUEST, "main.tf", "aws_spot_instance_request.private_worker", IMDSV1)
    assert at(imds) == where(SPOT_REQUEST, "main.tf", 'resource "aws_spot_instance_request" "private_worker"')
    assert "aws_spot_instance_request cannot set metadata options" in imds["message"]
    (fix,) = [
        f
        for f in exposure(SPOT_REQUEST, "main.tf", "aws_spot_instance_request.private_worker")["fixes"]
        if f["edit"] == "require_imdsv2"
    ]
    assert "aws_instance with instance_market_options" in fix["remediation"]
    assert not fix.get("patch")


def test_spot_request_arguments_the_provider_sends_make_traits() -> None:
    workload = "aws_spot_instance_request.worker"
    assert exposure(SPOT_REQUEST, "main.tf", workload)["severity"] == "high"
    (ssh,) = traits(SPOT_REQUEST, "main.tf", workload, REMOTE_ACCESS)
    assert at(ssh) == where(SPOT_REQUEST, "main.tf", "# ssh open to the world")
    (public,) = traits(SPOT_REQUEST, "main.tf", workload, PUBLIC_IP)
    assert at(public) == where(SPOT_REQUEST, "main.tf", "associate_public_ip_address = true")
    (fix,) = [f for f in exposure(SPOT_REQUEST, "main.tf", workload)["fixes"] if f["edit"] == "no_public_ip"]
    assert fix["patch"], fix  # true -> false on the line the provider sends


def test_an_account_default_that_requires_imdsv2_protects_spot_requests_and_launch_specifications() -> None:
    assert workloads(ACCOUNT_DEFAULT, "main.tf") == {
        "aws_spot_instance_request.worker",
        "aws_spot_fleet_request.batch/launch_specification[0]",
    }
    for workload in workloads(ACCOUNT_DEFAULT, "main.tf"):
        assert traits(ACCOUNT_DEFAULT, "main.tf", workload, IMDSV1) == []


# --- launch template configs: Spot Fleet and EC2 Fleet ---------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "file", "quiet", "firing"),
    [
        (
            SPOT_TEMPLATES,
            "main.tf",
            "aws_spot_fleet_request.app/launch_template_config[0]",
            "aws_spot_fleet_request.app/launch_template_config[1]",
        ),
        (SPOT_TEMPLATES, "template.yaml", "AppFleet/LaunchTemplateConfigs[0]", "AppFleet/LaunchTemplateConfigs[1]"),
        (
            EC2_FLEET,
            "main.tf",
            "aws_ec2_fleet.workers/launch_template_config[0]",
            "aws_ec2_fleet.workers/launch_template_config[1]",
        ),
        (EC2_FLEET, "template.yaml", "Workers/LaunchTemplateConfigs[0]", "Workers/LaunchTemplateConfigs[1]"),
    ],
)
def test_each_launch_template_config_is_a_workload_with_its_templates_metadata_options(
    fixture: str, file: str, quiet: str, firing: str
) -> None:
    (imds,) = traits(fixture, file, firing, IMDSV1)
    assert at(imds) == where(fixture, file, "# template allows v1")
    if quiet in workloads(fixture, file):
        assert traits(fixture, file, quiet, IMDSV1) == []


@pytest.mark.parametrize(
    ("file", "workloads_"),
    [
        (
            "main.tf",
            (
                "aws_spot_fleet_request.app/launch_template_config[0]",
                "aws_spot_fleet_request.app/launch_template_config[1]",
            ),
        ),
        ("template.yaml", ("AppFleet/LaunchTemplateConfigs[0]", "AppFleet/LaunchTemplateConfigs[1]")),
    ],
)
def test_a_spot_fleets_target_group_puts_it_behind_the_load_balancer(file: str, workloads_: tuple[str, ...]) -> None:
    for workload in workloads_:
        (reachable,) = traits(SPOT_TEMPLATES, file, workload, INTERNET_REACHABLE)
        assert "through a load balancer" in reachable["message"]
        assert "tcp 8080" in reachable["message"]
        assert exposure(SPOT_TEMPLATES, file, workload)["workload_kind"] in (
            "aws_spot_fleet_request",
            "AWS::EC2::SpotFleet",
        )


@pytest.mark.parametrize("file", ["main.tf", "template.yaml"])
def test_an_ec2_fleet_override_subnet_places_its_instances(file: str) -> None:
    names = sorted(workloads(EC2_FLEET, file))
    public_config = names[-1]
    (public,) = traits(EC2_FLEET, file, public_config, PUBLIC_IP)
    assert at(public) == where(EC2_FLEET, file, "# public subnet")
    # the other config's override is the private subnet: no exposure at all
    assert len(names) == 1
