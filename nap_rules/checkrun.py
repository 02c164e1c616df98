"""One `check` run: validate the plan, load and configure the rules, evaluate, build the report."""

from __future__ import annotations

import datetime
from pathlib import Path

from . import __version__
from .config import apply_config, load_config
from .engine import evaluate
from .findings import sort_findings
from .formats.report import Report
from .pipeline import collector_paused, validate
from .resources import resource_dir
from .rules import load_rulesets
from .yamlload import DEFAULT_LIMITS, Limits

RULES_SKIPPED = "rules not run: fix the schema errors first"


def run_check(plan_dir: str, *, rule_dirs=(), standard_rules: bool = True,
              as_of: datetime.date, limits: Limits = DEFAULT_LIMITS, progress_dirs=()) -> Report:
    """The report of checking `plan_dir`; InputError when a plan, rule or config file cannot be read."""
    with collector_paused():
        config = load_config(Path(plan_dir), plan_dir)
        dirs = ([resource_dir("rules")] if standard_rules else []) + list(config.paths) + [Path(d) for d in rule_dirs]
        rules = apply_config(load_rulesets(dirs), config)
        result = validate(plan_dir, limits, progress_dirs=progress_dirs)
        findings = list(result.findings)
        notes = ()
        if result.graph is not None:
            findings += evaluate(result.graph, rules, as_of=as_of, params_override=config.params)
        else:
            notes = (RULES_SKIPPED,)
        return Report(__version__, result.plan_id, tuple(sort_findings(findings)), len(result.files.files),
                      rules=tuple(rules), notes=notes)
