"""The module index: what each module folder declares, read from its files.

``read_module_config`` parses every ``.tf`` / ``.tf.json`` file of one folder (not override
files, not links leaving the scanned folder) and indexes its variables, locals, resources,
data sources, module calls and outputs. Which folder a module call's source names is the
caller's to decide: a local path, or the folder ``.terraform/modules/modules.json`` (read by
``read_modules_json``) records for a downloaded module.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from scanner.findings import LoadError
from scanner.loaders.terraform import hcl as syn
from scanner.loaders.terraform.file_names import is_terraform_file
from scanner.loaders.terraform.files import ParsedFiles, SourceFile, link_display
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


def read_module_config(
    folder: Path, options: ScanOptions, errors: list[LoadError], notices: list[str], parsed: ParsedFiles
) -> ModuleConfig:
    config = ModuleConfig(folder, options.display_path(folder))
    try:
        paths = sorted(p for p in folder.iterdir() if is_terraform_file(p) and p.is_file())
    except OSError as exc:
        errors.append(LoadError(config.display, 0, f"cannot list folder: {exc.strerror or exc}"))
        return config
    for path in paths:
        display = options.display_path(path)
        if not options.inside_root(path):
            notices.append(f"{link_display(path, options)}: links outside the scanned folder; not read")
            continue
        stem = path.name.removesuffix(".json").removesuffix(".tf")
        if stem == "override" or stem.endswith("_override"):
            notices.append(f"{display}: override files are not merged; not read")
            continue
        source = parsed.parse(path, display, options, errors)
        if source is None:
            continue
        config.files.append(source)
        _index(config, source, errors)
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


def modules_json_path(root: Path) -> Path:
    """Where ``terraform init`` records the modules it downloaded for the root module ``root``."""
    return root / ".terraform" / "modules" / "modules.json"


def read_modules_json(path: Path) -> dict[str, str]:
    """A ``modules.json``: module key (``vpc.subnets``) -> folder, relative to the root module.
    Raises OSError, ValueError or AttributeError when it cannot be read."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(m.get("Key", "")): str(m.get("Dir", "")) for m in data.get("Modules", []) if isinstance(m, dict)}
