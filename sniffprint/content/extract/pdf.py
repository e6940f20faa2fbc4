"""PDF text (ISO 32000-1: 7.7.3 page tree, 9.4 text objects, 9.10 extraction of text content).

Objects come from ``_pdfobjects`` (every ``obj`` scanned, object streams added, filters decoded).
Pages come from the page tree under the catalog (in reading order, inheriting ``/Resources``),
or, failing that, from every ``/Type /Page`` object. Each page's content streams (and the form
XObjects they draw) run through ``_content.TextState``, with each font's ``/ToUnicode`` CMap or
encoding (``_fonts``).

Bounds: those of ``_pdfobjects`` (objects, streams, inflated bytes, nesting), plus
``MAX_FORM_DEPTH`` nested forms and ``MAX_PAGES`` pages.
"""
from __future__ import annotations

import re
from typing import Any

from ..classify import pdf as pdf_lang
from . import _pstokens as T
from . import _scan
from ._content import TEXT_OPS, TextState
from ._content import fast as fast_text_op
from ._fonts import TABLES, Font, glyph_char, parse_cmap
from ._pdfobjects import MAX_DEPTH, MAX_OPERANDS, Doc, Name, Ref, decode, obj_streams, resolve, scan_objects
from ._text import TextSink
from .base import Result

NAME = pdf_lang.NAME
MAX_FORM_DEPTH = 8
MAX_PAGES = 100_000
EVENT_COST = 32  # work units charged per operator event of a content stream (about its cost in bytes)

_CONTENT_OPS = TEXT_OPS | {b"Do", b"ID", b"cm", b"q", b"Q"}
_EI = re.compile(rb"[\x00\t\n\x0c\r ]EI(?=[\x00\t\n\x0c\r ]|$)")


def _font(doc: Doc, ref: Any) -> Font | None:
    """The font a resource names (a reference or an inline dictionary), built once per font."""
    fd = resolve(doc, ref)
    if not isinstance(fd, dict):
        return None
    key = ref.num if isinstance(ref, Ref) else -id(fd)  # inline dicts live as long as the Doc
    if key in doc.fonts:
        return doc.fonts[key]
    subtype = fd.get("Subtype")
    cmap = None
    nbytes = 2 if subtype == "Type0" else 1
    tu = fd.get("ToUnicode")
    if isinstance(tu, Ref) and tu.num in doc.objects:
        data = decode(doc, doc.objects[tu.num])
        if data and doc.sink.charge(len(data)):
            cmap, nb = parse_cmap(data)
            if subtype == "Type0":
                nbytes = nb if cmap else nbytes
            elif cmap:
                # a simple font (Type 1, TrueType, Type 3) has one-byte codes whatever codespace its
                # ToUnicode declares (ISO 32000-1 9.6.1); matplotlib and gropdf declare <0000> <FFFF>
                cmap = {k[-1:]: v for k, v in cmap.items() if len(k) == 1 or (len(k) == 2 and not k[0])}
            doc.tounicode += 1 if cmap else 0
    enc = resolve(doc, fd.get("Encoding"))
    base = "StandardEncoding" if subtype in ("Type1", "MMType1") else "Latin1"
    diffs: list[Any] = []
    if isinstance(enc, str) and enc in TABLES:
        base = enc
    elif isinstance(enc, dict):
        be = enc.get("BaseEncoding")
        if isinstance(be, str) and be in TABLES:
            base = be
        d = resolve(doc, enc.get("Differences"))
        diffs = d if isinstance(d, list) else []
    table = list(TABLES[base])
    code = 0
    for item in diffs:  # Type 3 fonts name their glyph procedures here (9.6.5): the names are the text
        if isinstance(item, int):
            code = item
        elif isinstance(item, Name):
            if 0 <= code < 256:
                table[code] = glyph_char(item)
            code += 1
    widths = resolve(doc, fd.get("Widths"))
    first = fd.get("FirstChar")
    wl = [float(w) if isinstance(w, (int, float)) else 0.0 for w in widths] if isinstance(widths, list) else []
    matrix = resolve(doc, fd.get("FontMatrix"))
    if subtype == "Type3" and isinstance(matrix, list) and matrix and isinstance(matrix[0], (int, float)):
        wl = [w * float(matrix[0]) * 1000.0 for w in wl]  # glyph space to 1/1000 em (9.6.5)
    font = Font(table, cmap, nbytes, wl, first if isinstance(first, int) else 0)
    if subtype == "Type0":
        font.default_width = 1000  # CID fonts: /W arrays are not read; most CJK glyphs are full width
        if cmap is None and isinstance(enc, str) and enc in ("Identity-H", "Identity-V"):
            # codes are CIDs and nothing maps them to text: a best effort reads them as UCS-2 (true for
            # some writers, not for CIDs that are glyph indices); the detail says it was a guess
            font.identity_guess = True
    doc.fonts[key] = font
    return font


