"""HTTP layer: one blueprint per URL prefix."""
from __future__ import annotations

from flask import Flask

from . import (
    auth,
    cart,
    catalog,
    health,
    notifications,
    orders,
    payments,
    recommendations,
    stream,
    subscriptions,
    users,
)

BLUEPRINTS = (
    health.bp,
    auth.bp,
    users.bp,
    catalog.bp,
    cart.bp,
    orders.bp,
    subscriptions.bp,
    payments.bp,
    stream.bp,
    recommendations.bp,
    notifications.bp,
)


def register_blueprints(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
