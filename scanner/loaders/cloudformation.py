"""CloudFormation templates -> RawResources -> ``scanner.model`` objects.

One ``Configuration`` per top-level template, with its local nested stacks loaded into it.
What CloudFormation itself would know before a deployment is evaluated here:

* Parameters: ``--parameter`` values, else the ``Default``; otherwise ``Unknown``.
  ``AWS::SSM::Parameter::Value<...>`` parameters are read from SSM at deploy time: ``Unknown``.
* Pseudo parameters: ``AWS::Partition`` is ``aws`` and ``AWS::URLSuffix`` ``amazonaws.com``
  (so ``arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess`` stays recognisable);
  the others are ``Unknown`` unless given as ``--parameter AWS::Region=...``. Inside a longer
  ``Fn::Sub``/``Fn::Join`` text an unknown pseudo parameter is kept as its literal
  ``${AWS::AccountId}`` placeholder: it cannot be mistaken for ``*`` or a CIDR, and keeps
  ARNs and names readable.
* Conditions are three-valued (true, false, unknown). A resource whose condition is false is
  not loaded; an unknown condition loads it with an assumption.
* Intrinsics resolve to values, ``ResourceRef`` (``Ref`` -> attribute ``"Ref"``,
  ``Fn::GetAtt`` -> the attribute name) or ``Unknown`` (with the refs it was computed from).

Addresses are logical IDs; resources of a nested stack are ``Parent.Child``. CDK output
(``scanner.loaders.cdk``) uses construct paths instead.

``Fn::ImportValue`` resolves against the ``Export`` names of every template loaded in the same
call (two passes). An exported value that refers to a resource of another configuration
cannot become an edge of this one's graph: it is ``Unknown`` naming the exporting resource.
"""

from __future__ import annotations

import codecs
import ipaddress
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.adapters.raw import RawResource
from scanner.cache import ParseCache
from scanner.findings import Configuration, ConfigurationKind, LoadError, Suppression
from scanner.loaders.cfn_nodes import marked_copy
from scanner.options import ScanOptions
from scanner.values import EncodedJson, ResourceRef, Span, SpannedDict, SpannedList, Unknown

# cfn-lint logs every decode problem at ERROR level; we report them as LoadErrors instead.
logging.getLogger("cfnlint").addHandler(logging.NullHandler())
logging.getLogger("cfnlint").propagate = False

TEMPLATE_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".template"})
PROBE_BYTES = 64 * 1024
MAX_DEPTH = 100  # nesting of mappings / lists / intrinsics inside one value
MAX_STACK_NESTING = 10  # nested stacks inside nested stacks
STACK_TYPES = {"AWS::CloudFormation::Stack": "TemplateURL", "AWS::Serverless::Application": "Location"}

_TOP_LEVEL_RESOURCES = re.compile(rb'(?m)^(?:Resources|"Resources")\s*:|"Resources"\s*:')
_AWS_TYPE = re.compile(rb'"?Type"?\s*:\s*["\']?AWS::')
_SUB_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")

KNOWN_PSEUDO = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}
DEPLOY_TIME_PSEUDO = ("AWS::AccountId", "AWS::Region", "AWS::StackName", "AWS::StackId", "AWS::NotificationARNs")


def _pseudo_unknown(name: str) -> Unknown:
    return Unknown(f"{name} is only known at deploy time")


_PSEUDO_PLACEHOLDER = {_pseudo_unknown(name): "${" + name + "}" for name in DEPLOY_TIME_PSEUDO}


class _NoValue:
    """``AWS::NoValue``: the key or list item it stands in is removed."""


NO_VALUE = _NoValue()


class TooDeep(Exception):
    """A value nested deeper than MAX_DEPTH (or a condition chain longer than it)."""


# --- discovery -------------------------------------------------------------------------------


def is_cloudformation_template(path: Path) -> bool:
    """Whether ``path`` looks like a CloudFormation template, judged by a cheap look at
    its first 64 KB: ``AWSTemplateFormatVersion``, or a ``Resources`` section with an
    ``AWS::`` type."""
    if path.suffix.lower() not in TEMPLATE_SUFFIXES:
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(PROBE_BYTES)
    except OSError:
        return False
    if b"\x00" in head:
        # A template saved as UTF-16/32 is still a template: load it so the user hears it is
        # not read (decode_template says why) instead of it vanishing from the scan.
        head = _wide_text(head)
        if not head:
            return False
    if b"AWSTemplateFormatVersion" in head:
        return True
    return bool(_TOP_LEVEL_RESOURCES.search(head) and _AWS_TYPE.search(head))


