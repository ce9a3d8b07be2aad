"""Network Firewall evaluation (scanner.analyses.reachability.firewall.inspect): the
stateless engine by priority and its default actions, the stateful engine in the default
action order and in STRICT_ORDER with its default actions, and what is not evaluated."""

from __future__ import annotations

from scanner.analyses.network import PortSet
from scanner.analyses.reachability.firewall import inspect
from scanner.model_between import FirewallPolicy, FirewallRule, FirewallRuleGroup, NetworkFirewall
from scanner.values import Span
from scanner.workload_between import FirewallView, GroupUse

SPAN = Span("main.tf", 1, 1)
SUBNET = "10.0.1.0/24"
WEB = PortSet.of("6", 22, 22) | PortSet.of("6", 80, 80) | PortSet.of("6", 443, 443)


def _rule(action: str, low: int | None = None, high: int | None = None, priority: int | None = None) -> FirewallRule:
    ports = () if low is None else ((low, high if high is not None else low),)
    return FirewallRule(
        address=f"rule-{action}-{low}",
        kind="rule",
        span=SPAN,
        action=action,
        priority=priority,
        protocols=("6",),
        sources=("0.0.0.0/0",),
        destinations=(SUBNET,),
        ports=ports,
    )


def _group(name: str, stateful: bool, *rules: FirewallRule, opaque: str = "") -> GroupUse:
    group = FirewallRuleGroup(address=name, kind="group", span=SPAN, stateful=stateful, rules=rules, opaque=opaque)
    return GroupUse(None, group, name)


def _view(
    stateless: tuple[GroupUse, ...] = (),
    stateful: tuple[GroupUse, ...] = (),
    default: str = "aws:forward_to_sfe",
    order: str | None = None,
    stateful_default: tuple[str, ...] = (),
) -> FirewallView:
    policy = FirewallPolicy(
        address="policy",
        kind="policy",
        span=SPAN,
        stateless_default=(default,),
        rule_order=order,
        stateful_default=stateful_default,
    )
    firewall = NetworkFirewall(address="fw", kind="fw", span=SPAN)
    return FirewallView(firewall, policy, stateless, stateful)


def test_stateless_rules_by_priority_then_the_default_action() -> None:
    view = _view((_group("rg-edge", False, _rule("aws:pass", 443, priority=1), _rule("aws:drop", 0, 65535, 2)),))
    passed, dropped, notes = inspect(view, WEB, SUBNET)
    assert str(passed) == "tcp 443"
    assert dropped == "Network Firewall policy policy rule group rg-edge drops tcp 22, tcp 80"
    assert notes == []


def test_stateless_default_pass_skips_the_stateful_engine() -> None:
    view = _view(stateful=(_group("rg-web", True, _rule("drop", 0, 65535)),), default="aws:pass")
    passed, _, _ = inspect(view, WEB, SUBNET)
    assert passed == WEB


def test_default_action_order_evaluates_pass_rules_before_drop_rules() -> None:
    view = _view(stateful=(_group("rg-web", True, _rule("drop", 0, 65535), _rule("pass", 443)),))
    passed, dropped, _ = inspect(view, WEB, SUBNET)
    assert str(passed) == "tcp 443"
    assert dropped == "Network Firewall policy policy rule group rg-web drops tcp 22, tcp 80"


def test_strict_order_takes_the_first_match() -> None:
    view = _view(stateful=(_group("rg-web", True, _rule("drop", 0, 65535), _rule("pass", 443)),), order="STRICT_ORDER")
    passed, dropped, _ = inspect(view, WEB, SUBNET)
    assert not passed
    assert dropped.endswith("drops tcp 22, tcp 80, tcp 443")


def test_strict_order_default_actions_decide_what_no_rule_matches() -> None:
    rules = (_group("rg-web", True, _rule("pass", 443)),)
    strict = _view(stateful=rules, order="STRICT_ORDER", stateful_default=("aws:drop_strict",))
    passed, dropped, _ = inspect(strict, WEB, SUBNET)
    assert str(passed) == "tcp 443"
    assert dropped == "Network Firewall policy policy stateful default action aws:drop_strict drops tcp 22, tcp 80"
    alerting = _view(stateful=rules, order="STRICT_ORDER", stateful_default=("aws:alert_strict",))
    assert inspect(alerting, WEB, SUBNET)[0] == WEB


def test_rules_not_evaluated_keep_the_path_open_and_are_named() -> None:
    view = _view(stateful=(_group("rg-domains", True, opaque="a domain list"),))
    passed, dropped, notes = inspect(view, WEB, SUBNET)
    assert passed == WEB and dropped == ""
    assert notes == ["rule group rg-domains holds a domain list, not evaluated; it may drop traffic"]


def test_a_rule_for_another_destination_does_not_apply() -> None:
    other = FirewallRule(
        address="other",
        kind="rule",
        span=SPAN,
        action="drop",
        protocols=("6",),
        sources=("0.0.0.0/0",),
        destinations=("10.9.0.0/16",),
        ports=(),
    )
    view = _view(stateful=(_group("rg", True, other),))
    assert inspect(view, WEB, SUBNET)[0] == WEB


# --- a private network as the source (peering, VPN, transit gateway paths) ----------------------

PEER = "172.16.0.0/16"


def _from(source: str, action: str, low: int) -> FirewallRule:
    return FirewallRule(
        address=f"rule-{action}-{source}",
        kind="rule",
        span=SPAN,
        action=action,
        protocols=("6",),
        sources=(source,),
        destinations=(SUBNET,),
        ports=((low, low),),
    )


def test_a_rule_whose_source_holds_the_private_network_applies_to_it() -> None:
    view = _view(stateful=(_group("rg", True, _from("172.16.0.0/12", "drop", 22)),))
    passed, dropped, notes = inspect(view, WEB, SUBNET, PEER)
    assert str(passed) == "tcp 80, tcp 443"
    assert dropped == "Network Firewall policy policy rule group rg drops tcp 22"
    assert notes == []


def test_a_rule_for_another_network_leaves_the_private_network_alone() -> None:
    # The internet's 0.0.0.0/0 would not match 10.9.0.0/16 either; a peer outside it is untouched.
    view = _view(stateful=(_group("rg", True, _from("10.9.0.0/16", "drop", 22)),))
    passed, dropped, notes = inspect(view, WEB, SUBNET, PEER)
    assert passed == WEB and dropped == "" and notes == []


def test_a_drop_rule_naming_part_of_the_private_network_is_a_possible_cut_named() -> None:
    view = _view(stateful=(_group("rg", True, _from("172.16.5.0/24", "drop", 22)),))
    passed, dropped, notes = inspect(view, WEB, SUBNET, PEER)
    assert passed == WEB and dropped == ""
    assert notes == [f"rule group rg rule rule-drop-172.16.5.0/24 may drop part of it (it names part of {PEER})"]


def test_the_internet_is_the_source_unless_one_is_named() -> None:
    view = _view(stateful=(_group("rg", True, _from(PEER, "drop", 22)),))
    assert inspect(view, WEB, SUBNET)[0] == WEB  # a rule for the peer does not drop the internet
    assert str(inspect(view, WEB, SUBNET, PEER)[0]) == "tcp 80, tcp 443"
