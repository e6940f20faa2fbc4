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

import re
from collections.abc import Callable
from typing import Any

from . import _pstokens as T
from . import _scan
from ._fonts import Font
from ._text import TextSink

WORD_GAP = 0.15  # em
TJ_SPACE = -180  # 1/1000 em: more negative than this is a word gap
TEXT_OPS = frozenset({b"BT", b"ET", b"Tf", b"Td", b"TD", b"Tm", b"T*", b"Tc", b"Tw", b"Tz", b"TL", b"Tj",
                      b"TJ", b"'", b'"'})
_DEFAULT_FONT = Font()
IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
MAX_SAVE = 64  # nested q: deeper saves are not kept


def _num(v: object, default: float = 0.0) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else default


class TextState:
    __slots__ = ("sink", "fonts", "font", "fs", "tc", "tw", "th", "tl", "a", "d", "e", "f", "x", "shown", "ctm",
                 "saved", "shown_ctm")

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
        self.ctm: tuple[float, ...] = IDENTITY  # current transformation matrix (cm, q, Q: ISO 32000-1 8.4.4)
        self.saved: list[tuple[float, ...]] = []
        self.shown_ctm: tuple[float, ...] | None = None  # the CTM of the last text shown

    def _em(self) -> float:
        return abs(self.fs) or 1.0

    def _line(self) -> None:
        self.sink.sep("\n")
        self.x = 0.0

    def _move(self, tx: float, ty: float) -> None:
        if abs(ty * self.d) > 0.01:
            self.sink.sep("\n")
        else:
            em = abs(self.fs) or 1.0
            if tx - self.x > WORD_GAP * em * self.th or tx - self.x < -em:
                self.sink.sep(" ")
        self.e += tx * self.a
        self.f += ty * self.d
        self.x = 0.0

    def cm(self, m: list[float]) -> None:
        a, b, c, d, e, f = m
        A, B, C, D, E, F = self.ctm  # noqa: N806 - the matrix names of the spec
        self.ctm = (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)

    def save(self) -> None:
        if len(self.saved) < MAX_SAVE:
            self.saved.append(self.ctm)

    def restore(self) -> None:
        if self.saved:
            self.ctm = self.saved.pop()

    def _placed(self) -> None:
        """Text drawn under another CTM (matplotlib places each label with its own cm): a line
        break when it moved up or down by more than a third of the font size, else a space."""
        old = self.shown_ctm
        self.shown_ctm = self.ctm
        if old is None:
            return
        em = (abs(self.fs) or 1.0) * (abs(self.ctm[3]) or 1.0)
        if abs(self.ctm[5] - old[5]) > 0.3 * em:
            self.sink.sep("\n")
        elif abs(self.ctm[4] - old[4]) > WORD_GAP * em:
            self.sink.sep(" ")

    def show(self, raw: bytes) -> None:
        self.shown += 1
        if self.ctm is not self.shown_ctm:
            self._placed()
        text, width, codes, spaces = self.font.decode(raw)
        if spaces and " " in text:
            # a space glyph squeezed by negative word spacing (groff's Tw) does not separate words
            adv = self.font.width(32) / 1000.0 * self.fs + self.tc + self.tw
            if adv < 0.1 * self._em():
                text = text.replace(" ", "")
        self.sink.add(text)
        self.x += (width / 1000.0 * self.fs + self.tc * codes + self.tw * spaces) * self.th

    def op(self, name: bytes, args: list[object]) -> None:
        """One text operator with its operands (as a token loop collects them)."""
        if name == b"Tj":
            if args and isinstance(args[-1], bytes):
                self.show(args[-1])
        elif name == b"TJ":
            self.tj(args[-1] if args and isinstance(args[-1], list) else args)
        elif name == b"'":
            self.quote(args[-1] if args and isinstance(args[-1], bytes) else None)
        elif name == b'"':
            if len(args) >= 3:
                self.tw, self.tc = _num(args[-3]), _num(args[-2])
            self.quote(args[-1] if args and isinstance(args[-1], bytes) else None)
        elif name in (b"Td", b"TD"):
            if len(args) >= 2:
                self.td(_num(args[-2]), _num(args[-1]), name == b"TD")
        elif name == b"Tm":
            if len(args) >= 6:
                self.tm(_num(args[-6], 1.0), _num(args[-3], 1.0), _num(args[-2]), _num(args[-1]))
        elif name == b"T*":
            self.tstar()
        elif name == b"Tf":
            if len(args) >= 2:
                self.tf(args[-2] if isinstance(args[-2], bytes) else None, _num(args[-1], 1.0))
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

    def tj(self, arr: list[Any]) -> None:
        for item in arr:
            if isinstance(item, bytes):
                self.show(item)
            elif isinstance(item, (int, float)):
                if item < TJ_SPACE:
                    self.sink.sep(" ")
                self.x -= item / 1000.0 * self.fs * self.th

    def quote(self, raw: bytes | None) -> None:
        self._move(0.0, -self.tl)
        self._line()
        if raw is not None:
            self.show(raw)

    def td(self, tx: float, ty: float, leading: bool) -> None:
        if leading:
            self.tl = -ty
        self._move(tx, ty)

    def tm(self, a: float, d: float, e: float, f: float) -> None:
        if abs(f - self.f) > 0.3 * self._em() * abs(d):  # another baseline
            self.sink.sep("\n")
        else:
            scale = self.a or 1.0
            gap = (e - self.e) / scale - self.x
            if gap > WORD_GAP * self._em() or gap < -self._em():
                self.sink.sep(" ")
        self.a, self.d, self.e, self.f = a, d, e, f
        self.x = 0.0

    def tstar(self) -> None:
        self._move(0.0, -self.tl)
        self._line()

    def tf(self, font: bytes | None, size: float) -> None:
        self.fs = size
        found = self.fonts(font) if font is not None else None
        self.font = found or _DEFAULT_FONT


