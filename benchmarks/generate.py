#!/usr/bin/env python3
"""Write a synthetic plan folder with a known number of injected defects.

    python benchmarks/generate.py N OUT [--seed S] [--defect-rate 0.02]

OUT receives plan.yaml, institutions.yaml, goals/PG1.yaml ... PG10.yaml, indicators.yaml and
budget.yaml in the format of schemas/ (README, The plan folder): 10 goals x 5 objectives, N measures spread evenly
over the objectives, 60 institutions (some with aliases, which measures sometimes use).

About N x defect-rate defects of six kinds are injected and their counts written to
OUT/defects.json, which is not part of the plan and is read by no plan loader. The counting
rules are those at the top of benchmarks/handwritten.py; every defect is built to be exactly
one violation of its own kind and none of another:

    no_responsible        a measure with `responsible: []`
    unregistered_body     a measure naming one body that is not in institutions.yaml
    bad_dates             start > deadline, or start/deadline outside the plan period; the
                          measure's targets stay inside its own span (all null when empty)
    target_outside_span   a measure with valid, narrower-than-period dates, one of whose
                          indicators has one non-null target outside [start, deadline]
    budget_mismatch       a goal line with total_cost != planned + gap (planned changed), or a
                          goal line whose total_cost no longer equals the sum of its measures'
                          cost amounts (total_cost and planned changed together)
    duplicate_measure_id  a measure that repeats the id of the first measure of its objective or,
                          for about half of them, of the same objective of another goal (an id
                          repeated across goal files, as in real drafts); its indicators keep ids
                          of their own, so only the measure id repeats

Defects are split evenly over the kinds. Budget defects have 40 slots (10 goals x 2 natures x
the two forms above); a duplicate needs an objective with an earlier measure; a measure carries
at most one defect. What does not fit is moved to the other measure-level kinds, so the total
stays round(N x defect-rate).

Like real drafts, goal files also share measure titles and indicator names with each other:
both are drawn from small vocabularies, so at 1 000 measures and more every title and name is
used in several goal files.

Same arguments, same bytes: one random.Random(seed) drives everything, and the YAML is built
as text.
"""

from __future__ import annotations

import argparse
import json
import random
import string
from pathlib import Path

KINDS = (
    "no_responsible",
    "unregistered_body",
    "bad_dates",
    "target_outside_span",
    "budget_mismatch",
    "duplicate_measure_id",
)
GOALS = 10
OBJECTIVES_PER_GOAL = 5
INSTITUTIONS = 60
PERIOD = (2021, 2023)
YEARS = tuple(range(PERIOD[0], PERIOD[1] + 1))
BASELINE_YEAR = PERIOD[0] - 1
NATURES = ("current", "capital")
SOURCES = ("state_budget", "donor")
BUDGET_SLOTS = GOALS * len(NATURES) * 2  # (goal, nature) x {arithmetic, reconciliation}
# Valid spans that leave a year of the period outside, so a target can be put there.
NARROW_SPANS = tuple((s, d) for s in YEARS for d in YEARS if s <= d and (s, d) != PERIOD)

# Plain scalars PyYAML would read as booleans or null: never used as a body code.
RESERVED = {"NO", "ON", "OFF", "YES", "TRUE", "FALSE", "NULL"}
INSTITUTION_KINDS = {
    "ministry": "Ministry of",
    "agency": "National Agency for",
    "police": "Police Directorate for",
    "judiciary": "Court Office for",
    "local": "Municipal Office for",
    "ngo": "Association for",
    "international": "International Mission for",
    "other": "Council for",
}
AREAS = (
    "Interior", "Justice", "Health", "Social Protection", "Education", "Labour", "Finance",
    "Foreign Affairs", "Migration", "Border Control", "Child Rights", "Victim Support",
    "Statistics", "Employment", "Youth", "Culture", "Tourism", "Infrastructure",
)
VERBS = (
    "Strengthen", "Train", "Establish", "Review", "Amend", "Monitor", "Extend", "Publish",
    "Coordinate", "Fund", "Assess", "Support", "Digitise", "Inspect", "Promote",
)
OBJECTS = (
    "staff capacity in", "referral mechanism for", "shelter services for", "case database for",
    "awareness campaign on", "legal framework for", "hotline for", "mobile teams for",
    "reintegration programmes for", "joint inspections on", "data exchange on",
)
NOUNS = ("Number of", "Share of", "Count of", "Rate of")
SUBJECTS = (
    "trained officials", "identified victims", "cases referred", "inspections held",
    "children reached", "prosecutions opened", "campaigns run", "shelters accredited",
)
UNITS = ("people", "cases", "percent", "document", "events")
DIRECTIONS = ("increase", "decrease", "maintain")


