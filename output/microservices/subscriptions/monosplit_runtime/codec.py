"""Tagged JSON: Python values that survive a hop between services.

JSON scalars, lists and str-keyed dicts travel as themselves; every other
supported value becomes a JSON object with one tag key naming its kind::

    tuple               {"__tuple__": [...]}
    set                 {"__set__": [...]}          (sorted when the items are orderable)
    frozenset           {"__frozenset__": [...]}    (a frozenset can be a dict key or a set item)
    other dicts         {"__dict__": [[key, value], ...]}   (non-str keys, or a key that is a tag)
    datetime/date/time  {"__datetime__": iso, "zone": key?}  {"__date__": iso}  {"__time__": iso}
    timedelta           {"__timedelta__": seconds}
    Decimal / UUID      {"__decimal__": str}  {"__uuid__": str}
    bytes               {"__bytes__": base64}
    Enum member         {"__enum__": "module.QualName", "value": ...}
    dataclass           {"__dataclass__": "module.QualName", "fields": {...}}
    ORM row             {"__orm__": "module.QualName", "table", "pk", "columns", "related", "service"}
    exception           {"__exception__": "module.QualName", "mro", "args", "attrs", "message", ...}
    session / request   {"__context__": "sqlalchemy.session" | "flask.request"}

Classes are named by dotted path and imported again on the receiving side:
every service is a copy of the same package, so a class keeps its module
path wherever it exists. What a receiver cannot import degrades gracefully:
an ORM row becomes a :class:`RemoteRecord`, an exception an instance of a
dynamic subclass of its nearest importable base, an enum its raw value.

What never travels: a traceback (the sender logs it under the request id
the exception carries instead); the message, arguments and attribute values
of an exception from the database layer or the operating system, which hold
SQL, parameters and paths (its class travels, so ``except IntegrityError``
still works, with a message naming the request id); and the secret columns
of an ORM row (:func:`.secret_columns.is_secret_column`), which stay with the unit that owns
the row: code that needs a password hash runs where the hash is.

A database session never travels: its placeholder is resolved by the
context provider the receiving service registered (its own session), and an
ORM row arriving at the service that owns it is read again from that
service's own database. Peers are trusted services of the same system:
decoding imports the modules that classes name.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import functools
import importlib
import json
import os
import sys
import threading
import uuid
from collections.abc import Callable, ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from decimal import Decimal
from types import ModuleType
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import RemoteError, UndecodableValue, UnencodableValue
from .secret_columns import is_secret_column

__all__ = [
    "RemoteRecord",
    "decode",
    "dumps",
    "encode",
    "loads",
    "qualname_of",
    "register_context_provider",
    "resolve",
]

SESSION_CONTEXT = "sqlalchemy.session"
REQUEST_CONTEXT = "flask.request"

_PLAIN = (type(None), bool, int, float, str)
#: attributes of an exception that the wire format carries in keys of its own
_EXCEPTION_OWN_ATTRS = frozenset({"__notes__", "remote_service", "remote_traceback", "remote_request_id"})

_context_providers: dict[str, Callable[[], Any]] = {}

#: where exceptions whose text names SQL, parameters or connection details come from
_SENSITIVE_MODULES = ("sqlalchemy", "sqlite3", "psycopg", "psycopg2", "pymysql", "MySQLdb", "asyncpg")
#: the request id the current hop's errors are logged under; set by the server per request
_request_id: Callable[[], str | None] = lambda: None  # noqa: E731


def set_request_id_source(source: Callable[[], str | None]) -> None:
    """Where encoded exceptions find the request id their details are logged under."""
    global _request_id
    _request_id = source


def _sensitive(exc: BaseException) -> bool:
    if isinstance(exc, (OSError, RecursionError, MemoryError)):
        return True
    return any(base.__module__.split(".")[0] in _SENSITIVE_MODULES for base in type(exc).__mro__)


def _emptied(value: object) -> object:
    """A value of the same kind with nothing in it: a redacted exception's attributes keep their types."""
    if isinstance(value, (list, dict, tuple, set, frozenset, str)):
        return type(value)()
    return None


