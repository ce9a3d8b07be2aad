"""A Terraform root module folder -> RawResources, evaluated as far as Terraform could before apply.

Reads every ``.tf`` / ``.tf.json`` of the folder, resolves variables with Terraform's
precedence, evaluates locals, resources (expanding ``count`` / ``for_each`` / ``dynamic``),
data sources (``aws_iam_policy_document`` is computed, others stay Unknown) and module calls
(local sources and downloads recorded in ``.terraform/modules/modules.json``), all lazily so
evaluation order follows references, and cycles end as Unknown plus an error.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from scanner.adapters.raw import RawResource
from scanner.cache import ParseCache
from scanner.findings import LoadError, Suppression
from scanner.loaders.terraform import hcl as syn
from scanner.loaders.terraform.eval import (
    DataObject,
    EvalError,
    Evaluator,
    ModuleObject,
    ResourceObject,
    UnloadedModule,
    finalize,
)
from scanner.loaders.terraform.eval.functions import (
    FunctionContext,
    FunctionError,
    encode_json,
    is_pending,
    to_bool,
    to_number,
    to_str,
    unknown_from,
)
from scanner.options import ScanOptions
from scanner.values import EncodedJson, Span, SpannedDict, SpannedList, Unknown

MAX_INSTANCES = 10_000  # per resource / module block: a hostile count must not exhaust memory
MAX_RESOURCES = 200_000  # per load, over all modules
MAX_MODULE_DEPTH = 32
_RECURSION_LIMIT = 8000
META_ARGUMENTS = frozenset({"count", "for_each", "depends_on", "provider", "providers", "lifecycle"})
META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection"})


@dataclass
class TerraformLoad:
    resources: list[RawResource] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    unknown_values: int = 0
    watched: list[str] = field(default_factory=list)  # module folders looked for, found or not


def is_terraform_file(path: Path) -> bool:
    name = path.name
    return name.endswith(".tf") or name.endswith(".tf.json")


# ---------------------------------------------------------------------------------------
# reading files


@dataclass(frozen=True)
class IgnoreComment:
    line: int
    rule_ids: tuple[str, ...]
    reason: str


@dataclass
class SourceFile:
    path: Path
    display: str
    body: syn.Body
    ignores: list[IgnoreComment]
    comment_lines: frozenset[int]  # lines holding only a comment (for "immediately above")


_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_IGNORE_RE = re.compile(r"(?:#|//)\s*iacscan:ignore\s+([A-Za-z0-9_.\-]+(?:\s*,\s*[A-Za-z0-9_.\-]+)*)\s*(.*)$")
_COMMENT_ONLY_RE = re.compile(r"^\s*(#|//|/\*|\*)")


def _scan_comments(text: str) -> tuple[list[IgnoreComment], frozenset[int]]:
    ignores: list[IgnoreComment] = []
    comment_lines: set[int] = set()
    if "iacscan:ignore" not in text:
        return ignores, frozenset()
    for number, line in enumerate(text.splitlines(), start=1):
        if _COMMENT_ONLY_RE.match(line):
            comment_lines.add(number)
        if "iacscan:ignore" in line:
            match = _IGNORE_RE.search(line)
            if match:
                ids = tuple(x.strip() for x in match.group(1).split(","))
                reason = match.group(2).strip().rstrip("*/").strip()
                ignores.append(IgnoreComment(number, ids, reason))
    return ignores, frozenset(comment_lines)


def _read_text(path: Path, display: str, options: ScanOptions, errors: list[LoadError]) -> str | None:
    try:
        size = path.stat().st_size
        if size > options.max_file_bytes:
            errors.append(
                LoadError(display, 0, f"file is {size} bytes, larger than the limit {options.max_file_bytes}; not read")
            )
            return None
        data = path.read_bytes()
    except OSError as exc:
        errors.append(LoadError(display, 0, f"cannot read file: {exc.strerror or exc}"))
        return None
    if b"\x00" in data[:8192]:
        errors.append(LoadError(display, 0, "binary file (NUL bytes), not Terraform text; not read"))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        errors.append(LoadError(display, line, "file is not UTF-8 text; not read"))
        return None


# Parsed files by (real path, size, mtime, display): a repository's root modules share their
# child modules, and parsing dominates load time.
_PARSED: dict[tuple[str, int, int, str], tuple[SourceFile | None, list[LoadError]]] = {}
_PARSED_LIMIT = 4096


def forget_parsed_files() -> None:
    """Drop the parsed files kept for sharing between root modules: once every
    configuration of a scan is loaded they are most of its memory (3/4 at 10,000 instances)."""
    _PARSED.clear()


def parse_file(path: Path, display: str, options: ScanOptions, errors: list[LoadError]) -> SourceFile | None:
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, display)
    except OSError:
        return _parse_file(path, display, options, errors)
    if key[1] > options.max_file_bytes:
        return _parse_file(path, display, options, errors)
    cached = _PARSED.get(key)
    if cached is None:
        found: list[LoadError] = []
        cached = (_parse_file(path, display, options, found), found)
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        _PARSED[key] = cached
    errors.extend(cached[1])
    return cached[0]


def _parse_file(path: Path, display: str, options: ScanOptions, errors: list[LoadError]) -> SourceFile | None:
    text = _read_text(path, display, options, errors)
    if text is None:
        return None
    kind = "tfvars.json" if path.name.endswith(".tfvars.json") else "tf.json" if path.name.endswith(".json") else "hcl"
    cache = ParseCache(options.cache_dir)
    body, problem, ignores, comment_lines = cache.get_or_compute(
        text.encode("utf-8"), f"terraform-{kind}", lambda: _parse_text(text, kind, options.cache_dir)
    )
    if body is None:
        line, message = problem or (0, "cannot parse")
        errors.append(LoadError(display, line, message))
        return None
    return SourceFile(path, display, body, ignores, comment_lines)


# Below this many bytes to parse, starting worker processes costs more than it saves.
_PARALLEL_PARSE_BYTES = 512 * 1024


def warm_parse_cache(folders: list[Path], options: ScanOptions) -> None:
    """Parse the Terraform files of ``folders`` that the parse cache lacks across
    ``options.jobs`` processes, so a cold scan of one large root module uses every CPU; the
    load that follows reads the cache. Each result depends only on the file's bytes, never on
    which worker parsed it, so the output is the same with any number of workers."""
    if options.jobs < 2 or options.cache_dir is None:
        return
    cache = ParseCache(options.cache_dir)
    todo: list[tuple[int, str]] = []
    for folder in folders:
        try:
            paths = sorted(p for p in folder.iterdir() if is_terraform_file(p) and p.is_file())
        except OSError:
            continue
        for path in paths:
            try:
                if path.stat().st_size > options.max_file_bytes:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            if not cache.has(data, f"terraform-{_kind_of(path)}"):
                todo.append((len(data), str(path)))
    if len(todo) < 2 or sum(size for size, _ in todo) < _PARALLEL_PARSE_BYTES:
        return
    from concurrent.futures import ProcessPoolExecutor

    todo.sort(reverse=True)  # largest first: the workers finish together
    with contextlib.suppress(Exception), ProcessPoolExecutor(max_workers=min(options.jobs, len(todo))) as pool:
        list(pool.map(_warm_one, [path for _, path in todo], [options] * len(todo)))


def _warm_one(path: str, options: ScanOptions) -> None:
    with contextlib.suppress(Exception):  # the serial load reports any problem with the file
        _parse_file(Path(path), path, options, [])


def _kind_of(path: Path) -> str:
    return "tfvars.json" if path.name.endswith(".tfvars.json") else "tf.json" if path.name.endswith(".json") else "hcl"


ParsedText = tuple[Optional[syn.Body], Optional[tuple[int, str]], list[IgnoreComment], frozenset[int]]  # noqa: UP045


def _parse_text(text: str, kind: str, grammar_cache: Path | None) -> ParsedText:
    """What a file's text parses to, independent of where the file is: the unit the
    content-addressed parse cache stores."""
    try:
        if kind == "tfvars.json":
            body = syn.parse_tfvars_json(text)
        elif kind == "tf.json":
            body = syn.parse_hcl_json(text, grammar_cache)
        else:
            body = syn.parse_hcl(text, grammar_cache)
    except syn.HclSyntaxError as exc:
        return None, (exc.line, exc.message), [], frozenset()
    except RecursionError:
        return None, (0, "syntax nested too deeply to read"), [], frozenset()
    ignores, comment_lines = _scan_comments(text)
    return body, None, ignores, comment_lines


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


def link_display(path: Path, options: ScanOptions) -> str:
    """How reports name a symbolic link: its own place in the tree, never the target
    (which may be outside the scanned folder and must not be shown)."""
    folder = options.display_path(path.parent)
    return path.name if folder in (".", "") else f"{folder}/{path.name}"


def read_module_config(folder: Path, options: ScanOptions, errors: list[LoadError], notices: list[str]) -> ModuleConfig:
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
        source = parse_file(path, display, options, errors)
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


# ---------------------------------------------------------------------------------------
# the load


def _key_text(key: Any) -> str:
    return f"[{key}]" if isinstance(key, int) else "[" + json.dumps(key) + "]"


@dataclass
class Expansion:
    """The instances of one counted/for_each block: (address suffix, bindings) and why unsure."""

    kind: str  # single | count | for_each | unknown
    instances: list[tuple[Any, dict[str, Any]]]  # (key or None, env)
    assumption: str | None = None
    _envs: dict[Any, dict[str, Any]] | None = field(default=None, init=False, repr=False, compare=False)

    def env_of(self, key: Any) -> dict[str, Any]:
        """The bindings of instance ``key`` (a dict built once: a scan per instance is quadratic)."""
        if self._envs is None:
            self._envs = {}
            for k, env in self.instances:
                self._envs.setdefault(k, env)
        return self._envs.get(key, {})


class Loader:
    def __init__(self, folder: Path, options: ScanOptions) -> None:
        self.folder = folder
        self.options = options
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

    def config(self, folder: Path) -> ModuleConfig:
        key = folder.resolve()
        if key not in self.configs:
            self.configs[key] = read_module_config(folder, self.options, self.result.errors, self.result.notices)
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
            path = self.folder / ".terraform" / "modules" / "modules.json"
            entries: dict[str, str] | None = None
            if path.is_file():
                self.note_file(self.options.display_path(path))  # which module versions were downloaded
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                    entries = {
                        str(m.get("Key", "")): str(m.get("Dir", ""))
                        for m in data.get("Modules", [])
                        if isinstance(m, dict)
                    }
                except (OSError, ValueError, AttributeError) as exc:
                    self.error(LoadError(self.options.display_path(path), 0, f"cannot read modules.json: {exc}"))
            self._modules_json = entries
        return self._modules_json

    # --- the run ---
    def run(self) -> TerraformLoad:
        config = self.config(self.folder)
        root = ModuleInstance(self, config, prefix="", call_path=(), inputs=None, chain=(self.folder.resolve(),))
        root.inputs_from_root()
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
        for name, (block, source) in instance.config.module_calls.items():
            base = f"{instance.prefix}module.{name}"
            self.add_suppressions(source, block, base)
            for child in instance.module_instances(name):
                self.collect(child)

    def emit_resources(
        self, instance: ModuleInstance, rtype: str, rname: str, block: syn.Block, source: SourceFile
    ) -> None:
        base = f"{instance.prefix}{rtype}.{rname}"
        self.add_suppressions(source, block, base)
        expansion = instance.resource_expansion(rtype, rname)
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
            address = base if key is None else base + _key_text(key)
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
                )
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


class _TemplateScope:
    """``templatefile`` templates see only the variables passed to them (and functions)."""

    def __init__(self, owner: ModuleInstance) -> None:
        self.owner = owner

    def _refuse(self, *args: Any) -> Any:
        raise EvalError("a templatefile template can only use the variables passed to it")

    variable = local = module_call = path_value = _refuse

    def data_source(self, data_type: str, name: str) -> Any:
        return self._refuse()

    def resource(self, resource_type: str, name: str) -> Any:
        return self._refuse()

    def function_context(self, span: Span) -> FunctionContext:
        return self.owner.function_context(span)


class ModuleInstance:
    """One instance of a module (the root, ``module.app``, ``module.app["x"]``): the
    ``ModuleScope`` its expressions are evaluated in."""

    def __init__(
        self,
        loader: Loader,
        config: ModuleConfig,
        prefix: str,
        call_path: tuple[str, ...],
        inputs: dict[str, Callable[[], Any]] | None,
        chain: tuple[Path, ...],
        assumptions: tuple[str, ...] = (),
    ) -> None:
        self.loader = loader
        self.config = config
        self.prefix = prefix
        self.call_path = call_path  # module call names from the root: ("vpc", "subnets")
        self.inputs = inputs or {}
        self.chain = chain
        self.evaluator = Evaluator(self)
        self.inherited_assumptions = assumptions  # why this module instance's existence is uncertain
        self.root_values: dict[str, tuple[Callable[[], Any], str]] = {}
        self.memo: dict[tuple[str, ...], Any] = {}
        self.assumptions: dict[str, list[str]] = {}
        self.module_value_cache: dict[str, Any] = {}
        self.children: dict[str, list[ModuleInstance]] = {}
        self.module_kinds: dict[str, str] = {}  # module call -> single | count | for_each | unknown
        self.module_keys: dict[str, list[Any]] = {}
        self.module_unloaded: dict[str, str] = {}  # module call -> why its source was not loaded

    @property
    def label(self) -> str:
        return self.prefix.rstrip(".") or "root module"

    def _memo(self, key: tuple[str, ...], where: tuple[str, int], compute: Callable[[], Any], label: str) -> Any:
        full_key = (self.prefix, *key)
        if full_key in self.memo:
            return self.memo[full_key]
        value = self.loader.guarded(full_key, where, compute, label)
        self.memo[full_key] = value
        return value

    def eval(self, expr: syn.Expr, file: str, env: dict[str, Any] | None = None) -> Any:
        return self.evaluator.evaluate(expr, file, env)

    # --- variables ---
    def inputs_from_root(self) -> None:
        """Root variables: defaults < terraform.tfvars(.json) < *.auto.tfvars(.json) < var files < --var."""
        loader = self.loader
        folder = loader.folder
        sources: list[Path] = []
        for name in ("terraform.tfvars", "terraform.tfvars.json"):
            if (folder / name).is_file():
                sources.append(folder / name)
        with contextlib.suppress(OSError):
            sources.extend(
                sorted(
                    (
                        p
                        for p in folder.iterdir()
                        if p.is_file() and (p.name.endswith(".auto.tfvars") or p.name.endswith(".auto.tfvars.json"))
                    ),
                    key=lambda p: p.name,
                )
            )
        sources.extend(Path(p) for p in loader.options.var_files)
        literal = Evaluator(None, report=loader.error)
        for path in sources:
            display = loader.options.display_path(path)
            if path.parent.resolve() == folder.resolve() and not loader.options.inside_root(path):
                loader.notice(f"{link_display(path, loader.options)}: links outside the scanned folder; not read")
                continue
            source = parse_file(path, display, loader.options, loader.result.errors)
            if source is None:
                continue
            loader.note_file(display)
            for attr in source.body.attributes.values():

                def value(attr: syn.Attribute = attr, display: str = display) -> Any:
                    return literal.evaluate(attr.expr, display)

                self.root_values[attr.name] = (value, display)
        for name, raw in loader.options.variables.items():

            def cli_value(name: str = name, raw: str = raw) -> Any:
                return self._cli_value(name, raw)

            self.root_values[name] = (cli_value, "--var")

    def _cli_value(self, name: str, raw: str) -> Any:
        declared = self.config.variables.get(name)
        type_expr = declared[0].body.attributes.get("type") if declared else None
        if type_expr is not None and isinstance(type_expr.expr, syn.Variable) and type_expr.expr.name == "string":
            return raw
        try:
            expr = syn.parse_expression(raw, 1, self.loader.options.cache_dir)
        except syn.HclSyntaxError:
            return raw
        value = Evaluator(None).evaluate(expr, "--var")
        return raw if isinstance(value, Unknown) else value

    def variable(self, name: str) -> Any:
        declared = self.config.variables.get(name)
        if declared is None:
            raise EvalError(f"reference to undeclared variable var.{name} in {self.label}")
        block, display = declared

        def compute() -> Any:
            literal = Evaluator(None, report=self.loader.error)
            value: Any = None
            found = False
            if name in self.inputs:
                value, found = self.inputs[name](), True
            elif name in self.root_values:
                value, found = self.root_values[name][0](), True
            elif "default" in block.body.attributes:
                value, found = literal.evaluate(block.body.attributes["default"].expr, display), True
            if not found:
                where = f" of {self.label}" if self.prefix else ""
                return Unknown(f"variable {name}{where} has no value")
            if value is None and "default" in block.body.attributes and "nullable" in block.body.attributes:
                # nullable = false: Terraform replaces an explicit null with the default
                if Evaluator(None).evaluate(block.body.attributes["nullable"].expr, display) is False:
                    value = literal.evaluate(block.body.attributes["default"].expr, display)
            type_attr = block.body.attributes.get("type")
            if type_attr is not None and value is not None and not is_pending(value):
                value = _convert(value, type_attr.expr)
            return value

        return self._memo(("var", name), (display, block.line), compute, f"var.{name}")

    # --- locals and outputs ---
    def local(self, name: str) -> Any:
        declared = self.config.locals.get(name)
        if declared is None:
            raise EvalError(f"reference to undeclared local value local.{name} in {self.label}")
        attr, display = declared
        return self._memo(("local", name), (display, attr.line), lambda: self.eval(attr.expr, display), f"local.{name}")

    def output(self, name: str) -> Any:
        block, display = self.config.outputs[name]
        value_attr = block.body.attributes.get("value")
        if value_attr is None:
            return None
        return self._memo(
            ("output", name), (display, block.line), lambda: self.eval(value_attr.expr, display), f"{self.label}.{name}"
        )

    def path_value(self, name: str) -> Any:
        if name == "module":
            return self.config.display
        if name in ("root", "cwd"):
            return self.loader.options.display_path(self.loader.folder)
        raise EvalError(f"path.{name} is not a known attribute")

    def function_context(self, span: Span) -> FunctionContext:
        loader = self.loader
        return FunctionContext(
            options=loader.options,
            base_dirs=(loader.folder, loader.options.root),
            span=span,
            report=loader.error,
            render_template=self._render_template,
            note_file=loader.note_file,
            note_looked_for=loader.note_looked_for,
        )

    def _render_template(self, text: str, display: str, variables: dict[str, Any]) -> Any:
        loader = self.loader
        if loader.template_depth > 8:
            raise FunctionError("templatefile nested too deeply")
        try:
            template = syn.parse_template(text, 1, grammar_cache=loader.options.cache_dir)
        except syn.HclSyntaxError as exc:
            raise FunctionError(f"template {display}:{exc.line}: {exc.message}") from None
        loader.template_depth += 1
        try:
            return Evaluator(_TemplateScope(self)).eval(template, display, variables)
        except EvalError as exc:
            raise FunctionError(f"template {display}: {exc}") from None
        finally:
            loader.template_depth -= 1

    # --- count / for_each ---
    def expand(self, block: syn.Block, display: str, what: str) -> Expansion:
        attrs = block.body.attributes
        if "count" in attrs:
            count = self.eval(attrs["count"].expr, display)
            if is_pending(count) or count is None:
                index = unknown_from(f"count.index of {what} is unknown: count is not known", count)
                return Expansion(
                    "unknown",
                    [(None, {"count": {"index": index}})],
                    f"count is unknown ({_reason(count)}): assumed one instance",
                )
            try:
                number = int(to_number(count))
            except FunctionError as exc:
                self.loader.error(LoadError(display, attrs["count"].line, f"{what}: count is not a number: {exc}"))
                return Expansion("count", [])
            if number > MAX_INSTANCES:
                self.loader.error(
                    LoadError(
                        display,
                        attrs["count"].line,
                        f"count of {number} exceeds the limit {MAX_INSTANCES}; expanded {MAX_INSTANCES}",
                    )
                )
                number = MAX_INSTANCES
            return Expansion("count", [(i, {"count": {"index": i}}) for i in range(max(number, 0))])
        if "for_each" in attrs:
            each = self.eval(attrs["for_each"].expr, display)
            unknown_env = {
                "each": {
                    "key": unknown_from(f"each.key of {what} is unknown", each),
                    "value": unknown_from(f"each.value of {what} is unknown", each),
                }
            }
            if is_pending(each) or each is None:
                return Expansion(
                    "unknown", [(None, unknown_env)], f"for_each is unknown ({_reason(each)}): assumed one instance"
                )
            pairs: list[tuple[str, Any]] = []
            if isinstance(each, dict):
                pairs = [(k, each[k]) for k in sorted(each)]
            elif isinstance(each, list | tuple):
                if any(is_pending(item) for item in each):
                    return Expansion(
                        "unknown",
                        [(None, unknown_env)],
                        "for_each has keys known only after apply: assumed one instance",
                    )
                try:
                    keys = list(dict.fromkeys(to_str(item) for item in each))
                except FunctionError as exc:
                    self.loader.error(
                        LoadError(
                            display,
                            attrs["for_each"].line,
                            f"{what}: for_each must be a map or a set of strings: {exc}",
                        )
                    )
                    return Expansion("for_each", [])
                pairs = [(k, k) for k in keys]
            else:
                self.loader.error(
                    LoadError(display, attrs["for_each"].line, f"{what}: for_each must be a map or a set of strings")
                )
                return Expansion("for_each", [])
            if len(pairs) > MAX_INSTANCES:
                self.loader.error(
                    LoadError(
                        display,
                        attrs["for_each"].line,
                        f"for_each of {len(pairs)} exceeds the limit {MAX_INSTANCES}; expanded {MAX_INSTANCES}",
                    )
                )
                pairs = pairs[:MAX_INSTANCES]
            return Expansion("for_each", [(k, {"each": {"key": k, "value": v}}) for k, v in pairs])
        return Expansion("single", [(None, {})])

    # --- resources ---
    def resource_expansion(self, rtype: str, rname: str) -> Expansion:
        block, source = self.config.resources[(rtype, rname)]
        what = f"{self.prefix}{rtype}.{rname}"
        result = self._memo(
            ("expand", rtype, rname),
            (source.display, block.line),
            lambda: self.expand(block, source.display, what),
            what,
        )
        return (
            result
            if isinstance(result, Expansion)
            else Expansion(
                "unknown", [(None, {})], f"count/for_each is unknown ({_reason(result)}): assumed one instance"
            )
        )

    def resource(self, rtype: str, rname: str) -> Any:
        if (rtype, rname) not in self.config.resources:
            return None
        expansion = self.resource_expansion(rtype, rname)
        base = f"{self.prefix}{rtype}.{rname}"
        objects = [
            (
                key,
                ResourceObject(
                    base if key is None else base + _key_text(key),
                    self._config_getter(rtype, rname, key),
                    collapsed=expansion.kind == "unknown",
                ),
            )
            for key, _ in expansion.instances
        ]
        if expansion.kind in ("single", "unknown"):
            return objects[0][1] if objects else None
        if expansion.kind == "count":
            return SpannedList([obj for _, obj in objects])
        return SpannedDict({str(key): obj for key, obj in objects})

    def _config_getter(self, rtype: str, rname: str, key: Any) -> Callable[[], Any]:
        return lambda: self.resource_config(rtype, rname, key)

    def resource_config(self, rtype: str, rname: str, key: Any) -> Any:
        """The evaluated arguments of one resource instance (memoized; cycles -> Unknown)."""
        base = f"{self.prefix}{rtype}.{rname}"
        address = base if key is None else base + _key_text(key)
        block, source = self.config.resources[(rtype, rname)]
        expansion = self.resource_expansion(rtype, rname)
        env = expansion.env_of(key)

        def compute() -> Any:
            notes: list[str] = []
            body = self.evaluate_body(block.body, source.display, env, notes, block)
            if notes:
                self.assumptions[address] = notes
            return body

        return self._memo(("resource", address), (source.display, block.line), compute, address)

    def evaluate_body(
        self, body: syn.Body, display: str, env: dict[str, Any], notes: list[str], block: syn.Block | syn.Body
    ) -> SpannedDict:
        """A block body -> attributes and nested blocks (lists of SpannedDict), ``dynamic`` expanded."""
        out = SpannedDict(span=Span(display, block.line, block.end_line))
        for item in body.items:
            if isinstance(item, syn.Attribute):
                if item.name in META_ARGUMENTS:
                    continue
                out[item.name] = self.eval(item.expr, display, env)
                out.key_spans[item.name] = Span(display, item.line, item.end_line)
                continue
            if item.type in META_BLOCKS:
                continue
            if item.type == "dynamic" and item.labels:
                produced = self._dynamic(item, display, env, notes)
                name = item.labels[0]
            else:
                produced = [self.evaluate_body(item.body, display, env, notes, item)]
                name = item.type
            blocks = out.get(name)
            if not isinstance(blocks, SpannedList):
                blocks = SpannedList(span=Span(display, item.line, item.end_line))
                out[name] = blocks
            for value in produced:
                blocks.append(value)
                blocks.item_spans.append(value.span)
            first = blocks.span or Span(display, item.line, item.end_line)
            blocks.span = Span(display, min(first.line, item.line), max(first.end_line, item.end_line))
            out.key_spans[name] = blocks.span
        return out

    def _dynamic(self, block: syn.Block, display: str, env: dict[str, Any], notes: list[str]) -> list[SpannedDict]:
        label = block.labels[0]
        attrs = block.body.attributes
        iterator = label
        if "iterator" in attrs and isinstance(attrs["iterator"].expr, syn.Variable):
            iterator = attrs["iterator"].expr.name
        content = next(iter(block.body.blocks_of("content")), None)
        if content is None or "for_each" not in attrs:
            return []
        collection = self.eval(attrs["for_each"].expr, display, env)
        if is_pending(collection) or collection is None:
            notes.append(
                f'dynamic "{label}" (line {block.line}): for_each is unknown ({_reason(collection)}); '
                f"one block assumed, its values from {iterator} unknown"
            )
            unknown = unknown_from(f'{iterator} of dynamic "{label}" is unknown', collection)
            pairs: list[tuple[Any, Any]] = [(unknown, unknown)]
        elif isinstance(collection, dict):
            pairs = [(k, collection[k]) for k in sorted(collection)]
        elif isinstance(collection, list | tuple):
            pairs = list(enumerate(collection))
        else:
            notes.append(f'dynamic "{label}" (line {block.line}): for_each is not a collection')
            return []
        produced: list[SpannedDict] = []
        for key, value in pairs[:MAX_INSTANCES]:
            inner = dict(env)
            inner[iterator] = {"key": key, "value": value}
            produced.append(self.evaluate_body(content.body, display, inner, notes, block))
        return produced

    # --- data sources ---
    def data_source(self, data_type: str, name: str) -> Any:
        declared = self.config.data.get((data_type, name))
        if declared is None:
            raise EvalError(f"reference to undeclared data source data.{data_type}.{name}")
        block, display = declared
        base = f"{self.prefix}data.{data_type}.{name}"
        expansion = self._memo(
            ("expand-data", data_type, name), (display, block.line), lambda: self.expand(block, display, base), base
        )
        if not isinstance(expansion, Expansion):
            return DataObject(base)
        objects: list[tuple[Any, DataObject]] = []
        for key, env in expansion.instances:
            address = base if key is None else base + _key_text(key)
            computed = None
            if data_type == "aws_iam_policy_document":
                computed = self._policy_getter(block, display, env, address)
            objects.append((key, DataObject(address, computed)))
        if expansion.kind in ("single", "unknown"):
            return objects[0][1] if objects else DataObject(base)
        if expansion.kind == "count":
            return SpannedList([obj for _, obj in objects])
        return SpannedDict({str(key): obj for key, obj in objects})

    def _policy_getter(self, block: syn.Block, display: str, env: dict[str, Any], address: str) -> Callable[[str], Any]:
        def computed(attr: str) -> Any:
            if attr not in ("json", "minified_json"):
                return None
            return self._memo(
                ("policy", address), (display, block.line), lambda: self._policy_document(block, display, env), address
            )

        return computed

    def _policy_document(self, block: syn.Block, display: str, env: dict[str, Any]) -> Any:
        notes: list[str] = []
        body = self.evaluate_body(block.body, display, env, notes, block)
        return policy_document_json(body)

    # --- module calls ---
    def module_call(self, name: str) -> Any:
        if name in self.module_value_cache:
            return self.module_value_cache[name]
        declared = self.config.module_calls.get(name)
        if declared is None:
            raise EvalError(f"reference to undeclared module call module.{name}")
        instances = self.module_instances(name)
        label = f"{self.prefix}module.{name}"
        kind = self.module_kinds.get(name, "single")
        value: Any
        if not instances:
            reason = self.module_unloaded.get(name)
            if reason is not None:
                value = UnloadedModule(label, reason)
            else:
                value = SpannedList() if kind == "count" else SpannedDict() if kind == "for_each" else None
        elif kind in ("single", "unknown"):
            value = _module_object(instances[0])
        elif kind == "count":
            value = SpannedList([_module_object(child) for child in instances])
        else:
            value = SpannedDict(
                {str(key): _module_object(child) for key, child in zip(self.module_keys[name], instances, strict=True)}
            )
        self.module_value_cache[name] = value
        return value

    def module_instances(self, name: str) -> list[ModuleInstance]:
        if name in self.children:
            return self.children[name]
        self.children[name] = []  # a re-entrant call during expansion sees no instances, not a loop
        block, source = self.config.module_calls[name]
        label = f"{self.prefix}module.{name}"
        folder, reason = self._module_folder(name, block, source)
        if folder is None:
            self.module_unloaded[name] = reason or "its source could not be read"
            return []
        expansion = self._memo(
            ("expand-module", name),
            (source.display, block.line),
            lambda: self.expand(block, source.display, label),
            label,
        )
        if not isinstance(expansion, Expansion):
            expansion = Expansion("unknown", [(None, {})], "count/for_each is unknown")
        self.module_kinds[name] = expansion.kind
        self.module_keys[name] = [k for k, _ in expansion.instances]
        if expansion.assumption:
            self.loader.notice(f"{label}: {expansion.assumption}")
        config = self.loader.config(folder)
        children: list[ModuleInstance] = []
        for key, env in expansion.instances:
            prefix = label + ("" if key is None else _key_text(key)) + "."
            inputs = {
                attr.name: self._input_getter(attr, source.display, env)
                for attr in block.body.attributes.values()
                if attr.name not in ("source", "version", "count", "for_each", "providers", "depends_on")
            }
            inherited = self.inherited_assumptions
            if expansion.assumption:
                inherited = (*inherited, f"{label}: {expansion.assumption}")
            children.append(
                ModuleInstance(
                    self.loader,
                    config,
                    prefix,
                    (*self.call_path, name),
                    inputs,
                    (*self.chain, folder.resolve()),
                    inherited,
                )
            )
        self.children[name] = children
        return children

    def _input_getter(self, attr: syn.Attribute, display: str, env: dict[str, Any]) -> Callable[[], Any]:
        return lambda: self.eval(attr.expr, display, env)

    def _module_folder(self, name: str, block: syn.Block, source: SourceFile) -> tuple[Path | None, str | None]:
        loader = self.loader
        label = f"{self.prefix}module.{name}"
        source_attr = block.body.attributes.get("source")
        if source_attr is None:
            loader.error(LoadError(source.display, block.line, f"{label} has no source"))
            return None, "it has no source"
        raw = Evaluator(None).evaluate(source_attr.expr, source.display)
        if not isinstance(raw, str):
            loader.error(LoadError(source.display, source_attr.line, f"{label}: source must be a literal string"))
            return None, "its source is not a literal string"
        folder: Path | None
        if raw.startswith("./") or raw.startswith("../") or raw in (".", ".."):
            folder = self.config.folder / raw
        else:
            entries = loader.modules_json()
            key = ".".join((*self.call_path, name))
            if entries is None:
                loader.notice(
                    f"{label}: source '{raw}' not downloaded (.terraform/modules/modules.json missing); "
                    f"its outputs are unknown"
                )
                return None, f"source '{raw}' not downloaded"
            if key not in entries:
                loader.notice(
                    f"{label}: source '{raw}' not downloaded (no entry '{key}' in "
                    f".terraform/modules/modules.json); its outputs are unknown"
                )
                return None, f"source '{raw}' not downloaded"
            folder = loader.folder / entries[key]
        if loader.options.inside_root(folder):
            shown = loader.options.display_path(folder)
            if shown not in loader.result.watched:
                loader.result.watched.append(shown)  # a module folder created later changes the answer
        else:
            loader.notice(f"{label}: source '{raw}' is outside the scanned folder; not loaded, its outputs are unknown")
            return None, f"source '{raw}' is outside the scanned folder"
        if not folder.is_dir():
            loader.notice(f"{label}: source '{raw}' is not a folder; not loaded, its outputs are unknown")
            return None, f"source '{raw}' not found"
        if folder.resolve() in self.chain:
            loader.error(
                LoadError(
                    source.display,
                    block.line,
                    f"{label}: module source '{raw}' calls itself (circular module calls); not loaded",
                )
            )
            return None, "circular module call"
        if len(self.chain) > MAX_MODULE_DEPTH:
            loader.error(
                LoadError(
                    source.display, block.line, f"{label}: modules nested more than {MAX_MODULE_DEPTH} deep; not loaded"
                )
            )
            return None, "modules nested too deeply"
        return folder, None


def _module_object(child: ModuleInstance) -> ModuleObject:
    return ModuleObject(child.label, lambda: list(child.config.outputs), child.output)


def _reason(value: Any) -> str:
    if isinstance(value, Unknown):
        return value.reason
    if value is None:
        return "null"
    return f"{value} is known only after apply"


def _convert(value: Any, type_expr: syn.Expr) -> Any:
    """Best-effort conversion to a variable's declared primitive type (Terraform converts)."""
    try:
        if isinstance(type_expr, syn.Variable):
            if type_expr.name == "string" and isinstance(value, bool | int | float):
                return to_str(value)
            if type_expr.name == "number" and isinstance(value, str):
                return to_number(value)
            if type_expr.name == "bool" and isinstance(value, str):
                return to_bool(value)
        if isinstance(type_expr, syn.FunctionCall) and type_expr.args:
            if type_expr.name in ("list", "set") and isinstance(value, list):
                converted = [_convert(v, type_expr.args[0]) for v in value]
                if type_expr.name == "set":
                    converted = (
                        list(dict.fromkeys(converted))
                        if all(isinstance(v, str | int | float | bool) for v in converted)
                        else converted
                    )
                return SpannedList(
                    converted, span=getattr(value, "span", None), item_spans=list(getattr(value, "item_spans", []))
                )
            if type_expr.name == "map" and isinstance(value, dict):
                out = SpannedDict(
                    {k: _convert(v, type_expr.args[0]) for k, v in value.items()},
                    span=getattr(value, "span", None),
                    key_spans=dict(getattr(value, "key_spans", {})),
                )
                return out
            if type_expr.name == "object" and isinstance(value, dict) and isinstance(type_expr.args[0], syn.ObjectExpr):
                return _convert_object(value, type_expr.args[0])
    except FunctionError:
        return value
    return value


