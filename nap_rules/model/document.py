"""The plan's source document (plan.yaml `document`): where it is, and the lines plan items cite.

Plan items cite the document by line (`doc_line`); findings carry the cited line, and reports
show it beside the file position. When the document's file can be read (and has the declared
checksum, if one is declared) a report may quote the cited line itself.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_DOCUMENT_BYTES = 50_000_000  # a larger file is not read for quotes


@dataclass(frozen=True)
class Document:
    title: str
    path: str = ""  # as reports show it: the plan folder joined with `document.path`, or ""
    sha256: str = ""
    lines: tuple[str, ...] | None = field(default=None, compare=False, repr=False)  # None: not readable
    problem: str = ""  # why the lines could not be read, if they were wanted

    plan_dir: str = field(default=".", compare=False, repr=False)  # the folder `path` is relative to

    def read(self) -> "Document":
        """The same document with its lines read (or the reason they could not be)."""
        if self.lines is not None or not self.path:
            return self
        return _read(self, self.plan_dir)

    def quote(self, line: int | None) -> str | None:
        """The text of document line `line` (1-based), or None."""
        if self.lines is None or not line or line > len(self.lines):
            return None
        return self.lines[line - 1].strip()


def document_of(plan_doc, plan_dir: str | Path, *, read: bool = False) -> Document | None:
    """The document plan.yaml declares (None if it declares none); with `read`, its lines too."""
    spec = plan_doc.get("document") if hasattr(plan_doc, "get") else None
    if not isinstance(spec, dict) or not isinstance(spec.get("title"), str):
        return None
    rel = spec.get("path")
    path = os.path.normpath(os.path.join(str(plan_dir), rel)) if isinstance(rel, str) and rel else ""
    checksum = spec.get("sha256") if isinstance(spec.get("sha256"), str) else ""
    doc = Document(spec["title"], path, checksum, plan_dir=str(plan_dir))
    return doc.read() if read else doc


def _read(doc: Document, plan_dir: str | Path) -> Document:
    """The document's lines, read only from a regular file that lies inside the plan folder or
    has the declared sha256: plan.yaml is untrusted, and a path it names outside the folder
    without the file's checksum could have a report quote any file (`/etc/shadow`, line 1).
    A checksum can only be declared by someone who has the file's bytes already."""
    path, checksum = doc.path, doc.sha256
    real, root = os.path.realpath(path), os.path.realpath(plan_dir)
    if not checksum and os.path.commonpath([real, root]) != root:
        return Document(doc.title, path, checksum,
                        problem=f"{path} is outside the plan folder and plan.yaml declares no sha256 for it: not read")
    try:
        data = _regular_file_bytes(path)
    except OSError as exc:
        return Document(doc.title, path, checksum, problem=f"cannot read {path}: {exc.strerror or exc}")
    if len(data) > MAX_DOCUMENT_BYTES:
        return Document(doc.title, path, checksum, problem=f"{path} is larger than {MAX_DOCUMENT_BYTES} bytes")
    if checksum and hashlib.sha256(data).hexdigest() != checksum:
        return Document(doc.title, path, checksum, problem=f"{path} does not have the declared sha256")
    text = data.decode("utf-8", errors="replace")
    return Document(doc.title, path, checksum, lines=tuple(text.split("\n")))


def _regular_file_bytes(path: str) -> bytes:
    """Up to MAX_DOCUMENT_BYTES + 1 bytes of a regular file; OSError for anything else (a pipe is
    not waited on, a device not read)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(MAX_DOCUMENT_BYTES + 1)
    finally:
        os.close(fd)


def plan_document(plan_dir: str | Path, files=None, *, read: bool = False) -> Document | None:
    """The document of the plan in `plan_dir`, from its plan.yaml as read (`files`) or read now."""
    plan_file = files.one("plan") if files is not None else None
    if plan_file is not None:
        return document_of(plan_file.doc, plan_dir, read=read)
    from ..load.yaml_reader import load_yaml_file

    path = Path(plan_dir) / "plan.yaml"
    try:
        doc = load_yaml_file(path, str(path))
    except Exception:  # noqa: BLE001 - an unreadable plan.yaml is reported by the check itself
        return None
    return document_of(doc, plan_dir, read=read)
