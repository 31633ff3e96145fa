from __future__ import annotations

import pytest
from streamshop.config import Config, ConfigError, normalize_database_url

BASE_ENV = {"DATABASE_URL": "sqlite:///:memory:"}


def test_production_requires_secret_key() -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Config.from_env({**BASE_ENV, "STREAMSHOP_ENV": "production"})


def test_production_rejects_weak_secret_and_missing_gateway_key() -> None:
    with pytest.raises(ConfigError, match="too weak"):
        Config.from_env({**BASE_ENV, "STREAMSHOP_ENV": "production", "SECRET_KEY": "short"})
    with pytest.raises(ConfigError, match="PAYMENT_GATEWAY_KEY"):
        Config.from_env({**BASE_ENV, "STREAMSHOP_ENV": "production", "SECRET_KEY": "x" * 40})
    settings = Config.from_env(
        {**BASE_ENV, "SECRET_KEY": "x" * 40, "PAYMENT_GATEWAY_KEY": "gw-key"}
    )
    assert settings.env == "production" and not settings.is_development


def test_development_gets_throwaway_defaults() -> None:
    settings = Config.from_env({"STREAMSHOP_ENV": "development"})
    assert settings.is_development
    assert "insecure" in settings.secret_key
    assert settings.database_url == "sqlite:///streamshop.db"
    assert settings.prime_monthly_price_cents == 899


def test_numeric_knobs_are_validated() -> None:
    with pytest.raises(ConfigError, match="PRIME_MONTHLY_PRICE_CENTS"):
        Config.from_env({"STREAMSHOP_ENV": "testing", "PRIME_MONTHLY_PRICE_CENTS": "cheap"})
    with pytest.raises(ConfigError, match="STREAMSHOP_ENV"):
        Config.from_env({"STREAMSHOP_ENV": "qa"})


def test_postgres_urls_use_psycopg_driver() -> None:
    assert normalize_database_url("postgres://u:p@db/shop") == "postgresql+psycopg://u:p@db/shop"
    assert normalize_database_url("postgresql://u:p@db/shop") == "postgresql+psycopg://u:p@db/shop"
    assert normalize_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_public_summary_hides_secrets() -> None:
    settings = Config.from_env(
        {
            "STREAMSHOP_ENV": "testing",
            "DATABASE_URL": "postgresql://app:hunter2@db:5432/shop",
            "PAYMENT_GATEWAY_KEY": "gw-secret",
        }
    )
    summary = settings.public_summary()
    assert "secret_key" not in summary and "payment_gateway_key" not in summary
    assert "hunter2" not in str(summary)
