"""Streamable titles and purchasable products."""
from __future__ import annotations
from enum import StrEnum


class TitleKind(StrEnum):
    MOVIE = "movie"
    EPISODE = "episode"
