"""Every source patch does what its fix promised: for every fixture folder that holds a
configuration, each shown fix with a patch is applied to a copy of the folder, the copy is
scanned, and the workload's exposure must be exactly the one the fix predicted: gone when
the fix resolves it, else at the fix's severity with none of the traits it clears.

This checks the model edit (``scanner.fixes.edits``) against the text edit
(``scanner.fixes.patches``): neither can drift from the other."""

from __future__ import annotations

import json
import os
import shutil
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scanner.discovery import discover
from scanner.findings import SHOWN_FIXES, Exposure, Fix, ScanResult, SourceChange
from scanner.fixes.patches import apply_changes
from scanner.options import ScanOptions
from scanner.reports.sarif import render_sarif
from scanner.scan import scan
from scanner.suppressions import matching_suppression
from tests.support.paths import FIXTURES, REPO
from tests.support.sarif_validator import find_validator, validate

SKIPPED = ("hostile", "fuzz-crashers")
EXCLUDES = tuple(f"fixtures/{name}*" for name in SKIPPED)


def fixture_folders() -> list[Path]:
    """The folders holding the configurations ``iacscan scan fixtures`` finds (a Terraform
    root module's folder, a template's or plan's folder), outermost only."""
    found = discover([FIXTURES], ScanOptions(root=REPO), EXCLUDES)
    folders = {p if p.is_dir() else p.parent for paths in found.paths.values() for p in paths}
    folders = {f.resolve() for f in folders if not any(part in SKIPPED for part in f.relative_to(REPO).parts)}
    return sorted(f for f in folders if not any(other in f.parents for other in folders))


@dataclass(frozen=True)
class Prediction:
    configuration: str
    workload: str
    fix: Fix


def predictions(result: ScanResult) -> dict[tuple[SourceChange, ...], list[Prediction]]:
    """Each distinct patch of a shown fix, with what it predicts for each workload."""
    out: dict[tuple[SourceChange, ...], list[Prediction]] = defaultdict(list)
    for exposure in result.exposures:
        for fix in exposure.fixes[:SHOWN_FIXES]:
            if fix.patch:
                for workload in exposure.instances or (exposure.workload,):
                    out[fix.patch].append(Prediction(exposure.configuration, workload, fix))
    return out


def unit_folder(folder: Path, result: ScanResult) -> Path:
    """The folder to copy: ``folder`` and every file its configurations read (a module
    source outside it)."""
    files = [REPO / f for c in result.configurations for f in c.files if not Path(f).is_absolute()]
    common = Path(os.path.commonpath([folder, *files])) if files else folder
    return common if common.is_dir() else common.parent


def copy_with_patch(unit: Path, patch: tuple[SourceChange, ...], tmp: Path) -> None:
    """``unit`` copied under ``tmp`` at its path relative to the repository, every file the
    patch names changed: the copy's root is ``tmp``."""
    relative = unit.relative_to(REPO)
    shutil.copytree(unit, tmp / relative, symlinks=True)
    by_file: dict[str, list[SourceChange]] = defaultdict(list)
    for change in patch:
        by_file[change.file].append(change)
    for file, changes in by_file.items():
        target = tmp / file
        assert target.is_file(), f"{file} is outside {relative}"
        text = target.read_text(encoding="utf-8")
        target.write_text(apply_changes(text, changes), encoding="utf-8")


def errors_of(result: ScanResult) -> set[tuple[str, str]]:
    return {(e.file, e.message) for e in result.all_errors}


def exposure_for(result: ScanResult, configuration: str, workload: str) -> Exposure | None:
    for exposure in result.exposures:
        if exposure.configuration == configuration and workload in (exposure.workload, *exposure.instances):
            return exposure
    return None


def active_rules(result: ScanResult, exposure: Exposure) -> set[str]:
    """The rule ids of the exposure's traits that no inline suppression silences (what its
    severity and its fixes are measured on)."""
    configuration = next(c for c in result.configurations if c.name == exposure.configuration)
    return {
        t.rule_id
        for t in exposure.traits
        if matching_suppression(configuration.suppressions, t.rule_id, t.workload, t.location.address) is None
    }


