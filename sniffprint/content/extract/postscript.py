"""PostScript text (PLRM 3rd ed. section 5.9 "show" operators; DSC 3.0, Adobe TN 5001).

Text is the string operand of the show family (``show ashow widthshow awidthshow kshow xshow
yshow xyshow``, and ``glyphshow`` names), in document order, plus the values of the DSC comments
that people write (``%%Title``, ``%%For``, ``%%Routing``). Procedures defined as
``/Q {moveto show} bind def`` (groff's prologue, most drivers') are learnt as show aliases, with
whether they move absolutely or relatively first. Ghostscript's ``ps2write`` output draws pages
with PDF operators (``Tj``, ``TJ``, ``'``, ``"``) defined in its prologue; those go through
``_content.TextState``.

Layout, cheaply: an absolute ``moveto`` to another baseline is a line break, to the same baseline a
word space; a relative move by more than ``WORD_GAP`` em horizontally is a space, vertically a line
break; consecutive shows without a move run together, as they print. Strings are Latin-1 (the
encoding ``ISOLatin1Encoding`` re-encoded fonts and groff use; custom font encodings are not
followed).

Not text: the prologue and resources (``%%BeginProlog``..``%%EndProlog``,
``%%BeginResource``..``%%EndResource``) are read only for procedure definitions; ``eexec``
sections and ``%%BeginData``/``%%BeginBinary`` payloads are skipped. Bounds: ``MAX_TOKENS`` tokens.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from typing import Any

from ..classify import postscript as postscript_lang
from . import _pstokens as T
from ._content import TEXT_OPS, TextState
from ._fonts import glyph_char
from ._text import TextSink
from .base import Result

NAME = postscript_lang.NAME

MAX_TOKENS = 5_000_000
WORD_GAP = 0.15
SHOW_OPS = frozenset({b"show", b"ashow", b"widthshow", b"awidthshow", b"kshow", b"xshow", b"yshow", b"xyshow",
                      b"cshow"})
FIRST_STRING = frozenset({b"xshow", b"yshow", b"xyshow"})  # string numarray xshow
DSC_TEXT = re.compile(rb"%%(?:Title|For|Routing):[ \t]*(.*)")
_SKIP_BEGIN = {b"%%BeginProlog": b"%%EndProlog", b"%%BeginResource": b"%%EndResource"}
_DATA = re.compile(rb"%%Begin(?:Data|Binary):[ \t]*([0-9]+)(?:[ \t]+\w+[ \t]+(Bytes|Lines))?")


@dataclass(slots=True)
class _Alias:
    move: str  # "" | "abs" | "rx" | "ry" | "rxy"


def _alias_of(body: list[bytes], aliases: dict[bytes, _Alias]) -> _Alias | None:
    shows = [t for t in body if t in SHOW_OPS or t in aliases or t == b"glyphshow"]
    if not shows or len(body) > 64:
        return None
    if b"moveto" in body:
        return _Alias("abs")
    if b"rmoveto" in body:
        i = body.index(b"rmoveto")
        pre = body[max(0, i - 2):i]
        if pre == [b"0", b"exch"]:
            return _Alias("ry")
        if pre[-1:] == [b"0"]:
            return _Alias("rx")
        return _Alias("rxy")
    inner = next((aliases[t] for t in shows if t in aliases), None)
    return inner or _Alias("")


def _dsc_value(raw: bytes) -> str:
    v = raw.strip()
    if v.startswith(b"(") and v.endswith(b")"):
        v = T.unescape(v[1:-1])
    return v.decode("latin-1")


def extract(buf: bytes, sink: TextSink) -> Result:
    aliases: dict[bytes, _Alias] = {}
    pdf = TextState(sink, lambda _n: None)
    ops: deque[tuple[int, Any]] = deque(maxlen=256)
    proc_depth = 0
    proc_name: bytes | None = None
    proc_body: list[bytes] = []
    skip_until: bytes | None = None
    fs = 10.0
    y: float | None = None
    pages_dsc = 0
    showpages = 0
    shows = 0
    tokens = 0
    pos, n = 0, len(buf)
    last_name: bytes | None = None
    lx = T.Lexer(buf)
    ends = {key: T.Finder(buf, end) for key, end in _SKIP_BEGIN.items()}
    while pos < n and not sink.full and tokens < MAX_TOKENS:
        kind, val, pos = lx.next(pos)
        tokens += 1
        if kind == T.EOF_:
            break
        if kind == T.COMMENT:
            line = bytes(val)
            if skip_until is not None:
                if line.startswith(skip_until):
                    skip_until = None
                continue
            if line.startswith(b"%%"):
                key = line.split(b":", 1)[0].split()[0] if line.strip() else b""
                if key in _SKIP_BEGIN and ends[key].find(pos) >= 0:
                    skip_until = _SKIP_BEGIN[key]
                elif line.startswith(b"%%Page:"):
                    pages_dsc += 1
                    sink.sep("\n")
                elif (m := _DATA.match(line)) is not None and m.group(2) != b"Lines":
                    pos = min(n, pos + 1 + int(m.group(1)))  # the EOL, then the payload
                elif (m := DSC_TEXT.match(line)) is not None:
                    v = _dsc_value(m.group(1))
                    if v and v.lower() != "(atend)":
                        sink.sep("\n")
                        sink.add(v)
                        sink.sep("\n")
            continue
        if kind == T.DELIM:
            if val == b"{":
                if proc_depth == 0:
                    proc_name, proc_body = last_name, []
                proc_depth += 1
            elif val == b"}" and proc_depth:
                proc_depth -= 1
                if proc_depth == 0 and proc_name is not None:
                    a = _alias_of(proc_body, aliases)
                    if a is not None:
                        aliases[proc_name] = a
                    elif proc_name in aliases:
                        del aliases[proc_name]
                    proc_name = None
            last_name = None
            ops.append((kind, val))
            continue
        if kind == T.NAME:
            last_name = bytes(val)
            ops.append((kind, val))
            continue
        if kind != T.OP:
            ops.append((kind, val))
            continue
        name = bytes(val)
        if proc_depth:
            if len(proc_body) < 65:
                proc_body.append(name)
            if skip_until is not None:
                continue
        if name == b"eexec":
            e = buf.find(b"cleartomark", pos)
            pos = n if e < 0 else e + len(b"cleartomark")
            ops.clear()
            continue
        if skip_until is not None:
            ops.clear()
            continue
        if name in SHOW_OPS or name in aliases or name == b"glyphshow":
            _show(name, ops, aliases.get(name), sink, fs, y)
            if (a := aliases.get(name)) is not None and a.move == "abs":
                nums = [v for k, v in ops if k == T.NUM]
                if len(nums) >= 2:
                    y = float(nums[-1])
            shows += 1
        elif name == b"moveto":
            nums = [v for k, v in list(ops)[-2:] if k == T.NUM]
            if len(nums) == 2:
                ny = float(nums[1])
                sink.sep("\n" if y is None or abs(ny - y) > 0.3 * fs else " ")
                y = ny
        elif name == b"rmoveto":
            nums = [v for k, v in list(ops)[-2:] if k == T.NUM]
            if len(nums) == 2:
                _rel(sink, float(nums[0]), float(nums[1]), fs)
                if y is not None:
                    y += float(nums[1])
        elif name in (b"scalefont", b"selectfont", b"SF"):
            nums = [v for k, v in ops if k == T.NUM]
            if nums and 0 < abs(float(nums[-1])) < 10_000:
                fs = abs(float(nums[-1]))
        elif name in (b"showpage", b"copypage"):
            if proc_depth == 0:
                showpages += 1
            sink.sep("\n")
        elif name in TEXT_OPS and proc_depth == 0:
            args = _pdf_args(ops)
            pdf.op(name, args)
            if name in (b"Tj", b"TJ", b"'", b'"'):
                shows += 1
        ops.clear()
    pages = pages_dsc or showpages or None
    detail = f"PostScript: {shows} show operators, {pages if pages is not None else '?'} pages"
    if len(aliases):
        detail += f", {len(aliases)} show procedures"
    return Result("text" if sink.chars else "no-text", detail, pages)


def _rel(sink: TextSink, dx: float, dy: float, fs: float) -> None:
    if abs(dy) > 0.3 * fs:
        sink.sep("\n")
    elif dx > WORD_GAP * fs or dx < -fs:
        sink.sep(" ")


def _show(name: bytes, ops: deque[tuple[int, Any]], alias: _Alias | None, sink: TextSink, fs: float,
          y: float | None) -> None:
    items = list(ops)
    if name == b"glyphshow":
        if items and items[-1][0] == T.NAME:
            sink.add(glyph_char(bytes(items[-1][1]).decode("latin-1")))
        return
    strs = [i for i, (k, _v) in enumerate(items) if k == T.STR]
    if not strs:
        return
    idx = strs[0] if name in FIRST_STRING else strs[-1]
    raw = items[idx][1]
    if alias is not None and alias.move:
        nums = [float(v) for k, v in items[idx + 1:] if k == T.NUM]
        if alias.move == "abs" and len(nums) >= 2:
            sink.sep("\n" if y is None or abs(nums[-1] - y) > 0.3 * fs else " ")
        elif alias.move == "rx" and nums:
            _rel(sink, nums[-1], 0.0, fs)
        elif alias.move == "ry" and nums:
            _rel(sink, 0.0, nums[-1], fs)
        elif alias.move == "rxy" and len(nums) >= 2:
            _rel(sink, nums[-2], nums[-1], fs)
    sink.add(bytes(raw).decode("latin-1"))


def _pdf_args(ops: deque[tuple[int, Any]]) -> list[object]:
    """Operands for a PDF text operator, with ``[...]`` folded into a list (for TJ)."""
    out: list[object] = []
    stack: list[list[object]] = []
    for k, v in ops:
        if k == T.DELIM and v == b"[":
            stack.append([])
        elif k == T.DELIM and v == b"]" and stack:
            done = stack.pop()
            (stack[-1] if stack else out).append(done)
        elif k in (T.NUM, T.STR, T.NAME):
            (stack[-1] if stack else out).append(v)
    return out
