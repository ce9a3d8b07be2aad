"""Alike instances of one block are one exposure listing them; instances that differ, and
instances of different blocks, stay apart; fingerprints stay the first instance's."""

from __future__ import annotations

import json
from dataclasses import replace

from scanner.findings import Evidence, Exposure, Severity, Trait
from scanner.fingerprints import fingerprint
from scanner.instance_groups import group_instances
from scanner.options import ScanOptions
from scanner.reports.json_report import render_json
from scanner.rules.imdsv1 import ID as IMDSV1
from scanner.rules.public_ip import ID as PUBLIC_IP
from scanner.scan import scan
from scanner.values import Span
from tests.support.paths import FIXTURES, REPO


def exposure(workload: str, eip_line: int = 49, severity: Severity = Severity.LOW) -> Exposure:
    key = workload[workload.index("[") :] if "[" in workload else ""
    traits = (
        Trait(IMDSV1, workload, f"{workload} allows IMDSv1", Evidence(Span("main.tf", 12, 12), workload, "no options")),
        Trait(
            PUBLIC_IP,
            workload,
            f"Elastic IP aws_eip.web{key} is associated with {workload}",
            Evidence(Span("main.tf", eip_line, eip_line), f"aws_eip.web{key}", "eip"),
        ),
    )
    return Exposure("app", workload, "aws_instance", Span("main.tf", 12, 20), severity, traits, (), ())


def test_alike_instances_become_one_exposure_in_natural_key_order() -> None:
    ten, one, zero = exposure("aws_instance.web[10]"), exposure("aws_instance.web[1]"), exposure("aws_instance.web[0]")
    (grouped,) = group_instances([ten, one, zero])
    assert grouped.workload == "aws_instance.web[0]"
    assert grouped.instances == ("aws_instance.web[0]", "aws_instance.web[1]", "aws_instance.web[10]")
    assert fingerprint(grouped) == fingerprint(zero)  # a baseline written before grouping matches


def test_instances_that_differ_stay_apart() -> None:
    apart = group_instances(
        [
            exposure("aws_instance.web[0]"),
            exposure("aws_instance.web[1]", eip_line=60),  # another line
            exposure("aws_instance.web[2]", severity=Severity.MEDIUM),
            exposure("aws_instance.api[0]"),  # another block
            exposure("aws_instance.solo"),
        ]
    )
    assert [(e.workload, e.instances) for e in apart] == [
        ("aws_instance.web[0]", ()),
        ("aws_instance.web[1]", ()),
        ("aws_instance.web[2]", ()),
        ("aws_instance.api[0]", ()),
        ("aws_instance.solo", ()),
    ]


def test_count_two_prints_one_exposure_and_json_lists_the_keys() -> None:
    result = scan([FIXTURES / "terraform" / "count-and-for-each"], ScanOptions(root=REPO))
    web = [e for e in result.exposures if e.workload.startswith("aws_instance.web[")]
    assert [(e.workload, e.instances) for e in web] == [
        ("aws_instance.web[0]", ("aws_instance.web[0]", "aws_instance.web[1]"))
    ]
    by_workload = {e["workload"]: e for e in json.loads(render_json(result))["exposures"]}
    assert by_workload["aws_instance.web[0]"]["instances"] == ["aws_instance.web[0]", "aws_instance.web[1]"]
    assert by_workload['aws_instance.app["a"]']["instances"] == ['aws_instance.app["a"]', 'aws_instance.app["b"]']
    assert "instances" not in by_workload["aws_instance.maybe"]  # written only for a group


def test_grouping_keeps_configurations_apart() -> None:
    a = exposure("aws_instance.web[0]")
    b0, b1 = replace(a, configuration="b"), replace(exposure("aws_instance.web[1]"), configuration="b")
    assert [(e.configuration, e.instances) for e in group_instances([a, b0, b1])] == [
        ("app", ()),
        ("b", ("aws_instance.web[0]", "aws_instance.web[1]")),
    ]
