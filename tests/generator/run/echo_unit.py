"""A stand-in unit for the ``monosplit run`` tests: the standard library only.

Answers ``/readyz`` (200, or 503 with ``ECHO_NEVER_READY=1``) and echoes every
other request as JSON: its unit name, pid, method, path, body, the service
URLs and ``SHOP_*`` variables it was given, and the forwarded headers.
``/die-mid-answer`` sends half a chunked answer and exits with code 5. A path containing
``/call/<URL_ENV>/<rest>`` calls another unit through its service URL and embeds
the answer. ``ECHO_CRASH=1`` makes it exit with code 3 at once;
``ECHO_CRASH_ON_RESTART=1`` does so from its second start on,
``ECHO_CRASH_ON_FIRST_START=1`` on its first start only. Starts are
counted in ``$DATA_DIR``, one counter per port. It listens on ``$PORT`` and,
as a generated unit does, on ``$MONOSPLIT_INTERNAL_PORT``; each answer says
which (``"port"``).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

UNIT = os.environ["UNIT_NAME"]


def count_start() -> int:
    data = os.environ.get("DATA_DIR")
    if not data:
        return 0
    counter = Path(data) / f"starts-{os.environ['PORT']}"
    starts = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(starts))
    return starts


STARTS = count_start()


class EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so the gateway's connection pool is exercised

    def answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        if self.path == "/readyz":
            self.send(503 if os.environ.get("ECHO_NEVER_READY") else 200, {"ready": UNIT})
            return
        if self.path == "/die-mid-answer":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"5\r\nhello\r\n")
            self.wfile.flush()
            os._exit(5)
        document: dict[str, object] = {
            "unit": UNIT,
            "pid": os.getpid(),
            "method": self.command,
            "path": self.path,
            "body": body,
            "starts": STARTS,
            "port": self.server.server_address[1],
            "urls": {k: v for k, v in os.environ.items() if k.endswith("_URL")},
            "env": {k: v for k, v in os.environ.items() if k.startswith("SHOP_")},
            "headers": {
                k.lower(): v for k, v in self.headers.items() if k.lower().startswith(("x-", "host"))
            },
        }
        if "/call/" in self.path:
            variable, _, rest = self.path.split("/call/", 1)[1].partition("/")
            with urllib.request.urlopen(f"{os.environ[variable]}/{rest}", timeout=10) as called:
                document["called"] = json.loads(called.read())
        self.send(200, document)

    def send(self, status: int, document: object) -> None:
        payload = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = answer

    def log_message(self, format: str, *args: object) -> None:
        print(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else '?'}", flush=True)


if __name__ == "__main__":
    print(f"echo unit {UNIT} starting on port {os.environ['PORT']} (start {STARTS})", flush=True)
    if (
        os.environ.get("ECHO_CRASH")
        or (os.environ.get("ECHO_CRASH_ON_RESTART") and STARTS > 1)
        or (os.environ.get("ECHO_CRASH_ON_FIRST_START") and STARTS == 1)
    ):
        print("crashing on purpose", flush=True)
        sys.exit(3)
    port = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ["PORT"])
    internal = os.environ.get("MONOSPLIT_INTERNAL_PORT")
    if internal:
        inside = ThreadingHTTPServer(("127.0.0.1", int(internal)), EchoHandler)
        threading.Thread(target=inside.serve_forever, daemon=True).start()
    ThreadingHTTPServer(("127.0.0.1", port), EchoHandler).serve_forever()
