"""Comparing an architecture's answers with the monolith's: what counts as the same answer.

Pure. Two answers are the same when their status, media type, redirect target
and body are, after :mod:`generator.verify.normalise` replaced the values every
run has its own of (addresses, date-times, UUIDs, JWTs). JSON bodies are
compared as values (key order does not count, list order does); text and HTML
token by token.

What else differs from run to run (a CSRF token, a random id, a counter) is
learnt rather than guessed, as Twitter's Diffy does: the monolith runs twice,
on fresh data each time, and whatever its two runs answered differently for a
request is *volatile* for that request and not compared. A request whose very
status differed between the monolith's two runs is *unstable*: it is not
compared at all, and counted apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from generator.verify.exchanges import Exchange, JourneyFailure, Phase, Recording
from generator.verify.normalise import Answer, BytesBody, JsonBody, Placeholders, TextBody, read_answer

JsonPath = tuple[str | int, ...]
_SHOWN = 40  # characters of a value shown in a difference


@dataclass(frozen=True, slots=True)
class Volatile:
    """What the monolith's two runs answered differently for one request."""

    status: bool = False
    media_type: bool = False
    location: bool = False
    body: bool = False  # the whole body
    json_paths: frozenset[JsonPath] = frozenset()
    text_tokens: frozenset[int] = frozenset()  # indices into the reference's tokens
    text_gaps: frozenset[int] = frozenset()  # where the second run had tokens the first had not


NOTHING_VOLATILE = Volatile()


def learn_volatile(reference: Answer, twin: Answer | None) -> Volatile:
    """What differs between ``reference`` and ``twin``, two answers of the monolith to one request."""
    if twin is None:
        return NOTHING_VOLATILE
    if reference.status != twin.status:
        return Volatile(status=True)
    body = dict[str, Any]()
    if type(reference.body) is not type(twin.body):
        body["body"] = True
    elif isinstance(reference.body, JsonBody) and isinstance(twin.body, JsonBody):
        body["json_paths"] = frozenset(_json_paths_differing(reference.body.value, twin.body.value, ()))
    elif isinstance(reference.body, TextBody) and isinstance(twin.body, TextBody):
        tokens, gaps = _tokens_differing(reference.body.tokens, twin.body.tokens)
        body["text_tokens"], body["text_gaps"] = tokens, gaps
    elif isinstance(reference.body, BytesBody) and isinstance(twin.body, BytesBody):
        body["body"] = reference.body.digest != twin.body.digest
    return Volatile(
        media_type=reference.media_type != twin.media_type,
        location=reference.location != twin.location,
        **body,
    )


def first_difference(
    reference: Answer, candidate: Answer, volatile: Volatile = NOTHING_VOLATILE
) -> str | None:
    """How ``candidate`` first differs from ``reference`` outside what is ``volatile``; None when it does not."""
    if volatile.status:
        return None
    if candidate.status != reference.status:
        return f"status {_status(candidate)}, the monolith {_status(reference)}"
    if not volatile.media_type and candidate.media_type != reference.media_type:
        return f"media type {candidate.media_type or 'none'}, the monolith {reference.media_type or 'none'}"
    if not volatile.location and candidate.location != reference.location:
        return f"redirects to {candidate.location or 'nowhere'}, the monolith to {reference.location or 'nowhere'}"
    if volatile.body:
        return None
    return _body_difference(reference.body, candidate.body, volatile)


def _status(answer: Answer) -> str:
    if answer.status:
        return str(answer.status)
    return "none (" + (answer.body.excerpt(0, 12) if isinstance(answer.body, TextBody) else "no answer") + ")"


def _body_difference(reference: Any, candidate: Any, volatile: Volatile) -> str | None:
    if isinstance(reference, JsonBody) and isinstance(candidate, JsonBody):
        return next(_json_differences(reference.value, candidate.value, (), volatile.json_paths), None)
    if isinstance(reference, TextBody) and isinstance(candidate, TextBody):
        return _text_difference(reference, candidate, volatile)
    if isinstance(reference, BytesBody) and isinstance(candidate, BytesBody):
        if reference.digest == candidate.digest:
            return None
        return f"body differs ({candidate.size} bytes, the monolith {reference.size})"
    return f"body is {_kind(candidate)}, the monolith's is {_kind(reference)}"


def _kind(body: Any) -> str:
    return {JsonBody: "JSON", TextBody: "text", BytesBody: "binary"}[type(body)]


# --- JSON -----------------------------------------------------------------------------------


def json_path(path: JsonPath) -> str:
    """``("items", 0, "id")`` as ``$.items[0].id``."""
    return "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