def _convert_object(value: dict[str, Any], type_expr: syn.ObjectExpr) -> Any:
    out = SpannedDict(value, span=getattr(value, "span", None), key_spans=dict(getattr(value, "key_spans", {})))
    for item in type_expr.items:
        if not isinstance(item.key, syn.Literal):
            continue
        key = str(item.key.value)
        attr_type = item.value
        if isinstance(attr_type, syn.FunctionCall) and attr_type.name == "optional" and attr_type.args:
            # a missing or null optional attribute takes the default (or null), then the declared type
            if out.get(key) is None:
                out[key] = Evaluator(None).evaluate(attr_type.args[1], "") if len(attr_type.args) > 1 else None
            if out[key] is not None and not is_pending(out[key]):
                out[key] = _convert(out[key], attr_type.args[0])
        elif key in out:
            out[key] = _convert(out[key], attr_type)
    return out


# ---------------------------------------------------------------------------------------
# aws_iam_policy_document


_STATEMENT_KEYS = (
    ("sid", "Sid"),
    ("effect", "Effect"),
    ("actions", "Action"),
    ("not_actions", "NotAction"),
    ("resources", "Resource"),
    ("not_resources", "NotResource"),
)


def _principals(blocks: Any) -> Any:
    out = SpannedDict(span=getattr(blocks, "span", None))
    for block in blocks if isinstance(blocks, list) else []:
        if not isinstance(block, dict):
            continue
        ptype = block.get("type")
        identifiers = block.get("identifiers")
        if ptype == "*" and isinstance(identifiers, list) and list(identifiers) == ["*"]:
            return "*"
        if isinstance(ptype, str):
            existing = out.get(ptype)
            if isinstance(existing, list) and isinstance(identifiers, list):
                existing.extend(identifiers)
            else:
                out[ptype] = identifiers
            if isinstance(block, SpannedDict) and block.span is not None:
                out.key_spans[ptype] = block.span
    return out


