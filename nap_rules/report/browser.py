"""A headless Chromium, for printing the HTML report to PDF (`nap-rules report --pdf FILE`).

The page is printed as a reviewer's browser would print it (its print style sheet applies);
Chromium is found on PATH (`chromium`, `chromium-browser`, `google-chrome`) or named by the
environment variable NAP_RULES_CHROMIUM. Each run uses a fresh profile folder and no network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import InputError

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--hide-scrollbars", "--mute-audio")
TIMEOUT = 120  # seconds


def find_chromium() -> str | None:
    named = os.environ.get("NAP_RULES_CHROMIUM")
    if named:
        return shutil.which(named) or (named if Path(named).is_file() else None)
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def run_chromium(args: list[str], timeout: int = TIMEOUT) -> subprocess.CompletedProcess:
    """Chromium with the headless flags, a fresh profile and `args`; InputError if there is none."""
    exe = find_chromium()
    if exe is None:
        raise InputError("no Chromium to print with: install chromium (Debian: apt-get install chromium) "
                         "or set NAP_RULES_CHROMIUM")
    with tempfile.TemporaryDirectory(prefix="nap-rules-chromium-") as profile:
        command = [exe, *FLAGS, f"--user-data-dir={profile}", *args]
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise InputError(f"Chromium did not finish within {timeout} s") from None


def print_pdf(html_file: str | Path, pdf_file: str | Path) -> None:
    """The page at `html_file` printed to `pdf_file`."""
    html_uri = Path(html_file).resolve().as_uri()
    target = Path(pdf_file).resolve()
    result = run_chromium(["--no-pdf-header-footer", f"--print-to-pdf={target}", html_uri])
    if not target.is_file() or target.stat().st_size == 0:
        tail = (result.stderr or "").strip().splitlines()[-3:]
        raise InputError("Chromium did not print the report: " + " / ".join(tail), file=str(pdf_file))
