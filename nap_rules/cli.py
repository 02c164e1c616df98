"""The `nap-rules` command line (README, Commands): parses options, runs the pipeline, prints, exits."""

from __future__ import annotations

import datetime
import errno
import gc
import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import InputError
from .findings import SEVERITY_RANK
from .load.plan_folder import printable
from .load.yaml_reader import DEFAULT_READ_LIMITS, ReadLimits
from .report import FORMATS

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
FAIL_ON = ("error", "warning", "info", "never")


def _limits(values: tuple[str, ...]) -> ReadLimits:
    changes = {}
    for item in values:
        name, _, number = item.partition("=")
        if name not in ReadLimits.names() or not (number.isascii() and number.isdigit()):
            raise click.BadParameter(f"expected NAME=N with NAME one of {', '.join(ReadLimits.names())}", param_hint="--limit")
        changes[name] = int(number)
    return ReadLimits(**{**DEFAULT_READ_LIMITS.__dict__, **changes})


def _ids(values: tuple[str, ...]) -> tuple[str, ...]:
    """`--select A --select B` or `--select A,B`: the rule ids and groups given."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


limit_option = click.option("--limit", "limits", multiple=True, metavar="NAME=N",
                            help="Raise or lower an input limit (see README, ReadLimits).")
cache_option = click.option("--cache", "cache", metavar="DIR", envvar="NAP_RULES_CACHE", default=None,
                            type=click.Path(file_okay=False, path_type=str),
                            help="Keep read and schema-checked files in DIR, by content hash, and reuse them; "
                                 "`check` also re-evaluates only what changed goal files reach (docs/cache.md). "
                                 "Also NAP_RULES_CACHE. Safe to delete.")


_ONE_SHOT = False  # set by `run`: this process ends when the command does
_KEPT: list = []


def keep(value):
    """Keeps a large result alive until a one-shot process ends (see `run`); returns it."""
    if _ONE_SHOT:
        _KEPT.append(value)
    return value


def run(argv=None):
    """The `nap-rules` program: `main` as a process that ends when its command does.

    A run builds millions of small objects that hold no cycles: the cyclic collector stays off
    for the whole process, and the process ends with `os._exit` once its output is flushed,
    rather than freeing those objects one by one (seconds for a plan of 100 000 measures).
    Output that cannot be flushed (a full disk, a closed pipe) makes the exit code 2.
    """
    global _ONE_SHOT
    _ONE_SHOT = True
    gc.disable()
    try:
        try:
            main(args=argv, prog_name="nap-rules")
            code = EXIT_OK
        except SystemExit as exc:
            code = exc.code
        if code is None:
            code = EXIT_OK
        elif not isinstance(code, int):
            print(code, file=sys.stderr)
            code = EXIT_INPUT
        try:
            sys.stdout.flush()
        except (OSError, ValueError) as exc:
            if code != EXIT_INTERRUPTED:
                _say(f"standard output: cannot write: {_reason(exc)}")
                code = EXIT_INPUT
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    try:
        sys.stderr.flush()
    except (OSError, ValueError):  # nothing more can be said
        pass
    os._exit(code)


def _reason(exc: BaseException) -> str:
    """The one-line reason of an input/output error, without the data it concerns."""
    return (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).splitlines()[0]


def _say(line: str) -> None:
    """One line on standard error, if it can still be written."""
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


class _Program(click.Group):
    """The command group, with the exit codes of the README: an interrupt exits 130 (not
    click's `Aborted!` and 1), and input or output that cannot be read or written exits 2 with
    one line that says why (never a traceback, never the findings' 1)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except (click.exceptions.Abort, KeyboardInterrupt):
            _say("nap-rules: interrupted")
            sys.exit(EXIT_INTERRUPTED)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except OSError as exc:
            where = f"{printable(os.fsdecode(exc.filename))}: " if getattr(exc, "filename", None) else ""
            _say(f"{where}cannot read or write: {_reason(exc)}")
            sys.exit(EXIT_INPUT)
        sys.exit(code if isinstance(code, int) else EXIT_OK)  # click's own exits (--help: 0)


def fail(error: InputError):
    click.echo(str(error), err=True)
    sys.exit(EXIT_INPUT)


def exit_code(findings, fail_on: str) -> int:
    if fail_on == "never":
        return EXIT_OK
    bar = SEVERITY_RANK[fail_on]
    return EXIT_FINDINGS if any(SEVERITY_RANK[f.severity] >= bar for f in findings) else EXIT_OK


def emit(text: str, output: str | None, what: str = "the report"):
    """Writes `text` to the file `output` (whole or not at all), else to standard output;
    exit 2 with the reason when it cannot be written."""
    if output:
        write_file(output, text, what)
        return
    try:
        _write_stdout(text)
    except OSError as exc:
        fail(InputError(f"cannot write {what}: {_reason(exc)}", file="standard output"))


def _write_stdout(text: str) -> None:
    """Writes `text` to standard output, all of it or an OSError: an unbuffered stream
    (PYTHONUNBUFFERED) can write part of it and say nothing."""
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text)
        stream.flush()
        return
    stream.flush()
    view = memoryview(text.encode(stream.encoding or "utf-8", stream.errors or "strict"))
    while view:
        written = buffer.write(view)
        if not written:
            raise BlockingIOError(errno.EAGAIN, "standard output would block")
        view = view[written:]
    buffer.flush()


def write_file(path: str, text: str, what: str):
    """Writes `text` to `path` through a temporary file renamed into place; exit 2 when it cannot."""
    from .load.atomic import write_atomic

    try:
        write_atomic(path, text)
    except OSError as exc:
        fail(InputError(f"cannot write {what}: {_reason(exc)}", file=printable(path)))


@click.group(cls=_Program, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nap-rules")
def main():
    """Check national action plans for consistency, like a linter checks code."""


@main.command()
@click.argument("plan_dir", default="plan", type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@limit_option
@cache_option
def validate(plan_dir, fmt, limits, cache):
    """Check PLAN_DIR (default: plan/) against the schemas and resolve its references (no rules)."""
    from .findings import Report
    from .report import render
    from .run.pipeline import validate as run_validate

    try:
        result = keep(run_validate(plan_dir, _limits(limits), cache=cache or None))
    except InputError as exc:
        fail(exc)
    notes = () if result.graph is not None else ("references not checked: fix the schema errors first",)
    report = Report(__version__, result.plan_id, tuple(result.findings), len(result.files.files), notes=notes)
    emit(render(fmt, report), None)
    sys.exit(exit_code(result.findings, "error"))


class _Date(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD)", param, ctx)


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
@click.option("--as-of", type=_Date(), default=None, help="The evaluation date for time rules (default: today).")
@click.option("--progress", "progress_dirs", multiple=True, type=click.Path(file_okay=False, path_type=str),
              help="A folder of monitoring reports kept outside PLAN_DIR (repeatable).")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=str),
              help="Findings listed in FILE are known: only new findings fail the run.")
@click.option("--write-baseline", type=click.Path(dir_okay=False, path_type=str),
              help="Record the findings in FILE as the baseline, and exit 0.")
@click.option("--explain", is_flag=True, help="Show, under each finding, the values its rule saw.")
@limit_option
@cache_option
def check(plan_dir, rule_dirs, no_standard_rules, select, ignore, fmt, output, fail_on, as_of, progress_dirs,
          baseline, write_baseline, explain, limits, cache):
    """Check PLAN_DIR (default: plan/), or a workbook (.xlsx), with the standard rules and any --rules."""
    import dataclasses

    from .check import check_plan
    from .report import render

    try:
        report = keep(check_plan(plan_dir, rule_dirs=rule_dirs, standard_rules=not no_standard_rules,
                           as_of=as_of or datetime.date.today(), limits=_limits(limits),
                           progress_dirs=progress_dirs, baseline=baseline, cache=cache or None,
                           select=_ids(select), ignore=_ids(ignore)))[1]
    except InputError as exc:
        fail(exc)
    report = dataclasses.replace(report, explain=explain, fail_on=fail_on)
    if write_baseline:
        from .review.baseline import write_baseline as baseline_text

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
@click.option("--as-of", type=_Date(), default=None, help="The evaluation date for time rules (default: today).")
@click.option("--plan-dir", "reference", type=click.Path(file_okay=False, path_type=str),
              help="The folder that git:REV takes from each revision (default: whichever of OLD and NEW "
                   "is a folder, else plan).")
@limit_option
def diff(old, new, fmt, output, fail_on, rule_dirs, no_standard_rules, as_of, reference, limits):
    """What changed from OLD to NEW (plan folders, or git:REV), and which findings came or went."""
    from .check import check_plan
    from .revisions.diff import diff_specs, render_text, to_json

    options = dict(rule_dirs=rule_dirs, standard_rules=not no_standard_rules,
                   as_of=as_of or datetime.date.today(), limits=_limits(limits), config_baseline=False)

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
    from .report.graph_export import render as render_graph
    from .run.pipeline import validate as run_validate

    try:
        result = keep(run_validate(plan_dir, _limits(limits)))
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
@click.option("--html", "html_file", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="Write the report to FILE (one self-contained HTML page).")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False, path_type=str),
              help="A further folder of rule files (repeatable); added to the standard rules.")
