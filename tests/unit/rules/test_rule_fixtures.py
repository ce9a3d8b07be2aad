"""Per-rule fixtures with snapshots: every case folder under ``fixtures/rules/<rule-id>/`` is
scanned on its own (``update_rule_snapshots.snapshot``) and must give exactly its
``expected.json``: the traits of its rule, each at its ``file:line``, and the severity of every
exposure of the case. A case is one behaviour in one format (``main.tf`` or ``template.yaml``);
``fires-*`` cases have traits, ``quiet-*`` cases are near misses that have none (but for the
suspected scanner bugs listed below, where the snapshot records the scanner's wrong answer).

After a deliberate change of what the scanner reports, regenerate the snapshots with
``python -m tests.update_rule_snapshots [RULE-ID ...]`` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scanner.rules.registry import TRAIT_RULE_IDS
from tests.update_rule_snapshots import EXPECTED, case_dirs, render, snapshot

CASES = case_dirs()
FORMATS = {"main.tf": "terraform", "template.yaml": "cloudformation"}
SUFFIXES = {"terraform": "-tf", "cloudformation": "-cfn"}


def case_id(case: Path) -> str:
    return f"{case.parent.name}/{case.name}"


def case_format(case: Path) -> str:
    """Terraform or CloudFormation, from the files of the case (exactly one of them)."""
    found = [kind for name, kind in FORMATS.items() if (case / name).is_file()]
    assert len(found) == 1, f"{case_id(case)}: needs exactly one of {', '.join(FORMATS)}, has {found}"
    return found[0]


def expected(case: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((case / EXPECTED).read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_case_matches_its_snapshot(case: Path) -> None:
    path = case / EXPECTED
    assert path.is_file(), f"no snapshot: run python -m tests.update_rule_snapshots {case.parent.name}"
    found = snapshot(case)
    assert found == expected(case), f"run python -m tests.update_rule_snapshots {case.parent.name} and review the diff"
    assert path.read_text(encoding="utf-8") == render(found), "the snapshot is not in the script's format"


def test_every_rule_fires_and_stays_quiet_in_both_formats() -> None:
    assert CASES, "no case under fixtures/rules"
    assert {case.parent.name for case in CASES} <= set(TRAIT_RULE_IDS), "a folder that names no rule"
    covered = {(case.parent.name, case_format(case), bool(expected(case)["traits"])) for case in CASES}
    missing = [
        f"{rule} {kind} {'firing' if fires else 'quiet'}"
        for rule in TRAIT_RULE_IDS
        for kind in FORMATS.values()
        for fires in (True, False)
        if (rule, kind, fires) not in covered
    ]
    assert missing == [], f"rules without these cases: {missing}"


# Cases written from AWS's documented behaviour where the scanner disagrees: the name says what
# AWS does, the snapshot what the scanner says. When the scanner is fixed, the name test passes,
# strict xfail fails it: take the case out of here and regenerate its snapshot.
# Cases written from AWS's behaviour that the scanner still gets wrong: strict xfails, so a fix
# shows up as a failure telling to take the case off this list. (The load balancer egress cases
# that stood here were fixed with the real-world accuracy work.)
SUSPECTED_SCANNER_BUGS: dict[str, str] = {}


def _name_case(case: Path) -> object:
    bug = SUSPECTED_SCANNER_BUGS.get(case_id(case))
    marks = [pytest.mark.xfail(strict=True, reason=f"suspected scanner bug: {bug}")] if bug else []
    return pytest.param(case, id=case_id(case), marks=marks)


def test_suspected_bugs_name_existing_cases() -> None:
    assert set(SUSPECTED_SCANNER_BUGS) <= {case_id(case) for case in CASES}


@pytest.mark.parametrize("case", [_name_case(case) for case in CASES])
def test_case_name_says_whether_and_in_which_format_it_fires(case: Path) -> None:
    fires = bool(expected(case)["traits"])
    assert case.name.startswith(("fires-", "quiet-")), "a case name starts with fires- or quiet-"
    assert case.name.startswith("fires-") == fires, f"the snapshot has {'' if fires else 'no '}traits"
    suffix = SUFFIXES[case_format(case)]
    assert case.name.endswith(suffix), f"a {case_format(case)} case name ends in {suffix}"
