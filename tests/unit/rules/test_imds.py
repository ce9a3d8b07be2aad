"""ec2-imdsv1: instance, launch template / configuration and account default, attribute by attribute."""

from __future__ import annotations

from dataclasses import replace

from scanner.findings import Trait
from scanner.model import (
    AutoScalingGroup,
    Instance,
    InstanceMetadataDefaults,
    LaunchTemplate,
    MetadataOptions,
)
from scanner.rules import imdsv1
from scanner.values import Origin, ResourceRef, Span, Unknown
from scanner.workload import WorkloadContext
from tests.support.rule_checks import run_checks

IMDSV1 = imdsv1.ID


def imds_traits(ctx: WorkloadContext) -> list[Trait]:
    return run_checks(ctx, imdsv1)[0]


FILE = "main.tf"
INSTANCE = "aws_instance.web"
TEMPLATE = "aws_launch_template.app"
ASG = "aws_autoscaling_group.app"


def span(line: int, end: int | None = None, file: str = FILE) -> Span:
    return Span(file, line, end if end is not None else line)


def options(line: int, tokens: object = None, endpoint: object = None, file: str = FILE) -> MetadataOptions:
    attr_spans = {}
    if tokens is not None:
        attr_spans["http_tokens"] = span(line + 1, file=file)
    if endpoint is not None:
        attr_spans["http_endpoint"] = span(line + 2, file=file)
    return MetadataOptions(
        span=span(line, line + 3, file), attr_spans=attr_spans, http_tokens=tokens, http_endpoint=endpoint
    )  # type: ignore[arg-type]


def instance(metadata: MetadataOptions | None = None, template: object = None) -> Instance:
    attr_spans = {"launch_template": span(4)} if template is not None else {}
    return Instance(
        address=INSTANCE,
        kind="aws_instance",
        span=span(1, 12),
        attr_spans=attr_spans,
        metadata=metadata,
        launch_template=template,
    )  # type: ignore[arg-type]


def template(metadata: MetadataOptions | None = None, configuration: bool = False) -> LaunchTemplate:
    return LaunchTemplate(
        address=TEMPLATE,
        kind="aws_launch_template",
        span=span(20, 40),
        metadata=metadata,
        is_launch_configuration=configuration,
    )


def asg(uses_configuration: bool = False) -> AutoScalingGroup:
    ref = ResourceRef(TEMPLATE)
    if uses_configuration:
        return AutoScalingGroup(
            address=ASG,
            kind="aws_autoscaling_group",
            span=span(50, 60),
            attr_spans={"launch_configuration": span(52)},
            launch_configuration=ref,
        )
    return AutoScalingGroup(
        address=ASG,
        kind="aws_autoscaling_group",
        span=span(50, 60),
        attr_spans={"launch_template": span(53)},
        launch_template=ref,
    )


def defaults(tokens: str | None) -> InstanceMetadataDefaults:
    return InstanceMetadataDefaults(
        address="aws_ec2_instance_metadata_defaults.this",
        kind="aws_ec2_instance_metadata_defaults",
        span=span(70, 73),
        attr_spans={"http_tokens": span(71)},
        http_tokens=tokens,
    )


def ctx(
    workload: Instance | AutoScalingGroup,
    lt: LaunchTemplate | None = None,
    account: InstanceMetadataDefaults | None = None,
) -> WorkloadContext:
    return WorkloadContext(workload=workload, configuration=".", launch_template=lt, metadata_defaults=account)


def only(traits: list[Trait]) -> Trait:
    assert len(traits) == 1, [t.message for t in traits]
    trait = traits[0]
    assert trait.rule_id == IMDSV1
    return trait


# --- the instance alone -------------------------------------------------------------------


def test_instance_without_metadata_options_allows_v1() -> None:
    trait = only(imds_traits(ctx(instance())))
    assert trait.workload == INSTANCE
    assert trait.location.span == span(1, 12)
    assert trait.location.address == INSTANCE
    assert trait.properties["http_tokens"] == "optional"
    assert not trait.assumptions


