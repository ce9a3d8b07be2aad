"""Source patches of each edit kind on small texts: the change made when the text is the
literal expected, none otherwise."""

from __future__ import annotations

from scanner.findings import SourceChange
from scanner.fixes.edits import Edit, EditKind
from scanner.fixes.patches import apply_changes, source_patch
from scanner.model import (
    AclEntry,
    Instance,
    LaunchTemplate,
    Listener,
    LoadBalancer,
    MetadataOptions,
    Policy,
    PolicyAttachment,
    Resource,
    Route,
    SecurityGroupRule,
    Statement,
    Subnet,
)
from scanner.values import Span, Unknown


def sp(file: str, line: int, end: int | None = None) -> Span:
    return Span(file, line, end if end is not None else line)


def patched(text: str, kind: EditKind, obj: Resource, span: Span, statement: Span | None = None) -> str | None:
    edit = Edit(kind, obj.address, span, "", "rule", statement)
    changes = source_patch(edit, obj, text.splitlines())
    return apply_changes(text, changes) if changes else None


HCL_INSTANCE = """resource "aws_instance" "web" {
  ami = "ami-1"
  metadata_options {
    http_tokens = "optional"
  }
}
"""


def test_imdsv2_literal_replaced_in_hcl() -> None:
    metadata = MetadataOptions(
        span=sp("main.tf", 3, 5), attr_spans={"http_tokens": sp("main.tf", 4)}, http_tokens="optional"
    )
    obj = Instance(address="aws_instance.web", kind="aws_instance", span=sp("main.tf", 1, 6), metadata=metadata)
    assert patched(HCL_INSTANCE, "require_imdsv2", obj, sp("main.tf", 4)) == HCL_INSTANCE.replace(
        "optional", "required"
    )


def test_imdsv2_from_a_variable_has_no_patch() -> None:
    text = HCL_INSTANCE.replace('"optional"', "var.tokens")
    metadata = MetadataOptions(
        span=sp("main.tf", 3, 5), attr_spans={"http_tokens": sp("main.tf", 4)}, http_tokens=Unknown("var")
    )
    obj = Instance(address="aws_instance.web", kind="aws_instance", span=sp("main.tf", 1, 6), metadata=metadata)
    assert patched(text, "require_imdsv2", obj, sp("main.tf", 4)) is None


def test_imdsv2_block_inserted_with_the_resource_indentation() -> None:
    text = 'resource "aws_instance" "web" {\n  ami = "ami-1"\n}\n'
    obj = Instance(address="aws_instance.web", kind="aws_instance", span=sp("main.tf", 1, 3))
    assert patched(text, "require_imdsv2", obj, sp("main.tf", 1, 3)) == (
        'resource "aws_instance" "web" {\n  metadata_options {\n    http_tokens = "required"\n  }\n  ami = "ami-1"\n}\n'
    )


def test_imdsv2_line_inserted_in_a_metadata_block_without_it() -> None:
    text = 'resource "aws_instance" "web" {\n  metadata_options {\n    http_endpoint = "enabled"\n  }\n}\n'
    metadata = MetadataOptions(span=sp("main.tf", 2, 4), attr_spans={})
    obj = Instance(address="aws_instance.web", kind="aws_instance", span=sp("main.tf", 1, 5), metadata=metadata)
    after = patched(text, "require_imdsv2", obj, sp("main.tf", 2, 4))
    assert after is not None and '  metadata_options {\n    http_tokens = "required"\n    http_endpoint' in after


CFN_INSTANCE = """Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
"""


def test_imdsv2_mapping_inserted_under_properties_in_yaml() -> None:
    obj = Instance(address="Web", kind="AWS::EC2::Instance", span=sp("t.yaml", 2, 5))
    assert patched(CFN_INSTANCE, "require_imdsv2", obj, sp("t.yaml", 2, 5)) == CFN_INSTANCE.replace(
        "    Properties:\n", "    Properties:\n      MetadataOptions:\n        HttpTokens: required\n"
    )


def test_imdsv2_launch_template_data_gets_the_mapping() -> None:
    text = (
        "Resources:\n  Tpl:\n    Type: AWS::EC2::LaunchTemplate\n    Properties:\n"
        "      LaunchTemplateData:\n        ImageId: ami-1\n"
    )
    obj = LaunchTemplate(address="Tpl", kind="AWS::EC2::LaunchTemplate", span=sp("t.yaml", 2, 6))
    after = patched(text, "require_imdsv2", obj, sp("t.yaml", 2, 6))
    assert (
        after is not None and "LaunchTemplateData:\n        MetadataOptions:\n          HttpTokens: required\n" in after
    )