def register_context_provider(kind: str, provider: Callable[[], Any]) -> None:
    """Make ``{"__context__": kind}`` decode to ``provider()`` in this process.

    A provider raises :class:`LookupError` when it has nothing to give (no
    application context, no database); decoding then fails with
    :class:`UndecodableValue`, and an ORM row falls back to a detached copy.
    """
    _context_providers[kind] = provider


def qualname_of(cls: type) -> str:
    """``module.QualName`` of a class: how the wire names it."""
    return f"{cls.__module__}.{cls.__qualname__}"


@functools.lru_cache(maxsize=2048)
def resolve(dotted: str) -> object | None:
    """Import the object a ``module.QualName`` path names, or return None.

    The module part is the longest importable prefix, so nested classes
    (``module.Outer.Inner``) resolve too; names under ``<locals>`` never do.
    Only packages this process has already imported are searched: a class
    a service can use lives in one, and a peer's data never makes a service
    import a package it did not load itself.
    """
    parts = dotted.split(".")
    if parts[0] not in sys.modules:
        return None
    for split in range(len(parts) - 1, 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            found = getattr(found, attribute, _MISSING)
            if found is _MISSING:
                return None
        return found
    return None


_MISSING = object()


@functools.cache
def _sqlalchemy() -> ModuleType | None:
    """SQLAlchemy is optional: a service without a database never imports it."""
    try:
        import sqlalchemy
        import sqlalchemy.orm
        import sqlalchemy.orm.state  # InstanceState is exported from sqlalchemy.orm only since 1.4
    except ImportError:
        return None
    return sqlalchemy


def row_by_key(session: Any, model: type, key: Any) -> Any:
    """The row of ``model`` with primary key ``key``, or None (``Session.get`` exists from SQLAlchemy 1.4)."""
    get = getattr(session, "get", None)
    return get(model, key) if callable(get) else session.query(model).get(key)


@functools.cache
def _flask() -> ModuleType | None:
    try:
        import flask
    except ImportError:
        return None
    return flask


# --------------------------------------------------------------------------- records


class RemoteRecord:
    """A read-only row owned by another service: its columns, and the relationships that were loaded.

    The generator writes a subclass in place of each model class another
    service owns::

        class Product(RemoteRecord):
            \"\"\"Owned by the catalog service: read-only here.\"\"\"

            __monosplit_service__ = "catalog"
            __tablename__ = "products"
            __monosplit_primary_key__ = ("id",)

    A row of that class returned by its owner arrives as an instance of the
    stub; handing it back to the owner gives the owner a real row from its
    own database. Caller code may also build one (``Product(id=1, name="x")``),
    which the owner receives as its row with that key or, if it has none, as a
    new transient instance of its model. ``__tablename__`` and
    ``__monosplit_primary_key__`` are optional: without the latter a record
    built by caller code has no key.
    """

    #: the service that owns the rows, for messages
    __monosplit_service__: ClassVar[str | None] = None
    #: the table the rows live in, when the stub knows it
    __tablename__: ClassVar[str | None] = None
    #: names of the primary-key columns, so records built by caller code know their identity
    __monosplit_primary_key__: ClassVar[tuple[str, ...]] = ()

    _record_qualname: str
    _record_table: str | None
    _record_pk: tuple[Any, ...]
    _record_columns: dict[str, Any]
    _record_related: dict[str, Any]
    _record_service: str | None
    _record_kind: str  # "orm", or "dataclass" for a dataclass this service cannot import

    def __init__(self, **fields: Any) -> None:
        cls = type(self)
        pk = tuple(fields.get(name) for name in cls.__monosplit_primary_key__)
        self._set_state(qualname_of(cls), cls.__tablename__, pk, fields, {}, cls.__monosplit_service__)

    @classmethod
    def _from_wire(
        cls,
        qualname: str,
        *,
        table: str | None,
        pk: tuple[Any, ...],
        columns: dict[str, Any],
        related: dict[str, Any],
        service: str | None,
        kind: str = "orm",
    ) -> RemoteRecord:
        record = cls.__new__(cls)
        record._set_state(qualname, table, pk, columns, related, cls.__monosplit_service__ or service, kind)
        return record

    def _set_state(
        self,
        qualname: str,
        table: str | None,
        pk: tuple[Any, ...],
        columns: dict[str, Any],
        related: dict[str, Any],
        service: str | None,
        kind: str = "orm",
    ) -> None:
        state = {
            "_record_qualname": qualname,
            "_record_table": table,
            "_record_pk": pk,
            "_record_columns": dict(columns),
            "_record_related": {
                key: _RelatedList(self, key, value) if isinstance(value, list) else value
                for key, value in related.items()
            },
            "_record_service": service,
            "_record_kind": kind,
        }
        self.__dict__.update(state)

    def __getattr__(self, name: str) -> Any:
        # only reached for names not found the normal way
        if name.startswith("__") or name.startswith("_record_"):
            raise AttributeError(name)
        if name in self._record_columns:
            return self._record_columns[name]
        if name in self._record_related:
            return self._record_related[name]
        owner = f"the {self._record_service} service" if self._record_service else "another service"
        carried = ", ".join(sorted({*self._record_columns, *self._record_related})) or "nothing"
        raise AttributeError(
            f"{type(self).__name__} record from {owner} has no attribute {name!r}: only columns and the "
            f"relationships its owner had loaded travel (this one carries: {carried})"
        )

    def __setattr__(self, name: str, value: Any) -> None:
        if self._writable():
            assert _row_writer is not None
            _row_writer(self, "set", name, value)  # the owner changes its row first
            self._record_columns[name] = value
            return
        owner = f"the {self._record_service} service" if self._record_service else "another service"
        raise AttributeError(
            f"{type(self).__name__} is owned by {owner}: this copy is read-only, change it through that service"
        )

    def _writable(self) -> bool:
        """A row whose owner and key are known is written through to its owner (in the caller's transaction)."""
        return (
            self._record_kind == "orm"
            and _row_writer is not None
            and bool(self._record_service)
            and bool(self._record_pk)
            and None not in self._record_pk
        )

    def __delattr__(self, name: str) -> None:
        self.__setattr__(name, None)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RemoteRecord):
            return NotImplemented
        return (
            self._record_qualname == other._record_qualname and self._record_columns == other._record_columns
        )

    def __hash__(self) -> int:
        return hash((self._record_qualname, self._record_pk))

    def __repr__(self) -> str:
        fields = ", ".join(f"{key}={value!r}" for key, value in self._record_columns.items())
        return f"{type(self).__name__}({fields})"

    def _asdict(self) -> dict[str, Any]:
        """Columns and carried relationships as a new dict."""
        return {**self._record_columns, **self._record_related}


