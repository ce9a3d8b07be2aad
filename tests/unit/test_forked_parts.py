"""Chunks of one analysis shared with forked workers: the results come back whole and in
order, a worker that fails costs its chunk nothing, and a scan split into parts reports exactly what
one process reports."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from scanner import scan as scan_module
from scanner.forked_parts import MOST_CHUNKS, can_fork, chunks, map_shared
from scanner.options import ScanOptions
from scanner.reports.json_report import render_json
from scanner.scan import scan

needs_fork = pytest.mark.skipif(not can_fork(), reason="forked workers are used on Linux only")


def test_chunks_cover_every_position_once_in_order() -> None:
    assert [list(c) for c in chunks(10, 4)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert chunks(0, 4) == []
    assert chunks(3, 50) == [range(0, 3)]


def test_chunks_grow_rather_than_outnumber_the_queue() -> None:
    many = chunks(MOST_CHUNKS * 3, 1)
    assert len(many) == MOST_CHUNKS
    assert [n for c in many for n in c] == list(range(MOST_CHUNKS * 3))


@needs_fork
def test_results_come_back_in_order_and_the_workers_take_their_share() -> None:
    parent = os.getpid()

    def work(n: int) -> tuple[int, int]:
        time.sleep(0.01)  # long enough that the worker takes chunks before the queue is empty
        return n * 10, os.getpid()

    results = map_shared(list(range(40)), work, 2)
    assert [value for value, _ in results] == [n * 10 for n in range(40)]
    assert {pid for _, pid in results} - {parent}, "no chunk was worked on by the worker"
    assert parent in {pid for _, pid in results}


@needs_fork
def test_a_failing_worker_has_its_chunk_redone_here() -> None:
    parent = os.getpid()

    def work(n: int) -> int:
        if os.getpid() != parent and n % 7 == 2:
            raise RuntimeError("a worker's bug")
        if os.getpid() != parent and n % 7 == 3:
            os._exit(9)  # killed, as by the kernel
        time.sleep(0.005)
        return n * n

    assert map_shared(list(range(30)), work, 3) == [n * n for n in range(30)]


@needs_fork
def test_a_result_that_cannot_be_pickled_is_computed_here() -> None:
    def work(name: str) -> object:
        time.sleep(0.01)
        return lambda: name

    results = map_shared(["a", "b", "c", "d"], work, 2)
    assert [make() for make in results] == ["a", "b", "c", "d"]  # type: ignore[operator]


def test_one_worker_works_here_alone() -> None:
    parent = os.getpid()
    assert map_shared([1, 2, 3], lambda n: (n, os.getpid() == parent), 1) == [(1, True), (2, True), (3, True)]


@needs_fork
def test_a_failure_in_the_scans_own_chunk_stops_the_workers() -> None:
    parent = os.getpid()

    def work(n: int) -> int:
        if os.getpid() == parent:
            raise ValueError("the scan's own chunk")
        time.sleep(0.01)
        return n

    with pytest.raises(ValueError):
        map_shared([1, 2, 3, 4], work, 2)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no worker is left behind


def _estate(root: Path, instances: int) -> None:
    """A VPC with public and private subnets, two groups and instances spread over them."""
    lines = [
        'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}',
        'resource "aws_internet_gateway" "gw" {\n  vpc_id = aws_vpc.main.id\n}',
        'resource "aws_route_table" "public" {\n  vpc_id = aws_vpc.main.id\n'
        '  route {\n    cidr_block = "0.0.0.0/0"\n    gateway_id = aws_internet_gateway.gw.id\n  }\n}',
    ]
    for name, cidr in (("public", "10.0.1.0/24"), ("private", "10.0.2.0/24")):
        lines.append(
            f'resource "aws_subnet" "{name}" {{\n  vpc_id = aws_vpc.main.id\n  cidr_block = "{cidr}"\n'
            f"  map_public_ip_on_launch = {'true' if name == 'public' else 'false'}\n}}"
        )
    lines.append(
        'resource "aws_route_table_association" "public" {\n  subnet_id = aws_subnet.public.id\n'
        "  route_table_id = aws_route_table.public.id\n}"
    )
    for name, port in (("ssh", 22), ("web", 8080)):
        lines.append(
            f'resource "aws_security_group" "{name}" {{\n  vpc_id = aws_vpc.main.id\n  ingress {{\n'
            f'    from_port = {port}\n    to_port = {port}\n    protocol = "tcp"\n'
            f'    cidr_blocks = ["0.0.0.0/0"]\n  }}\n}}'
        )
    for n in range(instances):
        subnet = "public" if n % 3 else "private"
        group = "ssh" if n % 2 else "web"
        lines.append(
            f'resource "aws_instance" "i{n:02d}" {{\n  ami = "ami-12345678"\n  instance_type = "t3.micro"\n'
            f"  subnet_id = aws_subnet.{subnet}.id\n  vpc_security_group_ids = [aws_security_group.{group}.id]\n}}"
        )
    (root / "main.tf").write_text("\n\n".join(lines) + "\n", encoding="utf-8")


@needs_fork
def test_a_scan_in_parts_reports_exactly_what_one_process_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _estate(tmp_path, 12)
    alone = scan([tmp_path], ScanOptions(root=tmp_path, jobs=1, cache_dir=None))
    monkeypatch.setattr(scan_module, "WORKLOADS_PER_WORKER", 2)
    monkeypatch.setattr(scan_module, "WORKLOADS_PER_CHUNK", 1)
    parted = scan([tmp_path], ScanOptions(root=tmp_path, jobs=4, cache_dir=None))
    assert len(alone.exposures) == 12
    assert render_json(parted) == render_json(alone)
