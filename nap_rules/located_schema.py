"""Validates a user-written document (rule file, configuration) and raises its first schema
error as an `InputError` at the offending key, in file order."""

from __future__ import annotations

import difflib
import json
from functools import lru_cache

from .errors import InputError
from .locations import LocMap, locate
from .resources import resource_dir


@lru_cache(maxsize=None)
def validator(name: str):
    """The validator (jsonschema) of `schemas/<name>.schema.json`."""
    from jsonschema import Draft202012Validator

    with open(resource_dir("schemas") / f"{name}.schema.json", encoding="utf-8") as f:
        return Draft202012Validator(json.load(f))


def check(doc: LocMap, name: str) -> None:
    """Raise InputError for the first error of `doc` against schema `name`, if any."""
    problems = []
    for error in validator(name).iter_errors(doc):
        loc = locate(doc, list(error.absolute_path), doc.loc)
        message = _message(error)
        if error.validator == "additionalProperties" and isinstance(error.instance, LocMap):
            allowed = set(error.schema.get("properties", {}))
            for key in error.instance:
                if key not in allowed:
                    loc = error.instance.key_locs.get(key, loc)
                    message = f"unknown key {key!r}{hint(key, allowed)}"
                    break
        # An unknown key first: a misspelt key also makes a required one missing.
        first = 0 if error.validator == "additionalProperties" else 1
        problems.append((first, loc.line, loc.column, message, loc))
    if problems:
        *_, message, loc = min(problems, key=lambda p: p[:4])
        more = len(problems) - 1
        suffix = f" (and {more} more problem{'s' * (more > 1)})" if more else ""
        raise InputError(message + suffix, loc)


def _message(error) -> str:
    where = ".".join(str(p) for p in error.absolute_path) or "the file"
    kind = error.validator
    if kind == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return f"{where}: missing required key {missing[0]!r}" if missing else error.message
    if kind == "enum":
        options = ", ".join(map(str, error.validator_value))
        return (f"{where}: {error.instance!r} is not one of {options}"
                f"{hint(str(error.instance), map(str, error.validator_value))}")
    if kind == "pattern" and error.absolute_path and error.absolute_path[-1] in ("id", "rule"):
        return f"{where}: {error.instance!r} is not a rule id like NAP-TIME-002"
    if kind == "const":
        return f"{where}: expected {error.validator_value!r}"
    if kind == "type":
        return f"{where}: expected {error.validator_value}, got {error.instance!r}"
    return f"{where}: {error.message}"


def hint(name: str, candidates) -> str:
    match = difflib.get_close_matches(name, sorted(candidates), n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""
