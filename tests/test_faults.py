"""Faults while writing, on real processes: a kill at each write, a full disk, an interrupt.

Every file nap-rules writes goes through one helper (nap_rules/load/atomic.py): a temporary
file beside the target, fsynced, renamed over it. These tests run `python -m nap_rules` as a
child and fail it from outside, without any hook in nap-rules itself:

- strace's fault injection kills the child (SIGKILL) at its Kth write(2), for every K until
  a run ends on its own, and at its fsync(2) and rename(2): each time the target holds the old
  bytes or the new ones, never part of them; the next run removes the killed run's leftovers.
- a file-size limit (RLIMIT_FSIZE, as `ulimit -f`) stands for a full disk; /dev/full and a
  closed pipe for output that cannot be written; a read-only folder; each exits 2 with one line.
- SIGINT, sent by strace at a write or by this process to a child waiting on a pipe, exits 130.

The quick suite kills one writer at each write; the thorough profile (`.ci/run`) kills them all
and the cache.
"""

from __future__ import annotations

import ctypes
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "tests" / "hostile" / "cases" / "ok-minimal"
STRACE = shutil.which("strace")
OLD = b"the previous file, which must survive a failed write\n"
KILLED = -signal.SIGKILL


def _strace_works() -> bool:
    if STRACE is None:
        return False
    done = subprocess.run([STRACE, "-qq", "-o", os.devnull, "-e", "trace=write", "true"], capture_output=True)
    return done.returncode == 0


needs_strace = pytest.mark.skipif(not _strace_works(), reason="strace is not installed or cannot trace here")


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="")


def nap(args: list, *, inject: str | None = None, syscalls: str = "write", preexec=None, stdout=None,
        timeout: float = 600) -> subprocess.CompletedProcess:
    """`python -m nap_rules ARGS`, under strace injecting `inject` into `syscalls` when given."""
    argv = [sys.executable, "-m", "nap_rules", *map(str, args)]
    if inject is not None:
        argv = [STRACE, "-f", "-qq", "-o", os.devnull, "-e", f"trace={syscalls}", "-e",
                f"inject={syscalls}:{inject}", *argv]
    return subprocess.run(argv, cwd=ROOT, env=_env(), capture_output=stdout is None,
                          stdout=stdout, stderr=subprocess.PIPE if stdout is not None else None,
                          timeout=timeout, preexec_fn=preexec)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


WRITERS = {
    "check --output": lambda target: ["check", PLAN, "--as-of", "2024-01-01", "--output", target],
    "check --write-baseline": lambda target: ["check", PLAN, "--as-of", "2024-01-01", "--write-baseline", target],
    "report --html": lambda target: ["report", PLAN, "--as-of", "2024-01-01", "--html", target],
    "rules doc --output": lambda target: ["rules", "doc", "--output", target],
}


def _new_bytes(writer, tmp_path: Path) -> bytes:
    fresh = tmp_path / "fresh" / "out"
    fresh.parent.mkdir()
    done = nap(WRITERS[writer](fresh))
    assert done.returncode == 0, done.stderr
    return fresh.read_bytes()


@needs_strace
@pytest.mark.slow  # some fifty runs of the program per writer: the thorough profile runs them
@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_kill_at_any_write_leaves_the_old_file_or_the_new_one(writer, tmp_path):
    new = _new_bytes(writer, tmp_path)
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "report.out"
    seen = {"old": 0, "new": 0}
    for syscalls, most in (("write", 50), ("rename,renameat,renameat2", 3)):
        for k in range(1, most + 1):
            target.write_bytes(OLD)
            done = nap(WRITERS[writer](target), inject=f"signal=KILL:when={k}", syscalls=syscalls)
            after = target.read_bytes()
            assert after in (OLD, new), f"{writer}: a kill at {syscalls} #{k} left {len(after)} bytes"
            seen["old" if after == OLD else "new"] += 1
            if done.returncode != KILLED:  # the run got past its last such call
                assert done.returncode == 0 and after == new, done.stderr
                break
        else:
            pytest.fail(f"{writer}: still killed at {syscalls} #{most}")
    assert seen["old"] >= 2, seen  # kills landed before the rename: at the write of the file, at the rename
    # the next ordinary run removes what the killed ones left
    target.write_bytes(OLD)
    assert nap(WRITERS[writer](target)).returncode == 0
    assert target.read_bytes() == new and leftovers(folder) == []


