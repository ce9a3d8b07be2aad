"""CloudFormation resources mapped onto scanner.model, with the line of each field."""

from __future__ import annotations

from typing import Any

from scanner.loaders.cloudformation.imports import load_templates
from scanner.model import (
    AclEntry,
    AutoScalingGroup,
    EipAssociation,
    ElasticIp,
    GatewayAttachment,
    Instance,
    InstanceProfile,
    InternetGateway,
    LaunchTemplate,
    Listener,
    ListenerRule,
    LoadBalancer,
    NatGateway,
    NetworkAcl,
    NetworkAclAssociation,
    NetworkInterface,
    NetworkInterfaceAttachment,
    Policy,
    Role,
    Route,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    TargetGroup,
    TargetGroupAttachment,
    Vpc,
    VpcCidrAssociation,
    VpcPeering,
    VpnConnection,
    VpnGateway,
    VpnGatewayRoutePropagation,
)
from scanner.options import ScanOptions
from scanner.values import ResourceRef, Unknown
from tests.support.paths import REPO

FIXTURES = REPO / "fixtures" / "cloudformation"


def line_of(relative: str, text: str, nth: int = 1) -> int:
    seen = 0
    for number, line in enumerate((FIXTURES / relative).read_text().splitlines(), start=1):
        if text in line:
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(f"{text!r} not in {relative}")


def load(relative: str) -> dict[str, Any]:
    [configuration] = load_templates([FIXTURES / relative], ScanOptions(root=FIXTURES))
    assert configuration.errors == []
    return {resource.address: resource for resource in configuration.resources}


def ref(address: str, attribute: str = "Ref") -> ResourceRef:
    return ResourceRef(address, attribute)


# --- workloads --------------------------------------------------------------------------------------

INSTANCES = "instance-references/template.yaml"


def test_instance_refers_to_subnet_groups_and_profile() -> None:
    app = load(INSTANCES)["App"]
    assert isinstance(app, Instance)
    assert app.subnet == ref("AppSubnet")
    assert app.security_groups == (ref("AppGroup", "GroupId"),)
    assert app.instance_profile == ref("AppProfile")
    assert app.image == "ami-0123456789abcdef0"
    assert app.user_data == "#!/bin/bash\nyum install -y httpd\n"
    assert app.metadata is None and app.launch_template is None
    assert app.name == "app-server"
    assert app.span_of("subnet").line == line_of(INSTANCES, "SubnetId: !Ref AppSubnet", nth=2)
    assert app.span_of("security_groups").line == line_of(INSTANCES, "SecurityGroupIds:")
    assert app.span_of("instance_profile").line == line_of(INSTANCES, "IamInstanceProfile: !Ref AppProfile")
    assert app.span.line == line_of(INSTANCES, "  App:")


def test_instance_from_launch_template() -> None:
    resources = load(INSTANCES)
    instance = resources["FromTemplate"]
    assert isinstance(instance, Instance) and instance.launch_template == ref("AppTemplate")
    template = resources["AppTemplate"]
    assert isinstance(template, LaunchTemplate) and not template.is_launch_configuration
    assert template.name == "app-template"
    assert template.metadata is not None
    assert template.metadata.http_tokens == "optional" and template.metadata.http_endpoint == "enabled"
    assert template.metadata.span_of("http_tokens").line == line_of(INSTANCES, "HttpTokens: optional")
    assert template.span_of("http_tokens").line == line_of(INSTANCES, "HttpTokens: optional")
    assert template.metadata.span.line == line_of(INSTANCES, "MetadataOptions:")
    assert template.associate_public_ip is True
    assert template.span_of("associate_public_ip").line == line_of(INSTANCES, "AssociatePublicIpAddress: true")
    assert template.security_groups == (ref("AppGroup"),)
    assert template.subnet == ref("AppSubnet")
    assert template.instance_profile == ref("AppProfile", "Arn")
    assert template.image == "ami-0template"


