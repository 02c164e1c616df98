"""The `nap-rules` command line (CONTRACT §4): parses options, runs the pipeline, prints, exits."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import InputError
from .findings import SEVERITY_RANK
from .yamlload import DEFAULT_LIMITS, Limits

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
FAIL_ON = ("error", "warning", "info", "never")


def _limits(values: tuple[str, ...]) -> Limits:
    changes = {}
    for item in values:
        name, _, number = item.partition("=")
        if name not in Limits.names() or not number.isdigit():
            raise click.BadParameter(f"expected NAME=N with NAME one of {', '.join(Limits.names())}", param_hint="--limit")
        changes[name] = int(number)
    return Limits(**{**DEFAULT_LIMITS.__dict__, **changes})


limit_option = click.option("--limit", "limits", multiple=True, metavar="NAME=N",
                            help="Raise or lower an input limit (see README, Limits).")


def fail(error: InputError):
    click.echo(str(error), err=True)
    sys.exit(EXIT_INPUT)


def exit_code(findings, fail_on: str) -> int:
    if fail_on == "never":
        return EXIT_OK
    bar = SEVERITY_RANK[fail_on]
    return EXIT_FINDINGS if any(SEVERITY_RANK[f.severity] >= bar for f in findings) else EXIT_OK


def emit(text: str, output: str | None):
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nap-rules")
def main():
    """Check national action plans for consistency, like a linter checks code."""


@main.command()
@click.argument("plan_dir", type=click.Path(file_okay=False, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@limit_option
def validate(plan_dir, fmt, limits):
    """Check PLAN_DIR against the schemas and resolve its references (no rules)."""
    from .formats import render
    from .formats.report import Report
    from .pipeline import validate as run_validate

    try:
        result = run_validate(plan_dir, _limits(limits))
    except InputError as exc:
        fail(exc)
    notes = () if result.graph is not None else ("references not checked: fix the schema errors first",)
    report = Report(__version__, result.plan_id, tuple(result.findings), len(result.files.files), notes=notes)
    emit(render(fmt, report), None)
    sys.exit(exit_code(result.findings, "error"))


if __name__ == "__main__":  # pragma: no cover
    main()
