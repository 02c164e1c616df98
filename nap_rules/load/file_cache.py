"""A content-hash cache of read and schema-checked plan files (`check --cache DIR`).

Each plan file that was read without error is kept as one entry: its loaded document (values
with their positions) and its schema findings. The entry's name is the SHA-256 of everything
the result depends on: the file's bytes, its kind and the path reports show for it, the
bytes of the kind's schema, the input limits, and the versions of nap-rules, of the modules
that read and check files, of PyYAML and of Python. A file whose bytes change gets a new name,
so an entry is never used for anything but the exact input it was made from.

An entry is used only if it is whole: it starts with a format line, repeats its own name, and
holds the SHA-256 of its payload; anything else (a truncated, corrupted or foreign file) is
ignored and the file is read again. The payload is a pickle, read with an unpickler that can
build plain data and nap-rules' own location types and nothing else, so that a file planted in
the cache folder cannot run code. Entries are written to a temporary file and renamed into
place (nap_rules.load.atomic), so a reader never sees half an entry, and the temporary files
of runs killed while writing are removed by the next run that writes. The folder can be
deleted at any time.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import stat
import sys
from pathlib import Path

from .. import __version__
from .atomic import remove_orphans, write_all, write_atomic

MAGIC = b"nap-rules cache v1\n"
_DIGEST = 32

# The modules whose code decides what a cached entry holds: a change to any of them (in a
# development checkout, between releases) makes every entry a miss.
_SOURCES = ("load/yaml_reader.py", "load/locations.py", "load/plan_folder.py", "load/schema_check.py", "findings.py",
            "load/file_cache.py", "load/reparse.py", "load/located_schema.py")  # the last checks rule files

# (module, name) pairs an entry may name: its data types and their rebuilding functions.
ALLOWED = frozenset({
    ("nap_rules.load.locations", "Location"),
    ("nap_rules.load.locations", "Positions"),
    ("nap_rules.load.locations", "LocMap"),
    ("nap_rules.load.locations", "LocList"),
    ("nap_rules.load.locations", "_packed_map"),
    ("nap_rules.load.locations", "_plain_map"),
    ("nap_rules.load.locations", "_packed_list"),
    ("nap_rules.load.locations", "_plain_list"),
    ("nap_rules.findings", "Finding"),
    ("decimal", "Decimal"),
    ("array", "array"),
    ("array", "_array_reconstructor"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
})


class RefusedEntry(pickle.UnpicklingError):
    """A cache entry names something it may not build."""


class _Unpickler(pickle.Unpickler):
    allowed = ALLOWED

    def find_class(self, module: str, name: str):
        if (module, name) not in self.allowed:
            raise RefusedEntry(f"a cache entry may not build {module}.{name}")
        return super().find_class(module, name)


def loads(payload: bytes, allow: frozenset = frozenset()):
    """The value pickled in `payload`, built only from the allowed types (and those of `allow`)."""
    unpickler = _Unpickler(io.BytesIO(payload))
    if allow:
        unpickler.allowed = ALLOWED | allow
    return unpickler.load()


def _fingerprint(limits) -> bytes:
    h = hashlib.sha256()
    h.update(MAGIC)
    h.update(f"nap-rules {__version__}; python {sys.version}; hex {sys.hexversion}\n".encode())
    try:
        import yaml

        h.update(f"pyyaml {yaml.__version__} {getattr(yaml, '__with_libyaml__', False)}\n".encode())
    except ImportError:  # pragma: no cover - a dependency
        pass
    here = Path(__file__).resolve().parent.parent  # the package
    for name in _SOURCES:
        try:
            h.update(name.encode() + b"\0" + (here / name).read_bytes())
        except OSError:  # pragma: no cover - an unusual installation: the version stands in
            h.update(name.encode() + b"\0missing")
    h.update(repr(limits).encode())
    return h.digest()


def _read_entry(path: Path) -> bytes | None:
    """The bytes of a regular file, or None: a pipe or device planted in the folder is
    not waited on, a symbolic link not followed."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read()
    except OSError:
        return None
    finally:
        os.close(fd)


