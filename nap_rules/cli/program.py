"""The program behind the commands: the command group, its options, exit codes and output."""

from __future__ import annotations

import datetime
import errno
import gc
import os
import sys

import click

from .. import __version__
from ..errors import InputError
from ..findings import SEVERITY_RANK
from ..load.plan_folder import printable
from ..load.yaml_reader import DEFAULT_READ_LIMITS, ReadLimits

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
FAIL_ON = ("error", "warning", "info", "never")


def read_limits(values: tuple[str, ...]) -> ReadLimits:
    """The input limits with the `--limit NAME=N` changes made."""
    changes = {}
    for item in values:
        name, _, number = item.partition("=")
        if name not in ReadLimits.names() or not (number.isascii() and number.isdigit()):
            raise click.BadParameter(f"expected NAME=N with NAME one of {', '.join(ReadLimits.names())}", param_hint="--limit")
        changes[name] = int(number)
    return ReadLimits(**{**DEFAULT_READ_LIMITS.__dict__, **changes})


def rule_ids(values: tuple[str, ...]) -> tuple[str, ...]:
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
                _say(f"standard output: cannot write: {reason(exc)}")
                code = EXIT_INPUT
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    try:
        sys.stderr.flush()
    except (OSError, ValueError):  # nothing more can be said
        pass
    os._exit(code)


def reason(exc: BaseException) -> str:
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
            _say(f"{where}cannot read or write: {reason(exc)}")
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
        fail(InputError(f"cannot write {what}: {reason(exc)}", file="standard output"))


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
    from ..load.atomic import write_atomic

    try:
        write_atomic(path, text)
    except OSError as exc:
        fail(InputError(f"cannot write {what}: {reason(exc)}", file=printable(path)))


@click.group(cls=_Program, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nap-rules")
def main():
    """Check national action plans for consistency, like a linter checks code."""


class DateType(click.ParamType):
    """A date option such as --as-of, written YYYY-MM-DD."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD)", param, ctx)