@click.option("--no-standard-rules", is_flag=True, help="Run only the rules of --rules and the configuration.")
@click.option("--as-of", type=_Date(), default=None, help="The evaluation date for time rules (default: today).")
@click.option("--progress", "progress_dirs", multiple=True, type=click.Path(file_okay=False, path_type=str),
              help="A folder of monitoring reports kept outside PLAN_DIR (repeatable).")
@limit_option
def report_command(plan_dir, html_file, rule_dirs, no_standard_rules, as_of, progress_dirs, limits):
    """Write a report of PLAN_DIR for reviewers: budget, indicators, findings, charts (exits 0)."""
    from .check import check_plan
    from .report.html import render_html

    as_of = as_of or datetime.date.today()
    try:
        validated, result = check_plan(plan_dir, rule_dirs=rule_dirs, standard_rules=not no_standard_rules,
                                       as_of=as_of, limits=_limits(limits), progress_dirs=progress_dirs)
        text = render_html(validated, result, as_of=as_of)
    except InputError as exc:
        fail(exc)
    write_file(html_file, text, "the report")
    counts = ", ".join(f"{n} {s}" for s, n in result.counts().items())
    total = len(result.findings)
    click.echo(f"wrote {html_file}: {total} finding{'s' if total != 1 else ''} ({counts})", err=True)


