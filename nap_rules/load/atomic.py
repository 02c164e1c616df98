"""Every file nap-rules writes is written whole or not at all.

`write_atomic` writes to a temporary file beside the target (`.NAME.tmp-XXXXXXXX`), flushes
and fsyncs it, and renames it over the target (`os.replace`), so a reader, and the target
after a kill, a full disk or a file-size limit at any moment, holds the old file or the new
one, never part of one. A temporary file holds an exclusive `flock` while it is written, so
one that is unlocked and not empty (or older than a minute) was left by a writer that died: it
is removed when the same target (or, for a folder such as the cache, any target in it) is
written next.

A target that exists and is not a regular file (`/dev/stdout`, `/dev/null`, a named pipe) is
written in place, since it cannot be replaced; a symbolic link is followed, so the file it
names is replaced and the link kept. Errors are OSError, raised to the caller.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: orphans are recognised by age alone
    fcntl = None

TMP_MARK = ".tmp-"
ORPHAN_SECONDS = 60.0  # an unlocked, empty temporary file younger than this may be starting up


def _tmp_prefix(name: str) -> str:
    return f".{name}{TMP_MARK}"


def write_atomic(path, data, *, durable: bool = True, clean: bool = True, in_place: bool = True) -> None:
    """Write `data` (bytes, or text written as UTF-8) to `path`, whole or not at all.

    `durable` also fsyncs the file and its folder, so that the new content survives a crash
    of the machine as well as of the process (without it, a kill of the process still leaves
    the old file or the new one). `clean` first removes what dead writers of `path` left; a
    writer of many files in one folder (the cache) calls `remove_orphans` once instead.
    `in_place=False` replaces a pipe or device found at `path` instead of writing into it.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    target = os.fspath(path)
    if os.path.islink(target):
        target = os.path.realpath(target)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
    if info is not None and not stat.S_ISREG(info.st_mode) and in_place:
        _write_in_place(target, data)
        return
    folder, name = os.path.split(target)
    if clean:
        remove_orphans(folder, name)
    tmp = os.path.join(folder, f"{_tmp_prefix(name)}{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
                 | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0), 0o666)
    try:
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if info is not None:
                os.fchmod(fd, stat.S_IMODE(info.st_mode))
            _write_all(fd, data)
            if durable:
                os.fsync(fd)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    finally:
        os.close(fd)
    if durable:
        _sync_folder(folder)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view[: 1 << 24])
        view = view[written:]


def _write_in_place(target: str, data: bytes) -> None:
    fd = os.open(target, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)


def _sync_folder(folder: str) -> None:
    try:
        fd = os.open(folder or ".", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a folder; the rename stands
        pass
    finally:
        os.close(fd)


def remove_orphans(folder: str, name: str | None = None) -> int:
    """Remove the temporary files that writers of `folder/name` (of any file in `folder` when
    `name` is None) left when they died; the number removed. Never raises."""
    prefix = _tmp_prefix(name) if name is not None else "."
    removed = 0
    try:
        entries = os.scandir(folder or ".")
    except OSError:
        return 0
    with entries:
        for entry in entries:
            if entry.name.startswith(prefix) and (TMP_MARK in entry.name[1:]
                                                  or (name is None and entry.name.startswith(TMP_MARK))):
                removed += _remove_if_orphan(entry.path)
    return removed


def _remove_if_orphan(path: str) -> int:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return 0
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return 0
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return 0  # a writer holds it
            old = info.st_size > 0 or time.time() - info.st_mtime > ORPHAN_SECONDS
        else:  # pragma: no cover
            old = time.time() - info.st_mtime > ORPHAN_SECONDS
        if not old:
            return 0
        os.unlink(path)
        return 1
    except OSError:
        return 0
    finally:
        os.close(fd)
