"""The `rules` commands: list the rules, explain one, write the catalogue, test a folder of them."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import InputError
from .program import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, emit, fail, main


@main.group()
def rules():
    """The rules: list them, explain one, write the catalogue, or test a folder of them."""


def _standard_and_extra(rule_dirs):
    from ..load.resources import resource_dir
    from ..ruleset.rules import load_rulesets

    return load_rulesets([resource_dir("rules"), *[Path(d) for d in rule_dirs]])


@rules.command("list")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False, path_type=str))
def rules_list(rule_dirs):
    """Every rule: id, severity, title."""
    from ..ruleset.ruledoc import format_rule_list

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
    from ..ruleset.builtin import builtin
    from ..ruleset.ruledoc import explain_builtin, explain_rule

    try:
        found = [r for r in _standard_and_extra(rule_dirs) if r.id == rule_id]
    except InputError as exc:
        fail(exc)
    if not found and builtin(rule_id) is not None:
        click.echo(explain_builtin(builtin(rule_id)), nl=False)
        return
    if not found:
        click.echo(f"unknown rule {rule_id!r}; `nap-rules rules list` shows them all", err=True)
        sys.exit(EXIT_INPUT)
    emit(explain_rule(found[0]), None, "the explanation")


@rules.command("doc")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False, path_type=str))
@click.option("--output", type=click.Path(dir_okay=False, path_type=str), help="Write the catalogue to FILE.")
def rules_doc(rule_dirs, output):
    """The rule catalogue in Markdown (docs/rules.md), generated from the rule files."""
    from ..ruleset.catalogue import file_descriptions, render_catalogue

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
    from ..run.rule_tests import run_folder_examples

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
