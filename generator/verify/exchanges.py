"""What a verification run records: each request sent through an architecture, and its answer.

Plain data, shared by the part that runs architectures and the pure part that
compares them. Bodies are kept as bytes, exactly as the gateway relayed them
(decompressed if the unit compressed them), so comparison decides how to read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Phase(StrEnum):
    """Which part of a run sent a request."""

    JOURNEY = "journey"  # a step of a user journey (``--journey``)
    ROUTE = "route"  # the GET of a route without parameters


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and its answer, as it went through the recording proxy.

    ``status`` is 0 when no answer came back (the connection failed or was cut);
    ``error`` then says why.
    """

    phase: Phase
    label: str  # the journey that sent it (its file name), or the route rule
    method: str
    target: str  # path and query, as sent
    status: int
    media_type: str = ""  # Content-Type without parameters, lower case
    location: str | None = None
    body: bytes = b""
    error: str | None = None

    @property
    def request_line(self) -> str:
        return f"{self.method} {self.target}"


@dataclass(frozen=True, slots=True)
class JourneyFailure:
    """A journey that raised instead of returning: where it stopped and why."""

    journey: str
    after_steps: int
    message: str  # "KeyError: 'token' (journey.py:12)"


@dataclass(frozen=True, slots=True)
class Recording:
    """Everything one run of an architecture answered, in the order it was asked.

    ``base_url`` (the address the requests were sent to) and ``data_root`` (the
    run's temporary data folder) differ from run to run; comparison reads them as
    placeholders wherever an answer mentions them.
    """

    exchanges: tuple[Exchange, ...]
    journey_failures: tuple[JourneyFailure, ...] = ()
    base_url: str = ""
    data_root: str = ""

    def of(self, phase: Phase) -> tuple[Exchange, ...]:
        return tuple(e for e in self.exchanges if e.phase is phase)
