"""Tagged JSON round trips: every tag, ORM rows on a real database, exceptions, and what cannot travel."""

from __future__ import annotations

import enum
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from flask import Flask
from sqlalchemy import Engine, ForeignKey, String, create_engine, event, inspect, select
from sqlalchemy.orm import (
    DeclarativeBase,
    DynamicMapped,
    Mapped,
    Session,
    mapped_column,
    relationship,
    scoped_session,
    sessionmaker,
)

from generator.runtime import RemoteError, RemoteRecord, UndecodableValue, UnencodableValue, codec
from generator.runtime.codec import decode, dumps, encode, loads, qualname_of, register_context_provider


@pytest.fixture(autouse=True)
def _no_context_providers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test registers the providers it needs; none leak between tests."""
    monkeypatch.setattr(codec, "_context_providers", {})
    monkeypatch.delenv("MONOSPLIT_SERVICE", raising=False)


def round_trip(value: object) -> Any:
    return loads(dumps(value))


def shape(value: object) -> object:
    """Types all the way down, so a round trip that turns a tuple into a list is caught."""
    if isinstance(value, (list, tuple)):
        return (type(value), [shape(item) for item in value])
    if isinstance(value, (set, frozenset)):
        return (type(value), sorted(repr(shape(item)) for item in value))
    if isinstance(value, dict):
        return (type(value), [(shape(key), shape(item)) for key, item in value.items()])
    return type(value)


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Mood(enum.StrEnum):
    CALM = "calm"


@dataclass(frozen=True)
class Point:
    x: int
    y: int


@dataclass
class Basket:
    owner: str
    items: list[Any]
    tags: set[str] = field(default_factory=set)
    total: Decimal = field(init=False, default=Decimal(0))


VALUES: list[object] = [
    None,
    True,
    0,
    -7,
    2**70,
    1.5,
    "ünïcode",
    [1, [2, "x"]],
    (1, (2, 3), []),
    {3, 1, 2},
    frozenset({"a", "b"}),
    {"b": 1, "a": (2,)},
    {1: "one", (1, 2): "pair", frozenset({3}): "set", None: "none"},
    {"__tuple__": "a plain dict whose key is a tag"},
    {"__orm__": 1, "columns": {}},
    datetime(2024, 2, 29, 13, 45, 7, 123456),
    datetime(2024, 2, 29, 13, 45, tzinfo=UTC),
    datetime(2024, 2, 29, 13, 45, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    date(1999, 12, 31),
    time(23, 59, 58, 5),
    time(8, 0, tzinfo=timezone(timedelta(hours=-3))),
    timedelta(days=2, seconds=5, microseconds=7),
    timedelta(seconds=-1),
    Decimal("1.10"),
    Decimal("-1E+2"),
    uuid.UUID("12345678-1234-5678-1234-567812345678"),
    b"\x00\xffbytes",
    Colour.RED,
    Level.HIGH,
    Mood.CALM,
    Point(1, 2),
    [Point(0, 0), {"nested": (Colour.BLUE, {Level.LOW})}],
]


@pytest.mark.parametrize("value", VALUES, ids=lambda value: type(value).__name__)
def test_values_round_trip_with_their_types(value: object) -> None:
    back = round_trip(value)
    assert back == value
    assert shape(back) == shape(value)


def test_a_dataclass_keeps_fields_set_after_init() -> None:
    basket = Basket("ann", [Point(1, 1)], {"gift"})
    basket.total = Decimal("12.50")
    back = round_trip(basket)
    assert back == basket and back.total == Decimal("12.50")


def test_a_named_zone_survives() -> None:
    try:
        paris = ZoneInfo("Europe/Paris")
    except ZoneInfoNotFoundError:
        pytest.skip("no time zone data on this machine")
    value = datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=paris)
    back = round_trip(value)
    assert back == value and back.tzinfo == paris and back.utcoffset() == value.utcoffset()


def test_the_text_is_compact_deterministic_and_keeps_key_order() -> None:
    assert dumps({3, 1, 2}) == '{"__set__":[1,2,3]}'
    assert dumps({"b": 1, "a": 2}) == '{"b":1,"a":2}'
    assert dumps((1, "é")) == '{"__tuple__":[1,"é"]}'
    assert dumps({"__set__": 1}) == '{"__dict__":[["__set__",1]]}'
    assert json.loads(dumps({1, "a"}))["__set__"] in ([1, "a"], ["a", 1])  # unorderable: still sent


def test_what_the_receiver_cannot_import_arrives_as_its_value() -> None:
    assert decode({"__enum__": "nowhere.Colour", "value": "red"}) == "red"

    record = decode({"__dataclass__": "nowhere.Point", "fields": {"x": 1, "y": {"__tuple__": [2]}}})
    assert isinstance(record, RemoteRecord) and (record.x, record.y) == (1, (2,))
    # passed on again it is the same dataclass for whoever can import it
    assert encode(record) == {"__dataclass__": "nowhere.Point", "fields": {"x": 1, "y": {"__tuple__": [2]}}}


# --------------------------------------------------------------------------- ORM rows


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    books: Mapped[list[Book]] = relationship(back_populates="author", order_by="Book.id")


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    published: Mapped[date]
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship(back_populates="books")

    @property
    def shelf_label(self) -> str:
        return f"{self.title.upper()} ({self.published.year})"


class BookStub(RemoteRecord):
    """Owned by the catalog service: what the generator writes where Book was."""

    __monosplit_service__ = "catalog"
    __tablename__ = "books"
    __monosplit_primary_key__ = ("id",)


@dataclass
class Library:
    engine: Engine
    sessions: sessionmaker[Session]
    statements: list[str]


@pytest.fixture
def library() -> Iterator[Library]:
    engine = create_engine("sqlite://")  # one in-memory database shared by the pool's single connection
    Base.metadata.create_all(engine)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions() as session:
        le_guin = Author(id=1, name="Ursula K. Le Guin")
        session.add_all(
            [
                Book(id=10, title="The Dispossessed", published=date(1974, 5, 1), author=le_guin),
                Book(id=11, title="The Lathe of Heaven", published=date(1971, 1, 1), author=le_guin),
            ]
        )
        session.commit()
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    yield Library(engine, sessions, statements)
    engine.dispose()


def test_a_row_carries_its_columns_its_direct_relationships_and_its_properties(library: Library) -> None:
    with library.sessions() as session:
        book = session.get(Book, 10)
        assert book is not None
        library.statements.clear()
        data = encode(book)
        # the outermost row's author is loaded for the other side to navigate; the
        # author's own books (one level further) are not
        assert len(library.statements) == 1

    assert data["columns"] == {
        "id": 10,
        "title": "The Dispossessed",
        "published": {"__date__": "1974-05-01"},
        "author_id": 1,
    }
    assert data["related"]["author"]["columns"] == {"id": 1, "name": "Ursula K. Le Guin"}
    assert data["related"]["author"]["related"] == {}
    assert data["computed"] == {"shelf_label": "THE DISPOSSESSED (1974)"}


def test_a_detached_row_sends_what_it_has(library: Library) -> None:
    with library.sessions() as session:
        book = session.get(Book, 10)
    assert book is not None
    data = encode(book)  # no session: nothing more can be loaded, nothing is attempted
    assert data["related"] == {}
    assert data["computed"] == {}
    assert data["columns"]["title"] == "The Dispossessed"


def test_loaded_relationships_travel_and_a_cycle_is_cut(library: Library) -> None:
    with library.sessions() as session:
        author = session.scalars(select(Author)).one()
        books = list(author.books)
        assert all(book.author is author for book in books)  # loaded both ways: a cycle
        data = encode(author)

    assert [book["columns"]["title"] for book in data["related"]["books"]] == [
        "The Dispossessed",
        "The Lathe of Heaven",
    ]
    again = data["related"]["books"][0]["related"]["author"]
    assert (
        again["columns"] == data["columns"] and again["related"] == {}
    )  # met again on its own path: no relationships


def test_a_row_arriving_where_its_class_is_mapped_is_read_from_that_database(library: Library) -> None:
    with library.sessions() as sender:
        data = encode(sender.get(Book, 10))
    with library.sessions() as other:
        other.get(Book, 10).title = "The Dispossessed: An Ambiguous Utopia"  # type: ignore[union-attr]
        other.commit()

    with library.sessions() as receiver:
        register_context_provider("sqlalchemy.session", lambda: receiver)
        book = decode(data)
        assert book is receiver.get(Book, 10)
        assert inspect(book).persistent and book.title == "The Dispossessed: An Ambiguous Utopia"

        missing = decode({**data, "pk": [999], "columns": {**data["columns"], "id": 999}})
        assert inspect(missing).transient and (missing.id, missing.title) == (999, "The Dispossessed")


def test_without_a_session_a_mapped_row_arrives_transient(library: Library) -> None:
    with library.sessions() as session:
        data = encode(session.get(Book, 11))
    book = decode(data)
    assert isinstance(book, Book) and inspect(book).transient
    assert (book.id, book.title, book.published) == (11, "The Lathe of Heaven", date(1971, 1, 1))


def _elsewhere(data: Any) -> Any:
    """The same wire data as a service that cannot import this module's models receives it."""
    text = json.dumps(data).replace(f'"{__name__}.', '"elsewhere.models.')
    return json.loads(text)


