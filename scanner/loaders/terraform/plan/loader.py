"""``terraform show -json`` output -> a Configuration.

A plan has resolved values already (``planned_values``), but it drops every value that is
only known after apply, and with it the edges between resources: a new instance's
``vpc_security_group_ids`` is simply missing. Two more parts of the plan give them back:

* ``resource_changes[].change.after_unknown`` says which attributes are unknown: they become
  ``Unknown("... known after apply")`` when the configuration sets them (an unknown the
  configuration does not set is a provider default, so it stays "not set");
* ``configuration`` keeps each attribute's ``references`` (``aws_security_group.web.id``,
  ``var.x`` of a module call, ``module.m.output``): they are resolved to planned addresses and
  put back as ``ResourceRef``s, both where the value is unknown and where a known value is
  exactly the referenced resource's attribute (``iam_instance_profile = "web"``).

Spans point into the ``.tf`` files when ``options.plan_source`` names them, else into the
plan JSON itself (every key of a pretty-printed plan has its own line; a one-line plan, as
terraform writes it, points at line 1).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

from scanner.adapters.raw import RawResource
from scanner.findings import Configuration, LoadError
from scanner.loaders.terraform_model import map_resources
from scanner.options import ScanOptions
from scanner.values import ResourceRef, Span, SpannedDict, SpannedList, Unknown

_HEAD_BYTES = 1 << 20


def is_terraform_plan(path: Path) -> bool:
    """A JSON file written by ``terraform show -json`` (by content, not by name)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
            if not head.lstrip().startswith(b"{") or b'"format_version"' not in head:
                return False
            while head:
                if b'"planned_values"' in head or b'"resource_changes"' in head:
                    return True
                # keep a tail so a key split across two reads is still found
                tail = head[-32:]
                more = handle.read(_HEAD_BYTES)
                head = tail + more if more else b""
    except OSError:
        return False
    return False


# --- JSON with lines ---------------------------------------------------------------------

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}


class _JsonWithLines:
    """A JSON reader that returns SpannedDict / SpannedList carrying each key's line."""

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.newlines = [index for index, char in enumerate(text) if char == "\n"]

    def line(self, position: int) -> int:
        return bisect.bisect_left(self.newlines, position) + 1

    def skip(self, position: int) -> int:
        match = _WHITESPACE.match(self.text, position)
        return match.end() if match else position

    def parse(self) -> Any:
        value, end = self.value(self.skip(0))
        if self.skip(end) != len(self.text):
            raise ValueError(f"extra data at line {self.line(end)}")
        return value

    def value(self, position: int) -> tuple[Any, int]:
        text = self.text
        if position >= len(text):
            raise ValueError("unexpected end of file")
        char = text[position]
        if char == "{":
            return self.object(position)
        if char == "[":
            return self.array(position)
        if char == '"':
            return scanstring(text, position + 1)
        for word, literal in _LITERALS.items():
            if text.startswith(word, position):
                return literal, position + len(word)
        match = _NUMBER.match(text, position)
        if match is None:
            raise ValueError(f"unexpected {char!r} at line {self.line(position)}")
        number = match.group()
        return (float(number) if match.group(1) or match.group(2) else int(number)), match.end()

    def object(self, start: int) -> tuple[SpannedDict, int]:
        result = SpannedDict()
        position = self.skip(start + 1)
        if self.text[position] != "}":
            while True:
                if self.text[position] != '"':
                    raise ValueError(f"expected a key at line {self.line(position)}")
                key_line = self.line(position)
                key, position = scanstring(self.text, position + 1)
                position = self.skip(position)
                if self.text[position] != ":":
                    raise ValueError(f"expected ':' at line {self.line(position)}")
                value, position = self.value(self.skip(position + 1))
                result[key] = value
                result.key_spans[key] = Span(self.file, key_line, self.line(position - 1))
                position = self.skip(position)
                if self.text[position] == ",":
                    position = self.skip(position + 1)
                    continue
                if self.text[position] != "}":
                    raise ValueError(f"expected ',' or '}}' at line {self.line(position)}")
                break
        result.span = Span(self.file, self.line(start), self.line(position))
        return result, position + 1

    def array(self, start: int) -> tuple[SpannedList, int]:
        result = SpannedList()
        position = self.skip(start + 1)
        if self.text[position] != "]":
            while True:
                item_line = self.line(position)
                value, position = self.value(position)
                result.append(value)
                result.item_spans.append(Span(self.file, item_line, self.line(position - 1)))
                position = self.skip(position)
                if self.text[position] == ",":
                    position = self.skip(position + 1)
                    continue
                if self.text[position] != "]":
                    raise ValueError(f"expected ',' or ']' at line {self.line(position)}")
                break
        result.span = Span(self.file, self.line(start), self.line(position))
        return result, position + 1


