"""``scanner.frozen``: what the decorator promises at run time (equality and hashing as a
frozen dataclass has them) and to the type checker (no field can be assigned)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from scanner.frozen import frozen


@frozen
class _Port:
    number: int
    protocol: str = "tcp"


@frozen(kw_only=True, eq=False)
class _Resource:
    address: str


@frozen(order=True)
class _Line:
    number: int


def test_values_are_equal_and_hashed_by_their_fields_like_a_frozen_dataclass() -> None:
    assert _Port(22) == _Port(22, "tcp")
    assert hash(_Port(22)) == hash(_Port(22, "tcp"))
    assert len({_Port(22), _Port(22), _Port(22, "udp")}) == 2
    assert dataclasses.replace(_Port(22), protocol="udp") == _Port(22, "udp")


def test_eq_false_keeps_identity_and_kw_only_is_required() -> None:
    first, second = _Resource(address="aws_instance.web"), _Resource(address="aws_instance.web")
    assert first != second and first == first
    assert len({first, second}) == 2
    with pytest.raises(TypeError):
        _Resource("aws_instance.web")  # type: ignore[misc]


def test_order_compares_by_fields() -> None:
    assert sorted([_Line(9), _Line(2)]) == [_Line(2), _Line(9)]


def test_mypy_rejects_assigning_a_field(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    source = tmp_path / "assigns.py"
    source.write_text(
        "from scanner.frozen import frozen\n\n\n"
        "@frozen\nclass Port:\n    number: int\n\n\n"
        "@frozen(kw_only=True, eq=False)\nclass Resource:\n    address: str\n\n\n"
        "Port(22).number = 23\n"
        "Resource(address='a').address = 'b'\n"
    )
    out, _, status = api.run([str(source), "--no-incremental", "--follow-imports=silent", "--strict"])
    assert status == 1, out
    assert 'assigns.py:14: error: Property "number" defined in "Port" is read-only' in out
    assert 'assigns.py:15: error: Property "address" defined in "Resource" is read-only' in out
