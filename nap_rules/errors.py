"""The one exception a user ever sees: input that cannot be read, with where and why."""

from __future__ import annotations

from .load.locations import Location


class InputError(Exception):
    """Input that cannot be read (bad YAML, a refused construct, a broken rule file): exit 2."""

    def __init__(self, message: str, location: Location | None = None, file: str | None = None,
                 also: tuple = ()):
        super().__init__(message)
        self.message = message
        self.location = location
        self.file = file if file is not None else (location.file if location else None)
        self.also = tuple(also)  # further problems of the same input, reported together

    @property
    def problems(self) -> list["InputError"]:
        """This problem and those reported with it, one error each."""
        return [InputError(self.message, self.location, self.file), *self.also]

    @staticmethod
    def combine(problems: list["InputError"]) -> "InputError":
        """One error reporting every problem of `problems` (at least one), in their order."""
        flat = [p for problem in problems for p in problem.problems]
        first = flat[0]
        return InputError(first.message, first.location, first.file, also=flat[1:])

    def __str__(self) -> str:
        return "\n".join(p.line() for p in self.problems)

    def line(self) -> str:
        if self.location is not None:
            return f"{self.location}: {self.message}"
        if self.file:
            return f"{self.file}: {self.message}"
        return self.message
