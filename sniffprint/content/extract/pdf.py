"""PDF text (ISO 32000-1: section 7.3 objects, 7.4 filters, 7.5.7 object streams, 7.7.3 page tree,
9.4 text objects, 9.10 extraction of text content).

The file is not read through its cross-reference table: every ``N G obj ... endobj`` is scanned,
and the objects packed in object streams (``/Type /ObjStm``) are added, which also copes with
damaged or cut files and with cross-reference streams. Pages come from the page tree under the
catalog (in reading order, inheriting ``/Resources``), or, failing that, from every ``/Type
/Page`` object. Each page's content streams (and the form XObjects they draw) run through
``_content.TextState``, with each font's ``/ToUnicode`` CMap or encoding (``_fonts``).

Bounds: at most ``MAX_OBJECTS`` objects and ``MAX_STREAMS`` decoded streams; each stream inflates
to at most ``MAX_STREAM`` bytes and the document to ``MAX_INFLATE`` in all (``zlib.decompressobj``
with ``max_length``); nesting of values and forms is limited. Only ``FlateDecode``,
``ASCIIHexDecode`` and ``ASCII85Decode`` are decoded (LZW and others are named in the detail).
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from typing import Any

from . import _pstokens as T
from ._content import TEXT_OPS, TextState
from ._fonts import TABLES, Font, glyph_char, parse_cmap
from ._text import TextSink

MAX_OBJECTS = 100_000
MAX_STREAMS = 20_000
MAX_STREAM = 16 << 20
MAX_INFLATE = 64 << 20
MAX_DEPTH = 32  # nesting of arrays/dicts and of the page tree
MAX_FORM_DEPTH = 8
MAX_OPERANDS = 8192
MAX_PAGES = 100_000

_OBJ = re.compile(rb"(?<![0-9])([0-9]{1,10})[\x00\t\n\x0c\r ]+([0-9]{1,5})[\x00\t\n\x0c\r ]+obj(?![A-Za-z])")
_STREAM = re.compile(rb"[\x00\t\n\x0c\r ]*stream(?:\r\n|\n|\r)?")
_ENDSTREAM = re.compile(rb"[\r\n]{0,2}endstream")
_EI = re.compile(rb"[\x00\t\n\x0c\r ]EI(?=[\x00\t\n\x0c\r ]|$)")


class Name(str):
    """A PDF name (``/Foo`` -> ``Name("Foo")``), distinct from a string (bytes)."""

    __slots__ = ()


@dataclass(slots=True, frozen=True)
class Ref:
    num: int
    gen: int


@dataclass(slots=True)
class Result:
    status: str
    detail: str
    pages: int | None


@dataclass(slots=True)
class _Doc:
    buf: bytes
    objects: dict[int, tuple[Any, bytes | None]] = field(default_factory=dict)
    inflated: int = 0
    streams: int = 0
    filters_skipped: set[str] = field(default_factory=set)
    fonts: dict[int, Font] = field(default_factory=dict)
    tounicode: int = 0
    content_streams: int = 0
    images: int = 0
    forms: int = 0
    truncated_inflate: bool = False


def parse_value(buf: bytes, pos: int, depth: int = 0) -> tuple[Any, int]:
    """One PDF value at ``pos``: (value, end). Unknown tokens read as None."""
    kind, val, end = T.next_token(buf, pos)
    while kind == T.COMMENT:
        kind, val, end = T.next_token(buf, end)
    if kind == T.NUM:
        if isinstance(val, int) and val >= 0:
            k2, v2, e2 = T.next_token(buf, end)
            if k2 == T.NUM and isinstance(v2, int):
                k3, v3, e3 = T.next_token(buf, e2)
                if k3 == T.OP and v3 == b"R":
                    return Ref(val, v2), e3
        return val, end
    if kind == T.STR:
        return val, end
    if kind == T.NAME:
        return Name(bytes(val).decode("latin-1")), end
    if kind == T.OP:
        return {b"true": True, b"false": False}.get(bytes(val), None), end
    if kind == T.DELIM and depth < MAX_DEPTH:
        if val == b"[":
            items: list[Any] = []
            p = end
            while len(items) < MAX_OPERANDS:
                k, v, e = T.next_token(buf, p)
                if k == T.EOF_:
                    return items, e
                if k == T.DELIM and v == b"]":
                    return items, e
                if k == T.OP and v in (b"endobj", b"stream", b"obj"):
                    return items, p
                item, p = parse_value(buf, p, depth + 1)
                items.append(item)
            return items, p
        if val == b"<<":
            d: dict[str, Any] = {}
            p = end
            while len(d) < MAX_OPERANDS:
                k, v, e = T.next_token(buf, p)
                if k == T.EOF_:
                    return d, e
                if k == T.DELIM and v == b">>":
                    return d, e
                if k == T.OP and v in (b"endobj", b"stream", b"obj"):
                    return d, p
                if k != T.NAME:
                    p = e  # not a key: skip it
                    continue
                item, p = parse_value(buf, e, depth + 1)
                d[bytes(v).decode("latin-1")] = item
            return d, p
    return None, end


def _scan_objects(doc: _Doc) -> None:
    buf = doc.buf
    for m in _OBJ.finditer(buf):
        if len(doc.objects) >= MAX_OBJECTS:
            break
        num = int(m.group(1))
        try:
            value, end = parse_value(buf, m.end())
        except RecursionError:  # pragma: no cover - depth is bounded
            continue
        data = None
        if isinstance(value, dict):
            s = _STREAM.match(buf, end)
            if s is not None:
                start = s.end()
                length = value.get("Length")
                stop = -1
                if isinstance(length, int) and 0 <= length <= len(buf) - start:
                    if _ENDSTREAM.match(buf, start + length) or buf.startswith(b"endstream",
                                                                                start + length):
                        stop = start + length
                if stop < 0:
                    e2 = buf.find(b"endstream", start)
                    stop = len(buf) if e2 < 0 else e2
                data = buf[start:stop]
        doc.objects[num] = (value, data)


def _resolve(doc: _Doc, v: Any, hops: int = 0) -> Any:
    while isinstance(v, Ref) and hops < 16:
        v = doc.objects.get(v.num, (None, None))[0]
        hops += 1
    return v


def _inflate(data: bytes, cap: int) -> tuple[bytes, bool]:
    """Inflate at most ``cap`` bytes; a damaged stream gives what inflated before the damage."""
    d = zlib.decompressobj()
    out = bytearray()
    try:
        out += d.decompress(data, cap)
    except zlib.error:
        d = zlib.decompressobj()  # retry piecewise to keep the part before the damage
        for i in range(0, len(data), 4096):
            try:
                out += d.decompress(data[i:i + 4096], cap - len(out))
            except zlib.error:
                break
            if len(out) >= cap:
                break
    return bytes(out[:cap]), len(out) >= cap


def _a85(data: bytes) -> bytes:
    e = data.find(b"~>")
    return T._a85(data[:e] if e >= 0 else data)


def _decode(doc: _Doc, obj: tuple[Any, bytes | None]) -> bytes | None:
    value, data = obj
    if data is None or not isinstance(value, dict):
        return None
    if doc.streams >= MAX_STREAMS or doc.inflated >= MAX_INFLATE:
        doc.truncated_inflate = True
        return None
    doc.streams += 1
    filters = _resolve(doc, value.get("Filter"))
    if filters is None:
        filters = []
    elif not isinstance(filters, list):
        filters = [filters]
    for f in filters:
        f = _resolve(doc, f)
        name = str(f) if isinstance(f, str) else "?"
        if name in ("FlateDecode", "Fl"):
            data, cut = _inflate(data, min(MAX_STREAM, MAX_INFLATE - doc.inflated))
            doc.truncated_inflate |= cut
            doc.inflated += len(data)
        elif name in ("ASCIIHexDecode", "AHx"):
            e = data.find(b">")
            data = T.hex_bytes(data[:e] if e >= 0 else data)
        elif name in ("ASCII85Decode", "A85"):
            data = _a85(data)
        else:
            doc.filters_skipped.add(name)
            return None
    return data


def _obj_streams(doc: _Doc) -> None:
    for value, data in list(doc.objects.values()):
        if not (isinstance(value, dict) and value.get("Type") == "ObjStm" and data is not None):
            continue
        body = _decode(doc, (value, data))
        first, n = value.get("First"), value.get("N")
        if not body or not isinstance(first, int) or not isinstance(n, int) or first < 0:
            continue
        head = body[:first].split()
        for i in range(0, min(len(head) - 1, 2 * n), 2):
            if len(doc.objects) >= MAX_OBJECTS:
                return
            try:
                onum, off = int(head[i]), int(head[i + 1])
            except ValueError:
                break
            if onum in doc.objects or not 0 <= first + off < len(body):
                continue
            val, _ = parse_value(body, first + off)
            doc.objects[onum] = (val, None)


def _font(doc: _Doc, ref: Any) -> Font | None:
    key = ref.num if isinstance(ref, Ref) else None
    if key is not None and key in doc.fonts:
        return doc.fonts[key]
    fd = _resolve(doc, ref)
    if not isinstance(fd, dict):
        return None
    subtype = fd.get("Subtype")
    cmap = None
    nbytes = 2 if subtype == "Type0" else 1
    tu = fd.get("ToUnicode")
    if isinstance(tu, Ref) and tu.num in doc.objects:
        data = _decode(doc, doc.objects[tu.num])
        if data:
            cmap, nb = parse_cmap(data)
            nbytes = nb if cmap else nbytes
            doc.tounicode += 1 if cmap else 0
    enc = _resolve(doc, fd.get("Encoding"))
    base = "StandardEncoding" if subtype in ("Type1", "MMType1") else "Latin1"
    diffs: list[Any] = []
    if isinstance(enc, str) and enc in TABLES:
        base = enc
    elif isinstance(enc, dict):
        be = enc.get("BaseEncoding")
        if isinstance(be, str) and be in TABLES:
            base = be
        d = _resolve(doc, enc.get("Differences"))
        diffs = d if isinstance(d, list) else []
    table = list(TABLES[base])
    code = 0
    for item in diffs:
        if isinstance(item, int):
            code = item
        elif isinstance(item, Name):
            if 0 <= code < 256:
                table[code] = glyph_char(item)
            code += 1
    widths = _resolve(doc, fd.get("Widths"))
    first = fd.get("FirstChar")
    wl = [float(w) if isinstance(w, (int, float)) else 0.0 for w in widths] if isinstance(widths, list) else []
    font = Font(table, cmap, nbytes, wl, first if isinstance(first, int) else 0)
    if subtype == "Type0":
        font.default_width = 1000  # CID fonts: /W arrays are not read; most CJK glyphs are full width
    if key is not None:
        doc.fonts[key] = font
    return font


def _run(doc: _Doc, content: bytes, resources: Any, state: TextState, depth: int) -> None:
    res = _resolve(doc, resources)
    res = res if isinstance(res, dict) else {}
    fonts = _resolve(doc, res.get("Font"))
    fonts = fonts if isinstance(fonts, dict) else {}
    xobjects = _resolve(doc, res.get("XObject"))
    xobjects = xobjects if isinstance(xobjects, dict) else {}
    prev_fonts = state.fonts
    state.fonts = lambda name: _font(doc, fonts.get(name.decode("latin-1")))
    ops: list[Any] = []
    stack: list[list[Any]] = []
    pos, n = 0, len(content)
    sink = state.sink
    while pos < n and not sink.full:
        kind, val, pos = T.next_token(content, pos)
        if kind == T.EOF_:
            break
        if kind == T.OP:
            if stack:
                continue  # an operator inside an array: malformed, ignore it
            name = bytes(val)
            if name in TEXT_OPS:
                state.op(name, ops)
            elif name == b"Do" and ops and isinstance(ops[-1], bytes):
                _do(doc, xobjects.get(ops[-1].decode("latin-1")), res, state, depth)
            elif name == b"ID":  # inline image data up to EI: binary, skip it
                m = _EI.search(content, pos)
                pos = n if m is None else m.end()
                doc.images += 1
            ops = []
        elif kind == T.DELIM:
            if val in (b"[", b"<<"):
                if len(stack) < MAX_DEPTH:
                    stack.append([])
            elif val in (b"]", b">>") and stack:
                done = stack.pop()
                (stack[-1] if stack else ops).append(done)
        elif kind in (T.NUM, T.STR, T.NAME):
            target = stack[-1] if stack else ops
            if len(target) < MAX_OPERANDS:
                target.append(val)
    state.fonts = prev_fonts


def _do(doc: _Doc, ref: Any, res: dict[str, Any], state: TextState, depth: int) -> None:
    if not isinstance(ref, Ref) or ref.num not in doc.objects or depth >= MAX_FORM_DEPTH:
        return
    value, _ = doc.objects[ref.num]
    if not isinstance(value, dict):
        return
    if value.get("Subtype") == "Image":
        doc.images += 1
        return
    if value.get("Subtype") != "Form" or doc.forms >= 10_000:
        return
    doc.forms += 1
    data = _decode(doc, doc.objects[ref.num])
    if data:
        _run(doc, data, value.get("Resources", res), state, depth + 1)


def _walk(doc: _Doc, node_ref: Any, res: Any, depth: int, out: list[tuple[dict[str, Any], Any]],
          seen: set[int]) -> None:
    """Depth-first over the page tree. A module function, not a closure: a recursive closure is a
    reference cycle that would keep the whole parsed document alive until the next cyclic GC."""
    if depth > MAX_DEPTH or len(out) >= MAX_PAGES:
        return
    if isinstance(node_ref, Ref):
        if node_ref.num in seen:
            return
        seen.add(node_ref.num)
    node = _resolve(doc, node_ref)
    if not isinstance(node, dict):
        return
    res = node.get("Resources", res)
    kids = _resolve(doc, node.get("Kids"))
    if node.get("Type") == "Page" or (kids is None and "Contents" in node):
        out.append((node, res))
    elif isinstance(kids, list):
        for k in kids:
            _walk(doc, k, res, depth + 1, out, seen)


def _pages(doc: _Doc) -> list[tuple[dict[str, Any], Any]]:
    """(page dict, inherited resources) in reading order."""
    out: list[tuple[dict[str, Any], Any]] = []
    seen: set[int] = set()
    for value, _ in doc.objects.values():
        if isinstance(value, dict) and value.get("Type") == "Catalog":
            _walk(doc, value.get("Pages"), None, 0, out, seen)
            if out:
                return out
    for num in sorted(doc.objects):  # no usable page tree: every page object, in object order
        value = doc.objects[num][0]
        if isinstance(value, dict) and value.get("Type") == "Page" and len(out) < MAX_PAGES:
            res, parent, hops = value.get("Resources"), value.get("Parent"), 0
            while res is None and parent is not None and hops < MAX_DEPTH:
                p = _resolve(doc, parent)
                if not isinstance(p, dict):
                    break
                res, parent, hops = p.get("Resources"), p.get("Parent"), hops + 1
            out.append((value, res))
    return out


def extract(buf: bytes, sink: TextSink) -> Result:
    doc = _Doc(buf)
    _scan_objects(doc)
    if not doc.objects:
        return Result("no-text", "PDF: no objects found", None)
    encrypted = any(isinstance(v, dict) and "Encrypt" in v for v, _ in doc.objects.values()) or \
        re.search(rb"trailer[\s\S]{0,2048}?/Encrypt", buf[-65536:]) is not None
    if encrypted:
        return Result("no-text", "PDF: encrypted (/Encrypt): content not readable", _count(doc, []))
    _obj_streams(doc)
    pages = _pages(doc)
    state = TextState(sink, lambda _name: None)
    for page, res in pages:
        if sink.full:
            break
        state = TextState(sink, lambda _name: None)  # every page starts from the initial text state
        contents = _resolve(doc, page.get("Contents"))
        refs = page.get("Contents")
        items = refs if isinstance(refs, list) else [refs] if refs is not None else []
        if isinstance(contents, list):
            items = contents
        chunks = []
        for r in items:
            if isinstance(r, Ref) and r.num in doc.objects:
                data = _decode(doc, doc.objects[r.num])
                if data is not None:
                    chunks.append(data)
                    doc.content_streams += 1
        if chunks:
            _run(doc, b"\n".join(chunks), res, state, 0)
        sink.sep("\n")
    if not pages:  # no page objects at all: try every stream that holds text objects
        for value, data in list(doc.objects.values()):
            if sink.full or data is None or not isinstance(value, dict) or value.get("Subtype") is not None:
                continue
            body = _decode(doc, (value, data))
            if body and b"BT" in body and b"ET" in body:
                doc.content_streams += 1
                _run(doc, body, None, state, 0)
                sink.sep("\n")
    npages = _count(doc, pages)
    parts = [f"PDF: {npages if npages is not None else '?'} pages, {doc.content_streams} content streams"]
    if doc.tounicode:
        parts.append("ToUnicode used")
    if doc.filters_skipped:
        parts.append("filters not decoded: " + ",".join(sorted(doc.filters_skipped)))
    if doc.truncated_inflate:
        parts.append("decompression capped")
    detail = ", ".join(parts)
    if sink.chars:
        return Result("text", detail, npages)
    if doc.images:
        return Result("raster", f"raster: text not recoverable ({npages or '?'} pages of images); " + detail,
                      npages)
    return Result("no-text", detail, npages)


def _count(doc: _Doc, pages: list[Any]) -> int | None:
    if pages:
        return len(pages)
    n = sum(1 for v, _ in doc.objects.values() if isinstance(v, dict) and v.get("Type") == "Page")
    if n:
        return n
    counts = [v.get("Count") for v, _ in doc.objects.values() if isinstance(v, dict) and v.get("Type") == "Pages"]
    ints = [c for c in counts if isinstance(c, int) and c >= 0]
    return max(ints) if ints else None
