"""generator/runtime is copied verbatim into every generated service: it has to stand alone."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap

import generator.runtime as runtime

from .conftest import RUNTIME, ServiceLauncher

DEPENDENCIES = {"flask", "werkzeug", "urllib3", "prometheus_client"}
#: imported only inside functions: when there is a database, and when the app has migrations
OPTIONAL = {"sqlalchemy", "alembic"}


def test_the_runtime_imports_itself_the_standard_library_and_its_dependencies_only() -> None:
    wrong = []
    for path in sorted(RUNTIME.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                root = module.partition(".")[0]
                allowed = root in sys.stdlib_module_names or root in DEPENDENCIES
                if root in OPTIONAL:
                    allowed = id(node) not in top_level
                if not allowed:
                    wrong.append(f"{path.name}:{node.lineno} imports {module}")
    assert wrong == []


def test_the_runtime_is_one_flat_package() -> None:
    entries = sorted(path.name for path in RUNTIME.iterdir() if path.name != "__pycache__")
    assert entries == [
        "__init__.py",
        "auth.py",
        "client.py",
        "codec.py",
        "environment.py",
        "errors.py",
        "flask_server.py",
        "guard.py",
        "gunicorn_conf.py",
        "metrics.py",
        "replica_writes.py",
        "schema.py",
        "secret_columns.py",
        "sql_script.py",
        "transactions.py",
        "urls.py",
    ]


def test_the_public_surface() -> None:
    assert runtime.__all__ == sorted(runtime.__all__)
    assert all(hasattr(runtime, name) for name in runtime.__all__)
    assert {"ServiceClient", "RemoteRecord", "install", "encode", "decode", "RemoteError"} <= set(
        runtime.__all__
    )


def test_the_copy_serves_without_sqlalchemy_or_monosplit(launcher: ServiceLauncher) -> None:
    script = textwrap.dedent(
        """
        import sys
        for missing in ("sqlalchemy", "generator", "analyzer"):
            sys.modules[missing] = None
        import json
        from flask import Flask
        from monosplit_runtime import decode, encode, install
        from monosplit_runtime.auth import sign

        def add(a: int, b: int) -> int:
            return a + b

        app = Flask("tiny")
        install(app, service="tiny", exports={"tiny.add": add}, callers={"big": {"calls": ["tiny.add"]}})
        client = app.test_client()
        assert client.get("/healthz").json == {"status": "ok", "service": "tiny"}
        assert client.get("/readyz").status_code == 200
        body = json.dumps({"args": [1], "kwargs": {"b": 2}}).encode()
        path = "/_monosplit/call/tiny.add"
        headers = sign(caller="big", callee="tiny", method="POST", path=path, body=body)
        internal = "http://localhost:8001"
        answer = client.post(path, data=body, headers=headers, content_type="application/json", base_url=internal)
        assert answer.json == {"result": 3}, answer.json
        assert decode(encode(({1, 2}, b"x"))) == ({1, 2}, b"x")
        print("ok")
        """
    )
    environment = {**os.environ, "PYTHONPATH": str(launcher.site)}
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "ok"), result.stderr
