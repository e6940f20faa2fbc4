"""Print-language classification by content: which page description languages a document holds,
and the job metadata it states itself.

``detect(buf, at)`` names the language the bytes at ``at`` start with, after the bytes drivers put
in front (NUL/whitespace, Ctrl-D). ``detect_all(head, tail, windows)`` names every language of a
document: the first one, and at every Universal Exit Language (UEL) the PJL header and the
language it ENTERs or the printer switches to by itself, so a job that goes
PJL -> PCL 5 -> UEL -> PostScript is ["PJL", "PCL5", "PostScript"]. ``metadata(head, tail)`` runs
the extractor of every language found.

``LANGUAGES`` is the registry, one line per language, ordered from the most specific signature
to the most general; each entry is a module with ``NAME``, ``detect(buf, at) -> bool`` and
``metadata(head, tail, whole) -> list[DocField]``.

Names are those of the JSON contract: PJL, PCL5, PCLXL, PostScript, PDF, PWG-Raster, URF, EMF, XPS,
ZPL, ESC/P, and "unknown" (a non-empty document that none of them recognises; named by the job).

Invariants:
- Work is bounded by the inputs: a head (64 KiB in ``jobs``), a tail (16 KiB) and a few small
  windows at UELs beyond the head. Nothing here sees a whole document.
- A gzip-wrapped document (RFC 1952, e.g. IPP ``compression=gzip``) is classified by its
  decompressed head, inflated to at most ``GZIP_HEAD`` bytes.
"""
from __future__ import annotations

import zlib
from collections.abc import Iterable
from types import ModuleType

from . import emf, escp, pcl, pclxl, pdf, pjl, postscript, raster, urf, xps, zpl
from .fields import DocField

__all__ = ["DocField", "LANGUAGES", "compression", "detect", "detect_all", "gunzip_head", "metadata",
           "skip_prefix"]

LANGUAGES: list[ModuleType] = [
    pjl,
    pclxl,  # before PCL 5: an XL stream header starts with ") HP-PCL XL"
    pdf,
    postscript,
    raster,
    urf,
    emf,  # Windows spool formats (RpcWritePrinter datatypes "NT EMF 1.00x", "XPS_PASS")
    xps,
    pcl,
    zpl,
    escp,
]

PREFIX_SKIP = b"\x00\x04\r\n\t "  # NUL padding, Ctrl-D (PostScript end-of-job), whitespace
GZIP_MAGIC = b"\x1f\x8b"  # RFC 1952 ID1 ID2
GZIP_HEAD = 64 * 1024  # decompressed bytes classified at most
UEL = pjl.UEL


def skip_prefix(buf: bytes, at: int = 0) -> int:
    """Offset of the first byte that is not padding or Ctrl-D."""
    n = len(buf)
    while at < n and buf[at] in PREFIX_SKIP:  # a handful of bytes, bounded by the padding
        at += 1
    return at


def detect(buf: bytes, at: int = 0) -> str | None:
    """The language the bytes at ``at`` start with (PJL wins: it wraps the others), or None."""
    at = skip_prefix(buf, at)
    for lang in LANGUAGES:
        if lang.detect(buf, at):
            return str(lang.NAME)
    return None


def compression(buf: bytes) -> str | None:
    return "gzip" if buf.startswith(GZIP_MAGIC) else None


def gunzip_head(buf: bytes, limit: int = GZIP_HEAD) -> bytes | None:
    """The first ``limit`` decompressed bytes of a gzip member, or None when ``buf`` is not gzip
    (or does not inflate at all). A cut stream gives what could be inflated."""
    if not buf.startswith(GZIP_MAGIC):
        return None
    d = zlib.decompressobj(wbits=31)
    try:
        out = d.decompress(buf, limit)
    except zlib.error:
        return None
    return out or None


def _segment(buf: bytes, at: int, add: list[str]) -> None:
    """Name the language at ``at``; for PJL, also the language after its header."""
    lang = detect(buf, at)
    if lang is None:
        return
    if lang not in add:
        add.append(lang)
    if lang != "PJL":
        return
    body, entered = pjl.header_end(buf, skip_prefix(buf, at))
    inner = None
    if body is not None:
        b = skip_prefix(buf, body)
        if b < len(buf):
            inner = detect(buf, b)
    if inner is not None and inner != "PJL":
        lang = inner
    elif entered is not None and entered != "unknown":
        lang = entered
    else:
        return
    if lang not in add:
        add.append(lang)


def _scan(buf: bytes, add: list[str], from_start: bool) -> None:
    if from_start:
        _segment(buf, skip_prefix(buf), add)
    p = buf.find(UEL, 1 if from_start else 0)
    while p >= 0:
        _segment(buf, p, add)
        p = buf.find(UEL, p + len(UEL))


def detect_all(buf: bytes, tail: bytes = b"", windows: Iterable[bytes] = ()) -> list[str]:
    """Every language a document shows, in order of appearance: in its head ``buf`` (from the
    start and at every UEL), in ``windows`` (bytes from UELs beyond the head) and in ``tail``
    (the document's last bytes, where only UELs are places to look)."""
    inner = gunzip_head(buf)
    if inner is not None:
        return detect_all(inner)
    found: list[str] = []
    _scan(buf, found, True)
    for w in windows:
        _scan(w, found, False)
    if tail:
        _scan(tail, found, False)
    return found


def metadata(head: bytes, tail: bytes = b"", whole: bool = True,
             languages: list[str] | None = None) -> list[DocField]:
    """The fields every language found states, in registry order (PJL first: it is the most
    explicit about user and job name), each module's fields in its own order of preference."""
    inner = gunzip_head(head)
    if inner is not None:
        head, tail, whole, languages = inner, b"", False, None
    langs = detect_all(head, b"" if whole else tail) if languages is None else languages
    out: list[DocField] = []
    for mod in LANGUAGES:
        if mod.NAME in langs:
            out += mod.metadata(head, tail, whole)
    return out
