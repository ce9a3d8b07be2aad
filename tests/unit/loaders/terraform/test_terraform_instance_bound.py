"""A count/for_each past ``--max-instances`` (10,000 by default) is not expanded: the block is
analysed as one representative instance ``ADDRESS[*]`` with ``count.index`` / ``each`` unknown,
and a notice at the count line says so."""

from __future__ import annotations

from pathlib import Path

from scanner.loaders.terraform.root_module import load_terraform_module
from scanner.options import DEFAULT_MAX_INSTANCES, ScanOptions
from scanner.values import Unknown
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures" / "terraform"
BOUND = FIXTURES / "count-past-the-bound"


def _line(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if needle in line)


def test_count_past_the_bound_is_one_representative_instance() -> None:
    result = load_terraform_module(BOUND, ScanOptions(root=BOUND))
    addresses = [r.address for r in result.resources]
    assert addresses == [
        "aws_security_group.ssh",
        "aws_instance.fleet[*]",
        "aws_instance.small[0]",
        "aws_instance.small[1]",
        "module.cell[*].aws_instance.worker",
    ]
    assert result.errors == []  # a bound is not a file that could not be read
    fleet = next(r for r in result.resources if r.address == "aws_instance.fleet[*]")
    name = fleet.body["tags"]["Name"]
    assert isinstance(name, Unknown) and "count.index" in name.reason
    count_line = _line(BOUND / "main.tf", "count = 1000000")
    assert f"count of 1000000 at main.tf:{count_line} is more than --max-instances 10000" in fleet.assumptions[0]
    assert (
        f"main.tf:{count_line}: aws_instance.fleet: count of 1000000 is more than --max-instances 10000; "
        "not expanded, analysed as one instance aws_instance.fleet[*] with count.index unknown"
    ) in result.notices


def test_module_call_past_the_bound_is_one_representative_instance() -> None:
    result = load_terraform_module(BOUND, ScanOptions(root=BOUND))
    worker = next(r for r in result.resources if r.address.startswith("module.cell"))
    assert isinstance(worker.body["tags"]["Name"], Unknown)
    count_line = _line(BOUND / "main.tf", "count  = 20000")
    assert [n for n in result.notices if n.startswith("module.cell")] == [
        f"module.cell: count of 20000 at main.tf:{count_line} is more than --max-instances 10000: "
        "not expanded, one instance module.cell[*] analysed with count.index unknown"
    ]


def test_the_bound_is_settable() -> None:
    result = load_terraform_module(BOUND, ScanOptions(root=BOUND, max_instances=1))
    addresses = {r.address for r in result.resources}
    assert "aws_instance.small[*]" in addresses and "aws_instance.small[0]" not in addresses
    wide = load_terraform_module(BOUND, ScanOptions(root=BOUND, max_instances=20_000))
    assert sum(r.address.startswith("module.cell[") for r in wide.resources) == 20_000
    assert DEFAULT_MAX_INSTANCES == 10_000


def test_for_each_past_the_bound_has_unknown_keys(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_instance" "named" {\n'
        '  for_each = toset(["a", "b", "c"])\n'
        '  ami      = "ami-12345678"\n'
        "  tags     = { Name = each.key }\n"
        "}\n"
        'resource "aws_eip" "ip" {\n'
        '  instance = aws_instance.named["a"].id\n'
        "}\n"
    )
    result = load_terraform_module(tmp_path, ScanOptions(root=tmp_path, max_instances=2))
    by_address = {r.address: r for r in result.resources}
    assert set(by_address) == {"aws_instance.named[*]", "aws_eip.ip"}
    assert isinstance(by_address["aws_instance.named[*]"].body["tags"]["Name"], Unknown)
    assert result.notices == [
        "main.tf:2: aws_instance.named: for_each of 3 is more than --max-instances 2; not expanded, "
        "analysed as one instance aws_instance.named[*] with each.key and each.value unknown"
    ]
    # a reference to one instance still names the representative
    assert "aws_instance.named[*]" in repr(by_address["aws_eip.ip"].body["instance"])
