"""One value <-> one cell: exact both ways for what nap-rules writes, explained for what people type.

Written (`to_cell`):
- whole numbers as numbers; a decimal as a number whose format shows its decimal places
  (`40.40` is 40.4 with format `0.00`), so the places come back; money with thousands
  separators (`#,##0`); a number a spreadsheet cannot hold exactly (more than 15 digits, `5.`,
  `-0.0`) as `!yaml` text (below);
- `null` (a target of "-") as `-`; a relative target as `+10% of baseline`;
- a list of names one per line;
- text as text, never as a formula;
- anything else, or what the forms above cannot carry exactly (an empty text, an empty list,
  characters a workbook cannot hold, a value of the wrong type), as the text `!yaml ` followed
  by the value in YAML flow style, which reads back to the same value.

Read (`from_cell`): the same forms, plus what spreadsheets do to typed values, each converted
and reported: a number stored as text (`1,500,000`), a date or an Excel date serial where a
year belongs, a number where text belongs (an id typed as `1.1`), names separated by `;`.
"""

from __future__ import annotations

import datetime
import re
from functools import lru_cache
from decimal import Decimal

import yaml

from ..load.canonical import decimal_text
from ..load.yaml_reader import DEFAULT_READ_LIMITS, load_yaml_data

ESCAPE = "!yaml "
ABSENT = object()  # an empty cell: the field is not there
MAX_EXACT_DIGITS = 15  # significant digits a spreadsheet number (IEEE double) always keeps
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029\ufeff\ufffe\uffff\r]")
_RELATIVE = re.compile(r"\s*([+-]?\d+(?:\.\d+)?)\s*%\s*of\s+(baseline|previous)\s*\Z", re.I)
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?\Z")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:([,\u00a0\u202f' ])\d{3})(?:\1\d{3})*(?:\.\d+)?\Z")
_GROUPED_COMMA_DECIMAL = re.compile(r"[+-]?\d{1,3}(?:([.\u00a0\u202f' ])\d{3})(?:\1\d{3})*(?:,\d+)?\Z")
EXCEL_EPOCH = datetime.datetime(1899, 12, 30)


class Converted(str):
    """A note on a value changed while read: what it was, and what it became."""


# --- writing ---------------------------------------------------------------------------------

def to_cell(value, leaf) -> tuple[object, str | None]:
    """(cell value, number format or None) of `value` in the column of `leaf`; text is never a formula."""
    shape = leaf.shape
    if value is None:
        return ("-", None) if "null" in shape else (escape(value), None)
    if isinstance(value, bool):
        return (value, None) if "boolean" in shape else (escape(value), None)
    if isinstance(value, int):
        if ("number" in shape or "integer" in shape) and abs(value) < 10 ** MAX_EXACT_DIGITS:
            return value, ("#,##0" if leaf.is_money else None)
        return escape(value), None
    if isinstance(value, Decimal):
        if "number" in shape and exact_in_double(value):
            places = -value.as_tuple().exponent
            return float(value), (("#,##0." if leaf.is_money else "0.") + "0" * places)
        return escape(value), None
    if isinstance(value, str):
        if ("text" in shape and value and not value.startswith(ESCAPE.strip()) and not _ILLEGAL.search(value)
                and not ("null" in shape and value.strip() == "-") and len(value) <= 32000):
            return value, None
        return escape(value), None
    if isinstance(value, list):
        if "names" in shape and value and all(_plain_name(v) for v in value):
            return "\n".join(value), None
        if "numbers" in shape and value and all(type(v) is int for v in value) and \
                (len(value) > 1 or not ("integer" in shape or "number" in shape)):
            return "\n".join(str(v) for v in value), None  # one per line; a single one would read as a number
        return escape(value), None
    if isinstance(value, dict) and "relative" in shape and set(value) == {"relative", "of"} \
            and value["of"] in ("baseline", "previous") and _plain_number(value["relative"]):
        number = value["relative"]
        text = decimal_text(number).rstrip(".") if isinstance(number, Decimal) else str(number)
        if number >= 0 and not text.startswith("-"):
            text = "+" + text
        return f"{text}% of {value['of']}", None
    return escape(value), None


def _plain_name(name) -> bool:
    return isinstance(name, str) and name.strip() == name and name != "" and "\n" not in name \
        and ";" not in name and not name.startswith(ESCAPE.strip()) and not _ILLEGAL.search(name)


