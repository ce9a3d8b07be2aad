"""The source edit that makes a fix: the text change in the file that does what the model
edit (``scanner.fixes.edits``) does, computed from the edited object and the file's lines.
Pure: the lines come in, nothing is read or written here.

A patch is made only when the text at the edit's place is the literal it expects;
anything else (a value from a variable, a ``dynamic`` block, a flow-style YAML list, a
statement inside a JSON string, heredoc or ``jsonencode``) gets no patch (an empty tuple),
never a guess.

=====================  ==========================================================================
edit                   text change
=====================  ==========================================================================
require_imdsv2         ``optional`` -> ``required`` in ``http_tokens = "optional"``,
                       ``HttpTokens: optional``, ``"HttpTokens": "optional"`` (or a variable
                       ``default`` / parameter ``Default``, a tfvars line, a module argument
                       that sets it); a metadata block without ``http_tokens``: the line
                       inserted as its first; none at all: a ``metadata_options`` block
                       inserted after the resource's first line (Terraform), a
                       ``MetadataOptions`` mapping under ``Properties`` (``AWS::EC2::Instance``,
                       ``AWS::AutoScaling::LaunchConfiguration``) or under
                       ``LaunchTemplateData`` (``AWS::EC2::LaunchTemplate``), YAML or JSON;
                       none where the declaration cannot set it (``metadata_unsupported``)
no_public_ip           ``true`` -> ``false`` (``associate_public_ip_address``,
                       ``map_public_ip_on_launch``, ``AssociatePublicIpAddress``,
                       ``MapPublicIpOnLaunch``); unset on an ``aws_instance`` (or
                       ``aws_spot_instance_request``) without
                       ``network_interface`` blocks, an ``aws_subnet`` / ``aws_default_subnet``
                       or an ``AWS::EC2::Subnet``: the attribute inserted, set to false. (A
                       launch template's and a CloudFormation instance's attribute lives in a
                       network interface: not inserted.)
remove_world_sources   the rule keeps other sources: ``"0.0.0.0/0"`` / ``"::/0"`` taken out of
                       the list literal(s) (an item line of a multi-line HCL list deleted);
                       the rule is left with none: its lines deleted. When the edit's line is
                       not the rule's own (a module argument, a tfvars line setting the list),
                       the world items are taken out of the list there.
remove_rule,           the object's lines deleted: an inline block (``ingress { }``,
remove_acl_entry,      ``route { }``, ``listener { }``), a standalone resource, a CloudFormation
remove_route,          resource or list item. A managed policy ARN of ``managed_policy_arns`` /
remove_listener,       ``ManagedPolicyArns``: that one item.
remove_eip,
detach_policy
make_internal          ``internal = false`` -> ``true``, ``Scheme: internet-facing`` ->
                       ``internal``; unset: ``internal = true`` / ``Scheme: internal`` inserted
remove_statement       a ``statement { }`` block of ``data "aws_iam_policy_document"``, a YAML
                       list item or a JSON template's statement object: its lines deleted. A
                       statement inside a JSON string, heredoc or ``jsonencode``: no patch.
=====================  ==========================================================================

Nothing is deleted from a Terraform override file (``override.tf``, ``*_override.tf``):
there, a nested block type replaces the original's blocks of that type, so a deletion
would bring the original's back. A YAML list item is deleted only from a list that is a
key's value (not one inside ``!If``).

Deleting lines: the region from (first line, column 1) to (last line + 1, column 1). A JSON
member or item deleted as the last of its object or list also loses the comma before it; a
YAML block list left empty becomes ``[]``. A resource is deleted only when nothing else in
its file names it (a ``!Ref``, a ``DependsOn``, ``aws_eip.web.id``), and not when its
address has an instance key (``count`` / ``for_each``: the block makes every instance).

Never patched: files under ``.terraform/`` (not in the repository) or ``cdk.out/``, Terraform
plans and CDK apps (generated: the caller gives no lines for them), ``.tf.json`` block
edits (literal replacements only). Columns count characters (SARIF's ``utf16CodeUnits`` for
any text in the Basic Multilingual Plane).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal

from scanner.findings import SourceChange
from scanner.fixes.edits import WORLD, Edit
from scanner.frozen import frozen
from scanner.model import (
    Instance,
    InstanceMetadataDefaults,
    LaunchTemplate,
    LoadBalancer,
    PolicyAttachment,
    Resource,
    SecurityGroupRule,
    Subnet,
    made_by_aws,
)
from scanner.values import Span

Syntax = Literal["hcl", "yaml", "json"]
Patch = tuple[SourceChange, ...]

_HCL_SUFFIXES = (".tf", ".tfvars", ".hcl")
_JSON_SUFFIXES = (".json",)
_NESTED = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)\[(\d+)\]$")
_KEY = re.compile(r"""^\s*(?:-\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*[:=]""")
_INDENT = re.compile(r"^\s*")
# patterns with the name captured, not built per object (one regex per resource thrashed re's cache)
_RESOURCE_OPENING = re.compile(r'^\s*resource\s+"([^"]+)"\s+"([^"]+)"\s*\{\s*(#.*)?$')
_JSON_KEY_OPENING = re.compile(r'^\s*"([^"]*)"\s*:\s*\{\s*$')
_YAML_KEY_LINE = re.compile(r"""^\s*["']?([^"':\s]+)["']?:\s*(#.*)?$""")


def syntax_of(path: str, lines: Sequence[str]) -> Syntax:
    """How the file is written: HCL by its name; JSON by its name or its first character
    (a ``.template`` / ``.yaml`` CloudFormation template may be JSON); else YAML."""
    if path.endswith(_HCL_SUFFIXES):
        return "hcl"
    if path.endswith(_JSON_SUFFIXES):
        return "json"
    first = next((line.strip() for line in lines if line.strip()), "")
    return "json" if first.startswith("{") else "yaml"


def patchable_file(path: str) -> bool:
    """Whether a file can carry a patch: not under ``.terraform/`` (downloaded modules) or
    ``cdk.out/`` (templates the CDK synthesises)."""
    parts = path.split("/")
    return ".terraform" not in parts and "cdk.out" not in parts


@frozen
class _Text:
    """The edited file: its lines (1-based access), its syntax, the edit and the object."""

    file: str
    lines: Sequence[str]
    syntax: Syntax
    edit: Edit
    obj: Resource

    def at(self, number: int) -> str | None:
        return self.lines[number - 1] if 1 <= number <= len(self.lines) else None

    @property
    def span(self) -> Span:
        return self.edit.span

    @property
    def cfn(self) -> bool:
        return self.obj.kind.startswith("AWS::")

    def own(self, span: Span) -> bool:
        """Whether ``span`` is in this file."""
        return span.file == self.file

    def inside_object(self, span: Span) -> bool:
        obj = self.obj.span
        return span.file == obj.file and obj.line <= span.line <= obj.end_line


def source_patch(edit: Edit, obj: Resource | None, lines: Sequence[str] | None) -> Patch:
    """The text changes in ``edit.span.file`` that make ``edit`` on ``obj`` (the object at
    ``edit.address``), given that file's ``lines``; empty when the text is not the literal
    the edit expects."""
    if obj is None or lines is None or not patchable_file(edit.span.file) or made_by_aws(obj.address) is not None:
        return ()  # an object AWS creates is changed through its declaration, not patched
    text = _Text(edit.span.file, lines, syntax_of(edit.span.file, lines), edit, obj)
    if text.syntax == "json" and edit.span.file.endswith(".tf.json") and edit.kind != "require_imdsv2":
        return _swapped_only(text)
    return _PATCHERS[edit.kind](text)


def _swapped_only(text: _Text) -> Patch:
    if text.edit.kind in _SWAPS:
        return _swap_at(text, text.span.line)
    return ()


# --- literal replacement -------------------------------------------------------------------

# kind -> (old literal, new literal, the attribute names that hold it)
_SWAPS: dict[str, tuple[str, str, frozenset[str]]] = {
    "require_imdsv2": ("optional", "required", frozenset({"http_tokens", "HttpTokens"})),
    "no_public_ip": (
        "true",
        "false",
        frozenset(
            {
                "associate_public_ip_address",
                "map_public_ip_on_launch",
                "AssociatePublicIpAddress",
                "MapPublicIpOnLaunch",
            }
        ),
    ),
    "make_internal": ("", "", frozenset({"internal", "Scheme"})),  # the values depend on the syntax
}
_DEFAULT_KEYS = frozenset({"default", "Default"})


def _swap_values(text: _Text) -> tuple[str, str, frozenset[str]]:
    old, new, keys = _SWAPS[text.edit.kind]
    if text.edit.kind == "make_internal":
        return ("internet-facing", "internal", keys) if text.cfn else ("false", "true", keys)
    return old, new, keys


def _swap_at(text: _Text, number: int) -> Patch:
    """``old`` -> ``new`` where it is the value on line ``number`` (exactly once), and the
    line sets one of the attributes the edit changes, a default, or is outside the object
    (a line that sets the value the object reads)."""
    line = text.at(number)
    if line is None:
        return ()
    old, new, keys = _swap_values(text)
    key = _KEY.match(line)
    name = key.group(1) if key else ""
    outside = not text.inside_object(Span(text.file, number, number))
    if name not in keys and name not in _DEFAULT_KEYS and not outside:
        return ()
    found = _value_positions(line, old)
    if len(found) != 1:
        return ()
    start = found[0]
    return (SourceChange(text.file, number, start + 1, number, start + 1 + len(old), new),)


def _value_positions(line: str, value: str) -> list[int]:
    """Where ``value`` stands as a whole value after ``=`` or ``:`` (quoted or not), before
    any comment."""
    pattern = re.compile(r"""[=:]\s*(["']?)(""" + re.escape(value) + r""")\1\s*(?=,|\}|#|//|$)""")
    return [m.start(2) for m in pattern.finditer(_code_part(line))]


def _code_part(line: str) -> str:
    """The line up to a ``#`` / ``//`` comment outside quotes."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#" or line.startswith("//", index):
            return line[:index]
    return line


# --- insertion -----------------------------------------------------------------------------


def _indent(line: str) -> str:
    found = _INDENT.match(line)
    return found.group(0) if found else ""


def _child_indent(text: _Text, number: int, end: int) -> str | None:
    """The indentation of the first line under line ``number`` (up to ``end``) that is deeper
    than it, when the next content line is; None when the block has no content line."""
    parent = len(_indent(text.at(number) or ""))
    for below in range(number + 1, end + 1):
        line = text.at(below)
        if line is None:
            return None
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "//")):
            continue
        inner = _indent(line)
        return inner if len(inner) > parent else None
    return None


def _insert_after(text: _Text, number: int, body: Sequence[str]) -> Patch:
    inserted = "".join(f"{line}\n" for line in body)
    return (SourceChange(text.file, number + 1, 1, number + 1, 1, inserted),)


def _opens_resource(text: _Text) -> bool:
    """Whether the object's first line opens its HCL resource block (``resource "aws_instance"
    "web" {``), or is its CloudFormation logical id."""
    line = text.at(text.obj.span.line)
    if line is None:
        return False
    if text.cfn:
        return _logical_id_line(line, _logical_id(text.obj.address), text.syntax)
    parts = _resource_address(text.obj.address)
    if parts is None:
        return False
    kind, name, _ = parts
    opened = _RESOURCE_OPENING.match(line)
    return opened is not None and opened.group(1, 2) == (kind, name)


def _hcl_insert(text: _Text, body: Sequence[str]) -> Patch:
    """``body`` (relative lines) inserted as the first lines of the object's HCL block."""
    if text.syntax != "hcl" or not _opens_resource(text):
        return ()
    start = text.obj.span.line
    inner = _child_indent(text, start, text.obj.span.end_line) or _indent(text.at(start) or "") + "  "
    return _insert_after(text, start, [inner + line for line in body])


def _cfn_insert(text: _Text, path: Sequence[str], key: str, body: Sequence[tuple[int, str]]) -> Patch:
    """A CloudFormation property inserted under ``path`` (``Properties``, then e.g.
    ``LaunchTemplateData``) of the object's resource: YAML ``key:`` with ``body`` lines
    ((depth, text), depth 0 for a scalar on the key's line), or a JSON member."""
    if not text.cfn or not _opens_resource(text):
        return ()
    number = text.obj.span.line
    end = text.obj.span.end_line
    for step in path:
        found = _find_key(text, step, number, end)
        if found is None:
            return ()
        number = found
    inner = _child_indent(text, number, end)
    if inner is None:
        return ()
    line = text.at(number) or ""
    if text.syntax == "yaml":
        if not re.match(rf"^\s*{re.escape(path[-1])}:\s*(#.*)?$", line):
            return ()  # a flow mapping or a value on the key's line
        step_width = len(inner) - len(_indent(line))
        scalar = [value for depth, value in body if depth == 0]
        if scalar:
            return _insert_after(text, number, [f"{inner}{key}: {scalar[0]}"])
        lines = [f"{inner}{key}:"] + [f"{inner}{' ' * step_width * depth}{value}" for depth, value in body]
        return _insert_after(text, number, lines)
    if not re.match(rf'^\s*"{re.escape(path[-1])}"\s*:\s*\{{\s*$', line):
        return ()
    following = text.at(number + 1) or ""
    if following.strip().startswith("}"):
        return ()  # an empty object: the member would need no comma
    members = ", ".join(f'"{k}": {v}' for k, v in _json_members(body))
    value = f"{{ {members} }}" if members else next(v for d, v in body if d == 0)
    return _insert_after(text, number, [f'{inner}"{key}": {value},'])


def _json_members(body: Sequence[tuple[int, str]]) -> list[tuple[str, str]]:
    out = []
    for depth, value in body:
        if depth == 1:
            key, _, scalar = value.partition(": ")
            out.append((key, scalar if scalar in ("true", "false") else f'"{scalar}"'))
    return out


def _find_key(text: _Text, key: str, start: int, end: int) -> int | None:
    """The line of ``key`` directly under line ``start`` (one level deeper), up to ``end``."""
    inner = _child_indent(text, start, end)
    if inner is None:
        return None
    pattern = re.compile(rf"""^{re.escape(inner)}["']?{re.escape(key)}["']?\s*:""")
    for number in range(start + 1, end + 1):
        line = text.at(number)
        if line is not None and pattern.match(line):
            return number
    return None


# --- deletion ------------------------------------------------------------------------------


def _delete(text: _Text, first: int, last: int) -> Patch:
    """Lines ``first``..``last`` deleted, with the comma before them in JSON when they were
    the last member, and a YAML block list they leave empty written ``[]``."""
    if text.at(first) is None or text.at(last) is None:
        return ()
    changes = [SourceChange(text.file, first, 1, last + 1, 1, "")]
    if text.syntax == "json" and not (text.at(last) or "").rstrip().endswith(","):
        before = _previous_content(text, first)
        if before is not None:
            line = text.at(before) or ""
            stripped = line.rstrip()
            if stripped.endswith(","):
                changes.insert(0, SourceChange(text.file, before, len(stripped), before, len(stripped) + 1, ""))
    if text.syntax == "yaml" and (text.at(first) or "").lstrip().startswith("- "):
        emptied = _emptied_yaml_list(text, first)
        if emptied is None:
            return ()
        changes[:0] = emptied
    return tuple(changes)


def _list_key(text: _Text, first: int) -> int | None:
    """The line of the mapping key whose value is the YAML block list holding the item at
    ``first`` (``SecurityGroupIngress:``); None when the list is not a key's value (an
    item of ``- !If``, a list in a list)."""
    dash = len(_indent(text.at(first) or ""))
    for number in range(first - 1, 0, -1):
        line = text.at(number) or ""
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or len(_indent(line)) >= dash:
            continue
        return number if _YAML_KEY_ONLY.match(line) else None
    return None


_YAML_KEY_ONLY = re.compile(r"""^(\s*(?:-\s+)?["']?[\w:.-]+["']?:)\s*(#.*)?$""")


def _emptied_yaml_list(text: _Text, first: int) -> list[SourceChange] | None:
    """When the YAML list item at ``first`` is its list's only item, the change that writes
    the list's key ``[]``; [] when other items stay; None when the list is not a key's."""
    key = _list_key(text, first)
    if key is None:
        return None
    dash = _indent(text.at(first) or "")
    items = 0
    for number in range(key + 1, len(text.lines) + 1):
        line = text.at(number) or ""
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(_indent(line)) < len(dash):
            break
        items += _indent(line) == dash and stripped.startswith("- ")
    if items > 1:
        return []
    found = _YAML_KEY_ONLY.match(text.at(key) or "")
    assert found is not None
    end = len(found.group(1))
    return [SourceChange(text.file, key, end + 1, key, end + 1, " []")]


def _previous_content(text: _Text, number: int) -> int | None:
    for before in range(number - 1, 0, -1):
        stripped = (text.at(before) or "").strip()
        if stripped and not stripped.startswith(("#", "//")):
            return before
    return None


def _logical_id(address: str) -> str:
    return address.rsplit(".", 1)[-1]


def _logical_id_line(line: str, logical_id: str, syntax: Syntax) -> bool:
    found = (_JSON_KEY_OPENING if syntax == "json" else _YAML_KEY_LINE).match(line)
    return found is not None and found.group(1) == logical_id


def _resource_address(address: str) -> tuple[str, str, str] | None:
    """(type, name, instance key) of a Terraform resource address, modules left out."""
    parts = re.split(r"\.(?![^\[]*\])", address)
    while parts and parts[0] == "module" and len(parts) >= 2:
        parts = parts[2:]
    if len(parts) != 2 or parts[0] == "data":
        return None
    name = re.match(r"^([\w-]+)(\[.*\])?$", parts[1])
    if name is None:
        return None
    return parts[0], name.group(1), name.group(2) or ""


def _delete_object(text: _Text) -> Patch:
    """The object's own lines deleted: a nested block or list item, or a whole resource
    nothing else in the file names."""
    span = text.obj.span
    if not text.own(span) or not text.inside_object(text.span) or _override_file(text.file):
        return ()
    first = text.at(span.line)
    if first is None or (text.syntax == "json" and text.file.endswith(".tf.json")):
        return ()
    nested = _nested_block(text)
    if nested is not None:
        return _delete_nested(text, nested, first)
    if text.cfn:
        logical_id = _logical_id(text.obj.address)
        if not _logical_id_line(first, logical_id, text.syntax) or _named_elsewhere(text, logical_id):
            return ()
        return _delete(text, span.line, span.end_line)
    parts = _resource_address(text.obj.address)
    if parts is None or parts[2] or not _opens_resource(text):
        return ()
    if not _closes(text.at(span.end_line)) or _named_elsewhere(text, f"{parts[0]}.{parts[1]}"):
        return ()
    return _delete(text, span.line, span.end_line)


def _nested_block(text: _Text) -> str | None:
    """The block name (``ingress``) or property (``SecurityGroupIngress``) of an object
    written inside a resource; None for a resource of its own."""
    nested = _NESTED.search(text.obj.address)
    if nested is None:
        return None
    if text.cfn:
        return nested.group(1) if "." in text.obj.address else None
    return nested.group(1) if _resource_address(text.obj.address) is None else None


def _delete_nested(text: _Text, block: str, first: str) -> Patch:
    span = text.obj.span
    if text.cfn:
        if text.syntax == "yaml" and first.lstrip().startswith("- "):
            return _delete(text, span.line, span.end_line)
        if text.syntax == "json" and first.strip() == "{" and _closes(text.at(span.end_line)):
            return _delete(text, span.line, span.end_line)
        return ()
    if not re.match(rf"^\s*{re.escape(block)}\s*\{{", first) or not _closes(text.at(span.end_line)):
        return ()
    return _delete(text, span.line, span.end_line)


def _override_file(path: str) -> bool:
    """A Terraform override file: its blocks merge into the original's, and a nested block
    type it writes replaces the original's blocks of that type, so deleting one there
    brings the original's back."""
    name = path.rsplit("/", 1)[-1]
    return name in ("override.tf", "override.tf.json") or name.endswith(("_override.tf", "_override.tf.json"))


def _closes(line: str | None) -> bool:
    return line is not None and line.strip().rstrip(",").endswith("}")


def _named_elsewhere(text: _Text, name: str) -> bool:
    """Whether the file outside the object names it (as a whole word)."""
    span = text.obj.span
    outside = ("\n".join(text.lines[: span.line - 1]), "\n".join(text.lines[span.end_line :]))
    if not any(name in part for part in outside):  # most names are nowhere else: no pattern to build
        return False
    found = re.compile(rf"(?<![\w.-]){re.escape(name)}(?![\w-])")
    return any(found.search(part) for part in outside)


# --- lists ---------------------------------------------------------------------------------


def _without_items(line: str, drop: Callable[[str], bool], allow_empty: bool) -> tuple[int, int, str] | None:
    """The one ``[...]`` list literal on ``line`` with the items ``drop`` says removed:
    (start, end, new text) of the brackets, None when there is no such list, nothing to
    drop, or the list would be left empty and ``allow_empty`` is False."""
    code = _code_part(line)
    if code.count("[") != 1 or code.count("]") != 1:
        return None
    start, end = code.index("["), code.index("]") + 1
    inside = code[start + 1 : end - 1]
    if '"' in inside and any(c in inside for c in "()"):
        return None  # a function call inside: not a plain list
    items = [item.strip() for item in inside.split(",")]
    trailing = bool(items) and items[-1] == ""
    items = [item for item in items if item]
    kept = [item for item in items if not drop(item)]
    if len(kept) == len(items) or (not kept and not allow_empty):
        return None
    separator = ", " if ", " in inside or len(items) < 2 else ","
    body = separator.join(kept)
    if trailing and kept:
        body += ","
    padded = inside.startswith(" ") and kept
    return start, end, f"[ {body} ]" if padded else f"[{body}]"


def _unquoted(item: str) -> str:
    return item.strip().strip("\"'")


def _is_world_item(item: str) -> bool:
    return _unquoted(item) in WORLD


def _remove_list_items(text: _Text, span: Span, drop: Callable[[str], bool], allow_empty: bool) -> list[SourceChange]:
    """The items ``drop`` says removed from the list on each line of ``span``: from a list
    literal on the line, or the whole line when it is one item of a multi-line HCL list."""
    out: list[SourceChange] = []
    for number in range(span.line, span.end_line + 1):
        line = text.at(number)
        if line is None:
            return []
        stripped = _code_part(line).strip()
        if text.syntax == "hcl" and re.fullmatch(r'"[^"]*",?', stripped) and drop(stripped.rstrip(",")):
            out.append(SourceChange(text.file, number, 1, number + 1, 1, ""))
            continue
        found = _without_items(line, drop, allow_empty)
        if found is not None:
            start, end, new = found
            out.append(SourceChange(text.file, number, start + 1, number, end + 1, new))
    return out


# --- each kind ----------------------------------------------------------------------------


def _require_imdsv2(text: _Text) -> Patch:
    if isinstance(text.obj, (Instance, LaunchTemplate)) and text.obj.metadata_unsupported:
        return ()  # the declaration cannot carry the setting (a spot request, a launch specification)
    swapped = _swap_at(text, text.span.line)
    if swapped:
        return swapped
    obj = text.obj
    if isinstance(obj, InstanceMetadataDefaults):
        if obj.http_tokens is None and text.edit.span == obj.span:
            return _hcl_insert(text, ['http_tokens = "required"'])
        return ()
    if not isinstance(obj, (Instance, LaunchTemplate)) or text.edit.span.file != obj.span.file:
        return ()
    metadata = obj.metadata
    if metadata is None:
        if text.cfn:
            path = ["Properties"]
            if obj.kind == "AWS::EC2::LaunchTemplate":
                path.append("LaunchTemplateData")
            elif obj.kind not in ("AWS::EC2::Instance", "AWS::AutoScaling::LaunchConfiguration"):
                return ()
            return _cfn_insert(text, path, "MetadataOptions", [(1, "HttpTokens: required")])
        return _hcl_insert(text, ["metadata_options {", '  http_tokens = "required"', "}"])
    if metadata.http_tokens is not None or "http_tokens" in metadata.attr_spans or not text.own(metadata.span):
        return ()
    return _insert_in_block(text, metadata.span, "HttpTokens: required" if text.cfn else 'http_tokens = "required"')


def _insert_in_block(text: _Text, span: Span, line: str) -> Patch:
    """``line`` as the first line of the block or mapping opening at ``span.line``."""
    opening = text.at(span.line) or ""
    if text.syntax == "hcl":
        if not re.match(r"^\s*[\w]+\s*\{\s*(#.*)?$", opening):
            return ()
    elif text.syntax == "yaml":
        if not re.match(r"^\s*(?:-\s+)?MetadataOptions:\s*(#.*)?$", opening):
            return ()
    else:
        if not re.match(r'^\s*"MetadataOptions"\s*:\s*\{\s*$', opening):
            return ()
        following = text.at(span.line + 1) or ""
        if following.strip().startswith("}"):
            return ()
        key, _, value = line.partition(": ")
        line = f'"{key}": "{value}",'
    inner = _child_indent(text, span.line, span.end_line)
    if inner is None:
        return ()
    return _insert_after(text, span.line, [inner + line])


def _no_public_ip(text: _Text) -> Patch:
    swapped = _swap_at(text, text.span.line)
    if swapped:
        return swapped
    obj = text.obj
    if not text.inside_object(text.span):
        return ()
    if isinstance(obj, Subnet):
        if obj.map_public_ip_on_launch is not None:
            return ()
        if text.cfn:
            if obj.kind != "AWS::EC2::Subnet":
                return ()
            return _cfn_insert(text, ["Properties"], "MapPublicIpOnLaunch", [(0, "false")])
        if obj.kind not in ("aws_subnet", "aws_default_subnet"):
            return ()
        return _hcl_insert(text, ["map_public_ip_on_launch = false"])
    if isinstance(obj, LaunchTemplate) and obj.is_launch_configuration and obj.associate_public_ip is None:
        if text.cfn:
            if obj.kind != "AWS::AutoScaling::LaunchConfiguration":
                return ()
            return _cfn_insert(text, ["Properties"], "AssociatePublicIpAddress", [(0, "false")])
        if obj.kind != "aws_launch_configuration":
            return ()
        return _hcl_insert(text, ["associate_public_ip_address = false"])
    # the provider sends a spot instance request's associate_public_ip_address (fleets.py)
    if isinstance(obj, Instance) and not text.cfn and obj.kind in ("aws_instance", "aws_spot_instance_request"):
        if obj.associate_public_ip is not None or obj.network_interfaces:
            return ()
        if any(re.match(r"^\s*network_interface\s*\{", line) for line in _object_lines(text)):
            return ()
        return _hcl_insert(text, ["associate_public_ip_address = false"])
    return ()


def _object_lines(text: _Text) -> Sequence[str]:
    span = text.obj.span
    return text.lines[span.line - 1 : span.end_line]


def _remove_world_sources(text: _Text) -> Patch:
    obj = text.obj
    if not isinstance(obj, SecurityGroupRule):
        return ()
    if text.edit.span == obj.span:
        return _delete_object(text)
    if not text.inside_object(text.span):
        # the list is set where the rule reads it from (a module argument, a tfvars line)
        return tuple(_remove_list_items(text, text.span, _is_world_item, allow_empty=True))
    changes: list[SourceChange] = []
    for name in ("cidrs", "ipv6_cidrs"):
        span = obj.attr_spans.get(name)
        if span is None or not text.own(span):
            continue
        values = obj.cidrs if name == "cidrs" else obj.ipv6_cidrs
        if not any(isinstance(v, str) and v.strip() in WORLD for v in values):
            continue
        found = _remove_list_items(text, span, _is_world_item, allow_empty=True)
        if not found:
            return ()  # the world CIDR is not a literal here
        changes += found
    return tuple(changes)


def _detach_policy(text: _Text) -> Patch:
    obj = text.obj
    if not isinstance(obj, PolicyAttachment):
        return ()
    if obj.kind in ("aws_iam_policy_attachment",):
        return ()  # one resource attaches the policy to every role it lists
    if _nested_block(text) is None:
        return _delete_object(text)
    # an item of managed_policy_arns / ManagedPolicyArns
    if not text.own(text.span) or text.span.line != text.span.end_line:
        return ()
    line = text.at(text.span.line) or ""
    if text.syntax == "yaml" and line.lstrip().startswith("- ") and text.obj.span == text.span:
        return _delete(text, text.span.line, text.span.line)
    policy = obj.policy if isinstance(obj.policy, str) else None
    if policy is None:
        return ()
    items = _remove_list_items(text, text.span, lambda item: _unquoted(item) == policy, allow_empty=True)
    if items:
        return tuple(items)
    if (
        text.syntax == "json"
        and re.fullmatch(r'\s*"[^"]*",?\s*', line)
        and _unquoted(line.strip().rstrip(",")) == policy
    ):
        return _delete(text, text.span.line, text.span.line)
    return ()


def _make_internal(text: _Text) -> Patch:
    swapped = _swap_at(text, text.span.line)
    if swapped:
        return swapped
    obj = text.obj
    if not isinstance(obj, LoadBalancer) or obj.internal is not None or text.edit.span != obj.span:
        return ()
    if text.cfn:
        if obj.kind not in ("AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancing::LoadBalancer"):
            return ()
        return _cfn_insert(text, ["Properties"], "Scheme", [(0, "internal")])
    if obj.kind not in ("aws_lb", "aws_alb", "aws_elb"):
        return ()
    return _hcl_insert(text, ["internal = true"])


def _remove_statement(text: _Text) -> Patch:
    statement = text.edit.statement
    if statement is None or not text.own(statement):
        return ()
    first = text.at(statement.line) or ""
    last = text.at(statement.end_line)
    if text.syntax == "hcl":
        if not re.match(r"^\s*statement\s*\{", first) or not _closes(last):
            return ()
    elif text.syntax == "yaml":
        if not first.lstrip().startswith("- "):
            return ()
    elif first.strip() != "{" or not _closes(last):
        return ()
    return _delete(text, statement.line, statement.end_line)


_PATCHERS: dict[str, Callable[[_Text], Patch]] = {
    "require_imdsv2": _require_imdsv2,
    "no_public_ip": _no_public_ip,
    "remove_eip": _delete_object,
    "remove_world_sources": _remove_world_sources,
    "remove_rule": _delete_object,
    "remove_acl_entry": _delete_object,
    "remove_route": _delete_object,
    "remove_listener": _delete_object,
    "make_internal": _make_internal,
    "detach_policy": _detach_policy,
    "remove_statement": _remove_statement,
}


# --- applying ------------------------------------------------------------------------------


def apply_changes(text: str, changes: Sequence[SourceChange]) -> str:
    """``text`` with ``changes`` (of one file, not overlapping) made: what a SARIF consumer
    does with a fix's replacements."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:
        if line == len(lines) + 1 and column == 1:
            return len(text)
        if not 1 <= line <= len(lines):
            raise ValueError(f"line {line} is not in the text")
        return starts[line - 1] + column - 1

    out = text
    for change in sorted(changes, key=lambda c: (c.line, c.column), reverse=True):
        start, end = offset(change.line, change.column), offset(change.end_line, change.end_column)
        if end < start:
            raise ValueError(f"region ends before it starts: {change}")
        out = out[:start] + change.text + out[end:]
    return out
