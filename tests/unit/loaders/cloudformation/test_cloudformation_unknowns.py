"""CloudFormation unknowns: the origins that decide them, branches of Fn::If and Fn::FindInMap
on something not known offline, AWS-specific parameters with an empty default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner.adapters.raw import RawResource
from scanner.loaders.cloudformation.configuration import load_configuration
from scanner.loaders.cloudformation.decode import TemplateCache
from scanner.options import ScanOptions
from scanner.values import Origin, SpannedList, Unknown, existence_of
from tests.support.paths import REPO

UNKNOWNS = REPO / "fixtures" / "unknowns"


def line_in(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def load(root: Path, relative: str, **parameters: str) -> dict[str, RawResource]:
    opts = ScanOptions(root=root, parameters=parameters)
    cache = TemplateCache(opts)
    state = load_configuration(relative, "cloudformation", [cache(root / relative)], opts, cache, {})
    assert not state.errors, state.errors
    return {raw.address: raw for raw in state.raws}


def fixture(behaviour: str, **parameters: str) -> dict[str, RawResource]:
    return load(UNKNOWNS, f"{behaviour}/template.yaml", **parameters)


def template(tmp_path: Path, text: str, **parameters: str) -> dict[str, RawResource]:
    (tmp_path / "t.yaml").write_text('AWSTemplateFormatVersion: "2010-09-09"\n' + text)
    return load(tmp_path, "t.yaml", **parameters)


def kinds_and_names(value: Any) -> list[tuple[str, str]]:
    assert isinstance(value, Unknown), value
    return [(origin.kind, origin.name) for origin in value.origins]


# --- origins -------------------------------------------------------------------------------------


def test_unknown_condition_item_may_not_exist_and_names_condition_and_parameter() -> None:
    path = UNKNOWNS / "condition-unknown-ssh-rule/template.yaml"
    rules = fixture("condition-unknown-ssh-rule")["WebGroup"].body["SecurityGroupIngress"]
    assert isinstance(rules, SpannedList)
    assert [rule["FromPort"] for rule in rules] == [443, 22]
    assert rules[1] == {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}
    assert existence_of(rules, 0) is None
    existence = existence_of(rules, 1)
    assert existence is not None and "AllowSsh" in existence.reason
    condition, parameter = existence.origins
    assert (condition.kind, condition.name) == ("condition", "AllowSsh")
    assert condition.span is not None and condition.span.line == line_in(path, "AllowSsh: !Equals")
    assert (parameter.kind, parameter.name, parameter.fill_in) == (
        "parameter",
        "SshAccess",
        "--parameter SshAccess=...",
    )
    assert parameter.span is not None and parameter.span.line == line_in(path, "  SshAccess:")
    item_span = rules.item_spans[1]
    assert item_span is not None and item_span.line == line_in(path, "- AllowSsh") + 1  # the rule, not the !If


def test_given_parameter_settles_the_conditional_item() -> None:
    opened = fixture("condition-unknown-ssh-rule", SshAccess="open")["WebGroup"].body["SecurityGroupIngress"]
    assert [rule["FromPort"] for rule in opened] == [443, 22] and not opened.item_existence
    closed = fixture("condition-unknown-ssh-rule", SshAccess="closed")["WebGroup"].body["SecurityGroupIngress"]
    assert [rule["FromPort"] for rule in closed] == [443] and not closed.item_existence


def test_resource_with_unknown_condition_has_existence() -> None:
    path = UNKNOWNS / "condition-unknown-eip/template.yaml"
    eip = fixture("condition-unknown-eip")["WebAddress"]
    assert eip.existence is not None and "CreateEip" in eip.existence.reason
    assert kinds_and_names(eip.existence) == [("condition", "CreateEip"), ("parameter", "PublicAddress")]
    assert eip.existence.origins[0].span is not None
    assert eip.existence.origins[0].span.line == line_in(path, "CreateEip: !Equals")
    assert eip.assumptions  # the assumption stays for the reports that read it
    assert fixture("condition-unknown-eip")["Web"].existence is None
    assert fixture("condition-unknown-eip", PublicAddress="yes")["WebAddress"].existence is None
    assert "WebAddress" not in fixture("condition-unknown-eip", PublicAddress="no")


def test_empty_default_of_aws_specific_parameter_is_unknown() -> None:
    path = UNKNOWNS / "subnet-parameter-empty-default/template.yaml"
    subnets = fixture("subnet-parameter-empty-default")["AppGroupOfInstances"].body["VPCZoneIdentifier"]
    assert isinstance(subnets, Unknown) and "AppSubnets" in subnets.reason
    [origin] = subnets.origins
    assert (origin.kind, origin.name, origin.fill_in) == ("parameter", "AppSubnets", "--parameter AppSubnets=...")
    assert origin.span is not None and origin.span.line == line_in(path, "  AppSubnets:")
    given = fixture("subnet-parameter-empty-default", AppSubnets="subnet-0a,subnet-0b")["AppGroupOfInstances"]
    assert given.body["VPCZoneIdentifier"] == ["subnet-0a", "subnet-0b"]


def test_empty_default_of_other_id_types_is_unknown_and_of_string_is_empty(tmp_path: Path) -> None:
    body = template(
        tmp_path,
        "Parameters:\n"
        "  Group: {Type: 'AWS::EC2::SecurityGroup::Id', Default: ''}\n"
        "  Groups: {Type: 'List<AWS::EC2::SecurityGroup::Id>', Default: ''}\n"
        "  Network: {Type: 'AWS::EC2::VPC::Id', Default: ''}\n"
        "  Subnet: {Type: 'AWS::EC2::Subnet::Id'}\n"
        "  Plain: {Type: String, Default: ''}\n"
        "Resources:\n  X:\n    Type: AWS::EC2::Instance\n    Properties:\n"
        "      A: !Ref Group\n      B: !Ref Groups\n      C: !Ref Network\n      D: !Ref Subnet\n"
        "      E: !Ref Plain\n",
    )["X"].body
    for key, name in (("A", "Group"), ("B", "Groups"), ("C", "Network"), ("D", "Subnet")):
        assert kinds_and_names(body[key]) == [("parameter", name)]
    assert body["E"] == ""


def test_propagation_through_sub_join_select_split(tmp_path: Path) -> None:
    body = template(
        tmp_path,
        "Parameters:\n  Env: {Type: String}\n  Cidrs: {Type: CommaDelimitedList}\n"
        "Resources:\n  X:\n    Type: AWS::EC2::Instance\n    Properties:\n"
        "      Sub: !Sub 'app-${Env}'\n"
        "      Join: !Join ['-', [app, !Ref Env]]\n"
        "      Select: !Select [0, !Ref Cidrs]\n"
        "      Split: !Split [',', !Ref Env]\n"
        "      Attr: !Sub '${Other.PrivateIp}/32'\n"
        "      Region: !Join [':', [a, !Ref 'AWS::Region']]\n"
        "  Other:\n    Type: AWS::EC2::Instance\n    Properties: {ImageId: ami-1}\n",
    )["X"].body
    for key in ("Sub", "Join", "Split"):
        assert kinds_and_names(body[key]) == [("parameter", "Env")], key
    assert kinds_and_names(body["Select"]) == [("parameter", "Cidrs")]
    assert kinds_and_names(body["Attr"]) == [("attribute", "Other.PrivateIp")]
    assert body["Region"] == "a:${AWS::Region}"  # a pseudo parameter inside a text stays its placeholder


def test_import_and_dynamic_reference_origins(tmp_path: Path) -> None:
    body = template(
        tmp_path,
        "Resources:\n  X:\n    Type: AWS::EC2::Instance\n    Properties:\n"
        "      SubnetId: !ImportValue network-subnet\n"
        "      ImageId: '{{resolve:ssm:/golden/ami}}'\n"
        "      UserData: 'echo {{resolve:ssm:/x}}'\n",
    )["X"].body
    assert kinds_and_names(body["SubnetId"]) == [("import", "network-subnet")]
    assert kinds_and_names(body["ImageId"]) == [("parameter", "{{resolve:ssm:/golden/ami}}")]
    assert body["ImageId"].origins[0].span is not None and body["ImageId"].origins[0].span.line == 7
    assert body["UserData"] == "echo {{resolve:ssm:/x}}"  # part of a longer text: kept as text


# --- Fn::If and Fn::FindInMap on unknowns --------------------------------------------------------------

_CHOICES = (
    "Parameters:\n  Env: {Type: String}\n"
    "Conditions:\n  IsProd: !Equals [!Ref Env, prod]\n"
    "Mappings:\n  Net:\n    eu-west-1: {Cidr: 10.1.0.0/16, Port: 22}\n    us-east-1: {Cidr: 10.2.0.0/16, Port: 22}\n"
    "Resources:\n  X:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n"
    "      GroupDescription: choices\n"
    "      Same: !If [IsProd, 10.0.0.0/8, 10.0.0.0/8]\n"
    "      Cidr: !If [IsProd, 10.0.0.0/8, 0.0.0.0/0]\n"
    "      Maybe: !If [IsProd, 0.0.0.0/0, !Ref AWS::NoValue]\n"
    "      Block: !If [IsProd, {A: 1, B: 2}, {A: 1, B: 3}]\n"
    "      RegionCidr: !FindInMap [Net, !Ref 'AWS::Region', Cidr]\n"
    "      RegionPort: !FindInMap [Net, !Ref 'AWS::Region', Port]\n"
    "      SecurityGroupIngress:\n"
    "        - !If\n"
    "          - IsProd\n"
    "          - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}\n"
    "          - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}\n"
    "        - !If [IsProd, !Ref AWS::NoValue, {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0}]\n"
    "      Tags: !If [IsProd, [{Key: a, Value: b}], !Ref AWS::NoValue]\n"
)


def test_fn_if_on_unknown_condition_keeps_each_branch(tmp_path: Path) -> None:
    body = template(tmp_path, _CHOICES)["X"].body
    assert body["Same"] == "10.0.0.0/8"
    cidr = body["Cidr"]
    assert isinstance(cidr, Unknown) and cidr.reason.startswith("one of 10.0.0.0/8, 0.0.0.0/0 by condition IsProd")
    assert kinds_and_names(cidr) == [("condition", "IsProd"), ("parameter", "Env")]
    assert isinstance(body["Maybe"], Unknown) and body["Maybe"].reason.startswith("one of 0.0.0.0/0, not set")
    assert body["Block"]["A"] == 1 and isinstance(body["Block"]["B"], Unknown)
    rules = body["SecurityGroupIngress"]
    assert [rule["FromPort"] for rule in rules] == [443, 22, 80]
    assert rules[1]["CidrIp"] == "0.0.0.0/0"
    when = [existence_of(rules, index) for index in range(3)]
    assert all(found is not None for found in when)
    assert "is true" in when[0].reason and "is false" in when[1].reason and "is false" in when[2].reason  # type: ignore[union-attr]
    assert kinds_and_names(when[1]) == [("condition", "IsProd"), ("parameter", "Env")]
    item_span = rules.item_spans[1]
    assert item_span is not None and item_span.line == line_in(tmp_path / "t.yaml", "FromPort: 22")
    tags = body["Tags"]
    assert tags == [{"Key": "a", "Value": "b"}] and existence_of(tags, 0) is not None


def test_fn_if_settled_by_parameter(tmp_path: Path) -> None:
    body = template(tmp_path, _CHOICES, Env="prod")["X"].body
    assert body["Cidr"] == "10.0.0.0/8" and body["Maybe"] == "0.0.0.0/0"
    rules = body["SecurityGroupIngress"]
    assert [rule["FromPort"] for rule in rules] == [443] and not rules.item_existence


def test_find_in_map_by_unknown_region(tmp_path: Path) -> None:
    body = template(tmp_path, _CHOICES)["X"].body
    assert body["RegionPort"] == 22  # the same in every region
    cidr = body["RegionCidr"]
    assert isinstance(cidr, Unknown) and cidr.reason.startswith("one of 10.1.0.0/16, 10.2.0.0/16 by Fn::FindInMap")
    assert kinds_and_names(cidr) == [("parameter", "AWS::Region")]
    given = template(tmp_path, _CHOICES, **{"AWS::Region": "us-east-1"})["X"].body
    assert given["RegionCidr"] == "10.2.0.0/16"


def test_nested_unknown_conditions_join_their_existence(tmp_path: Path) -> None:
    body = template(
        tmp_path,
        "Parameters:\n  A: {Type: String}\n  B: {Type: String}\n"
        "Conditions:\n  HasA: !Equals [!Ref A, 'y']\n  HasB: !Equals [!Ref B, 'y']\n"
        "Resources:\n  X:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n"
        "      GroupDescription: nested\n      SecurityGroupIngress:\n"
        "        - !If [HasA, !If [HasB, {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0},"
        " !Ref AWS::NoValue], !Ref AWS::NoValue]\n",
    )["X"].body
    rules = body["SecurityGroupIngress"]
    assert [rule["FromPort"] for rule in rules] == [22]
    existence = existence_of(rules, 0)
    assert existence is not None
    assert [o.name for o in existence.origins] == ["HasA", "A", "HasB", "B"]


def test_origin_kinds_are_documented() -> None:
    assert "import" in (Origin.__doc__ or "")
