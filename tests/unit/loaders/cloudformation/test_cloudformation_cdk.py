"""CDK cloud assemblies: every stack of the app in one configuration, construct-path addresses."""

from __future__ import annotations

import json
from pathlib import Path

from scanner.loaders.cloudformation.cdk import load_cdk_out
from scanner.model import Instance, SecurityGroup, Subnet
from scanner.options import ScanOptions
from scanner.values import ResourceRef
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures" / "cloudformation"
CDK_OUT = FIXTURES / "cdk-two-stacks" / "cdk.out"


def line_of(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def test_two_stacks_load_as_one_configuration_with_construct_paths() -> None:
    [configuration] = load_cdk_out(CDK_OUT, ScanOptions(root=FIXTURES))
    assert configuration.kind == "cdk" and configuration.name == "cdk-two-stacks/cdk.out"
    assert configuration.errors == []
    assert configuration.files == [
        "cdk-two-stacks/cdk.out/manifest.json",
        "cdk-two-stacks/cdk.out/NetworkStack.template.json",
        "cdk-two-stacks/cdk.out/AppStack.template.json",
    ]
    resources = {r.address: r for r in configuration.resources}
    assert set(resources) == {
        "NetworkStack/Vpc",
        "NetworkStack/Vpc/PublicSubnet1/Subnet",
        "AppStack/WebServer/InstanceSecurityGroup",
        "AppStack/WebServer",
    }
    web = resources["AppStack/WebServer"]
    assert isinstance(web, Instance)
    # the cross-stack import stays an edge inside the app
    assert web.subnet == ResourceRef("NetworkStack/Vpc/PublicSubnet1/Subnet", "Ref")
    assert web.security_groups == (ResourceRef("AppStack/WebServer/InstanceSecurityGroup", "GroupId"),)
    template = CDK_OUT / "AppStack.template.json"
    assert web.span.file == "cdk-two-stacks/cdk.out/AppStack.template.json"
    assert web.span.line == line_of(template, '"WebServer1A2B3C4D"')
    assert web.span_of("subnet").line == line_of(template, '"SubnetId"')
    group = resources["AppStack/WebServer/InstanceSecurityGroup"]
    assert isinstance(group, SecurityGroup) and group.vpc == ResourceRef("NetworkStack/Vpc", "Ref")
    assert group.rules[0].address == "AppStack/WebServer/InstanceSecurityGroup.SecurityGroupIngress[0]"
    subnet = resources["NetworkStack/Vpc/PublicSubnet1/Subnet"]
    assert isinstance(subnet, Subnet) and subnet.vpc == ResourceRef("NetworkStack/Vpc", "Ref")
    [notice] = configuration.notices
    assert "AppStack/WebServer = WebServer1A2B3C4D" in notice


def test_missing_or_broken_manifest_is_an_error(tmp_path: Path) -> None:
    [empty] = load_cdk_out(tmp_path, ScanOptions(root=tmp_path))
    assert empty.resources == [] and "manifest.json" in empty.errors[0].message
    (tmp_path / "manifest.json").write_text('{\n  "artifacts": {\n')
    [broken] = load_cdk_out(tmp_path, ScanOptions(root=tmp_path))
    assert broken.errors[0].file == "manifest.json" and broken.errors[0].line == 3


def test_nested_cloud_assembly_is_followed(tmp_path: Path) -> None:
    stage = tmp_path / "assembly-Prod"
    stage.mkdir()
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {"artifacts": {"Prod": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Prod"}}}}
        )
    )
    (stage / "manifest.json").write_text(
        json.dumps(
            {
                "artifacts": {
                    "ProdApp": {
                        "type": "aws:cloudformation:stack",
                        "properties": {"templateFile": "ProdApp.template.json"},
                    }
                }
            }
        )
    )
    (stage / "ProdApp.template.json").write_text(
        json.dumps(
            {
                "Resources": {
                    "VpcABC": {
                        "Type": "AWS::EC2::VPC",
                        "Properties": {"CidrBlock": "10.0.0.0/16"},
                        "Metadata": {"aws:cdk:path": "Prod/ProdApp/Vpc/Resource"},
                    }
                }
            },
            indent=1,
        )
    )
    [configuration] = load_cdk_out(tmp_path, ScanOptions(root=tmp_path))
    assert [r.address for r in configuration.resources] == ["Prod/ProdApp/Vpc"]
