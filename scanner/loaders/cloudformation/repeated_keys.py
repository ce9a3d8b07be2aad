"""Decoding a template in which a mapping repeats a key.

cfn-lint's decoder refuses a mapping that repeats a key ("Duplicate found"), which would
lose the whole template. A YAML loader (and Python's ``json``) reads such a mapping with the
*later* key winning; this module decodes the template that way, with cfn-lint's own node
classes and short-form tags, and lists each repeated key with the line of the key that was
dropped and of the one that won. The loader reports them as warnings: the template is read,
but one of the two values the author wrote is ignored.

* YAML (and JSON, which cfn-lint reads as YAML): the document is composed into YAML nodes,
  the earlier of two equal keys (same resolved tag and text) is removed from each mapping,
  then cfn-lint's constructor builds the nodes. A mapping that uses a merge key (``<<``) is
  left as it is (cfn-lint does not check those either). YAML aliases are bounded the way
  cfn-lint bounds them: a document that expands to more than ``MAX_EXPANDED_NODES`` nodes is
  refused.
* JSON that YAML cannot read (tab indentation): cfn-lint's JSON decoder with a pairs hook
  that keeps the later key.

Only called after cfn-lint refused the template for repeated keys alone, so the cost is
paid by those templates only.
"""

from __future__ import annotations

from typing import Any

from yaml import MappingNode, Node, ScalarNode, SequenceNode
from yaml.scanner import ScannerError

from scanner.frozen import frozen

MAX_EXPANDED_NODES = 250_000  # cfn-lint's own bound on alias expansion
MERGE_TAG = "tag:yaml.org,2002:merge"


@frozen
class RepeatedKey:
    """``key`` written on ``dropped_line`` and again on ``kept_line`` (1-based) of one mapping."""

    key: str
    dropped_line: int
    kept_line: int

    @property
    def message(self) -> str:
        if self.dropped_line == self.kept_line:
            return f"key {self.key!r} is written twice on this line: the later one is used, the earlier ignored"
        return (
            f"key {self.key!r} repeats the one on line {self.dropped_line}: this later one is used "
            f"and the value on line {self.dropped_line} is ignored"
        )


class TooLarge(ValueError):
    """The document expands (through YAML aliases) to more nodes than ``MAX_EXPANDED_NODES``."""


def is_repeated_key_message(message: str) -> bool:
    """Whether a cfn-lint decode problem is a repeated key (its only kind this module fixes)."""
    return message.startswith("Duplicate found")


def decode_later_key_wins(text: str) -> tuple[Any, list[RepeatedKey]]:
    """The decoded template (cfn-lint nodes) with later keys winning, and the repeated keys.
    Raises what the YAML or JSON decoder raises on a template that is otherwise broken."""
    try:
        return _decode_yaml(text)
    except ScannerError as error:
        problem = str(error.problem or "")
        if not problem.startswith(("found character '\\t'", "found unknown escape character")):
            raise
        return _decode_json(text)  # where cfn-lint turns to its JSON decoder too


# --- YAML ---------------------------------------------------------------------------------------


def _decode_yaml(text: str) -> tuple[Any, list[RepeatedKey]]:
    from cfnlint.decode.cfn_yaml import CfnFullLoader, multi_constructor

    loader = CfnFullLoader(text, None)
    loader.add_multi_constructor("!", multi_constructor)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        _check_size(node)
        repeated = _drop_earlier_keys(node)
        return loader.construct_document(node), repeated
    finally:
        loader.dispose()


def _check_size(root: Node) -> None:
    """Refuses a node graph whose alias-expanded size is over ``MAX_EXPANDED_NODES``."""
    sizes: dict[int, int] = {}
    pending: list[tuple[Node, bool]] = [(root, False)]
    while pending:
        node, children_done = pending.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done or not children:
            total = 1 + sum(sizes.get(id(child), 1) for child in children)
            if total > MAX_EXPANDED_NODES:
                raise TooLarge(f"template expands to more than {MAX_EXPANDED_NODES} nodes through YAML aliases")
            sizes[id(node)] = total
            continue
        pending.append((node, True))
        pending.extend((child, False) for child in children if id(child) not in sizes)


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _drop_earlier_keys(root: Node) -> list[RepeatedKey]:
    """Removes the earlier of two equal keys from every mapping (each node once)."""
    repeated: list[RepeatedKey] = []
    seen: set[int] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode) and not any(key.tag == MERGE_TAG for key, _ in node.value):
            node.value = _later_key_wins(node.value, repeated)
        pending.extend(_children(node))
    return sorted(repeated, key=lambda r: (r.kept_line, r.key))


def _later_key_wins(pairs: list[tuple[Node, Node]], repeated: list[RepeatedKey]) -> list[tuple[Node, Node]]:
    """The pairs of one mapping, each key once: the later value in the earlier key's place."""
    kept: list[tuple[Node, Node]] = []
    position: dict[tuple[str, str], int] = {}
    for key, value in pairs:
        identity = (key.tag, key.value) if isinstance(key, ScalarNode) else None
        if identity is None or identity not in position:
            if identity is not None:
                position[identity] = len(kept)
            kept.append((key, value))
            continue
        earlier = kept[position[identity]][0]
        repeated.append(RepeatedKey(str(key.value), earlier.start_mark.line + 1, key.start_mark.line + 1))
        kept[position[identity]] = (key, value)
    return kept


# --- JSON that only JSON can read -----------------------------------------------------------------


def _decode_json(text: str) -> tuple[Any, list[RepeatedKey]]:
    from cfnlint.decode.cfn_json import CfnJSONDecoder, py_make_scanner
    from cfnlint.decode.node import dict_node

    repeated: list[RepeatedKey] = []

    def later_key_wins(pairs: list[tuple[Any, Any]], start: Any, end: Any) -> Any:
        kept: dict[str, tuple[Any, Any]] = {}
        for key, value in pairs:
            if key in kept:
                earlier = kept[key][0]
                repeated.append(RepeatedKey(str(key), _line(earlier), _line(key)))
            kept[key] = (key, value)
        return dict_node(dict(kept.values()), start, end)

    decoder = CfnJSONDecoder()
    decoder.object_pairs_hook = later_key_wins
    decoder.scan_once = py_make_scanner(decoder)
    document = decoder.decode(text)
    return document, sorted(repeated, key=lambda r: (r.kept_line, r.key))


def _line(node: Any) -> int:
    mark = getattr(node, "start_mark", None)
    return int(mark.line) + 1 if mark is not None else 0
