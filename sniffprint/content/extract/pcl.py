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
"""
from __future__ import annotations

import re

from ..classify import UEL
from ..classify import pcl as pcl_lang
from ._text import TextSink
from .base import Result

NAME = pcl_lang.NAME

_PARAM = re.compile(rb"([+-]?[0-9]*(?:\.[0-9]*)?)([\x60-\x7e\x40-\x5e])")
_TEXT = re.compile(rb"[^\x1b\x00-\x1f]+")
_HPGL_LB = re.compile(rb"LB([^\x03\x1b]{0,4096})\x03?")
WORD_GAP = 1 / 60  # inch
MAX_VALUE = 1 << 30


def extract(buf: bytes, sink: TextSink) -> Result:
    pos, n = 0, len(buf)
    units = 300.0  # PCL units per inch (ESC & u # D)
    raster_rows = 0
    raster_blocks = 0
    ff = 0
    downloads = 0
    y: float | None = None
    while pos < n and not sink.full:
        m = _TEXT.match(buf, pos)
        if m is not None:
            sink.add(m.group(0).decode("latin-1"))
            pos = m.end()
            continue
        c = buf[pos]
        if c != 0x1B:
            if c in (0x0A, 0x0D):
                sink.sep("\n")
            elif c == 0x0C:
                ff += 1
                sink.sep("\n")
            elif c == 0x09:
                sink.sep(" ")
            pos += 1
            continue
        # ESC: parameterised (ESC ! .. / , group ` .. ~, value+parameter pairs) or two-character
        if pos + 1 >= n:
            break
        p1 = buf[pos + 1]
        if buf.startswith(UEL, pos):  # UEL inside a segment: skip it
            pos += len(UEL)
            continue
        if 0x21 <= p1 <= 0x2F and pos + 2 < n:
            g = buf[pos + 2]
            q = pos + 3
            if not 0x60 <= g <= 0x7E:  # no group character: ESC ( 19U, ESC % 0 B
                q = pos + 2
                g = 0
            while q < n:
                pm = _PARAM.match(buf, q)
                if pm is None:
                    pos = q
                    break
                q = pm.end()
                raw, term = pm.group(1), pm.group(2)
                try:
                    v = float(raw) if raw not in (b"", b"+", b"-", b".") else 0.0
                except ValueError:
                    v = 0.0
                rel = raw[:1] in (b"+", b"-")
                t = term.upper() if isinstance(term, bytes) else term
                cmd = (p1, g, t[0])
                if t == b"W" or (t == b"V" and cmd[:2] == (0x2A, ord("b"))):  # binary payload
                    count = int(min(max(v, 0), MAX_VALUE))
                    if cmd[:2] == (0x2A, ord("b")):
                        raster_rows += 1
                    elif cmd[:2] in ((0x28, ord("s")), (0x29, ord("s"))):
                        downloads += 1
                    q = min(n, q + count)
                elif cmd == (0x26, ord("p"), ord("X")):  # transparent print data: text
                    count = int(min(max(v, 0), MAX_VALUE))
                    sink.add(buf[q:q + count].decode("latin-1"))
                    q = min(n, q + count)
                elif cmd == (0x26, ord("u"), ord("D")) and v > 0:
                    units = v
                elif cmd[:2] in ((0x2A, ord("p")), (0x26, ord("a"))):
                    # ESC*p: PCL units; ESC&a H/V: decipoints; ESC&a C/R: columns/rows
                    scale = units if cmd[1] == ord("p") else 720.0
                    if t in (b"Y", b"R", b"V"):
                        ny = (y or 0.0) + v if rel else v
                        if y is None or ny != y:
                            sink.sep("\n")
                        y = ny
                    elif t in (b"X", b"C", b"H"):
                        # an absolute column is a separately placed piece; a relative move is a word
                        # gap beyond WORD_GAP, kerning below it, another column when far back
                        if not rel or (t == b"C" and v > 0) or v > WORD_GAP * scale or v < -scale / 2:
                            sink.sep(" ")
                elif cmd == (0x2A, ord("r"), ord("A")):
                    raster_blocks += 1
                elif cmd == (0x25, 0, ord("B")):  # enter HP-GL/2: labels are text
                    q = _hpgl(buf, q, sink)
                if 0x40 <= term[0] <= 0x5E:  # upper case terminates the sequence
                    pos = q
                    break
            else:
                pos = n
            continue
        if p1 == 0x45:  # ESC E reset
            sink.sep("\n")
        pos += 2
    pages = ff or raster_blocks or None
    detail = f"PCL 5: {pages if pages is not None else '?'} pages"
    if raster_rows:
        detail += f", {raster_rows} raster rows"
    if downloads:
        detail += f", {downloads} font downloads"
    if sink.chars:
        return Result("text", detail, pages)
    if raster_rows:
        return Result("raster", f"raster: text not recoverable ({pages if pages is not None else '?'} pages); "
                      + detail, pages)
    return Result("no-text", detail, pages)


def _hpgl(buf: bytes, pos: int, sink: TextSink) -> int:
    """HP-GL/2 from ``pos`` to the next ESC: the ``LB`` label strings are text."""
    e = buf.find(b"\x1b", pos)
    e = len(buf) if e < 0 else e
    for m in _HPGL_LB.finditer(buf, pos, e):
        sink.sep("\n")
        sink.add(m.group(1).decode("latin-1"))
    return e
