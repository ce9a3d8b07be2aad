"""Elastic Beanstalk environments as workloads, end to end (fixtures/capacity/beanstalk-*),
in Terraform and CloudFormation: each trait fires or stays quiet, at the option setting the
user edits; the load balancer Beanstalk creates carries the path; AWS-made objects get fixes
that name the option, never a source patch."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from scanner.options import ScanOptions
from scanner.reports.json_report import render_json
from scanner.rules.imdsv1 import ID as IMDSV1
from scanner.rules.internet_reachable import ID as INTERNET
from scanner.rules.remote_access import ID as REMOTE_ACCESS
from scanner.scan import scan
from tests.e2e.test_e2e_traits import line_of
from tests.support.paths import REPO

FIXTURE = REPO / "fixtures" / "capacity" / "beanstalk-environments"
NAMES = {
    "main.tf": {
        "web": "aws_elastic_beanstalk_environment.web",
        "single": "aws_elastic_beanstalk_environment.single",
        "internal": "aws_elastic_beanstalk_environment.internal",
        "open_type": "aws_elastic_beanstalk_environment.open_type",
    },
    "template.yaml": {"web": "Web", "single": "Single", "internal": "Internal", "open_type": "OpenType"},
}
FILES = sorted(NAMES)


@cache
def report(file: str) -> dict[str, Any]:
    result = scan([FIXTURE / file], ScanOptions(root=REPO))
    assert result.all_errors == [], result.all_errors
    loaded: dict[str, Any] = json.loads(render_json(result))
    return loaded


def exposure(file: str, name: str) -> dict[str, Any]:
    return next(e for e in report(file)["exposures"] if e["workload"] == NAMES[file][name])


def traits(file: str, name: str, rule: str) -> list[dict[str, Any]]:
    return [t for t in exposure(file, name)["traits"] if t["rule_id"] == rule]


def line(file: str, marker: str) -> int:
    return line_of(FIXTURE / file, marker)


@pytest.mark.parametrize("file", FILES)
def test_key_pair_without_restriction_opens_ssh_at_the_key_setting(file: str) -> None:
    found = traits(file, "web", REMOTE_ACCESS)
    assert [t["location"]["line"] for t in found] == [line(file, "ssh open")]
    assert "0.0.0.0/0" in found[0]["message"]


@pytest.mark.parametrize("file", FILES)
def test_ssh_restricted_to_a_source_is_not_open(file: str) -> None:
    assert traits(file, "single", REMOTE_ACCESS) == []


@pytest.mark.parametrize("file", FILES)
def test_disable_imdsv1_false_allows_it_true_requires_tokens(file: str) -> None:
    [web] = traits(file, "web", IMDSV1)
    assert (web["verdict"], web["location"]["line"]) == ("holds", line(file, "imds optional"))
    assert traits(file, "single", IMDSV1) == []


@pytest.mark.parametrize("file", FILES)
def test_disable_imdsv1_unset_is_beanstalks_default_false_at_the_environment(file: str) -> None:
    [internal] = traits(file, "internal", IMDSV1)
    assert internal["verdict"] == "holds"
    assert "Beanstalk's default is false" in internal["message"]
    assert internal["location"]["line"] == line(file, "no imds setting")
    [fix] = [f for f in exposure(file, "internal")["fixes"] if f["edit"] == "require_imdsv2"]
    assert "DisableIMDSv1" in fix["remediation"] and "patch" not in fix


@pytest.mark.parametrize("file", FILES)
def test_load_balanced_environment_is_reached_through_its_load_balancer(file: str) -> None:
    [found] = traits(file, "web", INTERNET)
    steps = [s["kind"] for path in (found["path"], *found.get("other_paths", [])) for s in path]
    assert "load_balancer" in steps and "listener" in steps


@pytest.mark.parametrize("file", FILES)
def test_internal_load_balancer_is_not_a_door_from_the_internet(file: str) -> None:
    assert traits(file, "internal", INTERNET) == []


@pytest.mark.parametrize("file", FILES)
def test_single_instance_is_reached_directly_on_http(file: str) -> None:
    [found] = traits(file, "single", INTERNET)
    assert "tcp 80" in found["message"]
    assert "load_balancer" not in [s["kind"] for s in found["path"]]


@pytest.mark.parametrize("file", FILES)
def test_fixes_name_the_option_and_offer_no_patch_for_what_beanstalk_creates(file: str) -> None:
    fixes = exposure(file, "web")["fixes"]
    by_edit = {f["edit"]: f for f in fixes}
    assert "SSHSourceRestriction" in by_edit["remove_world_sources"]["remediation"]
    assert "DisableIMDSv1" in by_edit["require_imdsv2"]["remediation"]
    assert all("patch" not in f for f in fixes)


@pytest.mark.parametrize("file", FILES)
def test_beanstalk_environments_are_analysed_not_listed_as_not_analysed(file: str) -> None:
    assert report(file)["not_analysed"] == []


@pytest.mark.parametrize(
    ("file", "origin"), [("main.tf", "var.environment_type"), ("template.yaml", "EnvironmentType")]
)
def test_environment_type_not_known_makes_the_load_balancer_path_possible(file: str, origin: str) -> None:
    [found] = traits(file, "open_type", INTERNET)
    assert found["verdict"] == "possible"
    assert origin in [u["name"] for u in found["unknowns"]]
