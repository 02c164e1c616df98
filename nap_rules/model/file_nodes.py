"""What each kind of plan file adds to the graph: its nodes, their fields, and the edges between them."""

from __future__ import annotations

from ..load.locations import Location, LocList, LocMap
from .fields import node_key
from .text import codes_of


class FileNodes:
    """The file readers of `GraphBuilder` (nap_rules.model.graph): one method per kind of file or item."""

    def build_parts(self) -> str:
        """Fill `nodes`, `succ` and `pred` from the files; the plan node's key."""
        plan_file = self.files.one("plan")
        budget_file = self.files.one("budget")
        plan_doc = plan_file.doc
        totals = budget_file.doc.get("published_totals") if budget_file else None
        plan = self.add("plan", plan_doc, plan_file.display, extra={"budget_totals": totals})
        # With an abbreviations table, measures, indicators and narrative entries get `codes`: the
        # abbreviations of their text, so that the rules find where a code is used by a search.
        self.with_codes = bool(self.files.of_kind("abbreviations"))
        for f in self.files.of_kind("institutions"):
            self.reading = f.display
            self.institutions(plan, f)
        for f in self.files.of_kind("abbreviations"):
            self.reading = f.display
            self.abbreviations(f)
        outcome_docs = [(f, doc) for f in self.files.of_kind("indicators") for doc in f.doc.get("indicators", [])]
        for f, doc in outcome_docs:
            # the file's `source` (where data comes from) is `data_source`: `source` is the location
            self.add("indicator", doc, f.display, extra={
                "level": "outcome", "measure": None, "goal": doc.get("goal"),
                "targets": _targets(doc.get("targets")), "data_source": doc.get("source"),
                "codes": _codes(self, doc.get("name"))})
        self.goal_files(plan)
        for f, doc in outcome_docs:
            self.reading = f.display
            key = node_key("indicator", doc.get("id"))
            if doc.get("goal") is not None:
                self.resolve(key, "goal", doc["goal"], "", doc.key_locs.get("goal") or doc.loc)
        for f in self.files.of_kind("narrative"):
            self.reading = f.display
            self.narrative(f)
        if budget_file:
            self.reading = budget_file.display
            self.budget(plan, budget_file)
        for f in self.files.of_kind("progress"):
            self.reading = f.display
            self.progress(plan, f)
        return plan

    def institutions(self, plan: str, f):
        for doc in f.doc.get("institutions", []):
            # the file's `kind` (ministry, agency, …) must not shadow the node kind
            key = self.add("institution", doc, f.display, extra={"institution_kind": doc.get("kind")})
            self.edge(plan, key, "has_institution")
            if self.nodes[key]["occurrence"] == 1:
                for spelling in [doc.get("id"), *(doc.get("aliases") or [])]:
                    self._institution_names.setdefault(str(spelling), key)

    def goal_files(self, plan: str) -> None:
        """The goal files, in order (`goals` when the builder is given them as they are read)."""
        for f in self.files.of_kind("goal") if self.goals is None else self.goals:
            self.reading = f.display
            self.goal(plan, f)

    def abbreviations(self, f):
        for doc in f.doc.get("abbreviations", []):
            self.add("abbreviation", doc, f.display, ident=doc.get("code"))

    def narrative(self, f):
        """The narrative's measures, each linked by id to its measure and indicators."""
        for i, doc in enumerate(f.doc.get("same_meaning") or ()):
            self.add("same_meaning", doc, f.display, ident=i + 1)
        for doc in f.doc.get("measures") or ():
            texts = [doc.get("title")] + [ind.get("name") for ind in doc.get("indicators") or ()]
            key = self.add("narrative", doc, f.display, ident=doc.get("measure"),
                           extra={"codes": _codes(self, " ".join(t for t in texts if isinstance(t, str)))})
            self.resolve(key, "measure", doc.get("measure"), "", doc.key_locs.get("measure") or doc.loc)
            for ind in doc.get("indicators") or ():
                self.resolve(key, "indicator", ind.get("indicator"), "", ind.key_locs.get("indicator") or ind.loc)

    def goal(self, plan: str, f) -> str:
        doc = f.doc
        goal = self.add("goal", doc, f.display)
        goal_id = str(doc.get("id"))
        self.edge(plan, goal, "has_goal")
        for objective in doc.get("objectives", []):
            objective_id = str(objective.get("id"))
            okey = self.add("objective", objective, f.display, extra={"goal": goal_id})
            self.edge(goal, okey, "has_objective")
            for measure in objective.get("measures", []):
                self.measure(okey, measure, f.display, objective_id, goal_id)
        refs = doc.get("outcome_indicators") or []
        for i, ident in enumerate(refs):
            self.resolve(goal, "indicator", ident, "measured_by", _item_loc(refs, i, doc, "outcome_indicators"))
        return goal

    def measure(self, objective: str, doc: LocMap, display: str, objective_id: str, goal_id: str):
        mkey = self.add("measure", doc, display, extra={"objective": objective_id, "goal": goal_id,
                                                         "codes": _codes(self, doc.get("title"))})
        measure_id = self.nodes[mkey]["id"]
        self.edge(objective, mkey, "has_measure")
        names_of = self._institution_names
        for rel in ("responsible", "contributing"):
            names = doc.get(rel)
            if not names:
                continue
            for i, name in enumerate(names):
                target = names_of.get(str(name))
                if target is not None:
                    self.edge(mkey, target, rel, name)
                else:
                    self.resolve(mkey, "institution", name, rel, _item_loc(names, i, doc, rel), label=name)
        for ind in doc.get("indicators") or ():
            ikey = self.add("indicator", ind, display, extra={
                "level": "measure", "measure": measure_id, "goal": goal_id,
                "targets": _targets(ind.get("targets")), "data_source": None,
                "codes": _codes(self, ind.get("name"))})
            self.edge(mkey, ikey, "measured_by")
        costs = doc.get("cost") or ()
        for i, cost in enumerate(costs):
            ident = f"{measure_id}/{cost.get('year')}-{cost.get('nature')}"
            if i and any(c is not cost and c.get("year") == cost.get("year") and c.get("nature") == cost.get("nature")
                         for c in costs[:i]):
                ident = f"{ident}-{i + 1}"
            lkey = self.add("budget_line", cost, display, ident=ident, extra={
                "level": "measure", "goal": goal_id, "measure": measure_id, "year": cost.get("year"),
                "total_cost": cost.get("amount"), "planned": cost.get("funded"), "gap": None,
                "funding_source": cost.get("source")})
            self.edge(mkey, lkey, "costed_by")

    def budget(self, plan: str, f):
        doc = f.doc
        for line in doc.get("lines", []):
            lkey = self.add("budget_line", line, f.display, extra={
                "level": "goal", "measure": None, "year": None, "funding_source": None})
            self.edge(plan, lkey, "has_budget_line")
            goal = node_key("goal", line.get("goal"))
            if self.is_a(goal, "goal"):
                self.edge(goal, lkey, "funded_by")
            else:
                self.resolve(lkey, "goal", line.get("goal"), "", line.key_locs.get("goal") or line.loc)
        for claim in doc.get("claims", []):
            ckey = self.add("claim", claim, f.display)
            self.edge(plan, ckey, "has_claim")
            shares = claim.get("shares_of_total_cost") or {}
            for goal_id in shares:
                if not self._has(node_key("goal", goal_id)):
                    self.resolve(ckey, "goal", goal_id, "", shares.key_locs.get(goal_id) or claim.loc)

    def progress(self, plan: str, f):
        doc = f.doc
        period = doc.get("period") or {}
        year, half = period.get("year"), period.get("half")
        stem = f.display.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        rkey = self.add("report", doc, f.display, ident=stem, extra={"year": year, "half": half})
        self.edge(plan, rkey, "has_report")
        # an actual value reports on an indicator, a status update on a measure
        for entries, kind, subject in (("actuals", "actual", "indicator"),
                                       ("measures", "status_update", "measure")):
            for entry in doc.get(entries) or []:
                key = self.add(kind, entry, f.display, ident=f"{stem}/{entry.get(subject)}",
                               extra={"year": year, "half": half, "report": stem})
                self.edge(rkey, key, "contains")
                target = node_key(subject, entry.get(subject))
                if self.is_a(target, subject):
                    self.edge(target, key, "reported_in")
                else:
                    self.resolve(key, subject, entry.get(subject), "", entry.key_locs.get(subject) or entry.loc)


