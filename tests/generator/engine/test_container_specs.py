"""What each container of ``--engine docker`` is started with (pure, no engine needed)."""

from __future__ import annotations

import json
from pathlib import Path

from generator.run import load_manifest
from generator.run.docker_engine import container_specs, passthrough_keys

MICROSERVICES = Path(__file__).resolve().parents[3] / "output" / "microservices"


def test_compose_passthrough_settings_are_read_per_service() -> None:
    keys = passthrough_keys(MICROSERVICES / "compose.yaml")
    assert "STREAMSHOP_ENV" in keys["cart"]
    assert "DATABASE_URL" not in keys["cart"]  # it has a value: not passed through
    assert passthrough_keys(MICROSERVICES / "no-such-file.yaml") == {}


def test_containers_find_each_other_by_unit_name_and_keep_data_on_a_volume() -> None:
    manifest = load_manifest(MICROSERVICES)
    images = {name: f"img-{name}" for name in manifest.unit_names}
    specs = container_specs(
        manifest,
        images,
        prefix="run",
        replicas={"catalog": 2},
        inherited_env={"STREAMSHOP_ENV": "development", "PATH": "/host/bin"},
        overrides={"LOG_LEVEL": "DEBUG"},
    )
    names = [spec.name for spec in specs if spec.unit == "catalog"]
    assert names == ["run-catalog", "run-catalog-2"]
    cart = dict(next(spec for spec in specs if spec.unit == "cart").env)
    # units call each other on the internal port
    assert cart["CATALOG_URL"] == "http://catalog:8001"
    assert cart["DATABASE_URL"] == "sqlite:////data/cart.db"
    assert cart["STREAMSHOP_ENV"] == "development"
    assert cart["LOG_LEVEL"] == "DEBUG"
    assert "PATH" not in cart  # the image's PATH (its virtualenv) stays
    assert {spec.volume for spec in specs if spec.unit == "catalog"} == {"run-catalog-data"}


def test_units_given_the_shared_data_folder_share_one_volume(tmp_path: Path) -> None:
    # an app on sqlite3 alone: every unit opens the one file its setting names, under {shared}
    units = [
        {
            "name": name,
            "directory": name,
            "command": ["{python}", "-m", "gunicorn", "service_main:app"],
            "env": {"MONOSPLIT_SERVICE": name, "DATABASE": "{shared}/database.sqlite"},
            "ready": "/readyz",
            "url_env": f"{name.upper()}_URL",
            "public": True,
            "routes": [],
        }
        for name in ("auth", "posts")
    ]
    document = {
        "format": "monosplit-run",
        "version": 1,
        "architecture": "microservices",
        "default_unit": "posts",
        "units": units,
    }
    (tmp_path / "monosplit-run.json").write_text(json.dumps(document))
    for name in ("auth", "posts"):
        (tmp_path / name).mkdir()
    manifest = load_manifest(tmp_path)
    specs = container_specs(
        manifest,
        {"auth": "img-auth", "posts": "img-posts"},
        prefix="run",
        replicas={},
        inherited_env={},
        overrides={},
    )
    assert {spec.volume for spec in specs} == {"run-shared-data"}
    assert {dict(spec.env)["DATABASE"] for spec in specs} == {"/data/database.sqlite"}
