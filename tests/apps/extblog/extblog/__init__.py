"""A small blog written the way real Flask apps are: extensions, mixins, loaders, forms.

It exists to show, as a regression test, the shapes of code that made splits of
public Flask apps crash at import or start-up (see tests/generator/test_flask_extensions.py).
"""

import os

from flask import Flask
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
login = LoginManager()


def create_app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL", "sqlite://")
    app.config["SECRET_KEY"] = "extblog-tests-only"
    db.init_app(app)
    login.init_app(app)
    from extblog import posts, users

    app.register_blueprint(users.bp)
    app.register_blueprint(posts.bp)
    with app.app_context():
        db.create_all()
    return app
