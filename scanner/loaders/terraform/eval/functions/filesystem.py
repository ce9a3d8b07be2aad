"""File and path built-ins. ``file``, ``filebase64``, ``fileexists`` and ``templatefile`` read
only inside ``ScanOptions.root`` (a path that leaves it is refused and reported); every file
read joins the load's file list and every path looked for and missing is watched. A template
is rendered by the caller's ``render_template``; ``abspath`` stays relative."""

from __future__ import annotations

import base64
import posixpath
from pathlib import Path
from typing import Any

from scanner.findings import LoadError
from scanner.loaders.terraform.eval.functions.core import (
    FunctionContext,
    FunctionError,
    FunctionTable,
    to_map,
    to_str,
)
from scanner.values import Unknown

FUNCTIONS = FunctionTable()


def _resolve_file(raw: Any, ctx: FunctionContext, must_exist: bool = True) -> Path | None:
    text = to_str(raw)
    candidate = Path(text)
    where = f"{ctx.span.file}:{ctx.span.line}"
    if candidate.is_absolute() or not any(ctx.options.inside_root(base / candidate) for base in ctx.base_dirs):
        ctx.report(LoadError(ctx.span.file, ctx.span.line, f"file path {text!r} leaves the scanned folder; refused"))
        raise FunctionError(f"file path {text!r} is outside the scanned folder ({where})")
    for base in ctx.base_dirs:
        path = base / candidate
        if path.exists() or path.is_symlink():
            if not ctx.options.inside_root(path):
                ctx.report(
                    LoadError(
                        ctx.span.file, ctx.span.line, f"file path {text!r} resolves outside the scanned folder; refused"
                    )
                )
                raise FunctionError(f"file path {text!r} resolves outside the scanned folder ({where})")
            return path
    for base in ctx.base_dirs:  # creating one of these later changes the answer
        ctx.note_looked_for(ctx.options.display_path(base / candidate))
    if must_exist:
        raise FunctionError(f"file {text!r} does not exist")
    return None


def _read_text(path: Path, ctx: FunctionContext) -> str:
    display = ctx.options.display_path(path)
    try:
        if path.stat().st_size > ctx.options.max_file_bytes:
            raise FunctionError(f"file {display} is larger than {ctx.options.max_file_bytes} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise FunctionError(f"file {display} cannot be read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FunctionError(f"file {display} is not UTF-8 text") from None
    ctx.note_file(display)
    return text


@FUNCTIONS.register("file")
def fn_file(args: list[Any], ctx: FunctionContext) -> str:
    path = _resolve_file(args[0], ctx)
    assert path is not None
    return _read_text(path, ctx)


@FUNCTIONS.register("filebase64")
def fn_filebase64(args: list[Any], ctx: FunctionContext) -> str:
    return base64.b64encode(fn_file(args, ctx).encode()).decode()


@FUNCTIONS.register("fileexists")
def fn_fileexists(args: list[Any], ctx: FunctionContext) -> bool:
    path = _resolve_file(args[0], ctx, must_exist=False)
    return path is not None and path.is_file()


@FUNCTIONS.register("templatefile")
def fn_templatefile(args: list[Any], ctx: FunctionContext) -> Any:
    path = _resolve_file(args[0], ctx)
    assert path is not None
    variables = to_map(args[1]) if len(args) > 1 else {}
    text = _read_text(path, ctx)
    if ctx.render_template is None:
        return Unknown("templatefile() is not evaluated here")
    return ctx.render_template(text, ctx.options.display_path(path), dict(variables))


@FUNCTIONS.register("fileset")
def fn_fileset(args: list[Any], ctx: FunctionContext) -> Any:
    return Unknown("fileset() is not evaluated")


@FUNCTIONS.register("abspath")
def fn_abspath(args: list[Any], ctx: FunctionContext) -> str:
    # an absolute path of the scanning machine means nothing in a report: keep it relative
    return posixpath.normpath(to_str(args[0]))


@FUNCTIONS.register("basename")
def fn_basename(args: list[Any], ctx: FunctionContext) -> str:
    return posixpath.basename(to_str(args[0]).rstrip("/"))


@FUNCTIONS.register("dirname")
def fn_dirname(args: list[Any], ctx: FunctionContext) -> str:
    return posixpath.dirname(to_str(args[0])) or "."


@FUNCTIONS.register("pathexpand")
def fn_pathexpand(args: list[Any], ctx: FunctionContext) -> str:
    return to_str(args[0])
