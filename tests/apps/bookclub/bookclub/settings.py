"""Configuration, read once from the environment when the app is imported.

``BOOKCLUB_DATABASE_URL`` is read by :mod:`bookclub.database`.
"""

from __future__ import annotations

import os


def _int_from_env(name: str, default: int) -> int:
    """Read a positive integer setting, failing loudly on a bad value."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise RuntimeError(f"{name} must be an integer, got {raw!r}") from None
    if value < 1:
        raise RuntimeError(f"{name} must be at least 1, got {value}")
    return value


#: ``development`` enables conveniences that must never reach production.
ENV: str = os.environ.get("BOOKCLUB_ENV", "production")

#: How many books one member may have on loan at the same time.
MAX_LOANS: int = _int_from_env("BOOKCLUB_MAX_LOANS", 3)

#: Length of a loan, in days.
LOAN_DAYS: int = _int_from_env("BOOKCLUB_LOAN_DAYS", 14)

#: Late fee per day overdue, and the most one loan can ever cost.
FINE_PER_DAY_CENTS: int = _int_from_env("BOOKCLUB_FINE_PER_DAY_CENTS", 25)
MAX_FINE_CENTS: int = _int_from_env("BOOKCLUB_MAX_FINE_CENTS", 1000)

#: Key expected in the ``X-API-Key`` header of admin requests.  Required:
#: without it admin endpoints are disabled, except in development.
API_KEY: str | None = os.environ.get("BOOKCLUB_API_KEY") or (
    "dev-admin-key" if ENV == "development" else None
)
