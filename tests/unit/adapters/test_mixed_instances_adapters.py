"""Mixed instances policies: each override, with the launch template it brings (and the line
that names it), its instance type and its instance requirements, in both formats."""

from __future__ import annotations

from pathlib import Path

from scanner.adapters.raw import RawResource
from scanner.adapters.terraform import to_model
from scanner.loaders.cloudformation.imports import load_templates
from scanner.loaders.terraform import load_terraform_configuration
from scanner.model import AutoScalingGroup, LaunchTemplateOverride
from scanner.options import ScanOptions
from scanner.values import ResourceRef, Span, SpannedDict, SpannedList, Unknown
from tests.support.paths import REPO

FIXTURE = REPO / "fixtures" / "traits" / "mixed-override-template-allows-imdsv1"


def line_of(path: Path, *needles: str, after: int = 0) -> int:
    """The first line after ``after`` holding every needle."""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if number > after and all(needle in text for needle in needles):
            return number
    raise AssertionError(f"{needles} not in {path.name} after line {after}")


def groups(configuration_resources: list[object]) -> dict[str, AutoScalingGroup]:
    return {r.address: r for r in configuration_resources if isinstance(r, AutoScalingGroup)}


def terraform_groups() -> dict[str, AutoScalingGroup]:
    options = ScanOptions(root=FIXTURE)
    return groups(list(load_terraform_configuration(FIXTURE, options).resources))


def cloudformation_groups() -> dict[str, AutoScalingGroup]:
    options = ScanOptions(root=FIXTURE)
    return groups(list(load_templates([FIXTURE / "template.yaml"], options)[0].resources))


def test_terraform_overrides_keep_their_template_type_and_lines() -> None:
    group = terraform_groups()["aws_autoscaling_group.compute_override_allows_v1"]
    path = FIXTURE / "main.tf"
    start = line_of(path, 'resource "aws_autoscaling_group" "compute_override_allows_v1"')
    # the base template is still the mixed instances policy's own
    assert group.launch_template == ResourceRef("aws_launch_template.base_requires_v2", "id")
    inherits, small, large = group.overrides
    prefix = "aws_autoscaling_group.compute_override_allows_v1.mixed_instances_policy.launch_template"
    assert [o.address for o in group.overrides] == [f"{prefix}.override[{i}]" for i in range(3)]
    assert inherits.launch_template is None and inherits.instance_type == "m5.large"
    assert "launch_template" not in inherits.attr_spans
    for override, instance_type in ((small, "c5.large"), (large, "c5.xlarge")):
        assert override.launch_template == ResourceRef("aws_launch_template.compute_allows_v1", "id")
        assert override.instance_type == instance_type
        assert override.span_of("instance_type").line == line_of(path, f'"{instance_type}"', after=start)
    # each override's template reference: its launch_template_specification block
    first_spec = line_of(path, "launch_template_specification {", after=line_of(path, '"c5.large"', after=start))
    assert small.span_of("launch_template").line == first_spec
    assert small.span_of("launch_template").end_line == first_spec + 2
    assert large.span_of("launch_template").line == line_of(
        path, "launch_template_specification {", after=line_of(path, '"c5.xlarge"', after=start)
    )


def test_terraform_override_by_template_name() -> None:
    group = terraform_groups()["aws_autoscaling_group.override_without_metadata_options"]
    assert group.base_launches
    assert [o.launch_template for o in group.overrides] == [
        None,
        ResourceRef("aws_launch_template.no_metadata_options", "name"),
    ]


