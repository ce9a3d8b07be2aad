"""The rules' documentation is generated from the registry and kept current."""

from __future__ import annotations

import json
from pathlib import Path

from scanner.rules.docs import rule_table, stale
from scanner.rules.registry import TRAIT_RULES, all_rules
from tests.support.paths import REPO


def test_generated_docs_and_readme_table_are_current() -> None:
    # Run `python -m scanner.rules.docs` after changing a rule's catalogue text.
    assert stale(REPO) == []


def test_every_rule_has_a_page_and_the_table_names_every_trait_rule() -> None:
    for rule in all_rules():
        page = REPO / "docs" / "rules" / f"{rule.id}.md"
        assert page.is_file(), rule.id
        assert rule.short_description in page.read_text(encoding="utf-8")
    table = rule_table()
    assert all(f"`{rule.id}`" in table for rule in TRAIT_RULES)


def test_sarif_help_uri_points_at_the_rule_page(tmp_path: Path) -> None:
    from scanner.findings import ScanResult
    from scanner.reports.sarif import render_sarif

    log = json.loads(render_sarif(ScanResult(root=tmp_path)))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules
    for descriptor in rules:
        uri = descriptor["helpUri"]
        assert uri.endswith(f"/docs/rules/{descriptor['id']}.md")
        assert (REPO / "docs" / "rules" / uri.rsplit("/", 1)[1]).is_file()
