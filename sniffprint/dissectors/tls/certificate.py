"""The server's certificate: the first entry of the Certificate message, read as X.509.

Specs: RFC 5246 7.4.2 (Certificate: certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>, the
sender's own certificate first), RFC 5280 (X.509 v3: subject, issuer, validity notAfter,
subjectPublicKeyInfo), RFC 4514 (distinguished names as strings). In TLS 1.3 the Certificate is
encrypted (RFC 8446 2, 4.4.2), so only TLS <= 1.2 sessions reach this module.

Invariants:
- ``first_certificate`` raises only ``ProtocolViolation`` (the message framing is TLS's).
- ``describe_certificate`` hands hostile DER to ``cryptography``; its caller treats any exception
  as "certificate unreadable" (a Note), never as "not TLS".
- ``cryptography`` is imported on first use only: a run without TLS 1.2 certificates never pays.
"""
from __future__ import annotations

import datetime as _dt
import warnings
from dataclasses import dataclass

from .handshake import Reader


def first_certificate(body: bytes) -> bytes | None:
    """RFC 5246 7.4.2: certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>; the sender's is first."""
    r = Reader(body, "Certificate")
    certs = r.vector(3, "certificate_list")
    if not certs.left():
        return None
    return certs.vector(3, "ASN.1Cert", 1).take_rest()


@dataclass(slots=True, frozen=True)
class CertInfo:
    subject: str  # RFC 4514
    issuer: str  # RFC 4514
    not_after: str  # ISO 8601 UTC, e.g. 2027-01-31T12:00:00Z
    self_signed: bool
    key: str  # RSA-2048, EC-P256, Ed25519, DSA-2048, ...


_CURVES = {"secp256r1": "P256", "secp384r1": "P384", "secp521r1": "P521"}


def describe_certificate(der: bytes) -> CertInfo:
    """Read one DER certificate with ``cryptography`` (imported here: only TLS <= 1.2 flows pay)."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    with warnings.catch_warnings():
        # Deprecation warnings about what a peer put in its certificate (negative serial, ...)
        # say nothing about our code; the facts are what matter.
        warnings.simplefilter("ignore")
        cert = x509.load_der_x509_certificate(der)
    not_after = getattr(cert, "not_valid_after_utc", None)  # cryptography >= 42
    if not_after is None:
        not_after = cert.not_valid_after.replace(tzinfo=_dt.timezone.utc)
    self_signed = False
    if cert.subject == cert.issuer:
        try:
            cert.verify_directly_issued_by(cert)
            self_signed = True
        except (InvalidSignature, ValueError):
            # Same name, other key (ValueError: the signature algorithm does not even fit the
            # certificate's own key type): issued by a CA that reuses the subject name.
            self_signed = False
        except (UnsupportedAlgorithm, TypeError):
            self_signed = True  # the names match and this signature algorithm cannot be checked here
    try:
        pub = cert.public_key()
    except (UnsupportedAlgorithm, ValueError):
        key = "unknown"
    else:
        if isinstance(pub, rsa.RSAPublicKey):
            key = f"RSA-{pub.key_size}"
        elif isinstance(pub, ec.EllipticCurvePublicKey):
            key = f"EC-{_CURVES.get(pub.curve.name, pub.curve.name)}"
        elif isinstance(pub, ed25519.Ed25519PublicKey):
            key = "Ed25519"
        elif isinstance(pub, ed448.Ed448PublicKey):
            key = "Ed448"
        elif isinstance(pub, dsa.DSAPublicKey):
            key = f"DSA-{pub.key_size}"
        else:
            key = type(pub).__name__
    return CertInfo(subject=cert.subject.rfc4514_string(), issuer=cert.issuer.rfc4514_string(),
                    not_after=not_after.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    self_signed=self_signed, key=key)