#: sends a change of a record to the service that owns the row (installed by the client module)
_row_writer: Callable[[RemoteRecord, str, str, Any], None] | None = None


def set_row_writer(writer: Callable[[RemoteRecord, str, str, Any], None]) -> None:
    global _row_writer
    _row_writer = writer


class _RelatedList(list[Any]):
    """A one-to-many collection of a record: clearing it, adding or removing an item changes the owner's rows."""

    def __init__(self, record: RemoteRecord, key: str, items: list[Any]) -> None:
        super().__init__(items)
        self._record = record
        self._key = key

    def _write(self, op: str, value: Any = None) -> None:
        if not self._record._writable():
            raise TypeError(
                f"{type(self._record).__name__}.{self._key} belongs to another service: read-only here"
            )
        assert _row_writer is not None
        _row_writer(self._record, op, self._key, value)

    def clear(self) -> None:
        self._write("clear")
        super().clear()

    def append(self, item: Any) -> None:
        self._write("append", item)
        super().append(item)

    def extend(self, items: Iterable[Any]) -> None:
        for item in list(items):
            self.append(item)

    def remove(self, item: Any) -> None:
        self._write("remove", item)
        super().remove(item)

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            f"{type(self._record).__name__}.{self._key} belongs to another service: "
            "only clear(), append(), extend() and remove() reach its owner"
        )

    insert = pop = sort = reverse = __setitem__ = __delitem__ = __iadd__ = _refuse


# --------------------------------------------------------------------------- encoding


