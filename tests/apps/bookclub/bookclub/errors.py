"""Errors the API reports to clients, each with its HTTP status.

``bookclub.web`` turns any :class:`BookclubError` into
``{"error": {"type": <class name>, "message": <text>}}``.
"""

from __future__ import annotations


class BookclubError(Exception):
    """Base class: a request the library cannot honour."""

    status: int = 400

    @property
    def error_type(self) -> str:
        return type(self).__name__


class ValidationError(BookclubError):
    """The request body or query string is malformed."""


class Unauthorized(BookclubError):
    """An admin endpoint was called without the right API key."""

    status = 401


class Forbidden(BookclubError):
    """The caller is known but not allowed to do this."""

    status = 403


class MemberInactive(Forbidden):
    """The member's account has been deactivated."""


class NotEligible(Forbidden):
    """The member has not earned the right to do this (e.g. review unread books)."""


class NotFound(BookclubError):
    """No such member, book, loan or review."""

    status = 404


class Conflict(BookclubError):
    """The request clashes with the current state."""

    status = 409


class DuplicateEmail(Conflict):
    """Another member already uses this email address."""


class LimitReached(Conflict):
    """The member already has as many books on loan as the policy allows."""


class NotAvailable(Conflict):
    """The book is on loan to someone else."""


class AlreadyReturned(Conflict):
    """The loan has already been closed."""


class AlreadyReviewed(Conflict):
    """The member has already reviewed this book."""


class ConfigurationError(BookclubError):
    """The server is missing configuration needed for this endpoint."""

    status = 503
