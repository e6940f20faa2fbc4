"""dissectors/dns.py: header, names with compression, A/AAAA/PTR/SRV/TXT, DNS-SD TXT pairs, bounds."""
from __future__ import annotations

import struct

import pytest

from sniffprint.dissectors import dns
from sniffprint.errors import ProtocolViolation
from tests.dissectors import dns_vectors as v

INSTANCE = ("Floor2 LaserJet 4250", "_ipp", "_tcp", "local")


def test_records_of_an_announcement() -> None:
    msg = dns.parse(v.message(v.ptr("_ipp._tcp.local", INSTANCE), v.srv(INSTANCE, 631, "prn.local"),
                              v.txt(INSTANCE, "ty=HP LaserJet 4250", "TLS=1.2", "Duplex"),
                              additional=(v.a("prn.local", "10.77.0.20"), v.a("prn.local", "fd77::20"))))
    assert msg.response and msg.answers == 3 and msg.questions == ()
    ptr, srv, txt, a4, a6 = msg.records
    assert ptr.data == INSTANCE  # the dot inside the instance label stays one label
    assert srv.data == (631, ("prn", "local"))
    assert dns.txt_pairs(txt.data) == {"ty": "HP LaserJet 4250", "TLS": "1.2", "Duplex": ""}
    assert (a4.data, a6.data) == ("10.77.0.20", "fd77::20")


def test_names_follow_compression_pointers_backwards() -> None:
    head = struct.pack("!HHHHHH", 0, 0x8400, 0, 2, 0, 0)
    first = v.rr(v.name("_ipp._tcp.local"), v.PTR, v.name(("x",)) )
    at = len(head) + first.index(b"\x04_tcp")  # offset of "_tcp.local" in the first name
    pointer = bytes([0xC0 | (at >> 8), at & 0xFF])
    second = b"\x04_ipp" + pointer + struct.pack("!HHIH", v.A, 1, 1, 4) + b"\x0a\x00\x00\x01"
    msg = dns.parse(head + first + second)
    assert msg.records[1].name == ("_ipp", "_tcp", "local") and msg.records[1].data == "10.0.0.1"


@pytest.mark.parametrize("raw, why", [
    (b"\x00" * 11, "shorter than its header"),
    (struct.pack("!HHHHHH", 0, 0, 0, 1, 0, 0) + b"\xc0\x0c" + b"\x00" * 10, "does not point backwards"),
    (struct.pack("!HHHHHH", 0, 0, 0, 1, 0, 0) + b"\x40ab\x00" + b"\x00" * 10, "unsupported type"),
    (struct.pack("!HHHHHH", 0, 0, 0, 1, 0, 0) + b"\x05ab", "runs past"),
    (struct.pack("!HHHHHH", 0, 0, 0, 200, 0, 0) + b"\x00" * 30, "counts larger"),
    (v.message(v.rr(v.name("a"), v.A, b"\x01\x02\x03")), "A record of the wrong length"),
    (v.message(v.rr(v.name("a"), v.SRV, b"\x00\x00")), "SRV record cut short"),
    (v.message(v.rr(v.name("a"), v.TXT, b"\x05ab")), "TXT string runs past"),
    (v.message(v.rr(v.name("a"), v.A, b"\x01\x02\x03\x04"))[:-2], "record data runs past"),
])
def test_malformed_messages_are_violations(raw: bytes, why: str) -> None:
    with pytest.raises(ProtocolViolation, match=why):
        dns.parse(raw)


def test_a_name_over_255_octets_is_refused() -> None:
    long = ".".join(["a" * 60] * 5)
    with pytest.raises(ProtocolViolation, match="over 255"):
        dns.parse(v.message(v.rr(v.name(long), v.A, b"\x01\x02\x03\x04")))


def test_txt_pairs_first_key_wins_case_insensitively() -> None:
    pairs = dns.txt_pairs((b"ty=A", b"TY=B", b"=x", b"note=", b"rp=ipp/print"))
    assert pairs == {"ty": "A", "note": "", "rp": "ipp/print"}


def test_unknown_types_are_skipped_by_length() -> None:
    msg = dns.parse(v.message(v.rr(v.name("a.local"), 47, b"\xc0\x0c\x00\x05\x00\x00\x80\x00\x40")))
    assert msg.records[0].data is None
