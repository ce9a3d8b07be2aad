"""Variables with Terraform's precedence and its type conversions.

A variable of the root module takes, from lowest to highest: its default, then
``terraform.tfvars(.json)``, ``*.auto.tfvars(.json)`` by name, the ``--var-file`` files in
order, then ``--var`` (``root_values``); a module's variable takes what its caller passes. An
explicit null in a variable with ``nullable = false`` takes the default, and a value is
converted to the declared primitive type (or list, set, map, object of them) as Terraform
converts it. A ``--var`` value is read as an expression unless the variable is a string.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from scanner.findings import LoadError
from scanner.loaders.terraform import hcl as syn
from scanner.loaders.terraform.cli_variables import TypeMismatch, check_cli_variable, cli_value, conform
from scanner.loaders.terraform.eval import Evaluator
from scanner.loaders.terraform.eval.functions import (
    FunctionError,
    is_pending,
    make_set,
    to_bool,
    to_number,
    to_str,
)
from scanner.loaders.terraform.file_names import TFVARS_SUFFIXES
from scanner.loaders.terraform.files import link_display
from scanner.loaders.terraform.load_run import LoadRun
from scanner.loaders.terraform.modules import ModuleConfig
from scanner.loaders.terraform.overrides import file_of
from scanner.values import Origin, Span, SpannedDict, SpannedList, Unknown

Getter = Callable[[], Any]


def root_values(
    run: LoadRun, config: ModuleConfig, spans: dict[str, Span] | None = None
) -> dict[str, tuple[Getter, str]]:
    """Root variables: defaults < terraform.tfvars(.json) < *.auto.tfvars(.json) < var files < --var.
    Each value (evaluated when first asked for) with where it is set; ``spans`` (when given)
    gets the line of each value a variables file sets (a ``--var`` has none)."""
    values: dict[str, tuple[Getter, str]] = {}
    folder = run.folder
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
    sources.extend(Path(p) for p in run.options.var_files)
    _note_unloaded_var_files(run, sources)
    literal = Evaluator(None, report=run.error)
    for path in sources:
        display = run.options.display_path(path)
        if path.parent.resolve() == folder.resolve() and not run.options.inside_root(path):
            run.notice(f"{link_display(path, run.options)}: links outside the scanned folder; not read")
            continue
        source = run.read_file(path, display)
        if source is None:
            continue
        run.note_file(display)
        for attr in source.body.attributes.values():

            def value(attr: syn.Attribute = attr, display: str = display) -> Any:
                return literal.evaluate(attr.expr, display)

            values[attr.name] = (value, display)
            if spans is not None:
                spans[attr.name] = Span(display, attr.line, attr.end_line)
    for name, raw in run.options.variables.items():
        declared = config.variables.get(name)
        if declared is not None:  # a --var this root does not declare is for another root
            check_cli_variable(run, name, raw, declared[0], declared[1])

        def cli_value(name: str = name, raw: str = raw) -> Any:
            return _cli_value(config, name, raw, run.options.cache_dir)

        values[name] = (cli_value, "--var")
        if spans is not None:
            spans.pop(name, None)
    return values


def _note_unloaded_var_files(run: LoadRun, loaded: list[Path]) -> None:
    """Terraform reads only ``terraform.tfvars(.json)`` and ``*.auto.tfvars(.json)`` by itself:
    another ``.tfvars`` file beside the root module (``prod.tfvars``) is used only when named
    with ``-var-file``, so its values are not the scan's unless it was named. Said once per
    root module, unless one of its files was named (an environment was chosen)."""
    folder = run.folder.resolve()
    chosen = {p.resolve() for p in loaded}
    if any(p.parent == folder for p in (Path(v).resolve() for v in run.options.var_files)):
        return
    try:
        names = sorted(p.name for p in folder.iterdir() if p.name.endswith(TFVARS_SUFFIXES) and p.is_file())
    except OSError:
        return
    unloaded = [folder / n for n in names if (folder / n).resolve() not in chosen]
    if not unloaded:
        return
    shown = [run.options.display_path(p) for p in unloaded]
    run.notice(
        f"{', '.join(shown)}: not read (Terraform loads only terraform.tfvars and *.auto.tfvars by itself); "
        f"to scan with its values: --var-file {shown[0]}"
    )


def _cli_value(config: ModuleConfig, name: str, raw: str, grammar_cache: Path | None) -> Any:
    """The value of ``--var name=raw`` as Terraform reads it (``cli_variables``): text for a
    primitive type or none, else literal HCL, converted to the declared type. One Terraform
    would refuse was reported as a usage error; the text stands in for it."""
    declared = config.variables.get(name)
    type_attr = declared[0].body.attributes.get("type") if declared else None
    if type_attr is None:
        return raw
    try:
        return conform(cli_value(raw, type_attr.expr, grammar_cache), type_attr.expr)
    except TypeMismatch:
        return raw


def variable_name(expr: syn.Expr) -> str | None:
    """``NAME`` when ``expr`` is ``var.NAME``."""
    if isinstance(expr, syn.GetAttr) and isinstance(expr.obj, syn.Variable) and expr.obj.name == "var":
        return expr.name
    return None


def passed_variable_span(expr: syn.Expr, set_span: Callable[[str], Span | None]) -> Span | None:
    """Where the value of an argument written as ``expr`` is set (``set_span`` of a variable
    name), when ``expr`` passes a variable through unchanged: ``var.x``, or a list of such
    items all set at one place (``[var.admin_cidr]``). None for anything else (a literal,
    ``local.x``, a function of a variable, ``concat(var.extra, [...])``,
    ``"${var.prefix}/16"``): then the argument's own line is where its value is set."""
    name = variable_name(expr)
    if name is not None:
        return set_span(name)
    if isinstance(expr, syn.TupleExpr) and expr.items:
        names = [variable_name(item) for item in expr.items]
        spans = {set_span(n) if n is not None else None for n in names}
        return spans.pop() if len(spans) == 1 else None  # {None}: an item is not a variable
    return None


