"""The resource graph end to end: hand-written Terraform and CloudFormation fixtures
(fixtures/graph/) that describe the same infrastructure go through the real loaders and
``scanner.graph.build_graph``; the chains issue 2 names must be edges of the graph, each
edge pointing at the line where the reference is written. Then ``iacscan graph`` in the
three export formats, parsed back."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from scanner.cli import app
from scanner.findings import Configuration
from scanner.graph import build_graph
from scanner.loaders.cloudformation.imports import load_templates
from scanner.loaders.terraform import load_terraform_configuration
from scanner.options import ScanOptions
from scanner.values import Span
from tests.support.paths import REPO

GRAPH = REPO / "fixtures" / "graph"
TF = GRAPH / "full-chain-terraform"
CFN = GRAPH / "full-chain-cloudformation"


@dataclass(frozen=True)
class Names:
    """The same logical resource in each format: Terraform address <-> CloudFormation logical ID."""

    instance: str
    subnet: str
    table: str
    route: str
    igw: str
    sg: str
    rules: frozenset[str]
    lb_sg: str
    profile: str
    role: str
    policies: frozenset[str]
    lb: str
    listener: str
    target_group: str
    asg: str
    launch_template: str
    source_file: Path


TERRAFORM = Names(
    instance="aws_instance.web",
    subnet="aws_subnet.public",
    table="aws_route_table.public",
    route="aws_route_table.public.route[0]",
    igw="aws_internet_gateway.gw",
    sg="aws_security_group.web",
    rules=frozenset(
        {
            "aws_security_group.web.ingress[0]",
            "aws_security_group_rule.web_https",
            "aws_vpc_security_group_ingress_rule.web_from_lb",
        }
    ),
    lb_sg="aws_security_group.lb",
    profile="aws_iam_instance_profile.web",
    role="aws_iam_role.web",
    policies=frozenset(
        {"aws_iam_role.web.inline_policy[0]", "aws_iam_role_policy.web_s3", "aws_iam_role_policy_attachment.web_admin"}
    ),
    lb="aws_lb.front",
    listener="aws_lb_listener.http",
    target_group="aws_lb_target_group.web",
    asg="aws_autoscaling_group.fleet",
    launch_template="aws_launch_template.fleet",
    source_file=TF / "compute.tf",
)
CLOUDFORMATION = Names(
    instance="WebInstance",
    subnet="PublicSubnet",
    table="PublicRouteTable",
    route="DefaultRoute",
    igw="Gateway",
    sg="WebGroup",
    rules=frozenset({"WebGroup.SecurityGroupIngress[0]", "WebHttpsIngress", "WebFromLbIngress"}),
    lb_sg="LbGroup",
    profile="WebProfile",
    role="WebRole",
    policies=frozenset({"WebRole.Policies[0]", "WebS3Policy", "WebRole.ManagedPolicyArns[0]"}),
    lb="FrontLoadBalancer",
    listener="HttpListener",
    target_group="WebTargets",
    asg="Fleet",
    launch_template="FleetTemplate",
    source_file=CFN / "template.yaml",
)
FORMATS = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}


@cache
def configuration(fmt: str) -> Configuration:
    options = ScanOptions(root=REPO)
    if fmt == "terraform":
        config = load_terraform_configuration(TF, options)
    else:
        [config] = load_templates([CFN / "template.yaml"], options)
    assert config.errors == [], config.errors
    return config


@cache
def graph(fmt: str) -> nx.MultiDiGraph:
    return build_graph(configuration(fmt))


def edges(g: nx.MultiDiGraph, src: str, kind: str) -> list[str]:
    return [v for _, v, d in g.out_edges(src, data=True) if d["kind"] == kind]


def edge_data(g: nx.MultiDiGraph, src: str, dst: str, kind: str) -> dict[str, object]:
    found = [d for d in g.get_edge_data(src, dst, default={}).values() if d["kind"] == kind]
    assert len(found) == 1, f"{src} -{kind}-> {dst}: {len(found)} edges"
    return found[0]


def line_of(path: Path, *needles: str) -> int:
    lines = [
        n
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if all(needle in text for needle in needles)
    ]
    assert len(lines) == 1, f"{path.name}: {needles} on lines {lines}"
    return lines[0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_instance_subnet_route_table_internet_gateway(fmt: str) -> None:
    n, g = FORMATS[fmt], graph(fmt)
    assert edges(g, n.instance, "in_subnet") == [n.subnet]
    assert edges(g, n.subnet, "uses_route_table") == [n.table]
    assert n.route in edges(g, n.table, "route")
    assert edges(g, n.route, "route_target") == [n.igw]
    vpc = edges(g, n.subnet, "in_vpc")
    assert len(vpc) == 1 and vpc == edges(g, n.igw, "in_vpc")[:1]


@pytest.mark.parametrize("fmt", FORMATS)
def test_instance_security_group_rules(fmt: str) -> None:
    n, g = FORMATS[fmt], graph(fmt)
    assert edges(g, n.instance, "protected_by") == [n.sg]
    rules = edges(g, n.sg, "has_rule")
    assert Counter(rules) == Counter(n.rules), "every rule exactly once: inline, standalone and the new rule types"
    from_lb = [r for r in n.rules if edges(g, r, "allows_from")]
    assert len(from_lb) == 1 and edges(g, from_lb[0], "allows_from") == [n.lb_sg]


@pytest.mark.parametrize("fmt", FORMATS)
def test_instance_profile_role_policies(fmt: str) -> None:
    n, g = FORMATS[fmt], graph(fmt)
    assert edges(g, n.instance, "has_profile") == [n.profile]
    assert edges(g, n.profile, "has_role") == [n.role]
    assert Counter(edges(g, n.role, "has_policy")) == Counter(n.policies), "each policy once"


@pytest.mark.parametrize("fmt", FORMATS)
def test_load_balancer_listener_target_group_instance(fmt: str) -> None:
    n, g = FORMATS[fmt], graph(fmt)
    assert edges(g, n.lb, "listener") == [n.listener]
    assert edges(g, n.listener, "forwards_to") == [n.target_group]
    assert set(edges(g, n.target_group, "targets")) == {n.instance, n.asg}
    assert edges(g, n.lb, "protected_by") == [n.lb_sg]
    assert len(edges(g, n.lb, "in_subnet")) == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_asg_launch_template_and_what_it_inherits(fmt: str) -> None:
    n, g = FORMATS[fmt], graph(fmt)
    assert edges(g, n.asg, "launched_from") == [n.launch_template]
    assert edges(g, n.asg, "in_subnet") == [n.subnet]
    assert edges(g, n.asg, "protected_by") == [n.sg]  # the template's groups
    assert edges(g, n.asg, "has_profile") == [n.profile]  # the template's profile


def line_in_block(path: Path, header: str, needle: str) -> int:
    """The first line holding ``needle`` after the one line holding ``header``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = line_of(path, header)
    return next(n for n, text in enumerate(lines[start:], start + 1) if needle in text)


