"""Spreading work over a unit's ready replicas, and waiting for one when none is up.

The gateway (per request) and the service ports (per connection) share this:
they ask for ports to try in round-robin order and fall through to the next
when a connection is refused. When every ready replica has been tried, or none
is ready (a replica is restarting), they wait for the supervisor to report a
change, up to a deadline, as a Kubernetes Service keeps a request pending
while its endpoints come back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence
from typing import Protocol

# Re-try every ready replica this often even without news from the supervisor:
# a process can refuse connections for a moment while it still counts as ready.
RECHECK_SECONDS = 0.25


class Backends(Protocol):
    """What the supervisor tells the balancer: which replica ports are ready, and when that changes."""

    def ready_ports(self, unit: str, *, internal: bool = False) -> Sequence[int]:
        """The public (or ``internal``) ports of ``unit``'s ready replicas, in replica order."""
        ...

    async def wait_for_change(self, timeout: float) -> None:
        """Return when any replica's state changes, or after ``timeout`` seconds."""
        ...


class RoundRobin:
    """Per-unit round-robin over ready replicas, with waiting for an unavailable unit."""

    def __init__(self, backends: Backends, *, unavailable_timeout: float) -> None:
        self._backends = backends
        self._unavailable_timeout = unavailable_timeout
        self._turn: dict[str, int] = {}

    async def ports_to_try(self, unit: str, *, internal: bool = False) -> AsyncGenerator[int, None]:
        """Yield public (or ``internal``) ports of ``unit`` to try in turn until the caller stops, or the timeout passes.

        The caller breaks out once one port worked. Each pass over the ready
        replicas starts at the next replica in turn, so consecutive requests
        (or connections) land on different replicas.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._unavailable_timeout
        while True:
            ready = list(self._backends.ready_ports(unit, internal=internal))
            if ready:
                start = self._turn.get(unit, 0)
                self._turn[unit] = start + 1
                for offset in range(len(ready)):
                    yield ready[(start + offset) % len(ready)]
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            await self._backends.wait_for_change(min(remaining, RECHECK_SECONDS))
