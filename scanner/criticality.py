"""Resource criticality: how much an exposure matters because of what the workload is, read
from its tags and names, as AWS Security Hub weighs its own exposure findings.

A workload is ``high``, ``normal`` or ``low``. Its tags are its own (an instance's ``tags``
with the provider's ``default_tags``; an Auto Scaling group's tags, propagated or not) and
those its instances get from the launch templates it launches from
(``tag_specifications`` for ``instance``). Its names are the ``Name`` tag, the resource's
AWS name (``name`` / ``AutoScalingGroupName`` ...) and its address (Terraform address,
CloudFormation logical id).

Rules (``[tool.iacscan] criticality = { high = [...], low = [...] }``; a list given replaces
that level's defaults, ``criticality = false`` or ``--no-criticality`` turns it off):

* ``tag:KEY`` a tag with that key, any value; ``tag:KEY=VALUE`` with that value;
* ``name:PATTERN`` a name, or one word of it (split at anything not a letter or digit and
  at lower-to-upper case changes: ``prod-web``, ``ProdWeb`` and ``prod_web`` all hold
  the word ``prod``);

KEY, VALUE and PATTERN are shell globs (``*``, ``?``, ``[...]``), matched case-insensitively.
Defaults (``scanner.options.DEFAULT_CRITICALITY``): high for ``environment``/``env``/``stage``
= ``prod``/``production``, a tag ``pci`` or ``critical`` (as key or value), a name word
``prod``/``production``/``pci``; low for ``environment``/``env``/``stage`` =
``dev``/``development``/``test``/``sandbox``. High wins when both match.

The exposure's severity is the table's (``scanner.exposure``) raised one level for a high
criticality workload when it is medium or high, lowered one level for a low one (never
below low); its possible severity and its fixes' severities move the same way. The table's
values stay on the exposure (``CriticalityNote``): fingerprints and suppressions read them.
Cost: one pass over the workload's tags and names per rule, patterns compiled once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from fnmatch import translate
from functools import lru_cache

from scanner.findings import CriticalityNote, Exposure, Severity
from scanner.frozen import frozen
from scanner.model import AutoScalingGroup, Instance, Tag
from scanner.values import Span

Rules = tuple[tuple[str, ...], tuple[str, ...]]
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


@frozen
class NameSource:
    """A name of the workload: ``text``, ``what`` it is (Name tag, address), where written."""

    text: str
    what: str
    span: Span | None


@frozen
class Verdict:
    level: str  # high | normal | low
    reason: str = ""
    span: Span | None = None


@frozen
class _Rule:
    kind: str  # tag | name
    key: re.Pattern[str]
    value: re.Pattern[str] | None
    text: str


class RuleError(ValueError):
    """A criticality rule that is not ``tag:KEY``, ``tag:KEY=VALUE`` or ``name:PATTERN``."""


def parse_rule(text: str) -> _Rule:
    kind, sep, pattern = text.partition(":")
    if not sep or kind not in ("tag", "name") or not pattern:
        raise RuleError(f"criticality rule {text!r}: write tag:KEY, tag:KEY=VALUE or name:PATTERN")
    if kind == "name":
        return _Rule("name", _glob(pattern), None, text)
    key, has_value, value = pattern.partition("=")
    return _Rule("tag", _glob(key), _glob(value) if has_value else None, text)


def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(translate(pattern.lower()))


@frozen
class _Level:
    """One level's rules as two patterns: every tag rule over ``key\0value`` and every name
    rule over a word, so a workload costs one match per tag and per word, whatever the
    number of rules."""

    tags: re.Pattern[str] | None
    names: re.Pattern[str] | None
    name_rules: tuple[_Rule, ...]


def _level(rules: tuple[_Rule, ...]) -> _Level:
    def body(pattern: re.Pattern[str]) -> str:
        return pattern.pattern[: -len("\\Z")]  # fnmatch.translate's "(?s:...)\Z" without its end

    tags = [f"{body(r.key)}\x00{body(r.value) if r.value is not None else '.*'}" for r in rules if r.kind == "tag"]
    names = [body(r.key) for r in rules if r.kind == "name"]
    return _Level(
        re.compile("(?s:" + "|".join(tags) + ")\\Z") if tags else None,
        re.compile("(?:" + "|".join(names) + ")\\Z") if names else None,
        tuple(r for r in rules if r.kind == "name"),
    )


@lru_cache(maxsize=8)
def compiled(rules: Rules) -> tuple[_Level, _Level]:
    return _level(tuple(parse_rule(r) for r in rules[0])), _level(tuple(parse_rule(r) for r in rules[1]))


def workload_tags(workload: Instance | AutoScalingGroup, templates: Iterable[object]) -> tuple[Tag, ...]:
    """The workload's tags, then those of the launch templates it launches from."""
    found = list(workload.tags)
    for template in templates:
        found += getattr(template, "instance_tags", ())
    return tuple(found)


