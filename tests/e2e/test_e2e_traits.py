"""The six misconfiguration traits end to end: hand-written Terraform and CloudFormation
fixtures (fixtures/traits/) go through the real pipeline (``scanner.scan.scan``) and both
machine reports; each result must name the rule, the workload (JSON ``resource``, SARIF
``properties.resource``) and the exact line to change, found in the fixture's own text.
Near misses must produce no result of that rule for that workload."""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli import app
from scanner.options import ScanOptions
from scanner.reports.json_report import render_json
from scanner.reports.sarif import render_sarif
from scanner.rules.admin_role import ID as ADMIN_ROLE
from scanner.rules.imdsv1 import ID as IMDSV1
from scanner.rules.open_security_group import ID as OPEN_SECURITY_GROUP
from scanner.rules.public_ip import ID as PUBLIC_IP
from scanner.rules.remote_access import ID as REMOTE_ACCESS
from scanner.rules.service_admin_role import ID as SERVICE_ADMIN_ROLE
from scanner.scan import scan
from tests.support.paths import REPO
from tests.support.sarif_validator import find_validator, validate

TRAITS = REPO / "fixtures" / "traits"

Found = dict[tuple[str, str], set[tuple[str, int]]]  # (rule, workload) -> {(file, line)}


@cache
def reports(fixture: str) -> tuple[Found, Found]:
    """(JSON results, SARIF results) of scanning one fixture folder with the repo as root."""
    result = scan([TRAITS / fixture], ScanOptions(root=REPO))
    assert result.all_errors == [], result.all_errors
    from_json: Found = defaultdict(set)
    for exposure in json.loads(render_json(result))["exposures"]:
        for trait in exposure["traits"]:
            assert trait.get("resource", exposure["workload"]) == exposure["workload"]
            from_json[(trait["rule_id"], exposure["workload"])].add(
                (trait["location"]["file"], trait["location"]["line"])
            )
    from_sarif: Found = defaultdict(set)
    for sarif_result in json.loads(render_sarif(result))["runs"][0]["results"]:
        location = sarif_result["locations"][0]["physicalLocation"]
        from_sarif[(sarif_result["ruleId"], sarif_result["properties"]["resource"])].add(
            (location["artifactLocation"]["uri"], location["region"]["startLine"])
        )
    return from_json, from_sarif


def line_of(path: Path, *needles: str) -> int:
    """The 1-based number of the one line of ``path`` holding every needle."""
    lines = [
        n
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if all(needle in text for needle in needles)
    ]
    assert len(lines) == 1, f"{path.name}: {needles} found on lines {lines}"
    return lines[0]


