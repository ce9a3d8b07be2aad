"""The severity table, row by row, and the fix ranking that follows from it."""

from __future__ import annotations

import pytest

from scanner.exposure import attack_path, build_exposure, severity_of
from scanner.findings import Evidence, PathStep, Severity, Trait
from scanner.model import Instance
from scanner.rules.admin_role import ID as ADMIN_ROLE
from scanner.rules.exploitable_vulnerability import ID as EXPLOITABLE_VULNERABILITY
from scanner.rules.imdsv1 import ID as IMDSV1
from scanner.rules.internet_reachable import ID as INTERNET_REACHABLE
from scanner.rules.open_security_group import ID as OPEN_SECURITY_GROUP
from scanner.rules.public_ip import ID as PUBLIC_IP
from scanner.rules.remote_access import ID as REMOTE_ACCESS
from scanner.rules.service_admin_role import ID as SERVICE_ADMIN_ROLE
from scanner.rules.vpc_reachable import ID as VPC_REACHABLE
from scanner.rules.vulnerability import ID as VULNERABILITY
from scanner.values import Span

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
NET, VPC, EXP, ADM, SVC = INTERNET_REACHABLE, VPC_REACHABLE, EXPLOITABLE_VULNERABILITY, ADMIN_ROLE, SERVICE_ADMIN_ROLE


@pytest.mark.parametrize(
    ("rule_ids", "expected"),
    [
        # critical: internet + exploitable vulnerability
        ({NET, EXP}, C),
        ({NET, EXP, PUBLIC_IP, OPEN_SECURITY_GROUP}, C),
        # critical: internet + admin + (IMDSv1 or remote access)
        ({NET, ADM, IMDSV1}, C),
        ({NET, ADM, REMOTE_ACCESS}, C),
        # high: internet + one of admin / service-admin / IMDSv1 / remote access
        ({NET, ADM}, H),
        ({NET, SVC}, H),
        ({NET, SVC, IMDSV1}, H),  # service-admin is not admin for the critical row
        ({NET, IMDSV1}, H),
        ({NET, REMOTE_ACCESS, PUBLIC_IP}, H),
        # high: VPC + exploitable + admin/service-admin
        ({VPC, EXP, ADM}, H),
        ({VPC, EXP, SVC}, H),
        # medium: internet with nothing from the rows above
        ({NET}, M),
        ({NET, OPEN_SECURITY_GROUP, PUBLIC_IP}, M),
        ({NET, VULNERABILITY}, M),
        # medium: VPC + (exploitable or admin/service-admin)
        ({VPC, EXP}, M),
        ({VPC, ADM}, M),
        ({VPC, SVC, IMDSV1}, M),
        # medium: admin + IMDSv1 without reachability
        ({ADM, IMDSV1}, M),
        ({ADM, IMDSV1, PUBLIC_IP, OPEN_SECURITY_GROUP}, M),
        # low: everything else
        ({SVC, IMDSV1}, L),
        ({ADM}, L),
        ({EXP}, L),
        ({EXP, ADM, REMOTE_ACCESS}, L),  # no reachability at all
        ({VPC}, L),
        ({VPC, IMDSV1, REMOTE_ACCESS}, L),
        ({PUBLIC_IP, OPEN_SECURITY_GROUP, REMOTE_ACCESS}, L),  # open, but no path: not reachable
        ({VULNERABILITY}, L),
    ],
)
def test_severity_table(rule_ids: set[str], expected: Severity) -> None:
    assert severity_of(rule_ids) is expected


def test_no_trait_is_no_severity() -> None:
    assert severity_of(()) is None
    assert severity_of(set()) is None


def test_order_and_duplicates_do_not_matter() -> None:
    assert severity_of([IMDSV1, NET, ADM, ADM]) is severity_of((ADM, NET, IMDSV1)) is C


# --- building an exposure ---------------------------------------------------------------

WORKLOAD = Instance(address="aws_instance.web", kind="aws_instance", span=Span("main.tf", 1, 20))


