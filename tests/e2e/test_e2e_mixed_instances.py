"""Mixed instances policies end to end: Auto Scaling groups whose overrides bring their own
launch templates, in Terraform and CloudFormation (fixtures/traits/mixed-*), through the
real pipeline and the JSON report. Each result names the rule, the workload, the line of the
template it is about, and the instance types launched from that template."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from scanner.options import ScanOptions
from scanner.reports.json_report import render_json
from scanner.rules.imdsv1 import ID as IMDSV1
from scanner.rules.open_security_group import ID as OPEN_SECURITY_GROUP
from scanner.scan import scan
from tests.e2e.test_e2e_traits import TRAITS, line_of
from tests.support.paths import REPO


@cache
def traits(fixture: str) -> list[dict[str, Any]]:
    """Every trait of one fixture folder's scan, each with its exposure's workload."""
    result = scan([TRAITS / fixture], ScanOptions(root=REPO))
    assert result.all_errors == [], result.all_errors
    report = json.loads(render_json(result))
    return [{**trait, "workload": e["workload"]} for e in report["exposures"] for trait in e["traits"]]


def of(fixture: str, rule: str, workload: str) -> list[dict[str, Any]]:
    return [t for t in traits(fixture) if t["rule_id"] == rule and t["workload"] == workload]


def where(fixture: str, file: str, *needles: str) -> tuple[str, int]:
    path = TRAITS / fixture / file
    return path.relative_to(REPO).as_posix(), line_of(path, *needles)


OVERRIDE_V1 = "mixed-override-template-allows-imdsv1"
INHERITS = "mixed-override-inherits-base-template"
OPEN_GROUP = "mixed-override-template-adds-open-security-group"


@pytest.mark.parametrize(
    ("file", "workload", "template", "needles", "instances"),
    [
        (
            "main.tf",
            "aws_autoscaling_group.compute_override_allows_v1",
            "aws_launch_template.compute_allows_v1",
            ("http_tokens", "# override template allows v1"),
            "for instance types c5.large, c5.xlarge (override)",
        ),
        (
            "main.tf",
            "aws_autoscaling_group.override_without_metadata_options",
            "aws_launch_template.no_metadata_options",
            ('resource "aws_launch_template" "no_metadata_options"',),
            "for instance types t3.large (override)",
        ),
        (
            "template.yaml",
            "ComputeOverrideAllowsV1",
            "ComputeAllowsV1",
            ("HttpTokens", "# override template allows v1"),
            "for instance types c5.large, c5.xlarge (override)",
        ),
        (
            "template.yaml",
            "OverrideWithoutMetadataOptions",
            "NoMetadataOptions",
            ("NoMetadataOptions:",),
            "for instance types t3.large (override)",
        ),
    ],
)
def test_an_override_template_allowing_imdsv1_while_the_base_requires_v2(
    file: str, workload: str, template: str, needles: tuple[str, ...], instances: str
) -> None:
    (trait,) = of(OVERRIDE_V1, IMDSV1, workload)  # the base template requires v2: no trait of its own
    location = trait["location"]
    assert (location["file"], location["line"]) == where(OVERRIDE_V1, file, *needles)
    assert location["address"] == template
    assert instances in trait["message"]
    assert trait["properties"]["launch_template"] == template
    # the related line is the override's reference to its template
    (related,) = trait["related"]
    assert related["address"] == workload and instances.split(" (")[0].removeprefix("for ") in related["message"]


@pytest.mark.parametrize(
    ("file", "workload", "needles"),
    [
        ("main.tf", "aws_autoscaling_group.overrides_inherit_base", ("http_tokens", "# base template allows v1")),
        ("template.yaml", "OverridesInheritBase", ("HttpTokens", "# base template allows v1")),
    ],
)
def test_an_override_without_its_own_template_inherits_the_base(
    file: str, workload: str, needles: tuple[str, ...]
) -> None:
    (trait,) = of(INHERITS, IMDSV1, workload)
    assert (trait["location"]["file"], trait["location"]["line"]) == where(INHERITS, file, *needles)
    # m6g.large launches from its own template, which requires v2: not named here
    assert "for instance types m5.large, m5.xlarge (base launch template)" in trait["message"]
    assert trait["properties"]["instance_types"] == ["m5.large", "m5.xlarge"]


@pytest.mark.parametrize(
    ("file", "workload", "needles", "attached"),
    [
        (
            "main.tf",
            "aws_autoscaling_group.override_opens_8080",
            ("cidr_blocks", "# opened by the override's template"),
            ("vpc_security_group_ids", "# the override's groups"),
        ),
        (
            "template.yaml",
            "OverrideOpens8080",
            ("CidrIp", "# opened by the override's template"),
            ("SecurityGroupIds", "# the override's groups"),
        ),
    ],
)
def test_an_override_template_adds_an_open_security_group(
    file: str, workload: str, needles: tuple[str, ...], attached: tuple[str, ...]
) -> None:
    (trait,) = of(OPEN_GROUP, OPEN_SECURITY_GROUP, workload)
    assert (trait["location"]["file"], trait["location"]["line"]) == where(OPEN_GROUP, file, *needles)
    assert "tcp 8080" in trait["message"]
    # the group is attached by the override's template: its line is the attaching one
    lines = {(r["file"], r["line"]) for r in trait["related"]}
    assert where(OPEN_GROUP, file, *attached) in lines


def test_every_trait_of_a_group_has_its_own_fingerprint() -> None:
    for fixture in (OVERRIDE_V1, INHERITS, OPEN_GROUP):
        found = [t["fingerprint"] for t in traits(fixture)]
        assert len(found) == len(set(found)), fixture