# (fixture, file, rule, workload, needles that pick the one line the result must point at)
FIRES: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    # --- ec2-imdsv1 ---------------------------------------------------------------------------
    (
        "imds-instance-and-launch-template-terraform",
        "main.tf",
        IMDSV1,
        "aws_instance.tokens_optional",
        ("http_tokens", "# fires"),
    ),
    (
        "imds-instance-and-launch-template-terraform",
        "main.tf",
        IMDSV1,
        "aws_instance.no_metadata_options",
        ('resource "aws_instance" "no_metadata_options"',),
    ),
    (
        "imds-instance-and-launch-template-terraform",
        "main.tf",
        IMDSV1,
        "aws_autoscaling_group.from_v1_template",
        ("http_tokens", "# template allows v1"),
    ),
    (
        "imds-instance-and-launch-template-terraform",
        "main.tf",
        IMDSV1,
        "aws_instance.optional_over_v2_template",
        ("http_tokens", "# instance wins over template"),
    ),
    (
        "imds-instance-and-launch-template-terraform",
        "main.tf",
        IMDSV1,
        "aws_autoscaling_group.from_launch_configuration",
        ("http_tokens", "# launch configuration allows v1"),
    ),
    (
        "imds-account-default-terraform",
        "main.tf",
        IMDSV1,
        "aws_instance.own_optional_beats_default",
        ("http_tokens", "# instance wins over the account default"),
    ),
    ("imds-cloudformation", "template.yaml", IMDSV1, "PlainInstance", ("PlainInstance:",)),
    ("imds-cloudformation", "template.yaml", IMDSV1, "OwnOptionalInstance", ("HttpTokens", "# instance allows v1")),
    ("imds-cloudformation", "template.yaml", IMDSV1, "FromV1TemplateInstance", ("HttpTokens", "# template allows v1")),
    ("imds-cloudformation", "template.yaml", IMDSV1, "FromV1TemplateGroup", ("HttpTokens", "# template allows v1")),
    # mixed instances policies: each launch template an override brings counts on its own
    (
        "mixed-override-template-allows-imdsv1",
        "main.tf",
        IMDSV1,
        "aws_autoscaling_group.compute_override_allows_v1",
        ("http_tokens", "# override template allows v1"),
    ),
    (
        "mixed-override-template-allows-imdsv1",
        "main.tf",
        IMDSV1,
        "aws_autoscaling_group.override_without_metadata_options",
        ('resource "aws_launch_template" "no_metadata_options"',),
    ),
    (
        "mixed-override-template-allows-imdsv1",
        "template.yaml",
        IMDSV1,
        "ComputeOverrideAllowsV1",
        ("HttpTokens", "# override template allows v1"),
    ),
    (
        "mixed-override-template-allows-imdsv1",
        "template.yaml",
        IMDSV1,
        "OverrideWithoutMetadataOptions",
        ("NoMetadataOptions:", "# override template without metadata options"),
    ),
    (
        "mixed-override-inherits-base-template",
        "main.tf",
        IMDSV1,
        "aws_autoscaling_group.overrides_inherit_base",
        ("http_tokens", "# base template allows v1"),
    ),
    (
        "mixed-override-inherits-base-template",
        "template.yaml",
        IMDSV1,
        "OverridesInheritBase",
        ("HttpTokens", "# base template allows v1"),
    ),
    (
        "mixed-override-template-adds-open-security-group",
        "main.tf",
        OPEN_SECURITY_GROUP,
        "aws_autoscaling_group.override_opens_8080",
        ("cidr_blocks", "# opened by the override's template"),
    ),
    (
        "mixed-override-template-adds-open-security-group",
        "template.yaml",
        OPEN_SECURITY_GROUP,
        "OverrideOpens8080",
        ("CidrIp", "# opened by the override's template"),
    ),
    # --- ec2-admin-role -----------------------------------------------------------------------
    ("admin-role-terraform", "main.tf", ADMIN_ROLE, "aws_instance.managed_admin", ("policy_arn", "# attaches admin")),
    (
        "admin-role-terraform",
        "main.tf",
        ADMIN_ROLE,
        "aws_instance.govcloud_admin",
        ('"arn:aws-us-gov:iam::aws:policy/AdministratorAccess"',),
    ),
    (
        "admin-role-terraform",
        "main.tf",
        ADMIN_ROLE,
        "aws_instance.china_iam_full",
        ('"arn:aws-cn:iam::aws:policy/IAMFullAccess"',),
    ),
    ("admin-role-terraform", "main.tf", ADMIN_ROLE, "aws_instance.inline_jsonencode", ("# admin statement",)),
    # a heredoc is one string, yet the result points at the statement inside it
    ("admin-role-terraform", "main.tf", ADMIN_ROLE, "aws_instance.heredoc_iam", ('{ "Sid": "IamEverything",',)),
    # file(): the line that reads the file
    ("admin-role-terraform", "main.tf", ADMIN_ROLE, "aws_instance.file_policy", ("policy = file(",)),
    (
        "admin-role-terraform",
        "main.tf",
        ADMIN_ROLE,
        "aws_instance.not_actions",
        ("statement {", "# not_actions statement"),
    ),
    ("admin-role-terraform", "main.tf", ADMIN_ROLE, "aws_instance.admin_and_s3", ("# admin wins",)),
    (
        "admin-role-cloudformation",
        "template.yaml",
        ADMIN_ROLE,
        "SubPartitionInstance",
        ("!Sub arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess", "# admin in any partition"),
    ),
    ("admin-role-cloudformation", "template.yaml", ADMIN_ROLE, "JoinInstance", (":iam::aws:policy/IAMFullAccess",)),
    (
        "admin-role-cloudformation",
        "template.yaml",
        ADMIN_ROLE,
        "PartitionsInstance",
        ("- arn:aws-us-gov:iam::aws:policy/AdministratorAccess",),
    ),
    (
        "admin-role-cloudformation",
        "template.yaml",
        ADMIN_ROLE,
        "PartitionsInstance",
        ("- arn:aws-cn:iam::aws:policy/AdministratorAccess",),
    ),
    ("admin-role-cloudformation", "template.yaml", ADMIN_ROLE, "InlineInstance", ("# admin statement",)),
    ("admin-role-cloudformation", "template.yaml", ADMIN_ROLE, "PolicyInstance", ("# iam admin statement",)),
    ("admin-role-cloudformation", "template.yaml", ADMIN_ROLE, "BothInstance", ("# admin wins",)),
    # --- ec2-service-admin-role ---------------------------------------------------------------
    (
        "admin-role-terraform",
        "main.tf",
        SERVICE_ADMIN_ROLE,
        "aws_instance.s3_admin",
        ("statement {", "# service admin s3 statement"),
    ),
    (
        "admin-role-terraform",
        "main.tf",
        SERVICE_ADMIN_ROLE,
        "aws_instance.ec2_full",
        ('"arn:aws:iam::aws:policy/AmazonEC2FullAccess"',),
    ),
    (
        "admin-role-cloudformation",
        "template.yaml",
        SERVICE_ADMIN_ROLE,
        "ManagedInstance",
        ("# service admin statement",),
    ),
    (
        "admin-role-cloudformation",
        "template.yaml",
        SERVICE_ADMIN_ROLE,
        "S3FullInstance",
        (":iam::aws:policy/AmazonS3FullAccess",),
    ),
    # --- ec2-remote-access --------------------------------------------------------------------
    (
        "security-groups-terraform",
        "main.tf",
        REMOTE_ACCESS,
        "aws_instance.by_vpc_security_group_ids",
        ("cidr_blocks", "# ssh from the world"),
    ),
    (
        "security-groups-terraform",
        "main.tf",
        REMOTE_ACCESS,
        "aws_instance.by_security_groups_names",
        ("ipv6_cidr_blocks", "# rdp range from the world"),
    ),
    (
        "security-groups-terraform",
        "main.tf",
        REMOTE_ACCESS,
        "aws_autoscaling_group.by_launch_template",
        ("cidr_ipv4", "# everything from the world"),
    ),
    (
        "security-groups-cloudformation",
        "template.yaml",
        REMOTE_ACCESS,
        "BySecurityGroupIds",
        ("CidrIp", "# ssh from the world"),
    ),
    (
        "security-groups-cloudformation",
        "template.yaml",
        REMOTE_ACCESS,
        "BySecurityGroupNames",
        ("CidrIpv6", "# rdp from the world"),
    ),
    (
        "security-groups-cloudformation",
        "template.yaml",
        REMOTE_ACCESS,
        "ByLaunchTemplate",
        ("CidrIp", "# everything from the world"),
    ),
    # a rule naming a customer managed prefix list admits its CIDRs: the line to change names the list
    (
        "prefix-list-admits-the-world",
        "main.tf",
        REMOTE_ACCESS,
        "aws_instance.bastion",
        ("prefix_list_id", "aws_ec2_managed_prefix_list.anywhere.id"),
    ),
    ("prefix-list-admits-the-world", "template.yaml", REMOTE_ACCESS, "Bastion", ("SourcePrefixListId: !Ref Anywhere",)),
    # --- ec2-open-security-group --------------------------------------------------------------
    # SSH / RDP alone to the world are open groups too (22 and 3389 are outside the authorised ports)
    (
        "security-groups-terraform",
        "main.tf",
        OPEN_SECURITY_GROUP,
        "aws_instance.by_vpc_security_group_ids",
        ("cidr_blocks", "# ssh from the world"),
    ),
    (
        "security-groups-cloudformation",
        "template.yaml",
        OPEN_SECURITY_GROUP,
        "BySecurityGroupIds",
        ("CidrIp", "# ssh from the world"),
    ),
    (
        "security-groups-cloudformation",
        "template.yaml",
        OPEN_SECURITY_GROUP,
        "BySecurityGroupNames",
        ("CidrIpv6", "# rdp from the world"),
    ),
    (
        "security-groups-terraform",
        "main.tf",
        OPEN_SECURITY_GROUP,
        "aws_instance.by_network_interface",
        ("cidr_ipv4", "# postgres from the world"),
    ),
    (
        "security-groups-terraform",
        "main.tf",
        OPEN_SECURITY_GROUP,
        "aws_instance.by_security_groups_names",
        ("ipv6_cidr_blocks", "# rdp range from the world"),
    ),
    (
        "security-groups-terraform",
        "main.tf",
        OPEN_SECURITY_GROUP,
        "aws_autoscaling_group.by_launch_template",
        ("cidr_ipv4", "# everything from the world"),
    ),
    (
        "security-groups-cloudformation",
        "template.yaml",
        OPEN_SECURITY_GROUP,
        "ByNetworkInterface",
        ("CidrIp", "# mysql from the world"),
    ),
    (
        "security-groups-cloudformation",
        "template.yaml",
        OPEN_SECURITY_GROUP,
        "ByInlineNetworkInterface",
        ("CidrIp", "# dns over udp from the world"),
    ),
    (
        "security-groups-cloudformation",
        "template.yaml",
        OPEN_SECURITY_GROUP,
        "ByLaunchTemplate",
        ("CidrIp", "# everything from the world"),
    ),
    # --- ec2-public-ip ------------------------------------------------------------------------
    (
        "public-ip-terraform",
        "main.tf",
        PUBLIC_IP,
        "aws_instance.public_subnet_default",
        ("map_public_ip_on_launch", "# public by default"),
    ),
    (
        "public-ip-terraform",
        "main.tf",
        PUBLIC_IP,
        "aws_instance.explicit_true",
        ("associate_public_ip_address = true",),
    ),
    (
        "public-ip-terraform",
        "main.tf",
        PUBLIC_IP,
        "aws_instance.eip_on_instance",
        ('resource "aws_eip" "on_instance"',),
    ),
    (
        "public-ip-terraform",
        "main.tf",
        PUBLIC_IP,
        "aws_instance.eip_by_association",
        ('resource "aws_eip_association" "by_association"',),
    ),
    (
        "public-ip-terraform",
        "main.tf",
        PUBLIC_IP,
        "aws_instance.default_vpc",
        ('resource "aws_instance" "default_vpc"',),
    ),
    (
        "public-ip-terraform",
        "main.tf",
        PUBLIC_IP,
        "aws_instance.ipv6_in_igw_subnet",
        ("ipv6_address_count", "# public IPv6"),
    ),
    (
        "public-ip-cloudformation",
        "template.yaml",
        PUBLIC_IP,
        "PublicSubnetDefault",
        ("MapPublicIpOnLaunch", "# public by default"),
    ),
    (
        "public-ip-cloudformation",
        "template.yaml",
        PUBLIC_IP,
        "InterfaceAsksPublic",
        ("AssociatePublicIpAddress: true",),
    ),
    ("public-ip-cloudformation", "template.yaml", PUBLIC_IP, "EipOnInstance", ("InstanceEip:",)),
    ("public-ip-cloudformation", "template.yaml", PUBLIC_IP, "EipByAssociation", ("LooseEipAssociation:",)),
    ("public-ip-cloudformation", "template.yaml", PUBLIC_IP, "DefaultVpcInstance", ("DefaultVpcInstance:",)),
    ("public-ip-cloudformation", "template.yaml", PUBLIC_IP, "Ipv6Instance", ("Ipv6AddressCount", "# public IPv6")),
]

