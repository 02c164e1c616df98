"""`nap-rules report PLAN_DIR --html FILE`: one self-contained page for reviewers."""

from __future__ import annotations

import datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from planedits import PUBLISHED, copy_plan, edit

import nap_rules
from nap_rules.check import check_plan
from nap_rules.report.causes import group_causes
from nap_rules.cli import main
from nap_rules.report.html import fmt_num, fmt_relative

ROOT = PUBLISHED.parent
MONITORING = ROOT / "examples" / "monitoring"
AS_OF = "2024-01-01"  # pinned: time rules depend on the evaluation date
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_ATTR = '"onload="x'


class Page(HTMLParser):
    """The parts of a page the tests look at: tag nesting, elements by id, text, attributes."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.problems: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []  # (tag, name, value)
        self.ids: dict[str, str] = {}  # id -> tag
        self.text_of: dict[str, list[str]] = {}  # id -> text inside that element
        self.text: list[str] = []
        self.doctype = None
        self.feed(text)
        self.close()
        if self.stack:
            self.problems.append(f"unclosed at the end: {[t for t, _ in self.stack]}")

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs)
        if tag not in VOID:
            element_id = dict(attrs).get("id")
            self.stack.append((tag, element_id))
            if element_id is not None:
                self.text_of[element_id] = []

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs)

    def _element(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            self.attrs.append((tag, name, value))
            if name == "id":
                if value in self.ids:
                    self.problems.append(f"id {value!r} used twice")
                self.ids[value] = tag

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)
        for _, element_id in self.stack:
            if element_id is not None:
                self.text_of[element_id].append(data)

    def all_text(self) -> str:
        return "".join(self.text)

    def text_in(self, element_id: str) -> str:
        assert element_id in self.text_of, f"no element with id {element_id!r}"
        return " ".join(" ".join(self.text_of[element_id]).split())


def report(tmp_path: Path, plan: Path, *options: str, name: str = "report.html") -> tuple[str, Page]:
    out = tmp_path / name
    result = CliRunner().invoke(main, ["report", str(plan), "--html", str(out), *options])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    return text, Page(text)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    return report(tmp_path_factory.mktemp("published"), PUBLISHED, "--as-of", AS_OF)


@pytest.fixture(scope="module")
def monitored(tmp_path_factory):
    return report(tmp_path_factory.mktemp("monitored"), PUBLISHED, "--progress", str(MONITORING),
                  "--as-of", "2023-07-01")


def checked(*progress: str, as_of: str = AS_OF):
    return check_plan(str(PUBLISHED), as_of=datetime.date.fromisoformat(as_of), progress_dirs=progress)


# --- the page ---------------------------------------------------------------------------------

def test_the_page_is_well_formed_html(published):
    text, page = published
    assert text.startswith("<!DOCTYPE html>")
    assert page.problems == []
    for tag in ("html", "head", "body", "title", "style", "table", "svg"):
        assert tag in page.tags
    assert {"top", "summary", "budget", "indicators", "findings"} <= set(page.ids)


def test_the_page_is_self_contained(published):
    text, page = published
    assert not {"link", "img", "iframe", "object", "embed"} & set(page.tags)
    # one inline script of the page's own, which only filters the findings
    assert page.tags.count("script") == 1 and text.count("<script>") == 1 and "<script src" not in text
    for tag, name, value in page.attrs:
        assert name not in ("src", "srcset", "action"), (tag, name, value)
        assert not name.startswith("on"), (tag, name, value)
        if name == "href":
            assert value.startswith("#"), value  # links inside the page only
    assert "@import" not in text and "url(" not in text
    # the only URL is the SVG namespace name, which is never fetched
    assert {part.split('"')[0] for part in text.split("http")[1:]} == {"://www.w3.org/2000/svg"}


def test_the_header_names_the_plan_and_the_run(published):
    _, page = published
    top = page.text_in("top")
    for expected in ("National Action Plan for the Fight against Trafficking in Human Beings 2021-2023",
                     "nap-thb-2021-2023", "2021–2023", "ALL", "1 EUR = 125 ALL", "DCM No. 670, dated 10.11.2021",
                     AS_OF, f"nap-rules {nap_rules.__version__}"):
        assert expected in top, expected
    _, result = checked()
    summary = page.text_in("summary")
    for severity, count in result.counts().items():
        assert f"{count} {severity}" in summary


# --- budget -------------------------------------------------------------------------------------

def test_the_budget_shows_the_lines_totals_and_the_mismatch(published):
    _, page = published
    budget = page.text_in("budget")
    for amount in ("412,552,420", "364,873,228", "47,679,192", "3,300,419", "2,918,986", "381,434",
                   "50,677,784", "138,302,992", "132,507,000", "8,670,992"):
        assert amount in budget, amount
    pg2 = page.text_in("line-PG2-current")
    assert "141,177,992" in pg2 and "mismatch" in pg2 and "-2,875,000" in pg2
    assert "adds up" in page.text_in("line-PG1-current") and "mismatch" not in page.text_in("line-PG1-current")
    # an empty gap cell stays empty: total, planned, (empty gap), planned + gap
    assert "5,750,000 2,875,000 2,875,000" in page.text_in("line-PG2-capital")


def test_the_budget_chart_and_the_claims(published):
    text, page = published
    chart = text[text.index('<svg class="chart"'):]
    chart = chart[:chart.index("</svg>")]
    assert chart.count("<rect") == 9  # planned, gap and the total outline for each of three goals
    assert "PG3: total cost 217,821,644, planned 182,012,644, gap 35,809,000" in chart
    shares = page.text_in("claim-C-funding-shares")
    assert "88.44%" in shares and "11.56%" in shares and "off by more than" in shares
    goals = page.text_in("claim-C-goal-shares")
    assert "52.8%" in goals and "52.8" in goals and "34.9%" in goals


# --- measures and indicators ----------------------------------------------------------------------

def test_every_measure_and_indicator_is_shown(published):
    _, page = published
    validated, _ = checked()
    kinds = {"measure": 0, "indicator": 0}
    for key, node in validated.graph.nodes(data=True):
        if node["kind"] in kinds:
            kinds[node["kind"]] += 1
            anchor = f"{node['kind']}-{node['id']}"
            assert node["id"] in page.text_in(anchor), key
    assert kinds == {"measure": 55, "indicator": 70}


def test_a_measure_shows_its_bodies_dates_and_targets(published):
    text, page = published
    measure = page.text_in("measure-1.1.1")
    assert "MD ?" in measure and "MI" in measure and "2021–2023" in measure
    block = text[text.index('id="measure-1.1.1"'):text.index('id="measure-1.1.2"')]
    assert '<span class="body unknown" title="not in institutions.yaml">MD' in block
    assert '<span class="body" title="Ministry of Interior">MI</span>' in block
    row = page.text_in("indicator-1.1.3-a")
    assert "2020: 50" in row and "60 70 80" in row
    assert "<svg" in block and "<polyline" in block  # the sparkline


def test_relative_targets_are_shown_as_written(published):
    _, page = published
    oi3 = page.text_in("indicator-OI-3")
    assert "+5% of baseline" in oi3 and "+10% of baseline" in oi3 and "+15% of baseline" in oi3
    assert "= 208.95" in oi3  # 199 * 1.05
    assert "+1% of previous" in page.text_in("indicator-OI-2")
    assert fmt_relative({"relative": Decimal("-2"), "of": "previous"}) == "-2% of previous"


def test_findings_sit_next_to_what_they_concern(published):
    text, page = published
    block = text[text.index('id="measure-1.1.1"'):text.index('id="measure-1.1.2"')]
    assert "NAP-REF-001" in block and "body not in institutions.yaml: &#39;MD&#39;" in block
    pg2 = page.text_in("line-PG2-current")
    assert "NAP-BUDGET-001" in pg2


def test_actuals_from_progress_reports(monitored, published):
    text, page = monitored
    assert "Actuals" in page.text_in("indicators")
    row = page.text_in("indicator-2.1.9-a")
    assert "2022-H1: 120" in row and "2022-H2: 175" in row and "2023-H1: 215" in row
    assert "2022-H2: 7.3" in page.text_in("indicator-OI-2")
    assert "NAP-PROGRESS-001" in page.text_in("indicator-3.1.1-b")
    assert "2022-H2: done" in page.text_in("measure-3.2.3")
    assert "NAP-TIME-008" in page.text_in("measure-2.2.3")
    # the dots of the actuals on the sparkline
    row_html = text[text.index('id="indicator-2.1.9-a"'):]
    assert row_html[:row_html.index("</tbody>")].count('fill="#dd6b20"') == 3
    assert "Actuals" not in published[1].text_in("indicators")


# --- findings -------------------------------------------------------------------------------------

def test_every_finding_is_listed_with_its_location_node_and_message(published):
    _, page = published
    _, result = checked()
    assert result.findings
    for i, f in enumerate(result.findings, 1):
        row = page.text_in(f"finding-{i}")
        assert f"{f.file}:{f.line}:{f.column}" in row
        assert f.node in row
        assert " ".join(f.message.split()) in row
    findings = page.text_in("findings")
    for cause in group_causes(result.findings):  # one entry per cause, with its findings
        entry = page.text_in(f"cause-{cause.label}")
        assert cause.rule in entry and f"{len(cause.findings)} finding" in entry
        assert cause.rule in findings


def test_finding_links_lead_to_the_element(published):
    _, page = published
    # `#filter?…` addresses are read by the page's filter script; every other link is an element
    targets = [value[1:] for tag, name, value in page.attrs if name == "href" and not value.startswith("#filter?")]
    assert targets
    missing = sorted({t for t in targets if t not in page.ids})
    assert missing == []


# --- hostile text, determinism, broken input ----------------------------------------------------------

def test_plan_text_is_escaped(tmp_path):
    plan = copy_plan(tmp_path / "plan")
    goals = plan / "goals" / "PG1.yaml"
    edit(goals, "title: Amendment of the Criminal Code in accordance",
         f"title: {HOSTILE_TITLE} Amendment of the Criminal Code in accordance")
    edit(goals, "responsible: [MD]", f"responsible: ['{HOSTILE_ATTR}', MD]")
    edit(goals, "name: Amended Criminal Code", f"name: '{HOSTILE_ATTR} <img src=x onerror=alert(2)>'")
    edit(plan / "institutions.yaml", "name: Ministry of Justice,", f"name: '{HOSTILE_ATTR} Ministry of Justice',")
    edit(plan / "plan.yaml", "title: National Action Plan", f"title: {HOSTILE_TITLE} National Action Plan")
    edit(plan / "budget.yaml", 'text: "Current costs', f'text: "{HOSTILE_TITLE} Current costs')
    text, page = report(tmp_path, plan, "--as-of", AS_OF)
    assert page.problems == []
    assert text.count("<script") == 1 and "<img" not in text  # the page's own script only
    assert page.tags.count("script") == 1 and "img" not in page.tags
    assert not [a for a in page.attrs if a[1].startswith("on")]
    assert HOSTILE_TITLE in page.text_in("measure-1.1.1")  # shown as text
    assert HOSTILE_TITLE in page.text_in("top") and HOSTILE_TITLE in page.text_in("claim-C-nature-shares")
    assert HOSTILE_ATTR in page.text_in("measure-1.1.1")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "&#34;onload=&#34;x" in text
    assert ('span', 'title', f'{HOSTILE_ATTR} Ministry of Justice') in page.attrs  # one attribute, whole


def test_same_input_same_bytes(tmp_path):
    options = ("--progress", str(MONITORING), "--as-of", "2023-07-01")
    first, _ = report(tmp_path, PUBLISHED, *options, name="a.html")
    second, _ = report(tmp_path, PUBLISHED, *options, name="b.html")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    assert first == second


def test_a_plan_that_breaks_its_schemas_still_gets_a_report(tmp_path):
    plan = copy_plan(tmp_path / "plan")
    edit(plan / "budget.yaml", "total_cost: 50677784,", 'total_cost: "50,677,784",')
    text, page = report(tmp_path, plan, "--as-of", AS_OF)
    assert page.problems == []
    validated, result = check_plan(str(plan), as_of=datetime.date.fromisoformat(AS_OF))
    assert validated.graph is None and result.findings
    assert "could not be checked further" in page.text_in("summary")
    assert "budget" not in page.ids and "indicators" not in page.ids
    for i, f in enumerate(result.findings, 1):
        assert f.rule.startswith("NAP-SCHEMA")
        assert f"{f.file}:{f.line}:{f.column}" in page.text_in(f"finding-{i}")
        assert " ".join(f.message.split()) in page.text_in(f"finding-{i}")
    assert "nap-thb-2021-2023" in page.text_in("top")  # the header still names the plan


def test_unreadable_input_exits_2_and_writes_nothing(tmp_path):
    plan = copy_plan(tmp_path / "plan")
    edit(plan / "plan.yaml", "country: AL", "country: AL\ncountry: AL")  # duplicate key: refused
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(plan), "--html", str(out), "--as-of", AS_OF])
    assert result.exit_code == 2
    assert "plan.yaml:" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_options_are_the_checks_options(tmp_path):
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", str(PUBLISHED), "--html", str(out), "--no-standard-rules",
                                       "--as-of", AS_OF, "--limit", "max_depth=128"])
    assert result.exit_code == 0, result.output
    page = Page(out.read_text(encoding="utf-8"))
    assert "0 rules" in page.text_in("top")
    assert "NAP-BUDGET-001" not in page.all_text() and "NAP-REF-001" in page.all_text()
    bad = CliRunner().invoke(main, ["report", str(PUBLISHED), "--html", str(out), "--limit", "nope=1"])
    assert bad.exit_code == 2


def test_numbers_are_formatted_as_rule_messages_format_money():
    """The report writes amounts with the function `{x:money}` placeholders use, exact for big
    Decimals (no float on the way)."""
    from nap_rules.model.values import format_value

    assert fmt_num(412552420) == "412,552,420"
    assert fmt_num(Decimal("12345678901234567890.125")) == "12,345,678,901,234,567,890.13"
    assert fmt_num(Decimal("40.4")) == "40.40"
    assert fmt_num(-2875000) == "-2,875,000"
    assert fmt_num(None) == ""
    for value in (Decimal("250000.5"), Decimal("0.005"), 7, Decimal("-1.255")):
        assert fmt_num(value) == format_value(value, "money")


def test_the_template_ships_inside_the_package():
    assert (Path(nap_rules.__file__).parent / "report" / "templates" / "report.html.j2").is_file()


def test_a_small_plan_with_measure_costs_odd_references_and_no_claims(tmp_path):
    from planfactory import goal, measure, write_plan

    costly = measure("1.1.1", cost=[{"year": 2021, "nature": "current", "amount": 600000, "funded": 500000,
                                     "source": "state_budget"},
                                    {"year": 2022, "nature": "capital", "amount": 250000.5},
                                    {"year": 2025, "nature": "current", "amount": 7}])
    costly["indicators"][0]["targets"] = {2021: None, 2022: {"relative": -2, "of": "baseline"}}
    costly["indicators"][0]["baseline"] = {"year": 2020, "value": 100}
    plan = write_plan(
        tmp_path / "plan", goals=[goal("PG1", measures=[costly])],
        budget={"lines": [{"id": "PG1-current", "goal": "PG1", "nature": "current", "total_cost": 600000,
                           "planned": 500000, "gap": 100000},
                          {"id": "PG9-current", "goal": "PG9", "nature": "current", "total_cost": 1000,
                           "planned": 1000, "gap": None}]},
        indicators=[{"id": "OI-9", "name": "Outcome of a goal that is not there", "goal": "PG9", "unit": "cases",
                     "baseline": {"year": 2020, "value": 5}, "targets": {2023: 9}}],
        progress={"2022": {"period": {"year": 2022}, "actuals": [{"indicator": "1.1.1-a", "value": 97}]}})
    text, page = report(tmp_path, plan, "--as-of", AS_OF)
    assert page.problems == []
    measure_text = page.text_in("measure-1.1.1")
    assert "600,000 500,000 state_budget" in measure_text and "250,000.50" in measure_text
    row = page.text_in("indicator-1.1.1-a")
    assert "-2% of baseline" in row and "= 98" in row and "2022: 97" in row
    assert "(not a goal of the plan)" in page.text_in("budget")
    assert "OI-9" in page.text_in("indicator-OI-9")
    assert "not attached to a goal" in page.text_in("indicators")
    assert "Published totals" not in page.text_in("budget")  # budget.yaml prints none
    assert "NAP-REF-003" in page.text_in("findings")
    assert "published_totals" not in text
    assert "NAP-BUDGET-011" in measure_text  # a measure's cost item is shown, with its finding, in the measure
    hrefs = [value[1:] for _, name, value in page.attrs if name == "href" and not value.startswith("#filter?")]
    assert [h for h in hrefs if h not in page.ids] == []


def test_the_budget_checks_shown_are_the_rules_own(tmp_path):
    """The page shows what the budget rules computed (their `report` values): a line is marked as
    not adding up exactly when NAP-BUDGET-001 reports it, and without the rule it is not checked."""
    text, page = report(tmp_path, PUBLISHED, "--as-of", AS_OF)
    _, result = checked()
    failing = {f.node.split(":", 1)[1] for f in result.findings if f.rule == "NAP-BUDGET-001"}
    for line in ("PG1-current", "PG1-capital", "PG2-current", "PG2-capital", "PG3-current", "PG3-capital"):
        row = page.text_in(f"line-{line}")
        assert ("✗ mismatch" in row) == (line in failing) and ("✓ adds up" in row) == (line not in failing), line
    plan = copy_plan(tmp_path / "off")
    (plan / ".nap-rules.yaml").write_text("schema: nap-rules/config/v1\nrules:\n  disable: [NAP-BUDGET-001]\n",
                                          encoding="utf-8")
    _, page = report(tmp_path, plan, "--as-of", AS_OF)
    assert "not checked (the rule that checks it did not run)" in page.text_in("line-PG2-current")
