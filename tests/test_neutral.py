"""Plan text as each format writes it (nap_rules.report.neutral): shown, never obeyed."""

from __future__ import annotations

from nap_rules.report import neutral


def test_ordinary_text_is_unchanged():
    for text in ("Ministria e Brendshme", "Ministère de l'Intérieur", "Ε.Π.Α. 2021–2023 € 1 000", "שלום", "a\u00a0b"):
        assert neutral.text(text) == text
        assert neutral.line(text) == text
        assert neutral.markdown(text) == text.replace("&", "&amp;")


def test_controls_separators_and_bidi_are_shown_escaped():
    assert neutral.text("a\x1b]0;title\x07b") == "a\\x1b]0;title\\x07b"
    assert neutral.text("a\x1b[2Jb\x1b[1;1H") == "a\\x1b[2Jb\\x1b[1;1H"
    assert neutral.text("x\ny\rz\tw") == "x\\ny\\rz\\tw"
    assert neutral.text("\x85\x9b\x7f") == "\\x85\\x9b\\x7f"
    assert neutral.text("\u2028\u2029") == "\\u2028\\u2029"
    assert neutral.text("abc\u202edcba\u2066\u2069\u200f") == "abc\\u202edcba\\u2066\\u2069\\u200f"


def test_a_line_is_never_a_workflow_command():
    assert neutral.line("x\n::error file=a.yaml,line=1::forged") == "x\\n::error file=a.yaml,line=1::forged"
    assert neutral.line("::error file=a.yaml::forged") == "\\x3a:error file=a.yaml::forged"
    assert neutral.line("   ::warning::x") == "   \\x3a:warning::x"
    assert neutral.line("text ##[error]forged") == "text ##\\x5berror]forged"
    assert neutral.line("time 10::30 stays") == "time 10::30 stays"


def test_xml_text_keeps_its_own_lines_and_defuses_each():
    assert neutral.xml("a\n::error::x\x01") == "a\n\\x3a:error::x\\x01"


def test_markdown_escapes_markup_links_and_bare_urls():
    out = neutral.markdown("[click](https://evil.example/x) and www.evil.example <b>|</b>\nnext")
    assert "](" not in out.replace("\\](", "")
    assert "https://" not in out and "www.evil" not in out
    assert "<b>" not in out and "\n" not in out
    assert out == ("\\[click\\](https\\://evil.example/x) and www\\.evil.example &lt;b&gt;\\|&lt;/b&gt;<br>next")
