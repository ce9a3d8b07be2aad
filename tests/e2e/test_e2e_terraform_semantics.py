"""Terraform's own semantics end to end: fixtures under ``fixtures/terraform/<behaviour>/``
and ``fixtures/reachability/<behaviour>/`` go through the real pipeline, and each case checks
which rules fire on which workload, at which line, and on what assumptions.

* attributes that echo an argument the configuration sets are known before apply;
* ``for_each`` over a set, ``dynamic`` blocks and their iterators (keys are set elements);
* ``*_override.tf`` files merged by Terraform's override rules;
* the default VPC reached through ``data "aws_vpc"`` / ``data "aws_subnets"``.
"""

from __future__ import annotations

from functools import cache

from scanner.findings import Exposure, Trait
from scanner.options import ScanOptions
from scanner.rules.imdsv1 import ID as IMDSV1
from scanner.rules.internet_reachable import ID as INTERNET_REACHABLE
from scanner.rules.open_security_group import ID as OPEN_SECURITY_GROUP
from scanner.rules.public_ip import ID as PUBLIC_IP
from scanner.rules.remote_access import ID as REMOTE_ACCESS
from scanner.scan import scan
from tests.support.paths import FIXTURES, REPO
from tests.support.terraform_fixtures import line_of


@cache
def _exposures(folder: str) -> tuple[Exposure, ...]:
    result = scan([FIXTURES / folder], ScanOptions(root=REPO))
    assert not result.all_errors, result.all_errors
    return tuple(result.exposures)


def traits(folder: str, workload: str) -> dict[str, Trait]:
    """The traits of one workload of a fixture folder, by rule id (the first of each)."""
    return {rule: found[0] for rule, found in all_traits(folder, workload).items()}


def all_traits(folder: str, workload: str) -> dict[str, list[Trait]]:
    """Every trait of one workload of a fixture folder, by rule id."""
    found = [e for e in _exposures(folder) if e.workload == workload]
    assert len(found) <= 1
    out: dict[str, list[Trait]] = {}
    for trait in found[0].traits if found else ():
        out.setdefault(trait.rule_id, []).append(trait)
    return out


def at(trait: Trait, folder: str, file: str, needle: str, occurrence: int = 1) -> bool:
    """The trait points at the line of ``folder/file`` holding ``needle``."""
    path = FIXTURES / folder / file
    return trait.location.span.file == f"fixtures/{folder}/{file}" and trait.location.span.line == line_of(
        path, needle, occurrence
    )


# --- attributes that echo an argument ------------------------------------------------------------

ECHO = "terraform/attributes-echo-arguments"


def test_ssh_from_the_vpc_block_is_not_from_the_internet() -> None:
    for workload in ("aws_instance.internal", "aws_instance.from_internal"):
        found = traits(ECHO, workload)
        assert set(found) == {PUBLIC_IP}, workload
        assert at(found[PUBLIC_IP], ECHO, "main.tf", "map_public_ip_on_launch = true")


def test_an_address_only_aws_assigns_stays_an_assumed_source() -> None:
    found = traits(ECHO, "aws_instance.from_peer")
    # the source is not known offline: reachable and SSH to the world are possible, not certain
    assert set(found) == {PUBLIC_IP, INTERNET_REACHABLE, REMOTE_ACCESS, OPEN_SECURITY_GROUP}
    assert not found[PUBLIC_IP].possible
    assert all(found[r].possible for r in (INTERNET_REACHABLE, REMOTE_ACCESS, OPEN_SECURITY_GROUP))
    reachable = found[INTERNET_REACHABLE]
    assert at(reachable, ECHO, "main.tf", "${aws_instance.peer.private_ip}/32")
    assert any("aws_instance.peer.private_ip" in a for a in reachable.assumptions)


# --- iteration keys ------------------------------------------------------------------------------

ITERATION = "terraform/iteration-keys"


def test_dynamic_ingress_over_a_set_of_ports_opens_those_ports() -> None:
    found = all_traits(ITERATION, "aws_instance.admin")
    # SSH and RDP open to the world are an open security group too (one line fixes both)
    assert set(found) == {REMOTE_ACCESS, OPEN_SECURITY_GROUP, PUBLIC_IP, INTERNET_REACHABLE}
    remote = found[REMOTE_ACCESS]
    assert sorted(t.properties["ports"] for t in remote) == ["tcp 22", "tcp 3389"]
    assert sorted(t.properties["ports"] for t in found[OPEN_SECURITY_GROUP]) == ["tcp 22", "tcp 3389"]
    assert all(at(t, ITERATION, "main.tf", 'cidr_blocks = ["0.0.0.0/0"]') for t in remote)
    [reachable] = found[INTERNET_REACHABLE]
    assert "tcp 22, tcp 3389" in reachable.message


# --- override files ------------------------------------------------------------------------------

OVERRIDE = "terraform/override-files"


def test_an_override_that_requires_tokens_removes_imdsv1() -> None:
    web = traits(OVERRIDE, "aws_instance.web")
    assert IMDSV1 not in web
    legacy = traits(OVERRIDE, "aws_instance.legacy")
    # the override of local.legacy_tokens makes tokens optional; the line is where the local is used
    assert at(legacy[IMDSV1], OVERRIDE, "main.tf", "http_tokens = local.legacy_tokens")


