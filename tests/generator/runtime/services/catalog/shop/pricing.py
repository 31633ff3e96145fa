"""Code only the catalog has: its exception class exists nowhere else."""

from __future__ import annotations

from .errors import ShopError


class PriceFrozen(ShopError):
    status_code = 423
