"""The orders service's app: it exports nothing and replicates the catalog's categories."""

from __future__ import annotations

from flask import Flask
from monosplit_runtime import install

from .db import Base, cache, close_session, engine, get_session
from .views import bp


def create_app() -> Flask:
    app = Flask(__name__)
    Base.metadata.create_all(engine)
    app.teardown_appcontext(close_session)
    cache.init_app(app)
    app.register_blueprint(bp)
    install(
        app, service="orders", exports={}, session_provider=get_session, replicas={"categories": "catalog"}
    )
    return app
