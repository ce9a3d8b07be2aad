"""ec2-imdsv1 on an Auto Scaling group that launches from several launch templates (its mixed
instances policy's overrides bring their own): each template is evaluated on its own."""

from __future__ import annotations

from scanner.findings import Trait
from scanner.fingerprints import fingerprint
from scanner.model import LaunchTemplate, MetadataOptions
from scanner.rules import imdsv1
from scanner.values import ResourceRef, Span, Unknown
from scanner.workload import LaunchTemplateUse, WorkloadContext
from tests.unit.rules.test_imds import ASG, TEMPLATE, asg, ctx, defaults, imds_traits, options, span, template

OVERRIDE = "aws_launch_template.compute"
BASE_AT = span(53)  # the group's launch template line (test_imds.asg)
OVERRIDE_AT = span(57, 59)  # the override's launch_template_specification


def compute(metadata: MetadataOptions | None = None) -> LaunchTemplate:
    return LaunchTemplate(address=OVERRIDE, kind="aws_launch_template", span=span(80, 90), metadata=metadata)


def mixed(
    base: LaunchTemplate | None,
    override: LaunchTemplate | None,
    base_types: tuple[str, ...] = ("m5.large",),
    override_types: tuple[str, ...] = ("c5.large", "c5.xlarge"),
    account: object = None,
    reference: object = None,
) -> WorkloadContext:
    """A group whose base template launches ``base_types`` (none: it launches nothing) and
    whose overrides launch ``override_types`` from ``override``."""
    uses = []
    if base_types:
        uses.append(LaunchTemplateUse(base, ResourceRef(TEMPLATE), BASE_AT, instance_types=base_types))
    uses.append(
        LaunchTemplateUse(
            override,
            reference if reference is not None else ResourceRef(OVERRIDE),
            OVERRIDE_AT,
            override=True,
            instance_types=override_types,
        )
    )
    found = ctx(asg(), base, account)  # type: ignore[arg-type]
    return WorkloadContext(
        workload=found.workload,
        configuration=found.configuration,
        launch_template=base,
        launch_templates=tuple(uses),
        metadata_defaults=found.metadata_defaults,
    )


def by_template(traits: list[Trait]) -> dict[str, Trait]:
    assert all(t.rule_id == imdsv1.ID and t.workload == ASG for t in traits)
    found = {t.location.address: t for t in traits}
    assert len(found) == len(traits), [t.location for t in traits]
    return found


def test_an_override_template_allowing_v1_while_the_base_requires_v2() -> None:
    (trait,) = imds_traits(mixed(template(options(22, tokens="required")), compute(options(82, tokens="optional"))))
    assert trait.location.address == OVERRIDE
    assert trait.location.span == span(83)  # the override template's http_tokens line
    assert "for instance types c5.large, c5.xlarge (override)" in trait.message
    assert 'http_tokens is "optional" in launch template aws_launch_template.compute' in trait.message
    assert trait.properties["launch_template"] == OVERRIDE
    assert trait.properties["instance_types"] == ["c5.large", "c5.xlarge"]
    (related,) = trait.related
    assert related.span == OVERRIDE_AT and related.address == ASG
    assert "c5.large, c5.xlarge" in related.message
    assert [step.address for step in trait.path] == [ASG, OVERRIDE]


def test_the_base_template_names_the_instance_types_it_launches() -> None:
    (trait,) = imds_traits(mixed(template(options(22, tokens="optional")), compute(options(82, tokens="required"))))
    assert trait.location.address == TEMPLATE and trait.location.span == span(23)
    assert "for instance types m5.large (base launch template)" in trait.message
    assert "launch_template" not in trait.properties
    # the base template's trait keeps the identity it has on a group without overrides
    assert fingerprint(trait, ".") == "46a7b28e18fc7a54b9ae99a27804ed21"