def trait(rule_id: str, line: int, address: str = "aws_instance.web", path: tuple[PathStep, ...] = ()) -> Trait:
    return Trait(
        rule_id,
        "aws_instance.web",
        f"{rule_id} here",
        Evidence(Span("main.tf", line, line), address, rule_id),
        path=path,
    )


def build(*traits: Trait):  # type: ignore[no-untyped-def]
    exposure = build_exposure("cfg", WORKLOAD, list(traits))
    assert exposure is not None
    return exposure


def test_no_traits_no_exposure() -> None:
    assert build_exposure("cfg", WORKLOAD, []) is None


def test_exposure_carries_workload_and_severity() -> None:
    exposure = build(trait(NET, 3), trait(IMDSV1, 5))
    assert (exposure.configuration, exposure.workload, exposure.workload_kind) == (
        "cfg",
        "aws_instance.web",
        "aws_instance",
    )
    assert exposure.workload_span == Span("main.tf", 1, 20)
    assert exposure.severity is H


def test_traits_sorted_deterministically() -> None:
    traits = [trait(VULNERABILITY, 2), trait(NET, 9), trait(IMDSV1, 7), trait(NET, 3), trait(ADM, 1)]
    forward = build(*traits)
    backward = build(*reversed(traits))
    assert forward.traits == backward.traits
    assert [(t.rule_id, t.location.span.line) for t in forward.traits] == [
        (IMDSV1, 7),
        (ADM, 1),
        (NET, 3),
        (NET, 9),
        (VULNERABILITY, 2),
    ]
    assert forward.fixes == backward.fixes


# --- the attack path ------------------------------------------------------------------------

INTERNET = PathStep("internet", "internet", "the internet")
INSTANCE = PathStep("instance", "aws_instance.web", "instance", Span("main.tf", 1, 20))


def test_path_prefers_internet_gateway_then_load_balancer() -> None:
    via_lb = (INTERNET, PathStep("load_balancer", "aws_lb.a", "lb", Span("main.tf", 30, 30)), INSTANCE)
    via_igw = (
        INTERNET,
        PathStep("internet_gateway", "aws_internet_gateway.a", "igw", Span("main.tf", 40, 40)),
        PathStep("route", "aws_route.a", "route"),
        INSTANCE,
    )
    private = (INTERNET, PathStep("vpn_gateway", "aws_vpn_gateway.a", "vgw"), INSTANCE)
    traits = [trait(NET, 30, path=via_lb), trait(NET, 35, path=private), trait(NET, 40, path=via_igw)]
    assert attack_path(traits) == via_igw
    assert attack_path(traits[:2]) == via_lb
    assert attack_path(traits[1:2]) == private


def test_path_appends_role_steps_of_the_admin_trait() -> None:
    network = (INTERNET, INSTANCE)
    role_steps = (
        PathStep("instance_profile", "aws_iam_instance_profile.p", "profile", Span("main.tf", 50, 50)),
        PathStep("role", "aws_iam_role.r", "role"),
        PathStep("policy_statement", "aws_iam_policy.admin", "Action * on *", Span("main.tf", 60, 60)),
    )
    service = (PathStep("policy_statement", "aws_iam_policy.s3", "s3:*", Span("main.tf", 70, 70)),)
    exposure = build(
        trait(NET, 3, path=network), trait(SVC, 70, path=service), trait(ADM, 60, path=(INSTANCE, *role_steps))
    )
    assert exposure.path == (*network, *role_steps)
    only_service = build(trait(NET, 3, path=network), trait(SVC, 70, path=service))
    assert only_service.path == (*network, *service)


def test_path_falls_back_to_vpc_reachability() -> None:
    peer = (PathStep("vpc_peering", "aws_vpc_peering_connection.p", "peer"), INSTANCE)
    exposure = build(trait(VPC, 3, path=peer), trait(EXP, 4))
    assert exposure.path == peer
    assert build(trait(EXP, 4)).path == ()