def encode(value: object, *, path: str = "value") -> Any:
    """Return the JSON-able tagged form of ``value``.

    Raises :class:`UnencodableValue` naming the type and the position inside
    ``value`` (``path`` names the root, e.g. ``args``) of the first value
    that has no wire form.
    """
    return _Encoder().encode(value, path)


def dumps(value: object) -> str:
    """Compact JSON text of ``encode(value)``; key order is kept."""
    return json.dumps(encode(value), separators=(",", ":"), ensure_ascii=False)


def loads(text: str | bytes) -> Any:
    """The value ``dumps`` wrote."""
    return decode(json.loads(text))


#: relationships whose attribute is a query to run, not rows (``lazy="dynamic"``, SQLAlchemy 2's
#: ``WriteOnlyMapped``): what they hold can be any size, and is read where the rows are
_QUERY_RELATIONSHIPS = frozenset({"dynamic", "write_only"})


class _Encoder:
    def __init__(self) -> None:
        self._open: set[int] = set()  # containers on the current path: a cycle cannot be sent
        self._rows: set[int] = set()  # ORM rows on the current path: a cycle is cut, not refused

    def encode(self, value: object, path: str) -> Any:
        if type(value) in _PLAIN:
            return value
        if isinstance(value, enum.Enum):  # before int and str: IntEnum and StrEnum are both
            return {"__enum__": qualname_of(type(value)), "value": self.encode(value.value, f"{path}.value")}
        if isinstance(value, bool):
            return bool(value)
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value)
        if isinstance(value, str):
            return str(value)
        if isinstance(value, (list, tuple, set, frozenset, dict)):
            return self._container(value, path)
        if isinstance(value, dt.datetime):
            encoded: dict[str, Any] = {"__datetime__": value.isoformat()}
            if isinstance(value.tzinfo, ZoneInfo):
                encoded["zone"] = value.tzinfo.key
            return encoded
        if isinstance(value, dt.date):
            return {"__date__": value.isoformat()}
        if isinstance(value, dt.time):
            return {"__time__": value.isoformat()}
        if isinstance(value, dt.timedelta):
            return {"__timedelta__": value.total_seconds()}
        if isinstance(value, Decimal):
            return {"__decimal__": str(value)}
        if isinstance(value, uuid.UUID):
            return {"__uuid__": str(value)}
        if isinstance(value, (bytes, bytearray)):
            return {"__bytes__": base64.b64encode(bytes(value)).decode("ascii")}
        if isinstance(value, BaseException):
            return self._exception(value, path)
        if isinstance(value, RemoteRecord):
            return self._record(value, path)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self._dataclass(value, path)
        return self._framework_value(value, path)

    def _container(
        self, value: list[Any] | tuple[Any, ...] | set[Any] | frozenset[Any] | dict[Any, Any], path: str
    ) -> Any:
        if id(value) in self._open:
            raise UnencodableValue(f"cannot encode {type(value).__name__} at {path}: it contains itself")
        self._open.add(id(value))
        try:
            if isinstance(value, list):
                return [self.encode(item, f"{path}[{index}]") for index, item in enumerate(value)]
            if isinstance(value, tuple):
                return {
                    "__tuple__": [self.encode(item, f"{path}[{index}]") for index, item in enumerate(value)]
                }
            if isinstance(value, (set, frozenset)):
                tag = "__frozenset__" if isinstance(value, frozenset) else "__set__"
                return {
                    tag: [
                        self.encode(item, f"{path}{{{index}}}") for index, item in enumerate(_ordered(value))
                    ]
                }
            return self._dict(value, path)
        finally:
            self._open.discard(id(value))

    def _dict(self, value: dict[Any, Any], path: str) -> Any:
        if all(type(key) is str for key in value) and _TAGS.isdisjoint(value):
            return {key: self.encode(item, f"{path}[{key!r}]") for key, item in value.items()}
        return {
            "__dict__": [
                [self.encode(key, f"{path}.keys()[{index}]"), self.encode(item, f"{path}[{key!r}]")]
                for index, (key, item) in enumerate(value.items())
            ]
        }

    def _dataclass(self, value: Any, path: str) -> Any:
        if id(value) in self._open:
            raise UnencodableValue(f"cannot encode {type(value).__name__} at {path}: it contains itself")
        self._open.add(id(value))
        try:
            fields = {
                field.name: self.encode(getattr(value, field.name), f"{path}.{field.name}")
                for field in dataclasses.fields(value)
            }
            computed = self._properties(value, type(value), path)
        finally:
            self._open.discard(id(value))
        encoded: dict[str, Any] = {"__dataclass__": qualname_of(type(value)), "fields": fields}
        if computed:  # for a receiver without the class: what its properties said here
            encoded["computed"] = computed
        return encoded

    def _exception(self, exc: BaseException, path: str) -> Any:
        """Never fails: a part that cannot travel is left out (attrs) or sent as its repr (args)."""
        if id(exc) in self._open:
            raise UnencodableValue(f"cannot encode {type(exc).__name__} at {path}: it contains itself")
        cls = type(exc)
        service = getattr(exc, "remote_service", None) or os.environ.get("MONOSPLIT_SERVICE")
        request_id = getattr(exc, "remote_request_id", None) or _request_id()
        redacted = _sensitive(exc)
        self._open.add(id(exc))
        try:
            if redacted:
                message = f"{cls.__name__} in the {service or 'remote'} service" + (
                    f" (request id {request_id}: details in its log)" if request_id else ""
                )
                args: list[Any] = [message]
                attrs: dict[str, Any] = {
                    key: _emptied(attr)
                    for key, attr in getattr(exc, "__dict__", {}).items()
                    if key not in _EXCEPTION_OWN_ATTRS
                }
            else:
                message = _safe_str(exc)
                args = []
                for index, arg in enumerate(exc.args):
                    try:
                        args.append(self.encode(arg, f"{path}.args[{index}]"))
                    except Exception:  # noqa: BLE001 - the exception must travel even if a part cannot
                        args.append(repr(arg))
                attrs = {}
                for key, attr in getattr(exc, "__dict__", {}).items():
                    if key in _EXCEPTION_OWN_ATTRS:
                        continue
                    try:
                        attrs[key] = self.encode(attr, f"{path}.{key}")
                    except Exception:  # noqa: BLE001 - e.g. a detached row that cannot load a column
                        continue
            # class-level settings of the application's own exception classes (an error
            # ``code``, a message template) travel too: a stand-in class on the other side
            # does not have them
            settings: dict[str, Any] = {}
            for base in reversed(cls.__mro__):
                if base.__module__ != "builtins":
                    settings.update(
                        (key, attr)
                        for key, attr in vars(base).items()
                        if not key.startswith("_") and type(attr) in (str, int, float, bool)
                    )
        finally:
            self._open.discard(id(exc))
        encoded: dict[str, Any] = {
            "__exception__": qualname_of(cls),
            "mro": [qualname_of(base) for base in cls.__mro__ if base not in (BaseException, object)],
            "args": args,
            "attrs": attrs,
            "class_settings": settings,
            "message": message,
            "service": service,
        }
        if request_id:
            encoded["request_id"] = request_id
        status = getattr(exc, "status_code", None)
        if type(status) is int:
            encoded["status_code"] = status  # a dynamic stand-in class keeps its status
        return encoded

    def _record(self, record: RemoteRecord, path: str) -> Any:
        if record._record_kind == "dataclass":
            fields = {key: self.encode(item, f"{path}.{key}") for key, item in record._record_columns.items()}
            return {"__dataclass__": record._record_qualname, "fields": fields}
        columns = {key: self.encode(item, f"{path}.{key}") for key, item in record._record_columns.items()}
        related = {key: self.encode(item, f"{path}.{key}") for key, item in record._record_related.items()}
        return {
            "__orm__": record._record_qualname,
            "table": record._record_table,
            "pk": [self.encode(item, f"{path}.pk") for item in record._record_pk],
            "columns": columns,
            "related": related,
            "service": record._record_service,
        }

    def _framework_value(self, value: object, path: str) -> Any:
        flask = _flask()
        if flask is not None and isinstance(value, flask.Request):
            return {"__context__": REQUEST_CONTEXT}
        sqlalchemy = _sqlalchemy()
        if sqlalchemy is not None:
            if isinstance(value, (sqlalchemy.orm.Session, sqlalchemy.orm.scoped_session)):
                from .transactions import session_sent  # flask is there whenever a request is

                session_sent(value)  # the callee may call back: it must find this very session
                return {"__context__": SESSION_CONTEXT}
            state = sqlalchemy.inspect(value, raiseerr=False)
            if isinstance(state, sqlalchemy.orm.state.InstanceState):
                return self._row(value, state, path)
        if isinstance(value, (Iterator, range, KeysView, ValuesView, ItemsView)):
            # a generator (or a view) handed to a function is there to be iterated: send its items
            return [self.encode(item, f"{path}[{index}]") for index, item in enumerate(value)]
        raise UnencodableValue(
            f"cannot encode {type(value).__module__}.{type(value).__qualname__} at {path}: "
            "only JSON values, tuples, sets, dicts, dates and times, Decimal, UUID, bytes, enums, "
            "dataclasses, exceptions, ORM rows, sessions and the request can cross a service boundary"
        )

    def _row(self, row: object, state: Any, path: str) -> Any:
        mapper = state.mapper
        columns: dict[str, Any] = {}
        for prop in mapper.column_attrs:
            if is_secret_column(prop.key):
                continue  # stays with its owner (see the module docstring)
            if prop.key in state.dict:
                raw = state.dict[prop.key]
            elif state.session is not None:
                raw = getattr(row, prop.key)  # expired or deferred: the row's own session reloads it
            else:
                continue  # detached and never loaded: there is nothing to send
            columns[prop.key] = self.encode(raw, f"{path}.{prop.key}")
        if state.identity is not None:
            pk = [self.encode(item, f"{path}.pk") for item in state.identity]
        else:
            pk = [columns.get(mapper.get_property_by_column(column).key) for column in mapper.primary_key]
        related: dict[str, Any] = {}
        computed: dict[str, Any] = {}
        # The row a function returns (or is passed) is what the other side navigates:
        # its direct relationships travel, loaded now if need be, and so do the values
        # of its read-only properties. Rows nested deeper send what is loaded already.
        outermost = not self._rows and state.session is not None
        if id(row) not in self._rows:  # a row met again on its own path is sent without relationships
            self._rows.add(id(row))
            try:
                for relationship in mapper.relationships:
                    if relationship.lazy in _QUERY_RELATIONSHIPS:
                        continue  # a query, not rows: its owner answers it from its own database
                    if relationship.key in state.dict or outermost:
                        loaded = relationship.key in state.dict
                        value = state.dict[relationship.key] if loaded else getattr(row, relationship.key)
                        related[relationship.key] = self.encode(value, f"{path}.{relationship.key}")
                if outermost:
                    computed = self._properties(row, mapper.class_, path)
            finally:
                self._rows.discard(id(row))
        return {
            "__orm__": qualname_of(mapper.class_),
            "table": getattr(mapper.local_table, "name", None),
            "pk": pk,
            "columns": columns,
            "related": related,
            "computed": computed,
            "service": os.environ.get("MONOSPLIT_SERVICE"),
        }

    def _properties(self, row: object, cls: type, path: str) -> dict[str, Any]:
        """Public read-only properties' values; one that fails or cannot be encoded is left out."""
        values: dict[str, Any] = {}
        for name in sorted(dir(cls)):
            if name.startswith("_") or not isinstance(getattr(cls, name, None), property):
                continue
            try:
                values[name] = self.encode(getattr(row, name), f"{path}.{name}")
            except Exception:  # noqa: BLE001  (a property is the owner's code: any failure just means "not sent")
                continue
        return values


