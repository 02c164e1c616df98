"""The published plan in plan/ against the document it encodes.

Source: ../shared/reference/nap-thb-2021-2023.txt (the NAP against Trafficking in Human Beings
2021-2023, annex to DCM No. 670). "L<n>" in the comments is a line of that file; the Annex 1
table (L601-709) is the plan, Part IV (L550-599) the budget, L712-729 the outcome indicators.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "plan"
SOURCE = ROOT.parent / "shared" / "reference" / "nap-thb-2021-2023.txt"


def _load_all() -> dict[str, list]:
    """Every plan file by kind; the project's located loader when it is there."""
    try:
        from nap_rules.load.plan_folder import read_plan_dir
    except ImportError:
        read_plan_dir = None
    out: dict[str, list] = {}
    if read_plan_dir is not None:
        for f in read_plan_dir(PLAN).files:
            out.setdefault(f.kind, []).append(f.doc)
        return out
    for path in [PLAN / "plan.yaml", PLAN / "institutions.yaml", PLAN / "indicators.yaml", PLAN / "budget.yaml",
                 *sorted((PLAN / "goals").glob("*.yaml"))]:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.setdefault(doc["schema"].split("/")[1], []).append(doc)
    return out


DOCS = _load_all()
GOALS = {g["id"]: g for g in DOCS["goal"]}
OBJECTIVES = {o["id"]: o for g in GOALS.values() for o in g["objectives"]}
MEASURES = {m["id"]: m for o in OBJECTIVES.values() for m in o["measures"]}
INDICATORS = {i["id"]: i for m in MEASURES.values() for i in m.get("indicators", [])}
OUTCOMES = {i["id"]: i for i in DOCS["indicators"][0]["indicators"]}
BUDGET = DOCS["budget"][0]
LINES = {line["id"]: line for line in BUDGET["lines"]}
CLAIMS = {c["id"]: c for c in BUDGET["claims"]}
INSTITUTIONS = DOCS["institutions"][0]["institutions"]
PLAN_DOC = DOCS["plan"][0]


def num(value):
    """Exact comparison whether the loader gives int, float or Decimal."""
    return None if value is None else Decimal(str(value))


def target(indicator: dict, year: int):
    """A target by year: the located loader keys years as text, plain safe_load as int."""
    targets = indicator["targets"]
    for key in (year, str(year)):
        if key in targets:
            value = targets[key]
            return dict(value) if isinstance(value, dict) else num(value)
    raise KeyError(year)


def baseline(indicator: dict):
    assert indicator["baseline"]["year"] == 2020  # every Annex table heads its baseline "2020"
    return num(indicator["baseline"]["value"])


# ---------------------------------------------------------------- structure

def test_plan_file():
    assert PLAN_DOC["id"] == "nap-thb-2021-2023"
    assert PLAN_DOC["approved_by"] == "DCM No. 670, dated 10.11.2021"  # L44
    assert num(PLAN_DOC["exchange_rates"]["EUR"]) == 125  # L559
    assert PLAN_DOC["currency"] == "ALL"


def test_goals_and_objectives():
    assert sorted(GOALS) == ["PG1", "PG2", "PG3"]
    assert [o["id"] for o in GOALS["PG1"]["objectives"]] == ["1.1"]  # L605
    assert [o["id"] for o in GOALS["PG2"]["objectives"]] == ["2.1", "2.2"]  # L624, L654
    assert [o["id"] for o in GOALS["PG3"]["objectives"]] == ["3.1", "3.2"]  # L667, L695
    # outcome indicators: Part II L295-297, L337-340, L446-448 and "Purpose of Policy" L715-724
    assert list(GOALS["PG1"]["outcome_indicators"]) == ["OI-2"]
    assert list(GOALS["PG2"]["outcome_indicators"]) == ["OI-3", "OI-4"]
    assert list(GOALS["PG3"]["outcome_indicators"]) == ["OI-1"]


