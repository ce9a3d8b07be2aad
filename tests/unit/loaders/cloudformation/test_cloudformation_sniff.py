"""Which files are CloudFormation templates: the sniffer of discovery and the loader's own
check of the decoded document (``scanner.loaders.cloudformation.sniff``)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from scanner.loaders.cloudformation.imports import load_templates
from scanner.loaders.cloudformation.sniff import is_cloudformation_template, is_template_document, looks_like_template
from scanner.options import ScanOptions
from tests.support.paths import REPO

FOLDER = REPO / "fixtures" / "cloudformation" / "non-templates-not-reported"
NOT_TEMPLATES = (
    "appspec.yaml",  # CodeDeploy: Resources is a list of TargetService entries
    "appspec.json",
    "serverless.yml",  # the template sits under the lowercase resources key
    "k8s-configmap.yaml",  # a template embedded in a ConfigMap, then a Deployment
    "workflow.yml",  # a GitHub workflow writing a template in a run step
    "docker-compose.yml",
    "playbook.yml",  # Ansible: a list, with a JSON template_body
    "openapi.yaml",  # a schema named Resources, with a Type example
)


@pytest.mark.parametrize("name", NOT_TEMPLATES)
def test_files_that_are_not_templates_are_not_detected(name: str) -> None:
    assert not is_cloudformation_template(FOLDER / name)


def test_the_real_template_beside_them_is_detected() -> None:
    assert is_cloudformation_template(FOLDER / "template.yaml")


def test_loader_skips_non_templates_it_is_handed_without_an_error() -> None:
    """The loader's second look: a file the sniffer let through that decodes as no template
    is no configuration and no error (here every file is handed over directly)."""
    paths = sorted(FOLDER.iterdir())
    configurations = load_templates(paths, ScanOptions(root=REPO))
    assert [c.name for c in configurations] == ["fixtures/cloudformation/non-templates-not-reported/template.yaml"]
    [template] = configurations
    assert template.errors == [] and template.warnings == [] and template.notices == []
    assert [r.address for r in template.resources] == ["Web"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("transform.yaml", "Transform: AWS::Serverless-2016-10-31\n"),
        ("transform-list.yaml", "Transform:\n  - AWS::LanguageExtensions\n  - AWS::Serverless-2016-10-31\n"),
        ("indentless.yaml", "Transform:\n- AWS::Serverless-2016-10-31\nResources: {}\n"),
        ("quoted.yaml", '---\n# a comment\n"Resources":\n  "Vpc":\n    "Type": "AWS::EC2::VPC"\n'),
        (
            "later-type.yaml",
            "Resources:\n  Vpc:\n    Properties:\n      CidrBlock: 10.0.0.0/16\n    Type: AWS::EC2::VPC\n",
        ),
        ("flow.yaml", "Resources:\n  Vpc: {Type: AWS::EC2::VPC}\n"),
        ("flow-section.yaml", "Resources: {Vpc: {Type: 'AWS::EC2::VPC'}}\n"),
        ("version.json", '{"AWSTemplateFormatVersion": "2010-09-09"}'),
        ("transform.json", '{"Transform": ["AWS::Serverless-2016-10-31"], "Resources": {}}'),
        (
            "minified.json",
            '{"Outputs":{},"Resources":{"Vpc":{"Properties":{"CidrBlock":"10.0.0.0/16"},"Type":"AWS::EC2::VPC"}}}',
        ),
        ("broken.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: [unclosed\n"),
    ],
)
def test_template_shapes_are_detected(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    assert is_cloudformation_template(tmp_path / name)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("nested-version.yaml", "outer:\n  AWSTemplateFormatVersion: '2010-09-09'\n"),
        ("list-resources.yaml", "Resources:\n- Type: AWS::EC2::VPC\n"),
        ("deep-type.yaml", "Resources:\n  Vpc:\n    Properties:\n      Type: AWS::EC2::VPC\n"),
        ("custom-only.yaml", "Resources:\n  X:\n    Type: Custom::Thing\n"),
        ("macro-transform.yaml", "Transform: MyMacro\nResources: {}\n"),
        ("second-document.yaml", "kind: x\n---\nAWSTemplateFormatVersion: '2010-09-09'\n"),
        ("list-resources.json", '{"Resources": [{"Type": "AWS::EC2::VPC"}]}'),
        ("nested-version.json", '{"outer": {"AWSTemplateFormatVersion": "2010-09-09"}}'),
        ("deep-type.json", '{"Resources": {"Vpc": {"Properties": {"Type": "AWS::EC2::VPC"}}}}'),
        ("string-only.json", '{"Description": "Resources Type AWS::EC2::VPC AWSTemplateFormatVersion"}'),
    ],
)
def test_look_alikes_are_not_detected(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    assert not is_cloudformation_template(tmp_path / name)


def test_decoded_document_rule() -> None:
    assert is_template_document({"AWSTemplateFormatVersion": "2010-09-09"})
    assert is_template_document({"Transform": "AWS::Serverless-2016-10-31"})
    assert is_template_document({"Resources": {"V": {"Type": "AWS::EC2::VPC"}}})
    assert not is_template_document({"Resources": [{"TargetService": {"Type": "AWS::ECS::Service"}}]})
    assert not is_template_document({"Resources": {"X": {"Type": "Custom::Thing"}}})
    assert not is_template_document(["Resources"])


def test_nested_stack_naming_a_file_that_is_no_template_is_a_notice(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text((FOLDER / "serverless.yml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "parent.yaml").write_text(
        "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n"
        "      TemplateURL: serverless.yml\n",
        encoding="utf-8",
    )
    [parent] = load_templates([tmp_path / "parent.yaml"], ScanOptions(root=tmp_path))
    assert parent.errors == []
    [notice] = parent.notices
    assert notice.startswith("parent.yaml:2: nested stack Child: serverless.yml is not a CloudFormation template")


def test_a_long_line_without_a_colon_is_read_in_linear_time() -> None:
    """The key of a line is found without backtracking: a 60,000-character line is cheap."""
    started = time.perf_counter()
    for head in (b"Resources:\n  a" + b" " * 60_000 + b"b\n", b"a" + b" " * 60_000 + b"b\nResources:\n"):
        assert not looks_like_template(head)
    assert time.perf_counter() - started < 1.0
