"""Workbooks: export, import and check of the action matrix as .xlsx (and CSV).

1. folder -> xlsx -> folder is the identity on the published plan (byte-identical canonical
   YAML; `nap-rules diff` sees no change) and on generated plans (a Hypothesis property);
2. `check FILE.xlsx` reports the findings of the folder, each at a cell, in every format, and a
   baseline written from the folder matches them;
3. what people type is converted and reported with its cell; what cannot be read is reported.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from nap_rules.check import run_check
from nap_rules.cli import main
from nap_rules.load.canonical import dump_document
from nap_rules.workbook.export import export_plan, read_docs
from nap_rules.workbook.importer import build_documents
from nap_rules.workbook.source import read_sources
from nap_rules.workbook.sources import read_xlsx
from test_properties import plans, write_folder

REPO = Path(__file__).resolve().parents[1]
PLAN = REPO / "plan"
AS_OF = datetime.date(2023, 1, 1)
CELL = re.compile(r"\.xlsx:('[^']+'|[A-Za-z ]+)![A-Z]+[0-9]+$")


def canonical_files(folder) -> dict:
    return {rel: dump_document(doc, kind) for rel, (kind, doc) in read_docs(folder).items()}


def invoke(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The published plan exported once, and imported back."""
    root = tmp_path_factory.mktemp("published")
    book = root / "annex.xlsx"
    assert invoke("export", PLAN, "--xlsx", book).exit_code == 0
    back = root / "back"
    result = invoke("import", book, "--to", back)
    assert result.exit_code == 0, result.output
    return book, back, result.output


# --- 1. round trips --------------------------------------------------------------------------

def test_published_plan_round_trip_is_byte_identical(published):
    _, back, output = published
    assert canonical_files(back) == canonical_files(PLAN)
    for rel, text in canonical_files(PLAN).items():
        assert (back / rel).read_text(encoding="utf-8") == text, rel
    assert "0 values converted, 0 cells not read" in output


def test_published_plan_round_trip_diff_shows_no_change(published):
    _, back, _ = published
    result = invoke("diff", PLAN, back, "--as-of", AS_OF.isoformat())
    assert "no changes in the plan" in result.output
    assert "New findings in" in result.output and ": 0" in result.output.split("New findings in", 1)[1].splitlines()[0]


def test_csv_round_trip_of_the_published_plan(tmp_path):
    export_plan(PLAN, csv_dir=tmp_path / "csv")
    imported = read_sources([tmp_path / "csv"])
    assert [n for n in imported.notes] == []
    assert {rel: dump_document(doc, kind) for rel, (kind, doc) in imported.docs.items()} == canonical_files(PLAN)


