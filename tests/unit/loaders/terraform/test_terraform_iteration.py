"""Every iteration form against Terraform's documented keys: a list gives the index, a set
the element itself (key and value alike), a map or object its key; ``count.index``;
``iterator =`` renames; nested ``dynamic`` blocks; ``for`` expressions and template ``%{for}``."""

from __future__ import annotations

from pathlib import Path

from tests.support.terraform_fixtures import TERRAFORM, by_address, line_of, load_fixture, load_folder

ITERATION = TERRAFORM / "iteration-keys" / "main.tf"


def test_dynamic_block_over_a_set_binds_the_element_as_key() -> None:
    result = load_fixture("iteration-keys")
    assert result.errors == []
    ingress = by_address(result)["aws_security_group.admin"].body["ingress"]
    # the set is ordered by value; from_port = ingress.key is the port, not 0 and 1
    assert [(r["from_port"], r["to_port"]) for r in ingress] == [(22, 22), (3389, 3389)]
    assert ingress[0].key_spans["from_port"].line == line_of(ITERATION, "from_port   = ingress.key")


def test_dynamic_block_over_a_list_binds_the_index_as_key() -> None:
    ingress = by_address(load_fixture("iteration-keys"))["aws_security_group.indexed"].body["ingress"]
    assert [(r["from_port"], r["description"]) for r in ingress] == [(3389, "rule 0"), (22, "rule 1")]


def test_dynamic_block_over_a_map_with_a_renamed_iterator() -> None:
    resources = by_address(load_fixture("iteration-keys"))
    ingress = resources["aws_security_group.by_port"].body["ingress"]
    assert [(r["from_port"], r["cidr_blocks"]) for r in ingress] == [
        (8080, ["203.0.113.0/24"]),
        (8443, ["203.0.113.0/24", "198.51.100.0/24"]),
    ]
    # a list built by a for expression over a map (keys in order): the index is the key
    acl = resources["aws_network_acl.offices"].body["ingress"]
    assert [(r["rule_no"], r["cidr_block"]) for r in acl] == [(100, "198.51.100.0/24"), (101, "192.0.2.0/24")]


def test_resource_for_each_over_a_set_and_for_expressions() -> None:
    resources = by_address(load_fixture("iteration-keys"))
    assert resources['aws_security_group_rule.web["443"]'].body["from_port"] == "443"
    assert resources['aws_security_group_rule.web["8080"]'].body["to_port"] == "8080"
    probe = resources["terraform_data.probe"].body["input"]
    assert probe["for_list"] == ["0:3389", "1:22"]
    assert probe["for_set"] == ["22:22", "3389:3389"]
    assert probe["for_map"] == ["berlin:198.51.100.0/24", "paris:192.0.2.0/24"]
    assert probe["set_variable"] == ["443", "8080"]
    assert probe["template"] == "443=443;8080=8080;"
    assert probe["counted"] == [0, 1]


def test_nested_dynamic_blocks_count_index_and_sets_without_index(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        """
locals {
  listeners = {
    web = { port = 443, groups = ["blue", "green"] }
  }
}

resource "aws_example" "nested" {
  count = 2
  dynamic "outer" {
    for_each = local.listeners
    content {
      name = "${outer.key}-${count.index}"
      dynamic "inner" {
        for_each = toset(outer.value.groups)
        iterator = group
        content {
          port  = outer.value.port
          group = group.key
          same  = group.key == group.value
        }
      }
    }
  }
}

resource "terraform_data" "probe" {
  input = {
    indexed   = try(toset(["b", "a"])[0], "a set has no index")
    as_list   = tolist(toset(["b", "a"]))[0]
    mixed_set = toset(["a", 3, "b"])
  }
}
""",
        encoding="utf-8",
    )
    resources = by_address(load_folder(tmp_path))
    outer = resources["aws_example.nested[1]"].body["outer"]
    assert [o["name"] for o in outer] == ["web-1"]
    assert [(i["port"], i["group"], i["same"]) for i in outer[0]["inner"]] == [
        (443, "blue", True),
        (443, "green", True),
    ]
    probe = resources["terraform_data.probe"].body["input"]
    assert probe["indexed"] == "a set has no index"
    assert probe["as_list"] == "a"
    assert probe["mixed_set"] == ["3", "a", "b"]


def test_null_negative_and_fractional_counts_and_null_for_each_are_errors(tmp_path: Path) -> None:
    """Terraform rejects them (a null count or for_each, a count that is not a whole number
    0 or more, a dynamic block over null): errors, and no instance or block."""
    (tmp_path / "main.tf").write_text(
        """
resource "aws_instance" "null_count" {
  count = null
}

resource "aws_instance" "negative" {
  count = -1
}

resource "aws_instance" "fraction" {
  count = 1.5
}

resource "aws_instance" "null_for_each" {
  for_each = null
}

resource "aws_security_group" "null_dynamic" {
  dynamic "ingress" {
    for_each = null
    content {
      from_port = 22
    }
  }
}
""",
        encoding="utf-8",
    )
    result = load_folder(tmp_path)
    assert sorted(e.line for e in result.errors) == [3, 7, 11, 15, 20]
    assert set(by_address(result)) == {"aws_security_group.null_dynamic"}
    assert by_address(result)["aws_security_group.null_dynamic"].body["ingress"] == []
