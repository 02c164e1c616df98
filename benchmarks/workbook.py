#!/usr/bin/env python3
"""Export and import of a generated plan as a workbook, against openpyxl on its own.

    python benchmarks/workbook.py [--measures 10000] [--seed 0] [--repeat 3]

In one run, on the same files:

    export          nap-rules export PLAN --xlsx FILE: read the plan folder, lay out the sheets,
                    write the workbook
    openpyxl write  openpyxl's write-only mode writing the same workbook on its own: the same
                    sheets, cell values, number formats, wrapped text, comments, merged cells and
                    drop-down lists, prepared in memory beforehand (untimed)
    import          nap-rules import FILE --to DIR: read the workbook, build the plan documents,
                    write them as canonical YAML (and, apart, the reading alone)
    openpyxl read   openpyxl's read-only mode reading every cell of the same workbook

and prints the two ratios (export / openpyxl write, import / openpyxl read). Each figure is the
CPU time of this process (on a shared machine wall-clock time says more about the neighbours
than about the code; wall-clock times are printed too), the best of --repeat runs, with the
cyclic garbage collector off as the command line runs. The runs alternate (export, openpyxl
write, export, ...; then import, reading alone, openpyxl read, import, ...), so that both sides
of a ratio are timed under the same load. The import is checked to give back the exported
plan, byte for byte.

Opening a workbook in read-only mode costs openpyxl one pass over every sheet when the sheet
does not say its size (no <dimension> element), as openpyxl's write-only mode, and so the
export, leaves it out. Both the import and openpyxl's read pay that pass; it is printed apart,
with the import ratio it would give without it.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

from nap_rules.load.canonical import dump_document  # noqa: E402
from nap_rules.workbook.export import export_plan, read_docs  # noqa: E402
from nap_rules.workbook.files import write_folder  # noqa: E402
from nap_rules.workbook.source import read_sources  # noqa: E402


WALL: dict = {}


def best(fns: dict, repeat: int) -> dict:
    """{name: the least CPU time of `repeat` runs of fns[name]}, the functions run in turn in each
    round (their least wall-clock times kept in WALL)."""
    times: dict = {name: [] for name in fns}
    walls: dict = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            gc.collect()
            gc.disable()
            try:
                start, wall = time.process_time(), time.perf_counter()
                fn()
                times[name].append(time.process_time() - start)
                walls[name].append(time.perf_counter() - wall)
            finally:
                gc.enable()
    WALL.update({name: min(w) for name, w in walls.items()})
    return {name: min(t) for name, t in times.items()}


def snapshot(book: Path):
    """Every sheet of the workbook as openpyxl loads it in full: cells with their styles, merges, lists."""
    import openpyxl

    wb = openpyxl.load_workbook(book)
    sheets = []
    for ws in wb.worksheets:
        rows = []
        for row in ws.iter_rows():
            rows.append([(c.value, c.number_format, c.alignment.wrap_text, c.comment.text if c.comment else None,
                          c.font.bold) for c in row])
        widths = {k: d.width for k, d in ws.column_dimensions.items()}
        sheets.append((ws.title, rows, [str(r) for r in ws.merged_cells.ranges],
                       list(ws.data_validations.dataValidation), widths, ws.auto_filter.ref))
    return sheets


def openpyxl_write(sheets, out: Path) -> None:
    """The same workbook written by openpyxl's write-only mode from prepared cells."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.cell_range import CellRange

    wrap, bold = Alignment(wrap_text=True, vertical="top"), Font(bold=True)
    wb = Workbook(write_only=True)
    for title, rows, merges, validations, widths, autofilter in sheets:
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        for key, width in widths.items():
            ws.column_dimensions[key].width = width
        for row in rows:
            out_row = []
            for value, fmt, wrapped, comment, is_bold in row:
                if fmt == "General" and not wrapped and comment is None and not is_bold:
                    out_row.append(value)
                    continue
                cell = WriteOnlyCell(ws, value=value)
                if fmt != "General":
                    cell.number_format = fmt
                if wrapped:
                    cell.alignment = wrap
                if is_bold:
                    cell.font = bold
                if comment is not None:
                    cell.comment = Comment(comment, "nap-rules")
                out_row.append(cell)
            ws.append(out_row)
        for ref in merges:
            ws.merged_cells.ranges.add(CellRange(ref))
        for rule in validations:
            ws.data_validations.append(rule)
        if autofilter:
            ws.auto_filter.ref = autofilter
    wb.save(out)


def openpyxl_open(book: Path) -> None:
    """Only opening the workbook in read-only mode: the pass over each sheet for its size."""
    import openpyxl

    openpyxl.load_workbook(book, read_only=True).close()


def openpyxl_read(book: Path) -> int:
    import openpyxl

    wb = openpyxl.load_workbook(book, read_only=True)
    count = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    count += 1
    wb.close()
    return count


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--measures", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nap-workbook-bench-") as tmp:
        tmp = Path(tmp)
        plan = tmp / "plan"
        generate(args.measures, plan, args.seed)
        (plan / "defects.json").unlink()
        book = tmp / "plan.xlsx"
        export_plan(plan, book)
        sheets = snapshot(book)
        cells = sum(len(r) for s in sheets for r in s[1])
        t = best({"export": lambda: export_plan(plan, book),
                  "write": lambda: openpyxl_write(sheets, tmp / "openpyxl.xlsx")}, args.repeat)
        del sheets
        back = tmp / "back"

        def do_import():
            if back.exists():
                shutil.rmtree(back)
            write_folder(read_sources([book]), back)

        t.update(best({"import": do_import, "documents": lambda: read_sources([book]),
                       "read": lambda: openpyxl_read(book), "open": lambda: openpyxl_open(book)}, args.repeat))
        same = {r: dump_document(d, k) for r, (k, d) in read_docs(back).items()} == \
            {r: dump_document(d, k) for r, (k, d) in read_docs(plan).items()}
    print(f"{args.measures} measures, {cells} cells, round trip identical: {same}")
    print(f"CPU seconds, best of {args.repeat} (wall-clock seconds in brackets)")
    print(f"export  {t['export']:7.2f} ({WALL['export']:.2f})   openpyxl write {t['write']:7.2f} ({WALL['write']:.2f})"
          f"   ratio {t['export'] / t['write']:.2f}")
    print(f"import  {t['import']:7.2f} ({WALL['import']:.2f})   openpyxl read  {t['read']:7.2f} ({WALL['read']:.2f})"
          f"   ratio {t['import'] / t['read']:.2f}")
    print(f"  of which reading the workbook into plan documents {t['documents']:7.2f} ({WALL['documents']:.2f}), "
          f"ratio {t['documents'] / t['read']:.2f}; writing them as canonical YAML the rest")
    print(f"  opening the workbook, a pass over each sheet for its size that both pay, {t['open']:.2f} "
          f"({WALL['open']:.2f}); import ratio without it {(t['import'] - t['open']) / (t['read'] - t['open']):.2f}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
