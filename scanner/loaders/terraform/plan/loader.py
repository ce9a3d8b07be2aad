"""``terraform show -json`` output -> a Configuration.

A plan has resolved values already (``planned_values``), but it drops every value that is
only known after apply, and with it the edges between resources: a new instance's
``vpc_security_group_ids`` is simply missing. Two more parts of the plan give them back:

* ``resource_changes[].change.after_unknown`` says which attributes are unknown: they become
  ``Unknown("... known after apply")`` when the configuration sets them (an unknown the
  configuration does not set is a provider default, so it stays "not set");
* ``configuration`` keeps each attribute's ``references`` (``aws_security_group.web.id``,
  ``var.x`` of a module call, ``module.m.output``): they are resolved to planned addresses and
  put back as ``ResourceRef``s, both where the value is unknown and where a known value is
  exactly the referenced resource's attribute (``iam_instance_profile = "web"``).

Spans point into the ``.tf`` files when ``options.plan_source`` names them, else into the
plan JSON itself (every key of a pretty-printed plan has its own line; a one-line plan, as
terraform writes it, points at line 1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scanner.adapters.raw import RawResource
from scanner.adapters.terraform import map_resources
from scanner.findings import Configuration, LoadError
from scanner.loaders.terraform.plan.json_lines import read_json_with_lines
from scanner.loaders.terraform.plan.planned import (
    Plan,
    Planned,
    Scope,
    all_scopes,
    config_resource,
    walk_planned,
    walk_prior,
)
from scanner.loaders.terraform.plan.references import Resolver, apply_expressions
from scanner.loaders.terraform.plan.source_spans import Sources, respan, scope_dir
from scanner.loaders.terraform.plan.unknowns import count_unknowns, merge_unknowns
from scanner.options import ScanOptions
from scanner.values import Span, SpannedDict


def load_plan(path: Path, options: ScanOptions) -> Configuration:
    """A ``terraform show -json`` file -> its resources as model objects."""
    file = options.display_path(path)
    configuration = Configuration(name=file, kind="terraform-plan", files=[file])
    try:
        if path.stat().st_size > options.max_file_bytes:
            configuration.errors.append(LoadError(file, 0, f"larger than {options.max_file_bytes} bytes: skipped"))
            return configuration
        text = path.read_text(encoding="utf-8")
        document = read_json_with_lines(text, file)
    except (OSError, UnicodeDecodeError) as error:
        configuration.errors.append(LoadError(file, 0, f"cannot read the plan: {error}"))
        return configuration
    except (ValueError, IndexError, RecursionError) as error:
        line_match = re.search(r"line (\d+)", str(error))
        configuration.errors.append(
            LoadError(file, int(line_match.group(1)) if line_match else 0, f"not valid JSON: {error}")
        )
        return configuration
    if not isinstance(document, Mapping):
        configuration.errors.append(LoadError(file, 1, "not a terraform plan: the JSON is not an object"))
        return configuration

    config_section = document.get("configuration")
    config_root = config_section.get("root_module") if isinstance(config_section, Mapping) else None
    config_root = config_root if isinstance(config_root, Mapping) else {}
    plan = Plan()
    root = Scope("", config_root)
    planned_values = document.get("planned_values")
    walk_planned(planned_values.get("root_module") if isinstance(planned_values, Mapping) else None, root, plan)
    prior_state = document.get("prior_state")
    if isinstance(prior_state, Mapping) and isinstance(prior_state.get("values"), Mapping):
        walk_prior(prior_state["values"].get("root_module"), plan)

    after_unknown: dict[str, Any] = {}
    for change in document.get("resource_changes") or []:
        if isinstance(change, Mapping) and isinstance(change.get("change"), Mapping):
            after_unknown[str(change.get("address"))] = change["change"].get("after_unknown")

    sources = Sources(options) if options.plan_source is not None and options.plan_source.is_dir() else None
    if sources is not None:
        for scope in all_scopes(root):
            scope.source_dir = scope_dir(scope, sources)

    resolver = Resolver(plan)
    raws: list[RawResource] = []
    for planned in plan.resources:
        config = config_resource(planned.scope, planned.type, planned.name)
        expressions = config.get("expressions") if isinstance(config, Mapping) else None
        expressions = expressions if isinstance(expressions, Mapping) else {}
        values = planned.values
        marks = after_unknown.get(planned.address)
        if isinstance(marks, Mapping):
            # without the configuration every unknown may matter: keep them all
            merged = merge_unknowns(values, marks, expressions if config else None, config is None, planned.address, "")
            values = merged if isinstance(merged, SpannedDict) else values
        apply_expressions(values, expressions, planned.scope, planned, resolver)
        span = _plan_span(planned, text, file)
        source = sources.resource(planned.scope.source_dir, planned.type, planned.name) if sources else None
        if source is not None:
            respan(values, source, expressions)
            span = source.span
        values.span = span
        configuration.unknown_values += count_unknowns(values)
        raws.append(RawResource(planned.address, planned.type, values, span))

    resources, errors = map_resources(raws)
    configuration.resources.extend(resources)
    configuration.errors.extend(errors)
    if sources is not None:
        configuration.files.extend(file for file in sources.files if file not in configuration.files)
    if not plan.resources and not document.get("resource_changes"):
        configuration.notices.append(f"{file}: the plan has no resources")
    return configuration


def _plan_span(planned: Planned, text: str, file: str) -> Span:
    """The resource's object in planned_values, starting at its "address" line."""
    entry_span = planned.entry.span
    address_span = planned.entry.key_spans.get("address")
    if address_span is not None and entry_span is not None:
        return Span(file, address_span.line, entry_span.end_line)
    return entry_span or Span(file, 1, 1)
