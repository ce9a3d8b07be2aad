"""Every PassRole path of the escalation catalogue (pathfinding.cloud's ``family`` "pass"),
both formats, from ``fixtures/iam/escalation-passrole-to-each-service`` (its near misses limited
by a condition or a boundary in ``escalation-passrole-limited-to-another-service-or-bounded``): a
role that may pass an administrator role to the path's service and call the path's other
actions escalates by exactly that path, the trait at its iam:PassRole statement; the same role
does not escalate by that path when the administrator trusts another service only, when
``iam:PassedToService`` limits the pass to another service, or under a permissions boundary
that allows only S3 (another path, such as starting an existing build, may still be possible,
named)."""

from __future__ import annotations

import json
import re
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.analyses.iam_escalation import Move, moves
from scanner.cli import app
from scanner.graph import build_graph, workload_contexts
from scanner.options import ScanOptions
from scanner.scan import load_configurations
from tests.support.passrole_fixture import (
    FOLDER,
    LIMITED_FOLDER,
    MODIFY_FOLDER,
    cloudformation,
    modify_cloudformation,
    modify_paths,
    modify_terraform,
    names,
    pass_paths,
    terraform,
)

IDS = [str(p["id"]) for p in pass_paths()]
RULE = "ec2-privilege-escalation"


@cache
def _escalations(file: str, limited: bool = False) -> dict[str, dict[str, Any]]:
    scanned = (LIMITED_FOLDER if limited else FOLDER) / file
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.json"
        result = CliRunner().invoke(
            app, ["scan", str(scanned), "--format", "json", "-o", str(out), "--no-cache", "--fail-on", "none"]
        )
        assert result.exit_code == 0, result.output
        report = json.loads(out.read_text(encoding="utf-8"))
    return {e["workload"]: t for e in report["exposures"] for t in e["traits"] if t["rule_id"] == RULE}


def _workload(path_id: str, file: str, miss: bool) -> str:
    stem, logical = names(path_id)
    return (
        f"aws_instance.{stem}{'_miss' if miss else ''}" if file == "main.tf" else f"{logical}{'Miss' if miss else ''}"
    )


def _pass_statement_line(path_id: str, file: str) -> int:
    stem, logical = names(path_id)
    lines = (FOLDER / file).read_text(encoding="utf-8").splitlines()
    if file == "main.tf":
        wanted = f'Action = "iam:PassRole", Resource = aws_iam_role.{stem}_admin.arn'
        return next(n for n, text in enumerate(lines, 1) if wanted in text)
    resource = next(n for n, text in enumerate(lines, 1) if text.strip() == f"Resource: !GetAtt {logical}AdminRole.Arn")
    return resource - 2  # the statement's "- Effect: Allow" line


def test_the_fixture_is_what_the_generator_writes() -> None:
    assert (FOLDER / "main.tf").read_text(encoding="utf-8") == terraform()
    assert (FOLDER / "template.yaml").read_text(encoding="utf-8") == cloudformation()
    assert (LIMITED_FOLDER / "main.tf").read_text(encoding="utf-8") == terraform(limited=True)
    assert (LIMITED_FOLDER / "template.yaml").read_text(encoding="utf-8") == cloudformation(limited=True)
    assert len(IDS) >= 26


@pytest.mark.parametrize("file", ["main.tf", "template.yaml"])
@pytest.mark.parametrize("path_id", IDS)
def test_each_passrole_path_escalates_by_itself_at_its_passrole_statement(path_id: str, file: str) -> None:
    trait = _escalations(file).get(_workload(path_id, file, miss=False))
    assert trait is not None, f"{path_id} found no escalation"
    assert trait["verdict"] == "holds"
    assert re.findall(r"\(([a-z0-9]+-\d{3})", trait["message"])[0] == path_id
    assert trait["location"]["line"] == _pass_statement_line(path_id, file)


@pytest.mark.parametrize("file", ["main.tf", "template.yaml"])
@pytest.mark.parametrize("path_id", IDS)
def test_an_administrator_trusting_another_service_stops_that_path(path_id: str, file: str) -> None:
    trait = _escalations(file).get(_workload(path_id, file, miss=True))
    if trait is not None:
        assert trait["verdict"] == "possible"
        assert path_id not in trait["message"]