# Measures per specific objective, counted in the Annex: 1.1.1-1.1.9 (L608-619), 2.1.1-2.1.19
# (L628-652), 2.2.1-2.2.5 (L657-662), 3.1.1-3.1.13 (L671-693), 3.2.1-3.2.9 (L699-709).
MEASURES_PER_OBJECTIVE = {"1.1": 9, "2.1": 19, "2.2": 5, "3.1": 13, "3.2": 9}


@pytest.mark.parametrize("objective,count", MEASURES_PER_OBJECTIVE.items())
def test_measures_per_objective(objective, count):
    ids = [m["id"] for m in OBJECTIVES[objective]["measures"]]
    assert ids == [f"{objective}.{n}" for n in range(1, count + 1)]


# Indicator rows per measure in the Annex. 1.1.4 prints two indicators in one row (L612) and is
# split in two; the third row of 3.1.9 (L688) is a breakdown without values, not an indicator.
INDICATORS_PER_MEASURE = {
    "1.1.1": 1, "1.1.2": 1, "1.1.3": 1, "1.1.4": 2, "1.1.5": 1, "1.1.6": 1, "1.1.7": 1, "1.1.8": 2, "1.1.9": 1,
    "2.1.1": 1, "2.1.2": 1, "2.1.3": 1, "2.1.4": 1, "2.1.5": 2, "2.1.6": 1, "2.1.7": 1, "2.1.8": 1, "2.1.9": 1,
    "2.1.10": 1, "2.1.11": 1, "2.1.12": 1, "2.1.13": 2, "2.1.14": 1, "2.1.15": 1, "2.1.16": 2, "2.1.17": 1,
    "2.1.18": 1, "2.1.19": 1,
    "2.2.1": 1, "2.2.2": 1, "2.2.3": 2, "2.2.4": 1, "2.2.5": 1,
    "3.1.1": 2, "3.1.2": 4, "3.1.3": 1, "3.1.4": 1, "3.1.5": 1, "3.1.6": 1, "3.1.7": 1, "3.1.8": 1, "3.1.9": 2,
    "3.1.10": 1, "3.1.11": 1, "3.1.12": 1, "3.1.13": 1,
    "3.2.1": 1, "3.2.2": 1, "3.2.3": 1, "3.2.4": 1, "3.2.5": 1, "3.2.6": 1, "3.2.7": 1, "3.2.8": 1, "3.2.9": 1,
}


def test_indicators_per_measure():
    assert {m: len(MEASURES[m].get("indicators", [])) for m in MEASURES} == INDICATORS_PER_MEASURE
    assert sum(INDICATORS_PER_MEASURE.values()) == 66  # 1.1: 11, 2.1: 22, 2.2: 6, 3.1: 18, 3.2: 9


def test_indicator_ids_follow_row_order():
    for mid, measure in MEASURES.items():
        assert [i["id"] for i in measure["indicators"]] == [f"{mid}-{c}" for c in "abcd"[:len(measure["indicators"])]]


def test_measure_indicators_declare_direction_or_nature_only_with_their_basis():
    # the Annex has no such column: a declaration rests on a line of the text, recorded as `basis`
    declared = {}
    for ind in INDICATORS.values():
        for what in ("direction", "nature"):
            if what in ind:
                assert ind["basis"][what]["doc_line"] and ind["basis"][what]["quote"], ind["id"]
                declared[ind["id"]] = ind[what]
    assert declared == {"1.1.4-a": "increase", "1.1.4-b": "increase", "1.1.7-a": "increase", "2.1.3-a": "decrease",
                        "2.1.18-a": "increase", "3.1.6-a": "increase", "3.2.6-a": "annual"}


# ---------------------------------------------------------------- spot checks: PG1 / 1.1

