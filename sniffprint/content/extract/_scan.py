"""Operator events of PostScript-syntax text (PLRM 3.2; ISO 32000-1 7.2, 7.8.2 content streams),
found by one regular expression over the whole buffer instead of a token-at-a-time loop.

A text extractor cares about a few operators (``show``, ``Tj``, ``moveto``...) and the operands
written just before each. ``events(ops)`` compiles a pattern whose ``search`` skips, in C, every
other operator and operand, and stops at the next *event*:

- ``"op"``: a string (literal or hex) followed by numbers, names or brackets and then an
  interesting operator: ``(Hello) 72 720 Q``, ``<48656c6c6f> show``, ``(x) [1 2] xshow``;
- ``"arr"``: an array of strings and numbers followed by an interesting operator:
  ``[(Hel) 20 (lo)] TJ``;
- ``"num"``: up to eight numbers or names followed by an interesting operator: ``72 720 moveto``,
  ``/F1 12 Tf``, ``1 0 0 1 72 700 Tm``;
- ``"bare"``: an interesting operator with none of those right before it: ``showpage``, ``T*``;
- ``"c"``: a comment (``%`` to the end of the line);
- ``"b"``: a procedure brace;
- ``"x"``: a ``(`` that the string pattern did not take (a string that nests, or never closes) or
  a ``<~``: the caller reads that token with ``_pstokens.Lexer``.

Each event's operands are exactly the tokens written since the previous operator, as a token
loop would see them, for the operators the extractors read (a string, numbers, a name, an array).
Strings and comments are found as events before anything inside them is considered, so text
inside a string is never taken for an operator.

Every operand pattern reads its token one way only (a number or a name must end where the token
ends), and the patterns that may start at many places read at most eight tokens, so ``search``
runs in linear time. No possessive quantifiers or atomic groups: Python 3.10's ``re`` lacks them.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from . import _pstokens as T

_WSC = rb"\x00\t\n\x0c\r "
REG = rb"[^" + _WSC + rb"()<>\[\]{}/%]"  # a regular character (PLRM 3.2.1)
_END = rb"(?!" + REG + rb")"  # the token ends here
_START = rb"(?<!" + REG + rb")(?<!/)"  # a token starts here (not inside a name or a word)
NUMBER = rb"(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[0-9]{1,2}#[0-9A-Za-z]+)" + _END
# A literal string without nested parentheses, of bounded size: the fast path. A longer one, or
# one with more escapes, is an "x" event read by ``_pstokens.Lexer``: so a search started at each
# of many "(" (a run of "\\(", say) reads a bounded number of bytes from each.
MAX_FAST_STRING = 256  # bytes between escapes
MAX_FAST_ESCAPES = 32
STRING = (rb"\([^\\()]{0," + str(MAX_FAST_STRING).encode() + rb"}(?:\\.[^\\()]{0," + str(MAX_FAST_STRING).encode()
          + rb"}){0," + str(MAX_FAST_ESCAPES).encode() + rb"}\)")
HEX = rb"<[0-9A-Fa-f" + _WSC + rb"]*>"
NAME = rb"(?://|/(?!/))" + REG + rb"*" + _END
_W = rb"[" + _WSC + rb"]"
_WS = _W + rb"+(?!" + _W + rb")"  # a whole run of white space
_TOKEN = rb"(?:" + _WS + rb"|" + NUMBER + rb"|" + NAME + rb")"
_ARRAY = rb"\[(?:" + _WS + rb"|" + NUMBER + rb"|" + STRING + rb"|" + HEX + rb")*\]"
MAX_LEADING = 8  # number or name tokens read before an operator by the "num" event
MAX_BETWEEN = 16  # tokens read between a string and its operator (white space counts)
_ARGS = (rb"(?:" + _TOKEN + rb"{0," + str(MAX_BETWEEN).encode() + rb"}(?:" + _ARRAY + rb")?" + _TOKEN + rb"{0,4})")


@lru_cache(maxsize=64)
def events(ops: frozenset[bytes]) -> re.Pattern[bytes]:
    """The event pattern for the operators ``ops`` (see the module docstring)."""
    names = rb"(?:" + rb"|".join(re.escape(n) for n in sorted(ops, key=len, reverse=True)) + rb")" + _END
    branches = [
        rb"(?P<s>" + STRING + rb"|" + HEX + rb")(?P<sa>" + _ARGS + rb")(?P<op>" + names + rb")",
        rb"(?P<a>" + _ARRAY + rb")(?P<aa>" + _ARGS + rb")(?P<arr>" + names + rb")",
        _START + rb"(?P<na>(?:(?:" + NUMBER + rb"|" + NAME + rb")(?:" + _WS + rb")?){1," + str(MAX_LEADING).encode()
        + rb"})(?P<num>" + names + rb")",
        _START + rb"(?P<bare>" + names + rb")",
        rb"(?P<c>%[^\r\n]*)",
        rb"(?P<b>[{}])",
        rb"(?P<x>\(|<~)",
    ]
    return re.compile(rb"|".join(branches), re.S)


@lru_cache(maxsize=8)
def skipping(ops: frozenset[bytes]) -> re.Pattern[bytes]:
    """A lighter pattern for code that is read but not shown (a prologue): ``"str"`` for a
    literal string (read over: nothing inside counts), ``"c"``, ``"b"``, ``"x"`` as in ``events``,
    and ``"bare"`` for the operators ``ops`` (their operands are not needed)."""
    names = rb"(?:" + rb"|".join(re.escape(n) for n in sorted(ops, key=len, reverse=True)) + rb")" + _END
    return re.compile(rb"(?P<str>" + STRING + rb")|(?P<c>%[^\r\n]*)|(?P<b>[{}])|(?P<x>\(|<~)|" + _START
                      + rb"(?P<bare>" + names + rb")", re.S)


def ops_of(m: re.Match[bytes]) -> tuple[bytes, list[tuple[int, Any]]]:
    """(operator, operand tokens) of an operator event."""
    kind = m.lastgroup
    if kind == "op":
        s = m.group("s")
        first = (T.STR, T.unescape(s[1:-1]) if s[0] == 0x28 else T.hex_bytes(s[1:-1]))
        rest = m.group("sa")
        return m.group("op"), [first] + operands(rest) if rest.strip() else [first]
    if kind == "arr":
        return m.group("arr"), operands(m.group("a") + b" " + m.group("aa"))
    if kind == "num":
        return m.group("num"), operands(m.group("na"))
    return m.group(), []


# One operand token; comments and white space match nothing and are skipped by finditer.
_ARG = re.compile(rb"(?P<n>" + NUMBER + rb")|(?P<s>" + STRING + rb")|(?P<h>" + HEX + rb")|//?(?P<m>" + REG
                  + rb"*)|(?P<d><<|>>|\[|\])|%[^\r\n]*", re.S)


def operands(raw: bytes) -> list[tuple[int, Any]]:
    """The operand tokens written in ``raw`` as ``(kind, value)`` pairs of ``_pstokens`` (strings
    decoded, numbers converted)."""
    out: list[tuple[int, Any]] = []
    for m in _ARG.finditer(raw):
        kind = m.lastgroup
        if kind is None:
            continue  # a comment
        v = m.group()
        if kind == "n":
            num = T.number(v)
            out.append((T.NUM, num) if num is not None else (T.OP, v))
        elif kind == "s":
            out.append((T.STR, T.unescape(v[1:-1])))
        elif kind == "m":
            out.append((T.NAME, m.group("m")))
        elif kind == "d":
            out.append((T.DELIM, v))
        else:
            out.append((T.STR, T.hex_bytes(v[1:-1])))
    return out


_ONLY_ARGS = re.compile(rb"(?:" + _TOKEN + rb"|\[|\])*\Z", re.S)


def only_operands(buf: bytes, start: int, end: int) -> bool:
    """True when ``buf[start:end]`` holds nothing but numbers, names, brackets and white space
    (so a token read before ``start`` is still an operand of an operator at ``end``)."""
    return start <= end and _ONLY_ARGS.match(buf, start, end) is not None


# Inside a procedure: braces, and what can hold a brace or a word that is not one
_PROC = re.compile(rb"[{}(%<]")
_WORD = re.compile(_START + rb"(?!" + NUMBER + rb")" + REG + rb"+" + _END)


def procedure(lx: T.Lexer, start: int, limit: int = 65) -> tuple[int, list[bytes]]:
    """The procedure whose ``{`` is at ``start``: (the end just past its ``}``, or the end of the
    buffer; its first ``limit`` operator names, at any depth, as a token loop would list them)."""
    buf = lx.buf
    depth, pos, n = 0, start, len(buf)
    words: list[bytes] = []
    seg = start + 1  # start of the current run of code (outside strings and comments)
    while pos < n:
        m = _PROC.search(buf, pos)
        if m is None:
            pos = n
            break
        if len(words) < limit:
            words += _words(buf, seg, m.start(), limit - len(words))
        c = buf[m.start()]
        if c in (0x7B, 0x7D):  # { }
            depth += 1 if c == 0x7B else -1
            pos = seg = m.end()
            if depth == 0:
                break
            continue
        pos = seg = lx.next(m.start())[2]  # a string, comment, hex string or <~ ~>: one token
    if len(words) < limit:
        words += _words(buf, seg, pos, limit - len(words))
    return pos, words


def _words(buf: bytes, start: int, end: int, limit: int) -> list[bytes]:
    out: list[bytes] = []
    for m in _WORD.finditer(buf, start, end):
        out.append(m.group())
        if len(out) >= limit:
            break
    return out


