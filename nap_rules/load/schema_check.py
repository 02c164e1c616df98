"""Validates loaded plan files against `schemas/*.schema.json` and turns errors into located findings."""

from __future__ import annotations

import copy
import difflib
import json
import re
from functools import lru_cache
from pathlib import Path

from ..findings import Finding
from .locations import LocList, LocMap, locate
from .resources import resource_dir

# rule ids of schema findings, by the JSON Schema keyword that failed
RULE_BY_KEYWORD = {
    "additionalProperties": "NAP-SCHEMA-001",
    "type": "NAP-SCHEMA-002",
    "required": "NAP-SCHEMA-003",
}
RULE_VALUE = "NAP-SCHEMA-004"  # enum, const, pattern, bounds: a value outside what is allowed
RULE_IGNORED_FILE = "NAP-SCHEMA-005"

# how a list key in a file names the node kind of its items (for the finding's `node`)
ITEM_KIND = {
    "objectives": "objective", "measures": "measure", "indicators": "indicator",
    "institutions": "institution", "lines": "budget_line", "claims": "claim",
}

TYPE_WORDS = {"object": "a mapping", "array": "a list", "string": "text", "integer": "a whole number",
              "number": "a number", "null": "empty (null)", "boolean": "true or false"}


@lru_cache(maxsize=None)
def schema_for(kind: str) -> dict:
    with open(resource_dir("schemas") / f"{kind}.schema.json", encoding="utf-8") as f:
        return json.load(f)


@lru_cache(maxsize=None)
def validator_for(kind: str):
    """The reference validator (jsonschema): complete, located errors; used for files that fail
    and for small files."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema_for(kind))


_FAST: dict = {}  # kind -> compiled validator


class SchemaMismatch(ValueError):
    """Raised by a compiled validator for a document its schema does not accept."""

    def __init__(self, message="", *args, **kwargs):
        super().__init__(message)


_GENERATED_IMPORT = "from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException\n"


def fast_validator_for(kind: str):
    """A compiled yes/no validator (fastjsonschema) for the common case of a valid file.

    fastjsonschema compiles drafts up to 7; our schemas use no keyword newer than draft 7
    (`$defs` is only a container that pointers reach), so the same schema compiles as draft 7.
    tests/test_schema_fast_path.py holds both validators to the same verdicts. The compiled
    code is kept in the code cache (nap_rules.load.code_cache), so that a run pays neither
    the generation nor the import of fastjsonschema once the schema has been compiled.
    """
    found = _FAST.get(kind)
    if found is None:
        found = _FAST[kind] = _compiled(kind)
    return found


def _code_name(kind: str) -> str:
    import marshal

    from . import code_cache

    schema = (resource_dir("schemas") / f"{kind}.schema.json").read_bytes()
    return f"schema-{kind}-" + code_cache.digest(b"schema validator", __file__.encode(), Path(__file__).read_bytes(),
                                                 str(marshal.version).encode(), _fastjsonschema_version(), schema)


def _fastjsonschema_version() -> bytes:
    """The code of the installed fastjsonschema's version module (found without importing it)."""
    from importlib.util import find_spec

    try:
        spec = find_spec("fastjsonschema")
        return Path(spec.origin).with_name("version.py").read_bytes()
    except Exception:  # noqa: BLE001 - an unusual installation: the entry name still changes with our code
        return b""