def _ordered(items: Iterable[Any]) -> list[Any]:
    """Sorted when the items allow it, so equal sets encode to equal text."""
    listed = list(items)
    try:
        return sorted(listed)
    except TypeError:
        return listed


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - a broken __str__ must not hide the exception itself
        return repr(exc)


# --------------------------------------------------------------------------- decoding


def decode(data: Any) -> Any:
    """Return the value ``encode`` turned into ``data``.

    Raises :class:`UndecodableValue` for malformed tagged objects and for
    context placeholders this process has no provider for.
    """
    if isinstance(data, list):
        return [decode(item) for item in data]
    if isinstance(data, dict):
        tag = next((key for key in data if key in _TAGS), None)
        if tag is None:
            return {key: decode(item) for key, item in data.items()}
        try:
            return _DECODERS[tag](data)
        except UndecodableValue:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise UndecodableValue(f"malformed {tag} value: {exc!r}") from exc
    return data


def _context(kind: str) -> Any:
    provider = _context_providers.get(kind)
    if provider is None:
        raise UndecodableValue(f"no {kind} here to stand in for the caller's: this service registered none")
    try:
        return provider()
    except LookupError as exc:
        raise UndecodableValue(f"no {kind} available here: {exc}") from exc


def _decode_datetime(data: Mapping[str, Any]) -> dt.datetime:
    value = dt.datetime.fromisoformat(data["__datetime__"])
    zone = data.get("zone")
    if zone and value.tzinfo is not None:
        try:
            return value.astimezone(ZoneInfo(zone))
        except ZoneInfoNotFoundError:
            return value  # the offset is still right; only the zone's name is lost
    return value


