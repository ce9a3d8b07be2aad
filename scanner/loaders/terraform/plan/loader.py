"""``terraform show -json`` output -> a Configuration.

A plan has resolved values already (``planned_values``), but it drops every value that is
only known after apply, and with it the edges between resources: a new instance's
``vpc_security_group_ids`` is simply missing. The rest of the plan gives them back:

* ``resource_changes[].change.after_unknown`` says which attributes are unknown: they become
  ``Unknown("... known after apply")`` when the configuration sets them (an unknown the
  configuration does not set is a provider default, so it stays "not set");
* with the ``.tf`` source (``options.plan_source``, ``--source``), the HCL loader evaluates
  it with the plan's ``variables`` and the unknowns take the evaluated values: locals,
  ``each.value``, conditionals and ``try`` as Terraform took them (``evaluated``);
* without it, ``configuration`` keeps each attribute's ``references``
  (``aws_security_group.web.id``, ``var.x`` of a module call, ``module.m.output``): they are
  followed to planned addresses, and what they cannot say (``local.*``, ``each.value``, a
  variable choosing between resources) stays Unknown, carrying what it may name
  (``references``).

Either way a value the plan knows wins over a reference (a known identity attribute equal
to the referenced resource's is that resource: ``iam_instance_profile = "web"``). A source
that is not the plan's (``source_check``) is an error, and the plan is read without it.

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
from scanner.loaders.terraform.plan.evaluated import Evaluated, evaluate_source, merge_evaluated, plan_variables
from scanner.loaders.terraform.plan.json_lines import read_json_with_lines
from scanner.loaders.terraform.plan.planned import Plan, Planned, Scope, all_scopes, config_resource, read_plan
from scanner.loaders.terraform.plan.references import Resolver, apply_expressions, for_each_refs
from scanner.loaders.terraform.plan.source_check import source_problem
from scanner.loaders.terraform.plan.source_spans import Sources, respan
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

    plan, root = read_plan(document)
    after_unknown: dict[str, Any] = {}
    for change in document.get("resource_changes") or []:
        if isinstance(change, Mapping) and isinstance(change.get("change"), Mapping):
            after_unknown[str(change.get("address"))] = change["change"].get("after_unknown")

    sources, evaluated = _source(document, plan, root, file, configuration, options)
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
        body = evaluated.body(planned.address) if evaluated is not None else None
        each = for_each_refs(config)
        if body is None:
            apply_expressions(values, expressions, planned.scope, planned, resolver, each)
        span = _plan_span(planned, text, file)
        source = sources.resource(planned.scope.source_dir, planned.type, planned.name) if sources else None
        if source is not None:
            respan(values, source, expressions)
            span = source.span
        if body is not None:
            merge_evaluated(values, body, plan)
            apply_expressions(values, expressions, planned.scope, planned, resolver, each, fill_only=True)
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


def _source(
    document: Mapping[str, Any], plan: Plan, root: Scope, file: str, configuration: Configuration, options: ScanOptions
) -> tuple[Sources | None, Evaluated | None]:
    """The plan's ``.tf`` source (``options.plan_source``), indexed and evaluated with the
    plan's variables; (None, None) without one, or when it is not this plan's (an error says why)."""
    if options.plan_source is None:
        return None, None
    sources = Sources(options)
    problem = source_problem(plan, root, sources)
    if problem is not None:
        for scope in all_scopes(root):
            scope.source_dir = None
        configuration.errors.append(
            LoadError(
                file, 0, f"--source {options.display_path(options.plan_source)}: {problem}; the plan is read without it"
            )
        )
        return None, None
    evaluated = evaluate_source(options.plan_source, options, plan_variables(document))
    for error in evaluated.errors:
        if error not in configuration.errors:
            configuration.errors.append(error)
    configuration.notices.extend(notice for notice in evaluated.notices if notice not in configuration.notices)
    configuration.files.extend(name for name in evaluated.files if name not in configuration.files)
    configuration.watched.extend(name for name in evaluated.watched if name not in configuration.watched)
    return sources, evaluated


def _plan_span(planned: Planned, text: str, file: str) -> Span:
    """The resource's object in planned_values, starting at its "address" line."""
    entry_span = planned.entry.span
    address_span = planned.entry.key_spans.get("address")
    if address_span is not None and entry_span is not None:
        return Span(file, address_span.line, entry_span.end_line)
    return entry_span or Span(file, 1, 1)
