"""PDF objects (ISO 32000-1: 7.2 lexical conventions, 7.3 objects, 7.4 filters, 7.5.7 object
streams), read by scanning the file, not through its cross-reference table.

``scan_objects`` finds every ``N G obj ... endobj`` (so damaged or cut files, and files whose
cross-reference is a stream, read as well as clean ones); ``obj_streams`` adds the objects packed
in object streams (``/Type /ObjStm``). ``resolve`` follows references; ``decode`` applies a
stream's filters: ``FlateDecode``, ``ASCIIHexDecode`` and ``ASCII85Decode`` (others are recorded in
``Doc.filters_skipped``).

Bounds: at most ``MAX_OBJECTS`` objects and ``MAX_STREAMS`` decoded streams; each stream inflates
to at most ``MAX_STREAM`` bytes and the document to ``MAX_INFLATE`` in all (``zlib.decompressobj``
with ``max_length``); nesting of values is limited to ``MAX_DEPTH``.

Linear time: the file is read once, front to back. An object's value is parsed from its ``obj``
keyword to its end, and the scan for the next object header resumes there (objects written inside
another object's strings or comments are not objects), or, when a damaged object runs into the
next header, just before that header. Stream data is skipped by its ``/Length`` (checked against
``endstream``) or up to the next ``endstream``, and kept as a span of the file, never copied until
it is decoded; each stream is decoded once. Objects of an object stream are parsed each within its
own span (the offsets sorted), once per offset. Inflated bytes are charged to the work budget.
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from typing import Any

from . import _pstokens as T
from ._fonts import Font
from ._text import TextSink

MAX_OBJECTS = 100_000
MAX_STREAMS = 20_000
MAX_STREAM = 16 << 20
MAX_INFLATE = 64 << 20
MAX_DEPTH = 32  # nesting of arrays/dicts and of the page tree
MAX_OPERANDS = 8192

_OBJ = re.compile(rb"(?<![0-9])([0-9]{1,10})[\x00\t\n\x0c\r ]+([0-9]{1,5})[\x00\t\n\x0c\r ]+obj(?![A-Za-z])")
_STREAM = re.compile(rb"[\x00\t\n\x0c\r ]*stream(?:\r\n|\n|\r)?")
_ENDSTREAM = re.compile(rb"[\r\n]{0,2}endstream")
_OBJ_KEYWORD = re.compile(rb"[\x00\t\n\x0c\r ]*obj(?![A-Za-z])")
HEADER_BACKUP = 40  # bytes before a stray ``obj`` keyword where its "N G" header may start
Span = tuple[int, int]  # stream data: [start, stop) in the file


class Name(str):
    """A PDF name (``/Foo`` -> ``Name("Foo")``), distinct from a string (bytes)."""

    __slots__ = ()


@dataclass(slots=True, frozen=True)
class Ref:
    num: int
    gen: int


@dataclass(slots=True)
class Doc:
    buf: bytes
    sink: TextSink
    objects: dict[int, tuple[Any, Span | None]] = field(default_factory=dict)
    decoded: dict[Span, bytes | None] = field(default_factory=dict)
    inflated: int = 0
    streams: int = 0
    filters_skipped: set[str] = field(default_factory=set)
    fonts: dict[int, Font] = field(default_factory=dict)
    tounicode: int = 0
    content_streams: int = 0
    images: int = 0
    forms: int = 0
    truncated_inflate: bool = False


def parse_value(lx: T.Lexer, pos: int, depth: int = 0) -> tuple[Any, int]:
    """One PDF value at ``pos``: (value, end). Unknown tokens read as None. A dictionary or array
    that runs into ``obj``, ``endobj`` or ``stream`` ends there (``end`` is that keyword)."""
    kind, val, end = lx.next(pos)
    while kind == T.COMMENT:
        kind, val, end = lx.next(end)
    if kind == T.NUM:
        if isinstance(val, int) and val >= 0:
            k2, v2, e2 = lx.next(end)
            if k2 == T.NUM and isinstance(v2, int):
                k3, v3, e3 = lx.next(e2)
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
                k, v, e = lx.next(p)
                if k == T.EOF_:
                    return items, e
                if k == T.DELIM and v == b"]":
                    return items, e
                if k == T.OP and v in (b"endobj", b"stream", b"obj"):
                    return items, p
                item, p = parse_value(lx, p, depth + 1)
                items.append(item)
            return items, p
        if val == b"<<":
            d: dict[str, Any] = {}
            p = end
            while len(d) < MAX_OPERANDS:
                k, v, e = lx.next(p)
                if k == T.EOF_:
                    return d, e
                if k == T.DELIM and v == b">>":
                    return d, e
                if k == T.OP and v in (b"endobj", b"stream", b"obj"):
                    return d, p
                if k != T.NAME:
                    p = e  # not a key: skip it
                    continue
                item, p = parse_value(lx, e, depth + 1)
                d[bytes(v).decode("latin-1")] = item
            return d, p
    return None, end


def scan_objects(doc: Doc) -> None:
    buf = doc.buf
    lx = T.Lexer(buf)
    endstream = T.Finder(buf, b"endstream")
    pos = 0
    while len(doc.objects) < MAX_OBJECTS:
        m = _OBJ.search(buf, pos)
        if m is None:
            break
        num = int(m.group(1))
        value, end = parse_value(lx, m.end())
        pos = max(end, m.end())
        span = None
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
                    e2 = endstream.find(start)
                    stop = len(buf) if e2 < 0 else e2
                span = (start, stop)
                pos = max(pos, stop)
        if span is None and _OBJ_KEYWORD.match(buf, end):
            # a damaged object ran into the next one: its "N G" header lies just before ``end``
            pos = max(m.end(), end - HEADER_BACKUP)
        doc.objects[num] = (value, span)


def resolve(doc: Doc, v: Any, hops: int = 0) -> Any:
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
    return T.a85(data[:e] if e >= 0 else data)


def decode(doc: Doc, obj: tuple[Any, Span | None]) -> bytes | None:
    """The decoded data of a stream object (None: not a stream, a filter not supported, or a cap
    reached). Each stream is decoded once."""
    value, span = obj
    if span is None or not isinstance(value, dict):
        return None
    if span in doc.decoded:
        return doc.decoded[span]
    out = _decode(doc, value, doc.buf[span[0]:span[1]])
    doc.decoded[span] = out
    return out


def _decode(doc: Doc, value: dict[str, Any], data: bytes) -> bytes | None:
    if doc.streams >= MAX_STREAMS or doc.inflated >= MAX_INFLATE:
        doc.truncated_inflate = True
        return None
    doc.streams += 1
    filters = resolve(doc, value.get("Filter"))
    if filters is None:
        filters = []
    elif not isinstance(filters, list):
        filters = [filters]
    for f in filters:
        f = resolve(doc, f)
        name = str(f) if isinstance(f, str) else "?"
        if name in ("FlateDecode", "Fl"):
            data, cut = _inflate(data, min(MAX_STREAM, MAX_INFLATE - doc.inflated))
            doc.truncated_inflate |= cut
            doc.inflated += len(data)
            if not doc.sink.charge(len(data)):
                return None
        elif name in ("ASCIIHexDecode", "AHx"):
            e = data.find(b">")
            data = T.hex_bytes(data[:e] if e >= 0 else data)
        elif name in ("ASCII85Decode", "A85"):
            data = _a85(data)
        else:
            doc.filters_skipped.add(name)
            return None
    return data


def obj_streams(doc: Doc) -> None:
    for value, span in list(doc.objects.values()):
        if not (isinstance(value, dict) and value.get("Type") == "ObjStm" and span is not None):
            continue
        body = decode(doc, (value, span))
        first, n = value.get("First"), value.get("N")
        if not body or not isinstance(first, int) or not isinstance(n, int) or first < 0:
            continue
        head = body[:first].split()
        entries: list[tuple[int, int]] = []
        for i in range(0, min(len(head) - 1, 2 * n), 2):
            try:
                onum, off = int(head[i]), int(head[i + 1])
            except ValueError:
                break
            if 0 <= first + off < len(body):
                entries.append((onum, first + off))
        if not entries:
            continue
        # each object is parsed within its own span (up to the next offset), once per offset
        starts = sorted({off for _, off in entries})
        stop = dict(zip(starts, starts[1:] + [len(body)], strict=True))
        values: dict[int, Any] = {}
        for onum, off in entries:
            if len(doc.objects) >= MAX_OBJECTS:
                return
            if onum in doc.objects:
                continue
            if off not in values:
                values[off] = parse_value(T.Lexer(body[off:stop[off]]), 0)[0]
            doc.objects[onum] = (values[off], None)
