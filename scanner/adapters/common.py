"""What the Terraform and the CloudFormation adapters share: reading a template's values into
model fields, reading an IAM policy document, and the few computations both formats' mappers
make the same way.

Values reach the adapters as ``scanner.values`` describes them: plain data, ``ResourceRef``
(an edge to another resource), ``Unknown`` (kept as is) and ``EncodedJson``. Every reader
here is defensive: a template may put a string where a list is expected or a list where a
block is expected; such a value becomes ``Unknown`` (or is skipped) rather than an exception.

One behaviour serves both formats. Where they differ, it is said where it matters:

* Not set: ``None``, and ``""`` (and ``[]`` where a string, a reference or a list stands).
  Plan JSON writes every unset nested string as ``""`` and every unset list as ``[]``; a
  CloudFormation template that writes ``""`` names nothing either (AWS takes no empty id,
  CIDR, name or protocol).
* A reference where a literal is needed becomes ``Unknown`` that keeps the edge. Its reason
  names the step at which the value becomes known, in each tool's word: ``phase``, "apply"
  for Terraform, "deployment" for CloudFormation.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any, Final, Literal, NamedTuple

from scanner.adapters.raw import RawResource
from scanner.model import (
    Cidr,
    LoadBalancerType,
    MaybeBool,
    MaybeInt,
    MaybeStr,
    MetadataOptions,
    Policy,
    Ref,
    RouteTargetKind,
    Statement,
)
from scanner.protocols import ALL_PROTOCOLS, protocol_number
from scanner.values import (
    EncodedJson,
    Origin,
    ResourceRef,
    Span,
    SpannedDict,
    SpannedList,
    Unknown,
    existence_of,
    span_of,
)

Phase = Literal["apply", "deployment"]
APPLY: Final[Phase] = "apply"
DEPLOYMENT: Final[Phase] = "deployment"

# --- values ------------------------------------------------------------------------------


def is_unset(value: Any) -> bool:
    """None, ``""`` or ``[]``: nothing written (plan JSON's unset string and list)."""
    return value is None or value == "" or (isinstance(value, list) and not value)


def known_after(ref: ResourceRef, phase: Phase) -> Unknown:
    """A resource attribute read where a literal is needed: known only at ``phase``; its
    origin is that attribute (kind ``attribute``: ``Web.PublicIp``, ``aws_eip.ip.public_ip``;
    a CloudFormation ``Ref`` is the resource's logical ID)."""
    name = ref.address if ref.attribute == "Ref" else str(ref)
    return Unknown(f"{ref} is only known after {phase}", refs=(ref,), origins=(Origin("attribute", name),))


def as_str(value: Any, phase: Phase) -> MaybeStr:
    """A scalar string; a number or a boolean as Terraform and CloudFormation would pass it
    ("22", "true"); a reference becomes Unknown (keeping the edge)."""
    if is_unset(value):
        return None
    if isinstance(value, Unknown):
        return value
    if isinstance(value, ResourceRef):
        return known_after(value, phase)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return Unknown(f"expected a single value, found {type(value).__name__}")


def as_ref(value: Any, phase: Phase) -> Ref | None:
    """A reference field: a ResourceRef, a literal id/name/ARN, or Unknown. A one-item list
    is its item; a longer list (a conditional, an element of a list) is one of several
    values: Unknown that keeps every reference among them as an edge."""
    if is_unset(value):
        return None
    if isinstance(value, (ResourceRef, Unknown, str)):
        return value
    if isinstance(value, (bool, int, float)):
        return as_str(value, phase)
    if isinstance(value, list) and len(value) == 1:
        return as_ref(value[0], phase)
    if isinstance(value, list):
        refs = tuple(item for item in value if isinstance(item, ResourceRef))
        return Unknown(f"one of several values, only known after {phase}", refs=refs)
    return Unknown(f"expected one reference, found {type(value).__name__}")


def as_refs(value: Any, phase: Phase) -> tuple[Ref, ...]:
    """A list of references (unset items dropped); a single value counts as a one-item list."""
    if is_unset(value):
        return ()
    if isinstance(value, (list, tuple, set, frozenset)):
        refs = (as_ref(item, phase) for item in value)
        return tuple(ref for ref in refs if ref is not None)
    single = as_ref(value, phase)
    return (single,) if single is not None else ()


def as_cidrs(value: Any, phase: Phase) -> tuple[Cidr, ...]:
    """A list of CIDRs (or other strings, unset items dropped); a single value counts as a
    one-item list."""
    if is_unset(value):
        return ()
    items = value if isinstance(value, (list, tuple)) else [value]
    cidrs = (as_str(item, phase) for item in items)
    return tuple(cidr for cidr in cidrs if cidr is not None)


def literal_addresses(*values: Any) -> tuple[str, ...]:
    """The addresses among ``values`` written as literals: strings, lists of them, and
    CloudFormation's ``PrivateIpAddresses`` items (``PrivateIpAddress`` keys). An address not
    known offline is left out: it ties nothing to the resource."""
    found: list[str] = []
    for value in values:
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if isinstance(item, Mapping):
                item = item.get("PrivateIpAddress")
            if isinstance(item, str) and item:
                found.append(item)
    return tuple(dict.fromkeys(found))


def as_bool(value: Any, phase: Phase) -> MaybeBool:
    """A boolean, or its text "true" / "false" (any case, surrounding whitespace ignored).
    Anything else is Unknown: neither tool reads a number as a boolean."""
    if value is None or value == "":
        return None
    if isinstance(value, (bool, Unknown)):
        return value
    if isinstance(value, ResourceRef):
        return known_after(value, phase)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return Unknown(f"expected true or false, found {value!r}")


def _whole_number(value: float) -> int | None:
    return int(value) if math.isfinite(value) and value.is_integer() else None


def as_int(value: Any, phase: Phase) -> MaybeInt:
    """A whole number: an integer, a float or a text that is one ("22", " 22 ", "22.0");
    anything else (a fraction, a boolean, a list) is Unknown."""
    if value is None or value == "":
        return None
    if isinstance(value, Unknown):
        return value
    if isinstance(value, ResourceRef):
        return known_after(value, phase)
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float):
        number = _whole_number(value)
    elif isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            try:
                number = _whole_number(float(value))
            except ValueError:
                number = None
    return number if number is not None else Unknown(f"expected a number, found {value!r}")


