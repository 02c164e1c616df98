"""Every file nap-rules writes is written whole or not at all.

`write_atomic` writes to a temporary file beside the target (`.NAME.tmp-XXXXXXXX`), flushes
and fsyncs it, and renames it over the target (`os.replace`), so a reader, and the target
after a kill, a full disk or a file-size limit at any moment, holds the old file or the new
one, never part of one.

While it writes, a writer holds a shared `flock` on the folder. A writer that can take the
folder's lock exclusively (without waiting) knows no other writer is at work there, so every
temporary file it finds was left by a writer that died: it removes them, those of the same
target before each write, those of every file in the folder for a writer of many files (the
cache). Where folders cannot be locked, a temporary file is taken for an orphan after an hour.

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
ORPHAN_SECONDS = 3600.0  # without folder locks: a temporary file this old is an orphan


def _tmp_prefix(name: str) -> str:
    return f".{name}{TMP_MARK}"


def write_atomic(path, data, *, durable: bool = True, clean: bool = True, in_place: bool = True) -> None:
    """Write `data` (bytes, text written as UTF-8, a tuple of bytes written one after the other,
    or a function given the open file's descriptor that writes it) to `path`, whole or not at all.

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
    folder_fd = _open_folder(folder)
    try:
        if clean:
            _remove_orphans(folder, folder_fd, _tmp_prefix(name))
        _lock(folder_fd, exclusive=False)
        tmp = os.path.join(folder, f"{_tmp_prefix(name)}{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
                     | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0), 0o666)
        try:
            try:
                if info is not None:
                    os.fchmod(fd, stat.S_IMODE(info.st_mode))
                write_all(fd, data)
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
        if durable and folder_fd is not None:
            try:
                os.fsync(folder_fd)
            except OSError:  # some file systems cannot sync a folder; the rename stands
                pass
    finally:
        if folder_fd is not None:
            os.close(folder_fd)  # and with it the lock


def _open_folder(folder: str) -> int | None:
    """A descriptor of `folder` to lock and sync, or None where folders cannot be opened;
    FileNotFoundError when there is no such folder."""
    try:
        return os.open(folder or ".", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise
    except OSError:
        return None


def _lock(folder_fd: int | None, exclusive: bool) -> bool:
    """Takes the folder's lock: shared (waiting for a cleaner to finish) or exclusive (only if
    free at once); whether it was taken."""
    if folder_fd is None or fcntl is None:
        return False
    try:
        fcntl.flock(folder_fd, fcntl.LOCK_EX | fcntl.LOCK_NB if exclusive else fcntl.LOCK_SH)
        return True
    except OSError:
        return False


def write_all(fd: int, data) -> None:
    """Write `data` to `fd`: bytes, a tuple of bytes, or a function that writes to `fd`."""
    if callable(data):
        data(fd)
        return
    if isinstance(data, tuple):
        for chunk in data:
            write_all(fd, chunk)
        return
    view = memoryview(data)
    while view:
        written = os.write(fd, view[: 1 << 24])
        view = view[written:]


def _write_in_place(target: str, data: bytes) -> None:
    fd = os.open(target, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        write_all(fd, data)
    finally:
        os.close(fd)


def remove_orphans(folder: str) -> int:
    """Remove the temporary files that writers of any file in `folder` left when they died;
    the number removed. Never raises."""
    try:
        folder_fd = _open_folder(folder)
    except OSError:
        return 0
    try:
        return _remove_orphans(folder, folder_fd, None)
    finally:
        if folder_fd is not None:
            os.close(folder_fd)


def _remove_orphans(folder: str, folder_fd: int | None, prefix: str | None) -> int:
    """Removes the orphans among the temporary files starting with `prefix` (any, for None):
    all of them when no writer is at work in the folder, else none; old ones where folders
    cannot be locked. Leaves the folder's lock as it found it."""
    locked = _lock(folder_fd, exclusive=True)
    if not locked and folder_fd is not None and fcntl is not None:
        return 0  # a writer is at work here: its temporary file is not an orphan
    removed = 0
    try:
        with os.scandir(folder or ".") as entries:
            for entry in entries:
                name = entry.name
                if prefix is not None and not name.startswith(prefix):
                    continue
                if prefix is None and not (name.startswith(".") and TMP_MARK in name[1:]
                                           or name.startswith(TMP_MARK)):  # and older cache versions'
                    continue
                try:
                    info = entry.stat(follow_symlinks=False)
                    if not stat.S_ISREG(info.st_mode):
                        continue
                    if not locked and time.time() - info.st_mtime < ORPHAN_SECONDS:
                        continue
                    os.unlink(entry.path)
                    removed += 1
                except OSError:
                    pass
    except OSError:
        pass
    finally:
        if locked:
            fcntl.flock(folder_fd, fcntl.LOCK_UN)
    return removed
