"""What a rule is: its id, its catalogue text, how its findings are told apart, and the
AWS documentation it points to.

Every rule module (``scanner/rules/<rule>.py``) holds one ``Rule`` as ``RULE`` and, for a
trait rule, ``check(context, options)``; ``scanner.rules.registry`` lists them. Reports
read the catalogue (SARIF ``tool.driver.rules``, JSON, text), the exposure stage takes each
fix's one-line remediation from it, and ``scanner.rules.docs`` writes the README's rule table
and ``docs/rules/<id>.md`` from it.

Security severity is the CVSS-like 0.0-10.0 score GitHub code scanning shows (critical >= 9.0,
high >= 7.0, medium >= 4.0, low > 0). Only the four aggregate rules
``ec2-exposure-{critical,high,medium,low}`` have one: a trait is as severe as the combination
on its workload, never on its own (IMDSv1 on a private instance with no role is low, on an
internet-reachable one high), so a trait rule has none and each trait result's level follows
its workload's exposure (``scanner.reports.sarif``).
"""

from __future__ import annotations

import re
from typing import Literal

from scanner.frozen import frozen

RuleKind = Literal["trait", "exposure", "notice"]
Level = Literal["error", "warning", "note"]

DOCS_BASE_URI = "https://github.com/iacscan/iacscan/blob/main/docs/rules/"
TAGS = ("security", "aws", "ec2")


@frozen
class Reference:
    title: str
    url: str


@frozen
class Rule:
    """One rule. ``remediation`` is the one line a fix shows; ``steps`` the full advice
    (Markdown inline code allowed), ``references`` AWS documentation; ``fires_when`` the
    README table's one line.

    ``fingerprint_keys``: trait properties that tell two findings of this rule on the same
    resource apart (never line numbers); ``fingerprint_resource``: a trait property naming
    the resource a finding is keyed by instead of the resource at its location (the
    security group, not the position of an inline rule in its list)."""

    id: str
    name: str  # PascalCase, as SARIF reportingDescriptor.name
    short_description: str
    full_description: str
    remediation: str
    steps: tuple[str, ...]
    references: tuple[Reference, ...]
    tags: tuple[str, ...]
    kind: RuleKind = "trait"
    security_severity: float | None = None  # the exposure rules only (see the module docstring)
    fires_when: str = ""
    fingerprint_keys: tuple[str, ...] = ()
    fingerprint_resource: str | None = None

    @property
    def level(self) -> Level:
        """The SARIF default level: error from high scores up, warning for medium, else note.

        A trait rule: warning. Every trait result carries its own level, from its workload's
        exposure, so the default is what a viewer shows for the rule alone (a rule list, a
        result without a level); warning is SARIF's own default and neither ranks a trait
        as an error nor hides it as a note before its workload is known."""
        if self.kind == "trait":
            return "warning"
        if self.security_severity is None:
            return "note"
        if self.security_severity >= 7.0:
            return "error"
        if self.security_severity >= 4.0:
            return "warning"
        return "note"

    @property
    def help_uri(self) -> str:
        return f"{DOCS_BASE_URI}{self.id}.md"

    @property
    def help_text(self) -> str:
        lines = [self.full_description, "", "How to fix:"]
        lines += [f"- {plain_text(step)}" for step in self.steps]
        if self.references:
            lines += ["", "References:"]
            lines += [f"- {ref.title}: {ref.url}" for ref in self.references]
        return "\n".join(lines)

    @property
    def help_markdown(self) -> str:
        lines = [f"**{self.short_description}**", "", self.full_description, "", "### How to fix", ""]
        lines += [f"- {step}" for step in self.steps]
        if self.references:
            lines += ["", "### References", ""]
            lines += [f"- [{ref.title}]({ref.url})" for ref in self.references]
        return "\n".join(lines)


def plain_text(markdown: str) -> str:
    """Markdown emphasis and inline code marks taken out."""
    return re.sub(r"\*\*|`", "", markdown)