@pytest.mark.parametrize(
    ("fmt", "src", "dst", "kind", "header", "needle"),
    [
        ("terraform", "aws_instance.web", "aws_subnet.public", "in_subnet", '"aws_instance" "web"', "subnet_id"),
        (
            "terraform",
            "aws_instance.web",
            "aws_iam_instance_profile.web",
            "has_profile",
            '"aws_instance" "web"',
            "iam_instance_profile",
        ),
        (
            "terraform",
            "aws_lb_listener.http",
            "aws_lb_target_group.web",
            "forwards_to",
            '"aws_lb_listener" "http"',
            "target_group_arn",
        ),
        ("cloudformation", "WebInstance", "PublicSubnet", "in_subnet", "  WebInstance:", "SubnetId:"),
        ("cloudformation", "WebInstance", "WebProfile", "has_profile", "  WebInstance:", "IamInstanceProfile:"),
        ("cloudformation", "HttpListener", "WebTargets", "forwards_to", "  HttpListener:", "TargetGroupArn:"),
    ],
)
def test_edges_point_at_the_line_that_writes_the_reference(
    fmt: str, src: str, dst: str, kind: str, header: str, needle: str
) -> None:
    """The edge's span starts at, or (a block such as DefaultActions) holds, the line that names the target."""
    span = edge_data(graph(fmt), src, dst, kind)["span"]
    source = FORMATS[fmt].source_file
    assert isinstance(span, Span)
    assert span.file == source.relative_to(REPO).as_posix()
    written = line_in_block(source, header, needle)
    assert span.line <= written <= span.end_line and span.end_line - span.line <= 3, (span, written)


def test_count_and_for_each_addresses_are_nodes_with_their_own_edges() -> None:
    g = graph("terraform")
    for address in (
        "aws_instance.counted[0]",
        "aws_instance.counted[1]",
        'aws_instance.by_name["a"]',
        'aws_instance.by_name["b"]',
    ):
        assert edges(g, address, "in_subnet") == ["aws_subnet.public"], address
        assert edges(g, address, "protected_by") == ["aws_security_group.web"], address
    assert "aws_instance.counted" not in g and "aws_instance.by_name" not in g


