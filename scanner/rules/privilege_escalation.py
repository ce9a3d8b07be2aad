"""ec2-privilege-escalation: the workload's instance role can make itself administrator.

The role of the workload's instance profile is not admin (no ``ec2-admin-role``, holding or
possible), but it can reach administrative access through one or more paths of the
escalation catalogue (pathfinding.cloud's ids): change its own permissions
(``iam:CreatePolicyVersion``, ``iam:PutRolePolicy``, ``iam:AttachRolePolicy``), pass an admin
role of the configuration to a new compute resource (``iam:PassRole`` with
``ec2:RunInstances``, ``lambda:CreateFunction`` + ``lambda:InvokeFunction``,
``cloudformation:CreateStack`` ...), assume an admin role whose trust policy admits it, rewrite
a role's trust policy, take over an EC2 instance or a Lambda function of the configuration that
runs with an admin role (``ssm:SendCommand``, ``ssm:StartSession``, new user data,
``lambda:UpdateFunctionCode`` ...), or several such hops (at most four). How the search reads the role's
statements and the other roles' trust policies is ``scanner.analyses.iam_escalation``. One
trait per role: its best chain (one that holds for sure before a possible one, the shortest
first), at the statement that allows the chain's first action.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from scanner.analyses.iam import escalation_trait
from scanner.analyses.iam_escalation import escalation
from scanner.findings import Trait
from scanner.options import ScanOptions
from scanner.rules.catalog import TAGS, Reference, Rule
from scanner.rules.references import ACCESS_ANALYZER, BOUNDARIES, IAM_BEST
from scanner.workload import ConfigurationRoles

if TYPE_CHECKING:  # reports read the catalogue without loading the analyses
    from scanner.rules.context import CheckContext

ID = "ec2-privilege-escalation"

PASSROLE = Reference(
    "Grant a user permissions to pass a role to an AWS service",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
)


def check(context: CheckContext, options: ScanOptions) -> Iterable[Trait]:
    # an admin role (even a possible one) says more: escalation is what a non-admin role can become
    if any(grant.verdict.is_admin for _, grant in context.role_grants):
        return []
    workload = context.workload
    directory = workload.iam_roles
    if directory is None:
        roles = workload.roles
        directory = ConfigurationRoles(lambda: roles)
    traits: list[Trait] = []
    for role in workload.roles:
        found = escalation(role, directory)
        if found is not None:
            traits.append(escalation_trait(workload, role, found, ID))
    return traits


RULE = Rule(
    id=ID,
    name="Ec2PrivilegeEscalation",
    short_description="EC2 instance role can escalate to administrator access",
    full_description=(
        "The instance profile's role is not an administrator, but its permissions let it become one: it can "
        "change its own policies, pass an administrator role to a new Lambda function, EC2 instance, "
        "CloudFormation stack or other compute resource, assume an administrator role whose trust policy admits "
        "it, rewrite a role's trust policy, or take over an EC2 instance or Lambda function that already runs with "
        "an administrator role (Run Command, Session Manager, new user data, new function code), directly or "
        "through other roles. Whoever steals the instance's "
        "credentials gets what an administrator role gives. The finding names each path by its id in the public "
        "pathfinding.cloud catalogue (https://pathfinding.cloud/) and each hop at its line."
    ),
    remediation="Remove the first enabling action (named in the finding) from its statement, or scope it to the "
    "resources the workload needs.",
    steps=(
        "Remove the action the finding points at (`iam:PassRole`, `iam:PutRolePolicy`, `iam:CreatePolicyVersion`, "
        "`sts:AssumeRole` ...) from the statement, or scope its Resource to roles and policies that are not "
        "administrators.",
        "Condition `iam:PassRole` on `iam:PassedToService` so a role can be passed only to the service that needs it.",
        "Narrow the trust policies of administrator roles to the principals that must assume them (not the whole "
        "account).",
        "Scope `ssm:SendCommand`, `ssm:StartSession`, `ec2:ModifyInstanceAttribute` and "
        "`lambda:UpdateFunctionCode` to the instances and functions the workload manages, never to those running "
        "with an administrator role.",
        "Attach a permissions boundary to the role so no change of its own policies can widen it.",
    ),
    references=(IAM_BEST, PASSROLE, BOUNDARIES, ACCESS_ANALYZER),
    tags=(*TAGS, "iam", "privilege"),
    fires_when=(
        "the role is not admin, but a path of the escalation catalogue (pathfinding.cloud ids: `iam-005` "
        "PutRolePolicy on itself, `ec2-001` PassRole + RunInstances, `sts-001` AssumeRole ...) leads from it, in at "
        "most four hops through the configuration's roles, to a role with administrative access or to admin at once"
    ),
    fingerprint_keys=("paths",),
)
