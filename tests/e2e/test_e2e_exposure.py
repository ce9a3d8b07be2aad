"""The ec2-exposure finding end to end: each severity row of the table from real fixtures
through the pipeline, the fix that lowers the severity most, SARIF with the attack path as a
codeFlow (Microsoft's validator, GitHub rules), and ``iacscan explain`` for an open and a
cut path."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.analyses.vulnerabilities import VulnerabilitySources, load_vulnerability_data
from scanner.cli import app
from scanner.findings import Exposure, ScanResult, Severity
from scanner.fingerprints import fingerprint
from scanner.options import ScanOptions
from scanner.reports.sarif import render_sarif
from scanner.rules.admin_role import ID as ADMIN_ROLE
from scanner.rules.exploitable_vulnerability import ID as EXPLOITABLE_VULNERABILITY
from scanner.rules.imdsv1 import ID as IMDSV1
from scanner.rules.internet_reachable import ID as INTERNET_REACHABLE
from scanner.rules.vpc_reachable import ID as VPC_REACHABLE
from scanner.scan import scan
from tests.support.paths import REPO
from tests.support.sarif_validator import find_validator, validate

FIXTURES = REPO / "fixtures"
OPTIONS = ScanOptions(root=REPO)
DATA = FIXTURES / "vulnerabilities" / "offline-data"
KEV_SBOM = FIXTURES / "vulnerabilities" / "kev-cve-on-image-sbom" / "sboms" / "web.cdx.json"
IMAGE = "ami-0abc1234def567890"  # every instance of these fixtures that should carry the KEV CVE runs it


def vulnerability_data() -> object:
    sources = VulnerabilitySources(
        sboms={IMAGE: KEV_SBOM}, osv_db=DATA / "osv", kev=DATA / "kev.json", epss=DATA / "epss.csv"
    )
    data, errors, _ = load_vulnerability_data(sources, REPO)
    assert data is not None and not errors
    return data


@cache
def _scan(folder: str, with_vulnerabilities: bool) -> ScanResult:
    data = vulnerability_data() if with_vulnerabilities else None
    result = scan([FIXTURES / folder], OPTIONS, vulnerability_data=data)
    assert not result.all_errors, result.all_errors
    return result


def exposure(folder: str, workload: str, file: str = "main.tf", vulnerabilities: bool = False) -> Exposure:
    name = f"fixtures/{folder}" if file == "main.tf" else f"fixtures/{folder}/{file}"
    found = [e for e in _scan(folder, vulnerabilities).exposures if e.configuration == name and e.workload == workload]
    assert len(found) == 1, [(e.configuration, e.workload) for e in _scan(folder, vulnerabilities).exposures]
    return found[0]


def line(file: str, number: int) -> str:
    return (REPO / file).read_text(encoding="utf-8").splitlines()[number - 1]


def rule_ids(found: Exposure) -> set[str]:
    return {t.rule_id for t in found.traits}


# --- one case per severity row, and the fix that lowers it most -----------------------------------


def test_critical_kev_cve_on_reachable_instance_and_lower_once_the_instance_is_private() -> None:
    reachable = exposure("reachability/gateway-public-subnet-open", "aws_instance.web", vulnerabilities=True)
    assert {INTERNET_REACHABLE, EXPLOITABLE_VULNERABILITY} <= rule_ids(reachable)
    assert reachable.severity is Severity.CRITICAL
    # the same image in a subnet routed to a NAT gateway only: no path, the CVE alone is low
    private = exposure("reachability/private-subnet-nat-only", "aws_instance.app", vulnerabilities=True)
    assert EXPLOITABLE_VULNERABILITY in rule_ids(private) and INTERNET_REACHABLE not in rule_ids(private)
    assert private.severity < reachable.severity and private.severity is Severity.LOW
    # cutting the path (the subnet's public addresses, or its route to the gateway) leaves the
    # CVE with IMDSv1 and SSH open but nothing reaching it: low, and the web service on 443 stops
    reducing = [f for f in reachable.fixes if f.outcome == "reduces"]
    assert {f.kind for f in reducing} == {"no_public_ip", "remove_route"}
    assert all(
        f.severity is Severity.LOW and f.stops_service == "stops the public service on tcp 443" for f in reducing
    )
    # IMDSv2 or closing SSH alone clears its trait, the CVE through tcp 443 keeps it critical
    clearing = {f.kind: f.cleared for f in reachable.fixes if f.outcome == "clears"}
    assert clearing == {"require_imdsv2": (IMDSV1,), "remove_world_sources": ("ec2-remote-access",)}
    assert reachable.fixes[0].outcome == "reduces"  # what lowers it comes before what only clears


@pytest.mark.parametrize(
    ("file", "workload", "imds_text"),
    [
        ("main.tf", "aws_instance.bastion", 'http_tokens = "optional"'),
        ("template.yaml", "Bastion", "HttpTokens: optional"),
    ],
)
def test_critical_admin_role_and_imdsv1_on_reachable_instance(file: str, workload: str, imds_text: str) -> None:
    found = exposure("exposure/admin-role-imdsv1-reachable", workload, file)
    assert found.severity is Severity.CRITICAL
    best = found.best_fix
    assert best is not None and best.kind == "remove_world_sources"
    assert best.severity is Severity.MEDIUM  # admin role and IMDSv1 left, without reachability
    assert best.cleared == ("ec2-remote-access", "ec2-open-security-group", INTERNET_REACHABLE)
    rule_block = "\n".join(
        line(best.location.span.file, n) for n in range(best.location.span.line, best.location.span.end_line + 1)
    )
    assert "0.0.0.0/0" in rule_block  # the rule's only source: the whole rule goes
    imds = next(f for f in found.fixes if f.rule_id == IMDSV1)
    assert imds_text in line(imds.location.span.file, imds.location.span.line)
    # reachable + admin + remote access stay critical: the fix only clears its trait, ranked last
    assert (imds.outcome, imds.severity) == ("clears", Severity.CRITICAL) and found.fixes[-1] is imds
    detach = next(f for f in found.fixes if f.kind == "detach_policy")
    assert detach.severity is Severity.HIGH
    # the attack path runs on from the instance to the role that is the prize
    kinds = [s.kind for s in found.path]
    assert kinds.index("instance") < kinds.index("role")
    assert kinds[:2] == ["internet", "internet_gateway"]


@pytest.mark.parametrize(("file", "workload"), [("main.tf", "aws_instance.web"), ("template.yaml", "Web")])
def test_high_reachable_with_remote_access_and_imdsv1(file: str, workload: str) -> None:
    found = exposure("reachability/gateway-public-subnet-open", workload, file)
    assert found.severity is Severity.HIGH
    # SSH and IMDSv1 each keep it high alone; cutting the path ends the service on 443
    assert found.best_fix is not None and found.best_fix.severity is Severity.LOW
    assert found.best_fix.stops_service == "stops the public service on tcp 443"
    assert {f.kind for f in found.fixes if f.outcome == "clears"} == {"require_imdsv2", "remove_world_sources"}


def test_high_vpc_reachable_with_exploitable_vulnerability_and_admin_role_medium_without_the_cve() -> None:
    with_cve = exposure("exposure/vpc-reachable-admin-role", "aws_instance.worker", vulnerabilities=True)
    assert {VPC_REACHABLE, EXPLOITABLE_VULNERABILITY, ADMIN_ROLE} <= rule_ids(with_cve)
    assert INTERNET_REACHABLE not in rule_ids(with_cve)
    assert with_cve.severity is Severity.HIGH
    # detaching the role leaves VPC reachability with the CVE: medium; removing the rule that
    # admits the peer networks leaves an admin role and a CVE with IMDSv2 and no path: low
    assert {f.kind: f.severity for f in with_cve.fixes} == {
        "remove_rule": Severity.LOW,
        "detach_policy": Severity.MEDIUM,
    }
    best = with_cve.best_fix
    assert best is not None and best.kind == "remove_rule"
    block = [line(best.location.span.file, n) for n in range(best.location.span.line, best.location.span.end_line + 1)]
    assert any('cidr_blocks = ["10.0.0.0/8"]' in text for text in block)
    without = exposure("exposure/vpc-reachable-admin-role", "aws_instance.worker")
    assert rule_ids(without) == {VPC_REACHABLE, ADMIN_ROLE}
    assert without.severity is Severity.MEDIUM
    assert without.best_fix is not None and without.best_fix.severity is Severity.LOW


@pytest.mark.parametrize(("file", "workload"), [("main.tf", "aws_instance.api"), ("template.yaml", "Api")])
def test_medium_reachable_with_only_an_open_security_group(file: str, workload: str) -> None:
    found = exposure("exposure/reachable-open-group-only", workload, file)
    assert rule_ids(found) == {INTERNET_REACHABLE, "ec2-open-security-group", "ec2-public-ip"}
    assert found.severity is Severity.MEDIUM
    best = found.best_fix
    assert best is not None and best.kind == "remove_world_sources" and best.outcome == "reduces"
    assert best.severity is Severity.LOW and not best.stops_service  # tcp 8443 is not an authorised port
    block = [line(best.location.span.file, n) for n in range(best.location.span.line, best.location.span.end_line + 1)]
    assert any("0.0.0.0/0" in text for text in block)


def test_medium_admin_role_and_imdsv1_without_reachability() -> None:
    found = exposure("exposure/vpc-reachable-admin-role", "aws_instance.private_admin")
    assert rule_ids(found) == {ADMIN_ROLE, IMDSV1}
    assert found.severity is Severity.MEDIUM
    assert found.best_fix is not None and found.best_fix.severity is Severity.LOW


@pytest.mark.parametrize(("file", "workload"), [("main.tf", "aws_instance.web"), ("template.yaml", "Web")])
def test_low_public_ip_without_a_path(file: str, workload: str) -> None:
    found = exposure("reachability/public-ip-without-internet-rule", workload, file)
    assert INTERNET_REACHABLE not in rule_ids(found) and "ec2-public-ip" in rule_ids(found)
    assert found.severity is Severity.LOW
    assert found.path == ()


# --- SARIF: the attack path as a codeFlow, valid for GitHub ---------------------------------------


def _all_fixtures_result() -> ScanResult:
    return scan([FIXTURES / "reachability", FIXTURES / "exposure"], OPTIONS, vulnerability_data=vulnerability_data())


def test_sarif_code_flows_follow_the_path_and_pass_the_validator(tmp_path: Path) -> None:
    result = _all_fixtures_result()
    assert not result.all_errors
    log: dict[str, Any] = json.loads(render_sarif(result))
    results = log["runs"][0]["results"]
    aggregates = [r for r in results if r["ruleId"].startswith("ec2-exposure-")]
    assert {r["ruleId"] for r in aggregates} == {f"ec2-exposure-{s}" for s in ("critical", "high", "medium", "low")}
    # the ALB case: the threadFlow names the hops in order, each at its line
    alb = next(
        r
        for r in aggregates
        if r["properties"]["resource"] == "aws_instance.app"
        and "alb-internet-facing-open" in r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    )
    flow = alb["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [f["kinds"][0] for f in flow] == [
        "internet",
        "load_balancer",
        "listener",
        "route_table",
        "route",
        "security_group_rule",
        "target_group",
        "security_group_rule",
        "instance",
    ]
    rule_hop = flow[7]["location"]["physicalLocation"]
    assert "security_groups = [aws_security_group.alb.id]" in line(
        rule_hop["artifactLocation"]["uri"], rule_hop["region"]["startLine"]
    )
    binary = find_validator()
    if binary is None:
        pytest.skip("!!! Sarif.Multitool could not be installed: SARIF output NOT validated !!!")
    path = tmp_path / "reachability.sarif"
    path.write_text(render_sarif(result), encoding="utf-8")
    errors, warnings = validate(path, binary)
    assert errors == [], "\n".join(map(str, errors))
    assert warnings == [], "\n".join(map(str, warnings))


def test_sarif_trait_level_follows_its_workload_and_passes_the_validator(tmp_path: Path) -> None:
    """The same IMDSv1 line on a low, a medium and a high workload: three alert levels, and
    only the exposure rules carry a security severity (GitHub would show every IMDSv1 as High)."""
    result = _scan("exposure/imdsv1-severity-follows-the-workload", False)
    assert {e.workload: e.severity for e in result.exposures} == {
        "aws_instance.batch": Severity.LOW,
        "aws_instance.reports": Severity.MEDIUM,
        "aws_instance.web": Severity.HIGH,
    }
    # with a baseline holding the low workload's findings: levels stay, baselineState is added
    baseline = {fingerprint(e) for e in result.exposures if e.severity is Severity.LOW}
    baseline |= {
        fingerprint(t, e.configuration) for e in result.exposures if e.severity is Severity.LOW for t in e.traits
    }
    for name, known in (("plain.sarif", None), ("baseline.sarif", baseline)):
        text = render_sarif(result, baseline=known)
        run = json.loads(text)["runs"][0]
        imds = {r["properties"]["resource"]: r for r in run["results"] if r["ruleId"] == IMDSV1}
        assert {resource: r["level"] for resource, r in imds.items()} == {
            "aws_instance.batch": "note",
            "aws_instance.reports": "warning",
            "aws_instance.web": "error",
        }
        for r in imds.values():
            assert 'http_tokens = "optional"' in line(
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
        scored = {d["id"] for d in run["tool"]["driver"]["rules"] if "security-severity" in d["properties"]}
        assert scored == {f"ec2-exposure-{s}" for s in ("critical", "high", "medium", "low")}
        if known is not None:
            states = {(r["ruleId"], r["properties"]["resource"]): r["baselineState"] for r in run["results"]}
            assert states[(IMDSV1, "aws_instance.batch")] == "unchanged"
            assert states[(IMDSV1, "aws_instance.web")] == "new"
        binary = find_validator()
        if binary is None:
            pytest.skip("!!! Sarif.Multitool could not be installed: SARIF output NOT validated !!!")
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        errors, warnings = validate(path, binary)
        assert errors == [], "\n".join(map(str, errors))
        assert warnings == [], "\n".join(map(str, warnings))


# --- iacscan explain: the paths, where they are cut, the ranked fixes ------------------------------


def explain(folder: str, workload: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(REPO)  # paths are shown relative to the working folder
    result = CliRunner().invoke(
        app, ["explain", f"fixtures/{folder}", workload], env={"COLUMNS": "300", "NO_COLOR": "1"}
    )
    return result.exit_code, result.output


def test_explain_an_open_path_shows_every_hop_with_ports_and_the_ranked_fixes(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = explain("reachability/nacl-deny-before-allow", "aws_instance.web", monkeypatch)
    assert code == 1, out
    assert "OPEN via gateway (IPv4) on tcp 443" in out
    hops = [ln.strip() for ln in out.splitlines() if ln.strip().startswith("->")]
    assert any(
        "aws_network_acl_rule.allow_all_in (fixtures/reachability/nacl-deny-before-allow/main.tf:46)" in h
        and "passes: tcp 443" in h
        for h in hops
    ), hops
    assert any(
        h.startswith("-> aws_instance.web (fixtures/reachability/nacl-deny-before-allow/main.tf:82)") for h in hops
    )
    assert "Severity: high" in out
    fixes = [ln.strip() for ln in out.splitlines() if ln.strip()[:3] in ("1. ", "2. ")]
    # the NACL denies tcp 22 before it allows all: only tcp 443 is open, so every cut stops it
    assert fixes[0].startswith(
        "1. fixtures/reachability/nacl-deny-before-allow/main.tf:74 remove the rule allowing tcp 443"
    )
    assert fixes[0].endswith("(high -> low; stops the public service on tcp 443)")


def test_explain_a_path_through_a_subnet_not_known_offline_is_unknown_not_cut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, out = explain("reachability/default-vpc-through-data-sources", "aws_instance.shared", monkeypatch)
    assert "unknown via gateway (IPv4) on tcp 22" in out
    assert "cut via gateway" not in out
    assert "assumed it routes internet addresses to an internet gateway" in out


def test_explain_a_cut_path_says_where_it_is_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = explain("reachability/nacl-without-outbound-ephemeral", "aws_instance.web", monkeypatch)
    assert "OPEN" not in out
    assert "cut via gateway (IPv4)" in out
    assert (
        "cut at aws_network_acl.public: network ACL aws_network_acl.public lets tcp 22 in but not the replies "
        "back out to the client's "
        "ephemeral ports 1024-65535"
    ) in out
    assert "ec2-internet-reachable" not in out
    assert code == 1  # still an exposure: IMDSv1, remote access, public IP
    assert "Severity: low" in out
