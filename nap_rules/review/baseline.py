"""Findings baselines: write the findings of a run, and sort a later run into new, known and fixed.

A finding is matched by its semantic key (rule, node, detail), never by file position, so
moving or reformatting plan text keeps a baseline valid. Counts matter: two findings with the
same key against one baseline entry give one known and one new.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, TypeVar

from ..errors import InputError
from ..load.locations import Location

BASELINE_SCHEMA = "nap-rules/baseline/v1"

T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True)
class BaselineEntry:
    rule: str
    node: str
    detail: str
    message: str = ""  # for the people who read the file; not part of the match
    file: str = ""
    cause: str = field(default="", compare=False)  # the finding's cause key, for readers; not matched

    def to_json(self) -> dict:
        return {"rule": self.rule, "node": self.node, "detail": self.detail,
                "message": self.message, "file": self.file, "cause": self.cause}


def semantic_key(item) -> tuple[str, str, str]:
    """(rule, node, detail) of a Finding or a BaselineEntry."""
    return (item.rule, item.node, item.detail)


def entries_of(findings: Iterable) -> list[BaselineEntry]:
    return sorted((BaselineEntry(f.rule, f.node, f.detail, f.message, f.file, f.cause_key) for f in findings),
                  key=lambda e: (semantic_key(e), e.message, e.file))


def write_baseline(findings: Iterable) -> str:
    """The baseline file text: JSON, entries sorted, so the same findings give the same bytes."""
    doc = {"schema": BASELINE_SCHEMA, "findings": [e.to_json() for e in entries_of(findings)]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def read_baseline(text: str, file: str = "baseline") -> list[BaselineEntry]:
    """The entries of a baseline file; InputError, located, when it is not one."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not a baseline file: {exc.msg}", Location(file, exc.lineno, exc.colno)) from None
    if not isinstance(doc, dict) or doc.get("schema") != BASELINE_SCHEMA:
        raise InputError(f"not a baseline file: expected a JSON object with \"schema\": \"{BASELINE_SCHEMA}\" "
                         "(write one with `nap-rules check --write-baseline FILE`)", file=file)
    items = doc.get("findings")
    if not isinstance(items, list):
        raise InputError("baseline: \"findings\" must be a list", file=file)
    entries = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("rule", "node", "detail")):
            raise InputError(f"baseline: finding {i + 1} needs text fields \"rule\", \"node\" and \"detail\"", file=file)
        entries.append(BaselineEntry(item["rule"], item["node"], item["detail"],
                                     str(item.get("message", "")), str(item.get("file", "")),
                                     str(item.get("cause", ""))))
    return entries


def match(current: Iterable[T], previous: Iterable[U],
          key: Callable = semantic_key) -> tuple[list[T], list[tuple[T, U]], list[U]]:
    """(unmatched current, matched pairs, unmatched previous), pairing items with equal keys.

    Within one key, items with the same message pair first, then the rest in the order given,
    so which of two look-alike findings counts as new does not depend on chance.
    """
    waiting: dict = defaultdict(list)
    for item in previous:
        waiting[key(item)].append(item)
    by_key: dict = defaultdict(list)
    for item in current:
        by_key[key(item)].append(item)
    new: list[T] = []
    pairs: list[tuple[T, U]] = []
    for k, items in by_key.items():
        pool = waiting.get(k, [])
        unmatched = []
        for item in items:
            same = next((p for p in pool if p.message == item.message), None)
            if same is not None:
                pool.remove(same)
                pairs.append((item, same))
            else:
                unmatched.append(item)
        for item in unmatched:
            if pool:
                pairs.append((item, pool.pop(0)))
            else:
                new.append(item)
    gone = [item for items in waiting.values() for item in items]
    return new, pairs, gone


def compare(findings: Iterable, baseline: Iterable[BaselineEntry]) -> tuple[list, list, list[BaselineEntry]]:
    """(new findings, known findings, fixed baseline entries)."""
    findings = list(findings)
    new, pairs, fixed = match(findings, baseline)
    known_ids = {id(f) for f, _ in pairs}
    known = [f for f in findings if id(f) in known_ids]
    new_ids = {id(f) for f in new}
    return [f for f in findings if id(f) in new_ids], known, sorted(fixed, key=lambda e: (semantic_key(e), e.message))
