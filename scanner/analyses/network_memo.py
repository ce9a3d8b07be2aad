"""The network decisions of one analysis run, remembered: what a route table, a NACL or a set
of security group rules decides for each piece of the address space, and any answer an
analysis builds on them (``NetworkMemo``). The decisions themselves are made in
``scanner.analyses.network``."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from scanner.analyses.network import (
    AclPass,
    RouteChoice,
    SgAdmission,
    acl_cidrs,
    acl_passes,
    atoms,
    longest_prefix_match,
    parse_cidr,
    sg_admits_address,
    sg_rule_source_cidrs,
)
from scanner.model import AclEntry, SecurityGroupRule

T = TypeVar("T")


R = TypeVar("R")
_MEMO_LIMIT = 10_000  # entries per table of decisions: a bound on memory, not a tuning knob
_ANSWERS_LIMIT = 50_000  # answers are smaller, and one per (subnet, set of groups) of a large estate


@dataclass
class NetworkMemo:
    """The network decisions of one analysis run, remembered.

    The workloads of a large estate share a few route tables, NACLs and sets of security
    group rules and ask each of them the same questions. A decision is the same for every
    address between two boundaries of the CIDRs involved, so it is kept per piece of the
    address space. Keys hold the model objects themselves (hashed by identity, kept alive by
    the key), and the memo lives as long as the run that creates it: ``scanner.scan`` makes
    one per configuration, so nothing is shared between configurations or scans.

    ``over``: a memo this one reads through (``layer``). What is not found in either is
    kept here, bounded by ``limit`` entries per table: measuring fixes asks about edited
    copies that no other workload will ask about again, and a small layer keeps them from
    crowding the run's own decisions out."""

    routes: dict[tuple[object, ...], tuple[list[int], dict[int, Any]]] = field(default_factory=dict)
    acls: dict[tuple[object, ...], tuple[list[int], dict[int, AclPass]]] = field(default_factory=dict)
    groups: dict[tuple[object, ...], tuple[list[int], dict[int, SgAdmission]]] = field(default_factory=dict)
    answers: dict[tuple[object, ...], tuple[Any, object]] = field(default_factory=dict)
    over: NetworkMemo | None = None
    limit: int = _MEMO_LIMIT

    def layer(self, limit: int) -> NetworkMemo:
        """A memo that reads this one's decisions and keeps its own new ones, at most ``limit``
        per table."""
        return NetworkMemo(over=self, limit=limit)

    def _known(self, table: str, key: tuple[object, ...]) -> Any:
        found = getattr(self, table).get(key)
        if found is None and self.over is not None:
            found = getattr(self.over, table).get(key)
        return found

    def longest_prefix_match(
        self, routes: Sequence[tuple[object, T]], version: int, address: int
    ) -> RouteChoice[T] | None:
        """``longest_prefix_match``, remembered per route table and piece of the address space."""
        return self.route_chooser(routes, version)(address)

    def route_chooser(self, routes: Sequence[tuple[object, T]], version: int) -> Callable[[int], RouteChoice[T] | None]:
        """``longest_prefix_match`` of these routes for any address: the table is found once,
        each address is then one bisection (an analysis asks it for every piece of the
        address space)."""
        try:
            key = (tuple(routes), version)
            known = self._known("routes", key)
        except TypeError:  # an unhashable target: no sharing
            return lambda address: longest_prefix_match(routes, version, address)
        if known is None:
            nets = [n for n in (parse_cidr(d) for d, _ in routes) if n is not None]
            known = _bounded(self.routes, self.limit)[key] = ([lo for lo, _ in atoms(version, nets)], {})
        cuts, choices = known

        def choose(address: int) -> RouteChoice[T] | None:
            piece = bisect.bisect_right(cuts, address)
            if piece not in choices:
                choices[piece] = longest_prefix_match(routes, version, address)
            found: RouteChoice[T] | None = choices[piece]
            return found

        return choose

    def acl_passes(self, entries: Sequence[AclEntry], version: int, client: int) -> AclPass:
        """``acl_passes``, remembered per NACL and piece of the address space."""
        return self.acl_judge(entries, version)(client)

    def acl_judge(self, entries: Sequence[AclEntry], version: int) -> Callable[[int], AclPass]:
        """``acl_passes`` of these entries for any client address, the table found once."""
        key = (tuple(entries), version)
        known = self._known("acls", key)
        if known is None:
            known = _bounded(self.acls, self.limit)[key] = (
                [lo for lo, _ in atoms(version, acl_cidrs(entries, version))],
                {},
            )
        cuts, passes = known

        def judge(client: int) -> AclPass:
            piece = bisect.bisect_right(cuts, client)
            found = passes.get(piece)
            if found is None:
                found = passes[piece] = acl_passes(entries, version, client)
            return found

        return judge

    def sg_admits_address(self, rules: Iterable[SecurityGroupRule], version: int, address: int) -> SgAdmission:
        """``sg_admits_address``, remembered per set of rules and piece of the address space."""
        return self.sg_admitter(rules, version)(address)

    def sg_admitter(self, rules: Iterable[SecurityGroupRule], version: int) -> Callable[[int], SgAdmission]:
        """``sg_admits_address`` of these rules for any source address, the table found once."""
        kept = tuple(rules)
        key = (kept, version)
        known = self._known("groups", key)
        if known is None:
            cuts = [lo for lo, _ in atoms(version, sg_rule_source_cidrs(kept, version))]
            known = _bounded(self.groups, self.limit)[key] = (cuts, {})
        cuts, admissions = known

        def admits(address: int) -> SgAdmission:
            piece = bisect.bisect_right(cuts, address)
            found = admissions.get(piece)
            if found is None:
                found = admissions[piece] = sg_admits_address(kept, version, address)
            return found

        return admits

    def answer(self, key: tuple[object, ...], keep: object, compute: Callable[[], R]) -> R:
        """``compute()`` once per ``key``, for an analysis built on these decisions; ``keep``
        (the objects whose ids the key holds) stays alive with the answer."""
        found = self._known("answers", key)
        if found is None:
            limit = _ANSWERS_LIMIT if self.over is None else self.limit
            found = _bounded(self.answers, limit)[key] = (compute(), keep)
        answer: R = found[0]
        return answer


def _bounded(table: dict[Any, Any], limit: int = _MEMO_LIMIT) -> dict[Any, Any]:
    if len(table) >= limit:
        table.clear()
    return table
