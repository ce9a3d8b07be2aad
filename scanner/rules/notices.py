"""iacscan's own notices: a file that could not be read, a suppression without a reason, a
SARIF log cut to GitHub's limits. They carry no security severity."""

from __future__ import annotations

from scanner.rules.catalog import Rule

LOAD_ERROR = "iacscan-load-error"
SUPPRESSION_WITHOUT_REASON = "iacscan-suppression-without-reason"
RESULTS_TRUNCATED = "iacscan-results-truncated"

NOTICE_RULES: tuple[Rule, ...] = (
    Rule(
        id=LOAD_ERROR,
        name="IacscanLoadError",
        short_description="A file could not be read",
        full_description="A file (or part of one) could not be parsed or loaded; findings in it may be missing.",
        remediation="Fix the syntax error or the reference the message names, then scan again.",
        steps=("Fix the problem the message names at the given line, then scan again.",),
        references=(),
        security_severity=None,
        tags=("iacscan",),
        kind="notice",
    ),
    Rule(
        id=SUPPRESSION_WITHOUT_REASON,
        name="IacscanSuppressionWithoutReason",
        short_description="An iacscan:ignore comment gives no reason",
        full_description=(
            "An inline iacscan:ignore suppression has no justification. The finding stays suppressed, but a "
            "reviewer cannot tell why it was accepted."
        ),
        remediation="Add a reason after the rule ids of the iacscan:ignore comment.",
        steps=("Write why the finding is accepted after the rule ids of the `iacscan:ignore` comment.",),
        references=(),
        security_severity=None,
        tags=("iacscan", "maintainability"),
        kind="notice",
    ),
    Rule(
        id=RESULTS_TRUNCATED,
        name="IacscanResultsTruncated",
        short_description="Too many results: the least severe were left out",
        full_description=(
            "The SARIF file holds at most 25,000 results per run (GitHub's limit); the most severe were kept."
        ),
        remediation="Scan smaller parts of the repository, or fix or suppress findings in bulk.",
        steps=("Scan smaller parts of the repository separately, or fix the most common findings first.",),
        references=(),
        security_severity=None,
        tags=("iacscan",),
        kind="notice",
    ),
)