def test_imdsv2_json_template_literal_and_insertion() -> None:
    text = (
        '{\n  "Resources": {\n    "Web": {\n      "Type": "AWS::EC2::Instance",\n      "Properties": {\n'
        '        "ImageId": "ami-1"\n      }\n    }\n  }\n}\n'
    )
    obj = Instance(address="Web", kind="AWS::EC2::Instance", span=sp("t.json", 3, 8))
    after = patched(text, "require_imdsv2", obj, sp("t.json", 3, 8))
    assert after is not None and '"MetadataOptions": { "HttpTokens": "required" },' in after
    literal = '{\n  "MetadataOptions": {\n    "HttpTokens": "optional"\n  }\n}\n'
    metadata = MetadataOptions(
        span=sp("t.json", 2, 4), attr_spans={"http_tokens": sp("t.json", 3)}, http_tokens="optional"
    )
    obj = Instance(address="Web", kind="AWS::EC2::Instance", span=sp("t.json", 1, 5), metadata=metadata)
    assert patched(literal, "require_imdsv2", obj, sp("t.json", 3)) == literal.replace("optional", "required")


def test_public_ip_true_becomes_false_and_unset_is_inserted() -> None:
    text = 'resource "aws_subnet" "public" {\n  map_public_ip_on_launch = true\n}\n'
    subnet = Subnet(
        address="aws_subnet.public", kind="aws_subnet", span=sp("main.tf", 1, 3), map_public_ip_on_launch=True
    )
    assert patched(text, "no_public_ip", subnet, sp("main.tf", 2)) == text.replace("true", "false")
    yaml = "Resources:\n  Subnet:\n    Type: AWS::EC2::Subnet\n    Properties:\n      CidrBlock: 10.0.0.0/24\n"
    subnet = Subnet(address="Subnet", kind="AWS::EC2::Subnet", span=sp("t.yaml", 2, 5))
    after = patched(yaml, "no_public_ip", subnet, sp("t.yaml", 2, 5))
    assert after == yaml.replace("Properties:\n", "Properties:\n      MapPublicIpOnLaunch: false\n")


def test_public_ip_not_inserted_on_a_cloudformation_instance() -> None:
    obj = Instance(address="Web", kind="AWS::EC2::Instance", span=sp("t.yaml", 2, 5))
    assert patched(CFN_INSTANCE, "no_public_ip", obj, sp("t.yaml", 2, 5)) is None


def test_world_source_removed_from_a_list_that_keeps_others() -> None:
    text = 'resource "aws_security_group_rule" "ssh" {\n  cidr_blocks = ["10.0.0.0/8", "0.0.0.0/0"]\n}\n'
    rule = SecurityGroupRule(
        address="aws_security_group_rule.ssh",
        kind="aws_security_group_rule",
        span=sp("main.tf", 1, 3),
        attr_spans={"cidrs": sp("main.tf", 2)},
        cidrs=("10.0.0.0/8", "0.0.0.0/0"),
    )
    assert patched(text, "remove_world_sources", rule, sp("main.tf", 2)) == text.replace(', "0.0.0.0/0"', "")


def test_world_source_removed_at_the_module_argument_that_sets_it() -> None:
    text = 'module "web" {\n  source    = "./web"\n  ssh_cidrs = ["0.0.0.0/0", "10.20.0.0/16"]\n}\n'
    rule = SecurityGroupRule(
        address="module.web.aws_security_group.web.ingress[0]", kind="aws_security_group", span=sp("web/main.tf", 5, 10)
    )
    assert patched(text, "remove_world_sources", rule, sp("main.tf", 3)) == text.replace('"0.0.0.0/0", ', "")
    scalar = 'variable "cidr" {\n  default = "0.0.0.0/0"\n}\n'
    assert patched(scalar, "remove_world_sources", rule, sp("variables.tf", 2)) is None