def test_instance_with_inline_network_interface() -> None:
    resources = load(INSTANCES)
    instance = resources["WithEni"]
    assert isinstance(instance, Instance)
    assert instance.associate_public_ip is True  # "true" as text is still true
    assert instance.span_of("associate_public_ip").line == line_of(INSTANCES, 'AssociatePublicIpAddress: "true"')
    assert instance.subnet == ref("AppSubnet") and instance.security_groups == (ref("AppGroup"),)
    assert instance.ipv6_address_count == 1
    eni = resources["WithEni.NetworkInterfaces[0]"]
    assert isinstance(eni, NetworkInterface)
    assert instance.network_interfaces == (ref("WithEni.NetworkInterfaces[0]"),)
    assert eni.attached_instance == ref("WithEni") and eni.public_ip is True
    assert eni.subnet == ref("AppSubnet") and eni.security_groups == (ref("AppGroup"),)
    assert eni.span.line == line_of(INSTANCES, '- DeviceIndex: "0"')


def test_launch_configuration_and_auto_scaling_groups() -> None:
    resources = load(INSTANCES)
    config = resources["AppConfig"]
    assert isinstance(config, LaunchTemplate) and config.is_launch_configuration
    assert config.metadata is not None and config.metadata.http_tokens == "required"
    assert config.span_of("http_tokens").line == line_of(INSTANCES, "HttpTokens: required")
    assert config.associate_public_ip is False
    assert config.security_groups == (ref("AppGroup"),) and config.instance_profile == ref("AppProfile")
    fleet = resources["AppFleet"]
    assert isinstance(fleet, AutoScalingGroup)
    assert fleet.launch_template == ref("AppTemplate")  # through MixedInstancesPolicy
    assert fleet.subnets == (ref("AppSubnet"),) and fleet.target_groups == (ref("SomeTargets"),)
    old = resources["OldFleet"]
    assert isinstance(old, AutoScalingGroup)
    assert old.launch_configuration == ref("AppConfig") and old.load_balancers == ("classic-lb",)
    [zones] = old.availability_zones
    assert isinstance(zones, Unknown)


def test_instance_profile_and_group_names() -> None:
    resources = load(INSTANCES)
    profile = resources["AppProfile"]
    assert isinstance(profile, InstanceProfile) and profile.roles == (ref("AppRole"),)
    group = resources["AppGroup"]
    assert isinstance(group, SecurityGroup) and group.name == "app-sg" and group.vpc == ref("Vpc")


# --- security groups -------------------------------------------------------------------------------------

GROUPS = "security-group-protocols/template.yaml"


def test_security_group_rules_with_normalised_protocols() -> None:
    resources = load(GROUPS)
    web = resources["Web"]
    assert isinstance(web, SecurityGroup)
    assert web.implicit_egress_all is True  # no SecurityGroupEgress: AWS's allow-all egress stays
    assert [rule.protocol for rule in web.rules] == ["6", "17", "1", "-1", "58", "58"]
    ssh = web.rules[0]
    assert ssh.address == "Web.SecurityGroupIngress[0]" and ssh.group is None and ssh.ingress
    assert (ssh.from_port, ssh.to_port, ssh.cidrs) == (22, 22, ("0.0.0.0/0",))
    assert ssh.span.line == line_of(GROUPS, "- IpProtocol: tcp")
    assert ssh.span_of("cidrs").line == line_of(GROUPS, "CidrIp: 0.0.0.0/0")
    assert web.rules[1].ipv6_cidrs == ("::/0",)
    everything = web.rules[3]
    assert (everything.from_port, everything.to_port) == (0, 65535)
    assert everything.source_groups == (ref("Lb"),)
    assert web.rules[5].prefix_lists == ("pl-0abc",)


def test_explicit_egress_and_standalone_rules() -> None:
    resources = load(GROUPS)
    lb = resources["Lb"]
    assert isinstance(lb, SecurityGroup) and lb.implicit_egress_all is False
    [egress] = lb.rules
    assert not egress.ingress and egress.source_groups == (ref("Web"),)
    assert egress.address == "Lb.SecurityGroupEgress[0]"
    self_rule = resources["WebFromSelf"]
    assert isinstance(self_rule, SecurityGroupRule)
    assert self_rule.group == ref("Web", "GroupId") and self_rule.self_source and self_rule.source_groups == ()
    assert self_rule.span_of("from_port").line == line_of(GROUPS, "FromPort: 8080")
    out = resources["WebEgress"]
    assert isinstance(out, SecurityGroupRule) and not out.ingress
    assert out.protocol == "-1" and out.cidrs == ("0.0.0.0/0",) and out.group == ref("Web")


# --- load balancers ------------------------------------------------------------------------------------------