# each example writes, exports and reads a plan: a sixth of the profile's examples (10 quick, 83 thorough)
@settings(max_examples=max(5, settings.default.max_examples // 6), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(files=plans())
def test_generated_plans_round_trip(tmp_path_factory, files):
    root = tmp_path_factory.mktemp("generated")
    folder = write_folder(root / "plan", files)
    book = root / "plan.xlsx"
    export_plan(folder, book)
    imported = build_documents(read_xlsx(book, "plan.xlsx"), "plan.xlsx")
    assert imported.notes == []
    assert {rel: dump_document(doc, kind) for rel, (kind, doc) in imported.docs.items()} == canonical_files(folder)


# --- 2. checking a workbook ------------------------------------------------------------------

def _keys(findings):
    return sorted((f.rule, f.node, f.detail, f.message, f.severity) for f in findings)


def test_check_on_the_workbook_reports_the_folders_findings_at_cells(published):
    book, _, _ = published
    folder = run_check(str(PLAN), as_of=AS_OF).findings
    workbook = run_check(str(book), as_of=AS_OF).findings
    assert len(folder) > 100
    assert _keys(workbook) == _keys(folder)
    assert all(CELL.search(f.place) for f in workbook), [f.place for f in workbook if not CELL.search(f.place)][:5]


def test_a_finding_points_at_the_cell_of_its_value(published):
    book, _, _ = published
    result = invoke("check", book, "--as-of", AS_OF.isoformat(), "--flat")
    # 2.2.3-a has a target for 2023 although measure 2.2.3 ends in 2022 (NAP-TIME-002)
    line = next(l for l in result.output.splitlines() if "NAP-TIME-002" in l and "2.2.3-a" in l)
    place = line.split()[0]
    sheet, cell = place.rsplit(":", 1)[1].split("!")
    assert sheet == "Measures"
    ws = openpyxl.load_workbook(book)["Measures"]
    headers = [c.value for c in ws[1]]
    col = re.match(r"[A-Z]+", cell).group(0)
    row = int(cell[len(col):])
    assert headers[openpyxl.utils.column_index_from_string(col) - 1].startswith("Target")
    ids = [c.value for c in ws["M"]]
    assert ws.cell(row, headers.index("Indicator") + 1).value == "2.2.3-a" or "2.2.3-a" in ids


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "github", "markdown"])
def test_every_format_names_the_cell(published, fmt):
    book, _, _ = published
    result = invoke("check", book, "--as-of", AS_OF.isoformat(), "--format", fmt)
    assert result.exit_code == 1
    if fmt == "json":
        found = json.loads(result.output)["findings"]
        assert all(f["file"].endswith("annex.xlsx") and re.fullmatch(r"('[^']+'|\S+)![A-Z]+\d+", f["cell"]) for f in found)
    elif fmt == "sarif":
        results = json.loads(result.output)["runs"][0]["results"]
        for r in results:
            loc = r["locations"][0]
            assert loc["physicalLocation"]["artifactLocation"]["uri"].endswith("annex.xlsx")
            assert re.fullmatch(r"('[^']+'|\S+)![A-Z]+\d+", loc["logicalLocations"][0]["fullyQualifiedName"])
    elif fmt == "github":
        lines = [l for l in result.output.splitlines() if l.startswith("::")]
        assert lines and all(re.search(r"::(Measures|Plan|Institutions|Budget|Claims|Goals|'[^']+')![A-Z]+\d+: ", l)
                              or re.search(r"::[A-Za-z' ]+![A-Z]+\d+: ", l) for l in lines)
    else:
        assert re.search(r"annex\.xlsx:Measures![A-Z]+\d+", result.output)


def test_html_report_of_a_workbook_names_cells(published, tmp_path):
    book, _, _ = published
    out = tmp_path / "r.html"
    assert invoke("report", book, "--html", out, "--as-of", AS_OF.isoformat()).exit_code == 0
    assert re.search(r"annex\.xlsx:Measures![A-Z]+\d+", out.read_text(encoding="utf-8"))


def test_a_baseline_and_waivers_match_the_same_findings(published, tmp_path):
    book, _, _ = published
    baseline = tmp_path / "baseline.json"
    invoke("check", PLAN, "--as-of", AS_OF.isoformat(), "--write-baseline", baseline)
    result = invoke("check", book, "--as-of", AS_OF.isoformat(), "--baseline", baseline)
    assert result.exit_code == 0, result.output
    assert "0 new findings" in result.output
    # a waiver in the .nap-rules.yaml beside the workbook, as in the plan folder
    copy = tmp_path / "wb"
    copy.mkdir()
    shutil.copy(book, copy / "annex.xlsx")
    (copy / ".nap-rules.yaml").write_text(
        "schema: nap-rules/config/v1\nwaivers:\n  - {rule: NAP-TIME-002, node: indicator:2.2.3-a, "
        "reason: known, approved_by: reviewer}\n", encoding="utf-8")
    result = invoke("check", copy / "annex.xlsx", "--as-of", AS_OF.isoformat(), "--format", "json")
    found = json.loads(result.output)
    assert [w["node"] for w in found["waived"]] == ["indicator:2.2.3-a"]
    assert not any(f["rule"] == "NAP-TIME-002" and f["node"] == "indicator:2.2.3-a" for f in found["findings"])


# --- 3. what people type ---------------------------------------------------------------------

def _edit(book: Path, out: Path, sheet: str, edits: dict) -> Path:
    wb = openpyxl.load_workbook(book)
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    for (row, header), value in edits.items():
        ws.cell(row, headers.index(header) + 1).value = value
    wb.save(out)
    return out