def _plain_number(number) -> bool:
    if isinstance(number, bool) or not isinstance(number, (int, Decimal)):
        return False
    if isinstance(number, Decimal):
        return number.is_finite() and number.as_tuple().exponent < 0 and not (number.is_zero() and number.is_signed())
    return True


def exact_in_double(value: Decimal) -> bool:
    """Whether a spreadsheet number with a fixed count of decimals gives back exactly `value`."""
    if not value.is_finite() or (value.is_zero() and value.is_signed()):
        return False
    sign, digits, exponent = value.as_tuple()
    if exponent >= 0 or len(digits) > MAX_EXACT_DIGITS or -exponent > 30:
        return False
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(exponent)) == value


def escape(value) -> str:
    """`!yaml ` and the value in YAML flow style, on one line."""
    return ESCAPE + flow(value)


def flow(value) -> str:
    node = _node(value)
    text = yaml.serialize(node, Dumper=yaml.SafeDumper, allow_unicode=True, width=1 << 20)
    text = text.rstrip("\n")
    if text.endswith("\n..."):
        text = text[:-4].rstrip("\n")
    return text


_TAG = "tag:yaml.org,2002:"


def _node(value):
    if isinstance(value, dict):
        return yaml.MappingNode(_TAG + "map", [(_node(k if not (isinstance(k, str) and k.isdigit()) else int(k)),
                                                _node(v)) for k, v in value.items()], flow_style=True)
    if isinstance(value, (list, tuple)):
        return yaml.SequenceNode(_TAG + "seq", [_node(v) for v in value], flow_style=True)
    if value is None:
        return yaml.ScalarNode(_TAG + "null", "null")
    if isinstance(value, bool):
        return yaml.ScalarNode(_TAG + "bool", "true" if value else "false")
    if isinstance(value, int):
        return yaml.ScalarNode(_TAG + "int", str(value))
    if isinstance(value, Decimal):
        return yaml.ScalarNode(_TAG + "float", decimal_text(value))
    return yaml.ScalarNode(_TAG + "str", str(value), style='"')


# --- reading ---------------------------------------------------------------------------------

def from_cell(raw, leaf, number_format: str | None = None, where="cell"):
    """(value or ABSENT, note on a conversion or None, problem or None) of a cell in `leaf`'s column."""
    if raw is None:
        return ABSENT, None, None
    shape = leaf.shape
    if isinstance(raw, str):
        if raw.startswith(ESCAPE) or raw.strip() == ESCAPE.strip():
            try:
                return load_yaml_data(raw[len(ESCAPE):].encode("utf-8"), str(where), DEFAULT_READ_LIMITS), None, None
            except Exception as exc:  # noqa: BLE001 - InputError or a YAML error: reported, not raised
                return ABSENT, None, f"cannot read the !yaml value: {getattr(exc, 'message', exc)}"
        return _from_text(raw, leaf)
    if isinstance(raw, bool):
        if "boolean" in shape:
            return raw, None, None
        text = "true" if raw else "false"
        return text, Converted(f"a TRUE/FALSE cell read as the text {text!r}"), None
    if isinstance(raw, (datetime.datetime, datetime.date, datetime.time)):
        return _from_date(raw, leaf)
    if isinstance(raw, (int, float)):
        return _from_number(raw, leaf, number_format)
    return str(raw), Converted(f"a {type(raw).__name__} read as text"), None


