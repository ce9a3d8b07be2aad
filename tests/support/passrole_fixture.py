"""Writes two fixtures from the escalation catalogue, so that every path of two families is
exercised in both formats and neither side can drift (a test checks the files are what
this writes; run ``python -m tests.support.passrole_fixture`` after the catalogue changes):

* ``fixtures/iam/escalation-passrole-to-each-service``: for every PassRole path (``family``
  "pass"), an instance whose role may pass one administrator role and call the path's other
  actions, the administrator's trust admitting the path's service (fires), and the same with
  a trust that admits another service only (a near miss);
* ``fixtures/iam/escalation-passrole-limited-to-another-service-or-bounded``: near misses of
  the same, with ``iam:PassRole`` conditioned on ``iam:PassedToService`` naming another
  service (``elsewhere``), and under a permissions boundary that allows only ``s3:GetObject``
  (``bounded``);
* ``fixtures/iam/escalation-modify-another-role-each-path``: for every path that changes
  another role's permissions and takes it over (``family`` "modify-target"), a role allowed
  the path's actions on a worker role (fires), and the same role denied the path's first
  action (a near miss)."""

from __future__ import annotations

import json
import re

from tests.support.paths import REPO

FOLDER = REPO / "fixtures" / "iam" / "escalation-passrole-to-each-service"
# the near misses that limit the pass (a condition, a boundary): a folder of their own, so the
# whole-folder checks (each fix patch scans its folder again) stay linear in the paths
LIMITED_FOLDER = REPO / "fixtures" / "iam" / "escalation-passrole-limited-to-another-service-or-bounded"
CATALOGUE = REPO / "scanner" / "data" / "escalation_paths.json"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def pass_paths() -> list[dict[str, object]]:
    paths = json.loads(CATALOGUE.read_text(encoding="utf-8"))["paths"]
    return [p for p in paths if p["family"] == "pass"]


def names(path_id: str) -> tuple[str, str]:
    """The Terraform name and CloudFormation logical id stem of one path's resources."""
    return path_id.replace("-", "_"), "".join(part.capitalize() for part in re.split(r"[-_]", path_id))


def _other_service(service: str) -> str:
    return "lambda.amazonaws.com" if service != "lambda.amazonaws.com" else "ec2.amazonaws.com"


# (Terraform suffix, CloudFormation suffix) of each case of a PassRole path: fires, then the
# near misses (see the module docstring)
PASS_CASES = (("", ""), ("_miss", "Miss"), ("_elsewhere", "Elsewhere"), ("_bounded", "Bounded"))
S3_ONLY = '{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }'


def _terraform_boundary(name: str) -> str:
    return (
        f'resource "aws_iam_policy" "{name}" {{\n'
        f'  name = "{name}"\n'
        "  policy = jsonencode({\n"
        '    Version   = "2012-10-17"\n'
        f"    Statement = [{S3_ONLY}]\n"
        "  })\n}\n\n"
    )


def _cloudformation_boundary(name: str) -> list[str]:
    return [
        f"  {name}:",
        "    Type: AWS::IAM::ManagedPolicy",
        "    Properties:",
        "      PolicyDocument:",
        '        Version: "2012-10-17"',
        "        Statement:",
        "          - Effect: Allow",
        "            Action: s3:GetObject",
        '            Resource: "*"',
    ]


def _terraform_actor(actor: str, statements: list[str], boundary: str = "") -> str:
    """A role the EC2 service can assume, with ``statements`` in its inline policy (and the
    permissions boundary ``boundary``, a reference, when given), and an instance running with it."""
    return (
        f'resource "aws_iam_role" "{actor}" {{\n'
        f'  name = "{actor}"\n'
        + (f"  permissions_boundary = {boundary}\n" if boundary else "")
        + "  assume_role_policy = jsonencode({\n"
        '    Version   = "2012-10-17"\n'
        '    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", '
        'Principal = { Service = "ec2.amazonaws.com" } }]\n'
        "  })\n}\n\n"
        f'resource "aws_iam_role_policy" "{actor}" {{\n'
        f'  name = "{actor}"\n'
        f"  role = aws_iam_role.{actor}.id\n"
        "  policy = jsonencode({\n"
        '    Version = "2012-10-17"\n'
        "    Statement = [\n" + "".join(f"      {s},\n" for s in statements) + "    ]\n"
        "  })\n}\n\n"
        f'resource "aws_iam_instance_profile" "{actor}" {{\n'
        f'  name = "{actor}"\n'
        f"  role = aws_iam_role.{actor}.name\n}}\n\n"
        f'resource "aws_instance" "{actor}" {{\n'
        '  ami                  = "ami-0abcdef1234567890"\n'
        '  instance_type        = "t3.micro"\n'
        f"  iam_instance_profile = aws_iam_instance_profile.{actor}.name\n"
        "  metadata_options {\n"
        '    http_tokens = "required"\n'
        "  }\n}\n\n"
    )


