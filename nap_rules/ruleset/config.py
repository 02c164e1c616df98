"""`.nap-rules.yaml`: which rules run, at what severity, with which parameters, waivers and limits.

Read from the plan folder and validated against `schemas/config.schema.json`; every entry that
names a rule must name an existing rule (or group), so a typo never silently does nothing.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from ..errors import InputError
from ..lang.runtime import EvalLimits
from ..load import located_schema
from ..load.located_schema import hint
from ..load.locations import Location, LocMap, locate
from ..load.plan_folder import display_path, inside_folder, printable
from ..load.yaml_reader import load_yaml_file
from .rules import Rule

CONFIG_NAME = ".nap-rules.yaml"


@dataclass(frozen=True)
class Waiver:
    rule: str  # a rule id or group prefix
    node: str  # a node key
    reason: str
    approved_by: str
    expires: datetime.date | None
    source: Location


@dataclass(frozen=True)
class Config:
    enable: tuple = ()  # rule ids or prefixes
    disable: tuple = ()
    severity: tuple = ()  # ((id or prefix, level), ...)
    paths: tuple = ()  # extra rule folders, resolved against the config file's folder
    params: Mapping = field(default_factory=lambda: MappingProxyType({}))  # id -> {name: value}
    baseline: Path | None = None
    waivers: tuple = ()
    limits: EvalLimits = EvalLimits()
    file: str | None = None  # the config file as displayed, None when there is none
    locations: Mapping = field(default_factory=lambda: MappingProxyType({}), compare=False)


def load_config(plan_dir: Path, display_dir: str | None = None) -> Config:
    """The configuration in `plan_dir/.nap-rules.yaml`, or the defaults when there is none.

    The configuration is part of the plan folder, as untrusted as the plan: it and every file
    it names (`rules.paths` and the rule files in them, `baseline`) must resolve, symbolic
    links followed, inside the plan folder, else InputError naming the setting.
    """
    path = Path(plan_dir) / CONFIG_NAME
    if not os.path.lexists(path):
        return Config()
    display = f"{display_dir.rstrip('/')}/{CONFIG_NAME}" if display_dir else str(path)
    root = Path(plan_dir).resolve()
    inside_folder(path, root, display)
    doc = load_yaml_file(path, display)
    if not isinstance(doc, LocMap):
        raise InputError("the configuration is a mapping starting with "
                         "`schema: nap-rules/config/v1`", getattr(doc, "loc", None), file=display)
    located_schema.check(doc, "config")
    config = parse_config(doc, path.parent, display)
    _confine(config, doc, root, path.parent, display_dir or str(plan_dir))
    return config


def _confine(config: Config, doc: LocMap, root: Path, base: Path, display_dir: str) -> None:
    """Refuses a rule folder, rule file or baseline named by the configuration that is not
    inside the plan folder once symbolic links are resolved."""

    def refuse(setting: str, path: Path, where: Location):
        shown = printable(os.fspath(path))
        raise InputError(f"{setting}: {shown} leads outside the plan folder; the plan's configuration "
                         f"may name only files inside it{_ELSEWHERE[setting]}", where)

    def resolved(path: Path, setting: str, where: Location) -> Path:
        try:
            return path.resolve()
        except (OSError, RuntimeError):  # a symbolic link loop
            raise InputError(f"{setting}: {printable(os.fspath(path))} is a symbolic link that loops back "
                             "on itself", where) from None

    for i, folder in enumerate(config.paths):
        where = locate(doc, ["rules", "paths", i], doc.loc)
        real = resolved(folder, "rules.paths", where)
        if real != root and root not in real.parents:
            refuse("rules.paths", doc["rules"]["paths"][i], where)
        if real.is_dir():
            for rule_file in sorted(folder.glob("*.yaml")):
                shown = display_path(display_dir, os.path.relpath(rule_file, base))
                try:
                    inside_folder(rule_file, root, shown)
                except InputError as exc:
                    raise InputError(f"{exc.message} (a rule file of rules.paths)", file=shown) from None
    if config.baseline is not None:
        where = locate(doc, ["baseline"], doc.loc)
        real = resolved(config.baseline, "baseline", where)
        if real != root and root not in real.parents:
            refuse("baseline", doc["baseline"], where)


_ELSEWHERE = {"rules.paths": " (a rule folder elsewhere is given with --rules)",
              "baseline": " (a baseline elsewhere is given with --baseline)"}


def parse_config(doc: LocMap, base: Path, display: str) -> Config:
    rules = doc.get("rules") or {}
    locations: dict = {}

    def refs(key: str) -> tuple:
        items = rules.get(key) or []
        for i, ref in enumerate(items):
            locations[(key, ref)] = locate(doc, ["rules", key, i], doc.loc)
        return tuple(items)

    severity = rules.get("severity") or {}
    for ref in severity:
        locations[("severity", ref)] = locate(doc, ["rules", "severity", ref], doc.loc)
    params = doc.get("params") or {}
    for rule_id, values in params.items():
        locations[("params", rule_id)] = locate(doc, ["params", rule_id], doc.loc)
        for name in values:
            locations[("params", rule_id, name)] = locate(doc, ["params", rule_id, name], doc.loc)
    waivers = tuple(_waiver(doc, i, w) for i, w in enumerate(doc.get("waivers") or []))
    limits = EvalLimits(**{k: int(v) for k, v in (doc.get("limits") or {}).items()})
    baseline = doc.get("baseline")
    return Config(
        enable=refs("enable"), disable=refs("disable"),
        severity=tuple((ref, level) for ref, level in severity.items()),
        paths=tuple(base / p for p in rules.get("paths") or ()),
        params=MappingProxyType({rid: dict(v) for rid, v in params.items()}),
        baseline=base / baseline if baseline else None,
        waivers=waivers, limits=limits, file=display,
        locations=MappingProxyType(locations),
    )


def _waiver(doc: LocMap, i: int, w: Mapping) -> Waiver:
    loc = locate(doc, ["waivers", i], doc.loc)
    expires = None
    if w.get("expires") is not None:
        try:
            expires = datetime.date.fromisoformat(str(w["expires"]))
        except ValueError:
            raise InputError(f"waivers.{i}.expires: {w['expires']!r} is not a date (YYYY-MM-DD)",
                             locate(doc, ["waivers", i, "expires"], doc.loc)) from None
    return Waiver(str(w["rule"]), str(w["node"]), str(w["reason"]), str(w["approved_by"]),
                  expires, loc)


# --- applying it to a rule list --------------------------------------------------------------

def matches(ref: str, rule_id: str) -> bool:
    """`ref` is the rule's id or a group prefix of it (NAP-TIME matches NAP-TIME-002)."""
    return rule_id == ref or rule_id.startswith(ref + "-")