def _conditions(blocks: Any) -> SpannedDict:
    out = SpannedDict(span=getattr(blocks, "span", None))
    for block in blocks if isinstance(blocks, list) else []:
        if not isinstance(block, dict):
            continue
        test, variable, values = block.get("test"), block.get("variable"), block.get("values")
        if not isinstance(test, str) or not isinstance(variable, str):
            continue
        by_test = out.setdefault(test, SpannedDict(span=getattr(block, "span", None)))
        by_test[variable] = values
        if isinstance(block, SpannedDict) and block.span is not None:
            by_test.key_spans[variable] = block.span
            out.key_spans.setdefault(test, block.span)
    return out


def _statement(block: SpannedDict) -> SpannedDict:
    st = SpannedDict(span=block.span)
    for hcl_key, json_key in _STATEMENT_KEYS:
        if hcl_key in block and block[hcl_key] is not None:
            st[json_key] = block[hcl_key]
            if hcl_key in block.key_spans:
                st.key_spans[json_key] = block.key_spans[hcl_key]
    if "Effect" not in st:
        st["Effect"] = "Allow"
        if block.span is not None:
            st.key_spans["Effect"] = block.span
    for hcl_key, json_key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        if hcl_key in block:
            st[json_key] = _principals(block[hcl_key])
            if hcl_key in block.key_spans:
                st.key_spans[json_key] = block.key_spans[hcl_key]
    if "condition" in block:
        st["Condition"] = _conditions(block["condition"])
        if "condition" in block.key_spans:
            st.key_spans["Condition"] = block.key_spans["condition"]
    return st


