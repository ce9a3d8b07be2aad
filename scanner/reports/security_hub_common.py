"""What the ASFF and OCSF reports share: finding ids, trait types, resource types, and
fitting lists of values into Security Hub's length limits.

Ids are stable across scans, severities and reformatting: an exposure's is its
``ec2-possible-exposure`` fingerprint (rule, configuration, workload: no severity,
``scanner.fingerprints.possible_fingerprint``), a trait's its baseline fingerprint (rule,
configuration, workload, the resource it points at and the rule's keys; never a line).

Fitting (``fit``): whole values joined until the limit, then a marker saying how many were
left out ("... (+3 more)"); a value is never cut in the middle unless it alone is longer
than the limit (then it is cut and marked "...[truncated]").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from scanner.findings import Exposure, PathStep, Trait
from scanner.fingerprints import fingerprint, possible_fingerprint

ID_PREFIX = "iacscan"
TRUNCATED = "...[truncated]"

# Security Hub's trait types for its exposure findings (Reachability, Misconfiguration,
# Assumability, Vulnerability), per rule.
TRAIT_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "ec2-internet-reachable": "Reachability",
        "ec2-vpc-reachable": "Reachability",
        "ec2-public-ip": "Misconfiguration",
        "ec2-open-security-group": "Misconfiguration",
        "ec2-remote-access": "Misconfiguration",
        "ec2-imdsv1": "Misconfiguration",
        "ec2-admin-role": "Assumability",
        "ec2-service-admin-role": "Assumability",
        "ec2-exploitable-vulnerability": "Vulnerability",
        "ec2-vulnerability": "Vulnerability",
    }
)

# Model kinds and path step kinds -> AWS's resource type names (ASFF ``Resources[].Type``).
RESOURCE_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "aws_instance": "AwsEc2Instance",
        "AWS::EC2::Instance": "AwsEc2Instance",
        "instance": "AwsEc2Instance",
        "aws_spot_instance_request": "AwsEc2Instance",  # launches one instance: the workload is it
        "aws_autoscaling_group": "AwsAutoScalingAutoScalingGroup",
        "AWS::AutoScaling::AutoScalingGroup": "AwsAutoScalingAutoScalingGroup",
        "auto_scaling_group": "AwsAutoScalingAutoScalingGroup",
        "security_group": "AwsEc2SecurityGroup",
        "role": "AwsIamRole",
        "policy": "AwsIamPolicy",
        "subnet": "AwsEc2Subnet",
        "route_table": "AwsEc2RouteTable",
        "network_acl": "AwsEc2NetworkAcl",
        "load_balancer": "AwsElbv2LoadBalancer",
        "launch_template": "AwsEc2LaunchTemplate",
        "lambda_function": "AwsLambdaFunction",
        "vpc_peering": "AwsEc2VpcPeeringConnection",
    }
)
# steps that are parts of a resource, not resources: their owner is named elsewhere
PART_KINDS = frozenset(
    {"internet", "route", "network_acl_entry", "security_group_rule", "policy_statement", "listener"}
)


def exposure_id(exposure: Exposure) -> str:
    return f"{ID_PREFIX}/exposure/{possible_fingerprint(exposure)}"


def trait_id(exposure: Exposure, trait: Trait) -> str:
    return f"{ID_PREFIX}/trait/{fingerprint(trait, exposure.configuration)}"


def resource_type(kind: str) -> str:
    return RESOURCE_TYPES.get(kind, "Other")


def fit(values: Sequence[str], limit: int, separator: str = "; ") -> str:
    """``values`` joined by ``separator`` within ``limit`` characters (see the module)."""
    shown: list[str] = []
    used = 0
    for index, value in enumerate(values):
        left = len(values) - index - 1
        marker = f"{separator}... (+{left} more)" if left else ""
        cost = len(value) + (len(separator) if shown else 0)
        if used + cost + len(marker) <= limit:
            shown.append(value)
            used += cost
            continue
        rest = len(values) - index
        tail = f"{separator if shown else ''}... (+{rest} more)"
        if not shown:
            room = limit - len(TRUNCATED) - (len(tail) if rest > 1 else 0)
            if room > 0:
                cut = value[:room] + TRUNCATED
                return cut + (f"{separator}... (+{rest - 1} more)" if rest > 1 else "")
        return separator.join(shown) + tail
    return separator.join(shown)


def step_text(step: PathStep) -> str:
    where = f" ({step.span.file}:{step.span.line})" if step.span is not None else ""
    ports = f" [{step.ports}]" if step.ports else ""
    return f"{step.kind} {step.address}{ports}{where}"


def path_resources(exposure: Exposure) -> list[PathStep]:
    """The resources on the attack path and behind the traits, the workload left out,
    each once, in path order."""
    seen = {exposure.workload}
    found: list[PathStep] = []
    steps = [*exposure.path, *(s for t in exposure.traits for s in t.path)]
    for step in steps:
        if step.kind in PART_KINDS or step.address in seen or not step.address:
            continue
        seen.add(step.address)
        found.append(step)
    return found