# (fixture, rule, workload) that must have NO result of that rule
QUIET: list[tuple[str, str, str]] = [
    ("imds-instance-and-launch-template-terraform", IMDSV1, "aws_instance.tokens_required"),
    ("imds-instance-and-launch-template-terraform", IMDSV1, "aws_instance.endpoint_disabled"),
    ("imds-instance-and-launch-template-terraform", IMDSV1, "aws_autoscaling_group.from_v2_template"),
    ("imds-instance-and-launch-template-terraform", IMDSV1, "aws_instance.requires_over_v1_template"),
    ("imds-account-default-terraform", IMDSV1, "aws_instance.inherits_required_default"),
    ("imds-cloudformation", IMDSV1, "OwnRequiredInstance"),  # an instance's own MetadataOptions count
    ("imds-cloudformation", IMDSV1, "RequiredOverTemplateInstance"),
    ("imds-cloudformation", IMDSV1, "EndpointOffGroup"),
    ("mixed-override-template-allows-imdsv1", IMDSV1, "aws_autoscaling_group.every_template_requires_v2"),
    ("mixed-override-template-allows-imdsv1", IMDSV1, "EveryTemplateRequiresV2"),
    ("mixed-override-inherits-base-template", IMDSV1, "aws_autoscaling_group.every_override_brings_its_own"),
    ("mixed-override-inherits-base-template", IMDSV1, "EveryOverrideBringsItsOwn"),
    (
        "mixed-override-template-adds-open-security-group",
        OPEN_SECURITY_GROUP,
        "aws_autoscaling_group.override_https_only",
    ),
    ("mixed-override-template-adds-open-security-group", OPEN_SECURITY_GROUP, "OverrideHttpsOnly"),
    *[
        ("admin-role-terraform", rule, workload)
        for rule in (ADMIN_ROLE, SERVICE_ADMIN_ROLE)
        for workload in ("aws_instance.near_misses", "aws_instance.allow_then_deny", "aws_instance.no_profile")
    ],
    ("admin-role-terraform", SERVICE_ADMIN_ROLE, "aws_instance.admin_and_s3"),  # admin covers it
    ("admin-role-terraform", ADMIN_ROLE, "aws_instance.s3_admin"),
    ("admin-role-terraform", ADMIN_ROLE, "aws_instance.ec2_full"),
    *[
        ("admin-role-cloudformation", rule, workload)
        for rule in (ADMIN_ROLE, SERVICE_ADMIN_ROLE)
        for workload in ("NearMissInstance", "DeniedInstance", "NoProfileInstance")
    ],
    ("admin-role-cloudformation", SERVICE_ADMIN_ROLE, "BothInstance"),
    ("admin-role-cloudformation", ADMIN_ROLE, "ManagedInstance"),
    *[("security-groups-terraform", rule, "aws_instance.near_miss") for rule in (REMOTE_ACCESS, OPEN_SECURITY_GROUP)],
    ("security-groups-terraform", REMOTE_ACCESS, "aws_instance.by_network_interface"),
    *[("security-groups-cloudformation", rule, "NearMissInstance") for rule in (REMOTE_ACCESS, OPEN_SECURITY_GROUP)],
    ("security-groups-cloudformation", REMOTE_ACCESS, "ByInlineNetworkInterface"),
    ("prefix-list-admits-the-world", REMOTE_ACCESS, "aws_instance.app"),  # its list holds a private range
    ("prefix-list-admits-the-world", REMOTE_ACCESS, "App"),
    *[
        ("public-ip-terraform", PUBLIC_IP, workload)
        for workload in (
            "aws_instance.explicit_false_in_public_subnet",
            "aws_instance.explicit_false_in_default_vpc",
            "aws_instance.private_subnet",
            "aws_instance.ipv6_behind_egress_only",
        )
    ],
    *[
        ("public-ip-cloudformation", PUBLIC_IP, workload)
        for workload in (
            "ExplicitFalseInPublicSubnet",
            "ExplicitFalseInDefaultVpc",
            "PrivateSubnetInstance",
        )
    ],
]


