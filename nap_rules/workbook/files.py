"""Writing what an export or import makes: whole files or nothing (load/atomic.py), a plan folder."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..load import atomic


def write_atomic(path, data: bytes) -> None:
    """Write `data` to `path` (its folder made if missing) so that a reader sees the old file or the
    new one, never a part (nap_rules.load.atomic); InputError when it cannot be written."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_atomic(path, data)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", file=str(path)) from None


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
