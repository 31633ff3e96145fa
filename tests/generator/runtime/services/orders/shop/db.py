"""One database per service (DATABASE_URL), one session per request."""

from __future__ import annotations

import os

from flask import g
from flask_caching import Cache
from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    pass


engine = create_engine(os.environ["DATABASE_URL"])
#: a process's own cache, as apps keep one (FlaskBB: Flask-Caching's SimpleCache, 60 s)
cache = Cache(config={"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300})
_sessions = sessionmaker(bind=engine, expire_on_commit=False)


def get_session() -> Session:
    if "db_session" not in g:
        g.db_session = _sessions()
    session: Session = g.db_session
    return session


def close_session(exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
