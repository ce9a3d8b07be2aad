"""A CDK cloud assembly (``cdk.out``) -> one Configuration for the whole app.

``manifest.json`` lists the app's artifacts; each ``aws:cloudformation:stack`` names its
synthesized template, and nested assemblies (``cdk:cloud-assembly``, CDK Stages) are
followed. All stacks load into ONE configuration (kind ``cdk``): CDK wires stacks together
with ``Fn::ImportValue`` of exports it generates, and inside one configuration those
imports stay resource references, so the graph sees an instance in another stack's subnet.

Addresses are construct paths from the ``aws:cdk:path`` metadata, without the trailing
``/Resource`` (``MyStack/WebServer/Resource`` -> ``MyStack/WebServer``); resources without
it keep their logical id. The logical ids stay findable: a notice of the configuration maps
each construct path to its logical id, and every span points at the logical id's line in the
synthesized template. CDK nested stacks are read from their ``aws:asset:path`` template.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scanner.findings import Configuration, LoadError
from scanner.loaders.cloudformation.configuration import load_configuration, to_configuration
from scanner.loaders.cloudformation.decode import Template, TemplateCache
from scanner.loaders.cloudformation.imports import ambiguous_export_notices
from scanner.loaders.cloudformation.stack import Exports
from scanner.loaders.formats import LoadJob
from scanner.options import ScanOptions

MAX_ASSEMBLY_NESTING = 5


def detect(folder: Path) -> bool:
    """Whether ``folder`` is a CDK cloud assembly: a ``cdk.out`` folder with a ``manifest.json``."""
    return folder.name == "cdk.out" and (folder / "manifest.json").is_file()


def load(job: LoadJob, options: ScanOptions) -> list[Configuration]:
    """The one Configuration of the job's ``cdk.out`` folder."""
    return load_cdk_out(job.paths[0], options)


def load_cdk_out(folder: Path, options: ScanOptions) -> list[Configuration]:
    name = options.display_path(folder)
    cache = TemplateCache(options)
    errors: list[LoadError] = []
    manifests: list[str] = []
    templates = _stack_templates(folder, options, cache, errors, manifests, depth=0)
    state = load_configuration(name, "cdk", templates, options, cache, {}, cdk=True)
    exports: Exports = {export_name: list(found) for export_name, found in state.exports_out.items()}
    if state.imports_used & exports.keys():
        state = load_configuration(name, "cdk", templates, options, cache, exports, cdk=True)
    state.notices.extend(ambiguous_export_notices(state, exports))
    configuration = to_configuration(state)
    configuration.files = [*manifests, *configuration.files]
    configuration.errors = [*errors, *configuration.errors]
    mapped = {resource.address.split(".")[0] for resource in configuration.resources}
    shown = [f"{path} = {logical_id}" for path, logical_id in state.cdk_logical_ids.items() if path in mapped]
    if shown:
        configuration.notices.append(f"{name}: CDK construct paths and their logical ids: {'; '.join(shown)}")
    return [configuration]


def _stack_templates(
    folder: Path, options: ScanOptions, cache: TemplateCache, errors: list[LoadError], manifests: list[str], depth: int
) -> list[Template]:
    manifest_path = folder / "manifest.json"
    display = options.display_path(manifest_path)
    manifest = _read_manifest(manifest_path, options, errors)
    if manifest is None:
        return []
    manifests.append(display)
    artifacts = manifest.get("artifacts")
    if not isinstance(artifacts, dict):
        errors.append(LoadError(display, 0, "manifest.json has no artifacts"))
        return []
    templates: list[Template] = []
    for artifact_id, artifact in artifacts.items():
        if not isinstance(artifact, dict):
            continue
        properties = artifact.get("properties") if isinstance(artifact.get("properties"), dict) else {}
        assert isinstance(properties, dict)
        kind = artifact.get("type")
        if kind == "aws:cloudformation:stack":
            template_file = properties.get("templateFile")
            if not isinstance(template_file, str):
                errors.append(LoadError(display, 0, f"stack {artifact_id} names no templateFile"))
                continue
            path = folder / template_file
            if not options.inside_root(path):
                message = f"stack {artifact_id}: {template_file} is outside the scanned root"
                errors.append(LoadError(display, 0, message))
                continue
            templates.append(cache(path))
        elif kind == "cdk:cloud-assembly" and isinstance(properties.get("directoryName"), str):
            inner = folder / str(properties["directoryName"])
            if depth >= MAX_ASSEMBLY_NESTING or not options.inside_root(inner):
                errors.append(LoadError(display, 0, f"nested assembly {artifact_id} is too deep or outside the root"))
                continue
            templates.extend(_stack_templates(inner, options, cache, errors, manifests, depth + 1))
    return templates


def _read_manifest(path: Path, options: ScanOptions, errors: list[LoadError]) -> dict[str, Any] | None:
    display = options.display_path(path)
    try:
        if path.stat().st_size > options.max_file_bytes:
            errors.append(LoadError(display, 0, f"file is over the {options.max_file_bytes}-byte limit"))
            return None
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        errors.append(LoadError(display, 0, "cdk.out has no manifest.json"))
        return None
    except OSError as error:
        errors.append(LoadError(display, 0, f"cannot read file: {error.strerror}"))
        return None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        line = getattr(error, "lineno", 0)
        errors.append(LoadError(display, line, f"manifest.json is not valid JSON: {error}"))
        return None
    if not isinstance(manifest, dict):
        errors.append(LoadError(display, 1, "manifest.json is not a JSON object"))
        return None
    return manifest


__all__ = ["detect", "load", "load_cdk_out"]
