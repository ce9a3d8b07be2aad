"""A security group the configuration does not define (a data source, a variable, a
CloudFormation parameter, an id): its rules are not known offline, so the paths through it
are possible, never cut, the reference named at the line that attaches it; a known group
that admits nothing still cuts."""

from __future__ import annotations

from collections.abc import Mapping

from scanner.findings import Exposure, Severity
from scanner.options import ScanOptions
from scanner.rules.internet_reachable import ID as REACHABLE
from scanner.rules.remote_access import ID as REMOTE_ACCESS
from scanner.scan import scan
from tests.support.paths import FIXTURES, REPO

UNKNOWNS = FIXTURES / "unknowns"


def exposures(folder: str, parameters: Mapping[str, str] | None = None) -> dict[str, Exposure]:
    result = scan([UNKNOWNS / folder], ScanOptions(root=REPO, parameters=dict(parameters or {})))
    return {e.workload: e for e in result.exposures}


def test_a_group_read_from_a_data_source_makes_the_internet_path_possible_at_the_attaching_line() -> None:
    web = exposures("group-from-data-source")["aws_instance.web"]
    reachable = next(t for t in web.traits if t.rule_id == REACHABLE)
    assert reachable.possible
    assert reachable.location.span.line == 41  # vpc_security_group_ids = [data.aws_security_group.shared_web.id]
    assert {(o.kind, o.name, o.span.line) for o in reachable.unknowns if o.span} == {
        ("data_source", "data.aws_security_group.shared_web", 30)
    }
    assert any("its rules are not known offline" in a for a in reachable.assumptions)
    assert web.severity == Severity.LOW  # the public address holds; the rest rests on the group
    assert web.possible_severity == Severity.HIGH


def test_a_group_not_known_may_be_open_to_the_world_and_says_so() -> None:
    web = exposures("group-from-data-source")["aws_instance.web"]
    remote = next(t for t in web.traits if t.rule_id == REMOTE_ACCESS)
    assert remote.possible
    assert remote.location.span.line == 41
    assert remote.assumptions == (
        "security group data.aws_security_group.shared_web: its rules are not known offline "
        "(data.aws_security_group.shared_web.id is read at apply time); assumed they admit the whole internet",
    )


def test_a_known_group_that_admits_nothing_still_cuts_the_path() -> None:
    closed = exposures("group-from-data-source")["aws_instance.closed"]
    assert [t.rule_id for t in closed.traits] == ["ec2-public-ip"]
    result = scan([UNKNOWNS / "group-from-data-source"], ScanOptions(root=REPO))
    paths = next(w for w in result.workload_paths if w.workload == "aws_instance.closed").paths
    gateway = next(p for p in paths if p.via == "gateway" and p.family == "IPv4")
    assert gateway.verdict == "cut"
    assert gateway.hop == "aws_security_group.closed"


def test_groups_from_a_cloudformation_parameter_make_the_path_possible_naming_the_parameter() -> None:
    web = exposures("group-from-parameter")["Web"]
    reachable = next(t for t in web.traits if t.rule_id == REACHABLE)
    assert reachable.possible
    assert reachable.location.span.line == 49  # SecurityGroupIds: !Ref WebSecurityGroupIds
    assert {(o.kind, o.name, o.span.line) for o in reachable.unknowns if o.span} == {
        ("parameter", "WebSecurityGroupIds", 6)
    }


def test_a_group_id_given_as_a_parameter_is_still_a_group_whose_rules_are_not_known() -> None:
    web = exposures("group-from-parameter", {"WebSecurityGroupIds": "sg-0123456789abcdef0"})["Web"]
    reachable = next(t for t in web.traits if t.rule_id == REACHABLE)
    assert reachable.possible
    assert any("sg-0123456789abcdef0" in a and "not defined in this configuration" in a for a in reachable.assumptions)


def test_a_launch_templates_group_not_known_reaches_its_auto_scaling_group() -> None:
    """The group comes from the launch template the instances launch from: without it the
    workload would have no group and the path would be cut for want of one."""
    for file, workload, line, origin in (
        ("main.tf", "aws_autoscaling_group.web", 41, ("data_source", "data.aws_security_group.shared_web", 31)),
        ("template.yaml", "WebGroup", 49, ("parameter", "WebGroupId", 7)),
    ):
        result = scan([UNKNOWNS / "launch-template-group-not-known" / file], ScanOptions(root=REPO))
        web = next(e for e in result.exposures if e.workload == workload)
        reachable = next(t for t in web.traits if t.rule_id == REACHABLE)
        assert reachable.possible
        assert reachable.location.span.line == line  # the template's security group line
        assert origin in {(o.kind, o.name, o.span.line) for o in reachable.unknowns if o.span}
        assert web.possible_severity == Severity.HIGH
        paths = next(w for w in result.workload_paths if w.workload == workload).paths
        gateway = next(p for p in paths if p.via == "gateway" and p.family == "IPv4")
        assert gateway.verdict == "possible"
