"""Auto Scaling groups whose mixed instances policy's overrides bring their own launch
templates: the graph links each override to its template (the edge carries the instance
type), and the workload context exposes every template with the instance types using it,
their security groups, subnets and instance profiles joined."""

from __future__ import annotations

from typing import Any

from scanner.graph import build_graph, workload_contexts
from scanner.model import AutoScalingGroup, InstanceProfile, LaunchTemplate, LaunchTemplateOverride, Role
from scanner.workload import WorkloadContext
from tests.support.model_builders import config, group, instance, make, public_network, ref, rule, span, subnet

ASG = "aws_autoscaling_group.app"
BASE = "aws_launch_template.base"
ARM = "aws_launch_template.arm"


def contexts(*resources: object) -> dict[str, WorkloadContext]:
    cfg = config(*resources)  # type: ignore[arg-type]
    return {c.address: c for c in workload_contexts(build_graph(cfg), cfg)}


def override(index: int, instance_type: str | None, template: object = None, **fields: Any) -> LaunchTemplateOverride:
    attr_spans = {"launch_template": span(), "instance_type": span()} if template is not None else {}
    return make(  # type: ignore[no-any-return]
        LaunchTemplateOverride,
        f"{ASG}.mixed_instances_policy.launch_template.override[{index}]",
        kind="aws_autoscaling_group",
        launch_template=template,
        instance_type=instance_type,
        attr_spans=attr_spans,
        **fields,
    )


def asg(*overrides: LaunchTemplateOverride, **fields: Any) -> AutoScalingGroup:
    fields.setdefault("subnets", (ref("aws_subnet.public"),))
    return make(  # type: ignore[no-any-return]
        AutoScalingGroup,
        ASG,
        launch_template=ref(BASE),
        overrides=overrides,
        attr_spans={"launch_template": span(), "subnets": span()},
        **fields,
    )


def template(address: str, **fields: Any) -> LaunchTemplate:
    attr_spans = {name: span() for name in ("security_groups", "subnet", "instance_profile") if name in fields}
    return make(LaunchTemplate, address, attr_spans=attr_spans, **fields)  # type: ignore[no-any-return]


def test_an_override_template_is_an_edge_carrying_its_instance_type() -> None:
    small = override(1, "c6g.large", ref(ARM))
    cfg = config(*public_network(), template(BASE), template(ARM), asg(override(0, "m5.large"), small))
    graph = build_graph(cfg)
    edges = [(u, v, d) for u, v, d in graph.edges(data=True) if d["kind"] in ("launched_from", "has_override")]
    assert (ASG, BASE) in [(u, v) for u, v, d in edges if d["kind"] == "launched_from"]
    assert (ASG, small.address) in [(u, v) for u, v, d in edges if d["kind"] == "has_override"]
    (own,) = [d for u, v, d in edges if u == small.address]
    assert own["kind"] == "launched_from" and own["instance_type"] == "c6g.large"
    assert own["span"] == small.span_of("launch_template")
    assert not [d for u, v, d in edges if u.endswith("override[0]")]  # no template of its own


def test_every_template_with_the_instance_types_using_it() -> None:
    ctx = contexts(
        *public_network(),
        template(BASE),
        template(ARM),
        asg(
            override(0, "m5.large"),
            override(1, "c6g.large", ref(ARM)),
            override(2, "m5.xlarge"),
            override(3, "c6g.xlarge", ref(ARM)),
            override(4, "m5.2xlarge", ref(BASE)),  # the base template named again
        ),
    )[ASG]
    assert ctx.launch_template is not None and ctx.launch_template.address == BASE  # the base, for its readers
    base, arm = ctx.launch_templates
    assert (base.address, base.override, base.instance_types) == (BASE, False, ("m5.large", "m5.xlarge", "m5.2xlarge"))
    assert base.named_at == ctx.workload.span_of("launch_template")
    assert (arm.address, arm.override, arm.instance_types) == (ARM, True, ("c6g.large", "c6g.xlarge"))
    assert arm.template is not None and arm.template.address == ARM
    assert arm.named_at == ctx.workload.overrides[1].span_of("launch_template")  # type: ignore[union-attr]


def test_the_base_is_left_out_when_every_override_brings_its_own() -> None:
    ctx = contexts(*public_network(), template(BASE), template(ARM), asg(override(0, "c6g.large", ref(ARM))))[ASG]
    assert [u.address for u in ctx.launch_templates] == [ARM]
    assert ctx.launch_template is not None and ctx.launch_template.address == BASE