def _compiled(kind: str):
    import marshal

    from . import code_cache

    name = _code_name(kind)
    payload = code_cache.get(name)
    code = None
    if payload is not None:
        try:
            code, entry = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            code = None
    if code is None:
        import fastjsonschema

        # a copy: fastjsonschema rewrites every `$ref` of the schema it compiles into an absolute
        # URI, and the cached schema is also read by canonical.py and the workbook layout
        schema = copy.deepcopy(dict(schema_for(kind), **{"$schema": "http://json-schema.org/draft-07/schema#"}))
        source = fastjsonschema.compile_to_code(schema).replace(_GENERATED_IMPORT, "")
        entry = re.search(r"^def (validate\w*)\(", source, re.M).group(1)
        code = compile(source, f"<{kind} schema>", "exec")
        code_cache.put(name, marshal.dumps((code, entry)))
    namespace = {"JsonSchemaValueException": SchemaMismatch, "JsonSchemaValuesException": SchemaMismatch}
    exec(code, namespace)  # noqa: S102 - code generated from our own schema, or kept by us
    # the generated code validates each definition (`$defs/NAME`) in a function of its own
    _DEFINITIONS[kind] = {name.rpartition("___defs_")[2]: f for name, f in namespace.items()
                          if name.startswith("validate_") and "___defs_" in name}
    return namespace[entry]


_DEFINITIONS: dict = {}  # kind -> definition name -> its compiled validator
# what a list's schema may say for its items to be checked one by one: nothing across items
_ITEMWISE_LIST = frozenset({"type", "items", "minItems", "maxItems", "description", "title"})


def items_pass(kind: str, replaced) -> bool:
    """Whether every (path, item) of `replaced` passes the schema definition its place in a
    `kind` file names, by the compiled validators. A document that passed its schema passes it
    still with those items replaced when this is True (same number of items, and the schemas
    set no constraint across the items of a list). False when one may not, or when the place
    names no definition of its own: then the whole document must be checked."""
    if not _have_fast(kind):
        return False
    fast_validator_for(kind)
    schema, definitions = schema_for(kind), _DEFINITIONS.get(kind, {})
    for path, item in replaced:
        name = _definition_at(schema, path)
        validate = definitions.get(name) if name else None
        if validate is None:
            return False
        try:
            validate(item)
        except ValueError:
            return False
    return True


def _definition_at(schema: dict, path) -> str | None:
    """The name of the definition (`#/$defs/NAME`) that the schema applies at `path`, or None."""
    node = schema
    for step in path:
        node = _resolved(schema, node)
        if node is None:
            return None
        if isinstance(step, int):
            if not set(node) <= _ITEMWISE_LIST:
                return None
            node = node.get("items")
        else:
            node = node.get("properties", {}).get(step)
        if not isinstance(node, dict):
            return None
    return _ref_name(node)


def _resolved(schema: dict, node: dict) -> dict | None:
    """`node`, or the definition it only refers to (`{"$ref": "#/$defs/NAME"}`); None for any other reference."""
    if node.get("$ref") is None:
        return node
    name = _ref_name(node)
    found = schema.get("$defs", {}).get(name) if name is not None else None
    return found if isinstance(found, dict) else None


def _ref_name(node: dict) -> str | None:
    """NAME, when `node` is only a reference to `#/$defs/NAME`; else None."""
    ref = node.get("$ref")
    if len(node) != 1 or not isinstance(ref, str) or not ref.startswith("#/$defs/"):
        return None
    return ref[len("#/$defs/"):]


def _have_fast(kind: str) -> bool:
    """Whether a compiled validator of `kind` costs nothing to have: compiled already, or kept."""
    from . import code_cache

    return kind in _FAST or code_cache.folder() is not None


# Compiling a schema costs about as much as checking some 1 500 values with the reference
# validator (about 12 µs a value, against 0.5 µs compiled): without a code cache, files with
# fewer values than this are checked by the reference validator directly.
FAST_FROM = 1000


def fast_check(doc, kind: str) -> bool:
    """Whether the compiled validator of `kind` accepts `doc` (False: it may not; ask the reference validator)."""
    try:
        fast_validator_for(kind)(doc)
        return True
    except ValueError:  # SchemaMismatch, or fastjsonschema's own: the reference validator says where and why
        return False


def _values_in(doc) -> int | None:
    """How many keys and items the file of `doc` has (None for data not read from a file)."""
    if isinstance(doc, LocMap) and doc._locs is None:
        return len(doc._src.packed)
    return None


