"""Data sources in the HCL loader: those that may stand for the default VPC and its subnets
are handed over (type ``data.<type>``), a reference to any data source carries a reference to
it, and the default VPC's CIDR is known offline."""

from __future__ import annotations

from pathlib import Path

from scanner.values import ResourceRef, Unknown
from tests.support.paths import FIXTURES
from tests.support.terraform_fixtures import by_address, load_folder

DEFAULT_VPC = FIXTURES / "reachability" / "default-vpc-through-data-sources"


def test_default_vpc_data_sources_are_handed_over_and_referenced() -> None:
    result = load_folder(DEFAULT_VPC)
    assert result.errors == []
    resources = by_address(result)
    assert resources["data.aws_vpc.default"].type == "data.aws_vpc"
    assert resources["data.aws_vpc.default"].body["default"] is True
    assert resources["data.aws_subnets.default"].type == "data.aws_subnets"
    assert resources["data.aws_vpc.shared"].type == "data.aws_vpc"  # the adapters decide it is not modelled
    subnet = resources["aws_instance.web"].body["subnet_id"]
    assert isinstance(subnet, Unknown) and subnet.refs == (ResourceRef("data.aws_subnets.default", "ids"),)
    zones = resources["aws_autoscaling_group.app"].body["vpc_zone_identifier"]
    assert isinstance(zones, Unknown) and zones.refs == (ResourceRef("data.aws_subnets.default", "ids"),)
    # the default VPC's block is 172.31.0.0/16 in every region
    assert resources["aws_security_group.web"].body["ingress"][1]["cidr_blocks"] == ["172.31.0.0/16"]
    vpc_id = resources["aws_security_group.web"].body["vpc_id"]
    assert isinstance(vpc_id, Unknown) and vpc_id.refs == (ResourceRef("data.aws_vpc.default", "id"),)


def test_data_sources_in_modules_with_count_and_others_not_handed_over(tmp_path: Path) -> None:
    child = tmp_path / "network"
    child.mkdir()
    (child / "main.tf").write_text(
        """
data "aws_vpc" "this" {
  count   = 2
  default = count.index == 0
}

data "aws_ami" "ubuntu" {
  most_recent = true
  owners      = ["099720109477"]
}

output "cidrs" {
  value = [for vpc in data.aws_vpc.this : vpc.cidr_block]
}
""",
        encoding="utf-8",
    )
    (tmp_path / "main.tf").write_text(
        """
module "network" {
  source = "./network"
}

resource "terraform_data" "probe" {
  input = module.network.cidrs
}
""",
        encoding="utf-8",
    )
    result = load_folder(tmp_path)
    resources = by_address(result)
    assert {a for a, r in resources.items() if r.type.startswith("data.")} == {
        "module.network.data.aws_vpc.this[0]",
        "module.network.data.aws_vpc.this[1]",
    }
    cidrs = resources["terraform_data.probe"].body["input"]
    assert cidrs[0] == "172.31.0.0/16"
    assert isinstance(cidrs[1], Unknown)  # not the default VPC: read at apply
    assert cidrs[1].refs == (ResourceRef("module.network.data.aws_vpc.this[1]", "cidr_block"),)
    assert result.unknown_values == 1  # the probe's; a data source's lookups are not counted
