"""The package's layout (docs/architecture.md): wings that import only downwards, each with its purpose.

Wings from low to high: load, workbook, model, lang, ruleset, run, review, report, revisions,
incremental, then the top level (check, cli). A module imports from its own wing, from lower
wings and from the shared top-level modules (errors, findings, and the package itself for its
version); nothing in the model knows of the cache.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "nap_rules"
WINGS = ("load", "workbook", "model", "lang", "ruleset", "run", "review", "report", "revisions", "incremental")
TOP_LEVEL = {"check", "cli", "__main__"}  # above every wing
SHARED = {"errors", "findings", ""}  # "" is the package itself (its version)
CACHE = ("incremental", "load.file_cache")  # what the model must not know of

# (importer, imported) pairs allowed against the rules above, each with its reason. An entry
# that no longer occurs fails the test, so that the list only shrinks.
KNOWN_EXCEPTIONS: dict = {}


def modules() -> dict[str, Path]:
    """{dotted name below nap_rules ("" for the package, "load" for a wing's __init__): file}."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports(name: str, path: Path) -> set[str]:
    """The nap_rules modules `name` imports anywhere in its file (functions included), below nap_rules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    here = name.split(".") if name else []
    package = here if is_package else here[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([*base, *(node.module.split(".") if node.module else [])])
                # `from . import x` may name a module x, or a name defined in the package
                targets = [f"{module}.{a.name}".strip(".") for a in node.names] + [module]
                targets = ["nap_rules." + t if t else "nap_rules" for t in targets]
            else:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for target in targets:
            if target == "nap_rules" or target.startswith("nap_rules."):
                found.add(target[len("nap_rules."):] if target != "nap_rules" else "")
    known = modules()
    # keep only what names a module (drop `module.name` where name is a function or class)
    return {t if t in known else t.rpartition(".")[0] for t in found if t in known or t.rpartition(".")[0] in known}


def level(name: str) -> int | None:
    """The rank of a module's wing (higher imports lower); None for the shared modules."""
    if name in SHARED:
        return None
    wing = name.split(".")[0]
    if wing in TOP_LEVEL:
        return len(WINGS)
    return WINGS.index(wing)


ALL = modules()
EDGES = {(name, target) for name, path in ALL.items() for target in imports(name, path) if target != name}


def test_top_level_holds_only_the_entry_points_and_shared_types():
    top = {name for name in ALL if "." not in name and name not in WINGS}
    assert top == {"", "check", "cli", "errors", "findings", "__main__"}
    assert {name for name in ALL if "." not in name and name in WINGS} == set(WINGS)
    assert not [name for name in ALL if name.count(".") > 1], "wings hold modules, not further folders"


@pytest.mark.parametrize("name", sorted(n for n in ALL))
def test_every_module_opens_with_its_purpose(name):
    doc = ast.get_docstring(ast.parse(ALL[name].read_text(encoding="utf-8")))
    assert doc and doc.strip(), f"{ALL[name]} has no docstring"
    if name in WINGS:
        assert len(doc.strip().splitlines()) == 1, f"the {name}/ wing's purpose is one line"


def test_no_import_from_a_lower_wing_to_a_higher_one():
    wrong = []
    for name, target in sorted(EDGES):
        if (name, target) in KNOWN_EXCEPTIONS:
            continue
        mine, theirs = level(name), level(target)
        if mine is None:  # a shared module builds on nothing above the lowest wing
            if theirs is not None and theirs > 0:
                wrong.append((name, target))
        elif theirs is not None and theirs > mine:
            wrong.append((name, target))
    assert not wrong, "imports from a lower wing to a higher one: " + ", ".join(f"{a} -> {b}" for a, b in wrong)


def test_the_model_knows_nothing_of_the_cache():
    wrong = sorted((name, target) for name, target in EDGES
                   if name.split(".")[0] == "model" and target.startswith(CACHE)
                   and (name, target) not in KNOWN_EXCEPTIONS)
    assert not wrong


def test_known_exceptions_still_occur():
    gone = [pair for pair in KNOWN_EXCEPTIONS if pair not in EDGES]
    assert not gone, f"no longer imported, remove from KNOWN_EXCEPTIONS: {gone}"
