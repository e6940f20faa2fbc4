"""PCL XL text (HP PCL XL Feature Reference Protocol Class 2.0: ch. 4 stream header, ch. 5 binary
data types and attributes, ch. 6 operators ``Text``/``TextPath``).

After the stream header line (``)`` binary little-endian, ``(`` big-endian) the stream is a
sequence of data values (scalars, arrays with a length prefix, xy pairs, boxes), attribute ids
(``F8 id``), embedded data (``FA uint32`` / ``FB ubyte`` lengths) and one-byte operators. Text is
the ``TextData`` attribute (0xAB) of ``Text`` (0xA8) and ``TextPath`` (0xA9): a ubyte array
(Latin-1 codes) or uint16 array (UCS-2). ``SetCursor`` (0x6B) to another y and ``SetCursorRel``
(0x6C) with a vertical part break lines; other cursor moves separate words.

Ghostscript's ``pxlmono``/``pxlcolor`` draw text as downloaded bitmap glyphs whose codes it numbers
itself (1, 2, 3... per new glyph): the codes are not characters. When most codes are not
printable characters the text is dropped and the document is "raster", as it is when only images
(``ReadImage``) and raster patterns carry the page.
"""
from __future__ import annotations

import struct

from ..classify import UEL
from ..classify import pclxl as pclxl_lang
from ._text import TextSink
from .base import Result

NAME = pclxl_lang.NAME

_SIZES = {0: 1, 1: 2, 2: 4, 3: 2, 4: 4, 5: 4}  # ubyte, uint16, uint32, sint16, sint32, real32
_FMT = {0: "B", 1: "H", 2: "I", 3: "h", 4: "i", 5: "f"}
TEXT, TEXT_PATH, SET_CURSOR, SET_CURSOR_REL = 0xA8, 0xA9, 0x6B, 0x6C
BEGIN_PAGE, READ_IMAGE, READ_CHAR, READ_RAST_PATTERN, READ_SCAN = 0x43, 0xB1, 0x53, 0xB4, 0xB7
ATTR_TEXT_DATA, ATTR_POINT = 0xAB, 0x4C
MAX_OPS = 2_000_000
PRINTABLE_SHARE = 0.7

# What each tag byte is (ch. 5): one table lookup per tag instead of a chain of range tests.
_WHITE, _SCALAR, _ARRAY, _XY, _ATTR8, _ATTR16, _EMBED32, _EMBED8, _OP, _OTHER = range(10)
_KIND = [_OTHER] * 256
for _t in (0x00, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20):
    _KIND[_t] = _WHITE
for _t in range(0x41, 0xC0):
    _KIND[_t] = _OP
for _t in range(0xC0, 0xC6):
    _KIND[_t] = _SCALAR
for _t in range(0xC8, 0xCE):
    _KIND[_t] = _ARRAY
for _t in (*range(0xD0, 0xD6), *range(0xE0, 0xE6)):
    _KIND[_t] = _XY
_KIND[0xF8], _KIND[0xF9], _KIND[0xFA], _KIND[0xFB] = _ATTR8, _ATTR16, _EMBED32, _EMBED8
_OPS_SEEN = frozenset({BEGIN_PAGE, READ_IMAGE, READ_RAST_PATTERN, READ_SCAN, READ_CHAR, TEXT, TEXT_PATH,
                       SET_CURSOR, SET_CURSOR_REL})


def _structs(end: str) -> tuple[list[struct.Struct], list[tuple[struct.Struct, int]], struct.Struct, struct.Struct]:
    """Precompiled unpackers of one byte order: scalars by type, xy/box values by tag & 0x1F, u16, u32."""
    scalars = [struct.Struct(end + _FMT[k]) for k in range(6)]
    xy = [(scalars[0], 0)] * 0x20
    for k in range(6):
        xy[0x10 + k] = (struct.Struct(end + _FMT[k] * 2), _SIZES[k] * 2)  # 0xD0-0xD5: xy pairs
        xy[k] = (struct.Struct(end + _FMT[k] * 4), _SIZES[k] * 4)  # 0xE0-0xE5: boxes
    return scalars, xy, scalars[1], scalars[2]


_STRUCTS = {"<": _structs("<"), ">": _structs(">")}


