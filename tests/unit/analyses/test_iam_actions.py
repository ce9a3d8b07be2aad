"""The IAM action wildcard algebra, checked against brute force.

``action_matches`` is compared with a regular-expression reading of the pattern over a small
vocabulary of real action names; ``pattern_covers`` / ``patterns_overlap`` (language
containment / intersection of two patterns) against every word up to a length over a tiny
alphabet that includes a letter no pattern uses.
"""

from __future__ import annotations

import itertools
import re
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.analyses.iam import (
    EVERY_ACTION,
    ActionSet,
    action_matches,
    pattern_covers,
    patterns_overlap,
    service_actions,
)

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


def reference_regex(pattern: str) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL)


def matches_by_regex(pattern: str, word: str) -> bool:
    return reference_regex(pattern).fullmatch(word) is not None


# Patterns built from pieces of real action names, so they hit the vocabulary often.
pattern_pieces = st.sampled_from(
    ["*", "?", "iam", "s3", "ec2", ":", "Get", "get", "Object", "Role", "i", "s", "Pass", "*:", ":*", "-", "3", "e"]
)
action_patterns = st.lists(pattern_pieces, min_size=1, max_size=5).map("".join)


@settings(max_examples=150, deadline=None)
@given(action_patterns)
def test_action_matches_agrees_with_regex_over_vocabulary(pattern: str) -> None:
    for action in VOCABULARY:
        assert action_matches(pattern, action) == matches_by_regex(pattern, action), (pattern, action)


@settings(max_examples=300, deadline=None)
@given(action_patterns, st.sampled_from(SERVICES))
def test_service_coverage_is_sound_over_vocabulary(pattern: str, service: str) -> None:
    """If a pattern covers every action of a service, it matches each of that service's
    actions in the vocabulary; if it covers every action, it matches the whole vocabulary."""
    if pattern_covers(pattern, service_actions(service)):
        assert all(matches_by_regex(pattern, a) for a in VOCABULARY if a.startswith(f"{service}:"))
    if pattern_covers(pattern, EVERY_ACTION):
        assert all(matches_by_regex(pattern, a) for a in VOCABULARY)


# Exhaustive check of the set algebra on a tiny alphabet. "c" appears in no pattern: it
# stands for every letter the patterns do not name.
TINY_PATTERN = st.text(alphabet="ab:*?", min_size=0, max_size=4)
WORDS = tuple("".join(w) for n in range(8) for w in itertools.product("ab:c", repeat=n))


@cache
def language(pattern: str) -> frozenset[str]:
    regex = reference_regex(pattern)
    return frozenset(w for w in WORDS if regex.fullmatch(w))


@settings(max_examples=300, deadline=None)
@given(TINY_PATTERN, TINY_PATTERN)
def test_pattern_covers_is_language_containment(pattern: str, target: str) -> None:
    assert pattern_covers(pattern, target) == (language(target) <= language(pattern)), (pattern, target)


@settings(max_examples=300, deadline=None)
@given(TINY_PATTERN, TINY_PATTERN)
def test_patterns_overlap_is_language_intersection(first: str, second: str) -> None:
    assert patterns_overlap(first, second) == bool(language(first) & language(second)), (first, second)


def test_known_coverage_cases() -> None:
    assert pattern_covers("*", EVERY_ACTION)
    assert pattern_covers("*:*", EVERY_ACTION)
    assert pattern_covers("*?", EVERY_ACTION)
    assert not pattern_covers("iam:*", EVERY_ACTION)
    assert pattern_covers("i*:*", service_actions("iam"))
    assert pattern_covers("IAM:*", service_actions("iam"))
    assert pattern_covers("iam:*", service_actions("IAM"))
    assert not pattern_covers("iam:Get*", service_actions("iam"))
    assert not pattern_covers("*:Get*", service_actions("iam"))
    assert not pattern_covers("s3:*Object", service_actions("s3"))
    # A case the naive "match the pattern against the target's symbols" gets wrong:
    # every word of a*a has an "a" followed by at least one letter.
    assert pattern_covers("*a?*", "a*a")


def test_action_set_with_not_action() -> None:
    all_but_iam = ActionSet(("iam:*",), negated=True)
    assert not all_but_iam.covers(service_actions("iam"))
    assert all_but_iam.covers(service_actions("s3"))
    assert not all_but_iam.covers(EVERY_ACTION)
    all_but_one = ActionSet(("s3:GetObject",), negated=True)
    assert all_but_one.covers(service_actions("iam"))
    assert not all_but_one.covers(service_actions("s3"))
    assert all_but_one.touches(service_actions("s3"))
