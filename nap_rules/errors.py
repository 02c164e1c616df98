"""The one exception a user ever sees: input that cannot be read, with where and why."""

from __future__ import annotations

from .load.locations import Location


class InputError(Exception):
    """Input that cannot be read (bad YAML, a refused construct, a broken rule file): exit 2."""

    def __init__(self, message: str, location: Location | None = None, file: str | None = None,
                 also: tuple["InputError", ...] = ()):
        super().__init__(message)
        self.message = message
        self.location = location
        self.file = file if file is not None else (location.file if location else None)
        self.also = tuple(also)  # further problems of the same input, reported with this one

    @classmethod
    def of(cls, errors: list["InputError"]) -> "InputError":
        """One error that reports all of `errors` (at least one), the first leading."""
        first, *rest = errors
        return cls(first.message, first.location, first.file, also=(*first.also, *rest))

    def __str__(self) -> str:
        return "\n".join([self._line(), *(e._line() for e in self.also)])

    def _line(self) -> str:
        if self.location is not None:
            return f"{self.location}: {self.message}"
        if self.file:
            return f"{self.file}: {self.message}"
        return self.message
