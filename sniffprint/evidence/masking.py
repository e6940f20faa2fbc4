"""Word shapes: proof that readable text crossed the wire, without showing it.

``mask_text`` keeps the shape of text and nothing of its content. The text is first brought to
Unicode compatibility form (NFKC), so letters dressed as symbols become letters (enclosed ``Ⓒ``,
fullwidth ``Ａ``, mathematical ``𝐀``); then every letter of any script becomes ``x`` or ``X`` (upper
case ``X``), every number (digits of any script, ``½``, Roman numerals) ``9``, every combining mark
(accents, vowel signs of Indic scripts, Hebrew points) is dropped, punctuation and symbols stay,
and each run of whitespace becomes one space.
``"Alice Example, SSN 078-05-1120"`` -> ``"Xxxxx Xxxxxxx, XXX 999-99-9999"``.

Invariants (property-tested): no letter, number or mark of the input survives, before or after
NFKC, except as ``x``/``X``/``9``, and masking its own output changes nothing (idempotent).
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["mask_text", "masked_excerpt"]

_WS = re.compile(r"\s+")
ELLIPSIS = "\u2026"


def _shape(c: str) -> str:
    cat = unicodedata.category(c)
    if cat[0] == "L":
        return "X" if cat == "Lu" or cat == "Lt" else "x"
    if cat[0] == "N":
        return "9"
    if cat[0] == "M":
        return ""  # a mark only changes the letter before it, already masked
    return c


class _Shapes(dict[int, str]):
    """``str.translate`` table of code point -> shape, filled on first sight of each character (the
    translation runs in C; Python is called once per distinct character, not once per character).
    Bounded: past ``LIMIT`` distinct characters (hostile text cycling through Unicode) new ones are
    shaped without being kept."""

    LIMIT = 8192

    def __missing__(self, cp: int) -> str:
        c = chr(cp)
        shape = c if c.isascii() and not c.isalnum() else _shape(c)
        if len(self) < self.LIMIT:
            self[cp] = shape
        return shape


_SHAPES = _Shapes()
# ASCII text (most print jobs) is shaped as bytes: one 256-entry table, no call per character
_ASCII = bytes(ord(_SHAPES[b]) if b < 128 else b for b in range(256))


def mask_text(text: str) -> str:
    """The word shape of ``text`` (see the module docstring)."""
    if text.isascii():  # NFKC keeps ASCII as it is
        return _WS.sub(" ", text.encode("ascii").translate(_ASCII).decode("ascii"))
    flat = unicodedata.normalize("NFKC", text)
    # after shaping: a dropped mark can leave two spaces side by side
    return _WS.sub(" ", flat.translate(_SHAPES))


def masked_excerpt(text: str, max_len: int = 240) -> str:
    """The shape of the first ``max_len`` characters of meaningful text (whitespace collapsed and
    trimmed), with ``…`` when the text goes on."""
    max_len = max(0, int(max_len))
    # NFKC expands at most 18-fold (U+FDFA); masking drops marks: mask a bounded prefix, then cut
    masked = _WS.sub(" ", mask_text(text[: 18 * max_len + 64])).strip()
    cut = len(masked) > max_len or len(text) > 18 * max_len + 64
    shown = masked[:max_len].rstrip() if cut else masked
    return shown + ELLIPSIS if cut else shown
