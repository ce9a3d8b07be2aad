"""Property-based fuzzing of the whole pipeline with generated Terraform and CloudFormation.

Documents are valid ones with random resource graphs (references to resources that exist,
do not exist, or have the wrong type; variables, locals, parameters, conditions, count,
for_each and intrinsics in random places), then mutated: truncated, spliced, sprinkled
with syntax tokens, or replaced by garbage. Whatever the input, a scan returns a result in
which an unreadable file is a clear per-file error, never an exception and never a caught
internal error.

CI runs a few dozen examples per property; a long campaign runs the same properties with
``IACSCAN_FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz_loaders.py``. Every input
that ever crashed is kept in ``fixtures/fuzz-crashers/`` and replayed by
``test_known_crashers_scan_cleanly``.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.crash_check import caught_bugs, scan_tree
from tests.support.paths import REPO

EXAMPLES = int(os.environ.get("IACSCAN_FUZZ_EXAMPLES", "25"))
CAMPAIGN = "IACSCAN_FUZZ_EXAMPLES" in os.environ
SECONDS_PER_INPUT = int(os.environ.get("IACSCAN_FUZZ_SECONDS", "0"))  # campaign: a slower input is a finding
TALLY = os.environ.get("IACSCAN_FUZZ_TALLY", "")
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not CAMPAIGN,
    phases=[Phase.explicit, Phase.reuse, Phase.generate] if CAMPAIGN else list(Phase),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
CRASHERS = REPO / "fixtures" / "fuzz-crashers"

# --- Terraform ---------------------------------------------------------------------------------

TF_TYPES = (
    "aws_vpc",
    "aws_subnet",
    "aws_internet_gateway",
    "aws_route_table",
    "aws_route",
    "aws_route_table_association",
    "aws_security_group",
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
    "aws_network_acl",
    "aws_network_acl_rule",
    "aws_iam_role",
    "aws_iam_role_policy",
    "aws_iam_role_policy_attachment",
    "aws_iam_instance_profile",
    "aws_instance",
    "aws_launch_template",
    "aws_autoscaling_group",
    "aws_eip",
    "aws_lb",
    "aws_lb_listener",
    "aws_lb_target_group",
    "aws_network_interface",
    "aws_vpc_peering_connection",
    "aws_nat_gateway",
)
TF_ATTRIBUTES = (
    "vpc_id",
    "subnet_id",
    "cidr_block",
    "cidr_blocks",
    "ipv6_cidr_blocks",
    "gateway_id",
    "route_table_id",
    "security_group_id",
    "source_security_group_id",
    "vpc_security_group_ids",
    "security_groups",
    "from_port",
    "to_port",
    "protocol",
    "type",
    "role",
    "policy",
    "policy_arn",
    "assume_role_policy",
    "iam_instance_profile",
    "ami",
    "associate_public_ip_address",
    "map_public_ip_on_launch",
    "instance",
    "load_balancer_arn",
    "target_group_arn",
    "vpc_zone_identifier",
    "target_group_arns",
    "rule_number",
    "rule_action",
    "egress",
    "cidr_ipv4",
    "ip_protocol",
    "user_data",
    "ipv6_address_count",
    "name",
    "port",
)
TF_BLOCKS = (
    "ingress",
    "egress",
    "route",
    "metadata_options",
    "launch_template",
    "network_interfaces",
    "default_action",
    "statement",
    'dynamic "ingress"',
    "lifecycle",
    "tag",
)
NAMES = st.sampled_from(("a", "b", "web", "main", "x-1", "ü", "count", "self"))
SCALARS = st.one_of(
    st.sampled_from(
        (
            '"0.0.0.0/0"',
            '"::/0"',
            '"10.0.0.0/16"',
            '"tcp"',
            '"-1"',
            '"required"',
            '"optional"',
            '"allow"',
            "22",
            "0",
            "65535",
            "-1",
            "true",
            "false",
            "null",
            '"ami-123"',
            '"sg-0abc"',
            '"*"',
            '"arn:aws:iam::aws:policy/AdministratorAccess"',
            '"${path.module}"',
            '"%{ if true }x%{ endif }"',
        )
    ),
    st.integers(-(2**70), 2**70).map(str),
    st.text(max_size=12).map(json.dumps),
)


@st.composite
def tf_expression(draw: st.DrawFn, addresses: list[str], depth: int = 0) -> str:
    choice = draw(st.integers(0, 12 if depth < 3 else 3))
    if choice <= 1:
        return draw(SCALARS)
    if choice == 2:
        return f"{draw(st.sampled_from(addresses or ['aws_vpc.none']))}.{draw(st.sampled_from(('id', 'arn', 'name', 'cidr_block', 'nope')))}"  # noqa: E501
    if choice == 3:
        return draw(
            st.sampled_from(
                (
                    "var.v",
                    "local.l",
                    "var.missing",
                    "local.missing",
                    "data.aws_ami.x.id",
                    "count.index",
                    "each.key",
                    "each.value",
                    "self.id",
                    "module.m.out",
                    "path.root",
                )
            )
        )
    sub = [draw(tf_expression(addresses, depth + 1)) for _ in range(draw(st.integers(0, 3)))]
    if choice == 4:
        return "[" + ", ".join(sub) + "]"
    if choice == 5:
        return "{" + ", ".join(f"k{i} = {v}" for i, v in enumerate(sub)) + "}"
    if choice == 6:
        function = draw(
            st.sampled_from(
                (
                    "jsonencode",
                    "merge",
                    "concat",
                    "format",
                    "lookup",
                    "cidrsubnet",
                    "element",
                    "length",
                    "tostring",
                    "tolist",
                    "toset",
                    "flatten",
                    "file",
                    "templatefile",
                    "try",
                    "coalesce",
                    "join",
                    "split",
                    "range",
                    "keys",
                    "values",
                    "zipmap",
                    "cidrhost",
                    "replace",
                    "base64encode",
                    "jsondecode",
                    "nosuchfunction",
                )
            )
        )
        return f"{function}({', '.join(sub)})"
    if choice == 7:
        return (
            f"{draw(tf_expression(addresses, depth + 1))} ? {draw(tf_expression(addresses, depth + 1))} : "
            f"{draw(tf_expression(addresses, depth + 1))}"
        )
    if choice == 8:
        return f"[for i, v in {draw(tf_expression(addresses, depth + 1))} : v if i != 0]"
    if choice == 9:
        operator = draw(st.sampled_from(("+", "-", "*", "/", "%", "==", "!=", "<", "&&", "||")))
        return f"({draw(tf_expression(addresses, depth + 1))} {operator} {draw(tf_expression(addresses, depth + 1))})"
    if choice == 10:
        return f"{draw(tf_expression(addresses, depth + 1))}[{draw(tf_expression(addresses, depth + 1))}]"
    if choice == 11:
        return f"{draw(tf_expression(addresses, depth + 1))}[*].id"
    return f'"prefix-${{{draw(tf_expression(addresses, depth + 1))}}}"'


@st.composite
def terraform_module(draw: st.DrawFn) -> str:
    """A Terraform file: variables, locals and a random graph of AWS resources."""
    resources = [(draw(st.sampled_from(TF_TYPES)), f"r{i}") for i in range(draw(st.integers(0, 8)))]
    addresses = [f"{kind}.{name}" for kind, name in resources]
    out = [
        f'variable "v" {{\n  default = {draw(tf_expression(addresses))}\n}}',
        f"locals {{\n  l = {draw(tf_expression(addresses))}\n  m = local.l\n}}",
    ]
    if draw(st.booleans()):
        source = draw(st.sampled_from(("./m", "../x", "/etc", "git::https://x", "./m//sub")))
        out.append(f'module "m" {{\n  source = "{source}"\n  x = {draw(tf_expression(addresses))}\n}}')
    for kind, name in resources:
        body: list[str] = []
        meta = draw(st.sampled_from(("", "count", "for_each")))
        if meta:
            body.append(f"  {meta} = {draw(tf_expression(addresses))}")
        for _ in range(draw(st.integers(0, 5))):
            body.append(f"  {draw(st.sampled_from(TF_ATTRIBUTES))} = {draw(tf_expression(addresses))}")
        for _ in range(draw(st.integers(0, 2))):
            block = draw(st.sampled_from(TF_BLOCKS))
            inner = "\n".join(
                f"    {draw(st.sampled_from(TF_ATTRIBUTES))} = {draw(tf_expression(addresses))}"
                for _ in range(draw(st.integers(0, 3)))
            )
            if block.startswith("dynamic"):
                inner = f"    for_each = {draw(tf_expression(addresses))}\n    content {{\n  {inner}\n    }}"
            body.append(f"  {block} {{\n{inner}\n  }}")
        out.append(f'resource "{kind}" "{name}" {{\n' + "\n".join(body) + "\n}")
    if draw(st.booleans()):
        out.append(f'output "o" {{\n  value = {draw(tf_expression(addresses))}\n}}')
    return "\n\n".join(out) + "\n"


# --- CloudFormation ----------------------------------------------------------------------------

CFN_TYPES = (
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::NetworkAclEntry",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::InstanceProfile",
    "AWS::EC2::Instance",
    "AWS::EC2::LaunchTemplate",
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::AutoScaling::LaunchConfiguration",
    "AWS::EC2::EIP",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::CloudFormation::Stack",
    "AWS::Serverless::Function",
    "Custom::Thing",
)
CFN_PROPERTIES = (
    "VpcId",
    "SubnetId",
    "CidrBlock",
    "CidrIp",
    "CidrIpv6",
    "GatewayId",
    "RouteTableId",
    "GroupId",
    "SourceSecurityGroupId",
    "SecurityGroupIds",
    "SecurityGroups",
    "SecurityGroupIngress",
    "FromPort",
    "ToPort",
    "IpProtocol",
    "Roles",
    "PolicyDocument",
    "ManagedPolicyArns",
    "AssumeRolePolicyDocument",
    "IamInstanceProfile",
    "ImageId",
    "MetadataOptions",
    "LaunchTemplateData",
    "LaunchTemplate",
    "VPCZoneIdentifier",
    "TargetGroupARNs",
    "NetworkInterfaces",
    "MapPublicIpOnLaunch",
    "InstanceId",
    "TemplateURL",
    "Parameters",
    "UserData",
    "Policies",
    "RuleAction",
    "RuleNumber",
    "DefaultActions",
    "LoadBalancerArn",
    "HttpTokens",
    "Egress",
    "Scheme",
)
CFN_SCALARS = st.one_of(
    st.sampled_from(
        (
            "0.0.0.0/0",
            "::/0",
            "tcp",
            "-1",
            "required",
            "optional",
            "allow",
            "*",
            "ami-123",
            "sg-0abc",
            "true",
            "./child.yaml",
            "s3://b/k.yaml",
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "${AWS::Region}",
            "${Missing}",
            "${!Literal}",
        )
    ),
    st.integers(-(2**70), 2**70),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=True),
    st.text(max_size=10),
)


@st.composite
def cfn_value(draw: st.DrawFn, names: list[str], depth: int = 0) -> object:
    choice = draw(st.integers(0, 14 if depth < 4 else 1))
    targets = st.sampled_from([*names, "Missing", "AWS::Region", "AWS::NoValue", "AWS::AccountId", "P", "C"])
    sub = st.deferred(lambda: cfn_value(names, depth + 1))
    if choice <= 1:
        return draw(CFN_SCALARS)
    if choice == 2:
        return {"Ref": draw(targets)}
    if choice == 3:
        return {
            "Fn::GetAtt": draw(
                st.one_of(st.lists(st.one_of(targets, sub), max_size=3), targets.map(lambda t: f"{t}.GroupId"))
            )
        }
    if choice == 4:
        return {"Fn::If": draw(st.lists(st.one_of(st.sampled_from(("C", "D", "Missing")), sub), max_size=4))}
    if choice == 5:
        return {
            "Fn::Sub": draw(
                st.one_of(
                    CFN_SCALARS,
                    st.lists(sub, max_size=2),
                    st.tuples(CFN_SCALARS, st.dictionaries(st.text(max_size=4), sub, max_size=2)).map(list),
                )
            )
        }
    if choice == 6:
        return {"Fn::Join": draw(st.lists(st.one_of(CFN_SCALARS, st.lists(sub, max_size=3), sub), max_size=3))}
    if choice == 7:
        return {"Fn::Select": draw(st.lists(st.one_of(st.integers(-2, 5), CFN_SCALARS, sub), max_size=3))}
    if choice == 8:
        keys = st.sampled_from(("M", "K", "V", "Missing"))
        return {"Fn::FindInMap": draw(st.lists(st.one_of(keys, sub), max_size=4))}
    if choice == 9:
        return {
            draw(
                st.sampled_from(
                    (
                        "Fn::Split",
                        "Fn::Base64",
                        "Fn::GetAZs",
                        "Fn::ImportValue",
                        "Fn::Cidr",
                        "Fn::Length",
                        "Fn::ToJsonString",
                        "Fn::Transform",
                        "Fn::Equals",
                        "Fn::And",
                        "Fn::Not",
                        "Condition",
                        "Fn::Unknown",
                    )
                )
            ): draw(sub)
        }
    if choice <= 11:
        return draw(st.lists(sub, max_size=3))
    return draw(st.dictionaries(st.one_of(st.sampled_from(CFN_PROPERTIES), st.text(max_size=5)), sub, max_size=4))


@st.composite
def cloudformation_template(draw: st.DrawFn) -> dict[str, object]:
    """A template: parameters, conditions (possibly circular), mappings and a random resource graph."""
    names = [f"R{i}" for i in range(draw(st.integers(0, 8)))]
    resources: dict[str, object] = {}
    for name in names:
        resource: dict[str, object] = {"Type": draw(st.sampled_from(CFN_TYPES))}
        resource["Properties"] = {
            draw(st.sampled_from(CFN_PROPERTIES)): draw(cfn_value(names)) for _ in range(draw(st.integers(0, 6)))
        }
        if draw(st.integers(0, 4)) == 0:
            resource["Condition"] = draw(st.sampled_from(("C", "D", "Missing")))
        if draw(st.integers(0, 6)) == 0:
            resource["Metadata"] = {"iacscan": {"ignore": draw(cfn_value(names))}}
        resources[name] = resource
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {
            "P": {
                "Type": draw(
                    st.sampled_from(
                        ("String", "CommaDelimitedList", "Number", "AWS::EC2::VPC::Id", "List<AWS::EC2::Subnet::Id>")
                    )
                ),
                "Default": draw(cfn_value(names, 3)),
            }
        },
        "Conditions": {
            "C": {"Fn::Equals": [draw(cfn_value(names, 3)), draw(cfn_value(names, 3))]},
            "D": draw(
                st.sampled_from(
                    (
                        {"Condition": "D"},
                        {"Fn::Not": [{"Condition": "C"}]},
                        {"Fn::Or": [{"Condition": "C"}, {"Condition": "D"}]},
                        "yes",
                    )
                )
            ),
        },
        "Mappings": {"M": {"K": {"V": draw(cfn_value(names, 3))}}},
        "Resources": resources,
        "Outputs": {"O": {"Value": draw(cfn_value(names)), "Export": {"Name": "E"}}},
    }


def to_yaml(document: object, indent: int = 0) -> str:
    """Block YAML with the short intrinsic forms (``!Ref``, ``!GetAtt`` ...) where they fit."""
    pad = " " * indent
    if isinstance(document, dict) and len(document) == 1:
        ((key, value),) = document.items()
        if key == "Ref" and isinstance(value, str):
            return f"!Ref {json.dumps(value)}"
        if key.startswith("Fn::") and isinstance(value, (list, str, int)):
            return f"!{key[4:]} {json.dumps(value)}"
    if isinstance(document, dict) and document:
        return "\n" + "\n".join(f"{pad}{json.dumps(str(k))}: {to_yaml(v, indent + 2)}" for k, v in document.items())
    if isinstance(document, list) and document:
        return "\n" + "\n".join(f"{pad}- {to_yaml(v, indent + 2).lstrip(chr(10)).lstrip()}" for v in document)
    return json.dumps(document, allow_nan=True)


# --- mutations ---------------------------------------------------------------------------------

TOKENS = (
    "{",
    "}",
    "[",
    "]",
    "${",
    "%{",
    "<<EOF\n",
    "EOF",
    '"',
    "'",
    "\\",
    "=",
    ":",
    "\n",
    "\t",
    "!Ref ",
    "!If [",
    "&a ",
    "*a",
    "<<: *a",
    "---\n",
    "...",
    "#",
    "//",
    "/*",
    "\x00",
    "\ufeff",
    "\ud7ff",
    "\u202e",
    "-1e999",
    "9" * 400,
    " ? ",
    "for x in",
    "null",
    "dynamic",
    "%",
    "\r",
    "\x85",
    "!!python/object:os.system",
    "@",
)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> bytes:
    """``text`` after a few random edits: truncation, deletion, duplication, token insertion,
    byte flips, or wholesale replacement by garbage."""
    data = text.encode("utf-8", "surrogatepass")
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, 6))
        at = draw(st.integers(0, len(data)))
        if kind == 0:
            data = data[:at]
        elif kind == 1:
            data = data[:at] + data[at + draw(st.integers(1, 40)) :]
        elif kind == 2:
            end = draw(st.integers(at, len(data)))
            data = data[:end] + data[at:end] * draw(st.integers(1, 3)) + data[end:]
        elif kind == 3:
            data = data[:at] + draw(st.sampled_from(TOKENS)).encode("utf-8", "surrogatepass") + data[at:]
        elif kind == 4 and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        elif kind == 5:
            data = data[:at] + draw(st.binary(max_size=30)) + data[at:]
        else:
            data = draw(st.binary(max_size=200))
    return data


def _too_slow(signum: int, frame: object) -> None:
    raise TimeoutError(f"one input took more than {SECONDS_PER_INPUT} s")


def assert_scans_cleanly(files: dict[str, bytes]) -> None:
    if SECONDS_PER_INPUT:
        signal.signal(signal.SIGALRM, _too_slow)
        signal.alarm(SECONDS_PER_INPUT)
    started = time.monotonic()
    try:
        _scan_files(files)
    finally:
        if SECONDS_PER_INPUT:
            signal.alarm(0)
        if TALLY:  # campaign bookkeeping: one line per input tried
            with open(TALLY, "a") as tally:
                tally.write(f"{time.monotonic() - started:.3f}\n")


def _scan_files(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, content in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(content)
        result = scan_tree(root)
        assert caught_bugs(result) == []
        for error in result.all_errors:
            assert not Path(error.file).is_absolute(), f"error names a path outside the scanned root: {error}"


# --- properties --------------------------------------------------------------------------------


@FUZZ
@given(terraform_module())
def test_generated_terraform_scans_without_crash(text: str) -> None:
    assert_scans_cleanly({"main.tf": text.encode("utf-8", "surrogatepass"), "m/main.tf": b'variable "x" {}\n'})


@FUZZ
@given(st.data())
def test_mutated_terraform_gives_file_errors_not_crashes(data: st.DataObject) -> None:
    good = 'resource "aws_instance" "ok" {\n  ami = "ami-1"\n}\n'
    broken = data.draw(mutated(data.draw(terraform_module())))
    assert_scans_cleanly({"main.tf": broken, "ok.tf": good.encode()})


@FUZZ
@given(cloudformation_template(), st.booleans())
def test_generated_cloudformation_scans_without_crash(template: dict[str, object], as_yaml: bool) -> None:
    text = to_yaml(template).lstrip("\n") + "\n" if as_yaml else json.dumps(template, allow_nan=True)
    assert_scans_cleanly(
        {
            "template.yaml" if as_yaml else "template.json": text.encode("utf-8", "surrogatepass"),
            "child.yaml": b"Resources:\n  Q:\n    Type: AWS::EC2::VPC\n",
        }
    )


@FUZZ
@given(st.data(), st.booleans())
def test_mutated_cloudformation_gives_file_errors_not_crashes(data: st.DataObject, as_yaml: bool) -> None:
    template = data.draw(cloudformation_template())
    text = to_yaml(template).lstrip("\n") if as_yaml else json.dumps(template, indent=1, allow_nan=True)
    assert_scans_cleanly({"t.yaml" if as_yaml else "t.json": data.draw(mutated(text))})


@FUZZ
@given(st.data())
def test_mutated_tf_json_and_tfvars_give_file_errors_not_crashes(data: st.DataObject) -> None:
    document = {
        "variable": {"v": {"default": data.draw(cfn_value([]))}},
        "resource": {"aws_instance": {"x": {"ami": "${var.v}", "count": data.draw(cfn_value([], 3))}}},
    }
    assert_scans_cleanly(
        {
            "main.tf.json": data.draw(mutated(json.dumps(document))),
            "terraform.tfvars": data.draw(mutated('v = "ami-2"\nw = [1, {a = 2}]\n')),
        }
    )


# --- kept crashers ---------------------------------------------------------------------------


def _crasher_folders() -> list[Path]:
    return sorted(p for p in CRASHERS.iterdir() if p.is_dir()) if CRASHERS.is_dir() else []


@pytest.mark.parametrize("folder", _crasher_folders(), ids=lambda p: p.name)
def test_known_crashers_scan_cleanly(folder: Path) -> None:
    """Each input the fuzzer once crashed on, scanned as its own root."""
    assert (folder / "README.md").is_file(), "a kept crasher says what it crashed and where"
    result = scan_tree(folder)
    assert caught_bugs(result) == []