def as_protocol(value: Any, phase: Phase) -> MaybeStr:
    """A rule's protocol as the model holds it (``scanner.protocols``): "tcp" -> "6", "udp"
    -> "17", "icmp" -> "1", "icmpv6" -> "58", "-1" / "all" (any negative number) -> "-1";
    other numbers stay numbers, as text. A name the table does not know is Unknown."""
    if value is None or value == "":
        return None
    if isinstance(value, Unknown):
        return value
    if isinstance(value, ResourceRef):
        return known_after(value, phase)
    number = None
    if isinstance(value, str):
        number = protocol_number(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        whole = as_int(value, phase)
        number = protocol_number(str(whole)) if isinstance(whole, int) else None
    return number if number is not None else Unknown(f"protocol {value!r} is not recognised")


# --- IAM policy documents ----------------------------------------------------------------


# Which lines name a statement, where the two formats have always differed (a finding on a
# statement points there, so they stay as they were):
# * "own" (Terraform): the statement's own lines, which an object written apart from the
#   policy (a local, an aws_iam_policy_document block, a source document) keeps; else the
#   list's place for it; else the document's.
# * "placed" (CloudFormation): where the document places it: its list item (an Fn::If
#   written in the list, not the branch it chose), else the list; a single statement
#   mapping by its ``Statement`` entry; else the document's.
StatementLines = Literal["own", "placed"]


class PolicyFormat(NamedTuple):
    """How a format's templates write policy documents: ``phase`` (when a reference becomes
    known), ``heredoc`` (JSON text stands line for line after the line the attribute starts
    on, as an HCL heredoc does; a YAML scalar may fold its lines) and ``statement_lines``."""

    phase: Phase
    heredoc: bool
    statement_lines: StatementLines


class PolicyDocument(NamedTuple):
    """A policy document read: its statements, why it is unknown (then there are none), and
    assumptions about statements that could not be read."""

    statements: tuple[Statement, ...]
    unknown: Unknown | None
    assumptions: tuple[str, ...]


def _lookup(document: Mapping[str, Any], *keys: str) -> tuple[str | None, Any]:
    for key in keys:
        if key in document:
            return key, document[key]
    return None, None


# IAM JSON keys, then the block form of data.aws_iam_policy_document, for each Statement field.
_STATEMENT_KEYS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "sid": ("Sid", "sid"),
        "effect": ("Effect", "effect"),
        "actions": ("Action", "actions"),
        "not_actions": ("NotAction", "not_actions"),
        "resources": ("Resource", "resources"),
        "not_resources": ("NotResource", "not_resources"),
        "condition": ("Condition", "condition"),
        "principals": ("Principal", "principals"),
    }
)