def _codes(builder, text) -> list | None:
    """The abbreviations of `text` when the plan has an abbreviations table (else None)."""
    return codes_of(text) if builder.with_codes and isinstance(text, str) else None


def _item_loc(items, i: int, doc: LocMap, key: str) -> Location:
    if isinstance(items, LocList) and i < len(items.item_locs):
        return items.item_locs[i]
    return doc.key_locs.get(key, doc.loc)


def _targets(targets) -> dict:
    """Year keys back to integers (files hold them as text, see docs/model.md), in year order."""
    if not targets:
        return {}
    return {_year(year): ordered(value) if isinstance(value, dict) else value
            for year, value in sorted(targets.items(), key=lambda item: int(item[0]))}


_YEARS: dict = {}  # year text -> its number, one object for every target of that year


def _year(text) -> int:
    found = _YEARS.get(text)
    if found is None:
        found = int(text)
        if len(_YEARS) < 1024:
            _YEARS[text] = found
    return found


# The order of the keys of a mapping in a plan file carries no meaning: in the graph every
# mapping value (period, baseline, exchange rates, a relative target, claim shares, …) has its
# keys in one fixed order, so that nothing computed from it (a message that shows the value,
# a sum, a listing) depends on how the author ordered the keys.
KEY_ORDER = {k: i for i, k in enumerate(("year", "half", "start", "end", "value", "relative", "of", "unit", "per_year",
                                         "total_cost", "planned", "gap", "in_currency", "note"))}


def _key_rank(key):
    text = str(key)
    if text.isdigit():
        return (0, int(text), "")
    return (1, KEY_ORDER.get(text, len(KEY_ORDER)), text)


def ordered(mapping: dict) -> dict:
    """The same mapping (a LocMap keeps its locations) with its keys in the fixed order, recursively.

    A mapping already in that order, all the way down (the usual case), is returned as it is.
    """
    keys = sorted(mapping, key=_key_rank)
    if keys == list(mapping) and not any(isinstance(v, dict) and ordered(v) is not v for v in mapping.values()):
        return mapping
    out = LocMap(mapping.loc) if isinstance(mapping, LocMap) else {}
    for key in keys:
        value = mapping[key]
        out[key] = ordered(value) if isinstance(value, dict) else value
    if isinstance(mapping, LocMap):
        out.key_locs.update((k, mapping.key_locs[k]) for k in out if k in mapping.key_locs)
    return out
