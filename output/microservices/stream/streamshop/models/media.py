"""Playback sessions and per-user watch history."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from streamshop.db import Base, UTCDateTime
from streamshop.utils.timeutil import utcnow


class PlaybackStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"
    EXPIRED = "expired"


class PlaybackSession(Base):
    __tablename__ = "playback_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(index=True)
    title_id: Mapped[int] = mapped_column(index=True)
    device: Mapped[str] = mapped_column(String(40), default="web")
    status: Mapped[str] = mapped_column(String(20), default=PlaybackStatus.ACTIVE, index=True)
    start_position_seconds: Mapped[int] = mapped_column(Integer, default=0)
    position_seconds: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WatchHistoryEntry(Base):
    __tablename__ = "watch_history"
    __table_args__ = (UniqueConstraint("user_id", "title_id", name="uq_watch_history_user_title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(index=True)
    title_id: Mapped[int] = mapped_column(index=True)
    seconds_watched: Mapped[int] = mapped_column(Integer, default=0)
    last_position_seconds: Mapped[int] = mapped_column(Integer, default=0)
    play_count: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    last_watched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
