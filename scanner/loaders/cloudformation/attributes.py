"""``Fn::GetAtt`` attributes CloudFormation knows before deployment: those that echo a
property of the same resource.

Most attributes are known only once the resource exists (an ID, an ARN, an address AWS
assigns): they stay a ``ResourceRef`` (a graph edge). The ones below are documented
(CloudFormation template reference, "Return values") as the value of a property; when the
template writes that property, the attribute is that property's value:

=====================================================  =============================================
``AWS::EC2::VPC``  ``CidrBlock``                       ``CidrBlock``, in canonical form (AWS stores
                                                       ``100.68.0.18/18`` as ``100.68.0.0/18``)
``AWS::EC2::VPC``  ``Ipv6CidrBlocks``                  the ``AWS::EC2::VPCCidrBlock`` IPv6 blocks of
                                                       this VPC in the template (see below)
``AWS::EC2::Subnet``  ``CidrBlock``, ``VpcId``,        the property of that name
``AvailabilityZone``, ``AvailabilityZoneId``,
``OutpostArn``
``AWS::EC2::Subnet``  ``Ipv6CidrBlocks``               ``Ipv6CidrBlock`` and the
                                                       ``AWS::EC2::SubnetCidrBlock`` IPv6 blocks
``AWS::EC2::SecurityGroup``  ``VpcId``                 ``VpcId``
``AWS::EC2::Instance``  ``AvailabilityZone``           ``AvailabilityZone``
``AWS::EC2::Instance``  ``PrivateIp``                  ``PrivateIpAddress``
``AWS::EC2::NetworkInterface``                         ``PrivateIpAddress``
``PrimaryPrivateIpAddress``
``AWS::ElasticLoadBalancingV2::LoadBalancer``          ``SecurityGroups``
``SecurityGroups``
=====================================================  =============================================

* A property that is not written (AWS picks the value, or an IPAM pool gives it) leaves the
  attribute as before: a reference, known after deployment. A property written with a
  value that is not known offline makes the attribute ``Unknown`` saying so.
* ``Ipv6CidrBlocks`` lists every IPv6 block associated with the VPC (subnet). The blocks
  the template associates are known when they are written (``Ipv6CidrBlock``); an
  Amazon-provided or pool block is ``Unknown``. With one block the list is known (so
  ``!Select [0, !GetAtt Vpc.Ipv6CidrBlocks]`` is that block); with several, CloudFormation
  does not document their order: the list is ``Unknown``. An association whose condition
  is unknown makes the list ``Unknown``; a false one is not there.
* Not echoed, and so still references: the IDs (``GroupId`` is the group's ID, a reference
  as ``!Ref`` is), ARNs, ``DefaultSecurityGroup`` / ``DefaultNetworkAcl``, and the VPC's
  ``CidrBlockAssociations``: documented as the association IDs of its IPv4 blocks
  (``[vpc-cidr-assoc-0280ab6b]``), not as the blocks themselves.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final, Protocol

from scanner.loaders.cloudformation.values import NO_VALUE, unknown
from scanner.values import ResourceRef, SpannedList, Unknown


class ResourceSource(Protocol):
    """What echoing an attribute reads from the stack: its resources and their values."""

    @property
    def resources(self) -> dict[str, Any]: ...

    @property
    def addresses(self) -> dict[str, str]: ...

    def value(self, node: Any, depth: int) -> Any: ...

    def condition(self, name: str, depth: int = 0) -> tuple[bool | None, str]: ...


# (stack, logical id, its Properties, depth) -> the attribute's value, None: not echoed
Echo = Callable[[ResourceSource, str, Mapping[str, Any], int], Any]

_IPV6_VPC_KEYS = ("Ipv6CidrBlock", "AmazonProvidedIpv6CidrBlock", "Ipv6Pool", "Ipv6IpamPoolId")
_IPV6_SUBNET_KEYS = ("Ipv6CidrBlock", "Ipv6IpamPoolId")


def echoed_attribute(stack: ResourceSource, logical_id: str, attribute: str, depth: int) -> Any:
    """``Fn::GetAtt logical_id.attribute`` when it echoes a property the template writes;
    None when it does not (the caller keeps its reference)."""
    node = stack.resources.get(logical_id)
    if not isinstance(node, dict):
        return None
    echo = ECHOES.get((str(node.get("Type")), attribute))
    if echo is None:
        return None
    properties = node.get("Properties")
    return echo(stack, logical_id, properties if isinstance(properties, dict) else {}, depth)


def _property(name: str, attribute: str, canonical: bool = False) -> Echo:
    """The attribute is the property ``name``."""

    def echo(stack: ResourceSource, logical_id: str, properties: Mapping[str, Any], depth: int) -> Any:
        value = _written(stack, properties, name, depth)
        if value is None:
            return None
        if isinstance(value, Unknown):
            return unknown(
                f"{logical_id}.{attribute} is its {name}, which is not known offline ({value.reason})", value
            )
        if isinstance(value, list):
            return SpannedList(value)  # the lines are those of the place reading the attribute
        return _canonical_network(value) if canonical else value

    return echo


def _written(stack: ResourceSource, properties: Mapping[str, Any], name: str, depth: int) -> Any:
    """The evaluated property ``name``; None when it is not written."""
    if name not in properties:
        return None
    value = stack.value(properties[name], depth)
    return None if value is NO_VALUE or value is None else value


def _canonical_network(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError:
        return value  # CloudFormation would refuse it; the adapters say what is wrong


def _ipv6_blocks(own: str | None, association_type: str, link: str, keys: tuple[str, ...]) -> Echo:
    """The attribute lists the resource's own ``own`` block and those of the
    ``association_type`` resources whose ``link`` property names it."""

    def echo(stack: ResourceSource, logical_id: str, properties: Mapping[str, Any], depth: int) -> Any:
        blocks: list[Any] = []
        if own is not None:
            written = _written(stack, properties, own, depth)
            blocks += [] if written is None else [written]
        for other_id, other in stack.resources.items():
            found = _association(stack, str(other_id), other, (association_type, link, keys), logical_id, depth)
            if isinstance(found, _Uncertain):
                return unknown(f"{logical_id}.Ipv6CidrBlocks: {found.reason}", *blocks)
            blocks += [] if found is None else [found]
        if not blocks:
            return None
        if len(blocks) > 1:
            reason = (
                f"{logical_id}.Ipv6CidrBlocks holds {len(blocks)} blocks, in an order CloudFormation does not document"
            )
            return unknown(reason, *blocks)
        return SpannedList(blocks)

    return echo


class _Uncertain:
    """An association that may or may not exist (its condition is unknown)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _association(
    stack: ResourceSource,
    other_id: str,
    other: Any,
    kind: tuple[str, str, tuple[str, ...]],
    logical_id: str,
    depth: int,
) -> Any:
    """The IPv6 block ``other`` associates with ``logical_id``; None if it associates none."""
    association_type, link, keys = kind
    if not isinstance(other, dict) or str(other.get("Type")) != association_type:
        return None
    properties = other.get("Properties")
    if not isinstance(properties, dict) or not any(_set(properties.get(key)) for key in keys):
        return None
    target = stack.value(properties.get(link), depth)
    if not (isinstance(target, ResourceRef) and target.address == stack.addresses.get(logical_id)):
        return None
    condition = other.get("Condition")
    if condition is not None:
        truth, reason = stack.condition(str(condition), depth)
        if truth is False:
            return None
        if truth is None:
            return _Uncertain(f"{other_id} exists only if condition {condition} holds ({reason})")
    block = _written(stack, properties, "Ipv6CidrBlock", depth)
    if block is None:
        return Unknown(f"{other_id} gets its IPv6 block at deployment (Amazon-provided or from an address pool)")
    return block


