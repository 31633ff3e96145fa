"""The Prometheus metrics every generated service exposes on ``/metrics``.

One set per process, on prometheus_client's default registry. Under a
multi-process server (gunicorn with several workers) set
``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` aggregates all workers.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

__all__ = [
    "CLIENT_REQUESTS",
    "CLIENT_SECONDS",
    "CONTENT_TYPE_LATEST",
    "HTTP_REQUESTS",
    "HTTP_SECONDS",
    "RPC_CALLS",
    "exposition",
]

HTTP_REQUESTS = Counter(
    "monosplit_http_requests",
    "HTTP requests this service answered.",
    ["service", "method", "status"],
)
HTTP_SECONDS = Histogram(
    "monosplit_http_request_seconds",
    "Time this service took to answer an HTTP request.",
    ["service"],
)
RPC_CALLS = Counter(
    "monosplit_rpc_calls",
    "Calls of this service's exported functions by other services.",
    ["function", "outcome"],
)
CLIENT_REQUESTS = Counter(
    "monosplit_client_requests",
    "Calls this service made to functions of other services.",
    ["service", "function", "outcome"],
)
CLIENT_SECONDS = Histogram(
    "monosplit_client_request_seconds",
    "Time calls to another service took, retries included.",
    ["service"],
)


def exposition() -> bytes:
    """The metrics in Prometheus text format, from every worker when running multi-process."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)
