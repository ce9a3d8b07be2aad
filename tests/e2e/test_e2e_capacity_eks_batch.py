"""EKS managed node groups and AWS Batch compute environments as workloads, end to end
(fixtures/capacity/eks-*, batch-*), in Terraform and CloudFormation: each trait fires or
stays quiet, at the line the user edits (the remote_access block, the launch template's
http_tokens line, the node group that has no launch template)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from scanner.options import ScanOptions
from scanner.reports.json_report import render_json
from scanner.rules.imdsv1 import ID as IMDSV1
from scanner.rules.open_security_group import ID as OPEN_GROUP
from scanner.rules.remote_access import ID as REMOTE_ACCESS
from scanner.scan import scan
from tests.e2e.test_e2e_traits import line_of
from tests.support.paths import REPO

CAPACITY = REPO / "fixtures" / "capacity"
DEFAULTS = "eks-node-group-defaults-remote-access-open"
TEMPLATE = "eks-node-group-launch-template"
BATCH = "batch-compute-environments"


@cache
def report(fixture: str, file: str) -> dict[str, Any]:
    result = scan([CAPACITY / fixture / file], ScanOptions(root=REPO))
    assert result.all_errors == [], result.all_errors
    loaded: dict[str, Any] = json.loads(render_json(result))
    return loaded


def traits_of(fixture: str, file: str, workload: str, rule: str) -> list[dict[str, Any]]:
    exposures = [e for e in report(fixture, file)["exposures"] if e["workload"] == workload]
    return [t for e in exposures for t in e["traits"] if t["rule_id"] == rule]


def workloads(fixture: str, file: str) -> set[str]:
    return {e["workload"] for e in report(fixture, file)["exposures"]}


def at(fixture: str, file: str, *needles: str) -> tuple[str, int]:
    path: Path = CAPACITY / fixture / file
    return path.relative_to(REPO).as_posix(), line_of(path, *needles)


def located(trait: dict[str, Any]) -> tuple[str, int]:
    return trait["location"]["file"], trait["location"]["line"]


FIRES = [
    # remote_access with a key and no source groups: the group EKS creates, at the block
    (DEFAULTS, "main.tf", "aws_eks_node_group.ssh_open", REMOTE_ACCESS, ("remote_access {", "ssh open")),
    (DEFAULTS, "main.tf", "aws_eks_node_group.windows_rdp_open", REMOTE_ACCESS, ("remote_access {", "rdp open")),
    (DEFAULTS, "template.yaml", "SshOpen", REMOTE_ACCESS, ("RemoteAccess:", "ssh open")),
    (DEFAULTS, "template.yaml", "WindowsRdpOpen", REMOTE_ACCESS, ("RemoteAccess:", "rdp open")),
    # no launch template, not AL2023: EKS's own template, tokens undocumented (possible)
    (DEFAULTS, "main.tf", "aws_eks_node_group.ssh_open", IMDSV1, ('resource "aws_eks_node_group" "ssh_open"',)),
    (DEFAULTS, "template.yaml", "SshOpen", IMDSV1, ("SshOpen:",)),
    # the launch template's http_tokens
    (TEMPLATE, "main.tf", "aws_eks_node_group.allows_v1", IMDSV1, ("http_tokens", "template allows v1")),
    (TEMPLATE, "template.yaml", "AllowsV1", IMDSV1, ("HttpTokens", "template allows v1")),
    # a template naming no group: the cluster security group, with the rule added to it
    (TEMPLATE, "template.yaml", "AllowsV1", OPEN_GROUP, ("CidrIp", "cluster group open")),
    # Batch: the environment's groups win over its template's; metadata from the template
    (BATCH, "main.tf", "aws_batch_compute_environment.ec2_template_allows_v1", REMOTE_ACCESS, ("batch ssh open",)),
    (BATCH, "main.tf", "aws_batch_compute_environment.ec2_template_allows_v1", IMDSV1, ("batch template allows v1",)),
    (BATCH, "template.yaml", "Ec2TemplateAllowsV1", REMOTE_ACCESS, ("batch ssh open",)),
    (BATCH, "template.yaml", "Ec2TemplateAllowsV1", IMDSV1, ("batch template allows v1",)),
    # no launch template: Batch's own, no metadata options: AWS's default
    (BATCH, "main.tf", "aws_batch_compute_environment.ec2_no_template", IMDSV1, ('"ec2_no_template"',)),
]


@pytest.mark.parametrize(("fixture", "file", "workload", "rule", "needles"), FIRES)
def test_the_trait_fires_at_the_line_to_edit(
    fixture: str, file: str, workload: str, rule: str, needles: tuple[str, ...]
) -> None:
    found = traits_of(fixture, file, workload, rule)
    assert [located(t) for t in found] == [at(fixture, file, *needles)]


QUIET = [
    # source security groups given: port 22 only from them
    (DEFAULTS, "main.tf", "aws_eks_node_group.al2023_ssh_from_bastion", REMOTE_ACCESS),
    (DEFAULTS, "template.yaml", "Al2023SshFromBastion", REMOTE_ACCESS),
    # AL2023 AMI types require IMDSv2
    (DEFAULTS, "main.tf", "aws_eks_node_group.al2023_ssh_from_bastion", IMDSV1),
    (DEFAULTS, "template.yaml", "Al2023SshFromBastion", IMDSV1),
    # the launch template requires tokens; its own group replaces the cluster group
    (TEMPLATE, "main.tf", "aws_eks_node_group.requires_v2", IMDSV1),
    (TEMPLATE, "template.yaml", "RequiresV2", IMDSV1),
    (TEMPLATE, "template.yaml", "RequiresV2", OPEN_GROUP),
    (BATCH, "main.tf", "aws_batch_compute_environment.spot_requires_v2", IMDSV1),
    (BATCH, "main.tf", "aws_batch_compute_environment.spot_requires_v2", REMOTE_ACCESS),
    (BATCH, "template.yaml", "SpotRequiresV2", IMDSV1),
]


@pytest.mark.parametrize(("fixture", "file", "workload", "rule"), QUIET)
def test_the_trait_stays_quiet(fixture: str, file: str, workload: str, rule: str) -> None:
    assert traits_of(fixture, file, workload, rule) == []


def test_eks_default_tokens_are_possible_not_certain() -> None:
    (trait,) = traits_of(DEFAULTS, "main.tf", "aws_eks_node_group.ssh_open", IMDSV1)
    assert trait["verdict"] == "possible"
    assert "EKS does not document" in trait["message"]
    assert trait["counted"] is False  # a possible trait does not set the severity


@pytest.mark.parametrize("file", ["main.tf", "template.yaml"])
def test_fargate_and_unmanaged_environments_are_not_workloads(file: str) -> None:
    names = workloads(BATCH, file)
    assert not {"aws_batch_compute_environment.fargate", "aws_batch_compute_environment.unmanaged"} & names
    assert not {"Fargate", "Unmanaged"} & names
    assert names  # the EC2 and SPOT ones are


@pytest.mark.parametrize(
    ("file", "workload", "needles"),
    [
        ("main.tf", "aws_eks_node_group.ssh_open", ("remote_access {", "ssh open")),
        ("template.yaml", "SshOpen", ("RemoteAccess:", "ssh open")),
    ],
)
def test_the_remote_access_fix_names_the_block_and_offers_no_patch(
    file: str, workload: str, needles: tuple[str, ...]
) -> None:
    (exposure,) = [e for e in report(DEFAULTS, file)["exposures"] if e["workload"] == workload]
    fixes = [f for f in exposure["fixes"] if f["edit"] == "remove_world_sources"]
    assert [(f["location"]["file"], f["location"]["line"]) for f in fixes] == [at(DEFAULTS, file, *needles)]
    assert "patch" not in fixes[0]
    assert "ource" in fixes[0]["remediation"]  # source_security_group_ids / SourceSecurityGroups


def test_rule_added_to_the_cluster_group_through_vpc_config_opens_the_node_group() -> None:
    """``aws_eks_cluster.x.vpc_config[0].cluster_security_group_id`` is computed by EKS: it
    still names the cluster, whose group the node group without a template runs with."""
    fixture = "eks-cluster-group-rule-added-through-vpc-config"
    found = traits_of(fixture, "main.tf", "aws_eks_node_group.workers", REMOTE_ACCESS)
    assert [located(t) for t in found] == [at(fixture, "main.tf", "ssh open")]


def test_node_group_attached_to_an_internet_facing_nlb_is_reached_through_it() -> None:
    """``aws_autoscaling_attachment`` naming the node group's Auto Scaling group puts it
    behind the NLB's target group, as for any Auto Scaling group."""
    fixture = "eks-node-group-behind-internet-facing-nlb"
    [found] = traits_of(fixture, "main.tf", "aws_eks_node_group.ng", "ec2-internet-reachable")
    kinds = [step["kind"] for step in found["path"]]
    assert "load_balancer" in kinds and "listener" in kinds
    assert located(found) == at(fixture, "main.tf", "node port open")
    assert "tcp 30080" in found["message"]
