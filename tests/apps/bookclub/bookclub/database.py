"""Database plumbing: one engine and a global, thread-local session.

Every request uses ``db_session`` directly; ``bookclub.web`` removes it when
the application context ends.
"""

from __future__ import annotations

import os

from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker

engine = create_engine(os.environ.get("BOOKCLUB_DATABASE_URL", "sqlite:///bookclub.db"))
db_session = scoped_session(sessionmaker(bind=engine))


class Base(DeclarativeBase):
    """Declarative base shared by every feature's models."""


def init_db() -> None:
    """Create any missing table.

    The models are imported here so that each one registers its table on
    ``Base.metadata`` before ``create_all`` runs.
    """
    from bookclub.catalog import models as catalog_models  # noqa: F401
    from bookclub.lending import models as lending_models  # noqa: F401
    from bookclub.members import models as members_models  # noqa: F401
    from bookclub.reviews import models as reviews_models  # noqa: F401

    Base.metadata.create_all(bind=engine)
