"""Does the workload's instance metadata service still answer IMDSv1 requests?

``ec2-imdsv1``: the metadata endpoint is on and session tokens (IMDSv2) are not required.

Each of ``http_tokens`` and ``http_endpoint`` is decided on its own, first place that sets it
wins (AWS's order when an instance is launched):

1. the instance's own ``metadata_options`` (Terraform ``aws_instance``; a CloudFormation
   instance has none: it only gets them from its launch template);
2. the launch template / launch configuration the instance or auto scaling group uses;
3. the account default, ``aws_ec2_instance_metadata_defaults`` (``no-preference``: no default);
4. AWS's own default: tokens optional, endpoint enabled.

``http_endpoint = "disabled"`` turns the service off: no trait. Any ``http_tokens`` other than
``required`` (absent included) is IMDSv1. A launch template that the workload names but the
configuration does not define, or a value not known offline, leaves the setting unknown: the
trait is reported with an assumption that says so.

The trait points at the line to change: the ``http_tokens`` line that allows v1; else the
metadata options block that lacks ``http_tokens``; else the resource that lacks the block:
the launch template when the workload takes its options from one (that is where the fix
goes), else the instance. The workload itself is then a related place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scanner.findings import Evidence, PathStep, Trait
from scanner.model import AutoScalingGroup, Instance, MetadataOptions, Resource
from scanner.traits import IMDSV1
from scanner.values import ResourceRef, Span, Unknown
from scanner.workload import WorkloadContext

_NO_PREFERENCE = "no-preference"


@dataclass(frozen=True)
class _Setting:
    """Where one metadata attribute's value comes from. ``value`` None: AWS's default."""

    value: str | Unknown | None
    source: str  # instance | launch_template | account_default | aws_default | unresolved_template
    line: Span | None  # the attribute's own line, when it is written somewhere
    address: str


def _unresolved_template(ctx: WorkloadContext) -> str | None:
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


def _own_metadata(ctx: WorkloadContext) -> MetadataOptions | None:
    return ctx.workload.metadata if isinstance(ctx.workload, Instance) else None


def _template_metadata(ctx: WorkloadContext) -> MetadataOptions | None:
    return ctx.launch_template.metadata if ctx.launch_template is not None else None


def _setting(ctx: WorkloadContext, attribute: str) -> _Setting:
    own = _own_metadata(ctx)
    if own is not None and getattr(own, attribute) is not None:
        return _Setting(getattr(own, attribute), "instance", own.span_of(attribute), ctx.address)
    template = ctx.launch_template
    template_options = _template_metadata(ctx)
    if template is not None and template_options is not None and getattr(template_options, attribute) is not None:
        return _Setting(
            getattr(template_options, attribute),
            "launch_template",
            template_options.span_of(attribute),
            template.address,
        )
    unresolved = _unresolved_template(ctx)
    if unresolved is not None:
        return _Setting(Unknown(unresolved), "unresolved_template", None, ctx.address)
    defaults = ctx.metadata_defaults
    if defaults is not None:
        value = getattr(defaults, attribute)
        if value is not None and not (isinstance(value, str) and value.lower() == _NO_PREFERENCE):
            return _Setting(value, "account_default", defaults.span_of(attribute), defaults.address)
    return _Setting(None, "aws_default", None, ctx.address)


def _describe_source(setting: _Setting) -> str:
    return {
        "instance": f"on {setting.address}",
        "launch_template": f"in launch template {setting.address}",
        "account_default": f"by the account default {setting.address}",
    }.get(setting.source, "")


def _location(ctx: WorkloadContext, tokens: _Setting) -> Evidence:
    """The line to change to require IMDSv2."""
    if tokens.line is not None:
        return Evidence(tokens.line, tokens.address, f"http_tokens = {_shown(tokens.value)} allows IMDSv1")
    workload = ctx.workload
    if tokens.source == "unresolved_template":
        return Evidence(
            workload.span_of("launch_template", "launch_configuration"),
            workload.address,
            "launches from a template whose metadata options are not known",
        )
    own = _own_metadata(ctx)
    if own is not None:
        return Evidence(own.span, workload.address, 'metadata options without http_tokens = "required"')
    template = ctx.launch_template
    template_options = _template_metadata(ctx)
    if template is not None and template_options is not None:
        return Evidence(template_options.span, template.address, 'metadata options without http_tokens = "required"')
    target: Resource = template if template is not None else workload
    return Evidence(target.span, target.address, "no metadata options: IMDSv1 stays allowed")


def _shown(value: str | Unknown | None) -> str:
    if value is None:
        return "unset (optional)"
    if isinstance(value, Unknown):
        return "unknown"
    return f'"{value}"'


def _related(ctx: WorkloadContext, location: Evidence) -> tuple[Evidence, ...]:
    workload = ctx.workload
    if location.address == workload.address:
        return ()
    via = ctx.launch_template
    if via is not None and location.address == via.address:
        line = workload.span_of("launch_template", "launch_configuration")
        return (Evidence(line, workload.address, f"launches from {via.address}"),)
    return (Evidence(workload.span, workload.address, "launched with these metadata options"),)


def _message(ctx: WorkloadContext, tokens: _Setting, endpoint: _Setting) -> str:
    if isinstance(tokens.value, Unknown):
        return (
            f"{ctx.address} may allow IMDSv1: http_tokens is not known offline "
            f'({tokens.value.reason}); assumed not "required"'
        )
    if tokens.value is None:
        if tokens.line is None and (_own_metadata(ctx) is not None or _template_metadata(ctx) is not None):
            why = 'metadata options do not set http_tokens, and AWS\'s default is "optional"'
        else:
            why = 'no metadata options require IMDSv2 (AWS\'s default: http_tokens "optional")'
    else:
        why = f"http_tokens is {_shown(tokens.value)} {_describe_source(tokens)}"
    message = f"{ctx.address} allows IMDSv1: {why}"
    if isinstance(endpoint.value, Unknown):
        message += f"; http_endpoint is not known offline ({endpoint.value.reason}), assumed enabled"
    return message


def imds_traits(ctx: WorkloadContext) -> list[Trait]:
    """``ec2-imdsv1`` when the workload's metadata service accepts IMDSv1."""
    endpoint = _setting(ctx, "http_endpoint")
    if isinstance(endpoint.value, str) and endpoint.value.lower() == "disabled":
        return []
    tokens = _setting(ctx, "http_tokens")
    if isinstance(tokens.value, str) and tokens.value.lower() == "required":
        return []

    assumptions: list[str] = []
    if isinstance(tokens.value, Unknown):
        assumptions.append(f'http_tokens is not known offline ({tokens.value.reason}): assumed not "required"')
    if isinstance(endpoint.value, Unknown):
        assumptions.append(f"http_endpoint is not known offline ({endpoint.value.reason}): assumed enabled")

    location = _location(ctx, tokens)
    properties: dict[str, Any] = {
        "http_tokens": "unknown" if isinstance(tokens.value, Unknown) else (tokens.value or "optional"),
        "source": tokens.source,
    }
    workload = ctx.workload
    kind = "auto_scaling_group" if isinstance(workload, AutoScalingGroup) else "instance"
    path: tuple[PathStep, ...] = (PathStep(kind, workload.address, "the workload", workload.span),)
    if ctx.launch_template is not None:
        path += (
            PathStep(
                "launch_template",
                ctx.launch_template.address,
                "launches with these metadata options",
                ctx.launch_template.span,
            ),
        )
    return [
        Trait(
            rule_id=IMDSV1,
            workload=ctx.address,
            message=_message(ctx, tokens, endpoint),
            location=location,
            related=_related(ctx, location),
            path=path,
            assumptions=tuple(assumptions),
            properties=properties,
        )
    ]
