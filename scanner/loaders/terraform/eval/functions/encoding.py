"""Encoding and hashing built-ins: ``jsonencode`` / ``jsondecode``, ``yamlencode`` /
``yamldecode``, ``base64*``, the hashes, ``urlencode``, and those that change on every run
(``uuid``, ``timestamp`` ...), which stay Unknown. An encoded document keeps its decoded form
(``EncodedJson``), so analyses still see the references inside it."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import yaml

from scanner.loaders.terraform.eval.functions.core import (
    FunctionContext,
    FunctionError,
    FunctionTable,
    to_str,
)
from scanner.values import EncodedJson, ResourceRef, Span, SpannedDict, SpannedList, Unknown

FUNCTIONS = FunctionTable()


def _spanned_copy(value: Any, span: Span) -> Any:
    """Plain decoded data (jsondecode/yamldecode) -> Spanned containers pointing at the call."""
    if isinstance(value, dict):
        return SpannedDict(
            {str(k): _spanned_copy(v, span) for k, v in value.items()},
            span=span,
            key_spans={str(k): span for k in value},
        )
    if isinstance(value, list):
        return SpannedList([_spanned_copy(v, span) for v in value], span=span, item_spans=[span] * len(value))
    return value


def json_ready(value: Any) -> Any:
    """Value -> JSON-able data; unknown parts become ``${...}`` placeholders in the text."""
    if isinstance(value, ResourceRef):
        return "${" + str(value) + "}"
    if isinstance(value, Unknown):
        return "${" + (",".join(str(r) for r in value.refs) or "unknown") + "}"
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return "${unknown}"


def encode_json(value: Any) -> EncodedJson:
    text = json.dumps(json_ready(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return EncodedJson(text, value)


@FUNCTIONS.register("jsonencode", passthrough=True)
def fn_jsonencode(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if isinstance(value, Unknown):
        return value
    # nested refs/unknowns do not hide the document: the decoded form keeps them for analysis
    return encode_json(value)


@FUNCTIONS.register("jsondecode")
def fn_jsondecode(args: list[Any], ctx: FunctionContext) -> Any:
    (text,) = args
    if isinstance(text, EncodedJson):
        return text.decoded
    try:
        return _spanned_copy(json.loads(to_str(text)), ctx.span)
    except json.JSONDecodeError as exc:
        raise FunctionError(f"jsondecode: {exc}") from None


@FUNCTIONS.register("yamldecode")
def fn_yamldecode(args: list[Any], ctx: FunctionContext) -> Any:
    (text,) = args
    try:
        return _spanned_copy(yaml.safe_load(to_str(text)), ctx.span)
    except yaml.YAMLError as exc:
        raise FunctionError(f"yamldecode: {exc}") from None


@FUNCTIONS.register("yamlencode", passthrough=True)
def fn_yamlencode(args: list[Any], ctx: FunctionContext) -> Any:
    (value,) = args
    if isinstance(value, Unknown):
        return value
    return EncodedJson(yaml.safe_dump(json_ready(value), sort_keys=True), value)


@FUNCTIONS.register("base64encode")
def fn_base64encode(args: list[Any], ctx: FunctionContext) -> str:
    return base64.b64encode(to_str(args[0]).encode()).decode()


@FUNCTIONS.register("base64decode")
def fn_base64decode(args: list[Any], ctx: FunctionContext) -> str:
    try:
        return base64.b64decode(to_str(args[0]), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise FunctionError(f"base64decode: {exc}") from None


@FUNCTIONS.register("base64gzip")
def fn_base64gzip(args: list[Any], ctx: FunctionContext) -> Any:
    return Unknown("base64gzip output is not reproduced offline")


for _name, _algo in (("md5", "md5"), ("sha1", "sha1"), ("sha256", "sha256"), ("sha512", "sha512")):

    def _hash(args: list[Any], ctx: FunctionContext, _algo: str = _algo) -> str:
        return hashlib.new(_algo, to_str(args[0]).encode()).hexdigest()

    FUNCTIONS.register(_name)(_hash)


@FUNCTIONS.register("base64sha256")
def fn_base64sha256(args: list[Any], ctx: FunctionContext) -> str:
    return base64.b64encode(hashlib.sha256(to_str(args[0]).encode()).digest()).decode()


@FUNCTIONS.register("urlencode")
def fn_urlencode(args: list[Any], ctx: FunctionContext) -> str:
    from urllib.parse import quote

    return quote(to_str(args[0]), safe="")


for _name in ("uuid", "timestamp", "bcrypt", "uuidv5", "plantimestamp"):

    def _volatile(args: list[Any], ctx: FunctionContext, _name: str = _name) -> Any:
        return Unknown(f"{_name}() changes on every run")

    FUNCTIONS.register(_name, passthrough=True)(_volatile)
