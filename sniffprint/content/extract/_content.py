"""Text operators of PDF content streams (ISO 32000-1 section 9.4), also used for the PDF-style page
content that Ghostscript's ``ps2write`` embeds in PostScript.

``TextState.op(name, operands)`` follows ``BT``/``ET``, ``Tf``, ``Td``/``TD``/``Tm``/``T*``,
``Tc``/``Tw``/``Tz``/``TL`` and shows ``Tj``, ``TJ``, ``'`` and ``"``. Layout is approximated
cheaply, the way the page would read:
- a move to another baseline (``T*``, ``'``, ``"``, a ``Td`` with a vertical part, a ``Tm`` with
  another ``f``) is a line break;
- on the same baseline the gap between where the last piece ended (its glyph widths, or half an
  em per glyph without widths) and where the next starts is a word space when it exceeds
  ``WORD_GAP`` em; a ``TJ`` adjustment beyond ``TJ_SPACE`` thousandths of an em is one too.
So kerned pieces (``[(CAN)35(AR)]TJ``, or ``Td`` by a glyph's width) stay one word.
"""
from __future__ import annotations

from collections.abc import Callable

from ._fonts import Font
from ._text import TextSink

WORD_GAP = 0.15  # em
TJ_SPACE = -180  # 1/1000 em: more negative than this is a word gap
TEXT_OPS = frozenset({b"BT", b"ET", b"Tf", b"Td", b"TD", b"Tm", b"T*", b"Tc", b"Tw", b"Tz", b"TL", b"Tj",
                      b"TJ", b"'", b'"'})
_DEFAULT_FONT = Font()


def _num(v: object, default: float = 0.0) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else default


class TextState:
    __slots__ = ("sink", "fonts", "font", "fs", "tc", "tw", "th", "tl", "a", "d", "e", "f", "x", "shown")

    def __init__(self, sink: TextSink, fonts: Callable[[bytes], Font | None]) -> None:
        self.sink = sink
        self.fonts = fonts
        self.font = _DEFAULT_FONT
        self.fs = 1.0
        self.tc = self.tw = 0.0
        self.th = 1.0
        self.tl = 0.0
        self.a = self.d = 1.0
        self.e = self.f = 0.0
        self.x = 0.0  # advance since the line origin, text space units
        self.shown = 0  # show operators seen

    def _em(self) -> float:
        return abs(self.fs) or 1.0

    def _line(self) -> None:
        self.sink.sep("\n")
        self.x = 0.0

    def _move(self, tx: float, ty: float) -> None:
        if abs(ty * self.d) > 0.01:
            self.sink.sep("\n")
        elif tx - self.x > WORD_GAP * self._em() * self.th or tx - self.x < -self._em():
            self.sink.sep(" ")
        self.e += tx * self.a
        self.f += ty * self.d
        self.x = 0.0

    def show(self, raw: bytes) -> None:
        self.shown += 1
        text, width, codes, spaces = self.font.decode(raw)
        if spaces and " " in text:
            # a space glyph squeezed by negative word spacing (groff's Tw) does not separate words
            adv = self.font.width(32) / 1000.0 * self.fs + self.tc + self.tw
            if adv < 0.1 * self._em():
                text = text.replace(" ", "")
        self.sink.add(text)
        self.x += (width / 1000.0 * self.fs + self.tc * codes + self.tw * spaces) * self.th

    def op(self, name: bytes, args: list[object]) -> None:
        if name == b"Tj":
            if args and isinstance(args[-1], bytes):
                self.show(args[-1])
        elif name == b"TJ":
            arr = args[-1] if args and isinstance(args[-1], list) else args
            for item in arr:
                if isinstance(item, bytes):
                    self.show(item)
                elif isinstance(item, (int, float)):
                    if item < TJ_SPACE:
                        self.sink.sep(" ")
                    self.x -= item / 1000.0 * self.fs * self.th
        elif name == b"'":
            self._move(0.0, -self.tl)
            self._line()
            if args and isinstance(args[-1], bytes):
                self.show(args[-1])
        elif name == b'"':
            if len(args) >= 3:
                self.tw, self.tc = _num(args[-3]), _num(args[-2])
            self._move(0.0, -self.tl)
            self._line()
            if args and isinstance(args[-1], bytes):
                self.show(args[-1])
        elif name in (b"Td", b"TD"):
            if len(args) >= 2:
                tx, ty = _num(args[-2]), _num(args[-1])
                if name == b"TD":
                    self.tl = -ty
                self._move(tx, ty)
        elif name == b"Tm":
            if len(args) >= 6:
                a, d, e, f = (_num(args[-6], 1.0), _num(args[-3], 1.0), _num(args[-2]), _num(args[-1]))
                if abs(f - self.f) > 0.3 * self._em() * abs(d):  # another baseline
                    self.sink.sep("\n")
                else:
                    scale = self.a or 1.0
                    gap = (e - self.e) / scale - self.x
                    if gap > WORD_GAP * self._em() or gap < -self._em():
                        self.sink.sep(" ")
                self.a, self.d, self.e, self.f = a, d, e, f
                self.x = 0.0
        elif name == b"T*":
            self._move(0.0, -self.tl)
            self._line()
        elif name == b"Tf":
            if len(args) >= 2:
                self.fs = _num(args[-1], 1.0)
                font = self.fonts(args[-2]) if isinstance(args[-2], bytes) else None
                self.font = font or _DEFAULT_FONT
        elif name == b"Tc":
            self.tc = _num(args[-1]) if args else 0.0
        elif name == b"Tw":
            self.tw = _num(args[-1]) if args else 0.0
        elif name == b"Tz":
            self.th = _num(args[-1], 100.0) / 100.0 if args else 1.0
        elif name == b"TL":
            self.tl = _num(args[-1]) if args else 0.0
        elif name == b"BT":
            # the text matrix restarts at identity, but the previous baseline is kept so the next
            # Tm can be compared with it (a new BT block on the same line is not a line break)
            self.x = 0.0
