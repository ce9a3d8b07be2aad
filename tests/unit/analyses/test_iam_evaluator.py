"""``allows(role, action, resource)``: IAM's evaluation over the union of a role's policies, its
explicit Denies and its permissions boundary, with what cannot be decided offline named."""

from __future__ import annotations

from dataclasses import replace

from scanner.analyses.iam_evaluator import allows, role_permissions
from scanner.analyses.iam_grants import role_grants
from scanner.model import Policy, PolicyAttachment, Role, Statement
from scanner.values import Span, Unknown
from scanner.workload import ResolvedPolicy, RoleContext

FILE = "iam.tf"


def span(line: int) -> Span:
    return Span(FILE, line, line + 3)


def stmt(
    line: int,
    effect: str,
    actions: tuple[str | Unknown, ...] | None,
    resources: tuple[str | Unknown, ...] | None = ("*",),
    **kwargs: object,
) -> Statement:
    return Statement(
        span=span(line),
        effect=effect,
        actions=actions,
        resources=resources,
        not_actions=kwargs.get("not_actions"),  # type: ignore[arg-type]
        not_resources=kwargs.get("not_resources"),  # type: ignore[arg-type]
        has_condition=bool(kwargs.get("conditions")),
        conditions=kwargs.get("conditions", ()),  # type: ignore[arg-type]
    )


def inline(*statements: Statement, address: str = "aws_iam_role_policy.app") -> ResolvedPolicy:
    policy = Policy(address=address, kind="aws_iam_role_policy", span=span(40), statements=statements)
    return ResolvedPolicy(attached_at=span(40), attached_by=address, policy=policy)


def managed(name: str, line: int = 90) -> ResolvedPolicy:
    return ResolvedPolicy(attached_at=span(line), attached_by="aws_iam_role.app", arn=f"arn:aws:iam::aws:policy/{name}")


def role(*policies: ResolvedPolicy, boundary: ResolvedPolicy | None = None, value: object = None) -> RoleContext:
    found = Role(address="aws_iam_role.app", kind="aws_iam_role", span=span(1), permissions_boundary=value)  # type: ignore[arg-type]
    return RoleContext(role=found, policies=policies, boundary=boundary)


BUCKET = "arn:aws:s3:::data"


def answer(context: RoleContext, action: str, resource: str = "*") -> str:
    return allows(role_permissions(context), action, resource).answer


def test_an_allow_applies_by_action_wildcard_and_resource_pattern() -> None:
    context = role(inline(stmt(10, "Allow", ("s3:Get*",), (f"{BUCKET}/*",))))
    assert answer(context, "s3:GetObject", f"{BUCKET}/key") == "yes"
    assert answer(context, "S3:getobject", f"{BUCKET}/key") == "yes"  # actions: any case
    assert answer(context, "s3:PutObject", f"{BUCKET}/key") == "no"
    assert answer(context, "s3:GetObject", "arn:aws:s3:::other/key") == "no"
    assert answer(context, "s3:GetObject", "*") == "no"  # only on that bucket, not on every resource


def test_the_union_of_every_policy_of_the_role() -> None:
    context = role(inline(stmt(10, "Allow", ("ec2:RunInstances",))), managed("AmazonS3FullAccess"))
    decision = allows(role_permissions(context), "s3:PutObject", BUCKET)
    assert decision.answer == "yes"
    assert [s.label for s in decision.granted_by] == ["AmazonS3FullAccess"]
    assert answer(context, "ec2:RunInstances") == "yes"
    assert answer(context, "iam:PassRole") == "no"


def test_not_action_allows_everything_else() -> None:
    context = role(inline(stmt(10, "Allow", None, not_actions=("iam:*",))))
    assert answer(context, "s3:PutObject") == "yes"
    assert answer(context, "iam:PassRole") == "no"


def test_an_explicit_deny_wins_wherever_it_is() -> None:
    context = role(
        managed("AdministratorAccess"),
        inline(stmt(10, "Deny", ("iam:*",)), address="aws_iam_role_policy.guard"),
    )
    decision = allows(role_permissions(context), "iam:PassRole")
    assert decision.answer == "no"
    assert decision.reasons == ("denied by aws_iam_role_policy.guard line 10",)
    assert answer(context, "s3:PutObject") == "yes"