def cloudformation_ec2_role(actor: str) -> list[str]:
    """The head of a CloudFormation role ``{actor}Role`` that EC2 may assume."""
    return [
        f"  {actor}Role:",
        "    Type: AWS::IAM::Role",
        "    Properties:",
        "      AssumeRolePolicyDocument:",
        '        Version: "2012-10-17"',
        "        Statement:",
        "          - Effect: Allow",
        "            Action: sts:AssumeRole",
        "            Principal:",
        "              Service: ec2.amazonaws.com",
    ]


def _cloudformation_instance(actor: str) -> list[str]:
    """The instance profile of ``{actor}Role`` and an instance running with it."""
    return [
        f"  {actor}Profile:",
        "    Type: AWS::IAM::InstanceProfile",
        "    Properties:",
        f"      Roles: [!Ref {actor}Role]",
        f"  {actor}:",
        "    Type: AWS::EC2::Instance",
        "    Properties:",
        "      ImageId: ami-0abcdef1234567890",
        "      InstanceType: t3.micro",
        f"      IamInstanceProfile: !Ref {actor}Profile",
        "      MetadataOptions:",
        "        HttpTokens: required",
    ]


def terraform(limited: bool = False) -> str:
    """The PassRole fixture (``limited``: its near misses limited by a condition or a boundary)."""
    out = [
        "# Generated by tests/support/passrole_fixture.py from the escalation catalogue: for each\n"
        "# PassRole path, a role that may pass an administrator role to the path's service (fires) and\n"
        "# one whose administrator trusts another service only (near miss).\n"
        if not limited
        else "# Generated by tests/support/passrole_fixture.py from the escalation catalogue: for each\n"
        "# PassRole path, near misses of a role that may pass an administrator role to the path's\n"
        "# service: it may pass it only to another service (elsewhere), it is under an S3-only\n"
        "# permissions boundary (bounded).\n"
    ]
    for path in pass_paths():
        stem, _ = names(str(path["id"]))
        others = [a["action"] for a in path["actions"] if a["on"] == "*"]  # type: ignore[index, union-attr]
        for case, _ in PASS_CASES[2:] if limited else PASS_CASES[:2]:
            service = str(path["service"]) if case != "_miss" else _other_service(str(path["service"]))
            actor, admin = f"{stem}{case}", f"{stem}{case}_admin"
            condition = ""
            if case == "_elsewhere":
                other = _other_service(service)
                condition = f', Condition = {{ StringEquals = {{ "iam:PassedToService" = "{other}" }} }}'
            statements = [
                f'{{ Effect = "Allow", Action = "iam:PassRole", Resource = aws_iam_role.{admin}.arn{condition} }}',
                f'{{ Effect = "Allow", Action = {json.dumps(others)}, Resource = "*" }}',
            ]
            boundary = f"aws_iam_policy.{actor}_boundary.arn" if case == "_bounded" else ""
            out.append(
                _terraform_actor(actor, statements, boundary)
                + (_terraform_boundary(f"{actor}_boundary") if boundary else "")
                + f'resource "aws_iam_role" "{admin}" {{\n'
                f'  name = "{admin}"\n'
                "  assume_role_policy = jsonencode({\n"
                '    Version   = "2012-10-17"\n'
                '    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", '
                f'Principal = {{ Service = "{service}" }} }}]\n'
                "  })\n"
                f'  managed_policy_arns = ["{ADMIN}"]\n}}\n'
            )
    return "\n".join(out)