BALANCERS = "load-balancer-chain/template.yaml"


def test_load_balancer_listener_target_group_targets() -> None:
    resources = load(BALANCERS)
    alb = resources["Alb"]
    assert isinstance(alb, LoadBalancer)
    assert alb.lb_type == "application" and alb.internal is False and alb.name == "web-alb"
    assert alb.subnets == ("subnet-0a", "subnet-0b") and alb.security_groups == ("sg-0alb",)
    assert alb.span_of("internal").line == line_of(BALANCERS, "Scheme: internet-facing")
    nlb = resources["Nlb"]
    assert isinstance(nlb, LoadBalancer)
    assert nlb.lb_type == "network" and nlb.internal is True and nlb.subnets == ("subnet-0c",)
    listener = resources["HttpsListener"]
    assert isinstance(listener, Listener)
    assert listener.load_balancer == ref("Alb") and listener.port == 443 and listener.protocol == "HTTPS"
    assert listener.target_groups == (ref("WebTargets"),)
    rule = resources["WeightedRule"]
    assert isinstance(rule, ListenerRule)
    assert rule.listener == ref("HttpsListener") and rule.target_groups == (ref("ApiTargets"),)
    targets = resources["WebTargets"]
    assert isinstance(targets, TargetGroup) and targets.port == 8080 and targets.vpc == "vpc-0abc"
    first = resources["WebTargets.Targets[0]"]
    second = resources["WebTargets.Targets[1]"]
    assert isinstance(first, TargetGroupAttachment) and isinstance(second, TargetGroupAttachment)
    assert first.target_group == ref("WebTargets") and first.target == ref("WebServer") and first.port == 8080
    assert second.target == "i-0existing" and second.port is None
    assert first.span.line == line_of(BALANCERS, "- Id: !Ref WebServer")
    assert second.span.line == line_of(BALANCERS, "- Id: i-0existing")
    api = resources["ApiTargets"]
    assert isinstance(api, TargetGroup) and api.target_type == "ip"


def test_classic_load_balancer() -> None:
    classic = load(BALANCERS)["Classic"]
    assert isinstance(classic, LoadBalancer)
    assert classic.lb_type == "classic" and classic.internal is True and classic.name == "classic-web"
    assert classic.instances == (ref("WebServer"),)
    [listener] = classic.listeners
    assert listener.port == 80 and listener.instance_port == 8080 and listener.load_balancer == ref("Classic")
    assert listener.address == "Classic.Listeners[0]"
    assert listener.span.line == line_of(BALANCERS, '- LoadBalancerPort: "80"')


# --- IAM -------------------------------------------------------------------------------------------------

IAM = "iam-role-policies/template.yaml"


def test_role_managed_policy_arns_resolved() -> None:
    role = load(IAM)["AdminRole"]
    assert isinstance(role, Role) and role.name == "admin-role"
    assert [a.policy for a in role.attachments] == [
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:policy/AmazonS3FullAccess",
        ref("CustomPolicy"),
    ]
    assert all(a.role == ref("AdminRole") for a in role.attachments)
    assert role.attachments[0].address == "AdminRole.ManagedPolicyArns[0]"
    assert role.attachments[0].span.line == line_of(IAM, "policy/AdministratorAccess")
    assert role.attachments[2].span.line == line_of(IAM, "- !Ref CustomPolicy")


def test_role_inline_policies() -> None:
    role = load(IAM)["AdminRole"]
    assert isinstance(role, Role)
    everything, as_json = role.inline_policies
    assert everything.name == "everything" and everything.document_unknown is None
    allow, deny = everything.statements
    assert allow.sid == "All" and allow.effect == "Allow"
    assert allow.actions == ("*",) and allow.resources == ("*",) and allow.not_actions is None
    assert allow.span.line == line_of(IAM, "- Sid: All")
    assert allow.span_of("actions").line == line_of(IAM, 'Action: "*"')
    assert deny.not_actions == ("iam:*", "s3:Get*") and deny.has_condition
    assert deny.not_resources == ("arn:aws:s3:::${AWS::AccountId}-logs/*",)
    [statement] = as_json.statements
    assert statement.actions == ("ec2:*",) and statement.resources == ("*",)
    assert statement.span.line == line_of(IAM, "PolicyDocument: '{")


