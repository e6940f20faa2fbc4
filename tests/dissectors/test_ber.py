"""dissectors/ber.py: X.690 definite-length TLVs, integers, strings, object identifiers, bounds."""
from __future__ import annotations

import pytest

from sniffprint.dissectors import ber
from sniffprint.errors import ProtocolViolation
from tests.dissectors import ber_vectors as b


def test_short_and_long_lengths() -> None:
    for n in (0, 1, 127, 128, 255, 256, 70000):
        raw = b.octets(b"x" * n)
        t = ber.read(raw, 0, len(raw))
        assert (t.cls, t.constructed, t.tag, t.length, t.end) == (ber.UNIVERSAL, False, ber.OCTET_STRING, n, len(raw))
        assert ber.octets(raw, t) == b"x" * n


def test_identifier_classes_and_high_tag_numbers() -> None:
    t = ber.read(b"\xa3\x00", 0, 2)  # [3] constructed: a SetRequest-PDU tag
    assert (t.cls, t.constructed, t.tag) == (ber.CONTEXT, True, 3)
    t = ber.read(b"\x5f\x81\x00\x00", 0, 4)  # application, high tag number 128 (8.1.2.4)
    assert (t.cls, t.tag, t.length) == (ber.APPLICATION, 128, 0)
    with pytest.raises(ProtocolViolation, match="tag number too large"):
        ber.read(b"\x1f\x81\x81\x81\x81\x01\x00", 0, 7)


@pytest.mark.parametrize("raw, why", [
    (b"", "none left"),
    (b"\x04", "length missing"),
    (b"\x04\x80\x00\x00", "indefinite"),
    (b"\x04\x85\x00\x00\x00\x00\x01", "length of 5 octets"),
    (b"\x04\x05abc", "overruns"),
    (b"\x04\x82\x01", "length of 2 octets"),
])
def test_malformed_tlvs_are_violations(raw: bytes, why: str) -> None:
    with pytest.raises(ProtocolViolation, match=why):
        ber.read(raw, 0, len(raw))


@pytest.mark.parametrize("n", [0, 1, -1, 127, 128, -129, 2**31 - 1, -(2**31), 2**63 - 1])
def test_integers_are_twos_complement(n: int) -> None:
    raw = b.integer(n)
    assert ber.integer(raw, ber.read(raw, 0, len(raw))) == n


def test_unsigned_counter64_needs_nine_octets() -> None:
    raw = b"\x46\x09\x00" + b"\xff" * 8  # Counter64 2^64 - 1 (RFC 2578 7.1.10)
    assert ber.unsigned(raw, ber.read(raw, 0, len(raw))) == 2**64 - 1
    with pytest.raises(ProtocolViolation):
        ber.integer(b"\x02\x00", ber.read(b"\x02\x00", 0, 2))  # an integer has at least one octet


@pytest.mark.parametrize("dotted", ["1.3.6.1.2.1.1.1.0", "1.3.6.1.4.1.11.2.3.9.1", "2.999.3", "0.0",
                                    "1.3.6.1.2.1.43.5.1.1.17.4294967295"])
def test_object_identifiers_round_trip(dotted: str) -> None:
    raw = b.oid(dotted)
    assert ber.oid(raw, ber.read(raw, 0, len(raw))) == dotted


@pytest.mark.parametrize("dotted", ["1.3.6.1.2.1.1.1.0", "2.999.3", "1.3.6.1.2.1.43.5.1.1.17.4294967295"])
def test_object_identifier_contents_match_their_encoding(dotted: str) -> None:
    raw = b.oid(dotted)
    assert ber.oid_bytes(raw, ber.read(raw, 0, len(raw))) == ber.encode_oid(dotted) == raw[2:]


@pytest.mark.parametrize("raw", [b"\x06\x00", b"\x06\x02\x2b\x81", b"\x06\x03\x2b\x80\x01",
                                 b"\x06\x07\x2b\x90\x80\x80\x80\x80\x01"])
def test_malformed_object_identifier_contents(raw: bytes) -> None:
    with pytest.raises(ProtocolViolation):
        ber.oid_bytes(raw, ber.read(raw, 0, len(raw)))


@pytest.mark.parametrize("raw, why", [
    (b"\x06\x00", "empty"),
    (b"\x06\x02\x2b\x81", "cut inside"),
    (b"\x06\x03\x2b\x80\x01", "padded"),
    (b"\x06\x07\x2b\x90\x80\x80\x80\x80\x01", "too large"),
])
def test_malformed_object_identifiers(raw: bytes, why: str) -> None:
    with pytest.raises(ProtocolViolation, match=why):
        ber.oid(raw, ber.read(raw, 0, len(raw)))


def test_children_stay_inside_their_parent_and_are_bounded() -> None:
    raw = b.seq(b.integer(1), b.octets(b"ab"), b.null())
    kids = ber.children(raw, ber.read(raw, 0, len(raw)), 3)
    assert [k.tag for k in kids] == [ber.INTEGER, ber.OCTET_STRING, ber.NULL]
    with pytest.raises(ProtocolViolation, match="more than 2"):
        ber.children(raw, ber.read(raw, 0, len(raw)), 2)
    with pytest.raises(ProtocolViolation, match="primitive"):
        ber.children(raw, ber.read(b"\x04\x00", 0, 2), 3)
    bad = b"\x30\x03\x04\x05ab"  # the inner string claims more than its SEQUENCE holds
    with pytest.raises(ProtocolViolation, match="overruns"):
        ber.children(bad, ber.read(bad, 0, len(bad)), 3)