def test_spot_checks_objective_1_1():
    m = MEASURES["1.1.1"]  # L608
    assert list(m["responsible"]) == ["MD"] and list(m["contributing"]) == ["MI", "MHSP", "PP", "GDSP"]
    i = INDICATORS["1.1.1-a"]  # L608: 0 | - | 1 | -
    assert baseline(i) == 0 and target(i, 2021) is None and target(i, 2022) == 1 and target(i, 2023) is None
    assert target(INDICATORS["1.1.2-a"], 2023) == 1  # L609: 0 | - | - | 1
    i = INDICATORS["1.1.3-a"]  # L611: 50 | 60 | 70 | 80
    assert baseline(i) == 50 and target(i, 2023) == 80
    assert list(MEASURES["1.1.3"]["contributing"]) == ["MI", "GDSP", "NCASH", "ON", "NGO"]  # L611 "MI/GDSP/ NCASH; ON/NGO"
    a, b = INDICATORS["1.1.4-a"], INDICATORS["1.1.4-b"]  # L612: "2 1500 | 2 1500 | 4 1700 | 6 1900"
    assert [baseline(a), target(a, 2021), target(a, 2022), target(a, 2023)] == [2, 2, 4, 6]
    assert [baseline(b), target(b, 2021), target(b, 2022), target(b, 2023)] == [1500, 1500, 1700, 1900]
    assert list(MEASURES["1.1.4"]["responsible"]) == ["GDSP", "DK&M"]  # L612 "GDSP/ DK&M"
    i = INDICATORS["1.1.5-a"]  # L613: 300 | 200 | 300 | 400
    assert baseline(i) == 300 and target(i, 2021) == 200
    assert list(MEASURES["1.1.6"]["responsible"]) == ["Inner Affair Control Office"]  # L615
    assert target(INDICATORS["1.1.6-a"], 2023) == 0  # L615: 0 | 0 | 0 | 0
    m = MEASURES["1.1.8"]  # L617: starts 2022
    assert (m["start"], m["deadline"]) == (2022, 2023)
    assert target(INDICATORS["1.1.8-b"], 2023) == 3  # L618: 0 | 0 | 0 | 3
    assert (MEASURES["1.1.9"]["start"], target(INDICATORS["1.1.9-a"], 2022)) == (2022, 1)  # L619


# ---------------------------------------------------------------- spot checks: PG2 / 2.1, 2.2

def test_spot_checks_objective_2_1():
    i = INDICATORS["2.1.1-a"]  # L628: 86 | 85 | 170 | 250
    assert [baseline(i), target(i, 2021), target(i, 2022), target(i, 2023)] == [86, 85, 170, 250]
    assert list(MEASURES["2.1.1"]["responsible"]) == ["MI", "NCASH"]  # L628
    assert target(INDICATORS["2.1.5-a"], 2022) == 7000  # L633
    i = INDICATORS["2.1.5-b"]  # L634: 2000 | 2000 | 2020 | 2040
    assert baseline(i) == 2000 and target(i, 2023) == 2040
    assert MEASURES["2.1.5"]["start"] == 2022  # L633
    assert list(MEASURES["2.1.6"]["contributing"]) == ["DDSP", "PMF"]  # L636
    i = INDICATORS["2.1.13-b"]  # L645: 85 | 80 | 75 | 70
    assert baseline(i) == 85 and target(i, 2023) == 70
    assert target(INDICATORS["2.1.16-b"], 2023) == 57  # L649: 19 | 19 | 38 | 57
    assert list(MEASURES["2.1.16"]["responsible"]) == ["MFE", "NAEA"]  # L648 "MFE/NAEA"
    assert list(MEASURES["2.1.18"]["contributing"])[:2] == ["NCASH", "GDSP"]  # L651 "NCASH GDSP; …"
    i = INDICATORS["2.1.19-a"]  # L652: 0 | 5 | 6 | 7
    assert baseline(i) == 0 and target(i, 2021) == 5
    assert "CPU/CPVM" in MEASURES["2.1.19"]["note"]  # narrative L377 differs from the Annex


def test_spot_checks_objective_2_2():
    assert list(MEASURES["2.2.1"]["responsible"]) == ["NCHL"]  # L657
    i = INDICATORS["2.2.2-a"]  # L658: 61 | 61 | 61 | 61
    assert baseline(i) == 61 and target(i, 2023) == 61
    m = MEASURES["2.2.3"]  # L659: deadline 2022, yet 2023 targets 45 and 8
    assert m["deadline"] == 2022
    assert target(INDICATORS["2.2.3-a"], 2023) == 45 and target(INDICATORS["2.2.3-b"], 2023) == 8  # L659-660
    assert list(MEASURES["2.2.5"]["responsible"]) == ["IS", "SSS", "MFE"]  # L662 "IS SSS, MFE"
    i = INDICATORS["2.2.5-a"]  # L662: 100 | 60 | 120 | 160
    assert baseline(i) == 100 and target(i, 2021) == 60


