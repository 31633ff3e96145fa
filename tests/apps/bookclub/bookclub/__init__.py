"""Bookclub: a small lending-library JSON API.

Serve it with any WSGI server pointed at ``bookclub.web:app``.
"""
