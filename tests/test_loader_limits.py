"""The loader's bounds and refusals, under both parsers (libyaml's and the pure one)."""

import subprocess
import sys
import textwrap
from decimal import Decimal

import pytest

from nap_rules.errors import InputError
from nap_rules.load.locations import Location
from nap_rules.load.yaml_reader import HAVE_C_LOADER, ReadLimits, load_yaml_text

PARSERS = [pytest.param(True, id="pure")] + ([pytest.param(False, id="c")] if HAVE_C_LOADER else [])


@pytest.mark.parametrize("pure", PARSERS)
def test_very_deep_nesting_is_refused_without_crashing(pure):
    # libyaml's composer recursed once per level and died with SIGSEGV near 25 000 levels:
    # run in a child so that a crash fails this test instead of ending the suite
    code = textwrap.dedent(f"""
        from nap_rules.load.yaml_reader import load_yaml_text
        from nap_rules.errors import InputError
        for text in ["x: " + "[" * 300000 + "]" * 300000, "x:\\n" + "- " * 300000 + "a\\n",
                     "x: " + "{{a: " * 300000 + "1" + "}}" * 300000]:
            try:
                load_yaml_text(text, "f.yaml", pure={pure})
            except InputError as exc:
                assert "limit max_depth" in exc.message, exc
            else:
                raise AssertionError("not refused")
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


@pytest.mark.slow  # PyYAML's scanner takes time quadratic in the depth of flow nesting
@pytest.mark.parametrize("pure", PARSERS)
def test_a_raised_depth_limit_reads_deep_files_without_recursion(pure):
    depth = 1500  # beyond Python's recursion limit (1000)
    data = load_yaml_text("x: " + "[" * depth + "1" + "]" * depth + "\n", "f.yaml", ReadLimits(max_depth=depth + 2), pure=pure)
    level = 0
    node = data["x"]
    while isinstance(node, list):
        node, level = node[0], level + 1
    assert (node, level) == (1, depth)


@pytest.mark.parametrize("pure", PARSERS)
@pytest.mark.parametrize("text, where", [
    ("a: &a [1, *a]\n", (1, 11)),
    ("a: &m\n  b: 1\n  c: *m\n", (3, 6)),
    ("a: &s [x, {y: [*s]}]\n", (1, 16)),
])
def test_recursive_aliases_are_refused(pure, text, where):
    with pytest.raises(InputError) as info:
        load_yaml_text(text, "f.yaml", pure=pure)
    assert "repeats a list or mapping that contains it" in info.value.message
    assert info.value.location == Location("f.yaml", *where)


@pytest.mark.parametrize("pure", PARSERS)
def test_an_alias_is_a_copy_located_where_it_is_used(pure):
    data = load_yaml_text("base: &b {x: [1, 2]}\nuse:\n  - *b\n  - *b\nkey: &k name\n*k : 3\n", "f.yaml", pure=pure)
    first, second = data["use"]
    assert first == second == {"x": [1, 2]}
    first["x"].append(3)
    assert second["x"] == [1, 2] and data["base"]["x"] == [1, 2]
    assert data["use"].item_locs == [Location("f.yaml", 3, 5), Location("f.yaml", 4, 5)]
    assert data["name"] == 3 and data.key_locs["name"] == Location("f.yaml", 6, 1)


@pytest.mark.parametrize("pure", PARSERS)
def test_a_duplicate_key_through_an_alias_points_at_the_alias(pure):
    with pytest.raises(InputError) as info:
        load_yaml_text("&k id: 1\n*k : 2\n", "f.yaml", pure=pure)
    assert info.value.location == Location("f.yaml", 2, 1)
    assert "duplicate key 'id' (first defined at line 1)" in info.value.message


@pytest.mark.parametrize("pure", PARSERS)
@pytest.mark.parametrize("text, fragment", [
    ("a: 0100\n", "octal number (= 64)"),
    ("a: -017\n", "octal number (= -15)"),
    ("0100: a\n", "octal number (= 64)"),
    ("a: 0x1F\n", "hexadecimal number (= 31)"),
    ("a: 0b101\n", "binary number (= 5)"),
    ("a: 0x" + "f" * 5000 + "\n", "hexadecimal number;"),
    ("1:30: a\n", "sexagesimal number '1:30'"),
    ("a: 1.0e+31\n", "too large (limit max_number_digits"),
    ("a: 1.0e-31\n", "too small, with more than 30 decimal places"),
    ("a: 0.0e-99999999999\n", "too small"),
])
def test_numbers_yaml_would_misread_or_that_run_away_are_refused(pure, text, fragment):
    with pytest.raises(InputError) as info:
        load_yaml_text(text, "f.yaml", pure=pure)
    assert fragment in info.value.message and len(info.value.message) < 300


@pytest.mark.parametrize("pure", PARSERS)
def test_numbers_that_are_read(pure):
    data = load_yaml_text("a: 0\nb: -0.0\nc: 1_000\nd: +12\ne: 1.0e+30\nf: '0100'\ng: 08\nh: =\n", "f.yaml", pure=pure)
    assert data == {"a": 0, "b": Decimal("-0.0"), "c": 1000, "d": 12, "e": Decimal("1.0e+30"), "f": "0100",
                    "g": "08", "h": "="}
    assert type(data["c"]) is int


@pytest.mark.parametrize("pure", PARSERS)
@pytest.mark.parametrize("char, name", [("\x85", "U+0085"), ("\u2028", "U+2028"), ("\u2029", "U+2029")])
def test_yaml_only_line_breaks_are_refused_raw_and_read_escaped_but_u0085(pure, char, name):
    with pytest.raises(InputError) as info:
        load_yaml_text(f"a: 1\nb: \"x{char}y\"\n", "f.yaml", pure=pure)
    assert info.value.location == Location("f.yaml", 2, 6) and name in info.value.message
    escape = {"\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}[char]
    if char == "\x85":  # a C1 control character: refused however it is written
        with pytest.raises(InputError, match="escaped control character") as info:
            load_yaml_text(f'b: "x{escape}y"\n', "f.yaml", pure=pure)
        assert info.value.location == Location("f.yaml", 1, 6)
    else:
        assert load_yaml_text(f'b: "x{escape}y"\n', "f.yaml", pure=pure) == {"b": f"x{char}y"}


@pytest.mark.parametrize("pure", PARSERS)
def test_the_node_bound_holds_through_aliases(pure):
    lines = ["a0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    limits = ReadLimits(max_alias_uses=10**9, max_nodes=100_000)
    with pytest.raises(InputError) as info:
        load_yaml_text("\n".join(lines) + "\n", "f.yaml", limits, pure=pure)
    assert "more than 100000 values in one file (limit max_nodes" in info.value.message


def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    import os

    from nap_rules.load.yaml_reader import load_yaml_file

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError) as info:
        load_yaml_file(fifo, "pipe.yaml")
    assert "is not a regular file" in info.value.message
