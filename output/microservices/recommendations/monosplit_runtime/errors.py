"""Errors of the hop itself, as opposed to exceptions a remote function raised.

An exception raised by the called function travels back as its own class
(see :mod:`.codec`); these are for everything else: the callee could not be
reached, did not export the function, rejected the arguments, or a value
could not be put on the wire. Each carries ``status_code`` so that one
service re-raising it answers its own caller with the same HTTP status.
"""

from __future__ import annotations

from typing import ClassVar


class RemoteError(Exception):
    """A call to another service failed for a reason other than the callee's own exception.

    Dynamic stand-ins for exception classes the caller cannot import also
    derive from this class, so ``except RemoteError`` catches every failure
    that came from across a service boundary.
    """

    status_code: ClassVar[int] = 502
    remote_service: str | None
    remote_traceback: str

    def __init__(self, message: str, *, service: str | None = None) -> None:
        super().__init__(message)
        self.remote_service = service
        self.remote_traceback = ""


class ServiceUnavailable(RemoteError):
    """The service could not be reached, or gave no complete answer, within the allowed time."""

    status_code: ClassVar[int] = 503


class UnknownExport(RemoteError, LookupError):
    """The service does not export the function that was called."""

    status_code: ClassVar[int] = 404


class BadArguments(RemoteError, TypeError):
    """The arguments do not fit the exported function's signature, or could not be decoded."""

    status_code: ClassVar[int] = 400


class UnencodableValue(TypeError):
    """A value has no wire form; the message names its type and where it sits in the call."""


class UndecodableValue(ValueError):
    """Wire data is malformed, or names a context (a database session, the request) this process lacks."""

    status_code: ClassVar[int] = 400


class NotAuthenticated(RemoteError):
    """An internal request without a valid signature of a unit of this deployment."""

    status_code: ClassVar[int] = 401


class NotAllowed(RemoteError):
    """An authenticated unit asked for something the plan's call graph does not let it ask this unit for."""

    status_code: ClassVar[int] = 403
