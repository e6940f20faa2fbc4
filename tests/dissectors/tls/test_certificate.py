"""Tests for sniffprint/dissectors/tls/certificate.py: the Certificate message and the X.509 facts."""
from __future__ import annotations

from cryptography.hazmat.primitives import serialization

from sniffprint.dissectors.events import ContentDone, Note
from sniffprint.dissectors.tls.certificate import describe_certificate
from tests.dissectors.tls.vectors import (
    C2S,
    CCS,
    S2C,
    appdata,
    certificate,
    client_hello,
    facts,
    handshake,
    make_cert,
    new,
    rec,
    server_hello,
    signing_keys,
)
from tests.helpers import feed_every_way


def test_certificate_not_self_signed_when_issued_by_a_ca() -> None:
    ca, leaf = signing_keys()["rsa"], signing_keys()["ec"]
    cert = make_cert("printer.test", leaf.public_key(), ca, issuer="Corp CA")  # type: ignore[attr-defined]
    info = describe_certificate(cert.public_bytes(serialization.Encoding.DER))
    assert info.issuer == "CN=Corp CA,O=Print Lab" and not info.self_signed and info.key == "EC-P256"
    # same name as subject, but signed by another key: not self-signed
    fake = make_cert("printer.test", leaf.public_key(), ca)  # type: ignore[attr-defined]
    assert describe_certificate(fake.public_bytes(serialization.Encoding.DER)).self_signed is False


def test_unreadable_certificate_is_a_note_not_a_violation() -> None:
    script = ((C2S, client_hello()), (S2C, server_hello() + certificate(b"\x30\x03abc") + CCS),
              (C2S, CCS + appdata(40)), (S2C, appdata(40)))
    events = feed_every_way(new, script)
    assert any(isinstance(e, Note) and e.kind == "tls_certificate_unparsed" for e in events)
    assert facts(events)["cert_observable"] is True and "cert_subject" not in facts(events)
    assert events[-1] == ContentDone()


def test_ec_certificate_and_no_sni() -> None:
    script, _, _ = handshake("1.2", kind="ec", sni=None, alpn=())
    f = facts(feed_every_way(new, script))
    assert f["cert_key"] == "EC-P256" and f["cert_self_signed"] is True
    assert "sni" not in f and "tls_alpn" not in f
    assert f["tls_cipher"].startswith("TLS_ECDHE_ECDSA_")  # type: ignore[union-attr]


def test_resumed_tls12_session_has_no_observable_certificate() -> None:
    script = ((C2S, client_hello()), (S2C, server_hello() + CCS + rec(22, bytes(40))),
              (C2S, CCS + rec(22, bytes(40))))
    events = feed_every_way(new, script)
    assert facts(events)["cert_observable"] is False
    assert events[-1] == ContentDone()
