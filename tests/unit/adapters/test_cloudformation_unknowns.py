"""CloudFormation model objects that may not exist, and unknowns with their origins, from the
fixtures under fixtures/unknowns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner.loaders.cloudformation.imports import load_templates
from scanner.model import AutoScalingGroup, ElasticIp, InstanceProfile, Policy, Role, SecurityGroup
from scanner.options import ScanOptions
from scanner.values import ResourceRef, Unknown
from tests.support.paths import REPO

UNKNOWNS = REPO / "fixtures" / "unknowns"


def load(behaviour: str, **parameters: str) -> dict[str, Any]:
    [configuration] = load_templates(
        [UNKNOWNS / behaviour / "template.yaml"], ScanOptions(root=UNKNOWNS, parameters=parameters)
    )
    assert configuration.errors == []
    return {resource.address: resource for resource in configuration.resources}


def line_in(behaviour: str, text: str) -> int:
    path: Path = UNKNOWNS / behaviour / "template.yaml"
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def test_conditional_ingress_item_is_that_rule_and_may_not_exist() -> None:
    group = load("condition-unknown-ssh-rule")["WebGroup"]
    assert isinstance(group, SecurityGroup) and group.existence is None
    https, ssh = group.rules
    assert https.existence is None
    assert (ssh.protocol, ssh.from_port, ssh.to_port, ssh.cidrs) == ("6", 22, 22, ("0.0.0.0/0",))
    assert ssh.address == "WebGroup.SecurityGroupIngress[1]"
    assert ssh.span.line == line_in("condition-unknown-ssh-rule", "- AllowSsh") + 1
    assert ssh.existence is not None and "AllowSsh" in ssh.existence.reason
    assert [(o.kind, o.name) for o in ssh.existence.origins] == [("condition", "AllowSsh"), ("parameter", "SshAccess")]
    assert ssh.existence.origins[1].span is not None
    assert ssh.existence.origins[1].span.line == line_in("condition-unknown-ssh-rule", "  SshAccess:")


def test_conditional_ingress_item_certain_with_parameter() -> None:
    opened = load("condition-unknown-ssh-rule", SshAccess="open")["WebGroup"]
    assert [(r.from_port, r.existence) for r in opened.rules] == [(443, None), (22, None)]
    closed = load("condition-unknown-ssh-rule", SshAccess="closed")["WebGroup"]
    assert [r.from_port for r in closed.rules] == [443]


def test_eip_with_unknown_condition_may_not_exist() -> None:
    eip = load("condition-unknown-eip")["WebAddress"]
    assert isinstance(eip, ElasticIp) and eip.instance == ResourceRef("Web", "Ref")
    assert eip.existence is not None
    origin = eip.existence.origins[0]
    assert (origin.kind, origin.name) == ("condition", "CreateEip")
    assert origin.span is not None and origin.span.line == line_in("condition-unknown-eip", "CreateEip: !Equals")
    assert load("condition-unknown-eip", PublicAddress="yes")["WebAddress"].existence is None


def test_asg_subnets_from_empty_default_are_unknown_not_absent() -> None:
    group = load("subnet-parameter-empty-default")["AppGroupOfInstances"]
    assert isinstance(group, AutoScalingGroup)
    [subnets] = group.subnets
    assert isinstance(subnets, Unknown)
    [origin] = subnets.origins
    assert (origin.kind, origin.name, origin.fill_in) == ("parameter", "AppSubnets", "--parameter AppSubnets=...")
    given = load("subnet-parameter-empty-default", AppSubnets="subnet-0a")["AppGroupOfInstances"]
    assert given.subnets == ("subnet-0a",)


def test_role_name_and_profile_role_are_the_same_unknown() -> None:
    resources = load("same-unknown-role-name")
    role, profile = resources["AdminRole"], resources["AdminProfile"]
    assert isinstance(role, Role) and isinstance(profile, InstanceProfile)
    [listed] = profile.roles
    assert isinstance(role.name, Unknown) and listed == role.name
    assert [(o.kind, o.name) for o in role.name.origins] == [("parameter", "RoleName")]


def test_attribute_read_as_a_literal_names_the_attribute(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'
        "  Web:\n    Type: AWS::EC2::Instance\n    Properties: {ImageId: ami-1}\n"
        "  Group:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: g\n"
        "      SecurityGroupIngress:\n"
        "        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !GetAtt Web.PublicIp}\n"
    )
    [configuration] = load_templates([tmp_path / "t.yaml"], ScanOptions(root=tmp_path))
    group = next(r for r in configuration.resources if isinstance(r, SecurityGroup))
    [cidr] = group.rules[0].cidrs
    assert isinstance(cidr, Unknown)
    assert [(o.kind, o.name) for o in cidr.origins] == [("attribute", "Web.PublicIp")]


def test_conditional_policy_statement_may_not_exist(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  Admin: {Type: String}\n'
        "Conditions:\n  IsAdmin: !Equals [!Ref Admin, 'yes']\nResources:\n"
        "  Policy:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
        "        Version: '2012-10-17'\n        Statement:\n"
        "          - {Effect: Allow, Action: 's3:GetObject', Resource: '*'}\n"
        "          - !If [IsAdmin, {Effect: Allow, Action: '*', Resource: '*'}, !Ref AWS::NoValue]\n"
    )
    [configuration] = load_templates([tmp_path / "t.yaml"], ScanOptions(root=tmp_path))
    [policy] = configuration.resources
    assert isinstance(policy, Policy)
    read, admin = policy.statements
    assert read.existence is None and admin.actions == ("*",)
    assert admin.existence is not None
    assert [(o.kind, o.name) for o in admin.existence.origins] == [("condition", "IsAdmin"), ("parameter", "Admin")]
    assert any("statement 1 may not be in the document" in a for a in policy.assumptions)