def test_tokens_required_is_clean() -> None:
    assert imds_traits(ctx(instance(options(5, tokens="required")))) == []


def test_tokens_optional_points_at_the_tokens_line() -> None:
    trait = only(imds_traits(ctx(instance(options(5, tokens="optional")))))
    assert trait.location.span == span(6)
    assert '"optional"' in trait.message


def test_block_without_tokens_points_at_the_block() -> None:
    trait = only(imds_traits(ctx(instance(options(5, endpoint="enabled")))))
    assert trait.location.span == span(5, 8)


def test_endpoint_disabled_turns_the_service_off() -> None:
    assert imds_traits(ctx(instance(options(5, tokens="optional", endpoint="disabled")))) == []
    assert imds_traits(ctx(instance(options(5, endpoint="disabled")))) == []


def test_unknown_tokens_is_reported_with_an_assumption() -> None:
    trait = only(imds_traits(ctx(instance(options(5, tokens=Unknown("var.http_tokens has no value"))))))
    assert trait.assumptions
    assert "not known" in trait.message
    assert trait.location.span == span(6)
    assert trait.properties["http_tokens"] == "unknown"


def test_unknown_endpoint_with_optional_tokens_assumes_enabled() -> None:
    trait = only(imds_traits(ctx(instance(options(5, tokens="optional", endpoint=Unknown("var.endpoint"))))))
    assert any("http_endpoint" in a for a in trait.assumptions)


# --- launch templates -----------------------------------------------------------------------


def test_instance_setting_wins_over_the_template() -> None:
    lt = template(options(25, tokens="required"))
    trait = only(imds_traits(ctx(instance(options(5, tokens="optional"), ResourceRef(TEMPLATE)), lt)))
    assert trait.location.span == span(6)
    assert trait.location.address == INSTANCE
    lt = template(options(25, tokens="optional"))
    assert imds_traits(ctx(instance(options(5, tokens="required"), ResourceRef(TEMPLATE)), lt)) == []


def test_template_fills_what_the_instance_leaves_unset() -> None:
    lt = template(options(25, tokens="required"))
    assert imds_traits(ctx(instance(options(5, endpoint="enabled"), ResourceRef(TEMPLATE)), lt)) == []
    # per attribute: the template's endpoint "disabled" holds even though the instance sets tokens
    lt = template(options(25, endpoint="disabled"))
    assert imds_traits(ctx(instance(options(5, tokens="optional"), ResourceRef(TEMPLATE)), lt)) == []


def test_template_applies_to_an_auto_scaling_group() -> None:
    assert imds_traits(ctx(asg(), template(options(25, tokens="required")))) == []
    trait = only(imds_traits(ctx(asg(), template(options(25, tokens="optional")))))
    assert trait.workload == ASG
    assert trait.location.span == span(26)
    assert trait.location.address == TEMPLATE
    assert any(e.address == ASG and e.span == span(53) for e in trait.related)


def test_template_without_metadata_options_is_where_the_fix_goes() -> None:
    trait = only(imds_traits(ctx(asg(), template())))
    assert trait.location.address == TEMPLATE
    assert trait.location.span == span(20, 40)
    assert any(e.address == ASG for e in trait.related)


def test_template_block_without_tokens() -> None:
    trait = only(imds_traits(ctx(asg(), template(options(25, endpoint="enabled")))))
    assert trait.location.span == span(25, 28)
    assert trait.location.address == TEMPLATE


def test_launch_configuration_applies_to_an_auto_scaling_group() -> None:
    lc = template(options(25, tokens="required"), configuration=True)
    assert imds_traits(ctx(asg(uses_configuration=True), lc)) == []
    trait = only(imds_traits(ctx(asg(uses_configuration=True), template(configuration=True))))
    assert trait.location.address == TEMPLATE
    assert any(e.span == span(52) for e in trait.related)


