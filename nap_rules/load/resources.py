"""Where the packaged schemas and standard rules live, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent.parent  # the package


def resource_dir(name: str) -> Path:
    """`schemas` or `rules`: inside the installed package, else at the top of the checkout."""
    for candidate in (_HERE / name, _HERE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"nap-rules is installed without its {name}/ folder")
