"""Loading all the templates of a scan together, and ``Fn::ImportValue`` across them.

One ``Configuration`` per top-level template, with its local nested stacks loaded into it.
``Fn::ImportValue`` resolves against the ``Export`` names of every template loaded in the same
call (two passes). An exported value that refers to a resource of another configuration
cannot become an edge of this one's graph: it is ``Unknown`` naming the exporting resource.
Templates linked that way load as one configuration instead, unless their logical ids collide.
"""

from __future__ import annotations

from pathlib import Path

from scanner.findings import Configuration
from scanner.loaders.cloudformation.configuration import load_configuration, to_configuration
from scanner.loaders.cloudformation.decode import Template, TemplateCache, as_mapping
from scanner.loaders.cloudformation.nested import top_level_templates
from scanner.loaders.cloudformation.stack import Export, LoadState
from scanner.loaders.cloudformation.values import is_known
from scanner.options import ScanOptions


def load_templates(paths: list[Path], options: ScanOptions) -> list[Configuration]:
    """One Configuration per top-level template; nested-only templates load into their parents."""
    cache = TemplateCache(options)
    templates = [t for t in map(cache, paths) if t.is_template]  # a file that decoded as no template: not ours
    top = top_level_templates(templates, options)

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
        ids = set(as_mapping(template.document.get("Resources")) if template.document is not None else ())
        if ids & seen:
            return True
        seen |= ids
    return False
