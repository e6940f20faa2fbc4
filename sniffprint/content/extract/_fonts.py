"""Character decoding for PDF and PostScript text (ISO 32000-1 sections 9.6.6, 9.10; Annex D).

A PDF font maps string bytes to characters through, in order of trust:
1. its ``/ToUnicode`` CMap (``bfchar``/``bfrange``; the code length comes from
   ``codespacerange``), see ``parse_cmap``;
2. its ``/Encoding``: a base encoding (``StandardEncoding``, ``WinAnsiEncoding``,
   ``MacRomanEncoding``, ``PDFDocEncoding``) patched by ``/Differences`` glyph names, which are
   mapped by ``glyph_char`` (single letters, digits, the punctuation and accent names of the
   Adobe Glyph List, ``uniXXXX``/``uXXXX``);
3. otherwise Latin-1, as printable bytes read.
Widths (``/FirstChar`` + ``/Widths``) give each glyph's advance so gaps between positioned pieces
can be told from word spaces; fonts without them are assumed half an em per character.

Invariant: CMaps are bounded (``MAX_CMAP`` entries, ranges clipped), so a hostile font costs no
more than a small dict.
"""
from __future__ import annotations

import re
import struct
import unicodedata
from itertools import repeat
from typing import Any

from . import _pstokens as T
from ._scan import STRING as _STRING

MAX_CMAP = 65536
DEFAULT_WIDTH = 500  # 1/1000 em, when a font lists no widths

_NAMED = {
    "space": " ", "exclam": "!", "quotedbl": '"', "numbersign": "#", "dollar": "$", "percent": "%",
    "ampersand": "&", "quotesingle": "'", "quoteright": "\u2019", "parenleft": "(", "parenright": ")",
    "asterisk": "*", "plus": "+", "comma": ",", "hyphen": "-", "period": ".", "slash": "/",
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "colon": ":", "semicolon": ";", "less": "<",
    "equal": "=", "greater": ">", "question": "?", "at": "@", "bracketleft": "[", "backslash": "\\",
    "bracketright": "]", "asciicircum": "^", "underscore": "_", "grave": "`", "quoteleft": "\u2018",
    "braceleft": "{", "bar": "|", "braceright": "}", "asciitilde": "~", "exclamdown": "\u00a1",
    "cent": "\u00a2", "sterling": "\u00a3", "fraction": "\u2044", "yen": "\u00a5", "florin": "\u0192",
    "section": "\u00a7", "currency": "\u00a4", "quotedblleft": "\u201c", "guillemotleft": "\u00ab",
    "guilsinglleft": "\u2039", "guilsinglright": "\u203a", "fi": "fi", "fl": "fl", "ff": "ff",
    "ffi": "ffi", "ffl": "ffl", "endash": "\u2013", "dagger": "\u2020", "daggerdbl": "\u2021",
    "periodcentered": "\u00b7", "paragraph": "\u00b6", "bullet": "\u2022", "quotesinglbase": "\u201a",
    "quotedblbase": "\u201e", "quotedblright": "\u201d", "guillemotright": "\u00bb", "ellipsis": "\u2026",
    "perthousand": "\u2030", "questiondown": "\u00bf", "acute": "\u00b4", "circumflex": "\u02c6",
    "tilde": "\u02dc", "macron": "\u00af", "breve": "\u02d8", "dotaccent": "\u02d9", "dieresis": "\u00a8",
    "ring": "\u02da", "cedilla": "\u00b8", "hungarumlaut": "\u02dd", "ogonek": "\u02db", "caron": "\u02c7",
    "emdash": "\u2014", "AE": "\u00c6", "ordfeminine": "\u00aa", "Lslash": "\u0141", "Oslash": "\u00d8",
    "OE": "\u0152", "ordmasculine": "\u00ba", "ae": "\u00e6", "dotlessi": "\u0131", "lslash": "\u0142",
    "oslash": "\u00f8", "oe": "\u0153", "germandbls": "\u00df", "minus": "\u2212", "multiply": "\u00d7",
    "divide": "\u00f7", "degree": "\u00b0", "plusminus": "\u00b1", "copyright": "\u00a9",
    "registered": "\u00ae", "trademark": "\u2122", "mu": "\u00b5", "brokenbar": "\u00a6",
    "logicalnot": "\u00ac", "onehalf": "\u00bd", "onequarter": "\u00bc", "threequarters": "\u00be",
    "onesuperior": "\u00b9", "twosuperior": "\u00b2", "threesuperior": "\u00b3", "Eth": "\u00d0",
    "eth": "\u00f0", "Thorn": "\u00de", "thorn": "\u00fe", "Euro": "\u20ac", "nbspace": "\u00a0",
    "sfthyphen": "\u00ad", "euro": "\u20ac",
}
_ACCENTS = {"acute": "\u0301", "grave": "\u0300", "circumflex": "\u0302", "dieresis": "\u0308",
            "tilde": "\u0303", "ring": "\u030a", "cedilla": "\u0327", "caron": "\u030c",
            "macron": "\u0304", "breve": "\u0306", "ogonek": "\u0328", "dotaccent": "\u0307",
            "hungarumlaut": "\u030b"}
