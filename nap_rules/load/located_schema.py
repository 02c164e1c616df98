"""Validates a user-written document (rule file, configuration) and raises its schema errors
as one `InputError`, each at the offending key, in file order."""

from __future__ import annotations

import difflib

from ..errors import InputError
from .locations import LocMap, locate
from .schema_check import explain, fast_check, validator_for


def check(doc: LocMap, name: str) -> None:
    """Raise one InputError for the errors of `doc` against schema `name`, if any, all of them listed.

    The messages are those of plan files (schema_check.explain); an unknown key comes first,
    since a misspelt key also makes a required one missing.
    """
    if fast_check(doc, name):
        return
    problems = []
    for error in validator_for(name).iter_errors(doc):
        message, path, keyword = explain(error)
        loc = locate(doc, path, doc.loc)
        first = 0 if keyword == "additionalProperties" else 1
        problems.append((first, loc.line, loc.column, message, loc))
    if problems:
        problems.sort(key=lambda p: p[:4])
        raise InputError.combine([InputError(message, loc) for *_, message, loc in problems])


def check_all(doc: LocMap, name: str) -> None:
    """Raise one InputError reporting every schema error of `doc`, in file order."""
    if fast_check(doc, name):
        return
    problems = []
    for error in validator_for(name).iter_errors(doc):
        message, path, keyword = explain(error)
        loc = locate(doc, path, doc.loc)
        problems.append(((loc.line, loc.column, keyword != "additionalProperties", message),
                         InputError(message, loc)))
    if problems:
        problems.sort(key=lambda p: p[0])
        raise InputError.combine([error for _, error in problems])


def hint(name: str, candidates) -> str:
    match = difflib.get_close_matches(name, sorted(candidates), n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""
