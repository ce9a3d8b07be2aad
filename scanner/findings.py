"""What a scan produces, below every stage that makes or reads it.

* ``LoadError``, ``Suppression`` and ``Configuration``: what loading a Terraform root module,
  plan, CloudFormation template (with its nested stacks) or CDK app gives: its model
  resources, the errors met on the way, the warnings, the inline suppressions. An *error*
  is a part of a file that could not be read: every finding of the configuration may be
  incomplete. A *warning* is a problem the loader resolved the way the tool would (a
  template key written twice: the later one is used): the configuration is complete, and
  the reports show the warning at its line;
* ``Trait``: one exposure trait of one workload, as a rule finds it;
* ``Exposure``: one finding per workload, its traits combined into a severity, with the
  attack path and the fixes;
* ``ScanResult``: every configuration and exposure of one scan.

The pipeline (``scanner.scan``) fills these; reports, suppressions, baselines and
fingerprints only read them, so none of them imports the pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from scanner.frozen import frozen
from scanner.values import Origin, Span

if TYPE_CHECKING:  # a warm scan reads findings from the cache without the model
    from scanner.model import Resource

ConfigurationKind = Literal["terraform", "terraform-plan", "cloudformation", "cdk"]


@frozen
class LoadError:
    """A file (or part of one) that could not be read, or, as a configuration's warning, a
    problem met and resolved while reading it. ``line`` is 1-based, 0 if unknown."""

    file: str
    line: int
    message: str
    usage: bool = False  # a command-line input Terraform would refuse (--var): the scan exits 2

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


@frozen
class Suppression:
    """An inline ``iacscan:ignore``: rule ids it silences for ``address`` (a resource
    address, or a prefix such as ``aws_instance.web`` covering ``aws_instance.web[0]``)."""

    rule_ids: tuple[str, ...]
    address: str
    reason: str
    span: Span


@dataclass
class Configuration:
    """One Terraform root module, plan, CloudFormation template (with its nested stacks)
    or CDK app: the unit that becomes one graph.

    ``name`` is the configuration's path relative to the scanned root (POSIX);
    ``files`` every file it read, relative to the same root; ``errors`` what could not be
    read (findings may be incomplete); ``warnings`` what was read despite a problem, in the
    way the tool reads it (findings are complete)."""

    name: str
    kind: ConfigurationKind
    files: list[str] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    warnings: list[LoadError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    unknown_values: int = 0  # how many values stayed Unknown while loading
    resource_count: int | None = None  # set on a summary whose resources were dropped (scanner.result_cache)
    watched: list[str] = field(default_factory=list)  # folders and files looked for but not read (module sources)
    not_analysed_count: dict[str, int] | None = None  # set on a summary whose resources were dropped

    @property
    def resource_total(self) -> int:
        return len(self.resources) if self.resource_count is None else self.resource_count

    def not_analysed(self) -> dict[str, int]:
        """The resources of each type that runs compute iacscan does not analyse
        (``scanner.coverage``), by type."""
        if self.not_analysed_count is not None:
            return self.not_analysed_count
        from scanner.coverage import not_analysed
        from scanner.model import UnanalysedCompute

        return not_analysed(r.kind for r in self.resources if isinstance(r, UnanalysedCompute))


# --- findings ----------------------------------------------------------------------------


class Severity(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()


@frozen
class Evidence:
    """A place involved in a trait: ``span`` the line(s), ``address`` the resource written
    there, ``message`` what that place does ("allows tcp 22 from 0.0.0.0/0")."""

    span: Span
    address: str
    message: str


@frozen
class PathStep:
    """One hop of an attack path, in order from the source (internet, peer network, VPN)
    to the workload and on to what it can reach (profile, role, statement).

    ``kind``: internet | internet_gateway | load_balancer | listener | target_group |
    route_table | route | network_acl | network_acl_entry | security_group |
    security_group_rule | vpc_peering | vpn_gateway | subnet | instance |
    auto_scaling_group | launch_template | instance_profile | role | policy | policy_statement |
    lambda_function.
    ``ports``: what still passes after this hop, e.g. "tcp 22, tcp 80-443" ("" when n/a)."""

    kind: str
    address: str
    description: str
    span: Span | None = None
    ports: str = ""


@frozen
class Trait:
    """One exposure trait of one workload.

    ``location`` is the line to change; ``related`` other places involved (the group
    behind a rule, the role behind a statement); ``path`` the attack path when there is
    one; ``assumptions`` non-empty when the trait rests on values not known offline
    (then the report says so); ``properties`` rule-specific facts (ports, cve ids ...)
    that go to JSON and SARIF properties: JSON-serialisable values only. ``fingerprint``:
    the finding's identity (``scanner.fingerprints``), given by the pipeline once the
    trait's configuration is known ("" before)."""

    rule_id: str
    workload: str
    message: str
    location: Evidence
    related: tuple[Evidence, ...] = ()
    path: tuple[PathStep, ...] = ()
    assumptions: tuple[str, ...] = ()
    properties: Mapping[str, Any] = field(default_factory=dict)
    fingerprint: str = ""
    other_paths: tuple[tuple[PathStep, ...], ...] = ()  # further distinct paths to the same trait
    unknowns: tuple[Origin, ...] = ()  # the open inputs that decide it (named with their lines)
    caveats: tuple[str, ...] = ()  # what the verdict could not see (a file of the configuration not read)

    @property
    def possible(self) -> bool:
        """The trait holds for some values of what the configuration leaves open, not for
        all: it rests on assumptions or on named unknowns."""
        return bool(self.assumptions or self.unknowns)