def _most_specific(rule_id: str, entries) -> tuple | None:
    best = None
    for entry in entries:
        if matches(entry[0], rule_id) and (best is None or len(entry[0]) > len(best[0])):
            best = entry
    return best


def apply_config(rules: list[Rule], config: Config, extra_ids=()) -> list[Rule]:
    """The rules that run, with their configured severity, in the same order.

    A rule is off when the most specific `enable`/`disable` entry naming it is a `disable`
    (on a tie, `disable` wins); the most specific `severity` entry sets its severity.
    `extra_ids` are further ids the configuration may name (checks built into the tool).
    """
    check_references(rules, config, extra_ids)
    out = []
    for rule in rules:
        severity = configured_severity(rule.id, rule.severity, config)
        if severity is not None:
            out.append(rule.with_severity(severity) if severity != rule.severity else rule)
    return out


def configured_severity(rule_id: str, severity: str, config: Config) -> str | None:
    """The severity `rule_id` reports at under `config`, or None when the configuration turns it off.

    Applies alike to rules from files and to the checks built into the tool (NAP-REF-…).
    """
    switches = [(ref, True) for ref in config.enable] + [(ref, False) for ref in config.disable]
    naming = [s for s in switches if matches(s[0], rule_id)]
    if naming:
        longest = max(len(s[0]) for s in naming)
        if not all(on for ref, on in naming if len(ref) == longest):
            return None
    level = _most_specific(rule_id, config.severity)
    return level[1] if level else severity


def check_selection(rules: list[Rule], select=(), ignore=(), extra_ids=()) -> None:
    """Every id or group given to `--select`/`--ignore` must name a rule, or a check built into the tool."""
    ids = [r.id for r in rules] + list(extra_ids)
    groups = {i.rsplit("-", n)[0] for i in ids for n in range(1, i.count("-") + 1)}
    errors = [InputError(f"{option}: {ref!r} names no rule or group{hint(ref, set(ids) | groups)}; "
                         "`nap-rules rules list` shows them")
              for option, refs in (("--select", select), ("--ignore", ignore))
              for ref in refs if not any(matches(ref, rid) for rid in ids)]
    if errors:
        raise InputError.combine(errors)


def selected(rule_id: str, select=(), ignore=()) -> bool:
    """`--select`/`--ignore`: the rule runs when a `select` entry names it (any, without `select`) and no
    `ignore` entry does; the more specific entry wins (`--select NAP-TIME --ignore NAP-TIME-002`)."""
    chosen = [len(ref) for ref in select if matches(ref, rule_id)]
    dropped = [len(ref) for ref in ignore if matches(ref, rule_id)]
    if select and not chosen:
        return False
    return not dropped or (bool(chosen) and max(chosen) > max(dropped))


def check_references(rules: list[Rule], config: Config, extra_ids=()) -> None:
    """Every rule id, group and parameter the configuration names must exist."""
    ids = [r.id for r in rules] + list(extra_ids)
    by_id = {r.id: r for r in rules}
    groups = {i.rsplit("-", n)[0] for i in ids for n in range(1, i.count("-") + 1)}

    def where(*key) -> Location:
        return config.locations.get(key) or Location(config.file or CONFIG_NAME, 1, 1)

    errors = []
    for key, refs in (("enable", config.enable), ("disable", config.disable),
                      ("severity", [ref for ref, _ in config.severity])):
        for ref in refs:
            if not any(matches(ref, rid) for rid in ids):
                errors.append(InputError(f"rules.{key}: {ref!r} names no rule or group"
                                         f"{hint(ref, set(ids) | groups)}", where(key, ref)))
    for rule_id, values in config.params.items():
        rule = by_id.get(rule_id)
        if rule is None:
            errors.append(InputError(f"params: no rule {rule_id!r}{hint(rule_id, ids)}", where("params", rule_id)))
            continue
        for name in values:
            if name not in rule.params:
                declared = ", ".join(sorted(rule.params)) or "none"
                errors.append(InputError(f"params.{rule_id}: the rule has no parameter {name!r} "
                                         f"(it declares: {declared}){hint(name, rule.params)}",
                                         where("params", rule_id, name)))
    if errors:  # all of them at once, in file order
        errors.sort(key=lambda e: (e.location.line, e.location.column))
        raise InputError.combine(errors)
