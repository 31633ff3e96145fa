"""Playback sessions and watch history.

A client starts a session, sends a heartbeat every ~30 seconds with its
position, and stops the session when the viewer leaves; stopping (or the
session timing out) folds the watched time into ``watch_history``.
"""
from __future__ import annotations
import os

from . import billing

# Legacy knobs, read from the environment at import time (ops sets them per host).
SESSION_TIMEOUT_SECONDS = int(os.environ.get("STREAM_SESSION_TIMEOUT_SECONDS", "120"))
COMPLETION_RATIO = 0.9
STREAM_URL_TTL_DAYS = 1


# start_playback moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import start_playback


# heartbeat moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import heartbeat


# stop_playback moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import stop_playback


# watch_history moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import watch_history


# continue_watching moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import continue_watching


# serialize_playback moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import serialize_playback


# serialize_history_entry moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import serialize_history_entry
