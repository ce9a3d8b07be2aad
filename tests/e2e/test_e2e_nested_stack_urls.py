"""Nested stacks named by S3 URL (fixtures/cloudformation/nested-stack-from-s3-url): the
child is the one template of the tree whose path ends as the URL's key does, loaded with the
parent's parameters; a URL that matches several templates or none is an unknown child stack,
named in a notice; ``--template-url PREFIX=DIR`` maps a prefix explicitly."""

from __future__ import annotations

from pathlib import Path

from scanner.findings import ScanResult
from scanner.loaders.cloudformation.template_urls import key_suffix, written_url
from scanner.options import ScanOptions
from scanner.rules.remote_access import ID as REMOTE_ACCESS
from scanner.scan import scan
from tests.support.paths import REPO

FIXTURE = REPO / "fixtures" / "cloudformation" / "nested-stack-from-s3-url"


def scanned(target: Path, **options: object) -> ScanResult:
    return scan([target], ScanOptions(root=FIXTURE, **options))  # type: ignore[arg-type]


def notices(result: ScanResult) -> list[str]:
    return [n for c in result.configurations for n in c.notices]


def test_child_from_a_literal_url_gets_the_parents_parameters() -> None:
    result = scanned(FIXTURE)
    web = next(e for e in result.exposures if e.workload == "Web.Server")
    ssh = [t for t in web.traits if t.rule_id == REMOTE_ACCESS]
    # the value is set in the parent's Parameters: that is the line the user edits
    parent = (FIXTURE / "parent.yaml").read_text(encoding="utf-8").splitlines()
    assert [(t.location.span.file, parent[t.location.span.line - 1].strip()) for t in ssh] == [
        ("parent.yaml", "SshCidr: 0.0.0.0/0")
    ]
    assert "0.0.0.0/0" in ssh[0].message
    # the same child nested by a Sub'd URL, with the parent's 10.0.0.0/8: no remote access
    admin = next(e for e in result.exposures if e.workload == "Admin.Server")
    assert not [t for t in admin.traits if t.rule_id == REMOTE_ACCESS]


def test_a_nested_child_is_not_a_configuration_of_its_own() -> None:
    result = scanned(FIXTURE)
    names = sorted(c.name for c in result.configurations)
    assert "stacks/web.yaml" not in names
    assert "parent.yaml" in names


def test_the_child_alone_keeps_its_own_default() -> None:
    result = scanned(FIXTURE / "stacks" / "web.yaml")
    assert not [t for e in result.exposures for t in e.traits if t.rule_id == REMOTE_ACCESS]


def test_url_matching_several_templates_or_none_is_an_unknown_child_stack() -> None:
    said = notices(scanned(FIXTURE / "parent.yaml"))
    worker = next(n for n in said if "nested stack Worker" in n)
    assert "unknown child stack" in worker
    assert "ambiguous/one/worker.yaml" in worker and "ambiguous/two/worker.yaml" in worker
    missing = next(n for n in said if "nested stack Missing" in n)
    assert "matches no template" in missing and "not-in-this-repository.yaml" in missing


def test_template_url_prefix_maps_the_url_explicitly() -> None:
    prefix = ("https://s3.amazonaws.com/my-artifacts/", FIXTURE / "ambiguous" / "two")
    result = scanned(FIXTURE / "parent.yaml", template_urls=(prefix,))
    assert "Worker.Server" in {e.workload for e in result.exposures}
    assert any("nested stack Worker" in n and "--template-url" in n for n in notices(result))


def test_url_as_written_and_its_key_suffix() -> None:
    sub = {"Fn::Sub": "https://${B}.s3.${AWS::Region}.amazonaws.com/${P}stacks/web.yaml"}
    assert written_url(sub) == sub["Fn::Sub"]
    assert key_suffix(sub["Fn::Sub"]) == ("stacks", "web.yaml")
    assert key_suffix("https://s3.amazonaws.com/bucket/a/b.yaml") == ("bucket", "a", "b.yaml")
    joined = {"Fn::Join": ["", ["https://", {"Ref": "B"}, ".s3.amazonaws.com/x/child.json"]]}
    assert written_url(joined) == "https://${...}.s3.amazonaws.com/x/child.json"
    assert written_url("{{resolve:ssm:/url}}") is None
    assert written_url("stacks/web.yaml") is None  # a local path: not a URL


def test_template_url_on_the_command_line(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from scanner.cli import app

    folder = FIXTURE / "ambiguous" / "one"
    args = ["scan", str(FIXTURE / "parent.yaml"), "--format", "json", "--fail-on", "none", "--no-cache"]
    result = CliRunner().invoke(app, [*args, "--template-url", f"https://s3.amazonaws.com/my-artifacts/={folder}"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert "Worker.Server" in {e["workload"] for e in report["exposures"]}
    refused = CliRunner().invoke(app, [*args, "--template-url", "no-equals-sign"])
    assert refused.exit_code != 0
