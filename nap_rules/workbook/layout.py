"""Where each field of each plan file goes in a workbook, derived from the JSON schemas.

Nothing here lists the fields of a plan file: the columns come from `schemas/<kind>.schema.json`,
so a field added to a schema gets its column without a change here. What is declared is only
how the files become sheets:

- the fields of a single-file document (plan.yaml, budget.yaml's totals, …) that are not lists
  of records are rows of the `Plan` sheet: `File | Field | Value`, one row per value, the field
  written as its dotted path (`period.start`, `exchange_rates.EUR`);
- each list of records is a sheet with one row per record (`Institutions`, `Budget`, …); the
  documents of a folder (goals/, progress/) are one row each in their own sheet (`Goals`,
  `Progress`), and their lists are sheets whose first column names the document;
- a record's own lists of records are column groups to the right of the record's columns:
  the `Measures` sheet is objectives -> measures -> (indicators | cost), a record spanning as
  many rows as its longest list, its own cells merged over them.

A column holds one value (`Leaf`): a scalar, a list of names (one per line), or, for a
mapping whose keys are data (`targets`, `exchange_rates`), one column per key (`Target 2021`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from ..load.plan_folder import FOLDERS, SINGLE_FILES
from ..load.schema_check import schema_for

# Sheet names where the generic name would read worse; (kind, list field) -> name.
SHEET_NAMES = {
    ("goal", "objectives"): "Measures",
    ("institutions", "institutions"): "Institutions",
    ("abbreviations", "abbreviations"): "Abbreviations",
    ("narrative", "measures"): "Narrative",
    ("narrative", "same_meaning"): "Same meaning",
    ("indicators", "indicators"): "Outcome indicators",
    ("budget", "lines"): "Budget",
    ("budget", "claims"): "Claims",
    ("progress", "actuals"): "Actuals",
    ("progress", "measures"): "Measure status",
}
DOC_SHEETS = {"goal": "Goals", "progress": "Progress"}
PLAN_SHEET = "Plan"
README_SHEET = "README"
# How the action matrix calls some columns (the generic label is accepted as well on import).
SHORT_LABELS = {
    ("measure", "responsible"): "Responsible",
    ("measure", "contributing"): "Contributing",
    ("measure", "start"): "Start",
    ("measure", "deadline"): "Deadline",
    ("measure", "status"): "Status",
    ("indicator", "unit"): "Unit",
    ("indicator", "baseline.value"): "Baseline",
    ("indicator", "baseline.year"): "Baseline year",
    ("indicator", "baseline.note"): "Baseline note",
    ("indicator", "targets"): "Target",
}
# Fields naming a body of the registry, or a goal: a drop-down list of the known ids.
REGISTRY_FIELDS = {"responsible": "institutions", "contributing": "institutions", "collected_by": "institutions",
                   "goal": "goals"}
FIRST_CHILDREN = ("indicators",)
MONEY_WORDS = ("cost", "amount", "funded", "planned", "gap")


@dataclass(frozen=True)
class Leaf:
    """One column: the value at `path` in a record (a `*` stands for the key of a keyed mapping)."""

    path: tuple
    shape: frozenset  # text number integer null relative names boolean object
    enum: tuple = ()
    description: str = ""
    minimum: object = None
    maximum: object = None

    @cached_property
    def dynamic(self) -> bool:
        return "*" in self.path

    @cached_property
    def is_year(self) -> bool:
        return "integer" in self.shape and self.minimum == 1900 and self.maximum == 2200

    @cached_property
    def is_money(self) -> bool:
        return any(word in self.path[-1] for word in MONEY_WORDS) if self.path else False


@dataclass
class Group:
    """The records of one list: their columns, and their own lists as child groups."""

    kind: str  # the file kind
    name: str  # the record's name: measure, indicator, institution, …
    field: str  # the key of the list in its parent
    label: str  # the prefix of its column headers in a sheet of several groups ("" alone)
    leaves: list = field(default_factory=list)
    children: list = field(default_factory=list)
    required: bool = False  # the list is required in its parent: empty and absent are one
    required_maps: frozenset = frozenset()  # paths of nested mappings the schema requires

    @property
    def tree(self) -> dict:
        """The leaves as nested keys: {"baseline": {"year": Leaf, …}, "targets": {"*": Leaf}, …}."""
        found = self.__dict__.get("_tree")
        if found is None:
            found = {}
            for leaf in self.leaves:
                node = found
                for part in leaf.path[:-1]:
                    node = node.setdefault(part, {})
                node[leaf.path[-1]] = leaf
            self.__dict__["_tree"] = found
        return found

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Sheet:
    name: str
    kind: str
    field: str | None  # the list of the document it holds; None for the documents of a folder
    group: Group
    multi: bool  # the documents are the files of a folder: a first column names the file


def singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def humanise(path) -> str:
    text = " ".join(str(p) for p in path).replace("_", " ")
    return text[:1].upper() + text[1:]


def norm(text: str) -> str:
    """A header as compared: case, spacing and underscores do not matter."""
    return re.sub(r"\s+", " ", str(text).replace("_", " ")).strip().lower()


# --- the schemas -----------------------------------------------------------------------------

def _resolve(root: dict, schema) -> dict:
    for _ in range(32):
        if not isinstance(schema, dict) or "$ref" not in schema:
            break
        fragment = schema["$ref"].partition("#")[2]  # "#/$defs/x", or the same made absolute
        target = root
        for part in fragment[1:].split("/") if fragment.startswith("/") else ():
            target = target.get(part, {})
        if target is root and fragment:
            return {}
        merged = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **merged}
    return schema if isinstance(schema, dict) else {}


def _forms(root: dict, schema) -> list:
    schema = _resolve(root, schema)
    for word in ("anyOf", "oneOf"):
        if word in schema and "type" not in schema and "properties" not in schema:
            out = []
            for sub in schema[word]:
                out.extend(_forms(root, sub))
            return out
    return [schema]


def _is_record_list(root: dict, schema) -> dict | None:
    schema = _resolve(root, schema)
    if schema.get("type") == "array":
        items = _resolve(root, schema.get("items", {}))
        if items.get("type") == "object" and "properties" in items:
            return items
    return None


def _shape(root: dict, schema) -> tuple[frozenset, tuple, dict]:
    shape, enum, bounds = set(), (), {}
    for form in _forms(root, schema):
        if "enum" in form:
            enum = tuple(form["enum"])
            shape.update("text" if isinstance(v, str) else "null" if v is None else "integer" for v in enum)
            continue
        if "const" in form:
            shape.add("text")
            continue
        kinds = form.get("type", [])
        for t in kinds if isinstance(kinds, list) else [kinds]:
            if t == "string":
                shape.add("text")
            elif t in ("number", "integer", "null", "boolean"):
                shape.add(t)
                if t in ("number", "integer"):
                    bounds = {"minimum": form.get("minimum"), "maximum": form.get("maximum")}
            elif t == "array":
                items = _resolve(root, form.get("items", {}))
                shape.add("numbers" if items.get("type") in ("integer", "number") else "names")
            elif t == "object":
                props = form.get("properties", {})
                shape.add("relative" if set(props) == {"relative", "of"} else "object")
    return frozenset(shape), enum, bounds


def _leaves(root: dict, schema, prefix: tuple, out: list, children: list, kind: str, required=None) -> None:
    schema = _resolve(root, schema)
    needed = schema.get("required", ())
    for key, sub in schema.get("properties", {}).items():
        if key == "schema" and not prefix:
            continue
        path = prefix + (key,)
        items = _is_record_list(root, sub)
        if items is not None:
            children.append((key, items, key in schema.get("required", ())))
            continue
        resolved = _resolve(root, sub)
        forms = _forms(root, resolved)
        if len(forms) == 1 and forms[0].get("type") == "object" and forms[0].get("properties") \
                and set(forms[0]["properties"]) != {"relative", "of"}:
            _leaves(root, forms[0], path, out, [], kind, required)  # a nested record: its fields, dotted
            continue
        extra = resolved.get("additionalProperties")
        if resolved.get("type") == "object" and isinstance(extra, dict):
            if required is not None and key in needed:
                required.add(path)
            value = _resolve(root, extra)
            if value.get("type") == "object" and value.get("properties"):
                _leaves(root, value, path + ("*",), out, [], kind)
            else:
                out.append(_leaf(root, extra, path + ("*",), resolved.get("description", "")))
            continue
        out.append(_leaf(root, resolved, path, resolved.get("description", "")))


def _leaf(root: dict, schema, path: tuple, description: str) -> Leaf:
    shape, enum, bounds = _shape(root, schema)
    described = _resolve(root, schema).get("description") or description
    return Leaf(path, shape, enum, described or "", bounds.get("minimum"), bounds.get("maximum"))


def _group(root: dict, kind: str, name: str, fieldname: str, schema, required: bool, labelled: bool) -> Group:
    leaves, children, maps = [], [], set()
    _leaves(root, schema, (), leaves, children, kind, maps)
    group = Group(kind, name, fieldname, name.replace("_", " ").capitalize() if labelled else "", leaves,
                  required=required, required_maps=frozenset(maps))
    children.sort(key=lambda c: c[0] not in FIRST_CHILDREN)  # the indicators next to their measure
    for key, items, req in children:
        group.children.append(_group(root, kind, singular(key), key, items, req, True))
    return group


@lru_cache(maxsize=None)
def file_kinds() -> tuple:
    """(kind, file name or folder, is a folder) of every plan file kind, in sheet order."""
    out = [(kind, name, False) for name, kind in SINGLE_FILES.items()]
    out += [(kind, name, True) for name, kind in FOLDERS.items()]
    order = {"plan": 0, "goal": 1, "institutions": 2, "abbreviations": 3, "indicators": 4, "narrative": 5, "budget": 6,
             "progress": 9}
    return tuple(sorted(out, key=lambda t: (order.get(t[0], 5), t[1])))


@lru_cache(maxsize=None)
def document_group(kind: str) -> Group:
    """The fields of a whole document of `kind`; its lists of records are its children."""
    root = schema_for(kind)
    return _group(root, kind, kind, "", root, True, False)


@lru_cache(maxsize=None)
def sheets() -> tuple:
    """Every sheet of the workbook but README and Plan, in order."""
    out = []
    for kind, _, is_folder in file_kinds():
        doc = document_group(kind)
        if is_folder:
            own = Group(kind, kind, "", "", doc.leaves, required_maps=doc.required_maps)
            out.append(Sheet(DOC_SHEETS.get(kind, humanise([kind]) + "s")[:31], kind, None, own, True))
        for child in doc.children:
            if not child.children:
                child.label = ""  # a sheet of one group has plain headers (`Name`, not `Institution name`)
            name = SHEET_NAMES.get((kind, child.field)) or humanise([kind, child.field] if is_folder else [child.field])
            out.append(Sheet(name[:31], kind, child.field, child, is_folder))
    return tuple(out)


def column_label(group: Group, leaf: Leaf, key=None) -> str:
    """The header of a column: the group's label, the field in words, and the key of a keyed mapping."""
    dotted = ".".join(p for p in leaf.path if p != "*")
    star = leaf.path.index("*") if leaf.dynamic else None
    short = SHORT_LABELS.get((group.name, dotted if star is None else ".".join(leaf.path[:star])))
    if leaf.path == ("id",):
        base = group.label or "Id"
        return base
    if star is not None:
        head = short or _words(group, leaf.path[:star])
        tail = humanise(leaf.path[star + 1:])
        return f"{head} {key}" + (f" {tail[:1].lower() + tail[1:]}" if tail else "")
    return short or _words(group, leaf.path)


def _words(group: Group, path) -> str:
    text = humanise(path)
    if group.label:
        return f"{group.label} {text[:1].lower() + text[1:]}"
    return text


def label_forms(group: Group, leaf: Leaf) -> list[str]:
    """Every header (normalised) a static leaf answers to: its label and the generic one."""
    forms = {norm(column_label(group, leaf))}
    if leaf.path != ("id",):
        forms.add(norm(_words(group, leaf.path)))
        if group.label:
            forms.add(norm(".".join(leaf.path)))
    return sorted(forms)


def dynamic_prefixes(group: Group, leaf: Leaf) -> list[tuple[str, str]]:
    """(normalised head, normalised tail) of the headers of a keyed mapping's columns."""
    star = leaf.path.index("*")
    heads = {norm(SHORT_LABELS.get((group.name, ".".join(leaf.path[:star])), "") or _words(group, leaf.path[:star])),
             norm(_words(group, leaf.path[:star]))}
    tail = norm(humanise(leaf.path[star + 1:])) if leaf.path[star + 1:] else ""
    return [(h, tail) for h in sorted(heads) if h]