def _spanned(value: Any, span: Span) -> Any:
    """Plain JSON -> Spanned containers that all point at one span (a one-line plan)."""
    if isinstance(value, dict):
        return SpannedDict(
            {key: _spanned(item, span) for key, item in value.items()}, span=span, key_spans=dict.fromkeys(value, span)
        )
    if isinstance(value, list):
        return SpannedList([_spanned(item, span) for item in value], span=span, item_spans=[span] * len(value))
    return value


def read_json_with_lines(text: str, file: str) -> Any:
    if text.count("\n") <= 1:
        # terraform writes plans on one line: every span is line 1, the fast parser will do.
        return _spanned(json.loads(text), Span(file, 1, 1))
    return _JsonWithLines(text, file).parse()


# --- .tf source lines --------------------------------------------------------------------


@dataclass
class SourceBlock:
    """Where a block and each of its attributes / nested blocks are written in a .tf file."""

    span: Span
    attributes: dict[str, Span] = field(default_factory=dict)
    blocks: dict[str, list[SourceBlock]] = field(default_factory=dict)
    literals: dict[str, Any] = field(default_factory=dict)  # attributes written as a literal or a list of them


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_HCL_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n")


@dataclass(frozen=True)
class _Token:
    kind: str  # "ident", "string", "number", "heredoc", "punct", "newline", "other"
    text: str
    line: int
    end_line: int = 0  # a heredoc's closing marker line


class _HclTokens:
    """Just enough of HCL's lexical structure to find blocks and attributes by line:
    strings with nested interpolations, heredocs and comments never open or close a block."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.line = 1

    def _advance(self, end: int) -> None:
        self.line += self.text.count("\n", self.position, end)
        self.position = end

    def _string_end(self, position: int) -> int:
        """``position`` is just after an opening quote; returns the index after the closing one."""
        text = self.text
        while position < len(text):
            char = text[position]
            if char == "\\":
                position += 2
            elif char == '"':
                return position + 1
            elif char in "$%" and text.startswith("{", position + 1):
                position = self._template_end(position + 2)
            elif char == "\n":
                return position  # unterminated: stop at the line end
            else:
                position += 1
        return position

    def _template_end(self, position: int) -> int:
        depth = 1
        text = self.text
        while position < len(text) and depth:
            char = text[position]
            if char == '"':
                position = self._string_end(position + 1)
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            position += 1
        return position

    def __iter__(self) -> Iterator[_Token]:
        text = self.text
        while self.position < len(text):
            char = text[self.position]
            line = self.line
            if char == "\n":
                self._advance(self.position + 1)
                yield _Token("newline", "\n", line)
            elif char in " \t\r":
                self._advance(self.position + 1)
            elif char == "#" or text.startswith("//", self.position):
                end = text.find("\n", self.position)
                self._advance(len(text) if end < 0 else end)
            elif text.startswith("/*", self.position):
                end = text.find("*/", self.position + 2)
                self._advance(len(text) if end < 0 else end + 2)
            elif char == '"':
                end = self._string_end(self.position + 1)
                value = text[self.position + 1 : end - 1]
                self._advance(end)
                yield _Token("string", value, line)
            elif (heredoc := _HEREDOC.match(text, self.position)) is not None:
                marker = heredoc.group(1)
                closing = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*$", re.MULTILINE)
                found = closing.search(text, heredoc.end())
                self._advance(len(text) if found is None else found.end())
                yield _Token("heredoc", "<<heredoc", line, self.line)
            elif (ident := _IDENT.match(text, self.position)) is not None:
                self._advance(ident.end())
                yield _Token("ident", ident.group(), line)
            elif (number := _HCL_NUMBER.match(text, self.position)) is not None:
                self._advance(number.end())
                yield _Token("number", number.group(), line)
            else:
                self._advance(self.position + 1)
                yield _Token("punct" if char in "{}[]()=:," else "other", char, line)


def _parse_body(tokens: list[_Token], index: int, file: str, start_line: int) -> tuple[SourceBlock, int]:
    """Read a body up to its closing brace; ``index`` is just after the opening brace. A
    nested block is filed under its type (``ingress``) and, when labelled, under its type and
    labels (``resource aws_instance web``)."""
    block = SourceBlock(Span(file, start_line, start_line))
    while index < len(tokens):
        token = tokens[index]
        if token.text == "}" and token.kind == "punct":
            block.span = Span(file, start_line, token.line)
            return block, index + 1
        if token.kind in ("ident", "string"):
            after = index + 1
            if token.kind == "ident":
                while after < len(tokens) and tokens[after].kind in ("ident", "string"):
                    after += 1  # block labels
            following = tokens[after].text if after < len(tokens) else ""
            if following in ("=", ":") and after == index + 1:
                end, end_line = _expression_end(tokens, after + 1)
                block.attributes.setdefault(token.text, Span(file, token.line, end_line))
                literal = _literal([item for item in tokens[after + 1 : end] if item.kind != "newline"])
                if literal is not None:
                    block.literals.setdefault(token.text, literal)
                index = end
                continue
            if following == "{" and token.kind == "ident":
                labels = [label.text for label in tokens[index + 1 : after]]
                child, index = _parse_body(tokens, after + 1, file, token.line)
                block.blocks.setdefault(token.text, []).append(child)
                if labels:
                    block.blocks.setdefault(" ".join([token.text, *labels]), []).append(child)
                continue
        index += 1
    return block, index


def _literal(tokens: list[_Token]) -> Any:
    """A literal's value as text (``22``, ``"tcp"``, ``true``), or a list of them; else None."""
    if len(tokens) == 1 and tokens[0].kind in ("string", "number", "ident") and "${" not in tokens[0].text:
        return tokens[0].text
    if len(tokens) >= 2 and tokens[0].text == "[" and tokens[-1].text == "]":
        items = [token for token in tokens[1:-1] if token.text != ","]
        if all(token.kind in ("string", "number") and "${" not in token.text for token in items):
            return [token.text for token in items]
    return None