def variable_origin(name: str, declared: tuple[syn.Block, str], prefix: str, cli: bool = True) -> Origin:
    """The open input a variable without a value is: its ``variable "NAME"`` line. A root
    variable is filled in with ``--var`` (``cli``: not when a plan's values replace them); a
    module's takes its caller's argument, so no ``--var`` reaches it (its caller's unknown
    names the root variable instead)."""
    block, display = declared
    fill_in = f"--var {name}=..." if cli and not prefix else ""
    return Origin("variable", f"{prefix}var.{name}", Span(display, block.line, block.line), fill_in)


def variable_value(
    name: str,
    declared: tuple[syn.Block, str],
    inputs: Mapping[str, Getter],
    root: Mapping[str, tuple[Getter, str]],
    where: str,
    report: Callable[[LoadError], None],
    origin: Origin | None = None,
) -> Any:
    """The value of variable ``name`` (declared by ``declared``: its block and file) of a
    module instance: its caller's input, else the root's value, else its default; Unknown
    when it has none (``where`` names the module instance in that reason), naming ``origin``.
    A caller's input that is Unknown keeps the caller's origins (the root variable, data
    source ... that decide it); any other Unknown value (a plan that does not record it, a
    ``.tfvars`` expression not evaluated offline) names ``origin``, which ``--var`` fills in."""
    block, display = declared
    attrs = block.body.attributes
    literal = Evaluator(None, report=report)
    value: Any = None
    found = False
    if name in inputs:
        value, found = inputs[name](), True
    elif name in root:
        value, found = root[name][0](), True
    elif "default" in attrs:
        value, found = literal.evaluate(attrs["default"].expr, file_of(attrs["default"], display)), True
    if not found:
        return Unknown(f"variable {name}{where} has no value", (), (origin,) if origin is not None else ())
    if isinstance(value, Unknown) and not value.origins and origin is not None and name not in inputs:
        return Unknown(value.reason, value.refs, (origin,))
    if value is None and "default" in attrs and "nullable" in attrs:
        # nullable = false: Terraform replaces an explicit null with the default
        if Evaluator(None).evaluate(attrs["nullable"].expr, file_of(attrs["nullable"], display)) is False:
            value = literal.evaluate(attrs["default"].expr, file_of(attrs["default"], display))
    type_attr = block.body.attributes.get("type")
    if type_attr is not None and value is not None and not is_pending(value):
        value = _convert(value, type_attr.expr)
    return value


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
                spans = list(getattr(value, "item_spans", []))
                if type_expr.name == "set":
                    return make_set(converted, spans, getattr(value, "span", None))
                return SpannedList(converted, span=getattr(value, "span", None), item_spans=spans)
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