def mismatches(after: ScanResult, predicted: list[Prediction]) -> Iterator[str]:
    for p in predicted:
        found = exposure_for(after, p.configuration, p.workload)
        said = f"{p.configuration} {p.workload}: {p.fix.remediation} ({p.fix.outcome})"
        if p.fix.outcome == "resolves":
            left = active_rules(after, found) if found is not None else set()
            if left:
                yield f"{said}: still {found.severity_label if found else ''} with {sorted(left)}"
            continue
        if found is None:
            yield f"{said}: the exposure is gone, predicted {p.fix.severity}"
            continue
        if found.severity != p.fix.severity:
            yield f"{said}: {found.severity_label}, predicted {p.fix.severity}"
        left = active_rules(after, found) & set(p.fix.cleared)
        if left:
            yield f"{said}: {sorted(left)} still there"


FOLDERS = fixture_folders()
checked: list[int] = []


@pytest.mark.parametrize("folder", FOLDERS, ids=[str(f.relative_to(FIXTURES)) for f in FOLDERS])
def test_each_patch_makes_the_predicted_change(folder: Path, tmp_path: Path) -> None:
    before = scan([folder], ScanOptions(root=REPO))
    unit = unit_folder(folder, before)
    problems: list[str] = []
    for number, (patch, predicted) in enumerate(sorted(predictions(before).items(), key=lambda i: repr(i[0]))):
        copy_root = tmp_path / str(number)
        copy_with_patch(unit, patch, copy_root)
        after = scan([copy_root / folder.relative_to(REPO)], ScanOptions(root=copy_root))
        assert errors_of(after) == errors_of(before), f"the patched copy loads differently ({patch})"
        problems += [f"{problem}\n    patch: {patch}" for problem in mismatches(after, predicted)]
        checked.append(len(predicted))
    assert not problems, "\n".join(problems)


def test_fixture_folders_are_found() -> None:
    assert len(FOLDERS) > 50
    assert all("hostile" not in f.parts for f in FOLDERS)


def test_sarif_fixes_carry_the_patches_and_pass_the_validator(tmp_path: Path) -> None:
    result = scan([FIXTURES / "fixes"], ScanOptions(root=REPO))
    log = json.loads(render_sarif(result))
    results = log["runs"][0]["results"]
    exposure = next(
        r
        for r in results
        if r["ruleId"].startswith("ec2-exposure") and "load-balanced-web-server" in json.dumps(r["locations"])
    )
    fixes = exposure["fixes"]
    imdsv2 = next(f for f in fixes if f["description"]["text"].startswith('set http_tokens = "required"'))
    assert imdsv2["description"]["text"].endswith("(high -> medium)")
    (change,) = imdsv2["artifactChanges"]
    assert change["artifactLocation"] == {
        "uri": "fixtures/fixes/load-balanced-web-server-imdsv2-keeps-service/main.tf",
        "uriBaseId": "%SRCROOT%",
    }
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 119, "startColumn": 20, "endLine": 119, "endColumn": 28},
            "insertedContent": {"text": "required"},
        }
    ]
    # the IMDSv1 trait result at that line carries the same fix
    trait = next(r for r in results if r["ruleId"] == "ec2-imdsv1" and "load-balanced" in json.dumps(r["locations"]))
    assert trait["fixes"] == [imdsv2]
    # a deletion: whole lines, from column 1 to column 1 of the line after the block
    deletion = next(
        r["deletedRegion"]
        for f in fixes
        for c in f["artifactChanges"]
        for r in c["replacements"]
        if "insertedContent" not in r
    )
    assert deletion["startColumn"] == deletion["endColumn"] == 1 and deletion["endLine"] > deletion["startLine"]
    binary = find_validator()
    if binary is None:
        pytest.skip("!!! Sarif.Multitool could not be installed: SARIF fixes NOT validated !!!")
    # In two halves of the fixture areas: the validator refuses a log over 10 MB.
    areas = sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name not in SKIPPED)
    with_fixes = 0
    for number, half in enumerate((areas[: len(areas) // 2], areas[len(areas) // 2 :])):
        path = tmp_path / f"fixes-{number}.sarif"
        found = scan(half, ScanOptions(root=REPO), EXCLUDES)
        path.write_text(render_sarif(found), encoding="utf-8")
        with_fixes += sum(1 for r in json.loads(path.read_text())["runs"][0]["results"] if r.get("fixes"))
        assert validate(path, binary) == ([], [])
    assert with_fixes > 500
