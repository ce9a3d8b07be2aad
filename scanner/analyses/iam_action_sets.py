"""IAM action patterns as sets of real actions, from the bundled catalogue (``scanner.iam_catalogue``).

An ``Action`` element's patterns stand for the real actions they match (``expand_actions``:
IAM's ``*`` and ``?``, case-insensitive); a ``NotAction`` element for every real action but
those (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html).
Sets are frozensets of lower-case ``service:name`` strings, so "does the role hold every IAM
action" is a subset test against the catalogue's list, whichever statements the actions come
from. A pattern naming a service the catalogue does not know matches none of its actions.

Every function is cached on its (hashable) arguments: a large estate has few distinct
statements, and a frozenset keeps its hash once computed.
"""

from __future__ import annotations

from functools import cache, lru_cache

from scanner.iam_catalogue import access_levels, expand_actions, has_changing_actions

_READ_LEVELS = frozenset({"Read", "List"})


@cache
def every_action() -> frozenset[str]:
    """Every action of every service in the catalogue."""
    return expand_actions("*")


@cache
def _by_service() -> dict[str, frozenset[str]]:
    grouped: dict[str, set[str]] = {}
    for action in every_action():
        grouped.setdefault(action.partition(":")[0], set()).add(action)
    return {service: frozenset(actions) for service, actions in grouped.items()}


def services() -> frozenset[str]:
    """Every service prefix that has actions in the catalogue."""
    return frozenset(_by_service())


def service_actions(service: str) -> frozenset[str]:
    """Every action of one service (empty for a service the catalogue does not know)."""
    return _by_service().get(service.lower(), frozenset())


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


@lru_cache(maxsize=4096)
def pattern_set(patterns: tuple[str, ...], negated: bool = False) -> frozenset[str]:
    """The real actions an Action element (``negated``: a NotAction element) allows."""
    matched: frozenset[str] = frozenset().union(*(expand_actions(p) for p in patterns))
    return every_action() - matched if negated else matched


@lru_cache(maxsize=4096)
def union(sets: tuple[frozenset[str], ...]) -> frozenset[str]:
    if len(sets) == 1:
        return sets[0]
    return frozenset().union(*sets)


@lru_cache(maxsize=4096)
def restrict(granted: frozenset[str], within: frozenset[str] | None, denied: frozenset[str]) -> frozenset[str]:
    """``granted`` within ``within`` (None: no limit), less ``denied``."""
    found = granted if within is None or granted is within else granted & within
    return found - denied if denied else found


@lru_cache(maxsize=1024)
def covered_services(actions: frozenset[str]) -> frozenset[str]:
    """The services all of whose actions are in ``actions``."""
    if len(actions) == len(every_action()):
        return services()
    return frozenset(s for s, listed in _by_service().items() if listed <= actions)


@cache
def changing_actions(service: str) -> frozenset[str]:
    """The service's actions that are not read-only (Write, Permissions management or Tagging,
    by the catalogue's access levels)."""
    return frozenset(a for a, level in access_levels(service).items() if level not in _READ_LEVELS)


@cache
def controllable(service: str) -> bool:
    """The service has an action that is not read-only: holding every action of a read-only
    service (``pricing``) is reading it, not controlling it."""
    return has_changing_actions(service)


@cache
def controllable_services() -> frozenset[str]:
    """The services that have an action that is not read-only."""
    return frozenset(s for s in services() if controllable(s))
