"""Business logic, one module per technical area.

Use-case functions (``register_user``, ``checkout``, ``subscribe`` ...) commit
their own transaction; building blocks that other modules call in the middle
of a use case (``billing.charge``, ``inventory.reserve_stock``,
``notifications.notify`` ...) only flush, so the caller decides.
"""
