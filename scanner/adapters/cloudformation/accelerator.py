"""CloudFormation Global Accelerator -> model (``scanner.model_accelerator`` states what AWS
does): ``AWS::GlobalAccelerator::Accelerator``, ``Listener`` and ``EndpointGroup`` with its
``EndpointConfigurations`` and ``PortOverrides``."""

from __future__ import annotations

from scanner.adapters.cloudformation.fields import (
    Fields,
    as_bool,
    as_int,
    as_ref,
    as_str,
    base_fields,
    derived,
    items_of,
    own_ref,
)
from scanner.adapters.raw import RawResource
from scanner.model import Resource
from scanner.model_accelerator import Accelerator, AcceleratorEndpoint, AcceleratorListener, EndpointGroup


def map_accelerator(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    return [
        Accelerator(
            enabled=as_bool(fields.take("enabled", "Enabled")),
            ip_address_type=as_str(fields.take("ip_address_type", "IpAddressType")),
            **base_fields(raw, fields, "Name"),
        )
    ]


def map_listener(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    ranges = [
        (as_int(item.get("FromPort")), as_int(item.get("ToPort")))
        for _, item in items_of(fields.take("ports", "PortRanges"))
        if isinstance(item, dict)
    ]
    return [
        AcceleratorListener(
            accelerator=as_ref(fields.take("accelerator", "AcceleratorArn")),
            protocol=as_str(fields.take("protocol", "Protocol")),
            port_ranges=tuple(ranges),
            **base_fields(raw, fields),
        )
    ]


def map_endpoint_group(raw: RawResource) -> list[Resource]:
    fields = Fields(raw.body)
    overrides = [
        (as_int(item.get("ListenerPort")), as_int(item.get("EndpointPort")))
        for _, item in items_of(fields.take("port_overrides", "PortOverrides"))
        if isinstance(item, dict)
    ]
    group = EndpointGroup(
        listener=as_ref(fields.take("listener", "ListenerArn")),
        port_overrides=tuple(overrides),
        traffic_dial=as_int(fields.take("traffic_dial", "TrafficDialPercentage")),
        **base_fields(raw, fields),
    )
    endpoints: list[Resource] = []
    configurations = raw.body.get("EndpointConfigurations")
    for index, item in items_of(configurations):
        if not isinstance(item, dict):
            continue
        item_fields = Fields(item)
        endpoints.append(
            AcceleratorEndpoint(
                **derived(raw, "EndpointConfigurations", index, configurations, item_fields),
                endpoint_group=own_ref(raw),
                endpoint=as_ref(item_fields.take("endpoint", "EndpointId")),
                client_ip_preservation=as_bool(
                    item_fields.take("client_ip_preservation", "ClientIPPreservationEnabled")
                ),
                weight=as_int(item_fields.take("weight", "Weight")),
            )
        )
    return [group, *endpoints]
