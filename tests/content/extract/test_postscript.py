"""PostScript text: show operators and their procedures, DSC values, ps2write's PDF operators
(``sniffprint/content/extract/postscript.py``)."""
from __future__ import annotations

import subprocess
from pathlib import Path

from ._docs import PS, gs, needs_groff, needs_gs, run


def test_postscript_show_and_dsc() -> None:
    r = run(PS)
    assert r.status == "text" and r.pages == 1
    lines = r.text.splitlines()
    assert lines[0] == "Quarterly (draft)" and lines[1] == "alice"
    assert "CANARY-PS-1 Alice Example" in lines
    assert "Card 4111 1111 1111 1111" in lines


def test_postscript_escapes_hex_nested() -> None:
    doc = (b"%!PS\n/F /Courier findfont 10 scalefont def F setfont\n"
           b"10 10 moveto (a\\(b\\) \\101\\102C tab\\tq nest(ed)\\\nline) show\n"
           b"10 30 moveto <48656c6c6f> show 10 50 moveto 1 0 (wide) ashow (k) kshow\n"
           b"10 70 moveto (xy) [1 2 3 4] xyshow /eacute glyphshow\n")
    r = run(doc)
    assert "a(b) ABC tab\tq nest(ed)line" in r.text
    assert "Hello" in r.text and "wide" in r.text and "xy" in r.text and "é" in r.text


def test_postscript_prolog_strings_are_not_text() -> None:
    doc = (b"%!PS-Adobe-3.0\n%%BeginProlog\n/err {(-mark-) show} def\n/Q {moveto show} bind def\n"
           b"%%EndProlog\n(Hello) 72 700 Q (World) 72 680 Q\n")
    r = run(doc)
    assert r.text == "Hello\nWorld"


def test_postscript_same_line_moves_make_spaces() -> None:
    doc = b"%!PS\n72 700 moveto (4111) show 110 700 moveto (1111) show 0 -20 rmoveto (next) show\n"
    assert run(doc).text == "4111 1111\nnext"


@needs_groff
def test_groff_ps_kerned_pieces_join() -> None:
    src = b"CANARY-G-1 Alice Example\n.br\nalice.example@corp.example 078-05-1120\n"
    ps = subprocess.run(["groff", "-Tps"], input=src, capture_output=True, check=True).stdout
    r = run(ps)
    assert r.status == "text"
    assert r.text.splitlines()[-2:] == ["CANARY-G-1 Alice Example", "alice.example@corp.example 078-05-1120"]


@needs_gs
def test_ps2write_output(tmp_path: Path) -> None:
    r = run(gs(tmp_path, "ps2write", PS))
    assert r.status == "text"
    assert "CANARY-PS-1 Alice Example" in r.text and "4111 1111 1111 1111" in r.text