def test_managed_policy_and_role_policy() -> None:
    resources = load(IAM)
    custom = resources["CustomPolicy"]
    assert isinstance(custom, Policy) and custom.managed and custom.roles == (ref("AdminRole"),)
    [statement] = custom.statements  # a single statement written as a mapping
    assert statement.actions == ("s3:GetObject",)
    [bucket] = statement.resources or ()
    assert isinstance(bucket, Unknown) and bucket.refs == (ref("Bucket", "Arn"),)
    policy = resources["RolePolicy"]
    assert isinstance(policy, Policy) and not policy.managed and policy.roles == (ref("AdminRole"),)
    assert policy.statements[0].actions == ("iam:PassRole",)


BOUNDARIES = REPO / "fixtures" / "iam" / "admin-under-s3-only-boundary-is-service-admin-s3" / "template.yaml"


def test_role_permissions_boundary_with_its_line() -> None:
    [configuration] = load_templates([BOUNDARIES], ScanOptions(root=BOUNDARIES.parent))
    assert configuration.errors == []
    resources = {resource.address: resource for resource in configuration.resources}
    bounded, managed, unknown = (resources[n] for n in ("BoundedRole", "ManagedBoundaryRole", "UnknownBoundaryRole"))
    assert isinstance(bounded, Role) and bounded.permissions_boundary == ref("S3OnlyBoundary")
    lines = BOUNDARIES.read_text().splitlines()
    assert "PermissionsBoundary: !Ref S3OnlyBoundary" in lines[bounded.span_of("permissions_boundary").line - 1]
    assert isinstance(managed, Role)
    assert managed.permissions_boundary == "arn:aws:iam::aws:policy/AmazonS3FullAccess"  # the partition: aws
    assert isinstance(unknown, Role) and isinstance(unknown.permissions_boundary, Unknown)


def test_statement_condition_keys() -> None:
    role = load(IAM)["AdminRole"]
    assert isinstance(role, Role)
    _, deny = role.inline_policies[0].statements
    assert deny.conditions == ("Bool aws:SecureTransport",)
    assert role.permissions_boundary is None


# --- VPC and routing --------------------------------------------------------------------------------------

VPC = "vpc-routing/template.yaml"


def test_vpc_subnet_gateways() -> None:
    resources = load(VPC)
    vpc = resources["Vpc"]
    assert isinstance(vpc, Vpc) and vpc.cidr_blocks == ("10.0.0.0/16",)
    block = resources["Ipv6Block"]
    assert isinstance(block, VpcCidrAssociation) and block.vpc == ref("Vpc") and isinstance(block.ipv6_cidr, Unknown)
    subnet = resources["Public"]
    assert isinstance(subnet, Subnet)
    assert subnet.vpc == ref("Vpc") and subnet.cidr == "10.0.0.0/24"
    assert subnet.map_public_ip_on_launch is True and subnet.assign_ipv6_on_creation is False
    assert subnet.span_of("map_public_ip_on_launch").line == line_of(VPC, "MapPublicIpOnLaunch")
    igw = resources["Igw"]
    assert isinstance(igw, InternetGateway) and not igw.egress_only
    egress_only = resources["EgressOnly"]
    assert isinstance(egress_only, InternetGateway) and egress_only.egress_only and egress_only.vpc == ref("Vpc")
    attach = resources["Attach"]
    assert isinstance(attach, GatewayAttachment) and attach.gateway == ref("Igw") and attach.vpc == ref("Vpc")
    vgw_attach = resources["VgwAttach"]
    assert isinstance(vgw_attach, GatewayAttachment) and vgw_attach.gateway == ref("Vgw")
    nat = resources["Nat"]
    assert isinstance(nat, NatGateway) and nat.subnet == ref("Public") and not nat.private
    private = resources["PrivateNat"]
    assert isinstance(private, NatGateway) and private.private


def test_routes_and_associations() -> None:
    resources = load(VPC)
    table = resources["PublicRoutes"]
    assert isinstance(table, RouteTable) and table.vpc == ref("Vpc")
    default = resources["DefaultRoute"]
    assert isinstance(default, Route)
    assert default.route_table == ref("PublicRoutes") and default.destination == "0.0.0.0/0"
    assert default.target == ref("Igw") and default.target_kind == "gateway"
    assert default.span_of("target").line == line_of(VPC, "      GatewayId: !Ref Igw")
    ipv6 = resources["Ipv6Route"]
    assert isinstance(ipv6, Route)
    assert ipv6.ipv6_destination == "::/0" and ipv6.target_kind == "egress_only_gateway"
    nat = resources["NatRoute"]
    assert isinstance(nat, Route) and nat.prefix_list == "pl-0abc" and nat.target_kind == "nat_gateway"
    association = resources["PublicAssoc"]
    assert isinstance(association, RouteTableAssociation)
    assert association.subnet == ref("Public") and association.route_table == ref("PublicRoutes")