def cloudformation(limited: bool = False) -> str:
    """The PassRole fixture (``limited``: its near misses limited by a condition or a boundary)."""
    about = (
        [
            "  PassRole path, a role that may pass an administrator role to the path's service (fires)",
            "  and one whose administrator trusts another service only (near miss).",
        ]
        if not limited
        else [
            "  PassRole path, near misses of a role that may pass an administrator role to the path's",
            "  service: it may pass it only to another service (Elsewhere), it is under an S3-only",
            "  permissions boundary (Bounded).",
        ]
    )
    lines = [
        'AWSTemplateFormatVersion: "2010-09-09"',
        "Description: >-",
        "  Generated by tests/support/passrole_fixture.py from the escalation catalogue: for each",
        *about,
        "Resources:",
    ]
    for path in pass_paths():
        _, stem = names(str(path["id"]))
        others = [a["action"] for a in path["actions"] if a["on"] == "*"]  # type: ignore[index, union-attr]
        for _, case in PASS_CASES[2:] if limited else PASS_CASES[:2]:
            service = str(path["service"]) if case != "Miss" else _other_service(str(path["service"]))
            actor, admin = f"{stem}{case}", f"{stem}{case}Admin"
            lines += [
                *cloudformation_ec2_role(actor),
                *([f"      PermissionsBoundary: !Ref {actor}Boundary"] if case == "Bounded" else []),
                "      Policies:",
                f"        - PolicyName: {actor}",
                "          PolicyDocument:",
                '            Version: "2012-10-17"',
                "            Statement:",
                "              - Effect: Allow",
                "                Action: iam:PassRole",
                f"                Resource: !GetAtt {admin}Role.Arn",
                *(
                    [
                        "                Condition:",
                        "                  StringEquals:",
                        f"                    iam:PassedToService: {_other_service(service)}",
                    ]
                    if case == "Elsewhere"
                    else []
                ),
                "              - Effect: Allow",
                f"                Action: [{', '.join(others)}]",
                '                Resource: "*"',
                *_cloudformation_instance(actor),
                *(_cloudformation_boundary(f"{actor}Boundary") if case == "Bounded" else []),
                f"  {admin}Role:",
                "    Type: AWS::IAM::Role",
                "    Properties:",
                "      AssumeRolePolicyDocument:",
                '        Version: "2012-10-17"',
                "        Statement:",
                "          - Effect: Allow",
                "            Action: sts:AssumeRole",
                "            Principal:",
                f"              Service: {service}",
                "      ManagedPolicyArns:",
                f"        - {ADMIN}",
            ]
    return "\n".join(lines) + "\n"


def main() -> None:
    for folder, limited in ((FOLDER, False), (LIMITED_FOLDER, True)):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "main.tf").write_text(terraform(limited), encoding="utf-8")
        (folder / "template.yaml").write_text(cloudformation(limited), encoding="utf-8")


# --- another role's permissions changed, then taken over (``family`` "modify-target") ---------

MODIFY_FOLDER = REPO / "fixtures" / "iam" / "escalation-modify-another-role-each-path"


def modify_paths() -> list[dict[str, object]]:
    paths = json.loads(CATALOGUE.read_text(encoding="utf-8"))["paths"]
    return [p for p in paths if p["family"] == "modify-target"]


def _assumes(path: dict[str, object]) -> bool:
    return any(a["action"] == "sts:AssumeRole" for a in path["actions"])  # type: ignore[index, union-attr]