@main.command("export")
@click.argument("plan_dir", type=click.Path(file_okay=False, path_type=str))
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=str), help="Write the plan as a workbook.")
@click.option("--csv", "csv_dir", type=click.Path(file_okay=False, path_type=str),
              help="Write the plan as CSV files, one per sheet, into this folder.")
@click.option("--progress-template", "year", type=click.IntRange(1900, 2200), default=None,
              help="Write a monitoring workbook for YEAR per reporting institution (into --to).")
@click.option("--half", type=click.Choice(["1", "2"]), default=None, help="With --progress-template: the half-year.")
@click.option("--to", "to_dir", type=click.Path(file_okay=False, path_type=str),
              help="With --progress-template: the folder for the workbooks.")
@limit_option
def export_command(plan_dir, xlsx, csv_dir, year, half, to_dir, limits):
    """Write PLAN_DIR as a workbook drafters recognise (--xlsx FILE), as CSV files, or monitoring templates."""
    from .workbook.export import export_plan

    if not (xlsx or csv_dir or year):
        fail(InputError("nothing to write: give --xlsx FILE, --csv DIR or --progress-template YEAR --to DIR"))
    try:
        if xlsx or csv_dir:
            tables = export_plan(plan_dir, xlsx, csv_dir, _limits(limits))
            rows = sum(len(t.rows) for t in tables)
            for target in (xlsx, csv_dir):
                if target:
                    click.echo(f"wrote {target}: {len(tables)} sheets, {rows} rows", err=True)
        if year:
            if not to_dir:
                fail(InputError("--progress-template needs --to DIR, the folder for the workbooks"))
            from .workbook.progress import export_templates

            written = export_templates(plan_dir, year, int(half) if half else None, to_dir, _limits(limits))
            click.echo(f"wrote {len(written)} monitoring workbooks to {to_dir}", err=True)
    except InputError as exc:
        fail(exc)


@main.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--to", "to_dir", required=True, type=click.Path(file_okay=False, path_type=str),
              help="The plan folder to write (canonical YAML).")
@click.option("--force", is_flag=True, help="Replace the plan files of a folder that already has some.")
@click.option("--progress", "as_progress", is_flag=True,
              help="The sources are returned monitoring workbooks: write progress reports into --to.")