def _statement(item: Mapping[str, Any], span: Span, block_form: bool, phase: Phase) -> Statement:
    attr_spans: dict[str, Span] = {}
    values: dict[str, Any] = {}
    for name, keys in _STATEMENT_KEYS.items():
        key, value = _lookup(item, *keys)
        if key is None:
            continue
        values[name] = value
        if isinstance(item, SpannedDict) and key in item.key_spans:
            attr_spans[name] = item.key_spans[key]
    effect = as_str(values.get("effect"), phase)
    if effect is None and block_form:
        effect = "Allow"  # aws_iam_policy_document's default

    def listed(name: str) -> tuple[str | Unknown, ...] | None:
        return as_cidrs(values[name], phase) if values.get(name) is not None else None

    condition = values.get("condition")
    return Statement(
        span=span,
        attr_spans=attr_spans,
        sid=as_str(values.get("sid"), phase),
        effect=effect,
        actions=listed("actions"),
        not_actions=listed("not_actions"),
        resources=listed("resources"),
        not_resources=listed("not_resources"),
        has_condition=bool(condition) if not isinstance(condition, Unknown) else True,
        conditions=condition_keys(condition),
        condition_values=condition_values(condition, phase),
        principals=principals_of(values["principals"], phase) if "principals" in values else None,
    )


def condition_values(condition: Any, phase: Phase) -> tuple[tuple[str, str, tuple[str | Unknown, ...]], ...]:
    """A statement's Condition as ``(operator, key, values)``, in the order written, in the
    JSON form or Terraform's ``condition`` blocks (``test``, ``variable``, ``values``)."""
    found: list[tuple[str, str, tuple[str | Unknown, ...]]] = []
    if isinstance(condition, Mapping):
        for operator, keys in condition.items():
            if isinstance(operator, str) and isinstance(keys, Mapping):
                found.extend(
                    (operator, key, as_cidrs(value, phase)) for key, value in keys.items() if isinstance(key, str)
                )
    elif isinstance(condition, list):
        for block in condition:
            if isinstance(block, Mapping) and isinstance(block.get("test"), str):
                if isinstance(block.get("variable"), str):
                    found.append((block["test"], block["variable"], as_cidrs(block.get("values"), phase)))
    return tuple(found)


def principals_of(value: Any, phase: Phase) -> tuple[tuple[str, str | Unknown], ...]:
    """A Principal element as ``(type, value)`` pairs: ``"*"``, ``{"Service": [...], "AWS":
    ...}`` or Terraform's ``principals`` blocks (``type``, ``identifiers``). A value not known
    offline is an ``("?", Unknown)`` pair."""
    if isinstance(value, (Unknown, ResourceRef)):
        return (("?", as_str(value, phase) or Unknown("the Principal is not known offline")),)
    if isinstance(value, str):
        return ((value, value),) if value == "*" else (("?", value),)
    found: list[tuple[str, str | Unknown]] = []
    if isinstance(value, Mapping):
        for kind, ids in value.items():
            found.extend((str(kind), item) for item in as_cidrs(ids, phase))
    elif isinstance(value, list):
        for block in value:
            if isinstance(block, Mapping) and isinstance(block.get("type"), str):
                found.extend((block["type"], item) for item in as_cidrs(block.get("identifiers"), phase))
    return tuple(found)