def test_both_templates_allowing_v1_are_two_traits() -> None:
    traits = by_template(imds_traits(mixed(template(), compute(options(82, endpoint="enabled")))))
    base, override = traits[TEMPLATE], traits[OVERRIDE]
    assert base.location.span == span(20, 40)  # the base template lacks metadata options
    assert override.location.span == span(82, 85)  # the override's block lacks http_tokens
    assert "metadata options of launch template aws_launch_template.compute do not set http_tokens" in override.message
    assert fingerprint(base, ".") != fingerprint(override, ".")


def test_a_base_template_no_instance_launches_from_is_not_a_trait() -> None:
    ctx = mixed(template(options(22, tokens="optional")), compute(options(82, tokens="required")), base_types=())
    assert imds_traits(ctx) == []


def test_the_service_turned_off_in_the_override_template() -> None:
    override = compute(options(82, tokens="optional", endpoint="disabled"))
    assert imds_traits(mixed(template(options(22, tokens="required")), override)) == []


def test_an_override_template_not_defined_here() -> None:
    ctx = mixed(template(options(22, tokens="required")), None, reference="lt-0123456789abcdef0")
    (trait,) = imds_traits(ctx)
    assert trait.location.span == OVERRIDE_AT and trait.location.address == ASG
    assert trait.message.startswith(f"{ASG} may allow IMDSv1 for instance types c5.large, c5.xlarge (override)")
    assert "lt-0123456789abcdef0 is not defined in this configuration" in trait.assumptions[0]
    assert trait.properties["launch_template"] == "lt-0123456789abcdef0"


def test_the_account_default_applies_to_each_template() -> None:
    required = mixed(template(), compute(), account=defaults("required"))
    assert imds_traits(required) == []
    traits = imds_traits(mixed(template(), compute(), account=defaults("optional")))
    assert len(traits) == 2 and {t.location.span for t in traits} == {span(71)}
    assert len({fingerprint(t, ".") for t in traits}) == 2  # told apart by the override's template


def test_instances_chosen_by_requirements() -> None:
    base = template(options(22, tokens="required"))
    use = LaunchTemplateUse(
        compute(), ResourceRef(OVERRIDE), OVERRIDE_AT, override=True, instance_requirements=({"vcpu_count": ()},)
    )
    found = mixed(base, compute())
    ctx = WorkloadContext(
        workload=found.workload,
        configuration=".",
        launch_template=base,
        launch_templates=(found.launch_templates[0], use),
    )
    (trait,) = imds_traits(ctx)
    assert "for instances chosen by instance requirements (override)" in trait.message
    assert trait.properties["instance_types"] == [] and trait.properties["instance_requirements"] == 1


def test_unknown_instance_type_is_named_unknown() -> None:
    ctx = mixed(template(options(22, tokens="required")), compute(), override_types=(Unknown("var.t"),))  # type: ignore[arg-type]
    (trait,) = imds_traits(ctx)
    assert "for instance types unknown (override)" in trait.message


def test_plain_groups_keep_their_fingerprints() -> None:
    """Users baseline by fingerprint: a group without overrides is fingerprinted as before
    (these values are the ones the scanner gave before overrides were read)."""
    cases = {
        "46a7b28e18fc7a54b9ae99a27804ed21": ctx(asg(), template(options(22, tokens="optional"))),
        "de5951db4e73ca3f75fc73e92e6ebdd3": ctx(asg()),  # its template is not defined here
        "2b62258f8074f49388b6f6a727b30fd5": ctx(asg(), template(), defaults("optional")),
    }
    for expected, case in cases.items():
        (trait,) = imds_traits(case)
        assert fingerprint(trait, ".") == expected, trait.message
        assert "instance types" not in trait.message and "launch_template" not in trait.properties


def test_lines_are_the_templates_own() -> None:
    base = template(options(22, tokens="optional"))
    override = compute(options(82, tokens="optional"))
    traits = by_template(imds_traits(mixed(base, override)))
    assert traits[TEMPLATE].location.span == Span("main.tf", 23, 23)
    assert traits[OVERRIDE].location.span == Span("main.tf", 83, 83)