def _decode_dict(data: Mapping[str, Any]) -> dict[Any, Any]:
    return {decode(key): decode(item) for key, item in data["__dict__"]}


def _decode_enum(data: Mapping[str, Any]) -> Any:
    value = decode(data["value"])
    cls = resolve(data["__enum__"])
    if isinstance(cls, type) and issubclass(cls, enum.Enum):
        return cls(value)
    return value


def _decode_dataclass(data: Mapping[str, Any]) -> Any:
    name = data["__dataclass__"]
    fields = {key: decode(item) for key, item in data["fields"].items()}
    cls = resolve(name)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        computed = {key: decode(item) for key, item in data.get("computed", {}).items()}
        return RemoteRecord._from_wire(
            name, table=None, pk=(), columns=fields, related=computed, service=None, kind="dataclass"
        )
    init = {field.name for field in dataclasses.fields(cls) if field.init}
    instance = cls(**{key: item for key, item in fields.items() if key in init})
    for key, item in fields.items():
        if key not in init:
            object.__setattr__(instance, key, item)  # frozen dataclasses too
    return instance


def _decode_row(data: Mapping[str, Any]) -> Any:
    name = data["__orm__"]
    pk = tuple(decode(item) for item in data.get("pk", ()))
    columns = {key: decode(item) for key, item in data.get("columns", {}).items()}
    cls = resolve(name)
    mapper = _mapper_of(cls)
    if mapper is None:
        record_class = cls if isinstance(cls, type) and issubclass(cls, RemoteRecord) else RemoteRecord
        related = {key: decode(item) for key, item in data.get("related", {}).items()}
        computed = {key: decode(item) for key, item in data.get("computed", {}).items()}
        return record_class._from_wire(
            name,
            table=data.get("table"),
            pk=pk,
            columns={**columns, **{k: v for k, v in computed.items() if k not in columns}},
            related=related,
            service=data.get("service"),
        )
    # this service maps the class: its own database is the truth
    if pk and None not in pk:
        try:
            session = _context(SESSION_CONTEXT)
        except UndecodableValue:
            session = None
        if session is not None:
            row = row_by_key(session, mapper.class_, pk[0] if len(pk) == 1 else pk)
            if row is not None:
                return row
    # not stored here (yet): a transient instance; relationships are not set, so nothing cascades into a session
    row = mapper.class_manager.new_instance()
    known = {prop.key for prop in mapper.column_attrs}
    for key, item in columns.items():
        if key in known:
            setattr(row, key, item)
    return row