def test_a_row_whose_class_is_not_here_is_a_read_only_remote_record(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONOSPLIT_SERVICE", "catalog")
    with library.sessions() as session:
        book = session.get(Book, 10)
        assert book is not None and book.author is not None
        data = _elsewhere(encode(book))

    record = decode(data)
    assert type(record) is RemoteRecord
    assert (record.title, record.published, record.author.name) == (
        "The Dispossessed",
        date(1974, 5, 1),
        "Ursula K. Le Guin",
    )
    assert record._asdict()["author_id"] == 1
    assert (
        repr(record)
        == "RemoteRecord(id=10, title='The Dispossessed', published=datetime.date(1974, 5, 1), author_id=1, shelf_label='THE DISPOSSESSED (1974)')"
    )
    with pytest.raises(
        AttributeError,
        match=r"RemoteRecord record from the catalog service has no attribute 'isbn'.*author, author_id, id, published, shelf_label, title",
    ):
        _ = record.isbn
    keyless = RemoteRecord._from_wire(
        "elsewhere.models.Book", table="books", pk=(), columns={"title": "x"}, related={}, service="catalog"
    )
    with pytest.raises(AttributeError, match="owned by the catalog service: this copy is read-only"):
        keyless.title = "changed"  # no key: there is no row to write it to

    twin = decode(data)
    assert twin == record and hash(twin) == hash(record) and len({twin, record}) == 1
    assert decode({**data, "columns": {**data["columns"], "title": "other"}}) != record
    assert encode(record)["__orm__"] == "elsewhere.models.Book"


def test_a_stub_class_receives_its_rows_and_can_be_built_by_caller_code(library: Library) -> None:
    with library.sessions() as session:
        data = encode(session.get(Book, 10))
    record = decode({**data, "__orm__": qualname_of(BookStub)})
    assert isinstance(record, BookStub) and record.title == "The Dispossessed"

    built = BookStub(id=12, title="Always Coming Home")
    assert encode(built) == {
        "__orm__": qualname_of(BookStub),
        "table": "books",
        "pk": [12],
        "columns": {"id": 12, "title": "Always Coming Home"},
        "related": {},
        "service": "catalog",
    }


def test_a_record_handed_back_to_its_owner_is_the_owners_row(library: Library) -> None:
    record = RemoteRecord._from_wire(
        qualname_of(Book),
        table="books",
        pk=(10,),
        columns={"id": 10, "title": "stale title"},
        related={},
        service="catalog",
    )
    with library.sessions() as owner:
        register_context_provider("sqlalchemy.session", lambda: owner)
        book = round_trip(record)
        assert book is owner.get(Book, 10) and book.title == "The Dispossessed"


# --------------------------------------------------------------------------- exceptions


class OutOfStock(LookupError):
    status_code = 409
    constructed = 0

    def __init__(self, sku: str, *, wanted: int) -> None:
        type(self).constructed += 1
        super().__init__(f"{sku}: {wanted} wanted")
        self.sku = sku
        self.wanted = wanted
        self.since = date(2024, 1, 1)


def _raised(exc: OutOfStock) -> OutOfStock:
    """The exception with a traceback, as a server catches it."""
    try:
        raise exc
    except OutOfStock as caught:
        return caught


def test_an_exception_comes_back_as_its_class_without_calling_init(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONOSPLIT_SERVICE", "catalog")
    sent = _raised(OutOfStock("SKU-1", wanted=3))
    sent.lock = threading.Lock()  # type: ignore[attr-defined]  # cannot travel: left out
    constructed = OutOfStock.constructed

    back = round_trip(sent)

    assert type(back) is OutOfStock and OutOfStock.constructed == constructed
    assert (back.args, back.sku, back.wanted, back.since) == (
        ("SKU-1: 3 wanted",),
        "SKU-1",
        3,
        date(2024, 1, 1),
    )
    assert not hasattr(back, "lock")
    assert back.remote_service == "catalog"
    # the traceback stays in the sender's log: paths and source lines never travel
    assert back.remote_traceback == ""
    assert back.__notes__ == ["--- raised in the catalog service ---"]
    assert "raise exc" not in encode(sent)["message"] and "traceback" not in encode(sent)


def test_a_database_error_travels_as_its_class_without_sql_parameters_or_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    monkeypatch.setenv("MONOSPLIT_SERVICE", "catalog")
    engine = create_engine(f"sqlite:///{tmp_path}/shop.db")
    with pytest.raises(OperationalError) as raised, engine.connect() as connection:
        connection.execute(text("SELECT secret FROM users WHERE email = :email"), {"email": "a@b.c"})
    assert "SELECT secret" in str(raised.value)  # what the database said, here

    wire = dumps(raised.value)
    back = loads(wire)

    assert type(back) is OperationalError  # `except OperationalError` still catches it
    for leaked in ("SELECT", "a@b.c", "users", str(tmp_path), "Traceback"):
        assert leaked not in wire and leaked not in str(back)
    assert str(back).startswith("OperationalError in the catalog service")


def test_an_os_error_travels_without_its_path(tmp_path: Path) -> None:
    try:
        (tmp_path / "missing.txt").read_text()
    except FileNotFoundError as exc:
        wire = dumps(exc)
    assert str(tmp_path) not in wire and type(loads(wire)) is FileNotFoundError


def test_secret_columns_of_a_row_never_travel() -> None:
    from sqlalchemy import String
    from sqlalchemy.orm import DeclarativeBase, mapped_column

    class Base(DeclarativeBase):
        pass

    class Account(Base):
        __tablename__ = "accounts"
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str] = mapped_column(String(80))
        password_hash: Mapped[str] = mapped_column(String(80))
        payment_token: Mapped[str] = mapped_column(String(80))

    encoded = encode(Account(id=1, email="a@b.c", password_hash="pbkdf2:x", payment_token="tok_1"))
    assert encoded["columns"] == {"id": 1, "email": "a@b.c"}


def test_a_relationship_that_is_a_query_stays_behind() -> None:
    # lazy="dynamic" (FlaskBB's Category.forums): the attribute is a query, not rows; its
    # owner answers it from its own database, and a long list is what "dynamic" avoids
    class Base(DeclarativeBase):
        pass

    class Category(Base):
        __tablename__ = "categories"
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str] = mapped_column(String(80))
        forums: DynamicMapped[Forum] = relationship(lazy="dynamic")

    class Forum(Base):
        __tablename__ = "forums"
        id: Mapped[int] = mapped_column(primary_key=True)
        category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all([Category(id=1, title="General"), Forum(id=5, category_id=1)])
        session.commit()
        category = session.get(Category, 1)
        assert category is not None and category.forums.count() == 1
        encoded = encode(category)
    assert encoded["columns"] == {"id": 1, "title": "General"}
    assert encoded["related"] == {}
    engine.dispose()