def _run(doc: Doc, content: bytes, resources: Any, state: TextState, depth: int) -> None:
    """Run one content stream (a page's or a form's): its text operators, the forms it draws, its
    inline images skipped. Events come from ``_scan`` (one regular expression searched over the
    stream: other operators are skipped in C); the usual shapes run through ``_content.fast``."""
    res = resolve(doc, resources)
    res = res if isinstance(res, dict) else {}
    fonts = resolve(doc, res.get("Font"))
    fonts = fonts if isinstance(fonts, dict) else {}
    xobjects = resolve(doc, res.get("XObject"))
    xobjects = xobjects if isinstance(xobjects, dict) else {}
    prev_fonts = state.fonts
    state.fonts = lambda name: _font(doc, fonts.get(name.decode("latin-1")))
    pos, n = 0, len(content)
    sink = state.sink
    sink.charge(n)  # a content stream or form may run many times: each run is work
    lx = T.Lexer(content)
    pattern = _scan.events(_CONTENT_OPS)
    pending: list[tuple[int, Any]] = []  # operands read by the Lexer (a string that nests)
    pending_end = -1
    events = 0
    while pos < n and not sink.full:
        m = pattern.search(content, pos)
        if m is None:
            break
        events += 1
        if not events % 256:  # the Python work of an event outweighs its bytes: charge it too
            sink.charge(256 * EVENT_COST)
        kind = m.lastgroup or ""
        pos = m.end()
        if kind == "c" or kind == "b":  # a comment; braces mean nothing in a content stream
            continue
        if kind == "x":
            k, v, pos = lx.next(m.start())
            if k == T.STR:
                if not (pending and _scan.only_operands(content, pending_end, m.start())):
                    pending = []
                pending.append((k, v))
                pending_end = pos
            continue
        name = m.group(kind)  # each operator event names its operator group after itself
        if not pending and name in TEXT_OPS and fast_text_op(state, kind, name, m):
            continue
        if name == b"q":
            state.save()
            continue
        if name == b"Q":
            state.restore()
            continue
        toks = _scan.ops_of(m)[1]
        if pending and _scan.only_operands(content, pending_end, m.start()):
            toks = pending + toks
        pending = []
        args = _operand_values(toks)
        if name in TEXT_OPS:
            state.op(name, args)
        elif name == b"Do":
            if args and isinstance(args[-1], bytes):
                _do(doc, xobjects.get(args[-1].decode("latin-1")), res, state, depth)
        elif name == b"cm":
            nums = [float(v) for v in args[-6:] if isinstance(v, (int, float))]
            if len(nums) == 6:
                state.cm(nums)
        elif name == b"ID":  # inline image data up to EI: binary, skip it
            e = _EI.search(content, pos)
            pos = n if e is None else e.end()
            doc.images += 1
    sink.charge(events % 256 * EVENT_COST)
    state.fonts = prev_fonts


def _operand_values(toks: list[tuple[int, Any]]) -> list[Any]:
    """Operand values (names and strings as bytes, numbers), ``[...]`` folded into lists."""
    out: list[Any] = []
    stack: list[list[Any]] = []
    for k, v in toks:
        if k == T.DELIM:
            if v == b"[" and len(stack) < MAX_DEPTH:
                stack.append([])
            elif v == b"]" and stack:
                done = stack.pop()
                (stack[-1] if stack else out).append(done)
        elif k in (T.NUM, T.STR, T.NAME):
            target = stack[-1] if stack else out
            if len(target) < MAX_OPERANDS:
                target.append(v)
    return out


def _do(doc: Doc, ref: Any, res: dict[str, Any], state: TextState, depth: int) -> None:
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
    data = decode(doc, doc.objects[ref.num])
    if data:
        _run(doc, data, value.get("Resources", res), state, depth + 1)


