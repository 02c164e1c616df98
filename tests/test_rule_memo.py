"""A process that checks many times compiles a rule set once, and again whenever a file behind it
changes: a rule file, a library it uses, a file added to the folder, a library that appears."""

from __future__ import annotations

import pytest
from test_define import file, rule, write

from nap_rules.errors import InputError
from nap_rules.lang.runtime import EvalLimits
from nap_rules.ruleset.rules import load_rulesets


def ids_and_asserts(rules):
    return [(r.id, r.assert_) for r in rules]


@pytest.fixture
def folder(tmp_path):
    rules = tmp_path / "rules"
    write(rules, "lib/common.yaml", file(define="big: '10'\n"))
    write(rules, "mine.yaml", file(rules=rule(assert_="len(title) < big"), use="[lib/common]"))
    return rules


def test_the_same_files_give_the_same_compiled_rules(folder):
    first = load_rulesets([folder])
    again = load_rulesets([folder])
    assert [id(r) for r in again] == [id(r) for r in first]  # reused, not compiled again
    assert again is not first  # the caller's list is its own


def test_an_edited_rule_file_is_compiled_again(folder):
    first = load_rulesets([folder])
    write(folder, "mine.yaml", file(rules=rule(assert_="len(title) <= big"), use="[lib/common]"))
    assert ids_and_asserts(load_rulesets([folder])) == [("MY-001", "len(title) <= big")]
    assert ids_and_asserts(first) == [("MY-001", "len(title) < big")]


def test_an_edited_library_is_read_again(folder):
    load_rulesets([folder])
    write(folder, "lib/common.yaml", file(define="big: ']'\n"))
    with pytest.raises(InputError, match="common.yaml"):
        load_rulesets([folder])


def test_a_new_rule_file_is_seen(folder):
    load_rulesets([folder])
    write(folder, "more.yml", file(rules=rule(rule_id="MY-002")))
    assert [r.id for r in load_rulesets([folder])] == ["MY-001", "MY-002"]


def test_a_library_that_appears_under_the_first_suffix_wins(folder):
    load_rulesets([folder])
    (folder / "lib/common.yaml").rename(folder / "lib/common.yml")
    assert len(load_rulesets([folder])) == 1
    write(folder, "lib/common.yaml", file(define="big: ']'\n"))  # .yaml is looked for first
    with pytest.raises(InputError, match=r"common\.yaml"):
        load_rulesets([folder])


def test_other_limits_compile_again(folder):
    first = load_rulesets([folder])
    tight = load_rulesets([folder], limits=EvalLimits(steps=5))
    assert [id(r) for r in tight] != [id(r) for r in first]