def test_rule_left_without_source_is_deleted_inline_and_as_yaml_item() -> None:
    text = 'resource "aws_security_group" "web" {\n  ingress {\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n'
    rule = SecurityGroupRule(
        address="aws_security_group.web.ingress[0]", kind="aws_security_group", span=sp("main.tf", 2, 4)
    )
    assert (
        patched(text, "remove_world_sources", rule, sp("main.tf", 2, 4)) == 'resource "aws_security_group" "web" {\n}\n'
    )
    yaml = (
        "      SecurityGroupIngress:\n        - IpProtocol: tcp\n          CidrIp: 0.0.0.0/0\n"
        "        - IpProtocol: tcp\n          CidrIp: 10.0.0.0/8\n"
    )
    item = SecurityGroupRule(
        address="G.SecurityGroupIngress[0]", kind="AWS::EC2::SecurityGroup", span=sp("t.yaml", 2, 3)
    )
    assert patched(yaml, "remove_rule", item, sp("t.yaml", 2, 3)) == (
        "      SecurityGroupIngress:\n        - IpProtocol: tcp\n          CidrIp: 10.0.0.0/8\n"
    )
    only = "      SecurityGroupIngress:\n        - IpProtocol: tcp\n          CidrIp: 0.0.0.0/0\n      VpcId: v\n"
    assert patched(only, "remove_rule", item, sp("t.yaml", 2, 3)) == "      SecurityGroupIngress: []\n      VpcId: v\n"


def test_yaml_item_inside_an_if_is_not_deleted() -> None:
    yaml = (
        "      SecurityGroupIngress:\n        - !If\n          - Cond\n          - IpProtocol: tcp\n"
        "            CidrIp: 0.0.0.0/0\n          - !Ref AWS::NoValue\n"
    )
    item = SecurityGroupRule(
        address="G.SecurityGroupIngress[0]", kind="AWS::EC2::SecurityGroup", span=sp("t.yaml", 4, 5)
    )
    assert patched(yaml, "remove_rule", item, sp("t.yaml", 4, 5)) is None


def test_json_item_deleted_as_last_member_takes_the_comma_before_it() -> None:
    text = '{\n  "A": {\n    "Type": "X"\n  },\n  "Route": {\n    "Type": "AWS::EC2::Route"\n  }\n}\n'
    route = Route(address="Route", kind="AWS::EC2::Route", span=sp("t.json", 5, 7))
    assert patched(text, "remove_route", route, sp("t.json", 5, 7)) == '{\n  "A": {\n    "Type": "X"\n  }\n}\n'


def test_resource_named_elsewhere_or_counted_is_not_deleted() -> None:
    text = 'resource "aws_route" "web" {\n  gateway_id = "igw"\n}\noutput "r" {\n  value = aws_route.web.id\n}\n'
    route = Route(address="aws_route.web", kind="aws_route", span=sp("main.tf", 1, 3))
    assert patched(text, "remove_route", route, sp("main.tf", 1, 3)) is None
    alone = 'resource "aws_route" "web" {\n  count = 2\n}\n'
    counted = Route(address="aws_route.web[0]", kind="aws_route", span=sp("main.tf", 1, 3))
    assert patched(alone, "remove_route", counted, sp("main.tf", 1, 3)) is None


def test_override_file_blocks_are_not_deleted() -> None:
    text = 'resource "aws_security_group" "web" {\n  ingress {\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n'
    rule = SecurityGroupRule(
        address="aws_security_group.web.ingress[0]", kind="aws_security_group", span=sp("override.tf", 2, 4)
    )
    assert patched(text, "remove_rule", rule, sp("override.tf", 2, 4)) is None


def test_managed_policy_item_removed_from_the_list() -> None:
    text = (
        'resource "aws_iam_role" "r" {\n'
        '  managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess", "arn:x"]\n'
        "}\n"
    )
    attachment = PolicyAttachment(
        address="aws_iam_role.r.managed_policy_arns[0]",
        kind="aws_iam_role",
        span=sp("main.tf", 2),
        policy="arn:aws:iam::aws:policy/AdministratorAccess",
    )
    assert patched(text, "detach_policy", attachment, sp("main.tf", 2)) == text.replace(
        '"arn:aws:iam::aws:policy/AdministratorAccess", ', ""
    )
    yaml = "      ManagedPolicyArns:\n        - arn:aws:iam::aws:policy/AdministratorAccess\n        - arn:x\n"
    item = PolicyAttachment(address="Role.ManagedPolicyArns[0]", kind="AWS::IAM::Role", span=sp("t.yaml", 2))
    assert patched(yaml, "detach_policy", item, sp("t.yaml", 2)) == "      ManagedPolicyArns:\n        - arn:x\n"