def test_rules_an_override_writes_point_at_the_override_file() -> None:
    for workload in ("aws_instance.web", "aws_instance.legacy"):
        found = all_traits(OVERRIDE, workload)
        [remote] = found[REMOTE_ACCESS]  # RDP from the override; SSH was replaced
        assert remote.properties["ports"] == "tcp 3389"
        # the open CIDR is the variable's default as a_override.tf overrides it: the line to edit
        # (issue 16); the override's rule that passes the variable on is a related place
        assert at(remote, OVERRIDE, "a_override.tf", 'default = "0.0.0.0/0"')
        written = remote.related[0].span
        assert (written.file, written.line) == (
            f"fixtures/{OVERRIDE}/override.tf",
            line_of(FIXTURES / OVERRIDE / "override.tf", "cidr_blocks = [var.admin_cidr]", 1),
        )
        assert at(found[INTERNET_REACHABLE][0], OVERRIDE, "a_override.tf", 'default = "0.0.0.0/0"')


# --- the default VPC through data sources ---------------------------------------------------------

DATA_VPC = "reachability/default-vpc-through-data-sources"
DATA_SUBNETS = "reachability/default-subnets-through-data-sources"


def test_an_instance_in_a_subnet_of_the_default_vpc_is_assumed_public_and_reachable() -> None:
    found = traits(DATA_VPC, "aws_instance.web")
    assert set(found) == {REMOTE_ACCESS, OPEN_SECURITY_GROUP, PUBLIC_IP, INTERNET_REACHABLE}
    public = found[PUBLIC_IP]
    assert at(public, DATA_VPC, "main.tf", "filter {")  # the filter that picks the default VPC's subnets
    assert any("data.aws_subnets.default" in a and "assumed true" in a for a in public.assumptions)
    reachable = found[INTERNET_REACHABLE]
    assert reachable.properties["ports"] == "tcp 22"  # 8080 is open to 172.31.0.0/16 only
    assert at(reachable, DATA_VPC, "main.tf", 'cidr_blocks = ["0.0.0.0/0"]')
    assert [(s.kind, s.address) for s in reachable.path[:4]] == [
        ("internet", "internet"),
        ("internet_gateway", "data.aws_vpc.default#internet-gateway"),
        ("route_table", "implicit main route table"),
        ("route", "data.aws_vpc.default#main-route-table.route[0]"),
    ]


def test_an_instance_placed_by_its_launch_template_in_the_default_vpc() -> None:
    found = traits(DATA_VPC, "aws_instance.worker")
    assert set(found) == {REMOTE_ACCESS, OPEN_SECURITY_GROUP, PUBLIC_IP, INTERNET_REACHABLE}
    assert at(found[PUBLIC_IP], DATA_VPC, "main.tf", "filter {")
    assert found[INTERNET_REACHABLE].assumptions


def test_an_autoscaling_group_behind_a_load_balancer_in_the_default_vpc() -> None:
    found = traits(DATA_VPC, "aws_autoscaling_group.app")
    assert set(found) == {PUBLIC_IP, INTERNET_REACHABLE}
    reachable = found[INTERNET_REACHABLE]
    assert reachable.properties["ports"] == "tcp 8080"
    assert at(reachable, DATA_VPC, "main.tf", "security_groups = [aws_security_group.alb.id]")
    assert reachable.path[1].address == "aws_lb.app"


def test_subnets_of_a_vpc_not_known_to_be_the_default_stay_unknown() -> None:
    found = traits(DATA_VPC, "aws_instance.shared")
    # Unknown is not "no": a public address and the path through it are possible, not certain.
    assert set(found) == {REMOTE_ACCESS, OPEN_SECURITY_GROUP, PUBLIC_IP, INTERNET_REACHABLE}
    assert not found[REMOTE_ACCESS].possible and not found[OPEN_SECURITY_GROUP].possible
    assert found[PUBLIC_IP].possible and found[INTERNET_REACHABLE].possible
    assert any("data.aws_subnets.shared" in a for a in found[PUBLIC_IP].assumptions)


def test_default_subnets_give_public_addresses_without_assumptions() -> None:
    found = traits(DATA_SUBNETS, "aws_instance.bastion")
    assert set(found) == {REMOTE_ACCESS, OPEN_SECURITY_GROUP, PUBLIC_IP, INTERNET_REACHABLE}
    assert at(found[PUBLIC_IP], DATA_SUBNETS, "main.tf", "default_for_az    = true")
    assert found[PUBLIC_IP].assumptions == () and found[INTERNET_REACHABLE].assumptions == ()
    assert at(found[INTERNET_REACHABLE], DATA_SUBNETS, "main.tf", 'cidr_blocks = ["0.0.0.0/0"]')
    # one argument away: no public address, no path from the internet
    assert set(traits(DATA_SUBNETS, "aws_instance.worker")) == {REMOTE_ACCESS, OPEN_SECURITY_GROUP}
