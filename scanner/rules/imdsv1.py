"""ec2-imdsv1: the workload's instance metadata service still answers IMDSv1 requests.

The trait holds when the metadata endpoint is on and session tokens (IMDSv2) are not
required. Each of ``http_tokens`` and ``http_endpoint`` comes from the first place that sets
it, in AWS's order at launch (``scanner.analyses.imds``): the instance's own metadata
options, its launch template or launch configuration, the account default
(``aws_ec2_instance_metadata_defaults``), AWS's default (tokens optional, endpoint enabled).

``http_endpoint = "disabled"`` turns the service off: no trait. Any ``http_tokens`` other than
``required`` (absent included) is IMDSv1. A launch template the workload names but the
configuration does not define, or a value not known offline, leaves the setting unknown: the
trait is reported with an assumption that says so.

An Auto Scaling group launches from more than one template when overrides of its mixed
instances policy bring their own: each template is evaluated on its own, and each that
allows IMDSv1 is a trait of its own, at that template's line, its message naming the
instance types launched from it ("for instance types c5.large, c5.xlarge (override)"). The
base template counts only when some instance launches from it (no overrides, or an override
without a template of its own); its trait stays what it is for a group without overrides.

A declaration that cannot set metadata options (``metadata_unsupported``: an
``aws_spot_instance_request``, whose ``metadata_options`` the provider never sends to EC2; a
Spot Fleet launch specification) runs with the account default, else AWS's: the message says
why, and the trait points at the metadata options that go unread, else at the declaration.

The trait points at the line to change: the ``http_tokens`` line that allows v1; else the
metadata options block that lacks ``http_tokens``; else the resource that lacks the block:
the launch template when the workload takes its options from one (that is where the fix
goes), else the instance. The workload itself is then a related place.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from scanner.analyses.imds import (
    MetadataSetting,
    base_launches,
    metadata_setting,
    override_templates,
    own_metadata,
    template_metadata,
)
from scanner.analyses.unknowns import origins_of
from scanner.findings import Evidence, PathStep, Trait
from scanner.model import Instance, Resource
from scanner.options import ScanOptions
from scanner.rules.catalog import TAGS, Rule
from scanner.rules.references import IMDS_DOC, IMDS_TRANSITION, INSTANCE_REFRESH
from scanner.values import Span, Unknown
from scanner.workload import LaunchTemplateUse, WorkloadContext

if TYPE_CHECKING:  # reports read the catalogue without loading the analyses
    from scanner.rules.context import CheckContext

ID = "ec2-imdsv1"


def check(context: CheckContext, options: ScanOptions) -> Iterable[Trait]:
    ctx = context.workload
    overrides = override_templates(ctx)
    traits: list[Trait] = []
    if base_launches(ctx):
        base = _trait(ctx, None, bool(overrides))
        if base is not None:
            traits.append(base)
    for use in overrides:
        found = _trait(ctx, use, True)
        if found is not None:
            traits.append(found)
    return traits


def _trait(ctx: WorkloadContext, use: LaunchTemplateUse | None, mixed: bool) -> Trait | None:
    """The trait of the instances launched from ``use``'s template (None: the base
    template); ``mixed``: the workload launches from more than one template, so the
    message names the instance types."""
    endpoint = metadata_setting(ctx, "http_endpoint", use)
    if isinstance(endpoint.value, str) and endpoint.value.lower() == "disabled":
        return None
    tokens = metadata_setting(ctx, "http_tokens", use)
    if isinstance(tokens.value, str) and tokens.value.lower() == "required":
        return None

    assumptions: list[str] = []
    if isinstance(tokens.value, Unknown):
        assumptions.append(f'http_tokens is not known offline ({tokens.value.reason}): assumed not "required"')
    if isinstance(endpoint.value, Unknown):
        assumptions.append(f"http_endpoint is not known offline ({endpoint.value.reason}): assumed enabled")

    location = _location(ctx, tokens, use)
    properties: dict[str, Any] = {
        "http_tokens": "unknown" if isinstance(tokens.value, Unknown) else (tokens.value or "optional"),
        "source": tokens.source,
    }
    launched = _base_use(ctx) if use is None else use
    if mixed and launched is not None:
        properties["instance_types"] = [_type_text(t) for t in launched.instance_types]
        if launched.instance_requirements:
            properties["instance_requirements"] = len(launched.instance_requirements)
    if use is not None:
        properties["launch_template"] = use.address  # tells the templates' traits apart
    workload = ctx.workload
    kind = workload.capacity  # instance, auto_scaling_group, spot_fleet, eks_node_group ...
    path: tuple[PathStep, ...] = (PathStep(kind, workload.address, "the workload", workload.span),)
    template = ctx.launch_template if use is None else use.template
    if template is not None:
        how = "launches with these metadata options"
        if mixed and launched is not None:
            how = f"launches {_instances(launched)} with these metadata options"
        path += (PathStep("launch_template", template.address, how, template.span),)
    return Trait(
        rule_id=ID,
        workload=ctx.address,
        message=_message(ctx, tokens, endpoint, use, launched if mixed else None),
        location=location,
        related=(*_written(tokens), *_related(ctx, location, use, launched if mixed else None)),
        path=path,
        assumptions=tuple(assumptions),
        unknowns=origins_of(tokens.value, endpoint.value),
        properties=properties,
    )


def _base_use(ctx: WorkloadContext) -> LaunchTemplateUse | None:
    return next((use for use in ctx.launch_templates if not use.override), None)


def _named_at(ctx: WorkloadContext, use: LaunchTemplateUse | None) -> Span:
    """The line that names the template: the workload's, or the override's."""
    if use is not None:
        return use.named_at
    return ctx.workload.span_of("launch_template", "launch_configuration")


def _location(ctx: WorkloadContext, tokens: MetadataSetting, use: LaunchTemplateUse | None) -> Evidence:
    """The line to change to require IMDSv2."""
    if tokens.line is not None:
        return Evidence(tokens.line, tokens.address, f"http_tokens = {_shown(tokens.value)} allows IMDSv1")
    workload = ctx.workload
    if tokens.source == "unresolved_template":
        return Evidence(
            _named_at(ctx, use), workload.address, "launches from a template whose metadata options are not known"
        )
    own = own_metadata(ctx)
    if own is not None:
        return Evidence(own.span, workload.address, 'metadata options without http_tokens = "required"')
    template = ctx.launch_template if use is None else use.template
    template_options = template_metadata(ctx, use)
    if template is not None and template_options is not None:
        return Evidence(template_options.span, template.address, 'metadata options without http_tokens = "required"')
    target: Resource = template if template is not None else workload
    unsupported = _unsupported(ctx, use)
    if unsupported:
        # where the options the user wrote go unread, else the launch specification itself
        return Evidence(target.span_of("metadata"), target.address, f"{unsupported}: IMDSv1 stays allowed")
    return Evidence(target.span, target.address, "no metadata options: IMDSv1 stays allowed")


def _unsupported(ctx: WorkloadContext, use: LaunchTemplateUse | None) -> str:
    """Why the workload (or the template it launches from) cannot set metadata options, when
    it cannot (``metadata_unsupported``: a spot instance request, a launch specification)."""
    workload = ctx.workload
    if isinstance(workload, Instance) and workload.metadata_unsupported:
        return workload.metadata_unsupported
    template = ctx.launch_template if use is None else use.template
    return template.metadata_unsupported if template is not None else ""


def _written(tokens: MetadataSetting) -> tuple[Evidence, ...]:
    """The ``http_tokens`` line, when the value it takes is set elsewhere (the location)."""
    if tokens.written is None or tokens.line is None:
        return ()
    return (Evidence(tokens.written, tokens.address, f"written here; its value is set at {tokens.line}"),)


def _related(
    ctx: WorkloadContext, location: Evidence, use: LaunchTemplateUse | None, launched: LaunchTemplateUse | None
) -> tuple[Evidence, ...]:
    """The line that launches from the template (``launched`` set: naming its instances)."""
    workload = ctx.workload
    if location.address == workload.address:
        return ()
    via = ctx.launch_template if use is None else use.template
    what = "" if launched is None else f"{_instances(launched)} "
    if use is not None:
        return (Evidence(use.named_at, workload.address, f"launches {what}from {use.address}"),)
    if via is not None and location.address == via.address:
        return (Evidence(_named_at(ctx, use), workload.address, f"launches {what}from {via.address}"),)
    return (Evidence(workload.span, workload.address, "launched with these metadata options"),)


def _message(
    ctx: WorkloadContext,
    tokens: MetadataSetting,
    endpoint: MetadataSetting,
    use: LaunchTemplateUse | None,
    launched: LaunchTemplateUse | None,
) -> str:
    """The sentence; ``launched`` set (a group launching from several templates): it names
    the instance types launched from the template."""
    which = "" if launched is None else f" {_for_instances(launched)}"
    if isinstance(tokens.value, Unknown):
        return (
            f"{ctx.address} may allow IMDSv1{which}: http_tokens is not known offline "
            f'({tokens.value.reason}); assumed not "required"'
        )
    unsupported = _unsupported(ctx, use)
    if tokens.value is None and unsupported:
        why = f'{unsupported}; instances get the account default, none here (AWS\'s default: http_tokens "optional")'
    elif tokens.value is None:
        # an override's template is named: the group's other templates are set otherwise
        where = "" if use is None else f" of launch template {use.address}"
        if tokens.line is None and (own_metadata(ctx) is not None or template_metadata(ctx, use) is not None):
            why = f'metadata options{where} do not set http_tokens, and AWS\'s default is "optional"'
        else:
            why = f'no metadata options{where} require IMDSv2 (AWS\'s default: http_tokens "optional")'
    else:
        why = f"http_tokens is {_shown(tokens.value)} {_describe_source(tokens)}"
        if unsupported:
            why += f" ({unsupported})"
    message = f"{ctx.address} allows IMDSv1{which}: {why}"
    if isinstance(endpoint.value, Unknown):
        message += f"; http_endpoint is not known offline ({endpoint.value.reason}), assumed enabled"
    return message


def _type_text(value: str | Unknown) -> str:
    return value if isinstance(value, str) else "unknown"


def _instances(use: LaunchTemplateUse) -> str:
    """The instances launched from a template, in words: "instance types c5.large, c5.xlarge"."""
    parts: list[str] = []
    if use.instance_types:
        parts.append("instance types " + ", ".join(_type_text(t) for t in use.instance_types))
    if use.instance_requirements:
        parts.append("instances chosen by instance requirements")
    return " and ".join(parts) if parts else "its instances"


def _for_instances(use: LaunchTemplateUse) -> str:
    """The instances of a template, for a message: "for instance types c5.large (override)"."""
    return f"for {_instances(use)} ({'override' if use.override else 'base launch template'})"


def _shown(value: str | Unknown | None) -> str:
    if value is None:
        return "unset (optional)"
    if isinstance(value, Unknown):
        return "unknown"
    return f'"{value}"'


def _describe_source(setting: MetadataSetting) -> str:
    return {
        "instance": f"on {setting.address}",
        "launch_template": f"in launch template {setting.address}",
        "account_default": f"by the account default {setting.address}",
    }.get(setting.source, "")


RULE = Rule(
    id=ID,
    name="Ec2Imdsv1Allowed",
    short_description="EC2 instance metadata service allows IMDSv1",
    full_description=(
        "The instance (or its launch template) does not require IMDSv2 session tokens, so the "
        "instance metadata service answers plain IMDSv1 GET requests. A server-side request forgery, "
        "an open proxy or a misconfigured web application firewall on the instance is then enough to "
        "read the temporary credentials of the instance's IAM role."
    ),
    remediation='Require IMDSv2: set http_tokens = "required" (CloudFormation MetadataOptions HttpTokens: required).',
    steps=(
        'Set `metadata_options { http_tokens = "required" }` on the `aws_instance` or `aws_launch_template` '
        "(CloudFormation: `MetadataOptions: { HttpTokens: required }`, in `LaunchTemplateData` for templates).",
        "For Auto Scaling groups, publish a new launch template version with the setting, point the group at it "
        "and start an instance refresh so running instances are replaced.",
        "Optionally make IMDSv2 the account default (`aws_ec2_instance_metadata_defaults`) so new instances "
        "start with it, and check that SDKs and agents on the AMI are recent enough to use tokens.",
    ),
    references=(IMDS_DOC, IMDS_TRANSITION, INSTANCE_REFRESH),
    tags=(*TAGS, "imds", "credentials"),
    fires_when=(
        "IMDS is on and IMDSv2 is not required (instance options win over its launch template's; "
        "`aws_ec2_instance_metadata_defaults` sets the default); each launch template of a mixed instances "
        "policy on its own"
    ),
    fingerprint_keys=("launch_template",),
)