def _set(value: Any) -> bool:
    """A property written with something other than false."""
    return value is not None and value is not False and str(value).strip().lower() != "false"


ECHOES: Final[Mapping[tuple[str, str], Echo]] = MappingProxyType(
    {
        ("AWS::EC2::VPC", "CidrBlock"): _property("CidrBlock", "CidrBlock", canonical=True),
        ("AWS::EC2::VPC", "Ipv6CidrBlocks"): _ipv6_blocks(None, "AWS::EC2::VPCCidrBlock", "VpcId", _IPV6_VPC_KEYS),
        ("AWS::EC2::Subnet", "CidrBlock"): _property("CidrBlock", "CidrBlock"),
        ("AWS::EC2::Subnet", "VpcId"): _property("VpcId", "VpcId"),
        ("AWS::EC2::Subnet", "AvailabilityZone"): _property("AvailabilityZone", "AvailabilityZone"),
        ("AWS::EC2::Subnet", "AvailabilityZoneId"): _property("AvailabilityZoneId", "AvailabilityZoneId"),
        ("AWS::EC2::Subnet", "OutpostArn"): _property("OutpostArn", "OutpostArn"),
        ("AWS::EC2::Subnet", "Ipv6CidrBlocks"): _ipv6_blocks(
            "Ipv6CidrBlock", "AWS::EC2::SubnetCidrBlock", "SubnetId", _IPV6_SUBNET_KEYS
        ),
        ("AWS::EC2::SecurityGroup", "VpcId"): _property("VpcId", "VpcId"),
        ("AWS::EC2::Instance", "AvailabilityZone"): _property("AvailabilityZone", "AvailabilityZone"),
        ("AWS::EC2::Instance", "PrivateIp"): _property("PrivateIpAddress", "PrivateIp"),
        ("AWS::EC2::NetworkInterface", "PrimaryPrivateIpAddress"): _property(
            "PrivateIpAddress", "PrimaryPrivateIpAddress"
        ),
        ("AWS::ElasticLoadBalancingV2::LoadBalancer", "SecurityGroups"): _property("SecurityGroups", "SecurityGroups"),
    }
)