def test_requirements_and_an_undefined_override_template() -> None:
    by_requirements = override(1, None, instance_requirements={"vcpu_count": ({"min": 2},)})
    ctx = contexts(
        *public_network(),
        template(BASE),
        asg(override(0, "m5.large", "lt-0123456789abcdef0"), by_requirements),
    )[ASG]
    base, elsewhere = ctx.launch_templates
    assert base.instance_types == () and base.instance_requirements == ({"vcpu_count": ({"min": 2},)},)
    assert elsewhere.template is None and elsewhere.reference == "lt-0123456789abcdef0"
    assert elsewhere.address == "lt-0123456789abcdef0" and elsewhere.instance_types == ("m5.large",)
    (why,) = elsewhere.unresolved
    assert "'lt-0123456789abcdef0' is not defined" in why and why in ctx.unresolved


def test_an_instance_has_its_one_template() -> None:
    ctx = contexts(
        *public_network(), group("aws_security_group.web"), template(BASE), instance(launch_template=ref(BASE))
    )["aws_instance.web"]
    (only,) = ctx.launch_templates
    assert only.template is ctx.launch_template and not only.override and only.instance_types == ()


def test_an_override_template_adds_its_groups_and_the_base_keeps_its_own() -> None:
    web = group("aws_security_group.web", rule("aws_security_group.web.ingress[0]", from_port=443))
    debug = group("aws_security_group.debug", rule("aws_security_group.debug.ingress[0]", from_port=8080))
    arm = template(ARM, security_groups=(ref("aws_security_group.debug"),))
    ctx = contexts(
        *public_network(),
        web,
        debug,
        template(BASE, security_groups=(ref("aws_security_group.web"),)),
        arm,
        asg(override(0, "m5.large"), override(1, "c6g.large", ref(ARM))),
    )[ASG]
    attached = {g.group.address: g for g in ctx.security_groups}
    assert sorted(attached) == ["aws_security_group.debug", "aws_security_group.web"]
    assert attached["aws_security_group.debug"].attached_at == arm.span_of("security_groups")
    assert [r.address for r in attached["aws_security_group.debug"].rules] == ["aws_security_group.debug.ingress[0]"]


def test_an_override_template_without_groups_gets_the_default_group() -> None:
    ctx = contexts(
        *public_network(),
        group("aws_security_group.web"),
        template(BASE, security_groups=(ref("aws_security_group.web"),)),
        template(ARM),
        asg(override(0, "m5.large"), override(1, "c6g.large", ref(ARM))),
    )[ASG]
    assert sorted(g.group.address for g in ctx.security_groups) == [
        "aws_security_group.web",
        "aws_vpc.main#default-sg",
    ]


def test_override_templates_join_their_profiles_roles_and_subnets() -> None:
    base_role, arm_role = make(Role, "aws_iam_role.base"), make(Role, "aws_iam_role.arm")
    base_profile = make(InstanceProfile, "aws_iam_instance_profile.base", roles=(ref("aws_iam_role.base"),))
    arm_profile = make(InstanceProfile, "aws_iam_instance_profile.arm", roles=(ref("aws_iam_role.arm"),))
    ctx = contexts(
        *public_network(),
        subnet("aws_subnet.other", cidr="10.0.9.0/24"),
        base_role,
        arm_role,
        base_profile,
        arm_profile,
        template(BASE, instance_profile=ref("aws_iam_instance_profile.base"), subnet=ref("aws_subnet.public")),
        template(ARM, instance_profile=ref("aws_iam_instance_profile.arm"), subnet=ref("aws_subnet.other")),
        asg(override(0, "m5.large"), override(1, "c6g.large", ref(ARM)), subnets=()),
    )[ASG]
    # the base template's profile stays the one profile; every template's role counts
    assert ctx.instance_profile is base_profile
    assert [r.role.address for r in ctx.roles] == ["aws_iam_role.base", "aws_iam_role.arm"]
    # a group without subnets of its own runs in each template's
    assert sorted(p.subnet.address for p in ctx.placements if p.subnet) == ["aws_subnet.other", "aws_subnet.public"]


def test_a_profile_only_an_override_template_gives_is_the_workloads() -> None:
    arm_profile = make(InstanceProfile, "aws_iam_instance_profile.arm", roles=(ref("aws_iam_role.arm"),))
    ctx = contexts(
        *public_network(),
        make(Role, "aws_iam_role.arm"),
        arm_profile,
        template(BASE),
        template(ARM, instance_profile=ref("aws_iam_instance_profile.arm")),
        asg(override(0, "m5.large"), override(1, "c6g.large", ref(ARM))),
    )[ASG]
    assert ctx.instance_profile is arm_profile
    assert [r.role.address for r in ctx.roles] == ["aws_iam_role.arm"]


def test_an_unused_base_template_gives_nothing() -> None:
    """Every override brings its own template: no instance runs with the base's group."""
    ctx = contexts(
        *public_network(),
        group("aws_security_group.web"),
        group("aws_security_group.arm"),
        template(BASE, security_groups=(ref("aws_security_group.web"),)),
        template(ARM, security_groups=(ref("aws_security_group.arm"),)),
        asg(override(0, "c6g.large", ref(ARM))),
    )[ASG]
    assert [g.group.address for g in ctx.security_groups] == ["aws_security_group.arm"]
