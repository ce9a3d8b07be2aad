"""Which instance metadata options a workload runs with, and where each comes from.

Each of ``http_tokens`` and ``http_endpoint`` is decided on its own, first place that sets it
wins (AWS's order when an instance is launched):

1. the instance's own ``metadata_options`` (Terraform ``aws_instance``; a CloudFormation
   instance has none: it only gets them from its launch template);
2. the launch template / launch configuration the instance or auto scaling group uses;
3. the account default, ``aws_ec2_instance_metadata_defaults`` (``no-preference``: no default);
4. AWS's own default: tokens optional, endpoint enabled.

A launch template that the workload names but the configuration does not define, or a
value not known offline, leaves the setting unknown (``Unknown`` naming why).
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.model import AutoScalingGroup, Instance, MetadataOptions
from scanner.values import ResourceRef, Span, Unknown
from scanner.workload import WorkloadContext

_NO_PREFERENCE = "no-preference"


@dataclass(frozen=True)
class MetadataSetting:
    """Where one metadata attribute's value comes from. ``value`` None: AWS's default."""

    value: str | Unknown | None
    source: str  # instance | launch_template | account_default | aws_default | unresolved_template
    line: Span | None  # the attribute's own line, when it is written somewhere
    address: str


def unresolved_template(ctx: WorkloadContext) -> str | None:
    """Why the launch template the workload names is not known, when it is not."""
    if ctx.launch_template is not None:
        return None
    workload = ctx.workload
    if isinstance(workload, Instance):
        named = workload.launch_template
    elif isinstance(workload, AutoScalingGroup):
        named = workload.launch_template if workload.launch_template is not None else workload.launch_configuration
        if named is None:
            return "no launch template or launch configuration is given"
    else:
        return None
    if named is None:
        return None
    if isinstance(named, Unknown):
        return f"its launch template is not known offline: {named.reason}"
    shown = named.address if isinstance(named, ResourceRef) else named
    return f"its launch template {shown} is not defined in this configuration"


def own_metadata(ctx: WorkloadContext) -> MetadataOptions | None:
    return ctx.workload.metadata if isinstance(ctx.workload, Instance) else None


def template_metadata(ctx: WorkloadContext) -> MetadataOptions | None:
    return ctx.launch_template.metadata if ctx.launch_template is not None else None


def metadata_setting(ctx: WorkloadContext, attribute: str) -> MetadataSetting:
    own = own_metadata(ctx)
    if own is not None and getattr(own, attribute) is not None:
        return MetadataSetting(getattr(own, attribute), "instance", own.span_of(attribute), ctx.address)
    template = ctx.launch_template
    template_options = template_metadata(ctx)
    if template is not None and template_options is not None and getattr(template_options, attribute) is not None:
        return MetadataSetting(
            getattr(template_options, attribute),
            "launch_template",
            template_options.span_of(attribute),
            template.address,
        )
    unresolved = unresolved_template(ctx)
    if unresolved is not None:
        return MetadataSetting(Unknown(unresolved), "unresolved_template", None, ctx.address)
    defaults = ctx.metadata_defaults
    if defaults is not None:
        value = getattr(defaults, attribute)
        if value is not None and not (isinstance(value, str) and value.lower() == _NO_PREFERENCE):
            return MetadataSetting(value, "account_default", defaults.span_of(attribute), defaults.address)
    return MetadataSetting(None, "aws_default", None, ctx.address)