def condition_keys(condition: Any) -> tuple[str, ...]:
    """A statement's Condition as ``"<operator> <key>"`` pairs, in the order written: the JSON
    form (``{"StringEquals": {"iam:PassedToService": ...}}``) or Terraform's ``condition``
    blocks (``test``, ``variable``). What is not known offline is left out."""
    found: list[str] = []
    if isinstance(condition, Mapping):
        for operator, keys in condition.items():
            if isinstance(operator, str) and isinstance(keys, Mapping):
                found.extend(f"{operator} {key}" for key in keys if isinstance(key, str))
    elif isinstance(condition, list):
        for block in condition:
            if isinstance(block, Mapping) and isinstance(block.get("test"), str):
                if isinstance(block.get("variable"), str):
                    found.append(f"{block['test']} {block['variable']}")
    return tuple(dict.fromkeys(found))


def _with_heredoc_lines(text: str, document: Mapping[str, Any], span: Span) -> Mapping[str, Any]:
    """A policy written as a heredoc spans the lines after ``<<EOF``: give each statement its
    own lines there, so a finding points at the statement and not at the whole document.
    Anything else (a one-line string, a shape we do not expect) keeps the attribute's span."""
    statements = document.get("Statement")
    if span.end_line - span.line < text.count("\n") or not isinstance(statements, (list, dict)):
        return document
    key = text.find('"Statement"')
    start = text.find("[", key) if isinstance(statements, list) else text.find(":", key) + 1
    if key < 0 or start <= 0:
        return document
    decoder = json.JSONDecoder()
    item_spans: list[Span | None] = []
    position = start + 1 if isinstance(statements, list) else start
    for _ in statements if isinstance(statements, list) else [statements]:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        try:
            _, end = decoder.raw_decode(text, position)
        except ValueError:
            return document
        first = span.line + 1 + text.count("\n", 0, position)
        last = span.line + 1 + text.count("\n", 0, end - 1)
        item_spans.append(Span(span.file, first, min(last, span.end_line)) if first <= span.end_line else None)
        position = end
    spanned = SpannedDict(document, span=span)
    spanned["Statement"] = SpannedList(
        statements if isinstance(statements, list) else [statements], span=span, item_spans=item_spans
    )
    return spanned


def parse_policy_document(document: Any, span: Span, form: PolicyFormat) -> PolicyDocument:
    """A policy document in any form a template writes it -> its statements, each with its
    own lines where the template gives them, else ``span`` (the document's).

    The document may be a mapping, JSON text, or ``EncodedJson`` (``jsonencode``, an
    ``aws_iam_policy_document``'s ``json``, ``Fn::ToJsonString``), read through the value it
    was encoded from so statements keep their lines; JSON text written as a heredoc gives each
    statement its lines there (``form.heredoc``). ``form.statement_lines`` says which lines
    name a statement (``StatementLines``). Terraform's ``aws_iam_policy_document`` block form (``statement``
    blocks with ``actions``, ``resources``..., Effect "Allow" by default) is read too.

    A statement that is not a mapping (a value not known offline) is left out with an
    assumption saying so; the others are still read."""
    if isinstance(document, EncodedJson):
        decoded = document.decoded
        if isinstance(decoded, (Mapping, Unknown)):
            return parse_policy_document(decoded, span, form)
        document = str(document)
    if isinstance(document, Unknown):
        return PolicyDocument((), document, ())
    if isinstance(document, ResourceRef):
        return PolicyDocument((), known_after(document, form.phase), ())
    if isinstance(document, str):
        text = document
        try:
            document = json.loads(text)
        except ValueError as error:
            return PolicyDocument((), Unknown(f"the policy document is not valid JSON ({error})"), ())
        if isinstance(document, Mapping) and form.heredoc:
            document = _with_heredoc_lines(text, document, span)
    if not isinstance(document, Mapping):
        return PolicyDocument((), Unknown("the policy document is not a JSON object"), ())
    key, statements = _lookup(document, "Statement", "statement")
    if key is None:
        return PolicyDocument((), None, ())
    if isinstance(statements, Unknown):
        return PolicyDocument((), statements, ())
    items = statements if isinstance(statements, list) else [statements]
    found: list[Statement] = []
    assumptions: list[str] = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            assumptions.append(f"statement {index} cannot be read offline")
            continue
        place = items.item_spans[index] if isinstance(items, SpannedList) and index < len(items.item_spans) else None
        if form.statement_lines == "own":
            item_span = (item.span if isinstance(item, SpannedDict) else None) or place
        else:
            item_span = (span_of(items, index) if items is statements else None) or span_of(document, "Statement")
        statement = _statement(item, item_span or span, key == "statement", form.phase)
        existence = existence_of(items, index)
        if existence is not None:
            # a CloudFormation !If [c, statement, !Ref AWS::NoValue] on an unknown condition
            statement = replace(statement, existence=existence)
            assumptions.append(f"statement {index} may not be in the document: {existence.reason}")
        found.append(statement)
    return PolicyDocument(tuple(found), None, tuple(assumptions))