_UNI = re.compile(r"uni([0-9A-Fa-f]{4})+|u([0-9A-Fa-f]{4,6})")

# StandardEncoding (PLRM Appendix E.6) where it differs from Latin-1 / ASCII
_STANDARD = {0x27: "\u2019", 0x60: "\u2018", 0xA1: "\u00a1", 0xA2: "\u00a2", 0xA3: "\u00a3", 0xA4: "\u2044",
             0xA5: "\u00a5", 0xA6: "\u0192", 0xA7: "\u00a7", 0xA8: "\u00a4", 0xA9: "'", 0xAA: "\u201c",
             0xAB: "\u00ab", 0xAC: "\u2039", 0xAD: "\u203a", 0xAE: "fi", 0xAF: "fl", 0xB1: "\u2013",
             0xB2: "\u2020", 0xB3: "\u2021", 0xB4: "\u00b7", 0xB6: "\u00b6", 0xB7: "\u2022", 0xB8: "\u201a",
             0xB9: "\u201e", 0xBA: "\u201d", 0xBB: "\u00bb", 0xBC: "\u2026", 0xBD: "\u2030", 0xBF: "\u00bf",
             0xC1: "`", 0xC2: "\u00b4", 0xC3: "\u02c6", 0xC4: "\u02dc", 0xC5: "\u00af", 0xC6: "\u02d8",
             0xC7: "\u02d9", 0xC8: "\u00a8", 0xCA: "\u02da", 0xCB: "\u00b8", 0xCD: "\u02dd", 0xCE: "\u02db",
             0xCF: "\u02c7", 0xD0: "\u2014", 0xE1: "\u00c6", 0xE3: "\u00aa", 0xE8: "\u0141", 0xE9: "\u00d8",
             0xEA: "\u0152", 0xEB: "\u00ba", 0xF1: "\u00e6", 0xF5: "\u0131", 0xF8: "\u0142", 0xF9: "\u00f8",
             0xFA: "\u0153", 0xFB: "\u00df"}
# PDFDocEncoding (ISO 32000-1 Annex D.2) 0x80-0x9F; the rest is Latin-1
_PDFDOC = dict(zip(range(0x80, 0xA0), "\u2022\u2020\u2021\u2026\u2014\u2013\u0192\u2044\u2039\u203a\u2212"
                   "\u2030\u201e\u201c\u201d\u2018\u2019\u201a\u2122\ufb01\ufb02\u0141\u0152\u0160\u0178"
                   "\u017d\u0131\u0142\u0153\u0161\u017e\ufffd", strict=False))


