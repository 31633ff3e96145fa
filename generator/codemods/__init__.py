"""libcst transforms that turn monolith modules into service modules.

One transform per module, each a pure function from source text to source
text plus what it found, tested as before/after pairs.
"""