def _mapper_of(cls: object) -> Any:
    if not isinstance(cls, type) or issubclass(cls, RemoteRecord):
        return None
    sqlalchemy = _sqlalchemy()
    if sqlalchemy is None:
        return None
    mapper = sqlalchemy.inspect(cls, raiseerr=False)
    return mapper if isinstance(mapper, sqlalchemy.orm.Mapper) else None


_dynamic_exceptions: dict[str, type[Exception]] = {}
_dynamic_lock = threading.Lock()


def _exception_class(
    name: str, mro: list[str], status_code: object, settings: Mapping[str, Any] | None = None
) -> type[Exception] | None:
    """The class itself when importable, else a cached stand-in under the nearest importable base."""
    cls = resolve(name)
    if isinstance(cls, type) and issubclass(cls, Exception):
        return cls
    with _dynamic_lock:
        if name in _dynamic_exceptions:
            return _dynamic_exceptions[name]
        for base_name in mro[1:]:
            base = resolve(base_name)
            if isinstance(base, type) and issubclass(base, Exception):
                break
        else:
            return None
        module, _, qualname = name.rpartition(".")
        namespace: dict[str, Any] = {
            "__module__": module,
            "__qualname__": qualname,
            "__doc__": f"Stand-in for {name}, which this service cannot import.",
        }
        # the original class's own settings (an error ``code``...), which its nearest base lacks
        namespace.update({k: v for k, v in (settings or {}).items() if k not in namespace})
        if type(status_code) is int:
            namespace["status_code"] = status_code
        # RemoteError first when the base is a plain Exception (the other order has no MRO);
        # the base alone when the layouts cannot be combined
        orders: list[tuple[type, ...]] = (
            [(base,)]
            if issubclass(base, RemoteError)
            else [(base, RemoteError), (RemoteError, base), (base,)]
        )
        for bases in orders:
            try:
                stand_in = type(qualname.rpartition(".")[2], bases, namespace)
                break
            except TypeError:
                continue
        _dynamic_exceptions[name] = stand_in
        return stand_in


