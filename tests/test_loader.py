"""The located YAML loader: refusals with exact locations, identical under the C and pure parsers."""

import pytest

from nap_rules.errors import InputError
from nap_rules.load.locations import Location, LocList, LocMap
from nap_rules.load.yaml_reader import HAVE_C_LOADER, load_yaml_bytes, load_yaml_text

PARSERS = [pytest.param(True, id="pure")] + ([pytest.param(False, id="c")] if HAVE_C_LOADER else [])


@pytest.mark.parametrize("pure", PARSERS)
@pytest.mark.parametrize("text, line, column, fragment", [
    ("a: 1\nb:\n  c: 1\n  c: 2\n", 4, 3, "duplicate key 'c' (first defined at line 3)"),
    ("a:\n  - {x: 1, x: 2}\n", 2, 12, "duplicate key 'x'"),
    ("a: !!python/object:os.system x\n", 1, 4, "tag !!python/object:os.system is not allowed"),
    ("a: !!binary aGVsbG8=\n", 1, 4, "tag !!binary is not allowed"),
    ("a: &x {b: 1}\nc:\n  <<: *x\n", 3, 3, "merge keys"),
    ("a: .nan\n", 1, 4, "not a finite number"),
    ("a: -.inf\n", 1, 4, "not a finite number"),
    ("a: " + "9" * 400 + "\n", 1, 4, "limit max_number_digits"),
    ("a: [1, 2\nb: 3\n", 2, 2, "YAML syntax error"),
    ("a:\n\tb: 1\n", 2, 1, "YAML syntax error"),
    ("a: b\x00c\n", 1, 5, "unacceptable character #x0000"),
    ("[" * 200 + "]" * 200, 1, 65, "limit max_depth"),
    ("yes: 1\n", 1, 1, "mapping key must be text or a whole number"),
    ("? [1]\n: 2\n", 1, 3, "mapping key must be text or a whole number"),
])
def test_refusals_are_located(pure, text, line, column, fragment):
    with pytest.raises(InputError) as info:
        load_yaml_text(text, "f.yaml", pure=pure)
    assert info.value.location == Location("f.yaml", line, column)
    assert fragment in info.value.message


@pytest.mark.parametrize("pure", PARSERS)
def test_alias_bomb_is_refused_quickly(pure):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 9) + "]")
    with pytest.raises(InputError) as info:
        load_yaml_text("\n".join(lines) + "\n", "bomb.yaml", pure=pure)
    assert "alias expansions" in info.value.message
    assert info.value.location.line == 2


def test_a_few_aliases_are_fine():
    data = load_yaml_text("base: &b {x: 1}\nuse: *b\n", "f.yaml")
    assert data["use"] == {"x": 1}


def test_non_utf8_names_the_byte_and_place():
    with pytest.raises(InputError) as info:
        load_yaml_bytes(b"a: 1\nb: caf\xe9\n", "f.yaml")
    assert info.value.location == Location("f.yaml", 2, 7)
    assert "not UTF-8" in info.value.message


def test_bom_and_crlf_are_read_with_the_same_locations():
    plain = load_yaml_bytes(b"a: 1\nb:\n  c: 2\n", "f.yaml")
    windows = load_yaml_bytes(b"\xef\xbb\xbfa: 1\r\nb:\r\n  c: 2\r\n", "f.yaml")
    assert plain == windows
    assert plain["b"].key_locs == windows["b"].key_locs


def test_file_size_limit(tmp_path):
    from nap_rules.load.yaml_reader import ReadLimits, load_yaml_file
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 2000 + "\n")
    with pytest.raises(InputError) as info:
        load_yaml_file(path, "big.yaml", ReadLimits(max_file_bytes=1000))
    assert "limit max_file_bytes" in info.value.message


def test_values_are_exact_and_keys_are_text():
    data = load_yaml_text("targets: {2021: 1, 2022: 40.4}\nd: 2024-06-30\nm: 0.1\n", "f.yaml")
    assert data["targets"] == {"2021": 1, "2022": __import__("decimal").Decimal("40.4")}
    assert data["d"] == "2024-06-30"
    assert data["m"] + data["m"] + data["m"] == __import__("decimal").Decimal("0.3")


SAMPLE = """\
schema: nap-rules/goal/v1
id: PG1
objectives:
  - id: "1.1"
    measures:
      - id: "1.1.1"
        responsible: [MI, MJ]
        targets: {2021: 1, 2022: null}
      -   id: "1.1.2"
          note: >
            folded
            text
"""


@pytest.mark.skipif(not HAVE_C_LOADER, reason="libyaml not installed")
def test_c_and_pure_loaders_give_identical_data_and_locations():
    def walk(node, out, path=()):
        if isinstance(node, LocMap):
            out.append((path, node.loc, dict(node.key_locs)))
            for k, v in node.items():
                walk(v, out, path + (k,))
        elif isinstance(node, LocList):
            out.append((path, node.loc, list(node.item_locs)))
            for i, v in enumerate(node):
                walk(v, out, path + (i,))
        return out

    c = load_yaml_text(SAMPLE, "f.yaml", pure=False)
    pure = load_yaml_text(SAMPLE, "f.yaml", pure=True)
    assert c == pure
    assert walk(c, []) == walk(pure, [])
    assert c["objectives"][0]["measures"][1].loc == Location("f.yaml", 9, 11)
