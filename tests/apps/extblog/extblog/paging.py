"""Reading list options from the query string: a helper the plan puts in another unit than its caller."""

from flask import request


def requested_limit() -> int:
    """``?limit=`` (1-100, default 20): what the request being served asks for."""
    return max(1, min(request.args.get("limit", 20, type=int), 100))
