"""Loading all the templates of a scan together, and ``Fn::ImportValue`` across them.

One ``Configuration`` per top-level template, with its local nested stacks loaded into it.
``Fn::ImportValue`` resolves against the ``Export`` names of every template loaded in the same
call (two passes). An export name is unique in an account and region: when two outputs of the
scan export the same name, the templates are meant for different accounts or regions (or one
would fail to deploy), and which value an import reads is not known offline. The import is
then ``Unknown`` naming both exports, and each export carries a notice naming the other;
the result never depends on the order of the files. An exported value that refers to a resource of another configuration
cannot become an edge of this one's graph: it is ``Unknown`` naming the exporting resource.
Templates linked that way load as one configuration instead, unless their logical ids collide.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from scanner.findings import Configuration
from scanner.loaders.cloudformation.configuration import load_configuration, to_configuration
from scanner.loaders.cloudformation.decode import Template, TemplateCache, as_mapping
from scanner.loaders.cloudformation.nested import top_level_templates
from scanner.loaders.cloudformation.stack import Exports, LoadState, exported_by
from scanner.loaders.cloudformation.template_urls import TemplateFinder, templates_by_name
from scanner.loaders.cloudformation.values import is_known
from scanner.options import ScanOptions


def load_templates(paths: list[Path], options: ScanOptions) -> list[Configuration]:
    """One Configuration per top-level template; nested-only templates load into their parents."""
    cache = TemplateCache(options)
    templates = [t for t in map(cache, paths) if t.is_template]  # a file that decoded as no template: not ours
    finder = TemplateFinder(
        options.root, templates_by_name(options.root), lambda path: cache(path).is_template, options.template_urls
    )
    top = top_level_templates(templates, options, finder)

    states = [load_configuration(t.display, "cloudformation", [t], options, cache, {}, finder=finder) for t in top]
    exports: Exports = {}
    for state in states:
        for export_name, found in state.exports_out.items():
            exports.setdefault(export_name, []).extend(found)
    loaded: list[LoadState] = []
    for members in _import_groups(states, exports):
        group = [top[i] for i in members]
        if len(members) > 1 and not _logical_ids_collide(group):
            name = " + ".join(t.display for t in group)
            loaded.append(load_configuration(name, "cloudformation", group, options, cache, exports, finder=finder))
            continue
        for index in members:
            state = states[index]
            if state.imports_used & exports.keys():
                state = load_configuration(
                    state.configuration_name, "cloudformation", [top[index]], options, cache, exports, finder=finder
                )
            if len(members) > 1:
                state.notices.append(
                    f"{top[index].display}: shares resources with another template by "
                    "Fn::ImportValue, but their logical ids collide, so it is loaded on its own and "
                    "imported resources stay unknown"
                )
            loaded.append(state)
    imported = {name for state in states for name in state.imports_used}
    for state in loaded:
        state.notices.extend(ambiguous_export_notices(state, exports, imported))
    return [to_configuration(state) for state in loaded]


def ambiguous_export_notices(state: LoadState, exports: Exports, imported: Collection[str] | None = None) -> list[str]:
    """A notice at each export of ``state`` whose name another output of the scan exports
    too, when some template of the scan imports that name (``imported``; None: every
    name). A name built on the stack's own name (``${AWS::StackName}``) differs from stack
    to stack: never ambiguous."""
    notices: list[str] = []
    for export_name, own in sorted(state.exports_out.items()):
        if (imported is not None and export_name not in imported) or "AWS::StackName" in export_name:
            continue
        everyone = exports.get(export_name, [])
        for export in own:
            others = [e for e in everyone if e.place != export.place]
            if others:
                notices.append(
                    f"{export.place}: export {export_name} is also exported by {exported_by(others)}: "
                    f"Fn::ImportValue {export_name} is ambiguous (an export name is unique in an account and "
                    "region; which value is imported depends on where the stacks are deployed), so it is unknown"
                )
    return notices


def _import_groups(states: list[LoadState], exports: Exports) -> list[list[int]]:
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
            if (
                other is not None
                and other != index
                and len(exports[name]) == 1
                and not is_known(exports[name][0].value)
            ):
                first, second = sorted((find(index), find(other)))
                leader[second] = first
    groups: dict[int, list[int]] = {}
    for index in range(len(states)):
        groups.setdefault(find(index), []).append(index)
    return sorted(groups.values())


def _logical_ids_collide(templates: list[Template]) -> bool:
    seen: set[str] = set()
    for template in templates:
        ids = set(as_mapping(template.document.get("Resources")) if template.document is not None else ())
        if ids & seen:
            return True
        seen |= ids
    return False