# ---------------------------------------------------------------- spot checks: PG3 / 3.1, 3.2

def test_spot_checks_objective_3_1():
    i = INDICATORS["3.1.1-a"]  # L671: 1 | 1 Campaign | 2 Campaigns | 3 Campaigns
    assert (i["unit"], target(i, 2023)) == ("campaigns", 3)
    assert not i["name"].endswith("200 000 people") and "200 000 people" in i["note"]
    i = INDICATORS["3.1.1-b"]  # L672: 200 000 people | … | 900 000 people
    assert (baseline(i), target(i, 2023), i["unit"]) == (200000, 900000, "people")
    assert list(MEASURES["3.1.1"]["responsible"]) == ["MB"]  # L671
    i = INDICATORS["3.1.2-d"]  # L677: 1 | - | - | -
    assert baseline(i) == 1 and [target(i, y) for y in (2021, 2022, 2023)] == [None, None, None]
    assert target(INDICATORS["3.1.2-a"], 2021) == 6 and MEASURES["3.1.2"]["start"] == 2022  # L674
    i = INDICATORS["3.1.3-a"]  # L678: N/A | 0 | 100 | 200
    assert baseline(i) is None and "N/A" in i["note"] and target(i, 2023) == 200
    assert (target(INDICATORS["3.1.4-a"], 2023), INDICATORS["3.1.4-a"]["unit"]) == (400, "citizens")  # L679
    assert list(MEASURES["3.1.5"]["responsible"])[:2] == ["MI", "Asylum Directorate"]  # L680
    i = INDICATORS["3.1.6-a"]  # L682: N / A … | 0 | 5% increase … | 10% increase …
    assert baseline(i) is None and target(i, 2021) == 0
    assert target(i, 2022) == {"relative": 5, "of": "baseline", "unit": "percent"}
    assert target(i, 2023) == {"relative": 10, "of": "baseline", "unit": "percent"}
    assert list(MEASURES["3.1.6"]["responsible"]) == ["MHSP", "MFE", "MES"]  # L682
    assert target(INDICATORS["3.1.8-a"], 2023) == 660  # L684: 220 | 220 | 440 | 660
    i = INDICATORS["3.1.9-b"]  # L687: 5 training | 6 | 7 | 8; L688 breakdown in its note
    assert baseline(i) == 5 and target(i, 2023) == 8 and "Divided according to training issues" in i["note"]
    assert list(MEASURES["3.1.11"]["responsible"]) == ["MFE"] and list(MEASURES["3.1.11"]["contributing"]) == ["MB"]  # L690
    assert (baseline(INDICATORS["3.1.12-a"]), INDICATORS["3.1.12-a"]["unit"]) == (900, "pupils")  # L692
    i = INDICATORS["3.1.13-a"]  # L693: 450 | 200 | 300 | 450 education staff
    assert baseline(i) == 450 and target(i, 2021) == 200
    assert list(MEASURES["3.1.13"]["contributing"]) == ["MI", "AQAPUE", "School of Directors", "NGO"]  # L693


