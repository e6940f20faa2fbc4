"""Print-language classification by content: which page description language a byte string is.

``detect(head)`` names the language a document (or a stream) *starts* with, after the bytes that
drivers put in front of it (NUL/whitespace, Ctrl-D, the PJL Universal Exit Language, PJL lines,
TBCP). ``LANGUAGES`` is the registry: one line per language, ordered from the most specific
signature to the most general, each a module with ``NAME`` and ``detect(buf, at) -> bool``.

Names are those of the JSON contract: PJL, PCL5, PCLXL, PostScript, PDF, PWG-Raster, URF, ZPL,
ESC/P, unknown.
"""
from __future__ import annotations

from types import ModuleType

from . import escp, pcl, pclxl, pdf, pjl, postscript, raster, urf, zpl

LANGUAGES: list[ModuleType] = [
    pjl,
    pclxl,  # before PCL 5: an XL stream header starts with ") HP-PCL XL"
    pdf,
    postscript,
    raster,
    urf,
    pcl,
    zpl,
    escp,
]

PREFIX_SKIP = b"\x00\x04\r\n\t "  # NUL padding, Ctrl-D (PostScript end-of-job), whitespace


def skip_prefix(buf: bytes, at: int = 0) -> int:
    """Offset of the first byte that is not padding or Ctrl-D."""
    n = len(buf)
    while at < n and buf[at] in PREFIX_SKIP:
        at += 1
    return at


def detect(buf: bytes, at: int = 0) -> str | None:
    """The language the bytes at ``at`` start with (PJL wins: it wraps the others), or None."""
    at = skip_prefix(buf, at)
    for lang in LANGUAGES:
        if lang.detect(buf, at):
            return str(lang.NAME)
    return None


def detect_all(buf: bytes) -> list[str]:
    """Every language the head of a document shows: PJL and the language PJL switches to."""
    found: list[str] = []
    at = skip_prefix(buf)
    first = detect(buf, at)
    if first is None:
        return found
    found.append(first)
    if first == "PJL":
        body = pjl.body_offset(buf, at)
        if body is not None:
            lang = detect(buf, body)
            if lang and lang != "PJL":
                found.append(lang)
            elif lang is None:
                entered = pjl.entered_language(buf)
                if entered:
                    found.append(entered)
    return found
