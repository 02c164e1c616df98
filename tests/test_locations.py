"""Packed positions: `loc`, `key_locs` and `item_locs` of loaded data behave like plain Locations."""

import pickle

import pytest

from nap_rules.load.locations import Location, LocList, LocMap, Positions, locate
from nap_rules.load.yaml_reader import load_yaml_text

TEXT = """\
a: 1
b:
  c: [x, y, {z: 3}]
  d: &anchor {e: 5, f: 6}
g: *anchor
"""


def explicit(node):
    """The same data rebuilt with plain Location objects, key by key and item by item."""
    if isinstance(node, LocMap):
        out = LocMap(node.loc)
        for k, v in node.items():
            out[k] = explicit(v)
            out.key_locs[k] = node.key_locs[k]
        return out
    if isinstance(node, LocList):
        out = LocList(node.loc)
        for i, v in enumerate(node):
            out.append(explicit(v))
            out.item_locs.append(node.item_locs[i])
        return out
    return node


def test_positions_are_read_as_written():
    doc = load_yaml_text(TEXT, "f.yaml")
    assert doc.loc == Location("f.yaml", 1, 1)
    assert doc.key_locs["b"] == Location("f.yaml", 2, 1) and doc.key_locs.get("g") == Location("f.yaml", 5, 1)
    assert doc["b"]["c"].loc == Location("f.yaml", 3, 6)
    assert list(doc["b"]["c"].item_locs) == [Location("f.yaml", 3, 7), Location("f.yaml", 3, 10),
                                             Location("f.yaml", 3, 13)]
    assert doc["b"]["c"].item_locs[-1] == Location("f.yaml", 3, 13)
    assert doc["b"]["c"].item_locs[1:] == [Location("f.yaml", 3, 10), Location("f.yaml", 3, 13)]
    with pytest.raises(IndexError):
        doc["b"]["c"].item_locs[3]
    # an alias copy has the positions of what it repeats
    assert doc["g"] == {"e": 5, "f": 6} and doc["g"].key_locs == doc["b"]["d"].key_locs


def test_views_answer_like_dicts_and_lists():
    doc = load_yaml_text(TEXT, "f.yaml")
    locs = doc.key_locs
    assert "a" in locs and "zz" not in locs and len(locs) == 3 and list(locs) == ["a", "b", "g"]
    assert locs.get("zz") is None and locs.get("zz", 7) == 7
    with pytest.raises(KeyError):
        locs["zz"]
    assert dict(locs) == dict(locs.items()) == {k: locs[k] for k in locs}
    assert list(locs.values()) == [locs[k] for k in locs]
    assert locs == explicit(doc).key_locs
    assert doc["b"]["c"].item_locs == explicit(doc)["b"]["c"].item_locs


def test_keys_added_in_code_have_no_position():
    doc = load_yaml_text(TEXT, "f.yaml")
    doc["new"] = 1
    assert "new" not in doc.key_locs and doc.key_locs.get("new") is None and len(doc.key_locs) == 3
    doc["b"]["c"].append("w")
    assert len(doc["b"]["c"].item_locs) == 3


def test_changes_in_code_keep_the_positions_that_were_read():
    doc = load_yaml_text(TEXT, "f.yaml")
    before = dict(doc.key_locs)
    del doc["a"]
    assert {k: doc.key_locs[k] for k in doc} == {k: v for k, v in before.items() if k != "a"}
    doc.key_locs["h"] = Location("elsewhere", 9, 9)
    assert doc.key_locs["h"] == Location("elsewhere", 9, 9) and doc.key_locs["b"] == before["b"]
    items = doc["b"]["c"]
    first = list(items.item_locs)
    # as for a list made in code, changing the items leaves item_locs as they were
    items.insert(0, "w")
    assert list(items.item_locs) == first
    other = load_yaml_text(TEXT, "f.yaml")["b"]["c"]
    other.pop(0)
    assert list(other.item_locs) == first
    m = load_yaml_text(TEXT, "f.yaml")
    m.loc = Location("moved", 1, 2)
    assert m.loc == Location("moved", 1, 2) and m.key_locs["g"] == Location("f.yaml", 5, 1)


def test_large_mappings_look_keys_up_directly():
    text = "".join(f"k{i}: {i}\n" for i in range(500))
    doc = load_yaml_text(text, "f.yaml")
    assert doc.key_locs["k0"] == Location("f.yaml", 1, 1)
    assert doc.key_locs["k499"] == Location("f.yaml", 500, 1)
    assert "k250" in doc.key_locs and doc.key_locs.get("nope") is None
    assert len(dict(doc.key_locs)) == 500


def test_locate_walks_loaded_and_built_data_alike():
    doc = load_yaml_text(TEXT, "f.yaml")
    nowhere = Location("", 0, 0)
    for data in (doc, explicit(doc)):
        assert locate(data, ["b", "c", 2, "z"], nowhere) == Location("f.yaml", 3, 14)
        assert locate(data, ["b", "c", 7], nowhere) == Location("f.yaml", 3, 3)
        assert locate(data, ["b", "missing"], nowhere) == Location("f.yaml", 2, 1)


def test_loaded_and_built_data_pickle_with_their_positions():
    doc = load_yaml_text(TEXT, "f.yaml")
    for data in (doc, explicit(doc)):
        again = pickle.loads(pickle.dumps(data, protocol=5))
        assert again == data and again.loc == data.loc
        assert dict(again["b"].key_locs) == dict(data["b"].key_locs)
        assert list(again["b"]["c"].item_locs) == list(data["b"]["c"].item_locs)


def test_positions_of_a_huge_file_use_wider_numbers():
    wide = Positions("f.yaml", size=1 << 33)
    assert wide.shift > 32 and isinstance(wide.packed, list)
    wide.packed.append((5 << wide.shift) | (1 << 32))
    assert wide.location(0) == Location("f.yaml", 5, 1 << 32)
    assert Positions("f.yaml", size=1000).shift == 32
