"""Writes to a replica go to the table's owner first.

A unit keeps read-only copies of tables other units own (see
``flask_server._ReplicaReader``). Code written for the monolith does not
know that: a view adds a ``User`` and commits, a relationship appends a row
to an association table, a ``before_request`` hook stamps ``last_seen``. Left
alone, those rows would land in the local copy only and be gone at the next
refresh, while the original app would have kept them.

So every INSERT, UPDATE and DELETE this process executes on a replicated
table is first sent to the owner (``POST /_monosplit/rows/<table>``), inside
the request's cross-unit transaction (:mod:`.transactions`): the owner
applies it to its own table, in the transaction's session there, and answers
the primary keys it assigned. The statement then runs locally too, with those
keys, so the rest of the request reads what it wrote, as in the monolith.
When the request's session commits, the owner commits; when it rolls back or
the request fails, the owner rolls back.

The hook is SQLAlchemy's ``before_execute`` on every engine: it sees the
statements the ORM's unit of work emits (inserts, updates and deletes of
mapped rows and of ``secondary`` association tables) and Core statements
alike, on SQLAlchemy 1.3 to 2.x. Statements are sent as plain data (table,
column values, the equality conditions of the WHERE clause), never as SQL; a
write whose WHERE clause is not a conjunction of ``column = value`` (a bulk
``UPDATE ... WHERE price > 10``) cannot be forwarded and raises
:class:`ReplicaWriteRefused`, naming the table and its owner.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from . import transactions
from .codec import decode, encode

logger = logging.getLogger(__name__)

#: set while the runtime itself rewrites a replica from its owner's rows: those writes stay local
_REFRESHING: contextvars.ContextVar[bool] = contextvars.ContextVar("monosplit_replica_refresh", default=False)
#: the ORM session flushing in this context, so that its commit decides the owners' commits
_FLUSHING: contextvars.ContextVar[Any] = contextvars.ContextVar("monosplit_flushing_session", default=None)

Row = dict[str, Any]


class ReplicaWriteRefused(RuntimeError):
    """A write to another unit's table that cannot be sent to its owner as data."""


@contextlib.contextmanager
def refreshing() -> Iterator[None]:
    """Inside: writes to replicas are the replica's own refresh, not the app's, and stay local."""
    token = _REFRESHING.set(True)
    try:
        yield
    finally:
        _REFRESHING.reset(token)


# --------------------------------------------------------------------------- the statement as data


def _where_clause(statement: Any) -> Any:
    # 1.4 and later: ``whereclause``; 1.3: ``_whereclause``
    where = getattr(statement, "whereclause", None)
    return where if where is not None else getattr(statement, "_whereclause", None)


def _equalities(statement: Any) -> list[tuple[str, Any]] | None:
    """``(column name, bind parameter)`` of each ``column = :param`` the WHERE clause is an AND of.

    None when the clause is anything else. An empty list for no WHERE clause at all.
    """
    from sqlalchemy.sql import operators
    from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList, ColumnClause

    where = _where_clause(statement)
    if where is None:
        return []
    if isinstance(where, BooleanClauseList):
        if where.operator is not operators.and_:
            return None
        terms = list(where.clauses)
    else:
        terms = [where]
    found: list[tuple[str, Any]] = []
    for term in terms:
        if not (isinstance(term, BinaryExpression) and term.operator is operators.eq):
            return None
        left, right = term.left, term.right
        if isinstance(left, BindParameter) and isinstance(right, ColumnClause):
            left, right = right, left
        if not (isinstance(left, ColumnClause) and isinstance(right, BindParameter)):
            return None
        # the ORM's columns are annotated copies (a relationship's criteria, ``Model.column``):
        # the statement's table knows them by lineage, not by identity
        column = statement.table.corresponding_column(left)
        if column is None:
            return None
        found.append((column.name, right))
    return found


def _value(bind: Any, params: Mapping[str, Any]) -> Any:
    return params.get(bind.key, bind.effective_value)


def _writes(statement: Any, param_sets: list[Row]) -> tuple[str, list[Row]]:
    """The operation and, per parameter set, what it writes: ``{"values"}`` and/or ``{"where"}``."""
    from sqlalchemy.sql import dml

    table = statement.table
    columns = {column.key: column.name for column in table.columns}
    own_values = {
        columns.get(str(getattr(key, "key", key)), str(getattr(key, "key", key))): value
        for key, value in (getattr(statement, "_values", None) or {}).items()
        if not hasattr(value, "__clause_element__") and not _is_clause(value)
    }
    if isinstance(statement, dml.Insert):
        rows = [
            {"values": {**own_values, **{columns[k]: v for k, v in params.items() if k in columns}}}
            for params in param_sets
        ]
        return "insert", rows
    equalities = _equalities(statement)
    if equalities is None or not equalities:
        raise ReplicaWriteRefused(
            f"cannot send this write of table {table.name!r} to the unit that owns it: only writes "
            "to rows chosen by column = value are forwarded"
        )
    where_keys = {bind.key for _, bind in equalities}
    rows = []
    for params in param_sets:
        where = {name: _value(bind, params) for name, bind in equalities}
        if isinstance(statement, dml.Delete):
            rows.append({"where": where})
        else:
            values = {columns[k]: v for k, v in params.items() if k in columns and k not in where_keys}
            rows.append({"values": {**own_values, **values}, "where": where})
    return ("delete" if isinstance(statement, dml.Delete) else "update"), rows


def _is_clause(value: Any) -> bool:
    from sqlalchemy.sql.elements import ClauseElement

    return isinstance(value, ClauseElement)


