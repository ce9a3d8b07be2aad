"""Nested stacks: ``AWS::CloudFormation::Stack`` (``TemplateURL``) and
``AWS::Serverless::Application`` (``Location``).

A nested stack whose location is a local file (a relative path, not a URL) loads into its
parent's configuration: its resources are ``Parent.Child``, its parameters are the parent's
``Parameters`` property, and ``Fn::GetAtt Child.Outputs.Name`` reads its output. In a CDK
assembly the ``aws:asset:path`` metadata names the template.

A location that is not known offline names an *unknown child stack*, a notice (its resources
are not scanned), never a local file: a dynamic reference (``{{resolve:ssm:...}}``, read at
deploy time), a value that does not resolve (an ``Fn::Sub`` of a parameter without a value,
a resource attribute), or a text that still holds a deploy-time placeholder
(``templates/${AWS::Region}/child.yaml``). An S3 URL is matched to a template of the scanned
tree (``template_urls``); one that matches none or several is an unknown child stack too, and
any other URL, or a missing location outside CDK, is a notice. A local file outside the
scanned root, a stack that nests itself, or one nested more than ``MAX_STACK_NESTING`` deep, is an error.

A template that another template nests is not a configuration of its own; templates reached
only through a nesting cycle are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from scanner.loaders.cloudformation.decode import Template, as_mapping
from scanner.loaders.cloudformation.template_urls import TemplateFinder
from scanner.options import ScanOptions
from scanner.values import ResourceRef, Unknown

MAX_STACK_NESTING = 10  # nested stacks inside nested stacks
STACK_TYPES: Final[Mapping[str, str]] = MappingProxyType(
    {"AWS::CloudFormation::Stack": "TemplateURL", "AWS::Serverless::Application": "Location"}
)

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:[^}]*\}\}")
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


def _is_local(location: Any) -> bool:
    """A location that names a file beside the template: a relative path, known offline."""
    return (
        isinstance(location, str)
        and bool(location)
        and not _URL.match(location)
        and not _DYNAMIC_REFERENCE.search(location)
        and not _PLACEHOLDER.search(location)
    )


def unknown_location(location: Any) -> str | None:
    """Why a nested stack's evaluated location is not known offline (an unknown child
    stack), or None when it is known (a local path, a URL) or not given."""
    if isinstance(location, Unknown):
        dynamic_origin = next((o.name for o in location.origins if _DYNAMIC_REFERENCE.fullmatch(o.name)), None)
        if dynamic_origin is not None and location.reason.startswith("dynamic reference"):
            return f"is a dynamic reference ({dynamic_origin}), resolved at deploy time"
        return f"is not known offline ({location.reason})"
    if isinstance(location, ResourceRef):
        return f"is {location}, known after deployment"
    if not isinstance(location, str):
        return None
    dynamic = _DYNAMIC_REFERENCE.search(location)
    if dynamic:
        return f"is a dynamic reference ({dynamic.group(0)}), resolved at deploy time"
    placeholder = _PLACEHOLDER.search(location)
    if placeholder and not _URL.match(location):
        return f"'{location}' depends on {placeholder.group(0)}, known at deploy time"
    return None


def local_template(location: Any, node: dict[str, Any], base: Path, cdk: bool) -> Path | None:
    """The local file a nested stack resource (``node``, in a template in ``base``) names
    with its evaluated ``location``, or with CDK's ``aws:asset:path``; None if it names none."""
    if _is_local(location):
        return base / location
    metadata = node.get("Metadata")
    asset = metadata.get("aws:asset:path") if isinstance(metadata, dict) else None
    if cdk and isinstance(asset, str) and asset.endswith(".json"):
        return base / asset
    return None


def nests_itself_or_too_deep(path: Path, chain: tuple[Path, ...]) -> bool:
    """Whether the template at ``path`` is already open in ``chain`` (the resolved paths from
    the top-level stack down), or ``chain`` is already as deep as nesting may go."""
    return path.resolve() in chain or len(chain) > MAX_STACK_NESTING


def nested_children(template: Template, options: ScanOptions, finder: TemplateFinder | None = None) -> set[Path]:
    """Local templates this one names as literal nested stack locations, or as S3 URLs that
    ``finder`` matches to one template of the tree."""
    found: set[Path] = set()
    if template.document is None:
        return found
    for node in as_mapping(template.document.get("Resources")).values():
        if not isinstance(node, dict) or str(node.get("Type")) not in STACK_TYPES:
            continue
        properties = as_mapping(node.get("Properties"))
        location = properties.get(STACK_TYPES[str(node.get("Type"))])
        if _is_local(location):
            found.add((template.path.parent / str(location)).resolve())
        elif finder is not None:
            match = finder.match(location, location if isinstance(location, str) else None)
            if match is not None and match.path is not None:
                found.add(match.path.resolve())
    return found


def top_level_templates(
    templates: list[Template], options: ScanOptions, finder: TemplateFinder | None = None
) -> list[Template]:
    """The templates that are configurations of their own: those no other template nests,
    and those only reached through a nesting cycle; each once."""
    children: dict[Path, set[Path]] = {t.path.resolve(): nested_children(t, options, finder) for t in templates}
    nested = set().union(*children.values()) if children else set()
    top = [t for t in templates if t.path.resolve() not in nested]
    reached = _reachable({t.path.resolve() for t in top}, children)
    top += [t for t in templates if t.path.resolve() not in reached and t not in top]  # nesting cycles
    return list({t.path.resolve(): t for t in top}.values())


def _reachable(start: set[Path], edges: dict[Path, set[Path]]) -> set[Path]:
    seen = set(start)
    pending = list(start)
    while pending:
        for child in edges.get(pending.pop(), set()):
            if child not in seen:
                seen.add(child)
                pending.append(child)
    return seen
