"""pcapng reading loop: sections, interfaces, packet block kinds, undeclared interfaces."""
from __future__ import annotations

import random
import struct

from tests import pcapgen as g
from tests.hostile.make_hostile import block, epbs, idb, shb
from tests.sources.pcapngvectors import epb_block, idb_block, print_frames, read_ng


def test_sections_with_their_own_byte_order_interfaces_and_resolutions():
    f = print_frames()
    first = shb("<") + idb_block(1) + idb_block(101, tsresol=9) + epb_block(0, 1_700_000_000_000_000, f[0]) \
        + epb_block(1, 1_700_000_000_001_000_000, f[1][14:])
    second = shb(">") + idb_block(113, e=">") + epb_block(0, 1_700_000_000_002_000, g.sll(f[2][14:]), ">") \
        + epb_block(1, 1_700_000_000_003_000, f[3], ">")  # interface 1 is not declared in this section
    got, stats, anomalies = read_ng(first + second)
    assert [(x.linktype, round(x.ts, 3)) for x in got] == [
        (1, 1_700_000_000.0), (101, 1_700_000_000.001), (113, 1_700_000_000.002), (1, 1_700_000_000.003)]
    assert stats.linktypes == {1, 101, 113}
    [a] = anomalies
    assert a.kind == "undeclared_interface" and "section 2" in a.detail and "interface 1" in a.detail
    assert "1 read (1 as link type 1; by Ethernet by content)" in a.detail
    assert stats.undeclared_frames == 1 and stats.damaged


def test_undeclared_packets_are_counted_per_interface():
    frames = print_frames()
    data = shb() + idb() + b"".join(epbs(frames[:5])) + b"".join(epbs(frames[5:], start=5, ifid=7))
    got, stats, anomalies = read_ng(data)
    assert [f.data for f in got] == frames
    [a] = anomalies
    assert f"{len(frames) - 5} read ({len(frames) - 5} as link type 1; by the only declared link type)" in a.detail
    assert stats.undeclared_frames == len(frames) - 5


def test_undeclared_packets_that_fit_no_link_type_are_skipped_and_counted():
    junk = [random.Random(i).randbytes(40) for i in range(3)]
    data = shb() + b"".join(epb_block(0, 1_700_000_000_000_000 + i, b"\xff" * 8 + j) for i, j in enumerate(junk))
    got, stats, anomalies = read_ng(data)
    assert got == [] and stats.damaged and stats.skipped_bytes == 3 * (32 + 48)
    assert "3 skipped" in anomalies[0].detail


def test_simple_packet_blocks_take_interface_0_and_the_last_timestamp():
    f = print_frames()[:3]
    spbs = b"".join(block(3, struct.pack("<I", len(x)) + x) for x in f[1:])
    got, stats, anomalies = read_ng(shb() + idb() + epb_block(0, 1_700_000_000_250_000, f[0]) + spbs)
    assert [x.data for x in got] == f and {x.ts for x in got} == {1_700_000_000.25} and anomalies == []


def test_unknown_and_custom_blocks_are_skipped_silently():
    frames = print_frames()
    extra = block(0x0F0F, b"vendor") + block(0x40000BAD, struct.pack("<I", 1) + b"x") + block(5, bytes(20))
    got, stats, anomalies = read_ng(shb() + idb() + extra + b"".join(epbs(frames)) + extra)
    assert [f.data for f in got] == frames and anomalies == [] and not stats.damaged


def test_a_packet_longer_than_its_block_is_cut_to_the_block():
    f = print_frames()[3]
    b = bytearray(epb_block(0, 1_700_000_000_000_000, f))
    b[20:24] = struct.pack("<I", len(f) + 100)
    got, stats, anomalies = read_ng(shb() + idb() + bytes(b))
    assert [x.data for x in got] == [f + b"\0" * (-len(f) % 4)]
    assert [a.kind for a in anomalies] == ["bad_record_length"] and stats.damaged