def test_make_internal_literal_and_insertion() -> None:
    text = 'resource "aws_lb" "edge" {\n  internal = false\n}\n'
    lb = LoadBalancer(address="aws_lb.edge", kind="aws_lb", span=sp("main.tf", 1, 3), internal=False)
    assert patched(text, "make_internal", lb, sp("main.tf", 2)) == text.replace("false", "true")
    yaml = (
        "Resources:\n  Lb:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
        "    Properties:\n      Scheme: internet-facing\n"
    )
    lb = LoadBalancer(
        address="Lb", kind="AWS::ElasticLoadBalancingV2::LoadBalancer", span=sp("t.yaml", 2, 5), internal=False
    )
    assert patched(yaml, "make_internal", lb, sp("t.yaml", 5)) == yaml.replace("internet-facing", "internal")
    unset = 'resource "aws_lb" "edge" {\n  name = "edge"\n}\n'
    lb = LoadBalancer(address="aws_lb.edge", kind="aws_lb", span=sp("main.tf", 1, 3))
    assert patched(unset, "make_internal", lb, sp("main.tf", 1, 3)) == unset.replace("{\n", "{\n  internal = true\n")


def test_statement_block_deleted_but_not_inside_jsonencode() -> None:
    text = 'data "aws_iam_policy_document" "d" {\n  statement {\n    actions = ["*"]\n  }\n}\n'
    policy = Policy(
        address="aws_iam_role_policy.p",
        kind="aws_iam_role_policy",
        span=sp("main.tf", 1, 5),
        statements=(Statement(span=sp("main.tf", 2, 4)),),
    )
    assert patched(text, "remove_statement", policy, sp("main.tf", 2, 4), sp("main.tf", 2, 4)) == (
        'data "aws_iam_policy_document" "d" {\n}\n'
    )
    encoded = (
        'resource "aws_iam_role_policy" "p" {\n  policy = jsonencode({ Statement = [\n'
        '    { Effect = "Allow", Action = "*" },\n  ] })\n}\n'
    )
    assert patched(encoded, "remove_statement", policy, sp("main.tf", 3), sp("main.tf", 3)) is None


def test_plans_and_downloaded_modules_are_never_patched() -> None:
    metadata = MetadataOptions(span=sp(".terraform/modules/m/main.tf", 3, 5), attr_spans={}, http_tokens="optional")
    obj = Instance(
        address="module.m.aws_instance.web",
        kind="aws_instance",
        span=sp(".terraform/modules/m/main.tf", 1, 6),
        metadata=metadata,
    )
    edit = Edit("require_imdsv2", obj.address, sp(".terraform/modules/m/main.tf", 4), "", "rule")
    assert source_patch(edit, obj, HCL_INSTANCE.splitlines()) == ()
    assert source_patch(edit, obj, None) == ()


def test_apply_changes_inserts_and_deletes() -> None:
    text = "a\nb\nc\n"
    changes = (SourceChange("f", 2, 1, 3, 1, ""), SourceChange("f", 1, 1, 1, 1, "z\n"))
    assert apply_changes(text, changes) == "z\na\nc\n"


def test_listener_and_acl_entry_blocks_deleted() -> None:
    text = 'resource "aws_elb" "edge" {\n  listener {\n    lb_port = 443\n  }\n  listener {\n    lb_port = 80\n  }\n}\n'
    listener = Listener(address="aws_elb.edge.listener[1]", kind="aws_elb", span=sp("main.tf", 5, 7))
    assert patched(text, "remove_listener", listener, sp("main.tf", 5, 7)) == (
        'resource "aws_elb" "edge" {\n  listener {\n    lb_port = 443\n  }\n}\n'
    )
    standalone = 'resource "aws_lb_listener" "https" {\n  port = 443\n}\n'
    listener = Listener(address="aws_lb_listener.https", kind="aws_lb_listener", span=sp("main.tf", 1, 3))
    assert patched(standalone, "remove_listener", listener, sp("main.tf", 1, 3)) == ""
    yaml = (
        "Resources:\n  Keep:\n    Type: X\n"
        "  AllowAll:\n    Type: AWS::EC2::NetworkAclEntry\n    Properties:\n      RuleNumber: 100\n"
    )
    entry = AclEntry(address="AllowAll", kind="AWS::EC2::NetworkAclEntry", span=sp("t.yaml", 4, 7))
    assert patched(yaml, "remove_acl_entry", entry, sp("t.yaml", 4, 7)) == "Resources:\n  Keep:\n    Type: X\n"


def test_generated_cdk_templates_are_never_patched() -> None:
    item = SecurityGroupRule(
        address="G.SecurityGroupIngress[0]", kind="AWS::EC2::SecurityGroup", span=sp("cdk.out/S.template.json", 2, 4)
    )
    text = '[\n  {\n    "CidrIp": "0.0.0.0/0"\n  }\n]\n'
    assert patched(text, "remove_rule", item, sp("cdk.out/S.template.json", 2, 4)) is None