def _expression_end(tokens: list[_Token], index: int) -> tuple[int, int]:
    """The token after an attribute's expression and the expression's last line."""
    depth = 0
    last_line = tokens[index - 1].line
    while index < len(tokens):
        token = tokens[index]
        if token.kind == "newline" and depth == 0:
            return index, last_line
        if token.text in "([{" and token.kind == "punct":
            depth += 1
        elif token.text in ")]}" and token.kind == "punct":
            if depth == 0:
                return index, last_line
            depth -= 1
        if token.kind != "newline":
            last_line = max(token.line, token.end_line)
        index += 1
    return index, last_line


def index_tf_file(text: str, file: str) -> SourceBlock:
    """Every top-level block of a .tf file, filed by type and labels (``resource aws_vpc main``)."""
    tokens = list(_HclTokens(text))
    root, _ = _parse_body([*tokens, _Token("punct", "}", text.count("\n") + 1)], 0, file, 1)
    return root


# --- the plan ------------------------------------------------------------------------------

_INDEX = r'\[(?:"(?:[^"\\]|\\.)*"|\d+|\*)\]'
_RESOURCE_REF = re.compile(rf"^([A-Za-z][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)({_INDEX})?(?:\.([A-Za-z0-9_-]+))?")
_MODULE_REF = re.compile(rf"^module\.([A-Za-z_][A-Za-z0-9_-]*)({_INDEX})?(?:\.([A-Za-z0-9_-]+))?")
_MODULE_SEGMENT = re.compile(rf"module\.([A-Za-z_][A-Za-z0-9_-]*)({_INDEX})?")
_NOT_RESOURCES = ("local.", "each.", "count.", "path.", "self.", "terraform.", "data.")


def _index_value(text: str | None) -> Any:
    if not text or text == "[*]":
        return None
    try:
        return json.loads(text[1:-1])
    except ValueError:
        return None


@dataclass
class _Scope:
    """One module instance of the plan (the root module is address "")."""

    address: str
    config: Mapping[str, Any]
    parent: _Scope | None = None
    call_name: str = ""
    call_index: Any = None
    source_dir: Path | None = None
    children: list[_Scope] = field(default_factory=list)


@dataclass
class _Planned:
    address: str
    type: str
    name: str
    index: Any
    scope: _Scope
    values: SpannedDict
    entry: SpannedDict  # the planned_values object, for its span


