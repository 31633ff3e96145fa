"""Reading an answer for comparison: what in it is the application's, and what is the run's.

Pure. An answer becomes an :class:`Answer`: its status, media type, redirect
target and body, where the body is read as JSON (a value: key order does not
count), as text (HTML included: a sequence of tokens) or as bytes (a digest).

Some values differ from one run to the next whatever the architecture, and are
replaced by placeholders before anything is compared:

- the address the run was reached at (``{base}``, ``{host}``) and its temporary
  data folder (``{data}``);
- date-times (ISO 8601, HTTP dates, and dates written out with a time of day, as
  pages show them: ``08 December 2026 - 00:34``, ``Dec 8, 2026, 12:34 PM``), UUIDs
  and JSON Web Tokens;
- ages counted from the clock, as pages show them (``a few seconds ago``, ``3
  minutes``, ``an hour``): the architectures are run one after another, so what
  the monolith showed as seconds old is minutes old in the next.

What else is volatile (CSRF tokens, random ids, counters) is not guessed here:
:mod:`generator.verify.compare` learns it by running the monolith twice.

>>> read_json_text('{"b": 1, "a": "2024-05-01T10:00:00Z"}', Placeholders())
{'a': '<datetime>', 'b': 1}
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import zlib
from dataclasses import dataclass
from typing import Any

from generator.verify.exchanges import Exchange

_DATETIME = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_HTTP_DATE = re.compile(
    r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} (?:GMT|[+-]\d{4})"
)
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_TIME_OF_DAY = r"\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp]\.?[Mm]\.?)?"
#: a date written out, then a time of day: only together, since a date alone is usually data
_WRITTEN_DATETIME = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)? {_MONTH},? \d{{4}}|{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}"
    rf"|\d{{1,2}}[./]\d{{1,2}}[./]\d{{4}})(?:,|\s+-|\s+at)?\s+{_TIME_OF_DAY}\b"
)
_AGE = re.compile(r"\b(?:(?:a few|an?|\d+) )?(?:seconds?|minutes?|hours?)(?: ago)?\b")
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
# A token is a run of characters without spaces, quotes, '=' or tag brackets, or one
# of those characters: an attribute value, a word, a CSRF token each stay whole.
_TOKEN = re.compile(r"""[^\s<>"'=]+|[<>"'=]""")


@dataclass(frozen=True, slots=True)
class Placeholders:
    """What one run calls its own: the base URL requests went to and its data folder."""

    base_url: str = ""
    data_root: str = ""

    def apply(self, text: str) -> str:
        """``text`` with this run's addresses and folders, then date-times, UUIDs and JWTs, as placeholders."""
        if self.base_url:
            text = text.replace(self.base_url, "{base}")
            host = self.base_url.split("://", 1)[-1]
            text = text.replace(host, "{host}")
        if self.data_root:
            text = text.replace(self.data_root, "{data}")
        text = _JWT.sub("<jwt>", text)
        text = _HTTP_DATE.sub("<datetime>", text)
        text = _DATETIME.sub("<datetime>", text)
        text = _WRITTEN_DATETIME.sub("<datetime>", text)
        text = _AGE.sub("<age>", text)
        return _UUID.sub("<uuid>", text)


@dataclass(frozen=True, slots=True)
class JsonBody:
    value: Any


@dataclass(frozen=True, slots=True)
class TextBody:
    """Text as tokens, with where each starts in ``text`` (for showing a difference in context)."""

    tokens: tuple[str, ...]
    starts: tuple[int, ...] = ()
    text: str = ""

    @staticmethod
    def of(text: str) -> TextBody:
        found = list(_TOKEN.finditer(text))
        return TextBody(tuple(m.group() for m in found), tuple(m.start() for m in found), text)

    def excerpt(self, start: int, stop: int, *, limit: int = 60, hide: frozenset[int] = frozenset()) -> str:
        """The text of tokens ``start:stop``, whitespace collapsed, cut to ``limit`` characters.

        Tokens whose index is in ``hide`` (values that vary from run to run) show as "…".
        """
        stop = min(stop, len(self.tokens))
        if start >= stop:
            return ""
        if hide.isdisjoint(range(start, stop)):
            end = self.starts[stop - 1] + len(self.tokens[stop - 1])
            return _shorten(" ".join(self.text[self.starts[start] : end].split()), limit)
        shown = ("…" if index in hide else self.tokens[index] for index in range(start, stop))
        return _shorten(" ".join(shown), limit)


@dataclass(frozen=True, slots=True)
class BytesBody:
    digest: str
    size: int


Body = JsonBody | TextBody | BytesBody


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer as compared: no answer at all is status 0 with the reason as text."""

    status: int
    media_type: str
    location: str | None
    body: Body


def read_answer(exchange: Exchange, placeholders: Placeholders) -> Answer:
    """The comparable form of ``exchange``'s answer."""
    if exchange.status == 0:
        return Answer(0, "", None, TextBody.of(exchange.error or "no answer"))
    location = placeholders.apply(exchange.location) if exchange.location is not None else None
    return Answer(
        exchange.status,
        exchange.media_type,
        location,
        read_body(exchange.body, exchange.media_type, placeholders),
    )


def read_body(body: bytes, media_type: str, placeholders: Placeholders) -> Body:
    """JSON when the media type says so and it parses; text (HTML included) when it decodes; else a digest."""
    if not body:
        return TextBody.of("")
    text: str | None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and (media_type == "application/json" or media_type.endswith("+json")):
        try:
            return JsonBody(normalise_json(json.loads(text), placeholders))
        except ValueError:
            pass  # declared JSON but is not: compared as text, which shows what it is
    if text is not None and "\x00" not in text:
        return TextBody.of(placeholders.apply(text))
    return BytesBody(hashlib.sha256(body).hexdigest(), len(body))


def read_json_text(text: str, placeholders: Placeholders) -> Any:
    """Parse and normalise a JSON document (for tests and doctests)."""
    return normalise_json(json.loads(text), placeholders)


def normalise_json(value: Any, placeholders: Placeholders) -> Any:
    """``value`` with placeholders in every string (keys included) and keys sorted."""
    if isinstance(value, dict):
        items = ((placeholders.apply(str(k)), normalise_json(v, placeholders)) for k, v in value.items())
        return dict(sorted(items))
    if isinstance(value, list):
        return [normalise_json(item, placeholders) for item in value]
    if isinstance(value, str):
        return placeholders.apply(value)
    return value


def tokenise(text: str) -> list[str]:
    """Words, attribute values and markup characters, whitespace dropped.

    >>> tokenise('<input name="csrf" value="a1b2">')
    ['<', 'input', 'name', '=', '"', 'csrf', '"', 'value', '=', '"', 'a1b2', '"', '>']
    """
    return _TOKEN.findall(text)


def decoded(body: bytes, content_encoding: str) -> bytes:
    """``body`` without its gzip or deflate content coding (unchanged for others, or if it is not valid)."""
    coding = content_encoding.strip().lower()
    try:
        if coding in ("gzip", "x-gzip"):
            return gzip.decompress(body)
        if coding == "deflate":
            return zlib.decompress(body)
    except (OSError, zlib.error, EOFError):
        return body
    return body


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
