"""One job's parts worked on in forked worker processes, the results back in order.

A large configuration's workloads are analysed in parts at the same time: each worker is a
fork of the scan, so it reads the graph and the workload contexts already built without
copying or pickling them, and only its part's results travel back (pickled, through a
pipe). The scan works on the first part itself meanwhile.

Nothing is lost when a worker fails: an exception in a worker, a worker killed, or a result
that cannot be pickled, and its part is worked on again here. Forking is used only where it
is the platform's default way to start a process (Linux); elsewhere, and with one worker,
the parts are worked on here one after the other. A worker writes nothing but its result:
it leaves with ``os._exit``, so no buffer, temporary file or exit handler of the scan runs
twice.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

P = TypeVar("P")
R = TypeVar("R")


def can_fork() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def split(count: int, workers: int, smallest: int) -> list[range]:
    """``range(count)`` in at most ``workers`` contiguous parts of at least ``smallest``
    items each (one part when the whole is smaller than two of them). Contiguous, because
    neighbouring workloads share groups and subnets, and a worker's memo then shares the
    decisions about them."""
    parts = max(1, min(workers, count // max(smallest, 1)))
    size, extra = divmod(count, parts)
    out: list[range] = []
    start = 0
    for number in range(parts):
        end = start + size + (1 if number < extra else 0)
        out.append(range(start, end))
        start = end
    return out


def map_forked(parts: Sequence[P], work: Callable[[P], R]) -> list[R]:
    """``[work(part) for part in parts]``, the parts after the first in forked workers."""
    if len(parts) < 2 or not can_fork():
        return [work(part) for part in parts]
    sys.stdout.flush()
    sys.stderr.flush()
    children: list[tuple[int, int, P]] = []
    for part in parts[1:]:
        started = _start(part, work)
        if started is None:
            children.append((-1, -1, part))
        else:
            children.append((*started, part))
    try:
        results = [work(parts[0])]
    except BaseException:
        _stop(children)  # the scan's own part failed: the others are of no use now
        raise
    for pid, read, part in children:
        found = _collect(pid, read) if pid > 0 else None
        results.append(cast(R, found[0]) if found is not None else work(part))
    return results


def _stop(children: Sequence[tuple[int, int, object]]) -> None:
    for pid, read, _ in children:
        if pid > 0:
            os.close(read)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)


def _start(part: P, work: Callable[[P], R]) -> tuple[int, int] | None:
    """A worker on ``part``: its process id and the end of the pipe its result comes from."""
    try:
        read, write = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid != 0:
        os.close(write)
        return pid, read
    os.close(read)  # the worker from here on; it never returns
    code = 1
    try:
        data = pickle.dumps(work(part), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write, "wb") as out:
            out.write(data)
        code = 0
    finally:
        os._exit(code)


def _collect(pid: int, read: int) -> tuple[object] | None:
    """The worker's result (in a 1-tuple), or None when it failed."""
    with os.fdopen(read, "rb") as source:
        data = source.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return None
    try:
        return (pickle.loads(data),)
    except Exception:
        return None
