"""`nap-rules rules test DIR`: run the examples of every rule of a folder, and say which pass.

A rule's `examples` give where it passes (no finding of the rule) and where it fails (at least
one finding; exactly the nodes of `expected.yaml` when the fixture folder has one, as the
standard rules' tests/rules/<ID>/ do). Each side is a plan folder, or a list of inline cases:
small patches over the plan folder `base`, written to a temporary copy of it. A path is read
from the current folder, else from the rule file's folder. Every example plan must be a
well-formed plan on which the rule can be evaluated, so that no example passes because nothing
was checked.
"""

from __future__ import annotations

import datetime
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..load.canonical import dump_document
from ..load.locations import plain
from ..load.yaml_reader import load_yaml_file
from ..ruleset.rules import Rule, load_rulesets
from .engine import ENGINE_RULE, evaluate
from .pipeline import validate

DEFAULT_AS_OF = datetime.date(2024, 1, 1)


@dataclass
class Outcome:
    rule: Rule
    cases: int = 0
    problems: list[str] = field(default_factory=list)  # why it does not pass, one line each

    @property
    def ok(self) -> bool:
        return self.cases > 0 and not self.problems


def run_folder_examples(folder: Path) -> list[Outcome]:
    """The outcome of each rule of the rule files in `folder` (InputError if they do not load)."""
    return [run_examples(rule) for rule in load_rulesets([Path(folder)])]


def run_examples(rule: Rule) -> Outcome:
    outcome = Outcome(rule)
    examples = rule.examples
    here = Path(rule.source.file).parent
    expected = _expected_file(examples.failing, here)
    try:
        as_of = _as_of(examples.as_of or (expected or {}).get("as_of"))
    except ValueError as exc:
        outcome.problems.append(f"examples: {exc}")
        return outcome
    for side, spec in (("pass", examples.passing), ("fail", examples.failing)):
        if isinstance(spec, tuple):
            base = _folder(examples.base, here) if examples.base else None
            if base is None:
                outcome.problems.append(f"{side}: inline cases need `base`, a plan folder "
                                        f"({examples.base or 'not given'})")
                continue
            for n, case in enumerate(spec, 1):
                with tempfile.TemporaryDirectory() as tmp:
                    try:
                        plan = _patched(base, case, Path(tmp) / "plan")
                    except InputError as exc:
                        outcome.problems.append(f"{side} case {n}: {exc}")
                        continue
                    _judge(outcome, rule, side, f"case {n}", plan, as_of, None)
        else:
            plan = _folder(spec, here)
            if plan is None:
                outcome.problems.append(f"{side}: plan folder {spec!r} not found")
                continue
            nodes = (expected or {}).get("fail") if side == "fail" else None
            _judge(outcome, rule, side, spec, plan, as_of, nodes)
    return outcome


def _judge(outcome: Outcome, rule: Rule, side: str, label: str, plan: Path,
           as_of: datetime.date, nodes) -> None:
    outcome.cases += 1
    try:
        result = validate(plan)
    except InputError as exc:
        outcome.problems.append(f"{side} {label}: the plan cannot be read: {exc}")
        return
    schema = [f for f in result.findings if f.rule.startswith("NAP-SCHEMA")]
    if result.graph is None or schema:
        first = schema[0] if schema else None
        why = f"{first.file}:{first.line}: {first.message}" if first else "no graph"
        outcome.problems.append(f"{side} {label}: not a well-formed plan: {why}")
        return
    found = evaluate(result.graph, [rule], as_of=as_of)
    engine = [f for f in found if f.rule == ENGINE_RULE]
    if engine:
        outcome.problems.append(f"{side} {label}: {engine[0].message}")
        return
    mine = [f for f in found if f.rule == rule.id]
    if side == "pass" and mine:
        more = f" (and {len(mine) - 1} more)" if len(mine) > 1 else ""
        outcome.problems.append(f"{side} {label}: reports {mine[0].node}: {mine[0].message}{more}")
    elif side == "fail" and not mine:
        outcome.problems.append(f"{side} {label}: reports nothing")
    elif side == "fail" and nodes is not None and sorted(f.node for f in mine) != sorted(nodes):
        outcome.problems.append(f"{side} {label}: reports {sorted(f.node for f in mine)}, "
                                f"expected.yaml lists {sorted(nodes)}")


def _as_of(value) -> datetime.date:
    if value is None:
        return DEFAULT_AS_OF
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"as_of {value!r} is not a date (YYYY-MM-DD)") from None


def _folder(path: str, here: Path) -> Path | None:
    for candidate in (Path(path), here / path):
        if candidate.is_dir():
            return candidate
    return None


def _expected_file(failing, here: Path) -> dict | None:
    """The `expected.yaml` beside a fixture folder (tests/rules/<ID>/fail), if any."""
    if isinstance(failing, tuple):
        return None
    folder = _folder(failing, here)
    path = folder.parent / "expected.yaml" if folder is not None else None
    if path is None or not path.is_file():
        return None
    doc = load_yaml_file(path)
    return doc if isinstance(doc, dict) else None


def _patched(base: Path, case: dict, out: Path) -> Path:
    """A copy of the plan folder `base` at `out`, with the patches of `case` merged in."""
    shutil.copytree(base, out)
    for name, patch in case.items():
        target = (out / name).resolve()
        if out.resolve() not in target.parents:
            raise InputError(f"{name!r} is not a file of the base plan")
        doc = load_yaml_file(target, name) if target.is_file() else {}
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump_document(merge(plain(doc), patch)), encoding="utf-8")
    return out


def merge(value, patch):
    """`patch` over `value`: mappings key by key, lists of items with an `id` item by id (an
    item with a new id is added), anything else replaced."""
    if isinstance(value, dict) and isinstance(patch, dict):
        out = dict(value)
        for key, new in patch.items():
            out[key] = merge(out[key], new) if key in out else new
        return out
    if isinstance(value, list) and isinstance(patch, list) and all(
            isinstance(p, dict) and "id" in p for p in patch):
        out = list(value)
        index = {str(item.get("id")): i for i, item in enumerate(out) if isinstance(item, dict)}
        for item in patch:
            i = index.get(str(item["id"]))
            if i is None:
                out.append(item)
            else:
                out[i] = merge(out[i], item)
        return out
    return patch


__all__ = ["Outcome", "merge", "run_examples", "run_folder_examples"]
