"""Hostile workbooks for cases.yaml (`workbook:` steps): made at test time from the case's plan folder.

Each form starts from the plan folder exported as a workbook (`export --xlsx`), then changes its
zip container or its XML the way a broken tool or an attacker would; `plain` leaves it as is.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path


def _export(plan: Path) -> bytes:
    from nap_rules.workbook.export import export_plan

    out = plan.parent / f"{plan.name}-export.xlsx"
    export_plan(plan, out)
    data = out.read_bytes()
    out.unlink()
    return data


def _parts(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def _zip(parts: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts.items():
            z.writestr(name, body)
    return out.getvalue()


def _sheet_part(parts: dict, title: str) -> str:
    """The part name of the sheet called `title` (xl/worksheets/sheetN.xml)."""
    workbook = parts["xl/workbook.xml"].decode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(title)}"[^>]*r:id="([^"]+)"', workbook).group(1)
    target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
    path = target.group(1).lstrip("/")
    return path if path.startswith("xl/") else "xl/" + path


def _column(parts: dict, title: str, header: str) -> str:
    """The column letters of the header cell `header` in row 1 of the sheet `title`."""
    text = parts[_sheet_part(parts, title)].decode()
    return re.search(rf'<c r="([A-Z]+)1"[^>]*><is><t>{re.escape(header)}</t>', text).group(1)


def _set_cell(parts: dict, title: str, ref: str, xml: str) -> None:
    name = _sheet_part(parts, title)
    text = parts[name].decode()
    new, count = re.subn(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml, text, count=1)
    assert count == 1, f"no cell {ref} in {title}"
    parts[name] = new.encode()


def make(path: Path, form: str, plan: Path) -> None:
    if form == "renamed-csv":
        path.write_text("File,Field,Value\nplan.yaml,schema,nap-rules/plan/v1\n", encoding="utf-8")
        return
    parts = _parts(_export(plan))
    if form == "zip-bomb":
        # 64 MiB of zeros packs to about 64 KiB: over the ratio and the unpacked-size checks
        parts["xl/media/padding.bin"] = b"\0" * (64 << 20)
    elif form == "xxe":
        parts["xl/workbook.xml"] = (b'<?xml version="1.0"?>\n<!DOCTYPE workbook [<!ENTITY xxe SYSTEM '
                                    b'"file:///etc/passwd">]>\n' + parts["xl/workbook.xml"].split(b"?>", 1)[-1])
    elif form in ("formula-cached", "formula-uncached"):
        ref = _column(parts, "Measures", "Start") + "2"  # the first measure's start year
        cached = "<v>2021</v>" if form == "formula-cached" else ""
        _set_cell(parts, "Measures", ref, f'<c r="{ref}"><f>2020+1</f>{cached}</c>')
    elif form == "formula-text-cached":
        ref = _column(parts, "Measures", "Measure title") + "2"  # the first measure's title
        _set_cell(parts, "Measures", ref, f'<c r="{ref}" t="str"><f>LOWER("FIX IT")</f><v>fix it</v></c>')
    elif form == "hidden-sheet":
        text = parts["xl/workbook.xml"].decode()
        element = re.search(r'<sheet [^>]*name="Institutions"[^>]*/>', text).group(0)
        hidden = re.sub(r'\sstate="[^"]*"', "", element).replace("<sheet ", '<sheet state="hidden" ', 1)
        parts["xl/workbook.xml"] = text.replace(element, hidden, 1).encode()
    elif form == "wide-sheet":
        name = _sheet_part(parts, "Goals")
        parts[name] = parts[name].replace(b'</row></sheetData>', b'<c r="BXA2" t="inlineStr"><is><t>far away</t>'
                                                                 b'</is></c></row></sheetData>', 1)
    elif form == "huge-dimension":
        name = _sheet_part(parts, "Goals")
        text = parts[name].decode()
        parts[name] = re.sub(r"(</sheetPr>|<sheetPr/>)", r'\1<dimension ref="A1:XFD1048576"/>', text, count=1).encode()
    elif form == "wrong-header":
        name = _sheet_part(parts, "Measures")
        parts[name] = parts[name].replace(b"<t>Deadline</t>", b"<t>Dead line date</t>", 1)
    elif form != "plain":
        raise AssertionError(f"unknown hostile workbook {form!r}")
    path.write_bytes(_zip(parts))
