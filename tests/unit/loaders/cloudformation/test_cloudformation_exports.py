"""``Fn::ImportValue`` of a name exported more than once (``imports``): ambiguous, unknown,
said at each export, whatever the order of the files."""

from __future__ import annotations

from pathlib import Path

from scanner.loaders.cloudformation.imports import load_templates
from scanner.model import SecurityGroup
from scanner.options import ScanOptions
from scanner.values import Unknown

IMPORTER = (
    "Resources:\n  Group:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: g\n"
    "      VpcId: !ImportValue shared-vpc\n"
)
EXPORTER = (
    "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n"
    "Outputs:\n  VpcId:\n    Value: !Ref Vpc\n    Export:\n      Name: shared-vpc\n"
)


def test_two_exporters_of_a_resource_do_not_join_the_importer_to_either(tmp_path: Path) -> None:
    for name, text in (("app.yaml", IMPORTER), ("a.yaml", EXPORTER), ("b.yaml", EXPORTER)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    paths = [tmp_path / n for n in ("app.yaml", "a.yaml", "b.yaml")]
    configurations = {c.name: c for c in load_templates(paths, ScanOptions(root=tmp_path, cache_dir=None))}
    assert sorted(configurations) == ["a.yaml", "app.yaml", "b.yaml"]  # no configuration joined by the import
    [group] = [r for r in configurations["app.yaml"].resources if isinstance(r, SecurityGroup)]
    assert isinstance(group.vpc, Unknown) and "exported more than once (a.yaml:10 and b.yaml:10)" in group.vpc.reason
    assert [n.split(":")[0:2] for n in configurations["a.yaml"].notices] == [["a.yaml", "10"]]
    assert "also exported by b.yaml:10" in configurations["a.yaml"].notices[0]
    assert "also exported by a.yaml:10" in configurations["b.yaml"].notices[0]


def test_one_template_exporting_a_name_twice_is_ambiguous_too(tmp_path: Path) -> None:
    text = EXPORTER + "  Again:\n    Value: 10.0.0.0/8\n    Export:\n      Name: shared-vpc\n"
    (tmp_path / "net.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "app.yaml").write_text(IMPORTER, encoding="utf-8")
    configurations = load_templates([tmp_path / "app.yaml", tmp_path / "net.yaml"], ScanOptions(root=tmp_path))
    by_name = {c.name: c for c in configurations}
    [group] = [r for r in by_name["app.yaml"].resources if isinstance(r, SecurityGroup)]
    assert isinstance(group.vpc, Unknown) and "net.yaml:10 and net.yaml:14" in group.vpc.reason
    assert len(by_name["net.yaml"].notices) == 2


def test_a_single_exporter_still_resolves(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(IMPORTER, encoding="utf-8")
    (tmp_path / "net.yaml").write_text(EXPORTER, encoding="utf-8")
    [both] = load_templates([tmp_path / "app.yaml", tmp_path / "net.yaml"], ScanOptions(root=tmp_path))
    [group] = [r for r in both.resources if isinstance(r, SecurityGroup)]
    assert group.vpc is not None and not isinstance(group.vpc, Unknown)
    assert both.notices == []


def test_a_name_exported_twice_that_nothing_imports_says_nothing(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(EXPORTER, encoding="utf-8")
    configurations = load_templates([tmp_path / "a.yaml", tmp_path / "b.yaml"], ScanOptions(root=tmp_path))
    assert [c.notices for c in configurations] == [[], []]


def test_names_built_on_the_stack_name_differ_per_stack_and_are_never_ambiguous(tmp_path: Path) -> None:
    exporter = EXPORTER.replace("Name: shared-vpc", "Name: !Sub '${AWS::StackName}-vpc'")
    importer = IMPORTER.replace("!ImportValue shared-vpc", "!ImportValue {'Fn::Sub': '${AWS::StackName}-vpc'}")
    for name, text in (("a.yaml", exporter), ("b.yaml", exporter), ("app.yaml", importer)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    paths = [tmp_path / n for n in ("a.yaml", "b.yaml", "app.yaml")]
    configurations = load_templates(paths, ScanOptions(root=tmp_path))
    assert not [n for c in configurations for n in c.notices if "also exported" in n]
