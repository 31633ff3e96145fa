"""Playback sessions and per-user watch history."""
from __future__ import annotations
from monosplit_runtime.schema import keys_left_to_the_orm as _monosplit_orm_keys  # keys of copies: the module's end

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from streamshop.db import Base, UTCDateTime
from streamshop.utils.timeutil import utcnow


class PlaybackStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"
    EXPIRED = "expired"


# PlaybackSession belongs to the stream service; here its objects are read-only records.
from monosplit_runtime import RemoteRecord


class PlaybackSession(RemoteRecord):
    """A read-only record of the stream service's ``PlaybackSession``."""

    __monosplit_service__ = "stream"


class WatchHistoryEntry(Base):
    __tablename__ = "watch_history"
    __table_args__ = (UniqueConstraint("user_id", "title_id", name="uq_watch_history_user_title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(index=True)
    title_id: Mapped[int] = mapped_column(ForeignKey("titles.id"), index=True)
    seconds_watched: Mapped[int] = mapped_column(Integer, default=0)
    last_position_seconds: Mapped[int] = mapped_column(Integer, default=0)
    play_count: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    last_watched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


# the ORM joins through the keys to or from copies of other units' tables; no database holds them
_monosplit_orm_keys(
    WatchHistoryEntry,
    replicas=("titles", "watch_history"),
)
