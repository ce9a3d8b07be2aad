"""A Terraform root module folder -> RawResources, evaluated as far as Terraform could before apply.

Reads every ``.tf`` / ``.tf.json`` of the folder (override files merged in, ``modules``),
resolves variables with Terraform's precedence, evaluates locals, resources (expanding
``count`` / ``for_each`` / ``dynamic``), data sources (``aws_iam_policy_document`` is
computed, others stay Unknown) and module calls (local sources and downloads recorded in
``.terraform/modules/modules.json``), all lazily so evaluation order follows references, and
cycles end as Unknown plus an error.

The ``Loader`` is that run: it owns what one load shares (the module index, the parsed
files, the record of errors, notices and files, the cycle guard), walks every instance of
every module (``module_instance``) to emit one RawResource per resource instance (and per
instance of a data source that may stand for the default VPC or its subnets), and attaches
each ``iacscan:ignore`` comment to the block it is on or directly above, an override file's
block included (noting those that have no effect).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from scanner.adapters.raw import RawResource
from scanner.adapters.terraform.default_vpc import SUBNET_DATA, VPC_DATA
from scanner.coverage import UNREAD_MODULE
from scanner.findings import LoadError, Suppression
from scanner.loaders.terraform import hcl as syn
from scanner.loaders.terraform.eval import finalize
from scanner.loaders.terraform.files import ParsedFiles, SourceFile
from scanner.loaders.terraform.load_run import TerraformLoad
from scanner.loaders.terraform.module_instance import ModuleInstance, joint_existence, key_text
from scanner.loaders.terraform.modules import ModuleConfig, modules_json_path, read_module_config, read_modules_json
from scanner.options import ScanOptions
from scanner.values import Span, SpannedDict, Unknown

MAX_RESOURCES = 200_000  # per load, over all modules
# the data sources handed over with the resources: those that may stand for the default VPC
# and its subnets (scanner.adapters.terraform.default_vpc), and AWS managed prefix lists read
# by name (scanner.adapters.terraform.cloudfront); the others are only references
EMITTED_DATA_SOURCES = frozenset(
    (*(t.removeprefix("data.") for t in (VPC_DATA, *SUBNET_DATA)), "aws_ec2_managed_prefix_list")
)
_RECURSION_LIMIT = 8000


class Loader:
    """The run over one root module: its module instances share it (``LoadRun``) for what one
    load owns: the module index, the parsed files, the record of what it finds, the cycle guard."""

    def __init__(
        self, folder: Path, options: ScanOptions, parsed: ParsedFiles, variables: Mapping[str, Any] | None = None
    ) -> None:
        self.folder = folder
        self.variables = variables  # the root variables' values when given (a plan's), else read from files
        self.options = options
        self.parsed = parsed
        self.result = TerraformLoad()
        self.configs: dict[Path, ModuleConfig] = {}
        self.stack: list[tuple[str, ...]] = []  # evaluation in progress, for cycle detection
        self.reported_cycles: set[tuple[str, ...]] = set()
        self.total_resources = 0
        self.template_depth = 0
        self._modules_json: dict[str, str] | None = None
        self._modules_json_read = False

    # --- shared services ---
    def error(self, error: LoadError) -> None:
        if error not in self.result.errors:
            self.result.errors.append(error)

    def notice(self, text: str) -> None:
        if text not in self.result.notices:
            self.result.notices.append(text)

    def note_file(self, display: str) -> None:
        if display not in self.result.files:
            self.result.files.append(display)

    def note_looked_for(self, display: str) -> None:
        if display not in self.result.watched:
            self.result.watched.append(display)

    def read_file(self, path: Path, display: str) -> SourceFile | None:
        return self.parsed.parse(path, display, self.options, self.result.errors)

    def config(self, folder: Path) -> ModuleConfig:
        key = folder.resolve()
        if key not in self.configs:
            self.configs[key] = read_module_config(
                folder, self.options, self.result.errors, self.result.notices, self.parsed
            )
            for source in self.configs[key].files:
                self.note_file(source.display)
        return self.configs[key]

    def guarded(self, key: tuple[str, ...], where: tuple[str, int], compute: Callable[[], Any], label: str) -> Any:
        """Run ``compute`` unless ``key`` is already being computed (a reference cycle)."""
        if key in self.stack:
            cycle = [*self.stack[self.stack.index(key) :], key]
            names = " -> ".join(k[-1] for k in cycle)
            frozen = tuple(sorted(k[-1] for k in cycle))
            if frozen not in self.reported_cycles:
                self.reported_cycles.add(frozen)
                self.error(LoadError(where[0], where[1], f"reference cycle: {names}"))
            return Unknown(f"{label} is part of a reference cycle ({names})")
        if len(self.stack) > 400:
            return Unknown(f"{label}: references nested too deeply")
        self.stack.append(key)
        try:
            return compute()
        except RecursionError:
            return Unknown(f"{label}: references nested too deeply")
        finally:
            self.stack.pop()

    def modules_json(self) -> dict[str, str] | None:
        """``.terraform/modules/modules.json`` of the root: module key -> folder; None when absent."""
        if not self._modules_json_read:
            self._modules_json_read = True
            path = modules_json_path(self.folder)
            entries: dict[str, str] | None = None
            if path.is_file():
                self.note_file(self.options.display_path(path))  # which module versions were downloaded
                try:
                    entries = read_modules_json(path)
                except (OSError, ValueError, AttributeError) as exc:
                    self.error(LoadError(self.options.display_path(path), 0, f"cannot read modules.json: {exc}"))
            self._modules_json = entries
        return self._modules_json

    # --- the run ---
    def run(self) -> TerraformLoad:
        config = self.config(self.folder)
        root = ModuleInstance(self, config, prefix="", call_path=(), inputs=None, chain=(self.folder.resolve(),))
        root.inputs_from_root(self.variables)
        self.collect(root)
        self.note_orphan_ignores()
        return self.result

    def note_orphan_ignores(self) -> None:
        used = {(s.span.file, s.span.line) for s in self.result.suppressions}
        for config in self.configs.values():
            for source in config.files:
                for ignore in source.ignores:
                    if (source.display, ignore.line) not in used:
                        self.notice(
                            f"{source.display}:{ignore.line}: iacscan:ignore is not on or directly above a "
                            f"resource or module block; it has no effect"
                        )

    def collect(self, instance: ModuleInstance) -> None:
        for (rtype, rname), (block, source) in instance.config.resources.items():
            self.emit_resources(instance, rtype, rname, block, source)
        for (dtype, dname), (block, display) in instance.config.data.items():
            if dtype in EMITTED_DATA_SOURCES:
                self.emit_data_sources(instance, dtype, dname, block, display)
        for name, (block, source) in instance.config.module_calls.items():
            base = f"{instance.prefix}module.{name}"
            self.add_suppressions(source, block, base)
            for override, override_source in instance.config.overrides.get(("module", name), ()):
                self.add_suppressions(override_source, override, base)
            for child in instance.module_instances(name):
                self.collect(child)
            if name in instance.module_unloaded:
                # what the module creates is not read: listed, so that no finding is not "safe"
                span = Span(source.display, block.line, block.end_line)
                self.result.resources.append(
                    RawResource(address=base, type=UNREAD_MODULE, body=SpannedDict(span=span), span=span)
                )

    def emit_resources(
        self, instance: ModuleInstance, rtype: str, rname: str, block: syn.Block, source: SourceFile
    ) -> None:
        base = f"{instance.prefix}{rtype}.{rname}"
        self.add_suppressions(source, block, base)
        for override, override_source in instance.config.overrides.get(("resource", rtype, rname), ()):
            self.add_suppressions(override_source, override, base)
        expansion = instance.resource_expansion(rtype, rname)
        existence = joint_existence(instance.inherited_existence, expansion.existence)
        for key, _env in expansion.instances:
            if self.total_resources >= MAX_RESOURCES:
                self.error(
                    LoadError(
                        source.display,
                        block.line,
                        f"more than {MAX_RESOURCES} resource instances; the rest are not loaded",
                    )
                )
                return
            self.total_resources += 1
            address = base if key is None else base + key_text(key)
            assumptions: list[str] = list(instance.inherited_assumptions)
            if expansion.assumption:
                assumptions.append(expansion.assumption)
            config = instance.resource_config(rtype, rname, key)
            assumptions.extend(instance.assumptions.get(address, ()))
            counter = [0]
            body = (
                finalize(config, counter)
                if isinstance(config, dict)
                else SpannedDict(span=Span(source.display, block.line, block.end_line))
            )
            self.result.unknown_values += counter[0]
            self.result.resources.append(
                RawResource(
                    address=address,
                    type=rtype,
                    body=body,
                    span=Span(source.display, block.line, block.end_line),
                    assumptions=tuple(assumptions),
                    existence=existence,
                    shown_span=instance.shown,
                )
            )

    def emit_data_sources(
        self, instance: ModuleInstance, dtype: str, dname: str, block: syn.Block, display: str
    ) -> None:
        """One RawResource (type ``data.<type>``) per instance of a data source the model can
        stand for; the values it holds are lookups, not settings, so its unknowns are not counted."""
        expansion = instance.data_expansion(dtype, dname)
        if expansion is None:
            return
        base = f"{instance.prefix}data.{dtype}.{dname}"
        span = Span(display, block.line, block.end_line)
        existence = joint_existence(instance.inherited_existence, expansion.existence)
        for key, _env in expansion.instances:
            config = instance.data_config(dtype, dname, key)
            assumptions = list(instance.inherited_assumptions)
            if expansion.assumption:
                assumptions.append(expansion.assumption)
            body = finalize(config) if isinstance(config, dict) else SpannedDict(span=span)
            address = base if key is None else base + key_text(key)
            self.result.resources.append(
                RawResource(address, f"data.{dtype}", body, span, tuple(assumptions), existence, instance.shown)
            )

    def add_suppressions(self, source: SourceFile, block: syn.Block, address: str) -> None:
        for ignore in source.ignores:
            if block.line <= ignore.line <= block.end_line or _directly_above(ignore.line, block.line, source):
                suppression = Suppression(
                    ignore.rule_ids, address, ignore.reason, Span(source.display, ignore.line, ignore.line)
                )
                if suppression not in self.result.suppressions:
                    self.result.suppressions.append(suppression)


def _directly_above(comment_line: int, block_line: int, source: SourceFile) -> bool:
    if comment_line >= block_line:
        return False
    return all(line in source.comment_lines for line in range(comment_line, block_line))


def load_terraform_module(
    folder: Path, options: ScanOptions, parsed: ParsedFiles | None = None, variables: Mapping[str, Any] | None = None
) -> TerraformLoad:
    """Load one root module folder. Never raises for bad input: errors and notices say what was
    skipped. ``parsed``: the files parsed so far in this scan (None: a memo of this load's own).
    ``variables``: the root variables' values (a plan's ``variables``), used instead of
    ``.tfvars`` files and ``--var``; a variable they do not name takes its default."""
    loader = Loader(folder, options, parsed if parsed is not None else ParsedFiles(), variables)
    # references are followed recursively (local -> local -> module output ...): allow real
    # configurations their depth; hostile ones still end in RecursionError, caught per value
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, _RECURSION_LIMIT))
    try:
        return loader.run()
    except RecursionError:
        loader.error(LoadError(options.display_path(folder), 0, "configuration nested too deeply to evaluate"))
        return loader.result
    finally:
        sys.setrecursionlimit(previous)
