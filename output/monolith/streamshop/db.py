"""Database plumbing: declarative base, engines, session-per-request.

Plain SQLAlchemy 2.0 (no Flask-SQLAlchemy).  Each Flask app owns a
``sessionmaker`` stored in ``app.extensions``; :func:`get_session` hands out one
session per application context and :func:`close_session` (registered as a
teardown hook by the app factory) closes it again.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import current_app, g
from sqlalchemy import DateTime, Dialect, Engine, MetaData, create_engine, event, text
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

logger = logging.getLogger(__name__)

SESSIONMAKER_EXTENSION_KEY = "streamshop.sessionmaker"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Engines are expensive; keep one per URL for the life of the process.
_ENGINES: dict[str, Engine] = {}


class Base(DeclarativeBase):
    """Declarative base class shared by every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend.

    PostgreSQL stores ``timestamptz`` natively; SQLite has no timezone support,
    so values are stored as naive UTC and re-labelled as UTC when loaded.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def get_engine(database_url: str, *, echo: bool = False) -> Engine:
    """Return the (cached) engine for ``database_url``."""
    engine = _ENGINES.get(database_url)
    if engine is not None:
        return engine
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url, echo=echo, connect_args={"timeout": 30})
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    else:
        engine = create_engine(database_url, echo=echo, pool_pre_ping=True, pool_size=5)
    _ENGINES[database_url] = engine
    return engine


def dispose_engines() -> None:
    """Close every pooled connection (used at shutdown and between tests)."""
    while _ENGINES:
        _, engine = _ENGINES.popitem()
        engine.dispose()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def get_session() -> Session:
    """The session bound to the current application context (created lazily)."""
    session = g.get("db_session")
    if session is None:
        factory: sessionmaker[Session] = current_app.extensions[SESSIONMAKER_EXTENSION_KEY]
        session = factory()
        g.db_session = session
    return session


def close_session(exc: BaseException | None = None) -> None:
    """Teardown hook: roll back on error and return the connection to the pool."""
    session: Session | None = g.pop("db_session", None)
    if session is None:
        return
    if exc is not None:
        session.rollback()
    session.close()


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Transactional scope for scripts and startup code outside a request."""
    session = factory()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


def init_db(engine: Engine) -> None:
    """Create all tables that do not exist yet."""
    from . import models  # noqa: F401  (importing registers every table on Base.metadata)

    Base.metadata.create_all(engine)
    logger.info("database schema ready (%d tables)", len(Base.metadata.tables))


def ping(session: Session) -> bool:
    """Cheap connectivity check used by the health endpoint."""
    return session.execute(text("SELECT 1")).scalar_one() == 1
