"""Application settings.

Settings are read from the process environment once, when the application
factory runs, and stored on the Flask app as a frozen :class:`Config` instance
(the "settings object", see :func:`get_settings`).  Some older modules still
read a handful of knobs straight from ``os.environ`` (stream session timeouts,
the mail sender address); those are documented in the README.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from flask import current_app, has_app_context

DEV_ENVIRONMENTS = frozenset({"development", "testing"})
KNOWN_ENVIRONMENTS = DEV_ENVIRONMENTS | {"production", "staging"}

# Obviously-fake values used only when STREAMSHOP_ENV is development/testing.
_DEV_SECRET_KEY = "insecure-dev-only-secret-key"
_DEV_GATEWAY_KEY = "insecure-dev-only-gateway-key"

SETTINGS_EXTENSION_KEY = "streamshop.settings"


class ConfigError(RuntimeError):
    """Raised when the environment does not describe a usable configuration."""


def _env_int(environ: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be >= {minimum}, got {value}")
    return value


def _env_bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be a boolean (true/false), got {raw!r}")


def normalize_database_url(url: str) -> str:
    """Accept Heroku-style ``postgres://`` URLs and select the psycopg 3 driver."""
    url = url.strip()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


@dataclass(frozen=True)
class Config:
    """Typed view of the environment variables the application understands."""

    env: str
    secret_key: str
    database_url: str
    payment_gateway_key: str
    smtp_host: str
    smtp_port: int
    currency: str
    prime_monthly_price_cents: int
    shipping_flat_fee_cents: int
    free_shipping_threshold_cents: int
    tax_rate_bps: int
    recommendation_limit: int
    stream_cdn_base_url: str
    token_max_age_seconds: int
    admin_emails: frozenset[str]
    seed_demo_data: bool
    sql_echo: bool
    log_level: str

    @property
    def is_development(self) -> bool:
        return self.env in DEV_ENVIRONMENTS

    @property
    def is_testing(self) -> bool:
        return self.env == "testing"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """Build the settings from ``environ`` (defaults to ``os.environ``)."""
        environ = os.environ if environ is None else environ
        env = environ.get("STREAMSHOP_ENV", "production").strip().lower() or "production"
        if env not in KNOWN_ENVIRONMENTS:
            raise ConfigError(
                f"STREAMSHOP_ENV must be one of {sorted(KNOWN_ENVIRONMENTS)}, got {env!r}"
            )
        is_dev = env in DEV_ENVIRONMENTS

        secret_key = environ.get("SECRET_KEY", "").strip()
        if not secret_key:
            if not is_dev:
                raise ConfigError(
                    "SECRET_KEY must be set (it signs bearer tokens and stream URLs). "
                    "Set STREAMSHOP_ENV=development to use a throwaway local key."
                )
            secret_key = _DEV_SECRET_KEY
        elif not is_dev and (secret_key == _DEV_SECRET_KEY or len(secret_key) < 16):
            raise ConfigError("SECRET_KEY is too weak for a non-development environment")

        gateway_key = environ.get("PAYMENT_GATEWAY_KEY", "").strip()
        if not gateway_key:
            if not is_dev:
                raise ConfigError("PAYMENT_GATEWAY_KEY must be set outside development")
            gateway_key = _DEV_GATEWAY_KEY

        currency = environ.get("STREAMSHOP_CURRENCY", "USD").strip().upper()
        if len(currency) != 3:
            raise ConfigError(f"STREAMSHOP_CURRENCY must be an ISO 4217 code, got {currency!r}")

        admin_emails = frozenset(
            part.strip().lower()
            for part in environ.get("ADMIN_EMAILS", "").split(",")
            if part.strip()
        )

        return cls(
            env=env,
            secret_key=secret_key,
            database_url=normalize_database_url(
                environ.get("DATABASE_URL", "") or "sqlite:///streamshop.db"
            ),
            payment_gateway_key=gateway_key,
            smtp_host=environ.get("SMTP_HOST", "localhost").strip(),
            smtp_port=_env_int(environ, "SMTP_PORT", 25, minimum=1),
            currency=currency,
            prime_monthly_price_cents=_env_int(
                environ, "PRIME_MONTHLY_PRICE_CENTS", 899, minimum=1
            ),
            shipping_flat_fee_cents=_env_int(environ, "SHIPPING_FLAT_FEE_CENTS", 499),
            free_shipping_threshold_cents=_env_int(environ, "FREE_SHIPPING_THRESHOLD_CENTS", 5000),
            tax_rate_bps=_env_int(environ, "TAX_RATE_BPS", 800),
            recommendation_limit=_env_int(environ, "RECOMMENDATION_LIMIT", 6, minimum=1),
            stream_cdn_base_url=environ.get(
                "STREAM_CDN_BASE_URL", "https://cdn.streamshop.invalid/hls"
            ).rstrip("/"),
            token_max_age_seconds=_env_int(environ, "TOKEN_MAX_AGE_SECONDS", 86400, minimum=60),
            admin_emails=admin_emails,
            seed_demo_data=_env_bool(environ, "SEED_DEMO_DATA", True),
            sql_echo=_env_bool(environ, "SQL_ECHO", False),
            log_level=environ.get("LOG_LEVEL", "INFO").strip().upper(),
        )

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, object]) -> Config:
        """Settings from ``os.environ`` with some variables replaced (used by tests)."""
        environ = dict(os.environ)
        environ.update({key: str(value) for key, value in overrides.items()})
        return cls.from_env(environ)

    def flask_config(self) -> dict[str, object]:
        """The subset of settings Flask itself cares about."""
        return {
            "SECRET_KEY": self.secret_key,
            "TESTING": self.is_testing,
        }

    def public_summary(self) -> dict[str, object]:
        """Settings that are safe to log (secrets are left out)."""
        secret_fields = {"secret_key", "payment_gateway_key"}
        summary: dict[str, object] = {}
        for item in fields(self):
            if item.name in secret_fields:
                continue
            value = getattr(self, item.name)
            summary[item.name] = sorted(value) if isinstance(value, frozenset) else value
        summary["database_url"] = self.database_url.split("@")[-1]
        return summary


def get_settings() -> Config:
    """Return the settings of the running app, or fresh ones read from the environment."""
    if has_app_context():
        return current_app.extensions[SETTINGS_EXTENSION_KEY]
    return Config.from_env()