def _expected() -> dict[tuple[str, str, str], set[tuple[str, int]]]:
    expected: dict[tuple[str, str, str], set[tuple[str, int]]] = defaultdict(set)
    for fixture, file, rule, workload, needles in FIRES:
        path = TRAITS / fixture / file
        expected[(fixture, rule, workload)].add((path.relative_to(REPO).as_posix(), line_of(path, *needles)))
    return expected


EXPECTED = _expected()


@pytest.mark.parametrize(("fixture", "rule", "workload"), sorted(EXPECTED), ids=lambda v: str(v))
def test_trait_fires_at_the_line_to_change(fixture: str, rule: str, workload: str) -> None:
    from_json, from_sarif = reports(fixture)
    want = EXPECTED[(fixture, rule, workload)]
    assert from_json.get((rule, workload), set()) == want
    assert from_sarif.get((rule, workload), set()) == want


@pytest.mark.parametrize(("fixture", "rule", "workload"), QUIET, ids=lambda v: str(v))
def test_near_miss_gives_no_result(fixture: str, rule: str, workload: str) -> None:
    from_json, from_sarif = reports(fixture)
    assert any(w == workload for _, w in from_json) or workload_exists(fixture, workload), (
        f"{workload} is not a workload of {fixture}: the near miss proves nothing"
    )
    assert (rule, workload) not in from_json
    assert (rule, workload) not in from_sarif


