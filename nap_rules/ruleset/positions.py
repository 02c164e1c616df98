"""Where an expression's text sits in its rule file, to point a refusal at its character."""

from __future__ import annotations

from ..load.locations import Location


class Positions:
    """Finds where an expression's text sits in the file, to point errors at the character."""

    def __init__(self, lines: list[str]):
        self.lines = lines

    def locate(self, key_loc: Location, text: str, line: int, col: int) -> tuple[Location, str]:
        """The file location of (line, col) inside `text`, whose key is at `key_loc`.

        Exact when the expression's line appears verbatim in the file (plain and quoted
        scalars without escapes, literal blocks); else where the text from that column on
        first appears after the key (folded blocks); else the key, with the position in words.
        """
        text_lines = text.split("\n")
        wanted = text_lines[line - 1] if line <= len(text_lines) else ""
        start = key_loc.line - 1
        end = min(start + len(text_lines) + text.count(" ") + 3, len(self.lines))
        for n in range(start, end):
            offset = key_loc.column - 1 if n == start else 0
            idx = self.lines[n].find(wanted, offset) if wanted.strip() else -1
            if idx >= 0 and (line == 1 or n > start):
                return Location(key_loc.file, n + 1, idx + col + 1), ""
        rest = wanted[col:col + 40].rstrip()
        for size in range(len(rest), min(3, len(rest)) - 1, -1):
            for n in range(start, end):
                offset = key_loc.column - 1 if n == start else 0
                idx = self.lines[n].find(rest[:size], offset) if size else -1
                if idx >= 0:
                    return Location(key_loc.file, n + 1, idx + 1), ""
        return key_loc, f" (expression line {line}, column {col + 1})"
