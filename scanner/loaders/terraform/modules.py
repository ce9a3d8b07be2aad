"""The module index: what each module folder declares, read from its files.

``read_module_config`` parses every ``.tf`` / ``.tf.json`` file of one folder (not links
leaving the scanned folder) and indexes its variables, locals, resources, data sources,
module calls and outputs; then it merges each override file into that index, in order of
their names, by Terraform's rules (``overrides``). An override block without an original,
and ``depends_on`` in an override, are errors (Terraform's too); the rest merges. Which
folder a module call's source names is the caller's to decide: a local path, or the folder
``.terraform/modules/modules.json`` (read by ``read_modules_json``) records for a
downloaded module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from scanner.adapters.tags import PROVIDER_TYPE
from scanner.findings import LoadError
from scanner.loaders.terraform import hcl as syn
from scanner.loaders.terraform.file_names import is_terraform_file
from scanner.loaders.terraform.files import ParsedFiles, SourceFile, link_display
from scanner.loaders.terraform.overrides import is_override_file, merge_block
from scanner.options import ScanOptions

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass
class ModuleConfig:
    """The parsed files of one module folder, indexed by what they declare."""

    folder: Path
    display: str
    files: list[SourceFile] = field(default_factory=list)
    variables: dict[str, tuple[syn.Block, str]] = field(default_factory=dict)
    locals: dict[str, tuple[syn.Attribute, str]] = field(default_factory=dict)
    resources: dict[tuple[str, str], tuple[syn.Block, SourceFile]] = field(default_factory=dict)
    data: dict[tuple[str, str], tuple[syn.Block, str]] = field(default_factory=dict)
    module_calls: dict[str, tuple[syn.Block, SourceFile]] = field(default_factory=dict)
    outputs: dict[str, tuple[syn.Block, str]] = field(default_factory=dict)
    # ("resource", type, name) / ("module", name) -> the override blocks merged into it, with
    # their files (their iacscan:ignore comments apply too)
    overrides: dict[tuple[str, ...], list[tuple[syn.Block, SourceFile]]] = field(default_factory=dict)


def read_module_config(
    folder: Path, options: ScanOptions, errors: list[LoadError], notices: list[str], parsed: ParsedFiles
) -> ModuleConfig:
    config = ModuleConfig(folder, options.display_path(folder))
    try:
        paths = sorted(p for p in folder.iterdir() if is_terraform_file(p) and p.is_file())
    except OSError as exc:
        errors.append(LoadError(config.display, 0, f"cannot list folder: {exc.strerror or exc}"))
        return config
    overrides: list[SourceFile] = []
    for path in paths:
        display = options.display_path(path)
        if not options.inside_root(path):
            notices.append(f"{link_display(path, options)}: links outside the scanned folder; not read")
            continue
        source = parsed.parse(path, display, options, errors)
        if source is None:
            continue
        config.files.append(source)
        if is_override_file(path):
            overrides.append(source)
        else:
            _index(config, source, errors)
    for source in sorted(overrides, key=lambda f: f.path.name):
        _apply_override(config, source, errors)
    return config


def _index(config: ModuleConfig, source: SourceFile, errors: list[LoadError]) -> None:
    display = source.display
    for block in source.body.blocks:
        labels = block.labels
        if block.type in ("resource", "data", "module", "variable", "output") and not all(
            _NAME_RE.match(label) for label in labels
        ):
            errors.append(
                LoadError(
                    display, block.line, f"invalid {block.type} label(s) {list(labels)}: names start with a letter or _"
                )
            )
            continue
        if block.type == "resource" and len(labels) == 2:
            key = (labels[0], labels[1])
            if key in config.resources:
                errors.append(LoadError(display, block.line, f"duplicate resource {labels[0]}.{labels[1]}"))
                continue
            config.resources[key] = (block, source)
        elif block.type == "provider" and labels == ("aws",) and "alias" not in block.body.attributes:
            # evaluated like a resource, so its default_tags reach the adapters
            # (scanner.adapters.tags; the model keeps no object for it)
            config.resources.setdefault((PROVIDER_TYPE, "default"), (block, source))
        elif block.type == "data" and len(labels) == 2:
            config.data[(labels[0], labels[1])] = (block, display)
        elif block.type == "variable" and len(labels) == 1:
            config.variables[labels[0]] = (block, display)
        elif block.type == "locals":
            for attr in block.body.attributes.values():
                config.locals[attr.name] = (attr, display)
        elif block.type == "module" and len(labels) == 1:
            config.module_calls[labels[0]] = (block, source)
        elif block.type == "output" and len(labels) == 1:
            config.outputs[labels[0]] = (block, display)


def _apply_override(config: ModuleConfig, source: SourceFile, errors: list[LoadError]) -> None:
    """Merge each top-level block of one override file into the block it overrides."""
    display = source.display
    for block in source.body.blocks:
        if block.type == "locals":
            for attr in block.body.attributes.values():
                if attr.name in config.locals:
                    config.locals[attr.name] = (attr, display)
                else:
                    errors.append(
                        LoadError(display, attr.line, f"override of local.{attr.name}, declared nowhere else; ignored")
                    )
            continue
        prefix = _OVERRIDE_PREFIXES.get(block.type)
        if prefix is None or len(block.labels) != (2 if block.type in ("resource", "data") else 1):
            continue  # terraform, provider ...: nothing the scan reads
        if "depends_on" in block.body.attributes and block.type != "module":
            line = block.body.attributes["depends_on"].line
            errors.append(LoadError(display, line, "depends_on may not be set in an override file; ignored"))
            block = _without(block, "depends_on")
        index: dict[Any, tuple[syn.Block, Any]] = getattr(config, _OVERRIDE_INDEXES[block.type])
        key: Any = block.labels if block.type in ("resource", "data") else block.labels[0]
        found = index.get(key)
        if found is None:
            what = prefix + ".".join(block.labels)
            errors.append(LoadError(display, block.line, f"override of {what}, declared nowhere else; ignored"))
            continue
        index[key] = (merge_block(found[0], block, display), found[1])
        if block.type in ("resource", "module"):
            config.overrides.setdefault((block.type, *block.labels), []).append((block, source))


# the top-level blocks an override file merges into another file's: how their addresses
# begin, and the index of ModuleConfig that holds them
_OVERRIDE_PREFIXES: Mapping[str, str] = MappingProxyType(
    {"resource": "", "data": "data.", "module": "module.", "variable": "var.", "output": "output."}
)
_OVERRIDE_INDEXES: Mapping[str, str] = MappingProxyType(
    {"resource": "resources", "data": "data", "module": "module_calls", "variable": "variables", "output": "outputs"}
)


def _without(block: syn.Block, name: str) -> syn.Block:
    """``block`` without its argument ``name``."""
    items = tuple(i for i in block.body.items if not (isinstance(i, syn.Attribute) and i.name == name))
    body = syn.Body(block.body.line, block.body.end_line, items)
    return syn.Block(block.line, block.end_line, block.type, block.labels, body)


def modules_json_path(root: Path) -> Path:
    """Where ``terraform init`` records the modules it downloaded for the root module ``root``."""
    return root / ".terraform" / "modules" / "modules.json"


def read_modules_json(path: Path) -> dict[str, str]:
    """A ``modules.json``: module key (``vpc.subnets``) -> folder, relative to the root module.
    Raises OSError, ValueError or AttributeError when it cannot be read."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(m.get("Key", "")): str(m.get("Dir", "")) for m in data.get("Modules", []) if isinstance(m, dict)}
