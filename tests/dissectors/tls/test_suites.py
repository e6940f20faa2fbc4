"""Tests for sniffprint/dissectors/tls/suites.py: IANA names and the weakness rules, alone and on the wire."""
from __future__ import annotations

import ssl
import struct

import pytest

from sniffprint.dissectors.tls.handshake import is_grease
from sniffprint.dissectors.tls.record import version_name
from sniffprint.dissectors.tls.suites import CIPHER_SUITES, SSLV2_HELLO, cipher_name, weaknesses
from tests.dissectors.tls.vectors import C2S, S2C, client_hello, ext, facts, handshake, new, server_hello
from tests.helpers import feed_every_way


def test_names():
    assert version_name(0x0304) == "TLSv1.3" and version_name(0x0300) == "SSLv3"
    assert cipher_name(0x1302) == "TLS_AES_256_GCM_SHA384"
    assert cipher_name(0xFEFE).startswith("0x")
    assert is_grease(0x0A0A) and not is_grease(0x0303)


def test_weakness_rules():
    assert weaknesses(0x0304, 0x1301) == []
    assert "TLS 1.0" in weaknesses(0x0301, 0xC02F)
    assert any("forward secrecy" in w for w in weaknesses(0x0303, 0x009C))  # TLS_RSA_WITH_AES_128_GCM
    assert "RC4" in weaknesses(0x0303, 0x0005)


@pytest.mark.parametrize("version, cipher, reasons", [
    (0x0304, 0x1302, []),
    (0x0303, 0xC030, []),
    (0x0303, 0xCCA8, []),
    (0x0303, 0x009C, ["no forward secrecy (RSA key exchange)"]),
    (0x0302, 0xC013, ["TLS 1.1"]),
    (0x0301, 0x0005, ["TLS 1.0", "RC4", "no forward secrecy (RSA key exchange)"]),
    (0x0300, 0x000A, ["SSLv3", "3DES", "no forward secrecy (RSA key exchange)"]),
    (0x0303, 0xC012, ["3DES"]),
    (0x0303, 0x0002, ["NULL cipher", "no forward secrecy (RSA key exchange)"]),
    (0x0303, 0xC010, ["NULL cipher"]),
    (0x0303, 0x0000, ["NULL cipher"]),
    (0x0301, 0x0003, ["TLS 1.0", "RC4", "EXPORT", "no forward secrecy (RSA key exchange)"]),
    (0x0303, 0x0014, ["EXPORT"]),
    (0x0303, 0x00A6, ["anonymous"]),
    (0x0303, 0xC018, ["anonymous"]),
    (0x0303, 0x0015, ["DES"]),
    (0x0303, 0x1234, []),
])
def test_weaknesses(version: int, cipher: int, reasons: list[str]) -> None:
    assert weaknesses(version, cipher) == reasons
    script = ((C2S, client_hello(min(version, 0x0303))),
              (S2C, server_hello(0x0303, cipher, ext(43, struct.pack("!H", version)))
               if version == 0x0304 else server_hello(version, cipher)))
    f = facts(feed_every_way(new, script))
    assert f["tls_weak"] == reasons
    assert f["tls_cipher"] == CIPHER_SUITES.get(cipher, f"0x{cipher:04X}")


def test_cipher_table_names_are_iana_style() -> None:
    assert all(n.startswith("TLS_") for n in CIPHER_SUITES.values())
    assert {CIPHER_SUITES[c] for c in range(0x1301, 0x1306)} >= {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                                                  "TLS_CHACHA20_POLY1305_SHA256"}
    assert cipher_name(0xABCD) == "0xABCD"
    assert version_name(0x7F1C) == "0x7F1C"


def test_real_tls10_rsa_key_exchange_is_weak() -> None:
    try:
        script, version, _ = handshake("1.0", client_ciphers="AES128-SHA:@SECLEVEL=0")
    except ssl.SSLError as exc:  # an OpenSSL built without TLS 1.0
        pytest.skip(f"local OpenSSL refuses TLS 1.0: {exc}")
    f = facts(feed_every_way(new, script))
    assert f["tls_version"] == "TLSv1.0" == version.replace("TLSv1", "TLSv1.0")
    assert f["tls_cipher"] == "TLS_RSA_WITH_AES_128_CBC_SHA"
    assert f["tls_weak"] == ["TLS 1.0", "no forward secrecy (RSA key exchange)"]


def test_sslv2_hello_is_named_first() -> None:
    assert weaknesses(0x0303, 0xC02F, sslv2_hello=True) == [SSLV2_HELLO] == ["SSLv2 hello"]
    assert weaknesses(0x0301, 0x002F, sslv2_hello=True) == ["SSLv2 hello", "TLS 1.0",
                                                           "no forward secrecy (RSA key exchange)"]
    assert SSLV2_HELLO not in weaknesses(0x0301, 0x002F)
