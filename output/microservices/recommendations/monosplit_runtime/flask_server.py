"""Serve a service's exported functions, probes, metrics and read replicas from its Flask app.

:func:`install` adds, under the blueprint ``monosplit_runtime``:

* ``POST /_monosplit/call/<qualname>``: runs an exported function for another
  service, as one transaction of this service's database;
* ``GET /healthz`` (liveness), ``GET /readyz`` (readiness: the schema is up
  to date and the database answers), ``GET /metrics`` (Prometheus),
  ``GET /openapi.json`` (the public routes on the public port, the internal
  API on the internal one);
* ``GET /_monosplit/replica/<table>``: every row of a table this service owns,
  for services that keep a read replica of it;
* ``POST /_monosplit/row``: a change another service made to a record of one
  of this service's rows; ``POST /_monosplit/transaction/<id>/<verb>``.

The ``/_monosplit/`` endpoints and ``/metrics`` are served on the internal
port only (:mod:`.guard`), and every ``/_monosplit/`` request must be signed
by a unit of the deployment (401 otherwise) that the plan's call graph lets
ask for it (403 otherwise; :mod:`.auth`). Error bodies carry the exception's
class and message and a request id, never a traceback: that is logged.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
)

from . import auth, replica_writes, transactions
from . import schema as schemas
from .client import ServiceClient, internal_url
from .codec import (
    REQUEST_CONTEXT,
    SESSION_CONTEXT,
    decode,
    encode,
    is_secret_column,
    qualname_of,
    register_context_provider,
    row_by_key,
    set_request_id_source,
)
from .errors import (
    BadArguments,
    NotAllowed,
    NotAuthenticated,
    ServiceUnavailable,
    UndecodableValue,
    UnknownExport,
)
from .guard import INTERNAL_KEY, REQUEST_ID_KEY, PortSplit
from .metrics import CONTENT_TYPE_LATEST, HTTP_REQUESTS, HTTP_SECONDS, RPC_CALLS, exposition
from .sql_script import ScriptSchema

__all__ = ["install"]

logger = logging.getLogger(__name__)

EXTENSION_KEY = "monosplit_runtime"
_NO_REPLICAS: Mapping[str, str] = MappingProxyType({})
_NO_CALLERS: Mapping[str, Mapping[str, Iterable[str]]] = MappingProxyType({})
#: requests that never wait for a replica refresh: probes, metrics, and the replicas themselves
#: the blueprint of the runtime's own endpoints (the probes, the internal API)
_BLUEPRINT = "monosplit_runtime"
_PATHS_WITHOUT_REPLICAS = ("/healthz", "/readyz", "/metrics", "/openapi.json")
_STARTED_KEY = "monosplit_runtime.started"

SessionProvider = Callable[[], Any]


def install(
    app: Flask,
    *,
    service: str,
    exports: Mapping[str, Callable[..., Any]],
    session_provider: SessionProvider | None = None,
    replicas: Mapping[str, str] = _NO_REPLICAS,
    openapi: str | None = None,
    internal_openapi: str | None = None,
    serve_healthz: bool = True,
    metadata: Any = None,
    schema: schemas.Schema | ScriptSchema | None = None,
    callers: Mapping[str, Mapping[str, Iterable[str]]] = _NO_CALLERS,
) -> None:
    """Make ``app`` the service called ``service``.

    ``exports`` maps the qualified names other services call to the
    functions; ``session_provider`` returns this request's SQLAlchemy
    session (the one an exported function's session argument stands for,
    committed after each call); ``replicas`` maps each table this service
    keeps a read replica of to the service that owns it; ``metadata`` is the
    SQLAlchemy ``MetaData`` holding this service's tables (default: every
    mapped class's); ``schema`` says which tables this service's database
    must hold, and how to bring it up to date (see :mod:`.schema`, or
    :mod:`.sql_script` for an app that runs its own SQL script): that is
    done here, inside the app context, and until it has succeeded every
    request but the probes is answered 503 and ``/readyz`` says so (each
    readiness check tries again). ``openapi`` and ``internal_openapi`` are
    the documents ``/openapi.json`` serves on the public and the internal
    port. ``callers`` maps each unit that may call this one to what it may
    ask for: ``{"calls": [qualname...], "replicas": [table...], "rows":
    [model qualname...]}``; no one else is let in. Raises ``ValueError`` for
    replicas without a session provider to store them with.
    """
    if replicas and session_provider is None:
        raise ValueError(f"{service}: read replicas ({', '.join(sorted(replicas))}) need a session_provider")
    os.environ.setdefault("MONOSPLIT_SERVICE", service)
    app.extensions[EXTENSION_KEY] = _Installed(service=service, session_provider=session_provider)
    register_context_provider(SESSION_CONTEXT, _session_of_current_app)
    register_context_provider(REQUEST_CONTEXT, _current_request)
    set_request_id_source(current_request_id)
    app.wsgi_app = PortSplit(app.wsgi_app)  # type: ignore[method-assign]
    _bound_integers(app)

    tables = _Tables(metadata)
    readiness = _SchemaReadiness(app, service, schema, session_provider) if schema is not None else None
    if readiness is not None:
        readiness.ensure()
    endpoints = _Endpoints(
        service,
        dict(exports),
        session_provider,
        frozenset(replicas),
        tables,
        openapi,
        internal_openapi,
        auth.Callers.of(callers),
        readiness,
    )
    blueprint = Blueprint(_BLUEPRINT, __name__)
    blueprint.add_url_rule("/_monosplit/call/<path:qualname>", "call", endpoints.call, methods=["POST"])
    if serve_healthz:
        blueprint.add_url_rule("/healthz", "healthz", endpoints.healthz, methods=["GET"])
    blueprint.add_url_rule("/readyz", "readyz", endpoints.readyz, methods=["GET"])
    blueprint.add_url_rule("/metrics", "metrics", endpoints.metrics, methods=["GET"])
    if openapi is not None or internal_openapi is not None:
        blueprint.add_url_rule("/openapi.json", "openapi", endpoints.openapi, methods=["GET"])
    if session_provider is not None:
        blueprint.add_url_rule("/_monosplit/replica/<table>", "replica", endpoints.replica, methods=["GET"])
        blueprint.add_url_rule("/_monosplit/row", "row", endpoints.change_row, methods=["POST"])
        blueprint.add_url_rule("/_monosplit/rows/<table>", "rows", endpoints.write_rows, methods=["POST"])

    blueprint.add_url_rule(
        "/_monosplit/transaction/<transaction_id>/<any(commit, abort):verb>",
        "transaction",
        endpoints.finish_transaction,
        methods=["POST"],
    )
    # first of all hooks: who is calling decides whether a transaction header counts; the
    # replica refresh and the app's own code run inside the transaction, and only once the
    # schema is there
    authenticate = _Authenticator(service)
    first: list[Any] = [authenticate, _begin_request]
    if readiness is not None:
        first.append(readiness.gate)
    # the probes and metrics answer before the app's own hooks: a hook sending every request
    # to a setup page (CTFd) or a login form would make a healthy unit look dead to its probes
    first.append(_answer_probes)
    app.before_request_funcs.setdefault(None, [])[0:0] = first
    app.after_request(_record_status)
    app.teardown_request(_end_request)
    _measure_requests(app, service)
    if replicas:
        assert session_provider is not None
        readers = [_ReplicaReader(table, owner, tables) for table, owner in sorted(replicas.items())]
        # before the app's own hooks too: a before_app_request hook reading current_user (a
        # replicated row) must see the copy as of this request, as the monolith sees its table
        app.before_request_funcs[None].insert(len(first), _ReplicaRefresh(service, readers, session_provider))
        clients = {reader.owner: reader.client for reader in readers}
        replica_writes.forward_replica_writes(replicas, clients.__getitem__)
    if session_provider is not None:
        transactions.share_sqlite_connections()
    app.register_blueprint(blueprint)
    _exempt_from_csrf(app, blueprint)


def _answer_probes() -> Any:
    """``before_request``: the runtime's probes, metrics and OpenAPI document, answered here and now."""
    if request.path in _PATHS_WITHOUT_REPLICAS and (request.blueprint or "") == _BLUEPRINT:
        return current_app.view_functions[str(request.endpoint)](**(request.view_args or {}))
    return None


