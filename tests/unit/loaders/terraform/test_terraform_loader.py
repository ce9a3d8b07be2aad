"""The Terraform HCL loader against hand-written fixtures: addresses, values, lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.loaders.terraform.file_names import is_terraform_file
from scanner.loaders.terraform.load_run import TerraformLoad
from scanner.loaders.terraform.root_module import load_terraform_module
from scanner.options import ScanOptions
from scanner.values import EncodedJson, ResourceRef, Span, SpannedDict, SpannedList, Unknown
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures" / "terraform"


def load(name: str, **options: object) -> TerraformLoad:
    return load_terraform_module(FIXTURES / name, ScanOptions(root=FIXTURES, **options))  # type: ignore[arg-type]


def by_address(result: TerraformLoad) -> dict[str, object]:
    return {r.address: r for r in result.resources}


def line_of(relative: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line where the file text contains ``needle`` (the n-th time)."""
    seen = 0
    for number, line in enumerate((FIXTURES / relative).read_text().splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in {relative}")


def test_is_terraform_file() -> None:
    assert is_terraform_file(Path("main.tf"))
    assert is_terraform_file(Path("x/main.tf.json"))
    assert not is_terraform_file(Path("terraform.tfvars"))
    assert not is_terraform_file(Path("main.tf.bak"))


def test_attribute_and_block_lines_match_the_file() -> None:
    result = load("basic-instance-lines")
    assert result.errors == []
    resources = by_address(result)
    instance = resources["aws_instance.web"]
    path = "basic-instance-lines/main.tf"
    assert instance.span == Span(path, line_of(path, 'resource "aws_instance" "web"'), line_of(path, "Env  =") + 2)
    body = instance.body
    assert body.key_spans["instance_type"].line == line_of(path, "instance_type               =")
    metadata = body["metadata_options"]
    assert isinstance(metadata, SpannedList) and isinstance(metadata[0], SpannedDict)
    assert metadata[0]["http_tokens"] == "optional"
    assert metadata[0].key_spans["http_tokens"].line == line_of(path, "http_tokens")
    assert body.key_spans["metadata_options"] == Span(
        path, line_of(path, "metadata_options {"), line_of(path, "http_tokens") + 1
    )
    # a heredoc attribute spans from its first to its closing-marker line
    assert body.key_spans["user_data"] == Span(path, line_of(path, "user_data"), line_of(path, "  EOT"))
    assert body["user_data"] == '#!/bin/bash\necho "hello t3.micro"\n'
    sg = resources["aws_security_group.web"].body
    assert [rule["from_port"] for rule in sg["ingress"]] == [22, 443]
    second = sg["ingress"][1]
    multi_line_list = line_of(path, "cidr_blocks = [", 2)
    assert second.span == Span(path, line_of(path, "ingress {", 2), multi_line_list + 3)
    assert second.key_spans["cidr_blocks"] == Span(path, multi_line_list, multi_line_list + 2)
    assert sg["ingress"].item_spans[0].line == line_of(path, "ingress {", 1)
    assert result.files == [path]


def test_references_become_resource_refs() -> None:
    body = by_address(load("basic-instance-lines"))["aws_instance.web"].body
    assert body["vpc_security_group_ids"] == [ResourceRef("aws_security_group.web", "id")]
    # literal text around a reference: the string is unknown but keeps the edge
    name = body["tags"]["Name"]
    assert isinstance(name, Unknown)
    assert name.refs == (ResourceRef("aws_vpc.main", "id"),)
    assert body["tags"]["Env"] == "prod"


def test_variable_precedence() -> None:
    result = load(
        "variable-precedence",
        var_files=(FIXTURES / "variable-precedence/env/prod.tfvars",),
        variables={"from_cli": "cli"},
    )
    tags = by_address(result)["aws_instance.probe"].body["tags"]
    assert tags["only_default"] == "from-default"
    assert tags["from_tfvars"] == "tfvars"
    assert tags["from_auto"] == "b.auto"  # b.auto.tfvars.json comes after a.auto.tfvars
    assert tags["from_var_file"] == "var-file"
    assert tags["from_cli"] == "cli"
    assert isinstance(tags["no_value"], Unknown) and "no_value" in tags["no_value"].reason
    # "8080" in terraform.tfvars converted to the declared number type
    assert by_address(result)["aws_instance.probe"].body["port"] == 8080
    assert "variable-precedence/env/prod.tfvars" in result.files
    assert "variable-precedence/terraform.tfvars" in result.files


def test_cli_variable_parsed_as_hcl_when_it_parses() -> None:
    result = load("variable-precedence", variables={"port": "443", "from_cli": "web server"})
    body = by_address(result)["aws_instance.probe"].body
    assert body["port"] == 443
    assert body["tags"]["from_cli"] == "web server"


def test_count_and_for_each_addresses() -> None:
    result = load("count-and-for-each")
    resources = by_address(result)
    assert [a for a in resources if a.startswith("aws_instance.web")] == ["aws_instance.web[0]", "aws_instance.web[1]"]
    assert resources["aws_instance.web[1]"].body["tags"]["Name"] == "web-1"
    assert resources['aws_instance.app["a"]'].body["tags"]["Name"] == "a"
    assert 'aws_instance.app["b"]' in resources
    assert resources['aws_subnet.this["public"]'].body["cidr_block"] == "10.0.1.0/24"
    assert not any(a.startswith("aws_instance.disabled") for a in resources)
    maybe = resources["aws_instance.maybe"]
    assert any("count is unknown" in note for note in maybe.assumptions)
    assert resources["aws_eip.web[1]"].body["instance"] == ResourceRef("aws_instance.web[1]", "id")
    attach = resources["aws_lb_target_group_attachment.all"].body
    assert attach["ids"] == [ResourceRef("aws_instance.web[0]", "id"), ResourceRef("aws_instance.web[1]", "id")]
    assert attach["app_ids"] == [ResourceRef('aws_instance.app["a"]', "id"), ResourceRef('aws_instance.app["b"]', "id")]
    assert attach["subnet"] == ResourceRef('aws_subnet.this["public"]', "id")
    assert attach["cidr"] == "10.0.1.0/24"  # configured argument of another resource
    assert isinstance(attach["az"], Unknown)
    assert attach["az"].refs == (ResourceRef('aws_subnet.this["public"]', "availability_zone"),)
    # a counted resource without an index: unknown, with refs to every instance
    assert isinstance(attach["target_id"], Unknown)
    assert set(attach["target_id"].refs) == {
        ResourceRef("aws_instance.web[0]", "id"),
        ResourceRef("aws_instance.web[1]", "id"),
    }


def test_locals_and_functions() -> None:
    result = load("locals-and-functions")
    assert result.errors == []
    probe = by_address(result)["terraform_data.probe"].body["input"]
    assert probe["public_cidr"] == "10.0.1.0/24"
    assert probe["hosts"] == "10.0.1.5"
    assert probe["mask"] == "255.255.0.0"
    assert probe["split_cidrs"] == ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24"]
    assert probe["ports"] == [22, 80, 443]
    assert probe["names"] == ["srv-a", "srv-b"]
    assert probe["upper"] == "X,Y"
    assert probe["flat"] == [1, 2, 3, 4]
    assert (probe["look"], probe["miss"]) == ("platform", "none")
    assert probe["cond"] == "many"
    assert probe["for_list"] == [44, 886]
    assert probe["for_map"] == {"env": "prod", "team": "platform"}
    assert probe["grouped"] == {"a": ["ab", "ac"], "b": ["bc"]}
    assert isinstance(probe["policy"], EncodedJson)
    assert json.loads(probe["policy"])["Statement"][0]["Action"] == "*"
    assert probe["decoded"] == {"a": [1, 2]}
    assert probe["tried"] == "fallback" and probe["can_miss"] is False
    assert probe["regex_r"] == "hell0-w0rld"
    assert probe["heredoc"] == "line 10.0.0.0/16\nport 22\nport 80\nport 443\n"
    assert probe["tmpl"] == '#!/bin/bash\necho "listen 8080"\necho a\necho b\n'
    assert probe["read"].startswith('#!/bin/bash\necho "listen ${port}"')
    assert probe["ws"] == "default"
    assert probe["math"] == 4.5
    assert "locals-and-functions/user_data.tpl" in result.files
    sg = by_address(result)["aws_security_group.probe"].body
    assert sg["description"] == "web-007"
    assert sg["tags"] == {"Team": "platform", "Env": "prod", "Name": "web"}
    # merged keys keep the line where each was written
    path = "locals-and-functions/main.tf"
    assert sg["tags"].key_spans["Team"].line == line_of(path, 'Team = "platform"')
    assert sg["ingress"][0]["cidr_blocks"] == ["10.0.1.0/24"]


def test_dynamic_blocks() -> None:
    result = load("dynamic-blocks")
    resources = by_address(result)
    ingress = resources["aws_security_group.dyn"].body["ingress"]
    assert [(r["from_port"], r["cidr_blocks"]) for r in ingress] == [(22, ["0.0.0.0/0"]), (443, ["10.0.0.0/8"])]
    path = "dynamic-blocks/main.tf"
    assert ingress[0].key_spans["from_port"].line == line_of(path, "from_port   = rule.value.port")
    assert resources["aws_security_group.dyn"].body["egress"][0]["protocol"] == "-1"
    unknown = resources["aws_security_group.unknown_dyn"]
    assert len(unknown.body["ingress"]) == 1
    assert isinstance(unknown.body["ingress"][0]["from_port"], Unknown)
    assert unknown.body["ingress"][0]["protocol"] == "tcp"
    assert any("dynamic" in note and "unknown" in note for note in unknown.assumptions)


def test_local_module_inputs_outputs_and_addresses() -> None:
    result = load("local-module")
    assert result.errors == [] and result.notices == []
    resources = by_address(result)
    inner = resources["module.web.aws_instance.this"]
    assert inner.body["instance_type"] == "t3.large"
    assert inner.body["vpc_security_group_ids"] == [ResourceRef("aws_security_group.shared", "id")]
    assert inner.body["user_data"] == "#!/bin/sh\necho boot\n"
    assert inner.span.file == "local-module/modules/web/main.tf"
    assert resources['module.fleet["blue"].aws_instance.this'].body["instance_type"] == "t3.small"
    assert resources['module.fleet["green"].aws_instance.this'].body["instance_type"] == "t3.medium"
    eip = resources["aws_eip.web"].body
    assert eip["instance"] == ResourceRef("module.web.aws_instance.this", "id")
    assert eip["type"] == "t3.large"
    assert "local-module/modules/web/main.tf" in result.files


def test_downloaded_module_through_modules_json() -> None:
    result = load("registry-module-via-modules-json")
    resources = by_address(result)
    assert resources["module.vpc.aws_subnet.public[1]"].body["cidr_block"] == "10.0.1.0/24"
    assert resources["aws_instance.web"].body["subnet_id"] == ResourceRef("module.vpc.aws_subnet.public[0]", "id")
    assert result.notices == []


def test_module_not_downloaded_is_a_notice_and_unknown() -> None:
    result = load("module-not-downloaded")
    assert len(result.notices) == 1
    assert "module.vpc" in result.notices[0] and "modules.json" in result.notices[0]
    subnet = by_address(result)["aws_instance.web"].body["subnet_id"]
    assert isinstance(subnet, Unknown)


def test_iam_policy_document_is_evaluated_with_statement_lines() -> None:
    result = load("iam-policy-document")
    resources = by_address(result)
    policy = resources["aws_iam_role_policy.admin"].body["policy"]
    assert isinstance(policy, EncodedJson)
    doc = policy.decoded
    assert doc["Version"] == "2012-10-17"
    first, second = doc["Statement"]
    path = "iam-policy-document/main.tf"
    assert first["Sid"] == "Everything" and first["Action"] == ["*"] and first["Resource"] == ["*"]
    assert first.span.line == line_of(path, "statement {", 2)
    actions = line_of(path, "actions = [", 2)
    assert first.key_spans["Action"] == Span(path, actions, actions + 2)
    assert second["Condition"] == {"StringEquals": {"aws:SourceVpc": ["vpc-1"]}}
    assert isinstance(second["Resource"][0], Unknown)
    assert second["Resource"][0].refs == (ResourceRef("aws_s3_bucket.data", "arn"),)
    assert json.loads(policy)["Statement"][0]["Sid"] == "Everything"
    assume = resources["aws_iam_role.web"].body["assume_role_policy"].decoded
    assert assume["Statement"][0]["Principal"] == {"Service": ["ec2.amazonaws.com"]}
    assert assume["Statement"][0]["Effect"] == "Allow"
    ami = resources["aws_instance.web"].body["ami"]
    assert isinstance(ami, Unknown) and ami.refs == (ResourceRef("data.aws_ami.ubuntu", "id"),)


def test_unknowns_never_crash() -> None:
    result = load("unknown-values")
    body = by_address(result)["aws_security_group_rule.ssh"].body
    assert isinstance(body["cidr_blocks"][0], Unknown)
    assert isinstance(body["security_group_id"], Unknown)
    assert isinstance(body["description"], Unknown) and "allowed_cidr" in body["description"].reason
    assert isinstance(body["other"], Unknown) and "nosuchfunction" in body["other"].reason
    assert isinstance(body["missing"], Unknown)
    assert body["from_port"] == 22
    assert result.unknown_values == 5


def test_circular_locals_are_an_error_not_a_crash() -> None:
    result = load("circular-locals")
    body = by_address(result)["aws_instance.web"].body
    assert body["ami"] == "fine"
    assert isinstance(body["tags"]["Name"], Unknown)
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.file == "circular-locals/main.tf" and "cycle" in error.message
    assert all(name in error.message for name in ("a", "b", "c"))


def test_suppression_comments() -> None:
    result = load("suppression-comments")
    path = "suppression-comments/main.tf"
    found = {(s.address, s.rule_ids, s.span.line): s.reason for s in result.suppressions}
    assert found == {
        (
            "aws_instance.legacy",
            ("ec2-imdsv1", "ec2-public-ip"),
            line_of(path, "iacscan:ignore ec2-imdsv1"),
        ): "legacy host, replaced in Q3",
        ("aws_instance.legacy", ("ec2-admin-role",), line_of(path, "iacscan:ignore ec2-admin-role")): "",
        ("aws_instance.fleet", ("ec2-public-ip",), line_of(path, "associate_public_ip_address")): "",
    }
    # separated from the block by a blank line: not "immediately above", reported as having no effect
    orphan = line_of(path, "followed by a blank line")
    assert result.notices == [
        f"{path}:{orphan}: iacscan:ignore is not on or directly above a resource or module block; it has no effect"
    ]


def test_syntax_error_in_one_file_others_load() -> None:
    result = load("syntax-error-in-one-file")
    assert list(by_address(result)) == ["aws_instance.good"]
    assert len(result.errors) == 1
    assert result.errors[0].file == "syntax-error-in-one-file/broken.tf"
    assert result.errors[0].line > 0


def test_tf_json_syntax() -> None:
    result = load("tf-json-syntax")
    resources = by_address(result)
    path = "tf-json-syntax/main.tf.json"
    sg = resources["aws_security_group.web"]
    assert sg.body["name"] == "web-22"
    assert sg.body["ingress"][0]["from_port"] == 22
    assert sg.body["tags"] == {"Name": "web"}
    assert sg.span.line == line_of(path, '"web": {')
    instance = resources["aws_instance.web"].body
    assert instance["vpc_security_group_ids"] == [ResourceRef("aws_security_group.web", "id")]
    assert instance["metadata_options"][0]["http_tokens"] == "optional"
    assert instance["metadata_options"][0].key_spans["http_tokens"].line == line_of(path, '"http_tokens"')


def test_file_outside_root_is_refused() -> None:
    result = load("file-outside-root")
    body = by_address(result)["aws_instance.web"].body
    assert isinstance(body["user_data"], Unknown) and isinstance(body["other"], Unknown)
    path = "file-outside-root/main.tf"
    assert {(e.file, e.line) for e in result.errors} == {
        (path, line_of(path, "user_data")),
        (path, line_of(path, "other")),
    }


def test_symlink_out_of_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    (root / "link.txt").symlink_to(secret)
    (root / "main.tf").write_text('resource "aws_instance" "x" {\n  user_data = file("link.txt")\n}\n')
    result = load_terraform_module(root, ScanOptions(root=root))
    assert isinstance(result.resources[0].body["user_data"], Unknown)
    assert [(e.file, e.line) for e in result.errors] == [("main.tf", 2)]


def test_hostile_count_is_one_representative_instance() -> None:
    result = load("hostile-count")
    assert [r.address for r in result.resources] == ["aws_instance.many[*]"]
    assert result.errors == []
    assert result.notices == [
        "hostile-count/main.tf:2: aws_instance.many: count of 1000000 is more than --max-instances 10000; "
        "not expanded, analysed as one instance aws_instance.many[*] with count.index unknown"
    ]


def test_circular_module_calls_are_an_error() -> None:
    result = load("circular-modules")
    assert "module.a.aws_instance.inner" in by_address(result)
    assert any("circular" in e.message for e in result.errors)


def test_binary_and_oversized_files(tmp_path: Path) -> None:
    (tmp_path / "bin.tf").write_bytes(b"\x00\x01\x02resource")
    (tmp_path / "latin.tf").write_bytes('resource "a" "b" {\n  x = "caf\xe9"\n}\n'.encode("latin-1"))
    (tmp_path / "big.tf").write_text("# " + "x" * 5000 + "\n")
    (tmp_path / "ok.tf").write_text('resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    result = load_terraform_module(tmp_path, ScanOptions(root=tmp_path, max_file_bytes=4000))
    assert [r.address for r in result.resources] == ["aws_vpc.v"]
    messages = {e.file: e.message for e in result.errors}
    assert "binary" in messages["bin.tf"]
    assert "UTF-8" in messages["latin.tf"]
    assert "larger than" in messages["big.tf"]


@pytest.mark.parametrize("source", ["../outside", "/etc"])
def test_module_source_outside_root_is_skipped(tmp_path: Path, source: str) -> None:
    root = tmp_path / "repo"
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "main.tf").write_text('resource "aws_instance" "evil" {}\n')
    root.mkdir()
    (root / "main.tf").write_text(f'module "m" {{\n  source = "{source}"\n}}\n')
    result = load_terraform_module(root, ScanOptions(root=root))
    # nothing of the module is read: the call only stands for what it may create (not analysed)
    assert [(r.address, r.type) for r in result.resources] == [("module.m", "module")]
    assert len(result.notices) == 1 and "module.m" in result.notices[0]


def test_nested_modules_with_count() -> None:
    result = load("nested-modules-with-count")
    assert result.errors == [] and result.notices == []
    resources = by_address(result)
    assert sorted(a for a in resources if a.startswith("module.")) == [
        "module.app[0].aws_instance.this[0]",
        "module.app[0].aws_instance.this[1]",
        "module.app[0].module.inner.aws_security_group.sg",
        "module.app[1].aws_instance.this[0]",
        "module.app[1].aws_instance.this[1]",
        "module.app[1].module.inner.aws_security_group.sg",
    ]
    # inputs flow root -> app -> inner, outputs flow back up
    assert resources["module.app[1].aws_instance.this[0]"].body["tags"]["Name"] == "app-1-inner-0"
    assert resources["module.app[0].module.inner.aws_security_group.sg"].body["name"] == "app-0"
    assert (
        resources["module.app[0].aws_instance.this[0]"].body["tags"]["Path"] == "nested-modules-with-count/modules/app"
    )
    eip = resources["aws_eip.first"].body
    assert eip["instance"] == ResourceRef("module.app[0].aws_instance.this[1]", "id")
    assert eip["all"][1] == [
        ResourceRef("module.app[1].aws_instance.this[0]", "id"),
        ResourceRef("module.app[1].aws_instance.this[1]", "id"),
    ]


def test_nested_downloaded_module_key() -> None:
    resources = by_address(load("registry-module-via-modules-json"))
    # module "label" inside the downloaded vpc module resolves through the "vpc.label" entry
    assert resources["module.vpc.aws_internet_gateway.this"].body["tags"]["Name"] == "label-vpc"


def test_variable_types_optional_defaults_and_nullable() -> None:
    resources = by_address(load("variable-types"))
    web = resources['aws_instance.probe["web"]'].body["tags"]
    api = resources['aws_instance.probe["api"]'].body["tags"]
    assert web["port"] == 8080  # "8080" converted to number
    assert api["port"] == 443  # optional(number, 443)
    assert (web["create"], web["delete"]) == (None, "10m")  # nested optional object defaults
    assert (api["create"], api["delete"]) == ("5m", "10m")
    # nullable = false: an explicit null from the caller becomes the default
    template = resources["module.child.aws_launch_template.this"].body
    assert template["name_prefix"] == "lt-" and template["name"] is None


def test_hostile_nesting_ends_as_unknown(tmp_path: Path) -> None:
    """A reference chain too long to evaluate is Unknown; brackets nested past the parser's
    limit make their file an error at their line (the other files load)."""
    chain = "".join(f'  l{i} = "${{local.l{i - 1}}}y"\n' for i in range(1, 3000))
    (tmp_path / "main.tf").write_text(
        'locals {\n  l0 = "x"\n' + chain + "}\n"
        'resource "aws_instance" "x" {\n  a = local.l2999\n  b = local.deep\n  c = local.l100\n}\n'
    )
    (tmp_path / "deep.tf").write_text("locals {\n  deep = " + "[" * 5000 + "]" * 5000 + "\n}\n")
    result = load_terraform_module(tmp_path, ScanOptions(root=tmp_path))
    body = result.resources[0].body
    assert isinstance(body["a"], Unknown) and isinstance(body["b"], Unknown)
    assert body["c"] == "x" + "y" * 100
    assert [(e.file, e.line) for e in result.errors if "nested" in e.message] == [("deep.tf", 2)]


def test_provider_functions_are_not_evaluated(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_instance" "x" {\n  a = provider::aws::upper("x")\n}\n')
    body = load_terraform_module(tmp_path, ScanOptions(root=tmp_path)).resources[0].body
    assert isinstance(body["a"], Unknown) and "provider::aws::upper" in body["a"].reason


def test_module_with_unknown_count_keeps_base_prefix_and_assumption(tmp_path: Path) -> None:
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text('resource "aws_instance" "this" {\n  ami = "ami-1"\n}\n')
    (tmp_path / "main.tf").write_text('variable "n" {}\nmodule "m" {\n  source = "./mod"\n  count  = var.n\n}\n')
    result = load_terraform_module(tmp_path, ScanOptions(root=tmp_path))
    (resource,) = result.resources
    assert resource.address == "module.m.aws_instance.this"
    assert any("module.m" in note and "count is unknown" in note for note in resource.assumptions)


def _containers(value: object) -> list[object]:
    found: list[object] = []
    if isinstance(value, dict):
        found.append(value)
        for item in value.values():
            found.extend(_containers(item))
    elif isinstance(value, list):
        found.append(value)
        for item in value:
            found.extend(_containers(item))
    return found


@pytest.mark.parametrize(
    "fixture",
    [
        "basic-instance-lines",
        "count-and-for-each",
        "locals-and-functions",
        "dynamic-blocks",
        "local-module",
        "iam-policy-document",
        "tf-json-syntax",
        "nested-modules-with-count",
        "variable-types",
    ],
)
def test_every_container_carries_spans(fixture: str) -> None:
    for resource in load(fixture).resources:
        for container in _containers(resource.body):
            assert isinstance(container, (SpannedDict, SpannedList)), (resource.address, container)
            assert container.span is not None, (resource.address, container)
            if isinstance(container, SpannedDict):
                assert set(container.key_spans) == set(container), (resource.address, container)
            else:
                assert len(container.item_spans) == len(container), (resource.address, container)


def test_policy_document_source_and_override_documents() -> None:
    policy = by_address(load("iam-policy-document"))["aws_iam_policy.combined"].body["policy"]
    statements = policy.decoded["Statement"]
    assert [s["Sid"] for s in statements] == ["Everything", "ReadBucket", "Extra"]
    # the override replaced the statement with the same Sid, and keeps the lines it was written on
    assert statements[1]["Effect"] == "Deny"
    path = "iam-policy-document/main.tf"
    assert statements[1].span.line == line_of(path, 'Sid = "ReadBucket"')
    assert statements[0].span.line == line_of(path, "statement {", 2)
