"""Does a ``--source`` folder belong to a plan? It must be a folder, inside the scanned root,
with ``.tf`` (or ``.tf.json``) files that declare every resource the plan plans:
``resource "TYPE" "NAME"`` in the folder of the module instance it is planned in (the root
folder, a local module's folder, or a download recorded in
``.terraform/modules/modules.json``). A module whose folder cannot be found is not checked
(its resources are read from the plan alone).

``source_problem`` checks a plan already read; ``plan_source_problem`` reads the plan file
first (for the command line, which refuses a wrong ``--source`` before scanning).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from scanner.loaders.terraform.plan.json_lines import read_json_with_lines
from scanner.loaders.terraform.plan.planned import Plan, Scope, all_scopes, read_plan
from scanner.loaders.terraform.plan.source_spans import Sources, scope_dir
from scanner.options import ScanOptions


def folder_problem(folder: Path, options: ScanOptions) -> str | None:
    """Why ``folder`` cannot be a plan's source at all (None: it can)."""
    if not folder.exists():
        return "no such folder"
    if not folder.is_dir():
        return "not a folder"
    if not options.inside_root(folder):
        return f"outside the scanned folder {options.root}"
    if not any(folder.glob("*.tf")) and not any(folder.glob("*.tf.json")):
        return "it has no .tf files"
    return None


def _json_declares(directory: Path, resource_type: str, name: str) -> bool:
    """Does a ``.tf.json`` file of ``directory`` declare ``resource.TYPE.NAME``?"""
    for path in sorted(directory.glob("*.tf.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            continue
        blocks = document.get("resource") if isinstance(document, dict) else None
        for block in blocks if isinstance(blocks, list) else [blocks]:
            of_type = block.get(resource_type) if isinstance(block, dict) else None
            if isinstance(of_type, dict) and name in of_type:
                return True
    return False


def _declared(sources: Sources, directory: Path, resource_type: str, name: str) -> bool:
    return sources.resource(directory, resource_type, name) is not None or _json_declares(
        directory, resource_type, name
    )


def source_problem(plan: Plan, root: Scope, sources: Sources, plan_name: str = "this plan") -> str | None:
    """Why the source (``sources``) is not the plan's (None: it is). Sets each module
    instance's ``source_dir``."""
    folder = sources.options.plan_source
    if folder is None:
        return None
    problem = folder_problem(folder, sources.options)
    if problem is not None:
        return problem
    for scope in all_scopes(root):
        scope.source_dir = scope_dir(scope, sources)
    missing = [
        planned.address
        for planned in plan.resources
        if planned.scope.source_dir is not None
        and planned.scope.source_dir.is_dir()
        and not _declared(sources, planned.scope.source_dir, planned.type, planned.name)
    ]
    if not missing:
        return None
    what = f"{missing[0]} and {len(missing) - 1} more of its resources are" if len(missing) > 1 else f"{missing[0]} is"
    return f"not the source of {plan_name}: its {what} not declared in the folder's .tf files"


def plan_source_problem(path: Path, options: ScanOptions) -> str | None:
    """Why ``options.plan_source`` does not belong to the plan file ``path`` (None: it
    does, or the plan cannot be read, which loading it reports)."""
    if options.plan_source is None:
        return None
    problem = folder_problem(options.plan_source, options)
    if problem is not None:
        return problem
    try:
        if path.stat().st_size > options.max_file_bytes:
            return None
        document = read_json_with_lines(path.read_text(encoding="utf-8"), options.display_path(path))
    except (OSError, UnicodeDecodeError, ValueError, IndexError, RecursionError):
        return None
    if not isinstance(document, Mapping):
        return None
    plan, root = read_plan(document)
    return source_problem(plan, root, Sources(options), options.display_path(path))
