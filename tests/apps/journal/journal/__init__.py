"""Journal: authors write entries and tag them.

Its schema is made by its migrations (``flask --app journal db upgrade``),
never by ``create_all``: a database nobody migrated has no tables.
"""

from __future__ import annotations

import os

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
migrate = Migrate()


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("JOURNAL_DATABASE_URL", "sqlite:///journal.db")
    db.init_app(app)
    migrate.init_app(app, db)

    from journal.authors import bp as authors_bp
    from journal.entries import bp as entries_bp

    app.register_blueprint(authors_bp)
    app.register_blueprint(entries_bp)
    return app
