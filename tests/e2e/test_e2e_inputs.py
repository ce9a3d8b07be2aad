"""Every way teams hold their infrastructure, end to end (issue 5): a real ``terraform show
-json`` plan, downloaded and missing registry modules, module sources outside the scanned
tree, a CDK ``cdk.out`` with two stacks, nested stacks, ``Fn::ImportValue`` across
templates, ``.tf.json`` / ``.tfvars.json``. Fixtures are in fixtures/inputs/; every load
goes through the real pipeline (``scanner.scan.scan``) or loader + ``build_graph``.

THE key test is ``test_same_infrastructure_gives_the_same_traits_in_every_format``: one
infrastructure written as HCL, as the plan Terraform 1.11 made of that HCL, and as
CloudFormation must give the same traits on the same workloads, at the same lines."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from scanner.cli import app
from scanner.findings import ScanResult
from scanner.graph import build_graph
from scanner.loaders.cloudformation.imports import load_templates
from scanner.loaders.terraform import load_terraform_configuration
from scanner.loaders.terraform.plan import load_plan
from scanner.model import Instance, SecurityGroup
from scanner.options import ScanOptions
from scanner.reports.json_report import report_data
from scanner.reports.text import plain_text
from scanner.rules.admin_role import ID as ADMIN_ROLE
from scanner.rules.imdsv1 import ID as IMDSV1
from scanner.rules.internet_reachable import ID as INTERNET_REACHABLE
from scanner.rules.open_security_group import ID as OPEN_SECURITY_GROUP
from scanner.rules.public_ip import ID as PUBLIC_IP
from scanner.rules.remote_access import ID as REMOTE_ACCESS
from scanner.scan import scan
from scanner.values import ResourceRef, Unknown
from tests.support.paths import REPO

INPUTS = REPO / "fixtures" / "inputs"
SAME = INPUTS / "same-infrastructure-three-formats"
PLAN = SAME / "plan" / "plan.json"
HCL = SAME / "terraform"
CFN = SAME / "cloudformation"


def rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def line_of(path: Path, *needles: str) -> int:
    lines = [
        n
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if all(needle in text for needle in needles)
    ]
    assert len(lines) == 1, f"{path.name}: {needles} on lines {lines}"
    return lines[0]


def line_in_block(path: Path, header: str, needle: str) -> int:
    """The first line holding ``needle`` after the one line holding ``header``."""
    start = line_of(path, header)
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines[start:], start + 1) if needle in text)


TraitSet = dict[str, set[tuple[str, str, int]]]  # workload -> {(rule, file, line)}


def traits_by_workload(result: ScanResult) -> TraitSet:
    found: TraitSet = {}
    for exposure in result.exposures:
        for trait in exposure.traits:
            found.setdefault(exposure.workload, set()).add(
                (trait.rule_id, trait.location.span.file, trait.location.span.line)
            )
    return found


@cache
def scanned(*paths: Path, root: Path = REPO, plan_source: Path | None = None) -> ScanResult:
    result = scan(list(paths), ScanOptions(root=root, plan_source=plan_source))
    assert result.all_errors == [], result.all_errors
    return result


# --- the same infrastructure in three formats -------------------------------------------------

# Terraform address <-> CloudFormation logical ID of each workload, written out by hand.
WORKLOADS = {
    "aws_instance.web": "WebInstance",
    "aws_instance.app": "AppInstance",
    "aws_autoscaling_group.worker": "WorkerGroup",
}
SIX_TRAITS = {IMDSV1, ADMIN_ROLE, REMOTE_ACCESS, OPEN_SECURITY_GROUP, PUBLIC_IP, INTERNET_REACHABLE}


def rules_and_severity(result: ScanResult, to_terraform: dict[str, str]) -> dict[str, tuple[frozenset[str], str]]:
    """workload (Terraform address) -> (rule ids, severity); workloads are renamed explicitly."""
    out: dict[str, tuple[frozenset[str], str]] = {}
    for exposure in result.exposures:
        assert exposure.workload in to_terraform, f"unexpected workload {exposure.workload}"
        out[to_terraform[exposure.workload]] = (frozenset(t.rule_id for t in exposure.traits), exposure.severity.name)
    return out


def test_plan_fixture_is_real_terraform_output_of_the_hcl() -> None:
    plan = json.loads(PLAN.read_text(encoding="utf-8"))
    assert plan["terraform_version"].startswith("1.11.")
    planned = {r["address"] for r in plan["planned_values"]["root_module"]["resources"]}
    hcl = {r.address for r in load_terraform_configuration(HCL, ScanOptions(root=REPO)).resources}
    assert planned <= hcl and "aws_instance.web" in planned


def test_same_infrastructure_gives_the_same_traits_in_every_format() -> None:
    identity = {tf: tf for tf in WORKLOADS}
    from_hcl = rules_and_severity(scanned(HCL), identity)
    from_plan = rules_and_severity(scanned(PLAN), identity)
    from_plan_with_source = rules_and_severity(scanned(PLAN, plan_source=HCL), identity)
    from_cfn = rules_and_severity(scanned(CFN), {cfn: tf for tf, cfn in WORKLOADS.items()})

    # what the infrastructure really has: checked against AWS's behaviour, not one format's output
    web_rules, web_severity = from_hcl["aws_instance.web"]
    assert web_rules == SIX_TRAITS and web_severity == "CRITICAL"
    assert from_hcl["aws_autoscaling_group.worker"][0] == {IMDSV1}  # launch template without metadata options
    assert "aws_instance.app" not in from_hcl  # private, IMDSv2, no role, no open group: quiet

    assert from_plan == from_hcl
    assert from_plan_with_source == from_hcl
    assert from_cfn == from_hcl


@pytest.mark.parametrize(
    ("rule", "tf_needles", "cfn_header", "cfn_needle"),
    [
        (IMDSV1, ('http_tokens = "optional"',), "  WebInstance:", "HttpTokens:"),
        (REMOTE_ACCESS, None, "  WebGroup:", "CidrIp:"),
        (PUBLIC_IP, ("map_public_ip_on_launch",), "  PublicSubnet:", "MapPublicIpOnLaunch:"),
        (ADMIN_ROLE, ("AdministratorAccess",), "  WebRole:", "AdministratorAccess"),
    ],
)
def test_same_infrastructure_points_at_the_line_to_change_in_each_format(
    rule: str, tf_needles: tuple[str, ...] | None, cfn_header: str, cfn_needle: str
) -> None:
    tf_file = HCL / "main.tf"
    tf_line = line_of(tf_file, *tf_needles) if tf_needles else line_in_block(tf_file, "from_port   = 22", "cidr_blocks")
    cfn_file = CFN / "template.yaml"
    expected = {
        "hcl": (rel(tf_file), tf_line),
        "plan with --source": (rel(tf_file), tf_line),
        "plan": (rel(PLAN), 1),  # terraform show -json writes one line
        "cloudformation": (rel(cfn_file), line_in_block(cfn_file, cfn_header, cfn_needle)),
    }
    results = {
        "hcl": (scanned(HCL), "aws_instance.web"),
        "plan": (scanned(PLAN), "aws_instance.web"),
        "plan with --source": (scanned(PLAN, plan_source=HCL), "aws_instance.web"),
        "cloudformation": (scanned(CFN), "WebInstance"),
    }
    for fmt, (result, workload) in results.items():
        found = {(file, line) for r, file, line in traits_by_workload(result)[workload] if r == rule}
        assert found == {expected[fmt]}, fmt


def test_cli_scan_plan_with_source_points_into_the_tf_files() -> None:
    result = CliRunner().invoke(app, ["scan", str(PLAN), "--source", str(HCL), "--format", "json"])
    assert result.exit_code == 1, result.output  # findings
    report = json.loads(result.stdout)
    files = {t["location"]["file"] for e in report["exposures"] for t in e["traits"]}
    assert files == {rel(HCL / "main.tf")}


# --- plan: a security group id only known after apply ---------------------------------------


def test_plan_security_group_id_unknown_until_apply_still_gives_the_edge_and_the_trait() -> None:
    plan = json.loads(PLAN.read_text(encoding="utf-8"))
    [change] = [c["change"] for c in plan["resource_changes"] if c["address"] == "aws_instance.web"]
    assert change["after_unknown"]["vpc_security_group_ids"] is True  # the premise: no id in the plan
    assert "vpc_security_group_ids" not in change["after"]

    config = load_plan(PLAN, ScanOptions(root=REPO))
    graph = build_graph(config)
    groups = [v for _, v, d in graph.out_edges("aws_instance.web", data=True) if d["kind"] == "protected_by"]
    assert groups == ["aws_security_group.web"]
    # the rule on that group fires on the instance, through the whole pipeline
    web = traits_by_workload(scanned(PLAN))["aws_instance.web"]
    assert {REMOTE_ACCESS, OPEN_SECURITY_GROUP, INTERNET_REACHABLE} <= {rule for rule, _, _ in web}


# --- registry and git modules ---------------------------------------------------------------


def test_downloaded_registry_module_through_modules_json() -> None:
    folder = INPUTS / "registry-module-downloaded"
    module_file = folder / ".terraform" / "modules" / "web" / "main.tf"
    result = scanned(folder)
    assert [c.name for c in result.configurations] == [rel(folder)]  # the download is not a root of its own
    found = traits_by_workload(result)
    assert set(found) == {"module.web.aws_instance.this"}
    traits = found["module.web.aws_instance.this"]
    # the download is not in the repository: its literals are reported at the module call (issue 16)
    call = line_of(folder / "main.tf", 'module "web"')
    assert (IMDSV1, rel(folder / "main.tf"), call) in traits
    assert (REMOTE_ACCESS, rel(folder / "main.tf"), call) in traits
    assert all(".terraform/" not in file for _, file, _ in traits)
    assert module_file.is_file()
    assert (PUBLIC_IP, rel(folder / "main.tf"), line_of(folder / "main.tf", "map_public_ip_on_launch")) in traits
    graph = build_graph(result.configurations[0])
    assert ("module.web.aws_instance.this", "aws_subnet.public", "in_subnet") in {
        (u, v, d["kind"]) for u, v, d in graph.edges(data=True)
    }


def test_module_calls_that_were_not_downloaded_give_one_notice_each() -> None:
    folder = INPUTS / "registry-module-not-downloaded"
    result = scan([folder], ScanOptions(root=REPO))
    assert result.all_errors == []
    [config] = result.configurations
    notices = [*result.notices, *config.notices]
    for call, source in (
        ("module.vpc", "terraform-aws-modules/vpc/aws"),
        ("module.bastion", "git::https://example.com/infra/bastion.git"),
    ):
        about = [n for n in notices if n.startswith(f"{call}:")]
        assert len(about) == 1, (call, result.notices)
        assert source in about[0] and "not downloaded" in about[0]
    [app_instance] = [r for r in config.resources if r.address == "aws_instance.app"]
    assert isinstance(app_instance, Instance)
    assert isinstance(app_instance.subnet, Unknown) and "module.vpc" in app_instance.subnet.reason


def test_module_calls_not_downloaded_are_listed_as_not_analysed_in_every_report() -> None:
    """What a module not read creates (the bastion here) is never read as "no exposure": the
    calls are counted with the compute iacscan does not check, at their lines."""
    folder = INPUTS / "registry-module-not-downloaded"
    result = scan([folder], ScanOptions(root=REPO))
    [config] = result.configurations
    assert config.not_analysed() == {"module": 2}
    unread = sorted((r.address, r.span.line) for r in config.resources if r.kind == "module")
    assert unread == [("module.bastion", 8), ("module.vpc", 1)]
    listed = report_data(result)["not_analysed"]
    assert [(e["type"], e["count"]) for e in listed] == [("module", 2)]
    assert "terraform init" in listed[0]["why"]
    text = plain_text(result)
    assert "2 module calls whose source was not read: what they create is not analysed" in text


def test_module_source_outside_the_scanned_tree_is_refused_and_reported() -> None:
    root = INPUTS / "module-source-outside-tree" / "root"
    result = scan([root], ScanOptions(root=root))
    [config] = result.configurations
    assert not any("elsewhere" in f for f in config.files)
    assert [r.address for r in config.resources if r.kind == "aws_instance"] == ["aws_instance.app"]
    notices = [n for n in [*result.notices, *config.notices] if n.startswith("module.shared")]
    assert len(notices) == 1 and "outside" in notices[0]


def test_module_source_through_a_symlink_leaving_the_tree_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "main.tf").write_text('resource "aws_instance" "secret" {\n  ami = "ami-1"\n}\n')
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text('module "linked" {\n  source = "./linked"\n}\n')
    os.symlink(outside, root / "linked")
    result = scan([root], ScanOptions(root=root))
    assert all("secret" not in r.address for c in result.configurations for r in c.resources)
    assert not any("outside" in f for c in result.configurations for f in c.files)
    notices = [*result.notices, *(n for c in result.configurations for n in c.notices)]
    assert any("linked" in n and "outside" in n for n in notices), notices


# --- CDK, nested stacks, imports ------------------------------------------------------------


def test_cdk_out_with_two_stacks_names_findings_by_construct_path() -> None:
    folder = INPUTS / "cdk-app-two-stacks"
    web_template = folder / "cdk.out" / "Web.template.json"
    result = scanned(folder)
    assert len(result.configurations) == 1 and result.configurations[0].kind == "cdk"
    [exposure] = result.exposures
    assert exposure.workload == "Web/WebServer"
    assert exposure.workload_span.file == rel(web_template)
    assert exposure.workload_span.line == line_of(web_template, '"WebServer99EDD300"')
    traits = traits_by_workload(result)["Web/WebServer"]
    assert {rule for rule, _, _ in traits} == {
        IMDSV1,
        ADMIN_ROLE,
        REMOTE_ACCESS,
        OPEN_SECURITY_GROUP,
        PUBLIC_IP,
        INTERNET_REACHABLE,
    }
    assert (REMOTE_ACCESS, rel(web_template), line_of(web_template, '"CidrIp": "0.0.0.0/0"')) in traits
    # the instance sits in the other stack's subnet: an edge across stacks, through CDK's exports
    graph = build_graph(result.configurations[0])
    assert [v for _, v, d in graph.out_edges("Web/WebServer", data=True) if d["kind"] == "in_subnet"] == [
        "Network/Vpc/PublicSubnet1/Subnet"
    ]
    notices = [*result.notices, *result.configurations[0].notices]
    assert any("Web/WebServer = WebServer99EDD300" in n for n in notices)  # construct path -> logical id


def test_nested_stack_passes_a_subnet_id_to_its_child() -> None:
    folder = INPUTS / "nested-stack-passes-subnet-to-child"
    app_file = folder / "stacks" / "app.yaml"
    result = scanned(folder)
    [config] = result.configurations
    assert {rel(folder / "parent.yaml"), rel(folder / "stacks" / "network.yaml"), rel(app_file)} <= set(config.files)
    graph = build_graph(config)
    assert [v for _, v, d in graph.out_edges("App.Server", data=True) if d["kind"] == "in_subnet"] == [
        "Network.PublicSubnet"
    ]
    traits = traits_by_workload(result)["App.Server"]
    assert {rule for rule, _, _ in traits} == {REMOTE_ACCESS, OPEN_SECURITY_GROUP, PUBLIC_IP, INTERNET_REACHABLE}
    assert (REMOTE_ACCESS, rel(app_file), line_of(app_file, "CidrIp: 0.0.0.0/0")) in traits
    network = folder / "stacks" / "network.yaml"
    assert (PUBLIC_IP, rel(network), line_of(network, "MapPublicIpOnLaunch")) in traits


def test_import_value_resolves_against_exports_of_another_template_in_the_scan() -> None:
    folder = INPUTS / "import-value-across-templates"
    app_file, network_file = folder / "app.yaml", folder / "network.yaml"
    result = scanned(folder)
    # an imported resource makes the two templates one configuration, as a CDK app is
    [app_config] = [c for c in result.configurations if c.name == f"{rel(app_file)} + {rel(network_file)}"]
    group = next(r for r in app_config.resources if isinstance(r, SecurityGroup))
    assert group.rules[0].cidrs == ("0.0.0.0/0",)  # a literal export: resolved
    server_traits = traits_by_workload(result)["Server"]
    assert (REMOTE_ACCESS, rel(app_file), line_of(app_file, "CidrIp: !ImportValue")) in server_traits
    server, unmatched = (next(r for r in app_config.resources if r.address == a) for a in ("Server", "Unmatched"))
    assert isinstance(server, Instance) and isinstance(unmatched, Instance)
    # the exported subnet is an edge: the instance is routed by the network stack's table
    assert server.subnet == ResourceRef("PublicSubnet", "Ref")
    assert (PUBLIC_IP, rel(network_file), line_of(network_file, "MapPublicIpOnLaunch")) in server_traits
    assert INTERNET_REACHABLE in {rule for rule, _, _ in server_traits}
    assert isinstance(unmatched.subnet, Unknown) and "no template in this scan exports it" in unmatched.subnet.reason
    # without the exporting template, the literal import is unknown too
    [alone] = load_templates([app_file], ScanOptions(root=REPO))
    alone_group = next(r for r in alone.resources if isinstance(r, SecurityGroup))
    assert isinstance(alone_group.rules[0].cidrs[0], Unknown)


# --- Terraform JSON syntax ------------------------------------------------------------------


def test_tf_json_with_tfvars_json_and_auto_tfvars_json() -> None:
    folder = INPUTS / "terraform-json-syntax-and-tfvars-json"
    source = folder / "main.tf.json"
    result = scanned(folder)
    [config] = result.configurations
    assert set(config.files) >= {
        rel(source),
        rel(folder / "terraform.tfvars.json"),
        rel(folder / "overrides.auto.tfvars.json"),
    }
    traits = traits_by_workload(result)["aws_instance.server"]
    # terraform.tfvars.json opens SSH to the world; overrides.auto.tfvars.json allows IMDSv1
    assert (REMOTE_ACCESS, rel(source), line_of(source, '"cidr_blocks"')) in traits
    assert (IMDSV1, rel(source), line_of(source, '"http_tokens": "${var')) in traits
    graph = build_graph(config)
    assert isinstance(graph, nx.MultiDiGraph)
    assert [v for _, v, d in graph.out_edges("aws_instance.server", data=True) if d["kind"] == "protected_by"] == [
        "aws_security_group.ssh"
    ]