def test_cloudformation_overrides_keep_their_template_type_and_lines() -> None:
    group = cloudformation_groups()["ComputeOverrideAllowsV1"]
    path = FIXTURE / "template.yaml"
    start = line_of(path, "ComputeOverrideAllowsV1:")
    assert group.launch_template == ResourceRef("BaseRequiresV2", "Ref")
    inherits, small, large = group.overrides
    assert [o.address for o in group.overrides] == [
        f"ComputeOverrideAllowsV1.MixedInstancesPolicy.LaunchTemplate.Overrides[{i}]" for i in range(3)
    ]
    assert inherits.launch_template is None and inherits.instance_type == "m5.large"
    for override, instance_type in ((small, "c5.large"), (large, "c5.xlarge")):
        assert override.launch_template == ResourceRef("ComputeAllowsV1", "Ref")
        assert override.instance_type == instance_type
        # the LaunchTemplateId line of the override's own LaunchTemplateSpecification
        type_line = line_of(path, f"InstanceType: {instance_type}", after=start)
        assert override.span_of("launch_template").line == line_of(path, "LaunchTemplateId", after=type_line)
        assert override.span.line == type_line


def test_overrides_without_templates_leave_the_base_launching() -> None:
    plain = AutoScalingGroup(address="g", kind="aws_autoscaling_group", span=Span("main.tf", 1, 2))
    assert plain.base_launches  # no overrides: the base template launches everything
    own = LaunchTemplateOverride(
        address="g.o[0]", kind="aws_autoscaling_group", span=Span("main.tf", 1, 1), launch_template="lt-0abc"
    )
    bare = LaunchTemplateOverride(address="g.o[1]", kind="aws_autoscaling_group", span=Span("main.tf", 1, 1))
    assert not AutoScalingGroup(address="g", kind="x", span=Span("main.tf", 1, 2), overrides=(own,)).base_launches
    assert AutoScalingGroup(address="g", kind="x", span=Span("main.tf", 1, 2), overrides=(own, bare)).base_launches


def _block(line: int, end: int, **attrs: object) -> SpannedDict:
    body = SpannedDict(span=Span("main.tf", line, end))
    for key, value in attrs.items():
        body[key] = value
        body.key_spans[key] = Span("main.tf", line, line)
    return body


def test_instance_requirements_and_plan_json_empty_values() -> None:
    """A plan writes an unset nested list as []: an override with no template of its own."""
    requirements = [_block(6, 9, vcpu_count=[_block(7, 7, min=2, max=8)], memory_mib=[_block(8, 8, min=4096)])]
    by_requirements = _block(
        5, 10, instance_type="", launch_template_specification=[], instance_requirements=requirements
    )
    unknown_type = _block(11, 12, instance_type=Unknown("var.type has no value"), launch_template_specification=[])
    overrides = SpannedList([by_requirements, unknown_type], span=Span("main.tf", 4, 12))
    mixed = _block(3, 13, launch_template_specification=[_block(3, 3, launch_template_name="base")], override=overrides)
    body = _block(1, 15, mixed_instances_policy=[_block(2, 14, launch_template=[mixed])])
    (group,) = to_model(RawResource("aws_autoscaling_group.g", "aws_autoscaling_group", body, body.span))
    assert isinstance(group, AutoScalingGroup)
    first, second = group.overrides
    assert first.launch_template is None and first.instance_type is None
    assert first.instance_requirements == {"vcpu_count": ({"min": 2, "max": 8},), "memory_mib": ({"min": 4096},)}
    assert isinstance(second.instance_type, Unknown) and second.instance_requirements is None
    assert group.base_launches


def test_cloudformation_instance_requirements_are_kept_as_written(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Base:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: ami-0abcdef1234567890
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: "1"
      MaxSize: "2"
      AvailabilityZones: !GetAZs ""
      MixedInstancesPolicy:
        LaunchTemplate:
          LaunchTemplateSpecification:
            LaunchTemplateName: base
            Version: "1"
          Overrides:
            - InstanceRequirements:
                VCpuCount: {Min: 2, Max: 4}
                MemoryMiB: {Min: 4096}
""",
        encoding="utf-8",
    )
    resources = load_templates([tmp_path / "template.yaml"], ScanOptions(root=tmp_path))[0].resources
    (group,) = [r for r in resources if isinstance(r, AutoScalingGroup)]
    (override,) = group.overrides
    assert override.instance_type is None and override.launch_template is None
    assert override.instance_requirements == {"VCpuCount": {"Min": 2, "Max": 4}, "MemoryMiB": {"Min": 4096}}
    assert override.span_of("instance_requirements").line == 20
