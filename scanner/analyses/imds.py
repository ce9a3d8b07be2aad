"""Which instance metadata options a workload runs with, and where each comes from.

Each of ``http_tokens`` and ``http_endpoint`` is decided on its own, first place that sets it
wins (AWS's order when an instance is launched):

1. the instance's own ``metadata_options`` (Terraform ``aws_instance``; a CloudFormation
   instance has none: it only gets them from its launch template);
2. the launch template / launch configuration the instance or auto scaling group uses;
3. the account default, ``aws_ec2_instance_metadata_defaults`` (``no-preference``: no default);
4. AWS's own default: tokens optional, endpoint enabled.

A launch template that the workload names but the configuration does not define, or a
value not known offline, leaves the setting unknown (``Unknown`` naming why and the origins
deciding it); so does an account default that may not exist (its count is unknown).

An Auto Scaling group whose mixed instances policy has overrides that bring their own launch
template launches each of those instance types from that template, and the others from its
base template: each template is its own step 2, so each is read on its own
(``metadata_setting(ctx, attribute, use)``, one ``LaunchTemplateUse`` of
``ctx.launch_templates``). When every override brings its own template, no instance
launches from the base template (``base_launches``).
"""

from __future__ import annotations

from scanner.analyses.unknowns import origins_of
from scanner.frozen import frozen
from scanner.model import AutoScalingGroup, Instance, MetadataOptions, Ref
from scanner.values import ResourceRef, Span, Unknown
from scanner.workload import LaunchTemplateUse, WorkloadContext

_NO_PREFERENCE = "no-preference"


@frozen
class MetadataSetting:
    """Where one metadata attribute's value comes from. ``value`` None: AWS's default."""

    value: str | Unknown | None
    source: str  # instance | launch_template | account_default | aws_default | unresolved_template
    line: Span | None  # the line to edit to change it (``scanner.model``), when it is written somewhere
    address: str
    written: Span | None = None  # the attribute's own line, when its value is set elsewhere (line)


def _not_defined(named: Ref) -> str:
    if isinstance(named, Unknown):
        return f"its launch template is not known offline: {named.reason}"
    shown = named.address if isinstance(named, ResourceRef) else named
    return f"its launch template {shown} is not defined in this configuration"


def unresolved_template(ctx: WorkloadContext) -> str | None:
    """Why the launch template the workload names is not known, when it is not."""
    if ctx.launch_template is not None:
        return None
    named = _named_template(ctx)
    if named is None:
        workload = ctx.workload
        if isinstance(workload, AutoScalingGroup):
            return "no launch template or launch configuration is given"
        return None
    return _not_defined(named)


def _named_template(ctx: WorkloadContext) -> Ref | None:
    """The base launch template (or launch configuration) as the workload names it."""
    workload = ctx.workload
    if isinstance(workload, Instance):
        return workload.launch_template
    if isinstance(workload, AutoScalingGroup):
        return workload.launch_template if workload.launch_template is not None else workload.launch_configuration
    return None


def base_launches(ctx: WorkloadContext) -> bool:
    """Whether any instance launches from the workload's base template: always, unless
    every launch template it uses is an override's (``AutoScalingGroup.base_launches``)."""
    return not ctx.launch_templates or any(not use.override for use in ctx.launch_templates)


def override_templates(ctx: WorkloadContext) -> list[LaunchTemplateUse]:
    """The launch templates an Auto Scaling group's overrides bring, other than its base."""
    return [use for use in ctx.launch_templates if use.override]


def own_metadata(ctx: WorkloadContext) -> MetadataOptions | None:
    return ctx.workload.metadata if isinstance(ctx.workload, Instance) else None


def template_metadata(ctx: WorkloadContext, use: LaunchTemplateUse | None = None) -> MetadataOptions | None:
    """The metadata options of the base template, or of ``use``'s template."""
    template = ctx.launch_template if use is None else use.template
    return template.metadata if template is not None else None


def metadata_setting(ctx: WorkloadContext, attribute: str, use: LaunchTemplateUse | None = None) -> MetadataSetting:
    """Where ``attribute`` of the metadata options comes from for instances launched from
    the base template (``use`` None), or from ``use``'s template."""
    own = own_metadata(ctx)
    if own is not None and getattr(own, attribute) is not None:
        return MetadataSetting(
            getattr(own, attribute), "instance", own.span_of(attribute), ctx.address, own.written_at(attribute)
        )
    template = ctx.launch_template if use is None else use.template
    template_options = template_metadata(ctx, use)
    if template is not None and template_options is not None and getattr(template_options, attribute) is not None:
        return MetadataSetting(
            getattr(template_options, attribute),
            "launch_template",
            template_options.span_of(attribute),
            template.address,
            template_options.written_at(attribute),
        )
    if use is None:
        unresolved = unresolved_template(ctx)
        named = _named_template(ctx)
    else:
        named = use.reference
        unresolved = None if use.template is not None else _not_defined(use.reference or Unknown("not written"))
    if unresolved is not None:
        # The origins of the template's reference decide it (a variable naming the template).
        return MetadataSetting(Unknown(unresolved, origins=origins_of(named)), "unresolved_template", None, ctx.address)
    defaults = ctx.metadata_defaults
    if defaults is not None:
        value = getattr(defaults, attribute)
        if value is not None and not (isinstance(value, str) and value.lower() == _NO_PREFERENCE):
            if defaults.existence is not None and str(value).lower() in ("required", "disabled"):
                # An account default that may not exist takes IMDSv1 away only if it does
                # (otherwise AWS's own default, the same as an "optional" / "enabled" one).
                value = Unknown(
                    f"{defaults.address} sets {value!s} but may not exist ({defaults.existence.reason})",
                    origins=origins_of(value, defaults),
                )
            return MetadataSetting(
                value, "account_default", defaults.span_of(attribute), defaults.address, defaults.written_at(attribute)
            )
    return MetadataSetting(None, "aws_default", None, ctx.address)
