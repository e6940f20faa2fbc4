"""pcapng framing: sections, interfaces, block kinds, and damage that costs one block only."""
from __future__ import annotations

import io
import random
import struct

import pytest

from sniffprint.anomalies import AnomalySink
from sniffprint.sources.pcapfile import open_stream
from tests import pcapgen as g
from tests.hostile.make_hostile import block, epbs, idb, shb


def _frames() -> list[bytes]:
    out: list[bytes] = []
    for i in range(4):
        out += g.print_job_frames(cport=42000 + i)[0]
    return out


def _read(data: bytes):
    sink = AnomalySink()
    cap = open_stream(io.BytesIO(data), "t.pcapng")
    return list(cap.frames(sink)), cap.stats, sink.kept


def _idb(linktype: int, tsresol: int | None = None, e: str = "<") -> bytes:
    opts = b""
    if tsresol is not None:
        opts = struct.pack(e + "HHB3x", 9, 1, tsresol) + struct.pack(e + "HH", 0, 0)
    return block(1, struct.pack(e + "HHI", linktype, 0, 0) + opts, e)


def _epb(ifid: int, ticks: int, f: bytes, e: str = "<") -> bytes:
    return block(6, struct.pack(e + "IIIII", ifid, ticks >> 32, ticks & 0xFFFFFFFF, len(f), len(f)) + f, e)


@pytest.mark.parametrize("seed", range(150))
def test_a_damaged_block_header_costs_that_block_only(seed):
    rnd = random.Random(seed)
    frames = _frames()
    blocks = epbs(frames)
    k = rnd.randrange(len(blocks))
    b = bytearray(blocks[k])
    spots = list(range(8)) + list(range(len(b) - 4, len(b)))  # type, length, trailing length
    for _ in range(rnd.randint(1, 3)):
        b[rnd.choice(spots)] = rnd.randrange(256)
    blocks[k] = bytes(b)
    got, stats, anomalies = _read(shb() + idb() + b"".join(blocks))
    data = [f.data for f in got]
    others = frames[:k] + frames[k + 1:]
    assert [d for d in data if d in frames] in (others, frames), (seed, k, [a.detail for a in anomalies])
    assert len(data) <= len(frames)


@pytest.mark.parametrize("seed", range(60))
def test_inserted_or_removed_bytes_cost_the_blocks_they_touch(seed):
    rnd = random.Random(seed)
    frames = _frames()
    blocks = epbs(frames)
    k = rnd.randrange(1, len(blocks))
    blob = bytearray(b"".join(blocks))
    at = sum(len(x) for x in blocks[:k]) + rnd.randrange(-20, 20)
    if rnd.random() < 0.5:
        blob[at:at] = rnd.randbytes(rnd.randint(1, 3000))
    else:
        del blob[at:at + rnd.randint(1, 40)]
    got, stats, anomalies = _read(shb() + idb() + bytes(blob))
    untouched = frames[:k - 1] + frames[k + 1:]
    assert [f.data for f in got if f.data in untouched] == untouched, seed
    assert stats.damaged


def test_sections_with_their_own_byte_order_interfaces_and_resolutions():
    f = _frames()
    first = shb("<") + _idb(1) + _idb(101, tsresol=9) + _epb(0, 1_700_000_000_000_000, f[0]) \
        + _epb(1, 1_700_000_000_001_000_000, f[1][14:])
    second = shb(">") + _idb(113, e=">") + _epb(0, 1_700_000_000_002_000, g.sll(f[2][14:]), ">") \
        + _epb(1, 1_700_000_000_003_000, f[3], ">")  # interface 1 is not declared in this section
    got, stats, anomalies = _read(first + second)
    assert [(x.linktype, round(x.ts, 3)) for x in got] == [
        (1, 1_700_000_000.0), (101, 1_700_000_000.001), (113, 1_700_000_000.002), (1, 1_700_000_000.003)]
    assert stats.linktypes == {1, 101, 113}
    [a] = anomalies
    assert a.kind == "undeclared_interface" and "section 2" in a.detail and "interface 1" in a.detail
    assert "1 read (1 as link type 1; by Ethernet by content)" in a.detail
    assert stats.undeclared_frames == 1 and stats.damaged


def test_undeclared_packets_are_counted_per_interface():
    frames = _frames()
    data = shb() + idb() + b"".join(epbs(frames[:5])) + b"".join(epbs(frames[5:], start=5, ifid=7))
    got, stats, anomalies = _read(data)
    assert [f.data for f in got] == frames
    [a] = anomalies
    assert f"{len(frames) - 5} read ({len(frames) - 5} as link type 1; by the only declared link type)" in a.detail
    assert stats.undeclared_frames == len(frames) - 5


def test_undeclared_packets_that_fit_no_link_type_are_skipped_and_counted():
    junk = [random.Random(i).randbytes(40) for i in range(3)]
    data = shb() + b"".join(_epb(0, 1_700_000_000_000_000 + i, b"\xff" * 8 + j) for i, j in enumerate(junk))
    got, stats, anomalies = _read(data)
    assert got == [] and stats.damaged and stats.skipped_bytes == 3 * (32 + 48)
    assert "3 skipped" in anomalies[0].detail


def test_simple_packet_blocks_take_interface_0_and_the_last_timestamp():
    f = _frames()[:3]
    spbs = b"".join(block(3, struct.pack("<I", len(x)) + x) for x in f[1:])
    got, stats, anomalies = _read(shb() + idb() + _epb(0, 1_700_000_000_250_000, f[0]) + spbs)
    assert [x.data for x in got] == f and {x.ts for x in got} == {1_700_000_000.25} and anomalies == []


def test_unknown_and_custom_blocks_are_skipped_silently():
    frames = _frames()
    extra = block(0x0F0F, b"vendor") + block(0x40000BAD, struct.pack("<I", 1) + b"x") + block(5, bytes(20))
    got, stats, anomalies = _read(shb() + idb() + extra + b"".join(epbs(frames)) + extra)
    assert [f.data for f in got] == frames and anomalies == [] and not stats.damaged


def test_a_packet_longer_than_its_block_is_cut_to_the_block():
    f = _frames()[3]
    b = bytearray(_epb(0, 1_700_000_000_000_000, f))
    b[20:24] = struct.pack("<I", len(f) + 100)
    got, stats, anomalies = _read(shb() + idb() + bytes(b))
    assert [x.data for x in got] == [f + b"\0" * (-len(f) % 4)]
    assert [a.kind for a in anomalies] == ["bad_record_length"] and stats.damaged


def test_a_block_cut_by_the_end_is_truncation_not_damage():
    frames = _frames()
    data = shb() + idb() + b"".join(epbs(frames))
    got, stats, anomalies = _read(data[:-9])
    assert [f.data for f in got] == frames[:-1]
    assert stats.truncated and not stats.damaged and [a.kind for a in anomalies] == ["truncated_capture"]