class Registry:
    """The institutions, the spellings measures may use for them, and names that are unknown."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.taken: set[str] = set()
        self.bodies = []  # (id, name, aliases, kind)
        for _ in range(INSTITUTIONS):
            code = self._code()
            aliases = [self._code()] if rng.random() < 0.25 else []
            kind = rng.choice(tuple(INSTITUTION_KINDS))
            name = f"{INSTITUTION_KINDS[kind]} {rng.choice(AREAS)}"
            self.bodies.append((code, name, aliases, kind))

    def _code(self) -> str:
        while True:
            code = "".join(self.rng.choices(string.ascii_uppercase, k=self.rng.randint(2, 5)))
            if code not in self.taken and code not in RESERVED:
                self.taken.add(code)
                return code

    def spelling(self, index: int) -> str:
        code, _, aliases, _ = self.bodies[index]
        return aliases[0] if aliases and self.rng.random() < 0.3 else code

    def unknown(self) -> str:
        """A code that is neither an id nor an alias (and never will be: the registry is fixed)."""
        return self._code()

    def yaml(self) -> str:
        out = ["schema: nap-rules/institutions/v1", "institutions:"]
        for code, name, aliases, kind in self.bodies:
            out.append(f"  - id: {code}")
            out.append(f"    name: {name}")
            if aliases:
                out.append(f"    aliases: [{', '.join(aliases)}]")
            out.append(f"    kind: {kind}")
        return "\n".join(out) + "\n"


def measures_per_objective(n: int) -> list[int]:
    objectives = GOALS * OBJECTIVES_PER_GOAL
    return [n // objectives + (1 if j < n % objectives else 0) for j in range(objectives)]


def allocate(n: int, rate: float, rng: random.Random, dup_capacity: int) -> dict[str, int]:
    """How many defects of each kind: an even split, with what exceeds a kind's capacity moved."""
    total = round(n * rate)
    quota = dict.fromkeys(KINDS, total // len(KINDS))
    for kind in rng.sample(KINDS, total % len(KINDS)):
        quota[kind] += 1
    caps = {"budget_mismatch": BUDGET_SLOTS, "duplicate_measure_id": dup_capacity}
    spill = 0
    for kind, cap in caps.items():
        spill += max(0, quota[kind] - cap)
        quota[kind] = min(quota[kind], cap)
    free = [k for k in KINDS if k not in caps]
    for i in range(spill):
        quota[free[i % len(free)]] += 1
    return quota


def assign(counts: list[int], quota: dict[str, int], rng: random.Random) -> dict[int, str]:
    """Measure index -> defect kind, one defect per measure at most."""
    first = set()
    index = 0
    for c in counts:
        if c:
            first.add(index)
        index += c
    later = [i for i in range(index) if i not in first]
    dups = rng.sample(later, quota["duplicate_measure_id"])
    defect = dict.fromkeys(dups, "duplicate_measure_id")
    pool = [i for i in range(index) if i not in defect]
    kinds = [k for k in KINDS if k not in ("budget_mismatch", "duplicate_measure_id")]
    chosen = rng.sample(pool, sum(quota[k] for k in kinds))
    at = 0
    for kind in kinds:
        for i in chosen[at : at + quota[kind]]:
            defect[i] = kind
        at += quota[kind]
    return defect


def dates(kind: str | None, rng: random.Random) -> tuple[int, int]:
    if kind == "bad_dates":
        form = rng.randrange(3)
        if form == 0:  # start after deadline, both inside the period
            start = rng.choice(YEARS[1:])
            return start, rng.randrange(PERIOD[0], start)
        if form == 1:  # starts before the period
            return PERIOD[0] - rng.randint(1, 2), rng.choice(YEARS)
        return rng.choice(YEARS), PERIOD[1] + rng.randint(1, 2)  # ends after the period
    if kind == "target_outside_span":
        return rng.choice(NARROW_SPANS)
    start = rng.choice(YEARS)
    return start, rng.randint(start, PERIOD[1])


def flow(items) -> str:
    return "[" + ", ".join(items) + "]"


def title(rng: random.Random) -> str:
    return f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(AREAS)}"


