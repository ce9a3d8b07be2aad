"""A job's chunks shared out among forked worker processes, the results back in order.

A large configuration's workloads are analysed in chunks at the same time: each worker is a
fork of the scan, so it reads the graph and the workload contexts already built without
copying or pickling them. The chunks are not dealt out in advance: every process, the scan's
own included, takes the next chunk when it is free (the chunk numbers wait in a pipe, and a
pipe hands each read its own bytes), so a worker slowed by pickling its results, or a chunk
of costly workloads, does not leave the others idle at the end. A worker sends each chunk's
result back as soon as it has it (pickled, through its own pipe); the scan unpickles what
has arrived between its own chunks, so little is left to read when the chunks run out.

Nothing is lost when a worker fails: an exception in a worker, a worker killed, or a result
that cannot be pickled, and the chunk it had (and any it did not send) is worked on again
here. Forking is used only where it is the platform's default way to start a process
(Linux); elsewhere, and with one worker, the chunks are worked on here one after the other.
A worker writes nothing but its results: it leaves with ``os._exit``, so no buffer,
temporary file or exit handler of the scan runs twice.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import select
import signal
import struct
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

P = TypeVar("P")
R = TypeVar("R")

_NUMBER = struct.Struct("<I")  # a chunk's position, in the queue
_HEADER = struct.Struct("<IQ")  # a chunk's position and the length of its pickled result
# A pipe's bytes wait in its buffer; these many chunk numbers fit the smallest one Linux gives.
MOST_CHUNKS = 65536 // _NUMBER.size
_RESULTS_PIPE_BYTES = 1 << 20  # room for a few chunks' results while the scan is busy


def can_fork() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def chunks(count: int, size: int) -> list[range]:
    """``range(count)`` in contiguous chunks of ``size`` (the last one shorter), never more
    than ``MOST_CHUNKS``. Contiguous, because neighbouring workloads share groups and subnets,
    and a process's memo then shares the decisions about them."""
    size = max(size, 1, -(-count // MOST_CHUNKS))
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def map_shared(items: Sequence[P], work: Callable[[P], R], workers: int) -> list[R]:
    """``[work(item) for item in items]``, the items shared out among this process and
    ``workers - 1`` forked workers."""
    if workers < 2 or len(items) < 2 or len(items) > MOST_CHUNKS or not can_fork():
        return [work(item) for item in items]
    sys.stdout.flush()
    sys.stderr.flush()
    queue = _queue(len(items))
    if queue is None:
        return [work(item) for item in items]
    children = [child for child in (_start(items, work, queue) for _ in range(min(workers, len(items)) - 1)) if child]
    results: dict[int, R] = {}
    try:
        while (number := _take(queue)) is not None:
            results[number] = work(items[number])
            for child in children:
                _receive(child, results)
    except BaseException:
        _stop(children)  # the scan's own chunk failed: the others are of no use now
        os.close(queue)
        raise
    os.close(queue)
    _finish(children, results)
    return [results[n] if n in results else work(item) for n, item in enumerate(items)]


def _queue(count: int) -> int | None:
    """The read end of a pipe holding the chunk numbers 0 .. count-1, or None when no pipe
    can be made."""
    try:
        read, write = os.pipe()
    except OSError:
        return None
    try:
        os.write(write, b"".join(_NUMBER.pack(n) for n in range(count)))
    finally:
        os.close(write)  # a read of the empty queue then ends (b"") instead of waiting
    return read


def _take(queue: int) -> int | None:
    """The next chunk's number, or None when every chunk is taken. A pipe read of a few
    bytes is atomic: two processes never take the same chunk."""
    data = os.read(queue, _NUMBER.size)
    return _NUMBER.unpack(data)[0] if len(data) == _NUMBER.size else None


@dataclass
class _Child:
    pid: int
    read: int
    pending: bytearray = field(default_factory=bytearray)


def _start(items: Sequence[P], work: Callable[[P], R], queue: int) -> _Child | None:
    """A worker taking chunks from ``queue`` until it is empty, sending each result back."""
    try:
        read, write = os.pipe()
        with contextlib.suppress(OSError):
            fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, _RESULTS_PIPE_BYTES)
        pid = os.fork()
    except OSError:
        return None
    if pid != 0:
        os.close(write)
        os.set_blocking(read, False)
        return _Child(pid, read)
    os.close(read)  # the worker from here on; it never returns
    code = 1
    try:
        with os.fdopen(write, "wb") as out:
            while (number := _take(queue)) is not None:
                data = pickle.dumps(work(items[number]), protocol=pickle.HIGHEST_PROTOCOL)
                out.write(_HEADER.pack(number, len(data)))
                out.write(data)
                out.flush()
        code = 0
    finally:
        os._exit(code)


def _receive(child: _Child, results: dict[int, R]) -> bool:
    """Read what the worker has sent so far and unpickle every whole result; a result that
    cannot be read is left for the scan to redo. False once the worker has ended."""
    open_ = True
    while True:
        try:
            data = os.read(child.read, _RESULTS_PIPE_BYTES)
        except BlockingIOError:
            break
        if not data:
            open_ = False
            break
        child.pending += data
    while len(child.pending) >= _HEADER.size:
        number, length = _HEADER.unpack_from(child.pending)
        end = _HEADER.size + length
        if len(child.pending) < end:
            break
        with contextlib.suppress(Exception), memoryview(child.pending) as view:
            results[number] = cast(R, pickle.loads(view[_HEADER.size : end]))
        del child.pending[:end]
    return open_


def _finish(children: Sequence[_Child], results: dict[int, R]) -> None:
    """Everything the workers still send, as it arrives, until each has ended."""
    running = {child.read: child for child in children}
    while running:
        ready, _, _ = select.select(list(running), [], [])
        for read in ready:
            child = running[read]
            if not _receive(child, results):
                del running[read]
                os.close(read)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(child.pid, 0)


def _stop(children: Sequence[_Child]) -> None:
    for child in children:
        os.close(child.read)
        with contextlib.suppress(OSError):
            os.kill(child.pid, signal.SIGKILL)
            os.waitpid(child.pid, 0)
