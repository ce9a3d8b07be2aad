"""``copy_with``: ``dataclasses.replace`` for the ``@frozen`` values of the model and the
findings, without running ``__init__`` again. A large estate's analysis makes a hundred
thousand such copies (each trait with its fingerprint, each edit a fix measures), and
``replace`` re-validating every field of a twenty-field dataclass cost seconds. Safe for a
dataclass with no ``__post_init__`` and no cached properties, which those are."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, TypeVar

T = TypeVar("T")


def copy_with(obj: T, **changes: Any) -> T:
    """``obj`` with ``changes`` to its fields; the same object's other fields shared."""
    if not hasattr(obj, "__dict__"):
        return replace(obj, **changes)  # type: ignore[type-var]
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    new.__dict__.update(changes)
    return new