def _wide_text(head: bytes) -> bytes:
    """``head`` re-encoded as UTF-8 when it starts with a UTF-16/32 byte order mark, else b""."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return head.decode(codec, errors="ignore").encode("utf-8")
    return b""


# --- decoding ---------------------------------------------------------------------------------


@dataclass
class Template:
    """A decoded template file: cfn-lint's node tree (0-based marks) and the file's lines."""

    path: Path
    display: str
    document: dict[str, Any] | None
    lines: list[str]
    errors: list[LoadError]


def decode_template(path: Path, options: ScanOptions) -> Template:
    display = options.display_path(path)
    if not options.inside_root(path):
        return Template(path, display, None, [], [LoadError(display, 0, "file is outside the scanned root")])
    try:
        size = path.stat().st_size
        if size > options.max_file_bytes:
            message = f"file is {size} bytes, over the {options.max_file_bytes}-byte limit"
            return Template(path, display, None, [], [LoadError(display, 0, message)])
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        encoding = " (it is UTF-16 or UTF-32: save it as UTF-8)" if _wide_text(data[:PROBE_BYTES]) else ""
        return Template(path, display, None, [], [LoadError(display, 0, f"file is not UTF-8 text{encoding}")])
    except OSError as error:
        return Template(path, display, None, [], [LoadError(display, 0, f"cannot read file: {error.strerror}")])
    lines = text.splitlines()
    cache = ParseCache(options.cache_dir)
    document, errors = cache.get_or_compute(data, "cloudformation-decode", lambda: _decode(text, display))
    if errors:
        return Template(path, display, None, lines, errors)
    if not isinstance(document, dict):
        not_mapping = LoadError(display, 1, "not a CloudFormation template (no mapping)")
        return Template(path, display, None, lines, [not_mapping])
    resources = document.get("Resources")
    if not isinstance(resources, dict):
        line = _mark_line(getattr(resources, "start_mark", None)) if resources is not None else 0
        return Template(path, display, None, lines, [LoadError(display, line, "template has no Resources mapping")])
    return Template(path, display, document, lines, [])


def _decode(text: str, display: str) -> tuple[Any, list[LoadError]]:
    """cfn-lint's decode, turned into picklable nodes so the parse cache can keep it."""
    # Imported here: importing cfn-lint takes seconds, and a warm cache never needs it.
    from cfnlint.decode import decode_str

    try:
        document, matches = decode_str(text)
    except Exception as error:  # cfn-lint guards most inputs; never let one template stop the scan
        return None, [LoadError(display, 0, f"cannot decode template: {error}")]
    if matches:
        return None, [
            LoadError(display, max(int(getattr(m, "linenumber", 0) or 0), 0), str(m.message)) for m in matches
        ]
    try:
        return marked_copy(document), []
    except RecursionError:
        return None, [LoadError(display, 0, "template is nested too deeply to read")]


def _mark_line(mark: Any) -> int:
    return int(mark.line) + 1 if mark is not None else 0


# --- spans ------------------------------------------------------------------------------------


class SpanMaker:
    """Turns cfn-lint's 0-based (line, column) marks into 1-based line spans. A YAML block
    ends where the next token starts, possibly after blank lines and comments: those are
    trimmed so a span covers only the lines written for it."""

    def __init__(self, template: Template) -> None:
        self.file = template.display
        self.lines = template.lines

    def between(self, start: Any, end: Any) -> Span | None:
        if start is None:
            return None
        first = int(start.line) + 1
        last = first
        if end is not None:
            end_line, end_column = int(end.line), int(end.column)
            before_end = self.lines[end_line][:end_column] if 0 <= end_line < len(self.lines) else ""
            last = end_line if before_end.strip() == "" else end_line + 1
            last = min(last, len(self.lines)) if self.lines else last
            while last > first and self._is_filler(last):
                last -= 1
        return Span(self.file, first, max(first, last))

    def of(self, node: Any) -> Span | None:
        return self.between(getattr(node, "start_mark", None), getattr(node, "end_mark", None))

    def entry(self, key: Any, value: Any) -> Span | None:
        """A mapping entry: from its key to the end of its value."""
        start = getattr(key, "start_mark", None) or getattr(value, "start_mark", None)
        end = getattr(value, "end_mark", None) or getattr(key, "end_mark", None)
        return self.between(start, end)

    def _is_filler(self, line: int) -> bool:
        if not 0 < line <= len(self.lines):
            return False
        text = self.lines[line - 1].strip()
        return text == "" or text.startswith("#")


# --- values -----------------------------------------------------------------------------------


def refs_in(value: Any) -> tuple[ResourceRef, ...]:
    """Every resource reference inside a value, in order, once."""
    found: dict[ResourceRef, None] = {}
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, ResourceRef):
            found[item] = None
        elif isinstance(item, Unknown):
            found.update(dict.fromkeys(item.refs))
        elif isinstance(item, dict):
            pending.extend(reversed(list(item.values())))
        elif isinstance(item, (list, tuple)):
            pending.extend(reversed(item))
    return tuple(found)


def is_known(value: Any) -> bool:
    """No Unknown and no ResourceRef anywhere inside."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, (Unknown, ResourceRef)):
            return False
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
    return True


def count_unknowns(value: Any) -> int:
    count = 0
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, Unknown):
            count += 1
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
    return count


def unknown(reason: str, *sources: Any) -> Unknown:
    return Unknown(reason, refs_in(list(sources)))


def _scalar_text(value: Any) -> str | None:
    """The text CloudFormation would use for a scalar in a string context."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _plain(value: Any) -> Any:
    """A JSON-encodable copy of a known value."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# --- evaluation of one stack --------------------------------------------------------------------


@dataclass
class Export:
    configuration: str
    file: str
    value: Any


@dataclass
class LoadState:
    """What one configuration's load accumulates."""

    options: ScanOptions
    kind: ConfigurationKind
    exports_in: dict[str, Export]
    templates: Callable[[Path], Template]
    configuration_name: str
    cdk: bool = False
    raws: list[RawResource] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    exports_out: dict[str, Export] = field(default_factory=dict)
    imports_used: set[str] = field(default_factory=set)
    unknown_values: int = 0
    cdk_logical_ids: dict[str, str] = field(default_factory=dict)
    member_files: set[str] = field(default_factory=set)  # top-level templates loaded together


