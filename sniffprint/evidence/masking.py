"""Word shapes: proof that readable text crossed the wire, without showing it.

``mask_text`` keeps the shape of text and nothing of its content: every letter becomes ``x`` or
``X`` (case kept), every other alphanumeric character (digits of any script, numeric signs such as
``½``) becomes ``9``, punctuation and symbols stay, and each run of whitespace becomes one space.
``"Alice Example, SSN 078-05-1120"`` -> ``"Xxxxx Xxxxxxx, XXX 999-99-9999"``.

Invariants (property-tested): no alphanumeric character of the input survives except as
``x``/``X``/``9``, and masking its own output changes nothing (idempotent).
"""
from __future__ import annotations

import re

__all__ = ["mask_text", "masked_excerpt"]

_WS = re.compile(r"\s+")
ELLIPSIS = "\u2026"


def _shape(c: str) -> str:
    if c.isalpha():
        return "X" if c.isupper() else "x"
    if c.isalnum():
        return "9"
    return c


def mask_text(text: str) -> str:
    """The word shape of ``text`` (see the module docstring)."""
    return "".join(_shape(c) if c.isalnum() else c for c in _WS.sub(" ", text))


def masked_excerpt(text: str, max_len: int = 240) -> str:
    """The shape of the first ``max_len`` characters of meaningful text (whitespace collapsed and
    trimmed), with ``…`` when the text goes on."""
    flat = _WS.sub(" ", text).strip()
    max_len = max(0, int(max_len))
    cut = len(flat) > max_len
    shown = mask_text(flat[:max_len]).rstrip() if cut else mask_text(flat)
    return shown + ELLIPSIS if cut else shown
