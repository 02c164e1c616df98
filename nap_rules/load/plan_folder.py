"""Reads a plan folder: finds its files, loads each with locations, checks each `schema:` line."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .locations import Location, LocList, LocMap
from .yaml_reader import (
    DEFAULT_READ_LIMITS,
    ReadLimits,
    load_yaml_data,
    load_yaml_file,
    read_file_bytes,
)

KINDS = ("plan", "institutions", "abbreviations", "goal", "indicators", "narrative", "budget", "progress")
SINGLE_FILES = {"plan.yaml": "plan", "institutions.yaml": "institutions", "abbreviations.yaml": "abbreviations",
                "indicators.yaml": "indicators", "narrative.yaml": "narrative", "budget.yaml": "budget"}
FOLDERS = {"goals": "goal", "progress": "progress"}
CONFIG_FILE = ".nap-rules.yaml"
REQUIRED = ("plan.yaml",)


@dataclass(frozen=True)
class PlanFile:
    kind: str
    display: str  # the path as reports show it
    doc: LocMap
    schema_findings: tuple | None = field(default=None, compare=False)  # when checked while read


@dataclass
class PlanFiles:
    root: Path
    display_root: str
    files: list[PlanFile] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # *.yaml files that are not part of the format

    def of_kind(self, kind: str) -> list[PlanFile]:
        return [f for f in self.files if f.kind == kind]

    def one(self, kind: str) -> PlanFile | None:
        found = self.of_kind(kind)
        return found[0] if found else None

    @property
    def plan_id(self) -> str:
        """The `id` of plan.yaml, as reports name the plan; "" without one."""
        plan = self.one("plan")
        return str(plan.doc.get("id", "")) if plan else ""


def printable(text: str) -> str:
    """A file name as reports can print it: undecodable bytes and control characters escaped.

    A name that is not UTF-8 (PG\\xff.yaml) or holds a line break would otherwise fail to print,
    make the JSON report invalid UTF-8, or forge extra lines in the text report.
    """
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else ascii(c)[1:-1] for c in text)


def display_path(root_display: str, rel: str) -> str:
    return printable(Path(os.path.normpath(os.path.join(root_display, rel))).as_posix())


def check_schema_line(doc, kind: str, display: str) -> LocMap:
    expected = f"nap-rules/{kind}/v1"
    if doc is None:
        raise InputError(f"empty file: expected a mapping starting with 'schema: {expected}'", Location(display, 1, 1))
    if not isinstance(doc, LocMap):
        raise InputError(f"expected a mapping starting with 'schema: {expected}', found a list or a single value",
                         getattr(doc, "loc", Location(display, 1, 1)))
    if "schema" not in doc:
        raise InputError(f"missing 'schema: {expected}' line", doc.loc)
    value = doc["schema"]
    where = doc.key_locs["schema"]
    if not isinstance(value, str) or not value.startswith("nap-rules/") or value.count("/") != 2:
        raise InputError(f"'schema' must read '{expected}', found {value!r}", where)
    _, found_kind, version = value.split("/")
    if found_kind not in KINDS:
        raise InputError(f"unknown file kind {found_kind!r} in 'schema: {value}'; expected '{expected}'", where)
    if found_kind != kind:
        raise InputError(f"this file is declared as {found_kind!r} but its place in the plan folder makes it {kind!r}; expected 'schema: {expected}'", where)
    if version != "v1":
        raise InputError(f"unknown version {version!r} in 'schema: {value}'; this nap-rules reads v1", where)
    return doc


def inside_folder(path: Path, root: Path, display: str) -> Path:
    """`path` resolved, symbolic links followed; InputError unless it is `root` or inside it."""
    try:
        real = path.resolve()
    except (RuntimeError, OSError):  # a symlink loop
        raise InputError("is a symbolic link that loops back on itself", file=display) from None
    if real != root and root not in real.parents:
        raise InputError(f"points outside the plan folder (to {printable(str(real))}); plan files must live inside it",
                         file=display)
    return real


def load_document(path: Path, kind: str, display: str, limits: ReadLimits = DEFAULT_READ_LIMITS, pure: bool = False) -> LocMap:
    return check_schema_line(load_yaml_file(path, display, limits, pure), kind, display)


def load_plan_file(path: Path, kind: str, display: str, limits: ReadLimits = DEFAULT_READ_LIMITS, pure: bool = False,
                   cache=None) -> PlanFile:
    """One plan file, read and kind-checked; with a `cache` (nap_rules.load.file_cache.FileCache) also
    schema-checked, and taken from the cache when its bytes were seen before."""
    if cache is None:
        return PlanFile(kind, display, load_document(path, kind, display, limits, pure))
    data = read_file_bytes(path, display, limits)
    return load_cached(data, cache.key(data, kind, display), kind, display, limits, pure, cache)


def load_cached(data: bytes, key: bytes, kind: str, display: str, limits: ReadLimits, pure: bool, cache) -> PlanFile:
    """The plan file of `data` (whose cache entry name is `key`): from the cache, else read,
    schema-checked and stored."""
    found = from_cache(cache, key, kind, display)
    if found is not None:
        return found
    return load_checked(load_yaml_data(data, display, limits, pure), key, kind, display, cache)


def load_checked(doc, key: bytes, kind: str, display: str, cache, findings: tuple | None = None,
                 patch: tuple | None = None) -> PlanFile:
    """The plan file of the located document `doc` (read from the bytes whose cache entry name
    is `key`), kind- and schema-checked (unless its schema `findings` are known), and stored in
    the cache: whole, or, with `patch` (the entry it was read whole into, and the items replaced
    since: (path, item) pairs in order), as those items (see `cached_document`)."""
    if findings is None:
        doc, findings = schema_checked(doc, kind, display)
    else:
        doc = check_schema_line(doc, kind, display)
    if patch is not None and patch[0] == key:
        pass  # changed back to the bytes it was read whole from: that entry is kept already
    elif patch is not None and len(patch[1]) <= MOST_PATCHED:
        cache.put(key, (PATCH, patch[0], patch[1], findings))
    else:
        cache.put(key, (doc, findings))
    return PlanFile(kind, display, doc, findings)


def schema_checked(doc, kind: str, display: str) -> tuple:
    """(the located document `doc` of a `kind` file, its schema findings); InputError when its
    `schema:` line does not name that kind."""
    from .schema_check import check_document

    doc = check_schema_line(doc, kind, display)
    return doc, tuple(check_document(doc, kind, display))


# A goal file read again in part (nap_rules.load.reparse) is kept as the items it replaced in
# the entry of the file it was last read whole from: (PATCH, that entry's name, ((path, item),
# ...) in the order they were put in, schema findings). A re-check after an edit of one measure
# writes that measure, not a file of ten thousand; past MOST_PATCHED items the file is kept whole.
PATCH = "nap-rules patch"
MOST_PATCHED = 256


def cached_document(cache, key: bytes) -> tuple | None:
    """(document, schema findings, (name of the entry it was read whole into, (path, item)
    pairs replaced since)) of the plan file kept under `key`, or None."""
    found = cache.get(key)
    if _is_patch(found):
        _, whole, items, findings = found
        base = cache.get(whole)
        if not _is_entry(base):
            return None
        doc = base[0]
        for path, item in items:
            parent = doc
            for step in path[:-1]:
                if not _has(parent, step):
                    return None  # not a place the document has: not a patch this code wrote
                parent = parent[step]
            if not _has(parent, path[-1]):
                return None
            parent[path[-1]] = item
        found, patch = (doc, findings), (whole, items)
    else:
        patch = (key, ())
    return (found[0], found[1], patch) if _is_entry(found) else None


def from_cache(cache, key: bytes, kind: str, display: str) -> PlanFile | None:
    """The plan file kept under `key`, or None."""
    found = cached_document(cache, key)
    return PlanFile(kind, display, found[0], found[1]) if found is not None else None


def _has(container, step) -> bool:
    """Whether `step` is a key of the mapping, or an index (from 0) of the list, `container`."""
    if isinstance(container, LocMap):
        try:
            return step in container
        except TypeError:  # not a key a mapping can have
            return False
    return isinstance(container, LocList) and type(step) is int and 0 <= step < len(container)


def _is_patch(value) -> bool:
    return (isinstance(value, tuple) and len(value) == 4 and value[0] == PATCH and isinstance(value[1], bytes)
            and isinstance(value[2], tuple)
            and all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], tuple) and p[0] for p in value[2]))


def _is_entry(value) -> bool:
    """A cached (document, schema findings) pair, as `load_plan_file` stores them."""
    from ..findings import Finding

    return (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], LocMap)
            and isinstance(value[1], tuple) and all(isinstance(f, Finding) for f in value[1]))


def _listdir(folder: Path, display: str) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError as exc:
        raise InputError(f"cannot read the folder: {exc.strerror or exc}", file=display) from None


def list_plan_files(plan_dir: Path | str, limits: ReadLimits = DEFAULT_READ_LIMITS,
                    progress_dirs=()) -> tuple[PlanFiles, list[tuple[Path, str, str]]]:
    """The plan folder (no files loaded yet) and its files as (path, kind, display), in read order.

    `progress_dirs` adds monitoring reports kept outside the plan folder (`check --progress`),
    so that a published plan and its monitoring data can live apart. InputError for a folder
    that is not a plan folder, a file that points outside it, or too many files.
    """
    display_root = str(plan_dir)
    root = Path(plan_dir)
    if not root.is_dir():
        raise InputError("not a plan folder (no such directory)", file=printable(display_root))
    root = root.resolve()
    out = PlanFiles(root=root, display_root=display_root)
    wanted: list[tuple[Path, str, str]] = []
    for name in REQUIRED:
        if not (root / name).exists():
            raise InputError(f"missing {name}: every plan folder has one", file=display_path(display_root, name))
    for entry in _listdir(root, printable(display_root)):
        rel = entry
        if entry in SINGLE_FILES:
            wanted.append((root / entry, SINGLE_FILES[entry], rel))
        elif entry == CONFIG_FILE:
            continue  # tool configuration, read by nap_rules.ruleset.config, not part of the plan
        elif entry in FOLDERS:
            folder = root / entry
            if not folder.is_dir():
                raise InputError(f"{entry} must be a folder of YAML files", file=display_path(display_root, rel))
            inside_folder(folder, root, display_path(display_root, rel))
            for sub in _listdir(folder, display_path(display_root, rel)):
                if sub.endswith((".yaml", ".yml")):
                    wanted.append((folder / sub, FOLDERS[entry], f"{entry}/{sub}"))
                else:
                    out.ignored.append(display_path(display_root, f"{entry}/{sub}"))
        elif entry.endswith((".yaml", ".yml")):
            out.ignored.append(display_path(display_root, rel))
        if len(wanted) > limits.max_files:
            raise InputError(
                f"more than {limits.max_files} plan files (limit max_files; raise it with --limit max_files=N)",
                file=printable(display_root),
            )
    listed = []
    for path, kind, rel in wanted:
        display = display_path(display_root, rel)
        inside_folder(path, root, display)
        listed.append((path, kind, display))
    for extra in progress_dirs:
        folder = Path(extra)
        if not folder.is_dir():
            raise InputError("progress folder not found", file=printable(str(extra)))
        for sub in _listdir(folder, printable(str(extra))):
            if sub.endswith((".yaml", ".yml")):
                if len(listed) >= limits.max_files:
                    raise InputError(f"more than {limits.max_files} plan files (limit max_files; raise it with "
                                     "--limit max_files=N)", file=printable(str(extra)))
                listed.append((folder / sub, "progress", display_path(str(extra), sub)))
    return out, listed


def read_plan_dir(plan_dir: Path | str, limits: ReadLimits = DEFAULT_READ_LIMITS, pure: bool = False,
                  progress_dirs=(), cache=None) -> PlanFiles:
    """All files of a plan folder, loaded, kind-checked and schema-checked; InputError for anything
    unreadable.

    See `list_plan_files` for which files those are. With a `cache`, a file read before is taken
    from the cache; without one, the large files of a large plan are read in worker processes
    (`PlanReading`).
    """
    if cache is None:
        with PlanReading(plan_dir, limits, pure, progress_dirs) as reading:
            return reading.files()
    out, listed = list_plan_files(plan_dir, limits, progress_dirs)
    out.files = [load_plan_file(path, kind, display, limits, pure, cache) for path, kind, display in listed]
    return out


class PlanReading:
    """The files of a plan folder being read: the large files of a large plan by worker processes
    (nap_rules.load.parallel), started at once, the others here when they are asked for.

    `file(i)` is plan file i (of `listed`, in read order) read, kind- and schema-checked, waiting
    for its worker if need be; InputError when it cannot be read, as if read here. `files()` is
    every file, in order. The workers take the files other than goal files first, then the goal
    files in order: the order in which the graph builder reads them.
    """

    def __init__(self, plan_dir: Path | str, limits: ReadLimits, pure: bool, progress_dirs=()):
        from .parallel import Workers

        self.folder, self.listed = list_plan_files(plan_dir, limits, progress_dirs)
        self.limits, self.pure = limits, pure
        self._read: dict[int, PlanFile] = {}
        kinds = [kind for _, kind, _ in self.listed]
        self.workers = Workers([(path, None, kind, display, _size(path)) for path, kind, display in self.listed],
                               limits, pure, order=lambda i: (kinds[i] == "goal", i))

    @property
    def parallel(self) -> bool:
        """Whether workers read some of the files."""
        return self.workers.pool is not None

    def file(self, i: int) -> PlanFile:
        found = self._read.get(i)
        if found is None:
            from .parallel import unpickled

            path, kind, display = self.listed[i]
            done = self.workers.result(i)
            if done is not None:
                doc, findings = unpickled(done)
            else:
                doc, findings = schema_checked(load_yaml_file(path, display, self.limits, self.pure), kind, display)
            found = self._read[i] = PlanFile(kind, display, doc, findings)
        return found

    def files(self) -> PlanFiles:
        self.folder.files = [self.file(i) for i in range(len(self.listed))]
        return self.folder

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.workers.close()


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
