"""Functions of the rule language over text: str, lower, join, closest, words, codes, similarity."""

from __future__ import annotations

import difflib
from decimal import Decimal
from functools import lru_cache
from types import GeneratorType

from ..model.index import normalize_text
from ..model.text import codes_of, tokens, words_of
from ..model.values import render
from .runtime import EvalError, LimitError, materialize, type_name


def _text(value, fname: str) -> str:
    if not isinstance(value, str):
        raise EvalError(f"{fname}(): expected text, got {type_name(value)} {render(value, 60)}")
    return value


def f_str(fr, x):
    if isinstance(x, GeneratorType):
        x = materialize(fr, x)
    text = render(x, fr.limits.sequence_length)
    fr.charge(len(text) >> 4)
    return text


def f_lower(fr, s):
    return _text(s, "lower").lower()


def f_normalize(fr, s):
    return normalize_text(_text(s, "normalize"))


def f_startswith(fr, s, prefix):
    return _text(s, "startswith").startswith(_text(prefix, "startswith"))


def f_endswith(fr, s, suffix):
    return _text(s, "endswith").endswith(_text(suffix, "endswith"))


def f_join(fr, sep, xs):
    _text(sep, "join")
    items = [render(v, fr.limits.sequence_length) for v in materialize(fr, xs)]
    if sum(map(len, items)) + len(sep) * len(items) > fr.limits.sequence_length:
        raise LimitError(fr.limits.refusal("sequence_length", "text too long"))
    text = sep.join(items)
    fr.charge(len(text) >> 4)
    return text


def f_closest(fr, name, candidates):
    """The candidate most like `name` (difflib ratio >= 0.6, case ignored), or None."""
    if name is None:
        return None
    _text(name, "closest")
    texts = [c for c in materialize(fr, candidates) if isinstance(c, str)]
    # difflib's cost grows with the product of the lengths compared.
    fr.charge(len(texts) + len(name) * sum(map(len, texts)) // 16)
    folded: dict[str, str] = {}
    for c in texts:
        folded.setdefault(c.casefold(), c)
    match = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[match[0]] if match else None


def _tokens(fr, s, fname):
    text = _text(s, fname)
    fr.charge(len(text) >> 4)
    return text


# Rules ask for the words, codes and similarity of the same texts again and again (each rule
# on a narrative compares its title with the table's, per spelling of each code): the results
# are kept per text, and each call still charges its steps.
_KEPT_TEXTS = 4096


@lru_cache(maxsize=_KEPT_TEXTS)
def _words(text: str) -> tuple:
    return tuple(words_of(text))


@lru_cache(maxsize=_KEPT_TEXTS)
def _codes(text: str) -> tuple:
    return tuple(codes_of(text))


@lru_cache(maxsize=_KEPT_TEXTS)
def _common_words(a: str, b: str) -> tuple[int, int, int]:
    """(words of a, words of b, words of their common subsequences), case ignored."""
    wa = [w.casefold() for w in tokens(a)]
    wb = [w.casefold() for w in tokens(b)]
    if not wa or not wb:
        return len(wa), len(wb), 0
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    return len(wa), len(wb), sum(block.size for block in matcher.get_matching_blocks())


def f_words(fr, s):
    """The words of a text, upper-cased (nap_rules.model.text.words_of)."""
    return list(_words(_tokens(fr, s, "words")))


def f_codes(fr, s):
    """The abbreviations of a text (nap_rules.model.text.codes_of)."""
    return list(_codes(_tokens(fr, s, "codes")))


def f_similarity(fr, a, b):
    """How much of the shorter text recurs in the longer one: the words (case and punctuation
    ignored) of their common subsequences as found by difflib, over the shorter text's words;
    a decimal from 0 to 1."""
    a, b = _tokens(fr, a, "similarity"), _tokens(fr, b, "similarity")
    na, nb, matched = _common_words(a, b)
    if not na or not nb:
        return Decimal(0)
    fr.charge(na * nb >> 4)
    return Decimal(matched) / Decimal(min(na, nb))
