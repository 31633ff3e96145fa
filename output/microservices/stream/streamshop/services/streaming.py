"""Playback sessions and watch history.

A client starts a session, sends a heartbeat every ~30 seconds with its
position, and stops the session when the viewer leaves; stopping (or the
session timing out) folds the watched time into ``watch_history``.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import uuid
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from streamshop.config import get_settings
from streamshop.models.catalog import Title
from streamshop.models.media import PlaybackSession, PlaybackStatus, WatchHistoryEntry
from streamshop.utils.errors import Conflict, Forbidden, NotFound
from streamshop.utils.pagination import Page, paginate
from streamshop.utils.timeutil import add_days, isoformat, utcnow
from streamshop.utils.validation import ValidationError

from . import billing
from .catalog import get_title, get_titles_by_ids, serialize_title

# Legacy knobs, read from the environment at import time (ops sets them per host).
SESSION_TIMEOUT_SECONDS = int(os.environ.get("STREAM_SESSION_TIMEOUT_SECONDS", "120"))
COMPLETION_RATIO = 0.9
STREAM_URL_TTL_DAYS = 1


class SubscriptionRequired(Forbidden):
    code = "subscription_required"


class StreamLimitReached(Conflict):
    code = "stream_limit_reached"


def max_concurrent_streams() -> int:
    return int(os.environ.get("MAX_CONCURRENT_STREAMS", "3"))


def can_stream(session: Session, user_id: int, title: Title) -> bool:
    return not title.is_prime or billing.has_active_prime(session, user_id)


def build_stream_url(title: Title, playback_id: str) -> str:
    """Signed HLS manifest URL on the CDN; the edge checks ``sig`` and ``exp``."""
    settings = get_settings()
    expires = int(add_days(utcnow(), STREAM_URL_TTL_DAYS).timestamp())
    payload = f"{title.slug}:{playback_id}:{expires}".encode()
    signature = hmac.new(settings.secret_key.encode(), payload, hashlib.sha256).hexdigest()[:32]
    return (
        f"{settings.stream_cdn_base_url}/{title.slug}/master.m3u8"
        f"?session={playback_id}&exp={expires}&sig={signature}"
    )


def expire_stale_sessions(session: Session, user_id: int | None = None) -> int:
    """Mark sessions without a recent heartbeat as expired and record their progress."""
    cutoff = utcnow().timestamp() - SESSION_TIMEOUT_SECONDS
    stmt = select(PlaybackSession).where(PlaybackSession.status == PlaybackStatus.ACTIVE)
    if user_id is not None:
        stmt = stmt.where(PlaybackSession.user_id == user_id)
    expired = 0
    for playback in session.scalars(stmt):
        if playback.last_heartbeat_at.timestamp() < cutoff:
            _finish(session, playback, playback.position_seconds, PlaybackStatus.EXPIRED)
            expired += 1
    session.flush()
    return expired


def start_playback(
    session: Session, user_id: int, title_id: int, *, device: str = "web"
) -> tuple[PlaybackSession, Title, str]:
    title = get_title(session, title_id)
    if not can_stream(session, user_id, title):
        raise SubscriptionRequired(
            "this title requires an active prime subscription",
            details={"title_id": title.id},
        )
    expire_stale_sessions(session, user_id)
    active = session.execute(
        select(func.count())
        .select_from(PlaybackSession)
        .where(
            PlaybackSession.user_id == user_id,
            PlaybackSession.status == PlaybackStatus.ACTIVE,
        )
    ).scalar_one()
    limit = max_concurrent_streams()
    if active >= limit:
        raise StreamLimitReached(
            f"at most {limit} simultaneous streams per account", details={"limit": limit}
        )
    resume_at = session.scalars(
        select(WatchHistoryEntry.last_position_seconds).where(
            WatchHistoryEntry.user_id == user_id,
            WatchHistoryEntry.title_id == title.id,
            WatchHistoryEntry.completed.is_(False),
        )
    ).first() or 0
    playback = PlaybackSession(
        id=uuid.uuid4().hex,
        user_id=user_id,
        title_id=title.id,
        device=(device or "web")[:40],
        status=PlaybackStatus.ACTIVE,
        start_position_seconds=resume_at,
        position_seconds=resume_at,
    )
    session.add(playback)
    session.commit()
    return playback, title, build_stream_url(title, playback.id)


def _get_active_session(session: Session, user_id: int, playback_id: str) -> PlaybackSession:
    playback = session.get(PlaybackSession, playback_id)
    if playback is None or playback.user_id != user_id:
        raise NotFound("playback session not found")
    if playback.status != PlaybackStatus.ACTIVE:
        raise Conflict(f"playback session is {playback.status}")
    return playback


def _validate_position(title: Title, position_seconds: int) -> int:
    if position_seconds < 0:
        raise ValidationError("position_seconds must not be negative")
    return min(position_seconds, title.duration_seconds)


def heartbeat(
    session: Session, user_id: int, playback_id: str, position_seconds: int
) -> PlaybackSession:
    playback = _get_active_session(session, user_id, playback_id)
    title = get_title(session, playback.title_id)
    playback.position_seconds = _validate_position(title, position_seconds)
    playback.last_heartbeat_at = utcnow()
    session.commit()
    return playback


def stop_playback(
    session: Session, user_id: int, playback_id: str, position_seconds: int
) -> WatchHistoryEntry:
    playback = _get_active_session(session, user_id, playback_id)
    title = get_title(session, playback.title_id)
    entry = _finish(
        session, playback, _validate_position(title, position_seconds), PlaybackStatus.ENDED
    )
    session.commit()
    return entry


def _finish(
    session: Session, playback: PlaybackSession, position_seconds: int, status: PlaybackStatus
) -> WatchHistoryEntry:
    now = utcnow()
    playback.position_seconds = position_seconds
    playback.status = status
    playback.ended_at = now
    # Progress made in this session; seeking forward counts as watched.
    watched = max(0, position_seconds - playback.start_position_seconds)
    return record_watch(session, playback.user_id, playback.title_id, watched, position_seconds)


def record_watch(
    session: Session, user_id: int, title_id: int, seconds_watched: int, position_seconds: int
) -> WatchHistoryEntry:
    """Fold one viewing into the user's history for ``title_id``.  Flushes only."""
    title = get_title(session, title_id)
    entry = session.scalars(
        select(WatchHistoryEntry).where(
            WatchHistoryEntry.user_id == user_id, WatchHistoryEntry.title_id == title_id
        )
    ).first()
    if entry is None:
        entry = WatchHistoryEntry(
            user_id=user_id, title_id=title_id, seconds_watched=0, play_count=0, completed=False
        )
        session.add(entry)
    entry.seconds_watched += seconds_watched
    entry.play_count += 1
    entry.last_position_seconds = position_seconds
    reached_end = position_seconds >= title.duration_seconds * COMPLETION_RATIO
    entry.completed = entry.completed or reached_end
    entry.last_watched_at = utcnow()
    session.flush()
    return entry