@dataclass
class _Plan:
    resources: list[_Planned] = field(default_factory=list)
    by_scope: dict[tuple[str, str, str], list[_Planned]] = field(default_factory=dict)
    prior: dict[str, Mapping[str, Any]] = field(default_factory=dict)

    def add(self, planned: _Planned) -> None:
        self.resources.append(planned)
        self.by_scope.setdefault((planned.scope.address, planned.type, planned.name), []).append(planned)

    def value_of(self, address: str, attribute: str) -> Any:
        for planned in self.resources:
            if planned.address == address and attribute in planned.values:
                return planned.values[attribute]
        prior = self.prior.get(address)
        return prior.get(attribute) if prior is not None else None


def _config_resource(scope: _Scope, resource_type: str, name: str) -> Mapping[str, Any] | None:
    for resource in scope.config.get("resources") or []:
        if (
            isinstance(resource, Mapping)
            and resource.get("type") == resource_type
            and resource.get("name") == name
            and resource.get("mode", "managed") == "managed"
        ):
            return resource
    return None


def _module_call(scope: _Scope, name: str) -> Mapping[str, Any]:
    calls = scope.config.get("module_calls") or {}
    call = calls.get(name) if isinstance(calls, Mapping) else None
    return call if isinstance(call, Mapping) else {}


def _expression_refs(expression: Any) -> list[str]:
    """Every reference string in an expression (or a list of block expressions)."""
    found: list[str] = []
    if isinstance(expression, Mapping):
        refs = expression.get("references")
        if isinstance(refs, list):
            found.extend(ref for ref in refs if isinstance(ref, str))
        for key, value in expression.items():
            if key not in ("references", "constant_value") and isinstance(value, (Mapping, list)):
                found.extend(_expression_refs(value))
    elif isinstance(expression, list):
        for item in expression:
            found.extend(_expression_refs(item))
    return found


class _Resolver:
    """Configuration references -> planned resource addresses."""

    def __init__(self, plan: _Plan) -> None:
        self.plan = plan

    def resolve(self, refs: list[str], scope: _Scope, referrer: _Planned | None, depth: int = 0) -> list[ResourceRef]:
        found: dict[str, ResourceRef] = {}
        # "aws_sg.web.id" and "aws_sg.web" both come: the longer one names the attribute.
        for text in sorted(refs, key=len, reverse=True):
            for ref in self._resolve_one(text, refs, scope, referrer, depth):
                found.setdefault(ref.address, ref)
        return list(found.values())

    def _resolve_one(
        self, text: str, all_refs: list[str], scope: _Scope, referrer: _Planned | None, depth: int
    ) -> list[ResourceRef]:
        if depth > 16 or text.startswith(_NOT_RESOURCES):
            return []
        if text.startswith("var."):
            return self._variable(text[4:], scope, depth)
        if text.startswith("module."):
            return self._module_output(text, scope, depth)
        match = _RESOURCE_REF.match(text)
        if match is None:
            return []
        resource_type, name, index_text, attribute = match.groups()
        candidates = self.plan.by_scope.get((scope.address, resource_type, name), [])
        wanted = _index_value(index_text)
        if wanted is not None:
            candidates = [planned for planned in candidates if planned.index == wanted]
        elif (
            len(candidates) > 1
            and referrer is not None
            and referrer.index is not None
            and ("count.index" in all_refs or "each.key" in all_refs or "each.value" in all_refs)
        ):
            # aws_subnet.public[count.index]: the instance with the referrer's own index
            same = [planned for planned in candidates if planned.index == referrer.index]
            candidates = same or candidates
        return [ResourceRef(planned.address, attribute or "id") for planned in candidates]

    def _variable(self, rest: str, scope: _Scope, depth: int) -> list[ResourceRef]:
        if scope.parent is None:
            return []
        name = _IDENT.match(rest)
        if name is None:
            return []
        call = _module_call(scope.parent, scope.call_name)
        expressions = call.get("expressions") or {}
        expression = expressions.get(name.group()) if isinstance(expressions, Mapping) else None
        return self.resolve(_expression_refs(expression), scope.parent, None, depth + 1)

    def _module_output(self, text: str, scope: _Scope, depth: int) -> list[ResourceRef]:
        match = _MODULE_REF.match(text)
        if match is None or match.group(3) is None:
            return []
        name, index_text, output = match.groups()
        outputs = (_module_call(scope, name).get("module") or {}).get("outputs") or {}
        definition = outputs.get(output) if isinstance(outputs, Mapping) else None
        if not isinstance(definition, Mapping):
            return []
        refs = _expression_refs(definition.get("expression"))
        wanted = _index_value(index_text)
        found: list[ResourceRef] = []
        for child in scope.children:
            if child.call_name == name and (wanted is None or child.call_index == wanted):
                found.extend(self.resolve(refs, child, None, depth + 1))
        return found


