"""Run one test service on loopback: ``python serve.py [--port N] [--listen-after SECONDS]``.

The service's ``shop`` package and the copied ``monosplit_runtime`` come from
PYTHONPATH, its database from DATABASE_URL. Prints the port once listening.
"""

from __future__ import annotations

import argparse
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--listen-after", type=float, default=0.0)
    options = parser.parse_args()

    # a generated service has only its copy of the runtime: reaching back into monosplit must fail
    sys.modules["generator"] = None  # type: ignore[assignment]
    sys.modules["analyzer"] = None  # type: ignore[assignment]

    from shop.app import create_app
    from werkzeug.serving import make_server

    app = create_app()
    time.sleep(options.listen_after)
    server = make_server("127.0.0.1", options.port, app, threaded=True)
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
