"""No partial loss: when one file of a configuration cannot be read, the findings from the
rest are still reported, the failure is marked on that configuration, and each finding
that might be wrong because of it says so (an assumption naming the file)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console

from scanner.findings import ScanResult
from scanner.reports.json_report import render_json
from scanner.reports.sarif import render_sarif
from scanner.reports.text import render_text
from tests.support.crash_check import caught_bugs, scan_tree

OPEN_INSTANCE = """resource "aws_instance" "web" {
  ami                         = "ami-12345678"
  associate_public_ip_address = true
}
"""
BROKEN = 'resource "aws_security_group" "web" {\n  ingress {\n    from_port = 22\n'


def terraform_with_a_broken_file(tmp_path: Path) -> ScanResult:
    (tmp_path / "main.tf").write_text(OPEN_INSTANCE)
    (tmp_path / "network.tf").write_text(BROKEN)
    return scan_tree(tmp_path)


def test_findings_from_readable_files_survive_and_say_what_was_unread(tmp_path: Path) -> None:
    result = terraform_with_a_broken_file(tmp_path)
    assert caught_bugs(result) == []
    (configuration,) = result.configurations
    assert [e.file for e in configuration.errors] == ["network.tf"]
    assert configuration.errors[0].line > 0
    (exposure,) = [e for e in result.exposures if e.workload == "aws_instance.web"]
    assert exposure.traits
    for trait in exposure.traits:
        assert any("network.tf" in a and "incomplete" in a for a in trait.caveats), trait.caveats
        assert not trait.possible  # a caveat, not an assumption: what was read decides


def test_a_clean_configuration_carries_no_such_assumption(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(OPEN_INSTANCE)
    result = scan_tree(tmp_path)
    assert result.exposures
    assert not any("incomplete" in a for e in result.exposures for t in e.traits for a in t.caveats)


def test_every_report_shows_the_unread_file_on_the_finding(tmp_path: Path) -> None:
    result = terraform_with_a_broken_file(tmp_path)
    report = json.loads(render_json(result))
    traits = [t for e in report["exposures"] for t in e["traits"]]
    assert traits and all(any("network.tf" in a for a in t["caveats"]) for t in traits)
    sarif = json.loads(render_sarif(result))
    results = [
        r
        for r in sarif["runs"][0]["results"]
        if r["ruleId"] != "ec2-exposure" and not r["ruleId"].startswith("ec2-exposure")
    ]
    assert results and all("network.tf" in r["message"]["text"] for r in results)
    notifications = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any("network.tf" in json.dumps(n) for n in notifications)
    buffer = io.StringIO()
    render_text(result, Console(file=buffer, width=200, no_color=True))
    text = buffer.getvalue()
    assert "network.tf" in text and "incomplete" in text


def test_an_unreadable_template_does_not_lose_the_other_templates(tmp_path: Path) -> None:
    head = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'
    (tmp_path / "good.yaml").write_text(
        head + "  Web:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-12345678\n"
    )
    (tmp_path / "broken.yaml").write_text(head + "  Bad:\n    Type: AWS::EC2::Instance\n   Properties: [\n")
    (tmp_path / "binary.yaml").write_bytes(b"AWSTemplateFormatVersion: 1\n\xff\xfe\x00")
    result = scan_tree(tmp_path)
    assert caught_bugs(result) == []
    by_name = {c.name: c for c in result.configurations}
    assert not by_name["good.yaml"].errors and by_name["broken.yaml"].errors
    assert any(e.workload == "Web" and e.configuration == "good.yaml" for e in result.exposures)
    assert not any("incomplete" in a for e in result.exposures for t in e.traits for a in t.caveats)


def test_an_unreadable_nested_stack_marks_the_parents_findings(tmp_path: Path) -> None:
    head = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'
    (tmp_path / "parent.yaml").write_text(
        head + "  Web:\n    Type: AWS::EC2::Instance\n    Properties:\n"
        "      ImageId: ami-12345678\n  Net:\n    Type: AWS::CloudFormation::Stack\n"
        "    Properties:\n      TemplateURL: ./network.yaml\n"
    )
    (tmp_path / "network.yaml").write_text(head + "  Sg:\n    Type: AWS::EC2::SecurityGroup\n  Properties: {\n")
    result = scan_tree(tmp_path)
    assert caught_bugs(result) == []
    (exposure,) = [e for e in result.exposures if e.workload == "Web"]
    assert all(any("network.yaml" in a for a in t.caveats) for t in exposure.traits)
