"""Joined-table inheritance in replicas: the subclass still joins its parent's table.

A subclass with its own table (``class Solve(Submission)``, ``__tablename__ =
"solves"``) finds the join to its parent's table through its primary key's
foreign key; without it SQLAlchemy cannot map the class (``NoForeignKeysError``).
Where both are replicas (a two-tier client keeping copies of CTFd's
submissions and solves), the key stays in the models: only the unit's
database goes without it.
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import libcst as cst
import pytest

from generator.codemods.foreign_keys import KeyColumn, ModuleSchema, strip_foreign_links
from generator.runtime import schema as runtime_schema

sqlalchemy = pytest.importorskip("sqlalchemy")

SUBMISSIONS = textwrap.dedent(
    '''
    """Submissions: right ones have their own table, wrong ones share the parent's."""
    import sqlalchemy as sa
    import sqlalchemy.orm as so


    class Base(so.DeclarativeBase):
        pass


    class Submission(Base):
        __tablename__ = "submissions"
        id = sa.Column(sa.Integer, primary_key=True)
        type = sa.Column(sa.String(32))
        provided = sa.Column(sa.String(64))
        __mapper_args__ = {"polymorphic_on": type}


    class Solve(Submission):
        __tablename__ = "solves"
        id = sa.Column(None, sa.ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
        __mapper_args__ = {"polymorphic_identity": "correct"}


    class Award(Submission):
        __tablename__ = "awards"
        award_id = sa.Column(sa.Integer, sa.ForeignKey(Submission.id), primary_key=True)


    class Fail(Submission):
        __mapper_args__ = {"polymorphic_identity": "incorrect"}
    '''
).lstrip("\n")
TABLES = {"Submission": "submissions", "Solve": "solves", "Award": "awards", "Fail": "submissions"}
SCHEMA = ModuleSchema(
    keys={
        ("Solve", "id"): KeyColumn("submissions", type="Integer"),
        ("Award", "award_id"): KeyColumn("submissions"),
    }
)


def _load(code: str, folder: Path) -> ModuleType:
    name = f"unit_submissions_{folder.name}"
    path = folder / f"{name}.py"
    path.write_text(code, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        module.Base.registry.configure()
    finally:
        del sys.modules[name]
    return module


@pytest.mark.filterwarnings("ignore:.*does not indicate a .polymorphic_identity.")  # Award, on purpose
def test_replicas_in_a_joined_inheritance_keep_the_key_their_join_goes_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "monosplit_runtime.schema", runtime_schema)
    module, removed = strip_foreign_links(
        cst.parse_module(SUBMISSIONS),
        dict.fromkeys(TABLES, True),
        keep_tables=set(),
        keep_classes=set(),
        table_of_class=TABLES,
        schema=SCHEMA,
        present_classes=set(TABLES),
        present_tables=set(TABLES.values()),
    )

    assert module.code.splitlines()[1].startswith(  # after the docstring
        "from monosplit_runtime.schema import keys_left_to_the_orm as _monosplit_orm_keys"
    )
    assert module.code.endswith(
        '_monosplit_orm_keys(\n    Award,\n    Solve,\n    replicas=("awards", "solves", "submissions"),\n)\n'
    )
    assert SUBMISSIONS.split("\n", 1)[1] in module.code and removed == ()

    unit = _load(module.code, tmp_path)
    # each keeps what its __mapper_args__ said, or what it inherited
    assert unit.Solve.__mapper__.polymorphic_identity == "correct"
    assert unit.Award.__mapper__.polymorphic_on is unit.Submission.__table__.c.type
    engine = sqlalchemy.create_engine("sqlite://")
    unit.Base.metadata.create_all(engine)
    with sqlalchemy.orm.Session(engine) as session:
        session.add_all([unit.Solve(id=1, provided="flag{a}"), unit.Fail(id=2, provided="nope")])
        session.commit()
        found = session.scalars(sqlalchemy.select(unit.Submission).order_by(unit.Submission.id)).all()
        assert [(type(s).__name__, s.provided) for s in found] == [("Solve", "flag{a}"), ("Fail", "nope")]


def test_a_subclass_keeping_its_key_gets_no_condition() -> None:
    module, removed = strip_foreign_links(
        cst.parse_module(SUBMISSIONS),
        dict.fromkeys(TABLES, False),
        keep_tables=set(TABLES.values()),
        keep_classes=set(TABLES),
        table_of_class=TABLES,
        schema=SCHEMA,
    )

    assert removed == ()
    assert module.code == SUBMISSIONS
