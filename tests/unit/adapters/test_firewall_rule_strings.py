"""A Network Firewall rule group written as Suricata rules is a possible cut only when some
rule can stop traffic: alert and pass rules let it through (Suricata's actions), so a group
of only those leaves the verdict to the policy's own rules and default actions."""

from __future__ import annotations

from typing import Any, cast

import pytest

from scanner.adapters.firewall_rules import CLOUDFORMATION, TERRAFORM, read_rule_group
from scanner.adapters.raw import RawResource

ALERT_ONLY = (
    'alert tcp any any -> any 22 (msg:"ssh seen"; sid:1;)\n# a comment\n\npass tcp any any -> any 443 (sid:2;)\n'
)
WITH_DROP = "alert tcp any any -> any 22 (sid:1;)\ndrop tcp any any -> any 3389 (sid:2;)\n"
WITH_REJECT = "rejectboth tcp any any -> any 23 (sid:3;)\n"


def _opaque(rules: str, form: int) -> str:
    if form == TERRAFORM:
        body: dict[str, Any] = {"rule_group": [{"rules_source": [{"rules_string": rules}]}]}
    else:
        body = {"RuleGroup": {"RulesSource": {"RulesString": rules}}}
    _, opaque = read_rule_group(cast(RawResource, None), body, form, stateful=True)
    return opaque


@pytest.mark.parametrize("form", [TERRAFORM, CLOUDFORMATION])
def test_alert_and_pass_rules_cannot_cut_a_path(form: int) -> None:
    assert _opaque(ALERT_ONLY, form) == ""


@pytest.mark.parametrize("form", [TERRAFORM, CLOUDFORMATION])
@pytest.mark.parametrize("rules", [WITH_DROP, WITH_REJECT])
def test_a_drop_or_reject_rule_makes_the_group_a_possible_cut(form: int, rules: str) -> None:
    assert "Suricata rules" in _opaque(rules, form)


def test_rules_in_terraforms_rules_attribute_are_read_the_same_way() -> None:
    _, opaque = read_rule_group(cast(RawResource, None), {"rules": ALERT_ONLY}, TERRAFORM, stateful=True)
    assert opaque == ""
    _, opaque = read_rule_group(cast(RawResource, None), {"rules": WITH_DROP}, TERRAFORM, stateful=True)
    assert "Suricata rules" in opaque
