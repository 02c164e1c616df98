"""Compiled code nap-rules makes from its own files, kept between runs as Python keeps `__pycache__`.

The fast schema validators (nap_rules.load.schema_check) are Python code generated from the
JSON schemas; generating and compiling them costs more than a small plan takes to check. Their
compiled form is kept in a folder of the user's own: `$NAP_RULES_CODE_CACHE`, else
`$XDG_CACHE_HOME/nap-rules`, else `~/.cache/nap-rules`; `NAP_RULES_CODE_CACHE=off` keeps
nothing. An entry is named by the SHA-256 of everything it is made from (the schema's bytes,
the code that makes it, the versions of nap-rules, the generator and Python) and holds the
SHA-256 of its payload.

Entries are code, so they are never kept in a plan's cache folder (`check --cache`), which a
CI job may share between runs of untrusted changes: only in a folder that belongs to the user
and that no one else can write, and only entries that no one else can write are read.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

MAGIC = b"nap-rules code v1\n"


def folder() -> Path | None:
    """The code cache folder, or None when there is none."""
    chosen = os.environ.get("NAP_RULES_CODE_CACHE")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nap-rules"


def _private(path: Path) -> bool:
    """Whether `path` belongs to this user and no one else can write it."""
    if not hasattr(os, "getuid"):  # pragma: no cover - other platforms keep user folders private
        return True
    try:
        info = os.stat(path)
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def digest(*parts: bytes) -> str:
    h = hashlib.sha256(f"python {sys.hexversion}\n".encode())
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def get(name: str) -> bytes | None:
    """The payload stored as `name`, or None (no folder, no entry, a damaged or foreign one)."""
    where = folder()
    if where is None or not _private(where):
        return None
    path = where / f"{name}.code"
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError:
        return None
    head = len(MAGIC) + 32
    if blob[:len(MAGIC)] != MAGIC or hashlib.sha256(blob[head:]).digest() != blob[len(MAGIC):head]:
        return None
    if not _private(path):
        return None
    return blob[head:]


def put(name: str, payload: bytes) -> None:
    """Store `payload` as `name`; a folder that cannot be written is left alone, silently."""
    where = folder()
    if where is None:
        return
    from .atomic import write_atomic

    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(where):
            return
        write_atomic(where / f"{name}.code", MAGIC + hashlib.sha256(payload).digest() + payload, durable=False)
    except OSError:
        pass