@needs_strace
@pytest.mark.slow
def test_a_kill_at_any_cache_write_leaves_whole_entries_only(tmp_path):
    cache = tmp_path / "cache"
    args = ["check", PLAN, "--as-of", "2024-01-01", "--format", "json"]
    expected = nap(args).stdout
    # a cache-filling run of the published plan writes about 90 times (each entry: head, payload,
    # hash; the plan files, the goal files' bytes, the rule files, the snapshot); the loop ends at
    # the first write number the run does not reach
    for k in range(1, 200):
        done = nap([*args, "--cache", cache], inject=f"signal=KILL:when={k}")
        if done.returncode != KILLED:
            assert done.stdout == expected
            break
        # whatever the killed run left, a run with the cache gives the report without it
        assert nap([*args, "--cache", cache]).stdout == expected
        shutil.rmtree(cache)
    else:
        pytest.fail("still killed at write #199")
    cache.mkdir(exist_ok=True)
    (cache / f".{'ab' * 32}.entry.tmp-killed01").write_bytes(b"half an entry")
    assert nap([*args, "--cache", cache]).stdout == expected
    assert leftovers(cache) == []


def _file_size_limit(limit: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.parametrize("writer", ["check --output", "check --write-baseline", "report --html"])
def test_a_full_disk_keeps_the_old_file_and_exits_2(writer, tmp_path):
    target = tmp_path / "report.out"
    target.write_bytes(OLD)
    done = nap(WRITERS[writer](target), preexec=_file_size_limit(20))
    assert done.returncode == 2, done.stderr
    err = done.stderr.decode()
    assert "Traceback" not in err and f"{target}: cannot write" in err and "File too large" in err
    assert target.read_bytes() == OLD and leftovers(tmp_path) == []


@pytest.mark.parametrize("args", [
    ["check", PLAN, "--output", "/dev/full"],
    ["rules", "doc", "--output", "/dev/full"],
    ["graph", PLAN, "--output", "/dev/full"],
    ["diff", PLAN, PLAN, "--output", "/dev/full"],
])
def test_dev_full_exits_2_with_one_line(args):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    done = nap(args)
    err = done.stderr.decode()
    assert done.returncode == 2 and err.count("\n") == 1 and "No space left on device" in err, err


def test_standard_output_on_a_full_disk_exits_2():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with open("/dev/full", "wb") as full:
        done = nap(["check", PLAN], stdout=full)
    err = done.stderr.decode()
    assert done.returncode == 2 and "standard output: cannot write" in err and "Traceback" not in err, err


def test_a_closed_pipe_on_standard_output_exits_2():
    child = subprocess.Popen([sys.executable, "-m", "nap_rules", "check", str(PLAN)], cwd=ROOT, env=_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()  # the reader is gone before anything is written (`| head -0`)
    err = child.stderr.read().decode()
    assert child.wait(timeout=600) == 2 and "Broken pipe" in err and "Traceback" not in err, err


def test_a_missing_folder_exits_2_with_one_line(tmp_path):
    done = nap(["check", PLAN, "--output", tmp_path / "no" / "report.txt"])
    err = done.stderr.decode()
    assert done.returncode == 2 and err.count("\n") == 1 and "No such file or directory" in err, err


def _drop_override():
    """Without CAP_DAC_OVERRIDE root obeys file modes (as in tests/hostile)."""
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(24, 1, 0, 0, 0) != 0:  # PR_CAPBSET_DROP, CAP_DAC_OVERRIDE
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_a_read_only_folder_keeps_the_old_file_and_exits_2(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "baseline.json"
    target.write_bytes(OLD)
    folder.chmod(0o555)
    try:
        try:
            done = nap(["check", PLAN, "--write-baseline", target], preexec=_drop_override)
        except subprocess.SubprocessError:
            pytest.skip("running as root without the right to drop CAP_DAC_OVERRIDE")
    finally:
        folder.chmod(0o755)
    err = done.stderr.decode()
    assert done.returncode == 2 and "Permission denied" in err and "Traceback" not in err, err
    assert target.read_bytes() == OLD and leftovers(folder) == []


@needs_strace
def test_an_interrupt_at_a_write_exits_130_and_keeps_the_old_file(tmp_path):
    target = tmp_path / "report.txt"
    target.write_bytes(OLD)
    done = nap(["check", PLAN, "--output", target], inject="signal=INT:when=1")
    err = done.stderr.decode()
    assert done.returncode == 130 and "interrupted" in err and "Traceback" not in err and "Aborted" not in err, err
    assert target.read_bytes() == OLD and leftovers(tmp_path) == []


def _waiting_on_the_pipe(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/wchan").read_text() == "wait_for_partner"
    except OSError:
        return False


def test_sigint_to_a_waiting_child_exits_130(tmp_path):
    pipe = tmp_path / "report.pipe"
    os.mkfifo(pipe)
    child = subprocess.Popen([sys.executable, "-m", "nap_rules", "check", str(PLAN), "--output", str(pipe)],
                             cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 600  # a guard against a hang only
        while not _waiting_on_the_pipe(child.pid):  # opening the pipe: past start-up, blocked
            if child.poll() is not None or time.monotonic() > deadline:
                pytest.skip("cannot see the child wait on the pipe (no /proc wchan here)")
            time.sleep(0.05)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=600)
    finally:
        if child.poll() is None:
            child.kill()
    err = err.decode()
    assert child.returncode == 130 and "interrupted" in err and "Traceback" not in err, err
