"""Catalog: authors and the books the library owns."""