def _exempt_from_csrf(app: Flask, blueprint: Blueprint) -> None:
    """Keep the app's CSRF protection (Flask-WTF's ``CSRFProtect``) off the internal API.

    Its POSTs come from other units, signed with the unit-to-unit key (see :mod:`.auth`),
    not from a browser's form: a CSRF check would refuse every call with a 400. Flask-WTF
    registers itself as ``app.extensions["csrf"]`` and exempts a blueprint by name.
    """
    exempt = getattr(app.extensions.get("csrf"), "exempt", None)
    if callable(exempt):
        exempt(blueprint)


#: the largest integer a path's ``<int:...>`` matches: SQLite's and BIGINT's; beyond it is 404
MAX_PATH_INTEGER = 2**63 - 1


def _bound_integers(app: Flask) -> None:
    """Path integers out of the database's range match no route (404), instead of failing in it (500).

    The ``int`` converter matches at most 19 digits and values up to
    :data:`MAX_PATH_INTEGER`. A value check alone is not enough: werkzeug
    would still find the path under another method and answer 405. Rules
    already registered are bound again in a fresh map with that converter;
    rules registered later get it from the map.
    """
    from werkzeug.routing import IntegerConverter, Map

    class BoundedInteger(IntegerConverter):
        regex = r"\d{1,19}"

        def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("max", MAX_PATH_INTEGER)
            if kwargs.get("signed"):
                kwargs.setdefault("min", -MAX_PATH_INTEGER - 1)
            super().__init__(map, *args, **kwargs)
            if kwargs.get("signed"):
                self.regex = r"-?\d{1,19}"

    old = app.url_map
    # merge_slashes is Werkzeug 1.0's: an app pinned to 0.x keeps a Map without it
    settings = {
        name: getattr(old, name)
        for name in (
            "default_subdomain",
            "strict_slashes",
            "merge_slashes",
            "redirect_defaults",
            "sort_parameters",
            "sort_key",
            "host_matching",
        )
        if hasattr(old, name)
    }
    fresh = Map(converters={**old.converters, "int": BoundedInteger}, **settings)
    for attribute in ("subdomain_matching",):  # Flask's own settings, where it keeps them
        if hasattr(old, attribute):
            setattr(fresh, attribute, getattr(old, attribute))
    for rule in old.iter_rules():
        fresh.add(rule.empty())
    app.url_map = fresh