def test_a_condition_makes_the_allow_possible_and_is_named() -> None:
    context = role(inline(stmt(10, "Allow", ("iam:PassRole",), conditions=("StringEquals iam:PassedToService",))))
    decision = allows(role_permissions(context), "iam:PassRole")
    assert decision.answer == "possible"
    assert decision.reasons == (
        "aws_iam_role_policy.app line 10 allows it, but its Condition (StringEquals iam:PassedToService) "
        "is not decided offline",
    )


def test_a_deny_under_a_condition_makes_the_answer_possible() -> None:
    context = role(
        managed("AdministratorAccess"),
        inline(stmt(10, "Deny", ("iam:*",), conditions=("Bool aws:MultiFactorAuthPresent",))),
    )
    decision = allows(role_permissions(context), "iam:CreateUser")
    assert decision.answer == "possible"
    assert "Bool aws:MultiFactorAuthPresent" in decision.reasons[0]


def test_the_boundary_intersects() -> None:
    boundary = ResolvedPolicy(
        attached_at=span(5), attached_by="aws_iam_role.app", arn="arn:aws:iam::aws:policy/AmazonS3FullAccess"
    )
    context = role(managed("AdministratorAccess"), boundary=boundary, value=boundary.arn)
    assert answer(context, "s3:PutObject") == "yes"
    decision = allows(role_permissions(context), "ec2:RunInstances")
    assert decision.answer == "no"
    assert decision.reasons == ("the permissions boundary AmazonS3FullAccess does not allow it",)
    # the boundary grants nothing by itself
    assert answer(role(boundary=boundary, value=boundary.arn), "s3:PutObject") == "no"


def test_an_unknown_boundary_or_policy_is_possible_with_its_reason() -> None:
    value = Unknown("variable boundary_arn has no value")
    boundary = ResolvedPolicy(attached_at=span(5), attached_by="aws_iam_role.app")
    decision = allows(
        role_permissions(role(managed("AdministratorAccess"), boundary=boundary, value=value)), "s3:GetObject"
    )
    assert decision.answer == "possible"
    assert decision.reasons == (
        "the permissions boundary is not known offline (variable boundary_arn has no value): it may not allow it",
    )
    unlisted = allows(role_permissions(role(managed("AmazonExampleUnlistedPolicy"))), "iam:PassRole")
    assert unlisted.answer == "possible"
    assert "AmazonExampleUnlistedPolicy is not in the bundled AWS managed policy documents" in unlisted.reasons[0]


def test_unknown_items_and_existence_make_it_possible() -> None:
    unknown = Unknown("var.actions has no value")
    assert answer(role(inline(stmt(10, "Allow", (unknown,)))), "s3:GetObject") == "possible"
    assert answer(role(inline(stmt(10, "Allow", ("s3:*",), (Unknown("bucket arn"),)))), "s3:GetObject", BUCKET) == (
        "possible"
    )
    maybe = inline(stmt(10, "Allow", ("s3:*",)))
    attachment = PolicyAttachment(
        address="aws_iam_role_policy_attachment.x", kind="x", span=span(90), existence=unknown
    )
    decision = allows(role_permissions(role(replace(maybe, attachment=attachment))), "s3:GetObject")
    assert decision.answer == "possible"
    assert "aws_iam_role_policy_attachment.x may not exist" in decision.reasons[0]


def test_not_resource_on_every_resource_is_possible() -> None:
    context = role(inline(stmt(10, "Allow", ("s3:*",), None, not_resources=(f"{BUCKET}/secret",))))
    assert answer(context, "s3:GetObject", f"{BUCKET}/key") == "yes"
    assert answer(context, "s3:GetObject", f"{BUCKET}/secret") == "no"
    assert answer(context, "s3:GetObject") == "possible"


def test_answers_are_per_role_and_shared_by_equal_contexts() -> None:
    policies = (managed("AdministratorAccess"),)
    first = role(*policies)
    again = RoleContext(role=first.role, policies=policies)  # another workload with the same role
    assert role_permissions(first) is role_permissions(again)
    assert role_grants(first) is role_grants(again)
    permissions = role_permissions(first)
    decision = allows(permissions, "iam:PassRole")
    assert allows(permissions, "IAM:PassRole") is decision