FixOutcome = Literal["resolves", "reduces", "clears"]
SHOWN_FIXES = 3  # fixes a report shows per workload, best first


@frozen
class SourceChange:
    """One replacement in a file, as SARIF's ``replacement`` says it: the text from
    (``line``, ``column``) up to (``end_line``, ``end_column``) (1-based, end exclusive; a
    region with the same start and end inserts) becomes ``text``."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    text: str


@frozen
class Fix:
    """One edit at ``location`` (the line the user changes) and what it really does to this
    workload, measured by re-analysing it with the edit applied (``scanner.fixes``).

    ``remediation``: the edit in words ("remove 0.0.0.0/0 from tcp 22"); ``severity``: the
    workload's severity after it (None: no trait that holds is left); ``outcome``:
    ``resolves`` (no trait left at all), ``reduces`` (a lower severity) or ``clears``
    (``cleared`` traits go, the severity stays); ``stops_service``: set when the edit cuts
    an authorised port the internet reaches today ("stops the public service on tcp 443");
    ``patch``: the source edit that makes it (empty when the value at fault is not a
    literal in the repository); ``kind``: the edit's kind (``scanner.fixes.edits``)."""

    rule_id: str
    location: Evidence
    severity: Severity | None
    remediation: str
    outcome: FixOutcome = "reduces"
    cleared: tuple[str, ...] = ()
    stops_service: str = ""
    kind: str = ""
    patch: tuple[SourceChange, ...] = ()


@frozen
class RestrictedPath:
    """A path open only to named source ranges, not to the whole internet: not an exposure
    (Security Hub's own remediation is to restrict the sources), but shown. ``via``:
    gateway | load_balancer; ``reason``: "reachable on tcp 22 from 198.51.100.7/32 only"."""

    via: str
    family: str
    ports: str
    reason: str


@frozen
class PathVerdict:
    """One candidate path to a workload in one line: ``verdict`` open, possible (open only
    for some values of what is not known offline), restricted (open to named sources only)
    or cut; for a path not open, ``hop`` is where it stops and ``why`` says why in a phrase
    ("aws_route_table.private sends 0.0.0.0/0 to aws_nat_gateway.nat (nat_gateway), not an
    internet gateway")."""

    via: str
    family: str
    verdict: str  # open | possible | restricted | cut
    ports: str
    hop: str
    why: str


@frozen
class WorkloadPaths:
    """Every candidate path to one workload, exposed or not: the answer to "why is my open
    security group not reported?"."""

    configuration: str
    workload: str
    exposed: bool
    paths: tuple[PathVerdict, ...]


@frozen
class CriticalityNote:
    """How critical the workload is (``scanner.criticality``) when that is not ``normal``:
    ``level`` high | low, ``reason`` the rule's match in words ("tag environment=production"),
    ``span`` where that tag or name is written; ``table_severity`` / ``table_possible_severity``
    the severity table's values before the criticality moved them (fingerprints and
    suppressions keep reading those, so baselines written before criticality still match)."""

    level: str
    reason: str
    span: Span | None
    table_severity: Severity | None
    table_possible_severity: Severity | None = None

    def because(self) -> str:
        """ "tag environment=production at main.tf:12"."""
        return f"{self.reason} at {self.span.file}:{self.span.line}" if self.span is not None else self.reason

    def moved(self, severity: Severity | None) -> str:
        """ "raised from MEDIUM: tag environment=production at main.tf:12" ("" when the
        criticality left ``severity`` where the table put it)."""
        if severity is None or self.table_severity is None or severity == self.table_severity:
            return ""
        verb = "raised" if severity > self.table_severity else "lowered"
        return f"{verb} from {self.table_severity.name}: {self.because()}"


