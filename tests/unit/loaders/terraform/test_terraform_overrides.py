"""Override files merged by Terraform's rules: arguments replace arguments, nested blocks
replace every block of their type, locals merge by name, later files win, and what an
override sets points at the override file's own line."""

from __future__ import annotations

from pathlib import Path

from scanner.loaders.terraform import hcl as syn
from scanner.loaders.terraform.overrides import OverrideAttribute, file_of, is_override_file, merge_block
from tests.support.terraform_fixtures import TERRAFORM, by_address, line_of, load_fixture, load_folder

FOLDER = TERRAFORM / "override-files"


def test_override_file_names() -> None:
    assert is_override_file(Path("override.tf")) and is_override_file(Path("override.tf.json"))
    assert is_override_file(Path("net_override.tf")) and is_override_file(Path("net_override.tf.json"))
    assert not is_override_file(Path("overrides.tf")) and not is_override_file(Path("main.tf"))


def test_arguments_and_nested_blocks_merge_with_their_own_lines() -> None:
    result = load_fixture("override-files")
    assert result.errors == [] and result.notices == []
    assert {"override-files/override.tf", "override-files/a_override.tf"} <= set(result.files)
    resources = by_address(result)
    web = resources["aws_instance.web"].body
    # a_override.tf sets t3.large, override.tf (later by name) t3.small: the later wins
    assert web["instance_type"] == "t3.small"
    assert web.key_spans["instance_type"].file == "override-files/override.tf"
    assert web.key_spans["instance_type"].line == line_of(FOLDER / "override.tf", 'instance_type = "t3.small"')
    # the override's metadata_options replaces the original block as a whole: no http_endpoint
    assert web["metadata_options"] == [{"http_tokens": "required"}]
    assert web["metadata_options"][0].key_spans["http_tokens"].file == "override-files/override.tf"
    assert web.key_spans["ami"].file == "override-files/main.tf"  # not overridden
    # ingress blocks (the dynamic one included) replaced; egress kept
    group = resources["aws_security_group.admin"].body
    assert [(r["from_port"], r["cidr_blocks"]) for r in group["ingress"]] == [(3389, ["0.0.0.0/0"])]
    assert group["ingress"][0].key_spans["cidr_blocks"].file == "override-files/override.tf"
    assert group["egress"][0].key_spans["protocol"].file == "override-files/main.tf"
    # locals merge by name
    assert resources["aws_instance.legacy"].body["metadata_options"][0]["http_tokens"] == "optional"


def test_overrides_without_an_original_and_depends_on_are_errors(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        """
resource "aws_instance" "web" {
  ami = "ami-1"
}
""",
        encoding="utf-8",
    )
    (tmp_path / "extra_override.tf").write_text(
        """
resource "aws_instance" "other" {
  ami = "ami-2"
}

locals {
  missing = 1
}

resource "aws_instance" "web" {
  depends_on = [aws_instance.other]
  ami        = "ami-3"
}
""",
        encoding="utf-8",
    )
    result = load_folder(tmp_path)
    assert sorted((e.file, e.line) for e in result.errors) == [
        ("extra_override.tf", 2),
        ("extra_override.tf", 7),
        ("extra_override.tf", 11),
    ]
    assert by_address(result)["aws_instance.web"].body["ami"] == "ami-3"
    assert "aws_instance.other" not in by_address(result)


def test_module_calls_outputs_variables_json_and_ignore_comments(tmp_path: Path) -> None:
    child = tmp_path / "child"
    child.mkdir()
    (child / "main.tf").write_text(
        """
variable "tokens" {
  type = string
}

output "tokens" {
  value = var.tokens
}

output "kept" {
  value = "kept"
}

output "given" {
  value = var.tokens
}
""",
        encoding="utf-8",
    )
    (child / "override.tf").write_text('output "tokens" {\n  value = "from-override"\n}\n', encoding="utf-8")
    (tmp_path / "main.tf").write_text(
        """
variable "port" {
  default = 22
}

module "child" {
  source = "./child"
  tokens = "optional"
}

resource "aws_instance" "web" {
  ami = "ami-1"
  tags = {
    Tokens = module.child.tokens
    Kept   = module.child.kept
    Given  = module.child.given
    Port   = var.port
  }
}
""",
        encoding="utf-8",
    )
    (tmp_path / "z_override.tf.json").write_text(
        '{"variable": {"port": {"default": 3389}}, "module": {"child": {"tokens": "required"}}}', encoding="utf-8"
    )
    (tmp_path / "ignore_override.tf").write_text(
        """
# iacscan:ignore ec2-imdsv1 legacy image, tokens break its agent
resource "aws_instance" "web" {
  instance_type = "t3.micro"
}
""",
        encoding="utf-8",
    )
    result = load_folder(tmp_path)
    assert result.errors == []
    tags = by_address(result)["aws_instance.web"].body["tags"]
    assert tags == {"Tokens": "from-override", "Kept": "kept", "Given": "required", "Port": 3389}
    [suppression] = result.suppressions
    assert suppression.address == "aws_instance.web" and suppression.span.file == "ignore_override.tf"
    assert not any("no effect" in n for n in result.notices)


def test_merge_block_replaces_by_type_and_merges_lifecycle() -> None:
    base = syn.parse_hcl(
        """
resource "x" "y" {
  a = 1
  b = 2
  lifecycle {
    create_before_destroy = true
    ignore_changes        = [a]
  }
  dynamic "rule" {
    for_each = [1]
    content {}
  }
}
"""
    ).blocks[0]
    override = syn.parse_hcl(
        """
resource "x" "y" {
  b = 3
  lifecycle {
    prevent_destroy = true
  }
  rule {}
}
"""
    ).blocks[0]
    merged = merge_block(base, override, "o.tf")
    attrs = merged.body.attributes
    assert {name: file_of(attr, "base.tf") for name, attr in attrs.items()} == {"a": "base.tf", "b": "o.tf"}
    assert isinstance(attrs["b"], OverrideAttribute)
    assert [b.type for b in merged.body.blocks] == ["lifecycle", "rule"]
    lifecycle = merged.body.blocks[0].body.attributes
    assert sorted(lifecycle) == ["create_before_destroy", "ignore_changes", "prevent_destroy"]
    assert file_of(lifecycle["prevent_destroy"], "base.tf") == "o.tf"
    assert file_of(lifecycle["ignore_changes"], "base.tf") == "base.tf"
    assert file_of(merged.body.blocks[1], "base.tf") == "o.tf"
