"""`terraform show -json` plans (made by terraform 1.11 from the .tf beside them) -> model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from scanner.findings import Configuration
from scanner.loaders.terraform.plan import index_tf_file, is_terraform_plan, load_plan, read_json_with_lines
from scanner.loaders.terraform.plan.evaluated import plan_variables
from scanner.model import (
    AutoScalingGroup,
    Instance,
    LaunchTemplate,
    Listener,
    LoadBalancer,
    PolicyAttachment,
    Resource,
    RouteTable,
    SecurityGroup,
)
from scanner.options import ScanOptions
from scanner.values import ResourceRef, Span, Unknown
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures" / "terraform_plan"
UNKNOWN_SG = FIXTURES / "unknown-security-group-id-edge"  # plan.json pretty-printed, as `jq .` writes it
MODULES = FIXTURES / "module-references-and-reordered-rules"  # plan.json on one line, as terraform writes it


def load(folder: Path, with_source: bool = False) -> Configuration:
    options = ScanOptions(root=FIXTURES, plan_source=folder if with_source else None)
    configuration = load_plan(folder / "plan.json", options)
    assert configuration.errors == []
    return configuration


def by_address(configuration: Configuration) -> dict[str, Resource]:
    return {resource.address: resource for resource in configuration.resources}


def line_at(span: Span) -> str:
    return (FIXTURES / span.file).read_text().splitlines()[span.line - 1]


def test_plan_is_recognised_by_content(tmp_path: Path) -> None:
    assert is_terraform_plan(UNKNOWN_SG / "plan.json") and is_terraform_plan(MODULES / "plan.json")
    template = tmp_path / "template.json"
    template.write_text(json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}))
    assert not is_terraform_plan(template)
    assert not is_terraform_plan(tmp_path / "missing.json")
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"format_version": "1.0", "values": {}}))
    assert not is_terraform_plan(state)


def test_unknown_security_group_id_still_gives_the_edge() -> None:
    plan = json.loads((UNKNOWN_SG / "plan.json").read_text())
    planned = next(r for r in plan["planned_values"]["root_module"]["resources"] if r["address"] == "aws_instance.web")
    assert "vpc_security_group_ids" not in planned["values"]  # the plan itself does not know it
    configuration = load(UNKNOWN_SG)
    assert configuration.kind == "terraform-plan" and configuration.name == "unknown-security-group-id-edge/plan.json"
    instance = by_address(configuration)["aws_instance.web"]
    assert isinstance(instance, Instance)
    assert instance.security_groups == (ResourceRef("aws_security_group.web", "id"),)
    assert instance.subnet == ResourceRef("aws_subnet.public", "id")
    # a known value that is exactly the referenced attribute also becomes the edge
    assert instance.instance_profile == ResourceRef("aws_iam_instance_profile.web", "name")
    assert instance.metadata is not None and instance.metadata.http_tokens == "optional"
    # not set in the configuration: unknown in the plan, but AWS's default applies (subnet decides)
    assert instance.associate_public_ip is None
    table = by_address(configuration)["aws_route_table.public"]
    assert isinstance(table, RouteTable)
    assert table.routes[0].target == ResourceRef("aws_internet_gateway.igw", "id")
    assert table.routes[0].target_kind == "gateway" and table.routes[0].destination == "0.0.0.0/0"
    attachment = by_address(configuration)["aws_iam_role_policy_attachment.admin"]
    assert isinstance(attachment, PolicyAttachment)
    assert attachment.role == ResourceRef("aws_iam_role.web", "name")
    assert attachment.policy == "arn:aws:iam::aws:policy/AdministratorAccess"


def test_spans_point_into_the_plan_file_without_source() -> None:
    configuration = load(UNKNOWN_SG)
    instance = by_address(configuration)["aws_instance.web"]
    assert instance.span.file == "unknown-security-group-id-edge/plan.json"
    assert '"address": "aws_instance.web"' in line_at(instance.span)
    assert instance.metadata is not None
    assert '"http_tokens": "optional"' in line_at(instance.metadata.span_of("http_tokens"))
    group = by_address(configuration)["aws_security_group.web"]
    assert isinstance(group, SecurityGroup)
    ssh = next(rule for rule in group.rules if rule.ingress)
    assert '"from_port": 22' in line_at(ssh.span_of("from_port"))
    # a one-line plan (terraform's own output) points at line 1
    one_line = by_address(load(MODULES))["aws_lb.web"]
    assert one_line.span.line == 1 and one_line.span.file == "module-references-and-reordered-rules/plan.json"


def test_spans_point_into_the_tf_source_with_plan_source() -> None:
    configuration = load(UNKNOWN_SG, with_source=True)
    assert "unknown-security-group-id-edge/main.tf" in configuration.files
    instance = by_address(configuration)["aws_instance.web"]
    assert isinstance(instance, Instance)
    assert instance.span.file == "unknown-security-group-id-edge/main.tf"
    assert line_at(instance.span) == 'resource "aws_instance" "web" {'
    assert line_at(instance.span_of("security_groups")).strip().startswith("vpc_security_group_ids")
    assert line_at(instance.span_of("subnet")).strip().startswith("subnet_id")
    assert instance.metadata is not None
    assert line_at(instance.metadata.span_of("http_tokens")).strip() == 'http_tokens = "optional"'
    table = by_address(configuration)["aws_route_table.public"]
    assert isinstance(table, RouteTable)
    assert line_at(table.routes[0].span_of("target")).strip().startswith("gateway_id")


def test_module_addresses_and_references_through_variables_and_outputs() -> None:
    resources = by_address(load(MODULES))
    assert {
        "module.web.aws_autoscaling_group.app",
        'module.web.aws_instance.worker["a"]',
        'module.web.aws_instance.worker["b"]',
        "aws_subnet.public[0]",
        "aws_subnet.public[1]",
    } <= set(resources)
    group = resources["module.web.aws_autoscaling_group.app"]
    assert isinstance(group, AutoScalingGroup)
    assert group.launch_template == ResourceRef("module.web.aws_launch_template.app", "id")
    # var.subnet_ids <- aws_subnet.public[*].id in the calling module: every instance
    assert group.subnets == (ResourceRef("aws_subnet.public[0]", "id"), ResourceRef("aws_subnet.public[1]", "id"))
    assert group.target_groups == (ResourceRef("module.web.aws_lb_target_group.app", "arn"),)
    template = resources["module.web.aws_launch_template.app"]
    assert isinstance(template, LaunchTemplate)
    assert template.security_groups == (ResourceRef("module.web.aws_security_group.app", "id"),)
    listener = resources["aws_lb_listener.https"]
    assert isinstance(listener, Listener)  # target group through module.web.target_group_arn
    assert listener.target_groups == (ResourceRef("module.web.aws_lb_target_group.app", "arn"),)
    balancer = resources["aws_lb.web"]
    assert isinstance(balancer, LoadBalancer)
    assert balancer.security_groups == (ResourceRef("aws_security_group.lb", "id"),)
    worker = resources['module.web.aws_instance.worker["a"]']
    assert isinstance(worker, Instance)
    assert worker.security_groups == (ResourceRef("module.web.aws_security_group.app", "id"),)
    # var.subnet_ids[0]: one of the two subnets, which one is not said: Unknown that keeps both edges
    assert isinstance(worker.subnet, Unknown)
    assert {ref.address for ref in worker.subnet.refs} == {"aws_subnet.public[0]", "aws_subnet.public[1]"}
    app = resources["module.web.aws_security_group.app"]
    assert isinstance(app, SecurityGroup)
    from_lb = next(rule for rule in app.rules if rule.from_port == 8080)
    assert from_lb.source_groups == (ResourceRef("aws_security_group.lb", "id"),)


def test_reordered_set_blocks_keep_their_own_source_lines() -> None:
    app = by_address(load(MODULES, with_source=True))["module.web.aws_security_group.app"]
    assert isinstance(app, SecurityGroup)
    assert app.span.file == "module-references-and-reordered-rules/modules/web/main.tf"
    for rule in app.rules:  # terraform sorts the set: the 22 rule comes first in the plan, last in the file
        assert line_at(rule.span).strip() == "ingress {"
        assert line_at(rule.span_of("from_port")).split("=")[1].strip() == str(rule.from_port)


def test_after_unknown_values_are_unknown(tmp_path: Path) -> None:
    plan: dict[str, Any] = json.loads((UNKNOWN_SG / "plan.json").read_text())
    # an unknown CIDR the configuration sets (from a resource the plan cannot read)
    for resource in plan["planned_values"]["root_module"]["resources"]:
        if resource["address"] == "aws_subnet.public":
            del resource["values"]["cidr_block"]
    for change in plan["resource_changes"]:
        if change["address"] == "aws_subnet.public":
            change["change"]["after_unknown"]["cidr_block"] = True
        if change["address"] == "aws_security_group.web":
            change["change"]["after_unknown"]["ingress"][0]["cidr_blocks"] = [True]
    for resource in plan["planned_values"]["root_module"]["resources"]:
        if resource["address"] == "aws_security_group.web":
            resource["values"]["ingress"][0]["cidr_blocks"] = [None]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=2))
    configuration = load_plan(path, ScanOptions(root=tmp_path))
    resources = by_address(configuration)
    subnet = resources["aws_subnet.public"]
    assert isinstance(getattr(subnet, "cidr", None), Unknown)
    group = resources["aws_security_group.web"]
    assert isinstance(group, SecurityGroup)
    ingress = next(rule for rule in group.rules if rule.ingress)
    assert len(ingress.cidrs) == 1 and isinstance(ingress.cidrs[0], Unknown)
    assert configuration.unknown_values >= 2


def test_bad_plan_files_give_load_errors(tmp_path: Path) -> None:
    broken = tmp_path / "plan.json"
    broken.write_text('{\n  "format_version": "1.2",\n  "planned_values": {\n    "root_module": [,]\n}\n')
    configuration = load_plan(broken, ScanOptions(root=tmp_path))
    assert configuration.resources == [] and len(configuration.errors) == 1
    assert configuration.errors[0].file == "plan.json" and configuration.errors[0].line == 4
    odd = tmp_path / "odd.json"
    odd.write_text(
        json.dumps(
            {
                "format_version": "1.2",
                "planned_values": {
                    "root_module": {
                        "resources": [
                            {
                                "address": "aws_instance.x",
                                "mode": "managed",
                                "type": "aws_instance",
                                "name": "x",
                                "values": {"vpc_security_group_ids": "sg-1", "metadata_options": "weird"},
                            },
                            "not a resource",
                        ]
                    }
                },
                "resource_changes": [{"address": "aws_instance.x", "change": {"after_unknown": 5}}],
            }
        )
    )
    loaded = load_plan(odd, ScanOptions(root=tmp_path))
    assert loaded.errors == []
    instance = by_address(loaded)["aws_instance.x"]
    assert isinstance(instance, Instance) and instance.security_groups == ("sg-1",) and instance.metadata is None


def test_json_reader_records_key_lines() -> None:
    document = read_json_with_lines('{\n  "a": 1,\n  "b": [\n    {"c": "x"}\n  ]\n}\n', "f.json")
    assert document == {"a": 1, "b": [{"c": "x"}]}
    assert document.key_spans["a"] == Span("f.json", 2, 2)
    assert document.key_spans["b"] == Span("f.json", 3, 5)
    assert document["b"].item_spans[0] == Span("f.json", 4, 4)


def test_tf_index_ignores_braces_in_strings_heredocs_and_comments() -> None:
    text = """# resource "aws_instance" "commented" {
