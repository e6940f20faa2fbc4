"""Bounded text accumulation, and the per-document work budget, shared by the extractors.

Extractors call ``sep`` when the page geometry says a word or line boundary lies between two
pieces of text, and ``add`` for the pieces themselves. A newline request wins over a space; no
separator is written before the first piece, and none doubles whitespace already written.
The sink holds at most ``max_chars`` characters: beyond that ``full`` turns true, ``truncated`` is
recorded, and every further ``add`` is a no-op, so a hostile document costs no memory.

The sink also carries the document's work budget (``work``): every place where an extractor's work
can exceed its input (inflating a stream, running a content stream or form again for another page
or another ``Do``, parsing a font's CMap) ``charge``s the bytes it is about to process; once the
budget is spent, ``exhausted`` is set, ``full`` turns true and the extractors stop, and
``extract_text`` says so in its result. Extractors whose work is proportional to their input by
construction (one pass) need no charges.
"""
from __future__ import annotations

_CONTROL = {c: None for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)}  # C0 controls but TAB, LF, CR
_CONTROL[0x7F] = None
UNLIMITED = 1 << 62


class TextSink:
    __slots__ = ("_parts", "_n", "max_chars", "truncated", "_pending", "_last", "chars", "work", "exhausted")

    def __init__(self, max_chars: int, work: int = UNLIMITED) -> None:
        self._parts: list[str] = []
        self._n = 0
        self.max_chars = max(0, int(max_chars))
        self.truncated = False
        self._pending = ""
        self._last = ""
        self.chars = 0  # non-zero once a non-white-space character was written
        self.work = work  # work units (bytes processed) left
        self.exhausted = False

    @property
    def full(self) -> bool:
        """True when no more text can be written or no more work done: extractors stop."""
        return self._n >= self.max_chars or self.exhausted

    def charge(self, units: int) -> bool:
        """Spend ``units`` of the work budget; False (and ``exhausted``) when it is spent."""
        self.work -= units
        if self.work < 0:
            self.exhausted = True
        return not self.exhausted

    def sep(self, s: str) -> None:
        """Ask for a ``" "`` or ``"\\n"`` before the next piece of text."""
        if s == "\n" or not self._pending:
            self._pending = s

    def _write(self, s: str) -> None:
        room = self.max_chars - self._n
        if room <= 0:
            self.truncated = True
            return
        if len(s) > room:
            s = s[:room]
            self.truncated = True
        self._parts.append(s)
        self._n += len(s)
        self._last = s[-1]

    def add(self, text: str) -> None:
        if not text.isprintable():  # controls (TAB, LF and CR too): the rare, slower path
            text = text.translate(_CONTROL).replace("\r", "\n")
        if not text:
            return
        if self._pending:
            if self._n and not self._last.isspace() and not text[0].isspace():
                self._write(self._pending)
            elif self._n and self._pending == "\n" and self._last != "\n":
                self._write("\n")
            self._pending = ""
        if not self.chars:
            self.chars = sum(map(len, text.split()))
        self._write(text)

    def text(self) -> str:
        return "".join(self._parts)
