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
sections and ``%%BeginData``/``%%BeginBinary`` payloads are skipped.

How: ``_scan.events`` finds, with one regular expression searched over the document, the next
string-then-operator, array-then-operator, numbers-then-operator, bare operator of interest,
comment or brace; everything else (other operators and their operands) is skipped in C. Python
runs once per event, not once per token. A procedure (``{ ... }``) is measured by
``_scan.procedure`` (its operator names decide whether it is a show alias) and its body read for
events like the rest. Operands of an event are the tokens written since the previous operator, as
the PostScript interpreter would have them on its stack for the operators read here. Time is
linear in the document (see ``_scan`` and ``_pstokens``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..classify import postscript as postscript_lang
from . import _pstokens as T
from . import _scan
from ._content import TEXT_OPS, TextState
from ._content import fast as fast_text_op
from ._fonts import glyph_char
from ._text import TextSink
from .base import Result

NAME = postscript_lang.NAME

WORD_GAP = 0.15
SHOW_OPS = frozenset({b"show", b"ashow", b"widthshow", b"awidthshow", b"kshow", b"xshow", b"yshow", b"xyshow",
                      b"cshow"})
FIRST_STRING = frozenset({b"xshow", b"yshow", b"xyshow"})  # string numarray xshow
FONT_SIZE_OPS = frozenset({b"scalefont", b"selectfont", b"SF"})
PAGE_OPS = frozenset({b"showpage", b"copypage"})
OTHER_OPS = frozenset({b"glyphshow", b"moveto", b"rmoveto", b"eexec"}) | FONT_SIZE_OPS | PAGE_OPS
DSC_TEXT = re.compile(rb"%%(?:Title|For|Routing):[ \t]*(.*)")
_SKIP_BEGIN = {b"%%BeginProlog": b"%%EndProlog", b"%%BeginResource": b"%%EndResource"}
_DATA = re.compile(rb"%%Begin(?:Data|Binary):[ \t]*([0-9]+)(?:[ \t]+\w+[ \t]+(Bytes|Lines))?")
_NAME_BEFORE = re.compile(rb"/{1,2}(" + _scan.REG + rb"+)[\x00\t\n\x0c\r ]*\Z")
_OP_EVENTS = frozenset({"op", "arr", "num", "bare"})
_PDF_SHOWS = frozenset({b"Tj", b"TJ", b"'", b'"'})
_SKIPPING = frozenset({b"eexec"})  # in a prologue or resource: only eexec sections and procedures matter


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


@dataclass(slots=True)
class _State:
    buf: bytes
    sink: TextSink
    lx: T.Lexer
    pdf: TextState
    aliases: dict[bytes, _Alias] = field(default_factory=dict)
    ends: dict[bytes, T.Finder] = field(default_factory=dict)
    skip_until: bytes | None = None
    fs: float = 10.0
    y: float | None = None
    pages_dsc: int = 0
    showpages: int = 0
    shows: int = 0
    pending: list[tuple[int, Any]] = field(default_factory=list)  # operands read by the Lexer
    pending_end: int = -1
    _pattern: re.Pattern[bytes] | None = None  # for the current aliases and skipping state

    def pattern(self) -> re.Pattern[bytes]:
        if self._pattern is None:
            if self.skip_until is not None:
                self._pattern = _scan.skipping(_SKIPPING)
            else:
                self._pattern = _scan.events(SHOW_OPS | OTHER_OPS | TEXT_OPS | frozenset(self.aliases))
        return self._pattern


def extract(buf: bytes, sink: TextSink) -> Result:
    st = _State(buf, sink, T.Lexer(buf), TextState(sink, lambda _n: None))
    st.ends = {key: T.Finder(buf, end) for key, end in _SKIP_BEGIN.items()}
    _region(st, 0, len(buf), False)
    pages = st.pages_dsc or st.showpages or None
    detail = f"PostScript: {st.shows} show operators, {pages if pages is not None else '?'} pages"
    if len(st.aliases):
        detail += f", {len(st.aliases)} show procedures"
    return Result("text" if sink.chars else "no-text", detail, pages)


def _region(st: _State, pos: int, end: int, in_proc: bool) -> None:
    """Read the events of ``buf[pos:end]``: the document, or the body of a procedure."""
    buf, sink, aliases = st.buf, st.sink, st.aliases
    while pos < end and not sink.full:
        m = (st._pattern or st.pattern()).search(buf, pos, end)
        if m is None:
            return
        kind = m.lastgroup or ""
        if kind == "str":  # a string in a prologue: nothing inside it counts
            pos = m.end()
            continue
        if kind in _OP_EVENTS and not st.pending and st.skip_until is None:
            name = m.group(kind)  # each operator event names its operator group after itself
            if name in TEXT_OPS and not in_proc and fast_text_op(st.pdf, kind, name, m):  # ps2write's pages
                st.shows += name in _PDF_SHOWS
                pos = m.end()
                continue
            # the common case, "(text) 72 720 Q": a string, numbers, a show or an alias of one
            alias = aliases.get(name)
            if kind == "op" and (alias is not None or name in SHOW_OPS):
                s = m.group("s")
                raw = T.unescape(s[1:-1]) if s[0] == 0x28 else T.hex_bytes(s[1:-1])
                if alias is not None and alias.move:
                    nums = _numbers(m.group("sa"))
                    _moved(sink, alias.move, nums, st.fs, st.y)
                    if alias.move == "abs" and len(nums) >= 2:
                        st.y = nums[-1]
                sink.add(raw.decode("latin-1"))
                st.shows += 1
                pos = m.end()
                continue
        if kind == "c":
            pos = _comment(st, m.group(), m.end())
        elif kind == "b":
            if buf[m.start()] == 0x7B and not in_proc:  # "{": a procedure, maybe a show alias
                pos = _procedure(st, m.start())
            else:  # braces inside a procedure: its extent is known; a stray "}"
                pos = m.end()
        elif kind == "x":  # a string that nests or never closes, or <~ ~>
            k, v, pos = st.lx.next(m.start())
            if k == T.STR:
                if not (st.pending and _scan.only_operands(buf, st.pending_end, m.start())):
                    st.pending = []
                st.pending.append((k, v))
                st.pending_end = pos
        else:
            name, toks = _scan.ops_of(m)
            if st.pending and _scan.only_operands(buf, st.pending_end, m.start()):
                toks = st.pending + toks
            st.pending = []
            pos = _op(st, name, toks, m.end(), in_proc)


def _comment(st: _State, line: bytes, pos: int) -> int:
    """A comment ending at ``pos``: DSC text, pages, and the sections to skip; where to go on."""
    sink = st.sink
    if st.skip_until is not None:
        if line.startswith(st.skip_until):
            st.skip_until = None
            st._pattern = None
        return pos
    if line.startswith(b"%%"):
        key = line.split(b":", 1)[0].split()[0] if line.strip() else b""
        if key in _SKIP_BEGIN and st.ends[key].find(pos) >= 0:
            st.skip_until = _SKIP_BEGIN[key]
            st._pattern = None
        elif line.startswith(b"%%Page:"):
            st.pages_dsc += 1
            sink.sep("\n")
        elif (m := _DATA.match(line)) is not None and m.group(2) != b"Lines":
            return min(len(st.buf), pos + 1 + int(m.group(1)))  # the EOL, then the payload
        elif (m := DSC_TEXT.match(line)) is not None:
            v = _dsc_value(m.group(1))
            if v and v.lower() != "(atend)":
                sink.sep("\n")
                sink.add(v)
                sink.sep("\n")
    return pos


def _procedure(st: _State, start: int) -> int:
    """A procedure at top level: read its body (unless skipping), then learn it as a show alias
    when it shows (whether it moves first decides the layout of each call)."""
    end, words = _scan.procedure(st.lx, start)
    m = _NAME_BEFORE.search(st.buf, max(0, start - 256), start)
    if st.skip_until is None:
        _region(st, start + 1, end, True)
    if m is not None:
        name = m.group(1)
        alias = _alias_of(words, st.aliases)
        if alias is not None:
            if name not in st.aliases:
                st._pattern = None
            st.aliases[name] = alias
        elif name in st.aliases:
            del st.aliases[name]
            st._pattern = None
    return end


def _op(st: _State, name: bytes, toks: list[tuple[int, Any]], pos: int, in_proc: bool) -> int:
    """One operator of interest with its operands; returns where reading goes on."""
    sink = st.sink
    if name == b"eexec":  # an encrypted font program up to cleartomark: not text
        e = st.buf.find(b"cleartomark", pos)
        return len(st.buf) if e < 0 else e + len(b"cleartomark")
    if st.skip_until is not None:
        return pos
    alias = st.aliases.get(name)
    if name in SHOW_OPS or alias is not None or name == b"glyphshow":
        _show(name, toks, alias, sink, st.fs, st.y)
        if alias is not None and alias.move == "abs":
            nums = [v for k, v in toks if k == T.NUM]
            if len(nums) >= 2:
                st.y = float(nums[-1])
        st.shows += 1
    elif name == b"moveto":
        nums = [v for k, v in toks[-2:] if k == T.NUM]
        if len(nums) == 2:
            ny = float(nums[1])
            sink.sep("\n" if st.y is None or abs(ny - st.y) > 0.3 * st.fs else " ")
            st.y = ny
    elif name == b"rmoveto":
        nums = [v for k, v in toks[-2:] if k == T.NUM]
        if len(nums) == 2:
            _rel(sink, float(nums[0]), float(nums[1]), st.fs)
            if st.y is not None:
                st.y += float(nums[1])
    elif name in FONT_SIZE_OPS:
        nums = [v for k, v in toks if k == T.NUM]
        if nums and 0 < abs(float(nums[-1])) < 10_000:
            st.fs = abs(float(nums[-1]))
    elif name in PAGE_OPS:
        if not in_proc:
            st.showpages += 1
        sink.sep("\n")
    elif name in TEXT_OPS and not in_proc:
        st.pdf.op(name, _pdf_args(toks))
        if name in _PDF_SHOWS:
            st.shows += 1
    return pos


_NUMBERS_ONLY = re.compile(rb"[-+.0-9eE\x00\t\n\x0c\r ]*\Z")


def _numbers(args: bytes) -> list[float]:
    """The numbers among the operands written in ``args`` (as ``_scan`` matched them)."""
    if _NUMBERS_ONLY.match(args):  # only numbers (the pattern checked each is one)
        return [float(x) for x in args.split()]
    return [float(v) for k, v in _scan.operands(args) if k == T.NUM]


def _moved(sink: TextSink, move: str, nums: list[float], fs: float, y: float | None) -> None:
    """The separator before the string of a show alias that moves first (``nums``: the numbers
    after the string, the position of the move)."""
    if move == "abs" and len(nums) >= 2:
        sink.sep("\n" if y is None or abs(nums[-1] - y) > 0.3 * fs else " ")
    elif move == "rx" and nums:
        _rel(sink, nums[-1], 0.0, fs)
    elif move == "ry" and nums:
        _rel(sink, 0.0, nums[-1], fs)
    elif move == "rxy" and len(nums) >= 2:
        _rel(sink, nums[-2], nums[-1], fs)


def _rel(sink: TextSink, dx: float, dy: float, fs: float) -> None:
    if abs(dy) > 0.3 * fs:
        sink.sep("\n")
    elif dx > WORD_GAP * fs or dx < -fs:
        sink.sep(" ")


def _show(name: bytes, items: list[tuple[int, Any]], alias: _Alias | None, sink: TextSink, fs: float,
          y: float | None) -> None:
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
        _moved(sink, alias.move, [float(v) for k, v in items[idx + 1:] if k == T.NUM], fs, y)
    sink.add(bytes(raw).decode("latin-1"))


def _pdf_args(ops: list[tuple[int, Any]]) -> list[object]:
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
