"""Sorts a run's findings for review: waived (config waivers), then known or new (a baseline)."""

from __future__ import annotations

import dataclasses
import datetime
import os
from pathlib import Path

from ..errors import InputError
from ..findings import Report, sort_findings
from ..load.plan_folder import printable
from ..load.yaml_reader import read_file_bytes
from .baseline import compare, read_baseline
from .waivers import apply_waivers


def load_baseline(path: Path | str, display: str | None = None) -> list:
    """The entries of the baseline file `path`: a regular file (a pipe or device is refused, not
    waited on or read without end) of UTF-8 JSON; InputError, never quoting it, otherwise."""
    display = display or printable(str(path))
    if not os.path.lexists(path):
        raise InputError("baseline file not found (write one with `nap-rules check --write-baseline FILE`)",
                         file=display)
    data = read_file_bytes(Path(path), display)
    try:
        text = data.decode("utf-8")
    except UnicodeError:
        raise InputError("cannot read the baseline file: it is not UTF-8 text", file=display) from None
    return read_baseline(text, display)


def triage(report: Report, *, waivers=(), as_of: datetime.date, baseline: list | None = None,
           baseline_name: str | None = None) -> Report:
    """The report with waived findings set aside (plus notes on the waivers themselves) and,
    given a baseline, its findings marked known and the baseline entries no longer found."""
    kept, waived, notes = apply_waivers(report.findings, waivers, as_of)
    findings = tuple(sort_findings([*kept, *notes]))
    report = dataclasses.replace(report, findings=findings, waived=tuple(waived))
    if baseline is None:
        return report
    _, known, fixed = compare(findings, baseline)
    return dataclasses.replace(report, baseline=baseline_name or "baseline", known=tuple(known), fixed=tuple(fixed))
