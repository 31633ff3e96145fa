"""A replica of a table whose column holds any Python object travels as the bytes the owner stores.

FlaskBB's ``settings`` table keeps, in a ``PickleType`` column, the function
that lists a setting's choices. Sent as Python values, the replica could not be
encoded (``cannot encode builtins.function at settings.rows[9].extra``), so
every page of FlaskBB's two-tier client answered 503 on an installed forum. The
pickled bytes travel instead and are stored as they are; the copy's own
``PickleType`` reads them back as the owner's code does.

The rows also keep the owner's order: FlaskBB lists its settings groups with
``SettingsGroup.query.all()`` and no ORDER BY, so a replica filled in key order
showed the admin pages' groups in another order than the monolith.
"""

from __future__ import annotations

import json
import os.path
from pathlib import Path

import pytest
from flask import Flask, g
from sqlalchemy import Column, MetaData, PickleType, String, Table, create_engine, insert
from sqlalchemy.orm import Session, sessionmaker

from generator.runtime import auth, decode, install
from generator.runtime.auth import sign
from generator.runtime.flask_server import _ReplicaReader, _Tables


def _settings(metadata: MetaData) -> Table:
    return Table(
        "settings",
        metadata,
        Column("key", String(50), primary_key=True),
        Column("extra", PickleType),
    )


def _replicated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stored: list[dict[str, object]]
) -> list[tuple[object, ...]]:
    """The rows a replica of the owner's ``settings`` holding ``stored`` answers a plain select with."""
    monkeypatch.setenv("MONOSPLIT_UNIT_AUTH_KEY", "k" * 40)
    monkeypatch.setattr(auth, "KEY", auth._Key())
    owned = MetaData()
    settings = _settings(owned)
    engine = create_engine(f"sqlite:///{tmp_path / 'owner.db'}")
    owned.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(settings), stored)
    sessions = sessionmaker(bind=engine)

    def session_provider() -> Session:
        if "session" not in g:
            g.session = sessions()
        session: Session = g.session
        return session

    app = Flask("owner")
    install(
        app,
        service="server",
        exports={},
        session_provider=session_provider,
        metadata=owned,
        callers={"client": {"replicas": ["settings"]}},
    )
    path = "/_monosplit/replica/settings"
    headers = sign(caller="client", callee="server", method="GET", path=path, body=b"")
    answer = app.test_client().get(path, headers=headers, base_url="http://localhost:8001")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    document = json.loads(answer.get_data())
    payload = {**document, "rows": [[decode(value) for value in row] for row in document["rows"]]}

    copied = MetaData()
    replica = _settings(copied)
    local = create_engine(f"sqlite:///{tmp_path / 'replica.db'}")
    copied.create_all(local)
    session = Session(bind=local)  # spelled as SQLAlchemy 1.3 has it too: apps pin it (FlaskBB)
    try:
        _ReplicaReader("settings", "server", _Tables(copied))._replace(session, payload)
        return [tuple(row) for row in session.execute(replica.select()).fetchall()]
    finally:
        session.close()


def test_a_pickled_column_reaches_the_replica_as_the_owner_stored_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _replicated(tmp_path, monkeypatch, [{"key": "avatar", "extra": {"choices": os.path.basename}}])
    assert rows == [("avatar", {"choices": os.path.basename})]


def test_a_replica_lists_its_rows_in_the_owners_order_not_by_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    groups = ["general", "auth", "appearance", "misc"]  # as FlaskBB installs its settings groups
    rows = _replicated(tmp_path, monkeypatch, [{"key": key, "extra": None} for key in groups])
    assert [row[0] for row in rows] == groups