class Stack:
    """One template instance (top-level or nested): its parameters, conditions, resources."""

    def __init__(
        self,
        state: LoadState,
        template: Template,
        prefix: str = "",
        given: dict[str, Any] | None = None,
        chain: tuple[Path, ...] = (),
    ) -> None:
        assert template.document is not None
        self.state = state
        self.template = template
        self.doc = template.document
        self.prefix = prefix
        self.chain = (*chain, template.path.resolve())
        self.spans = SpanMaker(template)
        self.resources: dict[str, Any] = _mapping(self.doc.get("Resources"))
        self.mappings = _mapping(self.doc.get("Mappings"))
        self._conditions = _mapping(self.doc.get("Conditions"))
        self._condition_memo: dict[str, tuple[bool | None, str]] = {}
        self._condition_busy: set[str] = set()
        self._children: dict[str, Stack | None] = {}
        self._outputs = _mapping(self.doc.get("Outputs"))
        self.addresses = self._addresses()
        self.parameters = self._parameters(given)

    # -- setup --

    def _addresses(self) -> dict[str, str]:
        addresses = {logical_id: f"{self.prefix}{logical_id}" for logical_id in self.resources}
        if not self.state.cdk:
            return addresses
        taken: set[str] = set()
        for logical_id, body in self.resources.items():
            metadata = body.get("Metadata") if isinstance(body, dict) else None
            path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
            if not isinstance(path, str) or not path:
                continue
            address = re.sub(r"/(Resource|Default)$", "", str(path))
            if address in taken or address in self.resources:
                address = f"{address} ({logical_id})"
            taken.add(address)
            addresses[logical_id] = address
            self.state.cdk_logical_ids[address] = str(logical_id)
        return addresses

    def _parameters(self, given: dict[str, Any] | None) -> dict[str, Any]:
        values: dict[str, Any] = {}
        top_level = given is None
        for name, declaration in _mapping(self.doc.get("Parameters")).items():
            name = str(name)
            declaration = declaration if isinstance(declaration, dict) else {}
            type_name = str(declaration.get("Type", "String"))
            if top_level and name in self.state.options.parameters:
                value: Any = self.state.options.parameters[name]
            elif not top_level and given is not None and name in given:
                value = given[name]
            elif "Default" in declaration:
                value = self._value(declaration["Default"], 0)
            else:
                values[name] = Unknown(f"parameter {name} has no value")
                continue
            if type_name.startswith("AWS::SSM::Parameter::Value<"):
                values[name] = Unknown(f"parameter {name} is read from SSM parameter {value} at deploy time")
                continue
            if (type_name.startswith("List<") or type_name == "CommaDelimitedList") and isinstance(value, str):
                value = [item.strip() for item in value.split(",")] if value != "" else []
            values[name] = value
        return values

    # -- resources --

    def load(self) -> None:
        self.state.files.append(self.template.display)
        transform = self.doc.get("Transform")
        if transform:
            names = transform if isinstance(transform, list) else [transform]
            shown = ", ".join(str(n) if isinstance(n, str) else "(macro)" for n in names)
            self.state.notices.append(
                f"{self.template.display}: Transform {shown} is not expanded offline; "
                "resources only it would create are not scanned"
            )
        for logical_id, node in self.resources.items():
            self._load_resource(str(logical_id), node)
        for name in self._outputs:
            self._collect_export(str(name))

    def _load_resource(self, logical_id: str, node: Any) -> None:
        span = self.spans.entry(_key(self.resources, logical_id), node) or Span(self.template.display, 0, 0)
        if str(logical_id).startswith("Fn::ForEach::"):
            self.state.notices.append(f"{span}: {logical_id} (AWS::LanguageExtensions) is not expanded offline")
            return
        if not isinstance(node, dict):
            self.state.errors.append(LoadError(span.file, span.line, f"resource {logical_id} is not a mapping"))
            return
        resource_type = node.get("Type")
        if isinstance(resource_type, dict) and len(resource_type) == 1:
            directive = str(next(iter(resource_type))).replace("Fn::", "!", 1)
            self.state.notices.append(
                f"{span}: resource {logical_id} has Type {directive} (a pre-processor directive), not expanded offline"
            )
            return
        if not isinstance(resource_type, str):
            self.state.errors.append(LoadError(span.file, span.line, f"resource {logical_id} has no Type"))
            return
        resource_type = str.__str__(resource_type)  # a plain str: cfn-lint's node classes cannot be pickled
        assumptions: list[str] = []
        condition = node.get("Condition")
        if condition is not None:
            truth, reason = self.condition(str(condition))
            if truth is False:
                return
            if truth is None:
                assumptions.append(f"condition {condition} is unknown ({reason}): assumed true")
        address = self.addresses[logical_id]
        try:
            properties = self._value(node.get("Properties"), 0) if "Properties" in node else None
        except (TooDeep, RecursionError):
            self.state.errors.append(
                LoadError(span.file, span.line, f"resource {logical_id}: properties nested over {MAX_DEPTH} levels")
            )
            return
        if isinstance(properties, Unknown):
            assumptions.append(f"Properties are unknown: {properties.reason}")
        if not isinstance(properties, SpannedDict):
            properties = SpannedDict(span=span)
        self.state.unknown_values += count_unknowns(properties)
        self.state.raws.append(RawResource(address, resource_type, properties, span, tuple(assumptions)))
        self._collect_suppressions(address, node.get("Metadata"))
        if resource_type in STACK_TYPES:
            self.child(logical_id)

    def _collect_suppressions(self, address: str, metadata: Any) -> None:
        ours = metadata.get("iacscan") if isinstance(metadata, dict) else None
        entries = ours.get("ignore") if isinstance(ours, dict) else None
        if entries is None:
            return
        if isinstance(entries, dict):
            entries = [entries]
        if not isinstance(entries, list):
            span = self.spans.of(ours) or Span(self.template.display, 0, 0)
            self.state.errors.append(LoadError(span.file, span.line, "Metadata iacscan.ignore must be a list"))
            return
        for entry in entries:
            span = self.spans.of(entry) or self.spans.of(entries) or Span(self.template.display, 0, 0)
            rule_ids = entry.get("id") if isinstance(entry, dict) else entry
            if isinstance(rule_ids, str):
                rule_ids = [rule_ids]
            if not isinstance(rule_ids, list) or not rule_ids:
                self.state.errors.append(LoadError(span.file, span.line, "iacscan ignore entry without an id"))
                continue
            reason = entry.get("reason", "") if isinstance(entry, dict) else ""
            self.state.suppressions.append(
                Suppression(tuple(str(rule_id) for rule_id in rule_ids), address, str(reason or ""), span)
            )

    # -- nested stacks --

    def child(self, logical_id: str) -> Stack | None:
        if logical_id in self._children:
            return self._children[logical_id]
        self._children[logical_id] = None  # a stack that reaches itself through its outputs stops here
        stack = self._open_child(logical_id)
        self._children[logical_id] = stack
        if stack is not None:
            stack.load()
        return stack

    def _open_child(self, logical_id: str) -> Stack | None:
        node = self.resources.get(logical_id)
        if not isinstance(node, dict):
            return None
        span = self.spans.entry(_key(self.resources, logical_id), node) or Span(self.template.display, 0, 0)
        condition = node.get("Condition")
        if condition is not None and self.condition(str(condition))[0] is False:
            return None
        properties = _mapping(node.get("Properties"))
        location_key = STACK_TYPES.get(str(node.get("Type")), "TemplateURL")
        location = self._safe_value(properties.get(location_key))
        path = self._local_template(location, node)
        if path is None:
            if not self.state.cdk or location is not None:
                self.state.notices.append(
                    f"{span}: nested stack {logical_id} is not a local template; its resources are not scanned"
                )
            return None
        if not self.state.options.inside_root(path):
            self.state.errors.append(
                LoadError(span.file, span.line, f"nested stack {logical_id}: {location} is outside the scanned root")
            )
            return None
        if path.resolve() in self.chain or len(self.chain) > MAX_STACK_NESTING:
            self.state.errors.append(
                LoadError(span.file, span.line, f"nested stack {logical_id}: {location} nests itself or is too deep")
            )
            return None
        template = self.state.templates(path)
        if template.document is None:
            self.state.files.append(template.display)
            self.state.errors.extend(template.errors)
            return None
        given = self._safe_value(properties.get("Parameters"))
        given = dict(given) if isinstance(given, dict) else {}
        return Stack(self.state, template, f"{self.prefix}{logical_id}.", given, self.chain)

    def _local_template(self, location: Any, node: dict[str, Any]) -> Path | None:
        base = self.template.path.parent
        if isinstance(location, str) and location and not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", location):
            return base / location
        metadata = node.get("Metadata")
        asset = metadata.get("aws:asset:path") if isinstance(metadata, dict) else None
        if self.state.cdk and isinstance(asset, str) and asset.endswith(".json"):
            return base / asset
        return None

    def _safe_value(self, node: Any) -> Any:
        try:
            return self._value(node, 0)
        except (TooDeep, RecursionError):
            return Unknown(f"value nested over {MAX_DEPTH} levels")

    # -- outputs and exports --

    def output(self, name: str) -> Any:
        node = self._outputs.get(name)
        if not isinstance(node, dict):
            return Unknown(f"nested stack {self.prefix.rstrip('.')} has no output {name}")
        condition = node.get("Condition")
        if condition is not None and self.condition(str(condition))[0] is False:
            return Unknown(f"output {name} of {self.prefix.rstrip('.')} is not created (condition false)")
        return self._safe_value(node.get("Value"))

    def _collect_export(self, name: str) -> None:
        node = self._outputs.get(name)
        if not isinstance(node, dict) or not isinstance(node.get("Export"), dict):
            return
        condition = node.get("Condition")
        if condition is not None and self.condition(str(condition))[0] is False:
            return
        export_name = self._safe_value(node["Export"].get("Name"))
        if isinstance(export_name, str):
            self.state.exports_out[export_name] = Export(
                self.state.configuration_name, self.template.display, self._safe_value(node.get("Value"))
            )

    # -- conditions --

    def condition(self, name: str, depth: int = 0) -> tuple[bool | None, str]:
        """(True | False | None for unknown, why it is unknown)."""
        if name in self._condition_memo:
            return self._condition_memo[name]
        if name in self._condition_busy:
            return None, f"condition {name} refers to itself"
        if name not in self._conditions:
            return None, f"condition {name} is not defined"
        self._condition_busy.add(name)
        try:
            result = self._truth(self._conditions[name], depth + 1)
        except (TooDeep, RecursionError):
            result = (None, f"condition {name} is nested too deeply")
        finally:
            self._condition_busy.discard(name)
        self._condition_memo[name] = result
        return result

    def _truth(self, node: Any, depth: int) -> tuple[bool | None, str]:
        if depth > MAX_DEPTH:
            raise TooDeep
        if isinstance(node, bool):
            return node, ""
        if not isinstance(node, dict) or len(node) != 1:
            return None, "condition is not an intrinsic function"
        function, argument = next(iter(node.items()))
        if function == "Condition":
            return self.condition(str(argument), depth + 1)
        if function == "Fn::Equals":
            if not isinstance(argument, list) or len(argument) != 2:
                return None, "Fn::Equals needs two values"
            left, right = (self._value(item, depth + 1) for item in argument)
            for side in (left, right):
                if not is_known(side):
                    return None, side.reason if isinstance(side, Unknown) else "it compares a resource attribute"
            return _equals_text(left) == _equals_text(right), ""
        if function == "Fn::Not":
            inner = argument[0] if isinstance(argument, list) and argument else argument
            truth, reason = self._truth(inner, depth + 1)
            return (None if truth is None else not truth), reason
        if function in ("Fn::And", "Fn::Or"):
            if not isinstance(argument, list):
                return None, f"{function} needs a list"
            results = [self._truth(item, depth + 1) for item in argument]
            decisive = function == "Fn::Or"  # the value that settles the result on its own
            if any(truth is decisive for truth, _ in results):
                return decisive, ""
            reasons = [reason for truth, reason in results if truth is None]
            return (None, reasons[0]) if reasons else (not decisive, "")
        return None, f"{function} is not a condition function"

    # -- values and intrinsics --

    def _value(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise TooDeep
        if isinstance(node, dict):
            if len(node) == 1:
                key = next(iter(node))
                if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
                    return self._intrinsic(str(key), node[key], node, depth + 1)
            result = SpannedDict(span=self.spans.of(node))
            for key, child in node.items():
                value = self._value(child, depth + 1)
                if value is NO_VALUE:
                    continue
                result[str(key)] = value
                key_span = self.spans.entry(key, child)
                if key_span is not None:
                    result.key_spans[str(key)] = key_span
            return result
        if isinstance(node, list):
            items = SpannedList(span=self.spans.of(node))
            for child in node:
                value = self._value(child, depth + 1)
                if value is NO_VALUE:
                    continue
                items.append(value)
                items.item_spans.append(self.spans.of(child))
            return items
        if isinstance(node, str):
            return str(node)
        if node is None or isinstance(node, (bool, int, float)):
            return node
        return str(node)  # YAML dates and timestamps, as CloudFormation reads them

    def _intrinsic(self, function: str, argument: Any, node: Any, depth: int) -> Any:
        handler = _INTRINSICS.get(function)
        if handler is None:
            return Unknown(f"{function} is not evaluated offline")
        try:
            return handler(self, argument, node, depth)
        except (TooDeep, RecursionError):
            raise
        except Exception as error:  # malformed arguments: report as unknown, never crash
            return Unknown(f"{function} could not be evaluated: {error}")

    def ref(self, name: str) -> Any:
        if name in self.parameters:
            return self.parameters[name]
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.state.options.parameters and name.startswith("AWS::"):
            return self.state.options.parameters[name]
        if name in KNOWN_PSEUDO:
            return KNOWN_PSEUDO[name]
        if name.startswith("AWS::"):
            return _pseudo_unknown(name)
        if name in self.resources:
            return self._resource_ref(name, "Ref")
        return Unknown(f"Ref to {name}, which this template does not define")

    def _resource_ref(self, logical_id: str, attribute: str) -> Any:
        node = self.resources.get(logical_id)
        condition = node.get("Condition") if isinstance(node, dict) else None
        if condition is not None and self.condition(str(condition))[0] is False:
            return Unknown(f"{logical_id} is not created (condition {condition} is false)")
        return ResourceRef(self.addresses[logical_id], attribute)

    def get_att(self, logical_id: str, attribute: Any) -> Any:
        if not isinstance(attribute, str):
            return unknown(f"Fn::GetAtt {logical_id}: the attribute name is not known offline", attribute)
        if logical_id not in self.resources:
            return Unknown(f"Fn::GetAtt to {logical_id}, which this template does not define")
        node = self.resources[logical_id]
        if isinstance(node, dict) and str(node.get("Type")) in STACK_TYPES and attribute.startswith("Outputs."):
            stack = self.child(logical_id)
            if stack is not None:
                return stack.output(attribute.split(".", 1)[1])
        return self._resource_ref(logical_id, attribute)

    def import_value(self, name: Any) -> Any:
        if not isinstance(name, str):
            return unknown("Fn::ImportValue: the export name is not known offline", name)
        self.state.imports_used.add(name)
        export = self.state.exports_in.get(name)
        if export is None:
            return Unknown(f"Fn::ImportValue {name}: no template in this scan exports it")
        if (
            export.configuration == self.state.configuration_name
            or export.file in self.state.member_files
            or is_known(export.value)
        ):
            return export.value
        refs = refs_in(export.value)
        what = ", ".join(str(ref) for ref in refs) or "an unknown value"
        return Unknown(f"Fn::ImportValue {name}: exported by {export.file} as {what}")


# -- intrinsic functions: (stack, argument node, whole node, depth) -> value --


def _fn_ref(stack: Stack, argument: Any, node: Any, depth: int) -> Any:
    name = stack._value(argument, depth)
    if not isinstance(name, str):
        return unknown("Ref to a name that is not known offline", name)
    return stack.ref(name)


def _fn_get_att(stack: Stack, argument: Any, node: Any, depth: int) -> Any:
    if isinstance(argument, str):
        logical_id, _, attribute = str(argument).partition(".")
        return stack.get_att(logical_id, attribute)
    if isinstance(argument, list) and len(argument) == 2:
        logical_id = str(argument[0])
        return stack.get_att(logical_id, stack._value(argument[1], depth))
    return Unknown("Fn::GetAtt needs a resource and an attribute")


def _fn_sub(stack: Stack, argument: Any, node: Any, depth: int) -> Any:
    variables: dict[str, Any] = {}
    text = argument
    if isinstance(argument, list):
        if len(argument) != 2 or not isinstance(argument[1], dict):
            return Unknown("Fn::Sub needs a string and a mapping of variables")
        text = argument[0]
        variables = {str(k): stack._value(v, depth) for k, v in argument[1].items()}
    text = stack._value(text, depth)
    if not isinstance(text, str):
        return unknown("Fn::Sub text is not known offline", text)

    def lookup(name: str) -> Any:
        name = name.strip()
        if name in variables:
            return variables[name]
        if "." in name and not name.startswith("AWS::"):
            logical_id, attribute = name.split(".", 1)
            return stack.get_att(logical_id, attribute)
        return stack.ref(name)

    whole = _SUB_PLACEHOLDER.fullmatch(text)
    if whole and not whole.group(1).startswith("!"):
        value = lookup(whole.group(1))
        return "" if value is NO_VALUE else value
    pieces: list[str] = []
    unresolved: list[Any] = []
    position = 0
    for match in _SUB_PLACEHOLDER.finditer(text):
        pieces.append(text[position : match.start()])
        position = match.end()
        name = match.group(1)
        if name.startswith("!"):
            pieces.append("${" + name[1:] + "}")
            continue
        value = lookup(name)
        piece = _text_piece(value)
        if piece is None:
            unresolved.append(value)
            piece = match.group(0)
        pieces.append(piece)
    pieces.append(text[position:])
    if unresolved:
        return unknown(f"Fn::Sub '{text}' {_unresolved_reason(unresolved)}", unresolved)
    return "".join(pieces)


def _text_piece(value: Any) -> str | None:
    """A value as part of a longer text: scalars, and unknown pseudo parameters as their
    ``${AWS::...}`` placeholder; None when the text cannot be known."""
    if value is NO_VALUE:
        return ""
    if isinstance(value, Unknown):
        return _PSEUDO_PLACEHOLDER.get(value)
    return _scalar_text(value)


def _unresolved_reason(values: list[Any]) -> str:
    for value in values:
        if isinstance(value, ResourceRef):
            return f"depends on {value} (known after deployment)"
        if isinstance(value, Unknown):
            return f"depends on an unknown value ({value.reason})"
    return "depends on a list or mapping value"


def _fn_join(stack: Stack, argument: Any, node: Any, depth: int) -> Any:
    if not isinstance(argument, list) or len(argument) != 2:
        return Unknown("Fn::Join needs a delimiter and a list")
    delimiter = stack._value(argument[0], depth)
    items = stack._value(argument[1], depth)
    if not isinstance(delimiter, str):
        return unknown("Fn::Join delimiter is not known offline", delimiter, items)
    if not isinstance(items, list):
        return unknown(f"Fn::Join list is not known offline ({_reason(items)})", items)
    pieces = [_text_piece(item) for item in items]
    unresolved = [item for item, piece in zip(items, pieces, strict=True) if piece is None]
    if unresolved:
        return unknown(f"Fn::Join {_unresolved_reason(unresolved)}", unresolved)
    return delimiter.join(piece for piece in pieces if piece is not None)


def _fn_select(stack: Stack, argument: Any, node: Any, depth: int) -> Any:
    if not isinstance(argument, list) or len(argument) != 2:
        return Unknown("Fn::Select needs an index and a list")
    index = stack._value(argument[0], depth)
    items = stack._value(argument[1], depth)
    if not isinstance(items, list):
        return unknown(f"Fn::Select from a list not known offline ({_reason(items)})", items)
    try:
        position = int(index)
    except (TypeError, ValueError):
        return unknown("Fn::Select index is not known offline", index, items)
    if not 0 <= position < len(items):
        return Unknown(f"Fn::Select index {position} is outside a list of {len(items)}")
    return items[position]


def _fn_split(stack: Stack, argument: Any, node: Any, depth: int) -> Any:
    if not isinstance(argument, list) or len(argument) != 2:
        return Unknown("Fn::Split needs a delimiter and a string")
    delimiter = stack._value(argument[0], depth)
    text = stack._value(argument[1], depth)
    if not isinstance(delimiter, str) or not delimiter or not isinstance(text, str):
        return unknown(f"Fn::Split of a value not known offline ({_reason(text)})", text)
    return SpannedList(text.split(delimiter), span=stack.spans.of(node))


def _fn_find_in_map(stack: Stack, argument: Any, node: Any, depth: int) -> Any:
    if not isinstance(argument, list) or len(argument) not in (3, 4):
        return Unknown("Fn::FindInMap needs a map name and two keys")
    default: Any = None
    has_default = False
    if len(argument) == 4 and isinstance(argument[3], dict) and "DefaultValue" in argument[3]:
        has_default = True
        default = argument[3]["DefaultValue"]
    keys = [stack._value(item, depth) for item in argument[:3]]
    for key in keys:
        if _scalar_text(key) is None:
            if has_default:
                return unknown(f"Fn::FindInMap key is not known offline ({_reason(key)})", key)
            return unknown(f"Fn::FindInMap key is not known offline ({_reason(key)})", key)
    table: Any = stack.mappings
    for key in keys:
        table = table.get(_scalar_text(key)) if isinstance(table, dict) else None
        if table is None:
            break
    if table is None:
        if has_default:
            return stack._value(default, depth)
        return Unknown(f"Fn::FindInMap: {'/'.join(str(_scalar_text(k)) for k in keys)} is not in Mappings")
    return stack._value(table, depth)


def _fn_if(stack: Stack, argument: Any, node: Any, depth: int) -> Any:
    if not isinstance(argument, list) or len(argument) != 3:
        return Unknown("Fn::If needs a condition and two values")
    name = str(argument[0])
    truth, reason = stack.condition(name, depth)
    if truth is True:
        return stack._value(argument[1], depth)
    if truth is False:
        return stack._value(argument[2], depth)
    when_true = stack._value(argument[1], depth)
    when_false = stack._value(argument[2], depth)
    if is_known(when_true) and _plain(when_true) == _plain(when_false):
        return when_true
    return unknown(f"Fn::If condition {name} is unknown ({reason})", [when_true, when_false])


def _fn_get_azs(stack: Stack, argument: Any, node: Any, depth: int) -> Any:
    return Unknown("Fn::GetAZs: the region's availability zones are only known at deploy time")


def _fn_import_value(stack: Stack, argument: Any, node: Any, depth: int) -> Any:
    return stack.import_value(stack._value(argument, depth))


def _fn_base64(stack: Stack, argument: Any, node: Any, depth: int) -> Any:
    # Kept as text: UserData stays readable for the analyses.
    return stack._value(argument, depth)


def _fn_cidr(stack: Stack, argument: Any, node: Any, depth: int) -> Any:
    if not isinstance(argument, list) or len(argument) != 3:
        return Unknown("Fn::Cidr needs a block, a count and a size")
    block, count, bits = (stack._value(item, depth) for item in argument)
    if not isinstance(block, str):
        return unknown(f"Fn::Cidr of a block not known offline ({_reason(block)})", block)
    try:
        network = ipaddress.ip_network(block, strict=False)
        prefix = network.max_prefixlen - int(bits)
        wanted = int(count)
        if wanted < 0 or wanted > 256 or prefix < network.prefixlen:
            raise ValueError(f"cannot carve {wanted} /{prefix} blocks out of {block}")
        subnets = network.subnets(new_prefix=prefix)
        return SpannedList([str(next(subnets)) for _ in range(wanted)], span=stack.spans.of(node))
    except (ValueError, TypeError, StopIteration) as error:
        return Unknown(f"Fn::Cidr: {error}")


def _fn_length(stack: Stack, argument: Any, node: Any, depth: int) -> Any:
    items = stack._value(argument, depth)
    if isinstance(items, list):
        return len(items)
    return unknown(f"Fn::Length of a list not known offline ({_reason(items)})", items)


def _fn_to_json_string(stack: Stack, argument: Any, node: Any, depth: int) -> Any:
    value = stack._value(argument, depth)
    if not is_known(value):
        return unknown("Fn::ToJsonString of a value not known offline", value)
    return EncodedJson(json.dumps(_plain(value), separators=(",", ":")), value)


def _fn_transform(stack: Stack, argument: Any, node: Any, depth: int) -> Any:
    return Unknown("Fn::Transform (a macro) is not expanded offline")


def _reason(value: Any) -> str:
    if isinstance(value, Unknown):
        return value.reason
    if isinstance(value, ResourceRef):
        return f"{value} is known after deployment"
    return f"got {type(value).__name__}"


_INTRINSICS: dict[str, Callable[[Stack, Any, Any, int], Any]] = {
    "Ref": _fn_ref,
    "Fn::GetAtt": _fn_get_att,
    "Fn::Sub": _fn_sub,
    "Fn::Join": _fn_join,
    "Fn::Select": _fn_select,
    "Fn::Split": _fn_split,
    "Fn::FindInMap": _fn_find_in_map,
    "Fn::If": _fn_if,
    "Fn::GetAZs": _fn_get_azs,
    "Fn::ImportValue": _fn_import_value,
    "Fn::Base64": _fn_base64,
    "Fn::Cidr": _fn_cidr,
    "Fn::Length": _fn_length,
    "Fn::ToJsonString": _fn_to_json_string,
    "Fn::Transform": _fn_transform,
}


def _equals_text(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_equals_text(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _equals_text(v) for k, v in value.items()}
    return _scalar_text(value)


def _mapping(node: Any) -> dict[str, Any]:
    return node if isinstance(node, dict) else {}


def _key(mapping: dict[str, Any], wanted: str) -> Any:
    """The key object (with its marks) of ``mapping`` equal to ``wanted``."""
    for key in mapping:
        if key == wanted:
            return key
    return None


# --- configurations -------------------------------------------------------------------------------


class TemplateCache:
    def __init__(self, options: ScanOptions) -> None:
        self.options = options
        self._decoded: dict[Path, Template] = {}

    def __call__(self, path: Path) -> Template:
        key = path.resolve()
        if key not in self._decoded:
            self._decoded[key] = decode_template(path, self.options)
        return self._decoded[key]


def load_configuration(
    name: str,
    kind: ConfigurationKind,
    templates: Iterable[Template],
    options: ScanOptions,
    cache: TemplateCache,
    exports: dict[str, Export],
    cdk: bool = False,
) -> LoadState:
    """Load ``templates`` (top-level stacks) into one configuration's state."""
    templates = list(templates)
    state = LoadState(options, kind, exports, cache, name, cdk=cdk, member_files={t.display for t in templates})
    for template in templates:
        if template.document is None:
            state.files.append(template.display)
            state.errors.extend(template.errors)
            continue
        try:
            Stack(state, template).load()
        except Exception as error:  # the last line of defence: one template never stops the scan
            message = f"cannot load template: {type(error).__name__}: {error}"
            state.errors.append(LoadError(template.display, 0, message))
    return state


def to_configuration(state: LoadState) -> Configuration:
    from scanner.adapters.cloudformation import link_resources, to_model

    configuration = Configuration(name=state.configuration_name, kind=state.kind)
    configuration.files = list(dict.fromkeys(state.files))
    configuration.errors = list(state.errors)
    configuration.notices = list(state.notices)
    configuration.suppressions = list(state.suppressions)
    configuration.unknown_values = state.unknown_values
    for raw in state.raws:
        try:
            configuration.resources.extend(to_model(raw, state.options))
        except Exception as error:  # a mapping bug must not lose the whole configuration
            configuration.errors.append(
                LoadError(raw.span.file, raw.span.line, f"cannot map {raw.address} ({raw.type}): {error}")
            )
    configuration.resources = link_resources(configuration.resources, state.raws)
    return configuration


def nested_children(template: Template, options: ScanOptions) -> set[Path]:
    """Local templates this one names as literal nested stack locations."""
    found: set[Path] = set()
    if template.document is None:
        return found
    for node in _mapping(template.document.get("Resources")).values():
        if not isinstance(node, dict) or str(node.get("Type")) not in STACK_TYPES:
            continue
        properties = _mapping(node.get("Properties"))
        location = properties.get(STACK_TYPES[str(node.get("Type"))])
        if isinstance(location, str) and not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", str(location)):
            found.add((template.path.parent / str(location)).resolve())
    return found


def load_templates(paths: list[Path], options: ScanOptions) -> list[Configuration]:
    """One Configuration per top-level template; nested-only templates load into their parents."""
    cache = TemplateCache(options)
    templates = [cache(path) for path in paths]
    children: dict[Path, set[Path]] = {t.path.resolve(): nested_children(t, options) for t in templates}
    nested = set().union(*children.values()) if children else set()
    top = [t for t in templates if t.path.resolve() not in nested]
    reached = _reachable({t.path.resolve() for t in top}, children)
    top += [t for t in templates if t.path.resolve() not in reached and t not in top]  # nesting cycles
    top = list({t.path.resolve(): t for t in top}.values())

    states = [load_configuration(t.display, "cloudformation", [t], options, cache, {}) for t in top]
    exports: dict[str, Export] = {}
    for state in states:
        exports.update(state.exports_out)
    loaded: list[LoadState] = []
    for members in _import_groups(states, exports):
        group = [top[i] for i in members]
        if len(members) > 1 and not _logical_ids_collide(group):
            name = " + ".join(t.display for t in group)
            loaded.append(load_configuration(name, "cloudformation", group, options, cache, exports))
            continue
        for index in members:
            state = states[index]
            if state.imports_used & exports.keys():
                state = load_configuration(
                    state.configuration_name, "cloudformation", [top[index]], options, cache, exports
                )
            if len(members) > 1:
                state.notices.append(
                    f"{top[index].display}: shares resources with another template by "
                    "Fn::ImportValue, but their logical ids collide, so it is loaded on its own and "
                    "imported resources stay unknown"
                )
            loaded.append(state)
    return [to_configuration(state) for state in loaded]


def _import_groups(states: list[LoadState], exports: dict[str, Export]) -> list[list[int]]:
    """Templates linked by Fn::ImportValue of a resource (not a literal) load as one
    configuration, as a CDK app does, so the import becomes a graph edge: an instance in a
    subnet another stack exports is routed by that stack's tables."""
    exporter = {name: index for index, state in enumerate(states) for name in state.exports_out}
    leader = list(range(len(states)))

    def find(index: int) -> int:
        while leader[index] != index:
            leader[index] = leader[leader[index]]
            index = leader[index]
        return index

    for index, state in enumerate(states):
        for name in sorted(state.imports_used):
            other = exporter.get(name)
            if other is not None and other != index and not is_known(exports[name].value):
                first, second = sorted((find(index), find(other)))
                leader[second] = first
    groups: dict[int, list[int]] = {}
    for index in range(len(states)):
        groups.setdefault(find(index), []).append(index)
    return sorted(groups.values())


def _logical_ids_collide(templates: list[Template]) -> bool:
    seen: set[str] = set()
    for template in templates:
        ids = set(_mapping(template.document.get("Resources")) if template.document is not None else ())
        if ids & seen:
            return True
        seen |= ids
    return False


def _reachable(start: set[Path], edges: dict[Path, set[Path]]) -> set[Path]:
    seen = set(start)
    pending = list(start)
    while pending:
        for child in edges.get(pending.pop(), set()):
            if child not in seen:
                seen.add(child)
                pending.append(child)
    return seen