def _table(name: str) -> list[str]:
    if name == "WinAnsiEncoding":
        return [bytes([i]).decode("cp1252", "replace") for i in range(256)]
    if name == "MacRomanEncoding":
        return [bytes([i]).decode("mac_roman") for i in range(256)]
    if name == "PDFDocEncoding":
        return [_PDFDOC.get(i, chr(i)) for i in range(256)]
    if name == "StandardEncoding":
        return [_STANDARD.get(i, chr(i) if 0x20 <= i < 0x7F else "") for i in range(256)]
    return [chr(i) for i in range(256)]  # Latin-1


TABLES = {n: _table(n) for n in ("WinAnsiEncoding", "MacRomanEncoding", "PDFDocEncoding", "StandardEncoding",
                                 "Latin1")}


def glyph_char(name: str) -> str:
    """The text of a glyph name ('' when unknown, e.g. Ghostscript's ``g12`` subset names)."""
    name = name.split(".", 1)[0].split("_", 1)[0]
    if len(name) == 1 and name.isascii() and name.isalpha():
        return name
    if name in _NAMED:
        return _NAMED[name]
    m = _UNI.fullmatch(name)
    if m is not None:
        hexes = re.findall(r"[0-9A-Fa-f]{4}", name[3:]) if m.group(1) else [m.group(2)]
        try:
            return "".join(chr(int(h, 16)) for h in hexes if int(h, 16) < 0x110000)
        except ValueError:
            return ""
    for acc, comb in _ACCENTS.items():
        if name.endswith(acc) and len(name) == len(acc) + 1 and name[0].isalpha():
            return unicodedata.normalize("NFC", name[0] + comb)
    return ""


def _utf16(b: bytes) -> str:
    if len(b) % 2:
        b = b"\x00" + b
    return b.decode("utf-16-be", "replace")


_SECTION = re.compile(rb"begin(codespacerange|bfchar|bfrange)(?![A-Za-z])(.*?)end(?:codespacerange|bfchar|bfrange)"
                      rb"(?![A-Za-z])", re.S)
_CMAP_OPERAND = re.compile(rb"<([0-9A-Fa-f\x00\t\n\x0c\r ]*)>|(" + _STRING + rb")|([\[\]])", re.S)


def parse_cmap(data: bytes) -> tuple[dict[bytes, str], int]:
    """(code bytes -> text, code length in bytes) of a ToUnicode CMap (ISO 32000-1 9.10.3; Adobe
    TN 5014 ``begincodespacerange``, ``beginbfchar``, ``beginbfrange``). Each section is found by
    a regular expression and its operands (hex or literal strings, array brackets) by another."""
    out: dict[bytes, str] = {}
    nbytes = 0
    for sec in _SECTION.finditer(data):
        if len(out) >= MAX_CMAP:
            break
        operands: list[bytes] = []
        for h, lit, br in _CMAP_OPERAND.findall(sec.group(2)):
            operands.append(br or (T.unescape(lit[1:-1]) if lit else T.hex_bytes(h)))
            if len(operands) > 3 * MAX_CMAP:
                break
        kind = sec.group(1)
        if kind == b"codespacerange":
            lens = [len(x) for x in operands if x not in (b"[", b"]")]
            if lens:
                nbytes = nbytes or max(lens)
        elif kind == b"bfchar":
            for i in range(0, len(operands) - 1, 2):
                out[operands[i]] = _utf16(operands[i + 1])
        else:
            _ranges(operands, out)
    if not nbytes:
        nbytes = max((len(k) for k in out), default=1)
    return out, max(1, min(4, nbytes))


def _ranges(ops: list[bytes], out: dict[bytes, str]) -> None:
    i = 0
    while i + 2 < len(ops) and len(out) < MAX_CMAP:
        lo, hi, dst = ops[i], ops[i + 1], ops[i + 2]
        if not lo or len(lo) != len(hi):
            i += 1
            continue
        a, b = int.from_bytes(lo, "big"), int.from_bytes(hi, "big")
        width = len(lo)
        if dst == b"[":
            j = i + 3
            k = a
            while j < len(ops) and ops[j] != b"]":
                if k <= b:
                    out[k.to_bytes(width, "big")] = _utf16(ops[j])
                k += 1
                j += 1
            i = j + 1
            continue
        if dst:
            base = (int.from_bytes(dst, "big") & 0xFFFF) - a
            prefix = _utf16(dst[:-2]) if len(dst) > 2 else ""
            codes = range(a, min(b, a + MAX_CMAP - len(out)) + 1)
            out.update(zip([k.to_bytes(width, "big") for k in codes],
                           [prefix + (chr(base + k) if base + k < 0x110000 and not 0xD800 <= base + k < 0xE000
                                      else "") for k in codes], strict=True))
        i += 3


