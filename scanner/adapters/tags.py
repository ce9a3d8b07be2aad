"""Tags as both formats write them, read into ``scanner.model.Tag`` (what resource
criticality reads, ``scanner.criticality``).

* Terraform: ``tags = { key = value }`` on a resource; a launch template's
  ``tag_specifications { resource_type = "instance" tags = {...} }`` (the tags EC2 gives
  the instances launched from it); an Auto Scaling group's ``tag { key value
  propagate_at_launch }`` blocks; the AWS provider's ``default_tags { tags = {...} }``,
  which the provider merges into every resource's tags, a resource's own key winning
  (the provider does not apply them to ``aws_autoscaling_group``). Only the default
  (unaliased) ``aws`` provider's are read: which resources an aliased one reaches is a
  ``provider`` meta-argument the adapters do not see.
* CloudFormation: ``Tags: [{Key, Value}]``; ``LaunchTemplateData.TagSpecifications``
  with ``ResourceType: instance``; an ``AWS::AutoScaling::AutoScalingGroup``'s ``Tags`` with
  ``PropagateAtLaunch``.

A tag whose key or value is not a string known offline is left out: it cannot match a rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from scanner.model import Instance, Resource, Tag
from scanner.values import Span, SpannedDict, span_of

PROVIDER_TYPE = "aws_provider"  # the loader's stand-in for the root module's provider "aws" block


def _edited_at(container: Any, key: str, default: Span) -> Span:
    """The line a user edits to change ``container[key]``: where its value is set (a module
    caller's argument, a variable's default, a parameter's Default), else the entry itself
    (as ``Body.get`` and ``Fields.take`` read every other field)."""
    set_spans = container.set_spans if isinstance(container, SpannedDict) else None
    found = set_spans.get(key) if set_spans is not None else None
    return found or span_of(container, key, default) or default


def map_tags(written: Any, default: Span, via: str = "") -> tuple[Tag, ...]:
    """A Terraform ``tags`` map."""
    if not isinstance(written, Mapping):
        return ()
    return tuple(
        Tag(key, value, _edited_at(written, key, default), via)
        for key, value in written.items()
        if isinstance(key, str) and isinstance(value, str)
    )


def resource_tags(written: Any, written_all: Any, default: Span) -> tuple[Tag, ...]:
    """A Terraform resource's ``tags``, and from a plan its ``tags_all`` (what the provider
    computes: its own tags with the provider's default_tags merged in; never written in a
    configuration) for the keys ``tags`` does not have, as default_tags."""
    own = map_tags(written, default)
    if not isinstance(written_all, Mapping):
        return own
    keys = {t.key for t in own}
    inherited = {k: v for k, v in written_all.items() if k not in keys}
    return own + map_tags(inherited, span_of(written_all, None, default) or default, "default_tags")


def terraform_instance_tags(specifications: Any, default: Span) -> tuple[Tag, ...]:
    """A launch template's ``tag_specifications`` blocks for ``resource_type = "instance"``."""
    found: list[Tag] = []
    for index, block in enumerate(_items(specifications)):
        if isinstance(block, Mapping) and block.get("resource_type") == "instance":
            where = span_of(specifications, index, default) or default
            found += map_tags(block.get("tags"), where, "launch_template")
    return tuple(found)


def terraform_group_tags(blocks: Any, default: Span) -> tuple[Tag, ...]:
    """An Auto Scaling group's ``tag`` blocks."""
    found: list[Tag] = []
    for index, block in enumerate(_items(blocks)):
        if not isinstance(block, Mapping):
            continue
        key, value = block.get("key"), block.get("value")
        if isinstance(key, str) and isinstance(value, str):
            via = "propagate_at_launch" if block.get("propagate_at_launch") is True else ""
            where = span_of(blocks, index, default) or default
            found.append(Tag(key, value, _edited_at(block, "value", where), via))
    return tuple(found)


def cloudformation_tags(written: Any, default: Span, via: str = "") -> tuple[Tag, ...]:
    """A ``Tags`` list of ``{Key, Value}`` (``PropagateAtLaunch`` true: via propagate_at_launch)."""
    found: list[Tag] = []
    for index, item in enumerate(_items(written)):
        if not isinstance(item, Mapping):
            continue
        key, value = item.get("Key"), item.get("Value")
        if isinstance(key, str) and isinstance(value, str):
            propagated = item.get("PropagateAtLaunch") in (True, "true", "True")
            where = span_of(written, index, default) or default
            where = _edited_at(item, "Value", where)  # the Value line (or where it is set), the one to edit
            found.append(Tag(key, value, where, "propagate_at_launch" if propagated else via))
    return tuple(found)


def cloudformation_instance_tags(specifications: Any, default: Span) -> tuple[Tag, ...]:
    """``LaunchTemplateData.TagSpecifications`` items with ``ResourceType: instance``."""
    found: list[Tag] = []
    for index, item in enumerate(_items(specifications)):
        if isinstance(item, Mapping) and item.get("ResourceType") == "instance":
            where = span_of(specifications, index, default) or default
            found += cloudformation_tags(item.get("Tags"), where, "launch_template")
    return tuple(found)


def with_default_tags(resources: Sequence[Resource], defaults: tuple[Tag, ...]) -> list[Resource]:
    """``resources`` with the provider's ``default_tags`` merged into each instance's tags
    (its own key wins). Auto Scaling groups are left alone, as the provider does."""
    if not defaults:
        return list(resources)
    merged: list[Resource] = []
    for resource in resources:
        if isinstance(resource, Instance):
            own = {t.key for t in resource.tags}
            inherited = tuple(t for t in defaults if t.key not in own)
            resource = replace(resource, tags=(*resource.tags, *inherited)) if inherited else resource
        merged.append(resource)
    return merged


def provider_default_tags(body: Mapping[str, Any], default: Span) -> tuple[Tag, ...]:
    """The ``default_tags { tags = {...} }`` of a provider block's evaluated body; none for an
    aliased provider."""
    if body.get("alias") is not None:
        return ()
    found: list[Tag] = []
    for block in _items(body.get("default_tags")):
        if isinstance(block, Mapping):
            found += map_tags(block.get("tags"), span_of(block, None, default) or default, "default_tags")
    return tuple(found)


def _items(written: Any) -> Iterable[Any]:
    if isinstance(written, Mapping):
        return [written]
    return written if isinstance(written, list) else []