def _walk(doc: Doc, node_ref: Any, res: Any, depth: int, out: list[tuple[dict[str, Any], Any]],
          seen: set[int]) -> None:
    """Depth-first over the page tree. A module function, not a closure: a recursive closure is a
    reference cycle that would keep the whole parsed document alive until the next cyclic GC."""
    if depth > MAX_DEPTH or len(out) >= MAX_PAGES:
        return
    if isinstance(node_ref, Ref):
        if node_ref.num in seen:
            return
        seen.add(node_ref.num)
    node = resolve(doc, node_ref)
    if not isinstance(node, dict):
        return
    res = node.get("Resources", res)
    kids = resolve(doc, node.get("Kids"))
    if node.get("Type") == "Page" or (kids is None and "Contents" in node):
        out.append((node, res))
    elif isinstance(kids, list):
        for k in kids:
            _walk(doc, k, res, depth + 1, out, seen)


def _pages(doc: Doc) -> list[tuple[dict[str, Any], Any]]:
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
                p = resolve(doc, parent)
                if not isinstance(p, dict):
                    break
                res, parent, hops = p.get("Resources"), p.get("Parent"), hops + 1
            out.append((value, res))
    return out


def extract(buf: bytes, sink: TextSink) -> Result:
    doc = Doc(buf, sink)
    scan_objects(doc)
    if not doc.objects:
        return Result("no-text", "PDF: no objects found", None)
    encrypted = any(isinstance(v, dict) and "Encrypt" in v for v, _ in doc.objects.values()) or _trailer_encrypt(buf)
    if encrypted:
        return Result("no-text", "PDF: encrypted (/Encrypt): content not readable", _count(doc, []))
    obj_streams(doc)
    pages = _pages(doc)
    state = TextState(sink, lambda _name: None)
    for page, res in pages:
        if sink.full:
            break
        state = TextState(sink, lambda _name: None)  # every page starts from the initial text state
        contents = resolve(doc, page.get("Contents"))
        refs = page.get("Contents")
        items = refs if isinstance(refs, list) else [refs] if refs is not None else []
        if isinstance(contents, list):
            items = contents
        chunks = []
        for r in items:
            if isinstance(r, Ref) and r.num in doc.objects:
                data = decode(doc, doc.objects[r.num])
                if data is not None:
                    chunks.append(data)
                    doc.content_streams += 1
        if chunks:
            _run(doc, b"\n".join(chunks), res, state, 0)
        sink.sep("\n")
    if not pages:  # no page objects at all: try every stream that holds text objects
        for value, span in list(doc.objects.values()):
            if sink.full or span is None or not isinstance(value, dict) or value.get("Subtype") is not None:
                continue
            body = decode(doc, (value, span))
            if body and b"BT" in body and b"ET" in body:
                doc.content_streams += 1
                _run(doc, body, None, state, 0)
                sink.sep("\n")
    npages = _count(doc, pages)
    parts = [f"PDF: {npages if npages is not None else '?'} pages, {doc.content_streams} content streams"]
    if doc.tounicode:
        parts.append("ToUnicode used")
    if any(f.guessed for f in doc.fonts.values()):
        parts.append("cid-identity-guess: CID font without ToUnicode, codes read as UCS-2")
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


def _trailer_encrypt(buf: bytes) -> bool:
    """An ``/Encrypt`` key within 2 KiB after a ``trailer`` keyword, in the last 64 KiB."""
    tail = buf[-65536:]
    p = tail.find(b"/Encrypt")
    while p >= 0:
        t = tail.rfind(b"trailer", max(0, p - 2048 - 7), p)
        if t >= 0:
            return True
        p = tail.find(b"/Encrypt", p + 1)
    return False


def _count(doc: Doc, pages: list[Any]) -> int | None:
    if pages:
        return len(pages)
    n = sum(1 for v, _ in doc.objects.values() if isinstance(v, dict) and v.get("Type") == "Page")
    if n:
        return n
    counts = [v.get("Count") for v, _ in doc.objects.values() if isinstance(v, dict) and v.get("Type") == "Pages"]
    ints = [c for c in counts if isinstance(c, int) and c >= 0]
    return max(ints) if ints else None
