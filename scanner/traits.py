"""The stable rule ids: users suppress and baseline by them."""

from __future__ import annotations

IMDSV1 = "ec2-imdsv1"
ADMIN_ROLE = "ec2-admin-role"
SERVICE_ADMIN_ROLE = "ec2-service-admin-role"
REMOTE_ACCESS = "ec2-remote-access"
OPEN_SECURITY_GROUP = "ec2-open-security-group"
PUBLIC_IP = "ec2-public-ip"
INTERNET_REACHABLE = "ec2-internet-reachable"
VPC_REACHABLE = "ec2-vpc-reachable"
EXPLOITABLE_VULNERABILITY = "ec2-exploitable-vulnerability"
VULNERABILITY = "ec2-vulnerability"
EXPOSURE = "ec2-exposure"  # the aggregate; published as ec2-exposure-{critical,high,medium,low}

TRAIT_RULE_IDS: tuple[str, ...] = (
    IMDSV1,
    ADMIN_ROLE,
    SERVICE_ADMIN_ROLE,
    REMOTE_ACCESS,
    OPEN_SECURITY_GROUP,
    PUBLIC_IP,
    INTERNET_REACHABLE,
    VPC_REACHABLE,
    EXPLOITABLE_VULNERABILITY,
    VULNERABILITY,
)
