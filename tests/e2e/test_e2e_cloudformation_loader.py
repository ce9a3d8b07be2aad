"""What the CloudFormation loader knows, end to end: each fixture of
fixtures/cloudformation/<behaviour>/ goes through the real pipeline (``scanner.scan.scan``)
and the JSON report; the traits must name the rule, the workload and the line to change,
found in the fixture's own text. Loader problems must land where they belong: errors
(findings may be incomplete), warnings (read as the tool reads it) or notices."""

from __future__ import annotations

import json
from pathlib import Path

from scanner.findings import ScanResult
from scanner.options import ScanOptions
from scanner.reports.json_report import render_json
from scanner.rules.imdsv1 import ID as IMDSV1
from scanner.rules.internet_reachable import ID as INTERNET_REACHABLE
from scanner.rules.open_security_group import ID as OPEN_SECURITY_GROUP
from scanner.rules.public_ip import ID as PUBLIC_IP
from scanner.rules.remote_access import ID as REMOTE_ACCESS
from scanner.rules.vpc_reachable import ID as VPC_REACHABLE
from scanner.scan import scan
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures" / "cloudformation"

Found = set[tuple[str, str, str, int]]  # (rule, workload, file, line)


def rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def line_of(path: Path, *needles: str) -> int:
    """The 1-based number of the one line of ``path`` holding every needle."""
    lines = [
        n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if all(x in text for x in needles)
    ]
    assert len(lines) == 1, f"{path.name}: {needles} on lines {lines}"
    return lines[0]


def scanned(*paths: Path, root: Path = REPO) -> ScanResult:
    return scan(list(paths), ScanOptions(root=root, cache_dir=None))


def traits(result: ScanResult) -> Found:
    """(rule, workload, file, line) of every trait, read back from the JSON report."""
    found: Found = set()
    for exposure in json.loads(render_json(result))["exposures"]:
        for trait in exposure["traits"]:
            location = trait["location"]
            found.add((trait["rule_id"], exposure["workload"], location["file"], location["line"]))
    return found


def assumptions(result: ScanResult) -> list[str]:
    return [a for e in result.exposures for t in e.traits for a in t.assumptions]


# --- files that are not templates -----------------------------------------------------------------


def test_only_the_template_among_look_alikes_is_scanned() -> None:
    folder = FIXTURES / "non-templates-not-reported"
    result = scanned(folder)
    assert [c.name for c in result.configurations] == [rel(folder / "template.yaml")]
    assert result.all_errors == [] and result.all_warnings == []
    assert all("non-templates-not-reported" not in n for n in result.notices + result.configurations[0].notices)
    template = folder / "template.yaml"
    web = line_of(template, "Web:")  # in the default VPC, without MetadataOptions
    assert traits(result) == {(IMDSV1, "Web", rel(template), web), (PUBLIC_IP, "Web", rel(template), web)}


# --- a repeated key -----------------------------------------------------------------------------------


def test_repeated_key_later_wins_in_yaml_and_json_with_a_warning_at_its_line() -> None:
    folder = FIXTURES / "repeated-key-later-wins"
    yaml_file, json_file = folder / "template.yaml", folder / "template.json"
    result = scanned(folder)
    assert result.all_errors == []
    yaml_later, json_later = line_of(yaml_file, "CidrIp: 0.0.0.0/0"), line_of(json_file, '"CidrIp": "0.0.0.0/0"')
    assert traits(result) == {
        (rule, "Web", rel(file), line)
        for rule in (REMOTE_ACCESS, OPEN_SECURITY_GROUP)  # SSH to the world is both
        for file, line in ((yaml_file, yaml_later), (json_file, json_later))
    }
    warnings = {(w.file, w.line) for w in result.all_warnings}
    assert warnings == {(rel(yaml_file), yaml_later), (rel(json_file), json_later)}
    yaml_earlier = line_of(yaml_file, "CidrIp: 10.0.0.0/8")
    [yaml_warning] = [w for w in result.all_warnings if w.file == rel(yaml_file)]
    assert "'CidrIp'" in yaml_warning.message and f"line {yaml_earlier}" in yaml_warning.message
    assert assumptions(result) == []  # a resolved repeated key makes no finding "may be incomplete"
    report = json.loads(render_json(result))
    assert report["errors"] == [] and len(report["warnings"]) == 2


# --- attributes that echo a property ----------------------------------------------------------------


