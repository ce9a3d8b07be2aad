"""ec2-admin-role: the workload's instance role has administrative access.

A role of the workload's instance profile is allowed, on Resource ``*``, every action (``*``) or
every IAM action (``iam:*``, or IAM actions that several statements only together cover:
whoever can write IAM can make themselves admin), once the role's explicit Denies are taken out
and within its permissions boundary. AWS managed policies are read from their bundled documents
(``AdministratorAccess``, ``IAMFullAccess``); an AWS managed ARN the bundle does not hold may
allow anything: a possible trait naming it. How a role's policies are read and combined is
``scanner.analyses.iam_grants``. One trait per statement (or managed policy attachment) that
grants it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from scanner.analyses.iam import grant_trait
from scanner.findings import Trait
from scanner.options import ScanOptions
from scanner.rules.catalog import TAGS, Rule
from scanner.rules.references import ACCESS_ANALYZER, BOUNDARIES, IAM_BEST

if TYPE_CHECKING:  # reports read the catalogue without loading the analyses
    from scanner.rules.context import CheckContext

ID = "ec2-admin-role"


def check(context: CheckContext, options: ScanOptions) -> Iterable[Trait]:
    traits: dict[object, Trait] = {}
    for role, grant in context.role_grants:
        if grant.verdict.is_admin:
            trait = grant_trait(context.workload, role, grant, ID)
            traits.setdefault(trait.location.span, trait)
    return list(traits.values())


RULE = Rule(
    id=ID,
    name="Ec2AdminRole",
    short_description="EC2 instance role has administrator access",
    full_description=(
        "The instance profile's role is allowed every action on every resource (for example "
        'AdministratorAccess, or a statement with Action "*" and Resource "*"). Whoever runs code on the '
        "instance, or steals its credentials, controls the whole AWS account."
    ),
    remediation=("Replace the administrator policy with a least-privilege policy for what the workload really calls."),
    steps=(
        "Detach `AdministratorAccess` (or the `*`/`*` statement) from the instance role; instances should never "
        "carry administrator rights.",
        "Grant only the actions and resources the application uses: IAM Access Analyzer can generate a policy "
        "from the role's CloudTrail activity.",
        "Add a permissions boundary to roles that instances assume, so a later policy change cannot widen them "
        "to administrator.",
    ),
    references=(IAM_BEST, ACCESS_ANALYZER, BOUNDARIES),
    tags=(*TAGS, "iam", "privilege"),
    fires_when=(
        "the instance profile's role, all its policies together (AWS managed ones from their bundled documents), "
        "allows every action or every IAM action on Resource `*`, less its explicit Denies and within its "
        "permissions boundary (`AdministratorAccess`, `IAMFullAccess`, `*` / `iam:*` statements)"
    ),
)
