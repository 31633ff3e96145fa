"""Who is calling: HMAC-signed requests between the units of one deployment, and what each may call.

Every request a unit sends to another unit's internal port carries

* ``X-Monosplit-Caller``: the calling unit's name;
* ``X-Monosplit-Timestamp``: when it was signed (Unix seconds);
* ``X-Monosplit-Signature``: ``v1=`` and the hex HMAC-SHA256, under the
  deployment's key, of the version, caller, callee, method, path (and query),
  the SHA-256 of the body, the timestamp and the transaction header.

The callee recomputes it and accepts the request only within
``MONOSPLIT_UNIT_AUTH_MAX_AGE`` seconds (default 60) of its timestamp, either
way. Binding the callee's name means a request signed for one unit cannot be
replayed against another; binding the transaction header means it cannot be
moved into someone else's transaction.

The key is one per deployment, never in an image or in generated files:
``MONOSPLIT_UNIT_AUTH_KEY_FILE`` names a file holding it (a Kubernetes Secret
or a compose secret mounted as a file; ``monosplit run`` generates one per
run), or ``MONOSPLIT_UNIT_AUTH_KEY`` holds it. Without a usable key nothing
is accepted and nothing can be signed: unit-to-unit traffic fails closed.

Why HMAC and not mTLS: a shared key is one file each unit reads, works the
same under ``monosplit run``, compose and Kubernetes without a certificate
authority or TLS termination in each unit, and lets the runtime authorise by
the caller's name. Its limit: every unit holds the same key, so a unit that is
compromised can sign as any other. A deployment that must contain a
compromised unit gives each unit its own identity (a service mesh's mTLS).

Authorisation follows the plan's call graph (:class:`Callers`): the
generator writes, for each unit, which units call it and for what.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "CALLER_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Callers",
    "Grant",
    "sign",
    "verify",
]

logger = logging.getLogger(__name__)

CALLER_HEADER = "X-Monosplit-Caller"
TIMESTAMP_HEADER = "X-Monosplit-Timestamp"
SIGNATURE_HEADER = "X-Monosplit-Signature"
KEY_FILE_ENV = "MONOSPLIT_UNIT_AUTH_KEY_FILE"
KEY_ENV = "MONOSPLIT_UNIT_AUTH_KEY"
MAX_AGE_ENV = "MONOSPLIT_UNIT_AUTH_MAX_AGE"
_VERSION = "v1"
#: shorter keys are refused: a guessable key authenticates nobody
MIN_KEY_LENGTH = 16


class AuthError(Exception):
    """A request that does not prove it comes from a unit of this deployment."""


@dataclass(frozen=True, slots=True)
class Grant:
    """What one calling unit may ask of this unit: functions, replicas of tables, changes to rows.

    ``secret_columns`` (``table.column``) are the secret columns its replicas carry: those its
    code reads (``User.check_password`` reads ``user.password_hash``); any other stays here.
    """

    calls: frozenset[str] = frozenset()
    replicas: frozenset[str] = frozenset()
    rows: frozenset[str] = frozenset()
    secret_columns: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Callers:
    """The units that call this one, each with its :class:`Grant`; anyone else is refused (403)."""

    grants: Mapping[str, Grant]

    @classmethod
    def of(cls, table: Mapping[str, Mapping[str, Iterable[str]]]) -> Callers:
        """From the generated ``{caller: {"calls": [...], "replicas": [...], "rows": [...], ...}}``."""
        return cls(
            {
                caller: Grant(
                    frozenset(allowed.get("calls", ())),
                    frozenset(allowed.get("replicas", ())),
                    frozenset(allowed.get("rows", ())),
                    frozenset(allowed.get("secret_columns", ())),
                )
                for caller, allowed in table.items()
            }
        )

    def may_call(self, caller: str, qualname: str) -> bool:
        grant = self.grants.get(caller)
        return grant is not None and qualname in grant.calls

    def may_read(self, caller: str, table: str) -> bool:
        grant = self.grants.get(caller)
        return grant is not None and table in grant.replicas

    def may_see(self, caller: str, table: str, column: str) -> bool:
        """Whether a replica sent to ``caller`` carries this secret column of ``table``."""
        grant = self.grants.get(caller)
        return grant is not None and f"{table}.{column}" in grant.secret_columns

    def may_change(self, caller: str, model: str) -> bool:
        grant = self.grants.get(caller)
        return grant is not None and model in grant.rows

    def takes_part(self, caller: str) -> bool:
        """Whether ``caller`` may finish a transaction here: only a unit that can do something here."""
        grant = self.grants.get(caller)
        return grant is not None and bool(grant.calls or grant.replicas or grant.rows)


class _Key:
    """The deployment's key, read once per process (and again when it was missing)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: bytes | None = None
        self._warned = False

    def get(self) -> bytes | None:
        if self._value is not None:
            return self._value
        with self._lock:
            if self._value is None:
                self._value = self._read()
            return self._value

    def _read(self) -> bytes | None:
        path = os.environ.get(KEY_FILE_ENV, "").strip()
        raw = ""
        where = KEY_ENV
        if path:
            where = path
            try:
                raw = Path(path).read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError) as exc:
                self._warn(f"cannot read the unit-to-unit key from {path}: {exc}")
                return None
        else:
            raw = os.environ.get(KEY_ENV, "").strip()
        if not raw:
            self._warn(f"no unit-to-unit key ({KEY_FILE_ENV} or {KEY_ENV}): internal requests are refused")
            return None
        if len(raw) < MIN_KEY_LENGTH:
            self._warn(
                f"the unit-to-unit key in {where} is shorter than {MIN_KEY_LENGTH} characters: refused"
            )
            return None
        return raw.encode("utf-8")

    def _warn(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            logger.error("%s", message)

    def forget(self) -> None:
        """Read the key again on next use (tests, or a rotated Secret)."""
        with self._lock:
            self._value = None
            self._warned = False


KEY = _Key()


def _max_age() -> float:
    try:
        return float(os.environ.get(MAX_AGE_ENV, "60"))
    except ValueError:
        return 60.0


def _message(
    caller: str, callee: str, method: str, path: str, body: bytes, timestamp: str, transaction: str
) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join((_VERSION, caller, callee, method.upper(), path, digest, timestamp, transaction)).encode(
        "utf-8"
    )


def sign(
    *, caller: str, callee: str, method: str, path: str, body: bytes, transaction: str = ""
) -> dict[str, str]:
    """The headers that authenticate one request from ``caller`` to ``callee``.

    ``path`` is the decoded path, with ``?query`` if any, as the callee's
    server will see it. Raises :class:`AuthError` when this process has no key.
    """
    key = KEY.get()
    if key is None:
        raise AuthError(f"cannot sign a request to the {callee} service: no unit-to-unit key is configured")
    timestamp = str(int(time.time()))
    mac = hmac.new(key, _message(caller, callee, method, path, body, timestamp, transaction), hashlib.sha256)
    return {
        CALLER_HEADER: caller,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: f"{_VERSION}={mac.hexdigest()}",
    }


def verify(headers: Any, *, callee: str, method: str, path: str, body: bytes, transaction: str = "") -> str:
    """The calling unit's name, when ``headers`` prove the request comes from a unit of this deployment.

    ``headers`` are looked up case-insensitively (werkzeug's ``Headers``).

    Raises :class:`AuthError` saying what is wrong (for the log; the caller
    of the endpoint only learns it was not authenticated).
    """
    key = KEY.get()
    if key is None:
        raise AuthError("no unit-to-unit key is configured here")
    caller = headers.get(CALLER_HEADER, "") or ""
    timestamp = headers.get(TIMESTAMP_HEADER, "") or ""
    signature = headers.get(SIGNATURE_HEADER, "") or ""
    if not caller or not timestamp or not signature:
        raise AuthError("unsigned request")
    try:
        signed_at = int(timestamp)
    except ValueError:
        raise AuthError("malformed timestamp") from None
    if abs(time.time() - signed_at) > _max_age():
        raise AuthError("expired or future signature")
    version, _, given = signature.partition("=")
    if version != _VERSION:
        raise AuthError("unknown signature version")
    expected = hmac.new(
        key, _message(caller, callee, method, path, body, timestamp, transaction), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, given):
        raise AuthError("bad signature")
    return caller