def _describe(value) -> str:
    if isinstance(value, LocMap) or isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (LocList, list)):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def path_text(path) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "(top level)"


def _node_of(doc, kind: str, path) -> str:
    """The graph key of the innermost item with an id on the path ('' when there is none)."""
    return _item_on(doc, kind, path)[0]


def _item_on(doc, kind: str, path) -> tuple[str, list]:
    """(the graph key of the innermost item with an id on the path, or '', the rest of the path below it)."""
    node, key, container_key, depth = doc, "", None, 0
    if isinstance(doc, LocMap) and isinstance(doc.get("id"), str) and kind in ("goal", "plan"):
        key = f"{kind}:{doc['id']}"
    for i, step in enumerate(path):
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(step, int) and container_key in ITEM_KIND and isinstance(node, dict):
            ident = node.get("id")
            if isinstance(ident, (str, int)):
                key, depth = f"{ITEM_KIND[container_key]}:{ident}", i + 1
        container_key = step if isinstance(step, str) else container_key
    return key, list(path)[depth:]


def item_text(doc, kind: str, path) -> str:
    """Where in a plan file, in plan terms: `deadline of measure 1.1.1`, `measure 1.1.1`, or the path."""
    key, rest = _item_on(doc, kind, path)
    if not key:
        return path_text(path)
    item_kind, _, ident = key.partition(":")
    item = f"{item_kind.replace('_', ' ')} {ident}"
    return f"{path_text(rest)} of {item}" if rest else item


def _leaf(error):
    """The most specific error under an anyOf/oneOf, so the message names the real problem."""
    from jsonschema.exceptions import best_match

    while error.context:
        error = best_match(_fitting_branch_errors(error))
    return error


def _fitting_branch_errors(error) -> list:
    """The errors of the anyOf/oneOf branches whose type fits the value, else all of them.

    A negative amount where `money or null` is allowed breaks the money branch's minimum
    and the null branch's type: the minimum is the problem to name, not "must be one of".
    """
    path = list(error.absolute_path)
    branches: dict = {}
    for e in error.context:
        branches.setdefault(e.relative_schema_path[0] if e.relative_schema_path else None, []).append(e)
    fitting = [e for errors in branches.values()
               if not any(e.validator == "type" and list(e.absolute_path) == path for e in errors)
               for e in errors]
    return fitting or list(error.context)


_DATE = re.compile(r"(?:\d{1,2}[./-]){1,2}((?:19|20)\d\d)|((?:19|20)\d\d)(?:[./-]\d{1,2}){1,2}")


def _year_hint(expected, value) -> str:
    """`; a year belongs here: write 2023` for a date written where a whole number (a year) is expected."""
    wants_integer = "integer" in (expected if isinstance(expected, list) else [expected])
    found = _DATE.fullmatch(value.strip()) if wants_integer and isinstance(value, str) else None
    return f"; a year belongs here, not a date: write {found.group(1) or found.group(2)}" if found else ""


