"""Table names in raw SQL string literals.

Only strings that read as one SQL statement are considered; the scan is a
tokenizer-level approximation (no SQL parser), tuned to never report a word
that is not in a table position.
"""

from __future__ import annotations

import re

_STATEMENT = re.compile(r"^\s*(?:\(\s*)?(SELECT|INSERT|UPDATE|DELETE|WITH|REPLACE|MERGE)\b", re.IGNORECASE)
_IDENT = r'(?:"[^"]+"|`[^`]+`|\[[^\]]+\]|[A-Za-z_][\w$]*)(?:\.(?:"[^"]+"|`[^`]+`|[A-Za-z_][\w$]*))?'
_READ = re.compile(rf"\b(?:FROM|JOIN)\s+({_IDENT})", re.IGNORECASE)
_WRITE = re.compile(
    rf"\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+ONLY)?|DELETE\s+FROM|MERGE\s+INTO)\s+({_IDENT})",
    re.IGNORECASE,
)
_CTE = re.compile(r"(?:\bWITH(?:\s+RECURSIVE)?|,)\s*([A-Za-z_]\w*)\s+AS\s*\(", re.IGNORECASE)
_KEYWORDS = frozenset(
    {"select", "lateral", "unnest", "values", "where", "set", "only", "dual", "the", "a", "an"}
)
# English prose such as "Select from the list below" must not count: a SQL
# statement has at least one of these.
_CONFIRM = re.compile(r"\b(FROM|INTO|SET|VALUES|WHERE|JOIN)\b", re.IGNORECASE)


def _clean(name: str) -> str:
    name = name.split(".")[-1]
    return name.strip('"`[]').lower()


def tables_in_sql(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return ``(read tables, written tables)`` named in ``text``, sorted.

    >>> tables_in_sql("SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id")
    (('orders', 'users'), ())
    >>> tables_in_sql("UPDATE stock SET qty = qty - 1")
    ((), ('stock',))
    >>> tables_in_sql("Select one of the options")
    ((), ())
    """
    if len(text) > 20_000 or not _STATEMENT.match(text) or not _CONFIRM.search(text):
        return (), ()
    ctes = {m.group(1).lower() for m in _CTE.finditer(text)}
    writes = {_clean(m.group(1)) for m in _WRITE.finditer(text)}
    reads = {_clean(m.group(1)) for m in _READ.finditer(text)}
    reads -= writes if re.match(r"^\s*DELETE\b", text, re.IGNORECASE) else set()
    bad = _KEYWORDS | ctes
    return (
        tuple(sorted(t for t in reads if t not in bad and t.isidentifier())),
        tuple(sorted(t for t in writes if t not in bad and t.isidentifier())),
    )
