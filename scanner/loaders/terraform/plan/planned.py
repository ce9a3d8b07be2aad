"""What a plan plans: its module instances (``Scope``, with the configuration of each) and its
managed resources (``Planned``), read from ``planned_values``, and the resources of
``prior_state`` (``Plan.prior``), whose values a reference may name."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.values import SpannedDict

INDEX = r'\[(?:"(?:[^"\\]|\\.)*"|\d+|\*)\]'  # an instance key in an address: ["a"], [0], [*]
_RESOURCE_REF = re.compile(rf"^([A-Za-z][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)({INDEX})?(?:\.([A-Za-z0-9_-]+))?")
_MODULE_REF = re.compile(rf"^module\.([A-Za-z_][A-Za-z0-9_-]*)({INDEX})?(?:\.([A-Za-z0-9_-]+))?")
_MODULE_SEGMENT = re.compile(rf"module\.([A-Za-z_][A-Za-z0-9_-]*)({INDEX})?")


def index_value(text: str | None) -> Any:
    if not text or text == "[*]":
        return None
    try:
        return json.loads(text[1:-1])
    except ValueError:
        return None


@dataclass
class Scope:
    """One module instance of the plan (the root module is address "")."""

    address: str
    config: Mapping[str, Any]
    parent: Scope | None = None
    call_name: str = ""
    call_index: Any = None
    source_dir: Path | None = None
    children: list[Scope] = field(default_factory=list)


@dataclass
class Planned:
    address: str
    type: str
    name: str
    index: Any
    scope: Scope
    values: SpannedDict
    entry: SpannedDict  # the planned_values object, for its span


@dataclass
class Plan:
    resources: list[Planned] = field(default_factory=list)
    by_scope: dict[tuple[str, str, str], list[Planned]] = field(default_factory=dict)
    prior: dict[str, Mapping[str, Any]] = field(default_factory=dict)

    def add(self, planned: Planned) -> None:
        self.resources.append(planned)
        self.by_scope.setdefault((planned.scope.address, planned.type, planned.name), []).append(planned)

    def value_of(self, address: str, attribute: str) -> Any:
        for planned in self.resources:
            if planned.address == address and attribute in planned.values:
                return planned.values[attribute]
        prior = self.prior.get(address)
        return prior.get(attribute) if prior is not None else None


def config_resource(scope: Scope, resource_type: str, name: str) -> Mapping[str, Any] | None:
    for resource in scope.config.get("resources") or []:
        if (
            isinstance(resource, Mapping)
            and resource.get("type") == resource_type
            and resource.get("name") == name
            and resource.get("mode", "managed") == "managed"
        ):
            return resource
    return None


def module_call(scope: Scope, name: str) -> Mapping[str, Any]:
    calls = scope.config.get("module_calls") or {}
    call = calls.get(name) if isinstance(calls, Mapping) else None
    return call if isinstance(call, Mapping) else {}


def walk_planned(module: Any, scope: Scope, plan: Plan) -> None:
    if not isinstance(module, Mapping):
        return
    for entry in module.get("resources") or []:
        if not isinstance(entry, SpannedDict) or entry.get("mode", "managed") != "managed":
            continue
        address, resource_type, name = entry.get("address"), entry.get("type"), entry.get("name")
        if not (isinstance(address, str) and isinstance(resource_type, str) and isinstance(name, str)):
            continue
        values = entry.get("values")
        plan.add(
            Planned(
                address,
                resource_type,
                name,
                entry.get("index"),
                scope,
                values if isinstance(values, SpannedDict) else SpannedDict(span=entry.span),
                entry,
            )
        )
    for child in module.get("child_modules") or []:
        if not isinstance(child, Mapping) or not isinstance(child.get("address"), str):
            continue
        child_address = child["address"]
        segments = _MODULE_SEGMENT.findall(child_address)
        if not segments:
            continue
        call_name, index_text = segments[-1]
        call = module_call(scope, call_name)
        module_config = call.get("module")
        child_config: Mapping[str, Any] = module_config if isinstance(module_config, Mapping) else {}
        child_scope = Scope(child_address, child_config, scope, call_name, index_value(index_text or None))
        scope.children.append(child_scope)
        walk_planned(child, child_scope, plan)


def walk_prior(module: Any, plan: Plan) -> None:
    if not isinstance(module, Mapping):
        return
    for entry in module.get("resources") or []:
        if (
            isinstance(entry, Mapping)
            and isinstance(entry.get("address"), str)
            and isinstance(entry.get("values"), Mapping)
        ):
            plan.prior[entry["address"]] = entry["values"]
    for child in module.get("child_modules") or []:
        walk_prior(child, plan)


def all_scopes(scope: Scope) -> Iterator[Scope]:
    yield scope
    for child in scope.children:
        yield from all_scopes(child)


def read_plan(document: Mapping[str, Any]) -> tuple[Plan, Scope]:
    """A plan document (read with lines) -> what it plans, and its root module instance."""
    config_section = document.get("configuration")
    config_root = config_section.get("root_module") if isinstance(config_section, Mapping) else None
    root = Scope("", config_root if isinstance(config_root, Mapping) else {})
    plan = Plan()
    planned_values = document.get("planned_values")
    walk_planned(planned_values.get("root_module") if isinstance(planned_values, Mapping) else None, root, plan)
    prior_state = document.get("prior_state")
    if isinstance(prior_state, Mapping) and isinstance(prior_state.get("values"), Mapping):
        walk_prior(prior_state["values"].get("root_module"), plan)
    return plan, root
