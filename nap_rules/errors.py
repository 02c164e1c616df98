"""The one exception a user ever sees: input that cannot be read, with where and why."""

from __future__ import annotations

from .load.locations import Location


class InputError(Exception):
    """Input that cannot be read (bad YAML, a refused construct, a broken rule file): exit 2."""

    def __init__(self, message: str, location: Location | None = None, file: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.file = file if file is not None else (location.file if location else None)

    def __str__(self) -> str:
        if self.location is not None:
            return f"{self.location}: {self.message}"
        if self.file:
            return f"{self.file}: {self.message}"
        return self.message