def test_spot_checks_objective_3_2():
    assert target(INDICATORS["3.2.1-a"], 2023) == 3  # L699: 1 | 1 | 2 | 3
    assert list(MEASURES["3.2.2"]["contributing"]) == ["MEFA", "NRM"]  # L700 "MEFA NRM"
    m = MEASURES["3.2.3"]  # L702: 2021-2022, 4 | 4 | 6 | -
    assert (m["start"], m["deadline"], target(INDICATORS["3.2.3-a"], 2023)) == (2021, 2022, None)
    assert target(INDICATORS["3.2.4-a"], 2022) == 500  # L703
    i = INDICATORS["3.2.5-a"]  # L704: starts 2022, yet a 2021 target of 1
    assert MEASURES["3.2.5"]["start"] == 2022 and target(i, 2021) == 1
    assert target(INDICATORS["3.2.6-a"], 2023) == 15  # L705: 5 | 5 | 10 | 15
    i = INDICATORS["3.2.7-a"]  # L706: no values
    assert baseline(i) is None and dict(i["targets"]) == {}
    assert list(MEASURES["3.2.9"]["contributing"]) == ["SC", "NRM", "RATC", "ON"]  # L709 "SC, NRM, RATC ON"
    assert target(INDICATORS["3.2.9-a"], 2023) == 4  # L709


# ---------------------------------------------------------------- outcome indicators

def test_outcome_indicators():
    assert list(OUTCOMES) == ["OI-1", "OI-2", "OI-3", "OI-4"]
    oi = OUTCOMES["OI-1"]  # L719: 2020 40.4%, 2023 "10% more than the baseline"
    assert (oi["goal"], baseline(oi), oi["nature"], oi["direction"]) == ("PG3", num("40.4"), "growing", "increase")
    assert target(oi, 2023) == {"relative": 10, "of": "baseline"}
    oi = OUTCOMES["OI-2"]  # L720: 2020 7%, "1% increase" each year
    assert (oi["goal"], baseline(oi), oi["frequency"]) == ("PG1", 7, "annual")
    assert [target(oi, y) for y in (2021, 2022, 2023)] == [{"relative": 1, "of": "previous"}] * 3
    oi = OUTCOMES["OI-3"]  # L728: 2020 199, 5% / 10% / 15% more than the baseline, cumulative
    assert (oi["goal"], baseline(oi), oi["nature"]) == ("PG2", 199, "cumulative")
    assert target(oi, 2023) == {"relative": 15, "of": "baseline", "unit": "percent"}
    oi = OUTCOMES["OI-4"]  # L729: 2020 86, "2% decrease every year", decreasing trend
    assert (oi["goal"], baseline(oi), oi["direction"]) == ("PG2", 86, "decrease")
    assert target(oi, 2022) == {"relative": -2, "of": "previous", "unit": "percent"}
    assert all(o["sdg"] == "16.2" for o in OUTCOMES.values())  # L719-729


# ---------------------------------------------------------------- budget (Part IV)

def test_budget_lines():
    assert [num(LINES["PG1-current"][k]) for k in ("total_cost", "planned", "gap")] == [50677784, 47478584, 3199200]  # L562
    assert [num(LINES["PG2-current"][k]) for k in ("total_cost", "planned", "gap")] == [138302992, 132507000, 8670992]  # L564
    assert [num(LINES["PG2-capital"][k]) for k in ("total_cost", "planned")] == [5750000, 2875000]  # L565
    assert LINES["PG2-capital"]["gap"] is None  # L565: empty cell
    assert [num(LINES["PG3-current"][k]) for k in ("total_cost", "planned", "gap")] == [214946644, 182012644, 35809000]  # L566
    assert (num(LINES["PG3-capital"]["total_cost"]), num(LINES["PG3-capital"]["planned"])) == (2875000, 0)  # L567


def test_budget_totals_and_claims():
    t = BUDGET["published_totals"]
    assert (num(t["total_cost"]), num(t["planned"]), num(t["gap"])) == (412552420, 364873228, 47679192)  # L568
    assert num(t["in_currency"]["EUR"]["gap"]) == 381434  # L569
    assert num(CLAIMS["C-total"]["total_cost"]["EUR"]) == 3300419  # L559
    assert {k: num(v) for k, v in CLAIMS["C-funding-shares"]["shares_by_funding"].items()} == {
        "state_budget": num("85.0"), "donors": 5, "gap": num("10.0")}  # L574
    assert {k: num(v) for k, v in CLAIMS["C-nature-shares"]["shares_by_nature"].items()} == {
        "current": num("98.0"), "capital": num("2.0")}  # L581
    assert {k: num(v) for k, v in CLAIMS["C-goal-shares"]["shares_of_total_cost"].items()} == {
        "PG3": num("52.8"), "PG2": num("34.9"), "PG1": num("12.3")}  # L593