def _letters(book: Path) -> dict:
    """(sheet, header) -> the header's column letters."""
    wb = openpyxl.load_workbook(book, read_only=True)
    out = {}
    for ws in wb.worksheets:
        for cell in next(ws.iter_rows(max_row=1), ()):
            if cell.value is not None:
                out[ws.title, cell.value] = cell.column_letter
    wb.close()
    return out


def test_typed_values_are_converted_and_reported(published, tmp_path):
    book, _, _ = published
    edited = _edit(book, tmp_path / "typed.xlsx", "Budget",
                   {(2, "Total cost"): "50,677,784", (2, "Planned"): "47 478 584"})
    edited = _edit(edited, edited, "Measures", {(2, "Start"): datetime.datetime(2021, 1, 1), (2, "Deadline"): 45000})
    result = invoke("import", edited, "--to", tmp_path / "out")
    assert result.exit_code == 0, result.output
    out = result.output
    letter = _letters(book)
    assert re.search(rf"typed\.xlsx:Budget!{letter['Budget', 'Total cost']}2: converted: the text '50,677,784' "
                     "read as the number 50677784", out)
    assert f"typed.xlsx:Budget!{letter['Budget', 'Planned']}2: converted" in out
    assert re.search(rf"typed\.xlsx:Measures!{letter['Measures', 'Start']}2: converted: the date 2021-01-01 read as "
                     "the year 2021", out)
    assert re.search(rf"Measures!{letter['Measures', 'Deadline']}2: converted: the Excel date serial 45000 "
                     r"\(2023-03-15\) read as the year 2023", out)
    assert canonical_files(tmp_path / "out")["budget.yaml"] == canonical_files(PLAN)["budget.yaml"]


def test_unknown_headers_and_stray_cells_are_reported_with_a_hint(published, tmp_path):
    book, _, _ = published
    wb = openpyxl.load_workbook(book)
    ws = wb["Measures"]
    headers = [c.value for c in ws[1]]
    ws.cell(1, headers.index("Deadline") + 1).value = "Deadlin"
    ws.cell(3, len(headers) + 3).value = "stray"
    wb.create_sheet("Notes on the plan")["A1"] = "free text"
    wb.save(tmp_path / "wrong.xlsx")
    result = invoke("import", tmp_path / "wrong.xlsx", "--to", tmp_path / "out")
    assert result.exit_code == 1
    assert "unknown column 'Deadlin'; did you mean 'Deadline'?" in result.output
    assert re.search(r"wrong\.xlsx:Measures![A-Z]+3: not read: a value in a column without a known header", result.output)
    assert "unknown sheet 'Notes on the plan'" in result.output
    check = invoke("check", tmp_path / "wrong.xlsx", "--as-of", AS_OF.isoformat())
    assert "NAP-WORKBOOK-002" in check.output


def test_import_refuses_a_folder_with_plan_files_unless_forced(published, tmp_path):
    book, _, _ = published
    target = tmp_path / "t"
    shutil.copytree(PLAN, target)
    (target / "goals" / "PG9.yaml").write_text("schema: nap-rules/goal/v1\n", encoding="utf-8")
    assert invoke("import", book, "--to", target).exit_code == 2
    assert invoke("import", book, "--to", target, "--force").exit_code == 0
    assert not (target / "goals" / "PG9.yaml").exists()
    assert canonical_files(target) == canonical_files(PLAN)


def test_exact_numbers_survive(tmp_path):
    from nap_rules.workbook.cells import from_cell, to_cell
    from nap_rules.workbook.layout import Leaf

    number = Leaf(("value",), frozenset({"number", "null"}))
    for value in [Decimal("40.40"), Decimal("85.0"), Decimal("0.05"), 125, Decimal("-0.5"), Decimal("123456789012.34")]:
        shown, fmt = to_cell(value, number)
        back, note, problem = from_cell(shown, number, fmt)
        assert (back, type(back), note, problem) == (value, type(value), None, None), value
    for value in [Decimal("5"), Decimal("-0.0"), Decimal("1234567890123456.7"), 10 ** 20]:
        shown, fmt = to_cell(value, number)
        assert shown.startswith("!yaml ")
        back, note, problem = from_cell(shown, number, fmt)
        assert back == value and type(back) is type(value)


# --- 4. new plans and monitoring templates ---------------------------------------------------

