"""String built-ins: ``format`` / ``formatlist`` (Go's verbs), ``join``, ``split``,
``replace`` and ``regex`` (Go's regular expressions, read by Python's), trimming, case and
``indent``. Those that can multiply their input check the size of their result first."""

from __future__ import annotations

import json
import re
from typing import Any

from scanner.loaders.terraform.eval.functions.core import (
    FunctionContext,
    FunctionError,
    FunctionTable,
    check_size,
    is_pending,
    to_bool,
    to_int,
    to_list,
    to_number,
    to_str,
    unknown_from,
)
from scanner.loaders.terraform.eval.functions.encoding import json_ready

FUNCTIONS = FunctionTable()


_FORMAT_VERB = re.compile(r"%(?:\[(\d+)\])?([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])")


def _format(fmt: str, values: list[Any]) -> str:
    out: list[str] = []
    pos = 0
    next_arg = 0
    length = 0
    for match in _FORMAT_VERB.finditer(fmt):
        out.append(fmt[pos : match.start()])
        length += match.start() - pos
        pos = match.end()
        explicit, flags, width, precision, verb = match.groups()
        check_size(int(width or 0), "format: width")
        check_size(int(precision or 0), "format: precision")
        if verb == "%":
            out.append("%")
            continue
        index = int(explicit) - 1 if explicit else next_arg
        next_arg = index + 1
        if index >= len(values):
            raise FunctionError(f"format: not enough arguments for {fmt!r}")
        value = values[index]
        if verb in "sv":
            text = (
                to_str(value)
                if not isinstance(value, list | dict)
                else json.dumps(json_ready(value), separators=(",", ":"), sort_keys=True)
            )
        elif verb == "q":
            text = json.dumps(to_str(value))
        elif verb == "t":
            text = "true" if to_bool(value) else "false"
        elif verb == "d":
            text = str(to_int(value))
        elif verb in "fFeEgG":
            text = f"{to_number(value):{'.' + precision if precision else ''}{verb}}"
            precision = None
        elif verb in "xXob":
            text = format(to_int(value), verb) if not isinstance(value, str) else value.encode().hex()
        else:
            raise FunctionError(f"format: unsupported verb %{verb}")
        if precision and verb in "sqv":
            text = text[: int(precision)]
        if width:
            pad = "0" if "0" in flags and verb not in "sqv" else " "
            text = text.ljust(int(width), " ") if "-" in flags else text.rjust(int(width), pad)
        if "+" in flags and verb in "dfeg" and not text.startswith("-"):
            text = "+" + text
        out.append(text)
        length += len(text)
        check_size(length, "format: result")
    out.append(fmt[pos:])
    return "".join(out)


@FUNCTIONS.register("format")
def fn_format(args: list[Any], ctx: FunctionContext) -> Any:
    if not args:
        raise FunctionError("format: missing format string")
    if any(is_pending(a) for a in args[1:]):
        return unknown_from("format() of a value known only after apply", *args)
    return _format(to_str(args[0]), args[1:])


@FUNCTIONS.register("formatlist", passthrough=True)
def fn_formatlist(args: list[Any], ctx: FunctionContext) -> Any:
    if not args or is_pending(args[0]) or any(is_pending(a) for a in args[1:]):
        return unknown_from("formatlist() of unknown values", *args)
    lengths = {len(a) for a in args[1:] if isinstance(a, list | tuple)}
    if len(lengths) > 1:
        raise FunctionError("formatlist: lists of different lengths")
    count = lengths.pop() if lengths else 1
    out: list[Any] = []
    length = 0
    for i in range(count):
        row = [a[i] if isinstance(a, list | tuple) else a for a in args[1:]]
        if any(is_pending(v) for v in row):
            out.append(unknown_from("formatlist() of a value known only after apply", row))
        else:
            out.append(_format(to_str(args[0]), row))
            length += len(out[-1])
        check_size(length + len(out), "formatlist: result")
    return out


@FUNCTIONS.register("join")
def fn_join(args: list[Any], ctx: FunctionContext) -> Any:
    sep = to_str(args[0])
    items: list[Any] = []
    for lst in args[1:]:
        items.extend(to_list(lst))
    if any(is_pending(i) for i in items):
        return unknown_from("join() of values known only after apply", items)
    texts = [to_str(i) for i in items]
    check_size(sum(map(len, texts)) + len(sep) * max(len(texts) - 1, 0), "join: result")
    return sep.join(texts)


@FUNCTIONS.register("split")
def fn_split(args: list[Any], ctx: FunctionContext) -> list[str]:
    sep, text = to_str(args[0]), to_str(args[1])
    if sep == "":
        return list(text)
    return text.split(sep)


@FUNCTIONS.register("upper")
def fn_upper(args: list[Any], ctx: FunctionContext) -> str:
    return to_str(args[0]).upper()


