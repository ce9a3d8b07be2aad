"""The rule catalog: every rule id the scanner reports has a complete entry."""

from __future__ import annotations

import re

import pytest

from scanner.findings import Severity
from scanner.rules.exposure_levels import EXPOSURE_SCORES
from scanner.rules.registry import TRAIT_RULE_IDS, all_rules, remediation, rule


def test_every_trait_and_exposure_rule_exists() -> None:
    ids = [r.id for r in all_rules()]
    assert len(ids) == len(set(ids))
    for rule_id in TRAIT_RULE_IDS:
        assert rule(rule_id).kind == "trait"
    for severity, score in EXPOSURE_SCORES.items():
        assert rule(f"ec2-exposure-{severity.label}").security_severity == score
    assert {"iacscan-load-error", "iacscan-suppression-without-reason"} <= set(ids)
    with pytest.raises(KeyError):
        rule("ec2-nope")


@pytest.mark.parametrize("entry", all_rules(), ids=lambda r: r.id)
def test_rule_is_complete(entry) -> None:  # type: ignore[no-untyped-def]
    assert re.fullmatch(r"(?:[A-Z][a-z0-9]*)+", entry.name)
    assert entry.short_description and entry.full_description and entry.remediation and entry.steps
    assert entry.full_description in entry.help_text and "How to fix" in entry.help_text
    assert "### How to fix" in entry.help_markdown
    assert "`" not in entry.help_text
    if entry.id == "ec2-possible-exposure":  # GitHub must not rank it as a confirmed exposure
        assert entry.security_severity is None and entry.tags[:3] == ("security", "aws", "ec2")
    elif entry.kind == "exposure":
        assert entry.tags[:3] == ("security", "aws", "ec2")
        assert entry.security_severity is not None and 0 < entry.security_severity <= 10
        assert all(ref.url.startswith("https://docs.aws.amazon.com/") for ref in entry.references)
    elif entry.kind == "trait":
        # A trait is as severe as its workload's exposure, never on its own: no score, and a
        # default level that neither ranks it an error nor hides it (each result has its own).
        assert entry.tags[:3] == ("security", "aws", "ec2")
        assert entry.security_severity is None and entry.level == "warning"
        assert all(ref.url.startswith("https://docs.aws.amazon.com/") for ref in entry.references)


def test_exposure_scores_fall_in_githubs_bands() -> None:
    # GitHub: critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9
    assert EXPOSURE_SCORES[Severity.CRITICAL] > 9.0
    assert 7.0 <= EXPOSURE_SCORES[Severity.HIGH] < 9.0
    assert 4.0 <= EXPOSURE_SCORES[Severity.MEDIUM] < 7.0
    assert 0.0 < EXPOSURE_SCORES[Severity.LOW] < 4.0


def test_remediation_advice_matches_aws_guidance() -> None:
    assert "required" in remediation("ec2-imdsv1")
    assert "instance refresh" in rule("ec2-imdsv1").help_text
    assert "Access Analyzer" in rule("ec2-admin-role").help_text
    assert "Session Manager" in remediation("ec2-remote-access")
    assert "Inspector" in rule("ec2-exploitable-vulnerability").help_text
    assert remediation("something-else")  # unknown ids get a generic line, never a crash