def test_init_writes_every_file_and_a_workbook_that_check_reads(tmp_path):
    result = invoke("init", tmp_path / "new", "--xlsx", tmp_path / "new.xlsx", "--start-year", 2024)
    assert result.exit_code == 0, result.output
    names = sorted(p.relative_to(tmp_path / "new").as_posix() for p in (tmp_path / "new").rglob("*.yaml"))
    assert names == ["abbreviations.yaml", "budget.yaml", "goals/PG1.yaml", "indicators.yaml", "institutions.yaml",
                     "narrative.yaml", "plan.yaml", "progress/2024-H1.yaml"]
    for path in (tmp_path / "new").rglob("*.yaml"):
        assert path.read_text(encoding="utf-8").startswith("schema: nap-rules/")
    folder = invoke("check", tmp_path / "new", "--as-of", "2024-07-01")
    assert folder.exit_code == 0, folder.output
    assert "0 findings" in folder.output
    book = invoke("check", tmp_path / "new.xlsx", "--as-of", "2024-07-01")
    assert book.exit_code == 0 and "0 findings" in book.output, book.output
    assert invoke("init", tmp_path / "new").exit_code == 2  # never over an existing plan


def test_monitoring_templates_round_trip_into_reports_that_the_rules_check(tmp_path):
    out = tmp_path / "templates"
    result = invoke("export", PLAN, "--progress-template", 2022, "--half", 2, "--to", out)
    assert result.exit_code == 0, result.output
    books = sorted(p.name for p in out.glob("*.xlsx"))
    assert "2022-H2-MI.xlsx" in books and "2022-H2-GDSP.xlsx" in books
    wb = openpyxl.load_workbook(out / "2022-H2-MI.xlsx")
    ws = wb["Actuals"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["Report", "Indicator", "Value", "Note"] and "(plan) Target 2022" in headers
    assert all(ws.cell(r, 3).value is None for r in range(2, ws.max_row + 1))  # actuals left to fill
    rows = {ws.cell(r, 2).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(rows["2.1.1-a"], 3).value = 90  # far below the path to 250 in 2023: off track
    ws.cell(rows["1.1.7-a"], 3).value = "2"  # typed as text: converted and reported
    wb.save(tmp_path / "returned.xlsx")
    plan = tmp_path / "plan"
    shutil.copytree(PLAN, plan)
    result = invoke("import", "--progress", tmp_path / "returned.xlsx", "--to", plan)
    assert result.exit_code == 0, result.output
    assert "no value given for indicator 1.1.8-a: left out of the report" in result.output
    assert re.search(r"returned\.xlsx:Actuals!C\d+: converted: the text '2' read as the number 2", result.output)
    report = (plan / "progress" / "2022-H2-MI.yaml").read_text(encoding="utf-8")
    assert "indicator: 2.1.1-a\n  value: 90" in report and "1.1.8-a" not in report
    check = invoke("check", plan, "--as-of", "2023-01-15")
    assert re.search(r"NAP-PROGRESS-001  indicator 2\.1\.1-a is off track: 90 reported for 2022 H2", check.output)
    assert invoke("import", "--progress", tmp_path / "returned.xlsx", "--to", plan).exit_code == 2  # not over it


# --- 5. the action matrix of a Word document -------------------------------------------------

def _word_matrix(path: Path) -> Path:
    """A Word table as drafters write one: goal headings across the table, a measure's cells merged
    down over its two indicators, several bodies on separate lines or separated by ';'."""
    import docx

    headers = ["Objective", "Objective title", "Measure", "Measure title", "Responsible", "Contributing", "Start",
               "Deadline", "Indicator", "Indicator name", "Unit", "Baseline year", "Baseline", "Target 2021",
               "Target 2022"]
    measure = ["1.1", "Fight trafficking", "1.1.1", "Amend the code", "MI\nMJ", "PP; GDSP", "2021", "2023"]
    rows = [["POLICY GOAL 1: REDUCE CRIME"],
            measure + ["1.1.1-a", "Code amended", "document", "2020", "0", "-", "1"],
            measure + ["1.1.1-b", "Officers trained", "people", "2020", "1,500", "1,600", "1,700"],
            ["Policy goal II: Protect victims"],
            ["2.1", "Shelters", "2.1.1", "Fund shelters", "MHSP", "", "2022", "2023", "2.1.1-a", "Shelters funded",
             "shelters", "2020", "3", "", "5"]]
    document = docx.Document()
    document.add_paragraph("Annex 1: the action plan")
    table = document.add_table(rows=1 + len(rows), cols=len(headers))
    for i, header in enumerate(headers):
        table.cell(0, i).text = header

    def write(cell, text):
        first, *more = text.split("\n")
        cell.paragraphs[0].text = first
        for line in more:
            cell.add_paragraph(line)

    for r, row in enumerate(rows, 1):
        if len(row) == 1:
            table.cell(r, 0).merge(table.cell(r, len(headers) - 1)).paragraphs[0].text = row[0]
            continue
        for c, text in enumerate(row):
            if not (r == 3 and c < len(measure)):
                write(table.cell(r, c), text)
    for c in range(len(measure)):  # merged down over the measure's two indicator rows
        table.cell(2, c).merge(table.cell(3, c))
    document.save(path)
    return path


def test_word_action_matrix_is_imported_with_merged_and_multi_line_cells(tmp_path):
    source = _word_matrix(tmp_path / "annex.docx")
    result = invoke("import", source, "--to", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "annex.docx:Measures!A2: converted: the heading row 'POLICY GOAL 1: REDUCE CRIME' read as goal PG1" \
        in result.output
    assert "annex.docx:Measures!M4: converted: the text '1,500' read as the number 1500" in result.output
    pg1 = (tmp_path / "out" / "goals" / "PG1.yaml").read_text(encoding="utf-8")
    assert "title: REDUCE CRIME" in pg1
    assert "responsible:\n    - MI\n    - MJ\n    contributing:\n    - PP\n    - GDSP" in pg1
    assert pg1.count("- id: 1.1.1\n") == 1 and "id: 1.1.1-a" in pg1 and "id: 1.1.1-b" in pg1
    assert "targets:\n        2021: null\n        2022: 1\n" in pg1
    pg2 = (tmp_path / "out" / "goals" / "PG2.yaml").read_text(encoding="utf-8")
    assert "id: PG2\ntitle: Protect victims" in pg2 and "2022: 5" in pg2 and "2021:" not in pg2


# --- 6. the fast canonical writer ------------------------------------------------------------

from hypothesis import strategies as st  # noqa: E402

from nap_rules.workbook.yaml_out import dump as fast_dump  # noqa: E402

_TEXT = st.one_of(st.text(st.sampled_from(list("aZ09 _.,:#-'\"!&*?|>%@`()=;/+\n\té~\x85\u2028")), max_size=12),
                  st.sampled_from(["yes", "null", "1.5", "2021", "0x1", "1.1.1", "No", "x" * 128, "a" * 127, "b" * 123, "c" * 122, ""]))
_SCALAR = st.one_of(_TEXT, st.integers(-10**6, 10**6), st.none(), st.booleans(),
                    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**6, max_value=10**6))
# keys of the goal schema too, so that the key order and the sub-schemas of nested values are used
_KEY = st.one_of(_TEXT, st.integers(0, 3000), st.sampled_from(
    ["objectives", "measures", "indicators", "targets", "baseline", "cost", "id", "title", "note", "2021"]))
_VALUE = st.recursive(_SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(_KEY, inner, max_size=3)), max_leaves=12)


@settings(max_examples=settings.default.max_examples * 2, deadline=None)
@given(doc=st.dictionaries(_KEY, _VALUE, max_size=5))
def test_fast_canonical_writer_gives_the_same_text(doc):
    doc = {"schema": "nap-rules/goal/v1", **{k: v for k, v in doc.items() if k != "schema"}}
    assert fast_dump(doc, "goal") == dump_document(doc, "goal")


def test_fast_canonical_writer_on_plan_files(tmp_path):
    from benchmarks_generate import generate_plan

    folder = generate_plan(tmp_path / "gen", 200)
    for source in (PLAN, folder):
        for rel, (kind, doc) in read_docs(source).items():
            assert fast_dump(doc, kind) == dump_document(doc, kind), rel
