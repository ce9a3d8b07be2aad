"""The escalation catalogue as data, and the search's per-role work (``scanner.analyses.iam_escalation``)."""

from __future__ import annotations

from collections import Counter

from scanner.analyses.iam_escalation import MAX_HOPS, escalation, moves
from scanner.escalation_catalogue import catalogue
from scanner.iam_catalogue import expand_actions
from scanner.workload import WorkloadContext
from tests.support.paths import REPO


def test_the_catalogue_holds_pathfinding_clouds_65_aws_paths_with_real_actions() -> None:
    paths = catalogue().paths
    ids = [p.id for p in paths]
    assert len(ids) == 65 and len(set(ids)) == 65
    assert {"iam-001", "iam-005", "iam-009", "iam-012", "ec2-001", "lambda-001", "lambda-003", "sts-001"} <= set(ids)
    for path in paths:
        assert path.url == f"https://pathfinding.cloud/paths/{path.id}"
        assert path.actions and path.description and path.reaches
        for required in path.actions:
            # every required action is a real one of the bundled IAM action catalogue
            assert expand_actions(required.action) == frozenset({required.action}), (path.id, required.action)
        if path.family == "pass":
            assert path.service.endswith(".amazonaws.com") and path.actions[0].action == "iam:passrole"
        if path.reachable_in_configuration != "yes":
            assert path.why, path.id
    families = {p.id: p.family for p in paths}
    assert families["ec2-001"] == "pass" and families["iam-005"] == "self" and families["iam-007"] == "user-only"


def test_the_readme_counts_the_paths_as_the_catalogue_reads_them() -> None:
    reach = Counter(p.reachable_in_configuration for p in catalogue().paths)
    text = (REPO / "README.md").read_text(encoding="utf-8")
    for found, key in (("for sure", "yes"), ("possible only", "possible"), ("never", "no")):
        assert f"| {found} ({reach[key]}) |" in text, found
    assert reach["yes"] >= 44  # every existing instance and function path is searched for sure


def _contexts(fixture: str, file: str) -> dict[str, WorkloadContext]:
    from scanner.graph import build_graph, workload_contexts
    from scanner.options import ScanOptions
    from scanner.scan import load_configurations

    target = REPO / "fixtures" / "iam" / fixture / file
    configs, errors, _ = load_configurations([target], ScanOptions(root=target.parent))
    assert not errors and len(configs) == 1
    return {c.address: c for c in workload_contexts(build_graph(configs[0]), configs[0])}


def test_a_cycle_of_roles_ends_and_each_role_is_searched_once() -> None:
    contexts = _contexts("escalation-multi-hop-chains", "main.tf")
    loop = contexts["aws_instance.loop_a"]
    directory = loop.iam_roles
    assert directory is not None
    assert escalation(loop.roles[0], directory) is None
    searched = {key[1].role.address for key in directory.memo if isinstance(key, tuple) and key[0] == "moves"}
    assert searched == {"aws_iam_role.loop_a", "aws_iam_role.loop_b", "aws_iam_role.loop_c"}
    # each of them can move to the next one only: the search ended at the cycle, not at the hop limit
    assert [m.target.role.address for m in moves(loop.roles[0], directory) if m.target] == ["aws_iam_role.loop_b"]
    assert MAX_HOPS == 4


def test_moves_are_computed_once_per_role_and_shared_by_the_workloads_of_a_configuration() -> None:
    contexts = _contexts("escalation-multi-hop-chains", "main.tf")
    two, three = contexts["aws_instance.start_two"], contexts["aws_instance.start_three"]
    assert two.iam_roles is three.iam_roles  # one per configuration
    directory = two.iam_roles
    assert directory is not None
    first = escalation(two.roles[0], directory)
    assert first is not None and [m.path.id for m in first.moves] == ["sts-001", "ec2-001"]
    assert escalation(two.roles[0], directory) is first  # cached per role
    computed = moves(two.roles[0], directory)
    assert moves(two.roles[0], directory) is computed


def test_a_role_without_any_catalogue_action_has_no_move() -> None:
    contexts = _contexts("escalation-passrole-to-new-compute", "main.tf")
    launcher = contexts["aws_instance.launcher"]
    directory = launcher.iam_roles
    assert directory is not None
    worker = next(r for r in directory.roles if r.role.address == "aws_iam_role.worker")
    assert moves(worker, directory) == ()