def _message(error, where: str) -> tuple[str, list]:
    """(plain message, path to point at) for one jsonschema error."""
    kw, inst, path = error.validator, error.instance, list(error.absolute_path)
    if kw == "additionalProperties" and isinstance(inst, dict):
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(k for k in inst if k not in allowed)
        key = extra[0] if extra else ""
        hint = difflib.get_close_matches(key, allowed, n=1)
        more = f"did you mean {hint[0]!r}? " if hint else ""
        return f"unknown key {key!r} in {where}: {more}allowed keys are {', '.join(allowed)}", path + [key]
    if kw == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.validator_value
        return f"{where} is missing required key {missing!r}", path
    if kw == "type":
        expected = error.validator_value
        words = " or ".join(TYPE_WORDS.get(t, t) for t in (expected if isinstance(expected, list) else [expected]))
        return f"{where} must be {words}, found {_describe(inst)}{_year_hint(expected, inst)}", path
    if kw == "enum":
        options = [str(v) for v in error.validator_value]
        hint = difflib.get_close_matches(str(inst), options, n=1) if isinstance(inst, str) else []
        more = f"did you mean {hint[0]!r}? " if hint else ""
        return f"{where} is {_describe(inst)}; {more}allowed values are: {', '.join(options)}", path
    if kw == "const":
        return f"{where} must be {error.validator_value!r}, found {_describe(inst)}", path
    if kw in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than", "exclusiveMaximum": "less than"}[kw]
        return f"{where} is {_describe(inst)}; it must be {words} {error.validator_value}", path
    if kw == "pattern":
        # a schema that describes the form says it in words (e.g. "e.g. NAP-TIME-002")
        described = error.schema.get("description")
        if described:
            return f"{where} is {_describe(inst)}, which is not of the expected form: {described}", path
        return f"{where} is {_describe(inst)}, which does not match the expected form {error.validator_value!r}", path
    if kw == "propertyNames":
        return f"key {_describe(inst)} in {where} is not allowed here (keys must match {error.schema.get('pattern', 'the schema')})", path
    if kw in ("minLength", "maxLength"):
        size = len(inst) if isinstance(inst, str) else 0
        words = "at least" if kw == "minLength" else "at most"
        return f"{where} is {size} characters long; it must be {words} {error.validator_value}", path
    if kw in ("minItems", "maxItems"):
        size = len(inst) if isinstance(inst, list) else 0
        words = "at least" if kw == "minItems" else "at most"
        return f"{where} has {size} items; it must have {words} {error.validator_value}", path
    # anything else: jsonschema's own words, cut short (they repeat the whole value)
    message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
    return f"{where}: {message}", path


def explain(error, where=path_text) -> tuple[str, list, str]:
    """(plain message, path to point at, the keyword that failed) for one jsonschema error.

    Shared by plan files (findings) and by rule and configuration files (refusals); `where`
    names a path (plan files name the plan item: `deadline of measure 1.1.1`).
    """
    leaf = _leaf(error)
    if leaf is not error and leaf.validator == "type" and error.validator in ("anyOf", "oneOf"):
        # a value that fits none of several forms: say which forms are allowed
        forms = []
        for sub in error.validator_value:
            ref = sub.get("$ref", "")
            forms.append(ref.rsplit("/", 1)[-1] if ref else TYPE_WORDS.get(sub.get("type"), str(sub.get("type"))))
        at = where(error.absolute_path)
        return f"{at} must be one of: {', '.join(forms)}; found {_describe(error.instance)}", list(error.absolute_path), "type"
    message, path = _message(leaf, where(leaf.absolute_path))
    return message, path, leaf.validator


def _finding(error, doc, kind: str, display: str) -> Finding:
    message, path, keyword = explain(error, lambda at: item_text(doc, kind, at))
    loc = locate(doc, path, doc.loc)
    rule = RULE_BY_KEYWORD.get(keyword, RULE_VALUE)
    return Finding(rule, "error", _node_of(doc, kind, path), message, loc.file or display, loc.line, loc.column,
                   detail=f"{path_text(path)}")


def check_document(doc, kind: str, display: str) -> list[Finding]:
    size = _values_in(doc)
    if (size is None or size >= FAST_FROM or _have_fast(kind)) and fast_check(doc, kind):
        return []
    return [_finding(e, doc, kind, display) for e in validator_for(kind).iter_errors(doc)]


def check_plan_files(files) -> list[Finding]:
    findings: list[Finding] = []
    for f in files.files:
        findings.extend(check_document(f.doc, f.kind, f.display) if f.schema_findings is None else f.schema_findings)
    for display in files.ignored:
        findings.append(Finding(RULE_IGNORED_FILE, "warning", "", "not a plan file name nap-rules reads; it was ignored "
                                "(expected plan.yaml, institutions.yaml, indicators.yaml, budget.yaml, goals/*.yaml, progress/*.yaml)",
                                display, 1, 1, detail="ignored"))
    return findings
