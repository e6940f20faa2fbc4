"""The whole-text scan the evidence stage used before it searched numeric runs only: kept as the
oracle of tests/evidence/test_pii.py (the two must find the same items in any text).

Only the search strategy is the old one: the patterns, the country and issuer tables and the
validators are the module's own (what the oracle checks is that searching inside numeric runs
and around "@" finds what a scan of the whole text finds with the same patterns)."""
from __future__ import annotations

import re
from collections.abc import Sequence

from sniffprint.evidence.pii import (
    _CARD,
    _DATE,
    _EMAIL,
    _IBAN,
    _PHONE_EU,
    _PHONE_INTL,
    _PHONE_NANP,
    _PRIVATE_KEY,
    _SSN,
    _SSN_BARE,
    IBAN_LENGTHS,
    PII_KEYS,
    Match,
    _phone_digits_ok,
    card_ok,
    iban_ok,
    ssn_ok,
)


def _candidates(text: str, kind: str, keywords: Sequence[str]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    if kind == "iban":
        for m in _IBAN.finditer(text):
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
        out = [(m.start(), m.end()) for m in _CARD.finditer(text) if card_ok(m.group(0))]
    elif kind == "ssn":
        out = [(m.start(), m.end()) for m in _SSN.finditer(text) if ssn_ok(m.group(1), m.group(3), m.group(4))]
        for m in _SSN_BARE.finditer(text):
            d = m.group(1)
            if ssn_ok(d[:3], d[3:5], d[5:]):
                out.append((m.start(1), m.end(1)))
    elif kind == "email":
        out = [(m.start(), m.end()) for m in _EMAIL.finditer(text)]
    elif kind == "phone":
        for m in _PHONE_INTL.finditer(text):
            raw = m.group(0)
            if _phone_digits_ok(raw, 8, 15) and not _DATE.fullmatch(raw[1:].strip()):
                out.append((m.start(), m.end()))
        for m in _PHONE_NANP.finditer(text):
            raw = m.group(0)
            if m.group(3) and raw[7:8] != m.group(3):
                continue  # 415-555.0100: mixed separators are not a phone number
            out.append((m.start(), m.end()))
        for m in _PHONE_EU.finditer(text):
            raw = m.group(0)
            if _phone_digits_ok(raw, 9, 12) and not _DATE.fullmatch(raw):
                out.append((m.start(), m.end()))
    elif kind == "private_key":
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
    for kind in _ORDER:
        for s, e in sorted(_candidates(text, kind, keywords)):
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