@FUNCTIONS.register("lower")
def fn_lower(args: list[Any], ctx: FunctionContext) -> str:
    return to_str(args[0]).lower()


@FUNCTIONS.register("title")
def fn_title(args: list[Any], ctx: FunctionContext) -> str:
    return re.sub(r"\b(\w)", lambda m: m.group(1).upper(), to_str(args[0]))


def _go_regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern.replace(r"\z", r"\Z"))
    except re.error as exc:
        raise FunctionError(f"invalid regular expression {pattern!r}: {exc}") from None


@FUNCTIONS.register("replace")
def fn_replace(args: list[Any], ctx: FunctionContext) -> str:
    text, search, replacement = (to_str(a) for a in args)
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        pattern = _go_regex(search[1:-1])
        template = re.sub(
            r"\$\{(\w+)\}|\$(\d+)",
            lambda m: "\\g<" + (m.group(1) or m.group(2)) + ">",
            replacement.replace("\\", "\\\\"),
        )
        length = [len(text)]

        def substitute(match: re.Match[str]) -> str:
            piece = match.expand(template)
            length[0] += len(piece)
            check_size(length[0], "replace: result")
            return piece

        return pattern.sub(substitute, text)
    matches = len(text) + 1 if search == "" else text.count(search)
    check_size(len(text) + matches * len(replacement), "replace: result")
    return text.replace(search, replacement)


@FUNCTIONS.register("regex")
def fn_regex(args: list[Any], ctx: FunctionContext) -> Any:
    pattern, text = _go_regex(to_str(args[0])), to_str(args[1])
    match = pattern.search(text)
    if match is None:
        raise FunctionError("regex: the pattern did not match")
    return _match_value(pattern, match)


def _match_value(pattern: re.Pattern[str], match: re.Match[str]) -> Any:
    if pattern.groupindex:
        return {name: match.group(name) for name in pattern.groupindex}
    if pattern.groups:
        return list(match.groups())
    return match.group(0)


@FUNCTIONS.register("regexall")
def fn_regexall(args: list[Any], ctx: FunctionContext) -> list[Any]:
    pattern, text = _go_regex(to_str(args[0])), to_str(args[1])
    return [_match_value(pattern, m) for m in pattern.finditer(text)]


@FUNCTIONS.register("substr")
def fn_substr(args: list[Any], ctx: FunctionContext) -> str:
    text, offset, length = to_str(args[0]), to_int(args[1]), to_int(args[2])
    if offset < 0:
        offset = max(len(text) + offset, 0)
    if length < 0:
        return text[offset:]
    return text[offset : offset + length]


@FUNCTIONS.register("trimspace")
def fn_trimspace(args: list[Any], ctx: FunctionContext) -> str:
    return to_str(args[0]).strip()


@FUNCTIONS.register("trim")
def fn_trim(args: list[Any], ctx: FunctionContext) -> str:
    return to_str(args[0]).strip(to_str(args[1]))


@FUNCTIONS.register("trimprefix")
def fn_trimprefix(args: list[Any], ctx: FunctionContext) -> str:
    text, prefix = to_str(args[0]), to_str(args[1])
    return text[len(prefix) :] if prefix and text.startswith(prefix) else text


@FUNCTIONS.register("trimsuffix")
def fn_trimsuffix(args: list[Any], ctx: FunctionContext) -> str:
    text, suffix = to_str(args[0]), to_str(args[1])
    return text[: -len(suffix)] if suffix and text.endswith(suffix) else text


@FUNCTIONS.register("startswith")
def fn_startswith(args: list[Any], ctx: FunctionContext) -> bool:
    return to_str(args[0]).startswith(to_str(args[1]))


@FUNCTIONS.register("endswith")
def fn_endswith(args: list[Any], ctx: FunctionContext) -> bool:
    return to_str(args[0]).endswith(to_str(args[1]))


@FUNCTIONS.register("strcontains")
def fn_strcontains(args: list[Any], ctx: FunctionContext) -> bool:
    return to_str(args[1]) in to_str(args[0])


@FUNCTIONS.register("strrev")
def fn_strrev(args: list[Any], ctx: FunctionContext) -> str:
    return to_str(args[0])[::-1]


@FUNCTIONS.register("chomp")
def fn_chomp(args: list[Any], ctx: FunctionContext) -> str:
    return re.sub(r"(\r\n|\n|\r)+\Z", "", to_str(args[0]))


@FUNCTIONS.register("indent")
def fn_indent(args: list[Any], ctx: FunctionContext) -> str:
    width, text = to_int(args[0]), to_str(args[1])
    check_size(len(text) + max(width, 0) * (text.count("\n") + 1), "indent: result")
    return text.replace("\n", "\n" + " " * width)
