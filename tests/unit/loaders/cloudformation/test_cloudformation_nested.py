"""Nested stack locations known only at deploy time (``nested.unknown_location``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.loaders.cloudformation.decode import TemplateCache
from scanner.loaders.cloudformation.imports import load_templates
from scanner.loaders.cloudformation.nested import local_template, nested_children, unknown_location
from scanner.options import ScanOptions
from scanner.values import ResourceRef, Unknown


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("{{resolve:ssm:/templates/url}}", "is a dynamic reference ({{resolve:ssm:/templates/url}})"),
        ("https://s3.amazonaws.com/{{resolve:ssm:/bucket}}/c.yaml", "is a dynamic reference"),
        ("templates/${AWS::Region}/c.yaml", "depends on ${AWS::Region}"),
        (Unknown("parameter Url has no value"), "is not known offline (parameter Url has no value)"),
        (ResourceRef("Bucket", "WebsiteURL"), "is Bucket.WebsiteURL, known after deployment"),
    ],
)
def test_locations_known_only_at_deploy_time(location: object, reason: str) -> None:
    found = unknown_location(location)
    assert found is not None and reason in found
    assert local_template(location, {}, Path("/x"), cdk=False) is None


@pytest.mark.parametrize("location", ["child.yaml", "https://s3.amazonaws.com/b/${AWS::Region}/c.yaml", None])
def test_known_or_absent_locations_are_not_unknown_children(location: object) -> None:
    assert unknown_location(location) is None


def test_a_dynamic_reference_is_no_local_child_and_no_error(tmp_path: Path) -> None:
    (tmp_path / "parent.yaml").write_text(
        "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n"
        '      TemplateURL: "{{resolve:ssm:/url}}"\n'
        "  App:\n    Type: AWS::Serverless::Application\n    Properties:\n"
        "      Location: !Sub 'apps/${AWS::AccountId}.yaml'\n",
        encoding="utf-8",
    )
    options = ScanOptions(root=tmp_path, cache_dir=None)
    assert nested_children(TemplateCache(options)(tmp_path / "parent.yaml"), options) == set()
    [parent] = load_templates([tmp_path / "parent.yaml"], options)
    assert parent.errors == [] and parent.files == ["parent.yaml"]
    assert [n.split(": ", 1)[1] for n in parent.notices] == [
        "nested stack Child is an unknown child stack: its TemplateURL is a dynamic reference "
        "({{resolve:ssm:/url}}), resolved at deploy time; its resources are not scanned",
        "nested stack App is an unknown child stack: its Location 'apps/${AWS::AccountId}.yaml' depends on "
        "${AWS::AccountId}, known at deploy time; its resources are not scanned",
    ]
