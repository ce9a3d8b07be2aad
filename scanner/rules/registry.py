"""Every rule, in the catalogue's fixed order, and the run of a workload's checks.

Adding a rule is one module under ``scanner/rules/`` with ``ID``, ``RULE`` and ``check`` and
one line in ``TRAIT_RULE_MODULES`` (its place in the list is its place in reports).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Protocol

from scanner.findings import Trait
from scanner.options import ScanOptions
from scanner.rules import (
    admin_role,
    exploitable_vulnerability,
    imdsv1,
    internet_reachable,
    open_security_group,
    privilege_escalation,
    public_ip,
    remote_access,
    service_admin_role,
    vpc_reachable,
    vulnerability,
)
from scanner.rules.catalog import Rule
from scanner.rules.exposure_levels import EXPOSURE_RULES, POSSIBLE_EXPOSURE_RULE
from scanner.rules.notices import NOTICE_RULES

if TYPE_CHECKING:  # reports read the catalogue without loading the analyses
    from scanner.rules.context import CheckContext


class TraitRule(Protocol):
    """What a trait rule module holds."""

    ID: str
    RULE: Rule

    def check(self, context: CheckContext, options: ScanOptions) -> Iterable[Trait]: ...


TRAIT_RULE_MODULES: tuple[ModuleType, ...] = (
    imdsv1,
    admin_role,
    service_admin_role,
    privilege_escalation,
    remote_access,
    open_security_group,
    public_ip,
    internet_reachable,
    vpc_reachable,
    exploitable_vulnerability,
    vulnerability,
)

TRAIT_RULES: tuple[Rule, ...] = tuple(module.RULE for module in TRAIT_RULE_MODULES)
TRAIT_RULE_IDS: tuple[str, ...] = tuple(rule.id for rule in TRAIT_RULES)
_ALL: tuple[Rule, ...] = (*TRAIT_RULES, *EXPOSURE_RULES, POSSIBLE_EXPOSURE_RULE, *NOTICE_RULES)
_BY_ID: dict[str, Rule] = {r.id: r for r in _ALL}


def all_rules() -> tuple[Rule, ...]:
    """Every rule, in a fixed order: traits, the four exposure levels, the possible exposure,
    then iacscan's own notices."""
    return _ALL


def rule(rule_id: str) -> Rule:
    """The rule with this id; raises KeyError for an unknown id."""
    return _BY_ID[rule_id]


def rule_by_id(rule_id: str) -> Rule | None:
    """The rule with this id, or None."""
    return _BY_ID.get(rule_id)


def rule_order(rule_id: str) -> int:
    """Position of a trait rule id in the catalogue order (other ids last)."""
    try:
        return TRAIT_RULE_IDS.index(rule_id)
    except ValueError:
        return len(TRAIT_RULE_IDS)


def remediation(rule_id: str) -> str:
    """The one-line fix for a rule id (a generic line for ids the catalogue does not know)."""
    found = _BY_ID.get(rule_id)
    return found.remediation if found is not None else f"Remove the cause of {rule_id}."


def check_workload(context: CheckContext, options: ScanOptions, only: Collection[str] | None = None) -> list[Trait]:
    """Every trait of one workload, rules the user skips left out; with ``only``, the
    traits of those rules alone."""
    traits: list[Trait] = []
    for module in TRAIT_RULE_MODULES:
        found: TraitRule = module
        if found.ID not in options.skip_rules and (only is None or found.ID in only):
            traits.extend(found.check(context, options))
    return traits
