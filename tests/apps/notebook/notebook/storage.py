import os
import sqlite3

import click
from flask import current_app, g


def connection():
    if "connection" not in g:
        g.connection = sqlite3.connect(current_app.config.get("NOTEBOOK_DB"))
        g.connection.row_factory = sqlite3.Row
    return g.connection


def disconnect(error=None):
    found = g.pop("connection", None)
    if found is not None:
        found.close()


def create_tables():
    """Drop everything and create the tables afresh (the app's own setup command)."""
    with open(os.path.join(os.path.dirname(__file__), "tables.sql"), encoding="utf-8") as script:
        connection().executescript(script.read())


@click.command("create-tables")
def create_tables_command():
    create_tables()
    click.echo("Tables created.")


def init_app(app):
    app.teardown_appcontext(disconnect)
    app.cli.add_command(create_tables_command)