_NUMS = frozenset({b"TD", b"Tm", b"Tc", b"Tw", b"Tz", b"TL"})
_TJ_ITEM = re.compile(rb"(" + _scan.STRING + rb")|(" + _scan.HEX + rb")|(" + _scan.NUMBER + rb")", re.S)


def fast(st: TextState, kind: str, name: bytes, m: re.Match[bytes]) -> bool:
    """Run the text operator ``name`` of a ``_scan`` event of ``kind`` whose operands have the
    usual shape (numbers for ``Td``, a name and a size for ``Tf``, one string for ``Tj``, an array
    for ``TJ``) without building token lists; False when the shape is another one (the caller
    then takes the general path). The hot path of every text extractor: kept flat."""
    if kind == "num":
        vals = m.group("na").split()
        if name == b"Td":
            if len(vals) < 2:
                return False
            try:
                tx, ty = float(vals[-2]), float(vals[-1])
            except ValueError:
                return False
            st._move(tx, ty)
            return True
        if name == b"Tf":
            if len(vals) < 2 or vals[-2][:1] != b"/":
                return False
            try:
                size = float(vals[-1])
            except ValueError:
                return False
            st.tf(vals[-2][2:] if vals[-2][:2] == b"//" else vals[-2][1:], size)
            return True
        if name not in _NUMS:
            return False
        try:
            nums = [float(v) for v in vals]
        except ValueError:
            return False
        if name == b"Tc":
            st.tc = nums[-1]
        elif name == b"Tw":
            st.tw = nums[-1]
        elif name == b"Tm":
            if len(nums) >= 6:
                st.tm(nums[-6], nums[-3], nums[-2], nums[-1])
        elif name == b"TD":
            if len(nums) >= 2:
                st.td(nums[-2], nums[-1], True)
        elif name == b"Tz":
            st.th = nums[-1] / 100.0
        else:  # TL
            st.tl = nums[-1]
        return True
    if kind == "op":
        if name != b"Tj" and name != b"'":
            return False
        s, sa = m.group("s", "sa")
        if sa and not sa.isspace():
            return False
        raw = s[1:-1]
        if s[0] == 0x28:
            if b"\\" in raw:
                raw = T.unescape(raw)
        else:
            raw = T.hex_bytes(raw)
        if name == b"Tj":
            st.show(raw)
        else:
            st.quote(raw)
        return True
    if kind == "arr":
        a, aa = m.group("a", "aa")
        if name != b"TJ" or (aa and not aa.isspace()):
            return False
        items: list[Any] = []
        for s, h, n in _TJ_ITEM.findall(a):
            if s:
                items.append(T.unescape(s[1:-1]))
            elif h:
                items.append(T.hex_bytes(h[1:-1]))
            else:
                num = T.number(n)
                if num is not None:
                    items.append(num)
        st.tj(items)
        return True
    if kind == "bare":
        if name == b"BT":
            st.x = 0.0
        elif name == b"T*":
            st.tstar()
        elif name != b"ET":
            return False
        return True
    return False