def write_measure(out: list[str], rng: random.Random, registry: Registry, shown_id: str,
                  own_id: str, kind: str | None, costs: dict) -> None:
    """Append one measure (and its cost to `costs[nature] = [amount, funded]`)."""
    n_resp = rng.randint(1, 2)
    n_contrib = rng.randint(0, 4)
    names = [registry.spelling(i) for i in rng.sample(range(INSTITUTIONS), n_resp + n_contrib)]
    responsible, contributing = names[:n_resp], names[n_resp:]
    if kind == "no_responsible":
        responsible = []
    elif kind == "unregistered_body":
        spoilt = contributing if contributing and rng.random() < 0.5 else responsible
        spoilt[rng.randrange(len(spoilt))] = registry.unknown()
    start, deadline = dates(kind, rng)
    span = [y for y in YEARS if start <= y <= deadline]

    out.append(f'      - id: "{shown_id}"')
    out.append(f"        title: {title(rng)}")
    out.append(f"        responsible: {flow(responsible)}")
    out.append(f"        contributing: {flow(contributing)}")
    out.append(f"        start: {start}")
    out.append(f"        deadline: {deadline}")
    out.append("        indicators:")
    n_ind = rng.randint(1, 3)
    outside = rng.randrange(n_ind) if kind == "target_outside_span" else -1
    for j in range(n_ind):
        base = rng.randint(0, 200)
        targets = {y: (base + rng.randint(1, 50) if y in span and rng.random() < 0.9 else None)
                   for y in YEARS}
        if j == outside:
            targets[rng.choice([y for y in YEARS if y not in span])] = base + rng.randint(1, 50)
        cells = ", ".join(f"{y}: {'null' if v is None else v}" for y, v in targets.items())
        out.append(f'          - id: "{own_id}-{"abc"[j]}"')
        out.append(f"            name: {rng.choice(NOUNS)} {rng.choice(SUBJECTS)}")
        out.append(f"            unit: {rng.choice(UNITS)}")
        out.append(f"            direction: {rng.choice(DIRECTIONS)}")
        out.append(f"            baseline: {{year: {BASELINE_YEAR}, value: {base}}}")
        out.append(f"            targets: {{{cells}}}")
    out.append("        cost:")
    for _ in range(rng.randint(1, 3)):
        year = rng.choice(span or YEARS)
        nature = rng.choice(NATURES)
        amount = rng.randint(1, 500) * 10000
        funded = amount - rng.randint(0, amount // 20000) * 10000
        source = rng.choice(SOURCES)
        out.append(f"          - {{year: {year}, nature: {nature}, amount: {amount}, "
                   f"funded: {funded}, source: {source}}}")
        pair = costs[nature]
        pair[0] += amount
        pair[1] += funded


def budget_yaml(costs: dict, quota: int, rng: random.Random) -> str:
    """Goal lines equal to their measures' costs, except on `quota` defect slots."""
    lines = {}  # (goal, nature) -> [total_cost, planned, gap]
    for goal in range(1, GOALS + 1):
        for nature in NATURES:
            amount, funded = costs[goal][nature]
            lines[goal, nature] = [amount, funded, amount - funded]
    slots = [(key, form) for key in lines for form in ("arithmetic", "reconciliation")]
    for key, form in rng.sample(slots, quota):
        delta = rng.randint(1, 100) * 1000
        line = lines[key]
        line[1] += delta  # planned: total_cost != planned + gap ...
        if form == "reconciliation":
            line[0] += delta  # ... unless total_cost moves too, away from the measures' sum
    out = ["schema: nap-rules/budget/v1", "lines:"]
    for (goal, nature), (total, planned, gap) in lines.items():
        out += [
            f"  - id: PG{goal}-{nature}",
            f"    goal: PG{goal}",
            f"    nature: {nature}",
            f"    total_cost: {total}",
            f"    planned: {planned}",
            f"    gap: {gap}",
        ]
    out.append("published_totals:")
    for i, field in enumerate(("total_cost", "planned", "gap")):
        out.append(f"  {field}: {sum(line[i] for line in lines.values())}")
    return "\n".join(out) + "\n"


def indicators_yaml(rng: random.Random, registry: Registry) -> str:
    out = ["schema: nap-rules/indicators/v1", "indicators:"]
    for goal in range(1, GOALS + 1):
        base = rng.randint(10, 80)
        collected = [registry.bodies[i][0] for i in rng.sample(range(INSTITUTIONS), 2)]
        out += [
            f"  - id: OI-{goal}",
            f"    name: {rng.choice(NOUNS)} {rng.choice(SUBJECTS)} nationally",
            f"    goal: PG{goal}",
            "    unit: percent",
            "    direction: increase",
            f"    baseline: {{year: {BASELINE_YEAR}, value: {base}}}",
            f"    targets: {{{PERIOD[1]}: {base + rng.randint(1, 15)}}}",
            f"    collected_by: {flow(collected)}",
        ]
    return "\n".join(out) + "\n"


def plan_yaml(n: int, seed: int) -> str:
    return (
        "schema: nap-rules/plan/v1\n"
        f"id: synthetic-{n}-{seed}\n"
        f"title: Synthetic action plan with {n} measures (seed {seed})\n"
        "country: AL\n"
        f"period: {{start: {PERIOD[0]}, end: {PERIOD[1]}}}\n"
        f"baseline_year: {BASELINE_YEAR}\n"
        "currency: ALL\n"
        "exchange_rates: {EUR: 125}\n"
        'approved_by: "Synthetic benchmark plan"\n'
    )


def write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def generate(n: int, out_dir: Path, seed: int = 0, defect_rate: float = 0.02) -> dict[str, int]:
    """Write the plan folder and defects.json; return the defect counts."""
    rng = random.Random(seed)
    registry = Registry(rng)
    counts = measures_per_objective(n)
    dup_capacity = n - sum(1 for c in counts if c)
    quota = allocate(n, defect_rate, rng, dup_capacity)
    defect = assign(counts, quota, rng)

    out_dir = Path(out_dir)
    (out_dir / "goals").mkdir(parents=True, exist_ok=True)
    write(out_dir / "plan.yaml", plan_yaml(n, seed))
    write(out_dir / "institutions.yaml", registry.yaml())
    costs = {g: {nature: [0, 0] for nature in NATURES} for g in range(1, GOALS + 1)}
    index = 0
    for goal in range(1, GOALS + 1):
        out = [
            "schema: nap-rules/goal/v1",
            f"id: PG{goal}",
            f"title: {title(rng)}",
            f"outcome_indicators: [OI-{goal}]",
            "objectives:",
        ]
        for obj in range(1, OBJECTIVES_PER_GOAL + 1):
            n_measures = counts[(goal - 1) * OBJECTIVES_PER_GOAL + obj - 1]
            out.append(f'  - id: "{goal}.{obj}"')
            out.append(f"    title: {title(rng)}")
            out.append("    measures:" if n_measures else "    measures: []")
            for k in range(1, n_measures + 1):
                own_id = f"{goal}.{obj}.{k}"
                kind = defect.get(index)
                shown_id = own_id
                if kind == "duplicate_measure_id":
                    shown_id = f"{goal}.{obj}.1"
                    others = [g for g in range(1, GOALS + 1)
                              if g != goal and counts[(g - 1) * OBJECTIVES_PER_GOAL + obj - 1]]
                    if others and rng.random() < 0.5:  # the id of a measure of another goal file
                        shown_id = f"{rng.choice(others)}.{obj}.1"
                write_measure(out, rng, registry, shown_id, own_id, kind, costs[goal])
                index += 1
        write(out_dir / "goals" / f"PG{goal}.yaml", "\n".join(out) + "\n")
    write(out_dir / "indicators.yaml", indicators_yaml(rng, registry))
    write(out_dir / "budget.yaml", budget_yaml(costs, quota["budget_mismatch"], rng))
    write(out_dir / "defects.json", json.dumps(quota, indent=2) + "\n")
    return quota


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, metavar="N", help="number of measures")
    parser.add_argument("out", type=Path, metavar="OUT", help="plan folder to write")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--defect-rate", type=float, default=0.02,
                        help="defects per measure, 0 to 1 (default 0.02)")
    args = parser.parse_args(argv)
    if args.n < 0 or not 0 <= args.defect_rate <= 1:
        parser.error("N must be >= 0 and --defect-rate between 0 and 1")
    generate(args.n, args.out, args.seed, args.defect_rate)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
