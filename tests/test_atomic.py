"""The one way nap-rules writes a file: whole or not at all (nap_rules.load.atomic).

The kill-at-each-write test with real processes is in tests/test_faults.py; these pin down the
helper's own cases: the temporary file, its removal on failure, orphans, links and devices.
"""

from __future__ import annotations

import os
import time

import pytest

from nap_rules.load.atomic import ORPHAN_SECONDS, remove_orphans, write_atomic


def leftovers(folder) -> list[str]:
    return sorted(name for name in os.listdir(folder) if ".tmp-" in name)


def test_writes_text_and_bytes_and_replaces(tmp_path):
    target = tmp_path / "out.txt"
    write_atomic(target, "first\n")
    assert target.read_bytes() == b"first\n"
    write_atomic(target, b"second\n")
    assert target.read_bytes() == b"second\n"
    assert leftovers(tmp_path) == []


def test_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_atomic(target, "new")
    assert target.stat().st_mode & 0o777 == 0o640


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_text("old")

    def no_space(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_missing_folder_is_an_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "no" / "out.txt", "x")


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(IsADirectoryError):
        write_atomic(tmp_path, "x")


def test_a_symbolic_link_is_followed_and_kept(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_a_device_is_written_in_place():
    write_atomic("/dev/null", "x")
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


def test_dev_full_is_an_oserror_and_stays_a_device():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with pytest.raises(OSError):
        write_atomic("/dev/full", "x")
    assert not os.path.isfile("/dev/full")


def test_orphans_of_dead_writers_are_removed(tmp_path):
    target = tmp_path / "out.txt"
    dead = tmp_path / ".out.txt.tmp-dead0001"
    dead.write_text("half a rep")
    empty = tmp_path / ".out.txt.tmp-dead0002"  # killed before its first write
    empty.write_text("")
    other = tmp_path / ".other.txt.tmp-dead0003"
    other.write_text("x")
    legacy = tmp_path / ".tmp-k2j4l1.entry"
    legacy.write_text("x")
    write_atomic(target, "new")
    assert leftovers(tmp_path) == [".other.txt.tmp-dead0003", ".tmp-k2j4l1.entry"]  # another target's
    assert remove_orphans(str(tmp_path)) == 2  # the whole folder
    assert leftovers(tmp_path) == []


def test_nothing_is_removed_while_a_writer_is_at_work(tmp_path):
    import fcntl

    busy = tmp_path / ".out.txt.tmp-busy0001"
    busy.write_text("being written")
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # as a writer holds it
        write_atomic(tmp_path / "out.txt", "new")  # writers share the folder
        assert remove_orphans(str(tmp_path)) == 0 and leftovers(tmp_path) == [busy.name]
    finally:
        os.close(fd)
    assert remove_orphans(str(tmp_path)) == 1


def test_without_folder_locks_only_old_files_are_orphans(tmp_path, monkeypatch):
    from nap_rules.load import atomic

    monkeypatch.setattr(atomic, "fcntl", None)
    young = tmp_path / ".a.tmp-young001"
    young.write_text("x")
    old = tmp_path / ".a.tmp-old00001"
    old.write_text("x")
    past = time.time() - 2 * ORPHAN_SECONDS
    os.utime(old, (past, past))
    assert remove_orphans(str(tmp_path)) == 1 and leftovers(tmp_path) == [young.name]