def _decode_exception(data: Mapping[str, Any]) -> BaseException:
    name = data["__exception__"]
    args = tuple(decode(item) for item in data.get("args", ()))
    attrs = {key: decode(item) for key, item in data.get("attrs", {}).items()}
    service = data.get("service")
    cls = _exception_class(
        name, list(data.get("mro", ())), data.get("status_code"), data.get("class_settings")
    )
    exc: BaseException
    if cls is None:
        exc = RemoteError(data.get("message") or name, service=service)
        exc.remote_class = name  # type: ignore[attr-defined]
    else:
        exc = cls.__new__(cls)  # no __init__: signatures vary, the state comes from args and attrs
        exc.args = args
        for key, item in attrs.items():
            try:
                setattr(exc, key, item)
            except (AttributeError, TypeError):
                continue  # read-only properties and slots stay as the class makes them
    request_id = data.get("request_id")
    exc.remote_service = service  # type: ignore[attr-defined]
    # tracebacks stay in the sender's log, under the request id
    exc.remote_traceback = ""  # type: ignore[attr-defined]
    exc.remote_request_id = request_id  # type: ignore[attr-defined]
    exc.add_note(
        f"--- raised in the {service or 'remote'} service"
        + (f" (request id {request_id})" if request_id else "")
        + " ---"
    )
    return exc


def _decode_context(data: Mapping[str, Any]) -> Any:
    return _context(data["__context__"])


_DECODERS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "__tuple__": lambda data: tuple(decode(item) for item in data["__tuple__"]),
    "__set__": lambda data: {decode(item) for item in data["__set__"]},
    "__frozenset__": lambda data: frozenset(decode(item) for item in data["__frozenset__"]),
    "__dict__": _decode_dict,
    "__datetime__": _decode_datetime,
    "__date__": lambda data: dt.date.fromisoformat(data["__date__"]),
    "__time__": lambda data: dt.time.fromisoformat(data["__time__"]),
    "__timedelta__": lambda data: dt.timedelta(seconds=data["__timedelta__"]),
    "__decimal__": lambda data: Decimal(data["__decimal__"]),
    "__uuid__": lambda data: uuid.UUID(data["__uuid__"]),
    "__bytes__": lambda data: base64.b64decode(data["__bytes__"], validate=True),
    "__enum__": _decode_enum,
    "__dataclass__": _decode_dataclass,
    "__orm__": _decode_row,
    "__exception__": _decode_exception,
    "__context__": _decode_context,
}
#: the keys that mark a JSON object as a tagged value; a plain dict using one is escaped
_TAGS = frozenset(_DECODERS)
