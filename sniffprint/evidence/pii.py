"""Sensitive-data detection in extracted document text: counts, never values.

Kinds (``PII_KEYS``), checked in this order (``private_key``, listed last, first of all); a
later kind never overlaps an earlier match:
- ``iban``: ISO 13616 — country code, 2 check digits, BBAN of the country's length (``IBAN_LENGTHS``:
  the SEPA countries, GB and others), optional single spaces (groups of 4 on paper), mod-97 == 1.
- ``card``: ISO/IEC 7812 — 13 to 19 digits, optionally grouped by one kind of single separator
  (space or dash), a known issuer prefix (``_IIN``: Visa, Mastercard, Amex, Discover, JCB, Diners,
  UnionPay, Maestro, Mir) and a valid Luhn check digit. A Luhn-invalid number is not a card.
- ``ssn``: US Social Security number ``AAA-GG-SSSS`` (dashes or spaces), area not 000, 666 or
  900-999, group not 00, serial not 0000 (SSA rules; 078-05-1120, the Woolworth wallet sample,
  is format-valid and counts); nine bare digits only right after "SSN" / "social security".
- ``email``: a practical subset of RFC 5322 addr-spec (dot-atom local part, host names with a
  alphabetic top-level label).
- ``phone``: E.164 ``+CC`` followed by 7-14 more digits in groups; North American
  ``(415) 555-0100``, ``415-555-0100``, ``415.555.0100`` (area and exchange start 2-9); European
  national ``0`` + groups (``030 1234 5678``, ``01 23 45 67 89``) of 9-12 digits. Never a bare
  run of digits, a date, or a card number (cards are matched first).
- ``keyword``: the user's words, case-insensitive, whole words only.
- ``private_key``: the armour of a private key (RFC 7468 ``-----BEGIN [type ]PRIVATE KEY-----``,
  which covers PKCS#1/#8, SEC1 EC, OpenSSH and encrypted PEM keys; OpenPGP ``PRIVATE KEY BLOCK``,
  RFC 4880; PuTTY ``PuTTY-User-Key-File-N:``): a secret, e.g. a printer's TLS key read back from
  its file system. Counted, never shown; the key material itself is not text (``extract`` keeps
  the armour lines of PEM blocks, never the base64 between them).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["PII_KEYS", "Match", "counts", "scan"]

PII_KEYS = ("email", "phone", "ssn", "card", "iban", "keyword", "private_key")


@dataclass(slots=True, frozen=True)
class Match:
    kind: str
    start: int
    end: int


IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24,
    "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24,
    "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "XK": 20,
}

_IBAN = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30})(?![A-Za-z0-9])")
_CARD = re.compile(r"(?<![0-9])(?<![0-9][ -])[0-9](?:[ -]?[0-9]){12,18}(?![ -]?[0-9])")
_SSN = re.compile(r"(?<![0-9-])([0-9]{3})([- ])([0-9]{2})\2([0-9]{4})(?![0-9]|-[0-9])")
_SSN_BARE = re.compile(r"(?i:\bssn|\bsocial[ \t]+security(?:[ \t]+(?:number|no\.?|#))?)[ \t]*[:#]?[ \t]*"
                       r"([0-9]{9})(?![0-9])")
_EMAIL = re.compile(r"(?<![A-Za-z0-9!#$%&'*+/=?^_`{|}~.-])"
                    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![A-Za-z0-9-])")
_PHONE_INTL = re.compile(r"(?<![\w+])\+[1-9][0-9]{0,2}(?:[ .-]?\(?[0-9]{1,5}\)?){2,6}(?![0-9])")
_PHONE_NANP = re.compile(r"(?<![\w(+-])(?:\(([2-9][0-9]{2})\)[ ]?|([2-9][0-9]{2})([-. ]))"
                         r"[2-9][0-9]{2}[-. ][0-9]{4}(?![0-9]|[-.][0-9])")
_PHONE_EU = re.compile(r"(?<![\w+./-])0[1-9][0-9]{0,3}(?:[ /-][0-9]{2,4}){2,4}(?![0-9]|[-./][0-9])")
_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|PuTTY-User-Key-File-[0-9]+:")
_DATE = re.compile(r"[0-9]{1,4}([-/. ])[0-9]{1,2}\1[0-9]{1,4}")

# (prefix, allowed lengths) of issuer identification numbers
_IIN: list[tuple[range, int, range]] = [
    (range(4, 5), 1, range(13, 20)),  # Visa (13, 16, 19)
    (range(51, 56), 2, range(16, 17)),  # Mastercard
    (range(2221, 2721), 4, range(16, 17)),  # Mastercard 2-series
    (range(34, 35), 2, range(15, 16)), (range(37, 38), 2, range(15, 16)),  # Amex
    (range(6011, 6012), 4, range(16, 20)), (range(644, 650), 3, range(16, 20)),
    (range(65, 66), 2, range(16, 20)),  # Discover
    (range(3528, 3590), 4, range(16, 20)),  # JCB
    (range(300, 306), 3, range(14, 20)), (range(36, 37), 2, range(14, 20)),
    (range(38, 40), 2, range(14, 20)),  # Diners
    (range(62, 63), 2, range(16, 20)),  # UnionPay
    (range(2200, 2205), 4, range(16, 20)),  # Mir
    (range(5018, 5019), 4, range(12, 20)), (range(5020, 5021), 4, range(12, 20)),
    (range(5038, 5039), 4, range(12, 20)), (range(5893, 5894), 4, range(12, 20)),
    (range(6304, 6305), 4, range(12, 20)), (range(6759, 6760), 4, range(12, 20)),
    (range(6761, 6764), 4, range(12, 20)),  # Maestro
]


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _iin_ok(digits: str) -> bool:
    return any(int(digits[:k]) in pre and len(digits) in lens for pre, k, lens in _IIN)


def card_ok(raw: str) -> bool:
    seps = {c for c in raw if c in " -"}
    if len(seps) > 1:
        return False  # one kind of separator, as cards are written
    digits = "".join(c for c in raw if c.isdigit())
    return 13 <= len(digits) <= 19 and _iin_ok(digits) and luhn_ok(digits)


def iban_ok(raw: str) -> bool:
    s = raw.replace(" ", "")
    if IBAN_LENGTHS.get(s[:2]) != len(s):
        return False
    moved = s[4:] + s[:4]
    num = "".join(str(int(c, 36)) for c in moved)
    return int(num) % 97 == 1


def ssn_ok(area: str, group: str, serial: str) -> bool:
    a = int(area)
    return a != 0 and a != 666 and a < 900 and group != "00" and serial != "0000"


def _phone_digits_ok(raw: str, lo: int, hi: int) -> bool:
    n = sum(c.isdigit() for c in raw)
    return lo <= n <= hi


# Cards, SSNs and phone numbers are made of digits and a few separators only: every match lies
# inside a maximal run of these characters holding at least 7 digits (the fewest any kind needs).
# Running the kinds' patterns inside those runs alone (lookbehinds see the text before a run,
# lookaheads a few characters past it) finds exactly what a scan of the whole text finds, at a
# fraction of the cost on text that is mostly words.
_NUMERIC_RUN = re.compile(r"[0-9 ()./+-]{7,}")
_RUN_DIGITS = 7
_EMAIL_WINDOW = 320  # characters around an "@" searched for the address


_NOT_DIGITS = str.maketrans("", "", " ()./+-")  # a run's characters but its digits


def _numeric_runs(text: str) -> list[tuple[int, int]]:
    out = []
    for m in _NUMERIC_RUN.finditer(text):
        if len(m.group().translate(_NOT_DIGITS)) >= _RUN_DIGITS:  # its digits, counted in C
            out.append(m.span())
    return out


# Every IBAN match starts with two capitals and two digits: ``search`` for that (a plain character
# class, scanned in C) and try the whole pattern only there; the full pattern's leading lookbehind
# made ``finditer`` test it at every position of the text. Two such starts cannot overlap (letters
# then digits), so trying each start in turn finds what ``finditer`` finds.
_IBAN_START = re.compile(r"[A-Z]{2}[0-9]{2}")


def _iban_matches(text: str) -> list[re.Match[str]]:
    out = []
    pos = 0
    while (s := _IBAN_START.search(text, pos)) is not None:
        m = _IBAN.match(text, s.start())
        if m is None:
            pos = s.start() + 1
        else:
            out.append(m)
            pos = m.end()
    return out


def _in_runs(pattern: re.Pattern[str], text: str, runs: list[tuple[int, int]],
             before: int = 0) -> list[re.Match[str]]:
    """Matches of ``pattern`` that start inside one of ``runs`` (searched from ``before``
    characters ahead of it, to a few characters past it)."""
    out = []
    n = len(text)
    for a, b in runs:
        for m in pattern.finditer(text, max(0, a - before), min(n, b + 3)):
            anchor = m.start(m.lastindex) if before and m.lastindex else m.start()
            if a <= anchor < b:
                out.append(m)
    return out


def _candidates(text: str, kind: str, keywords: Sequence[str],
                runs: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    if kind in ("card", "ssn", "phone") and runs is None:
        runs = _numeric_runs(text)
    if kind == "iban":
        for m in _iban_matches(text):
            # the regex is greedy: try the country's exact length from the start
            s = m.group(1)
            want = IBAN_LENGTHS.get(s[:2])
            if want is None:
                continue
            k, got = 0, 0
            while k < len(s) and got < want:
                got += s[k] != " "
                k += 1
            cand = s[:k]
            rest = s[k:]
            if got == want and (not rest or rest[0] == " ") and iban_ok(cand):
                out.append((m.start(1), m.start(1) + k))
    elif kind == "card":
        assert runs is not None
        out = [(m.start(), m.end()) for m in _in_runs(_CARD, text, runs) if card_ok(m.group(0))]
    elif kind == "ssn":
        assert runs is not None
        out = [(m.start(), m.end()) for m in _in_runs(_SSN, text, runs) if ssn_ok(m.group(1), m.group(3), m.group(4))]
        for m in _in_runs(_SSN_BARE, text, runs, before=64):
            d = m.group(1)
            if ssn_ok(d[:3], d[3:5], d[5:]):
                out.append((m.start(1), m.end(1)))
    elif kind == "email":
        seen: set[tuple[int, int]] = set()
        at = text.find("@")
        while at >= 0:
            for m in _EMAIL.finditer(text, max(0, at - _EMAIL_WINDOW), min(len(text), at + _EMAIL_WINDOW)):
                if m.start() <= at < m.end() and (m.start(), m.end()) not in seen:
                    seen.add((m.start(), m.end()))
                    out.append((m.start(), m.end()))
            at = text.find("@", at + 1)
    elif kind == "phone":
        assert runs is not None
        for m in _in_runs(_PHONE_INTL, text, runs):
            raw = m.group(0)
            if _phone_digits_ok(raw, 8, 15) and not _DATE.fullmatch(raw[1:].strip()):
                out.append((m.start(), m.end()))
        for m in _in_runs(_PHONE_NANP, text, runs):
            raw = m.group(0)
            if m.group(3) and raw[7:8] != m.group(3):
                continue  # 415-555.0100: mixed separators are not a phone number
            out.append((m.start(), m.end()))
        for m in _in_runs(_PHONE_EU, text, runs):
            raw = m.group(0)
            if _phone_digits_ok(raw, 9, 12) and not _DATE.fullmatch(raw):
                out.append((m.start(), m.end()))
    elif kind == "private_key":
        if "-----BEGIN " in text or "PuTTY-User-Key-File-" in text:  # every match holds one of them
            out = [(m.start(), m.end()) for m in _PRIVATE_KEY.finditer(text)]
    elif kind == "keyword":
        words = sorted({k.strip() for k in keywords if k and k.strip()}, key=len, reverse=True)
        if words:
            pat = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.I)
            out = [(m.start(), m.end()) for m in pat.finditer(text)]
    return out


_ORDER = ("private_key", "iban", "card", "ssn", "email", "phone", "keyword")


def scan(text: str, keywords: Sequence[str] = ()) -> list[Match]:
    """Every sensitive item in ``text``: non-overlapping, sorted by position."""
    taken: list[tuple[int, int]] = []
    found: list[Match] = []
    runs = _numeric_runs(text)
    for kind in _ORDER:
        for s, e in sorted(_candidates(text, kind, keywords, runs)):
            if any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            found.append(Match(kind, s, e))
    found.sort(key=lambda m: (m.start, m.end))
    return found


def counts(text: str, keywords: Sequence[str] = ()) -> dict[str, int]:
    """How many of each kind (every key of ``PII_KEYS``, 0 when none)."""
    out = dict.fromkeys(PII_KEYS, 0)
    for m in scan(text, keywords):
        out[m.kind] += 1
    return out
