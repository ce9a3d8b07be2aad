"""Network Firewall rule groups and policies, read the same way from both formats (Terraform's
nested blocks and CloudFormation's properties differ only in their key names, ``KEYS``):
stateless rules (priority, actions, match attributes), stateful 5-tuple rules (action and
header), and what is not evaluated (Suricata rules as a string, domain lists, application
protocols, rule variables in ports), named in the group's ``opaque``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.adapters.common import nested_fields
from scanner.adapters.raw import RawResource
from scanner.model import Cidr
from scanner.model_between import FirewallRule
from scanner.values import Span, Unknown, span_of

TERRAFORM, CLOUDFORMATION = 0, 1
# neutral name -> (Terraform key, CloudFormation key)
KEYS: Mapping[str, tuple[str, str]] = {
    "rule_group": ("rule_group", "RuleGroup"),
    "rules_source": ("rules_source", "RulesSource"),
    "string": ("rules_string", "RulesString"),
    "list": ("rules_source_list", "RulesSourceList"),
    "stateful": ("stateful_rule", "StatefulRules"),
    "header": ("header", "Header"),
    "action": ("action", "Action"),
    "protocol": ("protocol", "Protocol"),
    "source": ("source", "Source"),
    "destination": ("destination", "Destination"),
    "destination_port": ("destination_port", "DestinationPort"),
    "direction": ("direction", "Direction"),
    "stateless_wrap": ("stateless_rules_and_custom_actions", "StatelessRulesAndCustomActions"),
    "stateless": ("stateless_rule", "StatelessRules"),
    "priority": ("priority", "Priority"),
    "definition": ("rule_definition", "RuleDefinition"),
    "actions": ("actions", "Actions"),
    "match": ("match_attributes", "MatchAttributes"),
    "sources": ("source", "Sources"),
    "destinations": ("destination", "Destinations"),
    "ports": ("destination_port", "DestinationPorts"),
    "from": ("from_port", "FromPort"),
    "to": ("to_port", "ToPort"),
    "protocols": ("protocols", "Protocols"),
    "address": ("address_definition", "AddressDefinition"),
}
_PROTOCOLS = {"TCP": "6", "UDP": "17", "ICMP": "1", "IP": "-1"}


def one(value: Any) -> Any:
    """A Terraform block is a one-item list; CloudFormation writes the mapping."""
    if isinstance(value, list):
        return value[0] if value and isinstance(value[0], Mapping) else None
    return value if isinstance(value, Mapping) else None


def items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def get(container: Any, name: str, form: int) -> Any:
    return container.get(KEYS[name][form]) if isinstance(container, Mapping) else None


def address(value: Any) -> Cidr:
    if isinstance(value, str) and value.strip().upper() == "ANY":
        return "0.0.0.0/0"
    if isinstance(value, str) and not value.startswith("$"):
        return value.strip()
    return Unknown(f"the address {value} (a rule variable) is not known offline")


def port_ranges(value: Any) -> tuple[tuple[int, int], ...] | None:
    """A stateful header's port: ANY (), 22, 1024:65535, [80,443]; None: not readable."""
    if isinstance(value, int):
        return ((value, value),)
    if not isinstance(value, str):
        return None
    text = value.strip().strip("[]")
    if text.upper() == "ANY":
        return ()
    out: list[tuple[int, int]] = []
    for part in text.split(","):
        low, _, high = part.strip().partition(":")
        if not low.isdigit() or (high and not high.isdigit()):
            return None
        out.append((int(low), int(high or low)))
    return tuple(out)


# Suricata actions that let a packet go on (https://docs.suricata.io/en/latest/rules/intro.html#action);
# drop, reject, rejectsrc, rejectdst and rejectboth stop it.
_LETS_THROUGH = frozenset({"alert", "pass"})


