"""The catalog service's app."""

from __future__ import annotations

from flask import Flask
from monosplit_runtime import install

from . import catalog
from .db import Base, close_session, engine, get_session

EXPORTS = {
    f"shop.catalog.{function.__name__}": function
    for function in (
        catalog.add_category,
        catalog.rename_category,
        catalog.add_product,
        catalog.get_product,
        catalog.reserve,
        catalog.set_price,
        catalog.current_user,
        catalog.describe,
    )
}


#: who calls the catalog, for what: orders calls its functions, changes its products' records and
#: keeps a replica of its categories
CALLERS = {
    "orders": {"calls": sorted(EXPORTS), "rows": ["shop.models.Product"], "replicas": ["categories"]},
}


def create_app() -> Flask:
    app = Flask(__name__)
    Base.metadata.create_all(engine)
    app.teardown_appcontext(close_session)
    install(
        app,
        service="catalog",
        exports=EXPORTS,
        session_provider=get_session,
        openapi='{"openapi": "3.1.0", "info": {"title": "catalog", "version": "1"}}',
        internal_openapi='{"openapi": "3.1.0", "info": {"title": "catalog internal API", "version": "1"}}',
        callers=CALLERS,
    )
    return app
