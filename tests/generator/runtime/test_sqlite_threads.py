"""A session kept for a transaction is finished on whichever thread serves the commit.

SQLAlchemy 1.3 and 1.4 open file SQLite databases with pysqlite's
``check_same_thread=True`` (2.x does not), so a kept session's commit on
another server thread failed. The engine here asks for it explicitly, as the
older versions do by default.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from generator.runtime import transactions


def _commit_elsewhere(session: Session) -> list[BaseException]:
    errors: list[BaseException] = []

    def commit() -> None:
        try:
            session.commit()
        except BaseException as exc:  # noqa: BLE001 - the test reports what the thread raised
            errors.append(exc)

    thread = threading.Thread(target=commit)
    thread.start()
    thread.join()
    return errors


def test_a_kept_sqlite_session_commits_on_another_thread(tmp_path: Path) -> None:
    transactions.share_sqlite_connections()
    transactions.share_sqlite_connections()  # again: still one listener
    engine = create_engine(f"sqlite:///{tmp_path / 'unit.db'}", connect_args={"check_same_thread": True})
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
    session = Session(engine)
    session.execute(text("INSERT INTO t (id) VALUES (1)"))  # opened on this thread
    assert _commit_elsewhere(session) == []
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 1
