"""Playback sessions and per-user watch history."""
from __future__ import annotations
from enum import StrEnum


class PlaybackStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"
    EXPIRED = "expired"


# PlaybackSession belongs to the stream service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class PlaybackSession(RemoteRecord):
    """A read-only record of the stream service's ``PlaybackSession``."""

    __monosplit_service__ = "stream"


# WatchHistoryEntry belongs to the stream service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class WatchHistoryEntry(RemoteRecord):
    """A read-only record of the stream service's ``WatchHistoryEntry``."""

    __monosplit_service__ = "stream"