@frozen
class Exposure:
    """One finding per workload with at least one trait.

    ``severity`` comes from the traits that hold (``None``: none holds, every trait is only
    possible). ``possible_severity`` is set when the possible traits would raise it: the
    severity if they held; ``unknowns`` the open inputs that decide that rise, and
    ``possible_because`` the assumptions behind it in words. Under ``--assume-worst``
    possible traits count as holding, so ``possible_severity`` is never set."""

    configuration: str
    workload: str
    workload_kind: str
    workload_span: Span
    severity: Severity | None
    traits: tuple[Trait, ...]
    path: tuple[PathStep, ...]
    fixes: tuple[Fix, ...]  # every edit that changes this workload, ranked (scanner.fixes.evaluate); reports show 3
    restricted_paths: tuple[RestrictedPath, ...] = ()
    possible_severity: Severity | None = None
    unknowns: tuple[Origin, ...] = ()
    possible_because: tuple[str, ...] = ()
    counts_possible: bool = False  # built under --assume-worst: possible traits are in the severity
    instances: tuple[str, ...] = ()  # alike instances of one block reported as this one (scanner.instance_groups)
    criticality: CriticalityNote | None = None  # set for a high or low criticality workload (scanner.criticality)

    @property
    def table_severity(self) -> Severity | None:
        """The severity table's value, before criticality moved it."""
        return self.criticality.table_severity if self.criticality is not None else self.severity

    def counted(self, trait: Trait) -> bool:
        """Whether ``trait`` is in the severity: it holds, or --assume-worst counts it."""
        return self.counts_possible or not trait.possible

    @property
    def rank(self) -> int:
        """For sorting and thresholds: the severity that holds, 0 when none does."""
        return int(self.severity) if self.severity is not None else 0

    @property
    def severity_label(self) -> str:
        """ "low", "possible" (no trait holds)."""
        return self.severity.label if self.severity is not None else "possible"

    def possibly(self) -> str:
        """ "possibly high if var.subnet_ids (variables.tf:3) ..." ("" when nothing possible
        would raise the severity)."""
        if self.possible_severity is None:
            return ""
        named = [origin_text(o) for o in self.unknowns]
        decided = ", ".join(named) if named else "; ".join(self.possible_because)
        worst = self.possible_severity.label
        return f"possibly {worst}, depending on {decided}" if decided else f"possibly {worst}"

    @property
    def best_fix(self) -> Fix | None:
        return self.fixes[0] if self.fixes else None


def fix_effect(exposure: Exposure, fix: Fix) -> str:
    """What ``fix`` does to ``exposure`` in words: "resolves it", "high -> medium",
    "clears ec2-imdsv1; stays low", with "; stops the public service on tcp 443" when it does."""
    before = exposure.severity_label
    if fix.outcome == "resolves":
        said = f"{before} -> resolved"
    elif fix.outcome == "reduces":
        said = f"{before} -> {fix.severity.label if fix.severity is not None else 'possible'}"
    else:
        said = f"clears {', '.join(fix.cleared)}; stays {before}"
    return f"{said}; {fix.stops_service}" if fix.stops_service else said


def origin_text(origin: Origin) -> str:
    """``var.subnet_ids (variables.tf:3)``."""
    return f"{origin.name} ({origin.span.file}:{origin.span.line})" if origin.span is not None else origin.name


@dataclass
class ScanResult:
    root: Path
    configurations: list[Configuration] = field(default_factory=list)
    exposures: list[Exposure] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)  # discovery's; each configuration keeps its own
    notices: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase: load, analyse
    workload_paths: list[WorkloadPaths] = field(default_factory=list)  # every workload's paths, by verdict
    # result cache writers still running (``result_cache.wait_for_writers``)
    cache_writers: list[int] = field(default_factory=list, repr=False, compare=False)

    @property
    def all_errors(self) -> list[LoadError]:
        return [*self.errors, *(e for c in self.configurations for e in c.errors)]

    @property
    def all_warnings(self) -> list[LoadError]:
        return [w for c in self.configurations for w in c.warnings]
