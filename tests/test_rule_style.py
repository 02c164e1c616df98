"""The standard rule files read as data, not as programs: no text built with `+` or `str(`
(message placeholders and formats write values), and no line over 120 characters."""

from __future__ import annotations

import re
from pathlib import Path

RULES = Path(__file__).resolve().parents[1] / "rules"
FILES = sorted(RULES.rglob("*.yaml")) + sorted(RULES.rglob("*.yml"))
TEXT_BUILDING = re.compile(r"\+ *'|' *\+|str\(")


def test_no_rule_builds_text_with_plus_or_str():
    found = [f"{path.relative_to(RULES)}:{n}: {line.strip()}" for path in FILES
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if TEXT_BUILDING.search(line)]
    assert not found, "write values with message placeholders and formats:\n" + "\n".join(found)


def test_no_rule_line_is_over_120_characters():
    found = [f"{path.relative_to(RULES)}:{n} ({len(line)} characters)" for path in FILES
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if len(line) > 120]
    assert not found, "fold long expressions and texts with `>-`:\n" + "\n".join(found)