def _from_text(raw: str, leaf):
    shape = leaf.shape
    text = raw
    if text.strip() == "":
        if "text" in shape and text:
            return text, None, None
        return ABSENT, None, None
    if "null" in shape and text.strip() == "-":
        return None, None, None
    if "boolean" in shape and text.strip().lower() in ("true", "false"):
        return text.strip().lower() == "true", None, None  # a CSV file holds TRUE/FALSE as text
    if "relative" in shape:
        m = _RELATIVE.match(text)
        if m:
            return {"relative": _number(m.group(1)), "of": m.group(2).lower()}, None, None
    if "numbers" in shape and "\n" in text.strip():
        parts = [p.strip() for p in text.strip().split("\n") if p.strip()]
        if all(_PLAIN_NUMBER.match(p) for p in parts):
            return [_number(p) for p in parts], None, None
    if "names" in shape and not (("number" in shape or "integer" in shape) and _PLAIN_NUMBER.match(text.strip())):
        parts = text.split("\n")
        note = None
        if len(parts) == 1 and ";" in text:
            parts = text.split(";")
            note = Converted(f"names separated by ';' read as a list of {len([p for p in parts if p.strip()])}")
        names = [p.strip() for p in parts if p.strip()]
        if note is None and (names != parts):
            note = Converted("spaces and empty lines around the names dropped")
        return names, note, None
    if ("number" in shape or "integer" in shape) and "text" not in shape:
        stripped = text.strip()
        if _PLAIN_NUMBER.match(stripped):
            value = _number(stripped)
            return value, Converted(f"the text {raw!r} read as the number {value}"), None
        grouped = _GROUPED.match(stripped)
        if grouped:
            value = _number(stripped.replace(grouped.group(1), ""))
            return value, Converted(f"the text {raw!r} read as the number {value} (thousands separators dropped)"), None
        grouped = _GROUPED_COMMA_DECIMAL.match(stripped)
        if grouped and (grouped.group(1) != "." or "," in stripped):
            value = _number(stripped.replace(grouped.group(1), "").replace(",", "."))
            return value, Converted(f"the text {raw!r} read as the number {value} (thousands separators dropped)"), None
        if "%" in stripped and _PLAIN_NUMBER.match(stripped.rstrip("%").strip()):
            value = _number(stripped.rstrip("%").strip())
            return value, Converted(f"the text {raw!r} read as the number {value} (percent sign dropped)"), None
    return text, None, None


def _number(text: str):
    text = text.lstrip("+")
    if "." in text:
        return Decimal(text)
    return int(text)


def _from_date(raw, leaf):
    if leaf.is_year or ("integer" in leaf.shape and "text" not in leaf.shape):
        if isinstance(raw, datetime.time):
            return raw.isoformat(), None, "a time of day where a year belongs"
        return raw.year, Converted(f"the date {raw.isoformat()[:10]} read as the year {raw.year}"), None
    if isinstance(raw, datetime.datetime) and raw.time() == datetime.time(0):
        raw = raw.date()
    text = raw.isoformat()
    if "text" in leaf.shape:
        return text, Converted(f"a date read as the text {text!r}"), None
    return text, Converted(f"a date read as the text {text!r}"), f"a date ({text}) where a number belongs"


@lru_cache(maxsize=1024)
def places(number_format: str | None) -> int | None:
    """Decimal places a number format shows (`0.00` -> 2), None for General."""
    if not number_format or number_format == "General":
        return None
    section = number_format.split(";")[0]
    section = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", section)
    if "." not in section:
        return 0
    after = section.split(".", 1)[1]
    return len(re.match(r"[0#?]*", after).group(0))


def _from_number(raw, leaf, number_format):
    shape = leaf.shape
    shown = places(number_format)
    if isinstance(raw, float) and raw != raw or raw in (float("inf"), float("-inf")):
        return ABSENT, None, "not a finite number"
    if isinstance(raw, int) and not shown:
        value = raw
    elif shown:
        value = Decimal(repr(raw)).quantize(Decimal(1).scaleb(-shown))
    elif raw == int(raw) and abs(raw) < 2 ** 53:
        value = int(raw)
    else:
        value = Decimal(repr(raw))
    if isinstance(value, Decimal) and shown and value != Decimal(repr(raw)):
        value = Decimal(repr(raw))  # the format shows fewer places than the number has: keep them all
    if leaf.is_year and isinstance(value, int) and not 1900 <= value <= 2200 and 1 <= value <= 120000:
        date = EXCEL_EPOCH + datetime.timedelta(days=value)
        if 1900 <= date.year <= 2200:
            return date.year, Converted(f"the Excel date serial {value} ({date.date().isoformat()}) read as the year {date.year}"), None
    if "number" in shape or "integer" in shape:
        return value, None, None
    if "numbers" in shape:
        return [value], Converted(f"the number {value} read as a list of one"), None
    if "text" in shape or "names" in shape:
        text = decimal_text(value).rstrip(".") if isinstance(value, Decimal) else str(value)
        result = [text] if "names" in shape and "text" not in shape else text
        return result, Converted(f"the number {text} read as text"), None
    return value, None, None
