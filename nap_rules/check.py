"""One `check` run: validate the plan, load and configure the rules, evaluate, build the report."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

from . import __version__
from .findings import Report, sort_findings
from .load.resources import resource_dir
from .load.yaml_reader import DEFAULT_READ_LIMITS, ReadLimits
from .model.document import plan_document
from .ruleset.builtin import BUILTIN_RULES
from .ruleset.config import apply_config, check_selection, configured_severity, load_config, selected
from .ruleset.rules import load_rulesets
from .run.engine import evaluate
from .run.pipeline import Validated, collector_paused, validate, without_registry

RULES_SKIPPED = "rules not run: fix the schema errors first"


def run_check(plan_dir: str, **options) -> Report:
    """The report of checking `plan_dir`; InputError when a plan, rule or config file cannot be read."""
    return check_plan(plan_dir, **options)[1]


def configure_builtin(findings, config, select=(), ignore=()) -> list:
    """Schema and reference findings under the configuration's `disable` and `severity`, and `--select`/`--ignore`."""
    out = []
    for f in findings:
        if not selected(f.rule, select, ignore):
            continue
        severity = configured_severity(f.rule, f.severity, config)
        if severity is not None:
            out.append(f if severity == f.severity else dataclasses.replace(f, severity=severity))
    return out


def check_plan(plan_dir: str, *, rule_dirs=(), standard_rules: bool = True, as_of: datetime.date,
               limits: ReadLimits = DEFAULT_READ_LIMITS, progress_dirs=(), baseline: str | None = None,
               config_baseline: bool = True, cache: str | Path | None = None, select=(),
               ignore=(), rule_values: bool = False) -> tuple[Validated, Report]:
    """The validated plan and the report of checking it, waivers applied.

    `select`/`ignore` are rule ids or groups, as `--select`/`--ignore` give them: they choose among
    the rules and the tool's own checks after the configuration has.

    The findings are compared with `baseline`, else with the configuration's `baseline:` file
    (unless `config_baseline` is false), else with nothing. `cache` is a cache folder for
    the files read (see nap_rules.load.file_cache).
    """
    with collector_paused():
        from .workbook.source import is_workbook

        workbook = is_workbook(plan_dir)
        if workbook:  # a workbook's configuration is the .nap-rules.yaml beside it
            config = load_config(Path(plan_dir).parent, str(Path(plan_dir).parent))
            cache = None
        else:
            config = load_config(Path(plan_dir), plan_dir)
        dirs = ([resource_dir("rules")] if standard_rules else []) + list(config.paths) + [Path(d) for d in rule_dirs]
        rule_cache = None
        if cache is not None:  # the rule files' documents are kept in the cache folder too
            from .load.file_cache import FileCache

            rule_cache = FileCache(cache, DEFAULT_READ_LIMITS)
        loaded = load_rulesets(dirs, limits=config.limits, cache=rule_cache)
        check_selection(loaded, select, ignore, extra_ids=BUILTIN_RULES)
        rules = [r for r in apply_config(loaded, config, extra_ids=BUILTIN_RULES) if selected(r.id, select, ignore)]
        baseline_file = baseline or (config.baseline if config_baseline else None)
        entries = None
        if baseline_file:
            from .review.triage import load_baseline

            entries = load_baseline(baseline_file)
        shown = {} if rule_values and cache is None else None  # the values rules report, for the HTML report
        if cache is None:
            result = validate(plan_dir, limits, progress_dirs=progress_dirs)
            rule_findings = None
            if result.plan_graph is not None:
                rule_findings = evaluate(result.plan_graph, rules, as_of=as_of, params_override=config.params,
                                         shown=shown)
            plan_id, file_count = result.plan_id, len(result.files.files)
            files_read = result.files
        else:
            from .incremental.recheck import check_cached

            outcome = check_cached(plan_dir, rules, as_of=as_of, limits=limits, progress_dirs=progress_dirs,
                                   cache_dir=cache, params_override=config.params)
            # a re-check read only some files: `complete` reads the rest when they are asked for
            result = Validated(outcome.files, outcome.graph,
                               without_registry(outcome.builtin, plan_dir, outcome.files.display_root),
                               complete=outcome.complete)
            rule_findings, plan_id, file_count = outcome.rule_findings, outcome.plan_id, outcome.file_count
            files_read = outcome.files  # plan.yaml among them: every run reads it
        findings = configure_builtin(result.findings, config, select, ignore)
        notes = ()
        if rule_findings is not None:
            findings += rule_findings
        else:
            notes = (RULES_SKIPPED,)
        report = Report(__version__, plan_id, tuple(sort_findings(findings)), file_count,
                        rules=tuple(rules), notes=notes, document=plan_document(plan_dir, files_read),
                        extra={"rule_values": shown} if shown is not None else {})
        if config.waivers or entries is not None:  # else there is nothing to set aside or compare
            from .review.triage import triage

            report = triage(report, waivers=config.waivers, as_of=as_of, baseline=entries,
                            baseline_name=str(baseline_file) if baseline_file else None)
        return result, report
