"""CloudFormation IAM -> model: roles (inline ``Policies``, ``ManagedPolicyArns``, ``PermissionsBoundary``), policies,
managed policies, role policies and instance profiles."""

from __future__ import annotations

from scanner.adapters.cloudformation.fields import (
    Fields,
    as_ref,
    as_refs,
    as_str,
    base_fields,
    derived,
    get_in,
    items_of,
    own_ref,
)
from scanner.adapters.common import DEPLOYMENT, PolicyFormat, parse_policy_document, read_policy
from scanner.adapters.raw import RawResource
from scanner.model import (
    InstanceProfile,
    Policy,
    PolicyAttachment,
    Resource,
    Role,
)

# Statements are named by where the document places them.
_POLICIES = PolicyFormat(DEPLOYMENT, heredoc=False, statement_lines="placed")


def map_role(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    inline: list[Policy] = []
    written = fields.take("inline_policies", "Policies")
    for index, item in items_of(written):
        policy_fields = Fields(item)
        base = derived(raw, "Policies", index, written, policy_fields)
        document = policy_fields.take("statements", "PolicyDocument") if isinstance(item, dict) else item
        base["name"] = as_str(get_in(item, "PolicyName"))
        inline.append(read_policy(base, document, policy_fields.spans.get("statements", base["span"]), _POLICIES))
    attachments: list[PolicyAttachment] = []
    arns = fields.take("attachments", "ManagedPolicyArns")
    for index, item in items_of(arns):
        attachments.append(
            PolicyAttachment(
                **derived(raw, "ManagedPolicyArns", index, arns, Fields(item)), role=own_ref(raw), policy=as_ref(item)
            )
        )
    boundary = as_ref(fields.take("permissions_boundary", "PermissionsBoundary"))
    trust = fields.take("trust", "AssumeRolePolicyDocument")
    read = parse_policy_document(trust, fields.spans.get("trust", raw.span), _POLICIES)
    return [
        Role(
            **base_fields(raw, fields, "RoleName"),
            inline_policies=tuple(inline),
            attachments=tuple(attachments),
            permissions_boundary=boundary,
            trust=read.statements,
            trust_unknown=read.unknown if trust is not None else None,
        )
    ]


def map_policy(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    managed = raw.type == "AWS::IAM::ManagedPolicy"
    roles = as_refs(fields.take("roles", "Roles"))
    if raw.type == "AWS::IAM::RolePolicy":
        roles = as_refs(fields.take("roles", "RoleName"))
    document = fields.take("statements", "PolicyDocument")
    base = base_fields(raw, fields, "ManagedPolicyName" if managed else "PolicyName")
    span = fields.spans.get("statements", raw.span)
    return [read_policy(base, document, span, _POLICIES, roles=roles, managed=managed)]


def map_instance_profile(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        InstanceProfile(**base_fields(raw, fields, "InstanceProfileName"), roles=as_refs(fields.take("roles", "Roles")))
    ]
