"""The evaluation scope of one module instance (the root, ``module.app``, ``module.app["x"]``).

A ``ModuleInstance`` answers what its expressions reference (variables, locals, resources,
data sources, module calls, ``path.*``) for the evaluator, lazily and memoised, so
evaluation order follows references and a cycle ends as Unknown plus an error. It expands
``count`` / ``for_each`` of resources, data sources and module calls (``Expansion``) and
``dynamic`` blocks, computes ``aws_iam_policy_document`` data sources and the default VPC's
CIDR, and finds the folder a module call's source names: a local path, or the download
recorded in ``.terraform/modules/modules.json``. An argument an override file set is
evaluated in, and points at, that file (``overrides.file_of``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.adapters.terraform.default_vpc import DEFAULT_VPC_CIDR, is_default_vpc_query
from scanner.findings import LoadError
from scanner.loaders.terraform import hcl as syn
from scanner.loaders.terraform.eval import (
    DataObject,
    EvalError,
    Evaluator,
    ModuleObject,
    ResourceObject,
    UnloadedModule,
)
from scanner.loaders.terraform.eval.functions import (
    FunctionContext,
    FunctionError,
    SetValue,
    collect_origins,
    is_pending,
    merge_origins,
    to_number,
    to_str,
    unknown_from,
)
from scanner.loaders.terraform.files import SourceFile
from scanner.loaders.terraform.load_run import LoadRun
from scanner.loaders.terraform.modules import ModuleConfig
from scanner.loaders.terraform.overrides import MergedBody, file_of
from scanner.loaders.terraform.policy_document import policy_document_json
from scanner.loaders.terraform.variables import passed_variable_span, root_values, variable_origin, variable_value
from scanner.values import Origin, Span, SpannedDict, SpannedList, Unknown, is_download

MAX_INSTANCES = 10_000  # blocks one dynamic block makes: a hostile for_each must not exhaust memory
MAX_MODULE_DEPTH = 32
_PASSING = (syn.GetAttr, syn.TupleExpr)  # the expressions that may pass a variable on unchanged
META_ARGUMENTS = frozenset({"count", "for_each", "depends_on", "provider", "providers", "lifecycle"})
META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection"})


class _Representative:
    """The key of the one instance standing for a count/for_each past ``--max-instances``."""

    def __repr__(self) -> str:
        return "REPRESENTATIVE"


REPRESENTATIVE = _Representative()


def key_text(key: Any) -> str:
    """An instance key as written in an address: ``[0]``, ``["a"]``; ``[*]`` for the
    representative of a count/for_each that was not expanded."""
    if key is REPRESENTATIVE:
        return "[*]"
    return f"[{key}]" if isinstance(key, int) else "[" + json.dumps(key) + "]"


@dataclass
class Expansion:
    """The instances of one counted/for_each block: (address suffix, bindings) and why unsure:
    ``assumption`` in words, ``existence`` the Unknown (naming the count / for_each line and
    the origins of its value) when the one assumed instance may not exist."""

    kind: str  # single | count | for_each | unknown
    instances: list[tuple[Any, dict[str, Any]]]  # (key or None, env)
    assumption: str | None = None
    existence: Unknown | None = None
    _envs: dict[Any, dict[str, Any]] | None = field(default=None, init=False, repr=False, compare=False)

    def env_of(self, key: Any) -> dict[str, Any]:
        """The bindings of instance ``key`` (a dict built once: a scan per instance is quadratic)."""
        if self._envs is None:
            self._envs = {}
            for k, env in self.instances:
                self._envs.setdefault(k, env)
        return self._envs.get(key, {})


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
        loader: LoadRun,
        config: ModuleConfig,
        prefix: str,
        call_path: tuple[str, ...],
        inputs: dict[str, Callable[[], Any]] | None,
        chain: tuple[Path, ...],
        assumptions: tuple[str, ...] = (),
        existence: Unknown | None = None,
    ) -> None:
        self.loader = loader
        self.config = config
        self.prefix = prefix
        self.call_path = call_path  # module call names from the root: ("vpc", "subnets")
        self.inputs = inputs or {}
        self.chain = chain
        self.evaluator = Evaluator(self)
        self.inherited_assumptions = assumptions  # why this module instance's existence is uncertain
        self.inherited_existence = existence  # not None: this module instance may not exist
        self.root_values: dict[str, tuple[Callable[[], Any], str]] = {}
        self.cli_variables = True
        self.memo: dict[tuple[str, ...], Any] = {}
        self.assumptions: dict[str, list[str]] = {}
        self.module_value_cache: dict[str, Any] = {}
        self.children: dict[str, list[ModuleInstance]] = {}
        self.module_kinds: dict[str, str] = {}  # module call -> single | count | for_each | unknown
        self.module_keys: dict[str, list[Any]] = {}
        self.module_unloaded: dict[str, str] = {}  # module call -> why its source was not loaded
        # where each variable is set (``variable_set_span``)
        self.input_spans: dict[str, Callable[[], Span | None]] = {}
        self.root_spans: dict[str, Span] = {}
        self.set_span_memo: dict[str, Span | None] = {}
        # the module call in the repository standing for this instance when its folder is a
        # download (.terraform/modules/): findings never point into a download
        self.shown: Span | None = None

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
    def inputs_from_root(self, given: Mapping[str, Any] | None = None) -> None:
        """Root variables: defaults < terraform.tfvars(.json) < *.auto.tfvars(.json) < var files < --var.
        ``given`` (a plan's ``variables``: the values Terraform planned with) replaces all of
        them but the defaults: a variable it does not name takes its default."""
        self.cli_variables = given is None  # --var reaches the root variables
        if given is None:
            self.root_values = root_values(self.loader, self.config, self.root_spans)
        else:
            self.root_values = {name: (_constant(value), "the plan") for name, value in given.items()}

    def variable(self, name: str) -> Any:
        declared = self.config.variables.get(name)
        if declared is None:
            raise EvalError(f"reference to undeclared variable var.{name} in {self.label}")
        block, display = declared
        where = f" of {self.label}" if self.prefix else ""
        return self._memo(
            ("var", name),
            (display, block.line),
            lambda: variable_value(
                name,
                declared,
                self.inputs,
                self.root_values,
                where,
                self.loader.error,
                variable_origin(name, declared, self.prefix, self.cli_variables),
            ),
            f"var.{name}",
        )

    def variable_set_span(self, name: str) -> Span | None:
        """Where ``var.NAME``'s value is set, as ``variable_value`` picks it: the caller's
        argument (followed when it is a variable too), the ``.tfvars`` line, the ``default``;
        None when no file sets it (``--var``, a plan's value, no value)."""
        if name in self.set_span_memo:
            return self.set_span_memo[name]
        self.set_span_memo[name] = None  # a cycle ends here
        found: Span | None = None
        declared = self.config.variables.get(name)
        if name in self.input_spans:
            found = self.input_spans[name]()
        elif name in self.root_values:
            found = self.root_spans.get(name)
        elif declared is not None and "default" in declared[0].body.attributes:
            default = declared[0].body.attributes["default"]
            found = Span(file_of(default, declared[1]), default.line, default.end_line)
        self.set_span_memo[name] = found
        return found

    def expr_set_span(self, expr: syn.Expr) -> Span | None:
        return passed_variable_span(expr, self.variable_set_span)

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
        where = file_of(value_attr, display)
        label = f"{self.label}.{name}"
        return self._memo(("output", name), (display, block.line), lambda: self.eval(value_attr.expr, where), label)

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
        """The instances of a resource, data source or module call: ``count.index`` 0..n-1;
        ``for_each`` over a map or object gives ``each.key`` its key and ``each.value`` its
        value, over a set of strings the element as both. Terraform rejects a list or tuple
        here (it wants ``toset()``); one is read as the set of its elements."""
        attrs = block.body.attributes
        if "count" in attrs:
            display = file_of(attrs["count"], display)
            count = self.eval(attrs["count"].expr, display)
            if is_pending(count):
                index = unknown_from(f"count.index of {what} is unknown: count is not known", count)
                return Expansion(
                    "unknown",
                    [(None, {"count": {"index": index}})],
                    f"count is unknown ({_reason(count)}): assumed one instance",
                    _existence("count", what, attrs["count"], display, count),
                )
            try:
                value = to_number(count)
                whole = isinstance(value, int) or (math.isfinite(value) and value.is_integer())
                if not whole or value < 0:
                    raise FunctionError(f"{value} is not a whole number of instances (0 or more)")
                number = int(value)
            except FunctionError as exc:
                self.loader.error(LoadError(display, attrs["count"].line, f"{what}: count is not a number: {exc}"))
                return Expansion("count", [])
            if number > self.loader.options.max_instances:
                return self._past_bound(what, "count", number, Span(display, attrs["count"].line, attrs["count"].line))
            return Expansion("count", [(i, {"count": {"index": i}}) for i in range(number)])
        if "for_each" in attrs:
            display = file_of(attrs["for_each"], display)
            each = self.eval(attrs["for_each"].expr, display)
            unknown_env = {
                "each": {
                    "key": unknown_from(f"each.key of {what} is unknown", each),
                    "value": unknown_from(f"each.value of {what} is unknown", each),
                }
            }
            if is_pending(each):
                return Expansion(
                    "unknown",
                    [(None, unknown_env)],
                    f"for_each is unknown ({_reason(each)}): assumed one instance",
                    _existence("for_each", what, attrs["for_each"], display, each),
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
                        _existence("for_each", what, attrs["for_each"], display, each),
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
            if len(pairs) > self.loader.options.max_instances:
                line = attrs["for_each"].line
                return self._past_bound(what, "for_each", len(pairs), Span(display, line, line))
            return Expansion("for_each", [(k, {"each": {"key": k, "value": v}}) for k, v in pairs])
        return Expansion("single", [(None, {})])

    def _past_bound(self, what: str, meta: str, size: int, where: Span) -> Expansion:
        """A count/for_each of more instances than ``--max-instances``: not expanded (a million
        instances would cost minutes and gigabytes), but analysed as one representative
        instance ``ADDRESS[*]`` whose ``count.index`` / ``each`` are unknown, said at its line
        (a module call's own notice says it, with the line, from the assumption)."""
        bound = self.loader.options.max_instances
        iterator = "count.index" if meta == "count" else "each.key and each.value"
        words = f"{meta} of {size} is more than --max-instances {bound}"
        if not what.removeprefix(self.prefix).startswith("module."):  # a resource type is never "module"
            self.loader.notice(
                f"{where.file}:{where.line}: {what}: {words}; not expanded, analysed as one instance "
                f"{what}[*] with {iterator} unknown"
            )
        origin = Origin("count", f"{meta} of {what}", where, f"--max-instances {size}")
        unknown = Unknown(f"{what}: {words}; {iterator} of its one analysed instance is unknown", origins=(origin,))
        env = {"count": {"index": unknown}} if meta == "count" else {"each": {"key": unknown, "value": unknown}}
        assumption = (
            f"{meta} of {size} at {where.file}:{where.line} is more than --max-instances {bound}: "
            f"not expanded, one instance {what}[*] analysed with {iterator} unknown"
        )
        return Expansion("unknown", [(REPRESENTATIVE, env)], assumption)

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
                "unknown",
                [(None, {})],
                f"count/for_each is unknown ({_reason(result)}): assumed one instance",
                Unknown(f"whether {what} exists is unknown: {_reason(result)}", (), collect_origins(result)),
            )
        )

    def resource(self, rtype: str, rname: str) -> Any:
        if (rtype, rname) not in self.config.resources:
            return None
        expansion = self.resource_expansion(rtype, rname)
        base = f"{self.prefix}{rtype}.{rname}"
        block, source = self.config.resources[(rtype, rname)]
        span = Span(source.display, block.line, block.end_line)  # where its computed attributes come from
        count_origins = expansion.existence.origins if expansion.existence is not None else ()
        objects = [
            (
                key,
                ResourceObject(
                    base if key is None else base + key_text(key),
                    self._config_getter(rtype, rname, key),
                    collapsed=expansion.kind == "unknown",
                    span=span,
                    count_origins=count_origins,
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
        address = base if key is None else base + key_text(key)
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
        merged = isinstance(body, MergedBody)
        for item in body.items:
            where = file_of(item, display) if merged else display  # an override's items are its file's
            if isinstance(item, syn.Attribute):
                if item.name in META_ARGUMENTS:
                    continue
                out[item.name] = self.eval(item.expr, where, env)
                out.key_spans[item.name] = Span(where, item.line, item.end_line)
                if isinstance(item.expr, _PASSING):  # var.x, [var.x]: set elsewhere
                    set_span = self.expr_set_span(item.expr)
                    if set_span is not None:
                        out.set_at(item.name, set_span)
                continue
            if item.type in META_BLOCKS:
                continue
            if item.type == "dynamic" and item.labels:
                produced = self._dynamic(item, where, env, notes)
                name = item.labels[0]
            else:
                produced = [self.evaluate_body(item.body, where, env, notes, item)]
                name = item.type
            blocks = out.get(name)
            if not isinstance(blocks, SpannedList):
                blocks = SpannedList(span=Span(where, item.line, item.end_line))
                out[name] = blocks
            for value in produced:
                blocks.append(value)
                blocks.item_spans.append(value.span)
            first = blocks.span or Span(where, item.line, item.end_line)
            blocks.span = Span(where, min(first.line, item.line), max(first.end_line, item.end_line))
            out.key_spans[name] = blocks.span
        return out

    def _dynamic(self, block: syn.Block, display: str, env: dict[str, Any], notes: list[str]) -> list[SpannedDict]:
        """The blocks a ``dynamic`` block generates, one per element of its ``for_each``, with
        the iterator (the label, or ``iterator = name``) bound as Terraform binds it: ``.key``
        is a map's or object's key (in key order), a list's or tuple's index, a set's element
        itself; ``.value`` is the element. Nested ``dynamic`` blocks see the outer iterators."""
        label = block.labels[0]
        attrs = block.body.attributes
        iterator = label
        if "iterator" in attrs and isinstance(attrs["iterator"].expr, syn.Variable):
            iterator = attrs["iterator"].expr.name
        content = next(iter(block.body.blocks_of("content")), None)
        if content is None or "for_each" not in attrs:
            return []
        collection = self.eval(attrs["for_each"].expr, display, env)
        if collection is None:
            self.loader.error(LoadError(display, attrs["for_each"].line, f'dynamic "{label}": for_each is null'))
            return []
        if is_pending(collection):
            notes.append(
                f'dynamic "{label}" (line {block.line}): for_each is unknown ({_reason(collection)}); '
                f"one block assumed, its values from {iterator} unknown"
            )
            unknown = unknown_from(f'{iterator} of dynamic "{label}" is unknown', collection)
            pairs: list[tuple[Any, Any]] = [(unknown, unknown)]
        elif isinstance(collection, dict):
            pairs = [(k, collection[k]) for k in sorted(collection)]
        elif isinstance(collection, SetValue):
            pairs = [(v, v) for v in collection]
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
    def data_expansion(self, data_type: str, name: str) -> Expansion | None:
        """The instances of a data source (None when its count/for_each cannot be evaluated)."""
        block, display = self.config.data[(data_type, name)]
        base = f"{self.prefix}data.{data_type}.{name}"
        expansion = self._memo(
            ("expand-data", data_type, name), (display, block.line), lambda: self.expand(block, display, base), base
        )
        return expansion if isinstance(expansion, Expansion) else None

    def data_config(self, data_type: str, name: str, key: Any) -> Any:
        """The evaluated arguments of one data source instance (memoized; cycles -> Unknown)."""
        block, display = self.config.data[(data_type, name)]
        base = f"{self.prefix}data.{data_type}.{name}"
        address = base if key is None else base + key_text(key)
        expansion = self.data_expansion(data_type, name)
        env = expansion.env_of(key) if expansion is not None else {}

        def compute() -> Any:
            return self.evaluate_body(block.body, display, env, [], block)

        return self._memo(("data", address), (display, block.line), compute, address)

    def data_source(self, data_type: str, name: str) -> Any:
        """A data source as a reference yields it: its attributes are read at apply (Unknown
        naming it), except an ``aws_iam_policy_document``'s JSON and the default VPC's CIDR
        (``data "aws_vpc"`` selecting it: 172.31.0.0/16 in every region), known offline."""
        declared = self.config.data.get((data_type, name))
        if declared is None:
            raise EvalError(f"reference to undeclared data source data.{data_type}.{name}")
        block, display = declared
        base = f"{self.prefix}data.{data_type}.{name}"
        kind = "remote_state" if data_type == "terraform_remote_state" else "data_source"
        origin = Origin(kind, base, Span(display, block.line, block.end_line))
        expansion = self.data_expansion(data_type, name)
        if expansion is None:
            return DataObject(base, origin=origin)
        objects: list[tuple[Any, DataObject]] = []
        for key, env in expansion.instances:
            address = base if key is None else base + key_text(key)
            computed = None
            if data_type == "aws_iam_policy_document":
                computed = self._policy_getter(block, display, env, address)
            elif data_type == "aws_vpc":
                computed = self._default_vpc_getter(name, key)
            objects.append((key, DataObject(address, computed, origin)))
        if expansion.kind in ("single", "unknown"):
            return objects[0][1] if objects else DataObject(base, origin=origin)
        if expansion.kind == "count":
            return SpannedList([obj for _, obj in objects])
        return SpannedDict({str(key): obj for key, obj in objects})

    def _default_vpc_getter(self, name: str, key: Any) -> Callable[[str], Any]:
        def computed(attr: str) -> Any:
            if attr != "cidr_block":
                return None
            body = self.data_config("aws_vpc", name, key)
            return DEFAULT_VPC_CIDR if isinstance(body, dict) and is_default_vpc_query(body) else None

        return computed

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
                value = UnloadedModule(label, reason, self._module_origin(name, label, reason))
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
            why = f"whether {label} exists is unknown: {_reason(expansion)}"
            existence = Unknown(why, (), collect_origins(expansion))
            expansion = Expansion("unknown", [(None, {})], "count/for_each is unknown", existence)
        self.module_kinds[name] = expansion.kind
        self.module_keys[name] = [k for k, _ in expansion.instances]
        if expansion.assumption:
            self.loader.notice(f"{label}: {expansion.assumption}")
        config = self.loader.config(folder)
        children: list[ModuleInstance] = []
        for key, env in expansion.instances:
            prefix = label + ("" if key is None else key_text(key)) + "."
            inputs = {
                attr.name: self._input_getter(attr, file_of(attr, source.display), env)
                for attr in block.body.attributes.values()
                if attr.name not in ("source", "version", "count", "for_each", "providers", "depends_on")
            }
            inherited = self.inherited_assumptions
            if expansion.assumption:
                inherited = (*inherited, f"{label}: {expansion.assumption}")
            child = ModuleInstance(
                self.loader,
                config,
                prefix,
                (*self.call_path, name),
                inputs,
                (*self.chain, folder.resolve()),
                inherited,
                joint_existence(self.inherited_existence, expansion.existence),
            )
            child.input_spans = {
                attr.name: self._input_span_getter(attr, file_of(attr, source.display))
                for attr in block.body.attributes.values()
                if attr.name in inputs
            }
            child.shown = self.shown or (
                Span(source.display, block.line, block.end_line) if is_download(config.display) else None
            )
            children.append(child)
        self.children[name] = children
        return children

    def _module_origin(self, name: str, label: str, reason: str) -> Origin:
        """A module call whose outputs are unknown: ``module.NAME (SOURCE)`` at its block.
        A source not downloaded is filled in by ``terraform init``; the others by no one offline."""
        block, source = self.config.module_calls[name]
        source_attr = block.body.attributes.get("source")
        raw = Evaluator(None).evaluate(source_attr.expr, source.display) if source_attr is not None else None
        text = f"{label} ({raw})" if isinstance(raw, str) else label
        fill_in = "terraform init" if reason.endswith("not downloaded") else ""
        return Origin("module", text, Span(source.display, block.line, block.end_line), fill_in)

    def _input_getter(self, attr: syn.Attribute, display: str, env: dict[str, Any]) -> Callable[[], Any]:
        return lambda: self.eval(attr.expr, display, env)

    def _input_span_getter(self, attr: syn.Attribute, display: str) -> Callable[[], Span | None]:
        return lambda: self.expr_set_span(attr.expr) or Span(display, attr.line, attr.end_line)

    def _module_folder(self, name: str, block: syn.Block, source: SourceFile) -> tuple[Path | None, str | None]:
        loader = self.loader
        label = f"{self.prefix}module.{name}"
        source_attr = block.body.attributes.get("source")
        if source_attr is None:
            loader.error(LoadError(source.display, block.line, f"{label} has no source"))
            return None, "it has no source"
        raw = Evaluator(None).evaluate(source_attr.expr, file_of(source_attr, source.display))
        if not isinstance(raw, str):
            where = file_of(source_attr, source.display)
            loader.error(LoadError(where, source_attr.line, f"{label}: source must be a literal string"))
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
            # a module folder created later changes the answer
            loader.note_looked_for(loader.options.display_path(folder))
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


def _existence(meta: str, what: str, attr: syn.Attribute, display: str, value: Any) -> Unknown:
    """Whether the one instance assumed for an unknown ``count`` / ``for_each`` exists: its
    line first, then the open inputs its value rests on."""
    origin = Origin("count", f"{meta} of {what}", Span(display, attr.line, attr.end_line))
    return Unknown(
        f"whether {what} exists is unknown: its {meta} is not known ({_reason(value)})",
        (),
        merge_origins((origin,), collect_origins(value)),
    )


def joint_existence(outer: Unknown | None, inner: Unknown | None) -> Unknown | None:
    """A resource in a module instance that may not exist may not exist either: both
    uncertainties, the enclosing module's first."""
    if outer is None or inner is None:
        return outer or inner
    return Unknown(f"{outer.reason}; {inner.reason}", (), merge_origins(outer.origins, inner.origins))


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _module_object(child: ModuleInstance) -> ModuleObject:
    return ModuleObject(child.label, lambda: list(child.config.outputs), child.output)


def _reason(value: Any) -> str:
    if isinstance(value, Unknown):
        return value.reason
    if value is None:
        return "null"
    return f"{value} is known only after apply"
