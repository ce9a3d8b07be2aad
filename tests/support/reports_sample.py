"""A rich ScanResult for the report tests: two configurations, exposures of all four
severities built by the exposure stage, related locations, attack paths, a load error, a
notice and suppressions with and without a reason. The template files are written for
real, so every span points at an existing line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from scanner.exposure import build_exposure
from scanner.findings import (
    Configuration,
    Evidence,
    Exposure,
    Fix,
    LoadError,
    PathStep,
    ScanResult,
    Severity,
    Suppression,
    Trait,
)
from scanner.model import AutoScalingGroup, Instance
from scanner.rules.admin_role import ID as ADMIN_ROLE
from scanner.rules.exploitable_vulnerability import ID as EXPLOITABLE_VULNERABILITY
from scanner.rules.imdsv1 import ID as IMDSV1
from scanner.rules.internet_reachable import ID as INTERNET_REACHABLE
from scanner.rules.open_security_group import ID as OPEN_SECURITY_GROUP
from scanner.rules.public_ip import ID as PUBLIC_IP
from scanner.rules.remote_access import ID as REMOTE_ACCESS
from scanner.rules.service_admin_role import ID as SERVICE_ADMIN_ROLE
from scanner.rules.vulnerability import ID as VULNERABILITY
from scanner.values import Span

TF = "app/main.tf"
CFN = "stack/template.yaml"
BROKEN = "stack/broken.yaml"
BROKEN_TF = "app/variables.tf"

# Each file as lines, so spans can be checked against them.
FILES: dict[str, list[str]] = {
    TF: [
        'resource "aws_instance" "web" {',  # 1
        '  ami           = "ami-0abc"',  # 2
        "  metadata_options {",  # 3
        '    http_tokens = "optional"',  # 4
        "  }",  # 5
        "  iam_instance_profile = aws_iam_instance_profile.admin.name",  # 6
        "}",  # 7
        'resource "aws_security_group" "web" {',  # 8
        "  ingress {",  # 9
        '    cidr_blocks = ["0.0.0.0/0"]  # iacscan:ignore ec2-imdsv1 legacy agent needs IMDSv1',  # 10
        "  }",  # 11
        "}",  # 12
        'resource "aws_iam_role_policy_attachment" "admin" {',  # 13
        '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"',  # 14
        "}",  # 15
        'resource "aws_autoscaling_group" "api" {',  # 16
        "  vpc_zone_identifier = [aws_subnet.public.id]",  # 17
        "}",  # 18
        'resource "aws_instance" "bastion" {',  # 19
        "  associate_public_ip_address = true  # iacscan:ignore ec2-open-security-group",  # 20
        "}",  # 21
        'resource "aws_internet_gateway" "main" {',  # 22
        "}",  # 23
        'resource "aws_lb" "public" {',  # 24
        "  internal = false",  # 25
        "}",  # 26
    ],
    CFN: [
        "Resources:",  # 1
        "  AppServer:  # iacscan:ignore ec2-public-ip,ec2-vulnerability accepted until Q3 migration",  # 2
        "    Type: AWS::EC2::Instance",  # 3
        "    Properties:",  # 4
        "      ImageId: ami-0old",  # 5
        "      NetworkInterfaces:",  # 6
        "        - AssociatePublicIpAddress: true",  # 7
        "  Db:",  # 8
        "    Type: AWS::EC2::Instance",  # 9
        "    Properties:",  # 10
        "      IamInstanceProfile: !Ref S3AdminProfile",  # 11
    ],
    BROKEN_TF: [
        'variable "cidr" {',  # 1
        '  default = "10.0.0.0/16',  # 2
    ],
    BROKEN: [
        "Resources:",  # 1
        "  Bad:",  # 2
        "    Type: [unclosed",  # 3
    ],
}


def span(file: str, line: int, end_line: int | None = None) -> Span:
    return Span(file, line, end_line if end_line is not None else line)


def evidence(file: str, line: int, address: str, message: str, end_line: int | None = None) -> Evidence:
    return Evidence(span(file, line, end_line), address, message)


def write_files(root: Path) -> None:
    for name, lines in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _web_traits() -> list[Trait]:
    web = "aws_instance.web"
    sg_rule = evidence(TF, 10, "aws_security_group.web.ingress[0]", "allows tcp 443 from 0.0.0.0/0")
    internet_path = (
        PathStep("internet", "internet", "the internet"),
        PathStep("internet_gateway", "aws_internet_gateway.main", "internet gateway", span(TF, 22, 23)),
        PathStep("security_group_rule", sg_rule.address, sg_rule.message, sg_rule.span, "tcp 443"),
        PathStep("instance", web, "the instance", span(TF, 1, 7), "tcp 443"),
    )
    lb_path = (
        PathStep("internet", "internet", "the internet"),
        PathStep("load_balancer", "aws_lb.public", "internet-facing load balancer", span(TF, 25), "tcp 443"),
        PathStep("instance", web, "the instance", span(TF, 1, 7), "tcp 443"),
    )
    role_path = (
        PathStep("instance_profile", "aws_iam_instance_profile.admin", "instance profile", span(TF, 6)),
        PathStep("role", "aws_iam_role.admin", "role assumed by the instance"),
        PathStep("policy_statement", "aws_iam_role_policy_attachment.admin", "AdministratorAccess", span(TF, 14)),
    )
    return [
        Trait(
            INTERNET_REACHABLE,
            web,
            "reachable from the internet on tcp 443 through a load balancer",
            evidence(TF, 25, "aws_lb.public", "internet-facing"),
            path=lb_path,
        ),
        Trait(
            INTERNET_REACHABLE,
            web,
            "reachable from the internet on tcp 443 through aws_internet_gateway.main",
            sg_rule,
            related=(evidence(TF, 22, "aws_internet_gateway.main", "routes 0.0.0.0/0", 23),),
            path=internet_path,
            properties={"ports": "tcp 443"},
        ),
        Trait(IMDSV1, web, "IMDSv1 allowed: http_tokens is optional", evidence(TF, 4, web, 'http_tokens = "optional"')),
        Trait(
            ADMIN_ROLE,
            web,
            "instance role has AdministratorAccess",
            evidence(TF, 14, "aws_iam_role_policy_attachment.admin", "attaches AdministratorAccess"),
            related=(evidence(TF, 6, web, "instance profile"),),
            path=role_path,
        ),
        Trait(
            EXPLOITABLE_VULNERABILITY,
            web,
            "ami-0abc ships openssh with CVE-2024-6387 (known exploited)",
            evidence(TF, 2, web, "ami-0abc"),
            properties={"cve": "CVE-2024-6387"},
            assumptions=("the AMI's package list comes from the offline vulnerability data",),
        ),
    ]


def _api_traits() -> list[Trait]:
    api = "aws_autoscaling_group.api"
    return [
        Trait(INTERNET_REACHABLE, api, "reachable from the internet on tcp 22", evidence(TF, 17, api, "public subnet")),
        Trait(
            REMOTE_ACCESS,
            api,
            "SSH (tcp 22) open to 0.0.0.0/0",
            evidence(TF, 10, "aws_security_group.web.ingress[0]", "allows tcp 22 from 0.0.0.0/0"),
            properties={"ports": "tcp 22"},
        ),
        Trait(PUBLIC_IP, api, "subnet maps public IPs on launch", evidence(TF, 17, api, "public subnet")),
    ]


def _bastion_traits() -> list[Trait]:
    bastion = "aws_instance.bastion"
    return [
        Trait(
            INTERNET_REACHABLE,
            bastion,
            "reachable from the internet on tcp 8080",
            evidence(TF, 20, bastion, "public IP"),
        ),
        Trait(
            OPEN_SECURITY_GROUP,
            bastion,
            "tcp 8080 open to 0.0.0.0/0",
            evidence(TF, 10, "aws_security_group.web.ingress[0]", "allows tcp 8080 from 0.0.0.0/0"),
            properties={"ports": "tcp 8080"},
        ),
    ]


def _cfn_traits() -> tuple[list[Trait], list[Trait]]:
    app = [
        Trait(PUBLIC_IP, "AppServer", "AssociatePublicIpAddress is true", evidence(CFN, 7, "AppServer", "public IP")),
        Trait(
            VULNERABILITY,
            "AppServer",
            "ami-0old has CVE-2023-0001",
            evidence(CFN, 5, "AppServer", "ami-0old"),
            properties={"cve": "CVE-2023-0001"},
        ),
    ]
    db = [
        Trait(SERVICE_ADMIN_ROLE, "Db", "instance role allows s3:* on *", evidence(CFN, 11, "S3AdminProfile", "s3:*")),
        Trait(IMDSV1, "Db", "IMDSv1 allowed: MetadataOptions not set", evidence(CFN, 9, "Db", "no MetadataOptions")),
    ]
    return app, db


def _with_fixes(exposure: Exposure | None) -> Exposure:
    """The web server's measured fixes, as ``scanner.fixes`` gives them: a narrowed rule that
    keeps the service first, then one that stops it."""
    assert exposure is not None
    rule = evidence(TF, 10, "aws_security_group.web.ingress[0]", "allows tcp 443 from 0.0.0.0/0")
    tokens = evidence(TF, 4, "aws_instance.web", 'http_tokens = "optional" allows IMDSv1')
    fixes = (
        Fix(
            IMDSV1,
            tokens,
            Severity.HIGH,
            'set http_tokens = "required" on aws_instance.web',
            "reduces",
            (IMDSV1,),
            "",
            "require_imdsv2",
        ),
        Fix(
            INTERNET_REACHABLE,
            rule,
            Severity.MEDIUM,
            "remove the rule allowing tcp 443 from 0.0.0.0/0 (aws_security_group.web.ingress[0])",
            "reduces",
            (),
            "stops the public service on tcp 443",
            "remove_world_sources",
        ),
    )
    return replace(exposure, fixes=fixes)


def sample_result(root: Path) -> ScanResult:
    """Writes the files under ``root`` and returns a scan of them."""
    write_files(root)
    web = Instance(address="aws_instance.web", kind="aws_instance", span=span(TF, 1, 7))
    api = AutoScalingGroup(address="aws_autoscaling_group.api", kind="aws_autoscaling_group", span=span(TF, 16, 18))
    bastion = Instance(address="aws_instance.bastion", kind="aws_instance", span=span(TF, 19, 21))
    app_server = Instance(address="AppServer", kind="AWS::EC2::Instance", span=span(CFN, 2, 7))
    db = Instance(address="Db", kind="AWS::EC2::Instance", span=span(CFN, 8, 11))
    app_traits, db_traits = _cfn_traits()

    exposures = [
        _with_fixes(build_exposure("app", web, _web_traits())),
        build_exposure("app", api, _api_traits()),
        build_exposure("app", bastion, _bastion_traits()),
        build_exposure(CFN, app_server, app_traits),
        build_exposure(CFN, db, db_traits),
    ]
    load_error = LoadError(BROKEN, 3, "YAML syntax error: unclosed flow sequence")
    terraform = Configuration(
        name="app",
        kind="terraform",
        files=[TF, BROKEN_TF],
        errors=[LoadError(BROKEN_TF, 2, "unterminated string")],
        suppressions=[
            Suppression((IMDSV1,), "aws_instance.web", "legacy agent needs IMDSv1", span(TF, 10)),
            Suppression((OPEN_SECURITY_GROUP,), "aws_instance.bastion", "", span(TF, 20)),
        ],
        notices=["app: 2 values are only known after apply"],
    )
    cloudformation = Configuration(
        name=CFN,
        kind="cloudformation",
        files=[CFN],
        suppressions=[
            Suppression((PUBLIC_IP, VULNERABILITY), "AppServer", "accepted until Q3 migration", span(CFN, 2)),
        ],
    )
    return ScanResult(
        root=root,
        configurations=[terraform, cloudformation],
        exposures=[e for e in exposures if e is not None],
        errors=[load_error],
        notices=["app: 2 values are only known after apply"],
    )