def extract(buf: bytes, sink: TextSink) -> Result:
    nl = buf.find(b"\n")
    if not buf[:1] or buf[:1] not in b")(" or nl < 0:
        if buf[:1] == b"'":
            return Result("unsupported", "PCL XL: ASCII stream encoding not supported", None)
        return Result("no-text", "PCL XL: no binary stream header", None)
    little = buf[:1] == b")"
    end = "<" if little else ">"
    scalars, xys, u16, u32 = _STRUCTS[end]
    kinds, sizes = _KIND, _SIZES
    pos, n = nl + 1, len(buf)
    attrs: dict[int, object] = {}
    last: object = None
    pages = images = chars = ops = texts = 0
    pieces: list[tuple[str, str]] = []  # (separator before, text)
    sep = ""
    y: float | None = None
    problem = ""
    while pos < n and ops < MAX_OPS:
        tag = buf[pos]
        pos += 1
        kind = kinds[tag]
        if kind == _ATTR8:
            if pos >= n:
                break
            attrs[buf[pos]] = last
            pos += 1
            last = None
        elif kind == _OP:
            ops += 1
            if tag in _OPS_SEEN:
                if tag == BEGIN_PAGE:
                    pages += 1
                    sep = "\n"
                elif tag == TEXT or tag == TEXT_PATH:
                    data = attrs.get(ATTR_TEXT_DATA)
                    if isinstance(data, tuple) and len(data) == 2:
                        k, raw = data
                        if k == 1:
                            words = struct.unpack_from(end + "H" * (len(raw) // 2), raw)
                            text = "".join(chr(w) if not 0xD800 <= w < 0xE000 else "" for w in words)
                        else:
                            text = bytes(raw).decode("latin-1")
                        pieces.append((sep, text))
                        texts += 1
                        sep = ""
                elif tag == SET_CURSOR:
                    pt = attrs.get(ATTR_POINT)
                    if isinstance(pt, tuple) and len(pt) == 2:
                        sep = "\n" if y is None or pt[1] != y else (sep or " ")
                        y = float(pt[1])
                elif tag == SET_CURSOR_REL:
                    pt = attrs.get(ATTR_POINT)
                    if isinstance(pt, tuple) and len(pt) == 2:
                        sep = "\n" if pt[1] else (sep or " ")
                        if y is not None:
                            y += float(pt[1])
                elif tag == READ_CHAR:
                    chars += 1
                else:  # READ_IMAGE, READ_RAST_PATTERN, READ_SCAN
                    images += 1
            if attrs:
                attrs = {}
            last = None
        elif kind == _XY:
            st, size = xys[tag & 0x1F]
            if pos + size > n:
                break
            last = st.unpack_from(buf, pos)
            pos += size
        elif kind == _ARRAY:
            if pos >= n or buf[pos] not in (0xC0, 0xC1, 0xC2):
                problem = f"bad array length at {pos}"
                break
            lk = buf[pos] - 0xC0
            lsize = sizes[lk]
            if pos + 1 + lsize > n:
                break
            count = scalars[lk].unpack_from(buf, pos + 1)[0]
            pos += 1 + lsize
            nbytes = count * sizes[tag - 0xC8]
            last = (tag - 0xC8, buf[pos:pos + nbytes])
            pos += nbytes
        elif kind == _SCALAR:
            k = tag - 0xC0
            size = sizes[k]
            if pos + size > n:
                break
            last = scalars[k].unpack_from(buf, pos)[0]
            pos += size
        elif kind == _WHITE:
            continue
        elif kind == _ATTR16:
            if pos + 2 > n:
                break
            attrs[u16.unpack_from(buf, pos)[0]] = last
            pos += 2
            last = None
        elif kind == _EMBED32:
            if pos + 4 > n:
                break
            pos += 4 + u32.unpack_from(buf, pos)[0]  # embedded data: image rows, glyph bitmaps, font headers
        elif kind == _EMBED8:
            if pos >= n:
                break
            pos += 1 + buf[pos]
        elif buf.startswith(UEL, pos - 1):  # UEL: the XL stream has ended
            break
        else:
            problem = f"unknown tag 0x{tag:02x} at {pos - 1}"
            break
    shown = "".join(t for _s, t in pieces)
    printable = sum(1 for c in shown if c.isprintable())
    detail = f"PCL XL: {pages} pages, {texts} Text operators, {images} images"
    if problem:
        detail += f", stopped: {problem}"
    if shown and printable >= PRINTABLE_SHARE * len(shown):
        for s, t in pieces:
            if s:
                sink.sep(s)
            sink.add(t)
        if sink.chars:
            return Result("text", detail, pages or None)
    if texts or images or chars:
        why = "glyph codes are not characters (downloaded bitmap font)" if texts else "pages are images"
        return Result("raster", f"raster: text not recoverable ({pages} pages; {why}); {detail}", pages or None)
    return Result("no-text", detail, pages or None)
