"""Which authorised ports a workload serves the public on, for "stops the public service":
only paths that start on the internet serve the public; a private door (Client VPN clients,
a peered or on-premises network) does not, so cutting it stops no public service."""

from __future__ import annotations

from scanner.findings import Evidence, PathStep, Trait
from scanner.fixes.evaluate import _served_ports
from scanner.rules.internet_reachable import ID as REACHABLE
from scanner.values import Span

SPAN = Span("main.tf", 1, 1)


def _trait(first: str, ports: str) -> Trait:
    path = (
        PathStep(kind=first, address=first, description="", span=None, ports=ports),
        PathStep(kind="instance", address="aws_instance.web", description="", span=SPAN, ports=ports),
    )
    return Trait(REACHABLE, "aws_instance.web", "", Evidence(SPAN, "aws_instance.web", ""), path=path)


def test_a_path_from_the_internet_serves_its_authorised_ports() -> None:
    assert _served_ports([_trait("internet", "tcp 22, tcp 443")], {80, 443}) == {443}


def test_a_path_from_client_vpn_clients_serves_no_public() -> None:
    assert _served_ports([_trait("client_vpn_endpoint", "tcp 443")], {80, 443}) == frozenset()
    assert _served_ports([_trait("transit_gateway_vpc_attachment", "tcp 80")], {80, 443}) == frozenset()
