"""PCL 5 text (HP PCL 5 Printer Language Technical Reference Manual: ch. 2 command syntax, ch. 5
cursor positioning, ch. 15 raster graphics, ch. 11 font management; HP-GL/2 ``LB`` labels).

Bytes outside escape sequences are characters of the current font. Layout: CR, LF, FF and vertical
cursor moves (``ESC*p#Y``, ``ESC&a#R``, ``ESC&a#V``) break lines; horizontal moves (``ESC*p#X``,
``ESC&a#C``, ``ESC&a#H``) forward by more than ``WORD_GAP`` inch make a word space (groff
``-Tlj4`` places words, and kerns within them, this way). Binary payloads are skipped by their
byte counts: ``ESC*b#W``/``ESC*b#V`` raster rows, ``ESC(s#W``/``ESC)s#W`` font and character
downloads, every other ``...#W``; ``ESC&p#X`` transparent print data is text. Characters are read
as Latin-1 (Roman-8 and other symbol sets differ only above 0x7F).

A document with raster rows and no text is "raster": its words are pixels (Ghostscript ``ljet4``).
Pages are counted by form feeds, or by raster blocks (``ESC*r#A``..``ESC*rB``) when no FF is sent.

How: one regular expression matched at each position takes a whole run of text, a run of
control bytes, or a whole escape sequence (with all its value/parameter pairs) at a time, so
Python runs once per text run or sequence, never once per byte; a sequence cut short or carrying a
payload in a combined (lower-case) parameter is parsed pair by pair instead. Linear time: every
byte is read once, payloads are skipped by their counts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..classify import UEL
from ..classify import pcl as pcl_lang
from ._text import TextSink
from .base import Result

NAME = pcl_lang.NAME

_VALUE = rb"[+-]?[0-9]*(?:\.[0-9]*)?"
_PARAM = re.compile(rb"(" + _VALUE + rb")([\x60-\x7e\x40-\x5e])")
_EVENT = re.compile(
    # the two commonest sequences first, as a fast path: a horizontal move followed by the text
    # placed there (groff -Tlj4 writes every word and kern this way), and a raster row (ljet4)
    rb"\x1b\*p(?P<hx>[+-]?[0-9]*(?:\.[0-9]*)?)X(?P<ht>[^\x1b\x00-\x1f]*)"
    rb"|\x1b\*b(?P<row>[0-9]+)W"
    rb"|(?P<t>[^\x1b\x00-\x1f]+)"  # text
    rb"|(?P<c>[\r\n\x0c\t])"  # controls that lay out text
    rb"|(?P<z>[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]+)"  # other controls
    rb"|(?P<uel>\x1b%-12345X)"
    # a complete parameterised sequence: ESC, parameterised and group characters, value/parameter
    # pairs (lower case combines), the last one upper case (PCL 5 TRM ch. 2)
    rb"|\x1b(?P<p1>[\x21-\x2f])(?P<g>[\x60-\x7e]|(?![\x60-\x7e]))"
    rb"(?P<pairs>(?:" + _VALUE + rb"[\x60-\x7e])*" + _VALUE + rb"[\x40-\x5e])"
    rb"|(?P<esc>\x1b)", re.S)
_HPGL_LB = re.compile(rb"LB([^\x03\x1b]{0,4096})\x03?")
WORD_GAP = 1 / 60  # inch
MAX_VALUE = 1 << 30
_P, _A, _B, _S, _R, _U = (ord(c) for c in "pabsru")


@dataclass(slots=True)
class _State:
    sink: TextSink
    units: float = 300.0  # PCL units per inch (ESC & u # D)
    y: float | None = None
    raster_rows: int = 0
    raster_blocks: int = 0
    ff: int = 0
    downloads: int = 0

    def param(self, buf: bytes, q: int, p1: int, g: int, raw: bytes, term: bytes) -> int:
        """Apply one value/parameter pair ending at ``q``; returns where reading goes on (past a
        payload the pair announces)."""
        try:
            v = float(raw) if raw not in (b"", b"+", b"-", b".") else 0.0
        except ValueError:
            v = 0.0
        rel = raw[:1] in (b"+", b"-")
        t = term.upper()
        if t == b"W" or (t == b"V" and p1 == 0x2A and g == _B):  # binary payload
            count = int(min(max(v, 0), MAX_VALUE))
            if p1 == 0x2A and g == _B:
                self.raster_rows += 1
            elif p1 in (0x28, 0x29) and g == _S:
                self.downloads += 1
            return min(len(buf), q + count)
        if t == b"X" and p1 == 0x26 and g == _P:  # transparent print data: text
            count = int(min(max(v, 0), MAX_VALUE))
            self.sink.add(buf[q:q + count].decode("latin-1"))
            return min(len(buf), q + count)
        if p1 == 0x26 and g == _U and t == b"D":
            if v > 0:
                self.units = v
        elif (p1 == 0x2A and g == _P) or (p1 == 0x26 and g == _A):
            # ESC*p: PCL units; ESC&a H/V: decipoints; ESC&a C/R: columns/rows
            scale = self.units if g == _P else 720.0
            if t in (b"Y", b"R", b"V"):
                ny = (self.y or 0.0) + v if rel else v
                if self.y is None or ny != self.y:
                    self.sink.sep("\n")
                self.y = ny
            elif t in (b"X", b"C", b"H"):
                # an absolute column is a separately placed piece; a relative move is a word gap
                # beyond WORD_GAP, kerning below it, another column when far back
                if not rel or (t == b"C" and v > 0) or v > WORD_GAP * scale or v < -scale / 2:
                    self.sink.sep(" ")
        elif p1 == 0x2A and g == _R and t == b"A":
            self.raster_blocks += 1
        elif p1 == 0x25 and g == 0 and t == b"B":  # enter HP-GL/2: labels are text
            return _hpgl(buf, q, self.sink)
        return q


def _payload(p1: int, g: int, term: int) -> bool:
    """Whether a parameter announces bytes of data after it."""
    t = term & ~0x20
    return t == 0x57 or (t == 0x56 and p1 == 0x2A and g == _B) or (t == 0x58 and p1 == 0x26 and g == _P)


def extract(buf: bytes, sink: TextSink) -> Result:
    st = _State(sink)
    pos, n = 0, len(buf)
    while pos < n and not sink.full:
        m = _EVENT.match(buf, pos)
        assert m is not None  # every byte starts one of the alternatives
        kind = m.lastgroup
        pos = m.end()
        if kind == "ht":
            raw = m.group("hx")
            v = float(raw) if raw not in (b"", b"+", b"-", b".") else 0.0
            if raw[:1] not in (b"+", b"-") or v > WORD_GAP * st.units or v < -st.units / 2:
                sink.sep(" ")
            text = m.group("ht")
            if text:
                sink.add(text.decode("latin-1"))
        elif kind == "row":
            st.raster_rows += 1
            pos = min(n, pos + int(m.group("row")))
        elif kind == "t":
            sink.add(m.group().decode("latin-1"))
        elif kind == "c":
            c = buf[m.start()]
            if c == 0x0C:
                st.ff += 1
                sink.sep("\n")
            else:
                sink.sep(" " if c == 0x09 else "\n")
        elif kind == "pairs":
            p1, gc = m.group("p1", "g")
            g = gc[0] if gc else 0
            pairs = _PARAM.findall(m.group("pairs"))
            if any(_payload(p1[0], g, term[0]) for _v, term in pairs[:-1]):
                pos = _by_pairs(st, buf, m.start())  # a payload mid-sequence: the slow path
                continue
            q = pos
            for raw, term in pairs:
                q = st.param(buf, pos, p1[0], g, raw, term)
            pos = q
        elif kind == "esc":
            pos = _by_pairs(st, buf, m.start())
        # "z": other controls, "uel": a UEL inside a segment: nothing to do
    pages = st.ff or st.raster_blocks or None
    detail = f"PCL 5: {pages if pages is not None else '?'} pages"
    if st.raster_rows:
        detail += f", {st.raster_rows} raster rows"
    if st.downloads:
        detail += f", {st.downloads} font downloads"
    if sink.chars:
        return Result("text", detail, pages)
    if st.raster_rows:
        return Result("raster", f"raster: text not recoverable ({pages if pages is not None else '?'} pages); "
                      + detail, pages)
    return Result("no-text", detail, pages)


def _by_pairs(st: _State, buf: bytes, pos: int) -> int:
    """The escape sequence at ``pos`` read pair by pair (cut short, or with a payload inside);
    returns where reading goes on."""
    n = len(buf)
    if pos + 1 >= n:
        return n
    p1 = buf[pos + 1]
    if buf.startswith(UEL, pos):
        return pos + len(UEL)
    if 0x21 <= p1 <= 0x2F and pos + 2 < n:
        g = buf[pos + 2]
        q = pos + 3
        if not 0x60 <= g <= 0x7E:  # no group character: ESC ( 19U, ESC % 0 B
            q = pos + 2
            g = 0
        while q < n:
            pm = _PARAM.match(buf, q)
            if pm is None:
                return q
            q = st.param(buf, pm.end(), p1, g, pm.group(1), pm.group(2))
            if 0x40 <= pm.group(2)[0] <= 0x5E:  # upper case terminates the sequence
                return q
        return n
    if p1 == 0x45:  # ESC E reset
        st.sink.sep("\n")
    return pos + 2


def _hpgl(buf: bytes, pos: int, sink: TextSink) -> int:
    """HP-GL/2 from ``pos`` to the next ESC: the ``LB`` label strings are text."""
    e = buf.find(b"\x1b", pos)
    e = len(buf) if e < 0 else e
    for m in _HPGL_LB.finditer(buf, pos, e):
        sink.sep("\n")
        sink.add(m.group(1).decode("latin-1"))
    return e
