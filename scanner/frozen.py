"""``frozen``: the decorator of the scanner's values (the model, the findings, paths,
edits), a dataclass whose fields nothing assigns after it is built.

Frozen for the type checker, not at run time: mypy (strict, in CI) rejects any assignment
to a field, as it does for ``dataclass(frozen=True)``, and the class gets the same
``__eq__`` and ``__hash__`` (from its fields; with ``eq=False``, identity). What it does
not get is the run-time guard, which is costly where the scanner spends its time: a frozen
dataclass sets every field of every new object through ``object.__setattr__`` (four times
as long as a plain one to build an eight-field object on CPython 3.11), and defining the
class compiles two more methods (``__setattr__``, ``__delattr__``): a third of the time
defining the classes takes (and defining them was most of what a scan's start-up had grown
by since 1a937e0).
A scan builds hundreds of thousands of these objects and defines some two hundred of the
classes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, overload

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:
    from typing_extensions import dataclass_transform

T = TypeVar("T")


@overload
def frozen(cls: type[T], /) -> type[T]: ...


@overload
def frozen(*, eq: bool = True, order: bool = False, kw_only: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True)
def frozen(
    cls: type[T] | None = None, /, *, eq: bool = True, order: bool = False, kw_only: bool = False
) -> type[T] | Callable[[type[T]], type[T]]:
    """``dataclass(frozen=True, eq=eq, order=order, kw_only=kw_only)`` to mypy; at run time
    the same class without the guard against assignment."""

    def wrap(c: type[T]) -> type[T]:
        return dataclass(eq=eq, order=order, kw_only=kw_only, unsafe_hash=eq)(c)

    return wrap if cls is None else wrap(cls)