def test_network_acls() -> None:
    resources = load(VPC)
    acl = resources["Acl"]
    assert isinstance(acl, NetworkAcl) and acl.vpc == ref("Vpc")
    ssh = resources["AllowSsh"]
    assert isinstance(ssh, AclEntry)
    assert (ssh.acl, ssh.rule_number, ssh.protocol, ssh.allow, ssh.egress) == (ref("Acl"), 100, "6", True, False)
    assert (ssh.cidr, ssh.from_port, ssh.to_port) == ("0.0.0.0/0", 22, 22)
    assert ssh.span_of("from_port").line == line_of(VPC, "From: 22")
    deny = resources["DenyAllOut"]
    assert isinstance(deny, AclEntry)
    assert (deny.protocol, deny.allow, deny.egress, deny.ipv6_cidr) == ("-1", False, True, "::/0")
    association = resources["AclAssoc"]
    assert isinstance(association, NetworkAclAssociation)
    assert association.acl == ref("Acl") and association.subnet == ref("Public")


def test_peering_vpn_enis_and_eips() -> None:
    resources = load(VPC)
    peering = resources["Peering"]
    assert isinstance(peering, VpcPeering) and peering.vpc == ref("Vpc") and peering.peer_vpc == "vpc-0peer"
    assert isinstance(resources["Vgw"], VpnGateway)
    propagation = resources["Propagation"]
    assert isinstance(propagation, VpnGatewayRoutePropagation)
    assert propagation.vpn_gateway == ref("Vgw") and propagation.route_tables == (ref("PublicRoutes"),)
    vpn = resources["Vpn"]
    assert isinstance(vpn, VpnConnection)
    assert vpn.vpn_gateway == ref("Vgw") and vpn.static_routes == ("192.168.0.0/16",)
    eni = resources["Eni"]
    assert isinstance(eni, NetworkInterface) and eni.subnet == ref("Public") and eni.security_groups == ("sg-0eni",)
    attachment = resources["EniAttach"]
    assert isinstance(attachment, NetworkInterfaceAttachment)
    assert attachment.instance == "i-0abc" and attachment.network_interface == ref("Eni")
    ip = resources["Ip"]
    assert isinstance(ip, ElasticIp) and ip.instance == "i-0abc"
    association = resources["IpAssoc"]
    assert isinstance(association, EipAssociation)
    assert association.eip == ref("NatIp", "AllocationId") and association.network_interface == ref("Eni")


def test_unmapped_types_are_skipped() -> None:
    resources = load(IAM)
    assert "Bucket" not in resources  # AWS::S3::Bucket has no model object


def test_instance_metadata_options_written_on_the_instance() -> None:
    # AWS::EC2::Instance accepts MetadataOptions directly (CloudFormation registry schema)
    instance = load(INSTANCES)["WithMetadataOptions"]
    assert isinstance(instance, Instance) and instance.metadata is not None
    assert instance.metadata.http_tokens == "required" and instance.metadata.http_endpoint is None
    assert instance.span_of("http_tokens").line == line_of(INSTANCES, "HttpTokens: required", nth=2)


def test_private_addresses_written_as_literals() -> None:
    folder = REPO / "fixtures" / "reachability" / "nlb-ip-target-literal-private-address"
    [configuration] = load_templates([folder / "template.yaml"], ScanOptions(root=folder))
    assert configuration.errors == []
    resources = {resource.address: resource for resource in configuration.resources}
    assert resources["App"].private_ips == ("10.0.10.15",)
    assert resources["Unwritten"].private_ips == ()
    # an IP target written as a literal keeps it, to be matched against those addresses
    targets = [r for r in resources.values() if isinstance(r, TargetGroupAttachment)]
    assert sorted(str(t.target) for t in targets) == ["10.0.10.15", "10.0.10.16", "10.0.10.99"]
