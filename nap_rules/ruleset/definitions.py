"""A rule file's `define:` entries and the libraries it pulls in with `use:`.

A library is a file holding only `define:` (and `use:`), named by its path without the
suffix, relative to the folder of the file that uses it: `use: [lib/budget]` in
`rules/budget.yaml` reads `rules/lib/budget.yaml` (or `.yml`). Each definition is parsed
once, here; it is compiled in the scope of each rule that uses it (nap_rules.lang.compiler).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from ..errors import InputError
from ..lang.compiler import Definition, ExprError, check_definitions, parse_definition
from ..load import located_schema
from ..load.locations import LocMap, Location, locate
from ..load.yaml_reader import load_yaml_data, read_file_bytes
from .positions import Positions

SUFFIXES = (".yaml", ".yml")


class Libraries:
    """The libraries read during one load of rule folders, each read once, and what was read."""

    def __init__(self, cache=None):
        self.loaded: dict[Path, dict[str, Definition]] = {}
        self.reading: list[Path] = []
        self.probed: set[Path] = set()  # every file a `use:` looked for, found or not
        self.read_bytes: dict[Path, bytes] = {}  # each rule file and library as it was read
        self.cache = cache  # a FileCache (nap_rules.load.file_cache) for the files' documents, or None

    def document(self, path: Path, display: str, not_a_mapping: str) -> tuple[bytes, LocMap]:
        """The bytes of the rule file or library `path` and its document, schema-checked;
        InputError (`not_a_mapping` when it is not a mapping) for one that cannot be used.

        With a cache, a file read before with the same bytes is not parsed or checked again:
        its document is kept as plain located data, the way plan files are kept.
        """
        data = self.read_bytes[path] = read_file_bytes(path, display)
        key = self.cache.key(data, "ruleset", display) if self.cache is not None else None
        doc = self.cache.get(key) if key is not None else None
        if not isinstance(doc, LocMap):
            doc = load_yaml_data(data, display)
            if not isinstance(doc, LocMap):
                raise InputError(not_a_mapping, getattr(doc, "loc", None), file=display)
            located_schema.check_all(doc, "ruleset")
            if key is not None:
                self.cache.put(key, doc)
        return data, doc

    def definitions(self, doc: LocMap, path: Path, display: str,
                    positions: Positions) -> dict[str, Definition]:
        """Every definition a rule file (or library) `doc` may use: its libraries', then its own.

        InputError reporting every problem found, each at its file, line and column.
        """
        defines: dict[str, Definition] = {}
        problems: list[InputError] = []
        for i, name in enumerate(doc.get("use") or ()):
            where = locate(doc, ["use", i], doc.loc)
            try:
                library = self.library(str(name), path, where)
            except InputError as exc:
                problems.append(exc)
                continue
            for key, definition in library.items():
                if key in defines and defines[key] is not definition:
                    problems.append(InputError(f"`{key}` is defined by two libraries "
                                               f"({_origin(defines[key])} and "
                                               f"{_origin(definition)})", where))
                defines[key] = definition
        pulled = frozenset(defines)
        own: list[str] = []
        for key, text in (doc.get("define") or {}).items():
            key_loc = locate(doc, ["define", key], doc.loc)
            try:
                definition = parse_definition(key, text, pulled | frozenset(own),
                                              (key_loc, positions))
            except ExprError as exc:
                problems.append(definition_error(exc, f"define {key}", key_loc))
                continue
            if definition.name in defines:
                where = "above" if definition.name in own else f"in {_origin(defines[definition.name])}"
                problems.append(InputError(f"define {key}: `{definition.name}` is already "
                                           f"defined {where}", key_loc))
                continue
            defines[definition.name] = definition
            own.append(definition.name)
        if not problems:
            try:
                check_definitions(defines)
            except ExprError as exc:
                problems.append(definition_error(exc, f"define {exc.definition.name}", None))
        if problems:
            raise InputError.combine(problems)
        return defines

    def library(self, name: str, user: Path, where: Location) -> dict[str, Definition]:
        if Path(name).is_absolute() or ".." in Path(name).parts or not name.strip():
            raise InputError(f"use: {name!r} is not a library name: write a path relative to "
                             f"this file's folder, without suffix, such as `lib/budget`", where)
        candidates = [user.parent / f"{name}{suffix}" for suffix in SUFFIXES]
        self.probed.update(candidates)
        path = next((c for c in candidates if c.is_file()), None)
        if path is None:
            raise InputError(f"use: no library {name!r} ({candidates[0]} or .yml not found)", where)
        key = path.resolve()
        if key in self.reading:
            chain = " -> ".join(p.name for p in [*self.reading, key])
            raise InputError(f"use: libraries use each other in a circle ({chain})", where)
        if key not in self.loaded:
            self.reading.append(key)
            try:
                self.loaded[key] = self.read(path)
            finally:
                self.reading.pop()
        return self.loaded[key]

    def read(self, path: Path) -> dict[str, Definition]:
        display = str(path)
        data, doc = self.document(path, display, "a library is a mapping with `schema:` and `define:`")
        if "rules" in doc:
            raise InputError("a library holds only `define:` (and `use:`); rules belong in the "
                             "rule folder", locate(doc, ["rules"], doc.loc))
        return self.definitions(doc, path, display,
                                Positions(data.decode("utf-8-sig").split("\n")))


def definition_error(exc: ExprError, part: str, default: Location | None) -> InputError:
    """An ExprError raised in a definition's text, at its file, line and column."""
    definition = exc.definition
    if definition is None or definition.origin is None:
        return InputError(f"{part}: {exc.message}", default)
    key_loc, positions = definition.origin
    loc, extra = positions.locate(key_loc, definition.text, exc.line, exc.col)
    return InputError(f"{part}: {exc.message}{extra}", loc)


def _origin(definition: Definition) -> str:
    return str(definition.origin[0].file) if definition.origin else "a library"


__all__ = ["Libraries", "SUFFIXES", "definition_error", "Mapping"]
