"""``--format asff`` and ``--format ocsf`` on the command line: the options they need
(from the flags, else ``[tool.iacscan]`` ``aws-account`` / ``aws-region`` /
``source-url-base``), and writing the findings: a JSON list (what ``aws securityhub
batch-import-findings --findings file://FILE`` reads), or with ``--asff-batch-size N`` files
``OUTPUT-001.json`` ... of at most N findings each.

Suppressed exposures are not written (a suppression is an accepted risk; one imported
before is then archived through ``--asff-previous``). The run's time is taken once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scanner.findings import ScanResult
from scanner.frozen import frozen
from scanner.settings import FileSettings

ACCOUNT = re.compile(r"^\d{12}$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


class SecurityHubOptionError(ValueError):
    """A missing or malformed option; the message names it."""


@frozen
class SecurityHubOptions:
    format: str  # asff | ocsf
    account: str | None
    region: str | None
    previous: tuple[dict[str, Any], ...]
    batch_size: int | None
    source_url_base: str | None
    now: datetime


def security_hub_options(
    chosen: str,
    settings: FileSettings,
    *,
    aws_account: str | None,
    aws_region: str | None,
    previous: Path | None,
    batch_size: int | None,
    output: Path | None,
    source_url_base: str | None,
) -> SecurityHubOptions:
    account = aws_account or settings.aws_account
    region = aws_region or settings.aws_region
    if chosen == "asff":
        if not account:
            raise SecurityHubOptionError("--format asff needs --aws-account (or aws-account in the iacscan settings)")
        if not region:
            raise SecurityHubOptionError("--format asff needs --aws-region (or aws-region in the iacscan settings)")
    if account is not None and not ACCOUNT.match(account):
        raise SecurityHubOptionError(f"--aws-account must be a 12-digit account id, not {account!r}")
    if region is not None and not REGION.match(region):
        raise SecurityHubOptionError(f"--aws-region must be a region name such as us-east-1, not {region!r}")
    if batch_size is not None:
        if chosen != "asff":
            raise SecurityHubOptionError("--asff-batch-size applies to --format asff only")
        if not 1 <= batch_size <= 100:
            raise SecurityHubOptionError("--asff-batch-size must be 1 to 100 (BatchImportFindings takes 100)")
        if output is None:
            raise SecurityHubOptionError("--asff-batch-size writes several files: give --output")
    if previous is not None and chosen != "asff":
        raise SecurityHubOptionError("--asff-previous applies to --format asff only")
    return SecurityHubOptions(
        chosen,
        account,
        region,
        read_previous(previous) if previous is not None else (),
        batch_size,
        source_url_base or settings.source_url_base,
        datetime.now(timezone.utc),
    )


def read_previous(path: Path) -> tuple[dict[str, Any], ...]:
    """The findings of an earlier ``--format asff`` run: a JSON list, or ``{"Findings": [...]}``."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise SecurityHubOptionError(f"--asff-previous {path}: cannot read: {error}") from None
    if isinstance(document, dict):
        document = document.get("Findings")
    if not isinstance(document, list) or not all(isinstance(f, dict) for f in document):
        raise SecurityHubOptionError(f"--asff-previous {path}: not a list of ASFF findings")
    return tuple(document)


def iso_time(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds: ``2026-01-31T12:00:00.000Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def render_findings(result: ScanResult, options: SecurityHubOptions) -> list[dict[str, Any]]:
    from scanner.suppressions import SuppressionIndex

    index = SuppressionIndex.of(result)
    active = [e for e in result.exposures if not index.for_exposure(e)]
    active.sort(key=lambda e: (-e.rank, e.configuration, e.workload))
    if options.format == "asff":
        from scanner.reports.asff import AsffTarget, asff_findings

        assert options.account is not None and options.region is not None
        target = AsffTarget(options.account, options.region, iso_time(options.now), options.source_url_base)
        return asff_findings(active, target, options.previous)
    from scanner.reports.ocsf import OcsfTarget, ocsf_findings

    # milliseconds since the epoch, as OCSF's timestamp_t
    ocsf_target = OcsfTarget(
        int(options.now.timestamp() * 1000), options.account, options.region, options.source_url_base
    )
    return ocsf_findings(active, ocsf_target)


def batch_path(output: Path, number: int) -> Path:
    return output.with_name(f"{output.stem}-{number:03d}{output.suffix or '.json'}")


def write_security_hub(
    result: ScanResult, options: SecurityHubOptions, output: Path | None, write: Callable[[str, Path | None], None]
) -> list[Path]:
    """Writes the findings; returns the batch files written (empty without batches)."""
    findings = render_findings(result, options)
    if options.batch_size is None or output is None:
        write(json.dumps(findings, indent=2, sort_keys=True), output)
        return []
    from scanner.reports.asff import batches

    written = []
    for number, batch in enumerate(batches(findings, options.batch_size), start=1):
        path = batch_path(output, number)
        write(json.dumps(batch, indent=2, sort_keys=True), path)
        written.append(path)
    return written