@cache
def _moves(folder: Path, file: str) -> dict[str, tuple[Move, ...]]:
    """Each workload's role's moves, by workload."""
    target = folder / file
    configs, errors, _ = load_configurations([target], ScanOptions(root=target.parent))
    assert not errors and len(configs) == 1
    found: dict[str, tuple[Move, ...]] = {}
    for context in workload_contexts(build_graph(configs[0]), configs[0]):
        assert context.iam_roles is not None and len(context.roles) == 1
        found[context.address] = moves(context.roles[0], context.iam_roles)
    return found


@pytest.mark.parametrize("file", ["main.tf", "template.yaml"])
@pytest.mark.parametrize("case", ["elsewhere", "bounded"])
@pytest.mark.parametrize("path_id", IDS)
def test_passing_only_to_another_service_or_a_boundary_stops_that_path(path_id: str, case: str, file: str) -> None:
    stem, logical = names(path_id)
    workload = f"aws_instance.{stem}_{case}" if file == "main.tf" else f"{logical}{case.capitalize()}"
    admin = f"aws_iam_role.{stem}_{case}_admin" if file == "main.tf" else f"{logical}{case.capitalize()}AdminRole"
    role_moves = _moves(LIMITED_FOLDER, file)[workload]
    assert [m for m in role_moves if m.path.id == path_id] == []
    assert all(m.target is None or m.target.role.address != admin for m in role_moves)
    trait = _escalations(file, limited=True).get(workload)
    if trait is not None:  # another path, through a resource not read, may still be possible
        assert trait["verdict"] == "possible" and path_id not in trait["message"]
    # the firing case, the same but for the condition or the boundary, does pass the role
    fires = _workload(path_id, file, miss=False)
    assert any(m.path.id == path_id and m.answer == "yes" for m in _moves(FOLDER, file)[fires])


MODIFY_IDS = [str(p["id"]) for p in modify_paths()]


@cache
def _modify_escalations(file: str) -> dict[str, dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.json"
        result = CliRunner().invoke(
            app,
            ["scan", str(MODIFY_FOLDER / file), "--format", "json", "-o", str(out), "--no-cache", "--fail-on", "none"],
        )
        assert result.exit_code == 0, result.output
        report = json.loads(out.read_text(encoding="utf-8"))
    return {e["workload"]: t for e in report["exposures"] for t in e["traits"] if t["rule_id"] == RULE}


def _first_statement_line(path_id: str, file: str) -> int:
    """The line of the statement allowing the path's first action, in the actor's policy."""
    stem, logical = names(path_id)
    first = next(str(p["actions"][0]["action"]) for p in modify_paths() if p["id"] == path_id)  # type: ignore[index]
    lines = (MODIFY_FOLDER / file).read_text(encoding="utf-8").splitlines()
    if file == "main.tf":
        start = lines.index(f'resource "aws_iam_role_policy" "{stem}" {{')
        return next(n for n in range(start, len(lines)) if f'Action = "{first}"' in lines[n]) + 1
    start = lines.index(f"  {logical}Permissions:")
    return next(n for n in range(start, len(lines)) if lines[n].strip() == f"Action: {first}")  # the "- Effect" line


def test_the_modify_fixture_is_what_the_generator_writes() -> None:
    assert (MODIFY_FOLDER / "main.tf").read_text(encoding="utf-8") == modify_terraform()
    assert (MODIFY_FOLDER / "template.yaml").read_text(encoding="utf-8") == modify_cloudformation()
    assert len(MODIFY_IDS) == 6


@pytest.mark.parametrize("file", ["main.tf", "template.yaml"])
@pytest.mark.parametrize("path_id", MODIFY_IDS)
def test_each_path_that_takes_another_role_over_escalates_by_itself(path_id: str, file: str) -> None:
    """The worker is not admin: changing its permissions (attach, put, a new policy version)
    and taking it over (assume it, its trust naming the actor; or rewrite its trust) is the
    escalation, at the statement allowing the first action. Denied that action: none."""
    escalations = _modify_escalations(file)
    trait = escalations.get(_workload(path_id, file, miss=False))
    assert trait is not None, f"{path_id} found no escalation"
    assert trait["verdict"] == "holds"
    assert re.findall(r"\(([a-z0-9]+-\d{3})", trait["message"])[0] == path_id
    assert trait["location"]["line"] == _first_statement_line(path_id, file)
    assert _workload(path_id, file, miss=True) not in escalations
