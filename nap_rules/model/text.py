"""Words and abbreviations of plan text, as the rules compare two wordings of one item."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[^\W_]+(?:&[^\W_]+)*")


def tokens(text: str) -> list[str]:
    """The words of a text: runs of letters and digits (`DK&M` is one word)."""
    return _TOKEN.findall(text)


def words_of(text: str) -> list[str]:
    """The words, upper-cased, in order of first appearance; a word ending in s is also listed
    without it, so that a plural ("SOPs") matches its code ("SOP")."""
    out: dict[str, None] = {}
    for token in tokens(text):
        word = token.upper()
        out[word] = None
        if len(word) > 2 and word.endswith("S"):
            out[word[:-1]] = None
    return list(out)


def codes_of(text: str) -> list[str]:
    """The abbreviations: words with at least two capital letters, upper-cased, a trailing
    lower-case plural s dropped ("SOPs" is SOP), in order of first appearance."""
    out: dict[str, None] = {}
    for token in tokens(text):
        if token[1:].islower() or sum(map(str.isupper, token)) < 2:  # most words: no capital past the first
            continue
        if token.endswith("s") and token[:-1].isupper():
            token = token[:-1]
        out[token.upper()] = None
    return list(out)