def test_builtin_exceptions_and_unencodable_arguments() -> None:
    assert type(round_trip(KeyError("k"))) is KeyError
    back = round_trip(ValueError("bad", object()))
    assert type(back) is ValueError and back.args[0] == "bad" and back.args[1].startswith("<object object at")


def test_an_exception_class_not_here_becomes_a_cached_stand_in_under_its_nearest_base() -> None:
    data = encode(OutOfStock("SKU-2", wanted=1))
    data.update(
        {
            "__exception__": "elsewhere.errors.PriceFrozen",
            "mro": ["elsewhere.errors.PriceFrozen", "elsewhere.errors.ShopError", qualname_of(OutOfStock)],
            "status_code": 423,
        }
    )

    first, second = decode(data), decode(data)

    cls = type(first)
    assert cls is type(second)
    assert (cls.__name__, cls.__qualname__, cls.__module__) == (
        "PriceFrozen",
        "PriceFrozen",
        "elsewhere.errors",
    )
    assert isinstance(first, OutOfStock) and isinstance(first, RemoteError) and isinstance(first, LookupError)
    assert (first.status_code, first.sku, str(first)) == (423, "SKU-2", "SKU-2: 1 wanted")


def test_an_exception_with_nothing_importable_is_a_remote_error() -> None:
    exc = decode(
        {"__exception__": "gone.Error", "mro": ["gone.Error"], "args": ["x"], "attrs": {}, "message": "x!"}
    )
    assert type(exc) is RemoteError and str(exc) == "x!" and exc.remote_class == "gone.Error"


