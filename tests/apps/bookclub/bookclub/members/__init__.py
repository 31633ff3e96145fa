"""Members: who may borrow books."""