# --- unknowns and references in a body -------------------------------------------------------


def _unknown(address: str, path: str) -> Unknown:
    return Unknown(f"{address}.{path} is only known after apply")


def _is_leaf(expression: Any) -> bool:
    """An attribute's expression (it covers every value inside it), not a block's attributes."""
    return isinstance(expression, Mapping) and set(expression) <= {"references", "constant_value"}


def _merge_unknowns(values: Any, marks: Any, expression: Any, covered: bool, address: str, path: str) -> Any:
    """Put Unknown where after_unknown says so, when the configuration sets that value:
    ``covered`` (an enclosing attribute expression, or no configuration at all) or an
    expression for it. Unknowns the configuration does not set are provider defaults."""
    configured = covered or expression is not None
    if marks is True:
        return _unknown(address, path) if configured else values
    if isinstance(marks, Mapping) and (values is None or isinstance(values, Mapping)):
        if values is None and not configured:
            return values
        result = values if isinstance(values, SpannedDict) else SpannedDict(values or {})
        for key, mark in marks.items():
            if mark is False or mark == [] or mark == {}:
                continue
            inner = (
                None if covered or _is_leaf(expression) or not isinstance(expression, Mapping) else expression.get(key)
            )
            inner_covered = covered or _is_leaf(expression) or _is_leaf(inner)
            merged = _merge_unknowns(
                result.get(key), mark, inner, inner_covered, address, f"{path}.{key}" if path else key
            )
            if merged is not None:
                result[key] = merged
        return result
    if isinstance(marks, list) and isinstance(values, list):
        for position, mark in enumerate(marks):
            if mark is False:
                continue
            while len(values) <= position:
                values.append(None)
            inner = expression[position] if isinstance(expression, list) and position < len(expression) else None
            values[position] = _merge_unknowns(
                values[position], mark, inner, covered or _is_leaf(expression), address, f"{path}[{position}]"
            )
        return values
    if isinstance(marks, list) and values is None and configured:
        return _unknown(address, path)
    return values


def _stem(key: str) -> str:
    for suffix in ("_ids", "_id", "_arns", "_arn", "_names", "_name", "s"):
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def _plausible(key: str, refs: list[ResourceRef]) -> list[ResourceRef]:
    """Of several references, those whose type fits the attribute (gateway_id -> a gateway)."""
    stem = _stem(key)
    fitting = []
    for ref in refs:
        resource_type = ref.address.split(".")[-2] if "." in ref.address else ref.address
        resource_type = re.sub(r"\[.*$", "", resource_type)
        kind = resource_type.removeprefix("aws_")
        if stem and (stem in resource_type or kind in key):
            fitting.append(ref)
    return fitting or refs


def _refs_for(key: str, refs: list[ResourceRef], reason: Unknown) -> Any:
    chosen = _plausible(key, refs)
    if len(chosen) == 1:
        return chosen[0]
    if chosen:
        return list(chosen)
    return reason


def _apply_refs(value: Any, key: str, refs: list[ResourceRef], plan: _Plan) -> Any:
    """Unknowns covered by these references become them; a known string equal to a
    referenced resource's attribute becomes a reference to it."""
    if not refs:
        return value
    if isinstance(value, Unknown):
        return _refs_for(key, refs, value)
    if isinstance(value, str):
        for ref in refs:
            if plan.value_of(ref.address, ref.attribute) == value:
                return ref
        return value
    if isinstance(value, list):
        expanded: list[Any] = []
        spans: list[Span | None] = []
        for position, item in enumerate(value):
            replaced = _apply_refs(item, key, refs, plan)
            item_span = (
                value.item_spans[position]
                if isinstance(value, SpannedList) and position < len(value.item_spans)
                else None
            )
            # an unknown item standing for several resources (aws_subnet.public[*].id) becomes all of them
            items = replaced if isinstance(replaced, list) and isinstance(item, Unknown) else [replaced]
            expanded.extend(items)
            spans.extend([item_span] * len(items))
        result = SpannedList(expanded, span=getattr(value, "span", None), item_spans=spans)
        return result
    if isinstance(value, Mapping):
        for inner_key in list(value):
            value[inner_key] = _apply_refs(value[inner_key], inner_key, refs, plan)  # type: ignore[index]
        return value
    return value


