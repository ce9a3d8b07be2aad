"""``Fn::GetAtt`` of an attribute that echoes a property (``scanner.loaders.cloudformation.attributes``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scanner.adapters.raw import RawResource
from scanner.loaders.cloudformation.configuration import load_configuration
from scanner.loaders.cloudformation.decode import TemplateCache
from scanner.loaders.cloudformation.imports import load_templates
from scanner.model import SecurityGroup
from scanner.options import ScanOptions
from scanner.values import ResourceRef, Unknown
from tests.support.paths import REPO

FIXTURE = REPO / "fixtures" / "cloudformation" / "attributes-echo-properties" / "template.yaml"

HEAD = """\
Parameters:
  Unset:
    Type: String
  Maybe:
    Type: String
Conditions:
  Never: !Equals [a, b]
  Perhaps: !Equals [!Ref Maybe, yes]
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 100.68.0.18/18
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 100.68.0.0/24
      AvailabilityZone: eu-west-1a
      Ipv6CidrBlock: 2001:db8::/64
"""


def raws(tmp_path: Path, resources: str, head: str = HEAD) -> dict[str, RawResource]:
    path = tmp_path / "t.yaml"
    path.write_text(head + resources, encoding="utf-8")
    options = ScanOptions(root=tmp_path, cache_dir=None)
    cache = TemplateCache(options)
    state = load_configuration("t.yaml", "cloudformation", [cache(path)], options, cache, {})
    assert not state.errors, state.errors
    return {raw.address: raw for raw in state.raws}


def probe(tmp_path: Path, properties: dict[str, str], more: str = "", head: str = HEAD) -> dict[str, Any]:
    lines = "".join(f"      {key}: {value}\n" for key, value in properties.items())
    text = f"  Probe:\n    Type: AWS::SSM::Parameter\n    Properties:\n{lines}{more}"
    return dict(raws(tmp_path, text, head)["Probe"].body)


def test_vpc_and_subnet_attributes_echo_their_properties(tmp_path: Path) -> None:
    body = probe(
        tmp_path,
        {
            "VpcCidr": "!GetAtt Vpc.CidrBlock",
            "SubnetCidr": "!GetAtt Subnet.CidrBlock",
            "SubnetVpc": "!GetAtt Subnet.VpcId",
            "Zone": "!GetAtt Subnet.AvailabilityZone",
            "SubnetIpv6": "!Select [0, !GetAtt Subnet.Ipv6CidrBlocks]",
            "InText": '!Sub "${Vpc.CidrBlock} and ${Subnet.CidrBlock}"',
        },
    )
    assert body["VpcCidr"] == "100.68.0.0/18"  # AWS stores the VPC block in canonical form
    assert body["SubnetCidr"] == "100.68.0.0/24"
    assert body["SubnetVpc"] == ResourceRef("Vpc", "Ref")  # the VPC, an edge to it
    assert body["Zone"] == "eu-west-1a"
    assert body["SubnetIpv6"] == "2001:db8::/64"
    assert body["InText"] == "100.68.0.0/18 and 100.68.0.0/24"


def test_references_and_documented_non_echoes_stay_references(tmp_path: Path) -> None:
    more = "  Group:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: g\n"
    body = probe(
        tmp_path,
        {
            "GroupId": "!GetAtt Group.GroupId",
            "GroupVpc": "!GetAtt Group.VpcId",  # not written: the default VPC, known at deployment
            "Associations": "!GetAtt Vpc.CidrBlockAssociations",  # association ids, not blocks
            "FirstAssociation": "!Select [0, !GetAtt Vpc.CidrBlockAssociations]",
            "DefaultGroup": "!GetAtt Vpc.DefaultSecurityGroup",
            "VpcIpv6": "!GetAtt Vpc.Ipv6CidrBlocks",  # no IPv6 association in the template
        },
        more,
    )
    assert body["GroupId"] == ResourceRef("Group", "GroupId")
    assert body["GroupVpc"] == ResourceRef("Group", "VpcId")
    assert body["Associations"] == ResourceRef("Vpc", "CidrBlockAssociations")
    first = body["FirstAssociation"]
    assert isinstance(first, Unknown) and first.refs == (ResourceRef("Vpc", "CidrBlockAssociations"),)
    assert body["DefaultGroup"] == ResourceRef("Vpc", "DefaultSecurityGroup")
    assert body["VpcIpv6"] == ResourceRef("Vpc", "Ipv6CidrBlocks")


def test_group_id_is_a_reference_the_graph_follows(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        HEAD
        + "  Group:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: g\n"
        + "      VpcId: !GetAtt Subnet.VpcId\n"
        + "  Peer:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: p\n"
        + "      VpcId: !GetAtt Group.VpcId\n      SecurityGroupIngress:\n"
        + "        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, SourceSecurityGroupId: !GetAtt Group.GroupId}\n",
        encoding="utf-8",
    )
    [configuration] = load_templates([tmp_path / "t.yaml"], ScanOptions(root=tmp_path, cache_dir=None))
    groups = {r.address: r for r in configuration.resources if isinstance(r, SecurityGroup)}
    assert groups["Group"].vpc == ResourceRef("Vpc", "Ref")
    assert groups["Peer"].vpc == ResourceRef("Vpc", "Ref")  # through two echoes
    [rule] = groups["Peer"].rules
    assert rule.source_groups == (ResourceRef("Group", "GroupId"),)


def test_instance_interface_and_load_balancer_attributes(tmp_path: Path) -> None:
    more = (
        "  Web:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-0abc\n"
        "      PrivateIpAddress: 100.68.0.10\n      AvailabilityZone: eu-west-1a\n"
        "  Eni:\n    Type: AWS::EC2::NetworkInterface\n    Properties:\n      SubnetId: !Ref Subnet\n"
        "      PrivateIpAddress: 100.68.0.11\n"
        "  Group:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: g\n"
        "  Balancer:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n    Properties:\n"
        "      Subnets: [!Ref Subnet]\n      SecurityGroups: [!Ref Group]\n"
    )
    body = probe(
        tmp_path,
        {
            "Host": '!Sub "${Web.PrivateIp}/32"',
            "Zone": "!GetAtt Web.AvailabilityZone",
            "Eni": "!GetAtt Eni.PrimaryPrivateIpAddress",
            "BalancerGroup": "!Select [0, !GetAtt Balancer.SecurityGroups]",
            "PublicIp": "!GetAtt Web.PublicIp",
        },
        more,
    )
    assert body["Host"] == "100.68.0.10/32"
    assert body["Zone"] == "eu-west-1a"
    assert body["Eni"] == "100.68.0.11"
    assert body["BalancerGroup"] == ResourceRef("Group", "Ref")
    assert body["PublicIp"] == ResourceRef("Web", "PublicIp")


VPC_IPV6 = """\
  Block{n}:
    Type: AWS::EC2::VPCCidrBlock
{condition}    Properties:
      VpcId: !Ref Vpc
{block}"""


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        (["      Ipv6Pool: ipv6pool-ec2-0abc\n      Ipv6CidrBlock: 2001:db8:1::/56\n"], "2001:db8:1::/56"),
        (["      AmazonProvidedIpv6CidrBlock: true\n"], "Block0 gets its IPv6 block at deployment"),
        (["      CidrBlock: 100.68.64.0/18\n"], None),  # an IPv4 association: not in Ipv6CidrBlocks
        (
            ["      Ipv6CidrBlock: 2001:db8:1::/56\n", "      Ipv6CidrBlock: 2001:db8:2::/56\n"],
            "holds 2 blocks, in an order CloudFormation does not document",
        ),
    ],
)
def test_vpc_ipv6_blocks_from_the_template_associations(tmp_path: Path, blocks: list[str], expected: Any) -> None:
    more = "".join(VPC_IPV6.format(n=n, condition="", block=block) for n, block in enumerate(blocks))
    first = probe(tmp_path, {"First": "!Select [0, !GetAtt Vpc.Ipv6CidrBlocks]"}, more)["First"]
    if expected is None:
        assert isinstance(first, Unknown) and first.refs == (ResourceRef("Vpc", "Ipv6CidrBlocks"),)
    elif "/" in expected:
        assert first == expected
    else:
        assert isinstance(first, Unknown) and expected in first.reason


def test_conditions_of_an_association(tmp_path: Path) -> None:
    block = "      Ipv6CidrBlock: 2001:db8:1::/56\n"
    never = VPC_IPV6.format(n=0, condition="    Condition: Never\n", block=block)
    perhaps = VPC_IPV6.format(n=1, condition="    Condition: Perhaps\n", block=block)
    assert probe(tmp_path, {"Blocks": "!GetAtt Vpc.Ipv6CidrBlocks"}, never)["Blocks"] == ResourceRef(
        "Vpc", "Ipv6CidrBlocks"
    )
    unsure = probe(tmp_path, {"Blocks": "!GetAtt Vpc.Ipv6CidrBlocks"}, perhaps)["Blocks"]
    assert isinstance(unsure, Unknown) and "condition Perhaps" in unsure.reason


def test_unknown_property_and_resource_not_created(tmp_path: Path) -> None:
    head = HEAD.replace("CidrBlock: 100.68.0.18/18", "CidrBlock: !Ref Unset")
    more = "  Gone:\n    Type: AWS::EC2::VPC\n    Condition: Never\n    Properties:\n      CidrBlock: 10.9.0.0/16\n"
    body = probe(tmp_path, {"Cidr": "!GetAtt Vpc.CidrBlock", "Gone": "!GetAtt Gone.CidrBlock"}, more, head)
    assert isinstance(body["Cidr"], Unknown)
    assert "Vpc.CidrBlock is its CidrBlock" in body["Cidr"].reason and "Unset has no value" in body["Cidr"].reason
    assert isinstance(body["Gone"], Unknown) and "not created" in body["Gone"].reason


def test_an_attribute_that_reaches_itself_is_unknown(tmp_path: Path) -> None:
    resources = (
        "  A:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: !GetAtt B.CidrBlock\n"
        "  B:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: !GetAtt A.CidrBlock\n"
    )
    found = raws(tmp_path, resources, head="Resources:\n")
    cidr = found["A"].body["CidrBlock"]
    assert isinstance(cidr, Unknown) and "depends on itself" in cidr.reason


def test_a_long_chain_of_echoes_is_refused_as_too_deep_not_a_crash(tmp_path: Path) -> None:
    resources = "".join(
        f"  V{n}:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: !GetAtt V{n + 1}.CidrBlock\n"
        for n in range(150)
    )
    resources += "  V150:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n"
    (tmp_path / "t.yaml").write_text("Resources:\n" + resources, encoding="utf-8")
    [configuration] = load_templates([tmp_path / "t.yaml"], ScanOptions(root=tmp_path, cache_dir=None))
    assert configuration.errors and all("nested over" in e.message for e in configuration.errors)
    loaded = {r.address for r in configuration.resources}
    assert {"V150", "V149", "V120"} <= loaded and "V0" not in loaded  # the end of the chain loads
