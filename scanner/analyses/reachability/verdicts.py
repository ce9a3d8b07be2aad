"""Each candidate path told in one line, for every workload, exposed or not.

A path is open, possible (open only for some values of what the configuration leaves open),
restricted (open to named source ranges only) or cut. A path that is not open names the hop
where it stops and the reason in one phrase, as the path analysis found it: the NACL entry
that denies the port, the route table that sends internet addresses elsewhere, the group that
admits the port only from the load balancer. The hop is the one the analysis names
(``PathReport.cut_at``), else the last hop the path reached, else the workload itself (it
has no public address: no hop past the internet).
"""

from __future__ import annotations

from collections.abc import Iterable

from scanner.analyses.reachability.hops import FAMILY, PathReport
from scanner.findings import PathVerdict


def path_verdicts(reports: Iterable[PathReport], workload: str) -> tuple[PathVerdict, ...]:
    """One verdict per distinct path (two subnets sharing a table give the same one once)."""
    return tuple(dict.fromkeys(path_verdict(report, workload) for report in reports))


def path_verdict(report: PathReport, workload: str) -> PathVerdict:
    family = FAMILY[report.version]
    if report.open:
        verdict = "possible" if report.possible else "open"
        return PathVerdict(report.via, family, verdict, report.ports, "", "")
    if report.restricted is not None:
        return PathVerdict(report.via, family, "restricted", report.ports, _hop(report, workload), report.restricted)
    return PathVerdict(report.via, family, "cut", "", _hop(report, workload), report.cut or "")


def _hop(report: PathReport, workload: str) -> str:
    if report.cut_at:
        return report.cut_at
    reached = [s for s in report.steps if s.kind != "internet"]
    return reached[-1].address if reached else workload
