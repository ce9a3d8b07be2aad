"""ec2-admin-role / ec2-service-admin-role: statements, AWS managed policies, whole roles."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scanner.analyses.iam import managed_policy_verdict, statement_grants
from scanner.findings import Trait
from scanner.model import (
    AutoScalingGroup,
    Instance,
    InstanceProfile,
    LaunchTemplate,
    Policy,
    PolicyAttachment,
    Role,
    Statement,
)
from scanner.rules import admin_role, service_admin_role
from scanner.values import Origin, ResourceRef, Span, Unknown
from scanner.workload import ResolvedPolicy, RoleContext, WorkloadContext
from tests.support.rule_checks import run_checks

ADMIN_ROLE = admin_role.ID
SERVICE_ADMIN_ROLE = service_admin_role.ID


def role_traits(ctx: WorkloadContext) -> list[Trait]:
    return run_checks(ctx, admin_role, service_admin_role)[0]


FILE = "iam.tf"
WORKLOAD = "aws_instance.web"
PROFILE_LINE = 6


def span(line: int, end: int | None = None) -> Span:
    return Span(FILE, line, end if end is not None else line)


def allow(line: int, actions: object = "*", resources: object = "*", **kwargs: object) -> Statement:
    return stmt(line, "Allow", actions, resources, **kwargs)


def stmt(line: int, effect: str, actions: object = "*", resources: object = "*", **kwargs: object) -> Statement:
    def as_tuple(value: object) -> tuple[str | Unknown, ...] | None:
        if value is None:
            return None
        return tuple(value) if isinstance(value, (list, tuple)) else (value,)  # type: ignore[arg-type]

    return Statement(
        span=span(line, line + 4),
        effect=effect,
        actions=as_tuple(actions),
        resources=as_tuple(resources),
        not_actions=as_tuple(kwargs.get("not_actions")),
        not_resources=as_tuple(kwargs.get("not_resources")),
        has_condition=bool(kwargs.get("has_condition", False)),
    )


def inline(*statements: Statement, address: str = "aws_iam_role_policy.app") -> ResolvedPolicy:
    policy = Policy(address=address, kind="aws_iam_role_policy", span=span(40, 80), statements=statements)
    return ResolvedPolicy(attached_at=span(41), attached_by=address, policy=policy)


def managed(arn: str, line: int = 90) -> ResolvedPolicy:
    return ResolvedPolicy(attached_at=span(line), attached_by="aws_iam_role.app", arn=arn)


def role_context(*policies: ResolvedPolicy) -> RoleContext:
    role = Role(address="aws_iam_role.app", kind="aws_iam_role", span=span(20, 30))
    return RoleContext(role=role, policies=policies)


def instance_ctx(*policies: ResolvedPolicy) -> WorkloadContext:
    instance = Instance(
        address=WORKLOAD,
        kind="aws_instance",
        span=span(1, 10),
        attr_spans={"instance_profile": span(PROFILE_LINE)},
        instance_profile=ResourceRef("aws_iam_instance_profile.web", "name"),
    )
    profile = InstanceProfile(
        address="aws_iam_instance_profile.web",
        kind="aws_iam_instance_profile",
        span=span(12, 15),
        roles=(ResourceRef("aws_iam_role.app", "name"),),
    )
    return WorkloadContext(
        workload=instance, configuration=".", instance_profile=profile, roles=(role_context(*policies),)
    )


def only(traits: list[Trait]) -> Trait:
    assert len(traits) == 1, [t.message for t in traits]
    return traits[0]


# --- single statements -----------------------------------------------------------------


@pytest.mark.parametrize("actions", ["*", "*:*", ["s3:GetObject", "*"], "*:?*"])
def test_every_action_on_every_resource_is_admin(actions: object) -> None:
    assert statement_grants(allow(1, actions)).grant == "admin"


def test_an_action_without_a_service_prefix_matches_nothing() -> None:
    # IAM refuses it ("Actions/Conditions must be prefaced by a vendor"); only "*" stands alone
    assert statement_grants(allow(1, "*?")).grant == "none"


@pytest.mark.parametrize("actions", ["iam:*", "IAM:*", "i*:*", "iam:*?", ["s3:GetObject", "Iam:*"]])
def test_every_iam_action_is_admin(actions: object) -> None:
    verdict = statement_grants(allow(1, actions))
    assert verdict.grant == "iam-admin"
    assert verdict.is_admin


@pytest.mark.parametrize(("actions", "service"), [("ec2:*", "ec2"), ("S3:*", "s3"), ("ssm:*?", "ssm")])
def test_every_action_of_another_service_is_service_admin(actions: str, service: str) -> None:
    verdict = statement_grants(allow(1, actions))
    assert verdict.grant == "service-admin"
    assert verdict.services == (service,)


@pytest.mark.parametrize("actions", ["s3:GetObject", "s3:Get*", "*:Get*", "s3:*Object", "iam:Get*", "iam:PassRole"])
def test_partial_actions_are_not_admin(actions: str) -> None:
    assert statement_grants(allow(1, actions)).grant == "none"


def test_everything_on_one_bucket_is_not_admin() -> None:
    assert statement_grants(allow(1, "*", "arn:aws:s3:::bucket")).grant == "none"
    assert statement_grants(allow(1, "*", ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"])).grant == "none"
    assert statement_grants(allow(1, "*", ["arn:aws:s3:::bucket", "*"])).grant == "admin"


def test_deny_grants_nothing() -> None:
    assert statement_grants(stmt(1, "Deny", "*")).grant == "none"


def test_not_action_iam_is_service_admin_of_every_other_service() -> None:
    verdict = statement_grants(allow(1, None, not_actions=["iam:*"]))
    assert verdict.grant == "service-admin"
    assert verdict.services == ("*",)
    assert verdict.except_services == ("iam",)


def test_not_action_of_one_s3_action_still_covers_iam() -> None:
    assert statement_grants(allow(1, None, not_actions=["s3:GetObject"])).is_admin


def test_not_action_everything_grants_nothing() -> None:
    assert statement_grants(allow(1, None, not_actions=["*"])).grant == "none"


def test_condition_still_grants_with_an_assumption() -> None:
    verdict = statement_grants(allow(1, "*", has_condition=True))
    assert verdict.grant == "admin"
    assert any("condition" in a for a in verdict.assumptions)


def test_unknown_action_alone_is_no_grant() -> None:
    assert statement_grants(allow(1, [Unknown("var.actions has no value")])).grant == "none"


def test_unknown_action_next_to_a_wildcard_grants_with_an_assumption() -> None:
    verdict = statement_grants(allow(1, [Unknown("var.extra has no value"), "iam:*"]))
    assert verdict.grant == "iam-admin"
    assert any("var.extra" in a for a in verdict.assumptions)


def test_unknown_resource_alone_is_no_grant() -> None:
    assert statement_grants(allow(1, "*", [Unknown("aws_s3_bucket.b.arn is known after apply")])).grant == "none"


def test_not_resource_counts_as_every_resource_with_an_assumption() -> None:
    verdict = statement_grants(allow(1, "*", None, not_resources=["arn:aws:s3:::secret"]))
    assert verdict.grant == "admin"
    assert any("NotResource" in a for a in verdict.assumptions)
    assert statement_grants(allow(1, "*", None, not_resources=["*"])).grant == "none"


def test_statement_without_resource_grants_nothing() -> None:
    assert statement_grants(allow(1, "*", None)).grant == "none"


# --- AWS managed policies --------------------------------------------------------------


@pytest.mark.parametrize("partition", ["aws", "aws-us-gov", "aws-cn", "${AWS::Partition}"])
@pytest.mark.parametrize("name", ["AdministratorAccess", "IAMFullAccess"])
def test_admin_managed_policies_in_every_partition(partition: str, name: str) -> None:
    assert managed_policy_verdict(f"arn:{partition}:iam::aws:policy/{name}").is_admin


def test_full_access_policies_are_service_admin() -> None:
    s3 = managed_policy_verdict("arn:aws:iam::aws:policy/AmazonS3FullAccess")
    assert s3.grant == "service-admin"
    assert "s3" in s3.services
    unlisted = managed_policy_verdict("arn:aws:iam::aws:policy/AmazonTextractFullAccess")
    assert unlisted.grant == "service-admin"


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::123456789012:policy/AdministratorAccess",  # a customer policy of that name
        "arn:aws:iam::aws:policy/${var.policy}",
        "AdministratorAccess",
    ],
)
def test_other_policies_are_not_admin(arn: str) -> None:
    assert managed_policy_verdict(arn).grant == "none"


# --- whole roles ---------------------------------------------------------------------------


def test_admin_statement_trait_points_at_the_statement() -> None:
    trait = only(role_traits(instance_ctx(inline(allow(50, "*")))))
    assert trait.rule_id == ADMIN_ROLE
    assert trait.workload == WORKLOAD
    assert trait.location.span == span(50, 54)
    assert trait.location.address == "aws_iam_role_policy.app"
    related_spans = {e.span for e in trait.related}
    assert {span(20, 30), span(12, 15), span(PROFILE_LINE)} <= related_spans
    assert [step.kind for step in trait.path] == ["instance", "instance_profile", "role", "policy", "policy_statement"]
    assert trait.path[-1].span == span(50, 54)
    assert not trait.assumptions


@pytest.mark.parametrize("partition", ["aws", "aws-us-gov", "aws-cn", "${AWS::Partition}"])
def test_managed_admin_trait_points_at_the_attachment(partition: str) -> None:
    trait = only(role_traits(instance_ctx(managed(f"arn:{partition}:iam::aws:policy/AdministratorAccess", 92))))
    assert trait.rule_id == ADMIN_ROLE
    assert trait.workload == WORKLOAD
    assert trait.location.span == span(92)
    assert "AdministratorAccess" in trait.message


def test_s3_full_access_is_service_admin() -> None:
    trait = only(role_traits(instance_ctx(managed("arn:aws:iam::aws:policy/AmazonS3FullAccess", 93))))
    assert trait.rule_id == SERVICE_ADMIN_ROLE
    assert trait.location.span == span(93)
    assert "s3" in trait.properties["services"]


def test_admin_suppresses_service_admin_on_the_same_workload() -> None:
    traits = role_traits(
        instance_ctx(
            managed("arn:aws:iam::aws:policy/AmazonS3FullAccess", 93),
            inline(allow(50, "ec2:*"), allow(60, "iam:*")),
        )
    )
    assert [t.rule_id for t in traits] == [ADMIN_ROLE]
    assert traits[0].location.span == span(60, 64)


def test_each_admin_statement_is_its_own_trait() -> None:
    traits = role_traits(instance_ctx(inline(allow(50, "*"), allow(60, "iam:*"))))
    assert [t.location.span for t in traits] == [span(50, 54), span(60, 64)]
    assert {t.rule_id for t in traits} == {ADMIN_ROLE}


def test_narrow_statements_give_no_trait() -> None:
    assert role_traits(instance_ctx(inline(allow(50, "s3:GetObject"), allow(60, "*", "arn:aws:s3:::b")))) == []


def test_deny_iam_on_every_resource_leaves_service_admin_only() -> None:
    traits = role_traits(instance_ctx(inline(allow(50, "*"), stmt(60, "Deny", "iam:*"))))
    trait = only(traits)
    assert trait.rule_id == SERVICE_ADMIN_ROLE
    assert trait.location.span == span(50, 54)
    assert trait.properties["except_services"] == ["iam"]


def test_deny_in_another_policy_of_the_role_counts() -> None:
    traits = role_traits(
        instance_ctx(
            inline(allow(50, "s3:*")),
            inline(stmt(70, "Deny", "s3:*"), address="aws_iam_role_policy.guard"),
        )
    )
    assert traits == []


def test_deny_everything_cancels_the_grant() -> None:
    assert role_traits(instance_ctx(inline(allow(50, "*"), stmt(60, "Deny", "*")))) == []


def test_deny_on_named_resources_does_not_cancel() -> None:
    trait = only(role_traits(instance_ctx(inline(allow(50, "*"), stmt(60, "Deny", "*", "arn:aws:s3:::b")))))
    assert trait.rule_id == ADMIN_ROLE


def test_conditional_deny_keeps_the_grant_and_says_so() -> None:
    trait = only(role_traits(instance_ctx(inline(allow(50, "*"), stmt(60, "Deny", "iam:*", has_condition=True)))))
    assert trait.rule_id == ADMIN_ROLE
    assert any("Deny under a condition" in a for a in trait.assumptions)


def test_deny_of_admin_managed_policy_by_inline_deny() -> None:
    traits = role_traits(
        instance_ctx(
            managed("arn:aws:iam::aws:policy/AdministratorAccess", 92),
            inline(stmt(60, "Deny", "*")),
        )
    )
    assert traits == []


def test_condition_on_the_grant_is_an_assumption() -> None:
    trait = only(role_traits(instance_ctx(inline(allow(50, "iam:*", has_condition=True)))))
    assert trait.rule_id == ADMIN_ROLE
    assert trait.assumptions
    assert "condition" in trait.message


def test_not_action_statement_in_a_role() -> None:
    trait = only(role_traits(instance_ctx(inline(allow(50, None, not_actions=["iam:*"])))))
    assert trait.rule_id == SERVICE_ADMIN_ROLE
    admin = only(role_traits(instance_ctx(inline(allow(50, None, not_actions=["s3:GetObject"])))))
    assert admin.rule_id == ADMIN_ROLE
    assert admin.location.span == span(50, 54)


def test_unknown_document_gives_no_trait() -> None:
    policy = Policy(
        address="aws_iam_policy.ext",
        kind="aws_iam_policy",
        span=span(40, 45),
        document_unknown=Unknown("data.aws_iam_policy_document.x.json is known after apply"),
    )
    resolved = ResolvedPolicy(attached_at=span(44), attached_by="aws_iam_role_policy_attachment.a", policy=policy)
    assert role_traits(instance_ctx(resolved)) == []


def test_customer_managed_policy_known_by_arn_only_gives_no_trait() -> None:
    assert role_traits(instance_ctx(managed("arn:aws:iam::123456789012:policy/Admin"))) == []


def test_role_without_policies_and_no_role() -> None:
    assert role_traits(instance_ctx()) == []
    instance = Instance(address=WORKLOAD, kind="aws_instance", span=span(1, 10))
    assert role_traits(WorkloadContext(workload=instance, configuration=".")) == []


def test_customer_managed_policy_statement_points_at_statement_and_attachment() -> None:
    policy = Policy(
        address="aws_iam_policy.admin",
        kind="aws_iam_policy",
        span=span(40, 60),
        managed=True,
        statements=(allow(45, "*"),),
    )
    resolved = ResolvedPolicy(
        attached_at=span(70, 73), attached_by="aws_iam_role_policy_attachment.admin", policy=policy
    )
    trait = only(role_traits(instance_ctx(resolved)))
    assert trait.rule_id == ADMIN_ROLE
    assert trait.location.span == span(45, 49)
    assert span(70, 73) in {e.span for e in trait.related}


def test_auto_scaling_group_gets_its_profile_from_the_launch_template() -> None:
    template = LaunchTemplate(
        address="aws_launch_template.app",
        kind="aws_launch_template",
        span=span(100, 120),
        attr_spans={"instance_profile": span(105)},
        instance_profile=ResourceRef("aws_iam_instance_profile.web", "arn"),
    )
    asg = AutoScalingGroup(
        address="aws_autoscaling_group.app",
        kind="aws_autoscaling_group",
        span=span(130, 140),
        launch_template=ResourceRef("aws_launch_template.app"),
    )
    ctx = WorkloadContext(
        workload=asg,
        configuration=".",
        launch_template=template,
        roles=(role_context(managed("arn:aws:iam::aws:policy/IAMFullAccess", 91)),),
    )
    trait = only(role_traits(ctx))
    assert trait.rule_id == ADMIN_ROLE
    assert trait.workload == "aws_autoscaling_group.app"
    assert trait.location.span == span(91)
    assert span(105) in {e.span for e in trait.related}
    assert [s.kind for s in trait.path][:2] == ["auto_scaling_group", "launch_template"]


# --- unknown is not "no": grants resting on what may not exist are possible --------------------

COUNT = Origin("count", "count of aws_iam_role_policy_attachment.admin")
MAYBE = Unknown("count is unknown", origins=(COUNT,))


def test_managed_admin_attached_by_an_attachment_that_may_not_exist_is_possible() -> None:
    attachment = PolicyAttachment(
        address="aws_iam_role_policy_attachment.admin", kind="x", span=span(90), existence=MAYBE
    )
    resolved = replace(managed("arn:aws:iam::aws:policy/AdministratorAccess"), attachment=attachment)
    [trait] = [t for t in role_traits(instance_ctx(resolved)) if t.rule_id == ADMIN_ROLE]
    assert trait.possible and trait.unknowns == (COUNT,)
    assert "aws_iam_role_policy_attachment.admin may not exist" in trait.assumptions[0]


def test_managed_admin_attached_for_certain_stays_certain() -> None:
    [trait] = [
        t
        for t in role_traits(instance_ctx(managed("arn:aws:iam::aws:policy/AdministratorAccess")))
        if t.rule_id == ADMIN_ROLE
    ]
    assert not trait.possible


def test_a_deny_in_a_policy_that_may_not_exist_does_not_quietly_remove_the_grant() -> None:
    deny_policy = inline(stmt(100, "Deny"), address="aws_iam_role_policy.deny_all")
    maybe_deny = replace(deny_policy, policy=replace(deny_policy.policy, existence=MAYBE))
    traits = role_traits(instance_ctx(inline(allow(50)), maybe_deny))
    [trait] = [t for t in traits if t.rule_id == ADMIN_ROLE]
    assert trait.possible and trait.unknowns == (COUNT,)
    assert any("aws_iam_role_policy.deny_all (a Deny) may not exist" in a for a in trait.assumptions)
    assert [t for t in role_traits(instance_ctx(inline(allow(50)), deny_policy)) if t.rule_id == ADMIN_ROLE] == []
