"""One business transaction across services, coordinated on a best-effort basis.

In the monolith a request's changes live in one database session: they are
committed together or rolled back together, and code called halfway through
sees what the request has written so far. Split into services, each service
has its own database, so the runtime carries that contract across calls:

* every request that arrives from outside starts a transaction with an id;
  calls to other services carry it (``X-Monosplit-Transaction``), and only
  an authenticated call from another unit may name one: the header is
  ignored on any other request;
* a service called in a transaction does its work in a session kept open for
  that transaction, not committed when the call returns; a call that comes
  back into a service already in the transaction (A calls B, B calls A) uses
  the same session and so sees the uncommitted rows;
* when the session of the request that started it commits, every service
  called in the transaction commits (and tells the services it called); when
  the request ends without committing, they roll back.

There is no prepare phase: if a service dies between two commits, the others
stay committed. That is the honest limit of this bridge; a system meant for
production replaces it with sagas or an outbox (see MIGRATION.md). Open
transactions nobody finishes are rolled back after
``MONOSPLIT_TRANSACTION_TIMEOUT`` seconds (default 120), whatever requests
come meanwhile: a reaper thread checks while any is open.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import g, has_request_context, request

if TYPE_CHECKING:
    from .client import ServiceClient

__all__ = ["HEADER"]

HEADER = "X-Monosplit-Transaction"
#: in an answer: the callee holds nothing for the transaction, so it needs no commit or abort
IDLE_HEADER = "X-Monosplit-Transaction-Idle"
logger = logging.getLogger(__name__)


@dataclass
class _Transaction:
    id: str
    origin: bool
    started: float = field(default_factory=time.monotonic)
    #: this process's session in the transaction, if any
    session: Any = None
    #: a session this process opened for the transaction (not the request's own)
    owned_session: bool = False
    #: services called in it since the last commit: name → client
    participants: dict[str, ServiceClient] = field(default_factory=dict)
    #: whether its session here has written anything (flushed changes)
    wrote: bool = False


_TRANSACTIONS: dict[str, _Transaction] = {}
_LOCK = threading.Lock()


def _timeout() -> float:
    try:
        return float(os.environ.get("MONOSPLIT_TRANSACTION_TIMEOUT", "120"))
    except ValueError:
        return 120.0


def current_id() -> str | None:
    """The transaction the current request belongs to."""
    if not has_request_context():
        return None
    return getattr(g, "monosplit_transaction", None)


def _get(transaction_id: str, *, origin: bool = False) -> _Transaction:
    with _LOCK:
        found = _TRANSACTIONS.get(transaction_id)
        if found is None:
            found = _TRANSACTIONS[transaction_id] = _Transaction(transaction_id, origin)
            if not origin:
                _REAPER.wake()
        return found


def begin_request(*, trusted: bool) -> None:
    """Before each request: join the caller's transaction, or start one for a request from outside.

    ``trusted``: the request is an authenticated call from another unit, so
    its transaction header counts; on any other request it is ignored.
    """
    expire_abandoned()
    incoming = request.headers.get(HEADER) if trusted else None
    g.monosplit_transaction = incoming or uuid.uuid4().hex
    g.monosplit_transaction_origin = not incoming


def record_status(status: int) -> None:
    if has_request_context():
        g.monosplit_status = status


def end_request() -> None:
    """After a request from outside: services still pending roll back, as an uncommitted session would.

    Without a session of its own in the transaction (code that calls other
    services without handing them a session), the response decides.
    """
    if not getattr(g, "monosplit_transaction_origin", False):
        return
    with _LOCK:
        transaction = _TRANSACTIONS.pop(g.monosplit_transaction, None)
    if transaction is None:
        return
    # with a session of its own here, only its commit commits the others (see _watch)
    commit = transaction.session is None and int(getattr(g, "monosplit_status", 500)) < 400
    if transaction.owned_session:
        _finish_session(transaction.session, commit=commit)
    _tell(transaction, commit=commit)


def joined(client: ServiceClient) -> bool:
    """A call to ``client``'s service is about to be sent: it takes part in the current transaction.

    True when this call made it a participant (it was not one already).
    """
    transaction_id = current_id()
    if transaction_id is None:
        return False
    transaction = _get(transaction_id, origin=getattr(g, "monosplit_transaction_origin", False))
    if client.service in transaction.participants:
        return False
    transaction.participants[client.service] = client
    return True


def left(client: ServiceClient) -> None:
    """The service answered that it holds nothing for the transaction: no need to tell it the outcome."""
    transaction_id = current_id()
    with _LOCK:
        transaction = _TRANSACTIONS.get(transaction_id or "")
    if transaction is not None:
        transaction.participants.pop(client.service, None)


def release_if_idle() -> bool:
    """After serving a call: if this service wrote nothing and called no one in the transaction, forget it.

    Most calls only read; sparing their commit/abort message saves a round trip each.
    """
    transaction_id = current_id()
    if transaction_id is None or getattr(g, "monosplit_transaction_origin", False):
        return False
    with _LOCK:
        transaction = _TRANSACTIONS.get(transaction_id)
        if transaction is None or transaction.origin:
            return True  # nothing held here, or the call came back to the origin, which decides itself
        if transaction.wrote or transaction.participants:
            return False
        del _TRANSACTIONS[transaction_id]
    if transaction.owned_session:
        _finish_session(transaction.session, commit=False)
    return True


def session_sent(session: Any) -> None:
    """The request's own session is being handed to another service: it is the transaction's session here."""
    transaction_id = current_id()
    if transaction_id is None:
        return
    session = _plain_session(session)
    transaction = _get(transaction_id, origin=getattr(g, "monosplit_transaction_origin", False))
    if transaction.session is None:
        transaction.session = session
        _watch(transaction)


def share_sqlite_connections() -> None:
    """Let a SQLite connection be used by the thread that finishes its transaction.

    A session kept open for a transaction is committed or rolled back by a later
    request, which the server may serve on another thread; pysqlite refuses that
    unless the connection was opened with ``check_same_thread=False``. SQLAlchemy 2
    opens file databases so; 1.3 and 1.4 do not (on them every kept transaction
    failed at its commit). The kept session is used by one request at a time.
    """
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def do_connect(dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
        if dialect.name == "sqlite" and getattr(dialect, "driver", "") == "pysqlite":
            cparams["check_same_thread"] = False

    with _LOCK:
        if not _sqlite_shared:
            event.listen(Engine, "do_connect", do_connect)
            _sqlite_shared.append(do_connect)


#: the do_connect listener share_sqlite_connections added, once per process
_sqlite_shared: list[Any] = []


def session_for_call(provider: Callable[[], Any]) -> Any:
    """The session a session argument stands for in this service, inside the current transaction."""
    base = provider()
    transaction_id = current_id()
    if transaction_id is None:
        return base
    origin = getattr(g, "monosplit_transaction_origin", False)
    transaction = _get(transaction_id, origin=origin)
    if transaction.session is None and origin:
        # the request that started the transaction: rows it reads (an answer's ORM rows) belong in
        # its own session, with the objects its code already holds, not in a second one; and as
        # in the monolith, its commit commits the others (a request that never commits aborts)
        transaction.session = _plain_session(base)
        _watch(transaction)
    if transaction.session is None:
        transaction.session = _new_session_like(provider, base)
        transaction.owned_session = True
        _watch(transaction)
    return transaction.session


def wrote() -> None:
    """This service changed data in the current transaction outside an ORM flush: it must hear the outcome."""
    transaction_id = current_id()
    if transaction_id is not None:
        _get(transaction_id, origin=getattr(g, "monosplit_transaction_origin", False)).wrote = True


def _new_session_like(provider: Any, base: Any) -> Any:
    """A session of its own, configured like the application's, that outlives this request.

    A scoped session (Flask-SQLAlchemy's ``db.session``) makes one with its own
    factory, which knows what its session class needs (Flask-SQLAlchemy's takes
    the extension object, and binds per model); a plain session is copied.
    """
    for source in (provider, base):
        factory = getattr(source, "session_factory", None)
        if callable(factory):
            return factory()
    base = _plain_session(base)
    return type(base)(bind=base.get_bind(), expire_on_commit=base.expire_on_commit, autoflush=base.autoflush)


def pending_session() -> Any:
    """The open session of the current transaction in this service, if any."""
    transaction_id = current_id()
    with _LOCK:
        transaction = _TRANSACTIONS.get(transaction_id or "")
    return None if transaction is None else transaction.session


def finish(transaction_id: str, *, commit: bool) -> None:
    """The transaction's origin decided: commit or roll back here, and tell the services called from here."""
    with _LOCK:
        transaction = _TRANSACTIONS.pop(transaction_id, None)
    if transaction is None:
        return
    if transaction.session is not None and transaction.owned_session:
        _finish_session(transaction.session, commit=commit)  # a commit tells the participants itself
        if commit:
            return
    _tell(transaction, commit=commit)


def _plain_session(session: Any) -> Any:
    registry = getattr(session, "registry", None)
    return registry() if registry is not None and callable(registry) else session


def _watch(transaction: _Transaction) -> None:
    """When this service's session in the transaction commits, the services it called commit too."""
    from sqlalchemy import event

    def committed(_session: Any) -> None:
        _tell(transaction, commit=True)

    def flushed(_session: Any, _context: Any) -> None:
        transaction.wrote = True

    event.listen(transaction.session, "after_commit", committed)
    event.listen(transaction.session, "after_flush", flushed)


def _finish_session(session: Any, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    except Exception:
        logger.exception("could not %s a transaction's session", "commit" if commit else "roll back")
        session.rollback()
    finally:
        session.close()


def _tell(transaction: _Transaction, *, commit: bool) -> None:
    """Send the decision to every service called since the last one, and forget them."""
    participants = dict(transaction.participants)
    transaction.participants.clear()
    verb = "commit" if commit else "abort"
    for name, client in sorted(participants.items()):
        try:
            client.finish_transaction(transaction.id, verb)
        except Exception:
            logger.exception("could not %s transaction %s in the %s service", verb, transaction.id, name)


def expire_abandoned() -> None:
    """Roll back the transactions other services opened here and never finished in time."""
    limit = time.monotonic() - _timeout()
    with _LOCK:
        stale = [t for t in _TRANSACTIONS.values() if t.started < limit and not t.origin]
        for transaction in stale:
            del _TRANSACTIONS[transaction.id]
    for transaction in stale:
        logger.warning("transaction %s abandoned by its origin: rolled back", transaction.id)
        if transaction.owned_session:
            _finish_session(transaction.session, commit=False)


class _Reaper:
    """A daemon thread that expires abandoned transactions while any is open, requests or not.

    Without it an open session could hold the database's write lock until the
    next request that happens to check.
    """

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def wake(self) -> None:
        """A transaction opened here; called with ``_LOCK`` held."""
        if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
            self._pid = os.getpid()  # a forked worker starts its own
            self._thread = threading.Thread(
                target=self._run, name="monosplit-transaction-reaper", daemon=True
            )
            self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            while True:
                with _LOCK:
                    pending = [t.started for t in _TRANSACTIONS.values() if not t.origin]
                if not pending:
                    break
                # the next deadline, checked at least every second in case the timeout changes
                time.sleep(max(0.05, min(1.0, min(pending) + _timeout() - time.monotonic())))
                try:
                    expire_abandoned()
                except Exception:  # the reaper must outlive one failed rollback
                    logger.exception("could not expire abandoned transactions")


_REAPER = _Reaper()
