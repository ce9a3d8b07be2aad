"""Where findings point: the line the user edits, never a file outside the repository.

* A field whose value is set elsewhere than where its attribute is written (a variable
  passed on from a module caller, a ``.tfvars`` line, a default, a CloudFormation
  parameter's ``Default``: ``scanner.model``) is located at the place that sets it; the
  attribute's own line is a related place (``written_evidence``).
* A module Terraform downloaded (``.terraform/modules/``) is not in the repository: code
  scanning cannot annotate it, and the user does not edit it. ``shown_in_repository``
  moves every place of a trait that lies in a download (its location, related places, path
  steps, the unknowns' lines) to the ``module "x" {`` call in the repository that stands
  for the download (``Resource.shown_span``), and names the file and line in the download
  in the text ("... (set in .terraform/modules/web/main.tf:17)"). A related place that
  lands on the location itself is folded into the location's text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Protocol

from scanner.findings import Evidence, Fix, PathStep, Trait
from scanner.model import Resource
from scanner.values import Origin, Span, is_download

WRITTEN_HERE = "written here"  # the message of a related place where an attribute is written


class HasWrittenSpans(Protocol):
    def written_at(self, *fields: str) -> Span | None: ...

    def span_of(self, *fields: str) -> Span: ...


def written_evidence(obj: HasWrittenSpans, address: str, *fields: str) -> tuple[Evidence, ...]:
    """The related place where the attribute of ``fields`` is written, when its value is set
    elsewhere (then ``span_of`` is that other place); () when it is set where written."""
    written = obj.written_at(*fields)
    if written is None:
        return ()
    return (Evidence(written, address, f"{WRITTEN_HERE}; its value is set at {obj.span_of(*fields)}"),)


def written_for(evidence: Evidence, objects: Iterable[Resource | None]) -> tuple[Evidence, ...]:
    """``written_evidence`` for an ``evidence`` already built from ``span_of(field)`` of one
    of ``objects`` (the one with its address): the field whose line it is."""
    for obj in objects:
        if obj is None or obj.address != evidence.address or not obj.attr_written:
            continue
        for name, written in obj.attr_written.items():
            if obj.attr_spans.get(name) == evidence.span:
                return (Evidence(written, obj.address, f"{WRITTEN_HERE}; its value is set at {evidence.span}"),)
    return ()


def download_places(resources: Iterable[Resource]) -> dict[str, Span]:
    """Folder (display path) of each downloaded module -> the module call standing for it."""
    places: dict[str, Span] = {}
    for resource in resources:
        if resource.shown_span is not None:
            places.setdefault(_folder(resource.span.file), resource.shown_span)
    return places


def shown_in_repository(trait: Trait, places: Mapping[str, Span]) -> Trait:
    """``trait`` with every place in a downloaded module moved to its module call (see the
    module docstring); the trait itself when none is in a download."""
    if not places or not _touches_download(trait):
        return trait
    location = trait.location
    set_in = ""  # the line in the download that sets the value at fault
    if is_download(location.span.file):
        set_in = f" (set in {location.span})"
        location = Evidence(_place(location.span, places), location.address, location.message + set_in)
    related: list[Evidence] = []
    for evidence in trait.related:
        if not is_download(evidence.span.file):
            related.append(evidence)
            continue
        place = _place(evidence.span, places)
        if place == location.span and evidence.message.startswith(WRITTEN_HERE) and not set_in:
            # the attribute at fault, written in the download with its value: the location says where
            set_in = f" (set in {evidence.span})"
            location = replace(location, message=location.message + set_in)
            continue
        related.append(Evidence(place, evidence.address, f"{evidence.message} (in {evidence.span})"))
    return replace(
        trait,
        message=trait.message + set_in,
        location=location,
        related=tuple(dict.fromkeys(related)),
        path=_steps(trait.path, places),
        other_paths=tuple(_steps(p, places) for p in trait.other_paths),
        unknowns=tuple(_origin(o, places) for o in trait.unknowns),
    )


def fix_in_repository(fix: Fix, places: Mapping[str, Span]) -> Fix:
    """``fix`` at its module call when the line it edits is in a downloaded module, the text
    naming that line; a download has no patch (``scanner.fixes.patches`` refuses it)."""
    span = fix.location.span
    if not places or not is_download(span.file):
        return fix
    return replace(
        fix,
        location=replace(fix.location, span=_place(span, places)),
        remediation=f"{fix.remediation} (in {span}: a downloaded module, changed through its inputs or version)",
    )


def _touches_download(trait: Trait) -> bool:
    spans = [trait.location.span, *(e.span for e in trait.related), *(o.span for o in trait.unknowns)]
    spans += [s.span for path in (trait.path, *trait.other_paths) for s in path]
    return any(span is not None and is_download(span.file) for span in spans)


def _steps(path: tuple[PathStep, ...], places: Mapping[str, Span]) -> tuple[PathStep, ...]:
    return tuple(
        replace(s, span=_place(s.span, places), description=f"{s.description} (in {s.span})")
        if s.span is not None and is_download(s.span.file)
        else s
        for s in path
    )


def _origin(origin: Origin, places: Mapping[str, Span]) -> Origin:
    if origin.span is None or not is_download(origin.span.file):
        return origin
    return replace(origin, name=f"{origin.name} (in {origin.span})", span=_place(origin.span, places))


def _place(span: Span, places: Mapping[str, Span]) -> Span:
    """The module call standing for the download ``span`` is in: its folder's, else the
    closest enclosing folder's (a file of the download no resource is written in)."""
    folder = _folder(span.file)
    while folder:
        found = places.get(folder)
        if found is not None:
            return found
        folder = _folder(folder)
    return span  # no call known (cannot happen for a loaded module): keep the line


def _folder(file: str) -> str:
    return file.rsplit("/", 1)[0] if "/" in file else ""
