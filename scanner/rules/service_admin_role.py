"""ec2-service-admin-role: the workload's instance role has full control of whole services.

A role of the workload's instance profile is allowed, on Resource ``*``, every action of another
service (``s3:*``, ``ec2:*``, a NotAction that leaves whole services allowed, ``AdministratorAccess``
under a permissions boundary that allows only ``s3:*``), once the role's explicit Denies are taken
out; at least one action of the service that changes something must come through a wildcard or
NotAction (a list of a small service's few actions is least privilege). AWS managed policies are
read from their bundled documents (``AmazonS3FullAccess``, ``AmazonElasticMapReduceforEC2Role``).
Not reported when the workload already has ``ec2-admin-role`` (one that holds for sure): that
one says more. How statements are read is ``scanner.analyses.iam_grants``.
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

ID = "ec2-service-admin-role"


def check(context: CheckContext, options: ScanOptions) -> Iterable[Trait]:
    # an admin grant says more; one a policy not known offline only may have does not
    if any(grant.verdict.is_admin and not grant.verdict.unknown for _, grant in context.role_grants):
        return []
    traits: dict[object, Trait] = {}
    for role, grant in context.role_grants:
        if grant.verdict.grant == "service-admin":
            trait = grant_trait(context.workload, role, grant, ID)
            traits.setdefault(trait.location.span, trait)
    return list(traits.values())


RULE = Rule(
    id=ID,
    name="Ec2ServiceAdminRole",
    short_description="EC2 instance role has full control of an AWS service",
    full_description=(
        "The instance profile's role is allowed every action of at least one service (for example s3:*, "
        "ec2:* or iam:*) on all resources. Stolen instance credentials then give full control of that "
        "service, and iam:* or similar amounts to account takeover."
    ),
    remediation="Narrow service-wide wildcards (service:*) to the actions and resources the workload needs.",
    steps=(
        'Replace `service:*` actions with the specific actions the application calls, and `Resource: "*"` '
        "with the ARNs it uses.",
        "Use IAM Access Analyzer policy generation to see which actions the role actually used.",
        "Attach a permissions boundary to the role to cap what any future policy can grant.",
    ),
    references=(IAM_BEST, ACCESS_ANALYZER, BOUNDARIES),
    tags=(*TAGS, "iam", "privilege"),
    fires_when=(
        "the role's policies together allow every action of another service on `*` (`s3:*`, an AWS managed "
        "`…FullAccess` policy by its document), less its explicit Denies and within its permissions boundary "
        "(not reported when `ec2-admin-role` is)"
    ),
)