@limit_option
def import_command(sources, to_dir, force, as_progress, limits):
    """Read a workbook (.xlsx), CSV files (one per sheet) or a Word table (.docx) into a plan folder.

    Every converted value and every cell that could not be read is listed with its cell; the exit
    code is 1 when a cell could not be read, 0 otherwise.
    """
    from .workbook.files import write_folder
    from .workbook.source import read_sources

    try:
        if as_progress:
            from .workbook.progress import import_returns

            imported = import_returns(sources, _limits(limits))
        else:
            imported = read_sources(sources, _limits(limits))
        # a whole plan replaces the folder's plan; monitoring reports or a Word table's goals are added to it
        whole = not as_progress and any(kind == "plan" for kind, _ in imported.docs.values())
        written = write_folder(imported, to_dir, force, whole_plan=whole)
    except InputError as exc:
        fail(exc)
    counts = {"converted": 0, "unmapped": 0}
    for note in imported.notes:
        kind = "converted" if note.kind in ("converted", "sheet") else "unmapped"
        counts[kind] += 1
        click.echo(f"{note.where}: {'converted' if kind == 'converted' else 'not read'}: {note.message}")
    click.echo(f"wrote {len(written)} files to {to_dir}: {counts['converted']} values converted, "
               f"{counts['unmapped']} cells not read", err=True)
    sys.exit(EXIT_FINDINGS if counts["unmapped"] else EXIT_OK)


@main.command("init")
@click.argument("plan_dir", type=click.Path(file_okay=False, path_type=str))
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=str),
              help="Also write the new plan as a workbook to fill.")
@click.option("--start-year", "year", type=click.IntRange(1900, 2198), default=None,
              help="The first year of the plan's period (default: this year).")
def init_command(plan_dir, xlsx, year):
    """Start a new plan in PLAN_DIR: every file, its schema line and one worked example."""
    from .workbook.template import init_plan

    try:
        written = init_plan(plan_dir, xlsx, year)
    except InputError as exc:
        fail(exc)
    click.echo(f"wrote {len(written)} files to {plan_dir}" + (f" and {xlsx}" if xlsx else ""), err=True)


@main.group()
def rules():
    """The rules: list them, explain one, write the catalogue, or test a folder of them."""


def _standard_and_extra(rule_dirs):
    from .load.resources import resource_dir
    from .ruleset.rules import load_rulesets

    return load_rulesets([resource_dir("rules"), *[Path(d) for d in rule_dirs]])


@rules.command("list")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False, path_type=str))
def rules_list(rule_dirs):
    """Every rule: id, severity, title."""
    from .ruleset.ruledoc import format_rule_list

    try:
        text = format_rule_list(_standard_and_extra(rule_dirs))
    except InputError as exc:
        fail(exc)
    emit(text, None, "the list")


@rules.command("explain")
@click.argument("rule_id")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False, path_type=str))
def rules_explain(rule_id, rule_dirs):
    """What RULE_ID checks, why, and an example that passes and one that fails."""
    from .ruleset.ruledoc import explain_rule

    try:
        found = [r for r in _standard_and_extra(rule_dirs) if r.id == rule_id]
    except InputError as exc:
        fail(exc)
    if not found:
        click.echo(f"unknown rule {rule_id!r}; `nap-rules rules list` shows them all", err=True)
        sys.exit(EXIT_INPUT)
    emit(explain_rule(found[0]), None, "the explanation")


@rules.command("doc")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False, path_type=str))
@click.option("--output", type=click.Path(dir_okay=False, path_type=str), help="Write the catalogue to FILE.")
def rules_doc(rule_dirs, output):
    """The rule catalogue in Markdown (docs/rules.md), generated from the rule files."""
    from .ruleset.catalogue import file_descriptions, render_catalogue

    try:
        found = _standard_and_extra(rule_dirs)
        text = render_catalogue(found, file_descriptions(found))
    except InputError as exc:
        fail(exc)
    emit(text, output, "the catalogue")


@rules.command("test")
@click.argument("folder", type=click.Path(file_okay=False, path_type=str))
def rules_test(folder):
    """Run the examples of every rule in FOLDER and report pass or fail per rule.

    Exit code 0 when every rule passes its examples, 1 when one does not, 2 when the rule
    files cannot be read.
    """
    from .run.rule_tests import run_folder_examples

    try:
        outcomes = run_folder_examples(Path(folder))
    except InputError as exc:
        fail(exc)
    for outcome in outcomes:
        cases = f"{outcome.cases} example{'s' * (outcome.cases != 1)}"
        click.echo(f"{'PASS' if outcome.ok else 'FAIL'}  {outcome.rule.id}  ({cases})")
        for problem in outcome.problems:
            click.echo(f"      {problem}")
    passed = sum(o.ok for o in outcomes)
    click.echo(f"{passed} of {len(outcomes)} rules pass their examples")
    sys.exit(EXIT_OK if passed == len(outcomes) else EXIT_FINDINGS)


if __name__ == "__main__":  # pragma: no cover
    main()
