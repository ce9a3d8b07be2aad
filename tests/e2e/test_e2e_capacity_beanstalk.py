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
from scanner.rules.admin_role import ID as ADMIN
from scanner.rules.imdsv1 import ID as IMDSV1
from scanner.rules.internet_reachable import ID as INTERNET
from scanner.rules.open_security_group import ID as OPEN_GROUP
from scanner.rules.public_ip import ID as PUBLIC_IP
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


# The other fixtures: (fixture folder, short name) -> the workload's name in each format.
CAPACITY = REPO / "fixtures" / "capacity"
OTHER = {
    "alb": "Alb",
    "nlb": "Nlb",
    "alb_internal": "AlbInternal",
    "key": "Key",
    "default_group": "DefaultGroup",
    "imds": "Imds",
    "own_groups": "OwnGroups",
    "extra": "Extra",
    "private": "Private",
}
TYPES, OFFLINE, GROUPS = (
    "beanstalk-load-balancer-types",
    "beanstalk-settings-not-known-offline",
    "beanstalk-groups-profile-public-ip",
)


@cache
def other_report(fixture: str, file: str) -> dict[str, Any]:
    result = scan([CAPACITY / fixture / file], ScanOptions(root=REPO))
    assert result.all_errors == [], result.all_errors
    loaded: dict[str, Any] = json.loads(render_json(result))
    return loaded


def other(fixture: str, file: str, name: str) -> dict[str, Any]:
    workload = f"aws_elastic_beanstalk_environment.{name}" if file == "main.tf" else OTHER[name]
    return next(e for e in other_report(fixture, file)["exposures"] if e["workload"] == workload)


def other_traits(fixture: str, file: str, name: str, rule: str) -> list[dict[str, Any]]:
    return [t for t in other(fixture, file, name)["traits"] if t["rule_id"] == rule]


def other_line(fixture: str, file: str, marker: str) -> int:
    return line_of(CAPACITY / fixture / file, marker)


def step_kinds(trait: dict[str, Any]) -> list[list[str]]:
    return [[s["kind"] for s in path] for path in (trait["path"], *trait.get("other_paths", []))]


@pytest.mark.parametrize("file", FILES)
def test_application_load_balancer_reaches_the_instances_through_its_target_group(file: str) -> None:
    [found] = other_traits(TYPES, file, "alb", INTERNET)
    assert found["location"]["line"] == other_line(TYPES, file, "alb type")
    assert any({"load_balancer", "listener", "target_group"} <= set(kinds) for kinds in step_kinds(found))
    assert other_traits(TYPES, file, "alb", IMDSV1) == []


@pytest.mark.parametrize("file", FILES)
def test_network_load_balancer_has_no_group_so_instances_admit_port_80_from_anywhere(file: str) -> None:
    [found] = other_traits(TYPES, file, "nlb", INTERNET)
    assert found["location"]["line"] == other_line(TYPES, file, "nlb type")
    assert "tcp 80" in found["message"]
    assert any({"load_balancer", "target_group"} <= set(kinds) for kinds in step_kinds(found))


@pytest.mark.parametrize("file", FILES)
def test_internal_application_load_balancer_is_not_a_door_from_the_internet(file: str) -> None:
    assert other_traits(TYPES, file, "alb_internal", INTERNET) == []


@pytest.mark.parametrize(
    ("file", "name", "rule", "marker", "origin"),
    [
        ("main.tf", "key", REMOTE_ACCESS, "key from variable", "var.key_name"),
        ("template.yaml", "key", REMOTE_ACCESS, "key from variable", "KeyName"),
        ("main.tf", "default_group", REMOTE_ACCESS, "key without restriction", "var.disable_default_group"),
        ("template.yaml", "default_group", REMOTE_ACCESS, "key without restriction", "DisableDefaultGroup"),
        ("main.tf", "imds", IMDSV1, "imds from variable", "var.disable_imdsv1"),
        ("template.yaml", "imds", IMDSV1, "imds from variable", "DisableIMDSv1"),
        ("main.tf", "extra", IMDSV1, "settings from variable", "var.extra_settings"),
        ("template.yaml", "extra", IMDSV1, "settings from variable", "ExtraOption"),
        ("main.tf", "extra", REMOTE_ACCESS, "settings from variable", "var.extra_settings"),
        ("template.yaml", "extra", REMOTE_ACCESS, "settings from variable", "ExtraOption"),
    ],
)
def test_a_setting_not_known_offline_makes_its_trait_possible_and_names_it(
    file: str, name: str, rule: str, marker: str, origin: str
) -> None:
    [found] = other_traits(OFFLINE, file, name, rule)
    assert found["verdict"] == "possible"
    assert found["location"]["line"] == other_line(OFFLINE, file, marker)
    assert origin in [u["name"] for u in found["unknowns"]]


@pytest.mark.parametrize("file", FILES)
def test_own_group_only_opens_its_own_ports_and_the_key_pair_opens_no_ssh(file: str) -> None:
    [found] = other_traits(GROUPS, file, "own_groups", OPEN_GROUP)
    assert found["location"]["line"] == other_line(GROUPS, file, "8080 open")
    assert "tcp 8080" in found["message"]
    assert other_traits(GROUPS, file, "own_groups", REMOTE_ACCESS) == []


@pytest.mark.parametrize("file", FILES)
def test_instance_profile_setting_gives_the_instances_its_role(file: str) -> None:
    [found] = other_traits(GROUPS, file, "own_groups", ADMIN)
    lines = [r["line"] for r in found["related"]]
    assert other_line(GROUPS, file, "admin profile") in lines
    assert other_traits(GROUPS, file, "private", ADMIN) == []


@pytest.mark.parametrize("file", FILES)
def test_associate_public_ip_true_gives_public_addresses_false_does_not(file: str) -> None:
    [found] = other_traits(GROUPS, file, "own_groups", PUBLIC_IP)
    assert found["location"]["line"] == other_line(GROUPS, file, "public ip on")
    assert other_traits(GROUPS, file, "private", PUBLIC_IP) == []
    [fix] = [f for f in other(GROUPS, file, "own_groups")["fixes"] if f["edit"] == "no_public_ip"]
    assert "AssociatePublicIpAddress" in fix["remediation"] and "patch" not in fix


@pytest.mark.parametrize("file", FILES)
def test_ssh_restricted_to_a_security_group_is_not_open(file: str) -> None:
    assert other_traits(GROUPS, file, "private", REMOTE_ACCESS) == []
    assert other_traits(GROUPS, file, "private", OPEN_GROUP) == []


@pytest.mark.parametrize("file", FILES)
def test_single_instance_elastic_ip_gets_no_associate_public_ip_fix(file: str) -> None:
    assert [f for f in exposure(file, "single")["fixes"] if f["edit"] == "no_public_ip"] == []


@pytest.mark.parametrize(
    ("file", "origin"), [("main.tf", "var.environment_type"), ("template.yaml", "EnvironmentType")]
)
def test_environment_type_not_known_may_be_a_single_instance_with_an_elastic_ip(file: str, origin: str) -> None:
    [found] = traits(file, "open_type", PUBLIC_IP)
    assert found["verdict"] == "possible"
    assert found["location"]["line"] == line(file, "type from variable")
    assert origin in [u["name"] for u in found["unknowns"]]
