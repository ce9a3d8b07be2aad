"""What an API Gateway door reads before the load balancer: the port of a REST integration's
uri (written, the scheme's, or not known: every port, named), string templates keeping
their known parts so that port can be read in both formats, and the door costing nothing
in a configuration without VPC links."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.analyses.reachability.api_gateway import _uri_ports
from scanner.graph import build_graph
from scanner.graph.read import _Reader, workloads_of
from scanner.model_apigateway import RestIntegration
from scanner.options import ScanOptions
from scanner.scan import load_configurations
from scanner.values import Origin, Unknown
from scanner.workload import WorkloadContext
from tests.support.model_builders import make
from tests.support.paths import REPO

REACHABILITY = REPO / "fixtures" / "reachability"


def _ports(uri: object) -> tuple[str, list[str]]:
    integration = make(RestIntegration, "aws_api_gateway_integration.x", uri=uri)
    assumptions: list[str] = []
    unknowns: list[Origin] = []
    found = _uri_ports(integration, assumptions, unknowns)
    return str(found), assumptions


@pytest.mark.parametrize(
    ("uri", "ports"),
    [
        ("http://nlb.example.com:8443/path", "tcp 8443"),
        ("https://nlb.example.com/", "tcp 443"),
        ("http://nlb.example.com", "tcp 80"),
        (Unknown("a string built from aws_lb.x.dns_name", text="http://${...}:8080/"), "tcp 8080"),
        (Unknown("a string built from aws_lb.x.dns_name", text="https://${...}/{proxy}"), "tcp 443"),
    ],
)
def test_the_uri_names_the_listener_port(uri: object, ports: str) -> None:
    assert _ports(uri) == (ports, [])


@pytest.mark.parametrize(
    "uri",
    [
        None,
        Unknown("variable uri has no value"),
        Unknown("a string built from var.port", text="http://${...}:${...}/"),
        "ftp://nlb.example.com/",
    ],
)
def test_a_uri_port_not_known_opens_every_port_named(uri: object) -> None:
    ports, assumptions = _ports(uri)
    assert ports == "tcp 0-65535"
    assert assumptions == ["aws_api_gateway_integration.x: the port of its uri is not known; assumed any tcp port"]


@pytest.mark.parametrize(
    ("file", "text"),
    [("main.tf", "http://${...}:8080/"), ("template.yaml", "http://${...}/")],
)
def test_a_template_with_unknown_parts_keeps_its_known_text(file: str, text: str) -> None:
    configurations, errors, _ = load_configurations(
        [REACHABILITY / "rest-api-vpc-link-private-nlb-reachable" / file], ScanOptions(root=REPO)
    )
    assert errors == []
    (integration,) = [o for c in configurations for o in c.resources if isinstance(o, RestIntegration)]
    assert isinstance(integration.uri, Unknown) and integration.uri.text == text


def _reader(folder: Path) -> tuple[_Reader, list[WorkloadContext]]:
    configurations, _, _ = load_configurations([folder], ScanOptions(root=REPO))
    (config,) = configurations
    graph = build_graph(config)
    reader = _Reader(graph, config)
    return reader, [reader.context(w) for w in workloads_of(graph)]


def test_only_a_configuration_with_vpc_links_looks_for_them() -> None:
    reader, contexts = _reader(REACHABILITY / "rest-api-vpc-link-private-nlb-reachable" / "main.tf")
    assert reader.api_gatewayed and all(c.api_gateways for c in contexts)
    reader, contexts = _reader(REACHABILITY / "accelerator-internal-alb-open" / "main.tf")
    assert not reader.api_gatewayed and reader.loose_integrations == () and reader.http_links == ()
