"""The one escaping function of every human output: text from the wire never drives a terminal.

A certificate subject, an SNI, a job or user name is chosen by whoever sent it. Written raw to a
terminal, ESC starts a control sequence (clear the screen, move the cursor, set the title,
rewrite earlier lines), BEL rings, CR and LF forge lines of output, NUL and C1 controls confuse
terminals and pagers, and the bidirectional overrides (U+202A-U+202E, U+2066-U+2069: "Trojan
Source", CVE-2021-42574) reorder what is displayed. ``safe()`` makes every such character visible
instead, as a Python-style escape, so nothing of the value is lost and nothing of it acts:

- C0 controls, DEL and C1 controls (Unicode category Cc: NUL, BEL, BS, TAB, LF, CR, ESC, CSI...),
  format characters (Cf: bidi embeddings, overrides and isolates, marks, zero-width characters),
  line and paragraph separators (Zl, Zp), lone surrogates (Cs: undecodable bytes kept by
  ``surrogateescape``), private-use characters (Co) and Unicode noncharacters (U+FFFE, U+FFFF...)
  become ``\\xNN``, ``\\uNNNN`` or ``\\UNNNNNNNN``;
- the backslash becomes ``\\\\``, so an escape in the output always means an escaped character and a
  value that contains the text ``\\x1b`` cannot pass for one that contained ESC.

Used by the table, the line writer, the CLI's stderr lines (summaries, live status, messages) and,
since the same characters make XML 1.0 ill-formed, every text and attribute of the JUnit file.
"""
from __future__ import annotations

import unicodedata

ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co"})


def _noncharacter(cp: int) -> bool:
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


def _escape(ch: str) -> str:
    cp = ord(ch)
    if cp < 0x100:
        return f"\\x{cp:02x}"
    if cp < 0x10000:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def safe(text: object) -> str:
    """``text`` (or its ``str()``) with every character that could act on a terminal, or make XML
    ill-formed, written as a visible escape."""
    s = text if isinstance(text, str) else str(text)
    if s.isascii() and s.isprintable() and "\\" not in s:  # the common case, in one C pass
        return s
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch.isprintable() and not _noncharacter(ord(ch)):
            out.append(ch)
        elif unicodedata.category(ch) in ESCAPED_CATEGORIES or _noncharacter(ord(ch)):
            out.append(_escape(ch))
        else:  # a space other than U+0020 (NBSP...), an unassigned code point: shown as it is
            out.append(ch)
    return "".join(out)