def workload_names(workload: Instance | AutoScalingGroup, tags: Sequence[Tag]) -> tuple[NameSource, ...]:
    names = [NameSource(t.value, "Name tag", t.span) for t in tags if t.key == "Name"]
    if isinstance(workload.name, str):
        names.append(NameSource(workload.name, "name", workload.span_of("name")))
    names.append(NameSource(workload.address, "address", workload.span))
    return tuple(names)


def words(name: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _WORD.findall(name))


def _match(
    level: _Level,
    tags: Sequence[Tag],
    lowered: Sequence[str],
    names: Sequence[NameSource],
    name_words: Sequence[tuple[str, ...]],
) -> Verdict | None:
    if level.tags is not None:
        for tag, text in zip(tags, lowered, strict=True):
            if level.tags.match(text):
                via = f" (via {tag.via})" if tag.via else ""
                return Verdict("", f"tag {tag.key}={tag.value}{via}", tag.span)
    if level.names is not None:
        for name, candidates in zip(names, name_words, strict=True):
            if any(level.names.match(w) for w in candidates):
                rule = next(r for r in level.name_rules if any(r.key.match(w) for w in candidates))
                return Verdict("", f"{name.what} {name.text} matches {rule.text}", name.span)
    return None


def criticality(tags: Sequence[Tag], names: Sequence[NameSource], rules: Rules) -> Verdict:
    """The first tag (own tags first, then inherited ones), else the first name, that a
    high rule matches; else likewise for low; else normal."""
    high, low = compiled(rules)
    lowered = [f"{t.key.lower()}\x00{t.value.lower()}" for t in tags]  # once per workload
    name_words = [(n.text.lower(), *words(n.text)) for n in names]
    for level, found in (("high", high), ("low", low)):
        verdict = _match(found, tags, lowered, names, name_words)
        if verdict is not None:
            return replace(verdict, level=level)
    return Verdict("normal")


def moved(severity: Severity | None, level: str) -> Severity | None:
    """One level up for high (medium and high only), one down for low (never below low)."""
    if severity is None:
        return None
    if level == "high" and severity in (Severity.MEDIUM, Severity.HIGH):
        return Severity(severity + 1)
    if level == "low" and severity > Severity.LOW:
        return Severity(severity - 1)
    return severity


def with_criticality(exposure: Exposure, verdict: Verdict) -> Exposure:
    """``exposure`` with its severities moved by ``verdict`` (unchanged for normal)."""
    if verdict.level == "normal":
        return exposure
    note = CriticalityNote(verdict.level, verdict.reason, verdict.span, exposure.severity, exposure.possible_severity)
    possible = moved(exposure.possible_severity, verdict.level)
    severity = moved(exposure.severity, verdict.level)
    return replace(
        exposure,
        severity=severity,
        possible_severity=possible if possible is not None and (severity is None or possible > severity) else None,
        fixes=tuple(replace(f, severity=moved(f.severity, verdict.level)) for f in exposure.fixes),
        criticality=note,
    )


def apply_criticality(
    exposure: Exposure, workload: Instance | AutoScalingGroup, templates: Iterable[object], rules: Rules | None
) -> Exposure:
    """The pipeline's entry: ``rules`` None is ``--no-criticality``."""
    if rules is None:
        return exposure
    tags = workload_tags(workload, templates)
    return with_criticality(exposure, criticality(tags, workload_names(workload, tags), rules))
