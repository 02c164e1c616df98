"""Compiled schema validators are kept in a private folder of the user's and read back only
from there, whole and unchanged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nap_rules.load import code_cache, schema_check
from nap_rules.load.yaml_reader import load_yaml_text

PLAN = (Path(__file__).resolve().parent.parent / "plan" / "plan.yaml").read_text()


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    folder = tmp_path / "code"
    monkeypatch.setenv("NAP_RULES_CODE_CACHE", str(folder))
    monkeypatch.setattr(schema_check, "_FAST", {})
    return folder


def verdict(text: str) -> bool:
    schema_check._FAST.clear()
    return schema_check.fast_check(load_yaml_text(text, "plan.yaml"), "plan")


def test_a_compiled_validator_is_kept_privately_and_used_again(fresh):
    assert verdict(PLAN)
    (entry,) = fresh.iterdir()
    assert entry.name.startswith("schema-plan-")
    assert oct(os.stat(fresh).st_mode & 0o777) == "0o700"
    before = entry.read_bytes()
    assert verdict(PLAN) and not verdict(PLAN + "unknown_key: 1\n")
    assert entry.read_bytes() == before


def test_a_damaged_entry_is_made_again(fresh):
    verdict(PLAN)
    (entry,) = fresh.iterdir()
    entry.write_bytes(entry.read_bytes()[:-10])
    assert code_cache.get(entry.name[:-len(".code")]) is None
    assert verdict(PLAN) and not verdict(PLAN + "unknown_key: 1\n")


def test_a_folder_others_can_write_is_not_read(fresh):
    verdict(PLAN)
    (entry,) = fresh.iterdir()
    os.chmod(fresh, 0o777)
    assert code_cache.get(entry.name[:-len(".code")]) is None
    os.chmod(fresh, 0o700)
    os.chmod(entry, 0o666)
    assert code_cache.get(entry.name[:-len(".code")]) is None


def test_off_keeps_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("NAP_RULES_CODE_CACHE", "off")
    monkeypatch.setattr(schema_check, "_FAST", {})
    assert code_cache.folder() is None
    assert verdict(PLAN)
