"""Three verdicts: the severity comes from traits that hold; possible traits (they hold for
some values of named unknowns) give a possible severity with the unknowns that decide it,
and ``--assume-worst`` counts them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from scanner.exposure import build_exposure
from scanner.findings import Configuration, Evidence, Exposure, ScanResult, Severity, Trait
from scanner.fingerprints import fingerprint, possible_fingerprint
from scanner.model import Instance
from scanner.reports.json_report import render_json
from scanner.reports.sarif import render_sarif
from scanner.reports.text import plain_text
from scanner.rules.imdsv1 import ID as IMDSV1
from scanner.rules.internet_reachable import ID as INTERNET_REACHABLE
from scanner.rules.public_ip import ID as PUBLIC_IP
from scanner.rules.remote_access import ID as REMOTE_ACCESS
from scanner.values import Origin, Span
from tests.support.paths import REPO

WEB = "aws_instance.web"
SUBNETS = Origin("variable", "var.subnet_ids", Span("variables.tf", 3, 5), "--var subnet_ids=...")
EIP_COUNT = Origin("count", "count of aws_eip.extra", Span("main.tf", 14, 14))
INSTANCE = Instance(address=WEB, kind="aws_instance", span=Span("main.tf", 1, 9))


def trait(rule_id: str, line: int, *unknowns: Origin, assumptions: tuple[str, ...] = ()) -> Trait:
    return Trait(
        rule_id,
        WEB,
        f"{rule_id} at line {line}",
        Evidence(Span("main.tf", line, line), WEB, "here"),
        unknowns=unknowns,
        assumptions=assumptions,
    )


def exposure(*traits: Trait, assume_worst: bool = False) -> Exposure:
    built = build_exposure("app", INSTANCE, traits, assume_worst)
    assert built is not None
    return built


def result_of(*exposures: Exposure) -> ScanResult:
    return ScanResult(
        root=Path("/repo"),
        configurations=[Configuration(name="app", kind="terraform", files=["main.tf", "variables.tf"])],
        exposures=list(exposures),
    )


# A workload with SSH open that holds, and reachability that holds only if var.subnet_ids
# names a public subnet: low now, possibly high.
RAISED = (trait(REMOTE_ACCESS, 20), trait(INTERNET_REACHABLE, 4, SUBNETS))


def test_severity_counts_only_traits_that_hold() -> None:
    found = exposure(*RAISED)
    assert found.severity == Severity.LOW
    assert found.possible_severity == Severity.HIGH
    assert found.unknowns == (SUBNETS,)
    assert found.possibly() == "possibly high, depending on var.subnet_ids (variables.tf:3)"
    assert [t.possible for t in found.traits] == [False, True] or [t.possible for t in found.traits] == [True, False]


def test_a_workload_whose_every_trait_is_possible_has_no_severity() -> None:
    found = exposure(trait(PUBLIC_IP, 12, EIP_COUNT), trait(INTERNET_REACHABLE, 4, SUBNETS, EIP_COUNT))
    assert found.severity is None and found.rank == 0 and found.severity_label == "possible"
    assert found.possible_severity == Severity.MEDIUM
    assert set(found.unknowns) == {SUBNETS, EIP_COUNT}
    assert fingerprint(found) == possible_fingerprint(found)


def test_assume_worst_counts_possible_traits() -> None:
    found = exposure(*RAISED, assume_worst=True)
    assert found.severity == Severity.HIGH and found.possible_severity is None and found.counts_possible
    assert all(found.counted(t) for t in found.traits)


def test_possible_traits_that_cannot_raise_the_severity_give_no_possible_severity() -> None:
    found = exposure(trait(INTERNET_REACHABLE, 4), trait(IMDSV1, 6), trait(PUBLIC_IP, 12, EIP_COUNT))
    assert found.severity == Severity.HIGH and found.possible_severity is None and found.unknowns == ()


def test_only_the_unknowns_that_decide_the_rise_are_named() -> None:
    # the public IP's count cannot raise the severity; the subnet's reachability can
    found = exposure(*RAISED, trait(PUBLIC_IP, 12, EIP_COUNT))
    assert found.possible_severity == Severity.HIGH and found.unknowns == (SUBNETS,)


def test_a_guess_without_named_unknowns_is_possible_and_says_its_assumption() -> None:
    guess = "aws_security_group.web.ingress[0]: source unknown; assumed it admits the internet"
    found = exposure(trait(REMOTE_ACCESS, 20), trait(INTERNET_REACHABLE, 4, assumptions=(guess,)))
    assert found.severity == Severity.LOW and found.possible_severity == Severity.HIGH
    assert found.possibly() == f"possibly high, depending on {guess}"


def test_sarif_reports_possible_traits_under_the_possible_exposure_rule_only() -> None:
    found = exposure(*RAISED)
    run = json.loads(render_sarif(result_of(found)))["runs"][0]
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for result in run["results"]:
        by_rule.setdefault(result["ruleId"], []).append(result)
    assert set(by_rule) == {REMOTE_ACCESS, "ec2-exposure-low", "ec2-possible-exposure"}
    (possible,) = by_rule["ec2-possible-exposure"]
    assert possible["level"] == "note"
    assert possible["properties"]["possibleSeverity"] == "high" and possible["properties"]["severity"] == "low"
    assert possible["properties"]["unknowns"][0]["name"] == "var.subnet_ids"
    assert possible["properties"]["unknowns"][0]["location"] == "variables.tf:3"
    assert [t["ruleId"] for t in possible["properties"]["possibleTraits"]] == [INTERNET_REACHABLE]
    related = [r["physicalLocation"]["artifactLocation"]["uri"] for r in possible["relatedLocations"]]
    assert related == ["main.tf", "variables.tf"]  # the possible trait, then where the unknown is set
    assert possible["partialFingerprints"]["iacscanFingerprint/v1"] == possible_fingerprint(found)
    (aggregate,) = by_rule["ec2-exposure-low"]
    assert aggregate["properties"]["possibleSeverity"] == "high"
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert "security-severity" not in rules["ec2-possible-exposure"]["properties"]


def test_sarif_under_assume_worst_reports_possible_traits_as_results() -> None:
    found = exposure(*RAISED, assume_worst=True)
    run = json.loads(render_sarif(result_of(found)))["runs"][0]
    rule_ids = sorted(r["ruleId"] for r in run["results"])
    assert rule_ids == sorted([REMOTE_ACCESS, INTERNET_REACHABLE, "ec2-exposure-high"])
    reach = next(r for r in run["results"] if r["ruleId"] == INTERNET_REACHABLE)
    assert reach["properties"]["verdict"] == "possible"


def test_json_names_verdicts_unknowns_and_the_configurations_open_inputs() -> None:
    raised = exposure(*RAISED)
    only_possible = build_exposure(
        "app",
        Instance(address="aws_instance.db", kind="aws_instance", span=Span("main.tf", 30, 35)),
        (
            Trait(
                PUBLIC_IP,
                "aws_instance.db",
                "m",
                Evidence(Span("main.tf", 31, 31), "aws_instance.db", "x"),
                unknowns=(EIP_COUNT, SUBNETS),
            ),
        ),
    )
    assert only_possible is not None
    report = json.loads(render_json(result_of(raised, only_possible)))
    schema = json.loads((REPO / "scanner" / "schemas" / "report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(report)
    assert report["summary"]["exposures"] == 1 and report["summary"]["possible_exposures"] == 1
    assert report["summary"]["possibly_more_severe"] == 1
    low, possible = report["exposures"]
    assert (low["severity"], low["possible_severity"]) == ("low", "high")
    assert (possible["severity"], possible["possible_severity"]) == (None, "low")
    assert {t["rule_id"]: t["verdict"] for t in low["traits"]} == {
        REMOTE_ACCESS: "holds",
        INTERNET_REACHABLE: "possible",
    }
    (configuration,) = report["configurations"]
    # var.subnet_ids decides two verdicts, the count one: most deciding first
    assert [(u["name"], u["decides"]) for u in configuration["unknowns"]] == [
        ("var.subnet_ids", 2),
        ("count of aws_eip.extra", 1),
    ]
    assert configuration["unknowns"][0]["fill_in"] == "--var subnet_ids=..."
    assert configuration["unknowns"][0]["location"] == {"file": "variables.tf", "line": 3, "end_line": 5}


def test_text_shows_the_possible_severity_the_possible_traits_and_how_to_fill_in() -> None:
    text = plain_text(result_of(exposure(*RAISED)))
    assert " LOW  aws_instance.web" in text
    assert "(possibly high, depending on var.subnet_ids (variables.tf:3))" in text
    assert f"{INTERNET_REACHABLE}" in text and "[possible]" in text
    assert "unknown: var.subnet_ids (variables.tf:3)" in text
    assert "set it: --var subnet_ids=..." in text
    assert "1 exposure (1 low), 1 possibly more severe in 1 configuration" in text
