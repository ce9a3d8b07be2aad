"""Terraform unknowns name the open inputs that decide them (``Unknown.origins``): a
variable without a value, a data source, a remote state, a module not downloaded, an
attribute known only after apply; and a resource whose ``count`` / ``for_each`` is unknown
carries its existence (the count line and those inputs). Filling the input in removes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner.adapters.terraform import map_resources
from scanner.loaders.terraform.load_run import TerraformLoad
from scanner.loaders.terraform.plan.unknowns import plan_origins, with_origins
from scanner.loaders.terraform.root_module import load_terraform_module
from scanner.options import ScanOptions
from scanner.values import Origin, Span, Unknown
from tests.support.paths import FIXTURES
from tests.support.terraform_fixtures import by_address, line_of, load_folder

UNKNOWNS = FIXTURES / "unknowns"


def load(name: str, **variables: str) -> TerraformLoad:
    return load_terraform_module(UNKNOWNS / name, ScanOptions(root=UNKNOWNS, variables=variables))


def at(name: str, file: str, needle: str, end: str | None = None) -> Span:
    """The span from the line holding ``needle`` in fixture ``name``'s ``file`` (to ``end``'s line)."""
    path = UNKNOWNS / name / file
    line = line_of(path, needle)
    return Span(f"{name}/{file}", line, line_of(path, end) if end else line)


def block_span(name: str, needle: str) -> Span:
    """The span of the block that starts at ``needle`` in ``name``/main.tf: to its closing brace."""
    path = UNKNOWNS / name / "main.tf"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = line_of(path, needle)
    end = next(n for n in range(start, len(lines) + 1) if lines[n - 1] == "}")
    return Span(f"{name}/main.tf", start, end)


def write(folder: Path, text: str, name: str = "main.tf") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def unknown(value: Any) -> Unknown:
    assert isinstance(value, Unknown), value
    return value


# --- one fixture per kind of open input ---


def test_a_variable_without_value_names_its_variable_line_and_how_to_fill_it_in() -> None:
    result = load("variable-without-value")
    assert result.errors == []
    cidr = unknown(by_address(result)["aws_security_group.ssh"].body["ingress"][0]["cidr_blocks"][0])
    assert cidr.origins == (
        Origin(
            "variable",
            "var.ssh_cidr",
            at("variable-without-value", "main.tf", 'variable "ssh_cidr"'),
            "--var ssh_cidr=...",
        ),
    )


def test_a_variable_filled_in_with_var_leaves_no_unknown() -> None:
    body = by_address(load("variable-without-value", ssh_cidr="0.0.0.0/0"))["aws_security_group.ssh"].body
    assert body["ingress"][0]["cidr_blocks"] == ["0.0.0.0/0"]


def test_a_data_source_attribute_names_the_data_block() -> None:
    resources = by_address(load("data-source-subnet"))
    origin = Origin("data_source", "data.aws_subnet.app", block_span("data-source-subnet", 'data "aws_subnet" "app"'))
    assert unknown(resources["aws_instance.web"].body["subnet_id"]).origins == (origin,)
    assert unknown(resources["aws_security_group.ssh"].body["vpc_id"]).origins == (origin,)
    assert origin.fill_in == ""  # nothing offline says which subnet the lookup finds


def test_a_remote_state_output_names_the_remote_state() -> None:
    resources = by_address(load("remote-state-output"))
    span = block_span("remote-state-output", 'data "terraform_remote_state" "network"')
    origin = Origin("remote_state", "data.terraform_remote_state.network", span)
    # indexed (public_subnet_ids[0]) and read directly (vpc_id): the same origin
    assert unknown(resources["aws_instance.web"].body["subnet_id"]).origins == (origin,)
    assert unknown(resources["aws_security_group.ssh"].body["vpc_id"]).origins == (origin,)


def test_an_output_of_a_module_not_downloaded_names_the_module_and_its_source() -> None:
    result = load("module-not-downloaded")
    resources = by_address(result)
    origin = Origin(
        "module",
        "module.vpc (terraform-aws-modules/vpc/aws)",
        block_span("module-not-downloaded", 'module "vpc"'),
        "terraform init",
    )
    assert unknown(resources["aws_instance.web"].body["subnet_id"]).origins == (origin,)
    assert unknown(resources["aws_security_group.ssh"].body["vpc_id"]).origins == (origin,)


def test_an_unknown_count_gives_the_resource_an_existence_naming_the_count_and_the_variable() -> None:
    result = load("unknown-count-eip")
    assert result.errors == []
    resources = by_address(result)
    eip = resources["aws_eip.web"]
    existence = unknown(eip.existence)
    assert existence.origins == (
        Origin("count", "count of aws_eip.web", at("unknown-count-eip", "main.tf", "count = var.create_eip")),
        Origin(
            "variable",
            "var.create_eip",
            at("unknown-count-eip", "variables.tf", 'variable "create_eip"'),
            "--var create_eip=...",
        ),
    )
    # the one instance assumed is kept, with its assumption as before
    assert eip.assumptions and "assumed one instance" in eip.assumptions[0]
    # resources whose count is known certainly exist
    assert all(r.existence is None for address, r in resources.items() if address != "aws_eip.web")


def test_the_existence_reaches_the_model_object() -> None:
    model, errors = map_resources(load("unknown-count-eip").resources)
    assert errors == []
    eip = next(m for m in model if m.address == "aws_eip.web")
    assert eip.existence is not None
    assert [o.name for o in eip.existence.origins] == ["count of aws_eip.web", "var.create_eip"]
    assert all(m.existence is None for m in model if m.address != "aws_eip.web")


def test_a_known_count_leaves_no_existence() -> None:
    on = by_address(load("unknown-count-eip", create_eip="true"))
    assert on["aws_eip.web[0]"].existence is None
    assert on["aws_eip.web[0]"].assumptions == ()
    off = by_address(load("unknown-count-eip", create_eip="false"))
    assert not any(address.startswith("aws_eip.web") for address in off)


# --- origins travel through every operation ---


PROPAGATION = """
variable "env" {
  type = string
}