def watch_history(
    session: Session, user_id: int, *, page: int, per_page: int
) -> Page[WatchHistoryEntry]:
    stmt = (
        select(WatchHistoryEntry)
        .where(WatchHistoryEntry.user_id == user_id)
        .order_by(WatchHistoryEntry.last_watched_at.desc(), WatchHistoryEntry.id.desc())
    )
    return paginate(session, stmt, page, per_page)


def continue_watching(session: Session, user_id: int, *, limit: int = 10) -> list[dict[str, Any]]:
    entries = session.scalars(
        select(WatchHistoryEntry)
        .where(
            WatchHistoryEntry.user_id == user_id,
            WatchHistoryEntry.completed.is_(False),
            WatchHistoryEntry.last_position_seconds > 0,
        )
        .order_by(WatchHistoryEntry.last_watched_at.desc())
        .limit(limit)
    ).all()
    titles = get_titles_by_ids(session, (entry.title_id for entry in entries))
    return [serialize_history_entry(entry, titles.get(entry.title_id)) for entry in entries]


def watched_title_ids(session: Session, user_id: int) -> set[int]:
    return set(
        session.scalars(
            select(WatchHistoryEntry.title_id).where(WatchHistoryEntry.user_id == user_id)
        )
    )


def end_all_sessions(session: Session, user_id: int) -> int:
    """Sign-out-everywhere: end active sessions without recording progress.  No commit."""
    result = session.execute(
        update(PlaybackSession)
        .where(
            PlaybackSession.user_id == user_id,
            PlaybackSession.status == PlaybackStatus.ACTIVE,
        )
        .values(status=PlaybackStatus.ENDED, ended_at=utcnow())
    )
    return cast(CursorResult[Any], result).rowcount


def serialize_playback(playback: PlaybackSession, stream_url: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "session_id": playback.id,
        "title_id": playback.title_id,
        "device": playback.device,
        "status": playback.status,
        "position_seconds": playback.position_seconds,
        "started_at": isoformat(playback.started_at),
        "last_heartbeat_at": isoformat(playback.last_heartbeat_at),
        "ended_at": isoformat(playback.ended_at),
    }
    if stream_url is not None:
        data["stream_url"] = stream_url
    return data


def serialize_history_entry(entry: WatchHistoryEntry, title: Title | None) -> dict[str, Any]:
    progress = 0.0
    if title is not None and title.duration_seconds:
        progress = round(min(1.0, entry.last_position_seconds / title.duration_seconds), 3)
    return {
        "title_id": entry.title_id,
        "title": serialize_title(title) if title is not None else None,
        "seconds_watched": entry.seconds_watched,
        "last_position_seconds": entry.last_position_seconds,
        "progress": progress,
        "play_count": entry.play_count,
        "completed": entry.completed,
        "last_watched_at": isoformat(entry.last_watched_at),
    }