# --------------------------------------------------------------------------- context placeholders


def test_a_session_or_the_request_travels_as_a_placeholder_filled_by_the_receiver(library: Library) -> None:
    with library.sessions() as session:
        assert encode(session) == {"__context__": "sqlalchemy.session"}
    assert encode(scoped_session(library.sessions)) == {"__context__": "sqlalchemy.session"}
    with Flask(__name__).test_request_context("/"):
        from flask import request

        assert encode(request) == {"__context__": "flask.request"}

    with pytest.raises(UndecodableValue, match=r"no sqlalchemy\.session here"):
        decode({"__context__": "sqlalchemy.session"})
    receivers_session = object()
    register_context_provider("sqlalchemy.session", lambda: receivers_session)
    assert decode([{"__context__": "sqlalchemy.session"}]) == [receivers_session]

    def nothing() -> object:
        raise LookupError("outside a request")

    register_context_provider("flask.request", nothing)
    with pytest.raises(UndecodableValue, match=r"no flask\.request available here: outside a request"):
        decode({"__context__": "flask.request"})


# --------------------------------------------------------------------------- what cannot travel


def test_an_unencodable_value_is_named_with_its_place() -> None:
    with pytest.raises(UnencodableValue, match=r"cannot encode builtins\.object at args\[1\]\.items\[0\]"):
        encode(("a", Basket("ann", [object()])), path="args")
    with pytest.raises(UnencodableValue, match=r"at value\['when'\]\[0\]: only JSON values"):
        encode({"when": [threading.Lock()]})
    with pytest.raises(UnencodableValue, match=r"cannot encode builtins\.type at value\{0\}"):
        encode({int})
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(UnencodableValue, match=r"at value\[0\]: it contains itself"):
        encode(loop)


def test_malformed_data_is_undecodable() -> None:
    with pytest.raises(UndecodableValue, match="malformed __date__ value"):
        decode({"__date__": "yesterday"})
    with pytest.raises(UndecodableValue, match="malformed __bytes__ value"):
        decode({"__bytes__": "***"})
