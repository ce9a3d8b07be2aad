"""One stack (a top-level template or a nested stack): its parameters, resources and outputs.

* Parameters: ``--parameter`` values, else the ``Default``; otherwise ``Unknown``, whose
  origin (kind ``parameter``) is the parameter's entry and says ``--parameter NAME=...``.
  ``AWS::SSM::Parameter::Value<...>`` parameters are read from SSM at deploy time: ``Unknown``.
  An AWS-specific parameter (``AWS::EC2::Subnet::Id``, ``List<AWS::EC2::SecurityGroup::Id>``
  ...) names existing resources the deployer picks: a ``Default`` of ``""`` names none, so
  not given it is ``Unknown`` too, never "no subnet".
  ``List<...>`` and ``CommaDelimitedList`` values given as text are split at commas. A nested
  stack's parameters come from its parent's ``Parameters`` property (else their ``Default``),
  never from ``--parameter``.
* A dynamic reference (a whole value ``{{resolve:ssm:/name}}``) is read at deploy time:
  ``Unknown`` with a ``parameter`` origin named by the reference. ``Fn::ImportValue`` of an
  export no scanned template settles: ``Unknown`` with an ``import`` origin.
* Pseudo parameters and values: see ``values``; conditions: ``conditions``; intrinsics:
  ``intrinsics``, which evaluate through this stack (it is their ``Evaluator``).
  ``Fn::GetAtt`` of an attribute that echoes a property the template writes is that
  property's value (``attributes``); other attributes are ``ResourceRef``s.
* Resources become ``RawResource``s with their evaluated properties and lines. A resource
  whose condition is false is not loaded; an unknown condition loads it with an assumption
  and its ``existence`` (the condition's origins). A list item ``!If`` on an unknown
  condition is combined from its branches (``branches``).
  ``Fn::ForEach`` (``AWS::LanguageExtensions``), pre-processor ``Type`` directives and
  ``Transform`` macros are not expanded offline: each is a notice.
* ``Metadata.iacscan.ignore`` entries (an ``id`` or list of ids, and a ``reason``) become
  suppressions of the resource.

Addresses are logical IDs; resources of a nested stack are ``Parent.Child``. CDK output
(``scanner.loaders.cloudformation.cdk``) uses construct paths instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.adapters.raw import RawResource
from scanner.findings import ConfigurationKind, LoadError, Suppression
from scanner.loaders.cloudformation.attributes import echoed_attribute
from scanner.loaders.cloudformation.branches import Chooser, Item, append, item_choices
from scanner.loaders.cloudformation.conditions import Conditions
from scanner.loaders.cloudformation.decode import SpanMaker, Template, as_mapping, key_node
from scanner.loaders.cloudformation.intrinsics import evaluate_intrinsic
from scanner.loaders.cloudformation.nested import (
    STACK_TYPES,
    local_template,
    nests_itself_or_too_deep,
    unknown_location,
)
from scanner.loaders.cloudformation.template_urls import TemplateFinder, UrlMatch
from scanner.loaders.cloudformation.values import (
    KNOWN_PSEUDO,
    MAX_DEPTH,
    NO_VALUE,
    TooDeep,
    count_unknowns,
    fill_in,
    is_known,
    pseudo_unknown,
    refs_in,
    unknown,
)
from scanner.options import ScanOptions
from scanner.values import Origin, ResourceRef, Span, SpannedDict, SpannedList, Unknown

_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:[^}]*\}\}")


def _names_resources(type_name: str) -> bool:
    """An AWS-specific parameter type (``AWS::EC2::Subnet::Id``, ``List<AWS::EC2::VPC::Id>``),
    whose value names existing resources; SSM parameter types are not."""
    inner = type_name[5:-1] if type_name.startswith("List<") and type_name.endswith(">") else type_name
    return inner.startswith("AWS::") and not inner.startswith("AWS::SSM::")


@dataclass
class Export:
    """An output with an ``Export`` name: who exports it (the configuration, and the file and
    line of its ``Name``), and its evaluated value."""

    configuration: str
    file: str
    line: int
    value: Any

    @property
    def place(self) -> str:
        return f"{self.file}:{self.line}"


Exports = dict[str, list[Export]]  # export name -> every output exporting it (one, unless ambiguous)


def exported_by(exports: list[Export]) -> str:
    """ "a.yaml:12 and b.yaml:30": the places of ``exports``, in path order."""
    places = sorted({export.place for export in exports})
    return ", ".join(places[:-1]) + f" and {places[-1]}" if len(places) > 1 else "".join(places)


@dataclass
class LoadState:
    """What one configuration's load accumulates."""

    options: ScanOptions
    kind: ConfigurationKind
    exports_in: Exports
    templates: Callable[[Path], Template]
    configuration_name: str
    cdk: bool = False
    raws: list[RawResource] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    warnings: list[LoadError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    exports_out: Exports = field(default_factory=dict)
    imports_used: set[str] = field(default_factory=set)
    unknown_values: int = 0
    cdk_logical_ids: dict[str, str] = field(default_factory=dict)
    member_files: set[str] = field(default_factory=set)  # top-level templates loaded together
    finder: TemplateFinder | None = None  # nested stacks from S3 URLs (none in a CDK assembly)


def _is_literal(value: Any) -> bool:
    if isinstance(value, list):
        return all(_is_literal(item) for item in value)
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


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
        self.resources: dict[str, Any] = as_mapping(self.doc.get("Resources"))
        self.mappings = as_mapping(self.doc.get("Mappings"))
        conditions = as_mapping(self.doc.get("Conditions"))
        self.conditions = Conditions(
            conditions, self.value, lambda name: self.spans.entry(key_node(conditions, name), conditions.get(name))
        )
        self._children: dict[str, Stack | None] = {}
        self._echoes: dict[tuple[str, str], Any] = {}  # Fn::GetAtt attributes that echo a property
        self._echoing: set[tuple[str, str]] = set()
        self._outputs = as_mapping(self.doc.get("Outputs"))
        self.addresses = self._addresses()
        self.parameter_spans: dict[str, Span] = {}  # where a parameter's value is set: its Default line
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
        declared = as_mapping(self.doc.get("Parameters"))
        for name, declaration in declared.items():
            name = str(name)
            span = self.spans.entry(key_node(declared, name), declaration)
            declaration = declaration if isinstance(declaration, dict) else {}
            type_name = str(declaration.get("Type", "String"))
            origin = Origin("parameter", name, span, fill_in(name) if top_level else "")
            if top_level and name in self.state.options.parameters:
                value: Any = self.state.options.parameters[name]
            elif not top_level and given is not None and name in given:
                value = given[name]
                # A literal the parent stack gives is set at its Parameters entry (or, when
                # that entry is a !Ref, wherever the parent's own parameter is set); a
                # reference stays where the child uses it.
                if isinstance(given, SpannedDict) and _is_literal(value):
                    set_span = (given.set_spans or {}).get(name) or given.key_spans.get(name)
                    if set_span is not None:
                        self.parameter_spans[name] = set_span
            elif "Default" in declaration:
                value = self.value(declaration["Default"], 0)
                default_span = self.spans.entry(key_node(declaration, "Default"), declaration["Default"])
                if default_span is not None:
                    self.parameter_spans[name] = default_span
                if value == "" and _names_resources(type_name):
                    values[name] = Unknown(f"parameter {name} has no value (its Default is empty)", origins=(origin,))
                    continue
            else:
                values[name] = Unknown(f"parameter {name} has no value", origins=(origin,))
                continue
            if type_name.startswith("AWS::SSM::Parameter::Value<"):
                values[name] = Unknown(
                    f"parameter {name} is read from SSM parameter {value} at deploy time",
                    origins=(Origin("parameter", name, span),),
                )
                continue
            if (type_name.startswith("List<") or type_name == "CommaDelimitedList") and isinstance(value, str):
                value = [item.strip() for item in value.split(",")] if value != "" else []
            values[name] = value
        return values

    # -- resources --

    def load(self) -> None:
        self.state.files.append(self.template.display)
        self.state.warnings.extend(self.template.warnings)
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
        span = self.spans.entry(key_node(self.resources, logical_id), node) or Span(self.template.display, 0, 0)
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
        existence: Unknown | None = None
        condition = node.get("Condition")
        if condition is not None:
            truth, reason = self.condition(str(condition))
            if truth is False:
                return
            if truth is None:
                assumptions.append(f"condition {condition} is unknown ({reason}): assumed true")
                existence = Unknown(
                    f"condition {condition} is unknown ({reason})", origins=self.condition_origins(str(condition))
                )
        address = self.addresses[logical_id]
        try:
            properties = self.value(node.get("Properties"), 0) if "Properties" in node else None
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
        self.state.raws.append(RawResource(address, resource_type, properties, span, tuple(assumptions), existence))
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
        span = self.spans.entry(key_node(self.resources, logical_id), node) or Span(self.template.display, 0, 0)
        condition = node.get("Condition")
        if condition is not None and self.condition(str(condition))[0] is False:
            return None
        properties = as_mapping(node.get("Properties"))
        location_key = STACK_TYPES.get(str(node.get("Type")), "TemplateURL")
        location = self._safe_value(properties.get(location_key))
        path = local_template(location, node, self.template.path.parent, self.state.cdk)
        found = (
            self.state.finder.match(properties.get(location_key), location)
            if path is None and self.state.finder
            else None
        )
        if found is not None:
            path = self._url_template(logical_id, location_key, span, found)
            if path is None:
                return None
        if path is None:
            unknown_reason = unknown_location(location)
            if unknown_reason is not None:
                self.state.notices.append(
                    f"{span}: nested stack {logical_id} is an unknown child stack: its {location_key} "
                    f"{unknown_reason}; its resources are not scanned"
                )
            elif not self.state.cdk or location is not None:
                self.state.notices.append(
                    f"{span}: nested stack {logical_id} is not a local template; its resources are not scanned"
                )
            return None
        if not self.state.options.inside_root(path):
            self.state.errors.append(
                LoadError(span.file, span.line, f"nested stack {logical_id}: {location} is outside the scanned root")
            )
            return None
        if nests_itself_or_too_deep(path, self.chain):
            self.state.errors.append(
                LoadError(span.file, span.line, f"nested stack {logical_id}: {location} nests itself or is too deep")
            )
            return None
        template = self.state.templates(path)
        if template.document is None:
            self.state.files.append(template.display)
            self.state.errors.extend(template.errors)
            self.state.warnings.extend(template.warnings)
            if not template.errors and not template.is_template:
                self.state.notices.append(
                    f"{span}: nested stack {logical_id}: {location} is not a CloudFormation template "
                    "(no AWS:: resource); its resources are not scanned"
                )
            return None
        given = self._safe_value(properties.get("Parameters"))
        given = given if isinstance(given, dict) else {}
        return Stack(self.state, template, f"{self.prefix}{logical_id}.", given, self.chain)

    def _url_template(self, logical_id: str, location_key: str, span: Span, found: UrlMatch) -> Path | None:
        """The template a nested stack's S3 URL names, said in a notice; None (an unknown
        child stack, said too) when no template or several match it."""
        options = self.state.options
        if found.path is None:
            if found.candidates:
                shown = ", ".join(options.display_path(p) for p in found.candidates)
                what = f"matches several templates under the scanned root ({shown})"
            else:
                what = "matches no template under the scanned root"
            self.state.notices.append(
                f"{span}: nested stack {logical_id} is an unknown child stack: its {location_key} "
                f"{found.written} {what}; map it with --template-url URL_PREFIX=DIR; its resources are not scanned"
            )
            return None
        how = (
            "--template-url" if found.explicit else "the one template under the scanned root whose path ends as it does"
        )
        self.state.notices.append(
            f"{span}: nested stack {logical_id}: {location_key} {found.written} is read from "
            f"{options.display_path(found.path)} ({how})"
        )
        return found.path

    def _safe_value(self, node: Any) -> Any:
        try:
            return self.value(node, 0)
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
        name_node = node["Export"].get("Name")
        export_name = self._safe_value(name_node)
        if isinstance(export_name, str):
            span = self.spans.of(name_node) or self.spans.entry(key_node(self._outputs, name), node)
            line = span.line if span is not None else 0
            value = self._safe_value(node.get("Value"))
            export = Export(self.state.configuration_name, self.template.display, line, value)
            self.state.exports_out.setdefault(export_name, []).append(export)

    # -- conditions --

    def condition(self, name: str, depth: int = 0) -> tuple[bool | None, str]:
        """(True | False | None for unknown, why it is unknown)."""
        return self.conditions.truth(name, depth)

    def condition_origins(self, name: str, depth: int = 0) -> tuple[Origin, ...]:
        return self.conditions.origins(name, depth)

    # -- values and intrinsics --

    def value(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise TooDeep
        if isinstance(node, dict):
            if len(node) == 1:
                key = next(iter(node))
                if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
                    return evaluate_intrinsic(self, str(key), node[key], node, depth + 1)
            result = SpannedDict(span=self.spans.of(node))
            for key, child in node.items():
                value = self.value(child, depth + 1)
                if value is NO_VALUE:
                    continue
                result[str(key)] = value
                key_span = self.spans.entry(key, child)
                if key_span is not None:
                    result.key_spans[str(key)] = key_span
                if isinstance(child, dict) and len(child) == 1 and "Ref" in child:  # !Ref Param: set at its Default
                    set_span = self.parameter_spans.get(str(child["Ref"]))
                    if set_span is not None:
                        result.set_at(str(key), set_span)
            return result
        if isinstance(node, list):
            items = SpannedList(span=self.spans.of(node))
            for child in node:
                for value, span, existence in self._items(child, depth + 1):
                    append(items, value, span, existence)
            return items
        if isinstance(node, str):
            if "{{resolve:" in node and _DYNAMIC_REFERENCE.fullmatch(node.strip()):
                return self._dynamic_reference(node)
            return str(node)
        if node is None or isinstance(node, (bool, int, float)):
            return node
        return str(node)  # YAML dates and timestamps, as CloudFormation reads them

    def _items(self, node: Any, depth: int, span: Span | None = None) -> list[Item]:
        """The list items one written item stands for: none (``AWS::NoValue``), itself, or,
        for ``!If`` on an unknown condition, its branches' items (``branches``). ``span``:
        the lines of the written item, which a known ``!If`` keeps."""
        if depth > MAX_DEPTH:
            raise TooDeep
        argument = node.get("Fn::If") if isinstance(node, dict) and len(node) == 1 else None
        if isinstance(argument, list) and len(argument) == 3 and isinstance(argument[0], str):
            name = str(argument[0])
            truth, reason = self.condition(name, depth)
            if truth is not None:
                return self._items(argument[1] if truth else argument[2], depth + 1, span or self.spans.of(node))
            chooser = Chooser(f"condition {name}", reason, self.condition_origins(name, depth))
            return item_choices(self._items(argument[1], depth + 1), self._items(argument[2], depth + 1), chooser)
        value = self.value(node, depth)
        return [] if value is NO_VALUE else [(value, span or self.spans.of(node), None)]

    def _dynamic_reference(self, text: str) -> Unknown:
        reference = text.strip()
        origin = Origin("parameter", reference, self.spans.of(text))
        return Unknown(f"dynamic reference {reference} is resolved at deploy time", origins=(origin,))

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
            return pseudo_unknown(name)
        if name in self.resources:
            return self._resource_ref(name, "Ref")
        return Unknown(f"Ref to {name}, which this template does not define")

    def _resource_ref(self, logical_id: str, attribute: str) -> Any:
        node = self.resources.get(logical_id)
        condition = node.get("Condition") if isinstance(node, dict) else None
        if condition is not None and self.condition(str(condition))[0] is False:
            return Unknown(f"{logical_id} is not created (condition {condition} is false)")
        return ResourceRef(self.addresses[logical_id], attribute)

    def get_att(self, logical_id: str, attribute: Any, depth: int = 0) -> Any:
        if not isinstance(attribute, str):
            return unknown(f"Fn::GetAtt {logical_id}: the attribute name is not known offline", attribute)
        if logical_id not in self.resources:
            return Unknown(f"Fn::GetAtt to {logical_id}, which this template does not define")
        node = self.resources[logical_id]
        if isinstance(node, dict) and str(node.get("Type")) in STACK_TYPES and attribute.startswith("Outputs."):
            stack = self.child(logical_id)
            if stack is not None:
                return stack.output(attribute.split(".", 1)[1])
        reference = self._resource_ref(logical_id, attribute)
        if not isinstance(reference, ResourceRef):
            return reference  # the resource is not created
        echoed = self._echo(logical_id, attribute, depth)
        return reference if echoed is None else echoed

    def _echo(self, logical_id: str, attribute: str, depth: int) -> Any:
        """The attribute's value when it echoes a property (``attributes``), else None; each
        evaluated once, and an attribute that reaches itself is unknown."""
        key = (logical_id, attribute)
        if key in self._echoes:
            return self._echoes[key]
        if key in self._echoing:
            return Unknown(f"{logical_id}.{attribute} depends on itself")
        self._echoing.add(key)
        try:
            echoed = echoed_attribute(self, logical_id, attribute, depth + 1)
        finally:
            self._echoing.discard(key)
        self._echoes[key] = echoed
        return echoed

    def import_value(self, name: Any) -> Any:
        if not isinstance(name, str):
            return unknown("Fn::ImportValue: the export name is not known offline", name)
        self.state.imports_used.add(name)
        exporters = self.state.exports_in.get(name, [])
        origin = Origin("import", name)
        if not exporters:
            return Unknown(f"Fn::ImportValue {name}: no template in this scan exports it", origins=(origin,))
        if len(exporters) > 1:
            return Unknown(
                f"Fn::ImportValue {name}: the name is exported more than once ({exported_by(exporters)}); an "
                "export name is unique in an account and region, so which one is imported depends on where the "
                "stacks are deployed",
                origins=(origin,),
            )
        [export] = exporters
        if (
            export.configuration == self.state.configuration_name
            or export.file in self.state.member_files
            or is_known(export.value)
        ):
            return export.value
        refs = refs_in(export.value)
        what = ", ".join(str(ref) for ref in refs) or "an unknown value"
        origin = Origin("import", name, Span(export.file, export.line, export.line))
        return Unknown(f"Fn::ImportValue {name}: exported by {export.file} as {what}", origins=(origin,))
