"""PDF (ISO 32000-1: 7.5.2 file header, 7.5.5 trailer, 7.5.8 cross-reference streams, 14.3.3
document information dictionary, 14.3.2 metadata streams / XMP).

Detection: ``%PDF-x.y`` (possibly after a PJL header with ``ENTER LANGUAGE = PDF``).

Metadata, read only where it stands in clear in a bounded head/tail window, never by inflating
streams (a print job's PDF is carried, not rendered):
- The trailer (or the cross-reference stream dictionary, whose dictionary is not compressed)
  names the Info dictionary: ``/Info 2 0 R``. That object, when it is not inside an object
  stream, gives ``/Title`` -> title, ``/Author`` -> author, ``/Creator`` -> creator,
  ``/Producer`` -> producer, ``/CreationDate`` -> creation_date (source ``pdf-info``).
- An uncompressed XMP packet gives ``dc:title`` -> title and ``dc:creator`` -> author (``xmp``).
Strings are literal ``(...)`` (balanced parentheses, backslash escapes, 7.3.4.2) or hexadecimal
``<...>``; text strings starting with the UTF-16BE BOM are decoded as such, others as
PDFDocEncoding (Latin-1 for the printable range).
"""
from __future__ import annotations

import html
import re

from .fields import MAX_VALUE, DocField, text

NAME = "PDF"
HEADER = b"%PDF-"
EOF_MARK = b"%%EOF"
_VERSION = re.compile(rb"%PDF-([0-9]\.[0-9])")
_INFO_REF = re.compile(rb"/Info\s+([0-9]{1,10})\s+([0-9]{1,5})\s+R")
_KEY = re.compile(rb"/(Title|Author|Creator|Producer|CreationDate)\s*([(<])")
_INFO_FIELD = {b"Title": "title", b"Author": "author", b"Creator": "creator", b"Producer": "producer",
               b"CreationDate": "creation_date"}
_XMP = {
    "title": re.compile(rb"<dc:title>.{0,400}?<rdf:li[^>]{0,100}>([^<]{1,600})</rdf:li>", re.S),
    "author": re.compile(rb"<dc:creator>.{0,400}?<rdf:li[^>]{0,100}>([^<]{1,600})</rdf:li>", re.S),
}
_ESC = re.compile(rb"\\(\r\n|[0-7]{1,3}|.)", re.S)
_SIMPLE = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"\n": b"", b"\r": b"",
           b"\r\n": b""}
_STRING_STOP = re.compile(rb"[\\()]")
MAX_DICT = 8192  # bytes of the Info object searched for its keys


def detect(buf: bytes, at: int) -> bool:
    return buf.startswith(HEADER, at)


def version(buf: bytes, at: int = 0) -> str | None:
    m = _VERSION.match(buf, at)
    return m.group(1).decode("ascii") if m else None


def _unescape(m: re.Match[bytes]) -> bytes:
    g = m.group(1)
    if g[:1].isdigit():
        return bytes([int(g, 8) & 0xFF])
    return _SIMPLE.get(g, g)


def read_string(buf: bytes, at: int) -> tuple[bytes, int] | None:
    """The PDF string object starting at ``at`` (``(`` or ``<``): (raw bytes, end offset)."""
    if buf[at:at + 1] == b"<":
        end = buf.find(b">", at, at + 4 * MAX_VALUE)
        if end < 0:
            return None
        digits = re.sub(rb"[^0-9A-Fa-f]", b"", buf[at + 1:end])
        if len(digits) % 2:
            digits += b"0"
        return bytes.fromhex(digits.decode("ascii")), end + 1
    depth, p, n = 0, at, min(len(buf), at + 4 * MAX_VALUE)
    while p < n:
        # jump to the next byte that matters instead of walking every byte in Python
        m = _STRING_STOP.search(buf, p, n)
        if m is None:
            return None
        p = m.start()
        c = buf[p]
        if c == 0x5C:  # backslash: the next byte is escaped
            p += 2
            continue
        depth += 1 if c == 0x28 else -1
        p += 1
        if depth == 0:
            return _ESC.sub(_unescape, buf[at + 1:p - 1]), p
    return None


def decode_text(raw: bytes) -> str:
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "replace").strip()[:MAX_VALUE]
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace").strip()[:MAX_VALUE]
    return raw.decode("latin-1").strip()[:MAX_VALUE]


def _info(buf: bytes, num: bytes, gen: bytes) -> list[DocField]:
    obj = re.search(rb"(?<![0-9])" + num + rb"\s+" + gen + rb"\s+obj\b", buf)
    if obj is None:
        return []
    start = buf.find(b"<<", obj.end(), obj.end() + 64)
    if start < 0:
        return []
    end = buf.find(b"endobj", start, start + MAX_DICT)
    window = buf[start:end if end > 0 else start + MAX_DICT]
    out: list[DocField] = []
    seen: set[bytes] = set()
    for m in _KEY.finditer(window):
        if m.group(1) in seen:
            continue
        s = read_string(window, m.end() - 1)
        if s is None:
            continue
        seen.add(m.group(1))
        value = decode_text(s[0])
        if value:
            out.append(DocField(_INFO_FIELD[m.group(1)], value, "pdf-info"))
    return out


def metadata(head: bytes, tail: bytes = b"", whole: bool = True) -> list[DocField]:
    parts = (head,) if whole else (tail, head)  # a PDF's trailer is at its end
    out: list[DocField] = []
    v = version(head, max(0, head.find(HEADER)))
    if v:
        out.append(DocField("pdf_version", v, "pdf-header"))
    for part in parts:
        refs = list(_INFO_REF.finditer(part))
        if not refs:
            continue
        num, gen = refs[-1].group(1), refs[-1].group(2)  # the last trailer wins (incremental updates)
        for where in parts:
            found = _info(where, num, gen)
            if found:
                out += found
                break
        break
    for part in parts:
        for name, rx in _XMP.items():
            m = rx.search(part)
            if m:
                value = text(html.unescape(m.group(1).decode("utf-8", "replace")).encode("utf-8"))
                if value:
                    out.append(DocField(name, value, "xmp"))
    return out
