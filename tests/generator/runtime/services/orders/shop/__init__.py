"""A tiny shop, split in two."""
