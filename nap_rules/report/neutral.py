"""Plan text made harmless where a report writes it, one function per kind of output.

Plan files are untrusted: a title, an id or a file name may hold characters that act on the
reader's terminal or on the program reading the output rather than being shown. Every format
passes the plan's text through one of these functions, so a value is shown, never obeyed:

- `text`: control characters (C0, DEL, C1), line and paragraph separators and the Unicode
  bidirectional controls are shown as escapes (`\\x1b`, `\\n`, `\\u202e`); an escape
  sequence cannot move the cursor, clear the screen, retitle the terminal or reorder a line.
- `line`: `text`, and a line cannot be a CI workflow command: a line whose first non-blank
  characters are `::` (GitHub Actions' `::error file=…::`) shows its first colon escaped, and
  `##[` (the older form, taken anywhere in a line) shows its bracket escaped.
- `multiline`: `text`, keeping line feeds, for formats that encode them (GitHub annotations).
- `xml`: `line` for each line, for XML text and attributes (XML itself escapes `&<>"`).
- `markdown`: no markup, no HTML, no line or column breaks, no links: link syntax is escaped
  and a bare URL (`https://…`, `www.…`) is written so that it is not turned into a link.

Each returns its argument unchanged when there is nothing to do, so ordinary plans print
exactly as before.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, U+2028/U+2029, and the bidirectional marks, embeddings,
# overrides and isolates (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_COMMAND_START = re.compile(r"^(\s*):")
_MARKUP = re.compile(r"([\\`*_\[\]|~#])")
_URL = re.compile(r"(?i)(?<=[a-z0-9+.-])(:)(?=//)|(?<![a-z0-9])(www)(\.)")


def _escape(match: re.Match) -> str:
    c = match.group()
    named = _NAMED.get(c)
    if named is not None:
        return named
    code = ord(c)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def text(value) -> str:
    """`value` as text with every control, separator and bidi character shown as an escape."""
    value = str(value)
    if _UNSAFE.search(value) is None:
        return value
    return _UNSAFE.sub(_escape, value)


def multiline(value) -> str:
    """`text`, keeping line feeds: for a format that encodes them itself (GitHub annotations)."""
    value = str(value)
    if "\n" in value:
        return "\n".join(text(part) for part in value.split("\n"))
    return text(value)


def line(value) -> str:
    """One line of line-based output (text, diff): `text`, and never a CI workflow command."""
    value = text(value)
    if "::" in value:
        value = _COMMAND_START.sub(r"\1\\x3a", value, count=1) if value.lstrip().startswith("::") else value
    if "##[" in value:
        value = value.replace("##[", "##\\x5b")
    return value


def lines(values) -> list[str]:
    return [line(v) for v in values]


def xml(value) -> str:
    """Text for an XML attribute or element: each of its lines as `line` gives it."""
    value = str(value)
    if "\n" in value:
        return "\n".join(line(part) for part in value.split("\n"))
    return line(value)


def markdown(value) -> str:
    """Text safe inside a Markdown table cell or heading: no markup, no HTML, no line or
    column breaks, no links (link syntax escaped, bare URLs not recognised as links)."""
    value = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _MARKUP.sub(r"\\\1", value)
    value = value.replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>")
    if "//" in value or "www" in value.lower():
        value = _URL.sub(lambda m: "\\:" if m.group(1) else m.group(2) + "\\.", value)
    return text(value)