def _json_paths_differing(a: Any, b: Any, path: JsonPath) -> Iterator[JsonPath]:
    if type(a) is not type(b):
        yield path
    elif isinstance(a, dict):
        for key in sorted(a.keys() | b.keys()):
            if key in a and key in b:
                yield from _json_paths_differing(a[key], b[key], (*path, key))
            else:
                yield (*path, key)
    elif isinstance(a, list):
        if len(a) != len(b):
            yield path
        else:
            for index, (x, y) in enumerate(zip(a, b, strict=True)):
                yield from _json_paths_differing(x, y, (*path, index))
    elif a != b:
        yield path


def _masked(path: JsonPath, volatile: frozenset[JsonPath]) -> bool:
    return any(path[:length] in volatile for length in range(len(path) + 1))


def _json_differences(
    reference: Any, candidate: Any, path: JsonPath, volatile: frozenset[JsonPath]
) -> Iterator[str]:
    if _masked(path, volatile):
        return
    where = json_path(path)
    if type(reference) is not type(candidate):
        yield f"{where} is {_show(candidate)}, the monolith {_show(reference)}"
    elif isinstance(reference, dict):
        for key in sorted(reference.keys() | candidate.keys()):
            inner = (*path, key)
            if key not in candidate:
                if not _masked(inner, volatile):
                    yield f"{json_path(inner)} missing (the monolith: {_show(reference[key])})"
            elif key not in reference:
                if not _masked(inner, volatile):
                    yield f"{json_path(inner)} is not in the monolith's answer ({_show(candidate[key])})"
            else:
                yield from _json_differences(reference[key], candidate[key], inner, volatile)
    elif isinstance(reference, list):
        if len(reference) != len(candidate):
            yield f"{where} has {len(candidate)} items, the monolith {len(reference)}"
            return
        for index, (x, y) in enumerate(zip(reference, candidate, strict=True)):
            yield from _json_differences(x, y, (*path, index), volatile)
    elif reference != candidate:
        yield f"{where} is {_show(candidate)}, the monolith {_show(reference)}"