def _statements_of(document: Any) -> list[Any] | None:
    if isinstance(document, EncodedJson):
        document = document.decoded
    elif isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return None
    if not isinstance(document, dict):
        return None
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        return [statements]
    return list(statements) if isinstance(statements, list) else None


def policy_document_json(body: SpannedDict) -> Any:
    """An evaluated ``data "aws_iam_policy_document"`` body -> EncodedJson of the policy."""
    doc = SpannedDict(span=body.span)
    version = body.get("version")
    doc["Version"] = version if version is not None else "2012-10-17"
    if "version" in body.key_spans:
        doc.key_spans["Version"] = body.key_spans["version"]
    if body.get("policy_id") is not None:
        doc["Id"] = body["policy_id"]
    blocks = body.get("statement")
    own = [_statement(b) for b in (blocks if isinstance(blocks, list) else []) if isinstance(b, SpannedDict)]
    statements: list[Any] = []
    spans: list[Span | None] = []
    pending: list[Any] = []
    sources = body.get("source_policy_documents") or []
    for source in sources if isinstance(sources, list) else []:
        found = _statements_of(source)
        if found is None:
            pending.append(source)
            continue
        statements.extend(found)
        spans.extend(getattr(s, "span", None) for s in found)

    def place(statement: Any) -> None:
        sid = statement.get("Sid") if isinstance(statement, dict) else None
        if sid:
            for i, existing in enumerate(statements):
                if isinstance(existing, dict) and existing.get("Sid") == sid:
                    statements[i] = statement
                    spans[i] = getattr(statement, "span", None)
                    return
        statements.append(statement)
        spans.append(getattr(statement, "span", None))

    for statement in own:
        place(statement)
    overrides = body.get("override_policy_documents") or []
    for override in overrides if isinstance(overrides, list) else []:
        found = _statements_of(override)
        if found is None:
            pending.append(override)
            continue
        for statement in found:
            place(statement)
    if isinstance(body.get("source_policy_documents"), Unknown) or isinstance(overrides, Unknown):
        pending.append(body.get("source_policy_documents"))
    statement_span = body.key_spans.get("statement")
    doc["Statement"] = SpannedList(statements, span=statement_span, item_spans=spans)
    if statement_span is not None:
        doc.key_spans["Statement"] = statement_span
    if pending:
        doc["Statement"].append(unknown_from("a source or override policy document known only after apply", *pending))
    return encode_json(doc)


def load_terraform_module(folder: Path, options: ScanOptions) -> TerraformLoad:
    """Load one root module folder. Never raises for bad input: errors and notices say what was skipped."""
    loader = Loader(folder, options)
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
