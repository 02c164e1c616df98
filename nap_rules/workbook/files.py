"""Writing files whole or not at all: a temporary file beside the target, then a rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import InputError


def write_atomic(path, data: bytes) -> None:
    """Write `data` to `path` so that a reader sees the old file or the new one, never a part."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", file=str(path)) from None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_folder(imported, folder, force: bool = False, whole_plan: bool = True) -> list[str]:
    """Write the documents as canonical YAML under `folder`; the names written.

    A folder that already holds plan files is refused unless `force`, which also removes the
    plan files the import does not write, so that the folder is the workbook's plan and only it.
    With `whole_plan` false (monitoring reports into a plan folder) only a file about to be
    overwritten needs `force`, and nothing else is removed.
    """
    from ..load.plan_folder import FOLDERS, SINGLE_FILES
    from .yaml_out import dump

    root = Path(folder)
    existing = []
    if root.exists():
        if not root.is_dir():
            raise InputError("not a folder", file=str(folder))
        existing = [p for name in SINGLE_FILES if (p := root / name).is_file()]
        for sub in FOLDERS:
            if (root / sub).is_dir():
                existing += sorted(p for p in (root / sub).iterdir() if p.suffix in (".yaml", ".yml"))
        if not whole_plan:
            existing = [p for p in existing if p.relative_to(root).as_posix() in imported.docs]
        if existing and not force:
            what = "plan files" if whole_plan else f"{existing[0].relative_to(root).as_posix()}"
            raise InputError(f"already holds {what}: choose an empty folder, or add --force to replace them",
                             file=str(folder))
    written = []
    for rel in sorted(imported.docs):
        kind, doc = imported.docs[rel]
        write_atomic(root / rel, dump(doc, kind).encode("utf-8"))
        written.append(rel)
    for path in existing if whole_plan else ():
        if path.relative_to(root).as_posix() not in imported.docs:
            path.unlink()
    return written
