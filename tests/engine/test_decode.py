"""decode.py: IPv4 options, IPv6 extension headers, fragments (an anomaly, by decision),
checksums (counted, never dropped), frames cut by snaplen, garbage."""
from __future__ import annotations

import struct

from sniffprint.anomalies import AnomalySink
from sniffprint.engine.decode import Decoder, ones_sum_ok
from tests import pcapgen as g


def dec():
    sink = AnomalySink()
    return Decoder(sink), sink


def _ipv4_with_options(seg_packet: bytes) -> bytes:
    """Re-wrap an IPv4 packet with 8 bytes of options (NOP x3 + a 4-byte timestamp-ish option + EOL)."""
    ihl = (seg_packet[0] & 0x0F) * 4
    body = seg_packet[ihl:]
    opts = b"\x01\x01\x01\x44\x04\x05\x00\x00"
    hdr = bytearray(seg_packet[:20])
    hdr[0] = 0x47
    hdr[2:4] = struct.pack("!H", 28 + len(body))
    hdr[10:12] = b"\0\0"
    hdr = bytes(hdr) + opts
    hdr = hdr[:10] + struct.pack("!H", g.csum(hdr)) + hdr[12:]
    return hdr + body


def test_ipv4_options_are_skipped():
    d, sink = dec()
    pkt = _ipv4_with_options(g.tcp("10.0.0.1", "10.0.0.2", 1, 9100, 5, 0, g.PSH | g.ACK, b"%!PS"))
    seg = d.decode(0.0, 101, pkt, 1)
    assert seg is not None and seg[8] == b"%!PS" and d.bad_ip_checksum == 0


def test_ipv6_extension_headers():
    pkt = g.tcp("fd00::1", "fd00::2", 1, 9100, 5, 0, g.PSH | g.ACK, b"%!PS")
    tcp_part = pkt[40:]
    hop = bytes([6, 0]) + b"\x01\x04\0\0\0\0"  # hop-by-hop, next = TCP, 8 bytes (PadN)
    dst = bytes([0, 0]) + b"\x01\x04\0\0\0\0"  # destination options, next = hop-by-hop
    frag = bytes([60, 0, 0, 0]) + b"\0\0\0\x01"  # atomic fragment (offset 0, M=0), next = dst opts
    payload = frag + dst + hop + tcp_part
    hdr = struct.pack("!IHBB16s16s", 6 << 28, len(payload), 44, 64, pkt[8:24], pkt[24:40])
    d, sink = dec()
    seg = d.decode(0.0, 101, hdr + payload, 1)
    assert seg is not None and seg[8] == b"%!PS" and seg[3] == 9100
    assert d.ip_fragments == 0  # an atomic fragment is a whole packet


def test_ipv4_fragments_are_an_anomaly_not_reassembled():
    pkt = bytearray(g.tcp("10.0.0.1", "10.0.0.2", 1, 9100, 5, 0, g.PSH | g.ACK, b"x" * 100))
    pkt[6:8] = struct.pack("!H", 0x2000)  # more-fragments
    d, sink = dec()
    assert d.decode(0.0, 101, bytes(pkt), 7) is None
    assert d.ip_fragments == 1 and sink.kept[0].kind == "ip_fragment" and "frame 7" in sink.kept[0].detail


def test_ipv6_real_fragment_is_an_anomaly():
    pkt = g.tcp("fd00::1", "fd00::2", 1, 9100, 5, 0, g.PSH | g.ACK, b"x" * 10)
    frag = bytes([6, 0]) + struct.pack("!H", 1) + b"\0\0\0\x02"  # M flag set
    payload = frag + pkt[40:]
    hdr = struct.pack("!IHBB16s16s", 6 << 28, len(payload), 44, 64, pkt[8:24], pkt[24:40])
    d, _ = dec()
    assert d.decode(0.0, 101, hdr + payload, 1) is None and d.ip_fragments == 1


def test_bad_checksums_are_counted_and_the_segment_kept():
    d, _ = dec()
    pkt = g.tcp("10.0.0.1", "10.0.0.2", 1, 9100, 5, 0, g.PSH | g.ACK, b"data", bad_csum=True)
    seg = d.decode(0.0, 101, pkt, 1)
    assert seg is not None and seg[10] is True and d.bad_tcp_checksum == 1


def test_checksum_shortcut_matches_the_reference_sum():
    import random

    rnd = random.Random(3)
    for n in range(0, 200):
        data = bytes(rnd.randrange(256) for _ in range(n))
        c = g.csum(data)
        padded = data + (b"\0" if n % 2 else b"")
        whole = padded[:0] + struct.pack("!H", c) + padded  # checksum word + data sums to all ones
        assert ones_sum_ok(whole, 0)


def test_frame_cut_by_snaplen_hands_on_the_claimed_length():
    d, _ = dec()
    pkt = g.tcp("10.0.0.1", "10.0.0.2", 1, 9100, 5, 0, g.PSH | g.ACK, b"y" * 500)
    seg = d.decode(0.0, 101, pkt[:100], 1)
    assert seg is not None and len(seg[8]) == 60 and seg[9] == 500


def test_udp_and_non_ip_are_counted():
    d, _ = dec()
    udp = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 1, 0, 64, 17, 0, b"\x0a\0\0\1", b"\x0a\0\0\2") + b"\0" * 8
    assert d.decode(0.0, 101, udp, 1) is None and d.udp == 1
    arp = b"\xff" * 12 + b"\x08\x06" + b"\0" * 28
    assert d.decode(0.0, 1, arp, 2) is None and d.non_ip == 1


def test_unsupported_linktype_is_an_anomaly():
    d, sink = dec()
    assert d.decode(0.0, 147, b"\0" * 40, 1) is None
    assert sink.kept[0].kind == "unsupported_linktype"
