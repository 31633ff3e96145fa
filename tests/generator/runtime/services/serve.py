"""Run one test service on loopback: ``python serve.py [--port N] [--listen-after SECONDS]``.

The service's ``shop`` package and the copied ``monosplit_runtime`` come from
PYTHONPATH, its database from DATABASE_URL. It listens on two ports, as a
generated unit does: the public one (``--port``, 0 for any) and the internal
one (``--internal-port``, 0 for any, passed to the app as MONOSPLIT_INTERNAL_PORT). Prints
both ports, public first, once listening.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--internal-port", type=int, default=0)
    parser.add_argument("--listen-after", type=float, default=0.0)
    options = parser.parse_args()

    # a generated service has only its copy of the runtime: reaching back into monosplit must fail
    sys.modules["generator"] = None  # type: ignore[assignment]
    sys.modules["analyzer"] = None  # type: ignore[assignment]

    from werkzeug.serving import make_server

    time.sleep(options.listen_after)
    # the internal port is bound first: the app reads which port it is when it is created
    internal = make_server("127.0.0.1", options.internal_port, _Late(), threaded=True)
    os.environ["MONOSPLIT_INTERNAL_PORT"] = str(internal.server_port)
    from shop.app import create_app

    app = create_app()
    internal.app = app
    public = make_server("127.0.0.1", options.port, app, threaded=True)
    threading.Thread(target=internal.serve_forever, daemon=True).start()
    print(public.server_port, internal.server_port, flush=True)
    public.serve_forever()


class _Late:
    """Stands for the app until it exists (nothing is served before the ports are printed)."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise RuntimeError("not started yet")


if __name__ == "__main__":
    main()