resource "aws_iam_policy" "p" {
  name   = "a{b}"
  policy = <<EOF
{ "Statement": [ { "Effect": "Allow" } ] }
EOF
  tags = { Name = "${var.x}-}" }
}

resource "aws_security_group" "s" {
  /* ingress { */
  ingress {
    from_port = 22
  }
}
"""
    root = index_tf_file(text, "m.tf")
    assert "resource aws_instance commented" not in root.blocks
    policy = root.blocks["resource aws_iam_policy p"][0]
    assert policy.span == Span("m.tf", 2, 8)
    assert policy.attributes["policy"] == Span("m.tf", 4, 6) and policy.attributes["tags"].line == 7
    group = root.blocks["resource aws_security_group s"][0]
    assert group.span == Span("m.tf", 10, 15)
    assert [block.span.line for block in group.blocks["ingress"]] == [12]
    assert group.blocks["ingress"][0].literals == {"from_port": "22"}


def test_corpus_json_files_are_not_mistaken_for_plans(corpus: Path) -> None:
    for path in list(corpus.rglob("*.json"))[:200]:
        assert not is_terraform_plan(path), path


# --- what a plan cannot say by itself: with and without the .tf source ------------------------

LOCALS = FIXTURES / "locals-link-security-group-rule"
EACH = FIXTURES / "each-value-link"
KNOWN = FIXTURES / "known-value-beats-reference"
CONDITIONAL = FIXTURES / "conditional-link"
NULL_VARIABLE = FIXTURES / "null-variable-is-null"


def field_of(folder: Path, address: str, name: str, with_source: bool = False) -> Any:
    return getattr(by_address(load(folder, with_source))[address], name)


def ref_addresses(value: Any) -> set[str]:
    assert isinstance(value, Unknown), value
    return {ref.address for ref in value.refs}


def test_a_link_through_a_local_is_unknown_without_source_and_followed_with_it() -> None:
    rule = "aws_vpc_security_group_ingress_rule.ssh"
    group = field_of(LOCALS, rule, "group")
    assert isinstance(group, Unknown) and group.refs == ()  # a plan keeps no locals: nothing to name
    assert "local.web_group" in group.reason and "--source" in group.reason
    assert field_of(LOCALS, rule, "group", with_source=True) == ResourceRef("aws_security_group.web", "id")


def test_a_link_through_each_value_may_name_every_for_each_resource_without_source() -> None:
    web, db = 'aws_vpc_security_group_ingress_rule.open["web"]', 'aws_vpc_security_group_ingress_rule.open["db"]'
    group = field_of(EACH, web, "group")
    assert ref_addresses(group) == {"aws_security_group.web", "aws_security_group.db"}
    assert "each.value.group" in group.reason
    assert field_of(EACH, web, "cidrs") == ("0.0.0.0/0",)  # known in the plan: stays
    assert field_of(EACH, web, "group", with_source=True) == ResourceRef("aws_security_group.web", "id")
    assert field_of(EACH, db, "group", with_source=True) == ResourceRef("aws_security_group.db", "id")


def test_a_known_value_wins_over_its_reference() -> None:
    for with_source in (False, True):
        group = by_address(load(KNOWN, with_source))["aws_security_group.web"]
        assert isinstance(group, SecurityGroup)
        assert [rule.cidrs for rule in group.rules if rule.ingress] == [("10.0.0.0/16",)], with_source
    # an identity attribute equal to the referenced resource's is that resource (the edge)
    instance = by_address(load(UNKNOWN_SG, False))["aws_instance.web"]
    assert isinstance(instance, Instance)
    assert instance.instance_profile == ResourceRef("aws_iam_instance_profile.web", "name")
    # with the source, the profile's configured name is known before apply (the graph finds it by name)
    instance = by_address(load(UNKNOWN_SG, True))["aws_instance.web"]
    assert isinstance(instance, Instance)
    assert instance.instance_profile == "web"


def test_a_conditional_links_nothing_as_fact_without_source() -> None:
    subnet = field_of(CONDITIONAL, "aws_instance.web", "subnet")
    assert ref_addresses(subnet) == {"aws_subnet.public", "aws_subnet.private"}
    assert "var.public" in subnet.reason
    [groups] = field_of(CONDITIONAL, "aws_instance.web", "security_groups")  # one Unknown, not two refs
    assert ref_addresses(groups) == {"aws_security_group.open", "aws_security_group.internal"}
    https = field_of(CONDITIONAL, "aws_vpc_security_group_ingress_rule.https", "group")  # try(extra[var.k], internal)
    assert ref_addresses(https) == {'aws_security_group.extra["db"]', "aws_security_group.internal"}


def test_a_conditional_takes_the_branch_of_the_plans_variables_with_source() -> None:
    resources = by_address(load(CONDITIONAL, with_source=True))
    instance = resources["aws_instance.web"]
    assert isinstance(instance, Instance)
    assert instance.subnet == ResourceRef("aws_subnet.private", "id")
    assert instance.security_groups == (ResourceRef("aws_security_group.internal", "id"),)
    https = resources["aws_vpc_security_group_ingress_rule.https"]
    assert https.group == ResourceRef("aws_security_group.internal", "id")


def test_a_null_variable_is_null() -> None:
    for with_source in (False, True):
        # unknown in the plan (the provider computes it), null in the configuration: not set
        assert field_of(NULL_VARIABLE, "aws_instance.web", "associate_public_ip", with_source) is None


def test_module_variable_indexed_is_one_subnet_with_source() -> None:
    worker = by_address(load(MODULES, with_source=True))['module.web.aws_instance.worker["a"]']
    assert isinstance(worker, Instance)
    assert worker.subnet == ResourceRef("aws_subnet.public[0]", "id")  # var.subnet_ids[0], evaluated


def test_source_that_is_not_the_plans_is_an_error_and_the_plan_is_read_without_it() -> None:
    for source, why in (
        (EACH, "aws_vpc_security_group_ingress_rule.ssh is not declared"),
        (FIXTURES / "nope", "no such folder"),
    ):
        configuration = load_plan(LOCALS / "plan.json", ScanOptions(root=FIXTURES, plan_source=source))
        [error] = configuration.errors
        assert error.message.startswith(f"--source {source.name}: ") and why in error.message
        instance = by_address(configuration)["aws_instance.web"]
        assert instance.span.file == "locals-link-security-group-rule/plan.json"  # not the other folder's lines


def test_plan_variables_without_a_value_are_unknown() -> None:
    values = plan_variables({"variables": {"a": {"value": None}, "b": {"value": {"x": [1]}}, "c": {}}})
    assert values["a"] is None and values["b"] == {"x": [1]}
    assert isinstance(values["c"], Unknown) and "does not record" in values["c"].reason


def test_what_the_source_cannot_evaluate_is_still_followed_through_the_plans_references(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    shutil.copytree(MODULES, folder)
    shutil.rmtree(folder / "modules")  # a module the source folder does not have (not downloaded there)
    options = ScanOptions(root=tmp_path, plan_source=folder)
    configuration = load_plan(folder / "plan.json", options)
    assert configuration.errors == []
    assert any(notice.startswith("module.web:") for notice in configuration.notices)
    resources = by_address(configuration)
    listener = resources["aws_lb_listener.https"]
    assert isinstance(listener, Listener)  # module.web.target_group_arn: unknown to the source, not to the plan
    assert listener.target_groups == (ResourceRef("module.web.aws_lb_target_group.app", "arn"),)
    assert listener.span.file == "plan/main.tf"
    group = resources["module.web.aws_autoscaling_group.app"]
    assert isinstance(group, AutoScalingGroup)  # a module instance without source: read from the plan alone
    assert group.launch_template == ResourceRef("module.web.aws_launch_template.app", "id")
