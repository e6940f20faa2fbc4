"""A tokenizer for the PostScript syntax (PLRM 3rd ed. section 3.2), which PDF reuses for its
objects and content streams (ISO 32000-1 section 7.2/7.3).

``Lexer(buf).next(pos)`` returns ``(kind, value, end)``; kinds are the constants below. Literal
strings are decoded (escapes of PLRM 3.2.2: ``\\n \\r \\t \\b \\f \\\\ \\( \\)``, octal ``\\ddd``,
backslash-newline continuation), hex strings too (an odd final digit counts as ``0``, as the specs
say), and ASCII85 strings ``<~...~>``.

Invariants:
- Every call advances ``end`` past ``pos`` (garbage is skipped a byte at a time).
- Linear time over any input. A literal string with balanced parentheses and no nesting is one
  regular-expression match. Any other ``(`` (nested, or never closed) is resolved through
  ``Parens``, a table of parenthesis depths built once per buffer, so a stray ``(`` costs a
  lookup, never a rescan of the rest of the document; an unclosed ``(`` is not a string and is
  skipped alone. Searches for a closing ``~>`` are remembered the same way.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate, compress, count
from operator import add, and_, ge, sub
from typing import Any

EOF_, NUM, STR, NAME, OP, DELIM, COMMENT = range(7)

WS = rb"\x00\t\n\x0c\r "  # PLRM 3.2.2 white-space characters (NUL, TAB, LF, FF, CR, SP)
DELIMS = rb"()<>\[\]{}/%"
_WS = re.compile(rb"[" + WS + rb"]+")
_COMMENT = re.compile(rb"%[^\r\n]*")
STR_BODY = rb"[^\\()]*(?:\\.[^\\()]*)*"  # bytes of a literal string up to its next unescaped ( or )
_STR_BODY = re.compile(STR_BODY, re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f" + WS + rb"]*)>")
_REGULAR = re.compile(rb"[^" + WS + DELIMS + rb"]+")
_NUMBER = re.compile(rb"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_RADIX = re.compile(rb"([0-9]{1,2})#([0-9A-Za-z]+)")
_ESC = re.compile(rb"\\(\r\n|[0-7]{1,3}|.)", re.S)
_SIMPLE = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"\n": b"", b"\r": b"",
           b"\r\n": b""}
_ESCAPED = re.compile(rb"\\.", re.S)
_PARENS = re.compile(rb"[()]")
_NOT_PARENS = bytes(c for c in range(256) if c not in b"()")
_TWO_ZERO = bytes.maketrans(b"()", b"\x02\x00")  # "(" counts +1, ")" -1, as 2 and 0 less one each
_OPEN_FLAG = bytes.maketrans(b"()", b"\x01\x00")
_CLOSE_FLAG = bytes.maketrans(b"()", b"\x00\x01")
_NOT_HEX = re.compile(rb"[^0-9A-Fa-f]")


def _unescape(m: re.Match[bytes]) -> bytes:
    g = m.group(1)
    if 0x30 <= g[0] <= 0x37:
        return bytes([int(g, 8) & 0xFF])
    return _SIMPLE.get(g, g)


def unescape(raw: bytes) -> bytes:
    return _ESC.sub(_unescape, raw) if b"\\" in raw else raw


def hex_bytes(raw: bytes) -> bytes:
    h = _NOT_HEX.sub(b"", raw)
    if len(h) % 2:
        h += b"0"
    return bytes.fromhex(h.decode("ascii"))


def a85(raw: bytes) -> bytes:
    """ASCII85 (PLRM 3.13.3): 5 digits to 4 bytes, ``z`` for four zeros, a short final group."""
    out = bytearray()
    group: list[int] = []
    for c in raw:
        if c == 0x7A and not group:  # 'z'
            out += b"\0\0\0\0"
        elif 0x21 <= c <= 0x75:
            group.append(c - 33)
            if len(group) == 5:
                v = 0
                for d in group:
                    v = v * 85 + d
                out += (v & 0xFFFFFFFF).to_bytes(4, "big")
                group = []
    if len(group) > 1:
        k = len(group) - 1
        group += [84] * (5 - len(group))
        v = 0
        for d in group:
            v = v * 85 + d
        out += (v & 0xFFFFFFFF).to_bytes(4, "big")[:k]
    return bytes(out)


def number(raw: bytes) -> float | int | None:
    m = _NUMBER.fullmatch(raw)
    if m is not None:
        try:
            return int(raw) if raw.lstrip(b"+-").isdigit() else float(raw)
        except (ValueError, OverflowError):
            return None
    m = _RADIX.fullmatch(raw)
    if m is not None:
        try:
            return int(m.group(2), int(m.group(1)))
        except ValueError:
            return None
    return None


class Finder:
    """``buf.find(needle, pos)`` for positions that mostly increase, in amortised linear time: a
    search that found nothing, or found a match beyond ``pos``, answers every later ``pos`` up to
    that match without searching again."""

    __slots__ = ("buf", "needle", "_from", "_at")

    def __init__(self, buf: bytes, needle: bytes) -> None:
        self.buf = buf
        self.needle = needle
        self._from = -1  # the last search started here...
        self._at = -1  # ...and found this (-1: nothing)

    def find(self, pos: int) -> int:
        if self._from >= 0 and self._from <= pos and (self._at < 0 or pos <= self._at):
            return self._at
        self._from, self._at = pos, self.buf.find(self.needle, pos)
        return self._at


class Parens:
    """Where the literal string opened by the ``(`` at ``p`` closes, for any ``p``, in one pass.

    Inside a string a backslash escapes the next byte, and whichever ``(`` a scan starts from, the
    escapes after it pair up the same way, so one pass from the first ``(`` asked about gives the
    depth after every unescaped parenthesis. A string opened at ``p`` closes at the first ``)``
    after ``p`` where the depth falls one below the depth just after ``p``; depths move in steps of
    one, so that is a binary search in the list of ``)`` positions at that depth.

    ``unclosed`` is the buffer with every ``(`` that opens no string (no depth after it is below its
    own) turned into a space, so a tokenizer can step over a run of them in one match.
    The table is built with C-level operations (``re``, ``bytes.translate``, ``accumulate``,
    ``map``); Python steps once per ``(`` that opens no string, and once per ``)`` when a nested
    string is first looked up.
    """

    __slots__ = ("buf", "_start", "_pos", "_depth", "_kinds", "_closes", "unclosed")

    def __init__(self, buf: bytes) -> None:
        self.buf = buf
        self._start = -1
        self._pos: list[int] = []
        self._depth: list[int] = []
        self._kinds = b""
        self._closes: dict[int, list[int]] | None = None
        self.unclosed = buf

    def _build(self, start: int) -> None:
        clean = _ESCAPED.sub(b"__", self.buf[start:])  # an escaped byte is never a parenthesis
        gaps = _PARENS.split(clean)[:-1]  # the bytes before each parenthesis
        self._pos = list(map(add, accumulate(map(len, gaps)), count(start)))
        self._kinds = kinds = clean.translate(None, _NOT_PARENS)  # b"(()(...", in order
        # the depth after each parenthesis: the sum of +1/-1 steps, i.e. the sum of 2/0 less the count
        self._depth = list(map(sub, accumulate(kinds.translate(_TWO_ZERO)), count(1)))
        self._closes = None
        self._start = start
        floor = list(accumulate(reversed(self._depth), min))  # lowest depth from here to the end
        floor.reverse()
        del floor[0]
        floor.append(1 << 62)  # ... after each parenthesis
        opens_none = map(and_, map(ge, floor, self._depth), kinds.translate(_OPEN_FLAG))
        view = bytearray(self.buf)
        for p in compress(self._pos, opens_none):
            view[p] = 0x20
        self.unclosed = bytes(view)

    def end(self, p: int) -> int:
        """Offset just past the ``)`` closing the string opened at ``p``, or -1 (never closed)."""
        if self._start < 0 or p < self._start:
            self._build(p)
        if self._closes is None:
            closes: dict[int, list[int]] = {}
            for q, d in compress(zip(self._pos, self._depth, strict=True), self._kinds.translate(_CLOSE_FLAG)):
                closes.setdefault(d, []).append(q)
            self._closes = closes
        i = bisect_right(self._pos, p) - 1
        # the table's depth at p stands for depth 1 of the string opened at p (whether or not the
        # table counted p: it does not when it pairs p with a backslash before it); the string
        # closes where the table's depth first falls one below it
        after = self._depth[i] if i >= 0 else 0
        ends = self._closes.get(after - 1)
        if not ends:
            return -1
        j = bisect_right(ends, p)
        return ends[j] + 1 if j < len(ends) else -1


class Lexer:
    """Tokens of one buffer (see the module docstring)."""

    __slots__ = ("buf", "_parens", "_a85_end", "_run_from", "_run_end")

    def __init__(self, buf: bytes) -> None:
        self.buf = buf
        self._parens: Parens | None = None
        self._a85_end: Finder | None = None
        self._run_from = self._run_end = -1

    def string_at(self, pos: int) -> tuple[bytes, int] | None:
        """The literal string opened at ``pos``: (decoded value, end), or None if never closed.

        Its bytes run to the next unescaped parenthesis. Whichever ``(`` a scan starts from, the
        escapes after it pair up the same way (see ``Parens``), so a scan from ``pos`` that ran to
        ``stop`` also tells where a scan from any later ``(`` before ``stop`` stops: remembered,
        a run of ``\\(`` costs one scan, not one each."""
        buf = self.buf
        if self._run_from < pos < self._run_end:
            stop = self._run_end
        else:
            m = _STR_BODY.match(buf, pos + 1)
            assert m is not None  # the pattern matches the empty string
            self._run_from, self._run_end = pos, m.end()
            stop = m.end()
        if stop < len(buf) and buf[stop] == 0x29:  # ")": no nesting
            return unescape(buf[pos + 1:stop]), stop + 1
        if stop >= len(buf) or buf[stop] != 0x28:  # the end, or a lone backslash at the end
            return None
        if self._parens is None:
            self._parens = Parens(buf)
        end = self._parens.end(pos)
        if end < 0:
            return None
        return unescape(buf[pos + 1:end - 1]), end

    def next(self, pos: int) -> tuple[int, Any, int]:
        buf = self.buf
        n = len(buf)
        m = _WS.match(buf, pos)
        if m is not None:
            pos = m.end()
        if pos >= n:
            return EOF_, None, n
        c = buf[pos]
        if c == 0x25:  # %
            m = _COMMENT.match(buf, pos)
            assert m is not None
            return COMMENT, m.group(), m.end()
        if c == 0x28:  # (
            s = self.string_at(pos)
            if s is not None:
                return STR, s[0], s[1]
            # not a string: step over it and the white space and unclosed "(" that follow
            m = _WS.match(self._parens.unclosed, pos + 1) if self._parens is not None else None
            return DELIM, b"(", m.end() if m is not None else pos + 1
        if c == 0x3C:  # <
            if buf.startswith(b"<<", pos):
                return DELIM, b"<<", pos + 2
            if buf.startswith(b"<~", pos):
                if self._a85_end is None:
                    self._a85_end = Finder(buf, b"~>")
                e = self._a85_end.find(pos + 2)
                if e >= 0:
                    return STR, a85(buf[pos + 2:e]), e + 2
                return DELIM, b"<", pos + 1
            m = _HEX.match(buf, pos)
            if m is not None:
                return STR, hex_bytes(m.group(1)), m.end()
            return DELIM, b"<", pos + 1
        if c == 0x3E:  # >
            if buf.startswith(b">>", pos):
                return DELIM, b">>", pos + 2
            return DELIM, b">", pos + 1
        if c in b"[]{})":
            return DELIM, bytes([c]), pos + 1
        if c == 0x2F:  # /name or //name
            p = pos + 1
            if p < n and buf[p] == 0x2F:
                p += 1
            m = _REGULAR.match(buf, p)
            end = m.end() if m else p
            return NAME, buf[p:end], end
        m = _REGULAR.match(buf, pos)
        if m is None:  # pragma: no cover - every remaining byte is regular
            return DELIM, bytes([c]), pos + 1
        raw = m.group(0)
        if raw[0] in b"+-.0123456789":
            v = number(raw)
            if v is not None:
                return NUM, v, m.end()
        return OP, raw, m.end()