def _apply_expressions(
    values: SpannedDict, expressions: Mapping[str, Any], scope: _Scope, planned: _Planned, resolver: _Resolver
) -> None:
    for key, expression in expressions.items():
        if key not in values:
            continue
        if isinstance(expression, list):
            # nested blocks written as blocks: one expression mapping per block
            blocks = values[key]
            if isinstance(blocks, list):
                for position, block in enumerate(blocks):
                    block_expression = expression[position] if position < len(expression) else None
                    if isinstance(block, SpannedDict) and isinstance(block_expression, Mapping):
                        _apply_expressions(block, block_expression, scope, planned, resolver)
            continue
        refs = resolver.resolve(_expression_refs(expression), scope, planned)
        values[key] = _apply_refs(values[key], key, refs, resolver.plan)


def _count_unknowns(value: Any) -> int:
    if isinstance(value, Unknown):
        return 1
    if isinstance(value, Mapping):
        return sum(_count_unknowns(item) for item in value.values())
    if isinstance(value, list):
        return sum(_count_unknowns(item) for item in value)
    return 0


# --- spans from the .tf source ----------------------------------------------------------------


class _Sources:
    """The .tf files of the plan's root module and of its modules, indexed by block."""

    def __init__(self, options: ScanOptions) -> None:
        self.options = options
        self.by_dir: dict[Path, list[SourceBlock]] = {}
        self.files: list[str] = []
        self.module_dirs: dict[str, Path] = {}
        root = options.plan_source
        if root is not None:
            manifest = root / ".terraform" / "modules" / "modules.json"
            try:
                entries = json.loads(manifest.read_text(encoding="utf-8")).get("Modules") or []
            except (OSError, ValueError, AttributeError):
                entries = []
            for entry in entries:
                if isinstance(entry, dict) and isinstance(entry.get("Key"), str) and isinstance(entry.get("Dir"), str):
                    self.module_dirs[entry["Key"]] = root / entry["Dir"]

    def blocks(self, directory: Path) -> list[SourceBlock]:
        if directory not in self.by_dir:
            found = []
            if directory.is_dir() and self.options.inside_root(directory):
                for path in sorted(directory.glob("*.tf")):
                    try:
                        text = path.read_text(encoding="utf-8")
                    except (OSError, UnicodeDecodeError):
                        continue
                    file = self.options.display_path(path)
                    self.files.append(file)
                    found.append(index_tf_file(text, file))
            self.by_dir[directory] = found
        return self.by_dir[directory]

    def resource(self, directory: Path | None, resource_type: str, name: str) -> SourceBlock | None:
        if directory is None:
            return None
        for root in self.blocks(directory):
            matches = root.blocks.get(f"resource {resource_type} {name}")
            if matches:
                return matches[0]
        return None


def _module_key(scope: _Scope) -> str:
    names: list[str] = []
    current: _Scope | None = scope
    while current is not None and current.parent is not None:
        names.insert(0, current.call_name)
        current = current.parent
    return ".".join(names)


def _scope_dir(scope: _Scope, sources: _Sources) -> Path | None:
    if scope.parent is None:
        return sources.options.plan_source
    parent_dir = scope.parent.source_dir
    source = _module_call(scope.parent, scope.call_name).get("source")
    if isinstance(source, str) and source.startswith(("./", "../")) and parent_dir is not None:
        return (parent_dir / source).resolve()
    return sources.module_dirs.get(_module_key(scope))


def _block_constants(expression: Any) -> list[Mapping[str, Any]] | None:
    """The per-block constant values the configuration wrote, in source order."""
    if isinstance(expression, Mapping) and isinstance(expression.get("constant_value"), list):
        return [item if isinstance(item, Mapping) else {} for item in expression["constant_value"]]
    if isinstance(expression, list):
        return [
            {
                key: inner.get("constant_value")
                for key, inner in item.items()
                if isinstance(inner, Mapping) and "constant_value" in inner
            }
            if isinstance(item, Mapping)
            else {}
            for item in expression
        ]
    return None


def _same(written: Any, planned: Any) -> bool:
    if written is None:
        return True
    if isinstance(planned, bool):
        return str(written).lower() == str(planned).lower()
    if isinstance(written, list) and isinstance(planned, list):
        return sorted(map(str, written)) == sorted(map(str, planned))
    return str(written) == str(planned)