variable "ports" {
  type = list(number)
}

variable "on" {
  type = bool
}

data "aws_vpc" "shared" {
  tags = { Name = "shared" }
}

locals {
  names = { for p in var.ports : tostring(p) => "port-${p}" }
}

resource "aws_instance" "web" {
  ami           = "ami-0abc1234def567890"
  instance_type = "t3.micro"

  tags = {
    Template    = "web-${var.env}-${data.aws_vpc.shared.id}"
    Function    = upper(var.env)
    Conditional = var.on ? var.env : "fixed"
    Index       = var.ports[0]
    For         = local.names
    Merge       = merge({ a = "b" }, var.on ? {} : { c = "d" })
    Concat      = concat(["x"], var.ports)
    Try         = try(var.env, "fallback")
    Twice       = "${var.env}-${var.env}"
    Known       = var.on ? "same" : "same"
  }
}
"""


def test_origins_travel_through_templates_functions_conditionals_indexes_for_merge_concat_try(tmp_path: Path) -> None:
    folder = write(tmp_path / "root", PROPAGATION)
    tags = by_address(load_folder(folder))["aws_instance.web"].body["tags"]

    def names(key: str) -> list[str]:
        return [o.name for o in unknown(tags[key]).origins]

    assert names("Template") == ["var.env", "data.aws_vpc.shared"]
    assert names("Function") == ["var.env"]
    # an unknown condition: its origins, then the branches'
    assert names("Conditional") == ["var.on", "var.env"]
    assert names("Index") == ["var.ports"]
    assert names("For") == ["var.ports"]
    assert names("Merge") == ["var.on"]
    assert names("Concat") == ["var.ports"]
    assert names("Try") == ["var.env"]
    assert names("Twice") == ["var.env"]  # each origin once
    assert names("Known") == ["var.on"]


def test_a_module_variable_names_the_root_variable_that_feeds_it(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "root",
        """
variable "admin_cidr" {
  type = string
}

module "web" {
  source     = "./web"
  ssh_cidr   = var.admin_cidr
  create_eip = var.create_eip
}

variable "create_eip" {
  type = bool
}
""",
    )
    write(
        folder / "web",
        """
variable "ssh_cidr" {
  type = string
}

variable "create_eip" {
  type = bool
}

resource "aws_security_group" "ssh" {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = [var.ssh_cidr]
  }
}

resource "aws_eip" "web" {
  count  = var.create_eip ? 1 : 0
  domain = "vpc"
}
""",
    )
    resources = by_address(load_folder(folder))
    cidr = unknown(resources["module.web.aws_security_group.ssh"].body["ingress"][0]["cidr_blocks"][0])
    assert cidr.origins == (Origin("variable", "var.admin_cidr", Span("main.tf", 2, 2), "--var admin_cidr=..."),)
    existence = unknown(resources["module.web.aws_eip.web"].existence)
    count_line = line_of(folder / "web" / "main.tf", "count  =")
    assert [(o.kind, o.name, o.span) for o in existence.origins] == [
        ("count", "count of module.web.aws_eip.web", Span("web/main.tf", count_line, count_line)),
        ("variable", "var.create_eip", Span("main.tf", 12, 12)),
    ]


def test_resources_of_a_module_whose_count_is_unknown_may_not_exist(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "root",
        """