def _never_drops(rules: object) -> bool:
    """Whether a Suricata rules string, known offline, holds only rules that let traffic
    through (alert, pass): such a group cannot cut a path, so it is not a possible cut."""
    if not isinstance(rules, str):
        return False
    actions = [
        line.split(None, 1)[0].lower()
        for line in rules.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    return bool(actions) and all(action in _LETS_THROUGH for action in actions)


def read_rule_group(raw: RawResource, body: Any, form: int, stateful: bool) -> tuple[tuple[FirewallRule, ...], str]:
    """The group's 5-tuple rules and what is not evaluated (empty: everything is)."""
    group = one(get(body, "rule_group", form))
    source = one(get(group, "rules_source", form))
    opaque: list[str] = []
    written = body.get("rules") if form == TERRAFORM and isinstance(body, Mapping) else None
    for text in (written, get(source, "string", form)):
        if text and not _never_drops(text):
            opaque.append("Suricata rules")
    if get(source, "list", form):
        opaque.append("a domain list")
    rules: list[FirewallRule] = []
    if stateful:
        container = get(source, "stateful", form)
        for index, item in enumerate(items(container)):
            header = one(get(item, "header", form))
            protocol = str(get(header, "protocol", form) or "").upper()
            ports = port_ranges(get(header, "destination_port", form))
            if protocol not in _PROTOCOLS or ports is None:
                opaque.append(
                    f"stateful rule {index + 1} ({protocol or 'no protocol'} {get(header, 'destination_port', form)})"
                )
                continue
            rules.append(
                FirewallRule(
                    action=str(get(item, "action", form) or "").lower(),
                    protocols=(_PROTOCOLS[protocol],),
                    sources=(address(get(header, "source", form)),),
                    destinations=(address(get(header, "destination", form)),),
                    ports=ports,
                    direction=str(get(header, "direction", form) or "FORWARD").upper(),
                    **_fields(raw, f"{raw.address}.stateful_rule[{index}]", span_of(container, index, raw.span)),
                )
            )
    else:
        wrap = one(get(source, "stateless_wrap", form))
        container = get(wrap, "stateless", form)
        for index, item in enumerate(items(container)):
            definition = one(get(item, "definition", form))
            match = one(get(definition, "match", form))
            actions = [a for a in items(get(definition, "actions", form)) if isinstance(a, str)]
            protocols = tuple(str(p) for p in items(get(match, "protocols", form)) if isinstance(p, int)) or ("-1",)
            ports = tuple(
                (
                    int(get(p, "from", form)),
                    int(get(p, "to", form) if get(p, "to", form) is not None else get(p, "from", form)),
                )
                for p in items(get(match, "ports", form))
                if isinstance(get(p, "from", form), int)
            )
            sources = tuple(address(get(a, "address", form)) for a in items(get(match, "sources", form))) or (
                "0.0.0.0/0",
            )
            destinations = tuple(address(get(a, "address", form)) for a in items(get(match, "destinations", form))) or (
                "0.0.0.0/0",
            )
            priority = get(item, "priority", form)
            rules.append(
                FirewallRule(
                    action=next((a for a in actions if a.startswith("aws:")), None),
                    priority=priority if isinstance(priority, int) else None,
                    protocols=protocols,
                    sources=sources,
                    destinations=destinations,
                    ports=ports,
                    **_fields(raw, f"{raw.address}.stateless_rule[{index}]", span_of(container, index, raw.span)),
                )
            )
        rules.sort(key=lambda r: r.priority if isinstance(r.priority, int) else 1 << 30)
    return tuple(rules), ", ".join(dict.fromkeys(opaque))


def _fields(raw: RawResource, address_text: str, span: Span | None) -> dict[str, Any]:
    return nested_fields(raw, address_text, span or raw.span, {}, {})


POLICY_KEYS: Mapping[str, tuple[str, str]] = {
    "policy": ("firewall_policy", "FirewallPolicy"),
    "stateless_default": ("stateless_default_actions", "StatelessDefaultActions"),
    "stateless_refs": ("stateless_rule_group_reference", "StatelessRuleGroupReferences"),
    "stateful_refs": ("stateful_rule_group_reference", "StatefulRuleGroupReferences"),
    "engine": ("stateful_engine_options", "StatefulEngineOptions"),
    "rule_order": ("rule_order", "RuleOrder"),
    "stateful_default": ("stateful_default_actions", "StatefulDefaultActions"),
    "priority": ("priority", "Priority"),
    "arn": ("resource_arn", "ResourceArn"),
}


def read_policy(body: Any, form: int, phase: Any) -> dict[str, Any]:
    """The FirewallPolicy fields of a policy's body."""
    from scanner.adapters.common import as_ref

    def key(container: Any, name: str) -> Any:
        return container.get(POLICY_KEYS[name][form]) if isinstance(container, Mapping) else None

    policy = one(key(body, "policy"))
    fields: dict[str, Any] = {}
    for kind in ("stateless", "stateful"):
        refs, priorities = [], []
        for item in items(key(policy, f"{kind}_refs")):
            ref = as_ref(key(item, "arn"), phase)
            if ref is not None:
                refs.append(ref)
                priority = key(item, "priority")
                priorities.append(priority if isinstance(priority, int) else None)
        fields[f"{kind}_groups"] = tuple(refs)
        fields[f"{kind}_priorities"] = tuple(priorities)
    fields["stateless_default"] = tuple(a for a in items(key(policy, "stateless_default")) if isinstance(a, str))
    fields["stateful_default"] = tuple(a for a in items(key(policy, "stateful_default")) if isinstance(a, str))
    order = key(one(key(policy, "engine")), "rule_order")
    fields["rule_order"] = order if isinstance(order, str) else None
    return fields