def modify_terraform() -> str:
    out = [
        "# Generated by tests/support/passrole_fixture.py from the escalation catalogue: for each path\n"
        "# that changes another role's permissions and takes it over, a role allowed the path's actions\n"
        "# on a worker role (fires) and the same role denied the path's first action (near miss).\n"
    ]
    for path in modify_paths():
        stem, _ = names(str(path["id"]))
        for case in ("", "_miss"):
            actor, worker = f"{stem}{case}", f"{stem}{case}_worker"
            statements = []
            for required in path["actions"]:  # type: ignore[union-attr]
                on = required["on"]  # type: ignore[index]
                target = f"aws_iam_policy.{worker}.arn" if on == "target_policy" else f"aws_iam_role.{worker}.arn"
                statements.append(f'{{ Effect = "Allow", Action = "{required["action"]}", Resource = {target} }}')  # type: ignore[index]
            if case:
                first = path["actions"][0]["action"]  # type: ignore[index]
                statements.append(f'{{ Effect = "Deny", Action = "{first}", Resource = "*" }}')
            principal = f"AWS = aws_iam_role.{actor}.arn" if _assumes(path) else 'Service = "ec2.amazonaws.com"'
            out.append(
                _terraform_actor(actor, statements) + f'resource "aws_iam_role" "{worker}" {{\n'
                f'  name = "{worker}"\n'
                "  assume_role_policy = jsonencode({\n"
                '    Version   = "2012-10-17"\n'
                f'    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ {principal} }} }}]\n'
                "  })\n}\n\n"
                f'resource "aws_iam_policy" "{worker}" {{\n'
                f'  name = "{worker}"\n'
                "  policy = jsonencode({\n"
                '    Version   = "2012-10-17"\n'
                '    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]\n'
                "  })\n}\n\n"
                f'resource "aws_iam_role_policy_attachment" "{worker}" {{\n'
                f"  role       = aws_iam_role.{worker}.name\n"
                f"  policy_arn = aws_iam_policy.{worker}.arn\n}}\n"
            )
    return "\n".join(out)


def modify_cloudformation() -> str:
    lines = [
        'AWSTemplateFormatVersion: "2010-09-09"',
        "Description: >-",
        "  Generated by tests/support/passrole_fixture.py from the escalation catalogue: for each path",
        "  that changes another role's permissions and takes it over, a role allowed the path's",
        "  actions on a worker role (fires) and the same role denied the path's first action (near miss).",
        "Resources:",
    ]
    for path in modify_paths():
        _, stem = names(str(path["id"]))
        for case in ("", "Miss"):
            actor, worker = f"{stem}{case}", f"{stem}{case}Worker"
            # the actor's permissions in a policy of their own: the worker's trust names the
            # actor, so the actor role itself must not name the worker (a circular dependency)
            lines += [
                *cloudformation_ec2_role(actor),
                f"  {actor}Permissions:",
                "    Type: AWS::IAM::Policy",
                "    Properties:",
                f"      PolicyName: {actor}",
                f"      Roles: [!Ref {actor}Role]",
                "      PolicyDocument:",
                '        Version: "2012-10-17"',
                "        Statement:",
            ]
            for required in path["actions"]:  # type: ignore[union-attr]
                on = required["on"]  # type: ignore[index]
                target = f"!Ref {worker}Policy" if on == "target_policy" else f"!GetAtt {worker}Role.Arn"
                lines += [
                    "          - Effect: Allow",
                    f"            Action: {required['action']}",  # type: ignore[index]
                    f"            Resource: {target}",
                ]
            if case:
                lines += [
                    "          - Effect: Deny",
                    f"            Action: {path['actions'][0]['action']}",  # type: ignore[index]
                    '            Resource: "*"',
                ]
            principal = (
                ["              AWS: !GetAtt " + f"{actor}Role.Arn"]
                if _assumes(path)
                else ["              Service: ec2.amazonaws.com"]
            )
            lines += [
                *_cloudformation_instance(actor),
                f"  {worker}Role:",
                "    Type: AWS::IAM::Role",
                "    Properties:",
                "      AssumeRolePolicyDocument:",
                '        Version: "2012-10-17"',
                "        Statement:",
                "          - Effect: Allow",
                "            Action: sts:AssumeRole",
                "            Principal:",
                *principal,
                f"  {worker}Policy:",
                "    Type: AWS::IAM::ManagedPolicy",
                "    Properties:",
                f"      Roles: [!Ref {worker}Role]",
                "      PolicyDocument:",
                '        Version: "2012-10-17"',
                "        Statement:",
                "          - Effect: Allow",
                "            Action: s3:GetObject",
                '            Resource: "*"',
            ]
    return "\n".join(lines) + "\n"


def write_modify() -> None:
    MODIFY_FOLDER.mkdir(parents=True, exist_ok=True)
    (MODIFY_FOLDER / "main.tf").write_text(modify_terraform(), encoding="utf-8")
    (MODIFY_FOLDER / "template.yaml").write_text(modify_cloudformation(), encoding="utf-8")


if __name__ == "__main__":
    main()
    write_modify()
