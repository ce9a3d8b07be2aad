"""Terraform's override files: how a block of ``override.tf`` / ``*_override.tf`` (or
``.tf.json``) changes the block it overrides.

Terraform first loads a module's other files, then each override file in lexicographical
order of its name, and merges each of its top-level blocks into the block with the same
header (type and labels), later overrides taking precedence over earlier ones
(developer.hashicorp.com, "Override Files"):

* an argument of the override block replaces the argument of that name;
* the override block's nested blocks replace *all* blocks of their type in the original (a
  ``dynamic "ingress"`` block counts as an ``ingress`` block, on either side); block types
  the override does not write stay, and nested blocks' contents are never merged, except
  ``lifecycle``, whose arguments merge one by one;
* ``locals`` merge value by value, whatever block they are written in;
* a ``variable``, ``output`` or ``module`` block merges the same way, argument by argument;
* an override block without an original is an error, and so is ``depends_on`` in one.

What an override sets keeps its own file: a merged block's body is a ``MergedBody`` whose
items from an override are ``OverrideAttribute`` / ``OverrideBlock``, and ``file_of`` names
the file an item is written in, so its values and lines point at the override file.
"""

from __future__ import annotations

from pathlib import Path

from scanner.frozen import frozen
from scanner.loaders.terraform import hcl as syn

# blocks whose arguments merge one by one instead of being replaced as a whole
_MERGED_NESTED = frozenset({"lifecycle"})


def is_override_file(path: Path) -> bool:
    """``override.tf``, ``override.tf.json``, ``*_override.tf``, ``*_override.tf.json``."""
    stem = path.name.removesuffix(".json").removesuffix(".tf")
    return stem == "override" or stem.endswith("_override")


@frozen
class OverrideAttribute(syn.Attribute):
    """An argument an override file wrote into a block of another file."""

    file: str  # display path of the override file


@frozen
class OverrideBlock(syn.Block):
    """A nested block an override file wrote into a block of another file."""

    file: str


@frozen
class MergedBody(syn.Body):
    """The body of a block an override merged into: its items may come from several files."""


def file_of(item: syn.Attribute | syn.Block, default: str) -> str:
    """The display path of the file ``item`` is written in: its override file, else ``default``
    (the file of the block it is in)."""
    if isinstance(item, OverrideAttribute | OverrideBlock):
        return item.file
    return default


def block_kind(block: syn.Block) -> str:
    """The type of the blocks a nested block stands for: a ``dynamic`` block's label."""
    if block.type == "dynamic" and block.labels:
        return block.labels[0]
    return block.type


def merge_block(base: syn.Block, override: syn.Block, file: str) -> syn.Block:
    """``base`` with the override block ``override`` (written in ``file``) merged into it."""
    names = {item.name for item in override.body.items if isinstance(item, syn.Attribute)}
    kinds = {block_kind(item) for item in override.body.items if isinstance(item, syn.Block)}
    kept: list[syn.Attribute | syn.Block] = []
    merged_nested: dict[str, syn.Block] = {}
    for item in base.body.items:
        if isinstance(item, syn.Attribute):
            if item.name not in names:
                kept.append(item)
        elif block_kind(item) not in kinds:
            kept.append(item)
        elif item.type in _MERGED_NESTED and item.type not in merged_nested:
            merged_nested[item.type] = item
    added: list[syn.Attribute | syn.Block] = []
    for item in override.body.items:
        if isinstance(item, syn.Attribute):
            added.append(OverrideAttribute(item.line, item.end_line, item.name, item.expr, file))
            continue
        original = merged_nested.pop(item.type, None)
        if original is not None:  # lifecycle: each argument keeps the file that wrote it
            added.append(merge_block(_relocated(original), item, file))
        else:
            added.append(OverrideBlock(item.line, item.end_line, item.type, item.labels, item.body, file))
    body = MergedBody(base.body.line, base.body.end_line, (*kept, *added))
    return syn.Block(base.line, base.end_line, base.type, base.labels, body)


def _relocated(block: syn.Block) -> syn.Block:
    """A nested block an earlier override wrote, as a plain block whose items name that file."""
    if not isinstance(block, OverrideBlock):
        return block
    items: list[syn.Attribute | syn.Block] = []
    for item in block.body.items:
        if isinstance(item, OverrideAttribute | OverrideBlock):
            items.append(item)
        elif isinstance(item, syn.Attribute):
            items.append(OverrideAttribute(item.line, item.end_line, item.name, item.expr, block.file))
        else:
            items.append(OverrideBlock(item.line, item.end_line, item.type, item.labels, item.body, block.file))
    body = syn.Body(block.body.line, block.body.end_line, tuple(items))
    return syn.Block(block.line, block.end_line, block.type, block.labels, body)
