"""Errors the user can cause. Each prints as one clear line; tracebacks are for bugs."""

from __future__ import annotations


class MonosplitError(Exception):
    """Base of every error caused by the user's input or environment."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(MonosplitError):
    """The path or file given cannot be analysed at all."""


class ConfigError(MonosplitError):
    """A ``[tool.monosplit]`` table or option is invalid."""


class StrictModeError(MonosplitError):
    """``--strict`` was given and the input had problems."""

    exit_code = 1
