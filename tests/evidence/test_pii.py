"""pii.scan / pii.counts: true and false cases for every kind."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sniffprint.evidence import pii
from sniffprint.evidence.pii import PII_KEYS, counts, iban_ok, luhn_ok, scan


def kinds(text: str, keywords: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(m.kind, text[m.start:m.end]) for m in scan(text, keywords)]


def one(kind: str, text: str, keywords: tuple[str, ...] = ()) -> int:
    return counts(text, keywords)[kind]


def test_manifest_strings() -> None:
    t = "Email: alice.example@corp.example\nSSN: 078-05-1120\nCard: 4111 1111 1111 1111\n"
    assert kinds(t) == [("email", "alice.example@corp.example"), ("ssn", "078-05-1120"),
                        ("card", "4111 1111 1111 1111")]
    assert counts(t) == {"email": 1, "phone": 0, "ssn": 1, "card": 1, "iban": 0, "keyword": 0, "private_key": 0}


def test_counts_has_every_key() -> None:
    assert set(counts("")) == set(PII_KEYS) and not any(counts("nothing here").values())


EMAIL_TRUE = ["alice.example@corp.example", "a@b.co", "first.last+tag@sub.domain.org", "x_y-z@host-name.io",
              "O'Brien@example.ie", "user%route@example.com", "UPPER@EXAMPLE.COM", "n1@a1.b2.museum",
              "mail me: bob@example.net.", "<carol@example.de>"]
EMAIL_FALSE = ["alice@localhost", "@example.com", "alice@", "alice.example.corp", "a@b.c", "a@-b.com",
               "user@@example.com", "x@y", "first..last", "name at example dot com"]


@pytest.mark.parametrize("t", EMAIL_TRUE)
def test_email_true(t: str) -> None:
    assert one("email", t) == 1


@pytest.mark.parametrize("t", EMAIL_FALSE)
def test_email_false(t: str) -> None:
    assert one("email", t) == 0


PHONE_TRUE = ["(415) 555-0100", "415-555-0100", "415.555.0100", "+1 415 555 0100", "+44 20 7946 0958",
              "+49 30 12345678", "+33 1 23 45 67 89", "030 1234 5678", "01 23 45 67 89", "call 212-555-0199 now",
              "+41 44 668 18 00"]
PHONE_FALSE = ["4111 1111 1111 1111", "2024-01-15", "15.01.2024", "12/05/2023", "1234567890", "078-05-1120",
               "123-456-7890", "Invoice 20240115123", "555-0100", "+1 2", "v1.2.3.4", "415-555.0100"]


@pytest.mark.parametrize("t", PHONE_TRUE)
def test_phone_true(t: str) -> None:
    assert one("phone", t) == 1, kinds(t)


@pytest.mark.parametrize("t", PHONE_FALSE)
def test_phone_false(t: str) -> None:
    assert one("phone", t) == 0, kinds(t)


SSN_TRUE = ["078-05-1120", "123-45-6789", "123 45 6789", "SSN: 123456789", "social security number 219099999",
            "SSN#536-22-1234", "id 665-01-0001 end", "899-99-9999", "001-01-0001", "(ssn 078-05-1120)"]
SSN_FALSE = ["000-12-3456", "666-12-3456", "900-12-3456", "999-99-9999", "123-00-4567", "123-45-0000",
             "123456789", "123-45-67890", "1123-45-6789", "123-45 6789", "SSN: 000456789", "2024-01-1520"]


@pytest.mark.parametrize("t", SSN_TRUE)
def test_ssn_true(t: str) -> None:
    assert one("ssn", t) == 1, kinds(t)


@pytest.mark.parametrize("t", SSN_FALSE)
def test_ssn_false(t: str) -> None:
    assert one("ssn", t) == 0, kinds(t)


CARD_TRUE = ["4111 1111 1111 1111", "4111111111111111", "4111-1111-1111-1111", "5555 5555 5555 4444",
             "2223 0031 2200 3222", "3782 822463 10005", "378282246310005", "6011 1111 1111 1117",
             "3530 1113 3330 0000", "4222222222222", "card: 5105105105105100."]
CARD_FALSE = ["4111 1111 1111 1112", "1234 5678 9012 3456", "9111 1111 1111 1111", "4111 1111 1111",
              "4111-1111 1111-1111", "41111 11111 11111 11111 1", "0000 0000 0000 0000", "4111  1111  1111  1111",
              "3782 822463 10006", "411111111111111111111"]


@pytest.mark.parametrize("t", CARD_TRUE)
def test_card_true(t: str) -> None:
    assert one("card", t) == 1, kinds(t)


@pytest.mark.parametrize("t", CARD_FALSE)
def test_card_false(t: str) -> None:
    assert one("card", t) == 0, kinds(t)


IBAN_TRUE = ["DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "GB82 WEST 1234 5698 7654 32",
             "GB82WEST12345698765432", "FR14 2004 1010 0505 0001 3M02 606", "NL91 ABNA 0417 1643 00",
             "BE68 5390 0754 7034", "CH93 0076 2011 6238 5295 7", "ES91 2100 0418 4502 0005 1332",
             "IT60 X054 2811 1010 0000 0123 456", "iban: AT61 1904 3002 3457 3201."]
IBAN_FALSE = ["DE89 3704 0044 0532 0130 01", "DE8937040044053201300", "GB82 WEST 1234 5698 7654 3",
              "XX89 3704 0044 0532 0130 00", "de89 3704 0044 0532 0130 00", "FR14 2004 1010 0505 0001 3M02 607",
              "NL91ABNA04171643001", "DE89  3704 0044 0532 0130 00", "BE68 5390 0754 7035", "GB00WEST12345698765432"]


@pytest.mark.parametrize("t", IBAN_TRUE)
def test_iban_true(t: str) -> None:
    assert one("iban", t) == 1, kinds(t)


@pytest.mark.parametrize("t", IBAN_FALSE)
def test_iban_false(t: str) -> None:
    assert one("iban", t) == 0, kinds(t)


KW = ("payroll", "Top Secret", "c++")
KEYWORD_TRUE = ["payroll", "PAYROLL report", "Payroll.", "(payroll)", "the top secret plan", "TOP  SECRET".replace(
    "  ", " "), "learn c++ now", "payroll-2024", "a/payroll/b", "«payroll»"]
KEYWORD_FALSE = ["payrolls", "prepayroll", "payroll_x", "topsecret", "top-secret", "c+", "pay roll", "xpayroll",
                 "payroll2", ""]


@pytest.mark.parametrize("t", KEYWORD_TRUE)
def test_keyword_true(t: str) -> None:
    assert one("keyword", t, KW) == 1, kinds(t, KW)


@pytest.mark.parametrize("t", KEYWORD_FALSE)
def test_keyword_false(t: str) -> None:
    assert one("keyword", t, KW) == 0, kinds(t, KW)


def test_no_keywords_no_matches() -> None:
    assert one("keyword", "payroll", ()) == 0 and one("keyword", "payroll", ("", "  ")) == 0


def test_matches_sorted_non_overlapping() -> None:
    t = ("4111 1111 1111 1111 then 078-05-1120, mail bob@example.com, +44 20 7946 0958, "
         "DE89 3704 0044 0532 0130 00 and payroll. ") * 3
    ms = scan(t, ("payroll",))
    assert ms == sorted(ms, key=lambda m: m.start)
    assert all(a.end <= b.start for a, b in zip(ms, ms[1:], strict=False))
    assert counts(t, ("payroll",)) == {"email": 3, "phone": 3, "ssn": 3, "card": 3, "iban": 3, "keyword": 3,
                                       "private_key": 0}


def test_helpers() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert iban_ok("GB82WEST12345698765432") and not iban_ok("GB82WEST12345698765433")


@pytest.mark.parametrize("armour", [
    "-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN EC PRIVATE KEY-----",
    "-----BEGIN OPENSSH PRIVATE KEY-----", "-----BEGIN ENCRYPTED PRIVATE KEY-----",
    "-----BEGIN PGP PRIVATE KEY BLOCK-----", "PuTTY-User-Key-File-3: ssh-ed25519"])
def test_private_key_armour(armour: str) -> None:
    assert one("private_key", f"printer key:\n{armour}\nMIIEvQIBADANBg\n") == 1


@pytest.mark.parametrize("text", [
    "-----BEGIN CERTIFICATE-----", "-----BEGIN PUBLIC KEY-----", "-----BEGIN RSA PUBLIC KEY-----",
    "the private key is kept on the printer", "BEGIN PRIVATE KEY"])
def test_public_material_and_prose_are_no_private_key(text: str) -> None:
    assert one("private_key", text) == 0


_ALPHABET = "0123456789 ()./+-@:#abcxyzSsNnASEIBGBDE\t\n" + "0123456789" * 3


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=300),
       st.lists(st.sampled_from(["078-05-1120", "4111 1111 1111 1111", "+49 30 1234 5678", "(415) 555-0100",
                                 "030 1234 5678", "SSN: 078051120", "a.b@example.org", "DE89 3704 0044 0532 0130 00",
                                 "415.555.0100", "12/05/2026", "5555-5555-5555-4444"]), max_size=6))
def test_searching_numeric_runs_finds_what_a_whole_text_scan_finds(noise, planted):
    from tests.evidence import pii_reference

    text = noise
    for item in planted:
        cut = len(text) // 2
        text = text[:cut] + item + text[cut:]
    def spans(found):  # noqa: ANN001, ANN202
        return [(m.kind, m.start, m.end) for m in found]

    assert spans(pii.scan(text, ["payroll"])) == spans(pii_reference.scan(text, ["payroll"]))
