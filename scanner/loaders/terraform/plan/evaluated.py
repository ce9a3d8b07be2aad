"""The plan's ``.tf`` source, evaluated: what the references of a plan cannot say.

A ``terraform show -json`` plan has no locals, no ``each.value`` per instance and no
expressions, only their references. With the source folder (``--source``), the HCL loader
evaluates it (``evaluate_source``) the way it evaluates any root module, except that the
root variables take the plan's ``variables`` (the values Terraform planned with), so locals,
``for_each`` / ``each``, conditionals and ``try`` come out as they did for Terraform.

``merge_evaluated`` then puts that evaluation into the planned values, the plan winning
wherever it knows the value:

* a value the plan knows stays, except that a known ``id`` / ``arn`` / ``name`` /
  ``unique_id`` the source reads from a resource, and that equals that resource's planned
  value, becomes the reference (``iam_instance_profile = "web"``: the edge);
* a value only known after apply takes the evaluated one: a ``ResourceRef``, an ``Unknown``
  with the resources it may name, or None where the expression is null (a null variable:
  the provider's default applies, "not set"); where the evaluation names nothing either (a
  module whose source is not downloaded), the plan's Unknown stays for its references
  (``references.apply_expressions(fill_only=True)``);
* nested blocks are matched by their known values (terraform reorders set blocks), then
  merged the same way; a value the source does not write is left as planned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.findings import LoadError
from scanner.loaders.terraform.plan.planned import Plan
from scanner.options import ScanOptions
from scanner.values import ResourceRef, SpannedDict, Unknown

_LAST_INDEX = re.compile(r"\[[^\[\]]*\]$")


@dataclass
class Evaluated:
    """The source's resource instances (address -> evaluated arguments) and what the
    evaluation read and found."""

    bodies: dict[str, SpannedDict] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    watched: list[str] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def body(self, address: str) -> SpannedDict | None:
        """The evaluated arguments of a planned instance; for an instance of a block whose
        ``count`` / ``for_each`` the source cannot expand, the one instance that stands for all."""
        found = self.bodies.get(address)
        if found is None and _LAST_INDEX.search(address):
            found = self.bodies.get(_LAST_INDEX.sub("", address))
        return found


def plan_variables(document: Mapping[str, Any]) -> dict[str, Any]:
    """The plan's root variable values (``variables.NAME.value``); one without a value
    (the plan does not record it) is Unknown."""
    section = document.get("variables")
    values: dict[str, Any] = {}
    if isinstance(section, Mapping):
        for name, entry in section.items():
            if isinstance(entry, Mapping) and "value" in entry:
                values[name] = _plain(entry["value"])
            else:
                values[name] = Unknown(f"variable {name}: the plan does not record its value")
    return values


def _plain(value: Any) -> Any:
    """JSON read with lines -> plain values: lines in the plan file mean nothing in the source."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def evaluate_source(folder: Path, options: ScanOptions, variables: Mapping[str, Any]) -> Evaluated:
    """Evaluate the root module ``folder`` with the HCL loader, its root variables set to
    ``variables`` (a plan's)."""
    from scanner.loaders.terraform.root_module import load_terraform_module

    loaded = load_terraform_module(folder, options, variables=variables)
    return Evaluated(
        {raw.address: raw.body for raw in loaded.resources},
        list(loaded.files),
        list(loaded.watched),
        list(loaded.errors),
        list(loaded.notices),
    )


def _is_plain(value: Any) -> bool:
    if isinstance(value, list):
        return all(_is_plain(item) for item in value)
    return value is None or isinstance(value, (str, int, float, bool))


def _normal(value: Any) -> Any:
    """A known value as Terraform compares it across types (22 == "22", a set in any order)."""
    if isinstance(value, list):
        return tuple(sorted(str(_normal(item)) for item in value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _agrees(planned: Any, evaluated: Any) -> bool:
    """Could this planned block be this source block? Every value both know is equal."""
    if not (isinstance(planned, Mapping) and isinstance(evaluated, Mapping)):
        return False
    for key, value in evaluated.items():
        if key not in planned or not _is_plain(value) or not _is_plain(planned[key]):
            continue
        if value is None or value == [] or planned[key] is None or planned[key] == []:
            continue  # unset on one side: the provider's default may fill the other
        if _normal(value) != _normal(planned[key]):
            return False
    return True


def _match_blocks(planned: list[Any], evaluated: list[Any]) -> list[int | None]:
    """For each planned block, the evaluated block it came from (None: none agrees)."""
    used: set[int] = set()
    order: list[int | None] = []
    for item in planned:
        match = next(
            (index for index, block in enumerate(evaluated) if index not in used and _agrees(item, block)), None
        )
        if match is not None:
            used.add(match)
        order.append(match)
    return order


def _is_blocks(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, Mapping) for item in value)


class _Merger:
    def __init__(self, plan: Plan, identity_attributes: frozenset[str]) -> None:
        self.plan = plan
        self.identity_attributes = identity_attributes

    def known(self, planned: Any, evaluated: Any) -> Any:
        """A value the plan knows, against the evaluated one (see the module docstring)."""
        if isinstance(planned, str) and isinstance(evaluated, ResourceRef):
            if (
                evaluated.attribute in self.identity_attributes
                and self.plan.value_of(evaluated.address, evaluated.attribute) == planned
            ):
                return evaluated
            return planned
        if isinstance(planned, list) and isinstance(evaluated, list):
            if _is_blocks(planned) and _is_blocks(evaluated):
                for item, match in zip(planned, _match_blocks(planned, evaluated), strict=True):
                    if match is not None and isinstance(item, SpannedDict):
                        self.merge(item, evaluated[match])
                return planned
            if len(planned) == len(evaluated):
                for position, item in enumerate(planned):
                    planned[position] = self.value(item, evaluated[position])
            return planned
        if isinstance(planned, SpannedDict) and isinstance(evaluated, Mapping):
            self.merge(planned, evaluated)
        return planned

    def value(self, planned: Any, evaluated: Any) -> Any:
        if isinstance(planned, Unknown):
            return evaluated
        return self.known(planned, evaluated)

    def merge(self, values: SpannedDict, evaluated: Mapping[str, Any]) -> None:
        for key, written in evaluated.items():
            if key not in values:
                continue  # not an argument of the planned object
            if isinstance(values[key], Unknown):
                if isinstance(written, Unknown) and not written.refs:
                    continue  # the source knows no more (a module not downloaded): the plan's references may
                values[key] = written
                key_span = getattr(evaluated, "key_spans", {}).get(key)
                if key_span is not None:
                    values.key_spans[key] = key_span
            else:
                values[key] = self.known(values[key], written)


def merge_evaluated(values: SpannedDict, evaluated: SpannedDict, plan: Plan) -> None:
    """Put one resource instance's evaluated arguments into its planned values (see the
    module docstring)."""
    from scanner.loaders.terraform.eval.objects import IDENTITY_ATTRIBUTES  # the HCL evaluator's

    _Merger(plan, IDENTITY_ATTRIBUTES).merge(values, evaluated)
