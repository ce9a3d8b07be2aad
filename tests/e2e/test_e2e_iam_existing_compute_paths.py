"""Every path of the escalation catalogue that takes over an existing EC2 instance or Lambda
function (``ec2-002``, ``ssm-001``, ``ssm-002``, ``ec2instanceconnect-003``, ``lambda-003`` ...
``lambda-005``), both formats, from ``fixtures/iam/escalation-existing-compute-each-path``
(written by ``tests/support/existing_compute_fixture.py``): a role allowed the path's actions on
an instance or function of the configuration that runs with an administrator role escalates
for sure, the hop naming that resource at the line that gives it the role; allowed only on
another one, denied on every one, or under an S3-only permissions boundary, it does not."""

from __future__ import annotations

import json
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
from tests.support.existing_compute_fixture import (
    FOLDER,
    actions_of,
    actor_names,
    cloudformation,
    existing_paths,
    kind_of,
    terraform,
)

PATHS = {str(p["id"]): p for p in existing_paths()}
RULE = "ec2-privilege-escalation"
FILES = ["main.tf", "template.yaml"]


@cache
def _escalations(file: str) -> dict[str, dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.json"
        result = CliRunner().invoke(
            app, ["scan", str(FOLDER / file), "--format", "json", "-o", str(out), "--no-cache", "--fail-on", "none"]
        )
        assert result.exit_code == 0, result.output
        report = json.loads(out.read_text(encoding="utf-8"))
    return {e["workload"]: t for e in report["exposures"] for t in e["traits"] if t["rule_id"] == RULE}


@cache
def _moves(file: str) -> dict[str, tuple[Move, ...]]:
    """Each workload's role's moves, by workload."""
    target = FOLDER / file
    configs, errors, _ = load_configurations([target], ScanOptions(root=target.parent))
    assert not errors and len(configs) == 1
    contexts = workload_contexts(build_graph(configs[0]), configs[0])
    found: dict[str, tuple[Move, ...]] = {}
    for context in contexts:
        assert context.iam_roles is not None and len(context.roles) == 1
        found[context.address] = moves(context.roles[0], context.iam_roles)
    return found


def _names(path_id: str, case: str, file: str) -> tuple[str, str, str, str]:
    """(workload, its role, the administrator's resource, the administrator role) of one case."""
    tf, cfn = next((t, c) for k, t, c in actor_names(path_id) if k == case)
    resource = "aws_lambda_function" if kind_of(PATHS[path_id]) == "function" else "aws_instance"
    if file == "main.tf":
        return f"aws_instance.{tf}", f"aws_iam_role.{tf}", f"{resource}.{tf}_target", f"aws_iam_role.{tf}_target"
    return cfn, f"{cfn}Role", f"{cfn}Target", f"{cfn}TargetRole"


def _lines(file: str) -> list[str]:
    return (FOLDER / file).read_text(encoding="utf-8").splitlines()


def _statement_line(path_id: str, file: str) -> int:
    """The line of the statement allowing the path's actions in the firing role's policy."""
    tf, cfn = next((t, c) for k, t, c in actor_names(path_id) if not k)
    lines = _lines(file)
    if file == "main.tf":
        start = lines.index(f'resource "aws_iam_role_policy" "{tf}" {{')
        return next(n for n in range(start, len(lines)) if '{ Effect = "Allow", Action = [' in lines[n]) + 1
    start = lines.index(f"        - PolicyName: {cfn}")
    return next(n for n in range(start, len(lines)) if lines[n].strip() == "- Effect: Allow") + 1


def _role_line(path_id: str, file: str) -> int:
    """The line that gives the administrator's instance or function its role."""
    _, _, resource, _ = _names(path_id, "", file)
    name = resource.split(".")[-1]
    function = kind_of(PATHS[path_id]) == "function"
    if file == "main.tf":
        wanted = f"aws_iam_role.{name}.arn" if function else f"aws_iam_instance_profile.{name}.name"
        key = "role " if function else "iam_instance_profile"
    else:
        wanted = f"!GetAtt {name}Role.Arn" if function else f"!Ref {name}Profile"
        key = "Role:" if function else "IamInstanceProfile:"
    return next(n for n, text in enumerate(_lines(file), 1) if key in text and text.rstrip().endswith(wanted))


def test_the_fixture_is_what_the_generator_writes() -> None:
    assert (FOLDER / "main.tf").read_text(encoding="utf-8") == terraform()
    assert (FOLDER / "template.yaml").read_text(encoding="utf-8") == cloudformation()
    assert {"ec2-002", "ssm-001", "ssm-002", "ec2instanceconnect-003", "lambda-003", "lambda-004"} <= set(PATHS)
    assert len(PATHS) == 7


@pytest.mark.parametrize("file", FILES)
@pytest.mark.parametrize("path_id", sorted(PATHS))
def test_each_path_takes_over_the_resource_running_with_the_administrator(path_id: str, file: str) -> None:
    workload, role, resource, admin = _names(path_id, "", file)
    held = [m for m in _moves(file)[workload] if m.path.id == path_id]
    assert [
        (m.answer, m.via.resource.address if m.via else "", m.target.role.address if m.target else "") for m in held
    ] == [("yes", resource, admin)]
    assert held[0].via is not None and held[0].via.named_at.line == _role_line(path_id, file)
    trait = _escalations(file)[workload]
    assert trait["verdict"] == "holds"
    # the trait's path: this one, or one of the catalogue whose actions are a part of this one's
    # (lambda-004 and lambda-005 add an action to lambda-003's, which the search tries first)
    shown = trait["properties"]["paths"]
    assert len(shown) == 1 and set(actions_of(PATHS[shown[0]])) <= set(actions_of(PATHS[path_id]))
    assert [(h["from"], h["to"]) for h in trait["properties"]["hops"]] == [(role, admin)]
    assert trait["location"]["line"] == _statement_line(path_id, file)
    assert trait["location"]["file"].endswith(f"escalation-existing-compute-each-path/{file}")
    assert f"takes over {resource}, which runs with {admin}" in trait["message"]
    steps = [
        (s["address"], s["location"]["line"]) for s in trait["path"] if s["kind"] in ("instance", "lambda_function")
    ]
    assert steps[-1] == (resource, _role_line(path_id, file))


@pytest.mark.parametrize("file", FILES)
@pytest.mark.parametrize("case", ["other", "denied", "bounded"])
@pytest.mark.parametrize("path_id", sorted(PATHS))
def test_another_resource_a_deny_or_a_boundary_stops_the_path(path_id: str, case: str, file: str) -> None:
    workload, role, _, admin = _names(path_id, case, file)
    role_moves = _moves(file)[workload]
    # no move along the path (the other resource's role is no admin and can do nothing more:
    # a hop to it is not even made), and none to the administrator by any path
    assert [m for m in role_moves if m.path.id == path_id] == []
    assert all(m.target is None or m.target.role.address != admin for m in role_moves)
    assert all(m.actor.role.address == role for m in role_moves)
    assert workload not in _escalations(file)
