"""Baselines: --write-baseline records today's findings; --baseline then reports only new
ones (SARIF baselineState), and fingerprints survive moved lines, moved resources and
reformatting, but not a new open port."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from scanner.cli import app
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures" / "workflow"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["scan", *args], catch_exceptions=False, env={"COLUMNS": "250"})
    return result.exit_code, result.stdout


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should be in {path} once"
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- CloudFormation --------------------------------------------------------------------------


def cfn_unrelated_change(infra: Path) -> None:
    """Moves the group below the instance, reformats a list, adds tags and reorders keys."""
    template = infra / "template.yaml"
    text = template.read_text(encoding="utf-8")
    group_start, app_start = text.index("  AppGroup:\n"), text.index("  App:\n")
    group, app_block = text[group_start:app_start], text[app_start:]
    text = text[:group_start] + app_block + group
    text = text.replace("Description: A private instance", "Description: Reviewed 2026-11. A private instance")
    text = text.replace(
        "      SecurityGroupIds: [!Ref AppGroup]\n",
        "      Tags:\n        - Key: team\n          Value: payments\n"
        "      SecurityGroupIds:\n        - !Ref AppGroup\n",
    )
    rule = "        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIp: 0.0.0.0/0\n"
    reordered = "        - CidrIp: 0.0.0.0/0\n          FromPort: 22\n          ToPort: 22\n          IpProtocol: tcp\n"
    assert rule in text
    text = text.replace(rule, reordered)
    template.write_text(text, encoding="utf-8")


def cfn_new_open_port(infra: Path) -> None:
    """A second world-open rule, written above the existing one (the old rule's index moves)."""
    replace_once(
        infra / "template.yaml",
        "      SecurityGroupIngress:\n",
        "      SecurityGroupIngress:\n"
        "        - IpProtocol: tcp\n          FromPort: 8080\n          ToPort: 8080\n"
        "          CidrIp: 0.0.0.0/0\n",
    )


# --- Terraform -------------------------------------------------------------------------------


def tf_unrelated_change(infra: Path) -> None:
    """Moves the security group from network.tf into main.tf, above the instance, and
    reformats the instance (alignment, a comment, a tag)."""
    network = (infra / "network.tf").read_text(encoding="utf-8")
    start = network.index('resource "aws_security_group" "ssh"')
    group = network[start:]
    (infra / "network.tf").write_text(network[:start], encoding="utf-8")
    main = (infra / "main.tf").read_text(encoding="utf-8")
    main = main.replace("  ami                    = ", "  # the web tier\n  ami = ")
    main = main.replace("  instance_type          = ", "  instance_type = ")
    main = main.replace("  metadata_options {", '  tags = { Team = "payments" }\n\n  metadata_options {')
    (infra / "main.tf").write_text(group + "\n\n" + main, encoding="utf-8")


def tf_new_open_port(infra: Path) -> None:
    path = infra / "main.tf" if 'aws_security_group" "ssh"' in (infra / "main.tf").read_text() else infra / "network.tf"
    replace_once(
        path,
        "  vpc_id = aws_vpc.main.id\n  ingress {",
        "  vpc_id = aws_vpc.main.id\n"
        '  ingress {\n    from_port   = 8080\n    to_port     = 8080\n    protocol    = "tcp"\n'
        '    cidr_blocks = ["0.0.0.0/0"]\n  }\n  ingress {',
    )


@dataclass(frozen=True)
class Case:
    fixture: str
    workload: str
    unrelated_change: Callable[[Path], None]
    new_open_port: Callable[[Path], None]


CASES = [
    pytest.param(Case("baseline-open-ssh", "App", cfn_unrelated_change, cfn_new_open_port), id="cloudformation"),
    pytest.param(
        Case("baseline-open-ssh-terraform", "aws_instance.web", tf_unrelated_change, tf_new_open_port), id="terraform"
    ),
]


def sarif_results(*args: str) -> list[dict[str, Any]]:
    code, out = run("infra", "--format", "sarif", *args)
    assert code in (0, 1)
    results: list[dict[str, Any]] = json.loads(out)["runs"][0]["results"]
    return results


@pytest.mark.parametrize("case", CASES)
def test_baseline_round_trip(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    infra = tmp_path / "infra"
    shutil.copytree(FIXTURES / case.fixture, infra)
    monkeypatch.chdir(tmp_path)

    before = sarif_results()
    assert {r["ruleId"] for r in before} == {"ec2-remote-access", "ec2-open-security-group", "ec2-exposure-low"}
    assert run("infra", "--write-baseline", "baseline.json")[0] == 0  # writing it accepts today's findings
    recorded = json.loads((tmp_path / "baseline.json").read_text(encoding="utf-8"))
    assert recorded["tool"] == "iacscan"
    assert {r["partialFingerprints"]["iacscanFingerprint/v1"] for r in before} <= set(recorded["fingerprints"])

    code, text = run("infra", "--baseline", "baseline.json")
    assert code == 0 and text.splitlines()[-1] == "0 new exposures in 1 configuration; 1 in the baseline"

    case.unrelated_change(infra)
    moved = sarif_results("--baseline", "baseline.json")
    assert moved, "the findings are still there"
    lines_before = sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in before)
    lines_after = sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in moved)
    assert lines_before != lines_after, "the change should move the findings' lines"
    assert [r["baselineState"] for r in moved] == ["unchanged"] * len(moved)
    code, text = run("infra", "--baseline", "baseline.json")
    assert code == 0, text
    code, out = run("infra", "--baseline", "baseline.json", "--format", "json")
    assert code == 0 and json.loads(out)["exposures"] == []

    case.new_open_port(infra)
    after = sarif_results("--baseline", "baseline.json")
    new = [r for r in after if r["baselineState"] == "new"]
    assert [r["ruleId"] for r in new] == ["ec2-open-security-group"]
    assert "8080" in new[0]["message"]["text"]
    code, out = run("infra", "--baseline", "baseline.json", "--format", "json")
    assert code == 1
    (exposure,) = json.loads(out)["exposures"]
    assert exposure["workload"] == case.workload
    assert [t["rule_id"] for t in exposure["traits"]] == ["ec2-open-security-group"]
    code, text = run("infra", "--baseline", "baseline.json")
    trait_lines = [line.split()[0] for line in text.splitlines() if line.startswith("  ec2-")]
    assert code == 1 and trait_lines == ["ec2-open-security-group"]


