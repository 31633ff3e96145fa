"""Schema migrations: Flask-Migrate set up on an app, and Alembic environments.

Flask-Migrate is set up in code (``Migrate(app, db)``, or ``migrate =
Migrate()`` then ``migrate.init_app(app, db)``), with its scripts in the
folder ``directory=`` names, ``migrations`` by default, relative to where
the app runs. An Alembic environment is its ``env.py``, which the analysis
reads only when migrations are included (``--include-migrations``) or kept
in a folder not called ``migrations``: it calls ``context.run_migrations()``
and names the metadata it migrates with ``context.configure(target_metadata=...)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from analyzer.facts import Attr, CallOf, Expr
from analyzer.frameworks.base import Framework, Migrations, MigrationTool, argument, literal_str
from analyzer.frameworks.sqlalchemy import metadata_object
from analyzer.values import ExtInst

if TYPE_CHECKING:
    from analyzer.resolve import CallSite, Resolver

#: Flask-Migrate's folder when the code names none
DEFAULT_DIRECTORY = "migrations"


def _calls(site: CallSite, path: str) -> bool:
    """Whether ``site`` calls the external ``path`` (``flask_migrate.Migrate.init_app``)."""
    return any(getattr(value, "path", "") == path for value in site.values)


class SchemaMigrations(Framework):
    name = "migrations"

    def migrations(self, resolver: Resolver, module: str, sites: Sequence[CallSite]) -> Iterable[Migrations]:
        found: set[Migrations] = set()
        env_metadata: list[str] = []
        runs_alembic = False
        for site in sites:
            call = CallOf(site.fact.func, site.fact.args, site.fact.kwargs)
            if _calls(site, "flask_migrate.Migrate"):
                database = argument(call, 1, "db")
                if database is not None:  # Migrate() alone: init_app says the rest
                    found.add(self._flask_migrate(resolver, site, database, argument(call, 2, "directory")))
            elif _calls(site, "flask_migrate.Migrate.init_app"):
                database = argument(call, 1, "db")
                directory = argument(call, 2, "directory")
                if directory is None and isinstance(site.fact.func, Attr):
                    directory = self._constructor_directory(resolver, site, site.fact.func.base)
                if database is not None:
                    found.add(self._flask_migrate(resolver, site, database, directory))
            elif _calls(site, "alembic.context.run_migrations"):
                runs_alembic = True
            elif _calls(site, "alembic.context.configure"):
                target = argument(call, -1, "target_metadata")
                if target is not None:
                    env_metadata.append(metadata_object(resolver, site.module, site.scope, target))
        if runs_alembic:
            facts = resolver.modules[module]
            # Flask-Migrate's own env.py reads the app (``current_app``) for its metadata and URL
            tool: MigrationTool = (
                "flask-migrate"
                if any(imp.module.split(".")[0] == "flask" for imp in facts.imports)
                else "alembic"
            )
            folder = str(PurePosixPath(facts.path).parent)
            found.add(Migrations(tool, folder, next((m for m in env_metadata if m), "")))
        return sorted(found)

    @staticmethod
    def _flask_migrate(
        resolver: Resolver, site: CallSite, database: Expr, directory: Expr | None
    ) -> Migrations:
        named = literal_str(directory) if directory is not None else None
        return Migrations(
            "flask-migrate",
            str(PurePosixPath(named)) if named else DEFAULT_DIRECTORY,
            metadata_object(resolver, site.module, site.scope, database),
        )

    @staticmethod
    def _constructor_directory(resolver: Resolver, site: CallSite, migrate: Expr) -> Expr | None:
        """``directory=`` given where the ``Migrate()`` object that ``init_app`` is called on was made."""
        for value in resolver.eval(site.module, site.scope, migrate):
            if isinstance(value, ExtInst) and value.call is not None:
                found = argument(value.call, 2, "directory")
                if found is not None:
                    return found
        return None