def _match_blocks(planned: list[Any], written: list[Mapping[str, Any]] | None, count: int) -> list[int | None]:
    """For each planned block, the source block it came from (sets are reordered by terraform)."""
    if written is None or len(written) != len(planned):
        return [position if position < count else None for position in range(len(planned))]
    order: list[int | None] = []
    used: set[int] = set()
    for item in planned:
        best: int | None = None
        for position, constants in enumerate(written):
            if position in used or not isinstance(item, Mapping):
                continue
            if all(_same(value, item.get(key)) for key, value in constants.items()):
                best = position
                break
        if best is None:
            best = next((position for position in range(len(written)) if position not in used), None)
        if best is not None:
            used.add(best)
        order.append(best if best is not None and best < count else None)
    return order


def _respan(values: SpannedDict, source: SourceBlock, expressions: Any) -> None:
    """Point a body and its nested blocks at the .tf source."""
    values.span = source.span
    expressions = expressions if isinstance(expressions, Mapping) else {}
    for key in list(values):
        value = values[key]
        written = source.blocks.get(key)
        if key in source.attributes:
            values.key_spans[key] = source.attributes[key]
        elif written:
            values.key_spans[key] = Span(written[0].span.file, written[0].span.line, written[-1].span.end_line)
        else:
            values.key_spans.pop(key, None)
        if written and isinstance(value, list):
            constants = _block_constants(expressions.get(key))
            if constants is None or len(constants) != len(written):
                constants = [{} for _ in written]
            order = _match_blocks(
                value,
                [{**block.literals, **constants[position]} for position, block in enumerate(written)],
                len(written),
            )
            spans: list[Span | None] = []
            for position, item in enumerate(value):
                match = order[position]
                if match is None:
                    spans.append(None)
                    continue
                spans.append(written[match].span)
                if isinstance(item, SpannedDict):
                    inner = expressions.get(key)
                    inner_expression = inner[match] if isinstance(inner, list) and match < len(inner) else None
                    _respan(item, written[match], inner_expression)
            if isinstance(value, SpannedList):
                value.item_spans = spans
                value.span = values.key_spans[key]
        elif isinstance(value, SpannedList):
            value.item_spans = []
            value.span = values.key_spans.get(key, source.span)
            _drop_spans(value)
        elif isinstance(value, SpannedDict):
            value.span = values.key_spans.get(key, source.span)
            value.key_spans = {}
            _drop_spans(value)


def _drop_spans(value: Any) -> None:
    """Spans into the plan file are meaningless once the resource points at the .tf source."""
    items = value.values() if isinstance(value, Mapping) else value if isinstance(value, list) else []
    for item in items:
        if isinstance(item, SpannedDict):
            item.key_spans = {}
            item.span = None
            _drop_spans(item)
        elif isinstance(item, SpannedList):
            item.item_spans = []
            item.span = None
            _drop_spans(item)


# --- loading -----------------------------------------------------------------------------------


def _walk_planned(module: Any, scope: _Scope, plan: _Plan) -> None:
    if not isinstance(module, Mapping):
        return
    for entry in module.get("resources") or []:
        if not isinstance(entry, SpannedDict) or entry.get("mode", "managed") != "managed":
            continue
        address, resource_type, name = entry.get("address"), entry.get("type"), entry.get("name")
        if not (isinstance(address, str) and isinstance(resource_type, str) and isinstance(name, str)):
            continue
        values = entry.get("values")
        plan.add(
            _Planned(
                address,
                resource_type,
                name,
                entry.get("index"),
                scope,
                values if isinstance(values, SpannedDict) else SpannedDict(span=entry.span),
                entry,
            )
        )
    for child in module.get("child_modules") or []:
        if not isinstance(child, Mapping) or not isinstance(child.get("address"), str):
            continue
        child_address = child["address"]
        segments = _MODULE_SEGMENT.findall(child_address)
        if not segments:
            continue
        call_name, index_text = segments[-1]
        call = _module_call(scope, call_name)
        module_config = call.get("module")
        child_config: Mapping[str, Any] = module_config if isinstance(module_config, Mapping) else {}
        child_scope = _Scope(child_address, child_config, scope, call_name, _index_value(index_text or None))
        scope.children.append(child_scope)
        _walk_planned(child, child_scope, plan)


