"""Order history and cancellations."""
from __future__ import annotations

from . import billing, inventory, notifications
