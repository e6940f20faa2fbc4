"""Readable text of a reassembled print document, for evidence (PII counts, masked excerpt).

``extract_text(data, languages)`` walks the document the way a printer does: a PJL header (skipped:
its fields are reported from ``classify.pjl``), the language it ENTERs or the printer detects, up
to the next Universal Exit Language (UEL), and again after it. Each segment goes to the extractor
of its language, one line per language in ``EXTRACTORS``; each module cites its spec:

- ``postscript``: show-family string operands, DSC title/for values, ps2write's PDF operators;
- ``pdf``: content streams through fonts' ToUnicode/encodings;
- ``pcl``: PCL 5 text between escape sequences;
- ``pclxl``: ``Text`` operator ``TextData``;
- ``raster``: PWG Raster and URF (never text: status "raster" with the page count);
- ``plaintext``: a segment in no language: plain text as it is (PEM key and certificate bodies
  left out), anything else named by kind (a script, a key, an executable: ``classify.filekind``).

``TextResult.status``: "text" (some readable text), "raster" (pages are pixels: text not
recoverable without OCR), "no-text" (a known language but nothing readable, or damaged),
"unsupported" (no extractor for the language), "truncated" (text cut at ``max_chars``).

Invariants: never raises on malformed input (an extractor bug on one segment is caught here and
named in the detail); memory is bounded by ``max_chars`` and each extractor's decompression and
object caps; gzip-wrapped documents (IPP ``compression=gzip``) inflate to at most ``MAX_GUNZIP``.
"""
from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..classify import detect, pjl, skip_prefix
from . import pcl, pclxl, pdf, plaintext, postscript, raster
from ._text import TextSink

__all__ = ["EXTRACTORS", "TextResult", "extract_text"]

log = logging.getLogger(__name__)

UEL = b"\x1b%-12345X"
MAX_GUNZIP = 64 << 20
MAX_SEGMENTS = 1000

EXTRACTORS: dict[str, Callable[[bytes, TextSink], Any]] = {
    "PostScript": postscript.extract,
    "PDF": pdf.extract,
    "PCL5": pcl.extract,
    "PCLXL": pclxl.extract,
    "PWG-Raster": raster.extract_pwg,
    "URF": raster.extract_urf,
}


@dataclass(slots=True, frozen=True)
class TextResult:
    text: str  # extracted readable text ('' when none), at most max_chars
    status: str  # "text" | "raster" | "no-text" | "unsupported" | "truncated"
    detail: str
    pages: int | None


def _segments(data: bytes, languages: list[str]) -> list[tuple[str | None, bytes]]:
    """(language, body) for each part of the document between UELs, PJL headers removed."""
    hint = next((lang for lang in languages if lang not in ("PJL", "unknown")), None)
    out: list[tuple[str | None, bytes]] = []
    starts = [0]
    p = data.find(UEL)
    while p >= 0 and len(starts) < MAX_SEGMENTS:
        if p > 0:
            starts.append(p)
        p = data.find(UEL, p + len(UEL))
    starts.append(len(data))
    for a, b in zip(starts, starts[1:], strict=False):
        part = data[a:b]
        at = skip_prefix(part, len(UEL) if part.startswith(UEL) else 0)
        entered: str | None = None
        if part[at:at + 4].upper() == b"@PJL":
            try:
                body, entered = pjl.header_end(part, at)
            except (UnicodeError, ValueError):  # a mangled ENTER value: treat it as unnamed
                body, entered = _pjl_end(part, at), None
            if body is None:
                continue  # only PJL (a header, EOJ, or cut): no document text
            at = skip_prefix(part, body)
        if at >= len(part):
            continue
        lang = detect(part, at)
        if lang in (None, "PJL"):
            lang = entered if entered not in (None, "unknown") else (hint if a == 0 or entered else None)
        out.append((lang, part[at:]))
    return out


def _pjl_end(part: bytes, at: int) -> int | None:
    """End of the PJL lines at ``at`` without interpreting them (fallback for odd headers)."""
    p = part.find(UEL, at + 1)
    end = len(part) if p < 0 else p
    q = at
    while q < end and part[q:q + 4].upper() == b"@PJL":
        nl = part.find(b"\n", q, end)
        if nl < 0:
            return None
        q = skip_prefix(part, nl + 1)
    return q


def _gunzip(data: bytes) -> bytes:
    d = zlib.decompressobj(wbits=31)
    try:
        return d.decompress(data, MAX_GUNZIP)
    except zlib.error:
        return b""


def extract_text(data: bytes, languages: list[str], *, max_chars: int = 1_000_000) -> TextResult:
    """Readable text of a whole document as sent; see the module docstring for the statuses."""
    try:
        data = bytes(data)
        if data.startswith(b"\x1f\x8b"):
            inner = _gunzip(data)
            if not inner:
                return TextResult("", "no-text", "gzip: does not inflate", None)
            r = extract_text(inner, [], max_chars=max_chars)
            return TextResult(r.text, r.status, "gzip; " + r.detail, r.pages)
        return _extract(data, list(languages or []), max_chars)
    except Exception as exc:  # a bug must not cost the caller its finding: say so, do not raise
        log.debug("text extraction failed", exc_info=True)
        return TextResult("", "no-text", f"extractor error: {type(exc).__name__}", None)


def _extract(data: bytes, languages: list[str], max_chars: int) -> TextResult:
    sink = TextSink(max_chars)
    statuses: list[str] = []
    details: list[str] = []
    pages: int | None = None
    for lang, body in _segments(data, languages):
        if sink.full:
            break
        fn = EXTRACTORS.get(lang) if lang is not None else plaintext.extract
        if fn is None:
            statuses.append("unsupported")
            details.append(f"{lang or 'unknown language'}: no text extractor")
            continue
        sink.sep("\n")
        try:
            r = fn(body, sink)
        except Exception as exc:  # one damaged segment must not lose the others
            log.debug("%s extractor failed", lang, exc_info=True)
            statuses.append("no-text")
            details.append(f"{lang}: extractor error {type(exc).__name__}")
            continue
        statuses.append(r.status)
        details.append(r.detail)
        if r.pages is not None:
            pages = (pages or 0) + r.pages
    text = sink.text()
    if not statuses:
        return TextResult("", "no-text", "no document body (PJL only or empty)", None)
    if sink.truncated:
        status = "truncated"
    elif sink.chars:
        status = "text"
    elif "raster" in statuses:
        status = "raster"
    elif "no-text" in statuses or "text" in statuses:
        status = "no-text"
    else:
        status = "unsupported"
    return TextResult(text if sink.chars else "", status, "; ".join(details)[:1000], pages)
