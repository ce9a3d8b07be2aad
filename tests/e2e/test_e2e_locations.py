"""Findings point at the line the user edits (issue 16, "At the line the user edits"), in the
JSON and SARIF reports, and never into a module Terraform downloaded.

Fixtures are in fixtures/locations/: a local module whose open CIDR and IMDS setting come
from the caller's arguments; a root variable set in terraform.tfvars, or only by its
default; a downloaded module with a module-internal open rule and a CIDR from the caller;
a CloudFormation parameter's Default."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from scanner.cli import app
from tests.support.paths import REPO

LOCATIONS = REPO / "fixtures" / "locations"
Place = tuple[str, int]  # (file relative to the fixture folder, line)


def line_of(path: Path, needle: str, after: str | None = None) -> int:
    """The one line holding ``needle`` (the first after the line holding ``after``)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = 0 if after is None else next(n for n, text in enumerate(lines) if after in text)
    found = [n for n, text in enumerate(lines[start:], start + 1) if needle in text]
    assert found, f"{path.name}: {needle!r} not found"
    return found[0]


@cache
def report(fixture: str, form: str) -> Any:
    folder = LOCATIONS / fixture
    result = CliRunner().invoke(
        app, ["scan", folder.relative_to(REPO).as_posix(), "--no-cache", "--format", form, "--fail-on", "none"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _local(file: str, fixture: str) -> str:
    prefix = f"fixtures/locations/{fixture}/"
    assert file.startswith(prefix), file
    return file.removeprefix(prefix)


def json_places(fixture: str) -> dict[tuple[str, str], tuple[Place, list[Place]]]:
    """(rule id, location message) -> (location, related places), from the JSON report."""
    out: dict[tuple[str, str], tuple[Place, list[Place]]] = {}
    for exposure in report(fixture, "json")["exposures"]:
        for trait in exposure["traits"]:
            loc = trait["location"]
            related = [(_local(r["file"], fixture), r["line"]) for r in trait["related"]]
            out[(trait["rule_id"], trait["message"])] = ((_local(loc["file"], fixture), loc["line"]), related)
    return out


def sarif_places(fixture: str) -> dict[tuple[str, str], tuple[Place, list[Place]]]:
    """(rule id, message) -> (location, relatedLocations) of the trait results in SARIF."""
    out: dict[tuple[str, str], tuple[Place, list[Place]]] = {}
    for result in report(fixture, "sarif")["runs"][0]["results"]:
        if result["ruleId"].startswith("ec2-exposure-"):
            continue

        def place(location: dict[str, Any]) -> Place:
            physical = location["physicalLocation"]
            return (_local(physical["artifactLocation"]["uri"], fixture), physical["region"]["startLine"])

        related = [place(r) for r in result.get("relatedLocations", [])]
        out[(result["ruleId"], result["message"]["text"])] = (place(result["locations"][0]), related)
    return out


def only(places: dict[tuple[str, str], tuple[Place, list[Place]]], rule: str, words: str) -> tuple[Place, list[Place]]:
    found = [v for (rule_id, message), v in places.items() if rule_id == rule and words in message]
    assert len(found) == 1, (rule, words, list(places))
    return found[0]


def both(fixture: str, rule: str, words: str) -> tuple[Place, list[Place]]:
    """The trait's place and related places, the same in JSON and SARIF."""
    in_json = only(json_places(fixture), rule, words)
    in_sarif = only(sarif_places(fixture), rule, words)
    assert in_json == in_sarif
    return in_json


def test_an_open_cidr_a_module_caller_passes_is_reported_at_the_callers_argument() -> None:
    fixture = "module-argument-sets-open-cidr"
    module = LOCATIONS / fixture / "modules" / "bastion" / "main.tf"
    caller = LOCATIONS / fixture / "main.tf"
    written = ("modules/bastion/main.tf", line_of(module, "cidr_blocks = var.ssh_cidrs"))
    for rule in ("ec2-remote-access", "ec2-open-security-group"):
        location, related = both(fixture, rule, "tcp 22 from 0.0.0.0/0")
        assert location == ("main.tf", line_of(caller, 'ssh_cidrs   = ["0.0.0.0/0"]'))
        assert related[0] == written
    # http_tokens from a module argument: the argument, the module's attribute related
    location, related = both(fixture, "ec2-imdsv1", "allows IMDSv1")
    assert location == ("main.tf", line_of(caller, 'http_tokens = "optional"'))
    assert related == [("modules/bastion/main.tf", line_of(module, "http_tokens = var.http_tokens"))]


def test_a_literal_written_in_a_local_module_keeps_its_own_line() -> None:
    fixture = "module-argument-sets-open-cidr"
    module = LOCATIONS / fixture / "modules" / "bastion" / "main.tf"
    location, related = both(fixture, "ec2-remote-access", "tcp 3389 from 0.0.0.0/0")
    assert location == ("modules/bastion/main.tf", line_of(module, "cidr_blocks", after="from_port   = 3389"))
    assert written_lines(fixture, "tcp 3389") == []  # its value is set where written
    assert location not in related


def written_lines(fixture: str, words: str) -> list[str]:
    """The "written here" related messages of the traits whose message has ``words``."""
    return [
        r["message"]
        for exposure in report(fixture, "json")["exposures"]
        for trait in exposure["traits"]
        if words in trait["message"]
        for r in trait["related"]
        if r["message"].startswith("written here")
    ]


def test_a_variable_set_in_terraform_tfvars_is_reported_at_the_tfvars_line() -> None:
    fixture = "tfvars-sets-admin-cidr"
    main = LOCATIONS / fixture / "main.tf"
    tfvars = LOCATIONS / fixture / "terraform.tfvars"
    location, related = both(fixture, "ec2-remote-access", "tcp 22 from 0.0.0.0/0")
    assert location == ("terraform.tfvars", line_of(tfvars, "admin_cidr ="))
    assert related[0] == ("main.tf", line_of(main, "cidr_blocks = [var.admin_cidr]"))


def test_a_variable_with_only_a_default_is_reported_at_the_default_line() -> None:
    fixture = "default-sets-admin-cidr"
    main = LOCATIONS / fixture / "main.tf"
    location, related = both(fixture, "ec2-open-security-group", "tcp 22 from 0.0.0.0/0")
    assert location == ("main.tf", line_of(main, 'default     = "0.0.0.0/0"'))
    assert related[0] == ("main.tf", line_of(main, "cidr_blocks = [var.admin_cidr]"))


def test_the_example_bastion_is_fixed_at_the_variables_default() -> None:
    main = REPO / "fixtures" / "example" / "main.tf"
    result = CliRunner().invoke(
        app, ["scan", "fixtures/example", "--no-cache", "--format", "json", "--fail-on", "none"]
    )
    [bastion] = [e for e in json.loads(result.stdout)["exposures"] if e["workload"] == "aws_instance.bastion"]
    [remote] = [t for t in bastion["traits"] if t["rule_id"] == "ec2-remote-access"]
    assert remote["location"]["line"] == line_of(main, 'default     = "0.0.0.0/0"')
    assert remote["related"][0]["line"] == line_of(main, "cidr_blocks = [var.admin_cidr]")


def test_a_cloudformation_parameter_is_reported_at_its_default() -> None:
    fixture = "parameter-default-sets-open-cidr"
    template = LOCATIONS / fixture / "template.yaml"
    location, related = both(fixture, "ec2-remote-access", "tcp 22 from 0.0.0.0/0")
    assert location == ("template.yaml", line_of(template, "Default: 0.0.0.0/0"))
    assert related[0] == ("template.yaml", line_of(template, "CidrIp: !Ref AllowedCidr"))


def test_nothing_points_into_a_downloaded_module() -> None:
    fixture = "downloaded-module-internal-literal"
    main = LOCATIONS / fixture / "main.tf"
    download = LOCATIONS / fixture / ".terraform" / "modules" / "web" / "main.tf"
    call = ("main.tf", line_of(main, 'module "web" {'))
    shown_download = f"fixtures/locations/{fixture}/.terraform/modules/web/main.tf"
    # a literal inside the download: at the module call, the text names the download's line
    rdp_line = line_of(download, "cidr_blocks", after="from_port   = 3389")
    location, _ = both(fixture, "ec2-remote-access", "tcp 3389 from 0.0.0.0/0")
    assert location == call
    assert only(json_places(fixture), "ec2-remote-access", f"(set in {shown_download}:{rdp_line})")
    location, _ = both(fixture, "ec2-imdsv1", "allows IMDSv1")
    assert location == call
    tokens_line = line_of(download, 'http_tokens = "optional"')
    assert only(json_places(fixture), "ec2-imdsv1", f"(set in {shown_download}:{tokens_line})")
    # a CIDR the call passes in: at the argument, the download's attribute at the call
    location, related = both(fixture, "ec2-open-security-group", "tcp 22 from 0.0.0.0/0")
    assert location == ("main.tf", line_of(main, 'ssh_cidrs = ["0.0.0.0/0"]'))
    assert related[0] == call
    # the exposure itself, and every place of every report
    [exposure] = report(fixture, "json")["exposures"]
    assert (_local(exposure["location"]["file"], fixture), exposure["location"]["line"]) == call
    for form in ("json", "sarif"):
        assert ".terraform/" not in json.dumps(_places_only(report(fixture, form)))
    text = CliRunner().invoke(app, ["scan", f"fixtures/locations/{fixture}", "--no-cache", "--fail-on", "none"])
    assert all(".terraform/" not in line.split()[1] for line in text.stdout.splitlines() if line.startswith("  ec2-"))


def _places_only(data: Any) -> Any:
    """Every file a report points at (JSON ``file``, SARIF ``uri``), the read files left out."""
    if isinstance(data, dict):
        return [
            value if key in ("file", "uri") else _places_only(value)
            for key, value in data.items()
            if key not in ("files", "artifacts")
        ]
    if isinstance(data, list):
        return [_places_only(item) for item in data]
    return None
