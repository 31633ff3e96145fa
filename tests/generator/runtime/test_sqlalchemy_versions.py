"""The runtime's SQL built the way the app's SQLAlchemy spells it (1.3's ``select([columns])``).

Public apps pin old releases (FlaskBB 2.0.2: SQLAlchemy 1.3.24). 1.3's ``select``
takes the columns as one list and binds further positional arguments to its
``whereclause``, ``from_obj``...: a replica of a 15-column table failed with a
``TypeError``, and one of two columns would have read the second as a WHERE clause.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy

from generator.runtime import flask_server


def _select_13(
    columns: Any = None,
    whereclause: Any = None,
    from_obj: Any = None,
    distinct: bool = False,
    having: Any = None,
    correlate: bool = True,
    prefixes: Any = None,
    suffixes: Any = None,
    **kwargs: Any,
) -> tuple[list[Any], Any]:
    """SQLAlchemy 1.3's signature: the columns are one list."""
    return list(columns), whereclause


@pytest.mark.parametrize("count", [2, 15])
def test_a_replica_select_gives_sqlalchemy_13_its_columns_as_one_list(
    monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    monkeypatch.setattr(sqlalchemy, "select", _select_13)
    monkeypatch.setattr(sqlalchemy, "__version__", "1.3.24")
    columns = [f"column_{i}" for i in range(count)]
    assert flask_server._select(columns) == (columns, None)


def test_a_replica_select_gives_later_sqlalchemy_its_columns_as_arguments() -> None:
    table = sqlalchemy.table("t", sqlalchemy.column("a"), sqlalchemy.column("b"))
    statement = flask_server._select([table.c.a, table.c.b])
    assert str(statement).split() == ["SELECT", "t.a,", "t.b", "FROM", "t"]
