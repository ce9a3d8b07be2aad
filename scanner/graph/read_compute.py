"""Which compute resource of the configuration runs with which role, for the escalation search
(``scanner.analyses.iam_existing_compute``): every workload's instances hold the role of their
instance profile (the workload's own, else each launch template's that gives one), a Lambda
function its execution role. The line named is the one that gives the resource the role: the
instance profile line (of the workload or of its template), the function's role line."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from scanner.findings import Configuration
from scanner.model import AutoScalingGroup, Instance
from scanner.model_lambda import LambdaFunction
from scanner.workload import RunsWithRole


class Reader(Protocol):
    """What this reads of the graph (``scanner.graph.read``'s reader, which imports this)."""

    config: Configuration

    def out(self, node: str, kind: str) -> list[tuple[str, dict[str, Any]]]: ...

    def profiles(self, node: str, templates: list[str]) -> list[str]: ...


def every_compute(read: Reader, workloads: Iterable[Instance | AutoScalingGroup]) -> tuple[RunsWithRole, ...]:
    """Every workload and Lambda function with every role it runs with."""
    found: list[RunsWithRole] = []
    for work in workloads:
        templates = [t for t, _ in read.out(work.address, "launched_from")]
        for profile in read.profiles(work.address, templates):
            named_at = next(
                (d["span"] for p, d in read.out(work.address, "has_profile") if p == profile and d.get("span")),
                work.span,
            )
            found.extend(RunsWithRole(work, role, named_at) for role, _ in read.out(profile, "has_role"))
    for function in read.config.resources:
        if isinstance(function, LambdaFunction):
            found.extend(
                RunsWithRole(function, role, d["span"] or function.span)
                for role, d in read.out(function.address, "runs_as")
            )
    return tuple(found)
