"""A tokenizer for the PostScript syntax (PLRM 3rd ed. section 3.2), which PDF reuses for its
objects and content streams (ISO 32000-1 section 7.2/7.3).

``next_token(buf, pos)`` returns ``(kind, value, end)``; kinds are the constants below. Literal
strings are decoded (escapes of PLRM 3.2.2: ``\\n \\r \\t \\b \\f \\\\ \\( \\)``, octal ``\\ddd``,
backslash-newline continuation), hex strings too (an odd final digit counts as ``0``, as the specs
say). Invariants: every call advances ``end`` past ``pos`` (garbage is skipped a byte at a time),
and a string is cut at ``MAX_STRING`` bytes, so a stray ``(`` in binary data cannot swallow the
rest of a document.
"""
from __future__ import annotations

import re
from typing import Any

EOF_, NUM, STR, NAME, OP, DELIM, COMMENT = range(7)
MAX_STRING = 1 << 16

_WS = re.compile(rb"[\x00\t\n\x0c\r ]+")
_SIMPLE_STR = re.compile(rb"\(((?:[^\\()]|\\.){0,65536})\)", re.S)  # no nested parentheses
_HEX = re.compile(rb"<([0-9A-Fa-f\x00\t\n\x0c\r ]*)>")
_A85 = re.compile(rb"<~(.*?)~>", re.S)
_REGULAR = re.compile(rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]+")
_NUMBER = re.compile(rb"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_RADIX = re.compile(rb"([0-9]{1,2})#([0-9A-Za-z]+)")
_ESC = re.compile(rb"\\(\r\n|[0-7]{1,3}|.)", re.S)
_SIMPLE = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"\n": b"", b"\r": b"",
           b"\r\n": b""}
_PAREN = re.compile(rb"[\\()]")


def _unescape(m: re.Match[bytes]) -> bytes:
    g = m.group(1)
    if 0x30 <= g[0] <= 0x37:
        return bytes([int(g, 8) & 0xFF])
    return _SIMPLE.get(g, g)


def unescape(raw: bytes) -> bytes:
    return _ESC.sub(_unescape, raw) if b"\\" in raw else raw


def hex_bytes(raw: bytes) -> bytes:
    h = re.sub(rb"[^0-9A-Fa-f]", b"", raw)
    if len(h) % 2:
        h += b"0"
    return bytes.fromhex(h.decode("ascii"))


def _nested(buf: bytes, pos: int) -> tuple[bytes, int]:
    """A literal string with nested parentheses starting at ``pos`` (the ``(``)."""
    depth, p, n = 1, pos + 1, len(buf)
    limit = min(n, pos + MAX_STRING)
    while p < limit:
        m = _PAREN.search(buf, p, limit)
        if m is None:
            break
        c = buf[m.start()]
        if c == 0x5C:  # backslash: the next byte is escaped
            p = m.start() + 2
            continue
        depth += 1 if c == 0x28 else -1
        p = m.start() + 1
        if depth == 0:
            return unescape(buf[pos + 1:p - 1]), p
    return b"", pos + 1  # unterminated: not a string, skip the "(" alone


def _a85(raw: bytes) -> bytes:
    out = bytearray()
    group: list[int] = []
    for c in raw:
        if c == 0x7A and not group:  # 'z'
            out += b"\0\0\0\0"
        elif 0x21 <= c <= 0x75:
            group.append(c - 33)
            if len(group) == 5:
                v = 0
                for d in group:
                    v = v * 85 + d
                out += (v & 0xFFFFFFFF).to_bytes(4, "big")
                group = []
    if len(group) > 1:
        k = len(group) - 1
        group += [84] * (5 - len(group))
        v = 0
        for d in group:
            v = v * 85 + d
        out += (v & 0xFFFFFFFF).to_bytes(4, "big")[:k]
    return bytes(out)


def number(raw: bytes) -> float | int | None:
    m = _NUMBER.fullmatch(raw)
    if m is not None:
        try:
            return int(raw) if raw.lstrip(b"+-").isdigit() else float(raw)
        except (ValueError, OverflowError):
            return None
    m = _RADIX.fullmatch(raw)
    if m is not None:
        try:
            return int(m.group(2), int(m.group(1)))
        except ValueError:
            return None
    return None


def next_token(buf: bytes, pos: int) -> tuple[int, Any, int]:
    n = len(buf)
    m = _WS.match(buf, pos)
    if m is not None:
        pos = m.end()
    if pos >= n:
        return EOF_, None, n
    c = buf[pos]
    if c == 0x25:  # %
        e = buf.find(b"\n", pos)
        e2 = buf.find(b"\r", pos)
        if e < 0 or 0 <= e2 < e:
            e = e2
        e = n if e < 0 else e
        return COMMENT, buf[pos:e], e
    if c == 0x28:  # (
        m = _SIMPLE_STR.match(buf, pos)
        if m is not None:
            return STR, unescape(m.group(1)), m.end()
        s, end = _nested(buf, pos)
        return (STR, s, end) if end > pos + 1 else (DELIM, b"(", end)
    if c == 0x3C:  # <
        if buf.startswith(b"<<", pos):
            return DELIM, b"<<", pos + 2
        if buf.startswith(b"<~", pos):
            m = _A85.match(buf, pos)
            if m is not None:
                return STR, _a85(m.group(1)), m.end()
            return DELIM, b"<", pos + 1
        m = _HEX.match(buf, pos)
        if m is not None:
            return STR, hex_bytes(m.group(1)), m.end()
        return DELIM, b"<", pos + 1
    if c == 0x3E:  # >
        if buf.startswith(b">>", pos):
            return DELIM, b">>", pos + 2
        return DELIM, b">", pos + 1
    if c in b"[]{})":
        return DELIM, bytes([c]), pos + 1
    if c == 0x2F:  # /name or //name
        p = pos + 1
        if p < n and buf[p] == 0x2F:
            p += 1
        m = _REGULAR.match(buf, p)
        end = m.end() if m else p
        return NAME, buf[p:end], end
    m = _REGULAR.match(buf, pos)
    if m is None:  # pragma: no cover - every remaining byte is regular
        return DELIM, bytes([c]), pos + 1
    raw = m.group(0)
    if raw[0] in b"+-.0123456789":
        v = number(raw)
        if v is not None:
            return NUM, v, m.end()
    return OP, raw, m.end()