def test_budget_lines_add_up_to_the_published_totals():
    # holds in the document: the column totals of L568 are the sums of L562-567
    assert sum(num(line["total_cost"]) for line in LINES.values()) == num(BUDGET["published_totals"]["total_cost"])
    assert sum(num(line["planned"]) for line in LINES.values()) == num(BUDGET["published_totals"]["planned"])
    assert sum(num(line["gap"] or 0) for line in LINES.values()) == num(BUDGET["published_totals"]["gap"])


# ---------------------------------------------------------------- registry

def test_registry():
    ids = [i["id"] for i in INSTITUTIONS]
    assert ids.count("GDPUE") == 1  # one body, printed twice in the Abbreviations table (L71, L74)
    mi = next(i for i in INSTITUTIONS if i["id"] == "MI")
    assert list(mi["aliases"]) == ["MIA"]  # L87, L224, L456 vs L671
    for undefined in ("MD", "MB", "SHM", "NCHL", "ASHMDF", "PP", "ON", "NGO", "AP", "DK&M", "NJVQV", "KRAT", "SPAK", "ONAC"):
        assert undefined not in ids, undefined
    for not_a_body in ("HBT", "VT", "PVT", "ANRM"):  # L77-88
        assert not_a_body not in ids
    assert {"NRM", "RA", "SACS", "CTG", "School of Magistrates"} <= set(ids)


# ---------------------------------------------------------------- traceability

@pytest.mark.skipif(not SOURCE.exists(), reason="reference text not checked out next to the project")
def test_every_measure_cites_its_annex_row():
    """Each measure has `doc_line: n`; line n of the source is that measure's Annex row."""
    source = SOURCE.read_text(encoding="utf-8").split("\n")
    seen = 0
    for ident, measure in MEASURES.items():
        cells = source[measure["doc_line"] - 1].split("\t")
        assert cells[0] == ident, (ident, cells[0])
        assert (int(cells[4]), int(cells[5])) == (measure["start"], measure["deadline"]), ident
        seen += 1
    assert seen == len(MEASURES) == 55


@pytest.mark.skipif(not SOURCE.exists(), reason="reference text not checked out next to the project")
def test_the_plan_names_the_source_document_and_its_checksum():
    document = PLAN_DOC["document"]
    assert (PLAN / document["path"]).resolve() == SOURCE.resolve()
    assert hashlib.sha256(SOURCE.read_bytes()).hexdigest() == document["sha256"]


def _cites(item) -> bool:
    lines = item.get("doc_line")
    lines = lines if isinstance(lines, list) else [lines]
    return bool(lines) and all(isinstance(n, int) and 1 <= n <= 760 for n in lines)


def test_plan_items_cite_document_lines():
    """Every goal, objective, measure, indicator, budget line, claim and institution cites its line."""
    for goal in GOALS.values():
        assert _cites(goal), goal["id"]
        for objective in goal["objectives"]:
            assert _cites(objective), objective["id"]
    for ident, measure in MEASURES.items():
        assert _cites(measure), ident
    for ident, indicator in INDICATORS.items():
        assert _cites(indicator), ident
    for key in list(LINES) + list(CLAIMS) + list(OUTCOMES):
        assert _cites({**LINES, **CLAIMS, **OUTCOMES}[key]), key
    assert _cites(DOCS["budget"][0]["published_totals"])
    for body in DOCS["institutions"][0]["institutions"]:
        assert _cites(body), body["id"]


def test_no_item_cites_its_line_in_a_comment_only():
    """The `# L<n>` comments on plan items became `doc_line` data: none is left on an item's line."""
    for path in [PLAN / "budget.yaml", PLAN / "indicators.yaml", PLAN / "institutions.yaml",
                 *sorted((PLAN / "goals").glob("*.yaml"))]:
        for text in path.read_text(encoding="utf-8").split("\n"):
            assert not re.match(r"\s*- (id: |\{id: ).*#\s*L\d+\s*$", text), (path.name, text)
