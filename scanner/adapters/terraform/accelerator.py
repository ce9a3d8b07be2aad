"""Terraform Global Accelerator -> model (``scanner.model_accelerator`` states what AWS does):
``aws_globalaccelerator_accelerator``, ``_listener`` and ``_endpoint_group`` with its
``endpoint_configuration`` and ``port_override`` blocks; the custom routing accelerator,
listener and endpoint group (``destination_configuration``, subnet ``endpoint_configuration``)."""

from __future__ import annotations

from scanner.adapters.raw import RawResource
from scanner.adapters.terraform.body import Body, base_fields, block_fields, normalize_protocol
from scanner.model import MaybeStr, Ref, Resource
from scanner.model_accelerator import (
    Accelerator,
    AcceleratorEndpoint,
    AcceleratorListener,
    CustomRoutingAccelerator,
    CustomRoutingEndpointGroup,
    CustomRoutingListener,
    EndpointGroup,
)
from scanner.values import ResourceRef


def map_accelerator(raw: RawResource, body: Body) -> list[Resource]:
    return [
        Accelerator(
            enabled=body.flag("enabled", "enabled"),
            ip_address_type=body.text("ip_address_type", "ip_address_type"),
            **base_fields(raw, body),
        )
    ]


def map_listener(raw: RawResource, body: Body) -> list[Resource]:
    return [
        AcceleratorListener(
            accelerator=body.ref("accelerator_arn", "accelerator"),
            protocol=body.text("protocol", "protocol"),
            port_ranges=tuple(
                (block.number("from_port"), block.number("to_port")) for block in body.blocks("port_range", "ports")
            ),
            **base_fields(raw, body),
        )
    ]


def map_endpoint_group(raw: RawResource, body: Body) -> list[Resource]:
    group = EndpointGroup(
        listener=body.ref("listener_arn", "listener"),
        port_overrides=tuple(
            (block.number("listener_port"), block.number("endpoint_port"))
            for block in body.blocks("port_override", "port_overrides")
        ),
        traffic_dial=body.number("traffic_dial_percentage", "traffic_dial"),
        **base_fields(raw, body),
    )
    endpoints: list[Resource] = []
    for index, block in enumerate(body.blocks("endpoint_configuration")):
        endpoints.append(
            AcceleratorEndpoint(
                endpoint_group=ResourceRef(raw.address, "id"),
                endpoint=block.ref("endpoint_id", "endpoint"),
                client_ip_preservation=block.flag("client_ip_preservation_enabled", "client_ip_preservation"),
                weight=block.number("weight", "weight"),
                **block_fields(raw, f"{raw.address}.endpoint_configuration[{index}]", block),
            )
        )
    return [group, *endpoints]


def map_custom_routing_accelerator(raw: RawResource, body: Body) -> list[Resource]:
    return [CustomRoutingAccelerator(enabled=body.flag("enabled", "enabled"), **base_fields(raw, body))]


def map_custom_routing_listener(raw: RawResource, body: Body) -> list[Resource]:
    return [
        CustomRoutingListener(
            accelerator=body.ref("accelerator_arn", "accelerator"),
            port_ranges=tuple(
                (block.number("from_port"), block.number("to_port")) for block in body.blocks("port_range", "ports")
            ),
            **base_fields(raw, body),
        )
    ]


def map_custom_routing_endpoint_group(raw: RawResource, body: Body) -> list[Resource]:
    destinations = []
    for block in body.blocks("destination_configuration", "destinations"):
        written = block.get("protocols")
        protocols: tuple[MaybeStr, ...] = tuple(
            normalize_protocol(p) for p in (written if isinstance(written, list) else [written]) if p is not None
        )
        destinations.append((block.number("from_port"), block.number("to_port"), protocols))
    subnets: list[Ref] = []
    for block in body.blocks("endpoint_configuration", "subnets"):
        subnet = block.ref("endpoint_id")
        if subnet is not None:
            subnets.append(subnet)
    return [
        CustomRoutingEndpointGroup(
            listener=body.ref("listener_arn", "listener"),
            destinations=tuple(destinations),
            subnets=tuple(subnets),
            **base_fields(raw, body),
        )
    ]
