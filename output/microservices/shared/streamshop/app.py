"""Application factory."""
from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Flask, jsonify
from flask.json.provider import DefaultJSONProvider
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from . import __version__
from .blueprints import register_blueprints
from .config import SETTINGS_EXTENSION_KEY, Config
from .db import (
    SESSIONMAKER_EXTENSION_KEY,
    close_session,
    get_engine,
    init_db,
    make_sessionmaker,
    session_scope,
)
from .services.catalog import seed_demo_catalog
from .utils.errors import AppError

logger = logging.getLogger("streamshop")


def create_app(config: Config | Mapping[str, object] | None = None) -> Flask:
    """Build the WSGI application.

    ``config`` may be a ready :class:`Config`, or a mapping of environment
    variable names to values that override ``os.environ`` (handy in tests).
    """
    if isinstance(config, Config):
        settings = config
    elif config is not None:
        settings = Config.with_overrides(config)
    else:
        settings = Config.from_env()

    configure_logging(settings)
    app = Flask("streamshop")
    app.config.update(settings.flask_config())
    if isinstance(app.json, DefaultJSONProvider):
        app.json.sort_keys = False  # keep fields in the order the serializers build them
    app.extensions[SETTINGS_EXTENSION_KEY] = settings

    engine = get_engine(settings.database_url, echo=settings.sql_echo)
    factory = make_sessionmaker(engine)
    app.extensions[SESSIONMAKER_EXTENSION_KEY] = factory
    init_db(engine)
    if settings.seed_demo_data:
        try:
            with app.app_context(), session_scope(factory) as session:
                seed_demo_catalog(session)
        except IntegrityError:
            # Several workers booting at once: another one inserted the rows first.
            logger.info("demo catalog already seeded by another process")

    register_blueprints(app)
    register_error_handlers(app)
    app.teardown_appcontext(close_session)
    logger.info("StreamShop %s started: %s", __version__, settings.public_summary())
    return app


def configure_logging(settings: Config) -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("streamshop").setLevel(settings.log_level)


def register_error_handlers(app: Flask) -> None:
    """Every error leaves the API as ``{"error": {"code": ..., "message": ...}}``."""

    @app.errorhandler(AppError)
    def handle_app_error(exc: AppError) -> ResponseReturnValue:
        return jsonify(exc.to_dict()), exc.status_code

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException) -> ResponseReturnValue:
        code = (exc.name or "error").lower().replace(" ", "_")
        return jsonify(error={"code": code, "message": exc.description}), exc.code or 500

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> ResponseReturnValue:
        logger.exception("unhandled error: %s", exc)
        return jsonify(error={"code": "internal_error", "message": "internal server error"}), 500
