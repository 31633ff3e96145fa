"""Which columns hold secrets: they stay with the unit owning their rows.

Its own module, with nothing but the standard library, because monosplit's
generator applies the same rule when it grants a unit the secret columns its
code reads (generation must not import what serves requests).
"""

from __future__ import annotations

import re

#: column names that hold secrets: passwords and their hashes, tokens, keys, salts, one-time codes
_SECRET_COLUMN = re.compile(
    r"(?:^|_)(?:password|passwd|pwd|passphrase|secret|token|salt|otp|totp|api_?key|private_?key"
    r"|access_?key|secret_?key|credentials?)s?(?:$|_)",
    re.IGNORECASE,
)


def is_secret_column(name: str) -> bool:
    """Whether a column holds a secret that never leaves the unit owning its row.

    Recognised by name, as the analyzer recognises secret configuration keys:
    a word ``password``, ``passwd``, ``pwd``, ``passphrase``, ``secret``,
    ``token``, ``salt``, ``otp``, ``api_key``, ``private_key``, ``access_key``
    or ``credential`` between underscores or at either end. A unit whose code
    reads one of another unit's secret columns is granted it by name
    (``secret_columns`` in its grant, see :mod:`.auth`); no other unit gets it.

    >>> [is_secret_column(n) for n in ("password_hash", "payment_token", "api_key", "email", "tokenizer")]
    [True, True, True, False, False]
    """
    return bool(_SECRET_COLUMN.search(name))
