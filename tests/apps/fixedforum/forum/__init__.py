"""A forum that fixes its database in a configuration class, as FlaskBB does."""

import os

from flask import Flask
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
BASEDIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class DefaultConfig:
    SQLALCHEMY_DATABASE_URI = "sqlite:///" + os.path.join(BASEDIR, "forum.sqlite")
    SQLALCHEMY_TRACK_MODIFICATIONS = False


def create_app():
    app = Flask(__name__)
    app.config.from_object(DefaultConfig)
    db.init_app(app)
    from forum import boards, members

    app.register_blueprint(members.bp)
    app.register_blueprint(boards.bp)
    return app