def _param_sets(multiparams: Any, params: Any) -> tuple[list[Row], Callable[[list[Row]], tuple[Any, Any]]]:
    """The parameter sets of one execution, and how to put changed ones back in the same shape.

    SQLAlchemy 1.4+ passes a list of dicts (or an empty list and ``params``);
    1.3 passes a tuple holding one dict, several dicts, or one list of dicts.
    """
    if isinstance(multiparams, list):
        if multiparams:
            return [dict(p) for p in multiparams], lambda sets: (sets, params)
        return [dict(params or {})], lambda sets: (multiparams, sets[0])
    if isinstance(multiparams, tuple) and multiparams:
        if len(multiparams) == 1 and isinstance(multiparams[0], list | tuple):
            return [dict(p) for p in multiparams[0]], lambda sets: ((sets,), params)
        if all(isinstance(p, Mapping) for p in multiparams):
            return [dict(p) for p in multiparams], lambda sets: (tuple(sets), params)
    return [dict(params or {})], lambda sets: (multiparams, sets[0])


# --------------------------------------------------------------------------- the caller's side


def forward_replica_writes(replicas: Mapping[str, str], client_for: Callable[[str], Any]) -> None:
    """Send every write of a table in ``replicas`` (table → owner) to its owner before it runs here.

    ``client_for(owner)`` gives the :class:`~.client.ServiceClient` of an owner.
    """
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session
    from sqlalchemy.sql import dml

    owners = dict(replicas)

    def before_flush(session: Any, _context: Any, _instances: Any) -> None:
        _FLUSHING.set(session)

    def after_flush(session: Any, _context: Any) -> None:
        _FLUSHING.set(None)

    def before_execute(**kw: Any) -> tuple[Any, Any, Any]:
        statement, multiparams, params = kw["clauseelement"], kw["multiparams"], kw["params"]
        table: Any = getattr(statement, "table", None)
        owner = owners.get(getattr(table, "name", None) or "")
        # isinstance, not ``statement.is_dml``: SQLAlchemy 1.3 has no such attribute
        if table is None or owner is None or _REFRESHING.get() or not isinstance(statement, dml.UpdateBase):
            return statement, multiparams, params
        sets, rebuild = _param_sets(multiparams, params)
        op, rows = _writes(statement, sets)
        flushing = _FLUSHING.get()
        if flushing is not None:
            transactions.session_sent(flushing)  # its commit commits the owner, its rollback aborts it
        keys = client_for(owner).write_rows(table.name, op, rows)
        if op != "insert":
            return statement, multiparams, params
        columns = {column.name: column.key for column in table.columns}
        for param_set, assigned in zip(sets, keys, strict=True):
            for name, value in assigned.items():
                param_set.setdefault(columns.get(name, name), value)
        new_multiparams, new_params = rebuild(sets)
        return statement, new_multiparams, new_params

    event.listen(Session, "before_flush", before_flush)
    event.listen(Session, "after_flush", after_flush)
    event.listen(Engine, "before_execute", before_execute, retval=True, named=True)


def encode_rows(rows: list[Row]) -> list[Any]:
    return [
        {
            part: {name: encode(v, path=f"{part}.{name}") for name, v in columns.items()}
            for part, columns in row.items()
        }
        for row in rows
    ]


def decode_rows(rows: Any) -> list[Row]:
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ValueError("rows must be a list of objects")
    decoded: list[Row] = []
    for row in rows:
        if set(row) - {"values", "where"} or not all(isinstance(part, dict) for part in row.values()):
            raise ValueError("each row has only 'values' and 'where' objects")
        decoded.append(
            {part: {str(k): decode(v) for k, v in columns.items()} for part, columns in row.items()}
        )
    return decoded


# --------------------------------------------------------------------------- the owner's side


def apply_writes(session: Any, table: Any, op: str, rows: list[Row]) -> list[Row]:
    """Apply writes another unit sent for ``table`` (a ``Table`` this unit owns) in ``session``.

    Returns, per row, the primary key the database assigned (inserts) or ``{}``.
    Raises ``ValueError`` for a column the table does not have or a write
    that names no row.
    """
    from sqlalchemy import and_, delete, insert, update

    def columns_of(part: Mapping[str, Any], what: str) -> dict[Any, Any]:
        unknown = sorted(set(part) - {c.name for c in table.columns})
        if unknown:
            raise ValueError(f"table {table.name!r} has no column {unknown[0]!r} ({what})")
        return {table.c[name]: value for name, value in part.items()}

    answers: list[Row] = []
    for row in rows:
        if op == "insert":
            values = columns_of(row.get("values", {}), "values")
            result = session.execute(insert(table).values({c.key: v for c, v in values.items()}))
            assigned = list(result.inserted_primary_key or ())
            primary = list(table.primary_key.columns)
            answers.append({c.name: v for c, v in zip(primary, assigned, strict=False) if v is not None})
            continue
        where = columns_of(row.get("where", {}), "where")
        if not where:
            raise ValueError(f"a {op} of table {table.name!r} must name its rows")
        condition = and_(*[column == value for column, value in where.items()])
        if op == "update":
            values = columns_of(row.get("values", {}), "values")
            if values:
                session.execute(update(table).where(condition).values({c.key: v for c, v in values.items()}))
        elif op == "delete":
            session.execute(delete(table).where(condition))
        else:
            raise ValueError(f"unknown operation {op!r}")
        answers.append({})
    transactions.wrote()
    return answers