def current_request_id() -> str | None:
    """The id this request's errors are logged and answered under."""
    if not has_request_context():
        return None
    found = request.environ.get(REQUEST_ID_KEY)
    return str(found) if found else None


def _internal_request() -> bool:
    return bool(request.environ.get(INTERNAL_KEY)) and request.path.startswith("/_monosplit/")


@dataclass(frozen=True, slots=True)
class _Authenticator:
    """``before_request`` hook: an internal request must be signed by a unit of this deployment (401)."""

    service: str

    def __call__(self) -> Response | None:
        if not _internal_request():
            return None
        signed_path = request.path + (
            f"?{request.query_string.decode('latin-1')}" if request.query_string else ""
        )
        try:
            g.monosplit_caller = auth.verify(
                request.headers,
                callee=self.service,
                method=request.method,
                path=signed_path,
                body=request.get_data(cache=True),
                transaction=request.headers.get(transactions.HEADER, ""),
            )
        except auth.AuthError as exc:
            logger.warning(
                "refused %s %s (request id %s): %s", request.method, request.path, current_request_id(), exc
            )
            return error_response(
                NotAuthenticated(
                    f"the {self.service} service accepts internal requests only from the units of its deployment",
                    service=self.service,
                )
            )
        return None


def caller() -> str | None:
    """The unit that sent the current internal request, once its signature was checked."""
    return getattr(g, "monosplit_caller", None) if has_request_context() else None


@dataclass(frozen=True, slots=True)
class _Installed:
    service: str
    session_provider: SessionProvider | None


def _session_of_current_app() -> Any:
    if not has_app_context():
        raise LookupError("not inside a Flask application context")
    installed = current_app.extensions.get(EXTENSION_KEY)
    if installed is None or installed.session_provider is None:
        raise LookupError(f"the {current_app.name} app has no database session provider")
    return transactions.session_for_call(installed.session_provider)


def _begin_request() -> None:
    transactions.expire_abandoned()  # whatever the request, a transaction left open does not outlive its time
    if _internal_request():
        # an authenticated unit's call joins a transaction only when the caller says so
        if caller() is not None and transactions.HEADER in request.headers:
            transactions.begin_request(trusted=True)
        return
    transactions.begin_request(trusted=False)  # from outside: its own transaction, whatever it claims


def _record_status(response: Response) -> Response:
    transactions.record_status(response.status_code)
    return response


def _end_request(exc: BaseException | None = None) -> None:
    if exc is not None:
        transactions.record_status(500)
    transactions.end_request()


def _current_request() -> Any:
    if not has_request_context():
        raise LookupError("not inside a Flask request")
    return request


def _json(payload: Any, status: int) -> Response:
    # not jsonify: Flask sorts keys, and a dict's order is part of the value
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return Response(text, status=status, mimetype="application/json")


def declared_status(exc: BaseException) -> int | None:
    """The HTTP status an exception declares: its ``status_code``, ``status`` or ``code``, if 400-599."""
    for name in ("status_code", "status", "code"):
        value = getattr(exc, name, None)
        if type(value) is int and 400 <= value <= 599:
            return value
    return None


