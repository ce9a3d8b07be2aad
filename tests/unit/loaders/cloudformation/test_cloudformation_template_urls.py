"""S3 URL forms a nested stack's TemplateURL takes (path style, virtual-hosted, regional with
a dot or a dash, s3://) are matched to a template of the tree by their key's path suffix;
the bucket never makes a match on its own; ties and misses name no template."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.loaders.cloudformation.template_urls import key_suffix, mapped_by_prefix, match_url, written_url

ROOT = Path("/repo")
TREE = [
    ROOT / "infrastructure" / "vpc.yaml",
    ROOT / "legacy" / "vpc.yaml",
    ROOT / "services" / "web" / "service.yaml",
    ROOT / "artifacts" / "only.yaml",
]


def named(name: str) -> list[Path]:
    return [path for path in TREE if path.name == name]


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.amazonaws.com/bucket/infrastructure/vpc.yaml",
        "https://s3.eu-west-1.amazonaws.com/bucket/infrastructure/vpc.yaml",
        "https://s3-us-west-2.amazonaws.com/bucket/infrastructure/vpc.yaml",
        "https://bucket.s3.amazonaws.com/infrastructure/vpc.yaml",
        "https://bucket.s3.us-east-1.amazonaws.com/infrastructure/vpc.yaml",
        "https://bucket.s3-us-west-2.amazonaws.com/release/infrastructure/vpc.yaml",
        "s3://bucket/infrastructure/vpc.yaml",
        "https://${Bucket}.s3.${AWS::Region}.${AWS::URLSuffix}/${Prefix}infrastructure/vpc.yaml",
        "https://s3.amazonaws.com/${Bucket}/${Prefix}/infrastructure/vpc.yaml",
    ],
)
def test_every_s3_url_form_names_the_template_its_key_ends_with(url: str) -> None:
    assert match_url(url, named, ROOT).path == ROOT / "infrastructure" / "vpc.yaml"


def test_a_placeholder_cutting_a_folder_name_matches_its_end() -> None:
    # ${KeyPrefix}structure/vpc.yaml: the key's folder ends with "structure"
    url = "https://${B}.s3.amazonaws.com/${KeyPrefix}structure/vpc.yaml"
    assert key_suffix(url) == ("structure", "vpc.yaml")
    assert match_url(url, named, ROOT).path == ROOT / "infrastructure" / "vpc.yaml"


def test_a_file_name_two_templates_share_names_both_and_neither_is_read() -> None:
    found = match_url("https://s3.amazonaws.com/bucket/vpc.yaml", named, ROOT)
    assert found.path is None
    assert found.candidates == (ROOT / "infrastructure" / "vpc.yaml", ROOT / "legacy" / "vpc.yaml")


def test_no_template_of_that_name_is_a_miss() -> None:
    found = match_url("https://s3.amazonaws.com/bucket/infrastructure/subnets.yaml", named, ROOT)
    assert (found.path, found.candidates) == (None, ())


def test_the_bucket_of_a_path_style_url_counts_only_as_a_folder_of_the_key() -> None:
    # bucket "artifacts" is also a folder here: one more shared component, still one template
    found = match_url("https://s3.amazonaws.com/artifacts/only.yaml", named, ROOT)
    assert found.path == ROOT / "artifacts" / "only.yaml"


def test_an_explicit_prefix_wins_and_the_longest_prefix_is_used() -> None:
    prefixes = [("https://s3.amazonaws.com/bucket/", ROOT / "a"), ("https://s3.amazonaws.com/bucket/v2/", ROOT / "b")]
    assert mapped_by_prefix("https://s3.amazonaws.com/bucket/v2/vpc.yaml", prefixes) == ROOT / "b" / "vpc.yaml"
    found = match_url("https://s3.amazonaws.com/bucket/vpc.yaml", named, ROOT, prefixes)
    assert (found.path, found.explicit) == (ROOT / "a" / "vpc.yaml", True)


def test_a_join_with_a_slash_is_written_back_with_placeholders() -> None:
    joined = {"Fn::Join": ["/", ["https://s3.amazonaws.com", {"Ref": "Bucket"}, "infrastructure/vpc.yaml"]]}
    url = written_url(joined)
    assert url == "https://s3.amazonaws.com/${...}/infrastructure/vpc.yaml"
    assert match_url(url, named, ROOT).path == ROOT / "infrastructure" / "vpc.yaml"
