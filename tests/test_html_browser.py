"""The HTML report in a real browser: Debian's chromium, headless.

The page loads without console errors and its script runs (it marks the page when done);
screenshots at 1280 and 390 px width are not blank; a filter read from the address
(`#filter?severity=error&rule=…`) leaves only the matching causes; `report --pdf` prints it.

Skipped when no Chromium is installed, unless NAP_RULES_REQUIRE_BROWSER=1 (as in .ci/run),
where a missing browser fails. The screenshots and the PDF of the bundled plan go to
NAP_RULES_REPORT_SHOTS when set (.ci/run: benchmarks/out/report-shots/), else to a temporary folder.
"""

from __future__ import annotations

import os
import re
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from nap_rules.cli import main
from nap_rules.report.browser import find_chromium, run_chromium

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2024-01-01"


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    if find_chromium() is None:
        if os.environ.get("NAP_RULES_REQUIRE_BROWSER") == "1":
            pytest.fail("NAP_RULES_REQUIRE_BROWSER=1 but no chromium is installed")
        pytest.skip("no chromium installed (apt-get install chromium)")
    folder = Path(os.environ.get("NAP_RULES_REPORT_SHOTS") or tmp_path_factory.mktemp("report-shots")).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def page(shots) -> Path:
    out = shots / "report.html"
    result = CliRunner().invoke(main, ["report", str(ROOT / "plan"), "--html", str(out), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    return out


def _dump(url: str) -> str:
    done = run_chromium(["--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", "--dump-dom", url])
    errors = [line for line in done.stderr.splitlines()
              if "CONSOLE" in line and ("Uncaught" in line or ":ERROR:" in line or "Error" in line)]
    assert not errors, errors
    return done.stdout


def test_the_page_loads_without_console_errors_and_its_script_runs(page):
    dom = _dump(page.as_uri())
    assert re.search(r'<html[^>]* data-filters="ready"', dom), dom[:500]
    assert '<form id="filters" class="filters">' in dom  # shown by the script; hidden without it
    assert dom.count('class="cause ') == int(re.search(r'data-shown="(\d+)"', dom).group(1))


def test_a_filter_in_the_address_leaves_only_matching_causes(page):
    dom = _dump(page.as_uri() + "#filter?severity=error&rule=NAP-RESP-008")
    causes = re.findall(r'<div class="cause [^"]*" id="[^"]+" data-severity="(\w+)" data-rule="([^"]+)"'
                        r' data-goals="[^"]*"( hidden="")?', dom)
    visible = [(sev, rule) for sev, rule, hidden in causes if not hidden]
    assert visible and all(v == ("error", "NAP-RESP-008") for v in visible)
    assert len(causes) > len(visible)
    assert re.search(rf'data-shown="{len(visible)}"', dom)


def test_without_scripts_every_cause_is_listed(page):
    html = page.read_text(encoding="utf-8")
    assert '<form id="filters" class="filters" hidden>' in html
    assert " hidden" not in "".join(re.findall(r'<div class="cause [^>]*>', html))


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_are_not_blank(page, shots, width):
    png = shots / f"report-{width}.png"
    run_chromium([f"--window-size={width},1000", f"--screenshot={png}", page.as_uri()])
    assert png.is_file()
    w, h, colours, inked = _png_stats(png.read_bytes())
    assert w == width
    assert colours > 20 and inked > 0.01, (colours, inked)


_FIT_PROBE = """<script>
window.addEventListener('load', function () {
  var width = document.documentElement.clientWidth, past = [];
  document.querySelectorAll('header.page, header.page *').forEach(function (el) {
    if (el.getBoundingClientRect().right > width + 0.5) past.push(el.tagName + ' ' + el.textContent.slice(0, 40));
  });
  parent.postMessage(JSON.stringify({width: width, scroll: document.documentElement.scrollWidth, past: past}), '*');
});
</script></body>"""


@pytest.mark.parametrize("width", [390, 1280])
def test_the_page_fits_the_screen_width(page, shots, width):
    """Nothing scrolls the page sideways and the header wraps within the width. The page is laid
    out in a frame of that width: headless Chromium lays a window out at least 500 px wide."""
    import html
    import json

    probe = shots / "report-fit-probe.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", _FIT_PROBE), encoding="utf-8")
    frame = shots / f"report-fit-{width}.html"
    frame.write_text(f'<!doctype html><html><body style="margin:0"><iframe src="{probe.name}" width="{width}" '
                     'height="900" style="border:0"></iframe><script>window.addEventListener("message", '
                     'function (e) {{ document.body.setAttribute("data-fit", e.data); }});</script></body></html>',
                     encoding="utf-8")
    dom = _dump(frame.as_uri())
    fit = json.loads(html.unescape(re.search(r'data-fit="([^"]*)"', dom).group(1)))
    assert fit["width"] == width
    assert fit["scroll"] <= width and fit["past"] == [], fit


def test_report_prints_to_pdf(shots):
    pdf, html = shots / "report.pdf", shots / "report-for-pdf.html"
    result = CliRunner().invoke(main, ["report", str(ROOT / "plan"), "--html", str(html), "--pdf", str(pdf),
                                       "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 20_000
    assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 2


def _png_stats(data: bytes) -> tuple[int, int, int, float]:
    """Width, height, distinct colours in a sample and the share of pixels that are not the
    most common colour, decoding the PNG with zlib (8-bit RGB or RGBA, not interlaced)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + size]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + size
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        filter_type = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if filter_type == 1:
                line[i] = (line[i] + left) & 255
            elif filter_type == 2:
                line[i] = (line[i] + up) & 255
            elif filter_type == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif filter_type == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        previous = line
    counts: dict = {}
    for row in rows[::7]:
        for x in range(0, stride, channels * 5):
            pixel = row[x:x + 3]
            counts[pixel] = counts.get(pixel, 0) + 1
    total = sum(counts.values())
    return width, height, len(counts), 1 - max(counts.values()) / total