@pytest.mark.parametrize(
    ("fixture", "workload"),
    [
        ("public-ip-terraform", "aws_instance.subnet_from_data_source"),
        ("public-ip-cloudformation", "SubnetFromParameter"),
    ],
)
def test_a_subnet_not_known_offline_gives_a_possible_public_ip(fixture: str, workload: str) -> None:
    found = [
        t
        for e in scan([TRAITS / fixture], ScanOptions(root=REPO)).exposures
        for t in e.traits
        if t.workload == workload and t.rule_id == PUBLIC_IP
    ]
    assert len(found) == 1 and found[0].possible
    assert "assumed it maps public IPv4 addresses" in found[0].assumptions[0]


def workload_exists(fixture: str, workload: str) -> bool:
    from scanner.graph import build_graph, workload_contexts
    from scanner.loaders.cloudformation.imports import load_templates
    from scanner.loaders.terraform import load_terraform_configuration

    options = ScanOptions(root=REPO)
    folder = TRAITS / fixture
    template = folder / "template.yaml"
    configurations = [load_templates([template], options)[0]] if template.exists() else []
    if any(folder.glob("*.tf")):  # a folder may hold both formats
        configurations.append(load_terraform_configuration(folder, options))
    return any(
        ctx.address == workload
        for configuration in configurations
        for ctx in workload_contexts(build_graph(configuration), configuration)
    )