def test_cloudformation_instance_gets_options_only_from_its_launch_template() -> None:
    file = "stack.yaml"
    cfn_instance = Instance(
        address="WebServer",
        kind="AWS::EC2::Instance",
        span=span(3, 15, file),
        attr_spans={"launch_template": span(6, 8, file)},
        launch_template=ResourceRef("AppLT"),
    )
    secure = LaunchTemplate(
        address="AppLT",
        kind="AWS::EC2::LaunchTemplate",
        span=span(20, 35, file),
        metadata=options(27, tokens="required", file=file),
    )
    assert imds_traits(ctx(cfn_instance, secure)) == []
    bare = LaunchTemplate(address="AppLT", kind="AWS::EC2::LaunchTemplate", span=span(20, 35, file))
    trait = only(imds_traits(ctx(cfn_instance, bare)))
    assert trait.workload == "WebServer"
    assert trait.location.address == "AppLT"
    assert trait.location.span == span(20, 35, file)


def test_template_not_in_the_configuration_is_unknown() -> None:
    trait = only(imds_traits(ctx(instance(template="lt-0123456789abcdef0"))))
    assert trait.assumptions
    assert trait.location.span == span(4)
    assert "not known" in trait.message


# --- the account default --------------------------------------------------------------------


def test_account_default_required_covers_unset_instances() -> None:
    assert imds_traits(ctx(instance(), account=defaults("required"))) == []
    assert imds_traits(ctx(asg(), template(), account=defaults("required"))) == []


def test_account_default_optional_points_at_the_default() -> None:
    trait = only(imds_traits(ctx(instance(), account=defaults("optional"))))
    assert trait.location.span == span(71)
    assert any(e.address == INSTANCE for e in trait.related)


def test_account_default_no_preference_means_aws_default() -> None:
    trait = only(imds_traits(ctx(instance(), account=defaults("no-preference"))))
    assert trait.location.span == span(1, 12)


def test_instance_and_template_win_over_the_account_default() -> None:
    trait = only(imds_traits(ctx(instance(options(5, tokens="optional")), account=defaults("required"))))
    assert trait.location.span == span(6)
    lt = template(options(25, tokens="required"))
    assert imds_traits(ctx(asg(), lt, account=defaults("optional"))) == []


# --- unknown is not "no": possible traits name what decides them ------------------------------

TOKENS_VAR = Origin("variable", "var.http_tokens", fill_in="--var http_tokens=...")


def test_unknown_tokens_names_its_origin() -> None:
    unknown = Unknown("var.http_tokens has no value", origins=(TOKENS_VAR,))
    trait = only(imds_traits(ctx(instance(options(5, tokens=unknown)))))
    assert trait.possible and trait.unknowns == (TOKENS_VAR,)
    assert 'assumed not "required"' in trait.assumptions[0]


def test_template_named_by_a_variable_names_the_variable() -> None:
    template_var = Origin("variable", "var.launch_template_id")
    trait = only(imds_traits(ctx(instance(template=Unknown("var.launch_template_id", origins=(template_var,))))))
    assert trait.possible and trait.unknowns == (template_var,)


def test_required_account_default_that_may_not_exist_is_possible_not_a_quiet_no() -> None:
    count = Origin("count", "count of aws_ec2_instance_metadata_defaults.this")
    maybe = replace(defaults("required"), existence=Unknown("count is unknown", origins=(count,)))
    trait = only(imds_traits(ctx(instance(), account=maybe)))
    assert trait.possible and trait.unknowns == (count,)
    assert "may not exist" in trait.assumptions[0]


def test_optional_account_default_that_may_not_exist_stays_certain() -> None:
    maybe = replace(defaults("optional"), existence=Unknown("count is unknown", origins=(Origin("count", "c"),)))
    trait = only(imds_traits(ctx(instance(), account=maybe)))
    assert not trait.possible and trait.unknowns == ()


def test_known_optional_tokens_with_an_unknown_image_stays_certain() -> None:
    unknown_ami = Unknown("data.aws_ami.x.id", origins=(Origin("data_source", "data.aws_ami.x"),))
    trait = only(imds_traits(ctx(replace(instance(options(5, tokens="optional")), image=unknown_ami))))
    assert not trait.possible
