"""Playback sessions and per-user watch history."""
from __future__ import annotations
from enum import StrEnum


class PlaybackStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"
    EXPIRED = "expired"


# PlaybackSession belongs to the server service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class PlaybackSession(RemoteRecord):
    """A read-only record of the server service's ``PlaybackSession``."""

    __monosplit_service__ = "server"


# WatchHistoryEntry belongs to the server service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class WatchHistoryEntry(RemoteRecord):
    """A read-only record of the server service's ``WatchHistoryEntry``."""

    __monosplit_service__ = "server"