@pytest.mark.parametrize(
    ("fixture", "file", "needles", "rules"),
    [
        ("admin-role-terraform", "main.tf", ("# on a role no instance uses",), (ADMIN_ROLE, SERVICE_ADMIN_ROLE)),
        (
            "admin-role-cloudformation",
            "template.yaml",
            ("# on a role no instance uses",),
            (ADMIN_ROLE, SERVICE_ADMIN_ROLE),
        ),
        (
            "security-groups-terraform",
            "main.tf",
            ("# open on a group attached to nothing",),
            (REMOTE_ACCESS, OPEN_SECURITY_GROUP),
        ),
        (
            "security-groups-cloudformation",
            "template.yaml",
            ("# open on a group attached to nothing",),
            (REMOTE_ACCESS, OPEN_SECURITY_GROUP),
        ),
    ],
)
def test_nothing_points_at_what_no_workload_uses(
    fixture: str, file: str, needles: tuple[str, ...], rules: tuple[str, ...]
) -> None:
    path = TRAITS / fixture / file
    place = (path.relative_to(REPO).as_posix(), line_of(path, *needles))
    from_json, from_sarif = reports(fixture)
    for found in (from_json, from_sarif):
        assert [key for key, places in found.items() if key[0] in rules and place in places] == []


def test_cli_json_names_resource_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line gives the same results, exit 1 with findings."""
    monkeypatch.chdir(REPO)
    output = tmp_path / "report.json"
    completed = CliRunner().invoke(
        app,
        ["scan", "fixtures/traits/imds-cloudformation", "--format", "json", "--output", str(output)],
        catch_exceptions=False,
    )
    assert completed.exit_code == 1, completed.output
    report: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
    got = {
        (e["workload"], t["location"]["line"])
        for e in report["exposures"]
        for t in e["traits"]
        if t["rule_id"] == IMDSV1
    }
    template = TRAITS / "imds-cloudformation" / "template.yaml"
    assert got == {
        ("PlainInstance", line_of(template, "PlainInstance:")),
        ("OwnOptionalInstance", line_of(template, "HttpTokens", "# instance allows v1")),
        ("FromV1TemplateInstance", line_of(template, "HttpTokens", "# template allows v1")),
        ("FromV1TemplateGroup", line_of(template, "HttpTokens", "# template allows v1")),
    }


# Fixtures left out of the one big scan: they are bounded now (test_hostile_inputs.py checks
# them), but some build dynamic blocks by the ten thousand or million-size values, which would
# make this log tens of MB and the validator run minutes without adding a new kind of result.
UNBOUNDED_FIXTURES = (
    "fixtures/hostile/count-and-for-each-of-a-million",
    "fixtures/hostile/hcl-locals-bomb",
    "fixtures/terraform/hostile-count",
)


def test_sarif_for_every_fixture_together_passes_microsofts_validator(tmp_path: Path) -> None:
    """The whole fixtures/ tree (hostile inputs, load errors and all) renders logs the SARIF +
    GitHub rules accept without an error or a warning: in three parts of its areas, as the
    validator refuses a log over 10 MB."""
    binary = find_validator()
    if binary is None:
        pytest.skip("!!! Sarif.Multitool could not be installed: SARIF output NOT validated !!!")
    areas = sorted(p for p in (REPO / "fixtures").iterdir() if p.is_dir())
    rules: set[str] = set()
    resources: set[str] = set()
    parts = [areas[index::3] for index in range(3)]
    for number, part in enumerate(parts):
        result = scan(part, ScanOptions(root=REPO), excludes=UNBOUNDED_FIXTURES)
        log = render_sarif(result)
        run = json.loads(log)["runs"][0]
        rules.update(r["ruleId"] for r in run["results"])
        resources.update(r["properties"].get("resource", "") for r in run["results"])
        path = tmp_path / f"fixtures-{number}.sarif"
        path.write_text(log, encoding="utf-8")
        errors, warnings = validate(path, binary)
        assert errors == [], "\n".join(map(str, errors))
        assert warnings == [], "\n".join(map(str, warnings))
    assert rules >= {IMDSV1, ADMIN_ROLE, SERVICE_ADMIN_ROLE, REMOTE_ACCESS, OPEN_SECURITY_GROUP, PUBLIC_IP}
    assert "aws_instance.tokens_optional" in resources
