"""Which public services a path serves: the authorised tcp ports (80 and 443 by default)
the internet reaches the workload's service on, through a load balancer's listener or at
the workload itself. A fix that cuts the last path serving a port "stops the public
service" on it. Only paths that start on the internet serve the public: one from Client
VPN clients, a peered or on-premises network is a private door."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from scanner.findings import PathStep

_PORTS = re.compile(r"\btcp (\d+)(?:-(\d+))?")


def path_served(path: Sequence[PathStep], authorized: Collection[int]) -> set[int]:
    """The authorised ports one path serves: its listener's port, else the ports at its end."""
    if not path or path[0].kind != "internet":
        return set()
    listener = next((s for s in path if s.kind == "listener"), None)
    shown = listener if listener is not None else path[-1]
    return ports_in(shown.ports, authorized)


def ports_in(text: str, authorized: Collection[int]) -> set[int]:
    """The authorised ports a hop's ports text ("tcp 22, tcp 80-443", "all traffic") holds."""
    if text.startswith("all traffic"):
        return set(authorized)
    found: set[int] = set()
    for match in _PORTS.finditer(text):
        low = int(match.group(1))
        high = int(match.group(2) or low)
        found.update(p for p in authorized if low <= p <= high)
    return found