def summary(*args: str) -> tuple[str, dict[str, Any]]:
    """The text report's last line and the JSON report's summary of one scan."""
    code, text = run("infra", "--no-cache", *args)
    assert code in (0, 1), text
    code, out = run("infra", "--no-cache", "--format", "json", *args)
    assert code in (0, 1), out
    report = json.loads(out)
    schema = json.loads((REPO / "scanner" / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(report)
    report_summary: dict[str, Any] = report["summary"]
    return text.splitlines()[-1], report_summary


def test_a_baselined_scan_says_how_many_findings_the_baseline_hid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    infra = tmp_path / "infra"
    shutil.copytree(REPO / "fixtures" / "exposure" / "imdsv1-severity-follows-the-workload", infra)
    monkeypatch.chdir(tmp_path)
    line, counts = summary()
    assert line == "3 exposures (1 high, 1 medium, 1 low) in 1 configuration"
    assert "in_baseline" not in counts  # written only with --baseline
    assert run("infra", "--no-cache", "--write-baseline", "baseline.json")[0] == 0

    line, counts = summary("--baseline", "baseline.json")
    assert line == "0 new exposures in 1 configuration; 3 in the baseline"
    assert (counts["exposures"], counts["in_baseline"]) == (0, {"exposures": 3, "traits": 0})

    # the web server now opens SSH instead of HTTPS (two new traits on a known exposure, the
    # same severity) and a new private instance allows IMDSv1 (a new low exposure)
    replace_once(
        infra / "main.tf", "from_port   = 443\n    to_port     = 443", "from_port   = 22\n    to_port     = 22"
    )
    with (infra / "main.tf").open("a", encoding="utf-8") as main:
        main.write(
            '\nresource "aws_instance" "cron" {\n'
            '  ami                    = "ami-0abc1234def567890"\n'
            '  instance_type          = "t3.micro"\n'
            "  subnet_id              = aws_subnet.private.id\n"
            "  vpc_security_group_ids = [aws_security_group.internal.id]\n"
            "}\n"
        )
    line, counts = summary("--baseline", "baseline.json")
    # shown: web (its three old traits hidden) and cron; hidden whole: batch and reports
    assert (
        line == "2 new exposures (1 high, 1 low) in 1 configuration; 2 in the baseline (and 3 traits of the new ones)"
    )
    assert counts["by_severity"] == {"critical": 0, "high": 1, "medium": 0, "low": 1}
    assert counts["in_baseline"] == {"exposures": 2, "traits": 3}


def test_unreadable_baseline_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(FIXTURES / "baseline-open-ssh", tmp_path / "infra")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline.json").write_text('{"fingerprints": "not a list"}', encoding="utf-8")
    result = CliRunner().invoke(app, ["scan", "infra", "--baseline", "baseline.json"])
    assert result.exit_code == 2
    assert "baseline.json" in result.output and "not an iacscan baseline" in result.output


# --- baselines written by 0.1 ----------------------------------------------------------------


@pytest.mark.parametrize(("fixture", "folder"), [("baseline-open-ssh", "cfn"), ("baseline-open-ssh-terraform", "tf")])
def test_a_baseline_written_by_0_1_still_matches_the_same_findings(
    fixture: str, folder: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(FIXTURES / fixture, tmp_path / folder)
    old = FIXTURES / "baseline-written-by-0.1" / f"{fixture}.json"
    monkeypatch.chdir(tmp_path)
    code, out = run(folder, "--no-cache", "--format", "sarif", "--baseline", str(old))
    states = {r["ruleId"]: r["baselineState"] for r in json.loads(out)["runs"][0]["results"]}
    # what 0.1 reported is unchanged; SSH to the world is now an open security group too (new)
    assert states == {
        "ec2-remote-access": "unchanged",
        "ec2-exposure-low": "unchanged",
        "ec2-open-security-group": "new",
    }
    code, out = run(folder, "--no-cache", "--format", "json", "--baseline", str(old))
    assert code == 1  # a new finding fails the default threshold
    (exposure,) = json.loads(out)["exposures"]
    assert [t["rule_id"] for t in exposure["traits"]] == ["ec2-open-security-group"]
