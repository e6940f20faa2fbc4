"""Readable text of a reassembled print document, for evidence (PII counts, masked excerpt).

``extract_text(data, languages)`` walks the document the way a printer does: a PJL header (skipped:
its fields are reported from ``classify.pjl``), the language it ENTERs or the printer detects, up
to the next Universal Exit Language (UEL), and again after it. Each segment goes to the extractor
of its language, one line per language in ``EXTRACTORS``; each module cites its spec:

- ``postscript``: show-family string operands, DSC title/for values, ps2write's PDF operators;
- ``pdf``: content streams through fonts' ToUnicode/encodings;
- ``pcl``: PCL 5 text between escape sequences;
- ``pclxl``: ``Text`` operator ``TextData``;
- ``raster``, ``urf``: PWG Raster and URF (never text: status "raster" with the page count);
- ``plaintext``: a segment in no language: plain text as it is (PEM key and certificate bodies
  left out), anything else named by kind (a script, a key, an executable: ``classify.filekind``).

Each extractor is a module meeting ``base.Language`` (``NAME``, ``extract(body, sink) -> Result``);
``plaintext`` is the one a segment no language claims goes to.

``TextResult.status``: "text" (some readable text), "raster" (pages are pixels: text not
recoverable without OCR), "no-text" (a known language but nothing readable, or damaged),
"unsupported" (no extractor for the language), "truncated" (text cut at ``max_chars``, or
extraction stopped by the work budget with some text found). ``TextResult.limits`` names every
limit that cut the result short ("max_chars", "work_budget"), and the detail says so too.

Invariants: never raises on malformed input (an extractor bug on one segment is caught here and
named in the detail); memory is bounded by ``max_chars`` and each extractor's decompression and
object caps; gzip-wrapped documents (IPP ``compression=gzip``) are unwrapped once and inflate to
at most ``MAX_GUNZIP``. Time is linear in the document: every extractor reads its segment in one
pass, and the work that can exceed that (PDF streams inflated, content streams and forms run for
each page or ``Do``, CMaps parsed) is charged to a budget of ``WORK_BASE + WORK_PER_BYTE`` units
per document byte (``_text.TextSink.charge``); when it is spent, extraction stops there.
"""
from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass

from ..classify import GZIP_MAGIC, UEL, detect, pjl, skip_prefix
from . import pcl, pclxl, pdf, plaintext, postscript, raster, urf
from ._text import TextSink
from .base import Language, Result

__all__ = ["EXTRACTORS", "Language", "Result", "TextResult", "extract_text"]

log = logging.getLogger(__name__)

MAX_GUNZIP = 64 << 20
MAX_SEGMENTS = 1000
WORK_BASE = 8 << 20  # work units (bytes processed) any document may spend, about 0.5 s...
WORK_PER_BYTE = 32  # ...plus this many per byte of the document (inflated content runs 3-10x)

EXTRACTORS: list[Language] = [
    postscript,
    pdf,
    pcl,
    pclxl,
    raster,
    urf,
]
_BY_NAME = {x.NAME: x for x in EXTRACTORS}


@dataclass(slots=True, frozen=True)
class TextResult:
    text: str  # extracted readable text ('' when none), at most max_chars
    status: str  # "text" | "raster" | "no-text" | "unsupported" | "truncated"
    detail: str
    pages: int | None
    limits: tuple[str, ...] = ()  # limits that cut the result short: "max_chars", "work_budget"


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
        if data.startswith(GZIP_MAGIC):
            inner = _gunzip(data)
            if not inner:
                return TextResult("", "no-text", "gzip: does not inflate", None)
            r = _extract(inner, [], max_chars)
            return TextResult(r.text, r.status, "gzip; " + r.detail, r.pages, r.limits)
        return _extract(data, list(languages or []), max_chars)
    except Exception as exc:  # a bug must not cost the caller its finding: say so, do not raise
        log.debug("text extraction failed", exc_info=True)
        return TextResult("", "no-text", f"extractor error: {type(exc).__name__}", None)


def new_sink(data: bytes, max_chars: int) -> TextSink:
    """The text sink of one document: ``max_chars`` and the document's work budget."""
    return TextSink(max_chars, WORK_BASE + WORK_PER_BYTE * len(data))


def _extract(data: bytes, languages: list[str], max_chars: int) -> TextResult:
    sink = new_sink(data, max_chars)
    statuses: list[str] = []
    details: list[str] = []
    pages: int | None = None
    for lang, body in _segments(data, languages):
        if sink.full:
            break
        extractor = _BY_NAME.get(lang) if lang is not None else plaintext
        if extractor is None:
            statuses.append("unsupported")
            details.append(f"{lang or 'unknown language'}: no text extractor")
            continue
        sink.sep("\n")
        try:
            r: Result = extractor.extract(body, sink)
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
    limits: list[str] = []
    if sink.truncated:
        limits.append("max_chars")
    if sink.exhausted:
        limits.append("work_budget")
        details.insert(0, f"stopped: work budget of {WORK_BASE + WORK_PER_BYTE * len(data)} exhausted")
    if sink.truncated or (sink.exhausted and sink.chars):
        status = "truncated"
    elif sink.chars:
        status = "text"
    elif "raster" in statuses:
        status = "raster"
    elif "no-text" in statuses or "text" in statuses:
        status = "no-text"
    else:
        status = "unsupported"
    return TextResult(text if sink.chars else "", status, "; ".join(details)[:1000], pages, tuple(limits))