def _show(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


# --- text -----------------------------------------------------------------------------------


def _opcodes(a: tuple[str, ...], b: tuple[str, ...]) -> Sequence[tuple[str, int, int, int, int]]:
    # autojunk would treat frequent tokens ('<', '"') as noise and align pages badly
    return SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


def _tokens_differing(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[frozenset[int], frozenset[int]]:
    if a == b:
        return frozenset(), frozenset()
    tokens: set[int] = set()
    gaps: set[int] = set()
    for tag, i1, i2, _, _ in _opcodes(a, b):
        if tag == "equal":
            continue
        if i1 == i2:
            gaps.add(i1)
        tokens.update(range(i1, i2))
    return frozenset(tokens), frozenset(gaps)


def _text_difference(reference: TextBody, candidate: TextBody, volatile: Volatile) -> str | None:
    if reference.tokens == candidate.tokens:
        return None
    for tag, i1, i2, j1, j2 in _opcodes(reference.tokens, candidate.tokens):
        if tag == "equal":
            continue
        if i1 < i2 and all(i in volatile.text_tokens for i in range(i1, i2)):
            continue  # a value the monolith itself changes between runs
        if i1 == i2 and (
            i1 in volatile.text_gaps or i1 in volatile.text_tokens or i1 - 1 in volatile.text_tokens
        ):
            continue
        hidden = volatile.text_tokens
        context = reference.excerpt(max(0, i1 - 6), i1, limit=_SHOWN, hide=hidden)
        theirs = reference.excerpt(i1, i2, limit=_SHOWN, hide=hidden) or "nothing"
        ours = candidate.excerpt(j1, j2, limit=_SHOWN, hide=_aligned(hidden, i1, i2, j1, j2)) or "nothing"
        return f'body after "{context}" has "{ours}", the monolith "{theirs}"'
    return None


def _aligned(hidden: frozenset[int], i1: int, i2: int, j1: int, j2: int) -> frozenset[int]:
    """The candidate's tokens ``j1:j2`` standing where the reference's volatile ones ``i1:i2`` stand.

    Position for position when both ranges are as long; otherwise, if any of the
    reference's is volatile, all of them (what varies cannot be told apart).
    """
    if i2 - i1 == j2 - j1:
        return frozenset(j1 + (i - i1) for i in range(i1, i2) if i in hidden)
    return frozenset(range(j1, j2)) if not hidden.isdisjoint(range(i1, i2)) else frozenset()


# --- recordings -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Difference:
    """One request an architecture answered unlike the monolith (or a journey that ended otherwise)."""

    phase: Phase
    label: str  # the route rule, or the journey's name
    position: int  # the step's number within its journey, from 1 (0: the journey as a whole)
    request: str  # the request line, as the monolith's run sent it
    detail: str

    @property
    def line(self) -> str:
        if self.phase is Phase.ROUTE:
            return f"{self.request}: {self.detail}"
        if self.position == 0:
            return f"journey {self.label} {self.detail}"
        return f"journey {self.label} step {self.position} ({self.request}): {self.detail}"


@dataclass(frozen=True, slots=True)
class PhaseComparison:
    """How many requests of one phase answered like the monolith, out of how many compared."""

    equal: int = 0
    total: int = 0
    unstable: int = 0  # not compared: the monolith itself answered them differently twice
    differences: tuple[Difference, ...] = field(default_factory=tuple)

    @property
    def same(self) -> bool:
        return not self.differences


@dataclass(frozen=True, slots=True)
class Comparison:
    routes: PhaseComparison
    journey: PhaseComparison

    @property
    def same(self) -> bool:
        return self.routes.same and self.journey.same

    @property
    def differences(self) -> tuple[Difference, ...]:
        return (*self.journey.differences, *self.routes.differences)


def compare_recordings(reference: Recording, twin: Recording | None, candidate: Recording) -> Comparison:
    """Every request of ``candidate`` against the one at the same position in ``reference``.

    ``twin``, a second run of the monolith, tells what is volatile (None: nothing is).
    """
    routes = _compare_phase(Phase.ROUTE, reference, twin, candidate)
    journey = _compare_phase(Phase.JOURNEY, reference, twin, candidate)
    outcome = _journey_outcome_differences(reference.journey_failures, candidate.journey_failures)
    if outcome:
        journey = PhaseComparison(
            journey.equal, journey.total, journey.unstable, (*journey.differences, *outcome)
        )
    return Comparison(routes, journey)


def _compare_phase(
    phase: Phase, reference: Recording, twin: Recording | None, candidate: Recording
) -> PhaseComparison:
    places = (
        Placeholders(reference.base_url, reference.data_root),
        Placeholders(twin.base_url, twin.data_root) if twin is not None else Placeholders(),
        Placeholders(candidate.base_url, candidate.data_root),
    )
    theirs, seconds, ours = (
        _grouped(r.of(phase)) if r is not None else {} for r in (reference, twin, candidate)
    )
    equal = unstable = total = 0
    differences: list[Difference] = []
    for label in [*theirs, *(label for label in ours if label not in theirs)]:
        monolith, again, mine = theirs.get(label, ()), seconds.get(label, ()), ours.get(label, ())
        for index in range(min(len(monolith), len(mine))):
            first = read_answer(monolith[index], places[0])
            second = read_answer(again[index], places[1]) if index < len(again) else None
            volatile = learn_volatile(first, second)
            if volatile.status:
                unstable += 1
                continue
            total += 1
            found = first_difference(first, read_answer(mine[index], places[2]), volatile)
            if found is None:
                equal += 1
            else:
                differences.append(Difference(phase, label, index + 1, _request(monolith[index]), found))
        if len(monolith) != len(mine):
            differences.append(_uneven(phase, label, monolith, mine))
            total += abs(len(monolith) - len(mine))
    return PhaseComparison(equal, total, unstable, tuple(differences))


def _uneven(
    phase: Phase, label: str, monolith: tuple[Exchange, ...], mine: tuple[Exchange, ...]
) -> Difference:
    """One difference for the steps only one side sent (the other's journey ended before them)."""
    first, last = min(len(monolith), len(mine)), max(len(monolith), len(mine))
    steps = f"step {last}" if last == first + 1 else f"steps {first + 1}-{last}"
    if len(mine) < len(monolith):
        detail = f"{steps} not sent: the journey ended before"
        return Difference(phase, label, first + 1, _request(monolith[first]), detail)
    detail = f"{steps} sent, but on the monolith the journey ended before"
    return Difference(phase, label, first + 1, mine[first].request_line, detail)


def _grouped(exchanges: tuple[Exchange, ...]) -> dict[str, tuple[Exchange, ...]]:
    """Exchanges by route rule or journey, in the order they were first sent."""
    groups: dict[str, list[Exchange]] = {}
    for exchange in exchanges:
        groups.setdefault(exchange.label, []).append(exchange)
    return {label: tuple(items) for label, items in groups.items()}


def _request(exchange: Exchange) -> str:
    return exchange.request_line if exchange.phase is Phase.JOURNEY else f"GET {exchange.label}"


def _journey_outcome_differences(
    reference: tuple[JourneyFailure, ...], candidate: tuple[JourneyFailure, ...]
) -> tuple[Difference, ...]:
    theirs = {f.journey: f for f in reference}
    ours = {f.journey: f for f in candidate}
    found = []
    for name in sorted(theirs.keys() | ours.keys()):
        mine, monolith = ours.get(name), theirs.get(name)
        if mine is not None and (monolith is None or mine.message != monolith.message):
            also = f"; on the monolith it {_ended(monolith)}" if monolith is not None else ""
            found.append((name, f"{_ended(mine)}{also}"))
        elif mine is None and monolith is not None:
            found.append((name, f"finished, but on the monolith it {_ended(monolith)}"))
    return tuple(Difference(Phase.JOURNEY, name, 0, "", detail) for name, detail in found)


def _ended(failure: JourneyFailure) -> str:
    return f"stopped after {failure.after_steps} step(s): {failure.message}"
