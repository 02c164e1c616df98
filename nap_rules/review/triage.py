"""Sorts a run's findings for review: waived (config waivers), then known or new (a baseline)."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

from ..errors import InputError
from ..findings import Report, sort_findings
from .baseline import compare, read_baseline
from .waivers import apply_waivers


def load_baseline(path: Path | str, display: str | None = None) -> list:
    display = display or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("baseline file not found (write one with `nap-rules check --write-baseline FILE`)",
                         file=display) from None
    except (OSError, UnicodeError) as exc:
        raise InputError(f"cannot read the baseline file: {exc}", file=display) from None
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
