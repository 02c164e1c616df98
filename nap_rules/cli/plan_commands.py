"""The commands that read a plan: validate, check, diff, graph and report."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import click

from .. import __version__
from ..errors import InputError
from ..report import FORMATS
from .program import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    FAIL_ON,
    DateType,
    cache_option,
    emit,
    exit_code,
    fail,
    keep,
    limit_option,
    main,
    read_limits,
    rule_ids,
    write_file,
)


@main.command()
@click.argument("plan_dir", default="plan", type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@limit_option
@cache_option
def validate(plan_dir, fmt, limits, cache):
    """Check PLAN_DIR (default: plan/) against the schemas and resolve its references (no rules)."""
    from ..findings import Report
    from ..report import render
    from ..run.pipeline import validate as run_validate

    try:
        result = keep(run_validate(plan_dir, read_limits(limits), cache=cache or None))
    except InputError as exc:
        fail(exc)
    notes = () if result.graph is not None else ("references not checked: fix the schema errors first",)
    report = Report(__version__, result.plan_id, tuple(result.findings), len(result.files.files), notes=notes,
                    flat=True)
    emit(render(fmt, report), None)
    sys.exit(exit_code(result.findings, "error"))


@main.command()
@click.argument("plan_dir", default="plan", type=click.Path(path_type=str))
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False, path_type=str),
              help="A further folder of rule files (repeatable); added to the standard rules.")
@click.option("--no-standard-rules", is_flag=True, help="Run only the rules of --rules and the configuration.")
@click.option("--select", "select", multiple=True, metavar="ID",
              help="Run only this rule or group of rules (NAP-TIME, NAP-TIME-002; repeatable, or comma-separated); "
                   "applies to the tool's own checks (NAP-SCHEMA, NAP-REF) too.")
@click.option("--ignore", "ignore", multiple=True, metavar="ID",
              help="Do not run this rule or group of rules (repeatable, or comma-separated).")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="text", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=str), help="Write the report to FILE.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
              help="Exit 1 when a finding at or above this severity remains.")
@click.option("--as-of", type=DateType(), default=None, help="The evaluation date for time rules (default: today).")
@click.option("--progress", "progress_dirs", multiple=True, type=click.Path(file_okay=False, path_type=str),
              help="A folder of monitoring reports kept outside PLAN_DIR (repeatable).")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=str),
              help="Findings listed in FILE are known: only new findings fail the run.")
@click.option("--write-baseline", type=click.Path(dir_okay=False, path_type=str),
              help="Record the findings in FILE as the baseline, and exit 0.")
@click.option("--explain", is_flag=True, help="Show, under each finding, the values its rule saw (implies --flat).")
@click.option("--flat", is_flag=True,
              help="Text: one line per finding (file:line:col  SEVERITY  RULE  message), not the summary by cause.")
@limit_option
@cache_option
def check(plan_dir, rule_dirs, no_standard_rules, select, ignore, fmt, output, fail_on, as_of, progress_dirs,
          baseline, write_baseline, explain, flat, limits, cache):
    """Check PLAN_DIR (default: plan/), or a workbook (.xlsx), with the standard rules and any --rules."""
    import dataclasses

    from ..check import check_plan
    from ..report import render

    try:
        report = keep(check_plan(plan_dir, rule_dirs=rule_dirs, standard_rules=not no_standard_rules,
                           as_of=as_of or datetime.date.today(), limits=read_limits(limits),
                           progress_dirs=progress_dirs, baseline=baseline, cache=cache or None,
                           select=rule_ids(select), ignore=rule_ids(ignore)))[1]
    except InputError as exc:
        fail(exc)
    report = dataclasses.replace(report, explain=explain, fail_on=fail_on, flat=bool(explain or flat))
    if write_baseline:
        from ..review.baseline import write_baseline as baseline_text

        write_file(write_baseline, baseline_text(report.findings), "the baseline")
        click.echo(f"wrote {len(report.findings)} findings to the baseline {write_baseline}", err=True)
    emit(render(fmt, report), output)
    sys.exit(EXIT_OK if write_baseline else exit_code(report.new_findings(), fail_on))


@main.command()
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=str), help="Write the comparison to FILE.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
              help="Exit 1 when NEW adds a finding at or above this severity.")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False, path_type=str),
              help="A further folder of rule files (repeatable); added to the standard rules.")
@click.option("--no-standard-rules", is_flag=True, help="Run only the rules of --rules and the configuration.")
@click.option("--as-of", type=DateType(), default=None, help="The evaluation date for time rules (default: today).")
@click.option("--plan-dir", "reference", type=click.Path(file_okay=False, path_type=str),
              help="The folder that git:REV takes from each revision (default: whichever of OLD and NEW "
                   "is a folder, else plan).")
@limit_option
def diff(old, new, fmt, output, fail_on, rule_dirs, no_standard_rules, as_of, reference, limits):
    """What changed from OLD to NEW (plan folders, or git:REV), and which findings came or went."""
    from ..check import check_plan
    from ..revisions.diff import diff_specs, render_text, to_json

    options = dict(rule_dirs=rule_dirs, standard_rules=not no_standard_rules,
                   as_of=as_of or datetime.date.today(), limits=read_limits(limits), config_baseline=False)

    def run(folder: str):
        validated, report = check_plan(folder, **options)
        return validated, report.findings

    try:
        result = diff_specs(old, new, reference, run=run)
    except InputError as exc:
        fail(exc)
    emit(to_json(result) if fmt == "json" else render_text(result), output, "the comparison")
    sys.exit(EXIT_FINDINGS if result.added_at_or_above(fail_on) else EXIT_OK)


@main.command()
@click.argument("plan_dir", type=click.Path(file_okay=False, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["json", "graphml", "dot"]), default="json", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=str), help="Write the graph to FILE.")
@limit_option
def graph(plan_dir, fmt, output, limits):
    """Write the plan graph of PLAN_DIR (nodes, fields, relations) for other tools."""
    from ..report.graph_export import render as render_graph
    from ..run.pipeline import validate as run_validate

    try:
        result = keep(run_validate(plan_dir, read_limits(limits)))
    except InputError as exc:
        fail(exc)
    if result.graph is None:
        for f in result.findings:
            click.echo(f"{f.file}:{f.line}:{f.column}: {f.message}", err=True)
        click.echo("the plan breaks its schemas: fix them to build its graph", err=True)
        sys.exit(EXIT_INPUT)
    try:
        emit(render_graph(result.graph, fmt), output, "the graph")
    except RuntimeError as exc:  # DOT without pydot installed
        click.echo(str(exc), err=True)
        sys.exit(EXIT_INPUT)


@main.command("report")
@click.argument("plan_dir", type=click.Path(path_type=str))
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=str),
              help="Write the report to FILE (one self-contained HTML page).")
@click.option("--pdf", "pdf_file", type=click.Path(dir_okay=False, path_type=str),
              help="Print the same page to FILE as PDF, with a headless Chromium (its print layout).")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False, path_type=str),
              help="A further folder of rule files (repeatable); added to the standard rules.")
@click.option("--no-standard-rules", is_flag=True, help="Run only the rules of --rules and the configuration.")
@click.option("--as-of", type=DateType(), default=None, help="The evaluation date for time rules (default: today).")
@click.option("--progress", "progress_dirs", multiple=True, type=click.Path(file_okay=False, path_type=str),
              help="A folder of monitoring reports kept outside PLAN_DIR (repeatable).")
@limit_option
def report_command(plan_dir, html_file, pdf_file, rule_dirs, no_standard_rules, as_of, progress_dirs, limits):
    """Write a report of PLAN_DIR for reviewers: budget, indicators, findings, charts (exits 0)."""
    import tempfile

    from ..check import check_plan
    from ..report.html import render_html

    if not html_file and not pdf_file:
        fail(InputError("say where to write the report: --html FILE, --pdf FILE or both"))

    as_of = as_of or datetime.date.today()
    try:
        validated, result = check_plan(plan_dir, rule_dirs=rule_dirs, standard_rules=not no_standard_rules,
                                       as_of=as_of, limits=read_limits(limits), progress_dirs=progress_dirs,
                                       rule_values=True)
        text = render_html(validated, result, as_of=as_of)
    except InputError as exc:
        fail(exc)
    with tempfile.TemporaryDirectory(prefix="nap-rules-report-") as scratch:
        page = html_file or str(Path(scratch) / "report.html")
        write_file(page, text, "the report")
        if pdf_file:
            from ..report.browser import print_pdf

            try:
                print_pdf(page, pdf_file)
            except InputError as exc:
                fail(exc)
    counts = ", ".join(f"{n} {s}" for s, n in result.counts().items())
    total = len(result.findings)
    written = " and ".join(f for f in (html_file, pdf_file) if f)
    click.echo(f"wrote {written}: {total} finding{'s' if total != 1 else ''} ({counts})", err=True)
