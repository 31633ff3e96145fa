import functools


def within_limit(limit, text):
    return 0 < len(text) <= limit


class PostForm:
    """What a WTForms form is to a route: a class its handler instantiates per request."""

    #: a function named in a class body (as ``query_factory=...`` in WTForms fields)
    check = functools.partial(within_limit, 200)

    def __init__(self, data):
        self.body = (data.get("body") or "").strip()

    def validate(self):
        return self.check(self.body)