def test_attributes_that_echo_a_property_are_known_before_deployment() -> None:
    template = FIXTURES / "attributes-echo-properties" / "template.yaml"
    result = scanned(template)
    assert result.all_errors == []
    shown = rel(template)
    public = line_of(template, "MapPublicIpOnLaunch: true")
    world = line_of(template, "# ssh from the world")
    assert traits(result) == {
        (PUBLIC_IP, "SshFromWorld", shown, public),
        (REMOTE_ACCESS, "SshFromWorld", shown, world),
        (OPEN_SECURITY_GROUP, "SshFromWorld", shown, world),
        (INTERNET_REACHABLE, "SshFromWorld", shown, world),
        # ssh from !GetAtt Vpc.CidrBlock: from the VPC, not from the internet
        (PUBLIC_IP, "SshFromVpc", shown, public),
        # all traffic from !GetAtt Vpc.CidrBlock: the whole VPC, known, no assumption
        (PUBLIC_IP, "FromVpc", shown, public),
        (VPC_REACHABLE, "FromVpc", shown, line_of(template, "# the whole VPC")),
    }
    assert assumptions(result) == []  # VpcId: !GetAtt Subnet.VpcId is the VPC, not the subnet


# --- two templates exporting one name ---------------------------------------------------------------


def test_an_export_name_two_templates_export_is_ambiguous_and_said_so_at_both() -> None:
    folder = FIXTURES / "export-name-ambiguous"
    app, office, world = folder / "app.yaml", folder / "network-office.yaml", folder / "network-open.yaml"
    result = scanned(folder)
    assert result.all_errors == []
    ingress = line_of(app, "CidrIp: !ImportValue shared-admin-cidr")
    assert traits(result) == {
        (PUBLIC_IP, "Admin", rel(app), line_of(app, "Admin:")),
        (INTERNET_REACHABLE, "Admin", rel(app), ingress),  # unknown source: assumed to admit the internet
        # the same unknown source makes SSH to the world possible (not a quiet no)
        (REMOTE_ACCESS, "Admin", rel(app), ingress),
        (OPEN_SECURITY_GROUP, "Admin", rel(app), ingress),
    }
    office_line, world_line = line_of(office, "Name: shared-admin-cidr"), line_of(world, "Name: shared-admin-cidr")
    found = assumptions(result)
    assert found and all("Fn::ImportValue shared-admin-cidr" in a for a in found)
    assert all(f"{rel(office)}:{office_line} and {rel(world)}:{world_line}" in a for a in found)
    notices = [n for c in result.configurations for n in c.notices if "shared-admin-cidr" in n]
    assert sorted(n.split(": export")[0] for n in notices) == [
        f"{rel(office)}:{office_line}",
        f"{rel(world)}:{world_line}",
    ]
    assert all("ambiguous" in n for n in notices)


def test_renaming_the_exporters_does_not_change_the_verdict(tmp_path: Path) -> None:
    """Before, the last exporter in path order won: renaming a file flipped remote access."""
    folder = FIXTURES / "export-name-ambiguous"
    verdicts = []
    for office_name, world_name in (("network-office.yaml", "network-open.yaml"), ("z-office.yaml", "a-open.yaml")):
        root = tmp_path / office_name.split(".")[0]
        root.mkdir()
        (root / "app.yaml").write_text((folder / "app.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        (root / office_name).write_text((folder / "network-office.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        (root / world_name).write_text((folder / "network-open.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        result = scanned(root, root=root)
        verdicts.append(({(r, w, line) for r, w, _, line in traits(result)}, [e.severity for e in result.exposures]))
        # the ambiguous export leaves the source unknown: remote access is possible, never certain
        remote = [t for e in result.exposures for t in e.traits if t.rule_id == REMOTE_ACCESS]
        assert remote and all(t.possible for t in remote)
    assert verdicts[0] == verdicts[1]


# --- a child stack whose location is only known at deploy time ----------------------------------------


def test_child_stack_location_known_at_deploy_time_is_an_unknown_child_stack() -> None:
    parent = FIXTURES / "nested-stack-location-unknown" / "parent.yaml"
    result = scanned(parent)
    assert result.all_errors == []  # no local file "could not be read" at line 0
    web = line_of(parent, "Web:")
    assert traits(result) == {(IMDSV1, "Web", rel(parent), web), (PUBLIC_IP, "Web", rel(parent), web)}
    assert assumptions(result) == []  # nothing "may be incomplete"
    [configuration] = result.configurations
    notices = {n.split(": nested stack ")[0]: n for n in configuration.notices}
    for stack, reason in (
        ("FromSsm", "is a dynamic reference ({{resolve:ssm:/templates/network-url}}), resolved at deploy time"),
        ("ByRegion", "'templates/${AWS::Region}/network.yaml' depends on ${AWS::Region}, known at deploy time"),
        # S3 URLs are matched to the tree's templates by path suffix: this repository has
        # several network.yaml, so neither URL names one for sure
        ("FromBucket", "https://${TemplateBucket}.s3.amazonaws.com/network.yaml matches several templates"),
        ("FromS3", "https://s3.amazonaws.com/example-bucket/network.yaml matches several templates"),
    ):
        notice = notices[f"{rel(parent)}:{line_of(parent, f'{stack}:')}"]
        assert f"nested stack {stack} is an unknown child stack: its TemplateURL {reason}" in notice
    assert configuration.files == [rel(parent)]