variable "enabled" {
  type = bool
}

module "bastion" {
  source = "./bastion"
  count  = var.enabled ? 1 : 0
}
""",
    )
    write(
        folder / "bastion",
        """
resource "aws_instance" "this" {
  ami           = "ami-0abc1234def567890"
  instance_type = "t3.micro"
}
""",
    )
    instance = by_address(load_folder(folder))["module.bastion.aws_instance.this"]
    existence = unknown(instance.existence)
    assert [(o.kind, o.name, o.span) for o in existence.origins] == [
        ("count", "count of module.bastion", Span("main.tf", 8, 8)),
        ("variable", "var.enabled", Span("main.tf", 2, 2)),
    ]
    filled = load_terraform_module(folder, ScanOptions(root=folder, variables={"enabled": "true"}))
    assert by_address(filled)["module.bastion[0].aws_instance.this"].existence is None


def test_an_unknown_for_each_names_the_for_each_line_and_its_data_source(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "root",
        """
data "aws_subnets" "app" {
  filter {
    name   = "tag:Tier"
    values = ["app"]
  }
}

resource "aws_instance" "web" {
  for_each      = toset(data.aws_subnets.app.ids)
  ami           = "ami-0abc1234def567890"
  instance_type = "t3.micro"
  subnet_id     = each.value
}
""",
    )
    instance = by_address(load_folder(folder))["aws_instance.web"]
    data = Origin("data_source", "data.aws_subnets.app", Span("main.tf", 2, 7))
    assert unknown(instance.existence).origins == (
        Origin("count", "for_each of aws_instance.web", Span("main.tf", 10, 10)),
        data,
    )
    # each.value of the one instance assumed rests on the same lookup
    assert unknown(instance.body["subnet_id"]).origins == (data,)


def test_an_attribute_known_after_apply_names_the_resource_and_cannot_be_filled_in(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "root",
        """
resource "aws_instance" "bastion" {
  ami           = "ami-0abc1234def567890"
  instance_type = "t3.micro"
}

resource "aws_security_group" "app" {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["${aws_instance.bastion.private_ip}/32"]
  }
}
""",
    )
    cidr = by_address(load_folder(folder))["aws_security_group.app"].body["ingress"][0]["cidr_blocks"][0]
    assert unknown(cidr).origins == (Origin("attribute", "aws_instance.bastion.private_ip", Span("main.tf", 2, 5), ""),)


def test_a_value_from_terraform_tfvars_fills_the_variable_in(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "root",
        """
variable "ssh_cidr" {
  type = string
}

resource "aws_security_group" "app" {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = [var.ssh_cidr]
  }
}
""",
    )
    write(folder, 'ssh_cidr = "10.0.0.0/8"\n', "terraform.tfvars")
    body = by_address(load_folder(folder))["aws_security_group.app"].body
    assert body["ingress"][0]["cidr_blocks"] == ["10.0.0.0/8"]


# --- plans read without their source: the references say which data source was read ---


def test_a_plan_reference_to_a_data_source_or_remote_state_names_it() -> None:
    refs = [
        "data.aws_subnet.app.id",
        "data.aws_subnet.app",
        "var.name",
        "data.terraform_remote_state.network.outputs.vpc_id",
        "aws_vpc.main.id",
    ]
    assert plan_origins(refs, "") == (
        Origin("data_source", "data.aws_subnet.app"),
        Origin("remote_state", "data.terraform_remote_state.network"),
    )
    assert plan_origins(["data.aws_ami.base[0].id"], "module.web") == (
        Origin("data_source", "module.web.data.aws_ami.base"),
    )
    assert plan_origins(["var.name", "local.x"], "") == ()


def test_plan_origins_reach_unknowns_inside_lists_and_keep_ones_already_named() -> None:
    data = Origin("data_source", "data.aws_subnet.app")
    named = Unknown("from the source", (), (Origin("variable", "var.x"),))
    value = with_origins([Unknown("known after apply"), "known", named], (data,))
    assert value[0].origins == (data,)
    assert value[1] == "known"
    assert value[2] is named


def test_a_resource_of_unknown_count_used_whole_names_its_count(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "root",
        """
variable "replicas" {
  type = number
}

resource "aws_instance" "web" {
  count         = var.replicas
  ami           = "ami-0abc1234def567890"
  instance_type = "t3.micro"
}

resource "aws_security_group" "app" {
  description = "for ${length(aws_instance.web)} instances"
}
""",
    )
    description = by_address(load_folder(folder))["aws_security_group.app"].body["description"]
    assert [o.name for o in unknown(description).origins] == ["count of aws_instance.web", "var.replicas"]
