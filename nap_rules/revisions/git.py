"""`git:REV` plan folders: a revision of the current repository's plan folder, exported to a temporary one.

The folder inside the repository is the same as that of a plan folder given on the command
line (`nap-rules diff git:HEAD~1 plan/` compares HEAD~1's `plan/` with the working copy).
Git runs with a list of arguments, never through a shell.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

from ..errors import InputError
from ..load.plan_folder import printable

PREFIX = "git:"
# what tarfile's "data" filter refuses in an archive of a revision, in plan terms
_REFUSED = {
    tarfile.AbsoluteLinkError: "is a symbolic link to an absolute path, outside the revision",
    tarfile.LinkOutsideDestinationError: "is a symbolic link leading outside the revision",
    tarfile.AbsolutePathError: "has an absolute path",
    tarfile.OutsideDestinationError: "leads outside the revision",
    tarfile.SpecialFileError: "is not a regular file, folder or link",
}


@dataclass(frozen=True)
class Side:
    folder: Path  # where the plan files are to be read
    label: str  # how the output names this side
    display: str  # the folder as reports show its files (e.g. `plan`)
    spec: str = ""  # `git:REV` for an exported revision
    export: Path | None = None  # the temporary folder it was exported to, never shown

    def relabel(self, findings) -> list:
        """Findings read from a temporary export, pointed back at the folder they come from."""
        root = Path(os.path.normpath(str(self.folder))).as_posix()
        if root == self.display:
            return list(findings)
        out = []
        for f in findings:
            if f.file == root or f.file.startswith(root + "/"):
                f = replace(f, file=self.display + f.file[len(root):])
            out.append(f)
        return out


    def relabel_error(self, exc: InputError) -> InputError:
        """An error met reading an exported revision, naming its files as the repository does
        (`plan/goals/PG1.yaml`, `git:REV:other.yaml`), never the temporary folder."""
        if self.export is None:
            return exc
        text = str(exc)
        for folder in {str(self.folder), os.path.realpath(self.folder)}:
            text = text.replace(folder + "/", self.display + "/").replace(folder, self.display)
        for export in {str(self.export), os.path.realpath(self.export)}:
            text = text.replace(export + "/", f"{self.spec}:").replace(export, self.spec)
        return InputError(text)


def is_revision(spec: str) -> bool:
    return spec.startswith(PREFIX)


@contextmanager
def open_side(spec: str, reference: str) -> Iterator[Side]:
    """A plan folder for `spec`: the folder itself, or `git:REV` of `reference`'s place in the repository."""
    if not is_revision(spec):
        yield Side(Path(spec), spec, Path(os.path.normpath(spec)).as_posix())
        return
    rev = spec[len(PREFIX):]
    with tempfile.TemporaryDirectory(prefix="nap-rules-") as tmp:
        folder = export_revision(rev, reference, Path(tmp))
        display = Path(os.path.normpath(reference)).as_posix()
        yield Side(folder, f"{spec} ({display})", display, spec, Path(tmp))


def _git(args: list[str], cwd: Path, what: str, quiet: bool = False) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise InputError(f"{what}: git is not installed") from None
    if done.returncode != 0:
        reason = [] if quiet else done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"{what}: {reason[-1].removeprefix('fatal: ')}" if reason else what)
    return done.stdout


def export_revision(rev: str, plan_dir: str, dest: Path) -> Path:
    """Write revision `rev` of the folder `plan_dir` (inside a git work tree) under `dest`; its path there."""
    what = f"{PREFIX}{rev}"
    if not rev or rev.startswith("-"):
        raise InputError(f"{what}: expected a revision after 'git:', such as git:HEAD~1 or git:v1.0")
    here = Path(plan_dir).resolve()
    cwd = here if here.is_dir() else Path.cwd()
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], cwd, what).decode().strip()).resolve()
    except InputError as exc:
        if "git is not installed" in exc.message:
            raise
        raise InputError(f"{what}: {plan_dir} is not in a git repository; git:REV reads the plan folder from a "
                         f"revision of the repository it is in (the folder of the other side, or --plan-dir)") from None
    try:
        rel = here.relative_to(top).as_posix()
    except ValueError:
        raise InputError(f"{what}: {plan_dir} is not inside the git repository at {top}") from None
    _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top, f"{what}: unknown revision", quiet=True)
    if rel != "." and not _git(["ls-tree", "-d", rev, "--", rel], top, what).strip():
        raise InputError(f"{what}: {rev} has no folder {rel}{_plan_dir_hint(rev, rel, top)}")
    paths = [] if rel == "." else ["--", rel]
    archive = _git(["archive", "--format=tar", rev, *paths], top, f"{what}: no folder {rel} in that revision")
    try:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(dest, filter="data")
    except tarfile.FilterError as exc:
        raise InputError(f"{what}: {printable(exc.tarinfo.name)} {_REFUSED.get(type(exc), 'cannot be unpacked')}; "
                         "plan files must live inside the plan folder") from None
    except (tarfile.TarError, OSError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise InputError(f"{what}: the revision cannot be unpacked: {reason}") from None
    folder = dest / rel
    if not folder.is_dir():
        raise InputError(f"{what}: {rev} has no folder {rel}{_plan_dir_hint(rev, rel, top)}")
    return folder


def _plan_dir_hint(rev: str, rel: str, top: Path) -> str:
    """`; give the plan's folder in that revision with --plan-dir (there: plan)`."""
    names = _git(["ls-tree", "-r", "--name-only", rev], top, f"git:{rev}").decode("utf-8", "replace").splitlines()
    plans = sorted(n.rpartition("/")[0] or "." for n in names if n == "plan.yaml" or n.endswith("/plan.yaml"))
    found = f" (plan folders there: {', '.join(plans[:5])})" if plans else ""
    return (f"; git:REV takes the folder of the other side ({rel}) from that revision: name the plan's folder "
            f"with --plan-dir{found}")
