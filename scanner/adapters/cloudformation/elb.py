"""CloudFormation load balancers -> model: ELBv2 load balancers, listeners, rules and target
groups (with their ``Targets``), and classic load balancers."""

from __future__ import annotations

from typing import Any

from scanner.adapters.cloudformation.fields import (
    Fields,
    as_bool,
    as_int,
    as_ref,
    as_refs,
    as_str,
    base_fields,
    derived,
    get_in,
    items_of,
    own_ref,
)
from scanner.adapters.common import forwarded_target_groups, load_balancer_type
from scanner.adapters.raw import RawResource
from scanner.model import (
    Listener,
    ListenerRule,
    LoadBalancer,
    MaybeBool,
    MaybeStr,
    Ref,
    Resource,
    TargetGroup,
    TargetGroupAttachment,
)
from scanner.values import Unknown


def _scheme_internal(value: Any) -> MaybeBool:
    scheme = as_str(value)
    if isinstance(scheme, str):
        return scheme.lower() == "internal"
    return scheme


def map_load_balancer(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    lb_type = load_balancer_type(as_str(fields.take("lb_type", "Type")))
    subnets = list(as_refs(fields.take("subnets", "Subnets")))
    for _, mapping in items_of(fields.take("subnets", "SubnetMappings")):
        subnet = as_ref(mapping.get("SubnetId")) if isinstance(mapping, dict) else as_ref(mapping)
        if subnet is not None:
            subnets.append(subnet)
    return [
        LoadBalancer(
            **base_fields(raw, fields, "Name"),
            lb_type=lb_type,
            internal=_scheme_internal(fields.take("internal", "Scheme")),
            subnets=tuple(subnets),
            security_groups=as_refs(fields.take("security_groups", "SecurityGroups")),
            privatelink_inbound_rules=as_str(
                fields.take("privatelink_inbound_rules", "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic")
            ),
        )
    ]


def _forwarded_groups(actions: Any) -> tuple[Ref, ...]:
    """``DefaultActions`` / ``Actions``: ``TargetGroupArn`` and ``ForwardConfig.TargetGroups``."""
    typed: list[tuple[MaybeStr, list[Ref]]] = []
    for _, action in items_of(actions):
        if isinstance(action, Unknown):
            typed.append((None, [action]))
        elif isinstance(action, dict):
            named = list(as_refs(action.get("TargetGroupArn")))
            for _, weighted in items_of(get_in(action, "ForwardConfig", "TargetGroups")):
                named.extend(as_refs(weighted.get("TargetGroupArn") if isinstance(weighted, dict) else weighted))
            typed.append((as_str(action.get("Type")), named))
    return forwarded_target_groups(typed)


def map_listener(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        Listener(
            **base_fields(raw, fields),
            load_balancer=as_ref(fields.take("load_balancer", "LoadBalancerArn")),
            port=as_int(fields.take("port", "Port")),
            protocol=as_str(fields.take("protocol", "Protocol")),
            target_groups=_forwarded_groups(fields.take("target_groups", "DefaultActions")),
        )
    ]


def map_listener_rule(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        ListenerRule(
            **base_fields(raw, fields),
            listener=as_ref(fields.take("listener", "ListenerArn")),
            target_groups=_forwarded_groups(fields.take("target_groups", "Actions")),
        )
    ]


def _attribute(fields: Fields, field: str, key: str) -> Any:
    """The value of one ``TargetGroupAttributes`` item (``{Key, Value}``), its line recorded."""
    for index, item in items_of(fields.body.get("TargetGroupAttributes")):
        if isinstance(item, dict) and item.get("Key") == key:
            return fields.take(field, "TargetGroupAttributes", index, "Value")
    return None


def map_target_group(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    group = TargetGroup(
        **base_fields(raw, fields, "Name"),
        port=as_int(fields.take("port", "Port")),
        protocol=as_str(fields.take("protocol", "Protocol")),
        target_type=as_str(fields.take("target_type", "TargetType")),
        vpc=as_ref(fields.take("vpc", "VpcId")),
        preserve_client_ip=as_bool(_attribute(fields, "preserve_client_ip", "preserve_client_ip.enabled")),
    )
    attachments: list[Resource] = []
    targets = raw.body.get("Targets")
    for index, item in items_of(targets):
        target_fields = Fields(item)
        target = target_fields.take("target", "Id") if isinstance(item, dict) else item
        attachments.append(
            TargetGroupAttachment(
                **derived(raw, "Targets", index, targets, target_fields),
                target_group=own_ref(raw),
                target=as_ref(target) or Unknown("target without Id"),
                port=as_int(target_fields.take("port", "Port")) if isinstance(item, dict) else None,
            )
        )
    return [group, *attachments]


def map_classic_load_balancer(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    listeners: list[Listener] = []
    written = fields.take("listeners", "Listeners")
    for index, item in items_of(written):
        listener_fields = Fields(item)
        base = derived(raw, "Listeners", index, written, listener_fields)
        if not isinstance(item, dict):
            whole = item if isinstance(item, Unknown) else Unknown("listener is not a mapping")
            listeners.append(Listener(**base, load_balancer=own_ref(raw), port=whole, instance_port=whole))
            continue
        listeners.append(
            Listener(
                **base,
                load_balancer=own_ref(raw),
                port=as_int(listener_fields.take("port", "LoadBalancerPort")),
                protocol=as_str(listener_fields.take("protocol", "Protocol")),
                instance_port=as_int(listener_fields.take("instance_port", "InstancePort")),
            )
        )
    return [
        LoadBalancer(
            **base_fields(raw, fields, "LoadBalancerName"),
            lb_type="classic",
            internal=_scheme_internal(fields.take("internal", "Scheme")),
            subnets=as_refs(fields.take("subnets", "Subnets")),
            security_groups=as_refs(fields.take("security_groups", "SecurityGroups")),
            listeners=tuple(listeners),
            instances=as_refs(fields.take("instances", "Instances")),
        )
    ]
