"""IAM action patterns as sets of real actions, and the evaluator's matching of one action.

``clause_applies`` (the evaluator's Action / NotAction test) is compared with a
regular-expression reading of the pattern over a small vocabulary of action names;
``pattern_set`` with a brute-force reading over the whole catalogue.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.analyses.iam_action_sets import (
    changing_actions,
    controllable_services,
    covered_services,
    every_action,
    pattern_set,
    service_actions,
)
from scanner.analyses.iam_evaluator import clause_applies
from scanner.analyses.iam_policies import Clause, Source
from scanner.iam_catalogue import access_levels, action_info, has_changing_actions
from scanner.values import Span
from scanner.workload import ResolvedPolicy

SERVICES = ("iam", "s3", "ec2", "sts", "s3-object-lambda", "ssm")
NAMES = (
    "GetObject",
    "PutObject",
    "PassRole",
    "CreateUser",
    "ListBuckets",
    "DescribeInstances",
    "GetRole",
    "AttachRolePolicy",
    "RunInstances",
    "AssumeRole",
    "Get",
    "Object",
)
VOCABULARY = tuple(f"{s}:{n}" for s in SERVICES for n in NAMES)
SOURCE = Source(ResolvedPolicy(attached_at=Span("iam.tf", 1, 1), attached_by="aws_iam_role.app"), None)


def reference_regex(pattern: str) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL)


def matches_by_regex(pattern: str, word: str) -> bool:
    return reference_regex(pattern).fullmatch(word) is not None


def clause(actions: tuple[str, ...], not_action: bool = False) -> Clause:
    return Clause(
        effect="allow",
        actions=actions,
        not_action=not_action,
        unknown_actions=(),
        resources=("*",),
        not_resource=False,
        unknown_resources=(),
        conditional=False,
        conditions=(),
        doubt=None,
        source=SOURCE,
    )


# Patterns built from pieces of real action names, so they hit the vocabulary often.
pattern_pieces = st.sampled_from(
    ["*", "?", "iam", "s3", "ec2", ":", "Get", "get", "Object", "Role", "i", "s", "Pass", "*:", ":*", "-", "3", "e"]
)
action_patterns = st.lists(pattern_pieces, min_size=1, max_size=5).map("".join)


@settings(max_examples=150, deadline=None)
@given(action_patterns)
def test_action_matching_agrees_with_regex_over_vocabulary(pattern: str) -> None:
    for action in VOCABULARY:
        expected = "yes" if matches_by_regex(pattern, action) else "no"
        assert clause_applies(clause((pattern,)), action, "*").answer == expected, (pattern, action)
        negated = "no" if expected == "yes" else "yes"
        assert clause_applies(clause((pattern,), not_action=True), action, "*").answer == negated, (pattern, action)


@settings(max_examples=60, deadline=None)
@given(action_patterns)
def test_pattern_set_is_every_real_action_the_pattern_matches(pattern: str) -> None:
    expected = frozenset(a for a in every_action() if ":" in pattern and matches_by_regex(pattern, a))
    if pattern == "*":
        expected = every_action()
    assert pattern_set((pattern,)) == expected
    assert pattern_set((pattern,), True) == every_action() - expected


def test_not_action_iam_covers_every_other_service() -> None:
    all_but_iam = pattern_set(("iam:*",), True)
    covered = covered_services(all_but_iam)
    assert "iam" not in covered
    assert {"s3", "ec2", "sts"} <= covered
    all_but_one = pattern_set(("s3:GetObject",), True)
    assert service_actions("iam") <= all_but_one
    assert "s3" not in covered_services(all_but_one)


def test_statements_together_cover_a_service_a_single_pattern_does_not() -> None:
    gets, rest = pattern_set(("iam:Get*", "iam:List*")), pattern_set(("iam:*",), True)
    assert "iam" not in covered_services(gets)
    names = {a.partition(":")[2] for a in service_actions("iam") - gets}
    others = pattern_set(tuple(f"iam:{n}" for n in sorted(names)))
    assert "iam" in covered_services(gets | others)
    assert "iam" not in covered_services(rest)


def test_a_read_only_service_changes_nothing() -> None:
    assert "s3:putobject" in changing_actions("s3")
    assert "s3:getobject" not in changing_actions("s3")
    assert "iam:passrole" in changing_actions("iam")
    assert not changing_actions("pricing")
    assert {"s3", "iam"} <= controllable_services()
    assert "pricing" not in controllable_services()


def test_access_levels_read_from_the_bundle_agree_with_action_info() -> None:
    for service in ("s3", "iam", "ec2", "pricing", "ssmmessages"):
        levels = access_levels(service)
        assert levels and set(levels) == service_actions(service)
        for action, level in levels.items():
            info = action_info(action)
            assert info is not None and info.access_level == level, action
        assert has_changing_actions(service) == any(v not in ("Read", "List") for v in levels.values())
