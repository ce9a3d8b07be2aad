"""The rule catalog: what each rule id means, why it matters and how to fix it.

Reports read it (SARIF ``tool.driver.rules``, JSON, text) and the exposure stage takes each
fix's one-line remediation from it. Ids are stable: users suppress and baseline by them.

Security severity (the CVSS-like 0.0-10.0 score GitHub code scanning shows as
critical >= 9.0, high >= 7.0, medium >= 4.0, low > 0) is the score of the trait *on its own*;
the combination on one workload is published as one of the four aggregate rules
``ec2-exposure-{critical,high,medium,low}`` (9.5, 8.0, 5.5, 2.0):

=============================  =====  ==========================================================
rule                           score  why
=============================  =====  ==========================================================
ec2-exploitable-vulnerability   9.0   known-exploited code runs on the instance
ec2-admin-role                  8.0   instance credentials can do anything in the account
ec2-internet-reachable          7.5   a full network path from the internet exists
ec2-remote-access               7.5   SSH/RDP (or similar) open to the world: brute force, 0-days
ec2-imdsv1                      7.0   one SSRF bug leaks the role's credentials
ec2-service-admin-role          6.5   full control of one service (s3:*, ec2:* ...)
ec2-open-security-group         5.5   ports beyond the authorised ones open to the world
ec2-vulnerability               5.0   a known, not (known to be) exploited vulnerability
ec2-vpc-reachable               4.0   reachable from peered / VPN / other VPC networks
ec2-public-ip                   3.5   an address on the internet; harmless alone
=============================  =====  ==========================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from scanner.findings import Severity
from scanner.traits import (
    ADMIN_ROLE,
    EXPLOITABLE_VULNERABILITY,
    EXPOSURE,
    IMDSV1,
    INTERNET_REACHABLE,
    OPEN_SECURITY_GROUP,
    PUBLIC_IP,
    REMOTE_ACCESS,
    SERVICE_ADMIN_ROLE,
    VPC_REACHABLE,
    VULNERABILITY,
)

LOAD_ERROR = "iacscan-load-error"
SUPPRESSION_WITHOUT_REASON = "iacscan-suppression-without-reason"
RESULTS_TRUNCATED = "iacscan-results-truncated"

RuleKind = Literal["trait", "exposure", "notice"]
Level = Literal["error", "warning", "note"]

EXPOSURE_SCORES: dict[Severity, float] = {
    Severity.CRITICAL: 9.5,
    Severity.HIGH: 8.0,
    Severity.MEDIUM: 5.5,
    Severity.LOW: 2.0,
}


@dataclass(frozen=True)
class Reference:
    title: str
    url: str


@dataclass(frozen=True)
class Rule:
    """One rule. ``remediation`` is the one line a fix shows; ``steps`` the full advice
    (Markdown inline code allowed), ``references`` AWS documentation."""

    id: str
    name: str  # PascalCase, as SARIF reportingDescriptor.name
    short_description: str
    full_description: str
    remediation: str
    steps: tuple[str, ...]
    references: tuple[Reference, ...]
    security_severity: float | None
    tags: tuple[str, ...]
    kind: RuleKind = "trait"

    @property
    def level(self) -> Level:
        """The SARIF default level: error from high scores up, warning for medium, else note."""
        if self.security_severity is None:
            return "note"
        if self.security_severity >= 7.0:
            return "error"
        if self.security_severity >= 4.0:
            return "warning"
        return "note"

    @property
    def help_text(self) -> str:
        lines = [self.full_description, "", "How to fix:"]
        lines += [f"- {_plain(step)}" for step in self.steps]
        if self.references:
            lines += ["", "References:"]
            lines += [f"- {ref.title}: {ref.url}" for ref in self.references]
        return "\n".join(lines)

    @property
    def help_markdown(self) -> str:
        lines = [f"**{self.short_description}**", "", self.full_description, "", "### How to fix", ""]
        lines += [f"- {step}" for step in self.steps]
        if self.references:
            lines += ["", "### References", ""]
            lines += [f"- [{ref.title}]({ref.url})" for ref in self.references]
        return "\n".join(lines)


def _plain(markdown: str) -> str:
    return re.sub(r"\*\*|`", "", markdown)


_TAGS = ("security", "aws", "ec2")

_IMDS_DOC = Reference(
    "Configure the instance metadata service options",
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-options.html",
)
_IMDS_TRANSITION = Reference(
    "Transition to using IMDSv2",
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-transition-to-version-2.html",
)
_INSTANCE_REFRESH = Reference(
    "Use an instance refresh to update instances in an Auto Scaling group",
    "https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-instance-refresh.html",
)
_IAM_BEST = Reference(
    "Security best practices in IAM", "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html"
)
_ACCESS_ANALYZER = Reference(
    "IAM Access Analyzer policy generation",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html",
)
_BOUNDARIES = Reference(
    "Permissions boundaries for IAM entities",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
)
_SG_RULES = Reference(
    "Security group rules", "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"
)
_SESSION_MANAGER = Reference(
    "AWS Systems Manager Session Manager",
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html",
)
_EICE = Reference(
    "Connect using an EC2 Instance Connect Endpoint",
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/connect-with-ec2-instance-connect-endpoint.html",
)
_NAT = Reference("NAT gateways", "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html")
_NACL = Reference(
    "Control subnet traffic with network access control lists",
    "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html",
)
_PATCH_MANAGER = Reference(
    "AWS Systems Manager Patch Manager",
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager.html",
)
_INSPECTOR = Reference(
    "What is Amazon Inspector?", "https://docs.aws.amazon.com/inspector/latest/user/what-is-inspector.html"
)

_NETWORK_CUT = (
    "Cut the path where it is cheapest: remove the security group rule, add a network ACL deny, "
    "or drop the route to the internet gateway / peering connection / VPN gateway."
)
_PRIVATE_SUBNET = (
    "Run the instance in a private subnet (egress through a NAT gateway) and publish only the service "
    "itself, behind a load balancer."
)

_TRAIT_RULES: tuple[Rule, ...] = (
    Rule(
        id=IMDSV1,
        name="Ec2Imdsv1Allowed",
        short_description="EC2 instance metadata service allows IMDSv1",
        full_description=(
            "The instance (or its launch template) does not require IMDSv2 session tokens, so the "
            "instance metadata service answers plain IMDSv1 GET requests. A server-side request forgery, "
            "an open proxy or a misconfigured web application firewall on the instance is then enough to "
            "read the temporary credentials of the instance's IAM role."
        ),
        remediation=(
            'Require IMDSv2: set http_tokens = "required" (CloudFormation MetadataOptions HttpTokens: required).'
        ),
        steps=(
            'Set `metadata_options { http_tokens = "required" }` on the `aws_instance` or `aws_launch_template` '
            "(CloudFormation: `MetadataOptions: { HttpTokens: required }`, in `LaunchTemplateData` for templates).",
            "For Auto Scaling groups, publish a new launch template version with the setting, point the group at it "
            "and start an instance refresh so running instances are replaced.",
            "Optionally make IMDSv2 the account default (`aws_ec2_instance_metadata_defaults`) so new instances "
            "start with it, and check that SDKs and agents on the AMI are recent enough to use tokens.",
        ),
        references=(_IMDS_DOC, _IMDS_TRANSITION, _INSTANCE_REFRESH),
        security_severity=7.0,
        tags=(*_TAGS, "imds", "credentials"),
    ),
    Rule(
        id=ADMIN_ROLE,
        name="Ec2AdminRole",
        short_description="EC2 instance role has administrator access",
        full_description=(
            "The instance profile's role is allowed every action on every resource (for example "
            'AdministratorAccess, or a statement with Action "*" and Resource "*"). Whoever runs code on the '
            "instance, or steals its credentials, controls the whole AWS account."
        ),
        remediation=(
            "Replace the administrator policy with a least-privilege policy for what the workload really calls."
        ),
        steps=(
            "Detach `AdministratorAccess` (or the `*`/`*` statement) from the instance role; instances should never "
            "carry administrator rights.",
            "Grant only the actions and resources the application uses: IAM Access Analyzer can generate a policy "
            "from the role's CloudTrail activity.",
            "Add a permissions boundary to roles that instances assume, so a later policy change cannot widen them "
            "to administrator.",
        ),
        references=(_IAM_BEST, _ACCESS_ANALYZER, _BOUNDARIES),
        security_severity=8.0,
        tags=(*_TAGS, "iam", "privilege"),
    ),
    Rule(
        id=SERVICE_ADMIN_ROLE,
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
        references=(_IAM_BEST, _ACCESS_ANALYZER, _BOUNDARIES),
        security_severity=6.5,
        tags=(*_TAGS, "iam", "privilege"),
    ),
    Rule(
        id=REMOTE_ACCESS,
        name="Ec2RemoteAccessOpen",
        short_description="Remote administration port open to the internet",
        full_description=(
            "A security group attached to the workload allows a remote administration port (SSH 22, RDP 3389 "
            "or similar) from any address (0.0.0.0/0 or ::/0). Such ports attract constant password guessing and "
            "exploitation of new server vulnerabilities."
        ),
        remediation=(
            "Restrict SSH/RDP to known CIDRs, or remove the rule and use Session Manager / EC2 Instance Connect "
            "Endpoint."
        ),
        steps=(
            "Remove the rule and reach the instance through AWS Systems Manager Session Manager or an EC2 Instance "
            "Connect Endpoint: no inbound port is needed.",
            "If a port must stay open, allow it only from the known address ranges of your administrators or VPN.",
        ),
        references=(_SESSION_MANAGER, _EICE, _SG_RULES),
        security_severity=7.5,
        tags=(*_TAGS, "network", "remote-access"),
    ),
    Rule(
        id=OPEN_SECURITY_GROUP,
        name="Ec2OpenSecurityGroup",
        short_description="Security group open to the internet beyond the authorised ports",
        full_description=(
            "A security group attached to the workload allows traffic from any address (0.0.0.0/0 or ::/0) to "
            "ports other than the ones authorised for public services (by default 80 and 443)."
        ),
        remediation="Open only the ports the service needs, and only to the sources that need them.",
        steps=(
            "Limit the rule to the ports the service really serves; remove all-traffic (`-1`) rules.",
            "Limit the source to known CIDRs, a prefix list or the load balancer's security group.",
        ),
        references=(_SG_RULES,),
        security_severity=5.5,
        tags=(*_TAGS, "network"),
    ),
    Rule(
        id=PUBLIC_IP,
        name="Ec2PublicIp",
        short_description="EC2 workload gets a public IP address",
        full_description=(
            "The workload receives a public IPv4 address (associate_public_ip_address, the subnet's "
            "map_public_ip_on_launch, an Elastic IP) or a global IPv6 address. On its own this is not reachable "
            "traffic, but it is one security group or route change away from it."
        ),
        remediation=(
            "Launch in a private subnet without a public IP; use a NAT gateway for egress and a load balancer for "
            "ingress."
        ),
        steps=(
            _PRIVATE_SUBNET,
            "Set `associate_public_ip_address = false` (CloudFormation `AssociatePublicIpAddress: false`) and turn "
            "off `map_public_ip_on_launch` on subnets that host instances.",
        ),
        references=(_NAT,),
        security_severity=3.5,
        tags=(*_TAGS, "network"),
    ),
    Rule(
        id=INTERNET_REACHABLE,
        name="Ec2InternetReachable",
        short_description="EC2 workload reachable from the internet",
        full_description=(
            "A complete network path exists from the internet to the workload: through an internet gateway, a "
            "route, the network ACL and a security group to a public address, or through an internet-facing load "
            "balancer to the instance port. The trait names the ports that survive every hop."
        ),
        remediation=(
            "Cut the internet path: tighten the security group or NACL, or move the workload behind a private subnet."
        ),
        steps=(
            _NETWORK_CUT,
            _PRIVATE_SUBNET,
            "Check the result with VPC Reachability Analyzer after deployment.",
        ),
        references=(_SG_RULES, _NACL, _NAT),
        security_severity=7.5,
        tags=(*_TAGS, "network", "reachability"),
    ),
    Rule(
        id=VPC_REACHABLE,
        name="Ec2VpcReachable",
        short_description="EC2 workload open to all traffic from its whole VPC",
        full_description=(
            "An attached security group admits all traffic (every protocol, or TCP and UDP on every port) from "
            "a source range that contains the workload's whole VPC CIDR. Anything that runs anywhere in the VPC "
            "(a compromised instance, container or Lambda function) can reach every service on the workload, "
            "so one foothold becomes lateral movement."
        ),
        remediation="Admit only the ports the service needs, from the security groups of its real clients.",
        steps=(
            "Replace the all-traffic rule from the VPC CIDR (or 10.0.0.0/8 and the like) with rules for the "
            "service's own ports.",
            "Use the clients' security groups as the source instead of address ranges, so new workloads in the "
            "VPC get no access by default.",
            "Add network ACL rules at subnet boundaries for tiers that must never talk to each other.",
        ),
        references=(_SG_RULES, _NACL),
        security_severity=4.0,
        tags=(*_TAGS, "network", "reachability"),
    ),
    Rule(
        id=EXPLOITABLE_VULNERABILITY,
        name="Ec2ExploitableVulnerability",
        short_description="EC2 workload runs software with a known exploited vulnerability",
        full_description=(
            "The image or the software installed at launch has a vulnerability with known exploitation (for "
            "example listed in CISA's Known Exploited Vulnerabilities catalog). Combined with network reachability "
            "it is the most likely way in."
        ),
        remediation=(
            "Upgrade the vulnerable package or image now; until fixed, cut network access to the vulnerable service."
        ),
        steps=(
            "Upgrade the package (or pin the fixed version in user data), or patch with AWS Systems Manager "
            "Patch Manager.",
            "Rebuild the golden AMI with the fix, publish a new launch template version and roll Auto Scaling groups "
            "with an instance refresh.",
            "While no fix exists, remove network access to the vulnerable service (security group, NACL).",
            "Scan continuously with Amazon Inspector to catch new findings on running instances.",
        ),
        references=(_PATCH_MANAGER, _INSTANCE_REFRESH, _INSPECTOR),
        security_severity=9.0,
        tags=(*_TAGS, "vulnerability"),
    ),
    Rule(
        id=VULNERABILITY,
        name="Ec2SoftwareVulnerability",
        short_description="EC2 workload runs software with a known vulnerability",
        full_description=(
            "The image or the software installed at launch has a known vulnerability (a CVE) that is not known to "
            "be exploited."
        ),
        remediation="Upgrade the package or rebuild the AMI with the fix, then roll the instances.",
        steps=(
            "Upgrade the package or patch with AWS Systems Manager Patch Manager.",
            "Rebuild the golden AMI, update the launch template and start an instance refresh for Auto Scaling groups.",
            "Scan continuously with Amazon Inspector.",
        ),
        references=(_PATCH_MANAGER, _INSTANCE_REFRESH, _INSPECTOR),
        security_severity=5.0,
        tags=(*_TAGS, "vulnerability"),
    ),
)


def _exposure_rule(severity: Severity) -> Rule:
    label = severity.label
    return Rule(
        id=f"{EXPOSURE}-{label}",
        name=f"Ec2Exposure{label.capitalize()}",
        short_description=f"EC2 workload with a {label} exposure",
        full_description=(
            f"The combination of exposure traits on this workload is rated {label}. The severity comes from the "
            "combination, as AWS Security Hub rates exposure findings: internet reachability together with an "
            "exploitable vulnerability, an administrator role, IMDSv1 or open remote access is what turns a "
            "weakness into an attack path. The result lists every trait, the attack path and the fix that "
            "lowers the severity most."
        ),
        remediation="Apply the best fix shown with the finding first: it lowers the severity most.",
        steps=(
            "Start with the best fix reported with the finding; each trait result has its own advice.",
            "Cut the network path (security group, network ACL, route) to stop the exposure quickly; then remove "
            "the weaknesses behind it (IMDSv1, administrator roles, vulnerabilities).",
        ),
        references=(_IMDS_TRANSITION, _IAM_BEST, _SG_RULES),
        security_severity=EXPOSURE_SCORES[severity],
        tags=(*_TAGS, "exposure"),
        kind="exposure",
    )


_EXPOSURE_RULES: tuple[Rule, ...] = tuple(_exposure_rule(severity) for severity in sorted(Severity, reverse=True))

_NOTICE_RULES: tuple[Rule, ...] = (
    Rule(
        id=LOAD_ERROR,
        name="IacscanLoadError",
        short_description="A file could not be read",
        full_description="A file (or part of one) could not be parsed or loaded; findings in it may be missing.",
        remediation="Fix the syntax error or the reference the message names, then scan again.",
        steps=("Fix the problem the message names at the given line, then scan again.",),
        references=(),
        security_severity=None,
        tags=("iacscan",),
        kind="notice",
    ),
    Rule(
        id=SUPPRESSION_WITHOUT_REASON,
        name="IacscanSuppressionWithoutReason",
        short_description="An iacscan:ignore comment gives no reason",
        full_description=(
            "An inline iacscan:ignore suppression has no justification. The finding stays suppressed, but a "
            "reviewer cannot tell why it was accepted."
        ),
        remediation="Add a reason after the rule ids of the iacscan:ignore comment.",
        steps=("Write why the finding is accepted after the rule ids of the `iacscan:ignore` comment.",),
        references=(),
        security_severity=None,
        tags=("iacscan", "maintainability"),
        kind="notice",
    ),
    Rule(
        id=RESULTS_TRUNCATED,
        name="IacscanResultsTruncated",
        short_description="Too many results: the least severe were left out",
        full_description=(
            "The SARIF file holds at most 25,000 results per run (GitHub's limit); the most severe were kept."
        ),
        remediation="Scan smaller parts of the repository, or fix or suppress findings in bulk.",
        steps=("Scan smaller parts of the repository separately, or fix the most common findings first.",),
        references=(),
        security_severity=None,
        tags=("iacscan",),
        kind="notice",
    ),
)

_ALL: tuple[Rule, ...] = _TRAIT_RULES + _EXPOSURE_RULES + _NOTICE_RULES
_BY_ID: dict[str, Rule] = {r.id: r for r in _ALL}


def all_rules() -> tuple[Rule, ...]:
    """Every rule, in a fixed order: traits, the four exposure levels, then iacscan's own notices."""
    return _ALL


def rule(rule_id: str) -> Rule:
    """The rule with this id; raises KeyError for an unknown id."""
    return _BY_ID[rule_id]


def exposure_rule_id(severity: Severity) -> str:
    return f"{EXPOSURE}-{severity.label}"


def remediation(rule_id: str) -> str:
    """The one-line fix for a rule id (a generic line for ids the catalog does not know)."""
    found = _BY_ID.get(rule_id)
    return found.remediation if found is not None else f"Remove the cause of {rule_id}."