class FileCache:
    """The entries in one cache folder, for one set of input limits."""

    def __init__(self, folder: str | os.PathLike, limits):
        self.folder = Path(folder)
        self.salt = _fingerprint(limits)
        self.usable = True
        self.hits = 0
        self.misses = 0
        self._schemas: dict[str, bytes] = {}
        self._cleaned = False

    def _schema_bytes(self, kind: str) -> bytes:
        found = self._schemas.get(kind)
        if found is None:
            from .resources import resource_dir

            try:
                found = (resource_dir("schemas") / f"{kind}.schema.json").read_bytes()
            except OSError:
                found = b""
            self._schemas[kind] = found
        return found

    def key(self, data: bytes, kind: str, display: str) -> bytes:
        """The entry name (a SHA-256 digest) for `data` read as a `kind` file shown as `display`."""
        h = hashlib.sha256(self.salt)
        for part in (kind.encode(), display.encode("utf-8", "surrogateescape"), self._schema_bytes(kind)):
            h.update(len(part).to_bytes(8, "big"))
            h.update(part)
        h.update(data)
        return h.digest()

    def _path(self, key: bytes) -> Path:
        return self.folder / f"{key.hex()}.entry"

    @staticmethod
    def _source_key(key: bytes) -> bytes:
        return hashlib.sha256(b"source\0" + key).digest()

    def put_source(self, key: bytes, data: bytes) -> None:
        """Keep `data`, the bytes the entry `key` was read from, unless they are kept already: a
        later run compares a changed file with them to read only its changed lines again."""
        source = self._source_key(key)
        if self.usable and not self._path(source).is_file():
            self.put_pickled(source, pickle.dumps(data, protocol=5))

    def source(self, key: bytes) -> bytes | None:
        """The bytes the entry `key` was read from, when kept (`put_source`), else None."""
        found = self.get(self._source_key(key))
        return found if isinstance(found, bytes) else None

    def put_content(self, payload: bytes, label: bytes) -> bytes:
        """Store the value pickled as `payload` under a name made from its own bytes (and
        `label`, what it is), unless an entry of that name exists already; the name."""
        h = hashlib.sha256(self.salt)
        h.update(label + b"\0")
        h.update(payload)
        key = h.digest()
        if self.usable and not self._path(key).is_file():
            self.put_pickled(key, payload)
        return key

    def get(self, key: bytes, allow: frozenset = frozenset()):
        """The value stored under `key`, or None when there is no whole, valid entry.

        `allow` adds (module, name) pairs the entry may build: a higher layer's own record types.
        """
        blob = _read_entry(self._path(key))
        if blob is None:
            self.misses += 1
            return None
        head = len(MAGIC)
        body = head + 2 * _DIGEST
        if (len(blob) < body or blob[:head] != MAGIC or blob[head:head + _DIGEST] != key
                or hashlib.sha256(memoryview(blob)[body:]).digest() != blob[head + _DIGEST:body]):
            self.misses += 1
            return None
        try:
            value = loads(memoryview(blob)[body:], allow)
        except Exception:  # noqa: BLE001 - a refused or unreadable entry is a miss, never an error
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, key: bytes, value) -> None:
        """Store `value` under `key`; a cache that cannot be written is left alone, silently.

        The value is pickled straight into the entry's file, its payload hash written into the
        head afterwards: a large value (a run's snapshot) is never held twice in memory, once
        pickled and once with its head.
        """
        if not self.usable:
            return

        def write(fd: int) -> None:
            out = _HashingWriter(fd)
            out.write(MAGIC + key + bytes(_DIGEST))  # the payload's hash, filled in below
            out.hash = hashlib.sha256()
            pickle.Pickler(out, protocol=5).dump(value)
            os.lseek(fd, len(MAGIC) + _DIGEST, os.SEEK_SET)
            write_all(fd, out.hash.digest())

        try:
            self._store(key, write)
        except OSError:
            self.usable = False
        except Exception:  # noqa: BLE001 - a value that cannot be stored is simply not cached
            return

    def put_pickled(self, key: bytes, payload: bytes) -> None:
        """Store the value pickled (protocol 5) as `payload` under `key`."""
        if not self.usable:
            return
        try:
            self._store(key, (MAGIC, key, hashlib.sha256(payload).digest(), payload))
        except OSError:
            self.usable = False

    def _store(self, key: bytes, data) -> None:
        """Write the entry `key` (chunks of bytes, or a function that writes them to a descriptor)."""
        if not self._cleaned:
            self.folder.mkdir(parents=True, exist_ok=True)
            remove_orphans(str(self.folder))  # what runs killed while writing left behind
            self._cleaned = True
        # not fsynced: an entry a machine crash leaves torn fails its hash and is a miss
        write_atomic(self._path(key), data, durable=False, clean=False, in_place=False)


class _HashingWriter:
    """A file-like writer to a descriptor that hashes what it writes (in `hash`, once set)."""

    __slots__ = ("fd", "hash")

    def __init__(self, fd: int):
        self.fd = fd
        self.hash = None

    def write(self, data) -> int:
        if self.hash is not None:
            self.hash.update(data)
        write_all(self.fd, data)
        return len(data)
