"""Attributes of another resource as Terraform knows them before apply: an attribute that
echoes an argument the configuration sets is that argument's value; one only the provider
computes is a reference (``id``, ``arn``) or Unknown naming the resource."""

from __future__ import annotations

from pathlib import Path

from scanner.values import ResourceRef, Unknown
from tests.support.terraform_fixtures import by_address, load_fixture, load_folder


def test_configured_arguments_are_known_and_computed_attributes_are_not() -> None:
    result = load_fixture("attributes-echo-arguments")
    assert result.errors == []
    resources = by_address(result)
    probe = resources["terraform_data.probe"].body["input"]
    assert probe["vpc_cidr"] == "10.20.0.0/16"
    assert probe["subnet_vpc"] == ResourceRef("aws_vpc.main", "id")  # the argument: a reference itself
    assert probe["group_id"] == ResourceRef("aws_security_group.from_vpc", "id")
    assert probe["group_arn"] == ResourceRef("aws_security_group.from_vpc", "arn")
    assert probe["group_name"] == "ssh-from-vpc"  # name is an argument here
    # assign_generated_ipv6_cidr_block: AWS picks the block at apply
    assert isinstance(probe["vpc_ipv6"], Unknown)
    assert probe["vpc_ipv6"].refs == (ResourceRef("aws_vpc.main", "ipv6_cidr_block"),)
    # an argument the configuration does not set is not known (the provider's default applies at apply)
    assert isinstance(probe["unset_flag"], Unknown)
    assert isinstance(probe["peer_address"], Unknown)
    assert resources["aws_subnet.public"].body["cidr_block"] == "10.20.1.0/24"
    internal = resources["aws_security_group.from_internal"].body["ingress"][0]
    assert internal["cidr_blocks"] == ["10.20.1.10/32"]
    peer = resources["aws_security_group.from_peer"].body["ingress"][0]["cidr_blocks"][0]
    assert isinstance(peer, Unknown) and peer.refs == (ResourceRef("aws_instance.peer", "private_ip"),)


def test_generated_name_stays_a_reference_and_unknown_arguments_keep_the_resource(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        """
variable "prefix" {
  type = string
}

resource "aws_iam_role" "generated" {
  name_prefix        = "app-"
  assume_role_policy = "{}"
}

resource "aws_iam_role" "named" {
  name               = "${var.prefix}-role"
  assume_role_policy = "{}"
}

resource "terraform_data" "probe" {
  input = {
    generated = aws_iam_role.generated.name
    named     = aws_iam_role.named.name
  }
}
""",
        encoding="utf-8",
    )
    probe = by_address(load_folder(tmp_path))["terraform_data.probe"].body["input"]
    assert probe["generated"] == ResourceRef("aws_iam_role.generated", "name")
    # the configured name is not known offline (a variable without a value): still the role's
    named = probe["named"]
    assert isinstance(named, Unknown)
    assert named.refs[0] == ResourceRef("aws_iam_role.named", "name")
