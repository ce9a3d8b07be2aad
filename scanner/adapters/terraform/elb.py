"""Terraform load balancers -> model: ALB / NLB / GWLB with listeners, rules, target groups and
attachments, classic ELBs, and Auto Scaling attachments."""

from __future__ import annotations

from scanner.adapters.common import forwarded_target_groups, load_balancer_type
from scanner.adapters.raw import RawResource
from scanner.adapters.terraform.body import Body, base_fields, block_fields
from scanner.model import (
    AutoScalingAttachment,
    ClassicLbAttachment,
    Listener,
    ListenerRule,
    LoadBalancer,
    Ref,
    Resource,
    TargetGroup,
    TargetGroupAttachment,
)
from scanner.values import ResourceRef, Unknown


def _action_target_groups(actions: list[Body]) -> tuple[Ref, ...]:
    """``default_action`` / ``action`` blocks: ``target_group_arn`` and ``forward.target_group``."""
    return forwarded_target_groups(
        (
            action.text("type"),
            action.refs("target_group_arn")
            + tuple(
                ref
                for forward in action.blocks("forward")
                for weighted in forward.blocks("target_group")
                for ref in weighted.refs("arn")
            ),
        )
        for action in actions
    )


def map_load_balancer(raw: RawResource, body: Body) -> list[Resource]:
    lb_type = load_balancer_type(body.text("load_balancer_type", "lb_type"))
    subnets = body.refs("subnets", "subnets")
    for mapping in body.blocks("subnet_mapping", "subnets"):
        subnets += mapping.refs("subnet_id")
    return [
        LoadBalancer(
            lb_type=lb_type,
            internal=body.flag("internal", "internal"),
            privatelink_inbound_rules=body.text(
                "enforce_security_group_inbound_rules_on_private_link_traffic", "privatelink_inbound_rules"
            ),
            subnets=subnets,
            security_groups=body.refs("security_groups", "security_groups"),
            **base_fields(raw, body),
        )
    ]


def map_listener(raw: RawResource, body: Body) -> list[Resource]:
    return [
        Listener(
            load_balancer=body.ref("load_balancer_arn", "load_balancer"),
            port=body.number("port", "port"),
            protocol=body.text("protocol", "protocol"),
            target_groups=_action_target_groups(body.blocks("default_action", "target_groups")),
            **base_fields(raw, body),
        )
    ]


def map_listener_rule(raw: RawResource, body: Body) -> list[Resource]:
    return [
        ListenerRule(
            listener=body.ref("listener_arn", "listener"),
            target_groups=_action_target_groups(body.blocks("action", "target_groups")),
            **base_fields(raw, body),
        )
    ]


def map_target_group(raw: RawResource, body: Body) -> list[Resource]:
    return [
        TargetGroup(
            port=body.number("port", "port"),
            protocol=body.text("protocol", "protocol"),
            target_type=body.text("target_type", "target_type"),
            vpc=body.ref("vpc_id", "vpc"),
            preserve_client_ip=body.flag("preserve_client_ip", "preserve_client_ip"),
            **base_fields(raw, body),
        )
    ]


def map_target_group_attachment(raw: RawResource, body: Body) -> list[Resource]:
    return [
        TargetGroupAttachment(
            target_group=body.ref("target_group_arn", "target_group"),
            target=body.ref("target_id", "target"),
            port=body.number("port", "port"),
            **base_fields(raw, body),
        )
    ]


def map_classic_lb(raw: RawResource, body: Body) -> list[Resource]:
    listeners = []
    for index, block in enumerate(body.blocks("listener", "listeners")):
        listeners.append(
            Listener(
                load_balancer=ResourceRef(raw.address, "id"),
                port=block.number("lb_port", "port"),
                protocol=block.text("lb_protocol", "protocol"),
                instance_port=block.number("instance_port", "instance_port"),
                **block_fields(raw, f"{raw.address}.listener[{index}]", block),
            )
        )
    return [
        LoadBalancer(
            lb_type="classic",
            internal=body.flag("internal", "internal"),
            subnets=body.refs("subnets", "subnets"),
            security_groups=body.refs("security_groups", "security_groups"),
            listeners=tuple(listeners),
            instances=body.refs("instances", "instances"),
            **base_fields(raw, body),
        )
    ]


def map_classic_lb_attachment(raw: RawResource, body: Body) -> list[Resource]:
    return [
        ClassicLbAttachment(
            load_balancer=body.ref("elb", "load_balancer"),
            instance=body.ref("instance", "instance"),
            **base_fields(raw, body),
        )
    ]


def map_autoscaling_attachment(raw: RawResource, body: Body) -> list[Resource]:
    target_group = body.ref("lb_target_group_arn", "target_group") or body.ref("alb_target_group_arn", "target_group")
    load_balancer = body.ref("elb", "load_balancer")
    source = body.block("traffic_source", "target_group")
    if source is not None:
        source_type = source.text("type")
        identifier = source.ref("identifier")
        if source_type == "elb":
            load_balancer = identifier
        elif source_type in (None, "elbv2") or isinstance(source_type, Unknown):
            target_group = identifier
    return [
        AutoScalingAttachment(
            auto_scaling_group=body.ref("autoscaling_group_name", "auto_scaling_group"),
            target_group=target_group,
            load_balancer=load_balancer,
            **base_fields(raw, body),
        )
    ]
