"""One configuration: top-level templates loaded as stacks into one ``LoadState``, then
mapped onto ``scanner.model``. Used by plain templates (``imports.load_templates``) and by
CDK assemblies (``cdk``); a template that fails to load, or a resource that fails to map,
becomes an error of the configuration, never a lost scan; a template read despite a
problem (a repeated key) brings its warnings.
"""

from __future__ import annotations

from collections.abc import Iterable

from scanner.findings import Configuration, ConfigurationKind, LoadError
from scanner.loaders.cloudformation.decode import Template, TemplateCache
from scanner.loaders.cloudformation.stack import Exports, LoadState, Stack
from scanner.loaders.cloudformation.template_urls import TemplateFinder
from scanner.options import ScanOptions


def load_configuration(
    name: str,
    kind: ConfigurationKind,
    templates: Iterable[Template],
    options: ScanOptions,
    cache: TemplateCache,
    exports: Exports,
    cdk: bool = False,
    finder: TemplateFinder | None = None,
) -> LoadState:
    """Load ``templates`` (top-level stacks) into one configuration's state; ``finder``
    matches nested stacks' S3 URLs to templates of the scanned tree."""
    templates = list(templates)
    state = LoadState(
        options, kind, exports, cache, name, cdk=cdk, member_files={t.display for t in templates}, finder=finder
    )
    for template in templates:
        if template.document is None:
            state.files.append(template.display)
            state.errors.extend(template.errors)
            state.warnings.extend(template.warnings)
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
    configuration.warnings = list(dict.fromkeys(state.warnings))  # a template nested twice warns once
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