def error_response(exc: BaseException) -> Response:
    """``{"error": <encoded exception>}`` with the status it declares, else 500 (and then it is logged).

    The body names the request id and never carries a traceback; what the
    database or the system said (SQL, parameters, paths) is in the log only.
    """
    status = declared_status(exc)
    request_id = current_request_id()
    if status is None:
        status = 500
        logger.error("unexpected %s (request id %s): %s", type(exc).__name__, request_id, exc, exc_info=exc)
    response = _json({"error": encode(exc, path="error")}, status)
    if request_id:
        response.headers["X-Request-ID"] = request_id
    return response


class _Endpoints:
    def __init__(
        self,
        service: str,
        exports: dict[str, Callable[..., Any]],
        session_provider: SessionProvider | None,
        replicated: frozenset[str],
        tables: _Tables,
        openapi: str | None,
        internal_openapi: str | None,
        callers: auth.Callers,
        readiness: _SchemaReadiness | None = None,
    ) -> None:
        self.service = service
        self.readiness = readiness
        self.exports = exports
        self.session_provider = session_provider
        self.replicated = replicated
        self.tables = tables
        self.openapi_text = openapi
        self.internal_openapi_text = internal_openapi
        self.callers = callers
        self._signatures: dict[str, inspect.Signature] = {}  # worked out once per export, not per call

    def _refused(self, what: str) -> Response:
        who = caller() or "an unknown unit"
        logger.warning("refused %s to %s (request id %s)", what, who, current_request_id())
        return error_response(
            NotAllowed(
                f"the {who} unit may not ask the {self.service} service for {what}", service=self.service
            )
        )

    def call(self, qualname: str) -> Response:
        if not self.callers.may_call(caller() or "", qualname):
            RPC_CALLS.labels("<not allowed>", "not_allowed").inc()
            return self._refused(f"a call of {qualname}")
        function = self.exports.get(qualname)
        if function is None:
            RPC_CALLS.labels("<not exported>", "not_found").inc()
            return error_response(
                UnknownExport(
                    f"the {self.service} service exports no function {qualname!r}", service=self.service
                )
            )
        try:
            args, kwargs = self._arguments(qualname, function)
        except BadArguments as exc:
            RPC_CALLS.labels(qualname, "bad_arguments").inc()
            return error_response(exc.with_traceback(None))  # the runtime's own frames would only be noise
        try:
            value = function(*args, **kwargs)
            if self.session_provider is not None:
                self.session_provider().flush()  # new rows get their keys before they are sent
            pending = transactions.pending_session()
            if pending is not None:
                pending.flush()  # kept open for the transaction: committed when its origin commits
            result = encode(value, path="result")
            self._end_transaction(commit=True)
        except Exception as exc:  # noqa: BLE001 - whatever it raised goes back to the caller, as itself
            self._end_transaction(commit=False)
            RPC_CALLS.labels(qualname, "error").inc()
            return error_response(exc)
        RPC_CALLS.labels(qualname, "ok").inc()
        response = _json({"result": result}, 200)
        if transactions.release_if_idle():
            response.headers[transactions.IDLE_HEADER] = "1"
        return response

    def _arguments(
        self, qualname: str, function: Callable[..., Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Decode the body and bind it to the function's signature; BadArguments says what does not fit."""
        payload = request.get_json(force=True, silent=True)
        if (
            not isinstance(payload, dict)
            or not isinstance(payload.get("args", []), list)
            or not isinstance(payload.get("kwargs", {}), dict)
        ):
            raise BadArguments(
                f'{qualname}: the body must be a JSON object {{"args": [...], "kwargs": {{...}}}}',
                service=self.service,
            )
        try:
            args = tuple(decode(payload.get("args", [])))
            kwargs = {str(key): decode(value) for key, value in payload.get("kwargs", {}).items()}
        except UndecodableValue as exc:
            raise BadArguments(f"{qualname}: {exc}", service=self.service) from exc
        signature = self._signatures.get(qualname)
        if signature is None:
            try:
                signature = self._signatures[qualname] = inspect.signature(function)
            except (TypeError, ValueError):
                return args, kwargs  # no signature to check against: the call itself will
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise BadArguments(
                f"bad arguments for {qualname}{_bare(signature)}: {exc}", service=self.service
            ) from exc
        return bound.args, bound.kwargs

    def _end_transaction(self, *, commit: bool) -> None:
        if self.session_provider is None:
            return
        session = self.session_provider()
        if commit:
            session.commit()
            return
        try:
            session.rollback()
        except Exception:
            logger.exception("rollback failed after an error in the %s service", self.service)

    def change_row(self) -> Response:
        """Another service changed a record of one of this service's rows: apply it to the row itself.

        The class is looked up among the classes this service maps (never
        imported by the name the caller gives), must be one the caller holds
        records of, and the field must be one of its mapped attributes.
        """
        payload = request.get_json(force=True, silent=True) or {}
        name, op, field_name = payload.get("class"), payload.get("op"), payload.get("field")
        if not isinstance(name, str) or not self.callers.may_change(caller() or "", name):
            return self._refused(f"a change to {name!r} rows")
        model = _mapped_class(name, self.tables, self.replicated)
        if (
            model is None
            or op not in ("set", "clear", "append", "remove")
            or not isinstance(field_name, str)
            or field_name not in _mapped_attributes(model)
        ):
            return error_response(
                BadArguments(
                    f"cannot change {name}.{field_name}: not a mapped attribute of a model the {self.service} "
                    "service owns",
                    service=self.service,
                )
            )
        assert self.session_provider is not None
        session = transactions.session_for_call(self.session_provider)
        try:
            pk = decode(payload.get("pk", []))
            if not isinstance(pk, list) or not pk:
                raise BadArguments("the row's primary key must be a non-empty list", service=self.service)
            row = row_by_key(session, model, pk[0] if len(pk) == 1 else tuple(pk))
            if row is None:
                raise UnknownExport(
                    f"no {model.__name__} row with key {pk} in the {self.service} service",
                    service=self.service,
                )
            value = decode(payload.get("value"))
            if op == "set":
                setattr(row, field_name, value)
            else:
                collection = getattr(row, field_name)
                getattr(collection, op)(*(() if op == "clear" else (value,)))
            session.flush()
            if transactions.pending_session() is None:
                session.commit()  # not part of a transaction: this change is one
        except Exception as exc:  # noqa: BLE001 - the caller gets the error as itself
            if transactions.pending_session() is None:
                session.rollback()
            return error_response(exc)
        return _json({"changed": True}, 200)

    def write_rows(self, table: str) -> Response:
        """Another unit wrote rows of a table this one owns, to its replica: apply them here, in the transaction.

        Only a unit the plan gives a replica of the table may (see :mod:`.replica_writes`).
        """
        if not self.callers.may_read(caller() or "", table):
            return self._refused(f"a write of table {table!r}")
        found = None if table in self.replicated else self.tables.get(table)
        payload = request.get_json(force=True, silent=True) or {}
        op = payload.get("op")
        if found is None or op not in ("insert", "update", "delete"):
            return error_response(
                BadArguments(
                    f"cannot write {table!r}: not a table of the {self.service} service", service=self.service
                )
            )
        assert self.session_provider is not None
        session = transactions.session_for_call(self.session_provider)
        try:
            keys = replica_writes.apply_writes(
                session, found, op, replica_writes.decode_rows(payload.get("rows"))
            )
            if transactions.pending_session() is None:
                session.commit()  # not part of a transaction: this write is one
        except Exception as exc:  # noqa: BLE001 - the caller gets the error as itself
            if transactions.pending_session() is None:
                session.rollback()
            return error_response(exc)
        return _json({"keys": [{k: encode(v, path=k) for k, v in key.items()} for key in keys]}, 200)

    def finish_transaction(self, transaction_id: str, verb: str) -> Response:
        if not self.callers.takes_part(caller() or ""):
            return self._refused(f"the {verb} of a transaction")
        transactions.finish(transaction_id, commit=verb == "commit")
        return _json({"transaction": transaction_id, "outcome": verb}, 200)

    def healthz(self) -> Response:
        return _json({"status": "ok", "service": self.service}, 200)

    def readyz(self) -> Response:
        if self.readiness is not None and not self.readiness.ensure():
            reason = f"schema: {_shown(self.readiness.error)}"
            return _json({"status": "unavailable", "service": self.service, "reason": reason}, 503)
        if self.session_provider is not None:
            from sqlalchemy import text

            try:
                session = self.session_provider()
                session.execute(text("SELECT 1"))
                session.rollback()
            except Exception as exc:
                logger.warning(
                    "not ready (request id %s): the database does not answer: %s",
                    current_request_id(),
                    exc,
                    exc_info=True,
                )
                reason = f"database: {type(exc).__name__} (request id {current_request_id()}: see the log)"
                return _json({"status": "unavailable", "service": self.service, "reason": reason}, 503)
        return _json({"status": "ready", "service": self.service}, 200)

    def metrics(self) -> Response:
        return Response(exposition(), status=200, content_type=CONTENT_TYPE_LATEST)

    def openapi(self) -> Response:
        document = self.internal_openapi_text if request.environ.get(INTERNAL_KEY) else self.openapi_text
        if document is None:
            return error_response(UnknownExport("no OpenAPI document here", service=self.service))
        return Response(document, status=200, mimetype="application/json")

    def replica(self, table: str) -> Response:
        """Every row of a table this service owns, for the services that keep a replica of it.

        Secret columns (:func:`.secret_columns.is_secret_column`) stay here, but for those the
        caller's code reads (its grant's ``secret_columns``).
        """
        asking = caller() or ""
        if not self.callers.may_read(asking, table):
            return self._refused(f"the rows of table {table!r}")
        found = None if table in self.replicated else self.tables.get(table)
        if found is None:
            return error_response(
                UnknownExport(f"the {self.service} service owns no table {table!r}", service=self.service)
            )
        assert self.session_provider is not None
        session = self.session_provider()
        try:
            sent = [
                column
                for column in found.columns
                if not is_secret_column(column.name) or self.callers.may_see(asking, table, column.name)
            ]
            selected = [_as_stored(column) for column in sent]
            # in the table's own order, not by key: the replica stores them so, and a query of
            # it with no ORDER BY (FlaskBB lists its settings groups so) answers as the owner would
            rows = session.execute(_select(selected)).fetchall()
            columns = [column.name for column in sent]
            encoded = [
                [
                    encode(value, path=f"{table}.rows[{index}].{name}")
                    for name, value in zip(columns, row, strict=True)
                ]
                for index, row in enumerate(rows)
            ]
        finally:
            session.rollback()  # read-only: end the transaction
        return _json({"table": found.name, "columns": columns, "rows": encoded}, 200)


def _shown(error: str) -> str:
    """An error line as this request may see it: whole on the internal port, its class alone in public."""
    if has_request_context() and request.environ.get(INTERNAL_KEY):
        return error
    kind = error.split(":", 1)[0].strip() or "error"
    return f"{kind} (request id {current_request_id()}: see the log)"


def _mapped_class(name: str, tables: _Tables, replicated: frozenset[str]) -> Any:
    """The class this service maps under ``module.QualName`` to a table it owns (not a replica), if any."""
    for mapper in _all_mappers():
        cls = mapper.class_
        table = getattr(mapper.local_table, "name", None)
        if qualname_of(cls) == name and table not in replicated and tables.get(str(table)) is not None:
            return cls
    return None


def _all_mappers() -> list[Any]:
    """Every mapper of every ORM registry in the process: the classes this service can know rows of."""
    import importlib

    registries = getattr(importlib.import_module("sqlalchemy.orm.mapper"), "_all_registries", None)
    if registries is not None:
        return [mapper for registry in registries() for mapper in registry.mappers]
    from sqlalchemy.orm import DeclarativeBase, DeclarativeBaseNoMeta  # that helper is private

    found: list[Any] = []
    pending: list[type] = [DeclarativeBase, DeclarativeBaseNoMeta]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        registry = cls.__dict__.get("registry")
        if registry is not None:
            found.extend(registry.mappers)
    return list({id(mapper): mapper for mapper in found}.values())


def _mapped_attributes(model: Any) -> frozenset[str]:
    from sqlalchemy import inspect as inspect_mapper

    return frozenset(inspect_mapper(model).attrs.keys())


def _stored_type(column: Any) -> Any:
    """The type a column's values travel in when their Python form has no wire form, else None.

    A ``PickleType`` column holds any Python object (FlaskBB's settings keep functions in
    theirs): its replica travels as the pickled bytes the owner stores, and is stored so.
    """
    from sqlalchemy import PickleType

    return column.type.impl if isinstance(column.type, PickleType) else None


def _as_stored(column: Any) -> Any:
    """``column`` read in its stored form (see :func:`_stored_type`), under its own name."""
    from sqlalchemy import type_coerce

    stored = _stored_type(column)
    return column if stored is None else type_coerce(column, stored).label(column.name)


def _select(columns: list[Any]) -> Any:
    """``SELECT columns``: SQLAlchemy 1.4 and later take them as arguments, 1.3 as one list.

    Chosen by the version, not by trying: 1.3 binds a second positional argument to
    its WHERE clause and refuses more than eight.
    """
    import sqlalchemy

    release = tuple(int(part) for part in re.findall(r"\d+", sqlalchemy.__version__)[:2])
    if release < (1, 4):
        legacy: Any = sqlalchemy.select  # the 1.3 signature, which 2.x's type hints do not describe
        return legacy(columns)
    return sqlalchemy.select(*columns)


def _bare(signature: inspect.Signature) -> inspect.Signature:
    """The signature without annotations, which postponed evaluation would show as quoted strings."""
    parameters = [
        parameter.replace(annotation=inspect.Parameter.empty) for parameter in signature.parameters.values()
    ]
    return signature.replace(parameters=parameters, return_annotation=inspect.Signature.empty)


def _measure_requests(app: Flask, service: str) -> None:
    """Count and time every request the app answers."""

    def start_timer() -> None:
        request.environ[_STARTED_KEY] = time.perf_counter()

    def record(response: Response) -> Response:
        HTTP_REQUESTS.labels(service, request.method, str(response.status_code)).inc()
        started = request.environ.get(_STARTED_KEY)
        if started is not None:
            HTTP_SECONDS.labels(service).observe(time.perf_counter() - started)
        return response

    app.before_request_funcs.setdefault(None, []).insert(
        0, start_timer
    )  # first, so the clock covers the rest
    app.after_request(record)


# --------------------------------------------------------------------------- the schema


@dataclass(slots=True)
class _SchemaReadiness:
    """Whether the service's schema is up to date, bringing it there when it is not (yet).

    Tried when the service is installed, then again at most once a second
    while readiness is checked or requests arrive, so a database that comes
    up after the service does is caught up with without a restart.
    """

    app: Flask
    service: str
    schema: schemas.Schema | ScriptSchema
    session_provider: SessionProvider | None
    ready: bool = False
    #: the last attempt's error, in one line
    error: str = "not prepared yet"
    tried_at: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ensure(self) -> bool:
        if self.ready:
            return True
        with self.lock:
            if self.ready or (self.tried_at is not None and time.monotonic() - self.tried_at < 1.0):
                return self.ready
            self.tried_at = time.monotonic()
            try:
                with self.app.app_context():  # its own context: the app's session is closed after
                    done = (
                        self.schema.prepare()
                        if isinstance(self.schema, ScriptSchema)
                        else schemas.prepare(self.schema, session_provider=self.session_provider)
                    )
            except Exception as exc:  # any failure: readiness reports it, in one line
                error = schemas.first_line(exc)
                # the traceback once per distinct error, not once a second while the database is away
                logger.error(
                    "%s: the database schema is not ready: %s",
                    self.service,
                    error,
                    exc_info=error != self.error,
                )
                self.error = error
                return False
            self.ready = True
            logger.info("%s: database schema ready: %s", self.service, done)
            return True

    def gate(self) -> Response | None:
        """``before_request`` hook: a 503 naming the error while the schema is not ready."""
        if request.path in _PATHS_WITHOUT_REPLICAS or self.ensure():
            return None
        return error_response(
            ServiceUnavailable(
                f"the {self.service} service's database schema is not ready: {_shown(self.error)}",
                service=self.service,
            )
        )


# --------------------------------------------------------------------------- read replicas


class _Tables:
    """Tables by name: from the given MetaData, else from every mapped class's registry."""

    def __init__(self, metadata: Any) -> None:
        self._metadata = metadata
        self._found: dict[str, Any] = {}

    def get(self, name: str) -> Any | None:
        if name in self._found:
            return self._found[name]
        for metadata in [self._metadata] if self._metadata is not None else schemas.mapped_metadata():
            table = metadata.tables.get(name)
            if table is None:
                table = next((each for each in metadata.tables.values() if each.name == name), None)
            if table is not None:
                self._found[name] = table
                return table
        return None


@dataclass(slots=True)
class _ReplicaReader:
    """A local copy of a table another service owns, pulled from the owner.

    This is a simple pull-based replicated read model: code that joins a
    table another service owns keeps working against a local copy, which is
    replaced wholesale (delete all rows, insert the owner's rows, in one
    transaction) when it is older than ``MONOSPLIT_REPLICA_MAX_AGE`` seconds.
    The default, 0, refreshes before every request, so reads are always as
    current as the owner's table at the start of the request, at the cost of
    one round trip and a rewrite per request. That cost is the honest price
    of giving each service its own database while its code still joins
    across services; a table large or hot enough to make it hurt is a sign
    the boundary or the query should move. Writes to the copy are lost at the
    next refresh: the owner's table is the truth.
    """

    table: str
    owner: str
    tables: _Tables
    client: ServiceClient = field(init=False)
    lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    #: monotonic time at which the current copy was requested from the owner
    fresh_from: float | None = field(init=False, default=None)
    #: a digest of the rows the copy holds (None before the first copy)
    digest: str | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        url_env = self.owner.upper().replace("-", "_") + "_URL"
        self.client = ServiceClient(self.owner, url_env, internal_url(self.owner))

    def refresh(self, session: Any, max_age: float) -> bool:
        """Bring the copy up to date; whether its rows changed (the first copy counts as a change)."""
        arrived = time.monotonic()
        if self._fresh_enough(arrived, max_age):
            return False
        with self.lock:
            if self._fresh_enough(arrived, max_age):  # another request refreshed it while this one waited
                return False
            requested = time.monotonic()
            payload = self.client.fetch_replica(self.table)
            digest = hashlib.blake2b(
                json.dumps([payload["columns"], payload["rows"]], default=repr).encode(), digest_size=16
            ).hexdigest()
            self._replace(session, payload)  # always: a write to the copy must not outlive a refresh
            changed, self.digest = digest != self.digest, digest
            self.fresh_from = requested
            return changed

    def _fresh_enough(self, arrived: float, max_age: float) -> bool:
        fresh_from = self.fresh_from
        if fresh_from is None:
            return False
        return fresh_from >= arrived or (max_age > 0 and arrived - fresh_from < max_age)

    def _replace(self, session: Any, payload: Mapping[str, Any]) -> None:
        from sqlalchemy import bindparam, delete, insert

        local = self.tables.get(self.table)
        if local is None:
            raise LookupError(f"no table {self.table!r} is mapped here to hold the replica")
        names = list(payload["columns"])
        # the owner keeps its secret columns; a copy that requires one holds an empty value
        withheld = {
            column.name: _empty_of(column)
            for column in local.columns
            if column.name not in names and is_secret_column(column.name) and not column.nullable
        }
        rows = [
            {**withheld, **{name: value for name, value in zip(names, row, strict=True) if name in local.c}}
            for row in payload["rows"]
        ]
        # values that travel in their stored form are written so (a bind of their own name:
        # SQLAlchemy keeps a column's name for the VALUES clause it builds itself)
        stored = {
            c.name: _stored_type(c) for c in local.columns if c.name in names and _stored_type(c) is not None
        }
        statement = insert(local)
        if stored:
            statement = statement.values(
                {name: bindparam(f"stored_{name}", type_=kind) for name, kind in stored.items()}
            )
            rows = [{(f"stored_{k}" if k in stored else k): v for k, v in row.items()} for row in rows]
        try:
            with replica_writes.refreshing():
                session.execute(delete(local))
                if rows:
                    session.execute(statement, rows)
                session.commit()
        except Exception:
            session.rollback()
            raise


def _empty_of(column: Any) -> Any:
    """An empty value of a column's type, for a required column the owner does not send."""
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return ""
    return kind() if kind in (str, bytes, int, float) else ""


@dataclass(frozen=True, slots=True)
class _ReplicaRefresh:
    """``before_request`` hook: bring every replica up to date, or answer 503 saying which one could not be."""

    service: str
    readers: list[_ReplicaReader]
    session_provider: SessionProvider

    def __call__(self) -> Response | None:
        path = request.path
        if (
            path in _PATHS_WITHOUT_REPLICAS
            or path.startswith(("/_monosplit/replica/", "/_monosplit/transaction/"))
            # refreshed when the transaction first reached this service; its open session
            # holds the database's write lock, which a refresh would wait for forever
            or transactions.pending_session() is not None
        ):
            return None
        raw_max_age = os.environ.get("MONOSPLIT_REPLICA_MAX_AGE", "").strip()
        max_age = float(raw_max_age) if raw_max_age else 0.0
        changed = False
        for reader in self.readers:
            try:
                changed = reader.refresh(self.session_provider(), max_age) or changed
            except Exception as exc:
                logger.warning("cannot refresh the replica of %s", reader.table, exc_info=True)
                return error_response(
                    ServiceUnavailable(
                        f"the {self.service} service cannot refresh its copy of the {reader.table} table "
                        f"from the {reader.owner} service: {exc}",
                        service=self.service,
                    )
                )
        if changed:
            _clear_app_caches()
        return None


def _clear_app_caches() -> None:
    """Empty the app's own caches (Flask-Caching's): what they hold may come from a copy that just changed.

    In the monolith the code that changes a table clears what it cached of it
    (FlaskBB's ``Setting.update`` → ``invalidate_cache()``); split, that code runs
    in the table's owner, and a unit reading its copy would answer from its own
    cache, built from the rows before (FlaskBB's users unit kept asking for
    account activation the administrator had turned off). A cache cannot say
    what it derived from which table, so all of it goes.
    """
    for backend in dict(current_app.extensions.get("cache") or {}).values():
        clear = getattr(backend, "clear", None)
        if callable(clear):
            try:
                clear()
            except Exception:  # a cache the app cannot clear is the app's, as in the monolith
                logger.warning("cannot clear the app's cache %r", backend, exc_info=True)