def read_policy(
    fields: Mapping[str, Any],
    document: Any,
    span: Span,
    form: PolicyFormat,
    *,
    roles: tuple[Ref, ...] = (),
    managed: bool = False,
) -> Policy:
    """A Policy with the statements of ``document`` (``span``: the document's lines);
    ``fields`` are its common fields, to which the document's assumptions are added."""
    statements, unknown, assumptions = parse_policy_document(document, span, form)
    return Policy(
        **{**fields, "assumptions": tuple(fields["assumptions"]) + assumptions},
        statements=statements,
        document_unknown=unknown,
        roles=roles,
        managed=managed,
    )


# --- what both formats' mappers compute alike ----------------------------------------------


def resource_fields(
    raw: RawResource, attr_spans: dict[str, Span], name: MaybeStr, attr_written: dict[str, Span] | None = None
) -> dict[str, Any]:
    """The fields every model object a resource becomes has. ``attr_spans`` and
    ``attr_written`` are the reader's own dicts, which its later reads still fill."""
    return {
        "address": raw.address,
        "kind": raw.type,
        "span": raw.span,
        "attr_spans": attr_spans,
        "attr_written": attr_written if attr_written is not None else {},
        "shown_span": raw.shown_span,
        "assumptions": raw.assumptions,
        "existence": raw.existence,
        "name": name,
    }


def nested_fields(
    raw: RawResource,
    address: str,
    span: Span,
    attr_spans: dict[str, Span],
    attr_written: dict[str, Span] | None = None,
) -> dict[str, Any]:
    """The fields of a model object written inside ``raw`` (an inline rule, route, listener,
    policy or interface), at the derived ``address`` and its own ``span``."""
    return {
        "address": address,
        "kind": raw.type,
        "span": span,
        "attr_spans": attr_spans,
        "attr_written": attr_written if attr_written is not None else {},
        "shown_span": raw.shown_span,
        "assumptions": raw.assumptions,
        "existence": raw.existence,
    }


