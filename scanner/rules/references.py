"""The AWS documentation the rules point to, and advice several rules give."""

from __future__ import annotations

from scanner.rules.catalog import Reference

IMDS_DOC = Reference(
    "Configure the instance metadata service options",
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-options.html",
)
IMDS_TRANSITION = Reference(
    "Transition to using IMDSv2",
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-transition-to-version-2.html",
)
INSTANCE_REFRESH = Reference(
    "Use an instance refresh to update instances in an Auto Scaling group",
    "https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-instance-refresh.html",
)
IAM_BEST = Reference(
    "Security best practices in IAM", "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html"
)
ACCESS_ANALYZER = Reference(
    "IAM Access Analyzer policy generation",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html",
)
BOUNDARIES = Reference(
    "Permissions boundaries for IAM entities",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
)
SG_RULES = Reference(
    "Security group rules", "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"
)
SESSION_MANAGER = Reference(
    "AWS Systems Manager Session Manager",
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html",
)
EICE = Reference(
    "Connect using an EC2 Instance Connect Endpoint",
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/connect-with-ec2-instance-connect-endpoint.html",
)
NAT = Reference("NAT gateways", "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html")
NACL = Reference(
    "Control subnet traffic with network access control lists",
    "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html",
)
PATCH_MANAGER = Reference(
    "AWS Systems Manager Patch Manager",
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager.html",
)
INSPECTOR = Reference(
    "What is Amazon Inspector?", "https://docs.aws.amazon.com/inspector/latest/user/what-is-inspector.html"
)

NETWORK_CUT = (
    "Cut the path where it is cheapest: remove the security group rule, add a network ACL deny, "
    "or drop the route to the internet gateway / peering connection / VPN gateway."
)
PRIVATE_SUBNET = (
    "Run the instance in a private subnet (egress through a NAT gateway) and publish only the service "
    "itself, behind a load balancer."
)
