"""Terraform IAM -> model: roles (inline policies, ``managed_policy_arns``, ``permissions_boundary``),
role policies, managed policies, attachments and instance profiles."""

from __future__ import annotations

from typing import Any

from scanner.adapters.common import (
    APPLY,
    PolicyFormat,
    as_ref,
    as_refs,
    is_unset,
    parse_policy_document,
    read_policy,
    resource_fields,
)
from scanner.adapters.raw import RawResource
from scanner.adapters.terraform.body import Body, aws_name, base_fields
from scanner.model import (
    InstanceProfile,
    Policy,
    PolicyAttachment,
    Ref,
    Resource,
    Role,
)
from scanner.values import ResourceRef, Span, SpannedList, Unknown

# Statements name their own lines; a heredoc's statements get theirs inside it.
_POLICIES = PolicyFormat(APPLY, heredoc=True, statement_lines="own")


def _policy(
    raw: RawResource,
    address: str,
    body: Body,
    span: Span,
    *,
    roles: tuple[Ref, ...] = (),
    managed: bool = False,
    resource_span: Span | None = None,
) -> Policy:
    document = body.get("policy", "statements")
    fields = resource_fields(raw, body.attr_spans, aws_name(body), body.attr_written) | {
        "address": address,
        "span": resource_span or span,
    }
    return read_policy(fields, document, body.key_span("policy") or span, _POLICIES, roles=roles, managed=managed)


def map_role(raw: RawResource, body: Body) -> list[Resource]:
    role_ref = ResourceRef(raw.address, "name")
    inline = []
    for index, block in enumerate(body.blocks("inline_policy", "inline_policies")):
        if is_unset(block.get("policy")) and is_unset(block.get("name")):
            continue  # plan JSON writes an empty inline_policy when none is configured
        inline.append(_policy(raw, f"{raw.address}.inline_policy[{index}]", block, block.span, roles=(role_ref,)))
    attachments = []
    arns = body.get("managed_policy_arns", "attachments")
    if isinstance(arns, Unknown):
        arns = [arns]
    if isinstance(arns, (list, tuple, set, frozenset)):
        for index, arn in enumerate(arns):
            policy = as_ref(arn, APPLY)
            if policy is None:
                continue
            item_span = span_of_item(arns, index) or body.key_span("managed_policy_arns") or raw.span
            attachments.append(
                PolicyAttachment(
                    address=f"{raw.address}.managed_policy_arns[{index}]",
                    kind=raw.type,
                    span=item_span,
                    assumptions=raw.assumptions,
                    role=role_ref,
                    policy=policy,
                )
            )
    boundary = body.ref("permissions_boundary", "permissions_boundary")
    trust = body.get("assume_role_policy", "trust")
    read = parse_policy_document(trust, body.key_span("assume_role_policy") or raw.span, _POLICIES)
    return [
        Role(
            inline_policies=tuple(inline),
            attachments=tuple(attachments),
            permissions_boundary=boundary,
            trust=read.statements,
            trust_unknown=read.unknown if not is_unset(trust) else None,
            **base_fields(raw, body),
        )
    ]


def span_of_item(items: Any, index: int) -> Span | None:
    if isinstance(items, SpannedList) and index < len(items.item_spans):
        return items.item_spans[index]
    return None


def map_role_policy(raw: RawResource, body: Body) -> list[Resource]:
    roles = body.refs("role", "roles")
    return [_policy(raw, raw.address, body, raw.span, roles=roles)]


def map_managed_policy(raw: RawResource, body: Body) -> list[Resource]:
    return [_policy(raw, raw.address, body, raw.span, managed=True)]


def map_role_policy_attachment(raw: RawResource, body: Body) -> list[Resource]:
    return [
        PolicyAttachment(
            role=body.ref("role", "role"),
            policy=body.ref("policy_arn", "policy"),
            **base_fields(raw, body),
        )
    ]


def map_policy_attachment(raw: RawResource, body: Body) -> list[Resource]:
    policy = body.ref("policy_arn", "policy")
    roles_value = body.get("roles", "role")
    roles = as_refs(roles_value, APPLY)
    attachments: list[Resource] = []
    for index, role in enumerate(roles):
        spans = dict(body.attr_spans)
        item_span = span_of_item(roles_value, index)
        if item_span is not None:
            spans["role"] = item_span
        attachments.append(
            PolicyAttachment(
                role=role,
                policy=policy,
                **(base_fields(raw, body) | {"address": f"{raw.address}.roles[{index}]", "attr_spans": spans}),
            )
        )
    return attachments


def map_instance_profile(raw: RawResource, body: Body) -> list[Resource]:
    roles = body.refs("role", "roles") + body.refs("roles", "roles")
    return [InstanceProfile(roles=roles, **base_fields(raw, body))]