def test_local_module_resource_is_addressed_under_the_module_and_linked_to_root_resources() -> None:
    g = graph("terraform")
    inner = "module.worker.aws_instance.this"
    assert edges(g, inner, "in_subnet") == ["aws_subnet.public"]
    assert edges(g, inner, "protected_by") == ["aws_security_group.web"]
    span = g.nodes[inner]["obj"].span
    assert span.file == "fixtures/graph/full-chain-terraform/modules/worker/main.tf"
    assert span.line == line_of(TF / "modules" / "worker" / "main.tf", 'resource "aws_instance" "this"')


def test_both_formats_give_the_same_graph_shape() -> None:
    """Renaming one format's nodes to the other's gives the same typed edges between the
    shared resources (only edges between resources both fixtures declare are compared)."""
    rename = {
        getattr(CLOUDFORMATION, f): getattr(TERRAFORM, f)
        for f in (
            "instance",
            "subnet",
            "table",
            "route",
            "igw",
            "sg",
            "lb_sg",
            "profile",
            "role",
            "lb",
            "listener",
            "target_group",
            "asg",
            "launch_template",
        )
    }
    shared = set(rename.values())

    def typed(g: nx.MultiDiGraph, names: dict[str, str]) -> set[tuple[str, str, str]]:
        return {
            (names.get(u, u), d["kind"], names.get(v, v))
            for u, v, d in g.edges(data=True)
            if names.get(u, u) in shared and names.get(v, v) in shared
        }

    assert typed(graph("cloudformation"), rename) == typed(graph("terraform"), {})


# --- iacscan graph ------------------------------------------------------------------------

runner = CliRunner()


def run_graph(tmp_path: Path, fixture: Path, fmt: str) -> str:
    out = tmp_path / f"graph.{fmt}"
    result = runner.invoke(app, ["graph", str(fixture), "--format", fmt, "--output", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("fixture", [TF, CFN], ids=["terraform", "cloudformation"])
def test_cli_json_is_node_link_json_of_the_graph(tmp_path: Path, fixture: Path) -> None:
    fmt = "terraform" if fixture == TF else "cloudformation"
    data = json.loads(run_graph(tmp_path, fixture, "json"))
    exported = nx.node_link_graph(data, edges="edges")
    g = graph(fmt)
    assert set(exported.nodes) == {str(n) for n in g.nodes}
    assert exported.number_of_edges() == g.number_of_edges()
    n = FORMATS[fmt]
    kinds = {(u, d["kind"], v) for u, v, d in exported.edges(data=True)}
    assert (n.instance, "in_subnet", n.subnet) in kinds and (n.lb, "listener", n.listener) in kinds


@pytest.mark.parametrize("fixture", [TF, CFN], ids=["terraform", "cloudformation"])
def test_cli_graphml_reads_back_with_networkx(tmp_path: Path, fixture: Path) -> None:
    fmt = "terraform" if fixture == TF else "cloudformation"
    path = tmp_path / "g.graphml"
    path.write_text(run_graph(tmp_path, fixture, "graphml"), encoding="utf-8")
    exported = nx.read_graphml(path)
    g = graph(fmt)
    assert set(exported.nodes) == {str(n) for n in g.nodes}
    assert exported.number_of_edges() == g.number_of_edges()
    n = FORMATS[fmt]
    assert any(d.get("kind") == "has_role" for _, _, d in exported.edges(n.profile, data=True))


@pytest.mark.parametrize("fixture", [TF, CFN], ids=["terraform", "cloudformation"])
def test_cli_dot_names_every_resource(tmp_path: Path, fixture: Path) -> None:
    fmt = "terraform" if fixture == TF else "cloudformation"
    dot = run_graph(tmp_path, fixture, "dot")
    assert dot.lstrip().startswith(("digraph", "strict digraph")) and dot.rstrip().endswith("}")
    for resource in configuration(fmt).resources:
        assert resource.address in dot or json.dumps(resource.address) in dot, resource.address
    n = FORMATS[fmt]
    assert any(n.instance in line and n.subnet in line and "->" in line for line in dot.splitlines())


def test_cli_graph_to_stdout_and_bad_format(tmp_path: Path) -> None:
    result = runner.invoke(app, ["graph", str(TF), "--format", "json"])
    assert result.exit_code == 0
    assert "aws_instance.web" in {node["id"] for node in json.loads(result.stdout)["nodes"]}
    bad = runner.invoke(app, ["graph", str(TF), "--format", "svg"])
    assert bad.exit_code == 2
