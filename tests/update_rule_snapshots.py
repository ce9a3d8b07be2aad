"""Rewrite the snapshots of the per-rule fixtures: ``fixtures/rules/<rule-id>/<case>/expected.json``.

    python -m tests.update_rule_snapshots                  # every case of every rule
    python -m tests.update_rule_snapshots ec2-imdsv1 ...   # the cases of these rules

Each case folder is scanned on its own, in process, as ``iacscan scan CASE --no-cache`` run
from the case folder would scan it: the case folder is the root (locations are relative to
it) and its ``.iacscan.toml``, when present, gives the settings (authorized ports, the
vulnerability data). The snapshot holds the traits of the case's rule (the folder above the
case) and the severity of every exposure of the case. ``tests/test_rule_fixtures.py`` scans
the same way and compares. Review the diff before committing: a snapshot records what the
scanner says, not what it should say.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from scanner.options import ScanOptions
from scanner.scan import scan
from scanner.settings import FileSettings, find_settings_file, load_settings
from scanner.vulndata import VulnerabilityData, VulnerabilitySources, load_vulnerability_data
from tests.support.paths import REPO

RULES = REPO / "fixtures" / "rules"
EXPECTED = "expected.json"


class CaseError(ValueError):
    """A case that does not scan cleanly: a snapshot of it would record a load error."""


def case_dirs(rule_ids: list[str] | None = None) -> list[Path]:
    """Every case folder (``fixtures/rules/<rule-id>/<case>/``), sorted; only these rules' when given."""
    rules = sorted(p for p in RULES.iterdir() if p.is_dir())
    if rule_ids:
        unknown = sorted(set(rule_ids) - {p.name for p in rules})
        if unknown:
            raise SystemExit(f"no fixtures for: {', '.join(unknown)}")
        rules = [p for p in rules if p.name in rule_ids]
    return [case for rule in rules for case in sorted(p for p in rule.iterdir() if p.is_dir())]


def _vulnerability_data(settings: FileSettings, root: Path) -> VulnerabilityData | None:
    """The case's offline vulnerability data, as the CLI loads it from the settings (None without any)."""
    sources = VulnerabilitySources(
        sboms=settings.sboms,
        inspector_exports=settings.inspector_exports,
        osv_db=settings.vuln_db,
        kev=settings.kev,
        epss=settings.epss,
        epss_threshold=settings.epss_threshold if settings.epss_threshold is not None else 0.1,
    )
    if sources.empty:
        return None
    data, errors, _notices = load_vulnerability_data(sources, root)
    if errors:
        raise CaseError(f"{root}: vulnerability data: {'; '.join(map(str, errors))}")
    return data


def snapshot(case: Path) -> dict[str, Any]:
    """What the scanner says about one case: its rule's traits and every exposure's severity."""
    rule_id = case.parent.name
    settings_file = find_settings_file(case)
    settings = load_settings(settings_file) if settings_file is not None else FileSettings()
    options = ScanOptions(
        root=case,
        var_files=settings.var_files,
        parameters=settings.parameters,
        skip_rules=frozenset(settings.skip_rules),
        cache_dir=None,
        jobs=1,
    )
    if settings.authorized_ports is not None:
        options = replace(options, authorized_ports=frozenset(settings.authorized_ports))
    result = scan([case], options, settings.exclude, vulnerability_data=_vulnerability_data(settings, case))
    if result.all_errors or not result.configurations:
        raise CaseError(f"{case}: did not load cleanly: {'; '.join(map(str, result.all_errors)) or 'nothing found'}")
    traits: list[dict[str, Any]] = [
        {
            "workload": trait.workload,
            "location": f"{trait.location.span.file}:{trait.location.span.line}",
            "message": trait.message,
            "assumptions": list(trait.assumptions),
        }
        for exposure in result.exposures
        for trait in exposure.traits
        if trait.rule_id == rule_id
    ]
    traits.sort(key=lambda t: (t["workload"], _location_key(t["location"]), t["message"]))
    return {
        "rule": rule_id,
        "traits": traits,
        "severity": {e.workload: e.severity.label for e in sorted(result.exposures, key=lambda e: e.workload)},
    }


def _location_key(location: str) -> tuple[str, int]:
    file, _, line = location.rpartition(":")
    return file, int(line)


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    changed, failed = 0, 0
    for case in case_dirs(argv or None):
        try:
            text = render(snapshot(case))
        except CaseError as error:
            print(f"not updated: {error}", file=sys.stderr)
            failed += 1
            continue
        path = case / EXPECTED
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed += 1
            print(f"updated {path.relative_to(REPO)}")
    print(f"{changed} snapshot(s) updated")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
