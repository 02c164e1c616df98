"""The exported workbook of the bundled plan opens in a real spreadsheet application.

LibreOffice (headless) opens the workbook nap-rules writes and saves it again, as .xlsx and as
one CSV file per sheet; both are read back and must give the published plan, value for value.
Skipped when `soffice` is not installed, unless NAP_RULES_REQUIRE_LIBREOFFICE=1 (as .ci/run
sets it, after installing Debian's libreoffice-calc-nogui).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from nap_rules.load.canonical import dump_document
from nap_rules.workbook.export import export_plan, read_docs
from nap_rules.workbook.source import read_sources

PLAN = Path(__file__).resolve().parents[1] / "plan"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
REQUIRED = os.environ.get("NAP_RULES_REQUIRE_LIBREOFFICE") == "1"
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"

if SOFFICE is None and REQUIRED:
    pytest.fail("NAP_RULES_REQUIRE_LIBREOFFICE=1 but soffice is not installed", pytrace=False)
# slow (LibreOffice starts twice): run by the thorough profile, as .ci/run does
pytestmark = [pytest.mark.slow, pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")]


def convert(book: Path, target: str, out: Path, profile: Path) -> None:
    done = subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                           "--convert-to", target, "--outdir", str(out), str(book)],
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")


def canonical(docs: dict) -> dict:
    return {rel: dump_document(doc, kind) for rel, (kind, doc) in docs.items()}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("libreoffice")
    book = root / "annex.xlsx"
    export_plan(PLAN, book)
    return root, book


def test_libreoffice_saves_the_workbook_and_every_value_reads_back(exported):
    root, book = exported
    convert(book, "xlsx:Calc MS Excel 2007 XML", root / "saved", root / "profile")
    imported = read_sources([root / "saved" / "annex.xlsx"])
    assert [n for n in imported.notes if n.kind != "converted"] == []
    assert canonical(imported.docs) == canonical(read_docs(PLAN))


def test_libreoffice_csv_of_every_sheet_gives_the_plan(exported):
    root, book = exported
    out = root / "csv"
    convert(book, CSV_FILTER, out, root / "profile")
    sheets = root / "sheets"
    sheets.mkdir()
    for path in out.glob("annex-*.csv"):  # LibreOffice names them <book>-<sheet>.csv
        path.rename(sheets / path.name[len("annex-"):])
    assert (sheets / "Measures.csv").is_file()
    (sheets / "README.csv").unlink()
    imported = read_sources([sheets])
    assert [n for n in imported.notes if n.kind != "converted"] == []
    assert canonical(imported.docs) == canonical(read_docs(PLAN))