def made_for(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields an object AWS creates for a declaration (an EKS node group's launch
    template, a Beanstalk environment's groups) takes from the declaration's ``fields``: its
    kind, where it is shown, whether it exists and what it assumes. The caller gives the
    object its own address and span."""
    return {
        "kind": fields["kind"],
        "shown_span": fields.get("shown_span"),
        "existence": fields.get("existence"),
        "assumptions": fields.get("assumptions", ()),
    }


def comma_separated_refs(value: Any, phase: Phase) -> tuple[Ref, ...]:
    """A subnet id field that may name several subnets separated by commas (a Spot Fleet
    launch specification's ``subnet_id`` / ``SubnetId``): a literal is split; a value built
    from references (``"${aws_subnet.a.id},${aws_subnet.b.id}"``, a ``join``, ``!Join``) is
    its references; anything else (a list included) is read as references."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, Unknown) and value.refs:
        return tuple(value.refs)
    return as_refs(value, phase)


def ipv6_address_count(count: MaybeInt, addresses: Any) -> MaybeInt:
    """How many IPv6 addresses an instance or interface gets: its count, else the number of
    addresses it lists (an unknown list: unknown). None when neither is set, an empty list
    included: the subnet's setting decides."""
    if count is not None:
        return count
    if isinstance(addresses, Unknown):
        return addresses
    if isinstance(addresses, (list, tuple)) and addresses:
        return len(addresses)
    return None


def route_target(targets: Iterable[tuple[Ref | None, RouteTargetKind]]) -> tuple[Ref | None, RouteTargetKind]:
    """A route's target and its kind: the first of ``targets`` (each target attribute read in
    the order AWS reports them, with the kind it names) that is set. The gateway ``local`` is
    the VPC's own route."""
    for target, kind in targets:
        if target is None:
            continue
        return target, "local" if kind == "gateway" and target == "local" else kind
    return None, "other"


def forwarded_target_groups(actions: Iterable[tuple[MaybeStr, Iterable[Ref]]]) -> tuple[Ref, ...]:
    """The target groups a listener's or listener rule's actions forward to, each once, in
    order. ``actions``: each action's type and the target groups it names; a type other than
    ``forward`` (redirect, fixed-response, authenticate-*) forwards nowhere, an action whose
    type is not written or not known may forward."""
    groups = (
        group
        for action_type, named in actions
        if action_type in (None, "forward") or isinstance(action_type, Unknown)
        for group in named
    )
    return tuple(dict.fromkeys(groups))


_LOAD_BALANCER_TYPES: Final[Mapping[str, LoadBalancerType]] = MappingProxyType(
    {"application": "application", "network": "network", "gateway": "gateway"}
)


def load_balancer_type(written: MaybeStr) -> LoadBalancerType:
    """An ELBv2 load balancer's type (any case); "application" when not set, not known or
    not one of the three."""
    if not isinstance(written, str):
        return "application"
    return _LOAD_BALANCER_TYPES.get(written.lower(), "application")


def rule_allows(action: MaybeStr) -> MaybeBool:
    """A network ACL rule's action: "allow" (any case) -> True, anything else written -> False."""
    return action.lower() == "allow" if isinstance(action, str) else action


def rule_ports(protocol: MaybeStr, from_port: MaybeInt, to_port: MaybeInt) -> tuple[MaybeInt, MaybeInt]:
    """A security group rule's port range. AWS ignores the ports of an all-protocols rule:
    every port is open."""
    return (0, 65535) if protocol == ALL_PROTOCOLS else (from_port, to_port)


def is_private_nat(connectivity: MaybeStr) -> bool:
    """A NAT gateway's connectivity type: "private" (any case) has no internet side."""
    return isinstance(connectivity, str) and connectivity.lower() == "private"


class WrittenBlock(Mapping[str, object]):
    """A read-only mapping that, unlike ``MappingProxyType``, a worker process can send back
    (results cross processes under ``--jobs``)."""

    __slots__ = ("_items",)

    def __init__(self, items: dict[str, object]) -> None:
        self._items = items

    def __getitem__(self, key: str) -> object:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"WrittenBlock({self._items!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._items)))


def _frozen(value: Any) -> object:
    if isinstance(value, Mapping):
        return WrittenBlock({str(k): _frozen(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def written_block(value: Any) -> Mapping[str, object] | Unknown | None:
    """A block kept as written, read-only, for the model to carry (an override's
    ``instance_requirements`` / ``InstanceRequirements``): a Terraform block (a one-item
    list of a mapping) or a CloudFormation mapping. Unset: None; not a mapping: Unknown."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if is_unset(value):
        return None
    if isinstance(value, Unknown):
        return value
    if not isinstance(value, Mapping):
        return Unknown(f"expected a block, found {type(value).__name__}")
    frozen = _frozen(value)
    assert isinstance(frozen, Mapping)
    return frozen


def unknown_metadata(span: Span, why: Unknown) -> MetadataOptions:
    """Metadata options that are not known offline: neither of their settings is."""
    return MetadataOptions(span=span, http_tokens=why, http_endpoint=why)


def static_routes(
    raws: Iterable[RawResource], route_type: str, connection_key: str, cidr_key: str, phase: Phase
) -> dict[str, list[Cidr]]:
    """The static routes of VPN connections written as resources of their own
    (``aws_vpn_connection_route``, ``AWS::EC2::VPNConnectionRoute``), by the address of the
    connection each names (a reference, or a value computed from exactly one)."""
    routes: dict[str, list[Cidr]] = {}
    for raw in raws:
        if raw.type != route_type or not isinstance(raw.body, Mapping):
            continue
        connection = raw.body.get(connection_key)
        if isinstance(connection, Unknown) and len(connection.refs) == 1:
            connection = connection.refs[0]
        cidr = as_str(raw.body.get(cidr_key), phase)
        if isinstance(connection, ResourceRef) and cidr is not None:
            routes.setdefault(connection.address, []).append(cidr)
    return routes
