"""CloudFormation loader: decoding, parameters, conditions, intrinsics, nested stacks, imports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scanner.adapters.raw import RawResource
from scanner.loaders.cloudformation.configuration import load_configuration
from scanner.loaders.cloudformation.decode import TemplateCache
from scanner.loaders.cloudformation.imports import load_templates
from scanner.loaders.cloudformation.sniff import is_cloudformation_template
from scanner.model import Instance, SecurityGroup, Subnet, Vpc
from scanner.options import ScanOptions
from scanner.values import EncodedJson, ResourceRef, Span, SpannedDict, Unknown
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures" / "cloudformation"


def line_of(relative: str, text: str, nth: int = 1) -> int:
    """1-based line of the nth line of ``relative`` containing ``text``."""
    seen = 0
    for number, line in enumerate((FIXTURES / relative).read_text().splitlines(), start=1):
        if text in line:
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(f"{text!r} not in {relative}")


def options(**parameters: str) -> ScanOptions:
    return ScanOptions(root=FIXTURES, parameters=parameters)


def raws(relative: str, **parameters: str) -> dict[str, RawResource]:
    opts = options(**parameters)
    cache = TemplateCache(opts)
    state = load_configuration(relative, "cloudformation", [cache(FIXTURES / relative)], opts, cache, {})
    assert not state.errors, state.errors
    return {raw.address: raw for raw in state.raws}


def by_address(relative: str, **parameters: str) -> dict[str, Any]:
    [configuration] = load_templates([FIXTURES / relative], options(**parameters))
    return {resource.address: resource for resource in configuration.resources}


# --- discovery and decoding ----------------------------------------------------------------------


def test_template_detected_by_content_not_extension(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("Resources:\n  X:\n    Type: AWS::EC2::VPC\n")
    (tmp_path / "b.json").write_text('{"Resources": {"X": {"Type": "AWS::S3::Bucket"}}}')
    (tmp_path / "c.template").write_text('AWSTemplateFormatVersion: "2010-09-09"\n')
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
    (tmp_path / "k8s.yml").write_text("Resources:\n  X:\n    Type: Custom::Thing\n")
    (tmp_path / "main.tf").write_text('# AWSTemplateFormatVersion\nresource "aws_vpc" "x" {}\n')
    (tmp_path / "binary.json").write_bytes(b"\x00\x01AWSTemplateFormatVersion\xff\xfe")
    found = {p.name for p in tmp_path.iterdir() if is_cloudformation_template(p)}
    assert found == {"a.yaml", "b.json", "c.template"}
    assert not is_cloudformation_template(tmp_path / "missing.yaml")


def test_decode_error_reported_with_line_and_other_templates_still_load() -> None:
    broken = FIXTURES / "decode-error-reported-others-load" / "broken.yaml"
    good = FIXTURES / "decode-error-reported-others-load" / "good.json"
    configurations = load_templates([broken, good], options())
    by_name = {c.name: c for c in configurations}
    bad = by_name["decode-error-reported-others-load/broken.yaml"]
    assert bad.resources == []
    [error] = bad.errors
    assert error.file == "decode-error-reported-others-load/broken.yaml"
    assert error.line == line_of("decode-error-reported-others-load/broken.yaml", "SubnetId")
    ok = by_name["decode-error-reported-others-load/good.json"]
    assert ok.errors == []
    [vpc] = ok.resources
    assert isinstance(vpc, Vpc) and vpc.cidr_blocks == ("10.0.0.0/16",)
    # JSON spans: the resource from its key to its closing brace, the property on its line
    assert vpc.span == Span("decode-error-reported-others-load/good.json", 4, 9)
    assert vpc.span_of("cidr_blocks").line == line_of("decode-error-reported-others-load/good.json", "CidrBlock")


def test_file_over_size_limit_is_an_error(tmp_path: Path) -> None:
    template = tmp_path / "big.yaml"
    template.write_text("Resources:\n  X:\n    Type: AWS::EC2::VPC\n" + "# padding\n" * 100)
    [configuration] = load_templates([template], ScanOptions(root=tmp_path, max_file_bytes=100))
    assert configuration.resources == []
    assert "limit" in configuration.errors[0].message


def test_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for level in range(1, 9):
        previous = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 10)}]")
    lines.append("Resources:\n  X:\n    Type: AWS::EC2::VPC\n    Properties:\n      Tags: *i")
    template = tmp_path / "bomb.yaml"
    template.write_text("\n".join(lines) + "\n")
    [configuration] = load_templates([template], ScanOptions(root=tmp_path))
    assert configuration.resources == []
    assert configuration.errors and "alias" in configuration.errors[0].message


def test_thousands_of_nested_fn_if_do_not_crash(tmp_path: Path) -> None:
    value = '"10.0.0.0/16"'
    for _ in range(3000):
        value = '{"Fn::If": ["Yes", ' + value + ', "10.9.0.0/16"]}'
    text = (
        '{"Conditions": {"Yes": {"Fn::Equals": ["a", "a"]}}, "Resources": {'
        '"Deep": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": ' + value + "}},"
        '"Flat": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.1.0.0/16"}}}}'
    )
    template = tmp_path / "deep.json"
    template.write_text(text)
    [configuration] = load_templates([template], ScanOptions(root=tmp_path))
    assert configuration.errors, "a value nested thousands deep must be reported"
    # Whichever stage refuses it, the scan goes on with a clear error and never raises.
    assert all(error.file == "deep.json" for error in configuration.errors)


def test_nesting_over_the_depth_limit_is_a_load_error_and_other_resources_load(tmp_path: Path) -> None:
    value = "[" * 120 + '"10.0.0.0/16"' + "]" * 120  # decodes, but is deeper than the loader evaluates
    text = (
        '{"Conditions": {"Yes": {"Fn::Equals": ["a", "a"]}}, "Resources": {\n'
        '"Deep": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": ' + value + "}},\n"
        '"Flat": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.1.0.0/16"}}}}\n'
    )
    template = tmp_path / "deep.json"
    template.write_text(text)
    [configuration] = load_templates([template], ScanOptions(root=tmp_path))
    assert [r.address for r in configuration.resources] == ["Flat"]
    [error] = configuration.errors
    assert error.line == 2 and "Deep" in error.message


# --- parameters ------------------------------------------------------------------------------------


def test_parameters_take_defaults() -> None:
    resources = raws("parameters-defaults-and-overrides/template.yaml")
    web = resources["Web"].body
    assert web["ImageId"] == "ami-0123456789abcdef0"
    assert web["SecurityGroupIds"] == ["sg-0aaa", "sg-0bbb"]
    subnet = web["SubnetId"]
    assert isinstance(subnet, Unknown) and subnet.reason == "parameter AppSubnet has no value"
    [origin] = subnet.origins
    assert (origin.kind, origin.name, origin.fill_in) == ("parameter", "AppSubnet", "--parameter AppSubnet=...")
    assert origin.span is not None
    assert origin.span.line == line_of("parameters-defaults-and-overrides/template.yaml", "  AppSubnet:")
    ssm = resources["FromSsm"].body["ImageId"]
    assert isinstance(ssm, Unknown) and "/aws/service/ami-amazon-linux-latest" in ssm.reason
    rule = resources["AdminGroup"].body["SecurityGroupIngress"][0]
    assert rule["CidrIp"] == "10.0.0.0/8"


def test_parameters_overridden_by_options() -> None:
    resources = raws(
        "parameters-defaults-and-overrides/template.yaml",
        AppSubnet="subnet-0given",
        AdminCidr="0.0.0.0/0",
        AppGroups="sg-1, sg-2, sg-3",
    )
    web = resources["Web"].body
    assert web["SubnetId"] == "subnet-0given"
    assert web["SecurityGroupIds"] == ["sg-1", "sg-2", "sg-3"]
    assert resources["AdminGroup"].body["SecurityGroupIngress"][0]["CidrIp"] == "0.0.0.0/0"
    instance = by_address("parameters-defaults-and-overrides/template.yaml", AppSubnet="subnet-0given")["Web"]
    assert isinstance(instance, Instance) and instance.subnet == "subnet-0given"
    assert instance.span_of("subnet").line == line_of(
        "parameters-defaults-and-overrides/template.yaml", "SubnetId: !Ref AppSubnet"
    )


def test_unknown_values_are_counted() -> None:
    [configuration] = load_templates([FIXTURES / "parameters-defaults-and-overrides/template.yaml"], options())
    assert configuration.unknown_values == 2  # AppSubnet without a value, LatestAmi from SSM
    [given] = load_templates(
        [FIXTURES / "parameters-defaults-and-overrides/template.yaml"], options(AppSubnet="subnet-0x")
    )
    assert given.unknown_values == 1


# --- conditions ------------------------------------------------------------------------------------


def test_false_condition_resources_are_absent() -> None:
    resources = by_address("conditions-false-resource-absent/template.yaml")
    assert "ProdOnly" not in resources and "Never" not in resources
    assert {"DevOnly", "Always", "MaybeAlice"} <= resources.keys()
    assert resources["DevOnly"].assumptions == ()
    [assumption] = resources["MaybeAlice"].assumptions
    assert "DevAndAlice" in assumption and "Owner" in assumption


def test_condition_follows_parameter_override() -> None:
    resources = by_address("conditions-false-resource-absent/template.yaml", Env="prod", Owner="bob")
    assert "ProdOnly" in resources and "DevOnly" not in resources and "MaybeAlice" not in resources


def test_fn_if_and_no_value() -> None:
    subnet = by_address("conditions-false-resource-absent/template.yaml")["Switched"]
    assert isinstance(subnet, Subnet)
    assert subnet.cidr == "10.3.2.0/24"
    assert subnet.map_public_ip_on_launch is None  # AWS::NoValue removed the key
    assert isinstance(subnet.ipv6_cidr, Unknown) and "OwnerIsAlice" in subnet.ipv6_cidr.reason
    prod = by_address("conditions-false-resource-absent/template.yaml", Env="prod", Owner="alice")["Switched"]
    assert prod.cidr == "10.3.1.0/24" and prod.map_public_ip_on_launch is True
    assert prod.ipv6_cidr == "2001:db8::/64"


def test_no_value_removes_a_list_item_and_keeps_item_lines() -> None:
    relative = "conditions-false-resource-absent/template.yaml"
    group = by_address(relative)["Listy"]
    assert isinstance(group, SecurityGroup)
    [rule] = group.rules
    assert rule.from_port == 22
    assert rule.span.line == line_of(relative, "- IpProtocol: tcp", nth=2)  # the first is inside the !If
    prod = by_address(relative, Env="prod")["Listy"]
    assert [r.from_port for r in prod.rules] == [443, 22]


# --- intrinsics --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def probe() -> SpannedDict:
    return raws("intrinsics/template.yaml")["Probe"].body


def test_ref_and_get_att(probe: SpannedDict) -> None:
    assert probe["RefResource"] == ResourceRef("Vpc", "Ref")
    assert probe["RefParameter"] == "app"
    assert probe["RefPartition"] == "aws"
    region = probe["RefRegion"]
    assert isinstance(region, Unknown) and region.reason == "AWS::Region is only known at deploy time"
    assert [(o.kind, o.name, o.fill_in) for o in region.origins] == [
        ("parameter", "AWS::Region", "--parameter AWS::Region=...")
    ]
    assert probe["GetAttShort"] == "10.0.0.0/16"  # CidrBlock echoes the VPC's property (attributes)
    assert probe["GetAttList"] == ResourceRef("Vpc", "DefaultSecurityGroup")


def test_pseudo_parameter_given_as_parameter() -> None:
    body = raws("intrinsics/template.yaml", **{"AWS::Region": "eu-west-1"})["Probe"].body
    assert body["RefRegion"] == "eu-west-1"
    assert body["FindInMapUnknownKey"] == "ami-0west"


def test_sub(probe: SpannedDict) -> None:
    assert probe["SubPlain"] == "app-web"
    assert probe["SubWhole"] == ResourceRef("Vpc", "Ref")
    assert probe["SubWholeAttr"] == "10.0.0.0/16"
    assert probe["SubWholeOtherAttr"] == ResourceRef("Vpc", "DefaultNetworkAcl")
    embedded = probe["SubEmbeddedRef"]
    assert isinstance(embedded, Unknown) and embedded.refs == (ResourceRef("Vpc", "Ref"),)
    assert probe["SubVariables"] == "b-app"
    assert probe["SubEscaped"] == "${Literal}-aws"
    assert probe["SubPseudoInText"] == "arn:aws:iam::${AWS::AccountId}:role/x"
    unset = probe["SubUnsetParameter"]
    assert isinstance(unset, Unknown) and "Unset" in unset.reason


def test_join_select_split_find_in_map(probe: SpannedDict) -> None:
    assert probe["Join"] == "app-x-amazonaws.com"
    assert isinstance(probe["JoinWithRef"], Unknown) and probe["JoinWithRef"].refs == (ResourceRef("Vpc", "Ref"),)
    assert probe["Select"] == "c"
    assert isinstance(probe["SelectOutOfRange"], Unknown)
    assert probe["Split"] == ["one", "two", "three"]
    assert probe["FindInMap"] == "ami-0west"
    assert probe["FindInMapDefault"] == "ami-0default"
    assert isinstance(probe["FindInMapUnknownKey"], Unknown)


def test_get_azs_base64_cidr_length_json(probe: SpannedDict) -> None:
    assert isinstance(probe["GetAZs"], Unknown)
    assert isinstance(probe["SelectAZ"], Unknown) and "availability zones" in probe["SelectAZ"].reason
    assert probe["Base64"] == "#!/bin/bash\necho hello\n"
    assert probe["Cidr"] == ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]
    assert probe["Length"] == 4
    encoded = probe["ToJsonString"]
    assert isinstance(encoded, EncodedJson) and encoded == '{"Key":"value","List":[1,2]}'
    assert isinstance(probe["ImportValue"], Unknown) and "nobody-exports-this" in probe["ImportValue"].reason
    assert isinstance(probe["Transform"], Unknown)


def test_property_spans_are_one_based_and_cover_multiline_values(probe: SpannedDict) -> None:
    relative = "intrinsics/template.yaml"
    assert probe.key_spans["Join"].line == line_of(relative, "Join: !Join")
    base64 = probe.key_spans["Base64"]
    assert (base64.line, base64.end_line) == (line_of(relative, "Base64: !Base64"), line_of(relative, "echo hello"))
    sub = probe.key_spans["SubVariables"]
    assert (sub.line, sub.end_line) == (line_of(relative, "SubVariables:"), line_of(relative, "- Name: !Select"))


# --- nested stacks ------------------------------------------------------------------------------------


def test_nested_stack_output_passes_subnet_to_child_instance() -> None:
    folder = FIXTURES / "nested-stack-passes-subnet"
    paths = sorted(folder.glob("*.yaml"))
    configurations = load_templates(paths, options())
    [configuration] = configurations  # the children are not configurations of their own
    assert configuration.name == "nested-stack-passes-subnet/parent.yaml"
    assert set(configuration.files) == {
        f"nested-stack-passes-subnet/{n}" for n in ("parent.yaml", "network.yaml", "app.yaml")
    }
    resources = {r.address: r for r in configuration.resources}
    assert {"Network.Vpc", "Network.PublicSubnet", "App.Web", "App.WebGroup"} <= resources.keys()
    web = resources["App.Web"]
    assert isinstance(web, Instance)
    assert web.subnet == ResourceRef("Network.PublicSubnet", "Ref")
    assert web.security_groups == (ResourceRef("App.WebGroup", "GroupId"),)
    assert web.span.file == "nested-stack-passes-subnet/app.yaml"
    assert web.span_of("subnet").line == line_of("nested-stack-passes-subnet/app.yaml", "SubnetId: !Ref SubnetId")
    group = resources["App.WebGroup"]
    assert isinstance(group, SecurityGroup) and group.vpc == ResourceRef("Network.Vpc", "Ref")
    subnet = resources["Network.PublicSubnet"]
    assert isinstance(subnet, Subnet) and subnet.cidr == "10.20.0.0/24"  # the parent's VpcCidr parameter
    assert any("Remote" in notice for notice in configuration.notices)


def test_nested_stack_alone_is_its_own_configuration() -> None:
    [configuration] = load_templates([FIXTURES / "nested-stack-passes-subnet/app.yaml"], options())
    web = {r.address: r for r in configuration.resources}["Web"]
    assert isinstance(web, Instance) and isinstance(web.subnet, Unknown)
    assert web.subnet.reason == "parameter SubnetId has no value"
    assert [(o.kind, o.name) for o in web.subnet.origins] == [("parameter", "SubnetId")]


def test_nested_stack_outside_root_is_refused(tmp_path: Path) -> None:
    inner = tmp_path / "inner"
    inner.mkdir()
    (tmp_path / "outside.yaml").write_text("Resources:\n  V:\n    Type: AWS::EC2::VPC\n")
    (inner / "parent.yaml").write_text(
        "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n"
        "      TemplateURL: ../outside.yaml\n"
    )
    [configuration] = load_templates([inner / "parent.yaml"], ScanOptions(root=inner))
    assert configuration.resources == []
    [error] = configuration.errors
    assert error.line == 2 and "outside the scanned root" in error.message


def test_nested_stack_cycle_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "Resources:\n  B:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: b.yaml\n"
    )
    (tmp_path / "b.yaml").write_text(
        "Resources:\n  A:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: a.yaml\n"
        "  V:\n    Type: AWS::EC2::VPC\n"
    )
    configurations = load_templates([tmp_path / "a.yaml", tmp_path / "b.yaml"], ScanOptions(root=tmp_path))
    assert configurations, "a nesting cycle still yields a configuration"
    assert any("nests itself" in e.message for c in configurations for e in c.errors)


# --- imports --------------------------------------------------------------------------------------------


def test_import_value_across_two_templates() -> None:
    folder = FIXTURES / "import-value-across-templates"
    configurations = load_templates([folder / "app.yaml", folder / "network.yaml"], options())
    # importing a resource (the VPC) joins the two templates into one configuration
    [both] = configurations
    shown = "import-value-across-templates"
    assert both.name == f"{shown}/app.yaml + {shown}/network.yaml"
    group = next(r for r in both.resources if isinstance(r, SecurityGroup))
    ssh, rdp = group.rules
    assert ssh.cidrs == ("203.0.113.0/24",)
    [missing] = rdp.cidrs
    assert isinstance(missing, Unknown) and "not-exported-anywhere" in missing.reason
    assert group.vpc == ResourceRef("Vpc", "Ref")  # an edge into the exporting template


def test_import_value_of_colliding_logical_ids_keeps_templates_apart(tmp_path: Path) -> None:
    folder = FIXTURES / "import-value-across-templates"
    for name in ("app.yaml", "network.yaml"):
        (tmp_path / name).write_text((folder / name).read_text(encoding="utf-8"), encoding="utf-8")
    app = tmp_path / "app.yaml"
    app.write_text(app.read_text(encoding="utf-8").replace("AdminGroup:", "Vpc:"), encoding="utf-8")
    configurations = load_templates([app, tmp_path / "network.yaml"], ScanOptions(root=tmp_path))
    assert len(configurations) == 2
    loaded = next(c for c in configurations if c.name == "app.yaml")
    group = next(r for r in loaded.resources if isinstance(r, SecurityGroup))
    assert isinstance(group.vpc, Unknown) and "network.yaml" in group.vpc.reason
    assert any("logical ids collide" in n for n in loaded.notices)


def test_import_value_without_exporter_is_unknown() -> None:
    [app] = load_templates([FIXTURES / "import-value-across-templates/app.yaml"], options())
    [group] = app.resources
    assert isinstance(group, SecurityGroup)
    assert all(isinstance(rule.cidrs[0], Unknown) for rule in group.rules)


# --- suppressions -----------------------------------------------------------------------------------------


def test_suppression_metadata() -> None:
    relative = "suppression-metadata/template.yaml"
    [configuration] = load_templates([FIXTURES / relative], options())
    first, second = configuration.suppressions
    assert first.rule_ids == ("ec2-public-ip",)
    assert first.address == "Bastion"
    assert first.reason == "bastion host is meant to be public"
    assert (first.span.line, first.span.end_line) == (
        line_of(relative, "- id: ec2-public-ip"),
        line_of(relative, "reason: bastion"),
    )
    assert second.rule_ids == ("ec2-remote-access", "ec2-open-security-group")
    assert second.reason == ""
    assert second.span.line == line_of(relative, "- id: [ec2-remote-access")
