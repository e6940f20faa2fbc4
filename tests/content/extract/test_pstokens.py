"""The PostScript/PDF tokenizer (``sniffprint/content/extract/_pstokens.py``): literal strings found
in linear time agree with a plain left-to-right scan, whatever the nesting and escapes."""
from __future__ import annotations

import random

from sniffprint.content.extract import _pstokens as T


def _scan(buf: bytes, p: int) -> int:
    """The obvious reading: from the "(" at p, count depth, skip escaped bytes; -1 if unclosed."""
    depth, q = 1, p + 1
    while q < len(buf):
        c = buf[q]
        if c == 0x5C:
            q += 2
            continue
        depth += (c == 0x28) - (c == 0x29)
        if depth == 0:
            return q + 1
        q += 1
    return -1


def test_string_ends_match_a_plain_scan() -> None:
    rng = random.Random(5)
    for _ in range(3000):
        buf = bytes(rng.choice(b"()\\a") for _ in range(rng.randint(1, 48)))
        lx, parens = T.Lexer(buf), T.Parens(buf)
        starts = [i for i, c in enumerate(buf) if c == 0x28]
        for p in starts:
            s = lx.string_at(p)
            assert (s[1] if s is not None else -1) == _scan(buf, p), (buf, p)
        for p in reversed(starts):  # asked out of order: the table is rebuilt from the earlier start
            assert parens.end(p) == _scan(buf, p), (buf, p)


def test_unclosed_view_blanks_only_parens_that_open_nothing() -> None:
    rng = random.Random(6)
    for _ in range(2000):
        buf = bytes(rng.choice(b"()\\ab") for _ in range(rng.randint(1, 48)))
        starts = [i for i, c in enumerate(buf) if c == 0x28]
        if not starts:
            continue
        parens = T.Parens(buf)
        parens.end(starts[0])
        for i, (a, b) in enumerate(zip(buf, parens.unclosed, strict=True)):
            if a != b:
                assert (a, b) == (0x28, 0x20) and _scan(buf, i) == -1, (buf, i)


def test_tokens() -> None:
    buf = (b"%c\n/Name 12 -3.5 16#FF (a\\(b\\)c \\101) <48 65> <~87cURD]i,\"Ebo80~> [ ] << >> { } ((n)x) ( op\n"
           b"(\\\nline)")
    lx, pos, out = T.Lexer(buf), 0, []
    while True:
        kind, val, pos = lx.next(pos)
        if kind == T.EOF_:
            break
        out.append((kind, val))
    assert out == [(T.COMMENT, b"%c"), (T.NAME, b"Name"), (T.NUM, 12), (T.NUM, -3.5), (T.NUM, 255),
                   (T.STR, b"a(b)c A"), (T.STR, b"He"), (T.STR, b"Hello World!"), (T.DELIM, b"["),
                   (T.DELIM, b"]"), (T.DELIM, b"<<"), (T.DELIM, b">>"), (T.DELIM, b"{"), (T.DELIM, b"}"),
                   (T.STR, b"(n)x"), (T.DELIM, b"("), (T.OP, b"op"), (T.STR, b"line")]


def test_finder_answers_increasing_positions_like_find() -> None:
    buf = b"xx~>yyyy~>zz" * 3
    f = T.Finder(buf, b"~>")
    for p in list(range(len(buf))) + [0, 5, 3]:
        assert f.find(p) == buf.find(b"~>", p)
