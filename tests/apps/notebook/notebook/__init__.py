"""Notebook: a tiny Flask app on sqlite3 alone, its tables in an SQL script, its file a config default."""

import os

from flask import Flask


def create_app(settings=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(NOTEBOOK_DB=os.path.join(app.instance_path, "notebook.db"))
    if settings:
        app.config.update(settings)
    os.makedirs(app.instance_path, exist_ok=True)

    from . import notes, storage, writers

    storage.init_app(app)
    app.register_blueprint(writers.bp)
    app.register_blueprint(notes.bp)
    return app
