"""Which findings an inline ``iacscan:ignore`` silences. All three reports ask here.

A suppression matches a trait when it names the trait's rule id and its address is the
workload's address, a prefix of it before ``[`` or ``.`` (``aws_instance.web`` covers
``aws_instance.web[0]``, ``module.app`` covers ``module.app.aws_instance.this``), or the
address of the resource the trait points at (the security group rule, the policy).
The aggregate exposure is suppressed when a suppression names ``ec2-exposure`` (or
``ec2-exposure-<severity>``) for the workload, or when every one of its traits is suppressed.
A suppression without a reason still applies; reports flag it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from scanner.findings import Exposure, ScanResult, Suppression, Trait
from scanner.frozen import frozen
from scanner.rules.exposure_levels import EXPOSURE, exposure_rule_id


def address_covers(prefix: str, address: str) -> bool:
    """True when ``prefix`` is ``address`` or names it as a whole (not a partial name)."""
    if not prefix:
        return False
    return address == prefix or address.startswith((prefix + "[", prefix + "."))


def is_suppressed(suppressions: Iterable[Suppression], rule_id: str, workload: str, evidence_address: str = "") -> bool:
    return matching_suppression(suppressions, rule_id, workload, evidence_address) is not None


def matching_suppression(
    suppressions: Iterable[Suppression], rule_id: str, workload: str, evidence_address: str = ""
) -> Suppression | None:
    """The first suppression (in source order) that silences ``rule_id`` for this workload."""
    for suppression in sorted(suppressions, key=lambda s: (s.span, s.address, s.rule_ids)):
        if rule_id not in suppression.rule_ids:
            continue
        if address_covers(suppression.address, workload) or (
            evidence_address and address_covers(suppression.address, evidence_address)
        ):
            return suppression
    return None


@frozen
class SuppressionIndex:
    """The suppressions of a scan, by configuration name."""

    by_configuration: dict[str, tuple[Suppression, ...]]

    @classmethod
    def of(cls, result: ScanResult) -> SuppressionIndex:
        return cls({c.name: tuple(c.suppressions) for c in result.configurations})

    def for_trait(self, configuration: str, trait: Trait) -> Suppression | None:
        return matching_suppression(
            self.by_configuration.get(configuration, ()), trait.rule_id, trait.workload, trait.location.address
        )

    def for_exposure(self, exposure: Exposure) -> tuple[Suppression, ...]:
        """The suppressions that silence the aggregate finding (empty: it is active)."""
        suppressions = self.by_configuration.get(exposure.configuration, ())
        # the table's level too: a suppression written before criticality moved it still holds
        levels = {exposure_rule_id(exposure.severity), exposure_rule_id(exposure.table_severity)}
        for rule_id in (EXPOSURE, *sorted(levels)):
            found = matching_suppression(suppressions, rule_id, exposure.workload)
            if found is not None:
                return (found,)
        per_trait = [self.for_trait(exposure.configuration, t) for t in exposure.traits]
        if per_trait and all(s is not None for s in per_trait):
            return tuple(dict.fromkeys(s for s in per_trait if s is not None))
        return ()

    def without_reason(self) -> Sequence[tuple[str, Suppression]]:
        """(configuration, suppression) for every suppression that gives no reason."""
        return [
            (name, s)
            for name, suppressions in sorted(self.by_configuration.items())
            for s in sorted(suppressions, key=lambda s: (s.span, s.address))
            if not s.reason.strip()
        ]


def justification(suppressions: Iterable[Suppression]) -> str:
    """The reasons of these suppressions in one line ("" when none gives a reason)."""
    return "; ".join(dict.fromkeys(s.reason.strip() for s in suppressions if s.reason.strip()))