def _walk_prior(module: Any, plan: _Plan) -> None:
    if not isinstance(module, Mapping):
        return
    for entry in module.get("resources") or []:
        if (
            isinstance(entry, Mapping)
            and isinstance(entry.get("address"), str)
            and isinstance(entry.get("values"), Mapping)
        ):
            plan.prior[entry["address"]] = entry["values"]
    for child in module.get("child_modules") or []:
        _walk_prior(child, plan)


def _all_scopes(scope: _Scope) -> Iterator[_Scope]:
    yield scope
    for child in scope.children:
        yield from _all_scopes(child)


def load_plan(path: Path, options: ScanOptions) -> Configuration:
    """A ``terraform show -json`` file -> its resources as model objects."""
    file = options.display_path(path)
    configuration = Configuration(name=file, kind="terraform-plan", files=[file])
    try:
        if path.stat().st_size > options.max_file_bytes:
            configuration.errors.append(LoadError(file, 0, f"larger than {options.max_file_bytes} bytes: skipped"))
            return configuration
        text = path.read_text(encoding="utf-8")
        document = read_json_with_lines(text, file)
    except (OSError, UnicodeDecodeError) as error:
        configuration.errors.append(LoadError(file, 0, f"cannot read the plan: {error}"))
        return configuration
    except (ValueError, IndexError, RecursionError) as error:
        line_match = re.search(r"line (\d+)", str(error))
        configuration.errors.append(
            LoadError(file, int(line_match.group(1)) if line_match else 0, f"not valid JSON: {error}")
        )
        return configuration
    if not isinstance(document, Mapping):
        configuration.errors.append(LoadError(file, 1, "not a terraform plan: the JSON is not an object"))
        return configuration

    config_section = document.get("configuration")
    config_root = config_section.get("root_module") if isinstance(config_section, Mapping) else None
    config_root = config_root if isinstance(config_root, Mapping) else {}
    plan = _Plan()
    root = _Scope("", config_root)
    planned_values = document.get("planned_values")
    _walk_planned(planned_values.get("root_module") if isinstance(planned_values, Mapping) else None, root, plan)
    prior_state = document.get("prior_state")
    if isinstance(prior_state, Mapping) and isinstance(prior_state.get("values"), Mapping):
        _walk_prior(prior_state["values"].get("root_module"), plan)

    after_unknown: dict[str, Any] = {}
    for change in document.get("resource_changes") or []:
        if isinstance(change, Mapping) and isinstance(change.get("change"), Mapping):
            after_unknown[str(change.get("address"))] = change["change"].get("after_unknown")

    sources = _Sources(options) if options.plan_source is not None and options.plan_source.is_dir() else None
    if sources is not None:
        for scope in _all_scopes(root):
            scope.source_dir = _scope_dir(scope, sources)

    resolver = _Resolver(plan)
    raws: list[RawResource] = []
    for planned in plan.resources:
        config = _config_resource(planned.scope, planned.type, planned.name)
        expressions = config.get("expressions") if isinstance(config, Mapping) else None
        expressions = expressions if isinstance(expressions, Mapping) else {}
        values = planned.values
        marks = after_unknown.get(planned.address)
        if isinstance(marks, Mapping):
            # without the configuration every unknown may matter: keep them all
            merged = _merge_unknowns(
                values, marks, expressions if config else None, config is None, planned.address, ""
            )
            values = merged if isinstance(merged, SpannedDict) else values
        _apply_expressions(values, expressions, planned.scope, planned, resolver)
        span = _plan_span(planned, text, file)
        source = sources.resource(planned.scope.source_dir, planned.type, planned.name) if sources else None
        if source is not None:
            _respan(values, source, expressions)
            span = source.span
        values.span = span
        configuration.unknown_values += _count_unknowns(values)
        raws.append(RawResource(planned.address, planned.type, values, span))

    resources, errors = map_resources(raws)
    configuration.resources.extend(resources)
    configuration.errors.extend(errors)
    if sources is not None:
        configuration.files.extend(file for file in sources.files if file not in configuration.files)
    if not plan.resources and not document.get("resource_changes"):
        configuration.notices.append(f"{file}: the plan has no resources")
    return configuration


def _plan_span(planned: _Planned, text: str, file: str) -> Span:
    """The resource's object in planned_values, starting at its "address" line."""
    entry_span = planned.entry.span
    address_span = planned.entry.key_spans.get("address")
    if address_span is not None and entry_span is not None:
        return Span(file, address_span.line, entry_span.end_line)
    return entry_span or Span(file, 1, 1)