class Font:
    """How one font turns string bytes into text and advances.

    ``decode`` runs at C speed for one- and two-byte codes: the code-to-text and code-to-width
    maps are built once per font (``str.translate`` tables and lists indexed by code), and a string
    is decoded with ``translate``, ``map`` and ``sum``, never a Python step per character."""

    __slots__ = ("table", "cmap", "nbytes", "widths", "first", "space_code", "default_width", "_fast",
                 "identity_guess", "guessed")

    def __init__(self, table: list[str] | None = None, cmap: dict[bytes, str] | None = None, nbytes: int = 1,
                 widths: list[float] | None = None, first: int = 0) -> None:
        self.table = table or TABLES["Latin1"]
        self.cmap = cmap
        self.nbytes = nbytes if cmap else (2 if nbytes == 2 else 1)
        self.widths = widths or []
        self.first = first
        self.default_width = DEFAULT_WIDTH
        self._fast: tuple[Any, ...] | None = None  # built at the first decode (widths may change)
        self.identity_guess = False  # two-byte codes without a map: read them as UCS-2 (a guess)
        self.guessed = 0  # strings decoded by that guess

    def width(self, code: int) -> float:
        j = code - self.first
        return self.widths[j] if 0 <= j < len(self.widths) else self.default_width

    def _maps(self) -> tuple[Any, ...]:
        if self.nbytes == 1:
            cmap = self.cmap or {}
            chars = [cmap.get(bytes([c]), self.table[c]) for c in range(256)]
            trans = {c: ch for c, ch in enumerate(chars) if ch != chr(c)}
            return trans, [self.width(c) for c in range(256)]
        codes: dict[int, str] = {}
        if self.cmap:
            for k, v in self.cmap.items():
                if len(k) == 2:
                    codes[int.from_bytes(k, "big")] = v
        widths = {self.first + j: w for j, w in enumerate(self.widths)}
        return codes, widths

    def decode(self, raw: bytes) -> tuple[str, float, int, int]:
        """(text, advance in 1/1000 em, number of codes, number of single-byte 32 codes)."""
        nb = self.nbytes
        if nb > 2:
            return self._decode_wide(raw)
        if self._fast is None:
            self._fast = self._maps()
        if nb == 1:
            trans, w256 = self._fast
            return raw.decode("latin-1").translate(trans), float(sum(map(w256.__getitem__, raw))), len(raw), \
                raw.count(32)
        codes2, wmap = self._fast
        n = len(raw) // 2
        ints = struct.unpack(f">{n}H", raw[:2 * n])
        if self.identity_guess and not codes2:
            self.guessed += 1
            text = raw[:2 * n].decode("utf-16-be", "replace")
        else:
            text = "".join(map(codes2.get, ints, repeat("")))
        width = float(sum(map(wmap.get, ints, repeat(self.default_width)))) if wmap else self.default_width * n
        return text, width, n, 0

    def _decode_wide(self, raw: bytes) -> tuple[str, float, int, int]:
        out: list[str] = []
        width = 0.0
        nb = self.nbytes
        codes = 0
        for i in range(0, len(raw) - nb + 1, nb):
            chunk = raw[i:i + nb]
            codes += 1
            ch = self.cmap.get(chunk) if self.cmap is not None else None
            out.append(ch if ch is not None else "")
            width += self.width(int.from_bytes(chunk, "big"))
        return "".join(out), width, codes, 0
