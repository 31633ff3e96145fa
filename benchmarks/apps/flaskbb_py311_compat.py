"""Python 3.10+ shim for FlaskBB 2.0.2 (collections.MutableMapping was removed)."""

import collections
import collections.abc

for _n in ("MutableMapping", "Mapping", "Sequence", "Iterable", "Callable", "MutableSet", "Hashable"):
    if not hasattr(collections, _n):
        setattr(collections, _n, getattr(collections.abc, _n))
