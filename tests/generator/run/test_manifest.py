from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from generator.run.manifest import MANIFEST_NAME, ManifestError, RouteRule, load_manifest


def valid_document() -> dict[str, Any]:
    return {
        "format": "monosplit-run",
        "version": 1,
        "architecture": "microservices",
        "default_unit": "web",
        "units": [
            {
                "name": "catalog",
                "directory": "catalog",
                "command": ["{python}", "-m", "gunicorn", "--bind", "127.0.0.1:{port}", "service_main:app"],
                "env": {"DATABASE_URL": "sqlite:///{data}/catalog.db", "STREAMSHOP_ENV": "development"},
                "ready": "/readyz",
                "url_env": "CATALOG_URL",
                "public": True,
                "routes": [
                    {"rule": "/api/products/<int:product_id>", "methods": ["GET", "patch"]},
                    {"rule": "/api/products", "methods": ["GET", "POST"]},
                ],
            },
            {
                "name": "web",
                "directory": "./services/web/",
                "command": ["{python}", "app.py"],
                "ready": "/",
                "url_env": "WEB_URL",
            },
            {
                "name": "billing",
                "directory": "billing",
                "command": ["{python}", "app.py"],
                "env": {},
                "ready": "/readyz",
                "url_env": "BILLING_URL",
                "public": False,
                "routes": [{"rule": "/api/payments", "methods": []}],
            },
        ],
    }


def write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / MANIFEST_NAME
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_a_valid_manifest_loads_into_frozen_dataclasses(tmp_path: Path) -> None:
    manifest = load_manifest(write(tmp_path, valid_document()))
    assert manifest.path == (tmp_path / MANIFEST_NAME).resolve()
    assert manifest.root == tmp_path.resolve()
    assert (manifest.architecture, manifest.default_unit) == ("microservices", "web")
    assert manifest.unit_names == ("catalog", "web", "billing")
    catalog = manifest.unit("catalog")
    assert catalog.command[0] == "{python}"
    assert catalog.env_map == {"DATABASE_URL": "sqlite:///{data}/catalog.db", "STREAMSHOP_ENV": "development"}
    assert catalog.routes[0] == RouteRule("/api/products/<int:product_id>", frozenset({"GET", "PATCH"}))
    web = manifest.unit("web")
    assert (web.directory, web.public, web.routes, web.env) == ("services/web", True, (), ())
    with pytest.raises(AttributeError):
        catalog.name = "other"  # type: ignore[misc]


def test_the_architecture_folder_is_as_good_as_the_file(tmp_path: Path) -> None:
    write(tmp_path, valid_document())
    assert load_manifest(tmp_path) == load_manifest(tmp_path / MANIFEST_NAME)


def test_private_units_give_the_gateway_no_routes(tmp_path: Path) -> None:
    manifest = load_manifest(write(tmp_path, valid_document()))
    assert [(unit, rule) for unit, rule, _ in manifest.public_routes] == [
        ("catalog", "/api/products/<int:product_id>"),
        ("catalog", "/api/products"),
    ]


def test_a_missing_manifest_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match=f"no {MANIFEST_NAME} here"):
        load_manifest(tmp_path)
    with pytest.raises(ManifestError, match="no such file"):
        load_manifest(tmp_path / "nope.json")


def test_invalid_json_is_one_line_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / MANIFEST_NAME
    path.write_text('{"format": "monosplit-run",\n "version": }', encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    assert str(caught.value).startswith(f"{path}: not valid JSON")
    assert "\n" not in str(caught.value)


def _set(document: dict[str, Any], dotted: str, value: object) -> None:
    """Set (or, for the value DELETE, remove) a field addressed like ``units.0.routes.1.rule``."""
    *parents, last = dotted.split(".")
    target: Any = document
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is DELETE:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value


DELETE = object()


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("format", "something-else", "format must be 'monosplit-run'"),
        ("version", 2, "unsupported version 2"),
        ("architecture", DELETE, "architecture must be a non-empty string"),
        ("units", [], "units must be a non-empty list"),
        ("units", {"catalog": {}}, "units must be a non-empty list"),
        ("units.0", "catalog", "units[0] must be a JSON object"),
        ("default_unit", "nowhere", "default_unit 'nowhere' is not one of the units (catalog, web, billing)"),
        ("default_unit", "billing", "default_unit 'billing' is not public"),
        ("units.0.name", "", "units[0].name must be a non-empty string"),
        ("units.0.name", "bad name", "units[0].name 'bad name': use letters"),
        ("units.1.name", "catalog", "two units share the unit name 'catalog'"),
        ("units.0.directory", "../elsewhere", "directory '../elsewhere' must not contain '..'"),
        ("units.0.directory", "a/../../b", "must not contain '..'"),
        ("units.0.directory", "/srv/catalog", "must be a relative path inside the manifest's folder"),
        ("units.0.directory", "C:/catalog", "must be a relative path"),
        ("units.0.directory", 3, "unit 'catalog': directory must be a string"),
        ("units.0.command", [], "unit 'catalog': command must not be empty"),
        ("units.0.command", "python app.py", "unit 'catalog': command must be a list of strings"),
        ("units.0.command", ["python", 3], "command must be a list of strings"),
        ("units.0.env", ["A=1"], "unit 'catalog': env must be a JSON object"),
        ("units.0.env", {"A": 1}, "env: A must be a string"),
        ("units.0.env", {"A-B": "1"}, "'A-B' is not an environment variable name"),
        ("units.0.ready", "readyz", "ready must be a path starting with '/'"),
        ("units.0.ready", DELETE, "unit 'catalog': ready must be a non-empty string"),
        ("units.0.url_env", "catalog-url", "url_env 'catalog-url' is not a usable"),
        ("units.0.url_env", "PORT", "url_env 'PORT' is not a usable"),
        ("units.1.url_env", "CATALOG_URL", "two units share the url_env 'CATALOG_URL'"),
        ("units.0.public", "yes", "public must be true or false"),
        ("units.0.routes", {"rule": "/x"}, "routes must be a list"),
        ("units.0.routes.0", "/x", "routes[0] must be a JSON object"),
        ("units.0.routes.0.rule", "api/x", "routes[0].rule 'api/x': a rule must start with '/'"),
        ("units.0.routes.1.rule", "/p/<nope:x>", "routes[1].rule '/p/<nope:x>': unknown converter 'nope'"),
        ("units.0.routes.0.methods", "GET", "routes[0].methods must be a list of strings"),
        ("units.0.routes.0.methods", ["GET GET"], "'GET GET' is not an HTTP method"),
    ],
)
def test_malformed_manifests_are_one_line_naming_file_and_problem(
    tmp_path: Path, field: str, value: object, problem: str
) -> None:
    document = copy.deepcopy(valid_document())
    _set(document, field, value)
    path = write(tmp_path, document)
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    message = str(caught.value)
    assert message.startswith(f"{path.resolve()}: ")
    assert problem in message
    assert "\n" not in message


def test_a_manifest_that_is_not_an_object_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="the manifest must be a JSON object"):
        load_manifest(write(tmp_path, [1, 2]))


def test_unknown_fields_are_ignored_for_forward_compatibility(tmp_path: Path) -> None:
    document = valid_document()
    document["generated_by"] = "monosplit 0.2"
    document["units"][0]["description"] = "the catalog"
    assert load_manifest(write(tmp_path, document)).unit("catalog").name == "catalog"


def test_an_empty_directory_means_the_manifest_folder(tmp_path: Path) -> None:
    document = valid_document()
    document["units"][1]["directory"] = ""
    assert load_manifest(write(tmp_path, document)).unit("web").directory == "."
