"""The commands that move a plan between folders and workbooks: export, import and init."""

from __future__ import annotations

import sys

import click

from ..errors import InputError
from .program import EXIT_FINDINGS, EXIT_OK, fail, limit_option, main, read_limits


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
    from ..workbook.export import export_plan

    if not (xlsx or csv_dir or year):
        fail(InputError("nothing to write: give --xlsx FILE, --csv DIR or --progress-template YEAR --to DIR"))
    try:
        if xlsx or csv_dir:
            tables = export_plan(plan_dir, xlsx, csv_dir, read_limits(limits))
            rows = sum(len(t.rows) for t in tables)
            for target in (xlsx, csv_dir):
                if target:
                    click.echo(f"wrote {target}: {len(tables)} sheets, {rows} rows", err=True)
        if year:
            if not to_dir:
                fail(InputError("--progress-template needs --to DIR, the folder for the workbooks"))
            from ..workbook.progress import export_templates

            written = export_templates(plan_dir, year, int(half) if half else None, to_dir, read_limits(limits))
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
    from ..workbook.files import write_folder
    from ..workbook.source import read_sources

    try:
        if as_progress:
            from ..workbook.progress import import_returns

            imported = import_returns(sources, read_limits(limits))
        else:
            imported = read_sources(sources, read_limits(limits))
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
    from ..workbook.template import init_plan

    try:
        written = init_plan(plan_dir, xlsx, year)
    except InputError as exc:
        fail(exc)
    click.echo(f"wrote {len(written)} files to {plan_dir}" + (f" and {xlsx}" if xlsx else ""), err=True)
