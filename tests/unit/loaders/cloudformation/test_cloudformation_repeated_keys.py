"""A mapping that repeats a key: read with the later key winning, each repeat a warning at
its line (``scanner.loaders.cloudformation.repeated_keys`` through the loader)."""

from __future__ import annotations

from pathlib import Path

from scanner.findings import Configuration
from scanner.loaders.cloudformation.imports import load_templates
from scanner.model import SecurityGroup, Vpc
from scanner.options import ScanOptions


def load(tmp_path: Path, name: str, text: str) -> Configuration:
    (tmp_path / name).write_text(text, encoding="utf-8")
    [configuration] = load_templates([tmp_path / name], ScanOptions(root=tmp_path, cache_dir=None))
    return configuration


def cidrs(configuration: Configuration) -> dict[str, tuple[object, ...]]:
    return {r.address: r.cidr_blocks for r in configuration.resources if isinstance(r, Vpc)}


def test_later_key_wins_and_each_repeat_is_a_warning(tmp_path: Path) -> None:
    text = (
        "Resources:\n"
        "  A:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n      CidrBlock: 10.1.0.0/16\n"
        "  B:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.2.0.0/16\n"
        "  B:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.3.0.0/16\n"
    )
    configuration = load(tmp_path, "t.yaml", text)
    assert configuration.errors == []
    assert cidrs(configuration) == {"A": ("10.1.0.0/16",), "B": ("10.3.0.0/16",)}
    assert [(w.file, w.line) for w in configuration.warnings] == [("t.yaml", 6), ("t.yaml", 11)]
    assert configuration.warnings[1].message.startswith("key 'B' repeats the one on line 7")
    # the winning resource keeps the lines it is written on
    [b] = [r for r in configuration.resources if r.address == "B"]
    assert b.span.line == 11


def test_repeated_top_level_section_keeps_the_later_one(tmp_path: Path) -> None:
    text = "Resources:\n  A:\n    Type: AWS::EC2::VPC\nResources:\n  B:\n    Type: AWS::EC2::VPC\n"
    configuration = load(tmp_path, "t.yaml", text)
    assert [r.address for r in configuration.resources] == ["B"]
    [warning] = configuration.warnings
    assert warning.line == 4 and "line 1" in warning.message


def test_keys_equal_only_when_yaml_reads_them_equal(tmp_path: Path) -> None:
    """A quoted and a plain key of the same text are the same key; the number 80 and the
    text "80" are not."""
    text = (
        "Resources:\n  A:\n    Type: AWS::EC2::VPC\n    Properties:\n"
        '      CidrBlock: 10.0.0.0/16\n      "CidrBlock": 10.1.0.0/16\n'
        "    Metadata:\n      80: a\n      '80': b\n"
    )
    configuration = load(tmp_path, "t.yaml", text)
    assert cidrs(configuration) == {"A": ("10.1.0.0/16",)}
    assert [w.line for w in configuration.warnings] == [6]


def test_repeated_key_in_an_anchored_mapping_warns_once(tmp_path: Path) -> None:
    text = (
        "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: g\n"
        "      SecurityGroupIngress:\n"
        "        - &rule {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 10.0.0.0/8, CidrIp: 0.0.0.0/0}\n"
        "        - *rule\n"
    )
    configuration = load(tmp_path, "t.yaml", text)
    [group] = [r for r in configuration.resources if isinstance(r, SecurityGroup)]
    assert [rule.cidrs for rule in group.rules] == [("0.0.0.0/0",), ("0.0.0.0/0",)]
    [warning] = configuration.warnings
    assert warning.line == 7 and "written twice on this line" in warning.message


def test_json_with_tabs_is_read_by_the_json_decoder_later_key_winning(tmp_path: Path) -> None:
    text = '{\n\t"Resources": {\n\t\t"A": {\n\t\t\t"Type": "AWS::EC2::VPC",\n\t\t\t"Properties": {\n'
    text += '\t\t\t\t"CidrBlock": "10.0.0.0/16",\n\t\t\t\t"CidrBlock": "10.1.0.0/16"\n\t\t\t}\n\t\t}\n\t}\n}\n'
    configuration = load(tmp_path, "t.json", text)
    assert configuration.errors == []
    assert cidrs(configuration) == {"A": ("10.1.0.0/16",)}
    [warning] = configuration.warnings
    assert (warning.line, "line 6" in warning.message) == (7, True)


def test_another_problem_behind_a_repeated_key_stays_an_error(tmp_path: Path) -> None:
    text = "Resources:\n  A:\n    Type: AWS::EC2::VPC\n    Type: AWS::EC2::VPC\n    Properties: {~: x}\n"
    configuration = load(tmp_path, "t.yaml", text)
    assert configuration.resources == [] and configuration.errors and configuration.warnings == []


def test_alias_bomb_with_a_repeated_key_is_refused(tmp_path: Path) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for level in range(1, 9):
        previous, name = chr(ord("a") + level - 1), chr(ord("a") + level)
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 10)}]")
    lines.append("a: again\nResources:\n  X:\n    Type: AWS::EC2::VPC\n    Properties:\n      Tags: *i")
    configuration = load(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    assert configuration.resources == []
    [error] = configuration.errors
    assert "aliases" in error.message
