"""Service ports: one stable address per unit with several replicas, like a Kubernetes ClusterIP.

Other units reach a unit through ``<URL_ENV>``, on its internal port. With
one replica that is the replica's own internal port; with several it is a
port the supervisor listens on, relaying each TCP connection to the next
ready replica's internal port (per connection, as
kube-proxy does: an HTTP client that keeps its connection alive stays on one
replica). A replica that refuses the connection is skipped; when none is
ready the connection waits for one, up to the unavailable timeout, and is
closed if none comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from generator.run.balancing import RoundRobin
from generator.run.specs import LOOPBACK

_CHUNK = 65536


class ServicePort:
    """A TCP round-robin relay from a unit's service port to its ready replicas."""

    def __init__(self, unit: str, listener: socket.socket, balancer: RoundRobin) -> None:
        self.unit = unit
        self._listener = listener
        self._balancer = balancer
        self._server: asyncio.Server | None = None
        self._relays: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        port: int = self._listener.getsockname()[1]
        return port

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._relay, sock=self._listener)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for relay in list(self._relays):
            relay.cancel()
        if self._relays:
            await asyncio.wait(self._relays)

    async def _relay(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._relays.add(task)
        try:
            upstream = await self._connect()
            if upstream is None:
                return
            replica_reader, replica_writer = upstream
            try:
                await asyncio.gather(
                    _copy(client_reader, replica_writer),
                    _copy(replica_reader, client_writer),
                )
            finally:
                replica_writer.close()
        except asyncio.CancelledError:
            # close() cut the relay short. Nobody awaits this task but close(), and asyncio
            # would log a cancelled connection task as an error, so it ends quietly.
            pass
        finally:
            client_writer.close()
            self._relays.discard(task)

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        async with contextlib.aclosing(self._balancer.ports_to_try(self.unit, internal=True)) as ports:
            async for port in ports:
                try:
                    return await asyncio.open_connection(LOOPBACK, port)
                except OSError:
                    continue  # refused: down or restarting; the next one may answer
        return None


async def _copy(source: asyncio.StreamReader, destination: asyncio.StreamWriter) -> None:
    """Copy one direction; pass end-of-stream on (half-close), or drop the other side on error."""
    try:
        while data := await source.read(_CHUNK):
            destination.write(data)
            await destination.drain()
        if destination.can_write_eof():
            destination.write_eof()
    except OSError:
        # a reset on one side ends the conversation: the other side must not wait forever
        destination.close()
